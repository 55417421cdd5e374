"""What admins learn about use: statistics (/thongke, `bot.py stats`) and the questions the assistant
could not answer (/chuatraloi, `bot.py unanswered`), grouped when alike, each attachable to an entry.

Grouping: questions are compared after the matcher's own normalisation (diacritics folded,
abbreviations expanded, chat filler dropped), greedily, newest first: a question joins the first group
whose first question is at least GROUP_SIMILARITY alike by rapidfuzz (the better of `ratio` and
`token_sort_ratio`, so "đoàn phí đóng ở đâu" and "dong doan phi o dau" meet, while a question that only
contains another one's words does not).
"""
from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TextIO

import sqlite_utils
from rapidfuzz import fuzz, process

import clock
from datefmt import date_range, long_date, moment
from handlers.spreadsheet_cells import safe_row
from knowledge.normalize import normalize
from storage import insight as store
from storage.admins import subtree_codes
from storage.units import get_unit

GROUP_SIMILARITY = 85
DEFAULT_DAYS = 7
UNANSWERED_DAYS = 30
MAX_QUESTIONS = 2000


DAILY_UP_TO = 14      # /thongke up to this many days: a line a day
WEEKLY_UP_TO = 120    # up to this many: a line a week (Monday to Sunday); longer: a line a month


def local_stamp(text: str) -> str:
    """A stored UTC instant as people read it: 'HH:MM ngày dd/mm/yyyy' in Việt Nam."""
    return moment(clock.from_iso(text))


def _csv_stamp(text: str) -> str:
    """'dd/mm/yyyy HH:MM', which a spreadsheet reads as a date and time."""
    return clock.to_local(clock.from_iso(text)).strftime("%d/%m/%Y %H:%M")


# -- statistics -----------------------------------------------------------------------------------------
@dataclass
class Stats:
    since: date
    until: date
    days: int
    scope_unit: str | None = None      # the admin's unit (None: every unit) and its name, for the reply
    scope_name: str | None = None
    people: int = 0                    # distinct people who asked in the period
    officers: int = 0                  # registered chats (all time), within the scope
    officers_blocked: int = 0
    units: int = 0                     # units within the scope
    units_with_officers: int = 0
    units_held: int = 0                # congress held
    questions: int = 0
    answered: int = 0
    suggested: int = 0
    not_found: int = 0
    per_day: list[tuple[date, int]] = field(default_factory=list)
    thumbs_up: int = 0
    thumbs_down: int = 0
    reminders: dict[str, int] = field(default_factory=dict)
    broadcasts: int = 0
    broadcast_messages: dict[str, int] = field(default_factory=dict)

    @property
    def answered_rate(self) -> float | None:
        return self.answered / self.questions if self.questions else None

    @property
    def thumbs_up_ratio(self) -> float | None:
        votes = self.thumbs_up + self.thumbs_down
        return self.thumbs_up / votes if votes else None


def _outbox_counts(db: sqlite_utils.Database, kind: str, since: str, units: set[str] | None) -> dict[str, int]:
    counts = {"sent": 0, "failed": 0, "waiting": 0}
    for status, origin, n in store.outbox_counts(db, kind, since):
        if units is not None and origin.startswith("unit:") and origin[5:] not in units:
            continue
        if status == "sent":
            counts["sent"] += n
        elif status in ("failed", "dropped"):
            counts["failed"] += n
        elif status in ("pending", "sending"):
            counts["waiting"] += n
        elif status == "unknown":
            counts["unknown"] = counts.get("unknown", 0) + n
    return counts


def collect_stats(db: sqlite_utils.Database, now: datetime, days: int = DEFAULT_DAYS,
                  scope: str | None = None) -> Stats:
    """Usage over the last `days` local days (today included). With `scope` (an admin's unit) everything
    is limited to its subtree: units, officers, messages, and the questions, people and votes of the
    questions that belong to it (by the person who asked or the chat it was asked in, as /chuatraloi)."""
    until = clock.local_date(now)
    since = until - timedelta(days=days - 1)
    start = clock.iso(clock.start_of_local_day(since))
    stats = Stats(since, until, days)
    if scope is not None:
        unit = get_unit(db, scope)
        stats.scope_unit, stats.scope_name = scope, unit.name if unit else scope
    per_day: Counter[date] = Counter()
    people: set[tuple[str, str]] = set()
    for channel, user_id, outcome, asked_at in store.questions_since(db, start, scope):
        stats.questions += 1
        people.add((channel, user_id))
        per_day[clock.local_date(clock.from_iso(asked_at))] += 1
        if outcome == "answered":
            stats.answered += 1
        elif outcome == "suggested":
            stats.suggested += 1
        else:
            stats.not_found += 1
    stats.people = len(people)
    stats.per_day = [(since + timedelta(days=i), per_day.get(since + timedelta(days=i), 0)) for i in range(days)]
    for value, n in store.votes_since(db, start, scope).items():
        if value > 0:
            stats.thumbs_up = n
        else:
            stats.thumbs_down = n

    scoped = None if scope is None else subtree_codes(db, scope)
    unit_rows = [r for r in store.unit_statuses(db) if scoped is None or r[0] in scoped]
    stats.units = len(unit_rows)
    stats.units_held = sum(1 for _, status in unit_rows if status == "da_to_chuc")
    members = [m for m in store.memberships(db) if scoped is None or m[0] in scoped]
    stats.units_with_officers = len({m[0] for m in members})
    officer_ids = {m[1]: m[2] for m in members}
    if scoped is None:  # officers without a unit count too when the admin sees everything
        officer_ids.update(store.officers_blocked(db))
    stats.officers = len(officer_ids)
    stats.officers_blocked = sum(1 for blocked in officer_ids.values() if blocked)
    stats.reminders = _outbox_counts(db, "reminder", start, scoped)
    ids = [bid for bid, admin_scope in store.broadcasts_since(db, start) if scope is None or admin_scope == scope]
    stats.broadcasts = len(ids)
    counts = {"sent": 0, "failed": 0, "waiting": 0}
    for status, n in store.broadcast_message_counts(db, ids):
        key = ("sent" if status == "sent" else "waiting" if status in ("pending", "sending")
               else "unknown" if status == "unknown" else "failed")
        counts[key] = counts.get(key, 0) + n
    stats.broadcast_messages = counts
    return stats


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%".replace(".", ",")


def stats_text(stats: Stats) -> str:
    from handlers import admin_texts as T
    lines = [T.STATS_TITLE.format(days=stats.days, period=date_range(stats.since, stats.until, weekday=False)),
             T.STATS_SCOPE_ALL if stats.scope_unit is None else T.STATS_SCOPE.format(unit=stats.scope_name), ""]
    lines.append(f"👥 Người hỏi: {stats.people}; cán bộ đã đăng ký: {stats.officers}"
                 + (f" ({stats.officers_blocked} đã chặn trợ lý)" if stats.officers_blocked else ""))
    lines.append(f"🏢 Đơn vị: {stats.units}; có cán bộ đăng ký: {stats.units_with_officers}; "
                 f"đã tổ chức đại hội: {stats.units_held}")
    lines.append(f"❓ Câu hỏi: {stats.questions} — trả lời được {stats.answered} "
                 f"({_percent(stats.answered_rate)}), gợi ý {stats.suggested}, chưa trả lời được {stats.not_found}")
    votes = stats.thumbs_up + stats.thumbs_down
    lines.append(f"👍 Đánh giá hữu ích: {_percent(stats.thumbs_up_ratio)} ({stats.thumbs_up} 👍 / {stats.thumbs_down} 👎"
                 f"{'' if votes else ', chưa có đánh giá'})")
    r = stats.reminders
    lines.append(f"⏰ Nhắc hạn: đã gửi {r.get('sent', 0)}, lỗi {r.get('failed', 0)}, đang chờ {r.get('waiting', 0)}"
                 + (f", chưa rõ {r['unknown']}" if r.get("unknown") else ""))
    b = stats.broadcast_messages
    lines.append(f"📣 Thông báo: {stats.broadcasts} lần — tin đã gửi {b.get('sent', 0)}, lỗi {b.get('failed', 0)}, "
                 f"đang chờ {b.get('waiting', 0)}" + (f", chưa rõ {b['unknown']}" if b.get("unknown") else ""))
    lines.append("")
    title, periods = questions_by_period(stats.per_day)
    lines.append(title)
    lines += [f"  {label}: {n}" for label, n in periods]
    return "\n".join(lines)


def questions_by_period(per_day: list[tuple[date, int]]) -> tuple[str, list[tuple[str, int]]]:
    """Questions a day, or a week, or a month, so the chat message stays short (at most ~17 lines):
    (heading, [(label, count)])."""
    if len(per_day) <= DAILY_UP_TO:
        return "Câu hỏi mỗi ngày:", [(long_date(day), n) for day, n in per_day]
    groups: dict[tuple, list[tuple[date, int]]] = {}
    weekly = len(per_day) <= WEEKLY_UP_TO
    for day, n in per_day:
        key = (day - timedelta(days=day.weekday())) if weekly else (day.year, day.month)
        groups.setdefault(key, []).append((day, n))
    if weekly:  # weeks from Monday to Sunday, the first and last cut to the period
        return "Câu hỏi mỗi tuần (thứ Hai đến Chủ nhật):", [
            (date_range(days[0][0], days[-1][0], weekday=False), sum(n for _, n in days)) for days in groups.values()]
    return "Câu hỏi mỗi tháng:", [
        (f"tháng {days[0][0]:%m/%Y}" + ("" if _whole_month(days) else f" ({date_range(days[0][0], days[-1][0], weekday=False)})"),
         sum(n for _, n in days)) for days in groups.values()]


def _whole_month(days: list[tuple[date, int]]) -> bool:
    first, last = days[0][0], days[-1][0]
    return first.day == 1 and (last + timedelta(days=1)).month != last.month


# -- unanswered questions -------------------------------------------------------------------------------
@dataclass
class Group:
    text: str                            # its wording with the most diacritics (newest on a tie), as typed
    key: str                             # its normalised form
    question_ids: list[int] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)     # distinct wordings, newest first
    last_asked: str = ""

    @property
    def id(self) -> int:
        """The newest question's id: what buttons refer to."""
        return self.question_ids[0]

    @property
    def count(self) -> int:
        return len(self.question_ids)


def unanswered_groups(db: sqlite_utils.Database, now: datetime, days: int = UNANSWERED_DAYS,
                      scope: str | None = None) -> list[Group]:
    """Unanswered questions of the last `days` days not yet handled, grouped; most asked first. With
    `scope` (an admin's unit), only the questions of people registered within its subtree: a scoped admin
    neither sees nor handles questions of other subtrees, nor of people registered nowhere."""
    since = clock.iso(now - timedelta(days=days))
    rows = store.unanswered_since(db, since, MAX_QUESTIONS, scope)
    groups: list[Group] = []
    keys: list[str] = []
    for qid, text, asked_at in rows:
        key = normalize(text) or text.lower()
        match = process.extractOne(key, keys, scorer=_similarity, score_cutoff=GROUP_SIMILARITY) if keys else None
        if match is None:
            groups.append(Group(text, key, last_asked=asked_at))
            keys.append(key)
            group = groups[-1]
        else:
            group = groups[match[2]]
        group.question_ids.append(qid)
        if text not in group.texts:
            group.texts.append(text)
    for group in groups:  # shown and attached: the wording with diacritics, when someone typed them
        group.text = max(group.texts, key=lambda t: sum(1 for ch in t if ord(ch) > 127))
    groups.sort(key=lambda g: g.count, reverse=True)  # stable: most asked first, then newest first
    return groups


def _similarity(a: str, b: str, **kwargs) -> float:
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))


def find_group(db: sqlite_utils.Database, question_id: int, now: datetime,
               days: int = UNANSWERED_DAYS, scope: str | None = None) -> Group | None:
    """The group (as the admin of `scope` sees it) holding question `question_id`, or None."""
    return next((g for g in unanswered_groups(db, now, days, scope) if question_id in g.question_ids), None)


def asked_within(db: sqlite_utils.Database, question_id: int, scope: str | None) -> bool | None:
    """Whether an admin of `scope` (None: every unit) may act on question `question_id`; None when there
    is no such question."""
    if scope is None:
        return True if store.question_exists(db, question_id) else None
    return store.question_within(db, question_id, scope)


def mark_handled(db: sqlite_utils.Database, group: Group, action: str, entry_id: str | None,
                 admin_user_id: str, now: datetime) -> None:
    store.mark_handled(db, group.question_ids, action, entry_id, admin_user_id, now)


def write_csv(groups: list[Group], out: TextIO) -> None:
    """The groups as CSV for a spreadsheet; a question typed as a formula stays text (spreadsheet_cells)."""
    writer = csv.writer(out)
    writer.writerow(["nhom", "cau_hoi", "so_lan", "lan_cuoi", "cac_cach_hoi", "ma_cau_hoi"])
    for n, g in enumerate(groups, start=1):
        writer.writerow(safe_row([n, g.text, g.count, _csv_stamp(g.last_asked), " | ".join(g.texts),
                                  " ".join(map(str, g.question_ids))]))  # questions are typed by anyone
