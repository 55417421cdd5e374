"""Broadcasts in the database: drafts, who they reach, their outbox rows and their delivery counts.

A broadcast is a row in `broadcasts`; once confirmed it becomes one outbox row per recipient
(kind 'broadcast', origin 'broadcast:<id>', key 'broadcast:<id>:<channel>:<chat>'), so the dispatcher
delivers it under the channels' rate limits, exactly like reminders. Recipients are the officers who are
members of the targeted units, counted once per chat, minus those who blocked the bot.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable

import sqlite_utils

from clock import iso
from storage import outbox
from storage.admins import subtree_codes
from storage.outbox import NewMessage
from storage.transactions import immediate

KIND = "broadcast"
REPORT_KIND = "broadcast_report"
NOT_HELD = ("chua_to_chuc", "hoan")   # congress not held yet (not organised, or postponed)


@dataclass(frozen=True)
class Broadcast:
    id: int
    status: str
    text: str
    attachment: dict | None
    target: str | None
    recipients: int | None
    admin_channel: str
    admin_chat_id: str
    admin_user_id: str
    admin_scope: str | None
    created_at: str
    queued_at: str | None
    finished_at: str | None

    @property
    def origin(self) -> str:
        return f"broadcast:{self.id}"


_SELECT = ("SELECT id, status, text, attachment, target, recipients, admin_channel, admin_chat_id,"
           " admin_user_id, admin_scope, created_at, queued_at, finished_at FROM broadcasts")


def _broadcast(row: tuple | None) -> Broadcast | None:
    if row is None:
        return None
    values = list(row)
    values[3] = json.loads(values[3]) if values[3] else None
    return Broadcast(*values)


def get(db: sqlite_utils.Database, broadcast_id: int) -> Broadcast | None:
    return _broadcast(db.execute(f"{_SELECT} WHERE id = ?", (broadcast_id,)).fetchone())


def unfinished(db: sqlite_utils.Database) -> list[Broadcast]:
    return [_broadcast(r) for r in db.execute(f"{_SELECT} WHERE status = 'queued' ORDER BY id")]


def create_draft(db: sqlite_utils.Database, text: str, *, channel: str, chat_id: str, user_id: str,
                 scope: str | None, now: datetime, attachment: dict | None = None) -> Broadcast:
    stamp = iso(now)
    cur = db.execute(
        "INSERT INTO broadcasts (status, text, attachment, admin_channel, admin_chat_id, admin_user_id,"
        " admin_scope, created_at, updated_at) VALUES ('draft',?,?,?,?,?,?,?,?)",
        (text, json.dumps(attachment, ensure_ascii=False) if attachment else None, channel, chat_id,
         str(user_id), scope, stamp, stamp))
    return get(db, cur.lastrowid)


def set_target(db: sqlite_utils.Database, broadcast_id: int, target: str, recipients: int,
               now: datetime) -> None:
    db.execute("UPDATE broadcasts SET target = ?, recipients = ?, updated_at = ? WHERE id = ? AND status = 'draft'",
               (target, recipients, iso(now), broadcast_id))


def cancel_draft(db: sqlite_utils.Database, broadcast_id: int, now: datetime) -> bool:
    cur = db.execute("UPDATE broadcasts SET status = 'cancelled', updated_at = ? WHERE id = ? AND status = 'draft'",
                     (iso(now), broadcast_id))
    return cur.rowcount == 1


# -- targeting ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Audience:
    units: list[str]                       # unit codes reached
    recipients: list[tuple[str, str]]      # (channel, chat_id), each once
    blocked: int                           # members left out because they blocked the bot


def scope_codes(db: sqlite_utils.Database, scope: str | None) -> set[str] | None:
    """Units an admin may reach: None for every unit."""
    return None if scope is None else subtree_codes(db, scope)


def units_for(db: sqlite_utils.Database, kind: str, value: str = "", *, scope: str | None = None) -> list[str]:
    """Unit codes of a target: kind 'all' | 'level' (value: level key) | 'subtree' (value: code) |
    'units' (value: 'A,B') | 'pending' (congress not held yet); limited to the admin's scope."""
    if kind == "all":
        codes = {r[0] for r in db.execute("SELECT code FROM units")}
    elif kind == "level":
        codes = {r[0] for r in db.execute("SELECT code FROM units WHERE level = ?", (value,))}
    elif kind == "subtree":
        codes = subtree_codes(db, value)
    elif kind == "units":
        wanted = [c for c in value.split(",") if c]
        codes = {r[0] for r in db.execute(
            f"SELECT code FROM units WHERE code IN ({','.join('?' * len(wanted))})", wanted)} if wanted else set()
    elif kind == "pending":
        codes = {r[0] for r in db.execute(
            f"SELECT code FROM units WHERE status IN ({','.join('?' * len(NOT_HELD))})", NOT_HELD)}
    else:
        raise ValueError(kind)
    allowed = scope_codes(db, scope)
    if allowed is not None:
        codes &= allowed
    return sorted(codes)


def audience(db: sqlite_utils.Database, unit_codes: list[str]) -> Audience:
    """Officers who are members of `unit_codes`, once per chat, and how many were left out as blocked."""
    reach: dict[tuple[str, str], bool] = {}
    for i in range(0, len(unit_codes), 500):
        chunk = unit_codes[i:i + 500]
        for channel, chat_id, blocked in db.execute(
                "SELECT DISTINCT o.channel, o.chat_id, o.blocked_at IS NOT NULL FROM memberships m"
                " JOIN officers o ON o.id = m.officer_id"
                f" WHERE m.unit_code IN ({','.join('?' * len(chunk))})", chunk):
            reach[(channel, chat_id)] = bool(blocked)
    recipients = sorted(k for k, blocked in reach.items() if not blocked)
    return Audience(unit_codes, recipients, sum(reach.values()))


# -- queueing -----------------------------------------------------------------------------------------
def message_key(broadcast_id: int, channel: str, chat_id: str) -> str:
    return f"{KIND}:{broadcast_id}:{channel}:{chat_id}"


def queue(db: sqlite_utils.Database, broadcast_id: int, recipients: list[tuple[str, str]],
          now: datetime, text: str | None = None) -> int | None:
    """draft → queued with one outbox row per recipient, in one transaction. None when the broadcast is
    no longer a draft (confirmed twice, or cancelled): nothing changes then. `text` is what officers
    receive (the draft's text with its header); default: the draft's text as written."""
    with immediate(db):
        b = get(db, broadcast_id)
        if b is None or b.status != "draft":
            return None
        messages = []
        for channel, chat_id in recipients:
            payload: dict = {"broadcast": broadcast_id}
            if b.attachment and channel == b.admin_channel:  # a file id is only valid on its messenger
                payload["attachment"] = b.attachment
            messages.append(NewMessage(key=message_key(broadcast_id, channel, chat_id), kind=KIND,
                                       channel=channel, chat_id=chat_id, text=text or b.text, due_at=now,
                                       origin=b.origin, payload=payload, quiet_hours=False))
        outbox.enqueue(db, messages, now)
        db.execute("UPDATE broadcasts SET status = 'queued', recipients = ?, queued_at = ?, updated_at = ?"
                   " WHERE id = ?", (len(recipients), iso(now), iso(now), broadcast_id))
    return len(recipients)


SETTLED = ("sent", "failed", "dropped", "cancelled", "unknown")   # a row no one will try again


@dataclass(frozen=True)
class Progress:
    total: int
    sent: int
    failed: int
    blocked: int        # of `failed`: the recipient blocked the bot
    waiting: int        # pending or being sent
    unknown: int = 0    # sent, but no answer came: may or may not have been delivered ("chưa rõ")
    waiting_by_channel: dict[str, int] = field(default_factory=dict)   # `waiting`, by channel

    @property
    def done(self) -> bool:
        return self.waiting == 0

    def waiting_on(self, channels: Iterable[str] | None) -> int:
        """Rows still waiting on `channels` (None: on any channel)."""
        if channels is None:
            return self.waiting
        return sum(self.waiting_by_channel.get(c, 0) for c in set(channels))


def progress(db: sqlite_utils.Database, broadcast_id: int) -> Progress:
    counts = {"sent": 0, "failed": 0, "waiting": 0, "blocked": 0, "unknown": 0}
    waiting: dict[str, int] = {}
    for status, blocked, channel, n in db.execute(
            "SELECT status, last_error LIKE 'người nhận đã chặn bot%', channel, COUNT(*) FROM outbox"
            " WHERE origin = ? AND kind = ? GROUP BY 1, 2, 3", (f"broadcast:{broadcast_id}", KIND)):
        if status == "sent":
            counts["sent"] += n
        elif status in ("pending", "sending"):
            counts["waiting"] += n
            waiting[channel] = waiting.get(channel, 0) + n
        elif status == "unknown":
            counts["unknown"] += n
        else:  # failed, dropped, cancelled
            counts["failed"] += n
            if blocked:
                counts["blocked"] += n
    total = counts["sent"] + counts["failed"] + counts["waiting"] + counts["unknown"]
    return Progress(total, counts["sent"], counts["failed"], counts["blocked"], counts["waiting"],
                    counts["unknown"], dict(sorted(waiting.items())))


def last_settled_at(db: sqlite_utils.Database, broadcast_id: int) -> str | None:
    """When the broadcast's last settled row got its outcome (UTC ISO), or None when none has one yet."""
    return db.execute(f"SELECT MAX(updated_at) FROM outbox WHERE origin = ? AND kind = ?"
                      f" AND status IN ({','.join('?' * len(SETTLED))})",
                      (f"broadcast:{broadcast_id}", KIND, *SETTLED)).fetchone()[0]


def finish_if_done(db: sqlite_utils.Database, broadcast_id: int, now: datetime,
                   running: Iterable[str] | None = None) -> bool:
    """queued → done once no row waits on a channel of `running` (None: on any channel); rows left
    waiting on the other channels go out when one of them runs. Its `finished_at` is when its last row
    settled (the queueing time when none did). True when this call finished it."""
    with immediate(db):
        b = get(db, broadcast_id)
        if b is None or b.status != "queued" or progress(db, broadcast_id).waiting_on(running):
            return False
        finished = last_settled_at(db, broadcast_id) or b.queued_at or iso(now)
        db.execute("UPDATE broadcasts SET status = 'done', finished_at = ?, updated_at = ? WHERE id = ?",
                   (finished, iso(now), broadcast_id))
    return True


def queue_report(db: sqlite_utils.Database, b: Broadcast, text: str, now: datetime) -> bool:
    """Send the final report to the admin's chat through the outbox, once (its key is fixed)."""
    with immediate(db):
        if db.execute("SELECT report_queued FROM broadcasts WHERE id = ?", (b.id,)).fetchone()[0]:
            return False
        outbox.enqueue(db, [NewMessage(key=f"{REPORT_KIND}:{b.id}", kind=REPORT_KIND, channel=b.admin_channel,
                                       chat_id=b.admin_chat_id, text=text, due_at=now, origin=b.origin,
                                       quiet_hours=False)], now)
        db.execute("UPDATE broadcasts SET report_queued = 1 WHERE id = ?", (b.id,))
    return True


# -- admin conversation state -------------------------------------------------------------------------
def set_flow(db: sqlite_utils.Database, channel: str, chat_id: str, state: str, broadcast_id: int | None,
             now: datetime) -> None:
    db.execute("INSERT INTO admin_flows (channel, chat_id, state, broadcast_id, updated_at) VALUES (?,?,?,?,?)"
               " ON CONFLICT(channel, chat_id) DO UPDATE SET state = excluded.state,"
               " broadcast_id = excluded.broadcast_id, updated_at = excluded.updated_at",
               (channel, chat_id, state, broadcast_id, iso(now)))


def get_flow(db: sqlite_utils.Database, channel: str, chat_id: str) -> tuple[str, int | None, str] | None:
    """(state, broadcast id, updated_at) or None."""
    row = db.execute("SELECT state, broadcast_id, updated_at FROM admin_flows WHERE channel = ? AND chat_id = ?",
                     (channel, chat_id)).fetchone()
    return tuple(row) if row else None


def clear_flow(db: sqlite_utils.Database, channel: str, chat_id: str) -> None:
    db.execute("DELETE FROM admin_flows WHERE channel = ? AND chat_id = ?", (channel, chat_id))


def waiting_count(db: sqlite_utils.Database, broadcast_id: int, channels: list[str] | None = None) -> int:
    """Rows of the broadcast still to send (only those of `channels` when given)."""
    query = "SELECT COUNT(*) FROM outbox WHERE origin = ? AND kind = ? AND status IN ('pending', 'sending')"
    params: list = [f"broadcast:{broadcast_id}", KIND]
    if channels is not None:
        if not channels:
            return 0
        query += f" AND channel IN ({','.join('?' * len(channels))})"
        params += channels
    return db.execute(query, params).fetchone()[0]


def has_flow(db: sqlite_utils.Database, channel: str, chat_id: str) -> bool:
    """Whether the chat is in the middle of writing a notice."""
    return db.execute("SELECT 1 FROM admin_flows WHERE channel = ? AND chat_id = ?", (channel, chat_id)).fetchone() is not None
