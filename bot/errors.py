"""Orient's exceptions, in one place.

    OrientError
    ├── ConfigError          a setting is missing or invalid (told at start-up)
    ├── ContentError         content/ or nlu/ files are invalid (carries the problems)
    ├── NLUUnavailable       Rasa or the action server did not answer in time
    └── ServerStartError     a server we started did not become healthy
"""

from __future__ import annotations

from typing import Sequence


class OrientError(Exception):
    """Base of every error Orient raises on purpose."""


class ConfigError(OrientError):
    """A setting from the environment is missing or invalid."""


class ContentError(OrientError):
    """Content or training files are invalid; `problems` says where and how to fix them."""

    def __init__(self, problems: Sequence[object]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class NLUUnavailable(OrientError):
    """Rasa (or the action server behind it) is down, slow or answered with an error."""


class ServerStartError(OrientError):
    """A Rasa or action server process did not become healthy."""
