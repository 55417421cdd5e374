"""Officers join units with an invite code (`/start <code>` from a deep link, or `/dangky <code>`) and
leave with `/roi`. Wrong codes are told plainly and rate-limited (stored, so a restart does not reset it)."""
from __future__ import annotations

import math
import re
from datetime import datetime, timedelta

import sqlite_utils

import clock
from handlers import deadlines, unit_texts as T
from handlers.messages import Incoming, Reply
from knowledge.plan import ReminderRules, plans
from knowledge.unit_terms import LEVELS
from scheduler import reminders
from storage import units as store
from storage.transactions import immediate
from storage.units import Unit

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
_CODE_RE = re.compile(r"^[A-Z0-9_-]{1,64}$")


def _clean_code(text: str) -> str:
    return re.sub(r"\s+", "", text or "").upper()


def _lock_minutes(failures: list[str], now: datetime) -> int:
    unlock = clock.from_iso(failures[0]) + FAILURE_WINDOW
    return max(1, math.ceil((unlock - now).total_seconds() / 60))


def _recent_failures(db: sqlite_utils.Database, msg: Incoming, now: datetime) -> list[str]:
    """Wrong codes from this chat within the window, counted since its last successful code."""
    since = now - FAILURE_WINDOW
    last_ok = store.last_good_attempt(db, msg.channel, msg.chat_id)
    if last_ok and clock.from_iso(last_ok) > since:
        since = clock.from_iso(last_ok)
    return store.failed_attempts_since(db, msg.channel, msg.chat_id, since)


def join(db: sqlite_utils.Database, msg: Incoming, args: str, now: datetime) -> list[Reply]:
    code = _clean_code(args)
    if not code:
        return [Reply(T.DANGKY_HOW, kind="info")]
    failures = _recent_failures(db, msg, now)
    if len(failures) >= MAX_FAILURES:
        return [Reply(T.CODE_LOCKED.format(count=len(failures), minutes=_lock_minutes(failures, now)),
                      kind="error")]
    if not _CODE_RE.match(code):
        store.record_attempt(db, msg.channel, msg.chat_id, code, False, now)
        return [Reply(T.CODE_MALFORMED.format(code=args.strip()[:40]), kind="error")]
    unit = store.unit_by_invite(db, code)
    if unit is None:
        store.record_attempt(db, msg.channel, msg.chat_id, code, False, now)
        left = MAX_FAILURES - len(failures) - 1
        if left <= 0:
            failures = _recent_failures(db, msg, now)
            return [Reply(T.CODE_LOCKED.format(count=len(failures), minutes=_lock_minutes(failures, now)),
                          kind="error")]
        return [Reply(T.CODE_WRONG.format(code=code, left=left,
                                          minutes=int(FAILURE_WINDOW.total_seconds() // 60)), kind="error")]
    with immediate(db):
        store.record_attempt(db, msg.channel, msg.chat_id, code, True, now)
        officer = store.ensure_officer(db, msg.channel, msg.chat_id, now, user_id=msg.user_id,
                                       name=msg.user_name)
        joined = store.join_unit(db, officer.id, unit.code, now)
    if joined and officer.reminders_enabled:
        reminders.plan_for_officer(db, officer, [unit.code], now)
    return [Reply(_welcome_text(db, unit, joined, officer.reminders_enabled, now), kind="info")]


def _welcome_text(db: sqlite_utils.Database, unit: Unit, joined: bool, reminders_on: bool,
                  now: datetime) -> str:
    head = (T.JOINED if joined else T.ALREADY_MEMBER).format(name=unit.name, level=LEVELS[unit.level])
    plan = store.plan_of(db, unit, plans())
    rules = plan.rules if plan else ReminderRules()
    lines = [head, "", deadlines.upcoming_text(db, unit, now, limit=3), ""]
    if reminders_on:
        lines.append(T.REMINDERS_WILL_COME.format(days=", ".join(map(str, rules.days_before)),
                                                  hour=rules.send_at.strftime("%H:%M")))
    else:
        lines.append(T.REMINDERS_OFF_NOTE)
    lines.append(T.COMMANDS_HINT)
    return "\n".join(lines)


def _unit_list(units: list[Unit]) -> str:
    return "\n".join(f"• {u.code} — {u.name}" for u in units)


def leave(db: sqlite_utils.Database, msg: Incoming, args: str, now: datetime) -> list[Reply]:
    officer = store.find_officer(db, msg.channel, msg.chat_id)
    units = store.units_of(db, officer.id) if officer else []
    if not units:
        return [Reply(T.NOT_REGISTERED, kind="info")]
    code = args.strip().upper()
    if not code:
        if len(units) > 1:
            return [Reply(f"{T.LEAVE_WHICH.format(count=len(units))}\n{_unit_list(units)}", kind="info")]
        target = units[0]
    else:
        target = next((u for u in units if u.code == code), None)
        if target is None:
            return [Reply(f"{T.LEAVE_NOT_MEMBER.format(code=args.strip()[:40])}\n{_unit_list(units)}",
                          kind="error")]
    store.leave_unit(db, officer.id, target.code)
    reminders.cancel_for_officer(db, officer, target.code, now, reason="rời đơn vị")
    return [Reply(T.LEFT.format(name=target.name), kind="info")]
