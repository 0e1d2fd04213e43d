"""Foundation figures: training time, Rasa start-up, `orient ask` latency, memory of each process.

Prints figures; asserts nothing. Latency of the whole path (bot -> Rasa ->
actions -> rendering) is shown next to Rasa's /model/parse on the same
messages in the same run, so the cost of each layer is visible despite the
noise of a shared machine.

    .venv/bin/python bench/foundation.py [--messages 200] [--skip-training]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import free_port, percentile, rss_mb  # noqa: E402

from bot.cli import build_assistant  # noqa: E402
from bot.nlu_files import training_examples  # noqa: E402
from bot.servers import running_servers  # noqa: E402
from bot.settings import Settings  # noqa: E402




def train_time() -> float:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run([str(ROOT / ".venv-rasa/bin/rasa"), "train", "--config", "config.yml", "--domain",
                        "nlu/domain.yml", "--data", "nlu/data", "nlu/rules", "nlu/lookups", "--out", out, "--quiet", "--force"],
                       cwd=ROOT, check=True, capture_output=True,
                       env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(ROOT)})
        return time.perf_counter() - start


def messages(count: int) -> list[str]:
    """Held-out messages from every language, as users write them."""
    per_language, _ = training_examples(ROOT / "nlu" / "test")
    pool = [line for per_intent in per_language.values() for lines in per_intent.values() for line in lines]
    random.Random(7).shuffle(pool)
    return (pool * (count // max(1, len(pool)) + 1))[:count]


async def latencies(settings: Settings, texts: list[str]) -> tuple[list[float], list[float]]:
    assistant, rasa = build_assistant(settings, "sqlite://")
    whole, parse = [], []
    for number, text in enumerate(texts):
        start = time.perf_counter()
        await rasa.parse(text)
        parse.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        await assistant.handle(20_000_000 + number, text)
        whole.append((time.perf_counter() - start) * 1000)
    await rasa.close()
    return whole, parse


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--skip-training", action="store_true")
    args = parser.parse_args()

    print(f"machine: {os.cpu_count()} cores; figures from one run on a shared machine\n")
    if not args.skip_training:
        print(f"training (rasa train, forced, {sum(1 for _ in (ROOT / 'nlu' / 'data').glob('*.yml'))} "
              f"language files): {train_time():.1f} s")

    settings = replace(Settings.from_env(), rasa_url=f"http://127.0.0.1:{free_port()}", action_port=free_port())
    start = time.perf_counter()
    with running_servers(settings) as servers:
        startup = time.perf_counter() - start
        print(f"start-up of the action server and Rasa (until /status has the model): {startup:.1f} s")
        texts = messages(args.messages)
        asyncio.run(latencies(settings, texts[:10]))  # warm-up
        whole, parse = asyncio.run(latencies(settings, texts))
        print(f"\nlatency over {len(texts)} held-out messages, sequential, one client:")
        print(f"  orient path (language, user, Rasa, actions, rendering): "
              f"median {statistics.median(whole):.1f} ms, p95 {percentile(whole, 0.95):.1f} ms")
        print(f"  baseline Rasa /model/parse alone:                        "
              f"median {statistics.median(parse):.1f} ms, p95 {percentile(parse, 0.95):.1f} ms")
        print("\nresident memory:")
        for name, process in servers.processes:
            print(f"  {name:<14} {rss_mb(process.pid, children=True):8.0f} MB")
        print(f"  {'bot (this)':<14} {rss_mb():8.0f} MB")


if __name__ == "__main__":
    main()
