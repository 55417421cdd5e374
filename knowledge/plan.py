"""Congress plans as data (knowledge/plans/*.toml) and a unit's timeline laid out from its plan.

A plan is the upper-level union's schedule: absolute deadlines ("đại hội CĐCS xong trước 30/4/2023")
and steps relative to each unit's own congress date ("gửi hồ sơ lên cấp trên duyệt N ngày trước").
N is always a setting of the plan file, because it is the upper level's decision; there is no national
rule for it that we could put in code. A relative step whose N the plan does not give is kept with its
`when` text ("theo lịch duyệt hồ sơ của cấp trên") and has no date and no reminders.

A unit's dates must fall in FIRST_YEAR..LAST_YEAR: anything else is a slip (31/12/9999), refused at
import. A unit stored with such a date before imports checked it raises UnitDataError from its timeline,
so the callers that run over every unit (planning, preview, progress) log it and go on with the others.
"""
from __future__ import annotations

import re
import time as time_module
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path

from datefmt import date_range
from knowledge.unit_terms import LEVELS

PLANS_DIR = Path(__file__).resolve().parent / "plans"
CONGRESS_KEY = "dai-hoi"
DEFAULT_DAYS_BEFORE = (30, 14, 7, 3, 1)
DEFAULT_SEND_AT = time(8, 0)
DEFAULT_REPORT_DAYS_AFTER = 1
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
FIRST_YEAR, LAST_YEAR = 2000, 2100


class PlanError(Exception):
    """A plan file cannot be used; the message is Vietnamese and names the file."""


class UnitDataError(ValueError):
    """A unit's stored data cannot be laid on a calendar (an unreadable date, a year outside
    FIRST_YEAR..LAST_YEAR). The message is Vietnamese and names the unit and the value."""


def sane_year(day: date) -> bool:
    return FIRST_YEAR <= day.year <= LAST_YEAR


def stored_day(text: str | None, code: str) -> date | None:
    """A unit's congress date as the database keeps it (YYYY-MM-DD), checked."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except (TypeError, ValueError):
        raise UnitDataError(f"đơn vị {code}: ngày đại hội lưu trong hệ thống «{text}» không đọc được") from None
    if not sane_year(day):
        raise UnitDataError(f"đơn vị {code}: ngày đại hội lưu trong hệ thống «{text}» có năm ngoài khoảng "
                            f"{FIRST_YEAR}–{LAST_YEAR}")
    return day


@dataclass(frozen=True)
class ReminderRules:
    """When reminders go out for units under a plan (the plan file's [reminders] table)."""
    days_before: tuple[int, ...] = DEFAULT_DAYS_BEFORE
    send_at: time = DEFAULT_SEND_AT
    report_days_after: int = DEFAULT_REPORT_DAYS_AFTER   # 0 turns the "report results" reminder off


@dataclass(frozen=True)
class Milestone:
    id: str
    title: str
    date: date | None = None            # absolute
    from_date: date | None = None       # start of an absolute window ("01/03–15/03/2023")
    before_days: int | None = None      # relative: N days before the unit's congress
    after_days: int | None = None       # relative: N days after it
    when: str = ""                      # said instead of a date when the plan gives none
    levels: tuple[str, ...] = ()        # unit levels it applies to; empty: every level
    remind: bool = True
    report: bool = False                # the "báo cáo kết quả, đề nghị công nhận" deadline
    until_congress: bool = False        # a deadline to hold the congress: no reminders once it is held
    prepare: tuple[str, ...] = ()
    ask: tuple[str, ...] = ()
    source: str = ""

    @property
    def relative(self) -> bool:
        return self.before_days is not None or self.after_days is not None

    def applies_to(self, level: str) -> bool:
        return not self.levels or level in self.levels


@dataclass(frozen=True)
class Plan:
    id: str
    name: str
    issuer: str
    source: str
    example: bool
    congress: Milestone
    milestones: tuple[Milestone, ...]
    rules: ReminderRules = field(default_factory=ReminderRules)
    file: str = ""


@dataclass(frozen=True)
class UnitSchedule:
    """What the timeline needs to know about a unit."""
    code: str
    name: str
    level: str
    congress_date: date | None
    congress_time: str | None = None
    congress_place: str | None = None
    status: str = "chua_to_chuc"
    shift_days: int = 0


@dataclass(frozen=True)
class TimelineItem:
    key: str                     # milestone id; CONGRESS_KEY for the unit's own congress
    title: str
    day: date | None             # None: no date yet (see `when`)
    from_day: date | None = None
    when: str = ""
    time: str | None = None
    place: str | None = None
    is_congress: bool = False
    remind: bool = True
    report: bool = False
    until_congress: bool = False
    prepare: tuple[str, ...] = ()
    ask: tuple[str, ...] = ()
    source: str = ""


DEFAULT_CONGRESS = Milestone(
    id=CONGRESS_KEY, title="Đại hội",
    prepare=("Văn kiện, nhân sự đã được công đoàn cấp trên duyệt",
             "Danh sách đoàn viên hoặc đại biểu được triệu tập, giấy mời, phiếu bầu"),
    ask=("đại hội hợp lệ khi nào", "những trường hợp nào phải bỏ phiếu kín"),
)


# -- reading plan files -----------------------------------------------------------------------------
def _strings(raw: object, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(x, str) and x.strip() for x in raw):
        raise PlanError(f"{where}: phải là danh sách chuỗi không rỗng")
    return tuple(x.strip() for x in raw)


def _date(raw: object, where: str) -> date | None:
    if raw is None:
        return None
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    raise PlanError(f"{where}: ngày phải viết dạng TOML 2023-04-30 (không có giờ)")


def _days(raw: object, where: str) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= 366:
        raise PlanError(f"{where}: số ngày phải là số nguyên từ 0 đến 366")
    return raw


def _milestone(raw: dict, where: str, congress: bool = False) -> Milestone:
    if not isinstance(raw, dict):
        raise PlanError(f"{where}: phải là một bảng TOML")
    known = {"id", "title", "date", "from_date", "before_congress_days", "after_congress_days", "when",
             "levels", "remind", "report", "until_congress", "prepare", "ask", "source"}
    unknown = set(raw) - known
    if unknown:
        raise PlanError(f"{where}: khóa không biết: {', '.join(sorted(unknown))}")
    title = str(raw.get("title", "")).strip()
    mid = CONGRESS_KEY if congress else str(raw.get("id", "")).strip()
    if not congress and not _ID_RE.match(mid):
        raise PlanError(f"{where}: thiếu id, hoặc id không chỉ gồm chữ thường không dấu, số và '-'")
    if not title:
        raise PlanError(f"{where}: thiếu title")
    levels = _strings(raw.get("levels"), f"{where}.levels")
    bad = [lv for lv in levels if lv not in LEVELS]
    if bad:
        raise PlanError(f"{where}.levels: cấp không biết {bad}; dùng {', '.join(LEVELS)}")
    m = Milestone(
        id=mid, title=title,
        date=_date(raw.get("date"), f"{where}.date"),
        from_date=_date(raw.get("from_date"), f"{where}.from_date"),
        before_days=_days(raw.get("before_congress_days"), f"{where}.before_congress_days"),
        after_days=_days(raw.get("after_congress_days"), f"{where}.after_congress_days"),
        when=str(raw.get("when", "")).strip(),
        levels=levels,
        remind=bool(raw.get("remind", True)),
        report=bool(raw.get("report", False)),
        until_congress=bool(raw.get("until_congress", False)),
        prepare=_strings(raw.get("prepare"), f"{where}.prepare"),
        ask=_strings(raw.get("ask"), f"{where}.ask"),
        source=str(raw.get("source", "")).strip(),
    )
    if congress:
        if m.date or m.from_date or m.relative or m.when:
            raise PlanError(f"{where}: ngày đại hội là của từng đơn vị, không ghi trong kế hoạch")
        return m
    ways = sum(x is not None for x in (m.date, m.before_days, m.after_days))
    if ways > 1:
        raise PlanError(f"{where}: chỉ ghi một trong date, before_congress_days, after_congress_days")
    if ways == 0 and not m.when:
        raise PlanError(f"{where}: cần date, before_congress_days, after_congress_days, "
                        "hoặc when (nói rõ ngày do ai định)")
    if m.from_date and (m.date is None or m.from_date > m.date):
        raise PlanError(f"{where}: from_date chỉ dùng với date và phải không sau date")
    return m


def _rules(raw: object, where: str) -> ReminderRules:
    if raw is None:
        return ReminderRules()
    if not isinstance(raw, dict):
        raise PlanError(f"{where}: phải là một bảng TOML")
    days = raw.get("days_before", list(DEFAULT_DAYS_BEFORE))
    if (not isinstance(days, list) or not days
            or not all(isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 366 for d in days)):
        raise PlanError(f"{where}.days_before: danh sách số ngày từ 1 đến 366")
    send_at_text = str(raw.get("send_at", "08:00"))
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", send_at_text)
    if not match or not (7 <= int(match[1]) < 21) or int(match[2]) > 59:
        raise PlanError(f"{where}.send_at: giờ gửi dạng HH:MM, từ 07:00 đến trước 21:00 "
                        "(ngoài giờ nghỉ đêm)")
    report_after = _days(raw.get("report_days_after", DEFAULT_REPORT_DAYS_AFTER),
                         f"{where}.report_days_after")
    return ReminderRules(tuple(sorted(set(days), reverse=True)),
                         time(int(match[1]), int(match[2])), report_after)


def load_plan(path: Path) -> Plan:
    where = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PlanError(f"{where}: không đọc được tệp ({exc})") from exc
    plan_id = str(data.get("id", "")).strip()
    if plan_id != path.stem:
        raise PlanError(f"{where}: id phải trùng tên tệp ({path.stem})")
    name = str(data.get("name", "")).strip()
    if not name:
        raise PlanError(f"{where}: thiếu name")
    source = str(data.get("source", "")).strip()
    if not source:
        raise PlanError(f"{where}: thiếu source (kế hoạch lấy từ văn bản nào)")
    congress = (_milestone(data["congress"], f"{where} [congress]", congress=True)
                if "congress" in data else DEFAULT_CONGRESS)
    milestones = tuple(_milestone(raw, f"{where} [[milestone]] #{i}")
                       for i, raw in enumerate(data.get("milestone", []), start=1))
    seen: set[str] = {CONGRESS_KEY}
    for m in milestones:
        if m.id in seen:
            raise PlanError(f"{where}: id «{m.id}» bị trùng")
        seen.add(m.id)
    return Plan(id=plan_id, name=name, issuer=str(data.get("issuer", "")).strip(), source=source,
                example=bool(data.get("example", False)), congress=congress, milestones=milestones,
                rules=_rules(data.get("reminders"), f"{where} [reminders]"), file=path.name)


def load_plans(directory: Path | None = None) -> dict[str, Plan]:
    """Every plan in `directory` (default PLANS_DIR), by id; raises PlanError on the first broken file."""
    directory = Path(directory or PLANS_DIR)
    return {plan.id: plan for plan in (load_plan(p) for p in sorted(directory.glob("*.toml")))}


def check_plans(directory: Path | None = None) -> list[str]:
    """Problems of every plan file (Vietnamese), empty when all are usable."""
    problems = []
    for path in sorted(Path(directory or PLANS_DIR).glob("*.toml")):
        try:
            load_plan(path)
        except PlanError as exc:
            problems.append(str(exc))
    return problems


@lru_cache(maxsize=8)
def _cached(directory: str, stamp: tuple) -> dict[str, Plan]:
    return load_plans(Path(directory))


_RECHECK_SECONDS = 2.0
_last_check: dict[str, tuple[float, tuple]] = {}


def plans(directory: Path | None = None) -> dict[str, Plan]:
    """Plans, re-read when a file changes (edits are picked up without a restart). The folder is
    looked at no more than every two seconds: a dispatch sweep asks for every message it sends."""
    directory = Path(directory or PLANS_DIR)
    key = str(directory)
    checked = _last_check.get(key)
    if checked is None or time_module.monotonic() - checked[0] > _RECHECK_SECONDS:
        paths = sorted(directory.glob("*.toml"))
        stamp = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in paths)
        checked = (time_module.monotonic(), stamp)
        _last_check[key] = checked
    return _cached(key, checked[1])


# -- a unit's timeline ------------------------------------------------------------------------------
def unit_timeline(unit: UnitSchedule, plan: Plan | None) -> list[TimelineItem]:
    """The unit's congress and every plan step that applies to its level, dated, in date order
    (steps without a date last). Demo units shift the plan's absolute dates by `shift_days`."""
    if unit.congress_date is not None and not sane_year(unit.congress_date):
        raise UnitDataError(f"đơn vị {unit.code}: ngày đại hội {unit.congress_date.isoformat()} có năm ngoài "
                            f"khoảng {FIRST_YEAR}–{LAST_YEAR}")
    if abs(unit.shift_days) > (LAST_YEAR - FIRST_YEAR) * 366:  # demo units only; anything larger is corrupt
        raise UnitDataError(f"đơn vị {unit.code}: độ dời lịch {unit.shift_days} ngày không hợp lý")
    congress_m = plan.congress if plan else DEFAULT_CONGRESS
    postponed = unit.status == "hoan"
    congress_day = None if postponed else unit.congress_date
    if postponed:
        congress_when = "Đã hoãn; chờ ngày đại hội mới"
    elif congress_day is None:
        congress_when = "Chưa có ngày đại hội trong hệ thống"
    else:
        congress_when = ""
    items = [TimelineItem(
        key=CONGRESS_KEY, title=congress_m.title, day=congress_day, when=congress_when,
        time=unit.congress_time, place=unit.congress_place, is_congress=True,
        remind=unit.status == "chua_to_chuc", prepare=congress_m.prepare, ask=congress_m.ask,
        source=congress_m.source)]
    shift = timedelta(days=unit.shift_days)
    for m in (plan.milestones if plan else ()):
        if not m.applies_to(unit.level):
            continue
        day, from_day, when = None, None, m.when
        if m.date is not None:
            day = m.date + shift
            from_day = m.from_date + shift if m.from_date else None
        elif m.relative and congress_day is not None:
            day = congress_day + (timedelta(days=m.after_days) if m.after_days is not None
                                  else -timedelta(days=m.before_days))
        elif m.relative:
            when = m.when or ("Tính theo ngày đại hội mới" if postponed else "Tính theo ngày đại hội, "
                              "khi đơn vị có ngày đại hội")
        items.append(TimelineItem(
            key=m.id, title=m.title, day=day, from_day=from_day, when=when,
            remind=m.remind and not (m.until_congress and unit.status == "da_to_chuc"),
            report=m.report, until_congress=m.until_congress, prepare=m.prepare, ask=m.ask, source=m.source))
    return sorted(items, key=lambda it: (it.day is None, it.day or date.max, not it.is_congress))


def item_when(item: TimelineItem) -> str:
    """The date part of a timeline line: window, weekday, time and place when known."""
    if item.day is None:
        return item.when or "chưa có ngày"
    text = date_range(item.from_day or item.day, item.day)
    if item.time:
        text += f", lúc {item.time}"
    if item.place:
        text += f", tại {item.place}"
    return text
