"""The editions of the rules, as data (knowledge/editions.toml): which one is in force, which a question names.

An edition is one generation of the union's rules (Điều lệ + its guidance + the congress plan) and the
term it governs. The assistant answers from the edition in force at its clock; a question that names an
edition ("theo HD 03", "khóa XIII", "2025–2030") is answered from that one; ACTIVE_EDITION overrides the
clock for a whole deployment.

The edition used is, in order: ACTIVE_EDITION if set, an edition the question names, the one in force at
the clock (`--now "2023-03-01 09:00"` is the seed articles' world). Candidates come only from that edition
and `chung` entries (true in every edition), and every answer ends with "📘 Áp dụng: <edition>". Only when
that edition has nothing for the question may an entry of the other one answer, and then it starts with
a line saying the assistant holds no verified rule of the edition asked: never mixed silently. An
edition's `caveat` (from 01/06/2026: Đại hội XIV may have changed the Điều lệ) is added to its answers
from that day. Rules the assistant does not hold (an "unheld" document or edition a question names) get
`unheld_note` in front of the answer instead of a guess.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from knowledge.normalize import fold

EDITIONS_FILE = Path(__file__).resolve().parent / "editions.toml"
COMMON = "chung"  # an entry true in every edition


@dataclass(frozen=True)
class Edition:
    id: str
    term: str                  # "nhiệm kỳ 2025–2030"
    label: str                 # the documents, short: "Điều lệ CĐVN khóa XIII, HD 38/HD-TLĐ, KH 22/KH-TLĐ"
    documents: tuple[str, ...]
    valid_from: date | None
    valid_until: date | None
    names: tuple[str, ...]     # folded forms that name this edition in a question
    caveat: str = ""
    caveat_from: date | None = None

    def applies_on(self, day: date) -> bool:
        return ((self.valid_from is None or self.valid_from <= day)
                and (self.valid_until is None or day <= self.valid_until))

    def caveat_on(self, day: date) -> str:
        """The warning that newer rules may exist, once its date has come."""
        if self.caveat and (self.caveat_from is None or day >= self.caveat_from):
            return self.caveat
        return ""

    @property
    def heading(self) -> str:
        """How a reply names it: "nhiệm kỳ 2025–2030 (Điều lệ CĐVN khóa XIII, HD 38/HD-TLĐ, KH 22/KH-TLĐ)"."""
        return f"{self.term} ({self.label})"


def _day(text: str) -> date | None:
    text = (text or "").strip()
    return datetime.strptime(text, "%d/%m/%Y").date() if text else None


def _name_key(text: str) -> str:
    # Folded, with the punctuation inside names ("03/HD-TLĐ", "2023–2028") turned into spaces.
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split())


@lru_cache(maxsize=4)
def load_editions(path: Path = EDITIONS_FILE) -> tuple[Edition, ...]:
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    editions = []
    for raw in data.get("edition", []):
        editions.append(Edition(
            id=raw["id"], term=raw["term"], label=raw["label"], documents=tuple(raw.get("documents", [])),
            valid_from=_day(raw.get("from", "")), valid_until=_day(raw.get("until", "")),
            names=tuple(dict.fromkeys(_name_key(n) for n in raw.get("names", []) if _name_key(n))),
            caveat=raw.get("caveat", ""), caveat_from=_day(raw.get("caveat_from", "")),
        ))
    return tuple(editions)


def edition_ids() -> set[str]:
    return {e.id for e in load_editions()}


def get_edition(edition_id: str) -> Edition | None:
    return next((e for e in load_editions() if e.id == edition_id), None)


def edition_on(day: date) -> Edition:
    """The edition in force on `day` (before the first one: the first; after all: the latest)."""
    editions = load_editions()
    for edition in editions:
        if edition.applies_on(day):
            return edition
    first = min(editions, key=lambda e: e.valid_from or date.min)
    if first.valid_from and day < first.valid_from:
        return first
    return max(editions, key=lambda e: e.valid_from or date.min)


# "khóa XIII" alone is also the term of the Tổng Liên đoàn's own leadership (elected at Đại hội XIII in
# 2023): beside the Tổng Liên đoàn it names no edition of the rules.
_LEADERSHIP = (" tong lien doan ", " tld ", " tldld ", " tong ld ", " tong ldld ", " dai hoi xiii ", " dai hoi 13 ")


@lru_cache(maxsize=4)
def _load_unheld(path: Path = EDITIONS_FILE) -> tuple[tuple[tuple[str, ...], str], ...]:
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    return tuple((tuple(_name_key(n) for n in raw.get("names", []) if _name_key(n)), raw["note"])
                 for raw in data.get("unheld", []))


def unheld_note(question: str) -> str:
    """The note for rules the question names that the assistant does not hold (Điều lệ khóa XIV)."""
    padded = f" {_name_key(question)} "
    return next((note for names, note in _load_unheld() if any(f" {n} " in padded for n in names)), "")


def named_editions(question: str) -> list[str]:
    """Ids of the editions a question names, in the order of the editions file."""
    padded = f" {_name_key(question)} "
    # "174/QĐ-TLĐ", "38/HD-TLĐ": the Tổng Liên đoàn as the issuer of a document, not its leadership.
    issuer_free = re.sub(r" (?:qd|hd|kh|cv|tb|nq|ct|bc) tld(?= )", " ", padded)
    leadership = any(m in issuer_free for m in _LEADERSHIP)
    named = []
    for edition in load_editions():
        for name in edition.names:
            if f" {name} " in padded and not (leadership and name.startswith("khoa ")):
                named.append(edition.id)
                break
    return named
