"""Custom Rasa actions (rasa-sdk), run by `python -m rasa_sdk --actions actions`.

Actions decide *what* to answer and hand it to the bot as data, one JSON
payload per reply (`dispatcher.utter_message(json_message=...)`); the bot
renders it with the interface strings of the user's language. Payload kinds:

    answer        a topic's answer (or its "more" part) with sources and review date
    missing       a topic with no valid content: the bot points to an official contact
    system        a behaviour of the bot (greet, help, out_of_scope, delete_my_data...)
    menu          the topic menu, or one group of it
    suggest       low confidence: the closest topics, to pick from
    set_language  the user asked for a language (None: ask which)

Every payload carries `topic`, `language` and `confidence`.
"""
