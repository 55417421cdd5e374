"""Terminal chat: the assistant with no token and no network. Type a question; type a number to pick.

The console is a channel like the others (channels/base.py): its chats are "console", and what the
outbox sends to them is printed and written to `delivery_log` (`reminders run-once`), since a terminal
cannot be reached later. It needs no settings, so `bot.py run` never starts it as a messenger: `run`
with no messenger configured opens the terminal chat instead."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable, TextIO

from channels.base import Channel, ReplyLimits
from channels.render import numbered_text
from handlers import texts
from handlers.assistant import Assistant
from handlers.messages import Incoming, Reply
from scheduler.outbox import log_sender

EXIT_WORDS = {"thoat", "thoát", "exit", "quit", "/thoat", "/exit", "/quit"}


def save_document(reply, folder: Path) -> Path | None:
    """A terminal cannot send a file: write it to `folder` and say where."""
    if reply.document is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / Path(reply.document.filename).name  # never a path from the reply itself
    path.write_bytes(reply.document.content)
    return path


def run_console(assistant: Assistant, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout,
                files_dir: Path | None = None) -> None:
    interactive = stdin.isatty()
    if hasattr(stdin, "reconfigure"):  # a line that is not UTF-8 reads with U+FFFD instead of ending the chat
        stdin.reconfigure(errors="replace")
    print(texts.WELCOME, file=stdout)
    print("\n(Gõ «thoát» hoặc nhấn Ctrl+D để kết thúc.)", file=stdout)
    while True:
        if interactive:
            print("\nBạn: ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            break
        line = line.rstrip("\n")
        if line.strip().lower() in EXIT_WORDS:
            break
        if not interactive:
            print(f"\nBạn: {line}", file=stdout)
        for reply in assistant.handle(Incoming("console", "console", "console", line)):
            print(f"\nTrợ lý: {numbered_text(reply)}", file=stdout, flush=True)
            saved = save_document(reply, files_dir or Path.cwd())
            if saved:
                print(f"📎 Đã lưu tệp: {saved}", file=stdout, flush=True)
    print(f"\n{texts.GOODBYE}", file=stdout)


class ConsoleChannel(Channel):
    name = "console"
    spellings = ("terminal",)
    limits = ReplyLimits(text_limit=1_000_000, buttons=False, files=False, edits=False)

    def __init__(self, assistant: Assistant, echo: Callable[[str, str], None] | None = None):
        """`echo(chat_id, text)` shows what the outbox sends (default: printed as `--- gửi tới … ---`)."""
        self.assistant = assistant
        self._send = log_sender(assistant.db, self.name, echo or self._print)

    @staticmethod
    def _print(chat_id: str, text: str) -> None:
        print(f"\n--- gửi tới {chat_id} ---\n{text}")

    @classmethod
    def configured(cls, settings: Any) -> bool:
        return False   # nothing to configure, and nothing to run beside the messengers

    @classmethod
    def from_settings(cls, assistant: Assistant, settings: Any) -> ConsoleChannel:
        return cls(assistant)

    def join(self, runtime: Any) -> None:
        self.join_outbox(runtime)   # no routes, no steps: the terminal chat itself is `run_console`

    async def send(self, chat_id: str, reply: Reply | str, **extra: Any) -> None:
        await self._send(chat_id, numbered_text(reply) if isinstance(reply, Reply) else str(reply))

    def chat(self, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout, files_dir: Path | None = None) -> None:
        run_console(self.assistant, stdin, stdout, files_dir)
