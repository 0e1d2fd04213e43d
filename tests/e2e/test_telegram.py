"""The Telegram channel end to end: real PTB Application, local Bot API stand-in, real Rasa."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import AsyncIterator

import pytest

from bot.cli import build_assistant
from bot.settings import Secret, Settings
from bot.telegram_app import build_application, split_text
from tests.helpers.botapi import BotAPI


@pytest.fixture
async def bot_api(servers: Settings, database_url: str) -> AsyncIterator[BotAPI]:
    api = BotAPI().start()
    settings = replace(servers, telegram_token=Secret("123456:TEST"), telegram_base_url=api.base_url)
    assistant, rasa = build_assistant(settings, database_url)
    application = build_application(settings, assistant)
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        yield api
        await application.updater.stop()
        await application.stop()
    await rasa.close()
    api.stop()


async def wait(api: BotAPI, chat: int, count: int) -> list[dict]:  # type: ignore[type-arg]
    return await asyncio.to_thread(api.wait_for_messages, chat, count)


async def test_start_welcomes_with_language_buttons(bot_api: BotAPI) -> None:
    bot_api.user_says(101, "/start")
    [message] = await wait(bot_api, 101, 1)
    keyboard = message["reply_markup"]["inline_keyboard"]
    assert any(b["callback_data"] == '/change_language{"language":"fr"}' for row in keyboard for b in row)
    assert all(len(b["callback_data"].encode()) <= 64 for row in keyboard for b in row)


async def test_a_question_in_darija_is_answered_in_arabic_without_link_previews(bot_api: BotAPI) -> None:
    bot_api.user_says(102, "salam, bghit nmchi nkhdem f almanya")
    [message] = await wait(bot_api, 102, 1)
    assert "ألمانيا" in message["text"] and "https://" in message["text"]
    assert message["link_preview_options"]["is_disabled"] is True
    assert any(m == "sendChatAction" for m, _ in bot_api.calls)


async def test_pressing_a_button_answers_its_topic(bot_api: BotAPI) -> None:
    bot_api.user_presses(103, "/fraud_report")
    [message] = await wait(bot_api, 103, 1)
    assert "https://" in message["text"]
    assert any(m == "answerCallbackQuery" for m, _ in bot_api.calls)


async def test_a_sticker_gets_a_reply_saying_what_the_bot_reads(bot_api: BotAPI) -> None:
    bot_api.user_sends(104, sticker={"file_id": "x", "file_unique_id": "x", "type": "regular",
                                     "width": 1, "height": 1, "is_animated": False, "is_video": False})
    [message] = await wait(bot_api, 104, 1)
    assert "text" in message["text"].lower() or "texte" in message["text"] or "النص" in message["text"] \
        or "المكتوبة" in message["text"]


def test_long_texts_are_split_under_telegram_limit() -> None:
    text = ("paragraph " * 300 + "\n\n") * 3
    parts = split_text(text)
    assert len(parts) > 1 and all(len(p) <= 4096 for p in parts)
    assert "".join(parts).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")
