"""Broadcast figures for 10,000 subscribers against the local Bot API stand-in: messages per
second achieved next to the configured rate (30/s, and 1,000/s to find our own ceiling),
memory during the send, and time to resume an interrupted broadcast.

The 30/s run is measured over a sample (--sample-seconds) rather than the 5.5 minutes the
whole list would take; it is then interrupted, which is what the resume figure needs.
Prints figures; asserts nothing.

    .venv/bin/python bench/broadcast.py [--subscribers 10000] [--sample-seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("ORIENT_BROADCAST_LEASE_SECONDS", "0")  # resume at once after our own interruption
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from bot.alerts import AlertSpec  # noqa: E402
from bot.broadcast import BroadcastService  # noqa: E402
from bot.content import ContentStore, load_catalogue  # noqa: E402
from bot.db import User, make_engine, upgrade, utcnow  # noqa: E402
from bot.i18n import Catalogs  # noqa: E402
from bot.rendering import Renderer  # noqa: E402
from bot.settings import Secret, Settings  # noqa: E402
from bot.telegram_app import make_bot, send_alert  # noqa: E402
from tests.helpers.botapi import BotAPI  # noqa: E402

SPEC = AlertSpec("bench_alert", {"ar": "تنبيه", "fr": "Alerte", "en": "Alert"}, ("fraud_report",))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def populate(url: str, count: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(insert(User.__table__), [
            {"chat_id": 20_000_000 + n, "language": ("ar", "fr", "en")[n % 3], "language_chosen": True,
             "consent": True, "alerts": True, "active": True, "language_asked": False, "created_at": utcnow()}
            for n in range(count)])


async def send(url: str, api: BotAPI, rate: float, broadcast_id: int | None, limit: float | None) -> tuple[int, float, float, float]:
    """Run a worker; returns (broadcast id, seconds, messages per second, peak memory MB)."""
    engine = make_engine(url)
    service = BroadcastService(engine)
    broadcast_id = broadcast_id or service.create(SPEC, "bench")
    settings = Settings.from_env()
    store = ContentStore(settings.content_dir, load_catalogue(settings.content_dir / "topics.yml"))
    renderer = Renderer(Catalogs(ROOT / "locales"))
    bot = make_bot(Settings(telegram_token=Secret("1:BENCH"), telegram_base_url=api.base_url), rate_limited=False)
    peak = [rss_mb()]

    async def watch() -> None:
        while True:
            peak[0] = max(peak[0], rss_mb())
            await asyncio.sleep(0.2)

    before = len(api.sent())
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
    sent = len(api.sent()) - before
    return broadcast_id, elapsed, sent / elapsed, peak[0]


async def resume_time(url: str, api: BotAPI, broadcast_id: int) -> tuple[float, float]:
    """Seconds from `resume` to the first message, and to the end at 1,000/s."""
    service = BroadcastService(make_engine(url))
    first: list[float] = []
    began = time.perf_counter()
    api.on_send = lambda chat: first.append(time.perf_counter()) if not first else None
    service.resume(broadcast_id)
    await send(url, api, 1000, broadcast_id, None)
    api.on_send = None
    return (first[0] - began) if first else float("nan"), time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--sample-seconds", type=float, default=20.0)
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    url = f"sqlite:///{folder}/bench.db"
    populate(url, args.subscribers)
    print(f"{args.subscribers} subscribers (ar, fr, en), SQLite; baseline memory {rss_mb():.0f} MB")
    api = BotAPI().start()
    try:
        broadcast_id, seconds, achieved, peak = asyncio.run(send(url, api, 30, None, args.sample_seconds))
        print(f"configured 30/s: {achieved:.1f} messages/s over {seconds:.0f} s "
              f"({achieved / 30:.0%} of the limit), peak memory {peak:.0f} MB; then interrupted")
        to_first, total = asyncio.run(resume_time(url, api, broadcast_id))
        print(f"resume: first message {to_first * 1000:.0f} ms after `resume`, the rest sent at 1,000/s "
              f"in {total:.1f} s")
        _id, seconds, achieved, peak = asyncio.run(send(url, api, 1000, None, None))
        print(f"configured 1,000/s, all {args.subscribers}: {achieved:.0f} messages/s "
              f"({achieved / 1000:.0%} of the setting; our ceiling), {seconds:.1f} s, peak memory {peak:.0f} MB")
    finally:
        api.stop()


if __name__ == "__main__":
    main()
