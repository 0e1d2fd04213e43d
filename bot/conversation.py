"""The path of every message, whatever the channel: language, user, Rasa, rendering.

Telegram and the console both call `Assistant.handle`; neither knows Rasa.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from bot import payloads
from bot.content import Catalogue, ContentStore
from bot.db import GapLog, UserStore
from bot.alerts import INTERESTS, DESTINATIONS, Subscriptions
from bot.milestone_flow import PENDING, MilestoneFlow
from bot.errors import NLUUnavailable
from bot.language import Detection, choose_reply_language, detect
from bot.nlu_client import RasaClient
from bot.rendering import FORGET_NO, FORGET_YES, Message, Renderer
from bot.settings import LANGUAGES

log = logging.getLogger(__name__)

# Like SMS "STOP": these words alone always end alerts, whatever the classifier thinks.
STOP_WORDS = {"stop", "/stop", "baraka", "stop alerts", "توقف", "بركا", "باركا", "arrete", "arrête", "stop les alertes"}
# Rasa needs the gist, not a pasted page; longer messages are cut for understanding only.
NLU_MAX_CHARS = 1500


@dataclass
class Reply:
    """What the assistant answers to one message, with what it understood."""

    messages: list[Message]
    topic: str
    confidence: float
    language: str
    payloads: list[dict[str, Any]] = field(default_factory=list)

    @property
    def answer(self) -> str:
        return "\n\n".join(m.text for m in self.messages)

    @property
    def sources(self) -> list[dict[str, str]]:
        return [s for p in self.payloads for s in (p.get("sources") or (p.get("content") or {}).get("sources") or [])]


class Assistant:
    """Handles one incoming text for one chat and returns the reply to send."""

    def __init__(self, users: UserStore, rasa: RasaClient, renderer: Renderer,
                 store: ContentStore, catalogue: Catalogue, default_language: str,
                 gaps: GapLog | None = None, milestones: MilestoneFlow | None = None,
                 subscriptions: Subscriptions | None = None) -> None:
        self.subscriptions = subscriptions
        self.users = users
        self.gaps = gaps
        self.milestones = milestones
        self.rasa = rasa
        self.renderer = renderer
        self.store = store
        self.catalogue = catalogue
        self.default_language = default_language

    async def handle(self, chat_id: int, text: str) -> Reply:
        user = self.users.get_or_create(chat_id)
        text = (text or "").strip()
        # Buttons carry payloads, not words: they say nothing about the user's language.
        is_button = payloads.parse_button(text) is not None or text.startswith("!")
        detection = Detection(None, False) if is_button else detect(text)
        language = choose_reply_language(
            detection, user.language if user.language_chosen else None, user.language,
            self.default_language)
        if text in (FORGET_YES, FORGET_NO):
            return self._forget(chat_id, text == FORGET_YES and user.pending == "forget", language)
        if not text:
            return Reply([self.renderer.non_text(language)], "non_text", 1.0, language)
        if self.subscriptions is not None and (text.startswith("!al:") or text.lower() in STOP_WORDS):
            return self._alerts_button(chat_id, "!al:off" if text.lower() in STOP_WORDS else text, language)
        if self.milestones is not None:
            if text.startswith("!ms:"):
                return Reply(self.milestones.button(chat_id, text, language), "set_milestone", 1.0, language)
            if user.pending and user.pending.startswith(PENDING) and not is_button:
                messages = self.milestones.pending_date(chat_id, user.pending[len(PENDING):], text, language)
                if messages is not None:
                    return Reply(messages, "set_milestone", 1.0, language)
                self.users.update(chat_id, pending=None)  # they moved on to another question
        metadata = {"language": language, "detected": detection.language}
        try:
            raw = await self.rasa.send(str(chat_id), text[:NLU_MAX_CHARS], metadata)
        except NLUUnavailable as exc:
            log.warning("chat %s: Rasa unavailable, answering from content: %s", chat_id, exc)
            return self._degraded(text, language)
        found = [r["custom"] for r in raw if isinstance(r.get("custom"), dict)]
        reply = self._render(found, language, chat_id)
        self._record_gap(text, detection, reply)
        ask_language = (detection.language == "ary_latn" and not user.language_chosen
                        and not user.language_asked)
        if ask_language:
            # Darija in Latin letters could be read in any of our languages: ask once.
            reply.messages.append(self.renderer.ask_language(reply.language))
        self._remember(chat_id, user.language, user.pending, reply, ask_language, user.active)
        return reply

    def language_for(self, chat_id: int, text: str = "") -> str:
        """The language to answer this chat in, for replies that do not go through Rasa."""
        user = self.users.get_or_create(chat_id)
        return choose_reply_language(detect(text), user.language if user.language_chosen else None,
                                     user.language, self.default_language)

    def non_text(self, chat_id: int) -> Reply:
        """A sticker, photo, voice note...: say what we can read, in the user's language."""
        user = self.users.get_or_create(chat_id)
        language = user.language or self.default_language
        return Reply([self.renderer.non_text(language)], "non_text", 1.0, language)

    def _render(self, found: list[dict[str, Any]], language: str, chat_id: int) -> Reply:
        if not found:
            # Rasa answered without our actions (e.g. the action server is down).
            log.warning("Rasa replied without an action payload")
            return self._degraded("", language)
        messages = [m for p in found for m in self._messages(p, chat_id)]
        first = found[0]
        reply_language = str(first.get("language") or language)
        return Reply(messages, str(first.get("topic") or "fallback"),
                     float(first.get("confidence") or 0.0), reply_language, found)

    def _record_gap(self, text: str, detection: Detection, reply: Reply) -> None:
        """Keep what we could not answer (text and language only) for staff to review."""
        if self.gaps is None or payloads.parse_button(text) is not None:
            return
        for payload in reply.payloads:
            if payload.get("kind") in ("suggest", "missing"):
                reason = "fallback" if payload["kind"] == "suggest" else "missing"
                suggested = [s["topic"] for s in payload.get("suggestions", [])] or [str(payload.get("topic"))]
                self.gaps.record(text, detection.language, reason, suggested)
                return

    def _alerts_button(self, chat_id: int, data: str, language: str) -> Reply:
        assert self.subscriptions is not None
        choice = data.split(":", 1)[1]
        if choice == "off":
            self.subscriptions.set(chat_id, False)
            log.info("chat %s unsubscribed from alerts", chat_id)
            return Reply([self.renderer.alerts_off(language)], "unsubscribe_alerts", 1.0, language)
        if choice in INTERESTS or choice in DESTINATIONS:
            interests = self.subscriptions.toggle_interest(chat_id, choice)
        else:
            self.subscriptions.set(chat_id, True)
            interests = self.subscriptions.state(chat_id)[1]
        return Reply([self.renderer.alerts_on(language, interests)], "subscribe_alerts", 1.0, language)

    def _messages(self, payload: dict[str, Any], chat_id: int) -> list[Message]:
        """Milestones, reminders and alerts need this user's data; the rest renders as it comes."""
        language = str(payload.get("language") or self.default_language)
        if self.subscriptions is not None and payload.get("kind") == "system":
            if payload.get("topic") == "subscribe_alerts":
                self.subscriptions.set(chat_id, True)
                return [self.renderer.alerts_on(language, self.subscriptions.state(chat_id)[1])]
            if payload.get("topic") == "unsubscribe_alerts":
                self.subscriptions.set(chat_id, False)
                return [self.renderer.alerts_off(language)]
        if self.milestones is not None:
            if payload.get("kind") == "milestone":
                return self.milestones.from_payload(chat_id, payload, language)
            if payload.get("kind") == "system" and payload.get("topic") == "list_reminders":
                return self.milestones.overview(chat_id, language)
        return self.renderer.render(payload)

    def _remember(self, chat_id: int, last_language: str | None, pending: str | None, reply: Reply,
                  asked_language: bool = False, active: bool = True) -> None:
        """Persist what this turn changed: the reply language, an explicit choice, a pending question."""
        changes: dict[str, object] = {"language_asked": True} if asked_language else {}
        if not active:
            changes["active"] = True  # writing to the bot again means they unblocked it
        for payload in reply.payloads:
            if payload.get("kind") == "set_language" and payload.get("requested") in LANGUAGES:
                changes.update(language=payload["requested"], language_chosen=True)
        if "language" not in changes and reply.language != last_language:
            changes["language"] = reply.language
        if reply.topic == "delete_my_data":
            changes["pending"] = "forget"
        elif pending == "forget":
            changes["pending"] = None  # the question was left unanswered: drop it
        if changes:
            self.users.update(chat_id, **changes)

    def _forget(self, chat_id: int, confirmed: bool, language: str) -> Reply:
        if confirmed:
            deleted = self.users.delete(chat_id)
            log.info("chat %s: user data deleted on request", chat_id)
            return Reply([self.renderer.forgotten(language, deleted)], "delete_my_data", 1.0, language)
        self.users.update(chat_id, pending=None)
        return Reply([self.renderer.forgotten(language, False)], "delete_my_data", 1.0, language)

    def _degraded(self, text: str, language: str) -> Reply:
        """Rasa is down: buttons still work from content; anything else gets the menu and an apology."""
        parsed = payloads.parse_button(text)
        payload: dict[str, Any] | None = None
        if parsed:
            intent, entities = parsed
            if intent == "help_menu":
                payload = payloads.menu(self.store, self.catalogue, entities.get("group"), language)
            elif intent == "more_info" or self.catalogue.is_answer(intent):
                topic = entities.get("topic", "") if intent == "more_info" else intent
                payload = payloads.answer(self.store, self.catalogue, topic, language, 1.0,
                                          more=intent == "more_info")
        if payload is not None:
            return Reply(self.renderer.render(payload), str(payload["topic"]), 1.0, language, [payload])
        message = self.renderer.trouble(language, self.catalogue.answer_groups())
        return Reply([message], "unavailable", 0.0, language)
