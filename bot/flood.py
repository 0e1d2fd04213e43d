"""Per-user flood control: one person sending dozens of messages must not slow everyone else."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from enum import Enum
from typing import Callable


class Verdict(Enum):
    ALLOW = "allow"
    WARN = "warn"  # first message over the limit: tell the user, politely, once
    DROP = "drop"  # further messages in the same burst: ignore quietly


@dataclass
class FloodGuard:
    """At most `limit` messages per `window` seconds per chat (a sliding window)."""

    limit: int = 20
    window: float = 10.0
    clock: Callable[[], float] = time.monotonic
    _seen: dict[int, deque[float]] = field(default_factory=dict)
    _warned: set[int] = field(default_factory=set)

    def check(self, chat_id: int) -> Verdict:
        now = self.clock()
        times = self._seen.setdefault(chat_id, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            self._warned.discard(chat_id)
            return Verdict.ALLOW
        if chat_id in self._warned:
            return Verdict.DROP
        self._warned.add(chat_id)
        return Verdict.WARN

    def forget_idle(self) -> None:
        """Drop chats with no recent message, so memory follows active users only."""
        now = self.clock()
        for chat_id in [c for c, t in self._seen.items() if not t or now - t[-1] > self.window]:
            del self._seen[chat_id]
            self._warned.discard(chat_id)
