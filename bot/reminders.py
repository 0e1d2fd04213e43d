"""Milestones and reminders: when each reminder is due, and sending each one at most once.

    save_milestone ──> reminders rows (due_at in UTC, status pending)
    every tick:  claim_due(now) ──> pending & due ──┬─ due long ago (> grace) ─> skipped "missed"
                                                    ├─ now is quiet (21-08) ──> postponed to 08:00
                                                    └─ status "sending" (attempt recorded) ──> send ──> "sent"

Recording the attempt before sending makes a crash between the two harmless:
that reminder is never sent a second time. Times are stored in UTC and turned
into the candidate's local time with the tz database (Morocco's Ramadan clock
changes included).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.db import Milestone, Reminder, User, user_row
from bot.milestones import QUIET_END, QUIET_START, MilestoneRules, ReminderRule

log = logging.getLogger(__name__)
UTC = dt.timezone.utc


def local_send_time(day: dt.date, rule: ReminderRule, zone: ZoneInfo) -> dt.datetime:
    """When a rule's reminder goes out, in UTC: `days` from the milestone at `hour` local, never in quiet hours."""
    target = day + dt.timedelta(days=rule.days)
    hour = min(max(rule.hour, QUIET_END), QUIET_START - 1)
    return dt.datetime.combine(target, dt.time(hour), tzinfo=zone).astimezone(UTC)


def next_allowed(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """`moment` if it is outside quiet hours locally, else the next 08:00 local (in UTC)."""
    local = moment.astimezone(zone)
    if QUIET_END <= local.hour < QUIET_START:
        return moment
    day = local.date() if local.hour < QUIET_END else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(QUIET_END), tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class DueReminder:
    """A claimed reminder, with what is needed to send it."""

    id: int
    chat_id: int
    language: str
    kind: str
    day: dt.date
    rule_key: str


@dataclass(frozen=True)
class Overview:
    milestone_id: int
    kind: str
    day: dt.date
    done: bool
    upcoming: list[tuple[str, dt.datetime]]  # (rule key, due at UTC)


class ReminderService:
    """The persistent schedule: milestones and reminders in the database."""

    def __init__(self, engine: Engine, rules: Callable[[], MilestoneRules], default_timezone: str,
                 grace: dt.timedelta = dt.timedelta(hours=6), default_language: str = "ar") -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.rules = rules
        self.default_timezone = default_timezone
        self.grace = grace
        self.default_language = default_language

    def zone(self, user: User | None) -> ZoneInfo:
        return ZoneInfo((user.timezone if user else None) or self.default_timezone)

    def today(self, chat_id: int, now: dt.datetime) -> dt.date:
        with self._sessions() as session:
            user = session.scalar(select(User).where(User.chat_id == chat_id))
            return now.astimezone(self.zone(user)).date()

    # --- candidates ---------------------------------------------------------

    def save_milestone(self, chat_id: int, kind: str, day: dt.date, now: dt.datetime) -> list[dt.datetime]:
        """Set (or move) a milestone and schedule its future reminders; their due times in UTC."""
        now = _utc(now)
        with self._sessions.begin() as session:
            user = user_row(session, chat_id)
            milestone = session.scalar(select(Milestone).where(Milestone.user_id == user.id,
                                                               Milestone.kind == kind))
            if milestone is None:
                milestone = Milestone(user_id=user.id, kind=kind, day=day)
                session.add(milestone)
                session.flush()
            milestone.day, milestone.done = day, False
            session.execute(delete(Reminder).where(Reminder.milestone_id == milestone.id,
                                                   Reminder.status == "pending"))
            return self._schedule(session, milestone, self.zone(user), now)

    def _schedule(self, session: Session, milestone: Milestone, zone: ZoneInfo,
                  now: dt.datetime) -> list[dt.datetime]:
        milestone_type = self.rules().types.get(milestone.kind)
        if milestone_type is None:
            return []
        done = set(session.scalars(select(Reminder.rule_key).where(Reminder.milestone_id == milestone.id)))
        due_times = []
        for rule in milestone_type.reminders:
            due = local_send_time(milestone.day, rule, zone)
            if rule.key in done or due <= now:
                continue  # already sent (or being sent), or its moment has passed
            session.add(Reminder(milestone_id=milestone.id, rule_key=rule.key, due_at=due))
            due_times.append(due)
        return sorted(due_times)

    def finish(self, chat_id: int, milestone_id: int, remove: bool) -> bool:
        """Mark a milestone done (its remaining reminders stop) or remove it altogether."""
        with self._sessions.begin() as session:
            milestone = self._owned(session, chat_id, milestone_id)
            if milestone is None:
                return False
            if remove:
                session.delete(milestone)
            else:
                milestone.done = True
                session.execute(update(Reminder).where(Reminder.milestone_id == milestone.id,
                                                       Reminder.status == "pending")
                                .values(status="skipped", note="done"))
            return True

    def kind_of(self, chat_id: int, milestone_id: int) -> str | None:
        with self._sessions() as session:
            milestone = self._owned(session, chat_id, milestone_id)
            return milestone.kind if milestone else None

    def overview(self, chat_id: int) -> list[Overview]:
        with self._sessions() as session:
            user = session.scalar(select(User).where(User.chat_id == chat_id))
            if user is None:
                return []
            out = []
            for milestone in session.scalars(select(Milestone).where(Milestone.user_id == user.id)
                                             .order_by(Milestone.day)):
                upcoming = [(r.rule_key, r.due_at) for r in session.scalars(
                    select(Reminder).where(Reminder.milestone_id == milestone.id, Reminder.status == "pending")
                    .order_by(Reminder.due_at))]
                out.append(Overview(milestone.id, milestone.kind, milestone.day, milestone.done, upcoming))
            return out

    def _owned(self, session: Session, chat_id: int, milestone_id: int) -> Milestone | None:
        return session.scalar(select(Milestone).join(User, User.id == Milestone.user_id)
                              .where(Milestone.id == milestone_id, User.chat_id == chat_id))

    # --- staff and scheduler ------------------------------------------------

    def sync_rules(self, now: dt.datetime) -> int:
        """Make pending reminders follow the current rules (after staff edited milestones.yml).

        Streams rows without building ORM objects, so 100,000 reminders sync in seconds
        and little memory; only reminders whose time changed are written.
        """
        now = _utc(now)
        rules = self.rules()
        changed = 0
        with self._sessions.begin() as session:
            existing: set[tuple[int, str]] = set()
            moved: list[dict[str, object]] = []
            gone: list[int] = []
            rows = session.execute(
                select(Reminder.id, Reminder.milestone_id, Reminder.rule_key, Reminder.due_at, Reminder.status,
                       Milestone.kind, Milestone.day, User.timezone)
                .join(Milestone, Milestone.id == Reminder.milestone_id)
                .join(User, User.id == Milestone.user_id)
                .execution_options(yield_per=5000))
            zones: dict[str | None, ZoneInfo] = {}
            for rid, milestone_id, key, due_at, status, kind, day, timezone in rows:
                existing.add((milestone_id, key))
                if status != "pending":
                    continue
                milestone_type = rules.types.get(kind)
                rule = milestone_type.rule(key) if milestone_type else None
                if rule is None:
                    gone.append(rid)
                    continue
                zone = zones.get(timezone) or zones.setdefault(timezone, ZoneInfo(timezone or self.default_timezone))
                due = local_send_time(day, rule, zone)
                if _utc(due_at) != due:
                    moved.append({"rid": rid, "due": due})
            if gone:
                session.execute(delete(Reminder).where(Reminder.id.in_(gone)))
            if moved:
                table = Reminder.__table__
                session.execute(update(table).where(table.c.id == bindparam("rid"))
                                .values(due_at=bindparam("due")), moved)
            changed = len(gone) + len(moved)
            added: list[dict[str, object]] = []
            for milestone_id, kind, day, timezone in session.execute(
                    select(Milestone.id, Milestone.kind, Milestone.day, User.timezone)
                    .join(User, User.id == Milestone.user_id).where(Milestone.done.is_(False))):
                milestone_type = rules.types.get(kind)
                for rule in milestone_type.reminders if milestone_type else ():
                    if (milestone_id, rule.key) in existing:
                        continue
                    zone = zones.get(timezone) or zones.setdefault(timezone, ZoneInfo(timezone or self.default_timezone))
                    due = local_send_time(day, rule, zone)
                    if due > now:
                        added.append({"milestone_id": milestone_id, "rule_key": rule.key, "due_at": due,
                                      "status": "pending"})
            if added:
                session.execute(insert(Reminder.__table__), added)
            return changed + len(added)

    def claim_due(self, now: dt.datetime, limit: int = 5000) -> list[DueReminder]:
        """Claim every reminder due at `now`: skip the long-missed, postpone quiet hours, record attempts."""
        now = _utc(now)
        claimed = []
        with self._sessions.begin() as session:
            rows = session.execute(
                select(Reminder, Milestone, User).join(Milestone, Milestone.id == Reminder.milestone_id)
                .join(User, User.id == Milestone.user_id)
                .where(Reminder.status == "pending", Reminder.due_at <= now)
                .order_by(Reminder.due_at).limit(limit)).all()
            for reminder, milestone, user in rows:
                note = self._skip_reason(reminder, milestone, user, now)
                if note is not None:
                    if self._take(session, reminder.id, "skipped", note, now):
                        log.info("reminder %s skipped: %s", reminder.id, note)
                    continue
                allowed = next_allowed(now, self.zone(user))
                if allowed > now:
                    session.execute(update(Reminder).where(Reminder.id == reminder.id,
                                                           Reminder.status == "pending")
                                    .values(due_at=allowed))
                    continue
                if self._take(session, reminder.id, "sending", None, now):
                    claimed.append(DueReminder(reminder.id, user.chat_id, user.language or self.default_language,
                                               milestone.kind, milestone.day, reminder.rule_key))
        return claimed

    def _skip_reason(self, reminder: Reminder, milestone: Milestone, user: User, now: dt.datetime) -> str | None:
        if not user.active:
            return "blocked"
        if milestone.done:
            return "done"
        if now - _utc(reminder.due_at) > self.grace:
            return "missed"
        return None

    def _take(self, session: Session, reminder_id: int, status: str, note: str | None, now: dt.datetime) -> bool:
        """Move a pending reminder on, only if nobody else did: safe with two workers."""
        result = session.execute(update(Reminder).where(Reminder.id == reminder_id, Reminder.status == "pending")
                                 .values(status=status, note=note, attempt_at=now))
        return bool(result.rowcount)

    def mark_sent(self, reminder_id: int, now: dt.datetime) -> None:
        with self._sessions.begin() as session:
            session.execute(update(Reminder).where(Reminder.id == reminder_id)
                            .values(status="sent", sent_at=now))

    def mark_failed(self, reminder_id: int, note: str) -> None:
        with self._sessions.begin() as session:
            session.execute(update(Reminder).where(Reminder.id == reminder_id)
                            .values(status="skipped", note=note))

    def listing(self, chat_id: int | None = None) -> list[tuple[int, str, dt.date, str, dt.datetime, str, str | None]]:
        """(chat, milestone, date, rule, due, status, note) for staff."""
        with self._sessions() as session:
            query = (select(User.chat_id, Milestone.kind, Milestone.day, Reminder.rule_key, Reminder.due_at,
                            Reminder.status, Reminder.note)
                     .join(Milestone, Milestone.id == Reminder.milestone_id)
                     .join(User, User.id == Milestone.user_id).order_by(Reminder.due_at))
            if chat_id is not None:
                query = query.where(User.chat_id == chat_id)
            return [tuple(row) for row in session.execute(query)]  # type: ignore[misc]


def _utc(moment: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes; ours are always UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
