"""Answering a topic from content/ in the user's language."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import shared
from bot import payloads


class ActionAnswerTopic(Action):
    """Answer the recognised topic (or its 'more' part) with sources and review date."""

    def name(self) -> str:
        return "action_answer_topic"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: dict[str, Any]) -> list[dict[str, Any]]:
        intent, confidence = shared.intent(tracker)
        more = intent == "more_info"
        topic = (shared.entity(tracker, "topic") or "") if more else intent
        if not more:
            topic = shared.catalogue().route(topic, shared.entity(tracker, "destination"))
        dispatcher.utter_message(json_message=payloads.answer(
            shared.store(), shared.catalogue(), topic, shared.reply_language(tracker), confidence, more))
        return []
