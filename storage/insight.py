"""The rows behind the admins' statistics and the unanswered questions (handlers/insight.py counts and
groups them)."""
from __future__ import annotations

from datetime import datetime

import sqlite_utils

from clock import iso
from storage.transactions import immediate


def questions_since(db: sqlite_utils.Database, start: str,
                    scope: str | None = None) -> list[tuple[str, str, str, str]]:
    """(channel, person, outcome, asked_at) of every question asked from `start`; the person is the user
    id, or the chat where the channel gave none. With `scope` (a unit code), only the questions that
    belong to that unit or one below it (see _ASKED_IN_SUBTREE)."""
    query = ("SELECT q.channel, COALESCE(NULLIF(q.user_id, ''), q.chat_id), q.outcome, q.asked_at FROM questions q"
             " WHERE q.asked_at >= ?")
    if scope is None:
        return db.execute(query, (start,)).fetchall()
    return db.execute(f"{_SUBTREE} {query} AND {_ASKED_IN_SUBTREE}", (scope.strip().upper(), start)).fetchall()


def votes_since(db: sqlite_utils.Database, start: str, scope: str | None = None) -> dict[int, int]:
    """Vote value (+1 / -1) → how many were cast from `start`; with `scope`, only the votes on questions
    that belong to that unit or one below it."""
    if scope is None:
        return dict(db.execute("SELECT value, COUNT(*) FROM feedback WHERE created_at >= ? GROUP BY value",
                               (start,)).fetchall())
    return dict(db.execute(
        f"{_SUBTREE} SELECT f.value, COUNT(*) FROM feedback f JOIN questions q ON q.id = f.question_id"
        f" WHERE f.created_at >= ? AND {_ASKED_IN_SUBTREE} GROUP BY f.value",
        (scope.strip().upper(), start)).fetchall())


def unit_statuses(db: sqlite_utils.Database) -> list[tuple[str, str]]:
    return db.execute("SELECT code, status FROM units").fetchall()


def memberships(db: sqlite_utils.Database) -> list[tuple[str, int, bool]]:
    """(unit code, officer id, the officer blocked the bot) of every membership."""
    return [(code, officer, bool(blocked)) for code, officer, blocked in db.execute(
        "SELECT m.unit_code, o.id, o.blocked_at IS NOT NULL FROM memberships m JOIN officers o ON o.id = m.officer_id")]


def officers_blocked(db: sqlite_utils.Database) -> dict[int, bool]:
    """Every officer, with or without a unit → whether they blocked the bot."""
    return {officer: bool(blocked) for officer, blocked in db.execute(
        "SELECT id, blocked_at IS NOT NULL FROM officers")}


def outbox_counts(db: sqlite_utils.Database, kind: str, since: str) -> list[tuple[str, str, int]]:
    """(status, origin, count) of the outbox rows of `kind` touched from `since`."""
    return db.execute("SELECT status, origin, COUNT(*) FROM outbox WHERE kind = ? AND updated_at >= ? GROUP BY 1, 2",
                      (kind, since)).fetchall()


def broadcasts_since(db: sqlite_utils.Database, start: str) -> list[tuple[int, str | None]]:
    """(id, admin scope) of the broadcasts queued from `start`."""
    return db.execute("SELECT id, admin_scope FROM broadcasts WHERE status IN ('queued', 'done') AND queued_at >= ?",
                      (start,)).fetchall()


def broadcast_message_counts(db: sqlite_utils.Database, ids: list[int]) -> list[tuple[str, int]]:
    """(status, count) of the outbox rows of the broadcasts `ids`."""
    if not ids:
        return []
    return db.execute("SELECT status, COUNT(*) FROM outbox WHERE kind = 'broadcast' AND origin IN"
                      f" ({','.join('?' * len(ids))}) GROUP BY status", [f"broadcast:{i}" for i in ids]).fetchall()


# The units a question belongs to: those of the person who asked (their own registration, a chat with
# them) and of the chat it was asked in (a unit's group). A question of someone registered nowhere has none.
_SUBTREE = ("WITH RECURSIVE sub(code) AS (SELECT code FROM units WHERE code = ?"
            " UNION SELECT u.code FROM units u JOIN sub ON u.parent_code = sub.code)")
_ASKED_IN_SUBTREE = ("EXISTS (SELECT 1 FROM officers o JOIN memberships m ON m.officer_id = o.id"
                     " JOIN sub ON sub.code = m.unit_code WHERE o.channel = q.channel"
                     " AND o.chat_id IN (q.chat_id, NULLIF(q.user_id, '')))")  # IN: two index look-ups


def unanswered_since(db: sqlite_utils.Database, since: str, limit: int,
                     scope: str | None = None) -> list[tuple[int, str, str]]:
    """(id, text, asked_at) of questions not found from `since` that no admin handled, newest first;
    with `scope` (a unit code), only questions of people registered to that unit or one below it."""
    query = ("SELECT q.id, q.text, q.asked_at FROM questions q LEFT JOIN unanswered_handled h ON h.question_id = q.id"
             " WHERE q.outcome = 'not_found' AND q.asked_at >= ? AND h.question_id IS NULL")
    params: list = [since]
    if scope is not None:
        query = f"{_SUBTREE} {query} AND {_ASKED_IN_SUBTREE}"
        params.insert(0, scope.strip().upper())
    return db.execute(query + " ORDER BY q.asked_at DESC, q.id DESC LIMIT ?", [*params, limit]).fetchall()


def question_exists(db: sqlite_utils.Database, question_id: int) -> bool:
    return db.execute("SELECT 1 FROM questions WHERE id = ?", (question_id,)).fetchone() is not None


def question_within(db: sqlite_utils.Database, question_id: int, scope: str) -> bool | None:
    """Whether question `question_id` was asked by someone of unit `scope` or a unit below it; None when
    there is no such question."""
    row = db.execute(f"{_SUBTREE} SELECT {_ASKED_IN_SUBTREE} FROM questions q WHERE q.id = ?",
                     (scope.strip().upper(), question_id)).fetchone()
    return None if row is None else bool(row[0])


def mark_handled(db: sqlite_utils.Database, question_ids: list[int], action: str, entry_id: str | None,
                 admin_user_id: str, now: datetime) -> None:
    """Questions an admin attached to an entry or set aside: they leave the unanswered list."""
    with immediate(db):
        db.conn.executemany(
            "INSERT OR IGNORE INTO unanswered_handled (question_id, action, entry_id, admin_user_id, handled_at)"
            " VALUES (?,?,?,?,?)", [(qid, action, entry_id, admin_user_id, iso(now)) for qid in question_ids])
