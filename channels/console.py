"""Terminal chat: the assistant with no token and no network. Type a question; type a number to pick.

The console is a channel like the others (channels/base.py): its one chat is "console" (the terminal),
answered through `send` as every channel answers, and what the outbox sends is printed and written to
`delivery_log` (`reminders run-once`), since a terminal cannot be reached later. It needs no settings, so `bot.py run` never starts it as a messenger: `run`
with no messenger configured opens the terminal chat instead."""
from __future__ import annotations

import asyncio
import io
import sys
from pathlib import Path
from typing import Any, Callable, TextIO

from channels.base import Channel, ReplyLimits
from channels.render import numbered_text
from handlers import texts
from handlers.assistant import Assistant
from handlers.messages import Incoming, Reply
from scheduler.outbox import log_sender

CHAT = "console"   # the terminal's one chat (and its user)
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
    ConsoleChannel(assistant, stdout=stdout, files_dir=files_dir).chat(stdin)


class ConsoleChannel(Channel):
    name = "console"
    spellings = ("terminal",)
    limits = ReplyLimits(text_limit=1_000_000, buttons=False, files=False, edits=False)

    def __init__(self, assistant: Assistant, echo: Callable[[str, str], None] | None = None,
                 stdout: TextIO | None = None, files_dir: Path | None = None):
        """`echo(chat_id, text)` shows what the outbox sends (default: printed as `--- gửi tới … ---`);
        `stdout` is the terminal its chat prints to, `files_dir` where the files of replies are saved."""
        self.assistant = assistant
        self._log = log_sender(assistant.db, self.name, echo or self._print)
        self.stdout = stdout or sys.stdout
        self.files_dir = files_dir
        self._open = False   # the terminal chat is running: its chat's messages are printed as answers

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
        self.join_outbox(runtime)   # no routes, no steps: the terminal chat itself is `chat`

    async def send(self, chat_id: str, reply: Reply | str, **extra: Any) -> None:
        """The one sender: to the terminal's own chat while it runs, printed as the assistant's words (a
        file saved, since a terminal cannot send one); to anyone else (the outbox), printed and written
        to `delivery_log`, since a terminal cannot reach them later."""
        text = numbered_text(reply) if isinstance(reply, Reply) else str(reply)
        if not (self._open and chat_id == CHAT):
            await self._log(chat_id, text)
            return
        print(f"\nTrợ lý: {text}", file=self.stdout, flush=True)
        saved = save_document(reply, self.files_dir or Path.cwd()) if isinstance(reply, Reply) else None
        if saved:
            print(f"📎 Đã lưu tệp: {saved}", file=self.stdout, flush=True)

    def chat(self, stdin: TextIO = sys.stdin) -> None:
        """The terminal chat: a question a line, answered through `send`, until «thoát» or the end."""
        asyncio.run(self._chat(stdin))

    async def _chat(self, stdin: TextIO) -> None:
        out = self.stdout
        interactive = stdin.isatty()
        if isinstance(stdin, io.TextIOWrapper):  # a line that is not UTF-8 reads with U+FFFD, not the end
            stdin.reconfigure(errors="replace")
        print(self.assistant.faq.welcome(), file=out)
        print("\n(Gõ «thoát» hoặc nhấn Ctrl+D để kết thúc.)", file=out)
        self._open = True
        try:
            while True:
                if interactive:
                    print("\nBạn: ", end="", file=out, flush=True)
                line = stdin.readline()   # blocking on purpose: nothing else runs on this loop
                if not line:
                    break
                line = line.rstrip("\n")
                if line.strip().lower() in EXIT_WORDS:
                    break
                if not interactive:
                    print(f"\nBạn: {line}", file=out)
                await self.answer(CHAT, self.assistant.handle(Incoming(self.name, CHAT, CHAT, line)))
        finally:
            self._open = False
        print(f"\n{texts.GOODBYE}", file=out)
