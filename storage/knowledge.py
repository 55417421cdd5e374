"""The knowledge base in the database: load the files into it (idempotent), admins' phrasings, read it back
for the matcher, and the version that tells a running matcher to rebuild."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from knowledge.entries import Entry, files_hash, load_entries
from storage.db import now_utc_iso
from storage.meta import get_meta, set_meta


@dataclass
class ReloadResult:
    entries: int
    phrasings: int
    changed: bool
    version: int


def knowledge_version(db: sqlite_utils.Database) -> int:
    """Bumped on every change to entries or phrasings; the running matcher compares it to rebuild."""
    return int(get_meta(db, "knowledge_version", "0"))


def bump_version(db: sqlite_utils.Database) -> int:
    version = knowledge_version(db) + 1
    set_meta(db, "knowledge_version", str(version))
    return version


def reload_from_files(db: sqlite_utils.Database, directory: Path, force: bool = False) -> ReloadResult:
    """Replace file-born entries and phrasings with the files' content.

    Phrasings added by admins (origin 'admin') are kept. Running it twice changes nothing the second
    time (the files' hash is compared first).
    """
    digest = files_hash(directory)
    if not force and get_meta(db, "knowledge_hash") == digest:
        count = db.execute("SELECT COUNT(*) FROM faq_entries").fetchone()[0]
        phr = db.execute("SELECT COUNT(*) FROM faq_phrasings").fetchone()[0]
        return ReloadResult(count, phr, False, knowledge_version(db))
    entries = load_entries(directory)
    now = now_utc_iso()
    with db.conn:
        db.conn.execute("BEGIN IMMEDIATE")
        db.execute("DELETE FROM faq_entries")
        db.execute("DELETE FROM faq_phrasings WHERE origin = 'file'")
        seen_ids: set[str] = set()
        for e in entries:
            if not e.id or e.id in seen_ids:
                continue  # `knowledge check` reports these; loading skips them rather than failing
            seen_ids.add(e.id)
            db.execute(
                "INSERT INTO faq_entries (id, topic, question, answer, source, edition, confidence,"
                " tags, file, updated_at, place) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (e.id, e.topic, e.question, e.answer, e.source, e.edition, e.confidence,
                 json.dumps(e.tags, ensure_ascii=False), e.file, now, json.dumps(e.place, ensure_ascii=False)))
            for text in dict.fromkeys(e.all_phrasings):
                if text:
                    db.execute("INSERT OR IGNORE INTO faq_phrasings (entry_id, text, origin, created_at)"
                               " VALUES (?, ?, 'file', ?)", (e.id, text, now))
        set_meta(db, "knowledge_hash", digest)
        version = bump_version(db)
    phr = db.execute("SELECT COUNT(*) FROM faq_phrasings").fetchone()[0]
    return ReloadResult(len(seen_ids), phr, True, version)


def add_phrasing(db: sqlite_utils.Database, entry_id: str, text: str) -> bool:
    """Attach a new phrasing to an entry (admin action); survives reloads. False if it exists."""
    if not db.execute("SELECT 1 FROM faq_entries WHERE id = ?", (entry_id,)).fetchone():
        raise KeyError(entry_id)
    with db.conn:
        db.conn.execute("BEGIN IMMEDIATE")
        cur = db.execute("INSERT OR IGNORE INTO faq_phrasings (entry_id, text, origin, created_at)"
                         " VALUES (?, ?, 'admin', ?)", (entry_id, text.strip(), now_utc_iso()))
        if cur.rowcount:
            bump_version(db)
    return bool(cur.rowcount)


def read_entries(db: sqlite_utils.Database) -> list[Entry]:
    """Entries with all their phrasings (file and admin), as stored."""
    phrasings: dict[str, list[str]] = {}
    for entry_id, text in db.execute("SELECT entry_id, text FROM faq_phrasings ORDER BY id"):
        phrasings.setdefault(entry_id, []).append(text)
    result = []
    for row in db.execute("SELECT id, topic, question, answer, source, edition, confidence, tags, file,"
                          " place FROM faq_entries ORDER BY file, rowid"):
        eid, topic, question, answer, source, edition, confidence, tags, file, place = row
        others = [p for p in phrasings.get(eid, []) if p != question]
        result.append(Entry(eid, topic, question, others, answer, source, edition, confidence,
                            json.loads(tags), file, json.loads(place)))
    return result
