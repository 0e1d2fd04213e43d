"""The Telegram channel: python-telegram-bot 22 handlers around the shared conversation path.

    update ──> private chat? ──> flood guard ──> per-chat lock ──> Assistant.handle ──> send_reply
                    │ no                │ over limit
                    └─> "write to me    └─> "please slow down" (once), then silence
                        in private"

Sending goes through PTB's AIORateLimiter (Telegram's global and group limits,
429 retry_after) and retries network errors; a user who blocked the bot is
marked inactive instead of being retried.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import defaultdict
from typing import Any

from telegram import (Bot, BotCommand, ChatMemberUpdated, InlineKeyboardButton, InlineKeyboardMarkup,
                      LinkPreviewOptions, Update)
from telegram.constants import ChatAction, ChatMemberStatus, ChatType
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest
from telegram.ext import (AIORateLimiter, Application, ApplicationBuilder, CallbackQueryHandler, ExtBot,
                          ChatMemberHandler, CommandHandler, ContextTypes, MessageHandler, filters)

from bot.alerts import AlertSpec, load_alert
from bot.content import ContentStore
from bot.conversation import Assistant, Reply
from bot.flood import FloodGuard, Verdict
from bot.i18n import Catalogs
from bot.payloads import button
from bot.rendering import N_, Message, Renderer
from bot.settings import LANGUAGES, Settings

log = logging.getLogger(__name__)
TELEGRAM_MAX_TEXT = 4096
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
SEND_ATTEMPTS = 4
TYPING_AFTER = 0.3  # seconds before "typing..." shows
_CAMPAIGN = re.compile(r"[A-Za-z0-9_-]{1,64}")

# Commands, what they send along the path, and their description in the menu Telegram shows.
COMMANDS: dict[str, tuple[str, str]] = {
    "start": (button("greet"), N_("Welcome, privacy and language")),
    "help": (button("help_menu"), N_("Topics I can help with")),
    "language": (button("change_language"), N_("Change the language")),
    "reminders": (button("list_reminders"), N_("My dates and reminders")),
    "alerts": (button("subscribe_alerts"), N_("Scam alerts")),
    "forget": (button("delete_my_data"), N_("Delete my data")),
    "counsellor": (button("human_counsellor"), N_("Talk to an ANAPEC counsellor")),
}


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


class TelegramChannel:
    """Everything between PTB and the assistant: ordering, flood control, sending, blocked users."""

    def __init__(self, settings: Settings, assistant: Assistant) -> None:
        self.settings = settings
        self.assistant = assistant
        self.flood = FloodGuard(limit=settings.flood_limit)
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    # --- handlers -----------------------------------------------------------

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A question in words (new or edited: an edit is answered as the corrected question)."""
        message = update.effective_message
        assert message is not None
        await self._converse(update, context, message.text or "")

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start [campaign], /help, /language...: the matching topic, on the same path."""
        message, chat = update.effective_message, update.effective_chat
        assert message is not None and chat is not None
        words = (message.text or "").split()
        command = words[0].lstrip("/").split("@")[0].lower()
        if command == "start" and len(words) > 1 and _CAMPAIGN.fullmatch(words[1]):
            self.assistant.users.set_source(chat.id, words[1])
        await self._converse(update, context, COMMANDS.get(command, (button("help_menu"), ""))[0])

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A pressed inline button sends its payload as if typed; old buttons keep working."""
        query = update.callback_query
        assert query is not None
        await query.answer()
        if (query.data or "").startswith("!bc:"):
            await self._broadcast_button(update, context, query.data or "")
            return
        await self._converse(update, context, query.data or "")

    async def on_broadcast(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/broadcast <alert id>: staff in ORIENT_ADMIN_IDS preview an alert, then confirm it."""
        chat, user, message = update.effective_chat, update.effective_user, update.effective_message
        assert chat is not None and message is not None
        language = self.assistant.language_for(chat.id)
        service = self._broadcasts()
        if user is None or user.id not in self.settings.admin_ids:
            log.warning("refused /broadcast from user %s", user.id if user else "?")
            service.audit(f"telegram:{user.id if user else '?'}", "refused", message.text or "")
            await self.send_reply(context, chat.id, Reply([self.assistant.renderer.render(
                {"kind": "system", "topic": "out_of_scope", "language": language})[0]], "refused", 1.0, language))
            return
        words = (message.text or "").split()
        spec = self._alert(words[1]) if len(words) > 1 else None
        if spec is None:
            names = ", ".join(p.stem for p in sorted((self.settings.content_dir / "alerts").glob("*.yml")))
            await context.bot.send_message(chat.id, f"/broadcast <id>: {names or '-'}")
            return
        preview = self.assistant.renderer.broadcast_preview(language, spec.id, spec.text,
                                                            service.recipients_by_language(spec))
        await self.send_reply(context, chat.id, Reply([preview], "broadcast", 1.0, language))

    async def _broadcast_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE, data: str) -> None:
        chat, user = update.effective_chat, update.effective_user
        assert chat is not None
        if user is None or user.id not in self.settings.admin_ids:
            log.warning("refused broadcast button from user %s", user.id if user else "?")
            return
        parts = data.split(":", 2)
        spec = self._alert(parts[2]) if parts[1] == "go" and len(parts) == 3 else None
        if spec is None:
            await context.bot.send_message(chat.id, "OK")
            return
        service = self._broadcasts()
        broadcast_id = service.create(spec, f"telegram:{user.id}")
        renderer, store = self.assistant.renderer, self.assistant.store
        bot = context.bot

        async def deliver() -> None:
            report = await service.run(broadcast_id, lambda c, lang, s: send_alert(bot, renderer, store, c, lang, s),
                                       self.settings.broadcast_rate)
            await bot.send_message(chat.id, report.line())

        context.application.create_task(deliver())
        await context.bot.send_message(chat.id, f"broadcast {broadcast_id} started")

    def _broadcasts(self) -> Any:
        from bot.broadcast import BroadcastService

        return BroadcastService(self.assistant.users.engine, self.settings.default_language)

    def _alert(self, name: str) -> AlertSpec | None:
        path = self.settings.content_dir / "alerts" / f"{name}.yml"
        if not re.fullmatch(r"[\w-]{1,60}", name) or not path.exists():
            return None
        spec, _problems = load_alert(path, self.assistant.catalogue)
        return spec

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice notes, documents, locations, contacts: say what the bot reads."""
        chat = update.effective_chat
        assert chat is not None
        if self._admit(chat.id) is Verdict.ALLOW:
            await self.send_reply(context, chat.id, self.assistant.non_text(chat.id))

    async def on_group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Commands in groups get a pointer to the private chat; other group talk is not ours."""
        chat, user = update.effective_chat, update.effective_user
        assert chat is not None
        language = _language_of(user.language_code if user else None, self.settings.default_language)
        message = self.assistant.renderer.private_only(language, context.bot.username or "")
        await self.send_reply(context, chat.id, Reply([message], "private_only", 1.0, language))

    async def on_member(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A user blocking (or unblocking) the bot, told by Telegram as a my_chat_member update."""
        change: ChatMemberUpdated | None = update.my_chat_member
        if change is None or change.chat.type != ChatType.PRIVATE:
            return
        blocked = change.new_chat_member.status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT)
        self.assistant.users.set_active(change.chat.id, not blocked)
        log.info("chat %s %s the bot", change.chat.id, "blocked" if blocked else "unblocked")

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("error while handling an update", exc_info=context.error)

    # --- the path -----------------------------------------------------------

    async def _converse(self, update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
        chat = update.effective_chat
        assert chat is not None
        verdict = self._admit(chat.id)
        if verdict is Verdict.DROP:
            return
        if verdict is Verdict.WARN:
            language = self.assistant.language_for(chat.id, text)
            message = self.assistant.renderer.slow_down(language)
            await self.send_reply(context, chat.id, Reply([message], "slow_down", 1.0, language))
            return
        # One chat's messages are answered in order; different chats run concurrently.
        async with self._locks[chat.id]:
            typing = asyncio.create_task(self._typing(context, chat.id))
            try:
                reply = await self.assistant.handle(chat.id, text)
            finally:
                typing.cancel()
            await self.send_reply(context, chat.id, reply)

    def _admit(self, chat_id: int) -> Verdict:
        verdict = self.flood.check(chat_id)
        if verdict is not Verdict.ALLOW:
            log.info("chat %s: flood control (%s)", chat_id, verdict.value)
        return verdict

    async def _typing(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> None:
        """'typing...' while Rasa thinks; Telegram shows it for 5 s, so renew it.

        It starts after a short pause: most replies come sooner, and every chat
        action spends the same 30-per-second budget as the answers.
        """
        try:
            await asyncio.sleep(TYPING_AFTER)
            while True:
                await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
                await asyncio.sleep(4.5)
        except (NetworkError, Forbidden):
            pass

    async def send_reply(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, reply: Reply) -> None:
        for message in reply.messages:
            outcome = await send_message(context.bot, chat_id, message)
            if outcome == BLOCKED:
                self.assistant.users.set_active(chat_id, False)
            if outcome != SENT:
                return


SENT, BLOCKED, FAILED = "sent", "blocked", "failed"


async def send_message(bot: Bot, chat_id: int, message: Message) -> str:
    """Send one rendered message (split under 4096 characters, buttons on the last part).

    Network trouble is retried with backoff; 429s are waited out (the rate
    limiter retries them first). Returns SENT, BLOCKED (the user blocked the
    bot: never retried) or FAILED.
    """
    chunks = split_text(message.text)
    for index, chunk in enumerate(chunks):
        markup = _keyboard(message) if index == len(chunks) - 1 else None
        outcome = await _send_chunk(bot, chat_id, chunk, markup)
        if outcome != SENT:
            return outcome
    return SENT


async def _send_chunk(bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None) -> str:
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            await bot.send_message(chat_id, text, link_preview_options=NO_PREVIEW, reply_markup=markup)
            return SENT
        except Forbidden:
            log.info("chat %s blocked the bot; marked inactive", chat_id)
            return BLOCKED
        except RetryAfter as exc:  # the rate limiter already waited and retried
            await asyncio.sleep(_seconds(exc.retry_after))
        except (TimedOut, NetworkError) as exc:
            if attempt == SEND_ATTEMPTS:
                log.error("chat %s: giving up sending after %s attempts: %s", chat_id, attempt, exc)
                return FAILED
            await asyncio.sleep(0.5 * 2 ** (attempt - 1))
    return FAILED


async def send_alert(bot: Bot, renderer: Renderer, store: ContentStore, chat_id: int, language: str,
                     spec: AlertSpec) -> str:
    """One attempt at one alert; the broadcast worker paces, retries and records.

    Returns sent, blocked, failed, or retry_after:<seconds> when Telegram asks to wait.
    """
    topics = [(topic, store.title(topic, language)) for topic in spec.buttons]
    message = renderer.alert(language, spec.text[language], topics)
    try:
        await bot.send_message(chat_id, message.text[:TELEGRAM_MAX_TEXT], link_preview_options=NO_PREVIEW,
                               reply_markup=_keyboard(message))
        return SENT
    except Forbidden:
        return BLOCKED
    except RetryAfter as exc:
        return f"retry_after:{_seconds(exc.retry_after)}"
    except (TimedOut, NetworkError):
        return FAILED


def make_bot(settings: Settings, rate_limited: bool = True, connections: int = 8) -> Bot:
    """A Bot for sending outside the Application (reminders, broadcasts from the command line).

    PTB keeps one HTTP connection by default; a broadcast needs many in flight.
    """
    request = HTTPXRequest(connection_pool_size=connections, pool_timeout=10.0)
    return ExtBot(settings.telegram_token.get(), base_url=settings.telegram_base_url, request=request,
                  rate_limiter=AIORateLimiter(max_retries=3) if rate_limited else None)


def _keyboard(message: Message) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.payload) for b in row] for row in message.buttons])


def _seconds(value: Any) -> float:
    return float(value.total_seconds()) if hasattr(value, "total_seconds") else float(value)


def _language_of(code: str | None, default: str) -> str:
    short = (code or "").split("-")[0]
    return short if short in LANGUAGES else default


async def register_commands(application: Application, catalogs: Catalogs) -> None:  # type: ignore[type-arg]
    """The command menu in each language Telegram users have (per language_code), English by default."""
    for language in LANGUAGES:
        _ = catalogs.get(language).gettext
        commands = [BotCommand(name, _(description)) for name, (_payload, description) in COMMANDS.items()]
        await application.bot.set_my_commands(commands, language_code=language)
    default = catalogs.get("en").gettext
    await application.bot.set_my_commands(
        [BotCommand(name, default(description)) for name, (_p, description) in COMMANDS.items()])


def build_application(settings: Settings, assistant: Assistant, register: bool = True,
                      reminders: bool = True) -> Application:  # type: ignore[type-arg]
    """The PTB Application, pointed at TELEGRAM_BASE_URL (a local Bot API in tests)."""
    channel = TelegramChannel(settings, assistant)
    catalogs = assistant.renderer.catalogs

    async def post_init(application: Application) -> None:  # type: ignore[type-arg]
        if reminders and assistant.milestones is not None:
            from bot.reminder_sender import ReminderSender, start_scheduler

            flow = assistant.milestones
            sender = ReminderSender(flow.service, flow.store, assistant.renderer, assistant.users,
                                    lambda chat, message: send_message(application.bot, chat, message))
            scheduler = start_scheduler(sender)
            application.bot_data["scheduler"] = scheduler
            from bot.broadcast import BroadcastService

            broadcasts = BroadcastService(assistant.users.engine, settings.default_language)

            async def scheduled_alerts() -> None:
                """Alerts with a send_at go out through the same scheduler as reminders."""
                from bot.db import utcnow

                for broadcast_id in await asyncio.to_thread(broadcasts.start_due, utcnow()):
                    await broadcasts.run(broadcast_id, lambda c, lang, spec: send_alert(
                        application.bot, assistant.renderer, assistant.store, c, lang, spec), settings.broadcast_rate)

            scheduler.add_job(scheduled_alerts, "interval", seconds=20, id="alerts", max_instances=1,
                              coalesce=True, misfire_grace_time=None)
        if register:
            try:
                await register_commands(application, catalogs)
            except NetworkError as exc:  # the menu is a convenience; answering matters more
                log.warning("could not register the command menu: %s", exc)

    async def post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
        scheduler = application.bot_data.get("scheduler")
        if scheduler is not None:
            scheduler.shutdown(wait=False)

    application = (
        ApplicationBuilder()
        .token(settings.telegram_token.get())
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_url.replace("/bot", "/file/bot"))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(256)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    chats = filters.ChatType.PRIVATE if not settings.allow_groups else filters.ChatType.PRIVATE | filters.ChatType.GROUPS
    application.add_handler(ChatMemberHandler(channel.on_member, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_handler(CommandHandler("broadcast", channel.on_broadcast, filters=filters.ChatType.PRIVATE))
    application.add_handler(CommandHandler(list(COMMANDS), channel.on_command, filters=chats))
    application.add_handler(MessageHandler(chats & filters.TEXT & ~filters.COMMAND, channel.on_text))
    application.add_handler(CallbackQueryHandler(channel.on_button))
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & ~filters.TEXT & ~filters.COMMAND
                                           & ~filters.StatusUpdate.ALL, channel.on_other))
    if not settings.allow_groups:
        application.add_handler(MessageHandler(filters.ChatType.GROUPS & filters.COMMAND, channel.on_group))
    # Channel posts and other group talk have no handler: the bot stays out of them on purpose.
    application.add_error_handler(channel.on_error)
    return application


def run_telegram(settings: Settings, assistant: Assistant) -> None:
    """Long polling by default; a webhook when TELEGRAM_WEBHOOK_URL is set."""
    application = build_application(settings, assistant)
    if settings.telegram_webhook_url:
        application.run_webhook(
            listen="0.0.0.0", port=settings.telegram_webhook_port,
            url_path=settings.telegram_webhook_url.rstrip("/").rsplit("/", 1)[-1],
            webhook_url=settings.telegram_webhook_url,
            secret_token=settings.telegram_webhook_secret.get() or None,
            allowed_updates=Update.ALL_TYPES)
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
