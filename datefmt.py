"""Dates as Vietnamese officers read them, in one style everywhere:

    a day         dd/mm/yyyy, with its weekday where someone acts on it: "thứ Tư, 15/03/2023"
    a range       "từ A đến B", both ends written the same way (both with the weekday, or both without)
    a moment      "14:05 ngày 15/03/2023" (Hà Nội time)
    how far       "còn 7 ngày", "hôm nay", "đã qua 3 ngày"
"""
from __future__ import annotations

from datetime import date, datetime

import clock

WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


def dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def long_date(day: date) -> str:
    """'thứ Tư, 15/03/2023'."""
    return f"{WEEKDAYS[day.weekday()]}, {dmy(day)}"


def date_range(start: date, end: date, weekday: bool = True) -> str:
    """'từ thứ Hai, 13/03/2023 đến thứ Tư, 15/03/2023' (or without the weekdays); one day is just that day."""
    form = long_date if weekday else dmy
    if start == end:
        return form(start)
    return f"từ {form(start)} đến {form(end)}"


def moment(when: datetime) -> str:
    """An instant as 'HH:MM ngày dd/mm/yyyy' in Việt Nam."""
    local = clock.to_local(when)
    return f"{local:%H:%M} ngày {dmy(local.date())}"


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
