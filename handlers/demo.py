"""Demo data for newcomers: the ĐHSPKT plan of seed 000 (13 công đoàn bộ phận holding their congresses
01/03–15/03/2023, the Trường's đại hội đại biểu on 28/4/2023) laid relative to today, so that the terminal
chat has a unit with upcoming deadlines and `reminders preview` has something to show.

The first công đoàn bộ phận's congress falls 14 days from today; the terminal user ('console') is
registered to it. Unit names are illustrations (the article does not list the 13 bộ phận) and say so.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlite_utils

import clock
from scheduler import reminders
from storage import outbox
from storage import units as store
from storage.transactions import immediate

PLAN_ID = "demo-dhspkt"
FIRST_CONGRESS = date(2023, 3, 1)        # seed 000: đại hội công đoàn bộ phận from 01/03/2023 …
LAST_CONGRESS = date(2023, 3, 15)        # … to 15/03/2023
SCHOOL_CONGRESS = date(2023, 4, 28)      # đại hội đại biểu Công đoàn Trường
DAYS_UNTIL_FIRST = 14
SCHOOL_CODE = "DEMO-SPKT"
CONSOLE_UNIT = "DEMO-BP01"
DEPARTMENTS = (
    "Khoa Cơ khí", "Khoa Điện – Điện tử", "Khoa Công nghệ Thông tin", "Khoa Xây dựng",
    "Khoa Hóa – Môi trường", "Khoa Sư phạm Công nghiệp", "Khoa Kỹ thuật Cơ sở", "Khoa Khoa học Cơ bản",
    "Phòng Đào tạo", "Phòng Tổ chức – Hành chính", "Phòng Kế hoạch – Tài chính",
    "Trung tâm Học liệu và Truyền thông", "Khối Phục vụ",
)


@dataclass
class DemoResult:
    units: int
    shift_days: int
    rescheduled: int
    console_unit: str


def shift_for(today: date) -> int:
    return (today + timedelta(days=DAYS_UNTIL_FIRST) - FIRST_CONGRESS).days


def _units(shift: int) -> list[dict]:
    move = timedelta(days=shift)
    school = dict(code=SCHOOL_CODE, name="Công đoàn Trường Đại học Sư phạm Kỹ thuật (minh họa)",
                  level="cong_doan_co_so", parent_code=None, congress_date=(SCHOOL_CONGRESS + move).isoformat(),
                  congress_time="08:00", congress_place="Hội trường lớn (minh họa)", form="dai_bieu",
                  status="chua_to_chuc", invite_code="DEMO00", plan_id=PLAN_ID, plan_shift_days=shift,
                  is_demo=1)
    span = (LAST_CONGRESS - FIRST_CONGRESS).days
    rows = [school]
    for i, name in enumerate(DEPARTMENTS):
        day = FIRST_CONGRESS + timedelta(days=round(i * span / (len(DEPARTMENTS) - 1))) + move
        rows.append(dict(code=f"DEMO-BP{i + 1:02d}", name=f"Công đoàn bộ phận {name} (minh họa)",
                         level="cong_doan_bo_phan", parent_code=SCHOOL_CODE, congress_date=day.isoformat(),
                         congress_time="14:00" if i % 2 else "08:00", congress_place=None, form="toan_the",
                         status="chua_to_chuc", invite_code=f"DEMO{i + 1:02d}", plan_id=PLAN_ID,
                         plan_shift_days=shift, is_demo=1))
    return rows


def create_demo(db: sqlite_utils.Database, now: datetime,
                console_chat: str | None = "console") -> DemoResult:
    """Create (or move to today) the demo units; register the terminal user to the first bộ phận."""
    shift = shift_for(clock.local_date(now))
    rescheduled = []
    with immediate(db):
        for values in _units(shift):
            existing = store.get_unit(db, values["code"])
            if existing is not None and not existing.is_demo:
                raise ValueError(f"mã {values['code']} đang dùng cho một đơn vị thật")
            if store.save_unit(db, values, now) == "rescheduled":
                rescheduled.append(values["code"])
        for code in rescheduled:
            reminders.replan_unit(db, code, now)
        if console_chat:
            officer = store.ensure_officer(db, "console", console_chat, now, user_id=console_chat,
                                           name="Người dùng thử")
            if store.join_unit(db, officer.id, CONSOLE_UNIT, now) and officer.reminders_enabled:
                reminders.plan_for_officer(db, officer, [CONSOLE_UNIT], now)
    return DemoResult(len(DEPARTMENTS) + 1, shift, len(rescheduled), CONSOLE_UNIT)


def remove_demo(db: sqlite_utils.Database, now: datetime) -> int:
    """Delete every demo unit and withdraw its pending reminders. Returns how many units went."""
    codes = store.demo_codes(db)
    with immediate(db):
        for code in codes:
            outbox.cancel(db, now, origin=f"unit:{code}", reason="xóa dữ liệu minh họa")
        store.delete_units(db, codes)
    return len(codes)


def ensure_demo(db: sqlite_utils.Database, now: datetime) -> DemoResult | None:
    """For the terminal chat: with no units at all, create the demo; with only demo units, move them to
    today. Real units are never touched. Returns None when nothing was done."""
    total = store.count_units(db)
    demo = store.count_units(db, demo=True)
    if total and total != demo:
        return None
    if total:
        school = store.get_unit(db, SCHOOL_CODE)
        if school is not None and school.plan_shift_days == shift_for(clock.local_date(now)):
            return None
    return create_demo(db, now)


def newcomer_demo(db: sqlite_utils.Database, now: datetime) -> str:
    """The terminal chat on a database without units gets the demo (real units are never touched);
    returns the line that says so, or '' when nothing was done."""
    if ensure_demo(db, now) is None:
        return ""
    return ("(Dữ liệu minh họa: anh/chị đang là thành viên một công đoàn bộ phận mẫu, đại hội sau "
            f"{DAYS_UNTIL_FIRST} ngày. Thử gõ /hanchot, /lich hoặc «bao giờ đại hội». "
            "Xóa bằng: python bot.py demo --remove)")
