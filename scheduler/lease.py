"""One dispatcher per database: the lease a process must hold to send from the outbox.

    lease = Lease(db, role="run")
    if lease.acquire(): …              # we may send; keep it with `keep_alive()` (a task) or `refresh()`
    else: print(lease.holder_text())   # who holds it, in Vietnamese

The lease row (storage/lease.py) names its owner, pid, host and expiry (`ttl`, 60 s), renewed every
`heartbeat` (15 s). It is free once it expires, once its holder released it (a clean stop), or at once
when its holder is a process on this machine that is gone (a kill -9: no need to wait for the expiry).
A pid reused by another process is told apart by the process's start mark (Linux /proc).

Only the holder sends: each claim checks the lease in its own transaction and records the owner in
`outbox.claimed_by`; taking the lease recovers the rows of the previous holder, never those of a live
one. So a second `bot.py run` warns and stands by (it takes over once the first stops), and `bot.py
broadcast` or `reminders run-once` beside a live bot send nothing and say which process (pid, host) will
(tests/test_dispatcher_lease.py).
"""
from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from datetime import datetime, timezone
from typing import Callable

import sqlite_utils

import clock
from storage import lease as store
from storage.lease import LeaseRow

log = logging.getLogger(__name__)

TTL = 60.0
HEARTBEAT = 15.0
HOST = socket.gethostname()
ROLE_LABELS = {"run": "trợ lý đang chạy (bot.py run)", "broadcast": "lệnh gửi thông báo (bot.py broadcast)",
               "reminders": "lệnh gửi nhắc hạn (bot.py reminders run-once)"}


_owner: tuple[int, str] | None = None


def process_owner() -> str:
    """This process's owner token: every dispatcher of one process shares it (a test's sequential
    "restarts" in one process, two dispatchers racing in one process), another process never does."""
    global _owner
    if _owner is None or _owner[0] != os.getpid():   # recomputed after a fork
        _owner = (os.getpid(), f"{HOST}:{os.getpid()}:{secrets.token_hex(4)}")
    return _owner[1]


def process_mark(pid: int) -> str:
    """The process's start time in clock ticks since boot ('' where /proc is not available)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return fields[19].decode()   # field 22 of stat; fields after the name start at field 3
    except (OSError, IndexError):
        return ""


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return False


def holder_is_dead(row: LeaseRow) -> bool:
    """True only when we can tell: the holder ran on this machine and that process is gone."""
    if row.host != HOST or row.pid <= 0:
        return False
    try:
        os.kill(row.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # alive, another user's
    if _is_zombie(row.pid):
        return True
    mark = process_mark(row.pid)
    return bool(row.started and mark and mark != row.started)


class Lease:
    def __init__(self, db: sqlite_utils.Database, role: str = "run", *, ttl: float = TTL,
                 heartbeat: float = HEARTBEAT, wall: Callable[[], float] = time.time, owner: str | None = None):
        self.db = db
        self.role = role
        self.ttl, self.heartbeat = ttl, heartbeat
        self._wall = wall
        self.owner = owner or process_owner()
        self.held = False
        self.expires_at = 0.0
        self.holder: LeaseRow | None = None   # who held it when we last failed to take it
        self._task: asyncio.Task | None = None

    def now(self) -> float:
        return self._wall()

    def _row(self, now: float) -> LeaseRow:
        return LeaseRow(self.owner, os.getpid(), HOST, process_mark(os.getpid()), self.role, now, now + self.ttl)

    def acquire(self) -> bool:
        """Take the lease (or keep it); True when we hold it now. `newly_taken` says whether it was
        someone else's (or nobody's) before this call."""
        now = self.now()
        was_held = self.held
        taken, before = store.take(self.db, self._row(now), now, holder_is_dead)
        self.held = taken
        self.newly_taken = taken and not was_held
        if taken:
            self.expires_at = now + self.ttl
            self.holder = None
            if before is not None and before.owner != self.owner and self.newly_taken:
                log.warning("outbox lease taken over from %s (pid %s on %s, %s)", before.owner, before.pid,
                            before.host, "expired" if before.expires_at <= now else "process gone")
        else:
            self.holder = before
        return taken

    def refresh(self) -> bool:
        """Keep holding it: renew once half the time is used up, or take it when not held."""
        if not self.held:
            return self.acquire()
        now = self.now()
        if self.expires_at - now > self.ttl / 2:
            return True
        if store.renew(self.db, self.owner, now, now + self.ttl):
            self.expires_at = now + self.ttl
            return True
        log.error("outbox lease lost: another process took it over; this one stops sending")
        self.held = False
        return self.acquire()

    async def keep_alive(self) -> None:
        """Renew every `heartbeat` seconds while the process runs (a task)."""
        while True:
            await asyncio.sleep(self.heartbeat)
            if self.held and store.renew(self.db, self.owner, self.now(), self.now() + self.ttl):
                self.expires_at = self.now() + self.ttl
            elif self.held:
                log.error("outbox lease lost: another process took it over; this one stops sending")
                self.held = False

    def start_heartbeat(self) -> None:
        """Start `keep_alive` on the running loop (once)."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self.keep_alive())

    def release(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if self.held:
            store.release(self.db, self.owner)
            self.held = False

    def holder_text(self) -> str:
        """Who holds the lease, for a Vietnamese message."""
        row = self.holder or store.holder(self.db)
        if row is None:
            return "một tiến trình khác"
        when = clock.to_local(datetime.fromtimestamp(row.heartbeat_at, timezone.utc)).strftime("%H:%M:%S %d/%m/%Y")
        return (f"{ROLE_LABELS.get(row.role, 'một tiến trình khác')}, tiến trình {row.pid} trên máy {row.host}, "
                f"còn hoạt động lúc {when}")
