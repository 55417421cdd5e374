"""`knowledge check | export | reload`: the knowledge files and their copy in the database."""
from __future__ import annotations

import argparse
import json

from cli.common import database
from knowledge.check import check_knowledge
from knowledge.store import read_entries, reload_from_files
from settings import Settings


def cmd_knowledge_check(args: argparse.Namespace, settings: Settings) -> int:
    """Validate the knowledge files; exit 1 on any problem."""
    entries, problems = check_knowledge(settings.knowledge_dir)
    for p in problems:
        print(f"LỖI: {p}")
    if entries is None:
        return 1
    phrasings = sum(len(e.phrasings) for e in entries)
    print(f"{len(entries)} mục, {phrasings} cách hỏi khác, {len(problems)} lỗi.")
    return 1 if problems or not entries else 0


def cmd_knowledge_export(args: argparse.Namespace, settings: Settings) -> int:
    """Print every stored entry with all its phrasings (file and admin)."""
    db = database(settings)
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
    """Load the knowledge files into the database (idempotent); refused while a file has an error."""
    entries, problems = check_knowledge(settings.knowledge_dir, retrieval=False)
    if problems:
        for p in problems:
            print(f"LỖI: {p}")
        if entries is not None:
            print("Không nạp lại: hãy sửa các lỗi trên (python bot.py knowledge check).")
        return 1
    result = reload_from_files(database(settings), settings.knowledge_dir, force=args.force)
    state = "đã nạp lại" if result.changed else "không có thay đổi"
    print(f"Kiến thức {state}: {result.entries} mục, {result.phrasings} cách hỏi "
          f"(phiên bản {result.version}).")
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
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
