"""The outbox table: one durable row per (message, recipient), shared by reminders, broadcasts and every
channel. Producers enqueue with an idempotency key (UNIQUE, so re-planning never duplicates); the
dispatcher claims due rows (pending → sending, in one write transaction) before sending and marks them
after. See scheduler/outbox.py for the sending side.

Statuses: pending (waiting for its due time) → sending (claimed) → sent | failed | unknown; or cancelled
(its producer withdrew it, e.g. a unit's date changed) or dropped (too late to be useful, never sent).
'unknown' is final: the request reached the messenger and timed out before its answer, so it may or may
not have been delivered, and the row's kind does not allow (another) resend.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Iterable

import sqlite_utils

from clock import from_iso, iso
from storage.transactions import immediate

STATUSES = ("pending", "sending", "sent", "failed", "cancelled", "dropped", "unknown")


@dataclass(frozen=True)
class NewMessage:
    """A message a producer wants sent."""
    key: str                 # idempotency key: one delivery per key, ever
    kind: str                # 'reminder', 'broadcast', …
    channel: str
    chat_id: str
    text: str
    due_at: datetime
    origin: str = ""         # 'unit:<code>', 'broadcast:<id>': lets the producer cancel its own rows
    payload: dict = field(default_factory=dict)
    expires_at: datetime | None = None
    quiet_hours: bool = True
    status: str = "pending"  # producers may record a decision directly: 'dropped' with `note`
    note: str | None = None


@dataclass(frozen=True)
class OutboxRow:
    id: int
    key: str
    kind: str
    origin: str
    channel: str
    chat_id: str
    text: str
    payload: dict
    due_at: str
    expires_at: str | None
    quiet_hours: bool
    status: str
    attempts: int
    last_error: str | None


_COLUMNS = ("id, key, kind, origin, channel, chat_id, text, payload, due_at, expires_at, quiet_hours,"
            " status, attempts, last_error")


def _row(r: tuple) -> OutboxRow:
    return OutboxRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], json.loads(r[7] or "{}"), r[8], r[9],
                     bool(r[10]), r[11], r[12], r[13])


def enqueue(db: sqlite_utils.Database, messages: Iterable[NewMessage], now: datetime) -> int:
    """Insert messages whose key is new, and revive cancelled ones (a cancelled row was never sent, so
    an officer who opts back in gets it); any other known key is left as it is. Returns how many rows
    were added or revived."""
    stamp = iso(now)
    rows = [(m.key, m.kind, m.origin, m.channel, m.chat_id, m.text,
             json.dumps(m.payload, ensure_ascii=False, separators=(",", ":")), iso(m.due_at),
             iso(m.expires_at) if m.expires_at else None, int(m.quiet_hours), m.status, m.note,
             stamp, stamp) for m in messages]
    if not rows:
        return 0
    before = db.conn.total_changes
    with immediate(db):
        db.conn.executemany(
            "INSERT INTO outbox (key, kind, origin, channel, chat_id, text, payload, due_at,"
            " expires_at, quiet_hours, status, last_error, created_at, updated_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
            " ON CONFLICT(key) DO UPDATE SET text = excluded.text, payload = excluded.payload,"
            " due_at = excluded.due_at, expires_at = excluded.expires_at, status = excluded.status,"
            " last_error = excluded.last_error, updated_at = excluded.updated_at"
            " WHERE outbox.status = 'cancelled'", rows)
    return db.conn.total_changes - before


def get(db: sqlite_utils.Database, key: str) -> OutboxRow | None:
    r = db.execute(f"SELECT {_COLUMNS} FROM outbox WHERE key = ?", (key,)).fetchone()
    return _row(r) if r else None


def rows(db: sqlite_utils.Database, where: str = "1", params: tuple = ()) -> list[OutboxRow]:
    return [_row(r) for r in db.execute(f"SELECT {_COLUMNS} FROM outbox WHERE {where} ORDER BY due_at, id",
                                        params)]


def live_keys(db: sqlite_utils.Database, keys: list[str]) -> set[str]:
    """Which of `keys` are in the outbox and not cancelled (those enqueue would leave alone)."""
    found: set[str] = set()
    for i in range(0, len(keys), 500):
        chunk = keys[i:i + 500]
        found.update(r[0] for r in db.execute(
            f"SELECT key FROM outbox WHERE key IN ({','.join('?' * len(chunk))}) AND status != 'cancelled'",
            chunk))
    return found


def expire_due(db: sqlite_utils.Database, now: datetime) -> list[OutboxRow]:
    """Pending rows past their expiry become 'dropped' (never sent). Returns them, for the log."""
    stamp = iso(now)
    with immediate(db):
        expired = [_row(r) for r in db.execute(
            f"SELECT {_COLUMNS} FROM outbox WHERE status = 'pending' AND expires_at IS NOT NULL"
            " AND expires_at <= ?", (stamp,))]
        if expired:
            db.execute("UPDATE outbox SET status = 'dropped', last_error = 'hết hạn: sự kiện đã qua',"
                       " updated_at = ? WHERE status = 'pending' AND expires_at IS NOT NULL"
                       " AND expires_at <= ?", (stamp, stamp))
    return expired


def mark_sent(db: sqlite_utils.Database, row_id: int, text: str, now: datetime,
              attempt_id: int | None = None) -> None:
    with immediate(db):
        db.execute("UPDATE outbox SET status = 'sent', text = ?, sent_at = ?, updated_at = ?, last_error = NULL"
                   " WHERE id = ?", (text, iso(now), iso(now), row_id))
        close_attempt(db, attempt_id, "sent", None, now)


def set_text(db: sqlite_utils.Database, row_id: int, text: str, now: datetime) -> None:
    """Record what is about to be sent (intent before sending)."""
    db.execute("UPDATE outbox SET text = ?, updated_at = ? WHERE id = ?", (text, iso(now), row_id))


def mark_retry(db: sqlite_utils.Database, row_id: int, due_at: datetime, error: str, now: datetime,
               attempt_id: int | None = None, outcome: str = "retryable", refund: bool = False) -> None:
    """Back to pending until `due_at`. `refund`: this try does not count towards the attempts limit
    (a 429 says "later", not "failed"); it stays in the attempts log all the same."""
    with immediate(db):
        db.execute("UPDATE outbox SET status = 'pending', due_at = ?, last_error = ?, updated_at = ?,"
                   " attempts = attempts - ? WHERE id = ?",
                   (iso(due_at), error[:500], iso(now), int(refund), row_id))
        close_attempt(db, attempt_id, outcome, error, now)


def mark_final(db: sqlite_utils.Database, row_id: int, status: str, error: str, now: datetime,
               attempt_id: int | None = None, outcome: str | None = None) -> None:
    """'failed', 'dropped' or 'unknown', with the reason."""
    assert status in ("failed", "dropped", "unknown")
    with immediate(db):
        db.execute("UPDATE outbox SET status = ?, last_error = ?, updated_at = ? WHERE id = ?",
                   (status, error[:500], iso(now), row_id))
        close_attempt(db, attempt_id, outcome or status, error, now)


# -- one row at a time, with the attempts log (the dispatcher's path) ----------------------------------
def peek_due(db: sqlite_utils.Database, now: datetime, channels: Iterable[str], limit: int,
             quiet: bool) -> list[OutboxRow]:
    """Due pending rows of `channels`, oldest first, without claiming them."""
    channels = list(channels)
    if not channels:
        return []
    quiet_clause = " AND quiet_hours = 0" if quiet else ""
    return [_row(r) for r in db.execute(
        f"SELECT {_COLUMNS} FROM outbox WHERE status = 'pending' AND due_at <= ?"
        f" AND channel IN ({','.join('?' * len(channels))}){quiet_clause} ORDER BY due_at, id LIMIT ?",
        (iso(now), *channels, limit))]


def next_due_at(db: sqlite_utils.Database, channels: Iterable[str], quiet: bool) -> datetime | None:
    """When the next pending row of `channels` falls due."""
    channels = list(channels)
    if not channels:
        return None
    quiet_clause = " AND quiet_hours = 0" if quiet else ""
    row = db.execute(f"SELECT MIN(due_at) FROM outbox WHERE status = 'pending'"
                     f" AND channel IN ({','.join('?' * len(channels))}){quiet_clause}", channels).fetchone()
    return from_iso(row[0]) if row and row[0] else None


def claim_row(db: sqlite_utils.Database, row_id: int, now: datetime, owner: str | None = None,
              lease_now: float | None = None, quiet: bool = False) -> tuple[OutboxRow, int] | None:
    """pending → sending (attempts + 1) and an open attempt, in one transaction, right before the request.
    None when the row is no longer pending (another dispatcher took it), when `owner` does not hold a live
    dispatcher lease at `lease_now` (Unix seconds; storage/lease.py), or when `quiet` (quiet hours now)
    and the row keeps them. A row in 'sending' therefore always has exactly one open attempt: a request
    about to leave, or in flight, by the holder of the lease."""
    stamp = iso(now)
    lease_clause = (" AND EXISTS (SELECT 1 FROM dispatcher_lease WHERE name = 'outbox' AND owner = ?"
                    " AND expires_at > ?)") if owner is not None else ""
    quiet_clause = " AND quiet_hours = 0" if quiet else ""
    params = (stamp, owner, stamp, row_id) + ((owner, lease_now) if owner is not None else ())
    with immediate(db):
        cur = db.execute("UPDATE outbox SET status = 'sending', attempts = attempts + 1, claimed_at = ?,"
                         " claimed_by = ?, updated_at = ? WHERE id = ? AND status = 'pending'"
                         + quiet_clause + lease_clause, params)
        if cur.rowcount != 1:
            return None
        row = _row(db.execute(f"SELECT {_COLUMNS} FROM outbox WHERE id = ?", (row_id,)).fetchone())
        attempt = db.execute("INSERT INTO outbox_attempts (outbox_id, channel, chat_id, started_at)"
                             " VALUES (?,?,?,?)", (row_id, row.channel, row.chat_id, stamp)).lastrowid
    return row, attempt


def close_attempt(db: sqlite_utils.Database, attempt_id: int | None, outcome: str, detail: str | None,
                  now: datetime) -> None:
    if attempt_id is not None:
        db.execute("UPDATE outbox_attempts SET finished_at = ?, outcome = ?, detail = ? WHERE id = ?",
                   (iso(now), outcome, (detail or None) and detail[:500], attempt_id))


def attempts_with_outcome(db: sqlite_utils.Database, row_id: int, outcome: str) -> int:
    """How many tries of the row ended with `outcome` (e.g. 'unknown')."""
    return db.execute("SELECT COUNT(*) FROM outbox_attempts WHERE outbox_id = ? AND outcome = ?",
                      (row_id, outcome)).fetchone()[0]


def skip_blocked(db: sqlite_utils.Database, row_id: int, now: datetime) -> bool:
    """A pending row whose recipient blocked the bot: failed without a try."""
    cur = db.execute("UPDATE outbox SET status = 'failed', last_error = ?, updated_at = ?"
                     " WHERE id = ? AND status = 'pending'",
                     ("người nhận đã chặn bot (không gửi nữa cho tới khi họ nhắn lại)", iso(now), row_id))
    return cur.rowcount == 1


def is_blocked(db: sqlite_utils.Database, channel: str, chat_id: str) -> bool:
    """True when the recipient is an officer marked as having blocked the bot (a 403 earlier)."""
    row = db.execute("SELECT blocked_at FROM officers WHERE channel = ? AND chat_id = ?",
                     (channel, chat_id)).fetchone()
    return bool(row and row[0])


# Rows claimed by a dispatcher that no longer holds a live lease (or by one that kept no owner).
_ORPHANED = ("(claimed_by IS NULL OR (claimed_by IS NOT ? AND NOT EXISTS (SELECT 1 FROM dispatcher_lease"
             " WHERE name = 'outbox' AND owner = outbox.claimed_by AND expires_at > ?)))")


def recover_in_flight(db: sqlite_utils.Database, now: datetime, owner: str | None = None,
                      lease_now: float = 0.0) -> list[OutboxRow]:
    """Rows whose request was in flight when their dispatcher died (an open attempt, claimed by someone
    other than `owner` whose lease is no longer live at `lease_now`): they go back to pending and are
    sent again. The message reached the recipient twice only if the messenger had accepted the request
    in the instant between its answer leaving and our commit of it. Rows of a live dispatcher are never
    touched: its requests are still in flight."""
    stamp = iso(now)
    with immediate(db):
        rows = [_row(r) for r in db.execute(
            f"SELECT {_COLUMNS} FROM outbox WHERE status = 'sending' AND {_ORPHANED} AND id IN"
            " (SELECT outbox_id FROM outbox_attempts WHERE outcome IS NULL)", (owner, lease_now))]
        if rows:
            ids = [r.id for r in rows]
            marks = ",".join("?" * len(ids))
            db.execute(f"UPDATE outbox_attempts SET outcome = 'interrupted', finished_at = ?"
                       f" WHERE outcome IS NULL AND outbox_id IN ({marks})", (stamp, *ids))
            db.execute(f"UPDATE outbox SET status = 'pending', last_error = ?, updated_at = ?"
                       f" WHERE id IN ({marks})",
                       ("gián đoạn khi đang gửi: gửi lại", stamp, *ids))
    return rows


def cancel(db: sqlite_utils.Database, now: datetime, origin: str | None = None, kind: str | None = None,
           channel: str | None = None, chat_id: str | None = None,
           keep_keys: set[str] | None = None, reason: str = "") -> int:
    """Cancel pending rows matching every given filter, except `keep_keys`. Returns how many."""
    clauses, params = ["status = 'pending'"], []
    for column, value in (("origin", origin), ("kind", kind), ("channel", channel), ("chat_id", chat_id)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    where = " AND ".join(clauses)
    with immediate(db):
        targets = [r[0] for r in db.execute(f"SELECT id, key FROM outbox WHERE {where}", params)
                   if not keep_keys or r[1] not in keep_keys]
        for i in range(0, len(targets), 500):
            chunk = targets[i:i + 500]
            db.execute(f"UPDATE outbox SET status = 'cancelled', last_error = ?, updated_at = ?"
                       f" WHERE id IN ({','.join('?' * len(chunk))})", (reason or None, iso(now), *chunk))
    return len(targets)


def recover_interrupted(db: sqlite_utils.Database, now: datetime, owner: str | None = None,
                        lease_now: float = 0.0) -> list[OutboxRow]:
    """Rows a crashed dispatcher (not `owner`, lease no longer live) left in 'sending' without an open
    attempt. The message may or may not have gone out; resending could deliver it twice, so they are
    marked failed (at most once) and returned for the log."""
    with immediate(db):
        stuck = [_row(r) for r in db.execute(
            f"SELECT {_COLUMNS} FROM outbox WHERE status = 'sending' AND {_ORPHANED}", (owner, lease_now))]
        if stuck:
            ids = [r.id for r in stuck]
            db.execute("UPDATE outbox SET status = 'failed', last_error = 'gián đoạn khi đang gửi:"
                       " không rõ đã tới người nhận hay chưa, không gửi lại', updated_at = ?"
                       f" WHERE id IN ({','.join('?' * len(ids))})", (iso(now), *ids))
    return stuck


def counts(db: sqlite_utils.Database, origin_prefix: str = "") -> dict[str, int]:
    result = {s: 0 for s in STATUSES}
    for status, n in db.execute("SELECT status, COUNT(*) FROM outbox WHERE origin LIKE ? GROUP BY status",
                                (origin_prefix + "%",)):
        result[status] = n
    return result


def due_by_channel(db: sqlite_utils.Database, now: datetime) -> dict[str, int]:
    """Channel → pending rows due by `now` (what `reminders run-once` leaves for a running bot)."""
    return dict(db.execute("SELECT channel, COUNT(*) FROM outbox WHERE status = 'pending' AND due_at <= ?"
                           " GROUP BY channel", (iso(now),)).fetchall())


def record_delivery(db: sqlite_utils.Database, channel: str, chat_id: str, text: str, now: datetime) -> None:
    """What the console/log sender delivered (no messenger behind it)."""
    db.execute("INSERT INTO delivery_log (channel, chat_id, text, delivered_at) VALUES (?,?,?,?)",
               (channel, chat_id, text, iso(now)))


def deliveries(db: sqlite_utils.Database, channel: str | None = None) -> list[tuple[str, str, str, str]]:
    """(channel, chat_id, text, delivered_at) in delivery order."""
    if channel is None:
        return db.execute("SELECT channel, chat_id, text, delivered_at FROM delivery_log ORDER BY id").fetchall()
    return db.execute("SELECT channel, chat_id, text, delivered_at FROM delivery_log WHERE channel = ?"
                      " ORDER BY id", (channel,)).fetchall()
