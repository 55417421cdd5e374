"""Deadline lookups for registered officers: /hanchot, /lich (and /lich ics), and free-text questions
about their own unit's dates ("bao giờ đại hội", "còn mấy ngày").

Free text: `Assistant.handle` asks `answer_question` before the FAQ; it answers only a registered officer
whose text clearly asks about dates ("bao giờ đại hội", "còn mấy ngày", "hạn chót") and names no rule or
other body ("hợp lệ", "quy định", "toàn quốc", "XIII", "thành phố" …); anything else is a question.

A unit whose stored date cannot be used (knowledge/plan.UnitDataError) is shown by name with a request to
have the upper level fix it, beside the officer's other units; it never breaks the reply.
"""
from __future__ import annotations

import re
from datetime import date, datetime

import sqlite_utils

import clock
from datefmt import days_left, long_date
from handlers import unit_texts as T
from handlers.calendar_ics import ics_filename, unit_calendar
from handlers.messages import Document, Incoming, Reply
from knowledge.normalize import normalize
from knowledge.plan import Plan, TimelineItem, UnitDataError, item_when, plans, unit_timeline
from knowledge.unit_terms import FORMS, LEVELS, STATUSES
from scheduler import texts as ST
from storage import units as store
from storage.units import Unit


def _plan(db: sqlite_utils.Database, unit: Unit) -> Plan | None:
    return store.plan_of(db, unit, plans())


def _my_units(db: sqlite_utils.Database, msg: Incoming) -> list[Unit]:
    officer = store.find_officer(db, msg.channel, msg.chat_id)
    return store.units_of(db, officer.id) if officer else []


# -- texts ------------------------------------------------------------------------------------------
def _starting(text: str) -> str:
    """A date that starts a line starts with a capital ("Thứ Hai, …", "Từ thứ Hai …")."""
    return text[:1].upper() + text[1:]


def _line(item: TimelineItem, today: date) -> str:
    when = item_when(item)
    if item.day is None:
        return f"• {item.title} — {when}"
    if item.is_congress:
        return f"• {item.title}: {when} — {days_left(item.day, today)}"
    return f"• {_starting(when)} — {item.title} — {days_left(item.day, today)}"


def _congress_state(unit: Unit, congress: TimelineItem, today: date) -> str:
    if congress.day is None:
        return f"{congress.title}: {congress.when.lower()}."
    if congress.day < today:
        return f"Đại hội đã diễn ra {long_date(congress.day)} ({days_left(congress.day, today)})."
    return f"{congress.title}: {item_when(congress)} — {days_left(congress.day, today)}."


def _bad_unit_text(unit: Unit) -> str:
    return f"🏢 {unit.name}\n{T.BAD_STORED_DATE}"


def upcoming_text(db: sqlite_utils.Database, unit: Unit, now: datetime, limit: int = 3) -> str:
    """The unit's congress state and its next dated steps, with days left."""
    today = clock.local_date(now)
    plan = _plan(db, unit)
    try:
        items = unit_timeline(unit.schedule(), plan)
    except UnitDataError:
        return _bad_unit_text(unit)
    congress = next(it for it in items if it.is_congress)
    lines = [f"🏢 {unit.name}", _congress_state(unit, congress, today)]
    ahead = [it for it in items if it.day is not None and it.day >= today and not it.is_congress][:limit]
    if ahead:
        lines += [_line(it, today) for it in ahead]
    elif plan is None:
        lines.append(T.NO_PLAN)
    else:
        lines.append(T.NOTHING_AHEAD)
    return "\n".join(lines)


def timeline_text(db: sqlite_utils.Database, unit: Unit, now: datetime) -> str:
    """The whole timeline: past steps marked past, undated steps with who sets their date."""
    today = clock.local_date(now)
    plan = _plan(db, unit)
    try:
        items = unit_timeline(unit.schedule(), plan)
    except UnitDataError:
        return _bad_unit_text(unit)
    facts = [LEVELS[unit.level]]
    if unit.form:
        facts.append(FORMS[unit.form])
    facts.append(f"trạng thái: {STATUSES[unit.status]}")
    if unit.members_count is not None:
        facts.append(f"{unit.members_count} đoàn viên")
    lines = [f"📅 Lịch của {unit.name} (mã {unit.code})", " · ".join(facts)]
    if plan:
        lines.append(f"Theo: {plan.name}.")
        if plan.example:
            lines.append(ST.EXAMPLE_PLAN)
    else:
        lines.append(T.NO_PLAN)
    lines.append("")
    dated = [it for it in items if it.day is not None]
    undated = [it for it in items if it.day is None]
    for it in dated:
        mark = "✔" if it.day < today else ("▶" if it.is_congress else "•")
        lines.append(f"{mark} {_starting(item_when(it))} — {it.title} — {days_left(it.day, today)}")
    if undated:
        lines.append("Chưa có ngày cụ thể:")
        lines += [f"• {it.title} — {it.when or 'theo kế hoạch của cấp trên'}" for it in undated]
    return "\n".join(lines)


# -- commands ---------------------------------------------------------------------------------------
def next_deadlines(db: sqlite_utils.Database, msg: Incoming, now: datetime) -> list[Reply]:
    """/hanchot: the next steps of every unit of this officer."""
    units = _my_units(db, msg)
    if not units:
        return [Reply(T.NOT_REGISTERED, kind="info")]
    parts = [T.NEXT_HEADER] + [upcoming_text(db, u, now) for u in units]
    return [Reply("\n\n".join(parts), kind="info")]


def timeline(db: sqlite_utils.Database, msg: Incoming, args: str, now: datetime) -> list[Reply]:
    """/lich [code] [ics]: one unit's whole timeline, or its .ics calendar as a document."""
    units = _my_units(db, msg)
    if not units:
        return [Reply(T.NOT_REGISTERED, kind="info")]
    words = args.split()
    want_ics = any(w.lower().lstrip(".") == "ics" for w in words)
    codes = [w.upper() for w in words if w.lower().lstrip(".") != "ics"]
    listing = "\n".join(f"• {u.code} — {u.name}" for u in units)
    if codes:
        unit = next((u for u in units if u.code == codes[0]), None)
        if unit is None:
            return [Reply(f"{T.LEAVE_NOT_MEMBER.format(code=codes[0][:40])}\n{listing}", kind="error")]
    elif len(units) == 1:
        unit = units[0]
    else:
        return [Reply(f"{T.LICH_WHICH.format(count=len(units))}\n{listing}", kind="info")]
    if not want_ics:
        return [Reply(timeline_text(db, unit, now), kind="info")]
    try:
        content, count = unit_calendar(unit, _plan(db, unit), now)
    except UnitDataError:
        return [Reply(_bad_unit_text(unit), kind="error")]
    if count == 0:
        return [Reply(T.ICS_EMPTY.format(name=unit.name), kind="info")]
    return [Reply(T.ICS_CAPTION.format(name=unit.name, count=count), kind="info",
                  document=Document(ics_filename(unit), content, "text/calendar"),
                  document_fallback=timeline_text(db, unit, now))]


# -- free text --------------------------------------------------------------------------------------
# On normalize()d text (no diacritics, abbreviations expanded, filler dropped).
_WHEN = r"(bao gio|khi nao|hom nao|ngay nao|ngay may|ngay bao nhieu|luc nao|thang may|may gio)"
_ASKS_DATE = [
    re.compile(rf"\b{_WHEN}\s+(\S+\s+){{0,3}}dai hoi\b"),                # bao giờ (thì) đại hội
    re.compile(rf"\bdai hoi\b(\s+\S+){{0,6}}\s+(vao\s+)?{_WHEN}\b"),    # đại hội (của em) khi nào
    re.compile(r"\bcon (may|bao nhieu) ngay\b"),                       # còn mấy ngày (nữa)
    re.compile(r"\b(may|bao nhieu) ngay nua\b"),
    re.compile(r"\bcon bao lau\b"),
    re.compile(r"\bngay dai hoi\b.*\b(la|vao|khi|ngay|bao)\b|\bngay dai hoi\s*$"),
    re.compile(r"\bhan chot\b|\bhan nop\b|\bhan cuoi\b"),
    re.compile(r"\blich (dai hoi|cua don vi|don vi|cua (em|minh|toi|chung))\b"),
    re.compile(r"\b(moc|tien do) (thoi gian|dai hoi)\b"),
]
# Questions about rules, other bodies or a specific past congress are the FAQ's, not this unit's dates.
_NOT_OURS = re.compile(
    r"\b(hop le|dieu le|quy dinh|huong dan|nghi dinh|toan quoc|viet nam|xii|xiii|xiv|tong lien doan|"
    r"lien doan lao dong|cap tinh|cong doan tinh|thanh pho|nganh|nhiem ky|may nam|bao nhieu nam|"
    r"may buoi|bao nhieu buoi|phieu|bau|uy vien|dai bieu chinh thuc|ba dinh|lang son|ha noi|"
    r"chung toan|noi chung|thong thuong|phai|hoi nghi|thay cho|truong hop)\b")
_ASKS_HOSO = re.compile(r"\b(ho so|van kien|nhan su|duyet)\b")
_ASKS_REPORT = re.compile(r"\b(bao cao ket qua|cong nhan|sau dai hoi)\b")


def is_deadline_question(text: str) -> bool:
    """True when the text clearly asks about a date of the asker's own unit."""
    folded = normalize(text)
    if _NOT_OURS.search(folded):
        return False
    return any(p.search(folded) for p in _ASKS_DATE)


def answer_question(db: sqlite_utils.Database, msg: Incoming, now: datetime) -> list[Reply] | None:
    """Answer a free-text deadline question from a registered officer; None lets the FAQ answer."""
    if not is_deadline_question(msg.text):
        return None
    units = _my_units(db, msg)
    if not units:
        return None
    today = clock.local_date(now)
    folded = normalize(msg.text)
    parts = []
    for unit in units:
        try:
            items = unit_timeline(unit.schedule(), _plan(db, unit))
        except UnitDataError:
            parts.append(_bad_unit_text(unit))
            continue
        congress = next(it for it in items if it.is_congress)
        focus = None
        if _ASKS_REPORT.search(folded):
            focus = next((it for it in items if it.report), None)
        elif _ASKS_HOSO.search(folded):
            focus = next((it for it in items if _ASKS_HOSO.search(normalize(it.title)) and not it.is_congress),
                         None)
        lines = [f"🏢 {unit.name}", _congress_state(unit, congress, today)]
        if focus is not None:
            lines.append(_line(focus, today))
        else:
            ahead = [it for it in items if it.day and it.day >= today and not it.is_congress]
            if ahead:
                rest = _line(ahead[0], today)[2:]
                lines.append("Mốc gần nhất: " + rest[:1].lower() + rest[1:])
        parts.append("\n".join(lines))
    parts.append("Gõ /lich để xem cả lịch, /hanchot để xem các hạn sắp tới.")
    return [Reply("\n\n".join(parts), kind="info")]

