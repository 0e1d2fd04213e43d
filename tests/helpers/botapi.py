"""A local stand-in for the Telegram Bot API: queues updates, records what the bot sends.

PTB talks to it through `base_url`, exactly as it talks to api.telegram.org.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

BOT_ID = 777000


def _decode(value: str) -> Any:
    """PTB sends nested objects (reply_markup, link_preview_options) as JSON inside form fields."""
    if value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


@dataclass
class BotAPI:
    """Start with `start()`; `base_url` goes to ApplicationBuilder().base_url()."""

    updates: list[dict[str, Any]] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # every call, refused ones too
    delivered: list[dict[str, Any]] = field(default_factory=list)  # sendMessage calls answered 200
    blocked_chats: set[int] = field(default_factory=set)
    fail_next: list[int] = field(default_factory=list)  # HTTP statuses for the next sendMessage calls
    on_send: Any = None  # optional callback(chat_id) on each delivered sendMessage (benches)
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    def start(self) -> "BotAPI":
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the real Bot API
            # Headers and body go out in two writes; with Nagle's algorithm the body then waits
            # for the client's delayed ACK (40 ms), which capped each connection at ~22 requests/s.
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8")
                kind = self.headers.get("Content-Type", "")
                params = json.loads(raw) if "json" in kind and raw else {
                    k: _decode(v[0]) for k, v in parse_qs(raw).items()}
                method = self.path.rsplit("/", 1)[-1]
                status, body = api.answer(method, params)
                data = json.dumps(body).encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the bot hung up a long poll while shutting down

            do_GET = do_POST

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # --- what tests do ----------------------------------------------------

    def user_says(self, chat_id: int, text: str, language_code: str = "fr") -> None:
        entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}] \
            if text.startswith("/") else []
        message = {**self._message_base(chat_id, language_code), "text": text}
        if entities:
            message["entities"] = entities
        self._push({"message": message})

    def group_says(self, group_id: int, user_id: int, text: str) -> None:
        message = {**self._message_base(user_id, "fr"), "text": text,
                   "chat": {"id": group_id, "type": "group", "title": "Group"}}
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        self._push({"message": message})

    def user_blocks(self, chat_id: int) -> None:
        """Telegram's my_chat_member update when a user blocks the bot."""
        bot = {"id": BOT_ID, "is_bot": True, "first_name": "Orient"}
        self._push({"my_chat_member": {
            "chat": {"id": chat_id, "type": "private", "first_name": "Test"},
            "from": self._user(chat_id, "fr"), "date": int(time.time()),
            "old_chat_member": {"status": "member", "user": bot},
            "new_chat_member": {"status": "kicked", "user": bot, "until_date": 0}}})

    def user_sends(self, chat_id: int, **content: Any) -> None:
        """A non-text message: user_sends(1, sticker={...}) or photo=[...]."""
        self._push({"message": {**self._message_base(chat_id, "fr"), **content}})

    def user_presses(self, chat_id: int, data: str) -> None:
        self._push({"callback_query": {
            "id": str(next(self._ids)), "from": self._user(chat_id, "fr"), "chat_instance": "1",
            "data": data, "message": {**self._message_base(chat_id, "fr"), "text": "buttons",
                                      "from": {"id": BOT_ID, "is_bot": True, "first_name": "Orient"}}}})

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        return [p for m, p in self.calls if m == method]

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Messages that reached the user (a 403, 429 or 502 answer delivers nothing)."""
        return [p for p in self.delivered if chat_id is None or int(p["chat_id"]) == chat_id]

    def attempts(self, chat_id: int) -> list[dict[str, Any]]:
        """Every sendMessage call for the chat, delivered or refused."""
        return [p for p in self.calls_to("sendMessage") if int(p["chat_id"]) == chat_id]

    def wait_for_messages(self, chat_id: int, count: int, timeout: float = 30.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.sent(chat_id)) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"chat {chat_id}: expected {count} messages, got {self.sent(chat_id)}")
                self._cond.wait(remaining)
            return self.sent(chat_id)

    # --- the Bot API --------------------------------------------------------

    def answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._cond:
            self.calls.append((method, params))
            self._cond.notify_all()
        if method == "getMe":
            return 200, {"ok": True, "result": {"id": BOT_ID, "is_bot": True, "first_name": "Orient",
                                                "username": "orient_test_bot"}}
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._take_updates(params)}
        if method in ("sendMessage",):
            chat_id = int(params["chat_id"])
            if self.fail_next:
                status = self.fail_next.pop(0)
                if status == 429:
                    return 429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
                                 "parameters": {"retry_after": 1}}
                return status, {"ok": False, "error_code": status, "description": "Bad Gateway"}
            if chat_id in self.blocked_chats:
                return 403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
            with self._cond:
                self.delivered.append(params)
                self._cond.notify_all()
            if self.on_send is not None:
                self.on_send(chat_id)
            return 200, {"ok": True, "result": {**self._message_base(chat_id, "fr"),
                                                "message_id": next(self._ids), "text": params.get("text", ""),
                                                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Orient"}}}
        return 200, {"ok": True, "result": True}

    def _take_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 1.0)
        deadline = time.monotonic() + timeout
        with self._cond:
            # Like Telegram: asking from `offset` confirms (and forgets) every earlier update.
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            while True:
                pending = [u for u in self.updates if u["update_id"] >= offset]
                if pending or time.monotonic() >= deadline:
                    return pending
                self._cond.wait(max(0.0, deadline - time.monotonic()))

    def _push(self, update: dict[str, Any]) -> None:
        with self._cond:
            update["update_id"] = next(self._ids)
            self.updates.append(update)
            self._cond.notify_all()

    def _user(self, chat_id: int, language_code: str) -> dict[str, Any]:
        return {"id": chat_id, "is_bot": False, "first_name": "Test", "language_code": language_code}

    def _message_base(self, chat_id: int, language_code: str) -> dict[str, Any]:
        return {"message_id": next(self._ids), "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private", "first_name": "Test"},
                "from": self._user(chat_id, language_code)}
