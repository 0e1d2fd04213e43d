"""Broadcasting an alert to every subscriber once, in their language, within Telegram's limits.

    create ──> deliveries (one row per recipient, status pending) ──> workers:
      claim a batch (FOR UPDATE SKIP LOCKED on PostgreSQL) ──> per recipient:
        still subscribed? ── no ──> opted_out
        record the attempt ('sending') ──> send at the configured rate ──> sent | blocked | failed
      429: everyone waits retry_after; network errors: retried with backoff, then failed

Two workers on one broadcast never take the same row; a killed worker's claimed
rows go back to pending on `resume`, and a row caught in 'sending' is marked
'unknown' rather than sent again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Awaitable, Callable

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from bot.alerts import AlertSpec, audience_query
from bot.db import AuditEntry, Broadcast, Delivery, User, utcnow

log = logging.getLogger(__name__)
SendAlert = Callable[[int, str, AlertSpec], Awaitable[str]]  # (chat, language, spec) -> outcome
# A live worker finishes a claimed batch well within this; `resume` only takes older claims.
RELEASE_AFTER = dt.timedelta(seconds=float(os.environ.get("ORIENT_BROADCAST_LEASE_SECONDS", "30")))
FINAL = ("sent", "blocked", "opted_out", "failed", "unknown")
SLICES_IN_FLIGHT = 8
# Requests handed to the HTTP client at once, and the size of its connection pool. More only
# queue inside httpcore, whose pool re-scans every queued request and idle connection on each
# event: at 64 it spent most of the CPU there (bench/broadcast.py; NOTES.md, issue 6).
REQUESTS_IN_FLIGHT = int(os.environ.get("ORIENT_BROADCAST_CONNECTIONS", "8"))


async def _opted_out() -> str:
    return "opted_out"


class RateLimiter:
    """At most `rate` sends per second overall (a token bucket of one second)."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self._next = time.monotonic()
        self._lock = asyncio.Lock()
        self._paused_until = 0.0

    async def wait(self) -> None:
        async with self._lock:
            now = time.monotonic()
            start = max(now, self._next, self._paused_until)
            self._next = start + self.interval
        await asyncio.sleep(max(0.0, start - now))

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nobody sends until retry_after has passed."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)


@dataclass
class Report:
    broadcast_id: int
    counts: dict[str, int]
    seconds: float

    def line(self) -> str:
        parts = ", ".join(f"{k} {self.counts.get(k, 0)}" for k in ("sent", "failed", "blocked", "opted_out",
                                                                    "unknown", "pending"))
        return f"broadcast {self.broadcast_id}: {parts}; {self.seconds:.1f} s"


class BroadcastService:
    def __init__(self, engine: Engine, default_language: str = "ar") -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.default_language = default_language
        self.postgres = engine.dialect.name == "postgresql"

    # --- preparing ----------------------------------------------------------

    def recipients_by_language(self, spec: AlertSpec) -> dict[str, int]:
        query = audience_query(spec.audience, self.default_language).subquery()
        with self._sessions() as session:
            rows = session.execute(select(query.c[2], func.count()).group_by(query.c[2])).all()
        return {str(language): int(count) for language, count in rows}

    def create(self, spec: AlertSpec, actor: str, now: dt.datetime | None = None) -> int:
        """Record the broadcast; recipients are fixed now, or when a scheduled one falls due."""
        now = now or utcnow()
        send_at = dt.datetime.fromisoformat(spec.send_at) if spec.send_at else None
        scheduled = send_at is not None and send_at > now
        with self._sessions.begin() as session:
            broadcast = Broadcast(name=spec.id, spec=spec.to_json(), status="scheduled" if scheduled else "sending",
                                  created_by=actor, created_at=now, send_at=send_at)
            session.add(broadcast)
            session.flush()
            count = 0 if scheduled else self._materialise(session, broadcast.id, spec)
            session.add(AuditEntry(actor=actor, action="schedule" if scheduled else "send",
                                   broadcast_id=broadcast.id, detail=f"{spec.id}: {count} recipients", at=now))
            return broadcast.id

    def _materialise(self, session, broadcast_id: int, spec: AlertSpec) -> int:  # type: ignore[no-untyped-def]
        audience = audience_query(spec.audience, self.default_language).subquery()
        result = session.execute(insert(Delivery).from_select(
            ["broadcast_id", "user_id", "chat_id", "language"],
            select(broadcast_id, audience.c[0], audience.c[1], audience.c[2])))
        return int(result.rowcount or 0)

    def start_due(self, now: dt.datetime) -> list[int]:
        """Scheduled broadcasts whose time has come: fix their recipients and mark them sending."""
        started = []
        with self._sessions.begin() as session:
            for broadcast in session.scalars(select(Broadcast).where(Broadcast.status == "scheduled",
                                                                     Broadcast.send_at <= now)):
                count = self._materialise(session, broadcast.id, AlertSpec.from_json(broadcast.spec))
                broadcast.status = "sending"
                session.add(AuditEntry(actor="scheduler", action="send", broadcast_id=broadcast.id,
                                       detail=f"{broadcast.name}: {count} recipients", at=now))
                started.append(broadcast.id)
        return started

    # --- delivering ---------------------------------------------------------

    async def run(self, broadcast_id: int, send: SendAlert, rate: float,
                  progress: Callable[[int], None] | None = None, batch: int | None = None) -> Report:
        """Deliver until no pending recipient is left (another worker may run alongside)."""
        began = time.monotonic()
        with self._sessions() as session:
            broadcast = session.get(Broadcast, broadcast_id)
            if broadcast is None:
                raise LookupError(f"no broadcast {broadcast_id}")
            spec = AlertSpec.from_json(broadcast.spec)
        self._mark(broadcast_id, started=True)
        limiter = RateLimiter(rate)
        in_flight = asyncio.Semaphore(REQUESTS_IN_FLIGHT)
        worker = uuid.uuid4().hex[:12]
        size = batch or max(10, int(rate))
        while True:
            claimed = await asyncio.to_thread(self._claim, broadcast_id, worker, size)
            if not claimed:
                break
            # Slices of a tenth of a second each: one transaction checks who still wants the alert
            # and records the attempts, then the slice is sent and its results recorded. Slices
            # overlap (the rate limiter keeps the pace), so database work never stalls sending.
            step = max(1, int(rate / 10))
            gate = asyncio.Semaphore(SLICES_IN_FLIGHT)

            async def slice_of(chunk: list[tuple[int, int, str]]) -> None:
                async with gate:
                    wanted = await asyncio.to_thread(self._still_wanted, chunk)
                    outcomes = await asyncio.gather(*(self._deliver(d, spec, send, limiter, in_flight) if d[0] in wanted
                                                      else _opted_out() for d in chunk))
                    await asyncio.to_thread(self._record, list(zip((d[0] for d in chunk), outcomes)))
                    if progress:
                        progress(len(chunk))

            await asyncio.gather(*(slice_of(claimed[i:i + step]) for i in range(0, len(claimed), step)))
        counts = self.counts(broadcast_id)
        if not counts.get("pending") and not counts.get("claimed") and not counts.get("sending"):
            self._mark(broadcast_id, finished=True)
        return Report(broadcast_id, counts, time.monotonic() - began)

    def _claim(self, broadcast_id: int, worker: str, size: int) -> list[tuple[int, int, str]]:
        """Take up to `size` pending rows for this worker; rows locked by another worker are skipped."""
        now = utcnow()
        with self._sessions.begin() as session:
            pick = (select(Delivery.id).where(Delivery.broadcast_id == broadcast_id, Delivery.status == "pending")
                    .order_by(Delivery.id).limit(size))
            if self.postgres:
                pick = pick.with_for_update(skip_locked=True)
            ids = list(session.scalars(pick))
            if not ids:
                return []
            session.execute(update(Delivery).where(Delivery.id.in_(ids), Delivery.status == "pending")
                            .values(status="claimed", worker=worker, claimed_at=now))
            rows = session.execute(select(Delivery.id, Delivery.chat_id, Delivery.language)
                                   .where(Delivery.id.in_(ids), Delivery.worker == worker,
                                          Delivery.status == "claimed")).all()
            return [(int(r[0]), int(r[1]), str(r[2])) for r in rows]

    async def _deliver(self, delivery: tuple[int, int, str], spec: AlertSpec, send: SendAlert,
                       limiter: RateLimiter, in_flight: asyncio.Semaphore) -> str:
        _delivery_id, chat_id, language = delivery
        for attempt in range(1, 4):
            async with in_flight:
                await limiter.wait()
                outcome = await send(chat_id, language, spec)
            if outcome.startswith("retry_after:"):
                limiter.pause(float(outcome.split(":", 1)[1]))
                continue
            if outcome == "failed" and attempt < 3:
                await asyncio.sleep(0.5 * 2 ** (attempt - 1))
                continue
            return outcome
        return "failed"

    def _still_wanted(self, chunk: list[tuple[int, int, str]]) -> set[int]:
        """Opting out counts until a tenth of a second before sending; the attempt is recorded first."""
        chats = [chat for _id, chat, _lang in chunk]
        with self._sessions.begin() as session:
            willing = set(session.scalars(select(User.chat_id).where(
                User.chat_id.in_(chats), User.alerts.is_(True), User.active.is_(True))))
            ids = [delivery_id for delivery_id, chat, _lang in chunk if chat in willing]
            if ids:
                session.execute(update(Delivery).where(Delivery.id.in_(ids))
                                .values(status="sending", attempts=Delivery.attempts + 1))
            return set(ids)

    def _record(self, outcomes: list[tuple[int, str]]) -> None:
        now = utcnow()
        by_outcome: dict[str, list[int]] = {}
        for delivery_id, outcome in outcomes:
            by_outcome.setdefault(outcome, []).append(delivery_id)
        with self._sessions.begin() as session:
            for outcome, ids in by_outcome.items():  # one statement per outcome, not per row
                session.execute(update(Delivery).where(Delivery.id.in_(ids))
                                .values(status=outcome, sent_at=now if outcome == "sent" else None))
            blocked = [d for d, o in outcomes if o == "blocked"]
            if blocked:
                chats = select(Delivery.chat_id).where(Delivery.id.in_(blocked))
                session.execute(update(User).where(User.chat_id.in_(chats)).values(active=False))

    def resume(self, broadcast_id: int, now: dt.datetime | None = None) -> tuple[int, int]:
        """After a kill: claimed-but-untried rows go back to pending; rows caught mid-send become
        'unknown' (never sent twice). Returns (released, unknown)."""
        now = now or utcnow()
        with self._sessions.begin() as session:
            stale = Delivery.claimed_at <= now - RELEASE_AFTER
            released = session.execute(update(Delivery).where(Delivery.broadcast_id == broadcast_id,
                                                              Delivery.status == "claimed", stale)
                                       .values(status="pending", worker=None)).rowcount
            unknown = session.execute(update(Delivery).where(Delivery.broadcast_id == broadcast_id,
                                                             Delivery.status == "sending", stale)
                                      .values(status="unknown")).rowcount
            session.add(AuditEntry(actor="staff", action="resume", broadcast_id=broadcast_id,
                                   detail=f"released {released}, unknown {unknown}", at=now))
            return int(released or 0), int(unknown or 0)

    def counts(self, broadcast_id: int) -> dict[str, int]:
        with self._sessions() as session:
            rows = session.execute(select(Delivery.status, func.count()).where(Delivery.broadcast_id == broadcast_id)
                                   .group_by(Delivery.status)).all()
        return Counter({str(status): int(count) for status, count in rows})

    def listing(self) -> list[tuple[int, str, str, str, dt.datetime, dict[str, int]]]:
        with self._sessions() as session:
            rows = session.execute(select(Broadcast.id, Broadcast.name, Broadcast.status, Broadcast.created_by,
                                          Broadcast.created_at).order_by(Broadcast.id)).all()
        return [(r[0], r[1], r[2], r[3], r[4], self.counts(r[0])) for r in rows]

    def audit(self, actor: str, action: str, detail: str, broadcast_id: int | None = None) -> None:
        with self._sessions.begin() as session:
            session.add(AuditEntry(actor=actor, action=action, broadcast_id=broadcast_id, detail=detail[:400]))

    def _mark(self, broadcast_id: int, started: bool = False, finished: bool = False) -> None:
        with self._sessions.begin() as session:
            broadcast = session.get(Broadcast, broadcast_id)
            if broadcast is None:
                return
            if started and broadcast.started_at is None:
                broadcast.started_at = utcnow()
            if finished:
                broadcast.status, broadcast.finished_at = "done", utcnow()
