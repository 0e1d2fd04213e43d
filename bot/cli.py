"""The `orient` command for staff and developers; the composition root of the application."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Any, Sequence

from bot.content import Catalogue, ContentStore, check_content_dir, load_catalogue
from bot.conversation import Assistant, Reply
from bot.db import GapLog, UserStore, make_engine, upgrade
from bot.errors import OrientError
from bot.alerts import Subscriptions
from bot.i18n import Catalogs
from bot.milestone_flow import MilestoneFlow
from bot.milestones import MilestoneStore
from bot.reminders import ReminderService
from bot.nlu_client import RasaClient
from bot.rendering import Renderer
from bot.settings import Settings

log = logging.getLogger("orient")


def build_assistant(settings: Settings, database_url: str | None = None) -> tuple[Assistant, RasaClient]:
    """Wire the assistant from settings: database (migrated), content, catalogs, Rasa client."""
    engine = make_engine(database_url or settings.database_url)
    upgrade(engine)
    catalogue = load_catalogue(settings.content_dir / "topics.yml")
    store = ContentStore(settings.content_dir, catalogue)
    store.refresh(force=True)
    rasa = RasaClient(settings.rasa_url, settings.rasa_timeout)
    renderer = Renderer(Catalogs(settings.locales_dir))
    users = UserStore(engine)
    flow = MilestoneFlow(users, reminder_service(settings, engine, catalogue), milestone_store(settings, catalogue),
                         renderer)
    assistant = Assistant(users, rasa, renderer, store, catalogue, settings.default_language, GapLog(engine), flow,
                          Subscriptions(engine))
    return assistant, rasa


def milestone_store(settings: Settings, catalogue: Catalogue) -> MilestoneStore:
    return MilestoneStore(settings.content_dir / "milestones.yml", catalogue)


def reminder_service(settings: Settings, engine: Any, catalogue: Catalogue,
                     store: MilestoneStore | None = None) -> ReminderService:
    store = store or milestone_store(settings, catalogue)
    return ReminderService(engine, store.get, settings.timezone, settings.reminder_grace,
                           settings.default_language)


def reply_json(text: str, reply: Reply) -> dict[str, Any]:
    """The `orient ask --json` record of one message."""
    return {
        "text": text,
        "topic": reply.topic,
        "confidence": round(reply.confidence, 4),
        "language": reply.language,
        "answer": reply.answer,
        "sources": reply.sources,
        "buttons": [b.label for m in reply.messages for row in m.buttons for b in row],
    }


# --- commands ---------------------------------------------------------------


def cmd_chat(settings: Settings, args: argparse.Namespace) -> int:
    from bot.console import chat
    from bot.servers import running_servers

    with running_servers(settings, announce=True):
        asyncio.run(_with_assistant(settings, None, lambda a: chat(a)))
    return 0


def cmd_ask(settings: Settings, args: argparse.Namespace) -> int:
    from bot.servers import running_servers

    if args.batch:
        texts = [l.rstrip("\n") for l in Path(args.batch).read_text(encoding="utf-8").splitlines()]
        texts = [t for t in texts if t.strip()]
    elif args.text:
        texts = [" ".join(args.text)]
    else:
        raise OrientError("give a message (orient ask 'hello') or a file (orient ask --batch FILE)")

    async def run(assistant: Assistant) -> None:
        # Each message is a new, anonymous chat: no language or state carries over between them.
        for number, text in enumerate(texts, start=1):
            reply = await assistant.handle(10_000_000 + number, text)
            if args.json:
                print(json.dumps(reply_json(text, reply), ensure_ascii=False), flush=True)
            else:
                print(f"[{reply.topic} {reply.confidence:.2f} {reply.language}]\n{reply.answer}\n", flush=True)

    with running_servers(settings, announce=not args.json):
        asyncio.run(_with_assistant(settings, "sqlite://", run))
    return 0


def cmd_content_check(settings: Settings, args: argparse.Namespace) -> int:
    from bot.nlu_files import check_nlu

    catalogue = load_catalogue(settings.content_dir / "topics.yml")
    contents, problems = check_content_dir(settings.content_dir, catalogue)
    problems += check_nlu(catalogue, settings.nlu_dir)
    problems += _check_shared_contract(settings, catalogue)
    from bot.milestones import load_milestones

    _rules, found = load_milestones(settings.content_dir / "milestones.yml", catalogue, "content/milestones.yml")
    problems += found
    from bot.alerts import check_alerts

    problems += check_alerts(settings.content_dir / "alerts", catalogue)
    for problem in problems:
        print(problem)
    errors = [p for p in problems if p.severity == "error"]
    warnings = len(problems) - len(errors)
    print(f"{len(contents)} content files valid, {len(errors)} errors, {warnings} warnings.")
    return 1 if errors or (args.fail_on_warnings and warnings) else 0


def cmd_content_gaps(settings: Settings, args: argparse.Namespace) -> int:
    """Messages the bot could not answer, most frequent first, for staff to add content or examples."""
    import datetime as dt
    from collections import Counter

    from bot.db import utcnow

    engine = make_engine(settings.database_url)
    upgrade(engine)
    rows = GapLog(engine).since(utcnow() - dt.timedelta(days=args.days))
    if args.json:
        for row in rows:
            print(json.dumps({"text": row.text, "language": row.language, "reason": row.reason,
                              "suggested": row.suggested, "at": row.created_at.isoformat()},
                             ensure_ascii=False))
        return 0
    counts = Counter((row.text.strip().lower(), row.language, row.reason) for row in rows)
    print(f"{len(rows)} unanswered messages in the last {args.days} days "
          f"({len(counts)} different); most frequent first:")
    for (text, language, reason), count in counts.most_common(args.limit):
        print(f"{count:>5}  [{language or '?'}, {reason}]  {text[:120]}")
    return 0


def cmd_nlu_sync(settings: Settings, args: argparse.Namespace) -> int:
    from bot.nlu_files import sync

    changed = sync(load_catalogue(settings.content_dir / "topics.yml"), settings.nlu_dir)
    print("\n".join(f"updated {p}" for p in changed) or "nlu/ already matches content/topics.yml")
    return 0


def cmd_nlu_dedupe(settings: Settings, args: argparse.Namespace) -> int:
    from bot.nlu_files import dedupe

    removed = dedupe(settings.nlu_dir)
    print("\n".join(removed) or "no duplicates")
    print(f"{len(removed)} training lines removed")
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from bot.servers import running_servers

    with running_servers(settings, announce=True):
        if settings.telegram_token:
            from bot.telegram_app import run_telegram

            assistant, _ = build_assistant(settings)
            run_telegram(settings, assistant)  # reminders scheduler included; stops on Ctrl-C or SIGTERM
        else:
            print("Rasa and the action server are running; no TELEGRAM_BOT_TOKEN, so no Telegram bot. "
                  "Ctrl-C stops.", file=sys.stderr, flush=True)
            _sleep_forever()
    return 0


def cmd_reminders_run_due(settings: Settings, args: argparse.Namespace) -> int:
    """Send what is due at --now (default: now); running it twice sends nothing twice."""
    import datetime as dt

    from bot.db import utcnow
    from bot.reminder_sender import ReminderSender
    from bot.telegram_app import make_bot, send_message

    if not settings.telegram_token:
        raise OrientError("TELEGRAM_BOT_TOKEN is not set: reminders are sent through Telegram")
    now = dt.datetime.fromisoformat(args.now) if args.now else utcnow()
    if now.tzinfo is None:
        raise OrientError("--now needs a time zone, e.g. 2027-03-10T09:00:00+01:00 or ...Z")
    engine = make_engine(settings.database_url)
    upgrade(engine)
    catalogue = load_catalogue(settings.content_dir / "topics.yml")
    store = milestone_store(settings, catalogue)
    service = reminder_service(settings, engine, catalogue, store)

    async def run() -> list[str]:
        bot = make_bot(settings)
        async with bot:
            sender = ReminderSender(service, store, Renderer(Catalogs(settings.locales_dir)), UserStore(engine),
                                    lambda chat, message: send_message(bot, chat, message))
            return await sender.run_due(now)

    lines = asyncio.run(run())
    print("\n".join(lines) or f"nothing due at {now.isoformat()}")
    return 0


def cmd_reminders_list(settings: Settings, args: argparse.Namespace) -> int:
    engine = make_engine(settings.database_url)
    upgrade(engine)
    catalogue = load_catalogue(settings.content_dir / "topics.yml")
    rows = reminder_service(settings, engine, catalogue).listing(args.chat)
    for chat, kind, day, rule, due, status, note in rows:
        print(f"{chat:>14}  {kind:<22} {day}  {rule:<20} {due:%Y-%m-%d %H:%M}Z  {status}"
              f"{' (' + note + ')' if note else ''}")
    print(f"{len(rows)} reminders")
    return 0


def _broadcast_parts(settings: Settings) -> tuple[Any, Any, Catalogue]:
    from bot.broadcast import BroadcastService

    engine = make_engine(settings.database_url)
    upgrade(engine)
    return engine, BroadcastService(engine, settings.default_language), \
        load_catalogue(settings.content_dir / "topics.yml")


def _alert_file(path: str, catalogue: Catalogue) -> Any:
    from bot.alerts import load_alert

    spec, problems = load_alert(Path(path), catalogue)
    if spec is None:
        raise OrientError("the alert file has errors:\n" + "\n".join(str(p) for p in problems))
    return spec


def cmd_broadcast_preview(settings: Settings, args: argparse.Namespace) -> int:
    _engine, service, catalogue = _broadcast_parts(settings)
    spec = _alert_file(args.file, catalogue)
    counts = service.recipients_by_language(spec)
    for language in ("ar", "fr", "en"):
        print(f"--- {language}: {counts.get(language, 0)} recipients ---\n{spec.text[language]}\n")
    print(f"buttons: {', '.join(spec.buttons) or '-'}; audience: {spec.audience or 'all subscribers'}; "
          f"send at: {spec.send_at or 'now'}; total {sum(counts.values())} recipients")
    return 0


def cmd_broadcast_send(settings: Settings, args: argparse.Namespace) -> int:
    import getpass

    _engine, service, catalogue = _broadcast_parts(settings)
    spec = _alert_file(args.file, catalogue)
    total = sum(service.recipients_by_language(spec).values())
    if not args.yes:
        if not sys.stdin.isatty():
            raise OrientError("confirmation needed: run it in a terminal, or add --yes")
        if input(f"Send '{spec.id}' to {total} subscribers? [y/N] ").strip().lower() not in ("y", "yes", "o", "oui"):
            print("Nothing sent.")
            return 1
    broadcast_id = service.create(spec, f"cli:{getpass.getuser()}")
    if spec.send_at and service.listing()[-1][2] == "scheduled":
        print(f"broadcast {broadcast_id} scheduled for {spec.send_at}; `orient serve` sends it then")
        return 0
    return _deliver(settings, service, broadcast_id, args.rate)


def cmd_broadcast_resume(settings: Settings, args: argparse.Namespace) -> int:
    _engine, service, _catalogue = _broadcast_parts(settings)
    released, unknown = service.resume(args.id)
    print(f"broadcast {args.id}: {released} recipients back in the queue, {unknown} caught mid-send "
          "(marked unknown, not sent again)")
    return _deliver(settings, service, args.id, args.rate)


def cmd_broadcast_status(settings: Settings, args: argparse.Namespace) -> int:
    _engine, service, _catalogue = _broadcast_parts(settings)
    for broadcast_id, name, status, actor, created, counts in service.listing():
        if args.id is None or args.id == broadcast_id:
            detail = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "no recipients yet"
            print(f"{broadcast_id:>4}  {name:<36} {status:<10} by {actor} at {created:%Y-%m-%d %H:%M}  {detail}")
    return 0


def _deliver(settings: Settings, service: Any, broadcast_id: int, rate: float | None) -> int:
    from bot.broadcast import REQUESTS_IN_FLIGHT
    from bot.telegram_app import make_bot, send_alert

    if not settings.telegram_token:
        raise OrientError("TELEGRAM_BOT_TOKEN is not set: alerts are sent through Telegram")
    catalogue = load_catalogue(settings.content_dir / "topics.yml")
    store = ContentStore(settings.content_dir, catalogue)
    renderer = Renderer(Catalogs(settings.locales_dir))
    total = max(1, sum(v for k, v in service.counts(broadcast_id).items() if k in ("pending", "claimed")))
    done = [0]

    def progress(count: int) -> None:
        done[0] += count
        filled = int(30 * min(done[0], total) / total)
        print(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done[0]}/{total}", end="", file=sys.stderr, flush=True)

    async def run() -> Any:
        bot = make_bot(settings, rate_limited=False, connections=REQUESTS_IN_FLIGHT)  # the worker paces itself at --rate
        async with bot:
            return await service.run(broadcast_id,
                                     lambda chat, language, spec: send_alert(bot, renderer, store, chat, language, spec),
                                     rate or settings.broadcast_rate, progress)

    report = asyncio.run(run())
    print(file=sys.stderr)
    print(report.line())
    return 0


def cmd_db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    upgrade(make_engine(settings.database_url))
    print("database schema is up to date")
    return 0


# --- helpers ----------------------------------------------------------------


async def _with_assistant(settings: Settings, database_url: str | None, body: Any) -> None:
    assistant, rasa = build_assistant(settings, database_url)
    try:
        await body(assistant)
    finally:
        await rasa.close()


def _check_shared_contract(settings: Settings, catalogue: Catalogue) -> list[Any]:
    """Every topic id of ../shared/topics.yml must still be in our catalogue (when shared/ is there)."""
    from bot.content import Problem

    shared = settings.root.parent / "shared" / "topics.yml"
    if not shared.exists():
        return []
    contract = load_catalogue(shared)
    return [Problem("content/topics.yml", 1, f"topic '{t}' of shared/topics.yml is missing; add it back")
            for t in contract.topics if t not in catalogue.topics]


def _sleep_forever() -> None:
    import time

    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="orient", description="Orient: pre-departure orientation assistant.")
    top.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = top.add_subparsers(dest="command", required=True)
    sub.add_parser("chat", help="chat in the console, on the same path as Telegram").set_defaults(func=cmd_chat)
    ask = sub.add_parser("ask", help="send messages and print what the assistant answers")
    ask.add_argument("text", nargs="*", help="the message")
    ask.add_argument("--json", action="store_true", help="one JSON object per message")
    ask.add_argument("--batch", metavar="FILE", help="one message per line")
    ask.set_defaults(func=cmd_ask)
    content = sub.add_parser("content", help="content/ tools").add_subparsers(dest="action", required=True)
    check = content.add_parser("check", help="validate content/ and nlu/ together")
    check.add_argument("--fail-on-warnings", action="store_true")
    check.set_defaults(func=cmd_content_check)
    gaps = content.add_parser("gaps", help="what users asked that the bot could not answer")
    gaps.add_argument("--days", type=int, default=30)
    gaps.add_argument("--limit", type=int, default=50)
    gaps.add_argument("--json", action="store_true", help="one JSON object per message")
    gaps.set_defaults(func=cmd_content_gaps)
    nlu = sub.add_parser("nlu", help="nlu/ tools").add_subparsers(dest="action", required=True)
    nlu.add_parser("sync", help="regenerate nlu/domain.yml and rules from content/topics.yml").set_defaults(
        func=cmd_nlu_sync)
    nlu.add_parser("dedupe", help="drop training lines that repeat held-out or other training lines"
                   ).set_defaults(func=cmd_nlu_dedupe)
    sub.add_parser("serve", help="run Rasa, the action server and the Telegram bot").set_defaults(func=cmd_serve)
    reminders = sub.add_parser("reminders", help="milestone reminders").add_subparsers(dest="action", required=True)
    run_due = reminders.add_parser("run-due", help="send the reminders due now (or at --now)")
    run_due.add_argument("--now", metavar="ISO-TIME", help="e.g. 2027-03-10T09:00:00+01:00")
    run_due.set_defaults(func=cmd_reminders_run_due)
    listing = reminders.add_parser("list", help="reminders and their status")
    listing.add_argument("--chat", type=int, help="one candidate's chat id")
    listing.set_defaults(func=cmd_reminders_list)
    broadcast = sub.add_parser("broadcast", help="campaign alerts").add_subparsers(dest="action", required=True)
    preview = broadcast.add_parser("preview", help="the alert in each language and its recipients")
    preview.add_argument("file")
    preview.set_defaults(func=cmd_broadcast_preview)
    send = broadcast.add_parser("send", help="send an alert file (asks to confirm)")
    send.add_argument("file")
    send.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    send.add_argument("--rate", type=float, help="messages per second (default ORIENT_BROADCAST_RATE, 30)")
    send.set_defaults(func=cmd_broadcast_send)
    status = broadcast.add_parser("status", help="broadcasts and their delivery counts")
    status.add_argument("id", type=int, nargs="?")
    status.set_defaults(func=cmd_broadcast_status)
    resume = broadcast.add_parser("resume", help="continue an interrupted broadcast")
    resume.add_argument("id", type=int)
    resume.add_argument("--rate", type=float)
    resume.set_defaults(func=cmd_broadcast_resume)
    db = sub.add_parser("db", help="database tools").add_subparsers(dest="action", required=True)
    db.add_parser("upgrade", help="apply migrations").set_defaults(func=cmd_db_upgrade)
    return top


def _exit_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C, so the servers we started are stopped, not orphaned."""
    def handler(signum: int, frame: object) -> None:
        raise SystemExit(143)

    signal.signal(signal.SIGTERM, handler)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if threading.current_thread() is threading.main_thread():
        _exit_on_sigterm()
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        return int(args.func(Settings.from_env(), args))
    except OrientError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
