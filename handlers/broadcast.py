"""/thongbao: an admin sends a notice to many officers, messenger-neutral.

    /thongbao [nội dung]  →  (the text, or the next message; a photo or file may come with it)
    →  target: all | a level | a unit's subtree | listed unit codes | units whose congress is not held
    →  preview with the exact number of recipients  →  ✅ Gửi / ❌ Hủy
    →  one progress message, edited every few seconds (sent / failed / waiting)  →  the final report

Choices carry keys "bc:<action>:<broadcast id>[:value]"; the half-written broadcast lives in the database
(`broadcasts` row 'draft' + `admin_flows`), so a restart loses nothing. Confirming turns the draft into
outbox rows in one transaction; the dispatcher sends them. The progress message is a `Reply.live`
coroutine: a channel that can edit messages runs it with an `update(text)` that edits the message it
just sent. The final report goes through the outbox to the admin's chat, once: scheduler/broadcasts.py.
"""
from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Awaitable, Callable

import sqlite_utils

import clock
from datefmt import dmy, moment
from handlers import admin_texts as T
from handlers.messages import Choice, Incoming, Reply
from knowledge.unit_terms import LEVELS, parse_level
from scheduler import texts as ST
from scheduler.broadcasts import channel_label, describe, finish, waiting_elsewhere
from storage import broadcasts as store
from storage.admins import Admin, subtree_codes
from storage.units import get_unit, known_codes, top_units

log = logging.getLogger(__name__)

PREFIX = "bc:"
TEXT_LIMIT = 4096            # one Telegram message (Zalo sends a longer notice in parts of 2,000)
CAPTION_LIMIT = 1024         # a photo's or file's caption
PROGRESS_INTERVAL = 3.0      # seconds between edits of the progress message
PROGRESS_MAX_SECONDS = 6 * 3600   # the live message stops following after this (the report still comes)
_CODE_SPLIT = re.compile(r"[\s,;]+")

Waker = Callable[[], None]
Update = Callable[[str], Awaitable[None]]


class TargetError(ValueError):
    """A target that cannot be used; the message (Vietnamese) says why."""


# -- targets --------------------------------------------------------------------------------------------
def parse_target(text: str) -> tuple[str, str]:
    """'all' | 'level:NAME' | 'subtree:CODE' | 'units:A,B' | 'pending' → (kind, value)."""
    head, _, value = (text or "").strip().partition(":")
    kind = head.strip().lower()
    value = value.strip()
    if kind in ("all", "tatca") and not value:
        return "all", ""
    if kind in ("pending", "chuadaihoi") and not value:
        return "pending", ""
    if kind == "level" and value:
        level = parse_level(value)
        if level is None:
            names = "; ".join(f"{k} ({v})" for k, v in LEVELS.items())
            raise TargetError(f"Không rõ cấp «{value}». Các cấp: {names}.")
        return "level", level
    if kind == "subtree" and value:
        return "subtree", value.upper()
    if kind == "units" and value:
        codes = [c.upper() for c in _CODE_SPLIT.split(value) if c]
        if not codes:
            raise TargetError(T.NO_CODES)
        return "units", ",".join(dict.fromkeys(codes))
    raise TargetError("Nhóm nhận không đúng dạng. Dùng: all | level:TÊN_CẤP | subtree:MÃ | units:MÃ1,MÃ2 | pending.")


def spec(kind: str, value: str = "") -> str:
    return f"{kind}:{value}" if value else kind


@dataclass(frozen=True)
class Resolution:
    kind: str
    value: str
    audience: store.Audience

    @property
    def spec(self) -> str:
        return spec(self.kind, self.value)

    @property
    def label(self) -> str:
        return describe(self.kind, self.value)


def resolve(db: sqlite_utils.Database, kind: str, value: str, scope: str | None) -> Resolution:
    """The units and recipients of a target within an admin's scope; TargetError for unknown or
    out-of-scope units."""
    allowed = None if scope is None else subtree_codes(db, scope)
    if kind in ("subtree", "units"):
        wanted = [value] if kind == "subtree" else value.split(",")
        known = known_codes(db, wanted)
        unknown = [c for c in wanted if c not in known]
        if unknown:
            raise TargetError(T.UNKNOWN_UNITS.format(codes=", ".join(unknown)))
        outside = [c for c in wanted if allowed is not None and c not in allowed]
        if outside:
            raise TargetError(T.OUT_OF_SCOPE_UNITS.format(codes=", ".join(outside)))
    units = store.units_for(db, kind, value, scope=scope)
    return Resolution(kind, value, store.audience(db, units))


# -- texts ----------------------------------------------------------------------------------------------
def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2   # Telegram counts UTF-16 units


def sender_name(db: sqlite_utils.Database, scope: str | None) -> str:
    """Who a notice comes from: the scoped admin's unit; for an admin of every unit, the one top unit
    when the units have exactly one, else the upper-level union in general."""
    unit = get_unit(db, scope) if scope else None
    if unit is None and scope is None:
        tops = top_units(db, limit=2)
        unit = tops[0] if len(tops) == 1 else None
    return unit.name if unit is not None else T.NOTICE_SENDER_FALLBACK


def notice_header(db: sqlite_utils.Database, scope: str | None, now: datetime) -> str:
    """'📢 Thông báo của <union> — ngày dd/mm/yyyy': officers see at once that it is a notice and whose."""
    return T.NOTICE_HEADER.format(sender=sender_name(db, scope), day=dmy(clock.local_date(now)))


def notice_text(header: str, text: str) -> str:
    """The notice as officers receive it (and as the preview shows it)."""
    return f"{header}\n\n{text}"


def check_text(text: str, attachment: dict | None, header: str = "") -> str | None:
    """A Vietnamese complaint about the notice's text, or None when it can be sent, with `header` on
    top, as one message (or one caption)."""
    if not text.strip():
        return T.EMPTY_TEXT
    limit = CAPTION_LIMIT if attachment else TEXT_LIMIT
    if header:
        limit -= _utf16(notice_text(header, ""))
    length = _utf16(text)
    if length > limit:
        return T.TEXT_TOO_LONG.format(length=length, limit=limit, what=T.WITH_ATTACHMENT if attachment else "")
    return None


def progress_text(b: store.Broadcast, p: store.Progress, now: datetime) -> str:
    """The live message: counts while sending; once done (every row settled, or the rest waits on a
    channel that does not run here) the final state, timed when its last row settled."""
    if not p.done and b.status != "done":
        return T.SENDING.format(id=b.id, sent=p.sent, total=p.total, failed=p.failed, waiting=p.waiting)
    settled = b.finished_at if b.status == "done" else None
    when = moment(clock.from_iso(settled)) if settled else moment(now)
    blocked = ST.BLOCKED_NOTE.format(blocked=p.blocked) if p.blocked else ""
    unknown = T.UNKNOWN_NOTE.format(unknown=p.unknown) if p.unknown else ""
    elsewhere = waiting_elsewhere(b, p)
    waiting = T.WAITING_NOTE.format(waiting=", ".join(
        T.WAITING_CHANNEL.format(channel=channel_label(c), count=n) for c, n in elsewhere.items())) if elsewhere else ""
    return T.FINISHED.format(id=b.id, when=when, sent=p.sent, total=p.total, failed=p.failed, blocked_note=blocked,
                             unknown_note=unknown, waiting_note=waiting)


def queue_notice(db: sqlite_utils.Database, text: str, resolution: Resolution, notice: str, now: datetime, *,
                 channel: str, chat_id: str, user_id: str, scope: str | None = None) -> int:
    """A notice typed in one go (the command line): its draft, target and outbox rows; the broadcast id."""
    draft = store.create_draft(db, text, channel=channel, chat_id=chat_id, user_id=user_id, scope=scope, now=now)
    store.set_target(db, draft.id, resolution.spec, len(resolution.audience.recipients), now)
    store.queue(db, draft.id, resolution.audience.recipients, now, text=notice)
    return draft.id


# -- the chat flow ----------------------------------------------------------------------------------------
class BroadcastFlow:
    """The /thongbao conversation of one assistant. `waker` (set by the runtime) wakes the dispatcher;
    `clock` is the assistant's, for the live progress message (the chat steps take `msg.at`)."""

    def __init__(self, db: sqlite_utils.Database, waker: Callable[[], Waker | None] = lambda: None, *,
                 clock: Callable[[], datetime]):
        self.db = db
        self._waker = waker
        self.clock = clock

    def _wake(self) -> None:
        wake = self._waker()
        if wake is not None:
            wake()

    # /thongbao [text]
    def start(self, admin: Admin, msg: Incoming, args: str) -> list[Reply]:
        now = msg.at
        if args.strip():
            return self._draft(admin, msg, _after_command(msg.lines) or args.strip(), None, now)
        store.set_flow(self.db, msg.channel, msg.chat_id, "await_text", None, now)
        return [Reply(T.ASK_TEXT, kind="info")]

    # /huy
    def cancel(self, admin: Admin, msg: Incoming, args: str) -> list[Reply]:
        flow = store.get_flow(self.db, msg.channel, msg.chat_id)
        store.clear_flow(self.db, msg.channel, msg.chat_id)
        if flow is None:
            return [Reply(T.NOTHING_TO_CANCEL, kind="info")]
        if flow[1] is not None:
            store.cancel_draft(self.db, flow[1], msg.at)
        return [Reply(T.CANCELLED, kind="info")]

    def intercept(self, admin: Admin, msg: Incoming) -> list[Reply] | None:
        """Plain text (or a photo/file) while the chat is in the middle of a broadcast."""
        attachment = _attachment(msg)
        text = (msg.text or "").strip()
        if attachment is not None and fold_command(text) == "thongbao":  # a photo captioned "/thongbao …"
            return self._draft(admin, msg, _after_command(text), attachment, msg.at)
        flow = store.get_flow(self.db, msg.channel, msg.chat_id)
        if flow is None or text.startswith("/"):
            return None
        state, broadcast_id, _ = flow
        now = msg.at
        if state == "await_text":
            return self._draft(admin, msg, (msg.lines or text).strip(), attachment, now)
        if attachment is not None:
            return None
        b = store.get(self.db, broadcast_id) if broadcast_id is not None else None
        if b is None or b.status != "draft":
            store.clear_flow(self.db, msg.channel, msg.chat_id)
            return [Reply(T.DRAFT_GONE, kind="error")]
        codes = [c.upper() for c in _CODE_SPLIT.split(text) if c]
        if not codes:
            return [Reply(T.NO_CODES, kind="error")]
        if state == "await_subtree":
            return self._preview(admin, msg, b, "subtree", codes[0], now)
        if state == "await_units":
            return self._preview(admin, msg, b, "units", ",".join(dict.fromkeys(codes)), now)
        return None

    def _draft(self, admin: Admin, msg: Incoming, text: str, attachment: dict | None, now: datetime) -> list[Reply]:
        problem = check_text(text, attachment, notice_header(self.db, admin.scope_unit, now))
        if problem:
            store.set_flow(self.db, msg.channel, msg.chat_id, "await_text", None, now)
            return [Reply(problem, kind="error")]
        b = store.create_draft(self.db, text, channel=msg.channel, chat_id=msg.chat_id, user_id=msg.user_id,
                               scope=admin.scope_unit, now=now, attachment=attachment)
        store.clear_flow(self.db, msg.channel, msg.chat_id)
        return [self._target_menu(b)]

    def _target_menu(self, b: store.Broadcast) -> Reply:
        choices = [Choice(f"bc:t:{b.id}:all", T.TARGET_ALL), Choice(f"bc:t:{b.id}:level", T.TARGET_LEVEL),
                   Choice(f"bc:t:{b.id}:subtree", T.TARGET_SUBTREE), Choice(f"bc:t:{b.id}:units", T.TARGET_UNITS),
                   Choice(f"bc:t:{b.id}:pending", T.TARGET_PENDING), Choice(f"bc:no:{b.id}", T.CANCEL)]
        return Reply(T.CHOOSE_TARGET, kind="menu", choices=choices)

    def pick(self, admin: Admin, msg: Incoming, key: str) -> list[Reply]:
        parts = key.split(":")
        if len(parts) < 3 or not parts[2].isdigit():
            return [Reply(T.DRAFT_GONE, kind="error")]
        action, broadcast_id, value = parts[1], int(parts[2]), ":".join(parts[3:])
        b = store.get(self.db, broadcast_id)
        if b is None or (b.admin_channel, b.admin_chat_id) != (msg.channel, msg.chat_id):
            return [Reply(T.DRAFT_GONE, kind="error")]
        if b.status == "queued" or b.status == "done":
            return [Reply(T.ALREADY_QUEUED, kind="info")]
        if b.status != "draft":
            return [Reply(T.DRAFT_GONE, kind="error")]
        now = msg.at
        if action == "no":
            store.cancel_draft(self.db, b.id, now)
            store.clear_flow(self.db, msg.channel, msg.chat_id)
            return [Reply(T.CANCELLED, kind="info")]
        if action == "back":
            return [self._target_menu(b)]
        if action == "t" and value in ("all", "pending"):
            return self._preview(admin, msg, b, value, "", now)
        if action == "t" and value == "level":
            choices = [Choice(f"bc:l:{b.id}:{key}", label) for key, label in LEVELS.items()]
            return [Reply(T.CHOOSE_LEVEL, kind="menu", choices=choices, back_key=f"bc:back:{b.id}")]
        if action == "t" and value in ("subtree", "units"):
            store.set_flow(self.db, msg.channel, msg.chat_id, f"await_{value}", b.id, now)
            return [Reply(T.ASK_SUBTREE if value == "subtree" else T.ASK_UNITS, kind="info")]
        if action == "l" and value in LEVELS:
            return self._preview(admin, msg, b, "level", value, now)
        if action == "ok":
            return self._confirm(admin, msg, b, now)
        return [Reply(T.DRAFT_GONE, kind="error")]

    def _preview(self, admin: Admin, msg: Incoming, b: store.Broadcast, kind: str, value: str,
                 now: datetime) -> list[Reply]:
        try:
            resolution = resolve(self.db, kind, value, admin.scope_unit)
        except TargetError as exc:
            return [Reply(str(exc), kind="error")]
        store.clear_flow(self.db, msg.channel, msg.chat_id)
        audience = resolution.audience
        if not audience.recipients:
            return [Reply(T.NO_RECIPIENTS, kind="error"), self._target_menu(b)]
        store.set_target(self.db, b.id, resolution.spec, len(audience.recipients), now)
        header = notice_header(self.db, admin.scope_unit, now)
        return [Reply(preview_text(b, resolution, header), kind="menu",
                      choices=[Choice(f"bc:ok:{b.id}", T.CONFIRM), Choice(f"bc:no:{b.id}", T.CANCEL)],
                      back_key=f"bc:back:{b.id}")]

    def _confirm(self, admin: Admin, msg: Incoming, b: store.Broadcast, now: datetime) -> list[Reply]:
        if not b.target:
            return [self._target_menu(b)]
        kind, _, value = b.target.partition(":")
        try:
            resolution = resolve(self.db, kind, value, admin.scope_unit)
        except TargetError as exc:
            return [Reply(str(exc), kind="error")]
        text = notice_text(notice_header(self.db, admin.scope_unit, now), b.text)
        count = store.queue(self.db, b.id, resolution.audience.recipients, now, text=text)
        if count is None:
            return [Reply(T.ALREADY_QUEUED, kind="info")]
        log.info("broadcast %s queued for %d recipients (%s) by %s:%s", b.id, count, b.target,
                 msg.channel, msg.user_id)
        self._wake()
        b = store.get(self.db, b.id)
        return [Reply(progress_text(b, store.progress(self.db, b.id), now), kind="info", live=self.follower(b.id))]

    # -- the live progress message --------------------------------------------------------------------------
    def follower(self, broadcast_id: int, interval: float | None = None) -> Callable[[Update], Awaitable[None]]:
        """A coroutine function for `Reply.live`: edits the progress message until the broadcast is done."""
        async def follow(update: Update) -> None:
            await follow_progress(self.db, broadcast_id, update, now=self.clock, interval=interval, wake=self._wake)
        return follow


async def follow_progress(db: sqlite_utils.Database, broadcast_id: int, update: Update, *,
                          now: Callable[[], datetime], interval: float | None = None,
                          wake: Callable[[], None] = lambda: None,
                          max_seconds: float | None = None) -> store.Progress:
    """Call `update(text)` whenever the counts moved, at most every `interval` seconds, until nothing is
    left to send; then the final text, and the report is queued. `now` is the clock it reads at each
    round. Errors of `update` are logged and skipped (a missed edit is not worth stopping for)."""
    interval = PROGRESS_INTERVAL if interval is None else interval
    deadline = asyncio.get_running_loop().time() + (PROGRESS_MAX_SECONDS if max_seconds is None else max_seconds)
    last = ""
    while True:
        p = store.progress(db, broadcast_id)
        at = now()
        if p.done and finish(db, broadcast_id, at):  # first to notice: the report is queued, send it
            wake()
        b = store.get(db, broadcast_id)
        text = progress_text(b, p, at)
        if text != last:
            try:
                await update(text)
                last = text
            except Exception:  # noqa: BLE001 - the next round tries again
                log.warning("broadcast %s: progress update failed", broadcast_id, exc_info=True)
        if p.done or b.status == "done":  # done: or the dispatcher finished it, the rest waiting elsewhere
            return p
        if asyncio.get_running_loop().time() >= deadline:
            return p
        await asyncio.sleep(interval)


def preview_text(b: store.Broadcast, resolution: Resolution, header: str) -> str:
    """The notice exactly as officers will read it (header included), its audience and attachment."""
    audience = resolution.audience
    blocked = T.PREVIEW_BLOCKED.format(blocked=audience.blocked) if audience.blocked else ""
    attachment = ""
    if b.attachment:
        attachment = T.PREVIEW_ATTACHMENT.format(kind=T.ATTACHMENT_KINDS.get(b.attachment.get("kind"), "tệp"),
                                                 name=b.attachment.get("filename") or "không tên")
    return T.PREVIEW.format(text=notice_text(header, b.text), target=resolution.label, units=len(audience.units),
                            recipients=len(audience.recipients), blocked=blocked, attachment=attachment)


def _after_command(lines: str) -> str:
    """The notice typed with the command ("/thongbao Kính gửi…\nDòng 2"), its lines kept."""
    parts = lines.split(maxsplit=1)
    return parts[1].strip() if len(parts) == 2 else ""


def fold_command(text: str) -> str:
    """'/thongbao@Bot nội dung' → 'thongbao'; '' when the text is no command."""
    if not text.startswith("/"):
        return ""
    return text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() if len(text) > 1 else ""


def _attachment(msg: Incoming) -> dict | None:
    a = msg.attachment
    if a is None:
        return None
    return {"kind": a.kind, "file_id": a.file_id, "filename": a.filename}
