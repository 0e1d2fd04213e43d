"""Telegram channel figures: update-to-reply latency with 1, 20 and 100 users at once, throughput,
and the bot's own overhead next to Rasa's time on the same messages.

Runs the real PTB Application against the local Bot API stand-in of the tests,
with real Rasa and actions. Each simulated user sends a message, waits for the
first reply, then sends the next (a closed loop, like a person). Prints figures;
asserts nothing. The stand-in shares this process, so its work counts in the
overhead: the figure is an upper bound.

    .venv/bin/python bench/telegram_channel.py [--messages 10]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import free_port, percentile  # noqa: E402

from bot.cli import build_assistant  # noqa: E402
from bot.nlu_files import training_examples  # noqa: E402
from bot.servers import running_servers  # noqa: E402
from bot.settings import Secret, Settings  # noqa: E402
from bot.telegram_app import build_application  # noqa: E402
from tests.helpers.botapi import BotAPI  # noqa: E402




def questions() -> list[str]:
    """Held-out questions in French, English and Arabic (one reply each, no language prompt)."""
    per_language, _ = training_examples(ROOT / "nlu" / "test")
    pool = [l for lang in ("fr", "en", "ar", "ary") for lines in per_language.get(lang, {}).values()
            for l in lines]
    random.Random(3).shuffle(pool)
    return pool


class TimedRasa:
    """Wraps the Rasa client to measure Rasa's share of each message."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.durations: list[float] = []

    async def send(self, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return await self.inner.send(*args, **kwargs)
        finally:
            self.durations.append((time.perf_counter() - start) * 1000)


async def run(settings: Settings, users: int, per_user: int, texts: list[str],
              think: float = 0.0) -> dict[str, float]:
    api = BotAPI().start()
    loop = asyncio.get_running_loop()
    events: dict[int, asyncio.Event] = {}
    api.on_send = lambda chat: loop.call_soon_threadsafe(events[chat].set) if chat in events else None
    settings = replace(settings, telegram_token=Secret("123456:BENCH"), telegram_base_url=api.base_url,
                       flood_limit=1000)
    assistant, rasa = build_assistant(settings, "sqlite://")
    timed = TimedRasa(rasa)
    assistant.rasa = timed  # type: ignore[assignment]
    application = build_application(settings, assistant, register=False)
    await application.initialize()
    await application.start()
    await application.updater.start_polling(poll_interval=0.0, timeout=1)
    latencies: list[float] = []

    async def user(number: int) -> None:
        chat = 900_000 + number
        events[chat] = asyncio.Event()
        if think:
            await asyncio.sleep(random.uniform(0, think))  # people do not all start at the same instant
        for index in range(per_user):
            events[chat].clear()
            start = time.perf_counter()
            api.user_says(chat, texts[(number * per_user + index) % len(texts)])
            await asyncio.wait_for(events[chat].wait(), timeout=60)
            latencies.append((time.perf_counter() - start) * 1000)
            if think:
                await asyncio.sleep(random.uniform(0.5 * think, 1.5 * think))  # reading, typing

    began = time.perf_counter()
    await asyncio.gather(*(user(n) for n in range(users)))
    elapsed = time.perf_counter() - began
    await application.updater.stop()
    await application.stop()
    await application.shutdown()
    await rasa.close()
    api.stop()
    rasa_ms = timed.durations
    return {"n": len(latencies), "median": statistics.median(latencies), "p95": percentile(latencies, 0.95),
            "rate": len(latencies) / elapsed, "rasa_median": statistics.median(rasa_ms),
            "overhead": statistics.median(latencies) - statistics.median(rasa_ms)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10, help="messages per user")
    parser.add_argument("--think", type=float, default=5.0, help="mean seconds between a reply and the next message")
    args = parser.parse_args()
    settings = replace(Settings.from_env(), rasa_url=f"http://127.0.0.1:{free_port()}", action_port=free_port())
    texts = questions()
    with running_servers(settings):
        asyncio.run(run(settings, 2, 5, texts))  # warm-up
        print("update -> first reply through PTB, Rasa and actions (closed loop per user):")
        print(f"  {'users':>5}{'msgs':>6}{'median ms':>11}{'p95 ms':>9}{'msg/s':>8}{'Rasa median':>13}{'bot overhead':>14}")
        for think in (args.think, 0.0):
            label = f"people reading and typing ({args.think:.0f} s on average between a reply and the next message)" \
                if think else "saturation: each user sends the next message as soon as the reply arrives"
            print(f"  {label}")
            for users in (1, 20, 100):
                per_user = args.messages if users < 100 else max(2, args.messages // 2)
                r = asyncio.run(run(settings, users, per_user, texts, think))
                print(f"  {users:>5}{r['n']:>6}{r['median']:>11.1f}{r['p95']:>9.1f}{r['rate']:>8.1f}"
                      f"{r['rasa_median']:>13.1f}{r['overhead']:>14.1f}")
    print("\nbot overhead = median update-to-reply minus median time inside Rasa (REST webhook,")
    print("actions included); it contains the stand-in's own work, so it is an upper bound.")


if __name__ == "__main__":
    main()
