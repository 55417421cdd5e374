"""Answer questions from the knowledge base; log every question with its outcome."""
from __future__ import annotations

import hashlib
import threading

import sqlite_utils

from handlers import texts
from handlers.messages import Choice, Incoming, Reply
from knowledge.entries import Entry
from knowledge.matcher import Matcher, MatchResult
from knowledge.store import knowledge_version, read_entries
from storage import now_utc_iso

EDITION_LABELS = {
    "2023-2028": "2023–2028 (Điều lệ khóa XII, HD 03/HD-TLĐ, KH 179/KH-TLĐ)",
    "2025-2030": "2025–2030 (Điều lệ khóa XIII, HD 38/HD-TLĐ, KH 22/KH-TLĐ)",
}


def topic_key(topic: str) -> str:
    """Short stable key for a topic (fits Telegram's 64-byte callback data)."""
    return "topic:" + hashlib.sha1(topic.encode()).hexdigest()[:10]


class FaqService:
    """Holds the matcher, rebuilt when the stored knowledge version changes."""

    def __init__(self, db: sqlite_utils.Database, active_edition: str = "2023-2028"):
        self.db = db
        self.active_edition = active_edition
        self._lock = threading.Lock()
        self._version = -1
        self._matcher: Matcher | None = None
        self._by_id: dict[str, Entry] = {}

    @property
    def matcher(self) -> Matcher:
        version = knowledge_version(self.db)
        if self._matcher is None or version != self._version:
            with self._lock:
                if self._matcher is None or version != self._version:
                    entries = read_entries(self.db)
                    self._matcher = Matcher(entries, self.active_edition)
                    self._by_id = {e.id: e for e in entries}
                    self._version = version
        return self._matcher

    def entry(self, entry_id: str) -> Entry | None:
        self.matcher  # refresh if needed
        return self._by_id.get(entry_id)

    def topics(self) -> list[str]:
        seen: dict[str, None] = {}
        for e in self.matcher.entries:
            if e.edition in ("chung", self.active_edition):
                seen.setdefault(e.topic)
        return list(seen)

    def topic_by_key(self, key: str) -> str | None:
        return next((t for t in self.topics() if topic_key(t) == key), None)

    def entries_of_topic(self, topic: str) -> list[Entry]:
        return [e for e in self.matcher.entries
                if e.topic == topic and e.edition in ("chung", self.active_edition)]

    # -- answering --------------------------------------------------------------------------------
    def log_question(self, msg: Incoming, result: MatchResult) -> int:
        best = result.best
        cur = self.db.execute(
            "INSERT INTO questions (channel, chat_id, user_id, text, outcome, score, entry_id, asked_at)"
            " VALUES (?,?,?,?,?,?,?,?)",
            (msg.channel, msg.chat_id, msg.user_id, msg.text, result.status,
             result.score, best.entry.id if best and result.status == "answered" else None, now_utc_iso()))
        return cur.lastrowid

    def answer_reply(self, entry: Entry, question_id: int | None = None) -> Reply:
        text = entry.answer
        if entry.edition not in ("chung", self.active_edition):
            note = texts.EDITION_NOTE.format(edition=entry.edition.replace("-", "–"),
                                             active=self.active_edition.replace("-", "–"))
            text = f"{note}\n\n{text}"
        return Reply(text=text, kind="answer", source=entry.source,
                     edition=EDITION_LABELS.get(entry.edition, entry.edition), entry_id=entry.id,
                     question_id=question_id, feedback=question_id is not None)

    def ask(self, msg: Incoming, log: bool = True) -> tuple[Reply, MatchResult]:
        result = self.matcher.match(msg.text)
        question_id = self.log_question(msg, result) if log else None
        if result.status == "answered":
            return self.answer_reply(result.best.entry, question_id), result
        if result.status == "suggested":
            choices = [Choice(f"faq:{c.entry.id}", c.entry.question) for c in result.candidates]
            return Reply(text=texts.SUGGEST_INTRO, kind="suggest", choices=choices,
                         question_id=question_id), result
        if result.reason == "out_of_scope":
            return Reply(text=texts.OUT_OF_SCOPE, kind="not_found", question_id=question_id), result
        choices = [Choice(topic_key(t), t) for t in self.topics()]
        return Reply(text=f"{texts.NOT_FOUND}\n\n{texts.TOPICS_INTRO}", kind="not_found",
                     choices=choices, question_id=question_id), result

    def record_feedback(self, question_id: int, user_id: str, channel: str, value: int) -> bool:
        """Store 👍 (+1) or 👎 (-1) for an answered question; a second press replaces the first."""
        row = self.db.execute("SELECT entry_id FROM questions WHERE id = ?", (question_id,)).fetchone()
        if row is None or value not in (1, -1):
            return False
        self.db.execute(
            "INSERT INTO feedback (question_id, entry_id, channel, user_id, value, created_at)"
            " VALUES (?,?,?,?,?,?) ON CONFLICT(question_id, user_id) DO UPDATE SET value = excluded.value,"
            " created_at = excluded.created_at",
            (question_id, row[0], channel, user_id, value, now_utc_iso()))
        return True
