"""Setting milestones in conversation: understand, confirm, save; list, move, finish, delete.

    "mon rdv visa est le 12 mars" --Rasa/action--> {milestone, date} --> "12 March: right?" [Yes][No]
    no milestone found ----------> [Visa appointment][Departure]...   (buttons, date kept)
    no / past / impossible date --> "What is the date of ...?" and wait for it (users.pending)
    [Yes] --> saved, reminders scheduled, their dates shown in the user's time zone

Button payloads start with "!ms:" and stay under Telegram's 64 bytes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.dates import parse_date
from bot.db import UserStore, utcnow
from bot.milestones import MilestoneStore
from bot.rendering import Message, Renderer
from bot.reminders import ReminderService

PENDING = "ms:"  # users.pending while we wait for the date of a milestone: "ms:<kind>"


class MilestoneFlow:
    def __init__(self, users: UserStore, service: ReminderService, store: MilestoneStore,
                 renderer: Renderer) -> None:
        self.users = users
        self.service = service
        self.store = store
        self.renderer = renderer

    def labels(self, language: str) -> dict[str, str]:
        return {kind: t.label[language] for kind, t in self.store.get().types.items()}

    def from_payload(self, chat_id: int, payload: dict[str, Any], language: str) -> list[Message]:
        """What the action understood: confirm it, or ask for what is missing."""
        kind = payload.get("milestone")
        day = dt.date.fromisoformat(payload["date"]) if payload.get("date") else None
        if kind not in self.store.get().types:
            return [self.renderer.milestone_ask_kind(language, self.labels(language), day)]
        return self._confirm_or_ask(chat_id, kind, day, payload.get("problem"), language)

    def pending_date(self, chat_id: int, kind: str, text: str, language: str) -> list[Message] | None:
        """The answer to "what is the date of ...?"; None if the message holds no date at all."""
        found = parse_date(text, self.service.today(chat_id, utcnow()))
        if found.problem == "none":
            return None
        return self._confirm_or_ask(chat_id, kind, found.day if not found.problem else None,
                                    found.problem, language)

    def button(self, chat_id: int, data: str, language: str) -> list[Message]:
        parts = data.split(":")
        action = parts[1] if len(parts) > 1 else ""
        labels = self.labels(language)
        if action == "ok" and len(parts) == 4 and parts[2] in labels:
            day = dt.datetime.strptime(parts[3], "%Y%m%d").date()
            self.users.update(chat_id, pending=None)
            dues = self.service.save_milestone(chat_id, parts[2], day, utcnow())
            return [self.renderer.milestone_saved(language, labels[parts[2]], day, dues, self._zone(chat_id))]
        if action == "kind" and len(parts) == 4:
            if parts[2] not in labels:
                return [self.renderer.milestone_ask_kind(language, labels, None)]
            day = dt.datetime.strptime(parts[3], "%Y%m%d").date() if parts[3] != "-" else None
            return self._confirm_or_ask(chat_id, parts[2], day, None, language)
        if action in ("done", "del") and len(parts) == 3 and parts[2].isdigit():
            self.service.finish(chat_id, int(parts[2]), remove=action == "del")
            return [self.renderer.milestone_changed(language, removed=action == "del")]
        if action == "chg" and len(parts) == 3 and parts[2].isdigit():
            kind = self.service.kind_of(chat_id, int(parts[2]))
            if kind in labels:
                return self._confirm_or_ask(chat_id, kind, None, None, language)
        self.users.update(chat_id, pending=None)
        return [self.renderer.milestone_cancelled(language)]

    def overview(self, chat_id: int, language: str) -> list[Message]:
        items = self.service.overview(chat_id)
        return [self.renderer.reminders_overview(language, items, self.labels(language), self._zone(chat_id))]

    def _confirm_or_ask(self, chat_id: int, kind: str, day: dt.date | None, problem: str | None,
                        language: str) -> list[Message]:
        label = self.labels(language)[kind]
        if day is None:
            self.users.update(chat_id, pending=f"{PENDING}{kind}")
            return [self.renderer.milestone_ask_date(language, label, problem)]
        self.users.update(chat_id, pending=None)
        return [self.renderer.milestone_confirm(language, kind, label, day)]

    def _zone(self, chat_id: int) -> dt.tzinfo:
        user = self.users.get_or_create(chat_id)
        return self.service.zone(user)
