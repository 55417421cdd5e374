"""Load the authored knowledge files (knowledge/faq/*.toml) and check them.

An entry: id, topic, question, at least 4 phrasings, answer, source, edition, confidence, tags, optional
`place` (format and writing rules in knowledge/faq/README.md). `check_entries` rejects missing sources,
duplicate ids or phrasings, answers over 800 characters, internal labels a user would see (KC, SL, CKC,
"seed", fact ids), CKC answers without the one "no rule known" wording; knowledge/check.py then asks the
matcher that every phrasing is answered by its own entry (or one stating the same fact).
"""
from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.normalize import normalize

MAX_ANSWER_CHARS = 2000  # Zalo's limit for one message; Telegram allows more.
EDITIONS = {"2023-2028", "2025-2030", "chung"}  # knowledge/editions.toml holds the same ids
CONFIDENCES = {"KC", "KC-TT", "seed", "SL", "CKC"}
MIN_PHRASINGS = 4
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# A CKC answer says, in the one wording every such answer shares, that no fixed rule is known.
NO_RULE_WORDING = "chưa có quy định cố định trên toàn quốc mà trợ lý biết"
MAX_SHORT_ANSWER = 800  # answers aim at 600 characters; longer than this is a problem
# Internal labels that must never reach a user (answer, question, source, topic).
_LABEL_RES = [
    (re.compile(r"\b(KC-TT|KC|CKC|SL)\b"), "nhãn độ tin cậy"),
    (re.compile(r"\bseed\d*\b", re.IGNORECASE), "nhãn 'seed'"),
    (re.compile(r"\b[FGN]\d{2}\b"), "mã fact"),
    (re.compile(r"bản chép|thuvienphapluat|\brepo\b|dataset|tai_lieu_noi_bo", re.IGNORECASE),
     "nguồn nội bộ"),
]
# An SL (inferred) answer must carry its hedge; compared on folded text.
HEDGE_MARKERS = ("truoc day", "thong le", "doi chieu", "tham khao", "chua kiem chung", "suy luan")
# The 30% "số dư" figure is the Party's election rule: never in a union answer.
_PARTY_SURPLUS_RE = re.compile(r"so du[^.;]{0,60}?\d+\s*(%|phan tram)")


@dataclass
class Entry:
    id: str
    topic: str
    question: str
    phrasings: list[str]
    answer: str
    source: str
    edition: str
    confidence: str
    tags: list[str] = field(default_factory=list)
    file: str = ""
    place: list[str] = field(default_factory=list)   # local practice: answered only when a place is named

    @property
    def all_phrasings(self) -> list[str]:
        """The main question first, then the other phrasings."""
        return [self.question, *self.phrasings]


class KnowledgeError(Exception):
    """A knowledge file cannot be read at all."""


def knowledge_files(directory: Path) -> list[Path]:
    return sorted(Path(directory).glob("*.toml"))


def files_hash(directory: Path) -> str:
    """Content hash of every knowledge file, to notice edits."""
    digest = hashlib.sha256()
    for path in knowledge_files(directory):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def load_file(path: Path) -> list[Entry]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise KnowledgeError(f"{path.name}: không đọc được tệp ({exc})") from exc
    topic = str(data.get("topic", "")).strip()
    entries = []
    for raw in data.get("entry", []):
        entries.append(Entry(
            id=str(raw.get("id", "")).strip(),
            topic=str(raw.get("topic", topic)).strip(),
            question=str(raw.get("question", "")).strip(),
            phrasings=[str(p).strip() for p in raw.get("phrasings", [])],
            answer=str(raw.get("answer", "")).strip(),
            source=str(raw.get("source", "")).strip(),
            edition=str(raw.get("edition", "")).strip(),
            confidence=str(raw.get("confidence", "")).strip(),
            tags=[str(t).strip() for t in raw.get("tags", [])],
            file=path.name,
            place=[str(t).strip() for t in raw.get("place", [])],
        ))
    return entries


def load_entries(directory: Path) -> list[Entry]:
    entries: list[Entry] = []
    for path in knowledge_files(directory):
        entries.extend(load_file(path))
    return entries


def check_entries(entries: list[Entry]) -> list[str]:
    """Every problem found, one message each (empty list: all good)."""
    problems: list[str] = []
    seen_ids: dict[str, str] = {}
    seen_phrasings: dict[str, str] = {}
    for e in entries:
        where = f"{e.file}:{e.id or '?'}"
        if not e.id or not _ID_RE.match(e.id):
            problems.append(f"{where}: id thiếu hoặc sai dạng (chỉ a-z, 0-9, '-')")
        elif e.id in seen_ids:
            problems.append(f"{where}: id trùng với {seen_ids[e.id]}")
        else:
            seen_ids[e.id] = e.file
        if not e.topic:
            problems.append(f"{where}: thiếu chủ đề (topic)")
        if not e.question:
            problems.append(f"{where}: thiếu câu hỏi chính")
        elif not e.question.rstrip().endswith("?"):  # menus list questions: one style, each a question
            problems.append(f"{where}: câu hỏi chính phải kết thúc bằng dấu «?» (các menu liệt kê câu hỏi)")
        if e.topic.rstrip().endswith(("?", ".", "…")):
            problems.append(f"{where}: tên chủ đề không kết thúc bằng dấu câu (menu chủ đề là các tên ngắn)")
        if not e.answer:
            problems.append(f"{where}: câu trả lời rỗng")
        elif len(e.answer) > MAX_ANSWER_CHARS:
            problems.append(f"{where}: câu trả lời dài {len(e.answer)} ký tự, vượt {MAX_ANSWER_CHARS}")
        if not e.source:
            problems.append(f"{where}: thiếu nguồn (source)")
        if e.edition not in EDITIONS:
            problems.append(f"{where}: edition '{e.edition}' không hợp lệ ({', '.join(sorted(EDITIONS))})")
        if e.confidence not in CONFIDENCES:
            problems.append(f"{where}: confidence '{e.confidence}' không hợp lệ")
        if e.confidence == "CKC" and NO_RULE_WORDING not in e.answer.lower():
            problems.append(f"{where}: mục CKC phải dùng đúng câu «Hiện {NO_RULE_WORDING} về …»")
        if len(e.answer) > MAX_SHORT_ANSWER:
            problems.append(f"{where}: câu trả lời dài {len(e.answer)} ký tự (nên ≤ 600, tối đa {MAX_SHORT_ANSWER})")
        for label, text in (("câu trả lời", e.answer), ("câu hỏi", e.question), ("nguồn", e.source),
                            ("chủ đề", e.topic)):
            for pattern, what in _LABEL_RES:
                hit = pattern.search(text)
                if hit:
                    problems.append(f"{where}: {label} có {what} «{hit.group(0)}» mà người dùng không hiểu")
        if any(not p for p in e.place):
            problems.append(f"{where}: place có tên rỗng")
        folded_answer = normalize(e.answer, drop_filler=False)
        if e.confidence == "SL" and not any(m in folded_answer for m in HEDGE_MARKERS):
            problems.append(f"{where}: mục SL phải có câu rào đón (theo hướng dẫn trước đây / thông lệ /"
                            " đề nghị đối chiếu …)")
        if _PARTY_SURPLUS_RE.search(folded_answer):
            problems.append(f"{where}: không nêu tỷ lệ số dư như quy định công đoàn (đó là quy định của Đảng)")
        others = [p for p in e.phrasings if p]
        if len(others) < MIN_PHRASINGS:
            problems.append(f"{where}: cần ít nhất {MIN_PHRASINGS} cách hỏi khác, mới có {len(others)}")
        if len(others) != len(e.phrasings):
            problems.append(f"{where}: có cách hỏi rỗng")
        local: set[str] = set()
        for text in e.all_phrasings:
            key = normalize(text, drop_filler=False)
            if not key:
                continue
            if key in local:
                problems.append(f"{where}: cách hỏi lặp lại trong cùng mục: {text!r}")
                continue
            local.add(key)
            owner = seen_phrasings.get(key)
            if owner and owner != e.id:
                problems.append(f"{where}: cách hỏi {text!r} trùng với mục {owner}")
            seen_phrasings.setdefault(key, e.id)
    return problems
