"""The one clock: `now()` is an aware UTC datetime that tests and `--now` can move.

Everything stored is UTC; everything shown to people, and every calendar rule (which day a deadline
falls on, the 08:00 send hour, the quiet hours), is in Asia/Ho_Chi_Minh. Code that decides by time takes
`now` as an argument; only the edges read `clock.now()`: the command line, the scheduler's jobs, and the
assistant, which stamps each message with it (handlers and channels never read it themselves).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

_frozen: datetime | None = None
_offset = timedelta(0)


def _real_now() -> datetime:
    return datetime.now(timezone.utc)


def now() -> datetime:
    """The current time, aware, in UTC (moved by `set_now` / `--now`)."""
    if _frozen is not None:
        return _frozen
    return _real_now() + _offset


def set_now(moment: datetime | None, ticking: bool = False) -> None:
    """Move the clock to `moment` (aware); `ticking` lets it run on from there. None restores real time."""
    global _frozen, _offset
    if moment is None:
        _frozen, _offset = None, timedelta(0)
        return
    if moment.tzinfo is None:
        raise ValueError("set_now needs an aware datetime")
    if ticking:
        _frozen, _offset = None, moment - _real_now()
    else:
        _frozen, _offset = moment.astimezone(timezone.utc), timedelta(0)


def parse_local(text: str) -> datetime:
    """'YYYY-MM-DD HH:MM' (or 'YYYY-MM-DD') read in Asia/Ho_Chi_Minh, returned in UTC."""
    text = text.strip()
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            naive = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return naive.replace(tzinfo=LOCAL_TZ).astimezone(timezone.utc)
    raise ValueError(f"thời điểm «{text}» không đúng dạng YYYY-MM-DD HH:MM")


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL_TZ)


def local_date(moment: datetime) -> date:
    """The calendar day in Việt Nam at `moment` (00:30 there is still the previous day in UTC)."""
    return moment.astimezone(LOCAL_TZ).date()


def local_today() -> date:
    return local_date(now())


def at_local(day: date, hour_minute: time) -> datetime:
    """The UTC instant of `hour_minute` on `day` in Việt Nam."""
    return datetime.combine(day, hour_minute, tzinfo=LOCAL_TZ).astimezone(timezone.utc)


def start_of_local_day(day: date) -> datetime:
    return at_local(day, time(0, 0))


def iso(moment: datetime) -> str:
    """The stored form: UTC ISO-8601 to the second, so text order is time order."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def from_iso(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
