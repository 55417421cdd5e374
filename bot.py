#!/usr/bin/env python3
"""Trợ lý Đại hội Công đoàn: the one command-line entry point.

Usage:
    python bot.py                      # same as `run`
    python bot.py run                  # configured messengers, or the terminal chat with no token
    python bot.py console              # terminal chat
    python bot.py ask [--json] "câu hỏi"   |   python bot.py ask --json -  (one question a line)
    python bot.py knowledge check|export --json|reload

Settings come from the environment or `.env` (see README); `--db PATH` overrides DB_PATH.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys

from handlers.assistant import Assistant
from handlers.messages import Incoming
from knowledge.entries import KnowledgeError, check_entries, load_entries
from knowledge.store import read_entries, reload_from_files
from logging_setup import setup_logging
from settings import Settings, load_settings
from storage import open_db

log = logging.getLogger("bot")


def build_assistant(settings: Settings) -> Assistant:
    """Open the database, load changed knowledge files, and build the assistant."""
    db = open_db(settings.db_path)
    reload_from_files(db, settings.knowledge_dir)
    return Assistant(db, settings.active_edition)


# -- commands ---------------------------------------------------------------------------------------
def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Run every configured messenger; with no token, the terminal chat."""
    if settings.telegram_token or settings.zalo_token:
        try:
            from channels.server import run_channels
        except ImportError:
            print("Kênh Telegram/Zalo chưa có trong phiên bản này; mở trò chuyện trên terminal.",
                  file=sys.stderr)
        else:
            return run_channels(settings, build_assistant(settings))
    return cmd_console(args, settings)


def cmd_console(args: argparse.Namespace, settings: Settings) -> int:
    """Chat with the assistant in the terminal."""
    from channels.console import run_console
    run_console(build_assistant(settings))
    return 0


def _result_json(assistant: Assistant, question: str) -> dict:
    reply, result = assistant.faq.ask(Incoming("cli", "cli", "cli", question))
    best = result.best
    answered = result.status == "answered"
    return {
        "q": question,
        "status": result.status,
        "answer": reply.text if answered else None,
        "faq_id": best.entry.id if answered else None,
        "score": result.score,
        "source": best.entry.source if answered else None,
        "edition": best.entry.edition if answered else None,
        "suggestions": [
            {"faq_id": c.entry.id, "question": c.entry.question, "answer": c.entry.answer,
             "score": c.score}
            for c in (result.candidates if result.status == "suggested" else [])
        ],
    }


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    """Answer questions given as an argument, or one a line from stdin with `-`."""
    from channels.render import numbered_text
    assistant = build_assistant(settings)
    questions = ([line.rstrip("\n") for line in sys.stdin] if args.question == ["-"]
                 else [" ".join(args.question)])
    for question in questions:
        if args.json:
            print(json.dumps(_result_json(assistant, question), ensure_ascii=False), flush=True)
        else:
            for reply in assistant.handle(Incoming("cli", "cli", "cli", question)):
                print(numbered_text(reply))
            if len(questions) > 1:
                print("---")
    return 0


def cmd_knowledge_check(args: argparse.Namespace, settings: Settings) -> int:
    """Validate the knowledge files; exit 1 on any problem."""
    try:
        entries = load_entries(settings.knowledge_dir)
    except KnowledgeError as exc:
        print(f"LỖI: {exc}")
        return 1
    problems = check_entries(entries)
    for p in problems:
        print(f"LỖI: {p}")
    phrasings = sum(len(e.phrasings) for e in entries)
    print(f"{len(entries)} mục, {phrasings} cách hỏi khác, {len(problems)} lỗi.")
    return 1 if problems or not entries else 0


def cmd_knowledge_export(args: argparse.Namespace, settings: Settings) -> int:
    """Print every stored entry with all its phrasings (file and admin)."""
    db = open_db(settings.db_path)
    reload_from_files(db, settings.knowledge_dir)
    rows = [{"id": e.id, "topic": e.topic, "question": e.question, "phrasings": e.phrasings,
             "answer": e.answer, "source": e.source, "edition": e.edition,
             "confidence": e.confidence, "tags": e.tags, "file": e.file}
            for e in read_entries(db)]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for r in rows:
            print(f"{r['id']}\t{r['topic']}\t{r['question']}")
    return 0


def cmd_knowledge_reload(args: argparse.Namespace, settings: Settings) -> int:
    """Load the knowledge files into the database (idempotent)."""
    try:
        entries = load_entries(settings.knowledge_dir)
    except KnowledgeError as exc:
        print(f"LỖI: {exc}")
        return 1
    problems = check_entries(entries)
    if problems:
        for p in problems:
            print(f"LỖI: {p}")
        print("Không nạp lại: hãy sửa các lỗi trên (python bot.py knowledge check).")
        return 1
    db = open_db(settings.db_path)
    result = reload_from_files(db, settings.knowledge_dir, force=args.force)
    state = "đã nạp lại" if result.changed else "không có thay đổi"
    print(f"Kiến thức {state}: {result.entries} mục, {result.phrasings} cách hỏi "
          f"(phiên bản {result.version}).")
    return 0


# -- parser -----------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bot.py", description="Trợ lý Đại hội Công đoàn")
    parser.add_argument("--db", metavar="PATH", help="tệp SQLite (mặc định data/assistant.db hoặc DB_PATH)")
    parser.add_argument("-v", "--verbose", action="store_true", help="ghi log chi tiết")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("run", help="chạy các kênh đã cấu hình (không có token: trò chuyện trên terminal)")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("console", help="trò chuyện với trợ lý trên terminal")
    p.set_defaults(func=cmd_console)
    p = sub.add_parser("ask", help="trả lời câu hỏi (một câu, hoặc '-' để đọc mỗi dòng một câu)")
    p.add_argument("--json", action="store_true", help="in mỗi kết quả một dòng JSON")
    p.add_argument("question", nargs="+", help="câu hỏi, hoặc '-' để đọc từ stdin")
    p.set_defaults(func=cmd_ask)

    k = sub.add_parser("knowledge", help="kiểm tra, xuất, nạp lại kho kiến thức")
    ksub = k.add_subparsers(dest="knowledge_command", metavar="ACTION", required=True)
    p = ksub.add_parser("check", help="kiểm tra các tệp kiến thức (lỗi thì thoát mã 1)")
    p.set_defaults(func=cmd_knowledge_check)
    p = ksub.add_parser("export", help="xuất mọi mục cùng mọi cách hỏi")
    p.add_argument("--json", action="store_true", help="xuất dạng JSON")
    p.set_defaults(func=cmd_knowledge_export)
    p = ksub.add_parser("reload", help="nạp các tệp kiến thức vào cơ sở dữ liệu")
    p.add_argument("--force", action="store_true", help="nạp lại cả khi tệp không đổi")
    p.set_defaults(func=cmd_knowledge_reload)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = load_settings(args.db)
    setup_logging(settings, verbose=args.verbose)
    func = getattr(args, "func", cmd_run)
    return func(args, settings)


if __name__ == "__main__":
    sys.exit(main())
