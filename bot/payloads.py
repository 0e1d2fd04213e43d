"""The data of a reply, built from content; shared by the actions and by the bot's degraded mode.

When Rasa is down, the bot still answers menu buttons and topic buttons with
exactly what the actions would have sent, from these same functions.
"""

from __future__ import annotations

import json
import re
from typing import Any

from bot.content import Catalogue, ContentStore

Payload = dict[str, Any]
_BUTTON_PAYLOAD = re.compile(r"^/(?P<intent>\w+)(?P<entities>\{.*\})?$", re.DOTALL)


def base(kind: str, topic: str, language: str, confidence: float) -> Payload:
    return {"kind": kind, "topic": topic, "language": language, "confidence": round(confidence, 4)}


def topic_buttons(store: ContentStore, topic_ids: list[str], language: str) -> list[dict[str, str]]:
    return [{"topic": t, "title": store.title(t, language)} for t in topic_ids]


def answer(store: ContentStore, catalogue: Catalogue, topic: str, language: str,
           confidence: float, more: bool = False) -> Payload:
    """A topic's answer (or its 'more' part) with sources and review date; 'missing' without content."""
    payload = base("answer", topic, language, confidence)
    content = store.get(topic) if catalogue.is_answer(topic) else None
    if content is None:
        payload["kind"] = "missing"
        return payload
    text = content.text(language)
    show_more = more and text.more is not None
    payload.update(
        part="more" if show_more else "answer",
        title=text.title,
        answer=text.more if show_more else text.answer,
        has_more=text.more is not None and not show_more,
        sources=[{"name": s.name, "url": s.url} for s in content.sources],
        reviewed=content.reviewed.isoformat(),
        related=topic_buttons(store, list(content.related), language),
    )
    return payload


def menu(store: ContentStore, catalogue: Catalogue, group: str | None, language: str,
         confidence: float = 1.0) -> Payload:
    """The menu's groups, or the topics of one group."""
    payload = base("menu", "help_menu", language, confidence)
    if group in catalogue.answer_groups():
        payload["group"] = group
        payload["topics"] = topic_buttons(store, catalogue.in_group(group), language)
    else:
        payload["groups"] = catalogue.answer_groups()
    return payload


def system_content(store: ContentStore, topic: str, language: str) -> Payload | None:
    """Staff-kept text of a behaviour (content/system/<topic>.yml), if there is one."""
    content = store.get(topic)
    if content is None:
        return None
    text = content.text(language)
    return {"title": text.title, "answer": text.answer,
            "sources": [{"name": s.name, "url": s.url} for s in content.sources],
            "reviewed": content.reviewed.isoformat()}


def parse_button(text: str) -> tuple[str, dict[str, str]] | None:
    """'/more_info{"topic":"x"}' -> ('more_info', {'topic': 'x'}); None if it is not a button payload."""
    match = _BUTTON_PAYLOAD.match(text.strip())
    if not match:
        return None
    entities: dict[str, str] = {}
    if match.group("entities"):
        try:
            raw = json.loads(match.group("entities"))
        except ValueError:
            return None
        entities = {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
    return match.group("intent"), entities


def button(intent: str, **entities: str) -> str:
    """The payload a button sends: Rasa's '/intent{"entity": "value"}' syntax (under 64 bytes)."""
    if not entities:
        return f"/{intent}"
    return f"/{intent}{json.dumps(entities, separators=(',', ':'), ensure_ascii=True)}"
