"""Reminder figures with 100,000 scheduled reminders: scheduler start-up time and memory,
time to send 1,000 due at once, and delay between due time and send at steady state.

Sends go through PTB (with its rate limiter) to the local Bot API stand-in of the
tests. Start-up is measured in a fresh process, next to the same process before
the scheduler starts (the baseline). Prints figures; asserts nothing.

    .venv/bin/python bench/reminders.py [--reminders 100000] [--steady-seconds 90]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import rss_mb  # noqa: E402

from sqlalchemy import insert, select, update  # noqa: E402

from bot.content import load_catalogue  # noqa: E402
from bot.db import Milestone, Reminder, User, UserStore, make_engine, upgrade, utcnow  # noqa: E402
from bot.i18n import Catalogs  # noqa: E402
from bot.milestones import MilestoneStore  # noqa: E402
from bot.reminder_sender import TICK_SECONDS, ReminderSender, start_scheduler  # noqa: E402
from bot.reminders import ReminderService, local_send_time  # noqa: E402
from bot.rendering import Renderer  # noqa: E402
from bot.settings import Secret, Settings  # noqa: E402
from tests.helpers.botapi import BotAPI  # noqa: E402

KINDS = ("visa_appointment", "departure", "language_exam")  # three reminders each



def parts(url: str) -> tuple[ReminderService, MilestoneStore]:
    settings = Settings.from_env()
    catalogue = load_catalogue(settings.content_dir / "topics.yml")
    store = MilestoneStore(settings.content_dir / "milestones.yml", catalogue)
    engine = make_engine(url)
    return ReminderService(engine, store.get, settings.timezone), store


def populate(url: str, count: int) -> None:
    """`count` pending reminders spread over the next year, for count/3 candidates."""
    engine = make_engine(url)
    upgrade(engine)
    now = utcnow()
    users = count // 3
    with engine.begin() as connection:
        connection.execute(insert(User.__table__), [
            {"chat_id": 10_000_000 + n, "language": ("ar", "fr", "en")[n % 3], "language_chosen": False,
             "consent": True, "created_at": now, "language_asked": False, "active": True} for n in range(users)])
        ids = [row[0] for row in connection.execute(select(User.id))]
        connection.execute(insert(Milestone.__table__), [
            {"user_id": uid, "kind": KINDS[n % 3], "day": (now + dt.timedelta(days=30 + n % 300)).date(),
             "done": False, "created_at": now} for n, uid in enumerate(ids)])
        rules = parts(url)[1].get()
        zone = ZoneInfo(Settings.from_env().timezone)
        rows = []
        for mid, kind, day in connection.execute(select(Milestone.id, Milestone.kind, Milestone.day)):
            for rule in rules.types[kind].reminders[:3]:
                rows.append({"milestone_id": mid, "rule_key": rule.key, "status": "pending",
                             "due_at": local_send_time(day, rule, zone)})
        for start in range(0, len(rows), 20_000):
            connection.execute(insert(Reminder.__table__), rows[start:start + 20_000])


def daytime_now() -> dt.datetime:
    """Now, moved to today's noon in Casablanca when the real clock is in quiet hours."""
    zone = ZoneInfo(Settings.from_env().timezone)
    local = utcnow().astimezone(zone)
    if 8 <= local.hour < 21:
        return utcnow()
    return dt.datetime.combine(local.date(), dt.time(12), tzinfo=zone).astimezone(dt.timezone.utc)


def startup_child(url: str) -> None:
    """Run in a fresh process: what the scheduler costs to start over the database."""
    baseline = rss_mb()
    began = time.perf_counter()
    service, store = parts(url)
    sender = ReminderSender(service, store, Renderer(Catalogs(ROOT / "locales")),
                            UserStore(make_engine(url)), send=None)  # type: ignore[arg-type]

    async def first_tick() -> None:
        scheduler = start_scheduler(sender)
        await sender.run_due(utcnow())  # the first tick: rules synced, due reminders claimed
        scheduler.shutdown(wait=False)

    asyncio.run(first_tick())
    print(json.dumps({"seconds": time.perf_counter() - began, "rss": rss_mb(), "baseline_rss": baseline}))


async def send_burst(url: str, count: int, api: BotAPI) -> float:
    """Make `count` reminders due now and time one run_due through PTB to the stand-in."""
    from bot.telegram_app import make_bot, send_message

    engine = make_engine(url)
    now = daytime_now()  # outside quiet hours, or every reminder would wait for 08:00
    with engine.begin() as connection:
        ids = [r[0] for r in connection.execute(select(Reminder.id).where(Reminder.status == "pending")
                                                .order_by(Reminder.id).limit(count))]
        connection.execute(update(Reminder).where(Reminder.id.in_(ids)).values(due_at=now - dt.timedelta(minutes=1)))
    service, store = parts(url)
    settings = Settings.from_env()
    bot = make_bot(Settings(root=settings.root, telegram_token=Secret("1:BENCH"), telegram_base_url=api.base_url))
    async with bot:
        sender = ReminderSender(service, store, Renderer(Catalogs(ROOT / "locales")), UserStore(engine),
                                lambda chat, message: send_message(bot, chat, message))
        store.get()
        sender._rules_version = store.version  # the moved due times stand: no resync against the rules
        began = time.perf_counter()
        lines = await sender.run_due(now)
        elapsed = time.perf_counter() - began
    sent = sum(line.startswith("sent") for line in lines)
    if sent != len(ids):
        print(f"only {sent} of {len(ids)} sent: {lines[:3]}")
    return elapsed


async def steady_state(url: str, api: BotAPI, seconds: int) -> list[float]:
    """Reminders falling due every second; the real scheduler sends them; delays in seconds."""
    from bot.telegram_app import make_bot, send_message

    engine = make_engine(url)
    shift = daytime_now() - utcnow()
    start = utcnow() + shift
    with engine.begin() as connection:
        ids = [r[0] for r in connection.execute(select(Reminder.id).where(Reminder.status == "pending")
                                                .order_by(Reminder.id.desc()).limit(seconds))]
        for offset, rid in enumerate(ids):
            connection.execute(update(Reminder).where(Reminder.id == rid)
                               .values(due_at=start + dt.timedelta(seconds=offset)))
    service, store = parts(url)
    settings = Settings.from_env()
    bot = make_bot(Settings(root=settings.root, telegram_token=Secret("1:BENCH"), telegram_base_url=api.base_url))
    async with bot:
        sender = ReminderSender(service, store, Renderer(Catalogs(ROOT / "locales")), UserStore(engine),
                                lambda chat, message: send_message(bot, chat, message),
                                clock=lambda: utcnow() + shift)
        store.get()
        sender._rules_version = store.version
        scheduler = start_scheduler(sender)
        await asyncio.sleep(seconds + TICK_SECONDS + 5)
        scheduler.shutdown(wait=False)
    with engine.connect() as connection:
        rows = connection.execute(select(Reminder.due_at, Reminder.sent_at).where(Reminder.id.in_(ids))).all()
    return [(sent - due).total_seconds() for due, sent in rows if sent is not None]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reminders", type=int, default=100_000)
    parser.add_argument("--steady-seconds", type=int, default=60)
    parser.add_argument("--startup-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.startup_child:
        startup_child(args.startup_child)
        return
    folder = tempfile.mkdtemp()
    url = f"sqlite:///{folder}/bench.db"
    began = time.perf_counter()
    populate(url, args.reminders)
    print(f"{args.reminders} reminders written in {time.perf_counter() - began:.1f} s (SQLite)")

    child = subprocess.run([sys.executable, __file__, "--startup-child", url], capture_output=True, text=True,
                           env={**os.environ, "ORIENT_ROOT": str(ROOT)}, check=True)
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    print(f"scheduler start-up (rules synced over all reminders, first tick): {figures['seconds']:.2f} s")
    print(f"resident memory: {figures['rss']:.0f} MB after start-up, {figures['baseline_rss']:.0f} MB for the "
          f"same process with the app imported, before the scheduler (baseline)")

    api = BotAPI().start()
    try:
        seconds = asyncio.run(send_burst(url, 1000, api))
        print(f"1,000 reminders due at once: all sent in {seconds:.1f} s "
              f"({1000 / seconds:.0f}/s; PTB's rate limiter allows 30/s overall)")
        delays = asyncio.run(steady_state(url, api, args.steady_seconds))
        if delays:
            print(f"steady state, one reminder due per second for {args.steady_seconds} s, tick every "
                  f"{TICK_SECONDS} s: delay median {statistics.median(delays):.1f} s, max {max(delays):.1f} s "
                  f"({len(delays)} sent)")
    finally:
        api.stop()


if __name__ == "__main__":
    main()
