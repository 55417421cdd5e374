#!/usr/bin/env python3
"""Trợ lý Đại hội Công đoàn: the one command-line entry point.

Usage:
    python bot.py                      # same as `run`
    python bot.py run                  # configured messengers, or the terminal chat with no token
    python bot.py console              # terminal chat
    python bot.py ask [--json] "câu hỏi"   |   python bot.py ask --json -  (one question a line)
    python bot.py knowledge check|export --json|reload
    python bot.py zalo set-webhook URL | webhook-info | delete-webhook | me   # Zalo bot setup
    python bot.py demo [--remove]                        # demo units laid relative to today
    python bot.py import units|officers|results FILE [--dry-run]  # .csv or .xlsx as union offices keep them
    python bot.py units list|show CODE|ics CODE [-o FILE]|set-date CODE DATE
    python bot.py plans check
    python bot.py reminders preview [--from DATE] [--to DATE] | run-once [--all-channels]
    python bot.py admin add ID [--unit CODE] | admin list | admin remove ID
    python bot.py broadcast --to all|level:NAME|subtree:CODE|units:A,B|pending --text "…" [--yes] | --resume
    python bot.py stats [--days N]   |   python bot.py unanswered [--days N] [--csv FILE]
    python bot.py progress [--unit CODE] [--staff ID] [--xlsx FILE]   # where every unit stands
    python bot.py --now "YYYY-MM-DD HH:MM" …              # the clock, read in Asia/Ho_Chi_Minh

Settings come from the environment or `.env` (see README); `--db PATH` overrides DB_PATH.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys

import clock
from handlers import admin_cli, progress_cli
from handlers.assistant import Assistant
from handlers.messages import Incoming
from knowledge.entries import KnowledgeError, check_entries, load_entries
from knowledge.store import read_entries, reload_from_files
from logging_setup import setup_logging
from settings import Settings, load_settings
from storage import open_db
from storage.admins import sync_env_admins

log = logging.getLogger("bot")


def build_assistant(settings: Settings) -> Assistant:
    """Open the database, load changed knowledge files, and build the assistant."""
    db = open_db(settings.db_path)
    reload_from_files(db, settings.knowledge_dir)
    sync_env_admins(db, settings.admin_telegram_ids, clock.now())  # ADMIN_TELEGRAM_IDS
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
    from handlers.unit_admin import newcomer_demo
    assistant = build_assistant(settings)
    note = newcomer_demo(assistant.db)  # demo units when the database has none (see README)
    if note:
        print(note)
    run_console(assistant)
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
        # The edition the answer follows ("chung": true in every edition, so the one asked for).
        "edition": (result.edition if best.entry.edition == "chung" else best.entry.edition)
        if answered else None,
        "asked_edition": result.edition,
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
    if not problems:  # retrieval is measured on entries that are each well formed
        from knowledge.check import check_retrieval
        problems = check_retrieval(entries)
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


# -- units, deadlines, reminders (logic in handlers/unit_admin.py) ------------------------------------
def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Create demo units laid relative to today (or remove them with --remove)."""
    from handlers.unit_admin import run_demo
    return run_demo(open_db(settings.db_path), args.remove)


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    """Import units or officers from a .csv / .xlsx file; any bad row changes nothing."""
    from handlers.unit_admin import run_import
    return run_import(open_db(settings.db_path), args.what, args.file, args.dry_run)


def cmd_units_list(args: argparse.Namespace, settings: Settings) -> int:
    """List units with their congress date and invite code."""
    from handlers.unit_admin import list_units
    return list_units(open_db(settings.db_path))


def cmd_units_show(args: argparse.Namespace, settings: Settings) -> int:
    """Print a unit's whole timeline."""
    from handlers.unit_admin import show_unit
    return show_unit(open_db(settings.db_path), args.code)


def cmd_units_ics(args: argparse.Namespace, settings: Settings) -> int:
    """Write a unit's timeline as an .ics calendar file."""
    from handlers.unit_admin import write_ics
    return write_ics(open_db(settings.db_path), args.code, args.output)


def cmd_units_set_date(args: argparse.Namespace, settings: Settings) -> int:
    """Change a unit's congress date; its pending reminders are re-planned."""
    from handlers.unit_admin import set_date
    return set_date(open_db(settings.db_path), args.code, args.date, args.time, args.status)


def cmd_plans_check(args: argparse.Namespace, settings: Settings) -> int:
    """Validate the plan files in knowledge/plans; exit 1 on any problem."""
    from handlers.unit_admin import check_plan_files
    return check_plan_files()


def cmd_reminders_preview(args: argparse.Namespace, settings: Settings) -> int:
    """List the reminders that would be sent, to whom and when."""
    from handlers.unit_admin import preview
    return preview(open_db(settings.db_path), args.from_date, args.to_date)


def cmd_reminders_run_once(args: argparse.Namespace, settings: Settings) -> int:
    """Plan due reminders and send them once to console chats (--all-channels: a simulation on a copy)."""
    from handlers.unit_admin import run_reminders_once
    return run_reminders_once(open_db(settings.db_path), args.all_channels)


# -- Zalo setup (logic in channels/zalo.py) -----------------------------------------------------------
def _report(result: tuple[int, str]) -> int:
    code, message = result
    print(message if code == 0 else f"LỖI: {message}", file=sys.stdout if code == 0 else sys.stderr)
    return code


def cmd_zalo_set_webhook(args: argparse.Namespace, settings: Settings) -> int:
    """Point the Zalo bot's webhook at URL, with ZALO_WEBHOOK_SECRET as its secret."""
    from channels.zalo import admin_set_webhook
    return _report(admin_set_webhook(settings, args.url))


def cmd_zalo_webhook_info(args: argparse.Namespace, settings: Settings) -> int:
    """Show where the Zalo bot's webhook points."""
    from channels.zalo import admin_webhook_info
    return _report(admin_webhook_info(settings))


def cmd_zalo_delete_webhook(args: argparse.Namespace, settings: Settings) -> int:
    """Remove the Zalo webhook (for polling during development)."""
    from channels.zalo import admin_delete_webhook
    return _report(admin_delete_webhook(settings))


def cmd_zalo_me(args: argparse.Namespace, settings: Settings) -> int:
    """Check ZALO_BOT_TOKEN with getMe."""
    from channels.zalo import admin_me
    return _report(admin_me(settings))


# -- parser -----------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bot.py", description="Trợ lý Đại hội Công đoàn")
    parser.add_argument("--db", metavar="PATH", help="tệp SQLite (mặc định data/assistant.db hoặc DB_PATH)")
    parser.add_argument("-v", "--verbose", action="store_true", help="ghi log chi tiết")
    parser.add_argument("--now", metavar="'YYYY-MM-DD HH:MM'",
                        help="đặt đồng hồ (giờ Việt Nam) để mô phỏng, ví dụ --now '2023-02-20 08:00'")
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

    p = sub.add_parser("demo", help="tạo đơn vị minh họa theo kế hoạch mẫu, dời cho gần hôm nay")
    p.add_argument("--remove", action="store_true", help="xóa các đơn vị minh họa")
    p.set_defaults(func=cmd_demo)

    imp = sub.add_parser("import", help="nhập danh sách đơn vị hoặc cán bộ từ tệp .csv/.xlsx")
    isub = imp.add_subparsers(dest="what", metavar="WHAT", required=True)
    for what, label in (("units", "đơn vị"), ("officers", "cán bộ (kênh, ID, đơn vị)"),
                        ("results", "kết quả đại hội (mỗi đơn vị một dòng)")):
        p = isub.add_parser(what, help=f"nhập danh sách {label}; có dòng lỗi thì không nhập gì")
        p.add_argument("file", metavar="FILE", help="tệp .csv hoặc .xlsx")
        p.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi")
        p.set_defaults(func=cmd_import)

    u = sub.add_parser("units", help="xem đơn vị, lịch, tệp .ics; đổi ngày đại hội")
    usub = u.add_subparsers(dest="units_command", metavar="ACTION", required=True)
    p = usub.add_parser("list", help="liệt kê đơn vị, ngày đại hội, mã đăng ký")
    p.set_defaults(func=cmd_units_list)
    p = usub.add_parser("show", help="cả lịch của một đơn vị")
    p.add_argument("code", metavar="CODE", help="mã đơn vị")
    p.set_defaults(func=cmd_units_show)
    p = usub.add_parser("ics", help="ghi lịch của đơn vị ra tệp .ics")
    p.add_argument("code", metavar="CODE", help="mã đơn vị")
    p.add_argument("-o", "--output", metavar="FILE", help="tệp ra (mặc định lich-<mã>.ics)")
    p.set_defaults(func=cmd_units_ics)
    p = usub.add_parser("set-date", help="đổi ngày đại hội (hủy nhắc hạn cũ, lập nhắc hạn mới)")
    p.add_argument("code", metavar="CODE", help="mã đơn vị")
    p.add_argument("date", metavar="DATE", help="ngày đại hội mới, dd/mm/yyyy")
    p.add_argument("--time", metavar="HH:MM", help="giờ khai mạc")
    p.add_argument("--status", metavar="TRẠNG_THÁI", help="chưa tổ chức | đã tổ chức | hoãn")
    p.set_defaults(func=cmd_units_set_date)

    pl = sub.add_parser("plans", help="kế hoạch đại hội của cấp trên (knowledge/plans)")
    plsub = pl.add_subparsers(dest="plans_command", metavar="ACTION", required=True)
    p = plsub.add_parser("check", help="kiểm tra các tệp kế hoạch (lỗi thì thoát mã 1)")
    p.set_defaults(func=cmd_plans_check)

    r = sub.add_parser("reminders", help="xem trước, chạy thử nhắc hạn")
    rsub = r.add_subparsers(dest="reminders_command", metavar="ACTION", required=True)
    p = rsub.add_parser("preview", help="nhắc hạn sẽ gửi: cho ai, lúc nào")
    p.add_argument("--from", dest="from_date", metavar="DATE", help="từ ngày (dd/mm/yyyy; mặc định hôm nay)")
    p.add_argument("--to", dest="to_date", metavar="DATE", help="đến ngày (mặc định sau 30 ngày)")
    p.set_defaults(func=cmd_reminders_preview)
    p = rsub.add_parser("run-once", help="lập lịch và gửi một lượt những nhắc hạn đã đến giờ")
    p.add_argument("--all-channels", action="store_true",
                   help="mô phỏng trên bản sao cơ sở dữ liệu: in cả tin Telegram/Zalo, không gửi và không ghi gì")
    p.set_defaults(func=cmd_reminders_run_once)
    z = sub.add_parser("zalo", help="cài đặt bot Zalo: webhook, kiểm tra token")
    zsub = z.add_subparsers(dest="zalo_command", metavar="ACTION", required=True)
    p = zsub.add_parser("set-webhook", help="đặt webhook Zalo tới URL (cần ZALO_WEBHOOK_SECRET)")
    p.add_argument("url", metavar="URL", help="địa chỉ https công khai, ví dụ https://ten-mien.vn/zalo/webhook")
    p.set_defaults(func=cmd_zalo_set_webhook)
    p = zsub.add_parser("webhook-info", help="xem webhook Zalo đang đặt")
    p.set_defaults(func=cmd_zalo_webhook_info)
    p = zsub.add_parser("delete-webhook", help="xóa webhook Zalo (để chạy kiểu polling khi phát triển)")
    p.set_defaults(func=cmd_zalo_delete_webhook)
    p = zsub.add_parser("me", help="kiểm tra ZALO_BOT_TOKEN (getMe)")
    p.set_defaults(func=cmd_zalo_me)

    admin_cli.add_parsers(sub, lambda s: open_db(s.db_path))  # admin, broadcast, stats, unanswered
    progress_cli.add_parsers(sub, lambda s: open_db(s.db_path))  # progress [--unit] [--xlsx]
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.now:
        try:
            moment = clock.parse_local(args.now)
        except ValueError as exc:
            parser.error(str(exc))
        # A running bot keeps ticking from that moment; one-shot commands see it frozen.
        clock.set_now(moment, ticking=args.command in (None, "run", "console"))
    settings = load_settings(args.db)
    setup_logging(settings, verbose=args.verbose)
    func = getattr(args, "func", cmd_run)
    try:
        return func(args, settings)
    finally:
        if args.now:
            clock.set_now(None)


if __name__ == "__main__":
    sys.exit(main())
