"""Zalo message ids already taken in (`zalo_seen_messages`): a webhook delivered twice is answered once,
also across restarts."""
from __future__ import annotations

from datetime import datetime

import sqlite_utils


def first_sighting(db: sqlite_utils.Database, message_id: str, chat_id: str, now: datetime) -> bool:
    """Record `message_id`; True when it was not seen before."""
    cursor = db.execute("INSERT OR IGNORE INTO zalo_seen_messages (message_id, chat_id, seen_at) VALUES (?,?,?)",
                        (message_id, chat_id, now.isoformat(timespec="seconds")))
    return cursor.rowcount == 1


def forget_seen_before(db: sqlite_utils.Database, before: datetime) -> None:
    db.execute("DELETE FROM zalo_seen_messages WHERE seen_at < ?", (before.isoformat(timespec="seconds"),))
