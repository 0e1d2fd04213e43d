"""Answers from content/: the topic catalogue, a validating loader and a reloading store.

Staff edit YAML files; this module turns them into typed objects or into
problems that name the file, the line and the fix. The store serves the last
good version of every file, so a bad edit never takes an answer away from users.
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.errors import ContentError
from bot.settings import LANGUAGES

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
ANSWER_MAX = 900
MORE_MAX = 1500
STALE_AFTER = dt.timedelta(days=365)
_TOP_KEYS = {"version", "topic", "reviewed", "related", "sources", *LANGUAGES}
_TOP_REQUIRED = ("version", "topic", "reviewed", "sources", *LANGUAGES)
_TEXT_KEYS = {"title", "answer", "more"}
_SOURCE_KEYS = {"name", "url"}
# content/system/ files that are not topics of their own but parts of a behaviour.
EXTRA_SYSTEM_FILES = {"privacy"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file, told so that a non-developer can fix it."""

    path: str
    line: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


# --- the catalogue of topics ------------------------------------------------


@dataclass(frozen=True)
class Topic:
    id: str
    group: str
    kind: str  # "answer" or "system"
    covers: str
    destinations: tuple[str, ...] = ()  # the countries a topic is about
    routes_by_destination: bool = False  # a general topic that yields to a named country's topic


@dataclass(frozen=True)
class Catalogue:
    """Topic ids and groups from content/topics.yml (the copy of shared/topics.yml)."""

    groups: dict[str, str]
    topics: dict[str, Topic]

    def answer_topics(self) -> list[str]:
        return [t.id for t in self.topics.values() if t.kind == "answer"]

    def in_group(self, group: str) -> list[str]:
        return [t.id for t in self.topics.values() if t.group == group and t.kind == "answer"]

    def answer_groups(self) -> list[str]:
        return [g for g in self.groups if self.in_group(g)]

    def is_answer(self, topic_id: str) -> bool:
        topic = self.topics.get(topic_id)
        return topic is not None and topic.kind == "answer"

    def route(self, topic_id: str, destination: str | None) -> str:
        """The topic to answer when the message names a destination country.

        "How can I work legally in Belgium?" is classified as the general
        pathways question; the user needs the Belgium answer. A country topic
        asked about another country yields to that country's topic too.
        """
        topic = self.topics.get(topic_id)
        if topic is None or not destination:
            return topic_id
        if topic.routes_by_destination or (topic.destinations and destination not in topic.destinations):
            for candidate in self.topics.values():
                if destination in candidate.destinations:
                    return candidate.id  # the first topic of a country is its main one
        return topic_id


def load_catalogue(path: Path) -> Catalogue:
    """Read the topic catalogue; raise ContentError if it is not usable."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError([Problem(str(path), _mark_line(exc), f"cannot read the topic list: {exc}")])
    problems = []
    topics: dict[str, Topic] = {}
    groups = dict(data.get("groups") or {})
    for topic_id, spec in (data.get("topics") or {}).items():
        if not isinstance(spec, dict) or spec.get("kind") not in ("answer", "system"):
            problems.append(Problem(str(path), 1, f"topic {topic_id!r} needs kind: answer or kind: system"))
            continue
        if spec.get("group") not in groups:
            problems.append(Problem(str(path), 1, f"topic {topic_id!r} has unknown group {spec.get('group')!r}"))
            continue
        topics[topic_id] = Topic(topic_id, spec["group"], spec["kind"], str(spec.get("covers", "")),
                                 tuple(spec.get("destinations") or ()),
                                 bool(spec.get("routes_by_destination", False)))
    if problems:
        raise ContentError(problems)
    return Catalogue(groups=groups, topics=topics)


# --- typed content ----------------------------------------------------------


@dataclass(frozen=True)
class Source:
    name: str
    url: str


@dataclass(frozen=True)
class LocalizedText:
    title: str
    answer: str
    more: str | None = None


@dataclass(frozen=True)
class TopicContent:
    """One topic's answer in every language, with its sources and review date."""

    topic: str
    reviewed: dt.date
    sources: tuple[Source, ...]
    texts: dict[str, LocalizedText]
    related: tuple[str, ...] = ()

    def text(self, language: str) -> LocalizedText:
        return self.texts[language]


# --- parsing with line numbers ---------------------------------------------


def parse_content_file(path: Path, catalogue: Catalogue, display: str | None = None,
                       today: dt.date | None = None) -> tuple[TopicContent | None, list[Problem]]:
    """Parse and validate one content file: the content, or None and every problem found."""
    name = display or str(path)
    root, problems = compose_file(path, name)
    if problems:
        return None, problems
    checker = NodeChecker(name, catalogue, today or dt.date.today())
    content = checker.topic(root, expected_id=path.stem)
    return (content if not checker.errors() else None), checker.problems


class NodeChecker:
    """Walks a composed YAML document, collecting every problem in one pass."""

    def __init__(self, name: str, catalogue: Catalogue, today: dt.date) -> None:
        self.name = name
        self.catalogue = catalogue
        self.today = today
        self.problems: list[Problem] = []

    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def add(self, node: Node | None, message: str, severity: str = "error") -> None:
        line = node.start_mark.line + 1 if node is not None else 1
        self.problems.append(Problem(self.name, line, message, severity))

    def mapping(self, node: Node | None, where: str, allowed: set[str],
                required: Iterable[str]) -> dict[str, tuple[Node, Node]]:
        if not isinstance(node, MappingNode):
            self.add(node, f"{where} must be a set of 'key: value' lines")
            return {}
        found: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in found:
                self.add(key_node, f"key '{key}' appears twice in {where}; keep one")
            elif key not in allowed:
                guess = difflib.get_close_matches(key, sorted(allowed), n=1)
                hint = f" (did you mean '{guess[0]}'?)" if guess else f"; allowed keys: {', '.join(sorted(allowed))}"
                self.add(key_node, f"unknown key '{key}' in {where}{hint}")
            found[key] = (key_node, value_node)
        for key in required:
            if key not in found:
                self.add(node, f"missing '{key}' in {where}")
        return found

    def string(self, node: Node, where: str) -> str | None:
        if not isinstance(node, ScalarNode) or not str(node.value).strip():
            self.add(node, f"{where} must be non-empty text")
            return None
        return str(node.value).strip()

    def topic(self, root: Node | None, expected_id: str) -> TopicContent | None:
        if root is None:
            self.add(None, "the file is empty; copy an existing topic file as a start")
            return None
        keys = self.mapping(root, "the file", _TOP_KEYS, _TOP_REQUIRED)
        if "version" in keys and str(keys["version"][1].value) != str(SCHEMA_VERSION):
            self.add(keys["version"][1], f"version must be {SCHEMA_VERSION}")
        topic_id = self.string(keys["topic"][1], "'topic'") if "topic" in keys else None
        if topic_id is not None:
            if topic_id != expected_id:
                self.add(keys["topic"][1], f"topic '{topic_id}' does not match the file name '{expected_id}.yml'")
            if topic_id not in self.catalogue.topics and topic_id not in EXTRA_SYSTEM_FILES:
                close = difflib.get_close_matches(topic_id, list(self.catalogue.topics), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else "; add it to content/topics.yml first"
                self.add(keys["topic"][1], f"unknown topic '{topic_id}'{hint}")
        reviewed = self.reviewed(keys["reviewed"][1]) if "reviewed" in keys else None
        related = self.related(keys["related"][1]) if "related" in keys else ()
        sources = self.sources(keys["sources"][1]) if "sources" in keys else ()
        texts = {}
        for lang in LANGUAGES:
            if lang in keys:
                localized = self.localized(keys[lang][1], lang)
                if localized is not None:
                    texts[lang] = localized
        if self.errors() or topic_id is None or reviewed is None:
            return None
        return TopicContent(topic_id, reviewed, tuple(sources), texts, tuple(related))

    def reviewed(self, node: Node) -> dt.date | None:
        raw = str(node.value).strip()
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            self.add(node, f"reviewed '{raw}' is not a date; write it as YYYY-MM-DD, e.g. 2026-11-24")
            return None
        if day > self.today:
            self.add(node, f"reviewed {raw} is in the future; use the day the facts were checked")
        elif self.today - day > STALE_AFTER:
            self.add(node, f"reviewed {raw} is more than a year ago; check the facts again", "warning")
        return day

    def related(self, node: Node) -> list[str]:
        if not isinstance(node, SequenceNode):
            self.add(node, "related must be a list of topic ids, e.g. [fraud_report, anapec_international]")
            return []
        out = []
        for item in node.value:
            value = str(item.value)
            if not self.catalogue.is_answer(value):
                close = difflib.get_close_matches(value, self.catalogue.answer_topics(), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.add(item, f"related topic '{value}' is not an answer topic{hint}")
            else:
                out.append(value)
        return out

    def sources(self, node: Node) -> list[Source]:
        if not isinstance(node, SequenceNode) or not node.value:
            self.add(node, "sources must list at least one official source (name and url)")
            return []
        out = []
        for item in node.value:
            keys = self.mapping(item, "a source", _SOURCE_KEYS, ("name", "url"))
            if "name" not in keys or "url" not in keys:
                continue
            name = self.string(keys["name"][1], "a source's name")
            url = self.string(keys["url"][1], "a source's url")
            if url is not None and not url.startswith("https://"):
                self.add(keys["url"][1], f"source url '{url}' must start with https://")
            elif name and url:
                out.append(Source(name, url))
        return out

    def localized(self, node: Node, lang: str) -> LocalizedText | None:
        keys = self.mapping(node, f"'{lang}'", _TEXT_KEYS, ("title", "answer"))
        values: dict[str, str | None] = {}
        for key in ("title", "answer", "more"):
            values[key] = self.string(keys[key][1], f"{lang}.{key}") if key in keys else None
        for key, limit in (("answer", ANSWER_MAX), ("more", MORE_MAX)):
            value = values[key]
            if value is not None and len(value) > limit:
                fix = "move details to 'more'" if key == "answer" else "shorten it"
                self.add(keys[key][1], f"{lang}.{key} has {len(value)} characters, more than {limit} "
                         f"for a phone screen; {fix}")
        if values["title"] is None or values["answer"] is None:
            return None
        return LocalizedText(values["title"], values["answer"], values["more"])


def compose_file(path: Path, name: str) -> tuple[Node | None, list[Problem]]:
    """The YAML node tree of a staff-edited file, or the problem that stops reading it."""
    try:
        return yaml.compose(path.read_text(encoding="utf-8")), []
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(name, 1, f"cannot read the file ({exc}); save it as UTF-8 text")]
    except yaml.YAMLError as exc:
        return None, [Problem(name, _mark_line(exc), f"not valid YAML: {_yaml_reason(exc)}")]


def _mark_line(exc: Exception) -> int:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 if mark is not None else 1


def _yaml_reason(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None)
    reason = str(problem) if problem else str(exc).splitlines()[0]
    return f"{reason} (check the indentation and that text with ':' is in a '|' block)"


# --- the store --------------------------------------------------------------


@dataclass
class _Loaded:
    signature: tuple[int, int]
    content: TopicContent | None


@dataclass
class ContentStore:
    """Serves the last good version of every content file, reloading edits as they land.

    Files are re-scanned at most every `check_interval` seconds, on access, so a
    staff edit shows up in the next answer without restarting or retraining.
    """

    content_dir: Path
    catalogue: Catalogue
    check_interval: float = 2.0
    problems: list[Problem] = field(default_factory=list)
    _files: dict[Path, _Loaded] = field(default_factory=dict)
    _last_scan: float = -1e9
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, topic_id: str) -> TopicContent | None:
        """The content of a topic (answer or system file), or None if there is none."""
        self.refresh()
        for loaded in self._files.values():
            if loaded.content is not None and loaded.content.topic == topic_id:
                return loaded.content
        return None

    def all(self) -> list[TopicContent]:
        """Every valid content item currently served."""
        self.refresh()
        return [l.content for l in self._files.values() if l.content is not None]

    def title(self, topic_id: str, language: str) -> str:
        content = self.get(topic_id)
        return content.text(language).title if content else topic_id.replace("_", " ")

    def refresh(self, force: bool = False) -> list[Problem]:
        """Reload changed files; a file that became invalid keeps its last good version."""
        now = time.monotonic()
        if not force and now - self._last_scan < self.check_interval:
            return self.problems
        with self._lock:
            self._last_scan = now
            seen = set()
            problems: list[Problem] = []
            for path in self._paths():
                seen.add(path)
                stat = path.stat()
                signature = (stat.st_mtime_ns, stat.st_size)
                loaded = self._files.get(path)
                if loaded is not None and loaded.signature == signature:
                    continue
                content, found = parse_content_file(path, self.catalogue, _display(path, self.content_dir))
                problems.extend(found)
                if content is not None:
                    self._files[path] = _Loaded(signature, content)
                    if loaded is not None:
                        log.info("content reloaded: %s", path.name)
                else:
                    log.error("content refused, serving the last good version: %s",
                              "; ".join(str(p) for p in found if p.severity == "error"))
                    previous = loaded.content if loaded is not None else None
                    self._files[path] = _Loaded(signature, previous)
            for gone in set(self._files) - seen:
                del self._files[gone]
            self.problems = problems
            return problems

    def _paths(self) -> list[Path]:
        return sorted(
            p for sub in ("topics", "system") for p in (self.content_dir / sub).glob("*.yml")
        )


def _display(path: Path, content_dir: Path) -> str:
    try:
        return str(path.relative_to(content_dir.parent))
    except ValueError:
        return str(path)


def check_content_dir(content_dir: Path, catalogue: Catalogue) -> tuple[dict[str, TopicContent], list[Problem]]:
    """Validate every content file and cross-check them against the catalogue."""
    store = ContentStore(content_dir, catalogue)
    problems = list(store.refresh(force=True))
    contents = {c.topic: c for c in store.all()}
    for topic_id in catalogue.answer_topics():
        path = content_dir / "topics" / f"{topic_id}.yml"
        if not path.exists():
            problems.append(Problem(_display(path, content_dir), 1,
                                    f"answer topic '{topic_id}' has no content file; create it (copy another topic)"))
    return contents, problems
