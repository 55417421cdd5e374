#!/usr/bin/env python3
"""Trợ lý Đại hội Công đoàn: the one command-line entry point (the commands live in cli/).

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

import sys

from cli import build_parser, main
from cli.common import build_assistant

__all__ = ["build_assistant", "build_parser", "main"]

if __name__ == "__main__":
    sys.exit(main())
