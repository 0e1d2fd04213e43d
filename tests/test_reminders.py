"""When reminders are due and that each goes out once: a controlled clock, a real database."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine

from bot.db import UserStore
from bot.milestones import MilestoneRules, MilestoneType, ReminderRule
from bot.reminders import ReminderService, local_send_time, next_allowed

pytestmark = pytest.mark.db
CASABLANCA = ZoneInfo("Africa/Casablanca")
UTC = dt.timezone.utc
TEXT = {"ar": "ar", "fr": "fr", "en": "en"}


def rules(hour: int = 10, days: tuple[int, ...] = (-14, -2, 1)) -> MilestoneRules:
    reminders = tuple(ReminderRule(f"r{d}", d, hour, TEXT) for d in days)
    return MilestoneRules({"visa_appointment": MilestoneType("visa_appointment", TEXT, ("visa",), reminders)})


def service(engine: Engine, current: list[MilestoneRules]) -> ReminderService:
    return ReminderService(engine, lambda: current[0], "Africa/Casablanca", dt.timedelta(hours=6))


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def test_send_time_is_local_and_follows_moroccos_ramadan_clock() -> None:
    rule = ReminderRule("r", 0, 10, TEXT)
    assert local_send_time(dt.date(2027, 1, 15), rule, CASABLANCA) == at("2027-01-15T09:00:00+00:00")  # UTC+1
    assert local_send_time(dt.date(2027, 2, 20), rule, CASABLANCA) == at("2027-02-20T10:00:00+00:00")  # Ramadan, UTC+0


def test_quiet_hours_move_a_moment_to_eight_in_the_morning() -> None:
    assert next_allowed(at("2027-01-15T21:30:00+01:00"), CASABLANCA) == at("2027-01-16T08:00:00+01:00")
    assert next_allowed(at("2027-01-16T06:00:00+01:00"), CASABLANCA) == at("2027-01-16T08:00:00+01:00")
    assert next_allowed(at("2027-01-16T12:00:00+01:00"), CASABLANCA) == at("2027-01-16T12:00:00+01:00")


def test_each_reminder_is_claimed_once_even_when_run_twice(engine: Engine) -> None:
    reminders = service(engine, [rules()])
    dues = reminders.save_milestone(42, "visa_appointment", dt.date(2027, 3, 12), at("2027-01-01T12:00:00+00:00"))
    assert len(dues) == 3
    first = reminders.claim_due(dues[0] + dt.timedelta(minutes=1))
    assert [r.rule_key for r in first] == ["r-14"]
    assert reminders.claim_due(dues[0] + dt.timedelta(minutes=2)) == []  # claimed, never again
    reminders.mark_sent(first[0].id, dues[0])
    assert reminders.claim_due(dues[0] + dt.timedelta(minutes=3)) == []


def test_after_downtime_recent_misses_go_out_late_and_old_ones_are_skipped(engine: Engine) -> None:
    reminders = service(engine, [rules()])
    dues = reminders.save_milestone(43, "visa_appointment", dt.date(2027, 3, 12), at("2027-01-01T12:00:00+00:00"))
    late = reminders.claim_due(dues[1] + dt.timedelta(hours=2))  # r-14 is days old, r-2 two hours late
    assert [r.rule_key for r in late] == ["r-2"]
    statuses = {row[3]: (row[5], row[6]) for row in reminders.listing(43)}
    assert statuses["r-14"] == ("skipped", "missed")


def test_a_late_reminder_waits_for_the_morning_rather_than_the_night(engine: Engine) -> None:
    reminders = service(engine, [rules(hour=20)])
    dues = reminders.save_milestone(44, "visa_appointment", dt.date(2027, 1, 20), at("2027-01-01T12:00:00+00:00"))
    night = dues[0] + dt.timedelta(hours=2)  # 22:00 local, within the grace period
    assert reminders.claim_due(night) == []
    [row] = [r for r in reminders.listing(44) if r[3] == "r-14"]
    assert row[4].replace(tzinfo=UTC).astimezone(CASABLANCA).hour == 8
    assert [r.rule_key for r in reminders.claim_due(at("2027-01-07T08:01:00+01:00"))] == ["r-14"]


def test_done_blocked_or_deleted_users_get_nothing(engine: Engine) -> None:
    reminders = service(engine, [rules()])
    users = UserStore(engine)
    start = at("2027-01-01T12:00:00+00:00")
    reminders.save_milestone(45, "visa_appointment", dt.date(2027, 3, 12), start)
    reminders.save_milestone(46, "visa_appointment", dt.date(2027, 3, 12), start)
    reminders.save_milestone(47, "visa_appointment", dt.date(2027, 3, 12), start)
    [item] = reminders.overview(45)
    reminders.finish(45, item.milestone_id, remove=False)
    users.set_active(46, False)
    users.delete(47)
    assert reminders.claim_due(at("2027-03-13T12:00:00+00:00")) == []
    assert reminders.listing(47) == []


def test_changing_a_rule_moves_pending_reminders(engine: Engine) -> None:
    current = [rules(hour=10)]
    reminders = service(engine, current)
    reminders.save_milestone(48, "visa_appointment", dt.date(2027, 3, 12), at("2027-01-01T12:00:00+00:00"))
    current[0] = rules(hour=15, days=(-14, -7, 1))
    assert reminders.sync_rules(at("2027-01-02T12:00:00+00:00")) > 0
    due = {row[3]: row[4].replace(tzinfo=UTC) for row in reminders.listing(48)}
    assert set(due) == {"r-14", "r-7", "r1"}
    assert due["r-7"].astimezone(CASABLANCA).hour == 15
