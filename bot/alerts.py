"""Campaign alerts: subscriptions and interests, alert files (content/alerts/*.yml), audiences."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import exists, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from yaml.nodes import Node, ScalarNode, SequenceNode

from bot.content import Catalogue, NodeChecker, Problem, compose_file
from bot.db import Milestone, User, user_row
from bot.settings import LANGUAGES

# What a subscriber can choose; destinations are the values of nlu/lookups/destinations.yml.
INTERESTS = ("fraud", "opportunities")
DESTINATIONS = ("germany", "belgium", "spain", "france", "canada", "italy", "gulf")
AUDIENCE_KEYS = ("interests", "languages", "destinations", "milestones", "sources")
TEXT_MAX = 1500


@dataclass(frozen=True)
class AlertSpec:
    """An alert: its text per language, topic buttons, audience and optional send time."""

    id: str
    text: dict[str, str]
    buttons: tuple[str, ...] = ()
    audience: dict[str, list[str]] = field(default_factory=dict)
    send_at: str | None = None  # ISO time with zone

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> "AlertSpec":
        data = json.loads(raw)
        return cls(data["id"], data["text"], tuple(data.get("buttons", ())), data.get("audience", {}),
                   data.get("send_at"))


def load_alert(path: Path, catalogue: Catalogue, display: str | None = None) -> tuple[AlertSpec | None, list[Problem]]:
    """Parse and validate one alert file: file, line and fix for every problem."""
    name = display or str(path)
    root, problems = compose_file(path, name)
    if problems:
        return None, problems
    checker = NodeChecker(name, catalogue, dt.date.today())
    keys = checker.mapping(root, "the alert", {"version", "id", "text", "buttons", "audience", "send_at"},
                           ("version", "id", "text"))
    alert_id = str(keys["id"][1].value) if "id" in keys else ""
    if alert_id and alert_id != path.stem:
        checker.add(keys["id"][1], f"id '{alert_id}' does not match the file name '{path.stem}.yml'")
    text: dict[str, str] = {}
    if "text" in keys:
        texts = checker.mapping(keys["text"][1], "text", set(LANGUAGES), LANGUAGES)
        for language, (_key, node) in texts.items():
            value = checker.string(node, f"text.{language}")
            if value and len(value) > TEXT_MAX:
                checker.add(node, f"text.{language} is longer than {TEXT_MAX} characters; shorten it")
            elif value:
                text[language] = value
    buttons = _topic_list(checker, keys.get("buttons", (None, None))[1], catalogue)
    audience: dict[str, list[str]] = {}
    if "audience" in keys:
        for key, (_key, node) in checker.mapping(keys["audience"][1], "audience", set(AUDIENCE_KEYS), ()).items():
            values = _strings(checker, node, f"audience.{key}")
            allowed = {"interests": INTERESTS, "languages": LANGUAGES, "destinations": DESTINATIONS}.get(key)
            for value in values:
                if allowed and value not in allowed:
                    checker.add(node, f"audience.{key}: '{value}' is not one of {', '.join(allowed)}")
            audience[key] = values
    send_at = None
    if "send_at" in keys:
        raw = str(keys["send_at"][1].value)
        try:
            moment = dt.datetime.fromisoformat(raw)
            if moment.tzinfo is None:
                raise ValueError
            send_at = moment.isoformat()
        except ValueError:
            checker.add(keys["send_at"][1], f"send_at '{raw}' must be a time with its zone, "
                                            "e.g. 2026-12-01T10:00:00+01:00")
    if checker.errors() or len(text) != len(LANGUAGES):
        return None, checker.problems
    return AlertSpec(alert_id, text, tuple(buttons), audience, send_at), checker.problems


def check_alerts(folder: Path, catalogue: Catalogue) -> list[Problem]:
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.yml")):
        problems += load_alert(path, catalogue, f"content/alerts/{path.name}")[1]
    return problems


def _strings(checker: NodeChecker, node: Node, where: str) -> list[str]:
    if not isinstance(node, SequenceNode):
        checker.add(node, f"{where} must be a list, e.g. [fraud]")
        return []
    return [str(item.value) for item in node.value if isinstance(item, ScalarNode)]


def _topic_list(checker: NodeChecker, node: Node | None, catalogue: Catalogue) -> list[str]:
    if node is None:
        return []
    topics = _strings(checker, node, "buttons")
    for topic in topics:
        if not catalogue.is_answer(topic):
            checker.add(node, f"button topic '{topic}' is not an answer topic of content/topics.yml")
    return topics


class Subscriptions:
    """Who wants alerts, about what; opting out takes effect at once, even mid-broadcast."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def set(self, chat_id: int, subscribed: bool) -> None:
        with self._sessions.begin() as session:
            user_row(session, chat_id).alerts = subscribed

    def toggle_interest(self, chat_id: int, interest: str) -> list[str]:
        with self._sessions.begin() as session:
            user = user_row(session, chat_id)
            current = [i for i in (user.interests or "").split(",") if i]
            current = [i for i in current if i != interest] if interest in current else current + [interest]
            user.interests = ",".join(current) or None
            user.alerts = True
            return current

    def state(self, chat_id: int) -> tuple[bool, list[str]]:
        with self._sessions() as session:
            user = session.scalar(select(User).where(User.chat_id == chat_id))
            if user is None:
                return False, []
            return bool(user.alerts), [i for i in (user.interests or "").split(",") if i]


def audience_query(audience: dict[str, list[str]], default_language: str):  # type: ignore[no-untyped-def]
    """SELECT of (user id, chat id, language) for subscribed, active users matching the audience."""
    language = func.coalesce(User.language, default_language)
    query = select(User.id, User.chat_id, language).where(User.alerts.is_(True), User.active.is_(True))
    if audience.get("languages"):
        query = query.where(language.in_(audience["languages"]))
    wanted = list(audience.get("interests", [])) + list(audience.get("destinations", []))
    if wanted:
        query = query.where(or_(*[User.interests.like(f"%{item}%") for item in wanted]))
    if audience.get("milestones"):
        query = query.where(exists().where(Milestone.user_id == User.id, Milestone.done.is_(False),
                                           Milestone.kind.in_(audience["milestones"])))
    if audience.get("sources"):
        query = query.where(User.source.in_(audience["sources"]))
    return query
