"""Schema steps of congress results and progress follow-up (migration versions 50–59). Append; never edit
an applied step. Dates held are local dates ('YYYY-MM-DD'); instants are UTC ISO-8601 text."""
from __future__ import annotations

import sqlite_utils


def v50_congress_results(db: sqlite_utils.Database) -> None:
    # One row per unit: what its congress decided, as the upper level counts it. The checks repeat the
    # chat flow's own so that no path (import, a future editor) can store numbers that contradict.
    db.execute("""
        CREATE TABLE congress_results (
            unit_code TEXT PRIMARY KEY REFERENCES units (code) ON DELETE CASCADE ON UPDATE CASCADE,
            held_on TEXT NOT NULL,                  -- local date YYYY-MM-DD
            form TEXT NOT NULL CHECK (form IN ('toan_the', 'dai_bieu')),
            convened INTEGER NOT NULL CHECK (convened > 0),
            present INTEGER NOT NULL CHECK (present >= 0 AND present <= convened),
            bch_elected INTEGER NOT NULL CHECK (bch_elected >= 0),
            chair_elected_by TEXT NOT NULL CHECK (chair_elected_by IN ('dai_hoi', 'bch')),
            chair_post TEXT NOT NULL CHECK (chair_post IN ('cap_pho', 'truong_phong', 'khac')),
            ubkt_elected INTEGER NOT NULL CHECK (ubkt_elected >= 0),
            delegates_elected INTEGER NOT NULL CHECK (delegates_elected >= 0),
            bch_women INTEGER NOT NULL CHECK (bch_women >= 0 AND bch_women <= bch_elected),
            flags TEXT NOT NULL DEFAULT '[]',       -- JSON: rules the numbers fall short of, kept visible
            status TEXT NOT NULL DEFAULT 'reported' CHECK (status IN ('reported', 'accepted')),
            source TEXT NOT NULL CHECK (source IN ('chat', 'import')),
            version INTEGER NOT NULL DEFAULT 1,
            reported_by TEXT NOT NULL,              -- 'telegram:123 Nguyễn Văn A', 'import:file.xlsx'
            reported_at TEXT NOT NULL,
            updated_by TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            accepted_by TEXT,
            accepted_at TEXT
        )""")
    db.execute("CREATE INDEX idx_results_status ON congress_results (status)")
    # Every change, with who and when: a snapshot of the whole result after it and the fields it changed.
    # No foreign key: the history of a unit outlives the unit.
    db.execute("""
        CREATE TABLE congress_result_history (
            id INTEGER PRIMARY KEY,
            unit_code TEXT NOT NULL,
            version INTEGER NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('report', 'edit', 'accept', 'reopen', 'import')),
            data TEXT NOT NULL,
            changed TEXT NOT NULL DEFAULT '[]',
            actor TEXT NOT NULL,
            at TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX idx_result_history_unit ON congress_result_history (unit_code, id)")
    # A chat in the middle of /baocao (or of /phancong): durable, so a restart between two answers loses
    # nothing. kind 'report': `data` holds the answers so far; kind 'assign': the staff member chosen.
    db.execute("""
        CREATE TABLE result_flows (
            channel TEXT NOT NULL,
            chat_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('report', 'assign')),
            user_id TEXT NOT NULL DEFAULT '',
            unit_code TEXT,
            step TEXT NOT NULL,
            data TEXT NOT NULL DEFAULT '{}',
            updated_at TEXT NOT NULL,
            PRIMARY KEY (channel, chat_id)
        )""")
    # Phân công phụ trách: the one staff member (an admin) who follows a unit.
    db.execute("""
        CREATE TABLE unit_followers (
            unit_code TEXT PRIMARY KEY REFERENCES units (code) ON DELETE CASCADE ON UPDATE CASCADE,
            channel TEXT NOT NULL,
            user_id TEXT NOT NULL,
            assigned_by TEXT NOT NULL DEFAULT '',
            assigned_at TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX idx_unit_followers_user ON unit_followers (channel, user_id)")


RESULT_MIGRATIONS = [
    (50, v50_congress_results),
]
