"""Broadcast figures for 10,000 subscribers against the local Bot API stand-in: messages per
second achieved next to the configured rate (30/s, and 1,000/s to find our own ceiling),
memory during the send, and time to resume an interrupted broadcast.

The stand-in runs in its own process, so its work does not count against ours.
The 30/s run is measured over a sample (--sample-seconds) rather than the 5.5 minutes the
whole list would take; it is then interrupted, which is what the resume figure needs.
Prints figures; asserts nothing.

    .venv/bin/python bench/broadcast.py [--subscribers 10000] [--sample-seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("ORIENT_BROADCAST_LEASE_SECONDS", "0")  # resume at once after our own interruption
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import rss_mb  # noqa: E402

from sqlalchemy import insert  # noqa: E402

from bot.alerts import AlertSpec  # noqa: E402
from bot.broadcast import REQUESTS_IN_FLIGHT, BroadcastService  # noqa: E402
from bot.content import ContentStore, load_catalogue  # noqa: E402
from bot.db import User, make_engine, upgrade, utcnow  # noqa: E402
from bot.i18n import Catalogs  # noqa: E402
from bot.rendering import Renderer  # noqa: E402
from bot.settings import Secret, Settings  # noqa: E402
from bot.telegram_app import make_bot, send_alert  # noqa: E402

SPEC = AlertSpec("bench_alert", {"ar": "تنبيه", "fr": "Alerte", "en": "Alert"}, ("fraud_report",))



def populate(url: str, count: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(insert(User.__table__), [
            {"chat_id": 20_000_000 + n, "language": ("ar", "fr", "en")[n % 3], "language_chosen": True,
             "consent": True, "alerts": True, "active": True, "language_asked": False, "created_at": utcnow()}
            for n in range(count)])


class StandIn:
    """The tests' Bot API stand-in, in a child process (only its URL is needed here)."""

    def __init__(self) -> None:
        code = ("import sys, time; sys.path.insert(0, %r); from tests.helpers.botapi import BotAPI; "
                "api = BotAPI().start(); print(api.base_url, flush=True); time.sleep(1e9)") % str(ROOT)
        self.process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        self.base_url = (self.process.stdout.readline() if self.process.stdout else "").strip()

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


def sent_count(url: str, broadcast_id: int) -> int:
    return BroadcastService(make_engine(url)).counts(broadcast_id).get("sent", 0)


async def send(url: str, api: StandIn, rate: float, broadcast_id: int | None,
               limit: float | None) -> tuple[int, float, float, float]:
    """Run a worker; returns (broadcast id, seconds, messages per second, peak memory MB)."""
    engine = make_engine(url)
    service = BroadcastService(engine)
    broadcast_id = broadcast_id or service.create(SPEC, "bench")
    settings = Settings.from_env()
    store = ContentStore(settings.content_dir, load_catalogue(settings.content_dir / "topics.yml"))
    renderer = Renderer(Catalogs(ROOT / "locales"))
    bot = make_bot(Settings(telegram_token=Secret("1:BENCH"), telegram_base_url=api.base_url), rate_limited=False,
                   connections=REQUESTS_IN_FLIGHT)
    peak = [rss_mb()]

    async def watch() -> None:
        while True:
            peak[0] = max(peak[0], rss_mb())
            await asyncio.sleep(0.2)

    before = sent_count(url, broadcast_id)
    async with bot:
        watcher = asyncio.create_task(watch())
        began = time.perf_counter()
        work = service.run(broadcast_id, lambda c, lang, s: send_alert(bot, renderer, store, c, lang, s), rate)
        try:
            await asyncio.wait_for(work, timeout=limit)
        except asyncio.TimeoutError:
            pass  # interrupted on purpose
        elapsed = time.perf_counter() - began
        watcher.cancel()
    sent = sent_count(url, broadcast_id) - before
    return broadcast_id, elapsed, sent / elapsed, peak[0]


async def resume_time(url: str, api: StandIn, broadcast_id: int) -> tuple[float, float]:
    """Seconds `resume` takes to put interrupted rows back, and to finish the rest at 1,000/s."""
    service = BroadcastService(make_engine(url))
    began = time.perf_counter()
    service.resume(broadcast_id)
    ready = time.perf_counter() - began
    await send(url, api, 1000, broadcast_id, None)
    return ready, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--sample-seconds", type=float, default=20.0)
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    url = f"sqlite:///{folder}/bench.db"
    populate(url, args.subscribers)
    print(f"{args.subscribers} subscribers (ar, fr, en), SQLite; baseline memory {rss_mb():.0f} MB")
    api = StandIn()
    try:
        broadcast_id, seconds, achieved, peak = asyncio.run(send(url, api, 30, None, args.sample_seconds))
        print(f"configured 30/s: {achieved:.1f} messages/s over {seconds:.0f} s "
              f"({achieved / 30:.0%} of the limit), peak memory {peak:.0f} MB; then interrupted")
        to_first, total = asyncio.run(resume_time(url, api, broadcast_id))
        print(f"resume: interrupted rows back in the queue in {to_first * 1000:.0f} ms; the rest sent at "
              f"1,000/s in {total:.1f} s")
        _id, seconds, achieved, peak = asyncio.run(send(url, api, 1000, None, None))
        print(f"configured 1,000/s, all {args.subscribers}: {achieved:.0f} messages/s "
              f"({achieved / 1000:.0%} of the setting; our ceiling), {seconds:.1f} s, peak memory {peak:.0f} MB")
    finally:
        api.stop()


if __name__ == "__main__":
    main()
