"""Schema steps of the admin features (migration versions 20–29): roles, broadcasts, the admins'
conversation state, handled unanswered questions, and the outbox attempts log.

Kept apart from storage/schema.py, which lists them in MIGRATIONS. Never edit an applied step: append one.
Instants are UTC ISO-8601 text (see clock.iso).
"""
from __future__ import annotations

import sqlite_utils


def v20_admins_and_broadcasts(db: sqlite_utils.Database) -> None:
    # Who may use the admin commands. scope_unit NULL: every unit; else the code of the unit whose
    # subtree (the unit and everything below it) the admin serves. No foreign key on purpose: deleting
    # the unit must not widen the scope to everything (an unknown scope matches no unit).
    db.execute("""
        CREATE TABLE admins (
            id INTEGER PRIMARY KEY,
            channel TEXT NOT NULL DEFAULT 'telegram',
            user_id TEXT NOT NULL,
            name TEXT NOT NULL DEFAULT '',
            scope_unit TEXT,
            source TEXT NOT NULL DEFAULT 'cli' CHECK (source IN ('env', 'cli')),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (channel, user_id)
        )""")
    # One notice to many officers. 'draft' while the admin chooses; 'queued' once its outbox rows exist
    # (one per recipient, origin 'broadcast:<id>'); 'done' when none is waiting any more.
    db.execute("""
        CREATE TABLE broadcasts (
            id INTEGER PRIMARY KEY,
            status TEXT NOT NULL DEFAULT 'draft'
                CHECK (status IN ('draft', 'queued', 'done', 'cancelled')),
            text TEXT NOT NULL,
            attachment TEXT,                    -- JSON {"kind": "photo"|"document", "file_id", "filename"}
            target TEXT,                        -- 'all', 'level:<key>', 'subtree:<code>', 'units:A,B', 'pending'
            recipients INTEGER,                 -- counted at preview, then fixed when queued
            admin_channel TEXT NOT NULL,
            admin_chat_id TEXT NOT NULL,
            admin_user_id TEXT NOT NULL,
            admin_scope TEXT,                   -- the admin's scope when it was created
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            queued_at TEXT,
            finished_at TEXT,
            report_queued INTEGER NOT NULL DEFAULT 0
        )""")
    db.execute("CREATE INDEX idx_broadcasts_status ON broadcasts (status)")
    # What an admin's chat is in the middle of (e.g. "the next message is the notice's text"); durable,
    # so a restart does not lose a half-written broadcast.
    db.execute("""
        CREATE TABLE admin_flows (
            channel TEXT NOT NULL,
            chat_id TEXT NOT NULL,
            state TEXT NOT NULL,                -- 'await_text', 'await_units', 'await_subtree'
            broadcast_id INTEGER,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (channel, chat_id)
        )""")
    # Unanswered questions an admin dealt with (attached to an entry, or set aside): not listed again.
    db.execute("""
        CREATE TABLE unanswered_handled (
            question_id INTEGER PRIMARY KEY,
            action TEXT NOT NULL CHECK (action IN ('attached', 'dismissed')),
            entry_id TEXT,
            admin_user_id TEXT NOT NULL DEFAULT '',
            handled_at TEXT NOT NULL
        )""")


def v21_outbox_attempts(db: sqlite_utils.Database) -> None:
    # Every try to deliver an outbox row. A row is written (committed) just before the HTTP request and
    # completed right after its answer: an attempt with no outcome is a request that may have reached
    # the messenger when the process died (see ARCHITECTURE.md, "the exactly-once window").
    db.execute("""
        CREATE TABLE outbox_attempts (
            id INTEGER PRIMARY KEY,
            outbox_id INTEGER NOT NULL,
            channel TEXT NOT NULL,
            chat_id TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            outcome TEXT,                       -- NULL while in flight; 'sent', 'rate_limited',
                                                -- 'retryable', 'blocked', 'error', 'interrupted'
            detail TEXT
        )""")
    db.execute("CREATE INDEX idx_outbox_attempts_row ON outbox_attempts (outbox_id)")
    db.execute("CREATE INDEX idx_outbox_attempts_open ON outbox_attempts (outbox_id) WHERE outcome IS NULL")


ADMIN_MIGRATIONS = [
    (20, v20_admins_and_broadcasts),
    (21, v21_outbox_attempts),
]
