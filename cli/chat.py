"""`run`, `console`, `ask`: talking to the assistant."""
from __future__ import annotations

import argparse
import io
import json
import sys
from typing import BinaryIO

from cli.common import build_assistant
from handlers.demo import newcomer_demo
from handlers.faq import result_record
from handlers.intake import Line, Question, read_lines, take_question
from handlers.messages import Incoming, Reply
from settings import Settings


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Run every configured messenger; with no token, the terminal chat."""
    from channels import registry
    if registry.configured(settings):
        from channels.server import run_channels
        return run_channels(settings, build_assistant(settings))
    return cmd_console(args, settings)


def cmd_console(args: argparse.Namespace, settings: Settings) -> int:
    """Chat with the assistant in the terminal."""
    from channels.console import run_console
    assistant = build_assistant(settings)
    note = newcomer_demo(assistant.db, assistant.clock())  # demo units when the database has none (see README)
    if note:
        print(note)
    run_console(assistant)
    return 0


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    """Answer questions given as an argument, or one a line from stdin with `-`. Each goes through the
    chat's own check (handlers/intake.py); a refused line prints its reason and the batch goes on."""
    from channels.render import numbered_text
    assistant = build_assistant(settings)
    batch = args.question == ["-"]
    lines = read_lines(_stdin_bytes()) if batch else [Line(1, " ".join(args.question))]
    for line in lines:
        question = Question("", line.error) if line.error else take_question(line.text)
        if args.json:
            print(json.dumps(_record(assistant, question, line.number if batch else None), ensure_ascii=False),
                  flush=True)
            continue
        replies = ([Reply(question.error, kind="error")] if question.error
                   else assistant.handle(Incoming("cli", "cli", "cli", question.text)))
        for reply in replies:
            print(numbered_text(reply))
        if batch:
            print("---", flush=True)
    return 0


def _record(assistant, question: Question, number: int | None) -> dict:
    """The `ask --json` record (handlers/faq.result_record), or {"line": n, "error": …} for a refused one."""
    if question.error:
        return {"error": question.error} if number is None else {"line": number, "error": question.error}
    reply, result = assistant.faq.ask(Incoming("cli", "cli", "cli", question.text))
    return result_record(question.text, reply, result)


def _stdin_bytes() -> BinaryIO:
    """stdin as bytes, so each line is decoded on its own (a text stream given by a test is encoded back)."""
    if isinstance(sys.stdin, io.TextIOWrapper):
        return sys.stdin.buffer
    return io.BytesIO(sys.stdin.read().encode("utf-8", "surrogateescape"))


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="chạy các kênh đã cấu hình (không có token: trò chuyện trên terminal)")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("console", help="trò chuyện với trợ lý trên terminal")
    p.set_defaults(func=cmd_console)
    p = sub.add_parser("ask", help="trả lời câu hỏi (một câu, hoặc '-' để đọc mỗi dòng một câu)")
    p.add_argument("--json", action="store_true", help="in mỗi kết quả một dòng JSON")
    p.add_argument("question", nargs="+", help="câu hỏi, hoặc '-' để đọc từ stdin")
    p.set_defaults(func=cmd_ask)
