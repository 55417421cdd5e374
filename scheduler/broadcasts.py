"""A broadcast's end: once none of its outbox rows waits any more, it is marked done and its report is
queued to the admin who sent it — once (fixed key), by whoever notices first: the live progress message
(handlers/broadcast.py) or the dispatcher's end-of-sweep hook (scheduler/jobs.py), which also covers a
restart that lost the live message. The report is worded here, below the dispatcher that triggers it.

The hook passes the channels its dispatcher sends to: rows of a channel that does not run there (Zalo
not configured, the console's demo users) do not hold the end back; the report names them ("Chờ kênh
Zalo: 3") and they go out if that channel runs later. The report is worded again when it leaves, and its
"xong" is when the last row settled, not when the sweep that noticed began."""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

import sqlite_utils

import clock
from datefmt import moment
from knowledge.unit_terms import LEVELS
from scheduler import texts as T
from storage import broadcasts as store
from storage.outbox import OutboxRow


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


def channel_label(channel: str) -> str:
    return T.CHANNEL_LABELS.get(channel, channel)


def waiting_elsewhere(b: store.Broadcast, p: store.Progress) -> dict[str, int]:
    """Channel → rows left waiting when the broadcast was finished: a done broadcast's waiting rows are
    those of channels that do not run here (`finish` left them)."""
    return dict(p.waiting_by_channel) if b.status == "done" else {}


def finished_at(db: sqlite_utils.Database, b: store.Broadcast) -> str | None:
    """When its last row settled: a row a channel sent later moves it on."""
    return store.last_settled_at(db, b.id) or b.finished_at


def report_text(db: sqlite_utils.Database, b: store.Broadcast) -> str:
    p = store.progress(db, b.id)
    b = store.get(db, b.id) or b
    kind, _, value = (b.target or "all").partition(":")
    blocked = T.BLOCKED_NOTE.format(blocked=p.blocked) if p.blocked else ""
    waiting = "".join(T.WAITING_LINE.format(channel=channel_label(c), count=n)
                      for c, n in waiting_elsewhere(b, p).items())
    return T.REPORT.format(id=b.id, target=describe(kind, value), sent=p.sent, total=p.total, failed=p.failed,
                           blocked_note=blocked,
                           unknown_line=T.UNKNOWN_LINE.format(unknown=p.unknown) if p.unknown else "",
                           waiting_lines=waiting, queued=_local(b.queued_at), finished=_local(finished_at(db, b)))


def render_report(db: sqlite_utils.Database, row: OutboxRow, now: datetime) -> str:
    """The report worded again as it leaves (the dispatcher's renderer): rows a channel sent after the
    broadcast was finished are counted as sent, not as waiting."""
    kind, _, broadcast_id = row.origin.partition(":")
    b = store.get(db, int(broadcast_id)) if kind == "broadcast" and broadcast_id.isdigit() else None
    return report_text(db, b) if b is not None else row.text


def _local(stamp: str | None) -> str:
    return moment(clock.from_iso(stamp)) if stamp else "—"


def finish(db: sqlite_utils.Database, broadcast_id: int, now: datetime | None = None,
           running: Iterable[str] | None = None) -> bool:
    """If no row of the broadcast waits on a channel of `running` (None: on any channel): mark it done
    and queue the report (once). True when the report was queued by this call."""
    now = now or clock.now()
    store.finish_if_done(db, broadcast_id, now, running)
    b = store.get(db, broadcast_id)
    if b is None or b.status != "done" or b.admin_channel == "cli":
        return False
    return store.queue_report(db, b, report_text(db, b), now)


def finish_all(db: sqlite_utils.Database, now: datetime | None = None, running: Iterable[str] | None = None) -> int:
    """Finish every queued broadcast that has nothing left to send on the `running` channels (the
    dispatcher's end-of-sweep hook passes its own: rows of a channel that does not run here wait for it
    and do not hold the report back). An empty `running` counts as None: nothing is sent here, so only
    broadcasts whose every row settled are finished."""
    running = list(running) if running else None
    return sum(finish(db, b.id, now, running) for b in store.unfinished(db))
