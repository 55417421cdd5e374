"""Small named values the code keeps between runs (`meta` table): the knowledge version and hash, the
reminder planning watermark, the day follow-ups were last checked."""
from __future__ import annotations

import sqlite_utils


def get_meta(db: sqlite_utils.Database, key: str, default: str = "") -> str:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def set_meta(db: sqlite_utils.Database, key: str, value: str) -> None:
    db.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
               "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))
