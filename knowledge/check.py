"""Whole-knowledge checks that need the matcher: every phrasing retrieves its own entry, clearly.

Kept apart from knowledge/entries.py (which checks one entry at a time) so that entries stay free of the
matcher. Two entries that answer the same question show up here: their phrasings retrieve each other.
"""
from __future__ import annotations

from pathlib import Path

from knowledge.editions import COMMON, edition_ids
from knowledge.entries import Entry, KnowledgeError, check_entries, load_entries
from knowledge.matcher import Matcher


def check_knowledge(directory: Path, retrieval: bool = True) -> tuple[list[Entry] | None, list[str]]:
    """(entries, problems) of the knowledge files (`knowledge check`); entries is None when the files
    cannot be read at all. Retrieval is measured only on entries that are each well formed."""
    try:
        entries = load_entries(directory)
    except KnowledgeError as exc:
        return None, [str(exc)]
    problems = check_entries(entries)
    if not problems and retrieval:
        problems = check_retrieval(entries)
    return entries, problems


def check_retrieval(entries: list[Entry], matcher: Matcher | None = None) -> list[str]:
    """One problem a phrasing that is not answered by its own entry (or one stating the same fact)."""
    matcher = matcher or Matcher(entries)
    default = sorted(edition_ids())[-1]
    problems = []
    for entry in entries:
        edition = default if entry.edition == COMMON else entry.edition
        for text in entry.all_phrasings:
            # The entry's edition is asked for by name, as a question naming it would be.
            result = matcher.match(text, edition=edition)
            best = result.best
            if result.status == "answered" and best and (
                    best.entry.id == entry.id or matcher.same_fact(best.entry, entry)):
                continue
            if result.reason == "out_of_scope":
                problems.append(f"{entry.file}:{entry.id}: cách hỏi {text!r} bị coi là ngoài phạm vi "
                                f"({result.scope.name})")
                continue
            others = ", ".join(f"{c.entry.id} {c.score:.2f}" for c in result.candidates[:3])
            problems.append(f"{entry.file}:{entry.id}: cách hỏi {text!r} không dẫn rõ về mục này "
                            f"({result.status}: {others})")
    return problems
