"""`admin add | list | remove`, `broadcast`, `stats`, `unanswered`: the upper-level union's tools.

Each `cmd_*` opens the database and calls the function of the same subject below (tests call those with
a StringIO as `out`); they return the exit code: 0 fine, 1 something did not go through, 2 bad input —
nothing changed then."""
from __future__ import annotations

import argparse
import asyncio
import re
import sys
from pathlib import Path
from typing import TextIO

import sqlite_utils

import clock
from cli.common import database
from handlers import broadcast as bc
from handlers import insight
from scheduler.broadcasts import finish, report_text
from settings import Settings
from storage import broadcasts as bstore
from storage.admins import add_admin, list_admins, remove_admin
from storage.units import get_unit

CLI_CHAT = "cli"
PROGRESS_EVERY = 3.0
YES = ("c", "co", "có", "y", "yes")


# -- admin add | list | remove ------------------------------------------------------------------------
def admin_add(db: sqlite_utils.Database, user_id: str, name: str, unit: str | None, channel: str,
              out: TextIO | None = None) -> int:
    out = out or sys.stdout
    user_id = user_id.strip()
    if channel == "telegram" and not re.fullmatch(r"\d{1,20}", user_id):
        print(f"LỖI: «{user_id}» không phải ID Telegram (một dãy số, ví dụ 123456789). Mỗi người xem ID "
              "của mình bằng cách nhắn cho một bot như @userinfobot. Không thêm ai.", file=out)
        return 2
    if unit and get_unit(db, unit.strip().upper()) is None:
        print(f"LỖI: không có đơn vị mã «{unit}». Nhập đơn vị trước (python bot.py import units …). "
              "Không thêm ai.", file=out)
        return 2
    admin, created = add_admin(db, channel, user_id, clock.now(), name=name or "", scope_unit=unit)
    scope = "mọi đơn vị" if admin.is_global else f"đơn vị {admin.scope_unit} và các đơn vị trực thuộc"
    print(f"{'Đã thêm' if created else 'Đã cập nhật'} quản trị viên {channel}:{admin.user_id}"
          f"{' (' + admin.name + ')' if admin.name else ''}, phạm vi: {scope}.", file=out)
    print("Người này nhắn /quantri cho bot (tin nhắn riêng) để xem các lệnh quản trị; bot đang chạy thì "
          "có hiệu lực ngay, không cần khởi động lại.", file=out)
    return 0


def admin_list(db: sqlite_utils.Database, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    admins = list_admins(db)
    if not admins:
        print("Chưa có quản trị viên nào. Thêm bằng: python bot.py admin add <ID Telegram> "
              "hoặc đặt ADMIN_TELEGRAM_IDS.", file=out)
        return 0
    for a in admins:
        scope = "mọi đơn vị" if a.is_global else f"{a.scope_unit} và trực thuộc"
        origin = "ADMIN_TELEGRAM_IDS" if a.source == "env" else "dòng lệnh"
        print(f"{a.channel}:{a.user_id}\t{a.name or '—'}\t{scope}\t(từ {origin})", file=out)
    return 0


def admin_remove(db: sqlite_utils.Database, user_id: str, channel: str, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    if remove_admin(db, channel, user_id.strip()):
        print(f"Đã xóa quyền quản trị của {channel}:{user_id.strip()}.", file=out)
        return 0
    print(f"Không có quản trị viên {channel}:{user_id.strip()}.", file=out)
    return 1


# -- stats, unanswered ----------------------------------------------------------------------------------
def _bad_days(days: int, out: TextIO) -> bool:
    if 1 <= days <= 365:
        return False
    print("LỖI: --days phải từ 1 đến 365.", file=out)
    return True


def stats(db: sqlite_utils.Database, days: int, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    if _bad_days(days, out):
        return 2
    print(insight.stats_text(insight.collect_stats(db, clock.now(), days)), file=out)
    return 0


def unanswered(db: sqlite_utils.Database, days: int, csv_path: str | None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    if _bad_days(days, out):
        return 2
    groups = insight.unanswered_groups(db, clock.now(), days)
    if csv_path:
        path = Path(csv_path)
        with path.open("w", encoding="utf-8-sig", newline="") as f:  # BOM: Excel opens it as UTF-8
            insight.write_csv(groups, f)
        print(f"Đã ghi {len(groups)} nhóm câu hỏi vào {path}.", file=out)
        return 0
    if not groups:
        print(f"Không có câu hỏi nào chưa trả lời được trong {days} ngày gần nhất.", file=out)
        return 0
    print(f"{len(groups)} nhóm câu hỏi chưa trả lời được ({days} ngày gần nhất):", file=out)
    for n, g in enumerate(groups, start=1):
        print(f"{n}. «{g.text}» — {g.count} lần, lần cuối {insight.local_stamp(g.last_asked)}", file=out)
        for other in g.texts[1:4]:
            print(f"     cũng hỏi: «{other}»", file=out)
    return 0


# -- broadcast ------------------------------------------------------------------------------------------
def broadcast(db: sqlite_utils.Database, settings, target: str | None, text: str | None, yes: bool,
              queue_only: bool, resume: bool, out: TextIO | None = None, stdin: TextIO | None = None) -> int:
    """Queue a notice for a target (preview, confirm) and send it; or `resume` unfinished ones."""
    out, stdin = out or sys.stdout, stdin or sys.stdin
    if resume:
        return asyncio.run(_send(db, settings, None, out, recover=True))
    if not target or text is None:
        print("LỖI: cần --to và --text (hoặc --resume).", file=out)
        return 2
    try:
        kind, value = bc.parse_target(target)
    except bc.TargetError as exc:
        print(f"LỖI: {exc}", file=out)
        return 2
    text = text.strip()
    header = bc.notice_header(db, None, clock.now())
    problem = bc.check_text(text, None, header)
    if problem:
        print(f"LỖI: {problem}", file=out)
        return 2
    try:
        resolution = bc.resolve(db, kind, value, None)
    except bc.TargetError as exc:
        print(f"LỖI: {exc} Không gửi gì.", file=out)
        return 2
    recipients = resolution.audience.recipients
    notice = bc.notice_text(header, text)
    print(f"Thông báo (cán bộ nhận đúng như sau):\n{notice}\n", file=out)
    blocked = f" ({resolution.audience.blocked} người đã chặn trợ lý, không gửi)" if resolution.audience.blocked else ""
    print(f"Gửi tới: {resolution.label} — {len(resolution.audience.units)} đơn vị, "
          f"{len(recipients)} người nhận{blocked}.", file=out)
    if not recipients:
        print("Không có người nhận nào: không gửi gì.", file=out)
        return 1
    if not yes:
        print("Gửi? Gõ «c» (có) để gửi, phím khác để thôi: ", end="", file=out, flush=True)
        if stdin.readline().strip().lower() not in YES:
            print("Đã thôi: không gửi gì.", file=out)
            return 1
    broadcast_id = bc.queue_notice(db, text, resolution, notice, clock.now(),
                                   channel="cli", chat_id=CLI_CHAT, user_id="cli")
    print(f"Đã xếp hàng thông báo #{broadcast_id}: {len(recipients)} tin.", file=out, flush=True)
    if queue_only:
        print("Bot đang chạy sẽ gửi (trong vòng 30 giây). Xem kết quả: python bot.py stats", file=out)
        return 0
    return asyncio.run(_send(db, settings, broadcast_id, out))


async def _senders(db: sqlite_utils.Database, settings, dispatcher) -> list:
    """Register the sender of each configured channel (channels/registry.py), ready to send but taking
    no updates in; returns the clean-up coroutines."""
    from channels import registry
    from handlers.assistant import Assistant
    cleanup = []
    for kind in registry.configured(settings):
        channel = kind.from_settings(Assistant(db, settings.active_edition), settings)
        await channel.open()
        cleanup.append(channel.close)
        dispatcher.register_sender(channel.name, channel.send)
        if channel.throttle is not None:
            dispatcher.use_throttle(channel.name, channel.throttle)   # the channel's one limiter
    return cleanup


async def _send(db: sqlite_utils.Database, settings, broadcast_id: int | None, out: TextIO,
                recover: bool = False) -> int:
    from scheduler.jobs import create_dispatcher
    dispatcher = create_dispatcher(db, role="broadcast")
    if not dispatcher.ensure_lease():  # one dispatcher per database: the live one sends, not this one
        print(_handover_text(dispatcher, broadcast_id, recover), file=out)
        return 0
    cleanup = await _senders(db, settings, dispatcher)
    try:
        if not dispatcher.channels:
            print("Chưa cấu hình kênh nào (TELEGRAM_BOT_TOKEN / ZALO_BOT_TOKEN): thông báo nằm chờ trong hàng "
                  "đợi, bot sẽ gửi khi chạy.", file=out)
            return 1
        if recover:  # only this process sends now: rows a killed run left in flight go out again
            dispatcher.recover_interrupted(clock.now())
        ids = [broadcast_id] if broadcast_id is not None else [b.id for b in bstore.unfinished(db)]
        if not ids:
            print("Không có thông báo nào đang dở.", file=out)
            return 0
        failed = 0
        for bid in ids:
            failed += await _send_one(db, dispatcher, bid, out)
        return 1 if failed else 0
    finally:
        dispatcher.lease.release()
        for close in cleanup:
            await close()


def _handover_text(dispatcher, broadcast_id: int | None, recover: bool) -> str:
    what = "các thông báo còn dở" if broadcast_id is None else f"thông báo #{broadcast_id}"
    return (f"{dispatcher.lease.holder_text()[0].upper()}{dispatcher.lease.holder_text()[1:]} đang giữ quyền gửi "
            f"tin của cơ sở dữ liệu này, nên {what} do tiến trình đó gửi (trong vòng 30 giây). Không gửi gì từ "
            "đây, để không ai nhận trùng tin. Xem kết quả: python bot.py stats")


async def _send_one(db: sqlite_utils.Database, dispatcher, broadcast_id: int, out: TextIO) -> int:
    """Sweep until no row of the broadcast waits for a messenger this process sends to, printing the
    progress every few seconds; then the final line and the report."""
    async def update(text: str) -> None:
        print(text, file=out, flush=True)

    follower = asyncio.create_task(bc.follow_progress(db, broadcast_id, update, now=clock.now, interval=PROGRESS_EVERY))
    try:
        while bstore.waiting_count(db, broadcast_id, dispatcher.channels):
            if not dispatcher.ensure_lease():  # taken over (this process stalled past the lease)
                print(_handover_text(dispatcher, broadcast_id, False), file=out)
                return 0
            await dispatcher.sweep()
            if bstore.waiting_count(db, broadcast_id, dispatcher.channels):
                await asyncio.sleep(0.5)  # rows backing off, or claimed by another process
        await dispatcher.idle()
    finally:
        follower.cancel()
        await asyncio.gather(follower, return_exceptions=True)
    finish(db, broadcast_id, running=dispatcher.channels)  # rows of channels not configured here wait for them
    b = bstore.get(db, broadcast_id)
    progress = bstore.progress(db, broadcast_id)
    print(bc.progress_text(b, progress, clock.now()), file=out)
    print(report_text(db, b), file=out, flush=True)
    return progress.failed + progress.unknown


# -- commands ---------------------------------------------------------------------------------------------
def cmd_admin_add(args: argparse.Namespace, settings: Settings) -> int:
    """Add (or change) an admin, of every unit or of one unit's subtree."""
    return admin_add(database(settings), args.user_id, args.name, args.unit, args.channel)


def cmd_admin_list(args: argparse.Namespace, settings: Settings) -> int:
    """List the admins and their scope."""
    return admin_list(database(settings))


def cmd_admin_remove(args: argparse.Namespace, settings: Settings) -> int:
    """Take the admin role from someone."""
    return admin_remove(database(settings), args.user_id, args.channel)


def cmd_broadcast(args: argparse.Namespace, settings: Settings) -> int:
    """Send a notice to officers (preview, confirm, progress, report), or resume unfinished ones."""
    return broadcast(database(settings), settings, args.target, args.text, args.yes, args.queue_only, args.resume)


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    """Usage statistics of the last days."""
    return stats(database(settings), args.days)


def cmd_unanswered(args: argparse.Namespace, settings: Settings) -> int:
    """Questions the assistant could not answer, alike ones grouped (optionally as CSV)."""
    return unanswered(database(settings), args.days, args.csv)


def add_parsers(sub: argparse._SubParsersAction) -> None:
    a = sub.add_parser("admin", help="quản trị viên: thêm, xem, xóa")
    asub = a.add_subparsers(dest="admin_command", metavar="ACTION", required=True)
    p = asub.add_parser("add", help="thêm (hoặc sửa) một quản trị viên")
    p.add_argument("user_id", metavar="ID", help="ID Telegram của người đó (một dãy số)")
    p.add_argument("--name", default="", help="tên để dễ nhận ra")
    p.add_argument("--unit", metavar="MÃ", help="chỉ quản trị đơn vị này và các đơn vị trực thuộc")
    p.add_argument("--channel", default="telegram", choices=["telegram", "zalo"], help="kênh (mặc định telegram)")
    p.set_defaults(func=cmd_admin_add)
    p = asub.add_parser("list", help="liệt kê quản trị viên và phạm vi")
    p.set_defaults(func=cmd_admin_list)
    p = asub.add_parser("remove", help="xóa quyền quản trị của một người")
    p.add_argument("user_id", metavar="ID", help="ID Telegram của người đó")
    p.add_argument("--channel", default="telegram", choices=["telegram", "zalo"], help="kênh (mặc định telegram)")
    p.set_defaults(func=cmd_admin_remove)

    p = sub.add_parser("broadcast", help="gửi thông báo tới cán bộ (xem trước số người nhận, xác nhận, báo cáo)")
    p.add_argument("--to", dest="target", metavar="NHÓM",
                   help="all | level:CẤP | subtree:MÃ | units:MÃ1,MÃ2 | pending (đơn vị chưa đại hội)")
    p.add_argument("--text", help="nội dung thông báo")
    p.add_argument("--yes", action="store_true", help="gửi luôn, không hỏi xác nhận")
    p.add_argument("--queue-only", action="store_true", help="chỉ xếp hàng; bot đang chạy sẽ gửi")
    p.add_argument("--resume", action="store_true",
                   help="gửi tiếp các thông báo còn dở (sau khi tiến trình gửi bị dừng; bot không chạy)")
    p.set_defaults(func=cmd_broadcast)

    p = sub.add_parser("stats", help="thống kê: người dùng, đơn vị, câu hỏi, đánh giá, nhắc hạn, thông báo")
    p.add_argument("--days", type=int, default=insight.DEFAULT_DAYS, help="số ngày gần nhất (mặc định 7)")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("unanswered", help="câu hỏi chưa trả lời được, gộp các câu giống nhau")
    p.add_argument("--days", type=int, default=insight.UNANSWERED_DAYS, help="số ngày gần nhất (mặc định 30)")
    p.add_argument("--csv", metavar="FILE", help="ghi ra tệp CSV (mở được bằng Excel)")
    p.set_defaults(func=cmd_unanswered)
