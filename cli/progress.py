"""`progress [--unit CODE] [--staff ID] [--xlsx FILE]`: the /tiendo report in the terminal, and the
workbook an office sends upward."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

import sqlite_utils

import clock
from cli.common import database
from handlers.progress import scope_label
from handlers.progress_report import progress_text, staff_names, write_workbook
from scheduler import progress
from settings import Settings
from storage import results as store
from storage import units as unit_store


def run_progress(db: sqlite_utils.Database, unit: str | None, staff: str | None, xlsx: str | None,
                 channel: str = "telegram", out: TextIO | None = None) -> int:
    out = out or sys.stdout
    today = clock.local_date(clock.now())
    if unit and unit_store.get_unit(db, unit) is None:
        print(f"LỖI: không có đơn vị mã «{unit}».", file=out)
        return 2
    codes = progress.scope_units(db, unit.upper()) if unit else None
    label = scope_label(db, unit.upper() if unit else None)
    if staff:
        followed = set(store.followed_by(db, channel, staff))
        codes = followed if codes is None else codes & followed
        name = staff_names(db).get((channel, staff), staff)
        label = f"{label}, {name} phụ trách"
    items = progress.unit_progress(db, today, codes)
    summary = progress.summarise(items, today)
    print(progress_text(items, summary, label, today, staff_names(db)), file=out)
    if xlsx:
        path = Path(xlsx)
        write_workbook(path, items, summary, label, today, staff_names(db))
        print(f"\nĐã ghi bảng tính {path} ({len(items)} đơn vị; trang «Tổng hợp» và «Đơn vị»).", file=out)
    return 0


def cmd_progress(args: argparse.Namespace, settings: Settings) -> int:
    """Print the progress of the round (and write the workbook with --xlsx)."""
    return run_progress(database(settings), args.unit, args.staff, args.xlsx, args.channel)


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("progress", help="tiến độ đại hội: tóm tắt, đơn vị quá hạn; --xlsx ghi bảng tính")
    p.add_argument("--unit", metavar="CODE", help="chỉ các đơn vị thuộc đơn vị này")
    p.add_argument("--staff", metavar="ID", help="chỉ các đơn vị cán bộ (quản trị viên) này phụ trách")
    p.add_argument("--channel", default="telegram", help="kênh của --staff (mặc định telegram)")
    p.add_argument("--xlsx", metavar="FILE", help="ghi bảng tính .xlsx: trang tổng hợp và mỗi đơn vị một dòng")
    p.set_defaults(func=cmd_progress)
