"""Admins in the database: who may use the admin commands, and over which units.

An admin is identified by (channel, user_id) — the person, not the chat. `scope_unit` None means every
unit; a unit code means that unit and everything below it (its subtree).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

import sqlite_utils

from clock import iso
from storage.transactions import immediate


@dataclass(frozen=True)
class Admin:
    id: int
    channel: str
    user_id: str
    name: str
    scope_unit: str | None
    source: str
    created_at: str

    @property
    def is_global(self) -> bool:
        return self.scope_unit is None


_SELECT = "SELECT id, channel, user_id, name, scope_unit, source, created_at FROM admins"


def _admin(row: tuple | None) -> Admin | None:
    return Admin(*row) if row else None


def get_admin(db: sqlite_utils.Database, channel: str, user_id: str) -> Admin | None:
    if not user_id:
        return None
    return _admin(db.execute(f"{_SELECT} WHERE channel = ? AND user_id = ?", (channel, str(user_id))).fetchone())


def list_admins(db: sqlite_utils.Database) -> list[Admin]:
    return [Admin(*r) for r in db.execute(f"{_SELECT} ORDER BY channel, source, user_id")]


def add_admin(db: sqlite_utils.Database, channel: str, user_id: str, now: datetime, *, name: str = "",
              scope_unit: str | None = None, source: str = "cli") -> tuple[Admin, bool]:
    """Add an admin, or update the name/scope of an existing one. Returns (admin, created)."""
    stamp = iso(now)
    scope = scope_unit.strip().upper() if scope_unit else None
    with immediate(db):
        existed = get_admin(db, channel, user_id) is not None
        db.execute(
            "INSERT INTO admins (channel, user_id, name, scope_unit, source, created_at, updated_at)"
            " VALUES (?,?,?,?,?,?,?) ON CONFLICT(channel, user_id) DO UPDATE SET"
            " name = CASE WHEN excluded.name != '' THEN excluded.name ELSE name END,"
            " scope_unit = excluded.scope_unit, source = excluded.source, updated_at = excluded.updated_at",
            (channel, str(user_id), name, scope, source, stamp, stamp))
    return get_admin(db, channel, user_id), not existed


def remove_admin(db: sqlite_utils.Database, channel: str, user_id: str) -> bool:
    cur = db.execute("DELETE FROM admins WHERE channel = ? AND user_id = ?", (channel, str(user_id)))
    return cur.rowcount == 1


def sync_env_admins(db: sqlite_utils.Database, user_ids: Iterable[str], now: datetime,
                    channel: str = "telegram") -> list[str]:
    """Make the env-listed Telegram ids (ADMIN_TELEGRAM_IDS) global admins, and take the role back from
    env admins no longer listed. Admins added with the CLI are left alone. Returns the ids added."""
    wanted = [u.strip() for u in user_ids if u and u.strip()]
    added = []
    with immediate(db):
        for user_id in wanted:
            row = db.execute("SELECT source, scope_unit FROM admins WHERE channel = ? AND user_id = ?",
                             (channel, user_id)).fetchone()
            if row is None:
                add_admin(db, channel, user_id, now, source="env")
                added.append(user_id)
        stale = [r[0] for r in db.execute("SELECT user_id FROM admins WHERE channel = ? AND source = 'env'",
                                          (channel,)) if r[0] not in wanted]
        for user_id in stale:
            remove_admin(db, channel, user_id)
    return added


def subtree_codes(db: sqlite_utils.Database, root: str) -> set[str]:
    """The unit `root` and every unit below it (empty when `root` is unknown)."""
    return {r[0] for r in db.execute(
        "WITH RECURSIVE sub(code) AS (SELECT code FROM units WHERE code = ?"
        " UNION SELECT u.code FROM units u JOIN sub ON u.parent_code = sub.code) SELECT code FROM sub",
        (root.strip().upper(),))}


def in_scope(db: sqlite_utils.Database, admin: Admin, unit_code: str) -> bool:
    return admin.is_global or unit_code.strip().upper() in subtree_codes(db, admin.scope_unit)


def admin_names(db: sqlite_utils.Database) -> dict[tuple[str, str], str]:
    """(channel, user id) → the admin's name ('' when none was given)."""
    return {(c, u): name for c, u, name in db.execute("SELECT channel, user_id, name FROM admins")}
