"""The command line: `python bot.py COMMAND …` (bot.py only hands argv to `main`).

One module a family of commands; each adds its parsers with `add_parsers(sub)`, and each command is a
`cmd_<name>(args, settings) -> int` that calls one library function returning data and prints it in
Vietnamese (the sqlite-utils habit). Exit codes: 0 fine, 1 something did not go through, 2 bad input
(nothing changed then).

    run | console | ask                       cli/chat.py
    knowledge check | export | reload         cli/knowledge.py
    demo | import | units | plans | reminders cli/units.py
    zalo set-webhook | webhook-info | …       cli/zalo.py
    admin | broadcast | stats | unanswered    cli/admin.py
    progress                                  cli/progress.py
"""
from __future__ import annotations

import argparse

import clock
from cli import admin, chat, knowledge, progress, units, zalo
from logging_setup import setup_logging
from settings import load_settings

FAMILIES = (chat, knowledge, units, zalo, admin, progress)   # the order `--help` lists them in


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bot.py", description="Trợ lý Đại hội Công đoàn")
    parser.add_argument("--db", metavar="PATH", help="tệp SQLite (mặc định data/assistant.db hoặc DB_PATH)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="ghi log chi tiết, kể cả nội dung tin nhắn và tên người gửi (chỉ để gỡ lỗi)")
    parser.add_argument("--now", metavar="'YYYY-MM-DD HH:MM'",
                        help="đặt đồng hồ (giờ Việt Nam) để mô phỏng, ví dụ --now '2023-02-20 08:00'")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for family in FAMILIES:
        family.add_parsers(sub)
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
    func = getattr(args, "func", chat.cmd_run)
    try:
        return func(args, settings)
    finally:
        if args.now:
            clock.set_now(None)
