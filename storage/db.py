"""Open the SQLite file in WAL mode and bring its schema up to date."""
from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from storage.schema import MIGRATIONS


def now_utc_iso() -> str:
    """Timestamps are stored as UTC ISO-8601 text; shown to users in Asia/Ho_Chi_Minh."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) the database at `path` and apply pending migrations."""
    path = Path(path)
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30,
                           isolation_level=None)
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 30000")
    if str(path) != ":memory:":
        db.enable_wal()
    migrate(db)
    return db


def migrate(db: sqlite_utils.Database) -> int:
    """Apply every migration not applied yet; returns the highest applied version."""
    db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    # Every step not applied yet, in version order: features developed side by side number their
    # steps in their own ranges, so a lower number may arrive after a higher one was applied.
    applied = {r[0] for r in db.execute("SELECT version FROM schema_version")}
    current = max(applied, default=0)
    for version, step in sorted(MIGRATIONS, key=lambda m: m[0]):
        if version in applied:
            continue
        with db.conn:  # one transaction per migration: all or nothing
            db.conn.execute("BEGIN")
            step(db)
            db.conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
        current = max(current, version)
    return current


def db_path(db: sqlite_utils.Database) -> str:
    """The file behind `db` ('' for an in-memory database), for a worker thread's own connection."""
    row = db.execute("PRAGMA database_list").fetchone()
    return row[2] if row else ""


def copy_db(db: sqlite_utils.Database, path: str | Path) -> sqlite_utils.Database:
    """A consistent copy of `db` at `path` (SQLite's online backup), opened: for simulations that must
    not change the real database. The copy has no dispatcher lease: nobody else sends from it."""
    target = sqlite3.connect(str(path))
    try:
        db.conn.backup(target)
    finally:
        target.close()
    copy = open_db(path)
    copy.execute("DELETE FROM dispatcher_lease")
    return copy
