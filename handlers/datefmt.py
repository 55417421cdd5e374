"""Dates as Vietnamese officers read them: dd/mm/yyyy, weekday names, "còn 7 ngày", "đã qua"."""
from __future__ import annotations

from datetime import date

from knowledge.plan import TimelineItem

WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


def dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def long_date(day: date) -> str:
    """'thứ Tư, 15/03/2023'."""
    return f"{WEEKDAYS[day.weekday()]}, {dmy(day)}"


def days_left(day: date, today: date) -> str:
    """How far `day` is from `today`, said plainly; past dates are said to be past."""
    delta = (day - today).days
    if delta > 1:
        return f"còn {delta} ngày"
    if delta == 1:
        return "ngày mai (còn 1 ngày)"
    if delta == 0:
        return "hôm nay"
    if delta == -1:
        return "hôm qua (đã qua)"
    return f"đã qua {-delta} ngày"


def item_when(item: TimelineItem) -> str:
    """The date part of a timeline line: window, weekday, time and place when known."""
    if item.day is None:
        return item.when or "chưa có ngày"
    text = long_date(item.day)
    if item.from_day and item.from_day != item.day:
        text = f"từ {dmy(item.from_day)} đến {text}"
    if item.time:
        text += f", lúc {item.time}"
    if item.place:
        text += f", tại {item.place}"
    return text
