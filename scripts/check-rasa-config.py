"""Refuse a config.yml option that its Rasa component does not know.

Rasa ignores unknown options silently: `ngram_range: [1, 2]` on CountVectorsFeaturizer
(which reads `min_ngram`/`max_ngram`) left our model on single words for two sessions.
Run with the Rasa environment's Python, from the project root, before training.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe

# Keys Rasa reads besides each component's defaults: the step's name, and on policies the
# state featurizer (rasa/core/policies/policy.py).
COMMON = {"name"}
POLICY_EXTRA = {"featurizer"}
TOP_LEVEL = {"recipe", "language", "assistant_id", "pipeline", "policies", "spaces"}


def unknown_options(config_path: Path) -> list[str]:
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    problems = [f"{config_path}: unknown top-level key {key!r}; Rasa reads: {', '.join(sorted(TOP_LEVEL))}"
                for key in sorted(set(config) - TOP_LEVEL)]
    for section in ("pipeline", "policies"):
        for position, step in enumerate(config.get(section) or [], start=1):
            if "name" not in step:
                problems.append(f"{config_path}: {section} step {position} has no name")
                continue
            try:
                component = DefaultV1Recipe._from_registry(step["name"]).clazz
            except Exception as error:  # Rasa raises its own errors for unknown or broken components
                problems.append(f"{config_path}: {section} step {position}: cannot load {step['name']!r}: {error}")
                continue
            known = set(component.get_default_config()) | COMMON | (POLICY_EXTRA if section == "policies" else set())
            for option in sorted(set(step) - known):
                problems.append(f"{config_path}: {section} step {position} ({step['name']}) has no option "
                                f"{option!r}; it knows: {', '.join(sorted(known - COMMON))}")
    return problems


if __name__ == "__main__":
    found = unknown_options(Path(sys.argv[1] if len(sys.argv) > 1 else "config.yml"))
    print("\n".join(found) or "config.yml: every option is known to its component.")
    sys.exit(1 if found else 0)
