"""Sending due reminders: from the scheduler every few seconds, or from `orient reminders run-due`."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.db import UserStore, utcnow
from bot.milestones import MilestoneStore
from bot.rendering import Message, Renderer
from bot.reminders import DueReminder, ReminderService

log = logging.getLogger(__name__)
Send = Callable[[int, Message], Awaitable[str]]  # -> "sent", "blocked" or "failed"
TICK_SECONDS = 20  # how often due reminders are looked for: sends within 20 s of their time
PARALLEL_SENDS = 30  # Telegram's rate limiter paces them; this only bounds what waits in line


class ReminderSender:
    def __init__(self, service: ReminderService, store: MilestoneStore, renderer: Renderer,
                 users: UserStore, send: Send, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.clock = clock
        self.service = service
        self.store = store
        self.renderer = renderer
        self.users = users
        self.send = send
        self._rules_version = -1

    async def run_due(self, now: dt.datetime | None = None) -> list[str]:
        """Send every reminder due at `now` and not sent yet; one line per reminder handled."""
        now = now or self.clock()
        self.sync_rules(now)
        due = await asyncio.to_thread(self.service.claim_due, now)
        gate = asyncio.Semaphore(PARALLEL_SENDS)

        async def one(reminder: DueReminder) -> str:
            async with gate:
                return await self._deliver(reminder, now)

        return list(await asyncio.gather(*(one(r) for r in due)))

    def sync_rules(self, now: dt.datetime) -> None:
        """Pending reminders follow content/milestones.yml whenever staff change it."""
        self.store.get()
        if self.store.version != self._rules_version:
            self._rules_version = self.store.version
            changed = self.service.sync_rules(now)
            if changed:
                log.info("reminder rules changed: %s pending reminders rescheduled", changed)

    async def _deliver(self, reminder: DueReminder, now: dt.datetime) -> str:
        milestone = self.store.get().types.get(reminder.kind)
        rule = milestone.rule(reminder.rule_key) if milestone else None
        if milestone is None or rule is None:
            self.service.mark_failed(reminder.id, "removed")
            return f"skipped {reminder.id}: rule {reminder.kind}/{reminder.rule_key} no longer exists"
        language = reminder.language
        message = self.renderer.reminder(language, milestone.label[language], reminder.day,
                                         rule.text[language], after=rule.days > 0)
        outcome = await self.send(reminder.chat_id, message)
        if outcome == "sent":
            await asyncio.to_thread(self.service.mark_sent, reminder.id, now)
        else:
            await asyncio.to_thread(self.service.mark_failed, reminder.id, outcome)
            if outcome == "blocked":
                self.users.set_active(reminder.chat_id, False)
        return f"{outcome} {reminder.id}: chat {reminder.chat_id} {reminder.kind}/{reminder.rule_key} [{language}]"


def start_scheduler(sender: ReminderSender) -> AsyncIOScheduler:
    """APScheduler on the running event loop: one job, looking for due reminders every tick.

    The schedule itself lives in the reminders table (survives restarts; one row
    per reminder), so the job store holds nothing but this interval job.
    """
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(sender.run_due, "interval", seconds=TICK_SECONDS, id="reminders", next_run_time=utcnow(),
                      max_instances=1, coalesce=True, misfire_grace_time=None)
    scheduler.start()
    return scheduler
