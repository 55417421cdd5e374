"""Does a question ask more than one thing? ("hồ sơ gồm gì và hạn nộp là bao lâu?")

Only a gate: the matcher still needs two entries that each hold telling words of the question before it
answers in two parts. Works on folded text, so it reads typed and untyped questions alike.
"""
from __future__ import annotations

import re
import unicodedata

from knowledge.normalize import fold

# Folded words and phrases that make a clause a question.
_ASKING = re.compile(r"\b(?:bao nhieu|bn|may|khi nao|luc nao|bao gio|bao lau|ai|gi|nao|the nao|ra sao|"
                     r"co phai|khong|ko|k|chua|o dau|dau|sao|lam sao|dung khong|duoc khong)\b")
# Where a second question starts inside one sentence.
_JOINS = re.compile(r"\s(?:va|con|dong thoi|ngoai ra|them nua|voi lai)\s|[;?]")


# Words that ask in any clause; "không", "chưa", "nào" alone also occur in statements ("không đủ").
_ASKS_PLAINLY = re.compile(r"\b(?:bao nhieu|bn|may|khi nao|luc nao|bao gio|bao lau|ai|gi|the nao|ra sao|"
                           r"o dau|ngay nao|nam nao|so may|lam sao|nhung \w+(?: \w+)? nao)\b")

_CHOICE = re.compile(r"\w \s*hay\s+(?:la\s+)?\w+")  # "A hay B"

_ENDS_ASKING = re.compile(r"\b(?:khong|ko|k|chua|phai khong|dung khong)\s*$")  # "… treo huy hiệu không,"


def asks_several(question: str) -> bool:
    """Two clauses, each asking something: joined by "và", "còn", ";" or "?", or by a comma when both
    ask plainly ("họp ngày nào, ai chủ trì")."""
    text = fold(question).lower()
    parts = [p for p in _JOINS.split(text) if p.strip()]
    if sum(1 for p in parts if _ASKING.search(p) or _CHOICE.search(p)) >= 2:
        return True
    pieces = [c for p in parts for c in p.split(",") if c.strip()]
    asking = [bool(_ASKS_PLAINLY.search(c) or _ENDS_ASKING.search(c)) for c in pieces]
    if pieces and not asking[-1] and _CHOICE.search(pieces[-1]):
        asking[-1] = True  # "…, do đại hội bầu hay ban chấp hành bầu ạ?": a choice closing the question
    return sum(asking) >= 2


def asking_clauses(question: str) -> list[str]:
    """The parts of a question that each ask something, split where a second question starts ("?", ";",
    "và", "còn" …), in the question's own spelling; [] when fewer than two ask."""
    question = unicodedata.normalize("NFC", question)
    folded = fold(question).lower()
    if len(folded) != len(question):
        return []  # offsets would not line up (a character that folds to none or several)
    spans, start = [], 0
    for m in _JOINS.finditer(folded):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(question)))
    asking = [question[a:b].strip(" ,.?;") for a, b in spans
              if folded[a:b].strip() and (_ASKING.search(folded[a:b]) or _CHOICE.search(folded[a:b]))]
    return asking if len(asking) > 1 else []


# Not the dot of "1.200"; a chat emoticon (":)", "=))", "^^") ends a sentence as a full stop would.
_SENTENCES = re.compile(r"[?!;\n]+|\.(?!\d)|\s[:=][-']?[()DPpv]+|\^\^+|:\)+")


def sentences_of(question: str) -> list[str]:
    """The question's sentences (a dot inside "1.200" does not end one)."""
    return [s for s in _SENTENCES.split(question) if s.strip()]


def asking_sentences(question: str) -> list[str]:
    """The sentences of a question that ask something (a long story's own question, mostly the last),
    when it has other sentences too; else []."""
    sentences = sentences_of(question)
    if len(sentences) < 2:
        return []
    # Sentences the writer closed with "?" ask; the words of a story ("ai cũng muốn", "chưa thấy") do not.
    marked = [s for s in re.split(r"(?<=\?)", question) if s.rstrip().endswith("?")]
    if marked and len(marked) < len(sentences):
        asking = []
        for part in marked:
            own = sentences_of(part)
            # A short closing question ("Tôi phải trả lời thế nào?") asks about the sentence before it.
            asking += own[-2:] if len(own[-1].split()) <= 10 else own[-1:]
        return list(dict.fromkeys(asking))
    asking = [s for s in sentences if _ASKING.search(fold(s).lower())]
    return asking if len(asking) < len(sentences) else []
