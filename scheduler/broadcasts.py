"""A broadcast's end: once none of its outbox rows waits any more, it is marked done and its report is
queued to the admin who sent it — once (fixed key), by whoever notices first: the live progress message
(handlers/broadcast.py) or the dispatcher's end-of-sweep hook (scheduler/jobs.py), which also covers a
restart that lost the live message. The report is worded here, below the dispatcher that triggers it."""
from __future__ import annotations

from datetime import datetime

import sqlite_utils

import clock
from datefmt import moment
from knowledge.unit_terms import LEVELS
from scheduler import texts as T
from storage import broadcasts as store


def describe(kind: str, value: str = "") -> str:
    """A target in words: 'tất cả cán bộ', 'các đơn vị cấp …', 'đơn vị X và các đơn vị trực thuộc' …"""
    if kind == "all":
        return "tất cả cán bộ"
    if kind == "level":
        return f"các đơn vị cấp {LEVELS.get(value, value)}"
    if kind == "subtree":
        return f"đơn vị {value} và các đơn vị trực thuộc"
    if kind == "units":
        return "các đơn vị " + ", ".join(value.split(","))
    if kind == "pending":
        return "các đơn vị chưa tổ chức đại hội"
    return kind


def report_text(db: sqlite_utils.Database, b: store.Broadcast) -> str:
    p = store.progress(db, b.id)
    b = store.get(db, b.id) or b
    kind, _, value = (b.target or "all").partition(":")
    blocked = T.BLOCKED_NOTE.format(blocked=p.blocked) if p.blocked else ""
    return T.REPORT.format(id=b.id, target=describe(kind, value), sent=p.sent, total=p.total, failed=p.failed,
                           blocked_note=blocked,
                           unknown_line=T.UNKNOWN_LINE.format(unknown=p.unknown) if p.unknown else "",
                           queued=_local(b.queued_at), finished=_local(b.finished_at))


def _local(stamp: str | None) -> str:
    return moment(clock.from_iso(stamp)) if stamp else "—"


def finish(db: sqlite_utils.Database, broadcast_id: int, now: datetime | None = None) -> bool:
    """If every row of the broadcast is settled: mark it done and queue the report (once). True when
    the report was queued by this call."""
    now = now or clock.now()
    store.finish_if_done(db, broadcast_id, now)
    b = store.get(db, broadcast_id)
    if b is None or b.status != "done" or b.admin_channel == "cli":
        return False
    return store.queue_report(db, b, report_text(db, b), now)


def finish_all(db: sqlite_utils.Database, now: datetime | None = None) -> int:
    """Finish every queued broadcast that has nothing left to send (the dispatcher's end-of-sweep hook)."""
    return sum(finish(db, b.id, now) for b in store.unfinished(db))
