"""The Telegram channel end to end: real PTB Application, local Bot API stand-in, real Rasa."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any, AsyncIterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cli import build_assistant
from bot.db import User, make_engine
from bot.settings import Secret, Settings
from bot.telegram_app import build_application, split_text
from tests.helpers.botapi import BotAPI


async def start_bot(settings: Settings, database_url: str, api: BotAPI) -> tuple[Any, Any]:
    settings = replace(settings, telegram_token=Secret("123456:TEST"), telegram_base_url=api.base_url)
    assistant, rasa = build_assistant(settings, database_url)
    application = build_application(settings, assistant)
    await application.initialize()
    await application.post_init(application)
    await application.start()
    await application.updater.start_polling(poll_interval=0.0, timeout=1)
    return application, rasa


async def stop_bot(application: Any, rasa: Any) -> None:
    await application.updater.stop()
    await application.stop()
    await application.shutdown()
    await rasa.close()


@pytest.fixture
async def bot_api(servers: Settings, database_url: str) -> AsyncIterator[BotAPI]:
    api = BotAPI().start()
    application, rasa = await start_bot(servers, database_url, api)
    yield api
    await stop_bot(application, rasa)
    api.stop()


async def wait(api: BotAPI, chat: int, count: int) -> list[dict[str, Any]]:
    return await asyncio.to_thread(api.wait_for_messages, chat, count)


def user_row(database_url: str, chat_id: int) -> User | None:
    with Session(make_engine(database_url)) as session:
        return session.scalar(select(User).where(User.chat_id == chat_id))


def buttons(message: dict[str, Any]) -> list[str]:
    keyboard = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b["callback_data"] for row in keyboard for b in row]


async def test_start_welcomes_with_language_buttons_and_records_the_campaign(
        bot_api: BotAPI, database_url: str) -> None:
    bot_api.user_says(101, "/start campaign_poster_casa")
    [message] = await wait(bot_api, 101, 1)
    assert '/change_language{"language":"fr"}' in buttons(message)
    assert all(len(data.encode()) <= 64 for data in buttons(message))
    assert user_row(database_url, 101).source == "campaign_poster_casa"


async def test_the_command_menu_is_registered_in_each_language(bot_api: BotAPI) -> None:
    calls = bot_api.calls_to("setMyCommands")
    by_language = {c.get("language_code"): c["commands"] for c in calls}
    assert {"ar", "fr", "en"} <= set(by_language)
    french = {c["command"]: c["description"] for c in by_language["fr"]}
    assert french["forget"] == "Supprimer mes données"
    assert {"start", "help", "language", "reminders", "alerts", "forget", "counsellor"} == set(french)


@pytest.mark.parametrize("chat, text, expect", [
    (102, "salam, bghit nmchi nkhdem f almanya", "ألمانيا"),
    (103, "on me demande 20000 dh pour un contrat en Espagne", "Sources :"),
    (104, "How do I report a recruitment scam?", "Sources:"),
    (105, "واش خاصني نخلص باش نخدم فبلجيكا", "المصادر:"),
])
async def test_a_question_in_each_language_is_answered_with_sources(
        bot_api: BotAPI, chat: int, text: str, expect: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.telegram_app.TYPING_AFTER", 0.0)  # show "typing..." even for fast replies
    bot_api.user_says(chat, text)
    message = (await wait(bot_api, chat, 1))[0]
    assert expect in message["text"] and "https://" in message["text"]
    assert message["link_preview_options"]["is_disabled"] is True
    assert any(int(p["chat_id"]) == chat for p in bot_api.calls_to("sendChatAction"))


async def test_pressing_a_button_answers_its_topic(bot_api: BotAPI) -> None:
    bot_api.user_presses(106, "/fraud_report")
    [message] = await wait(bot_api, 106, 1)
    assert "https://" in message["text"]
    assert bot_api.calls_to("answerCallbackQuery")


@pytest.mark.parametrize("content", [
    {"sticker": {"file_id": "x", "file_unique_id": "x", "type": "regular", "width": 1, "height": 1,
                 "is_animated": False, "is_video": False}},
    {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 3}},
    {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]},
    {"location": {"latitude": 33.57, "longitude": -7.59}},
])
async def test_non_text_gets_a_reply_saying_what_the_bot_reads(bot_api: BotAPI, content: dict[str, Any]) -> None:
    bot_api.user_sends(107, **content)
    [message] = await wait(bot_api, 107, 1)
    assert "text" in message["text"].lower() or "المكتوبة" in message["text"] or "écrits" in message["text"]


async def test_group_chats_get_a_pointer_to_the_private_chat(bot_api: BotAPI) -> None:
    bot_api.group_says(-1001, 108, "bonjour tout le monde")
    bot_api.group_says(-1001, 108, "/help")
    [message] = await wait(bot_api, -1001, 1)
    assert "https://t.me/orient_test_bot" in message["text"]
    await asyncio.sleep(0.5)
    assert len(bot_api.sent(-1001)) == 1  # ordinary group talk is left alone


async def test_a_user_who_blocked_the_bot_is_marked_inactive(bot_api: BotAPI, database_url: str) -> None:
    bot_api.blocked_chats.add(109)
    bot_api.user_says(109, "bonjour")
    for _ in range(100):
        row = user_row(database_url, 109)
        if row is not None and row.active is False:
            break
        await asyncio.sleep(0.1)
    assert user_row(database_url, 109).active is False
    assert len(bot_api.attempts(109)) == 1  # tried once, not retried forever
    assert bot_api.sent(109) == []


async def test_blocking_reported_by_telegram_marks_inactive(bot_api: BotAPI, database_url: str) -> None:
    bot_api.user_says(110, "merci")
    await wait(bot_api, 110, 1)
    bot_api.user_blocks(110)
    for _ in range(50):
        if user_row(database_url, 110).active is False:
            break
        await asyncio.sleep(0.1)
    assert user_row(database_url, 110).active is False


async def test_a_flood_is_slowed_down_politely_without_affecting_others(bot_api: BotAPI) -> None:
    for number in range(30):
        bot_api.user_says(111, f"bonjour {number}")
    bot_api.user_says(112, "merci")
    other = await wait(bot_api, 112, 1)
    assert other
    await asyncio.sleep(3)
    texts = [m["text"] for m in bot_api.sent(111)]
    assert sum("beaucoup de messages" in t for t in texts) == 1
    assert len(texts) <= 21


async def test_network_errors_and_429_are_retried(bot_api: BotAPI) -> None:
    bot_api.fail_next.extend([502, 429])
    bot_api.user_says(113, "merci beaucoup")
    [message] = await wait(bot_api, 113, 1)
    assert message["text"]


async def test_rasa_down_gives_the_menu_and_the_bot_recovers(servers: Settings, database_url: str) -> None:
    api = BotAPI().start()
    down = replace(servers, rasa_url="http://127.0.0.1:9", rasa_timeout=2.0)
    application, rasa = await start_bot(down, database_url, api)
    try:
        api.user_says(114, "bonjour, je veux travailler en Belgique")
        [trouble] = await wait(api, 114, 1)
        assert "du mal à comprendre" in trouble["text"]
        api.user_presses(114, buttons(trouble)[1])
        menu = (await wait(api, 114, 2))[1]
        assert any(b.startswith("/fraud") for b in buttons(menu))
    finally:
        await stop_bot(application, rasa)
    application, rasa = await start_bot(servers, database_url, api)  # Rasa is back
    try:
        api.user_says(114, "how do i report a scam")
        answer = (await wait(api, 114, 3))[2]
        assert "Sources:" in answer["text"]
    finally:
        await stop_bot(application, rasa)
        api.stop()


def test_long_texts_are_split_under_telegram_limit() -> None:
    text = ("paragraph " * 300 + "\n\n") * 3
    parts = split_text(text)
    assert len(parts) > 1 and all(len(p) <= 4096 for p in parts)
    assert "".join(parts).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")
