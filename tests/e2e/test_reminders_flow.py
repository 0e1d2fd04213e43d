"""A candidate sets a milestone by text, confirms it, and gets exactly one reminder per rule, in their
language, across a restart; `orient reminders run-due` sends through the local Bot API stand-in."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from zoneinfo import ZoneInfo

import pytest

from bot.cli import build_assistant
from bot.conversation import Reply
from bot.settings import Settings
from tests.conftest import ROOT
from tests.helpers.botapi import BotAPI

CHAT = 7770001


def payloads_of(reply: Reply) -> list[str]:
    return [b.payload for m in reply.messages for row in m.buttons for b in row]


def in_days(days: int) -> dt.date:
    return dt.datetime.now(ZoneInfo("Africa/Casablanca")).date() + dt.timedelta(days=days)


@pytest.mark.parametrize("template, language, confirm_word", [
    ("mon rendez-vous au consulat pour le visa est le {d:%d/%m/%Y}", "fr", "Oui"),
    ("موعد الفيزا ديالي {d:%d/%m/%Y}", "ar", "نعم"),
    ("my visa appointment is on {d:%d/%m/%Y}", "en", "Yes"),
])
async def test_a_milestone_told_in_words_is_confirmed_before_saving(
        servers: Settings, database_url: str, template: str, language: str, confirm_word: str) -> None:
    assistant, rasa = build_assistant(servers, database_url)
    day = in_days(60)
    reply = await assistant.handle(CHAT, template.format(d=day))
    await rasa.close()
    assert reply.topic == "set_milestone" and reply.language == language
    assert f"!ms:ok:visa_appointment:{day:%Y%m%d}" in payloads_of(reply)
    assert any(confirm_word in b.label for m in reply.messages for row in m.buttons for b in row)


async def test_a_past_date_gets_a_question_back_and_the_answer_is_used(servers: Settings, database_url: str) -> None:
    assistant, rasa = build_assistant(servers, database_url)
    reply = await assistant.handle(CHAT, "mon rendez-vous visa etait le 01/01/2024")
    assert "déjà passée" in reply.answer
    follow = await assistant.handle(CHAT, f"{in_days(30):%d/%m/%Y}")
    assert f"!ms:ok:visa_appointment:{in_days(30):%Y%m%d}" in payloads_of(follow)
    await rasa.close()


async def test_reminders_arrive_once_in_the_users_language_across_a_restart(
        servers: Settings, database_url: str) -> None:
    assistant, rasa = build_assistant(servers, database_url)
    day = in_days(40)
    await assistant.handle(CHAT, "bonjour")  # the user's language becomes French
    saved = await assistant.handle(CHAT, f"!ms:ok:visa_appointment:{day:%Y%m%d}")
    assert "Enregistré" in saved.answer
    await rasa.close()

    restarted, rasa = build_assistant(servers, database_url)  # a restart: nothing kept in memory
    overview = await restarted.handle(CHAT, "/list_reminders")
    assert "Rendez-vous" in overview.answer or "visa" in overview.answer.lower()
    await rasa.close()

    api = BotAPI().start()
    try:
        service_rows = restarted.milestones.service.listing(CHAT)
        first_due = min(row[4] for row in service_rows).replace(tzinfo=dt.timezone.utc)
        env = {**os.environ, "DATABASE_URL": database_url, "TELEGRAM_BOT_TOKEN": "123456:TEST",
               "TELEGRAM_BASE_URL": api.base_url, "ORIENT_ROOT": str(servers.root)}
        command = [sys.executable, "-m", "bot", "reminders", "run-due",
                   "--now", (first_due + dt.timedelta(minutes=1)).isoformat()]
        first = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert first.returncode == 0, first.stderr
        assert first.stdout.startswith("sent ") and "[fr]" in first.stdout
        second = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert "nothing due" in second.stdout
        [message] = api.sent(CHAT)
        assert "⏰" in message["text"] and any(word in message["text"] for word in ("visa", "Visa"))
    finally:
        api.stop()
