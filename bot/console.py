"""`orient chat`: the console channel, on the same path as Telegram (buttons as numbered choices)."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from bot.conversation import Assistant, Reply
from bot.rendering import Button

CONSOLE_CHAT_ID = -1  # Telegram private chats are positive ids; the console never collides


def show(reply: Reply, out: TextIO) -> list[Button]:
    """Print a reply; return its buttons in the order of their numbers."""
    numbered: list[Button] = []
    for message in reply.messages:
        print(f"\nOrient> {message.text}", file=out)
        for row in message.buttons:
            for button in row:
                numbered.append(button)
                print(f"  [{len(numbered)}] {button.label}", file=out)
    print(file=out, flush=True)
    return numbered


async def chat(assistant: Assistant, chat_id: int = CONSOLE_CHAT_ID,
               stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> None:
    """Read lines until end of input or 'quit'; a number presses the matching button."""
    print("Orient console chat. Type your question (Arabic, Darija, French or English); "
          "a number picks a button; 'quit' leaves.", file=out, flush=True)
    buttons: list[Button] = []
    while True:
        print("You> ", end="", file=out, flush=True)
        line = await asyncio.to_thread(stdin.readline)
        if not line or line.strip().lower() in ("quit", "exit", ":q"):
            print(file=out)
            return
        text = line.strip()
        if text.isdigit() and 1 <= int(text) <= len(buttons):
            text = buttons[int(text) - 1].payload
        buttons = show(await assistant.handle(chat_id, text), out)
