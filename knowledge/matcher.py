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

CANDIDATES = 40
TYPO_CUTOFF = 82

# Sound-alike spellings Vietnamese writers confuse (folded forms): initials, then finals.
_SOUND_INITIALS = [("tr", "ch"), ("gi", "d"), ("r", "d"), ("s", "x"), ("l", "n")]
_SOUND_FINALS = [("ng", "n"), ("c", "t"), ("nh", "n")]


def sound_key(syllable: str) -> str:
    """The syllable with sound-alike initials and finals merged."""
    for src, dst in _SOUND_INITIALS:
        if syllable.startswith(src):
            syllable = dst + syllable[len(src):]
            break
    for src, dst in _SOUND_FINALS:
        if syllable.endswith(src) and len(syllable) > len(src):
            syllable = syllable[: -len(src)] + dst
            break
    return syllable


@dataclass(frozen=True)
class MatchParams:
    """Thresholds and weights, tuned on the question sets (bench/answers.py prints the effect)."""
    answer_threshold: float = 0.42
    suggest_threshold: float = 0.36
    clear_margin: float = 0.02         # over the next entry; near-ties become suggestions
    sure_threshold: float = 0.85       # above this, answer even a near-tie (overlapping entries)
    weight_coverage: float = 0.55      # the rest goes to fuzzy similarity
    query_side: float = 0.8            # share of coverage measured on the question (rest: on the phrasing)
    other_edition_penalty: float = 0.80

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
# Topics outside congress organisation, even when the union is mentioned (labour law, finance,
# other meetings): the knowledge holds nothing on them, so any match would be a wrong answer.
# Matched on folded text, so each must not occur inside ordinary phrases ("đình công" would hit
# "quyết định công nhận"); tests/test_dev_set.py checks no knowledge phrasing is refused.
OTHER_TOPICS = [
    "dai hoi co dong", "co dong thuong nien", "hop co dong", "hoi dong quan tri", "chi doan",
    "bi thu doan", "bao hiem xa hoi", "bhxh", "bhyt", "bao hiem y te", "bao hiem that nghiep",
    "nghi phep nam", "ngay nghi phep", "luong toi thieu", "tien luong", "tang ca", "lam them gio",
    "sa thai", "thoi viec", "tro cap", "doan phi", "kinh phi cong doan", "hoi nghi nguoi lao dong",
    "hoi nghi can bo cong chuc", "hoi nghi can bo vien chuc", "thoa uoc lao dong",
    "hop dong lao dong", "thue thu nhap",
]

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

    def __init__(self, entries: list[Entry], active_edition: str = "2023-2028",
                 params: MatchParams | None = None):
        self.entries = entries
        self.active_edition = active_edition
        self.params = params or MatchParams()
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
        pairs_by_sound: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
        for term in df:
            if "_" in term:
                a, b = term.split("_", 1)
                pairs_by_sound[(sound_key(a), sound_key(b))].add((a, b))
        self._pairs_by_sound = {k: next(iter(v)) for k, v in pairs_by_sound.items() if len(v) == 1}
        self._vocab_set = set(self.vocabulary)
        # Each phrasing's terms with their IDF, to measure how much of a phrasing a question holds.
        self._phrasing_terms: list[dict[str, float]] = []
        for text in self._phrasing_texts:
            terms = {t: self._idf[t] for t in _terms(text.split()) if t in self._idf}
            self._phrasing_terms.append(terms)

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
        return self._correct_pairs(fixed)

    def _correct_pairs(self, words: list[str]) -> list[str]:
        """Fix a misspelling that is itself a real syllable by its pair: "phương trâm" → "phương châm".

        Vietnamese misspellings are mostly sound-alikes (tr/ch, s/x, d/gi/r, l/n, final c/t, n/ng), so an
        unknown syllable pair whose sound key equals exactly one known pair's key takes that pair.
        """
        words = list(words)
        for i in range(len(words) - 1):
            a, b = words[i], words[i + 1]
            if f"{a}_{b}" in self._idf or a in STOPWORDS or b in STOPWORDS:
                continue
            known = self._pairs_by_sound.get((sound_key(a), sound_key(b)))
            if known:
                words[i], words[i + 1] = known
        return words

    def is_out_of_scope(self, query: str) -> bool:
        padded = f" {query} "
        foreign = any(f" {m} " in padded for m in FOREIGN_ORGS)
        union = any(f" {m} " in padded for m in UNION_MARKERS) or " cong doan co so " in padded
        other_topic = any(f" {m} " in padded for m in OTHER_TOPICS)
        return (foreign and not union) or other_topic

    def _edition_factor(self, entry: Entry, query: str) -> float:
        if entry.edition in ("chung", self.active_edition):
            return 1.0
        wants_newer = any(re.search(p, query) for p in NEWER_EDITION_MARKERS)
        return 1.0 if wants_newer else self.params.other_edition_penalty

    def match(self, question: str, limit: int = 3) -> MatchResult:
        query = normalize(question)
        if not query:
            return MatchResult("not_found", query, reason="empty")
        if self.is_out_of_scope(query):
            return MatchResult("not_found", query, reason="out_of_scope")
        words = self.correct_typos(query.split())
        query = " ".join(words)
        weights = {t: self._idf.get(t, self._unknown_idf) for t in _terms(words)}
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

        p = self.params
        query_terms = set(weights)
        candidates = []
        for idx in pool:
            doc = self._docs[idx]
            query_cov = sum(w * doc.get(t, 0.0) for t, w in weights.items()) / total
            phrasing_cov, fuzzy = 0.0, 0.0
            for pos in self._entry_phrasings[idx]:
                text, pterms = self._phrasing_texts[pos], self._phrasing_terms[pos]
                ptotal = sum(pterms.values())
                if ptotal:
                    held = sum(w for t, w in pterms.items() if t in query_terms)
                    phrasing_cov = max(phrasing_cov, held / ptotal)
                sim = 0.5 * fuzz.token_set_ratio(query, text) + 0.5 * fuzz.ratio(query, text)
                fuzzy = max(fuzzy, sim / 100.0)
            coverage = p.query_side * query_cov + (1 - p.query_side) * phrasing_cov
            score = p.weight_coverage * coverage + (1 - p.weight_coverage) * fuzzy
            score *= self._edition_factor(self.entries[idx], query)
            candidates.append(Candidate(self.entries[idx], round(score, 4), round(coverage, 4),
                                        round(fuzzy, 4)))
        candidates.sort(key=lambda c: c.score, reverse=True)
        top = candidates[:max(limit, 1)]
        if not top or top[0].score < p.suggest_threshold:
            return MatchResult("not_found", query, top, reason="no_match")
        second = top[1].score if len(top) > 1 else 0.0
        if top[0].score >= p.answer_threshold and (
                top[0].score - second >= p.clear_margin or top[0].score >= p.sure_threshold):
            return MatchResult("answered", query, top)
        return MatchResult("suggested", query, top)
