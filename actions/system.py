"""Behaviours of the bot itself: greeting, menu, identity, counsellor, out of scope..."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import shared
from bot import payloads
from bot.language import requested_language

# System topics whose text is content that staff keep current (content/system/).
CONTENT_BACKED = {"bot_identity", "human_counsellor", "check_offer"}


class ActionSystemReply(Action):
    """Tell the bot which behaviour to show; attach staff-kept content where there is some."""

    def name(self) -> str:
        return "action_system_reply"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: dict[str, Any]) -> list[dict[str, Any]]:
        topic, _ = shared.intent(tracker)
        payload = shared.base_payload("system", topic, tracker)
        if topic in CONTENT_BACKED or topic == "greet":
            source = "privacy" if topic == "greet" else topic
            payload["content"] = payloads.system_content(shared.store(), source, payload["language"])
        dispatcher.utter_message(json_message=payload)
        return []


class ActionShowMenu(Action):
    """The topic menu: groups first, then the topics of the group the user picked."""

    def name(self) -> str:
        return "action_show_menu"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: dict[str, Any]) -> list[dict[str, Any]]:
        _, confidence = shared.intent(tracker)
        dispatcher.utter_message(json_message=payloads.menu(
            shared.store(), shared.catalogue(), shared.entity(tracker, "group"),
            shared.reply_language(tracker), confidence))
        return []


class ActionSetLanguage(Action):
    """Switch the reply language to the one the user asked for, or ask which one."""

    def name(self) -> str:
        return "action_set_language"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: dict[str, Any]) -> list[dict[str, Any]]:
        payload = shared.base_payload("set_language", "change_language", tracker)
        wanted = shared.entity(tracker, "language") or requested_language(tracker.latest_message.get("text") or "")
        payload["requested"] = wanted
        if wanted:
            payload["language"] = wanted
        dispatcher.utter_message(json_message=payload)
        return []


class ActionSuggestTopics(Action):
    """Below the confidence threshold: offer the closest topics instead of a wrong answer."""

    def name(self) -> str:
        return "action_suggest_topics"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: dict[str, Any]) -> list[dict[str, Any]]:
        payload = shared.base_payload("suggest", "fallback", tracker)
        ranking = tracker.latest_message.get("intent_ranking") or []
        catalogue = shared.catalogue()
        candidates = [r for r in ranking if catalogue.is_answer(str(r.get("name")))]
        best = candidates[:3]
        payload["confidence"] = round(float(best[0]["confidence"]), 4) if best else 0.0
        payload["suggestions"] = payloads.topic_buttons(
            shared.store(), [str(r["name"]) for r in best], payload["language"])
        dispatcher.utter_message(json_message=payload)
        return []

