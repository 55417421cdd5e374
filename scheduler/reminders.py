"""Reminders: which are due for which officer, planned into the outbox, re-rendered when sent.

Rules (per plan file, defaults in knowledge/plan.py): a reminder `days_before` (30, 14, 7, 3, 1) each
dated step of a unit's timeline, at `send_at` (08:00 Asia/Ho_Chi_Minh); and one the day after the
congress to report results. The dispatcher holds everything back during the quiet hours (21:00–07:00).

How planning stays exactly-once and cheap:
- Each reminder is one outbox row per officer, keyed `reminder:<unit>:<step>:<step date>:<offset>:<channel>:
  <chat>` (UNIQUE). The step's date is part of the key: a moved congress is reminded again for its new
  date, never twice for the same date.
- The periodic job plans the window (watermark, now + HORIZON] and then moves the watermark
  (`meta.reminders_planned_until`), so each run looks only at new time. After downtime the window covers
  the gap: a missed reminder whose step is still ahead is planned and sent once, late (its text says the
  real days left; of several missed ones for a step only the latest goes out); one whose step has passed
  is recorded as 'dropped' and logged.
- A reminder is owed only for due times after the officer joined and after the unit's schedule was last
  set; joining, leaving, opting out and date changes plan or cancel the (now, watermark] part at once.
- One unit's unusable data (a congress in year 9999 stored before imports checked years) never stops the
  others: planning and preview log it and skip that unit (`skipping_bad_unit`); its pending reminders are
  withdrawn when it is re-planned and dropped when their time comes.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Iterable

import sqlite_utils

import clock
from datefmt import days_left, dmy, long_date
from knowledge.plan import (Plan, ReminderRules, TimelineItem, UnitDataError, UnitSchedule, item_when, plans,
                            unit_timeline)
from scheduler import texts as T
from storage import outbox
from storage import results as result_store
from storage import units as unit_store
from storage.outbox import NewMessage, OutboxRow
from storage.meta import get_meta, set_meta
from storage.transactions import immediate
from storage.units import Officer, Unit

log = logging.getLogger(__name__)

KIND = "reminder"
HORIZON = timedelta(hours=24)
WATERMARK_KEY = "reminders_planned_until"
# How long the "report your results" reminder stays worth sending when the plan gives no report date.
REPORT_GRACE_DAYS = 7
REPORT_KEY = "bao-cao"
DEFAULT_REPORT_PREPARE = (
    "Theo hướng dẫn trước đây: công văn đề nghị công nhận, biên bản bầu cử, biên bản hội nghị ban chấp "
    "hành lần thứ nhất, danh sách trích ngang; đề nghị đối chiếu hướng dẫn của công đoàn cấp trên",)
DEFAULT_REPORT_ASK = ("hồ sơ đề nghị công nhận kết quả đại hội gồm những gì",
                      "kết quả bầu ban chấp hành do cấp nào công nhận")


@dataclass(frozen=True)
class DueReminder:
    """One reminder of one unit (before officers are attached)."""
    unit_code: str
    item: TimelineItem
    offset: int              # days before the step (> 0); days after the congress (< 0) for the report
    due_at: datetime         # UTC
    expires_at: datetime     # UTC: from then on it is not worth sending

    @property
    def is_report(self) -> bool:
        return self.offset < 0

    def key(self, channel: str, chat_id: str) -> str:
        return (f"{KIND}:{self.unit_code}:{self.item.key if not self.is_report else REPORT_KEY}:"
                f"{self.item.day.isoformat()}:{self.offset}:{channel}:{chat_id}")

    def payload(self) -> dict:
        return {"unit": self.unit_code, "item": self.item.key, "day": self.item.day.isoformat(),
                "offset": self.offset}


@dataclass
class PlanResult:
    planned: int = 0         # new pending rows
    late: int = 0            # of which due before now (sent late)
    dropped: int = 0         # recorded as dropped: the step had already passed
    cancelled: int = 0
    skipped: list[str] = field(default_factory=list)   # units whose stored data cannot be planned

    def __str__(self) -> str:
        text = (f"lập {self.planned} nhắc hạn mới ({self.late} gửi muộn), bỏ {self.dropped} "
                f"(sự kiện đã qua), hủy {self.cancelled}")
        if self.skipped:
            text += f"; bỏ qua {len(self.skipped)} đơn vị có dữ liệu lỗi ({', '.join(self.skipped[:5])})"
        return text


@contextmanager
def skipping_bad_unit(code: str, what: str, skipped: list[str] | None = None):
    """Run one unit's part of a job over every unit: if its data cannot be used, log it, note the unit
    in `skipped` and go on — one bad row must not stop the reminders of all the others."""
    try:
        yield
    except UnitDataError as exc:
        log.warning("%s: unit %s skipped: %s", what, code, exc)
    except (ValueError, OverflowError, KeyError, TypeError):  # bad data not foreseen: still only this unit
        log.exception("%s: unit %s skipped: its data cannot be used", what, code)
    else:
        return
    if skipped is not None:
        skipped.append(code)


# -- what is due ------------------------------------------------------------------------------------
def unit_reminders(unit: UnitSchedule, plan: Plan | None,
                   due_days: set[date] | None = None) -> list[DueReminder]:
    """Every reminder of the unit's timeline, in due order; only those due on `due_days` (local dates)
    when given — a cheap date test that spares the time-zone work for the other units when planning."""
    rules = plan.rules if plan else ReminderRules()
    timeline = unit_timeline(unit, plan)
    congress = next(it for it in timeline if it.is_congress)
    result = []
    for item in timeline:
        if item.day is None or not item.remind:
            continue
        expires = None
        for before in rules.days_before:
            due_day = item.day - timedelta(days=before)
            if due_days is not None and due_day not in due_days:
                continue
            if congress.day is not None and not item.is_congress and (
                    (item.until_congress and due_day >= congress.day)      # held: the deadline is met
                    or (not item.until_congress and item.day > congress.day >= due_day)):  # after: wait
                continue
            expires = expires or clock.start_of_local_day(item.day + timedelta(days=1))
            result.append(DueReminder(unit.code, item, before, clock.at_local(due_day, rules.send_at), expires))
    if congress.day is not None and rules.report_days_after > 0:
        due_day = congress.day + timedelta(days=rules.report_days_after)
        if due_days is not None and due_day not in due_days:
            return sorted(result, key=lambda r: r.due_at)
        report = next((it for it in timeline if it.report and it.day is not None and it.day >= due_day), None)
        last_day = report.day if report else due_day + timedelta(days=REPORT_GRACE_DAYS - 1)
        result.append(DueReminder(unit.code, congress, -rules.report_days_after,
                                  clock.at_local(due_day, rules.send_at),
                                  clock.start_of_local_day(last_day + timedelta(days=1))))
    return sorted(result, key=lambda r: r.due_at)


def _owed_after(unit: Unit, joined_at: str) -> str:
    return max(unit.schedule_changed_at, joined_at)


# -- texts ------------------------------------------------------------------------------------------
def reminder_text(unit: Unit, plan: Plan | None, reminder: DueReminder, now: datetime) -> str:
    """What is due, when, how many days are left, what to prepare, which questions to ask."""
    today = clock.local_date(now)
    item = reminder.item
    if reminder.is_report:
        timeline = unit_timeline(unit.schedule(), plan)
        report = next((it for it in timeline if it.report), None)
        lines = [f"📝 Sau đại hội — {unit.name}",
                 f"Đại hội của đơn vị đã diễn ra {long_date(item.day)}. Việc tiếp theo: báo cáo kết quả "
                 "đại hội, đề nghị công đoàn cấp trên trực tiếp công nhận ban chấp hành, ủy ban kiểm tra."]
        if report and report.day:
            lines.append(f"📅 Hạn: {item_when(report)} — {days_left(report.day, today)}.")
        else:
            when = report.when if report and report.when else "theo hướng dẫn của công đoàn cấp trên trực tiếp"
            lines.append(f"📅 Thời hạn: {when[0].lower() + when[1:]}.")
        prepare = (report.prepare if report and report.prepare else DEFAULT_REPORT_PREPARE)
        ask = (report.ask if report and report.ask else DEFAULT_REPORT_ASK)
    else:
        lines = [f"⏰ Nhắc hạn — {unit.name}", item.title,
                 f"📅 {item_when(item)} — {days_left(item.day, today)}."]
        prepare, ask = item.prepare, item.ask
    if prepare:
        lines.append("Cần chuẩn bị:")
        lines += [f"• {p}" for p in prepare]
    if ask:
        lines.append("Có thể hỏi trợ lý: " + "; ".join(f"«{q}»" for q in ask))
    if plan:
        lines.append(f"Theo: {plan.name}.")
        if plan.example:
            lines.append(T.EXAMPLE_PLAN)
    lines.append("Gõ /lich để xem cả lịch, /nhacnho tat để tắt nhắc hạn.")
    return "\n".join(lines)


# -- planning into the outbox -----------------------------------------------------------------------
def _messages_for_unit(db: sqlite_utils.Database, unit: Unit, plan: Plan | None, start: datetime,
                       end: datetime, now: datetime, due_days: set[date] | None,
                       only: Officer | None = None, reported: set[str] = frozenset()) -> list[NewMessage]:
    due = [r for r in unit_reminders(unit.schedule(), plan, due_days) if start < r.due_at <= end
           and not (r.is_report and unit.code in reported)]  # a reported unit is not asked to report
    if not due:
        return []
    recipients = unit_store.reminder_recipients(db, unit.code)
    if only is not None:
        recipients = [r for r in recipients if r[0] == only.id]
    messages = []
    for officer_id, channel, chat_id, joined_at in recipients:
        owed_after = _owed_after(unit, joined_at)
        for r in due:
            if clock.iso(r.due_at) < owed_after:
                continue
            common = dict(key=r.key(channel, chat_id), kind=KIND, channel=channel, chat_id=chat_id,
                          due_at=r.due_at, origin=f"unit:{unit.code}", payload=r.payload(),
                          expires_at=r.expires_at)
            if r.expires_at <= now:
                messages.append(NewMessage(text="", status="dropped",
                                           note="bỏ lỡ khi hệ thống ngừng chạy; sự kiện đã qua", **common))
                continue
            messages.append(NewMessage(text=reminder_text(unit, plan, r, max(now, r.due_at)), **common))
    return messages


def _enqueue(db: sqlite_utils.Database, messages: list[NewMessage], now: datetime, result: PlanResult) -> None:
    if not messages:
        return
    known = outbox.live_keys(db, [m.key for m in messages])
    fresh = [m for m in messages if m.key not in known]
    outbox.enqueue(db, fresh, now)
    for m in fresh:
        if m.status == "dropped":
            result.dropped += 1
            log.warning("reminder %s dropped: missed while the system was down and %s has passed",
                        m.key, m.payload.get("day"))
        else:
            result.planned += 1
            if m.due_at < now:
                result.late += 1
                log.info("reminder %s missed at %s; sending it late", m.key, clock.iso(m.due_at))


def local_days(start: datetime, end: datetime) -> set[date] | None:
    """The local dates a window touches (None for a window too long to be worth listing)."""
    first, last = clock.local_date(start), clock.local_date(end)
    if (last - first).days > 400:
        return None
    return {first + timedelta(days=i) for i in range((last - first).days + 1)}


def _send_time_within(all_plans: dict[str, Plan], days: set[date], start: datetime, end: datetime) -> bool:
    send_times = {p.rules.send_at for p in all_plans.values()} | {ReminderRules().send_at}
    return any(start < clock.at_local(day, t) <= end for day in days for t in send_times)


def plan_window(db: sqlite_utils.Database, start: datetime, end: datetime, now: datetime,
                codes: Iterable[str] | None = None, only: Officer | None = None,
                chunk: int = 2000) -> PlanResult:
    """Plan reminders due in (start, end] for every unit (or `codes`), into the outbox."""
    result = PlanResult()
    if end <= start:
        return result
    all_plans = plans()
    due_days = local_days(start, end)
    if due_days is not None and not _send_time_within(all_plans, due_days, start, end):
        return result  # every reminder goes out at a plan's send hour: none falls in this window
    plan_ids = unit_store.plan_ids_by_unit(db)
    reported = result_store.reported_codes(db)
    units = (unit_store.iter_units(db) if codes is None
             else (u for u in (unit_store.get_unit(db, c) for c in codes) if u is not None))
    pending: list[NewMessage] = []
    for unit in units:
        plan = all_plans.get(plan_ids.get(unit.code) or "")
        with skipping_bad_unit(unit.code, "reminder planning", result.skipped):
            pending += _messages_for_unit(db, unit, plan, start, end, now, due_days, only, reported)
        if len(pending) >= chunk:
            _enqueue(db, pending, now, result)
            pending = []
    _enqueue(db, pending, now, result)
    return result


def watermark(db: sqlite_utils.Database) -> datetime | None:
    value = get_meta(db, WATERMARK_KEY)
    return clock.from_iso(value) if value else None


def _set_watermark(db: sqlite_utils.Database, moment: datetime) -> None:
    set_meta(db, WATERMARK_KEY, clock.iso(moment))


def _first_start(db: sqlite_utils.Database, now: datetime) -> datetime:
    """Where the very first run starts: just before the earliest membership, since nothing was owed
    before anyone joined (and each reminder is still checked against its officer's own join time)."""
    first = unit_store.first_joined_at(db)
    if not first:
        return now
    return min(now, clock.from_iso(first) - timedelta(seconds=1))


def plan_due(db: sqlite_utils.Database, now: datetime | None = None) -> PlanResult:
    """The periodic job: plan (watermark, now + HORIZON], then move the watermark."""
    now = now or clock.now()
    start = watermark(db) or _first_start(db, now)
    end = now + HORIZON
    result = plan_window(db, start, end, now)
    if end > start:
        _set_watermark(db, end)
    return result


def _planned_until(db: sqlite_utils.Database, now: datetime) -> datetime:
    mark = watermark(db)
    return mark if mark and mark > now else now


def replan_unit(db: sqlite_utils.Database, code: str, now: datetime | None = None) -> PlanResult:
    """After a unit's dates changed: cancel its pending reminders that no longer match its timeline,
    and plan the new ones up to the watermark (the periodic job plans the rest)."""
    now = now or clock.now()
    result = PlanResult()
    unit = unit_store.get_unit(db, code)
    wanted: set[str] = set()
    if unit is not None:
        plan = unit_store.plan_of(db, unit, plans())
        reminders: list[DueReminder] = []
        with skipping_bad_unit(unit.code, "re-planning", result.skipped):  # unusable: withdraw them all
            reminders = unit_reminders(unit.schedule(), plan)
        if result_store.has_result(db, unit.code):  # reported: its "report results" reminders are withdrawn
            reminders = [r for r in reminders if not r.is_report]
        for _, channel, chat_id, _ in unit_store.reminder_recipients(db, unit.code):
            wanted.update(r.key(channel, chat_id) for r in reminders)
    result.cancelled = outbox.cancel(db, now, origin=f"unit:{code}", kind=KIND, keep_keys=wanted,
                                     reason="lịch của đơn vị đã đổi")
    if unit is not None and not result.skipped:
        planned = plan_window(db, now, _planned_until(db, now), now, codes=[code])
        result.planned, result.late, result.dropped = planned.planned, planned.late, planned.dropped
    return result


def reschedule_unit(db: sqlite_utils.Database, values: dict, now: datetime | None = None) -> PlanResult | None:
    """Save a unit's new congress date (time, status) and re-plan its reminders, in one transaction
    (`units set-date`). The re-plan, or None when the unit's timeline did not move."""
    now = now or clock.now()
    with immediate(db):
        outcome = unit_store.save_unit(db, values, now)
        return replan_unit(db, values["code"], now) if outcome == "rescheduled" else None


def plan_for_officer(db: sqlite_utils.Database, officer: Officer, codes: Iterable[str],
                     now: datetime | None = None) -> PlanResult:
    """After joining (or turning reminders back on): plan this officer's part up to the watermark."""
    now = now or clock.now()
    return plan_window(db, now, _planned_until(db, now), now, codes=list(codes), only=officer)


def cancel_for_officer(db: sqlite_utils.Database, officer: Officer, unit_code: str | None = None,
                       now: datetime | None = None, reason: str = "") -> int:
    """After leaving a unit (or turning reminders off): withdraw the officer's pending reminders."""
    return outbox.cancel(db, now or clock.now(), kind=KIND, channel=officer.channel, chat_id=officer.chat_id,
                         origin=f"unit:{unit_code}" if unit_code else None, reason=reason)


# -- at send time -----------------------------------------------------------------------------------
def render_row(db: sqlite_utils.Database, row: OutboxRow, now: datetime) -> str | None:
    """The dispatcher's renderer for reminders: today's text, or None when it should not go out
    (unit gone, officer left or opted out, step moved or passed, or a later reminder for the same step
    is already due — after downtime only the latest missed one is sent)."""
    p = row.payload
    unit = unit_store.get_unit(db, p.get("unit", ""))
    officer = unit_store.find_officer(db, row.channel, row.chat_id)
    if unit is None or officer is None or not officer.reminders_enabled:
        return None
    if not unit_store.is_member(db, officer.id, unit.code):
        return None
    plan = unit_store.plan_of(db, unit, plans())
    try:
        reminders = unit_reminders(unit.schedule(), plan)
    except UnitDataError as exc:  # stored before imports checked it: nothing can be said about its dates
        log.warning("reminder %s dropped: %s", row.key, exc)
        return None
    match = next((r for r in reminders if r.item.key == p.get("item") and r.item.day.isoformat() == p.get("day")
                  and r.offset == p.get("offset")), None)
    if match is None or match.expires_at <= now:
        return None
    if match.is_report and result_store.has_result(db, unit.code):
        return None  # the unit reported its results after this reminder was planned
    later_due = [r for r in reminders if r.item.key == match.item.key and r.is_report == match.is_report
                 and match.due_at < r.due_at <= now]
    if later_due:
        return None
    return reminder_text(unit, plan, match, now)


# -- preview ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PreviewLine:
    due_at: datetime
    unit: Unit
    reminder: DueReminder
    channel: str
    chat_id: str
    officer_name: str
    status: str              # '' when not in the outbox yet, else its outbox status


def preview(db: sqlite_utils.Database, start_day: date, end_day: date,
            skipped: list[str] | None = None) -> list[PreviewLine]:
    """Reminders due on local days start_day..end_day, for whom, and whether already in the outbox.
    Units whose stored data cannot be planned are left out and their codes added to `skipped`."""
    start = clock.start_of_local_day(start_day)
    end = clock.start_of_local_day(end_day + timedelta(days=1))
    all_plans = plans()
    plan_ids = unit_store.plan_ids_by_unit(db)
    lines = []
    for unit in unit_store.iter_units(db):
        plan = all_plans.get(plan_ids.get(unit.code) or "")
        due: list[DueReminder] = []
        with skipping_bad_unit(unit.code, "reminder preview", skipped):
            due = [r for r in unit_reminders(unit.schedule(), plan, local_days(start, end))
                   if start <= r.due_at < end]
        if not due:
            continue
        for channel, chat_id, name, joined_at in unit_store.reminder_readers(db, unit.code):
            for r in due:
                if clock.iso(r.due_at) < _owed_after(unit, joined_at):
                    continue
                row = outbox.get(db, r.key(channel, chat_id))
                lines.append(PreviewLine(r.due_at, unit, r, channel, chat_id, name, row.status if row else ""))
    return sorted(lines, key=lambda ln: (ln.due_at, ln.unit.code, ln.channel, ln.chat_id))


def group_by_day(lines: list[PreviewLine]) -> dict[date, list[PreviewLine]]:
    grouped: dict[date, list[PreviewLine]] = defaultdict(list)
    for line in lines:
        grouped[clock.local_date(line.due_at)].append(line)
    return dict(grouped)


def preview_label(line: PreviewLine) -> str:
    r = line.reminder
    if r.is_report:
        what = f"báo cáo kết quả (đại hội {dmy(r.item.day)})"
    else:
        what = f"{r.item.title} {dmy(r.item.day)} (trước {r.offset} ngày)"
    return what
