"""`orient ask --json`: the staff-facing contract, on running servers or on servers it starts itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bot.content import Catalogue
from bot.servers import actions_ready, rasa_ready
from bot.settings import Settings
from tests.conftest import ROOT, free_port

ORIENT = [sys.executable, "-m", "bot"]


def run_orient(args: list[str], env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(ORIENT + args, cwd=ROOT, env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=timeout)


def test_batch_gives_one_json_object_per_line(servers: Settings, tmp_path: Path, catalogue: Catalogue) -> None:
    batch = tmp_path / "messages.txt"
    batch.write_text("salam, bghit nmchi nkhdem f almanya\n"
                     "on me demande 20000 dh pour un contrat en Espagne\n\n"
                     "what's the weather\n", encoding="utf-8")
    env = {"RASA_URL": servers.rasa_url, "ACTION_PORT": str(servers.action_port)}
    result = run_orient(["ask", "--json", "--batch", str(batch)], env)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["topic"] for r in records] == ["germany_skilled_work", "fraud_recruitment_fees", "out_of_scope"]
    assert [r["language"] for r in records] == ["ar", "fr", "en"]
    for record in records:
        assert {"text", "topic", "confidence", "language", "answer", "sources"} <= set(record)
        assert record["topic"] in catalogue.topics or record["topic"] == "fallback"
        assert 0.0 <= record["confidence"] <= 1.0
    assert records[0]["sources"] and records[1]["sources"]


def test_ask_starts_the_servers_it_needs_and_stops_them(tmp_path: Path) -> None:
    rasa_port, action_port = free_port(), free_port()
    env = {"RASA_URL": f"http://127.0.0.1:{rasa_port}", "ACTION_PORT": str(action_port),
           "ORIENT_ROOT": str(ROOT)}
    result = run_orient(["ask", "--json", "merci beaucoup"], env)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["topic"] == "thanks" and record["language"] == "fr"
    assert not rasa_ready(f"http://127.0.0.1:{rasa_port}") and not actions_ready(action_port)


def test_content_check_passes_on_the_repository() -> None:
    result = run_orient(["content", "check"], {})
    assert result.returncode == 0, result.stdout
    assert " 0 errors" in result.stdout
