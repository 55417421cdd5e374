"""Questions people asked (with their outcome), their votes, and the numbered options last offered to a
chat (`pending_choices`, so a typed "2" picks right even after a restart)."""
from __future__ import annotations

import json

import sqlite_utils

from storage.db import now_utc_iso


def log_question(db: sqlite_utils.Database, channel: str, chat_id: str, user_id: str, text: str, outcome: str,
                 score: float, entry_id: str | None) -> int:
    """One asked question and what became of it; its id."""
    cur = db.execute("INSERT INTO questions (channel, chat_id, user_id, text, outcome, score, entry_id, asked_at)"
                     " VALUES (?,?,?,?,?,?,?,?)",
                     (channel, chat_id, user_id, text, outcome, score, entry_id, now_utc_iso()))
    return cur.lastrowid


def set_answer(db: sqlite_utils.Database, question_id: int, entry_id: str) -> None:
    """The entry a person picked among the suggestions for their question."""
    db.execute("UPDATE questions SET entry_id = ? WHERE id = ?", (entry_id, question_id))


def vote(db: sqlite_utils.Database, question_id: int, user_id: str, channel: str, value: int) -> str:
    """Store 👍 (+1) or 👎 (-1) for a question; a second press replaces the first. Only the person who
    asked it votes (a button's data can be forged): 'stored', 'missing' (no such question) or 'not_asker'
    (nothing stored). The asker is the user id, or the chat where the channel gave none."""
    row = db.execute("SELECT entry_id, channel, COALESCE(NULLIF(user_id, ''), chat_id) FROM questions WHERE id = ?",
                     (question_id,)).fetchone()
    if row is None:
        return "missing"
    if not user_id or (row[1], row[2]) != (channel, str(user_id)):
        return "not_asker"
    db.execute("INSERT INTO feedback (question_id, entry_id, channel, user_id, value, created_at)"
               " VALUES (?,?,?,?,?,?) ON CONFLICT(question_id, user_id) DO UPDATE SET value = excluded.value,"
               " created_at = excluded.created_at",
               (question_id, row[0], channel, user_id, value, now_utc_iso()))
    return "stored"


def offer(db: sqlite_utils.Database, channel: str, chat_id: str, keys: list[str], question_id: int | None) -> None:
    """The options just offered to a chat, replacing the ones before."""
    payload = {"keys": keys, "question_id": question_id}
    db.execute("INSERT INTO pending_choices (channel, chat_id, payload, created_at) VALUES (?,?,?,?)"
               " ON CONFLICT(channel, chat_id) DO UPDATE SET payload = excluded.payload,"
               " created_at = excluded.created_at",
               (channel, chat_id, json.dumps(payload), now_utc_iso()))


def offered(db: sqlite_utils.Database, channel: str, chat_id: str) -> dict | None:
    """{"keys": [...], "question_id": …} last offered to the chat, or None."""
    row = db.execute("SELECT payload FROM pending_choices WHERE channel = ? AND chat_id = ?",
                     (channel, chat_id)).fetchone()
    return json.loads(row[0]) if row else None


def withdraw(db: sqlite_utils.Database, channel: str, chat_id: str) -> None:
    db.execute("DELETE FROM pending_choices WHERE channel = ? AND chat_id = ?", (channel, chat_id))
