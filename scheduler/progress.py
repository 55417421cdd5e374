"""Where every unit stands in the congress round, as data: its state, its report deadline, its result.

States (one a unit):
    accepted          result reported and accepted by an admin
    reported          result reported, waiting for acceptance
    held_unreported   congress held (or its date passed) but no result yet, deadline not passed
    late              no result and the deadline passed ("quá hạn chưa báo cáo")
    upcoming          congress date ahead
    no_date           no congress date yet
    postponed         congress postponed, no new date

The deadline is the plan's "report" step for the unit (N days after its congress, or a fixed date),
else the last day the "report your results" reminder is worth sending (congress + report_days_after +
REPORT_GRACE_DAYS − 1, the same window as the reminders); for a unit without a congress date, the plan's
"hold the congress by" date. No congress date and no such date: no deadline, never late. A unit whose
stored date cannot be used (year 9999, kept from before imports checked years) is logged and counted as
having no date and no deadline, so it never stops the others' progress nor gets a wrong nudge.

Everything is computed from a few queries over all units (100,000 in about a second, see
bench/progress.py): plans are resolved per (plan, level) once, not per unit.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlite_utils

from knowledge.plan import Milestone, Plan, ReminderRules, plans, stored_day
from scheduler.reminders import REPORT_GRACE_DAYS, skipping_bad_unit
from storage import results as result_store
from storage import units as unit_store
from storage.admins import subtree_codes
from storage.results import Result

STATES = ("accepted", "reported", "held_unreported", "late", "upcoming", "no_date", "postponed")
DONE = ("accepted", "reported")


@dataclass(frozen=True)
class UnitProgress:
    code: str
    name: str
    level: str
    parent_code: str | None
    congress_day: date | None
    unit_status: str
    state: str
    deadline: date | None
    result: Result | None
    follower: tuple[str, str] | None     # (channel, user id) of the staff member following it

    @property
    def held(self) -> bool:
        return self.result is not None or self.unit_status == "da_to_chuc"


@dataclass(frozen=True)
class _Rule:
    report: Milestone | None
    hold_by: Milestone | None
    rules: ReminderRules


def _rule(plan: Plan | None, level: str) -> _Rule:
    if plan is None:
        return _Rule(None, None, ReminderRules())
    applies = [m for m in plan.milestones if m.applies_to(level)]
    report = next((m for m in applies if m.report and (m.date or m.after_days is not None)), None)
    hold_by = next((m for m in applies if m.until_congress and m.date), None)
    return _Rule(report, hold_by, plan.rules)


def deadline_of(congress_day: date | None, rule: _Rule, shift_days: int = 0) -> date | None:
    shift = timedelta(days=shift_days)
    if congress_day is not None:
        report = rule.report
        if report is not None and report.after_days is not None:
            return congress_day + timedelta(days=report.after_days)
        if report is not None and report.date is not None and report.date + shift >= congress_day:
            return report.date + shift
        return congress_day + timedelta(days=max(rule.rules.report_days_after, 1) + REPORT_GRACE_DAYS - 1)
    if rule.hold_by is not None:
        return rule.hold_by.date + shift
    return None


def _state(congress_day: date | None, status: str, deadline: date | None, result: Result | None,
           today: date) -> str:
    if result is not None:
        return "accepted" if result.accepted else "reported"
    if deadline is not None and today > deadline:
        return "late"
    if status == "da_to_chuc" or (congress_day is not None and congress_day <= today and status != "hoan"):
        return "held_unreported"
    if status == "hoan":
        return "postponed"
    return "upcoming" if congress_day is not None else "no_date"


def scope_units(db: sqlite_utils.Database, root: str | None) -> set[str] | None:
    """The units a progress view covers: everything (None), or the units below `root` (not itself:
    an upper-level union follows its units, its own congress is reported to the level above)."""
    if root is None:
        return None
    codes = subtree_codes(db, root)
    codes.discard(root.strip().upper())
    return codes


def unit_progress(db: sqlite_utils.Database, today: date, codes: set[str] | None = None) -> list[UnitProgress]:
    """Every unit (or those in `codes`), ordered by code."""
    all_plans = plans()
    plan_ids = unit_store.plan_ids_by_unit(db)
    results = result_store.all_results(db)
    follow = result_store.followers(db)
    rules: dict[tuple[str | None, str], _Rule] = {}
    items = []
    for code, name, level, parent, day_text, status, shift in unit_store.unit_rows(db):
        if codes is not None and code not in codes:
            continue
        key = (plan_ids.get(code), level)
        rule = rules.get(key)
        if rule is None:
            rule = rules[key] = _rule(all_plans.get(key[0] or ""), level)
        congress_day, deadline = None, None  # an unusable date: no date and no deadline, never "late"
        with skipping_bad_unit(code, "progress"):
            congress_day = stored_day(day_text, code) if status != "hoan" else None
            deadline = deadline_of(congress_day, rule, shift)
        result = results.get(code)
        items.append(UnitProgress(code, name, level, parent, congress_day, status,
                                  _state(congress_day, status, deadline, result, today), deadline, result,
                                  follow.get(code)))
    return items


@dataclass
class Summary:
    total: int = 0
    held: int = 0
    states: Counter = field(default_factory=Counter)
    forms: Counter = field(default_factory=Counter)          # of reported results
    chair_direct: int = 0
    chair_posts: Counter = field(default_factory=Counter)
    quorum_flagged: int = 0
    bch_members: int = 0
    bch_women: int = 0
    with_ubkt: int = 0
    delegates: int = 0
    upcoming_week: int = 0                                    # congresses in the next 7 days
    by_level: dict[str, tuple[int, int]] = field(default_factory=dict)   # level → (held, total)
    by_week: Counter = field(default_factory=Counter)         # Monday of the week held → results

    @property
    def reported(self) -> int:
        return self.states["reported"] + self.states["accepted"]


def summarise(items: list[UnitProgress], today: date) -> Summary:
    s = Summary(total=len(items))
    levels: dict[str, list[int]] = {}
    for it in items:
        s.states[it.state] += 1
        held_level = levels.setdefault(it.level, [0, 0])
        held_level[1] += 1
        if it.held:
            s.held += 1
            held_level[0] += 1
        if it.state == "upcoming" and it.congress_day and (it.congress_day - today).days < 7:
            s.upcoming_week += 1
        r = it.result
        if r is None:
            continue
        s.forms[r.form] += 1
        s.chair_direct += r.chair_elected_by == "dai_hoi"
        s.chair_posts[r.chair_post] += 1
        s.quorum_flagged += "quorum" in r.flags
        s.bch_members += r.bch_elected
        s.bch_women += r.bch_women
        s.with_ubkt += r.ubkt_elected > 0
        s.delegates += r.delegates_elected
        held = date.fromisoformat(r.held_on)
        s.by_week[held - timedelta(days=held.weekday())] += 1
    s.by_level = {level: (held, total) for level, (held, total) in levels.items()}
    return s


def late(items: list[UnitProgress]) -> list[UnitProgress]:
    """Late units, the longest overdue first."""
    return sorted((it for it in items if it.state == "late"), key=lambda it: (it.deadline or date.min, it.code))
