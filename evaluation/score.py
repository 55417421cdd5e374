"""Score answers against the question set's rules (see evaluation/README.md)."""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

DEV_SET = Path(__file__).resolve().parent / "dev.jsonl"
HOLDOUT_SET = Path(__file__).resolve().parent / "holdout.jsonl"


def load_questions(path: Path = DEV_SET) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def fold_for_expect(text: str) -> str:
    """Lower-case, fold Vietnamese diacritics (đ→d), collapse white space: the set's comparison."""
    text = unicodedata.normalize("NFD", (text or "").lower())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn").replace("đ", "d")
    # A date is the same date with or without leading zeros: "28/04/2022" = "28/4/2022".
    text = re.sub(r"\b0(\d)(?=/\d)", r"\1", text)
    text = re.sub(r"(?<=\d/)0(\d)\b", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def passes_expect(answer: str, expect: list[list[str]]) -> bool:
    folded = fold_for_expect(answer)
    return all(any(fold_for_expect(alt) in folded for alt in group) for group in expect)


@dataclass
class Outcome:
    correct: bool
    top3: bool        # for `in`: a correct answer among the suggestions (or answered correctly)


def judge(question: dict, status: str, answer: str | None, suggestions: list[str]) -> Outcome:
    """Apply the rules: `in` must answer and pass; `out` must not answer; `unknown` either."""
    kind = question["kind"]
    answered = status == "answered"
    if kind == "in":
        ok = answered and passes_expect(answer or "", question["expect"])
        top3 = ok or any(passes_expect(s, question["expect"]) for s in suggestions[:3])
        return Outcome(ok, top3)
    if kind == "out":
        return Outcome(not answered, not answered)
    ok = (not answered) or passes_expect(answer or "", question["expect"])
    return Outcome(ok, ok)
