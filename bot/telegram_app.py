"""The Telegram channel: python-telegram-bot 22 handlers around the shared conversation path."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import ChatAction, ChatType
from telegram.ext import (AIORateLimiter, Application, ApplicationBuilder, CallbackQueryHandler,
                          CommandHandler, ContextTypes, MessageHandler, filters)

from bot.conversation import Assistant, Reply
from bot.payloads import button
from bot.settings import Settings

log = logging.getLogger(__name__)
TELEGRAM_MAX_TEXT = 4096
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def split_text(text: str, limit: int = TELEGRAM_MAX_TEXT) -> list[str]:
    """Cut a long text at paragraph, then line, then word boundaries, each part within `limit`."""
    parts: list[str] = []
    while len(text) > limit:
        cut = max(text.rfind("\n\n", 0, limit), text.rfind("\n", 0, limit), text.rfind(" ", 0, limit))
        cut = cut if cut > limit // 2 else limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    parts.append(text)
    return parts


async def send_reply(update: Update, context: ContextTypes.DEFAULT_TYPE, reply: Reply) -> None:
    chat = update.effective_chat
    assert chat is not None
    for message in reply.messages:
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(b.label, callback_data=b.payload) for b in row] for row in message.buttons]
        ) if message.buttons else None
        chunks = split_text(message.text)
        for index, chunk in enumerate(chunks):
            await context.bot.send_message(
                chat.id, chunk, link_preview_options=NO_PREVIEW,
                reply_markup=markup if index == len(chunks) - 1 else None)


def build_application(settings: Settings, assistant: Assistant) -> Application:  # type: ignore[type-arg]
    """The PTB Application, pointed at TELEGRAM_BASE_URL (a local Bot API in tests)."""
    application = (
        ApplicationBuilder()
        .token(settings.telegram_token.get())
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_url.replace("/bot", "/file/bot"))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(True)
        .build()
    )
    private = filters.ChatType.PRIVATE

    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A question in words: through Rasa and back."""
        chat, message = update.effective_chat, update.effective_message
        assert chat is not None and message is not None
        await context.bot.send_chat_action(chat.id, ChatAction.TYPING)
        await send_reply(update, context, await assistant.handle(chat.id, message.text or ""))

    async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start, /help, /language, /forget, /counsellor: the matching topic, on the same path."""
        chat, message = update.effective_chat, update.effective_message
        assert chat is not None and message is not None
        command = (message.text or "").split()[0].lstrip("/").split("@")[0]
        payload = COMMANDS.get(command, button("help_menu"))
        await send_reply(update, context, await assistant.handle(chat.id, payload))

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A pressed inline button sends its payload as if the user had typed it."""
        query = update.callback_query
        chat = update.effective_chat
        assert query is not None and chat is not None
        await query.answer()
        await send_reply(update, context, await assistant.handle(chat.id, query.data or ""))

    async def on_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice notes, documents...: say what the bot can read."""
        chat = update.effective_chat
        assert chat is not None
        await send_reply(update, context, assistant.non_text(chat.id))

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("error while handling an update", exc_info=context.error)

    application.add_handler(CommandHandler(list(COMMANDS), on_command, filters=private))
    application.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(MessageHandler(private & ~filters.TEXT & ~filters.COMMAND, on_other))
    application.add_error_handler(on_error)
    return application


COMMANDS = {
    "start": button("greet"),
    "help": button("help_menu"),
    "language": button("change_language"),
    "forget": button("delete_my_data"),
    "counsellor": button("human_counsellor"),
}


def run_telegram(settings: Settings, assistant: Assistant) -> None:
    """Long polling until interrupted."""
    application = build_application(settings, assistant)
    application.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)


__all__ = ["build_application", "run_telegram", "split_text", "ChatType"]
