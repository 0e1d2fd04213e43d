"""Milestone types and their reminder rules, from content/milestones.yml (kept by staff).

A candidate's journey has dates (visa appointment, departure...); each type
says which reminders to send how many days before or after, at what local
hour, in ar/fr/en. Validated like answers: file, line, fix.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.content import Catalogue, NodeChecker, Problem, compose_file
from bot.settings import LANGUAGES
from orient_nlu.normalize import normalize

QUIET_START, QUIET_END = 21, 8  # no reminder from 21:00 to 08:00 local time
TEXT_MAX = 400


@dataclass(frozen=True)
class ReminderRule:
    key: str
    days: int  # negative: before the date; positive: after
    hour: int  # local hour
    text: dict[str, str]


@dataclass(frozen=True)
class MilestoneType:
    id: str
    label: dict[str, str]
    keywords: tuple[str, ...]
    reminders: tuple[ReminderRule, ...]

    def rule(self, key: str) -> ReminderRule | None:
        return next((r for r in self.reminders if r.key == key), None)


@dataclass(frozen=True)
class MilestoneRules:
    types: dict[str, MilestoneType]

    def find_type(self, text: str) -> str | None:
        """The milestone a message talks about, by its keywords ("rdv visa" -> visa_appointment)."""
        words = set(re.findall(r"[\w']+", normalize(text)))
        folded = normalize(text)
        best, score = None, 0
        for milestone in self.types.values():
            hits = sum(1 for k in milestone.keywords if (k in words if " " not in k else k in folded)
                       or (len(k) >= 4 and any(w.endswith(k) for w in words)))
            if hits > score:
                best, score = milestone.id, hits
        return best


def load_milestones(path: Path, catalogue: Catalogue, display: str | None = None,
                    today: dt.date | None = None) -> tuple[MilestoneRules | None, list[Problem]]:
    """Parse and validate content/milestones.yml; None and the problems if it is not usable."""
    name = display or str(path)
    root, problems = compose_file(path, name)
    if problems:
        return None, problems
    checker = _MilestoneChecker(name, catalogue, today or dt.date.today())
    rules = checker.rules(root)
    return (rules if not checker.errors() else None), checker.problems


class _MilestoneChecker(NodeChecker):
    def rules(self, root: Node | None) -> MilestoneRules | None:
        keys = self.mapping(root, "the file", {"version", "reviewed", "milestones"},
                            ("version", "reviewed", "milestones"))
        if "reviewed" in keys:
            self.reviewed(keys["reviewed"][1])
        types: dict[str, MilestoneType] = {}
        node = keys.get("milestones", (None, None))[1]
        if node is not None:
            if not isinstance(node, MappingNode):
                self.add(node, "milestones must list milestone types, e.g. 'visa_appointment:'")
            else:
                for key_node, value in node.value:
                    milestone = self.milestone(str(key_node.value), value)
                    if milestone is not None:
                        types[milestone.id] = milestone
        return MilestoneRules(types)

    def milestone(self, milestone_id: str, node: Node) -> MilestoneType | None:
        where = f"milestone '{milestone_id}'"
        keys = self.mapping(node, where, {"label", "keywords", "reminders"}, ("label", "keywords", "reminders"))
        label = self.texts(keys["label"][1], f"{where} label") if "label" in keys else None
        keywords: list[str] = []
        if "keywords" in keys:
            value = keys["keywords"][1]
            if not isinstance(value, SequenceNode) or not value.value:
                self.add(value, f"{where} keywords must be a list of words people use for it")
            else:
                for item in value.value:
                    word = str(item.value)
                    if normalize(word) != word:
                        self.add(item, f"keyword '{word}' never matches; write it as '{normalize(word)}'")
                    keywords.append(word)
        reminders: list[ReminderRule] = []
        if "reminders" in keys:
            value = keys["reminders"][1]
            if not isinstance(value, SequenceNode):
                self.add(value, f"{where} reminders must be a list")
            else:
                seen: set[str] = set()
                for item in value.value:
                    rule = self.reminder(item, where)
                    if rule is not None:
                        if rule.key in seen:
                            self.add(item, f"reminder key '{rule.key}' appears twice in {where}")
                        seen.add(rule.key)
                        reminders.append(rule)
        if label is None or self.errors():
            return None
        return MilestoneType(milestone_id, label, tuple(keywords), tuple(reminders))

    def reminder(self, node: Node, where: str) -> ReminderRule | None:
        keys = self.mapping(node, f"a reminder of {where}", {"key", "days", "hour", "text"},
                            ("key", "days", "hour", "text"))
        if len(keys) < 4:
            return None
        key = str(keys["key"][1].value)
        days = self.integer(keys["days"][1], "days", -365, 365)
        hour = self.integer(keys["hour"][1], "hour", QUIET_END, QUIET_START - 1)
        text = self.texts(keys["text"][1], f"reminder '{key}' text", TEXT_MAX)
        if days is None or hour is None or text is None:
            return None
        return ReminderRule(key, days, hour, text)

    def integer(self, node: Node, what: str, low: int, high: int) -> int | None:
        try:
            value = int(str(node.value))
        except (ValueError, TypeError):
            self.add(node, f"{what} must be a whole number")
            return None
        if not low <= value <= high:
            fix = " (quiet hours are 21:00-08:00)" if what == "hour" else ""
            self.add(node, f"{what} {value} must be between {low} and {high}{fix}")
            return None
        return value

    def texts(self, node: Node, where: str, limit: int = 200) -> dict[str, str] | None:
        keys = self.mapping(node, where, set(LANGUAGES), LANGUAGES)
        out = {}
        for language in LANGUAGES:
            if language in keys:
                value = keys[language][1]
                if not isinstance(value, ScalarNode) or not str(value.value).strip():
                    self.add(value, f"{where} in {language} must be non-empty text")
                elif len(str(value.value)) > limit:
                    self.add(value, f"{where} in {language} is longer than {limit} characters")
                else:
                    out[language] = str(value.value).strip()
        return out if len(out) == len(LANGUAGES) else None


class MilestoneStore:
    """The last good milestones.yml, reloaded when the file changes (checked at most every 2 s)."""

    def __init__(self, path: Path, catalogue: Catalogue, check_interval: float = 2.0) -> None:
        self.path = path
        self.catalogue = catalogue
        self.check_interval = check_interval
        self._rules = MilestoneRules({})
        self._signature: tuple[int, int] | None = None
        self._checked = -1e9
        self.problems: list[Problem] = []
        self.version = 0  # bumped on every successful reload, so the scheduler can resync

    def get(self) -> MilestoneRules:
        import time

        now = time.monotonic()
        if now - self._checked >= self.check_interval:
            self._checked = now
            self._reload()
        return self._rules

    def _reload(self) -> None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return
        signature = (stat.st_mtime_ns, stat.st_size)
        if signature == self._signature:
            return
        self._signature = signature
        rules, self.problems = load_milestones(self.path, self.catalogue, "content/milestones.yml")
        if rules is not None:
            self._rules = rules
            self.version += 1
