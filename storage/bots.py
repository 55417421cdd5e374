"""The bots' own names, learnt by the running bot from getMe (Telegram username, Zalo account name), so
commands run from another process (`bot.py units show`) can print real registration links."""
from __future__ import annotations

import sqlite_utils

_KEY = "bot_name:{channel}"


def remember_bot_name(db: sqlite_utils.Database, channel: str, name: str) -> None:
    if not name:
        return
    db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
               (_KEY.format(channel=channel), name))


def bot_name(db: sqlite_utils.Database, channel: str) -> str:
    """The name last learnt for `channel`'s bot; '' when the bot never ran against this database."""
    row = db.execute("SELECT value FROM meta WHERE key = ?", (_KEY.format(channel=channel),)).fetchone()
    return row[0] if row else ""
