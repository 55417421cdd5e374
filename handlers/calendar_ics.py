"""A unit's timeline as an iCalendar (.ics) file: one event per dated step, importable into phone
calendars, Google Calendar and Outlook."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from icalendar import Alarm, Calendar, Event

import clock
from knowledge.normalize import fold
from knowledge.plan import Plan, unit_timeline
from storage.units import Unit

PRODID = "-//Tro ly Dai hoi Cong doan//lich don vi//VI"


def _uid(unit: Unit, key: str) -> str:
    # Stable per step (not per date), so re-importing an updated file moves the event instead of
    # adding a second one.
    safe = re.sub(r"[^A-Za-z0-9-]+", "-", unit.code)
    return f"{safe}-{key}@tro-ly-dai-hoi-cong-doan"


def ics_filename(unit: Unit) -> str:
    """'lich-bp-01.ics': ASCII, so every messenger and phone keeps the name."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", fold(unit.code)).strip("-")
    return f"lich-{slug or 'don-vi'}.ics"


def unit_calendar(unit: Unit, plan: Plan | None, now: datetime) -> tuple[bytes, int]:
    """The .ics bytes and how many events they hold."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"Đại hội — {unit.name}")
    cal.add("x-wr-timezone", "Asia/Ho_Chi_Minh")
    count = 0
    for item in unit_timeline(unit.schedule(), plan):
        if item.day is None:
            continue
        event = Event()
        event.add("uid", _uid(unit, item.key))
        event.add("dtstamp", now)
        event.add("summary", f"{item.title} — {unit.name}")
        if item.is_congress and item.time and re.fullmatch(r"\d{2}:\d{2}", item.time):
            hour, minute = map(int, item.time.split(":"))
            start = datetime(item.day.year, item.day.month, item.day.day, hour, minute, tzinfo=clock.LOCAL_TZ)
            event.add("dtstart", start)
            event.add("dtend", start + timedelta(hours=4))
        else:
            event.add("dtstart", item.from_day or item.day)
            event.add("dtend", item.day + timedelta(days=1))
        if item.place:
            event.add("location", item.place)
        notes = []
        if item.prepare:
            notes.append("Cần chuẩn bị:\n" + "\n".join(f"- {p}" for p in item.prepare))
        if item.ask:
            notes.append("Hỏi trợ lý: " + "; ".join(item.ask))
        if plan:
            notes.append(f"Theo: {plan.name}")
        if notes:
            event.add("description", "\n\n".join(notes))
        if item.remind:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", item.title)
            alarm.add("trigger", timedelta(days=-1))
            event.add_component(alarm)
        cal.add_component(event)
        count += 1
    cal.add_missing_timezones()
    return cal.to_ical(), count
