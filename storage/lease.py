"""The dispatcher lease: one row saying which process may send from this database, until when.

One dispatcher per database: the process holding the lease (owner, pid, host, heartbeat, expiry) is the
only one that claims outbox rows (the claim checks the lease in the same transaction), and start-up
recovery touches only rows whose owner no longer holds a live lease. Times are real Unix seconds (not
`clock.now()`, which `--now` moves), since they are compared across processes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sqlite_utils

from storage.transactions import immediate

NAME = "outbox"


@dataclass(frozen=True)
class LeaseRow:
    owner: str          # a token unique to one dispatcher of one process
    pid: int
    host: str
    started: str        # the process's start mark (tells a reused pid from the original)
    role: str           # 'run', 'broadcast', 'reminders' — what the holder is doing, for messages
    heartbeat_at: float
    expires_at: float


_COLUMNS = "owner, pid, host, started, role, heartbeat_at, expires_at"


def holder(db: sqlite_utils.Database) -> LeaseRow | None:
    row = db.execute(f"SELECT {_COLUMNS} FROM dispatcher_lease WHERE name = ?", (NAME,)).fetchone()
    return LeaseRow(*row) if row else None


def take(db: sqlite_utils.Database, mine: LeaseRow, now: float,
         is_dead: Callable[[LeaseRow], bool]) -> tuple[bool, LeaseRow | None]:
    """Take the lease when it is free, expired, already ours, or its holder is dead. Returns (taken,
    the holder before this call)."""
    with immediate(db):
        current = holder(db)
        if current is not None and current.owner != mine.owner and current.expires_at > now \
                and not is_dead(current):
            return False, current
        db.execute(f"INSERT INTO dispatcher_lease (name, {_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)"
                   " ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, pid = excluded.pid,"
                   " host = excluded.host, started = excluded.started, role = excluded.role,"
                   " heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at",
                   (NAME, mine.owner, mine.pid, mine.host, mine.started, mine.role, now, mine.expires_at))
    return True, current


def renew(db: sqlite_utils.Database, owner: str, now: float, expires_at: float) -> bool:
    """Move our expiry on; False when the lease is no longer ours (another process took it over)."""
    cur = db.execute("UPDATE dispatcher_lease SET heartbeat_at = ?, expires_at = ? WHERE name = ? AND owner = ?",
                     (now, expires_at, NAME, owner))
    return cur.rowcount == 1


def release(db: sqlite_utils.Database, owner: str) -> None:
    db.execute("DELETE FROM dispatcher_lease WHERE name = ? AND owner = ?", (NAME, owner))
