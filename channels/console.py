"""Terminal chat: the assistant with no token and no network. Type a question; type a number to pick."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from channels.render import numbered_text
from handlers import texts
from handlers.assistant import Assistant
from handlers.messages import Incoming

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
