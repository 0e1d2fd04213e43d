"""The Rasa domain and rules that follow from the topic catalogue, and checks of nlu/ against content/."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.content import Catalogue, Problem

HEADER = "# Generated from content/topics.yml by `orient nlu sync`; edit topics there.\n"
# System topics with an action of their own; the others go to action_system_reply.
SYSTEM_ACTIONS = {"help_menu": "action_show_menu", "change_language": "action_set_language",
                  "set_milestone": "action_set_milestone"}
ACTIONS = ["action_answer_topic", "action_system_reply", "action_show_menu",
           "action_set_language", "action_suggest_topics", "action_set_milestone"]
EXTRA_INTENTS = ["more_info"]
ENTITIES = ["topic", "group", "language", "destination"]


def render_domain(catalogue: Catalogue) -> str:
    domain = {
        "version": "3.1",
        "intents": list(catalogue.topics) + EXTRA_INTENTS,
        "entities": ENTITIES,
        "actions": ACTIONS,
        "session_config": {"session_expiration_time": 60, "carry_over_slots_to_new_session": True},
    }
    return HEADER + "\n" + yaml.safe_dump(domain, sort_keys=False, allow_unicode=True)


def render_rules(catalogue: Catalogue) -> str:
    rules = []
    for topic in catalogue.topics.values():
        if topic.kind == "answer":
            action = "action_answer_topic"
        else:
            action = SYSTEM_ACTIONS.get(topic.id, "action_system_reply")
        rules.append({"rule": f"{topic.kind} {topic.id}",
                      "steps": [{"intent": topic.id}, {"action": action}]})
    rules.append({"rule": "more of an answer",
                  "steps": [{"intent": "more_info"}, {"action": "action_answer_topic"}]})
    rules.append({"rule": "low confidence: suggest the closest topics",
                  "steps": [{"intent": "nlu_fallback"}, {"action": "action_suggest_topics"}]})
    return HEADER + "\n" + yaml.safe_dump({"version": "3.1", "rules": rules}, sort_keys=False)


def sync(catalogue: Catalogue, nlu_dir: Path) -> list[Path]:
    """Rewrite nlu/domain.yml and nlu/rules/rules.yml; return the files that changed."""
    changed = []
    for path, text in ((nlu_dir / "domain.yml", render_domain(catalogue)),
                       (nlu_dir / "rules" / "rules.yml", render_rules(catalogue))):
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def training_examples(folder: Path) -> tuple[dict[str, dict[str, list[str]]], list[Problem]]:
    """Examples per language file and intent: {'fr': {'greet': [...]}}, plus problems found."""
    found: dict[str, dict[str, list[str]]] = {}
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.yml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problems.append(Problem(str(path), mark.line + 1 if mark else 1, f"not valid YAML: {exc}"))
            continue
        per_intent: dict[str, list[str]] = {}
        for block in data.get("nlu") or []:
            if "intent" not in block:
                continue
            lines = [l[2:].strip() for l in str(block.get("examples", "")).splitlines() if l.startswith("- ")]
            per_intent.setdefault(str(block["intent"]), []).extend(lines)
        found[path.stem] = per_intent
    return found, problems


def check_nlu(catalogue: Catalogue, nlu_dir: Path) -> list[Problem]:
    """Every topic has training examples in every language file; no intent outside the catalogue."""
    problems: list[Problem] = []
    for path, text in ((nlu_dir / "domain.yml", render_domain(catalogue)),
                       (nlu_dir / "rules" / "rules.yml", render_rules(catalogue))):
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            problems.append(Problem(str(path), 1, "out of date with content/topics.yml; run 'orient nlu sync'"))
    train, found = training_examples(nlu_dir / "data")
    problems += found
    if not train:
        problems.append(Problem(str(nlu_dir / "data"), 1, "no training data files"))
    known = set(catalogue.topics)
    for language, per_intent in train.items():
        path = str(nlu_dir / "data" / f"{language}.yml")
        for topic in catalogue.topics:
            if len(per_intent.get(topic, [])) < 2:
                problems.append(Problem(path, 1, f"topic '{topic}' needs training examples in {language}"))
        for intent in per_intent:
            if intent not in known:
                problems.append(Problem(path, 1, f"intent '{intent}' is not a topic of content/topics.yml; "
                                        "add the topic or remove the examples"))
    problems += _check_lookups(nlu_dir / "lookups")
    test, found = training_examples(nlu_dir / "test")
    problems += found
    train_lines = {_key(l) for per in train.values() for lines in per.values() for l in lines}
    for language, per_intent in test.items():
        for intent, lines in per_intent.items():
            for line in lines:
                if _key(line) in train_lines:
                    problems.append(Problem(str(nlu_dir / "test" / f"{language}.yml"), 1,
                                            f"held-out example also in training data: {line!r}"))
    return problems


def _check_lookups(folder: Path) -> list[Problem]:
    """Lookup entries must be written as the normaliser makes messages, or they never match."""
    from orient_nlu.normalize import normalize

    problems = []
    for path in sorted(folder.glob("*.yml")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.startswith("    - ") and "](" not in line:
                entry = line[6:].strip()
                if normalize(entry) != entry:
                    problems.append(Problem(str(path), number, f"lookup entry '{entry}' never matches; "
                                            f"write it as '{normalize(entry)}'"))
    return problems


def _key(text: str) -> str:
    """Two examples the classifier cannot tell apart (after normalisation) are the same example."""
    from orient_nlu.normalize import normalize

    return normalize(text)


def dedupe(nlu_dir: Path) -> list[str]:
    """Drop training lines that repeat a held-out line or an earlier training line; say what went."""
    test, _ = training_examples(nlu_dir / "test")
    held_out = {_key(l) for per in test.values() for lines in per.values() for l in lines}
    seen: dict[str, str] = {}
    removed: list[str] = []
    for path in sorted((nlu_dir / "data").glob("*.yml")):
        kept, intent = [], ""
        for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
            if line.startswith("- intent:"):
                intent = line.split(":", 1)[1].strip()
            if line.startswith("    - "):
                key = _key(line[6:].strip())
                if key in held_out or key in seen:
                    why = "held out" if key in held_out else f"already under {seen[key]}"
                    removed.append(f"{path.name} {intent}: {line[6:].strip()!r} ({why})")
                    continue
                seen[key] = intent
            kept.append(line)
        path.write_text("".join(kept), encoding="utf-8")
    return removed
