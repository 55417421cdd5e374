"""Schema steps for units, officers, registration and the outbox (migration versions 10–19).

Kept apart from storage/schema.py so other features can append their own steps without touching these;
schema.py lists them in MIGRATIONS. Never edit a step once it has been applied: add a new one.

Dates: a congress day is a calendar date in Việt Nam, so it is stored as a date ('YYYY-MM-DD') with an
optional local time ('HH:MM'); instants (created, due, sent) are UTC ISO-8601 text.
"""
from __future__ import annotations

import sqlite_utils


def v10_units_and_officers(db: sqlite_utils.Database) -> None:
    db.execute("""
        CREATE TABLE units (
            code TEXT PRIMARY KEY,              -- the office's own unit code, upper case
            name TEXT NOT NULL,
            level TEXT NOT NULL CHECK (level IN
                ('to_cong_doan', 'cong_doan_bo_phan', 'cong_doan_co_so', 'cap_tren_co_so')),
            parent_code TEXT REFERENCES units (code) ON UPDATE CASCADE,
            congress_date TEXT,                 -- local date YYYY-MM-DD, NULL while not set
            congress_time TEXT,                 -- local HH:MM, optional
            congress_place TEXT,
            form TEXT CHECK (form IS NULL OR form IN ('toan_the', 'dai_bieu')),
            status TEXT NOT NULL DEFAULT 'chua_to_chuc'
                CHECK (status IN ('chua_to_chuc', 'da_to_chuc', 'hoan')),
            members_count INTEGER CHECK (members_count IS NULL OR members_count >= 0),
            invite_code TEXT NOT NULL UNIQUE,   -- what officers type after /dangky (upper case)
            plan_id TEXT,                       -- knowledge/plans/<id>.toml; NULL: the parent's plan
            plan_shift_days INTEGER NOT NULL DEFAULT 0,  -- demo units lay a plan relative to today
            is_demo INTEGER NOT NULL DEFAULT 0,
            schedule_changed_at TEXT NOT NULL,  -- UTC; reminders due before it are not owed
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX idx_units_parent ON units (parent_code)")
    # One row per chat that talks to the assistant about units: a person, or a unit's group chat.
    db.execute("""
        CREATE TABLE officers (
            id INTEGER PRIMARY KEY,
            channel TEXT NOT NULL,              -- 'telegram', 'zalo', 'console'
            chat_id TEXT NOT NULL,
            user_id TEXT NOT NULL DEFAULT '',
            name TEXT NOT NULL DEFAULT '',
            position TEXT NOT NULL DEFAULT '',  -- chức vụ, from an officers import
            phone TEXT NOT NULL DEFAULT '',
            reminders_enabled INTEGER NOT NULL DEFAULT 1,
            blocked_at TEXT,                    -- UTC; set when the messenger says the bot is blocked
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (channel, chat_id)
        )""")
    db.execute("""
        CREATE TABLE memberships (
            officer_id INTEGER NOT NULL REFERENCES officers (id) ON DELETE CASCADE,
            unit_code TEXT NOT NULL REFERENCES units (code) ON DELETE CASCADE ON UPDATE CASCADE,
            joined_at TEXT NOT NULL,            -- UTC; reminders due before it are not owed
            PRIMARY KEY (officer_id, unit_code)
        )""")
    db.execute("CREATE INDEX idx_memberships_unit ON memberships (unit_code)")
    # Every /dangky attempt, so wrong invite codes can be rate-limited across restarts.
    db.execute("""
        CREATE TABLE registration_attempts (
            id INTEGER PRIMARY KEY,
            channel TEXT NOT NULL,
            chat_id TEXT NOT NULL,
            code TEXT NOT NULL,
            ok INTEGER NOT NULL,
            attempted_at TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX idx_registration_attempts_chat"
               " ON registration_attempts (channel, chat_id, attempted_at)")


def v11_outbox(db: sqlite_utils.Database) -> None:
    # One row per (message, recipient). Shared by reminders, broadcasts and every channel.
    db.execute("""
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,           -- idempotency key: the same key is never sent twice
            kind TEXT NOT NULL,                 -- 'reminder', 'broadcast', …
            origin TEXT NOT NULL DEFAULT '',    -- who filled it ('unit:<code>', 'broadcast:<id>')
            channel TEXT NOT NULL,
            chat_id TEXT NOT NULL,
            text TEXT NOT NULL,
            payload TEXT NOT NULL DEFAULT '{}', -- JSON the producer needs to re-render at send time
            due_at TEXT NOT NULL,               -- UTC; not sent before
            expires_at TEXT,                    -- UTC; dropped, not sent, from then on
            quiet_hours INTEGER NOT NULL DEFAULT 1,  -- 1: held back during the night (21:00–07:00)
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN
                ('pending', 'sending', 'sent', 'failed', 'cancelled', 'dropped')),
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            claimed_at TEXT,
            sent_at TEXT
        )""")
    db.execute("CREATE INDEX idx_outbox_due ON outbox (status, due_at)")
    db.execute("CREATE INDEX idx_outbox_origin ON outbox (origin, status)")
    db.execute("CREATE INDEX idx_outbox_recipient ON outbox (channel, chat_id, status)")
    # What the console/log sender "delivered": makes run-once and tests observable without a messenger.
    db.execute("""
        CREATE TABLE delivery_log (
            id INTEGER PRIMARY KEY,
            channel TEXT NOT NULL,
            chat_id TEXT NOT NULL,
            text TEXT NOT NULL,
            delivered_at TEXT NOT NULL
        )""")


def v12_outbox_unknown_status(db: sqlite_utils.Database) -> None:
    # A new final status, 'unknown': the request reached the messenger but its answer never came (a
    # time-out after the request was written), so nobody can tell whether it was delivered. SQLite cannot
    # change a CHECK constraint in place: the table is rebuilt with the same columns and indexes.
    db.execute("""
        CREATE TABLE outbox_v12 (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            origin TEXT NOT NULL DEFAULT '',
            channel TEXT NOT NULL,
            chat_id TEXT NOT NULL,
            text TEXT NOT NULL,
            payload TEXT NOT NULL DEFAULT '{}',
            due_at TEXT NOT NULL,
            expires_at TEXT,
            quiet_hours INTEGER NOT NULL DEFAULT 1,
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN
                ('pending', 'sending', 'sent', 'failed', 'cancelled', 'dropped', 'unknown')),
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            claimed_at TEXT,
            sent_at TEXT
        )""")
    db.execute("INSERT INTO outbox_v12 SELECT id, key, kind, origin, channel, chat_id, text, payload, due_at,"
               " expires_at, quiet_hours, status, attempts, last_error, created_at, updated_at, claimed_at,"
               " sent_at FROM outbox")
    db.execute("DROP TABLE outbox")
    db.execute("ALTER TABLE outbox_v12 RENAME TO outbox")
    db.execute("CREATE INDEX idx_outbox_due ON outbox (status, due_at)")
    db.execute("CREATE INDEX idx_outbox_origin ON outbox (origin, status)")
    db.execute("CREATE INDEX idx_outbox_recipient ON outbox (channel, chat_id, status)")


def v13_dispatcher_lease(db: sqlite_utils.Database) -> None:
    # One dispatcher per database: who may send, until when (storage/lease.py). The outbox row remembers
    # which dispatcher claimed it, so recovery after a crash touches only rows of a lease that expired.
    db.execute("""
        CREATE TABLE dispatcher_lease (
            name TEXT PRIMARY KEY,              -- 'outbox'
            owner TEXT NOT NULL,                -- a token per dispatcher
            pid INTEGER NOT NULL,
            host TEXT NOT NULL,
            started TEXT NOT NULL DEFAULT '',   -- the process's start mark (a reused pid is not it)
            role TEXT NOT NULL DEFAULT '',      -- 'run', 'broadcast', 'reminders'
            heartbeat_at REAL NOT NULL,         -- Unix seconds, real time
            expires_at REAL NOT NULL
        )""")
    db.execute("ALTER TABLE outbox ADD COLUMN claimed_by TEXT")


UNIT_MIGRATIONS = [
    (10, v10_units_and_officers),
    (11, v11_outbox),
    (12, v12_outbox_unknown_status),
    (13, v13_dispatcher_lease),
]
