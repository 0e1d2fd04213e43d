"""What every action needs, built once on first use (never at import time)."""

from __future__ import annotations

from functools import cache
from typing import Any

from rasa_sdk import Tracker

from bot import payloads
from bot.content import Catalogue, ContentStore, load_catalogue
from bot.settings import LANGUAGES, Settings


@cache
def settings() -> Settings:
    return Settings.from_env()


@cache
def catalogue() -> Catalogue:
    return load_catalogue(settings().content_dir / "topics.yml")


@cache
def store() -> ContentStore:
    return ContentStore(settings().content_dir, catalogue())


def reply_language(tracker: Tracker) -> str:
    """The reply language the bot decided and sent as message metadata."""
    metadata = tracker.latest_message.get("metadata") or {}
    language = metadata.get("language")
    return language if language in LANGUAGES else settings().default_language


def intent(tracker: Tracker) -> tuple[str, float]:
    data = tracker.latest_message.get("intent") or {}
    return str(data.get("name") or ""), float(data.get("confidence") or 0.0)


def entity(tracker: Tracker, name: str) -> str | None:
    for item in tracker.latest_message.get("entities") or []:
        if item.get("entity") == name and item.get("value"):
            return str(item["value"])
    return None


def base_payload(kind: str, topic: str, tracker: Tracker) -> dict[str, Any]:
    _, confidence = intent(tracker)
    return payloads.base(kind, topic, reply_language(tracker), confidence)
