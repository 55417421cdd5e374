"""/nhacnho tat | bat: an officer turns reminders off or on (for all of their units)."""
from __future__ import annotations

from datetime import datetime

import sqlite_utils

import clock
from handlers import unit_texts as T
from handlers.messages import Incoming, Reply
from knowledge.normalize import fold
from knowledge.plan import DEFAULT_DAYS_BEFORE, DEFAULT_SEND_AT
from scheduler import reminders
from storage import units as store

_OFF = {"tat", "off", "0", "khong", "ngung", "dung", "huy"}
_ON = {"bat", "on", "1", "co", "mo"}


def set_reminders(db: sqlite_utils.Database, msg: Incoming, args: str,
                  now: datetime) -> list[Reply]:
    officer = store.find_officer(db, msg.channel, msg.chat_id)
    units = store.units_of(db, officer.id) if officer else []
    if not units:
        return [Reply(T.NOT_REGISTERED, kind="info")]
    word = fold(args).strip()
    if not word:
        return [Reply(T.NHACNHO_STATUS_ON if officer.reminders_enabled else T.NHACNHO_STATUS_OFF, kind="info")]
    if word in _OFF:
        store.set_reminders_enabled(db, officer.id, False, now)
        reminders.cancel_for_officer(db, officer, now=now, reason="người nhận tắt nhắc hạn")
        return [Reply(T.NHACNHO_OFF, kind="info")]
    if word in _ON:
        was_off = not officer.reminders_enabled
        store.set_reminders_enabled(db, officer.id, True, now)
        if was_off:
            reminders.plan_for_officer(db, store.find_officer(db, msg.channel, msg.chat_id),
                                       [u.code for u in units], now)
        return [Reply(T.NHACNHO_ON.format(days=", ".join(map(str, DEFAULT_DAYS_BEFORE)),
                                          hour=DEFAULT_SEND_AT.strftime("%H:%M")), kind="info")]
    return [Reply(T.NHACNHO_HOW, kind="error")]
