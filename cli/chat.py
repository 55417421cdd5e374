"""`run`, `console`, `ask`: talking to the assistant."""
from __future__ import annotations

import argparse
import json
import sys

from cli.common import build_assistant
from handlers.demo import newcomer_demo
from handlers.faq import result_record
from handlers.messages import Incoming
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
    """Answer questions given as an argument, or one a line from stdin with `-`."""
    from channels.render import numbered_text
    assistant = build_assistant(settings)
    questions = ([line.rstrip("\n") for line in sys.stdin] if args.question == ["-"]
                 else [" ".join(args.question)])
    for question in questions:
        if args.json:
            reply, result = assistant.faq.ask(Incoming("cli", "cli", "cli", question))
            print(json.dumps(result_record(question, reply, result), ensure_ascii=False), flush=True)
        else:
            for reply in assistant.handle(Incoming("cli", "cli", "cli", question)):
                print(numbered_text(reply))
            if len(questions) > 1:
                print("---")
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="chạy các kênh đã cấu hình (không có token: trò chuyện trên terminal)")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("console", help="trò chuyện với trợ lý trên terminal")
    p.set_defaults(func=cmd_console)
    p = sub.add_parser("ask", help="trả lời câu hỏi (một câu, hoặc '-' để đọc mỗi dòng một câu)")
    p.add_argument("--json", action="store_true", help="in mỗi kết quả một dòng JSON")
    p.add_argument("question", nargs="+", help="câu hỏi, hoặc '-' để đọc từ stdin")
    p.set_defaults(func=cmd_ask)
