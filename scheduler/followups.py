"""Closing the loop on late units: one nudge to a late unit's officers, a weekly digest to admins.

Both go through the outbox like reminders (quiet hours kept, exactly once by key, re-rendered at send):
- nudge `late:<unit>:<deadline>:<channel>:<chat>`: once per officer and deadline (a moved congress gives
  a new deadline, hence one new nudge); dropped at send time if the unit reported meanwhile;
- digest `digest:<ISO year>-W<week>:<channel>:<admin>`: once per admin and week, from the first check at
  or after Monday's send hour; it lists the late units of the admin's scope as they are at send time,
  and is dropped if none is late by then.

The check runs with the reminder planning (scheduler/jobs.py) but does its work once per local day
(`meta.followups_checked_on`): lateness changes only when a day ends.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, time

import sqlite_utils

import clock
from datefmt import days_left, dmy
from scheduler import texts as T
from scheduler import progress
from storage import outbox
from storage import units as unit_store
from storage.admins import list_admins
from storage.meta import get_meta, set_meta
from storage.outbox import NewMessage, OutboxRow

log = logging.getLogger(__name__)

NUDGE_KIND = "late_nudge"
DIGEST_KIND = "progress_digest"
SEND_AT = time(8, 0)
CHECKED_KEY = "followups_checked_on"
DIGEST_LIMIT = 30


def _week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _checked_on(db: sqlite_utils.Database) -> str | None:
    return get_meta(db, CHECKED_KEY) or None


def plan_followups(db: sqlite_utils.Database, now: datetime | None = None, force: bool = False) -> tuple[int, int]:
    """Queue today's nudges and this week's digests (at most once a day). Returns (nudges, digests) queued."""
    now = now or clock.now()
    today = clock.local_date(now)
    if clock.at_local(today, SEND_AT) > now or (_checked_on(db) == today.isoformat() and not force):
        return 0, 0
    items = progress.unit_progress(db, today)
    late = progress.late(items)
    messages = []
    for it in late:
        for _, channel, chat_id, _ in unit_store.reminder_recipients(db, it.code):
            messages.append(NewMessage(
                key=f"late:{it.code}:{it.deadline.isoformat()}:{channel}:{chat_id}", kind=NUDGE_KIND,
                channel=channel, chat_id=chat_id, text=nudge_text(it, today), due_at=now,
                origin=f"unit:{it.code}", payload={"unit": it.code, "deadline": it.deadline.isoformat()}))
    nudges = len(messages)
    if late:
        late_codes = {it.code for it in late}
        week = _week(today)
        for admin in list_admins(db):
            scope = progress.scope_units(db, admin.scope_unit)
            if scope is not None and not (scope & late_codes):
                continue
            messages.append(NewMessage(
                key=f"digest:{week}:{admin.channel}:{admin.user_id}", kind=DIGEST_KIND, channel=admin.channel,
                chat_id=admin.user_id, text="", due_at=now, origin=f"digest:{week}",
                payload={"week": week, "scope": admin.scope_unit}))
    queued = outbox.enqueue(db, messages, now)  # known keys are left alone: once per key, ever
    set_meta(db, CHECKED_KEY, today.isoformat())
    if queued:
        log.info("follow-ups: %d late units, %d messages queued", len(late), queued)
    return min(queued, nudges), max(0, queued - nudges)


def nudge_text(it: progress.UnitProgress, today: date) -> str:
    template = T.NUDGE_REPORT if it.congress_day is not None or it.unit_status == "da_to_chuc" else T.NUDGE_HOLD
    return template.format(name=it.name, deadline=dmy(it.deadline), ago=days_left(it.deadline, today))


def render_nudge(db: sqlite_utils.Database, row: OutboxRow, now: datetime) -> str | None:
    """At send time: still late, with the same deadline, and the chat still the unit's officer."""
    code = row.payload.get("unit", "")
    today = clock.local_date(now)
    [it] = progress.unit_progress(db, today, {code}) or [None]
    if it is None or it.state != "late" or it.deadline.isoformat() != row.payload.get("deadline"):
        return None
    if not any(c == row.channel and chat == row.chat_id
               for _, c, chat, _ in unit_store.reminder_recipients(db, code)):
        return None
    return nudge_text(it, today)


def digest_text(db: sqlite_utils.Database, scope: str | None, today: date) -> str | None:
    codes = progress.scope_units(db, scope)
    items = progress.unit_progress(db, today, codes)
    late = progress.late(items)
    if not late:
        return None
    summary = progress.summarise(items, today)
    root = unit_store.get_unit(db, scope) if scope else None
    label = T.SCOPE_UNIT.format(name=root.name) if root else T.SCOPE_ALL
    year, week, _ = today.isocalendar()
    lines = [T.DIGEST_TITLE.format(week=f"{week}/{year}", scope=label),
             f"Đã đại hội {summary.held}/{summary.total} · đã báo cáo kết quả {summary.reported}",
             "", T.DIGEST_LATE.format(count=len(late))]
    lines += [late_line(it, today) for it in late[:DIGEST_LIMIT]]
    if len(late) > DIGEST_LIMIT:
        lines.append(T.DIGEST_MORE.format(count=len(late) - DIGEST_LIMIT))
    lines += ["", T.DIGEST_HINT]
    return "\n".join(lines)


def late_line(it: progress.UnitProgress, today: date) -> str:
    return f"• {it.code} — {it.name} (hạn {dmy(it.deadline)}, {days_left(it.deadline, today)})"


def render_digest(db: sqlite_utils.Database, row: OutboxRow, now: datetime) -> str | None:
    return digest_text(db, row.payload.get("scope"), clock.local_date(now))
