"""`demo`, `import`, `units`, `plans`, `reminders`: units, their congress timelines and reminders.

Each `cmd_*` opens the database and calls the function of the same subject below, which takes the
database and `out` (tests pass a StringIO) and returns the exit code."""
from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import TextIO

import sqlite_utils

import clock
from datefmt import date_range, dmy, long_date, moment
from channels import registry
from cli.common import database
from handlers import demo
from handlers.calendar_ics import ics_filename, unit_calendar
from handlers.deadlines import timeline_text
from handlers.importing import CellError, ImportFileError, import_officers, import_units, parse_date, parse_time
from handlers.results_import import import_results
from knowledge.plan import UnitDataError, check_plans, load_plans, plans, unit_timeline
from knowledge.unit_terms import LEVELS, STATUSES, parse_status
from scheduler import reminders
from scheduler.jobs import create_dispatcher, run_once
from scheduler.outbox import log_sender
from settings import Settings
from storage import units as store
from storage.bots import bot_name

PREVIEW_DAYS = 30
IMPORTERS = {"units": import_units, "officers": import_officers, "results": import_results}
STATUS_LABELS = {"sent": "đã gửi", "pending": "đã lên lịch", "cancelled": "đã hủy", "dropped": "bỏ qua",
                 "failed": "lỗi", "sending": "đang gửi"}


def parse_day(text: str) -> date:
    """dd/mm/yyyy or YYYY-MM-DD, for --from / --to / set-date."""
    day, _ = parse_date(text)
    if day is None:
        raise CellError("thiếu ngày")
    return day


def _no_unit(code: str, out: TextIO) -> int:
    print(f"LỖI: không có đơn vị mã «{code}».", file=out)
    return 1


def _fix_hint(code: str) -> str:
    return f"sửa bằng: python bot.py units set-date {code} dd/mm/yyyy (hoặc nhập lại tệp đơn vị)"


def _unusable(unit: store.Unit) -> str | None:
    """Why the unit's stored data cannot make a timeline (kept from before imports checked it), or None."""
    try:
        unit_timeline(unit.schedule(), None)
    except UnitDataError as exc:
        return str(exc)
    return None


def _bad_unit(unit: store.Unit, problem: str, out: TextIO) -> int:
    print(f"LỖI: {problem}; {_fix_hint(unit.code)}.", file=out)
    return 1


# -- import, demo -----------------------------------------------------------------------------------
def run_import(db: sqlite_utils.Database, what: str, path: str, dry_run: bool, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    options = {"channels": registry.spellings()} if what == "officers" else {}
    try:
        report = IMPORTERS[what](db, Path(path), clock.now(), dry_run=dry_run, **options)
    except ImportFileError as exc:
        print(f"LỖI: {exc}", file=out)
        print("KHÔNG NHẬP GÌ: dữ liệu hiện có không thay đổi.", file=out)
        return 1
    for line in report.lines():
        print(line, file=out)
    if report.applied and what == "units":
        demo_units = store.count_units(db, demo=True)
        if demo_units and demo_units != store.count_units(db):
            print(f"Lưu ý: còn {demo_units} đơn vị minh họa; xóa bằng: python bot.py demo --remove", file=out)
    return 1 if report.errors else 0


def run_demo(db: sqlite_utils.Database, remove: bool, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    if remove:
        count = demo.remove_demo(db, clock.now())
        print(f"Đã xóa {count} đơn vị minh họa.", file=out)
        return 0
    try:
        result = demo.create_demo(db, clock.now())
    except ValueError as exc:
        print(f"LỖI: {exc}", file=out)
        return 1
    first = store.get_unit(db, demo.CONSOLE_UNIT)
    print(f"Đã tạo {result.units} đơn vị minh họa theo kế hoạch ĐHSPKT (seed 000), dời cho gần hôm nay: "
          f"đại hội công đoàn bộ phận đầu tiên {long_date(first.congress_day)}.", file=out)
    print(f"Người dùng trên terminal đã được đăng ký vào «{first.name}» (mã đăng ký {first.invite_code}).",
          file=out)
    print("Thử: python bot.py console rồi gõ /hanchot, /lich, «bao giờ đại hội»; "
          "python bot.py reminders preview; xóa: python bot.py demo --remove", file=out)
    return 0


# -- units ------------------------------------------------------------------------------------------
def list_units(db: sqlite_utils.Database, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    units = store.list_units(db)
    if not units:
        print("Chưa có đơn vị nào. Nhập bằng: python bot.py import units TỆP.xlsx (hoặc thử: python bot.py demo)",
              file=out)
        return 0
    members = store.member_counts(db)
    for u in units:
        try:
            day = dmy(u.congress_day) if u.congress_day else "chưa có ngày"
        except UnitDataError:
            day = f"ngày lưu sai «{u.congress_date}»"
        print(f"{u.code}\t{LEVELS[u.level]}\t{u.name}\tđại hội: {day}\t{STATUSES[u.status]}\t"
              f"mã đăng ký: {u.invite_code}\tcán bộ: {members.get(u.code, 0)}", file=out)
    print(f"{len(units)} đơn vị.", file=out)
    return 0


def show_unit(db: sqlite_utils.Database, code: str, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    unit = store.get_unit(db, code)
    if unit is None:
        return _no_unit(code, out)
    problem = _unusable(unit)
    if problem:
        return _bad_unit(unit, problem, out)
    print(timeline_text(db, unit, clock.now()), file=out)
    print("", file=out)
    print(registration_howto(db, unit.invite_code), file=out)
    return 0


def registration_howto(db: sqlite_utils.Database, code: str) -> str:
    """How an officer joins with `code`, per messenger, with the bots' real names once the bot has run."""
    telegram, zalo = bot_name(db, "telegram"), bot_name(db, "zalo")
    lines = [f"Mã đăng ký: {code}. Cán bộ đăng ký như sau:"]
    if telegram:
        lines.append(f"• Telegram: bấm https://t.me/{telegram}?start={code} (hoặc nhắn /dangky {code} cho @{telegram})")
    else:
        lines.append(f"• Telegram: nhắn /dangky {code} cho bot (đường dẫn t.me có sau lần chạy bot đầu tiên: "
                     "python bot.py run)")
    zalo_bot = f" cho bot Zalo «{zalo}»" if zalo else " cho bot Zalo"
    lines.append(f"• Zalo: nhắn tin «dangky {code}»{zalo_bot} (Zalo chỉ cho bot trả lời người đã nhắn trước)")
    return "\n".join(lines)


def write_ics(db: sqlite_utils.Database, code: str, output: str | None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    unit = store.get_unit(db, code)
    if unit is None:
        return _no_unit(code, out)
    problem = _unusable(unit)
    if problem:
        return _bad_unit(unit, problem, out)
    content, count = unit_calendar(unit, store.plan_of(db, unit, plans()), clock.now())
    path = Path(output or ics_filename(unit))
    path.write_bytes(content)
    print(f"Đã ghi {count} mốc của «{unit.name}» vào {path}.", file=out)
    return 0


def set_date(db: sqlite_utils.Database, code: str, day_text: str, time_text: str | None,
             status_text: str | None, out: TextIO | None = None) -> int:
    """Move a unit's congress: its pending reminders are cancelled and new ones planned."""
    out = out or sys.stdout
    unit = store.get_unit(db, code)
    if unit is None:
        return _no_unit(code, out)
    try:
        values = {"code": unit.code, "congress_date": parse_day(day_text).isoformat()}
        if time_text is not None:
            values["congress_time"] = parse_time(time_text)
    except CellError as exc:
        print(f"LỖI: {exc}", file=out)
        return 1
    if status_text:
        status = parse_status(status_text)
        if status is None:
            print(f"LỖI: trạng thái «{status_text}» không hợp lệ (chưa tổ chức, đã tổ chức, hoãn).", file=out)
            return 1
        values["status"] = status
    result = reminders.reschedule_unit(db, values, clock.now())
    if result is None:
        print("Không có thay đổi.", file=out)
    else:
        print(f"Đã đổi ngày đại hội của «{unit.name}» thành {long_date(parse_day(day_text))}; "
              f"nhắc hạn: {result}.", file=out)
    return 0


def check_plan_files(out: TextIO | None = None) -> int:
    out = out or sys.stdout
    problems = check_plans()
    for p in problems:
        print(f"LỖI: {p}", file=out)
    if problems:
        return 1
    for plan in load_plans().values():
        dated = sum(1 for m in plan.milestones if m.date or m.relative)
        tag = " (minh họa)" if plan.example else ""
        print(f"{plan.id}{tag}: {len(plan.milestones)} mốc, {dated} có ngày — {plan.issuer}", file=out)
    return 0


# -- reminders --------------------------------------------------------------------------------------
def preview(db: sqlite_utils.Database, start_text: str | None, end_text: str | None,
            out: TextIO | None = None) -> int:
    out = out or sys.stdout
    try:
        start = parse_day(start_text) if start_text else clock.local_date(clock.now())
        end = parse_day(end_text) if end_text else start + timedelta(days=PREVIEW_DAYS)
    except CellError as exc:
        print(f"LỖI: {exc}", file=out)
        return 1
    if end < start:
        print("LỖI: --to phải không trước --from.", file=out)
        return 1
    skipped: list[str] = []
    lines = reminders.preview(db, start, end, skipped)
    print(f"Nhắc hạn {date_range(start, end, weekday=False)} (giờ Việt Nam; không gửi 21:00–07:00):", file=out)
    for code in skipped:
        print(f"Lưu ý: bỏ qua đơn vị {code}, dữ liệu lưu trong hệ thống không dùng được; {_fix_hint(code)}.",
              file=out)
    if not lines:
        print("Không có nhắc hạn nào trong khoảng này.", file=out)
        return 0
    for day, day_lines in reminders.group_by_day(lines).items():
        print(f"\n{long_date(day)}", file=out)
        for ln in day_lines:
            who = f"{ln.channel}:{ln.chat_id}" + (f" ({ln.officer_name})" if ln.officer_name else "")
            state = f"  [{STATUS_LABELS.get(ln.status, ln.status)}]" if ln.status else ""
            print(f"  {clock.to_local(ln.due_at):%H:%M}  {who} — {ln.unit.code} {ln.unit.name} — "
                  f"{reminders.preview_label(ln)}{state}", file=out)
    recipients = {(ln.channel, ln.chat_id) for ln in lines}
    print(f"\nTổng: {len(lines)} nhắc hạn cho {len(recipients)} người nhận.", file=out)
    return 0


def run_reminders_once(db: sqlite_utils.Database, all_channels: bool, out: TextIO | None = None) -> int:
    """Plan and send what is due now. Console rows go to the log (the console's own delivery); rows of
    other channels wait for the bot that sends on them. `all_channels` is a simulation on a copy of the
    database: every channel's messages are printed, and the real database is left as it was."""
    out = out or sys.stdout
    if all_channels:
        return _simulate(db, out)
    return _run_once(db, ("console",), out)


def _simulate(db: sqlite_utils.Database, out: TextIO) -> int:
    import tempfile
    from storage.db import copy_db
    with tempfile.TemporaryDirectory(prefix="mo-phong-") as folder:
        copy = copy_db(db, Path(folder) / "mo-phong.db")
        try:
            print("MÔ PHỎNG trên một bản sao cơ sở dữ liệu: không tin nào được gửi thật, cơ sở dữ liệu thật "
                  "không thay đổi.", file=out)
            return _run_once(copy, tuple(registry.names()), out)
        finally:
            copy.conn.close()


def _run_once(db: sqlite_utils.Database, channels: tuple[str, ...], out: TextIO) -> int:
    now = clock.now()
    dispatcher = create_dispatcher(db, role="reminders")

    def echo(chat_id: str, text: str) -> None:
        print(f"\n--- gửi tới {chat_id} ---\n{text}", file=out)

    for channel in channels:
        dispatcher.register_sender(channel, log_sender(db, channel, echo))
    print(f"Thời điểm: {moment(now)} (giờ Việt Nam)", file=out)
    result = asyncio.run(run_once(db, dispatcher, now))
    dispatcher.lease.release()
    print(f"\nLập lịch: {result.planned}.", file=out)
    if result.lease_holder:
        print(f"Không gửi: {result.lease_holder} đang giữ quyền gửi tin của cơ sở dữ liệu này và sẽ gửi.",
              file=out)
    else:
        print(f"Gửi: {result.sent}.", file=out)
    for channel, count in sorted(result.waiting.items()):
        print(f"Còn {count} tin chờ kênh {channel}: bot đang chạy trên kênh đó sẽ gửi (ở đây chỉ gửi tới "
              "trò chuyện trên terminal; xem trước: --all-channels).", file=out)
    if not result.sent.sent:
        upcoming = reminders.preview(db, clock.local_date(now), clock.local_date(now) + timedelta(days=PREVIEW_DAYS))
        ahead = [ln for ln in upcoming if ln.due_at > now][:3]
        if ahead:
            print("Chưa đến giờ gửi. Sắp tới:", file=out)
            for ln in ahead:
                print(f"  {moment(ln.due_at)} — {ln.unit.name} — "
                      f"{reminders.preview_label(ln)}", file=out)
    return 0


# -- commands ---------------------------------------------------------------------------------------
def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Create demo units laid relative to today (or remove them with --remove)."""
    return run_demo(database(settings), args.remove)


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    """Import units, officers or results from a .csv / .xlsx file; any bad row changes nothing."""
    return run_import(database(settings), args.what, args.file, args.dry_run)


def cmd_units_list(args: argparse.Namespace, settings: Settings) -> int:
    """List units with their congress date and invite code."""
    return list_units(database(settings))


def cmd_units_show(args: argparse.Namespace, settings: Settings) -> int:
    """Print a unit's whole timeline and how its officers register."""
    return show_unit(database(settings), args.code)


def cmd_units_ics(args: argparse.Namespace, settings: Settings) -> int:
    """Write a unit's timeline as an .ics calendar file."""
    return write_ics(database(settings), args.code, args.output)


def cmd_units_set_date(args: argparse.Namespace, settings: Settings) -> int:
    """Change a unit's congress date; its pending reminders are re-planned."""
    return set_date(database(settings), args.code, args.date, args.time, args.status)


def cmd_plans_check(args: argparse.Namespace, settings: Settings) -> int:
    """Validate the plan files in knowledge/plans; exit 1 on any problem."""
    return check_plan_files()


def cmd_reminders_preview(args: argparse.Namespace, settings: Settings) -> int:
    """List the reminders that would be sent, to whom and when."""
    return preview(database(settings), args.from_date, args.to_date)


def cmd_reminders_run_once(args: argparse.Namespace, settings: Settings) -> int:
    """Plan due reminders and send them once to console chats (--all-channels: a simulation on a copy)."""
    return run_reminders_once(database(settings), args.all_channels)


def add_parsers(sub: argparse._SubParsersAction) -> None:
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
