"""Schema steps of the Zalo channel (migration versions 30–39). Append; never edit an applied step."""
from __future__ import annotations

import sqlite_utils


def v30_zalo_seen_messages(db: sqlite_utils.Database) -> None:
    # Zalo may deliver the same webhook more than once (retries after a slow 200, a restart between
    # receiving and answering). One row per message_id already taken in; old rows are pruned.
    db.execute("""
        CREATE TABLE zalo_seen_messages (
            message_id TEXT PRIMARY KEY,
            chat_id TEXT NOT NULL DEFAULT '',
            seen_at TEXT NOT NULL               -- UTC ISO-8601
        )""")
    db.execute("CREATE INDEX idx_zalo_seen_at ON zalo_seen_messages (seen_at)")


ZALO_MIGRATIONS = [
    (30, v30_zalo_seen_messages),
]
