"""Match a question to knowledge entries.

Two signals, combined (see ARCHITECTURE.md for why):
- term weighting: BM25-style IDF over folded syllables and syllable pairs, measured as the share of
  the question's weight that an entry covers (robust to question length, punishes unknown words);
- rapidfuzz similarity between the folded question and every phrasing of an entry
  (token_set_ratio tolerates extra or missing words; ratio on the whole string tolerates typos).
Out-of-scope questions (other organisations, unrelated topics) are recognised before scoring.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from knowledge.entries import Entry
from knowledge.normalize import normalize

# Thresholds and weights, tuned on the dev set (bench/answers.py prints the effect).
ANSWER_THRESHOLD = 0.56
SUGGEST_THRESHOLD = 0.36
CLEAR_MARGIN = 0.05
SURE_THRESHOLD = 0.80
WEIGHT_COVERAGE = 0.55
WEIGHT_FUZZY = 0.45
OTHER_EDITION_PENALTY = 0.80
CANDIDATES = 40
TYPO_CUTOFF = 82

# Syllables too common to tell entries apart; they still count for fuzzy similarity.
STOPWORDS = set("""
la thi co cua duoc va cac nhung mot nao gi bao nhieu the nhu khi nay do ai o tai cho voi
hay hoac khong phai can se da dang roi con cung vi neu ma thi la sao lam vay de theo trong
ra len ve tu den ay kia nhe a oi
""".split())

# Other organisations: a question about them and not about the union is out of scope.
FOREIGN_ORGS = [
    "dang bo", "chi bo", "dai hoi dang", "doan thanh nien", "thanh nien cong san", "doan tncs",
    "hoi phu nu", "hoi lhpn", "cuu chien binh", "hoi nong dan", "mat tran to quoc", "hoi dong nhan dan",
    "quoc hoi", "doi thieu nien", "hoi sinh vien", "cap uy dang", "bau cu quoc hoi", "dang vien moi",
]
UNION_MARKERS = ["cong doan", "doan vien cong doan", "tong lien doan", "lien doan lao dong"]

# Words that point to the newer edition (Điều lệ khóa XIII, HD 38/2024, KH 22/2025).
NEWER_EDITION_MARKERS = [
    r"\bkhoa xiii\b", r"\bkhoa 13\b", r"\bhuong dan 38\b", r"\b38/", r"\bke hoach 22\b", r"\b22/",
    r"\b2025\b", r"\b2026\b", r"\b2030\b", r"\b2031\b", r"\bnhiem ky (sau|moi|toi)\b", r"\bdai hoi xiv\b",
]


@dataclass
class Candidate:
    entry: Entry
    score: float
    coverage: float
    fuzzy: float


@dataclass
class MatchResult:
    status: str                       # "answered" | "suggested" | "not_found"
    query: str                        # normalised question
    candidates: list[Candidate] = field(default_factory=list)
    reason: str = ""                  # for not_found: "out_of_scope", "no_match"

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def score(self) -> float:
        return self.candidates[0].score if self.candidates else 0.0


def _terms(words: list[str]) -> list[str]:
    unigrams = [w for w in words if w not in STOPWORDS]
    bigrams = [f"{a}_{b}" for a, b in zip(words, words[1:]) if not (a in STOPWORDS and b in STOPWORDS)]
    return unigrams + bigrams


class Matcher:
    """An index over entries, rebuilt whenever the knowledge changes."""

    def __init__(self, entries: list[Entry], active_edition: str = "2023-2028"):
        self.entries = entries
        self.active_edition = active_edition
        self._phrasing_texts: list[str] = []
        self._phrasing_owner: list[int] = []
        self._entry_phrasings: list[list[int]] = []
        docs: list[dict[str, float]] = []
        for idx, entry in enumerate(entries):
            weights: dict[str, float] = defaultdict(float)
            self._entry_phrasings.append([])
            for text in entry.all_phrasings:
                norm = normalize(text)
                if not norm:
                    continue
                self._entry_phrasings[idx].append(len(self._phrasing_texts))
                self._phrasing_texts.append(norm)
                self._phrasing_owner.append(idx)
                for term in _terms(norm.split()):
                    weights[term] = max(weights[term], 1.0)
            for tag in entry.tags:
                for term in _terms(normalize(tag).split()):
                    weights[term] = max(weights[term], 0.8)
            for term in _terms(normalize(entry.answer).split()):
                weights[term] = max(weights[term], 0.6)
            docs.append(weights)
        self._docs = docs
        n = max(len(docs), 1)
        df: dict[str, int] = defaultdict(int)
        postings: dict[str, list[int]] = defaultdict(list)
        for idx, doc in enumerate(docs):
            for term in doc:
                df[term] += 1
                postings[term].append(idx)
        self._idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        self._unknown_idf = math.log(1 + (n + 0.5) / 0.5)
        self._postings = postings
        self._df = df
        # Terms found in more entries than this only refine scores; they do not nominate candidates
        # (keeps a question's cost flat as the knowledge grows).
        self._nominate_max_df = max(50, n // 5)
        self.vocabulary = sorted(t for t in df if "_" not in t)
        self._vocab_set = set(self.vocabulary)

    # -- query side -------------------------------------------------------------------------------
    def correct_typos(self, words: list[str]) -> list[str]:
        """Replace unknown syllables by the closest known one (typos like 'trúg', 'nhiêm')."""
        fixed = []
        for w in words:
            if w in self._vocab_set or w in STOPWORDS or len(w) < 3 or any(c.isdigit() for c in w):
                fixed.append(w)
                continue
            hit = process.extractOne(w, self.vocabulary, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF)
            fixed.append(hit[0] if hit else w)
        return fixed

    def is_out_of_scope(self, query: str) -> bool:
        padded = f" {query} "
        foreign = any(f" {m} " in padded for m in FOREIGN_ORGS)
        union = any(f" {m} " in padded for m in UNION_MARKERS) or " cong doan co so " in padded
        return foreign and not union

    def _edition_factor(self, entry: Entry, query: str) -> float:
        if entry.edition in ("chung", self.active_edition):
            return 1.0
        wants_newer = any(re.search(p, query) for p in NEWER_EDITION_MARKERS)
        return 1.0 if wants_newer else OTHER_EDITION_PENALTY

    def match(self, question: str, limit: int = 3) -> MatchResult:
        query = normalize(question)
        if not query:
            return MatchResult("not_found", query, reason="empty")
        if self.is_out_of_scope(query):
            return MatchResult("not_found", query, reason="out_of_scope")
        words = self.correct_typos(query.split())
        query = " ".join(words)
        terms = _terms(words)
        weights = {t: self._idf.get(t, self._unknown_idf) for t in terms}
        total = sum(weights.values()) or 1.0

        # Candidates: entries sharing a distinctive term, plus the best fuzzy phrasings.
        nominations: dict[int, float] = defaultdict(float)
        for term, w in weights.items():
            if self._df.get(term, 0) <= self._nominate_max_df:
                for idx in self._postings.get(term, ()):
                    nominations[idx] += w * self._docs[idx][term]
        pool = set(sorted(nominations, key=nominations.get, reverse=True)[:CANDIDATES])
        # Whole-string ratio here: ~10× cheaper than token_set_ratio over every phrasing.
        for _, _, pos in process.extract(query, self._phrasing_texts, scorer=fuzz.ratio,
                                         limit=CANDIDATES):
            pool.add(self._phrasing_owner[pos])

        term_scores: dict[int, float] = {}
        fuzzy_best: dict[int, float] = {}
        for idx in pool:
            doc = self._docs[idx]
            term_scores[idx] = sum(w * doc.get(t, 0.0) for t, w in weights.items())
            fuzzy_best[idx] = max((0.5 * fuzz.token_set_ratio(query, self._phrasing_texts[pos])
                                   + 0.5 * fuzz.ratio(query, self._phrasing_texts[pos])) / 100.0
                                  for pos in self._entry_phrasings[idx]) if self._entry_phrasings[idx] else 0.0

        candidates = []
        for idx in pool:
            coverage = term_scores.get(idx, 0.0) / total
            fuzzy = fuzzy_best.get(idx, 0.0)
            score = (WEIGHT_COVERAGE * coverage + WEIGHT_FUZZY * fuzzy)
            score *= self._edition_factor(self.entries[idx], query)
            candidates.append(Candidate(self.entries[idx], round(score, 4), round(coverage, 4),
                                        round(fuzzy, 4)))
        candidates.sort(key=lambda c: c.score, reverse=True)
        top = candidates[:max(limit, 1)]
        if not top or top[0].score < SUGGEST_THRESHOLD:
            return MatchResult("not_found", query, top, reason="no_match")
        second = top[1].score if len(top) > 1 else 0.0
        if top[0].score >= ANSWER_THRESHOLD and (
                top[0].score - second >= CLEAR_MARGIN or top[0].score >= SURE_THRESHOLD):
            return MatchResult("answered", query, top)
        return MatchResult("suggested", query, top)
