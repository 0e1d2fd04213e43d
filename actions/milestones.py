"""Understanding a milestone a candidate tells: which one, and which date."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import shared
from bot.dates import parse_date
from bot.milestones import MilestoneStore


@cache
def milestones() -> MilestoneStore:
    return MilestoneStore(shared.settings().content_dir / "milestones.yml", shared.catalogue())


class ActionSetMilestone(Action):
    """Find the milestone type and the date in the message; the bot confirms before saving."""

    def name(self) -> str:
        return "action_set_milestone"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: dict[str, Any]) -> list[dict[str, Any]]:
        text = tracker.latest_message.get("text") or ""
        payload = shared.base_payload("milestone", "set_milestone", tracker)
        today = dt.datetime.now(ZoneInfo(shared.settings().timezone)).date()
        found = parse_date(text, today) if not text.startswith("/") else parse_date("", today)
        payload.update(milestone=milestones().get().find_type(text),
                       date=found.day.isoformat() if found.day and not found.problem else None,
                       problem=found.problem)
        dispatcher.utter_message(json_message=payload)
        return []
