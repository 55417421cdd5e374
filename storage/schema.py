"""Schema migrations, applied in order on every start. Append new steps; never edit an applied one.

One SQLite file (`data/assistant.db`, `--db` / DB_PATH), WAL mode, `busy_timeout` 30 s (storage/db.py).
Each step runs once in its own transaction; steps are grouped by family in `*_schema.py` modules
(units 10–19, admins 20–29, Zalo 30–39, results 50–59). Instants are UTC ISO text (text order is time
order); congress days are local `YYYY-MM-DD`. Core tables: faq_entries / faq_phrasings (the knowledge,
storage/knowledge.py), questions and feedback (storage/questions.py), meta (storage/meta.py),
pending_choices (the numbered options last offered to a chat, so "2" picks right after a restart).
"""
from __future__ import annotations

from typing import Callable

import sqlite_utils

from storage.admin_schema import ADMIN_MIGRATIONS
from storage.results_schema import RESULT_MIGRATIONS
from storage.units_schema import UNIT_MIGRATIONS
from storage.zalo_schema import ZALO_MIGRATIONS


def _v1_knowledge_and_questions(db: sqlite_utils.Database) -> None:
    db.execute("""
        CREATE TABLE faq_entries (
            id TEXT PRIMARY KEY,
            topic TEXT NOT NULL,
            question TEXT NOT NULL,
            answer TEXT NOT NULL,
            source TEXT NOT NULL,
            edition TEXT NOT NULL,
            confidence TEXT NOT NULL,
            tags TEXT NOT NULL DEFAULT '[]',
            file TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""")
    # origin: 'file' rows are replaced on reload; 'admin' rows (added in chat) survive it.
    db.execute("""
        CREATE TABLE faq_phrasings (
            id INTEGER PRIMARY KEY,
            entry_id TEXT NOT NULL,
            text TEXT NOT NULL,
            origin TEXT NOT NULL DEFAULT 'file',
            created_at TEXT NOT NULL,
            UNIQUE (entry_id, text)
        )""")
    db.execute("CREATE INDEX idx_phrasings_entry ON faq_phrasings (entry_id)")
    db.execute("""
        CREATE TABLE questions (
            id INTEGER PRIMARY KEY,
            channel TEXT NOT NULL,
            chat_id TEXT NOT NULL DEFAULT '',
            user_id TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL,
            outcome TEXT NOT NULL,
            score REAL,
            entry_id TEXT,
            asked_at TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX idx_questions_outcome ON questions (outcome, asked_at)")
    db.execute("""
        CREATE TABLE feedback (
            id INTEGER PRIMARY KEY,
            question_id INTEGER,
            entry_id TEXT,
            channel TEXT NOT NULL,
            user_id TEXT NOT NULL DEFAULT '',
            value INTEGER NOT NULL CHECK (value IN (-1, 1)),
            created_at TEXT NOT NULL,
            UNIQUE (question_id, user_id)
        )""")
    # Small key/value table: knowledge version, file hash, and similar facts of the running system.
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    # Choices offered to a chat (numbered suggestions), so "2" picks the right one even after a restart.
    db.execute("""
        CREATE TABLE pending_choices (
            channel TEXT NOT NULL,
            chat_id TEXT NOT NULL,
            payload TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (channel, chat_id)
        )""")


def _v2_entry_place(db: sqlite_utils.Database) -> None:
    # Local practice entries name the places they apply to (JSON list; empty: everywhere).
    db.execute("ALTER TABLE faq_entries ADD COLUMN place TEXT NOT NULL DEFAULT '[]'")


MIGRATIONS: list[tuple[int, Callable[[sqlite_utils.Database], None]]] = [
    (1, _v1_knowledge_and_questions),
    (2, _v2_entry_place),
    *UNIT_MIGRATIONS,  # 10–19: units, officers, registration, outbox
    *ADMIN_MIGRATIONS,  # 20–29: admins, broadcasts, outbox attempts
    *ZALO_MIGRATIONS,  # 30–39: Zalo channel (webhook de-duplication)
    *RESULT_MIGRATIONS,  # 50–59: congress results, their history, follow-up assignments
]
