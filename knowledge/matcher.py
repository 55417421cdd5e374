"""Match a question to knowledge entries.

1. Analyse (knowledge/normalize.py): folded syllables, with the accent key of those typed with diacritics.
2. Scope (knowledge/scope.py, data in scope.toml): other organisations and neighbouring subjects are
   recognised before scoring.
3. Clean: unknown syllables take the closest known one (typos, sound-alike pairs); cited documents
   ("theo Điều lệ … QĐ 174/QĐ-TLĐ") are dropped unless the question is about the document
   (knowledge/citations.py); the officer's own counts are dropped (the calculators use them).
4. Rank: BM25 over each entry's phrasings and tags (syllables and pairs; the answer's own words count a
   quarter, so a question in the answer's terms finds it; in a story, the words of the sentences that
   ask count double); a syllable typed with diacritics
   counts ×0.2 in entries spelling it otherwise ("số dư" is not "số dự"). For the best 16: coverage of the
   question's weight and fuzzy similarity. Candidates come from one edition (the one named, else the one
   in force) plus entries true in both; local practice only when the place is named. An entry whose
   question is about another elected body (ủy ban kiểm tra for a question on the ban chấp hành) counts ×0.9.
5. Decide: answer from 0.42 when the lead is ≥ 0.02, when the two best state the same fact, when the
   question's telling words are held only by the first (`_decisive`), or from 0.50 in a two-way tie (the
   reply then offers the runner-up); three abreast, or below, are offered as choices (from 0.38); else
   "không tìm thấy". A question asking two things gets two parts (`also`) when the second entry scores
   near the bar and each entry holds telling words of the question the other lacks. Long stories (over
   40 terms) lower these bars by 1% a term, to 80%. An entry of the other edition answers, labelled, only
   when the edition asked has nothing clear.
Parameters live in MatchParams and were tuned on the dev split (bench/answers.py prints the effect).
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from knowledge.clauses import asking_clauses, asking_sentences, asks_several
from knowledge.citations import about_document, citation_positions, is_citation_word
from knowledge.editions import COMMON, named_editions
from knowledge.entries import Entry
from knowledge.normalize import analyze, fold, normalize
from knowledge.scope import OutOfScope, out_of_scope, story_scope

CANDIDATES = 16
UNION_SYLLABLES = {"cong", "doan"}  # a typo in these is mended before scope is judged
FACTOR_CACHE = 256  # accent factors kept between questions (the entries spelling a syllable otherwise)
MIN_SCORED_WEIGHT = 0.05  # BM25 skips terms weighing less (idf of a syllable in over 95% of the entries)
TYPO_CUTOFF = 82
MIN_UNCITED_WORDS = 3  # content words a question keeps once its citations are dropped

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
    """Thresholds and weights, tuned on the dev split (bench/answers.py prints the effect)."""
    answer_threshold: float = 0.42
    suggest_threshold: float = 0.38
    clear_margin: float = 0.02         # over the next entry; nearer ones are offered as choices
    sure_threshold: float = 0.50       # above this, answer a near tie too (the reply offers the runner-up)
    same_fact_similarity: float = 75   # answers this alike (token_sort_ratio) state the same fact
    weight_bm25: float = 0.25
    weight_coverage: float = 0.40      # the rest goes to fuzzy similarity
    query_side: float = 0.7            # share of coverage measured on the question (rest: best phrasing)
    unknown_weight: float = 0.5        # how much words the knowledge never uses count against a match
    accent_mismatch: float = 0.2       # what a syllable typed with other diacritics still counts
    accent_unseen: float = 0.5         # ... when no entry spells it as typed
    k1: float = 1.2
    b: float = 0.5
    other_edition_floor: float = 0.55  # an entry of another edition answers only above this
    long_terms: int = 40               # questions with more distinct terms than this ...
    long_step: float = 0.01            # ... lower their thresholds by this share per extra term ...
    long_floor: float = 0.8            # ... down to this share
    decisive_weight: float = 3.0       # idf the first entry alone holds to settle a near tie ...
    decisive_ratio: float = 0.5        # ... when the second alone holds less than this share of it
    organ_mismatch: float = 0.9        # an entry about another body (UBKT for a BCH question) counts this much
    part_weight: float = 3.0           # idf each of two tied entries alone holds to answer both
    part_floor: float = 0.9            # the second part's score, as a share of the answer threshold
    part_answered: float = 0.9         # when the first is clear, the second's share of the threshold to join
    answer_weight: float = 0.25        # what a term of the entry's answer counts in its BM25 document
    ask_boost: float = 2.0             # a story's words in its asking sentences count this much more
    mend_min_entries: int = 5          # a pair mends a real-syllable typo only when this many entries use it


# Syllables too common to tell entries apart; they still count for fuzzy similarity.
STOPWORDS = set("""
la thi co cua duoc va cac nhung mot nao gi bao nhieu the nhu khi nay do ai o tai cho voi
hay hoac khong phai can se da dang roi con cung vi neu ma thi la sao lam vay de theo trong
ra len ve tu den ay kia nhe a oi
""".split())


class _AccentFactor:
    """How much a syllable typed with its diacritics counts in each entry (`dense`, one value an entry):
    1 except at `ids`, the entries that spell it otherwise."""
    __slots__ = ("dense", "ids", "correction")

    def __init__(self, dense: np.ndarray, ids: np.ndarray):
        self.dense, self.ids = dense, ids
        self.correction: tuple[np.ndarray, np.ndarray] | None = None  # set by the matcher, see _scored

    def __getitem__(self, key):
        return self.dense[key]


class _PairFactor:
    """The lower of two syllables' accent factors, taken only where asked (a pair's postings are short; the
    whole minimum over every entry cost more than the rest of the ranking at 10,000 entries)."""
    __slots__ = ("a", "b")

    def __init__(self, a: _AccentFactor, b: _AccentFactor):
        self.a, self.b = a.dense, b.dense

    def __getitem__(self, key):
        return np.minimum(self.a[key], self.b[key])


@dataclass
class Candidate:
    entry: Entry
    score: float
    coverage: float
    fuzzy: float
    bm25: float = 0.0


@dataclass
class MatchResult:
    status: str                       # "answered" | "suggested" | "not_found"
    query: str                        # normalised question
    candidates: list[Candidate] = field(default_factory=list)
    reason: str = ""                  # not_found: "out_of_scope", "no_match", "empty"
    edition: str = ""                 # the edition the question was answered from
    named: list[str] = field(default_factory=list)   # editions the question named
    other_edition: bool = False       # the answer is of another edition than the one asked for
    scope: OutOfScope | None = None   # for out_of_scope: what the question is about
    also: Candidate | None = None     # answered in two parts: the second entry answers the rest of the question

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


def _place_keys(entry: Entry) -> list[str]:
    return [" ".join(w for w, _ in analyze(p, drop_filler=False)) for p in entry.place if p.strip()]


class Matcher:
    """An index over entries, rebuilt whenever the knowledge changes."""

    def __init__(self, entries: list[Entry], active_edition: str = "2023-2028",
                 params: MatchParams | None = None):
        self.entries = entries
        self.active_edition = active_edition
        self.params = params or MatchParams()
        p = self.params
        n = len(entries)
        self._phrasing_texts: list[str] = []
        self._phrasing_owner: list[int] = []
        self._entry_phrasings: list[list[int]] = []
        # accents[folded syllable][entry] = the accent keys that entry spells it with
        self._accents: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
        # folded pair → the accents the knowledge writes it with ("" for none): tells a tone slip ("lân thứ")
        # from a real other word ("số dư" beside "số dự")
        self._pair_accents: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
        tf_docs: list[dict[str, float]] = []
        lengths = []
        for idx, entry in enumerate(entries):
            tf: dict[str, float] = defaultdict(float)
            self._entry_phrasings.append([])
            length = 0
            for text in entry.all_phrasings:
                pairs = analyze(text)
                words = [w for w, _ in pairs]
                if not words:
                    continue
                for word, accent in pairs:
                    if accent:
                        self._accents[word][idx].add(accent)
                self._note_pair_accents(pairs)
                self._entry_phrasings[idx].append(len(self._phrasing_texts))
                self._phrasing_texts.append(" ".join(words))
                self._phrasing_owner.append(idx)
                for term in _terms(words):
                    tf[term] += 1.0
                    length += 1
            for tag in entry.tags:
                for term in _terms([w for w, _ in analyze(tag)]):
                    tf[term] += 0.5
            if p.answer_weight:
                answer = analyze(entry.answer)
                self._note_pair_accents(answer)
                for term in _terms([w for w, _ in answer]):
                    tf[term] += p.answer_weight
            tf_docs.append(tf)
            lengths.append(max(length, 1))
        # word → accent key → entries spelling it so ("" → entries spelling it with any accent)
        self._accent_ids: dict[str, dict[str, np.ndarray]] = {}
        for word, by_entry in self._accents.items():
            keys: dict[str, list[int]] = defaultdict(list)
            for idx, spelled in by_entry.items():
                keys[""].append(idx)
                for key in spelled:
                    keys[key].append(idx)
            self._accent_ids[word] = {k: np.array(v, dtype=np.int32) for k, v in keys.items()}
        del self._accents
        self._factor_cache: dict[tuple[str, str], np.ndarray] = {}
        avg = (sum(lengths) / n) if n else 1.0
        df: dict[str, int] = defaultdict(int)
        for tf in tf_docs:
            for term in tf:
                df[term] += 1
        self._idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        self._unknown_idf = math.log(1 + (n + 0.5) / 0.5)
        # BM25 postings: term → (entry indices, saturated term frequency without idf)
        postings: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        for idx, tf in enumerate(tf_docs):
            norm = p.k1 * (1 - p.b + p.b * lengths[idx] / avg)
            for term, f in tf.items():
                ids, weights = postings[term]
                ids.append(idx)
                weights.append(f * (p.k1 + 1) / (f + norm))
        self._postings = {t: (np.array(i, dtype=np.intp), np.array(w)) for t, (i, w) in postings.items()}
        self._tf_docs = tf_docs
        self._index_of = {e.id: i for i, e in enumerate(entries)}
        self.vocabulary = sorted(t for t in df if "_" not in t)
        self._vocab_set = set(self.vocabulary)
        pairs_by_sound: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
        for term in df:
            if "_" in term:
                a, b = term.split("_", 1)
                pairs_by_sound[(sound_key(a), sound_key(b))].add((a, b))
        self._pairs_by_sound = {k: next(iter(v)) for k, v in pairs_by_sound.items() if len(v) == 1}
        self._pair_df = {t: d for t, d in df.items() if "_" in t}
        # syllable with one letter dropped → the syllables it could come from ("dan" ← "doan", "dang")
        with_one_more: dict[str, set[str]] = defaultdict(set)
        for word in self.vocabulary:
            if len(word) >= 3 and word.isalpha():
                for i in range(len(word)):
                    with_one_more[word[:i] + word[i + 1:]].add(word)
        self._with_one_more = dict(with_one_more)
        # Each phrasing's distinct terms (ids) and their idf, end to end; a phrasing's run starts at
        # _phrasing_start[pos]. An entry's phrasings, and so their runs, are contiguous.
        self._term_id = {t: i for i, t in enumerate(self._idf)}
        term_ids, term_idf, starts, totals = [], [], [0], []
        for text in self._phrasing_texts:
            own = dict.fromkeys(t for t in _terms(text.split()) if t in self._idf)
            term_ids.extend(self._term_id[t] for t in own)
            term_idf.extend(self._idf[t] for t in own)
            starts.append(len(term_ids))
            totals.append(sum(self._idf[t] for t in own))
        self._phrasing_term_ids = np.array(term_ids, dtype=np.intp)
        self._phrasing_term_idf = np.array(term_idf)
        self._phrasing_start = np.array(starts, dtype=np.intp)
        self._phrasing_total = np.array(totals)
        # Which entries each edition may use, and which need their place named.
        self._edition_of = np.array([e.edition for e in entries], dtype=object)
        self._common = self._edition_of == COMMON
        self._place_keys = [_place_keys(e) for e in entries]
        self._place_entries = [(i, keys) for i, keys in enumerate(self._place_keys) if keys]
        self.editions = sorted({e.edition for e in entries} - {COMMON})
        self._edition_masks = {ed: self._edition_of == ed for ed in self.editions}
        self._organs = [_organs(normalize(e.question)) for e in entries]

    # -- query side -------------------------------------------------------------------------------
    def _note_pair_accents(self, pairs) -> None:
        for (w1, a1), (w2, a2) in zip(pairs, pairs[1:]):
            self._pair_accents[(w1, w2)].add((a1 or "", a2 or ""))

    def _without_slips(self, words: list[str], accents: list[str | None]) -> list[str | None]:
        """Drop a typed accent that no neighbour supports: where the knowledge writes the syllable's pair with
        either neighbour, only with another accent on it ("lân thứ" beside "lần thứ"), the diacritic slipped.
        A pair the knowledge writes as typed ("số dư" beside "số dự") keeps its meaning."""
        out = list(accents)
        for i, accent in enumerate(accents):
            if accent is None:
                continue
            supported = contradicted = False
            for j, slot in ((i - 1, 1), (i, 0)):
                if j < 0 or j + 1 >= len(words):
                    continue
                forms = self._pair_accents.get((words[j], words[j + 1]))
                if not forms:
                    continue
                if any(form[slot] == accent for form in forms):
                    supported = True
                else:
                    contradicted = True
            if contradicted and not supported:
                out[i] = None
        return out

    def correct_typos(self, words: list[str]) -> list[str]:
        """Replace unknown syllables by the closest known one (typos like 'trúg', 'nhiêm')."""
        fixed = []
        for i, w in enumerate(words):
            if w in self._vocab_set or w in STOPWORDS or len(w) < 3 or any(c.isdigit() for c in w):
                fixed.append(w)
                continue
            hits = process.extract(w, self.vocabulary, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF, limit=6)
            if not hits:
                fixed.append(w)
                continue
            # Among equally close syllables, the one that makes a known pair with its neighbours
            # ("quy trnh" → "quy trình", not "quy tranh").
            before = fixed[-1] if fixed else None
            after = words[i + 1] if i + 1 < len(words) else None

            def fit(hit):
                cand = hit[0]
                pairs = (before is not None and f"{before}_{cand}" in self._idf) + \
                        (after is not None and f"{cand}_{after}" in self._idf)
                return (pairs, hit[1])
            fixed.append(max(hits, key=fit)[0])
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
            options = [k for k in (self._pairs_by_sound.get((sound_key(a), sound_key(b))), self._dropped_letter(a, b))
                       if k]
            # A syllable that makes a pair at least as common with its other neighbour is spelled right ("kết
            # nạp chủ tịch" is not "kết lập chủ tịch"; "chấp hàn công" is still "chấp hành"): a mend keeps it.
            held_a = self._pair_df.get(f"{words[i - 1]}_{a}", 0) if i > 0 else 0
            held_b = self._pair_df.get(f"{b}_{words[i + 2]}", 0) if i + 2 < len(words) else 0
            options = [k for k in options
                       if not (k[0] != a and held_a >= self._pair_df.get(f"{k[0]}_{k[1]}", 0))
                       and not (k[1] != b and held_b >= self._pair_df.get(f"{k[0]}_{k[1]}", 0))]
            # The pair more entries use: "đàn viên" is "đoàn viên" (a letter dropped), not "đảng viên".
            known = max(options, key=lambda k: self._pair_df.get(f"{k[0]}_{k[1]}", 0)) if options else None
            if known:
                words[i], words[i + 1] = known
        return words

    def _dropped_letter(self, a: str, b: str) -> tuple[str, str] | None:
        """A real syllable that is another missing one letter, told by the pair it would make: "công
        đàn" → "công đoàn", "ủy vin" → "ủy viên" is left to the typo pass. Only pairs the knowledge uses
        often (in several entries), so a rare phrase is not forced on the question."""
        best, best_df = None, self.params.mend_min_entries - 1
        for cand in self._with_one_more.get(b, ()):
            df = self._pair_df.get(f"{a}_{cand}", 0)
            if df > best_df:
                best, best_df = (a, cand), df
        for cand in self._with_one_more.get(a, ()):
            df = self._pair_df.get(f"{cand}_{b}", 0)
            if df > best_df:
                best, best_df = (cand, b), df
        return best

    def is_out_of_scope(self, question: str) -> bool:
        pairs = analyze(question)
        words = self.correct_typos([w for w, _ in pairs])
        return self._scope(pairs, words, [a if w == w0 else None for w, (w0, a) in zip(words, pairs)],
                           question) is not None

    @staticmethod
    def _scope(pairs, words: list[str], accents: list[str | None], question: str = "") -> OutOfScope | None:
        """Another organisation or subject (knowledge/scope.py, sentence by sentence for a story), as typed
        and with the union's own name mended: a slip of the keyboard ("cng đoàn cơ sở", "Tổng Liên đon")
        must not turn a union question into another one's. Other corrections are not applied here: they
        would mend "nông dân" into a knowledge word."""
        scope = story_scope(question, out_of_scope(" ".join(w for w, _ in pairs), typed=tuple(pairs)))
        if scope is None:
            return None
        # A syllable mended into the union's name only where it makes the name with its neighbour ("cng
        # đoàn", "liên đon"), not "nông dân" → "nông đoàn".
        mended = [(w, a) if w in UNION_SYLLABLES and w != w0 and _union_pair(words, i) else (w0, a0)
                  for i, (w, a, (w0, a0)) in enumerate(zip(words, accents, pairs))]
        if mended == list(pairs):
            return scope
        again = out_of_scope(" ".join(w for w, _ in mended), typed=tuple(mended))
        if question:
            again = story_scope(question, again)  # a story is read sentence by sentence, as above
        return scope if again else None

    def _allowed(self, editions: list[str], query: str) -> np.ndarray:
        """Entries of `editions` (and common ones) whose place, if any, the question names."""
        mask = self._common.copy()
        for edition in editions:
            own = self._edition_masks.get(edition)
            if own is not None:
                mask |= own
        padded = f" {query} "
        for idx, keys in self._place_entries:
            if not any(f" {k} " in padded for k in keys):
                mask[idx] = False
        return mask

    def _accent_factor(self, word: str, accent: str | None) -> _AccentFactor | None:
        """Where a syllable typed with `accent` counts less (None: fully everywhere)."""
        if not accent:
            return None
        spelled = self._accent_ids.get(word)
        if not spelled:
            return None
        key = (word, accent)
        cached = self._factor_cache.get(key)
        if cached is not None:
            return cached
        factor = self._new_accent_factor(spelled, accent)
        if len(self._factor_cache) >= FACTOR_CACHE:
            self._factor_cache = {}  # a new dict, not clear(): another thread may be reading the old one
        self._factor_cache[key] = factor
        return factor

    def _new_accent_factor(self, spelled: dict[str, np.ndarray], accent: str) -> _AccentFactor:
        same = spelled.get(accent)
        n = len(self.entries)
        dense = np.ones(n)
        # Spelled so nowhere in the knowledge: more likely a slip of the keyboard ("thuờng", "đòan") than
        # another word, so the other spellings lose less.
        dense[spelled[""]] = self.params.accent_mismatch if same is not None else self.params.accent_unseen
        if same is not None:
            dense[same] = 1.0
        dense.setflags(write=False)  # shared by later questions
        return _AccentFactor(dense, np.flatnonzero(dense != 1.0))

    def _correction(self, word: str, factor: _AccentFactor) -> tuple[np.ndarray, np.ndarray]:
        """The part of the syllable's saturated frequencies that does not count where an entry spells it
        otherwise (those entries all hold the syllable: the accents were read from their phrasings)."""
        if factor.correction is None:
            ids, tfw = self._postings[word]
            at = np.searchsorted(ids, factor.ids)
            factor.correction = (ids[at], tfw[at] * (factor.dense[factor.ids] - 1.0))
        return factor.correction

    def match(self, question: str, limit: int = 3, edition: str | None = None, whole: bool = True) -> MatchResult:
        """Rank entries for `question`; `edition` is the one in force (default: the matcher's own); `whole`:
        a question as asked, not one clause of it."""
        edition = edition or self.active_edition
        pairs = list(analyze(question))
        query = " ".join(w for w, _ in pairs)
        named = named_editions(question)
        if not query:
            return MatchResult("not_found", query, reason="empty", edition=edition, named=named)
        words = self.correct_typos([w for w, _ in pairs])
        corrected = list(words)
        accents = self._without_slips(words, [a if w == w0 else None for w, (w0, a) in zip(words, pairs)])
        scope = self._scope(pairs, words, accents, question)
        if scope:
            return MatchResult("not_found", query, reason="out_of_scope", edition=edition, named=named,
                               scope=scope)
        # A cited document ("theo Điều lệ … QĐ 174") names the edition, not the rule asked, unless the
        # question is about the document itself (little else left).
        cited = citation_positions(words)
        if cited and (about_document(words, cited) or sum(
                1 for i, w in enumerate(words)
                if i not in cited and w not in STOPWORDS and not is_citation_word(w)) < MIN_UNCITED_WORDS):
            cited = set()
        # The officer's own counts ("45 đại biểu", "28 người") say nothing about which rule is asked.
        keep = [i for i, w in enumerate(words)
                if i not in cited and not (w.isdigit() and w not in self._vocab_set)]
        words = [words[i] for i in keep]
        accents = [accents[i] for i in keep]
        query = " ".join(words)
        wanted = named or [edition]
        if len(named) > 1:
            # "đã đại hội nhiệm kỳ 2023–2028 … hạn hoàn thành đại hội nhiệm kỳ 2025–2030 là ngày nào?": the
            # edition named where the officer asks is the one asked about; the other is the story.
            in_asking = named_editions(" ".join(asking_sentences(question)))
            wanted = in_asking or wanted
        several = asks_several(question)
        mended = dict(zip((w for w, _ in pairs), corrected))  # the typo pass already ran on these words
        asked = {mended.get(w, w) for sentence in asking_sentences(question) for w in normalize(sentence).split()}
        memo: dict = {}  # the BM25 pass, shared with a second ranking in another edition
        result = self._rank(words, accents, query, wanted, limit, several, asked, memo)
        result.edition, result.named = (wanted[0] if len(wanted) == 1 else edition), named
        if result.status == "not_found" and len(wanted) == 1:
            # Nothing clear in the edition asked for: an entry of another edition may answer, labelled.
            others = [e for e in self.editions if e not in wanted]
            if others:
                other = self._rank(words, accents, query, others, limit, several, asked, memo)
                if other.status == "answered" and other.score >= self.params.other_edition_floor \
                        and other.score > result.score + self.params.clear_margin:
                    other.edition, other.named, other.other_edition = wanted[0], named, True
                    return other
        if several and whole and result.status == "answered" and result.also is None:
            result.also = self._other_part(question, result, edition)
        return result

    def _other_part(self, question: str, result: MatchResult, edition: str) -> Candidate | None:
        """A question asking two things where one entry holds every word (so no second entry holds words of
        its own): each asking clause matched alone, the first clear answer stating another fact."""
        for clause in asking_clauses(question):
            part = self.match(clause, edition=edition, whole=False)
            if part.status == "answered" and part.best.entry.id != result.best.entry.id \
                    and part.edition == result.edition and not self.same_fact(result.best.entry, part.best.entry):
                return part.best
        return None

    def _scored(self, words: list[str], accents: list[str | None], asked: set[str]):
        """The question's term weights, their accent factors and every entry's BM25 score: the same for
        each edition ranked, so computed once a question."""
        p = self.params
        n = len(self.entries)
        terms = _terms(words)
        factors: dict[int, _AccentFactor | None] = {}
        for i, (w, a) in enumerate(zip(words, accents)):
            factors[i] = self._accent_factor(w, a) if w not in STOPWORDS else None
        # Each term with the accent factor of its syllables (a pair takes the lower of its two).
        term_factor: dict[str, _AccentFactor | _PairFactor | None] = {}
        for i, w in enumerate(words):
            if w not in STOPWORDS:
                term_factor.setdefault(w, factors[i])
        for i, (a, b) in enumerate(zip(words, words[1:])):
            if a in STOPWORDS and b in STOPWORDS:
                continue
            fa, fb = factors[i], factors[i + 1]
            combined = fa if fb is None else fb if fa is None else _PairFactor(fa, fb)
            term_factor.setdefault(f"{a}_{b}", combined)
        weights = {t: self._idf.get(t, self._unknown_idf) for t in dict.fromkeys(terms)}
        if asked and p.ask_boost != 1.0:
            for t in weights:
                if all(part in asked for part in t.split("_")):
                    weights[t] *= p.ask_boost
        known = sum(w for t, w in weights.items() if t in self._idf)
        unknown = sum(w for t, w in weights.items() if t not in self._idf)
        total = known + p.unknown_weight * unknown or 1.0
        plain, plain_weights, other_ids, other_parts = [], [], [], []
        for term, w in weights.items():
            posting = self._postings.get(term)
            if posting is None or w < MIN_SCORED_WEIGHT:
                continue  # a syllable nearly every entry holds ("công", "đoàn") moves no score, costs a pass
            factor = term_factor.get(term)
            if factor is None or "_" not in term:
                plain.append(posting)
                plain_weights.append(w)
                if factor is not None and len(factor.ids):
                    # where an entry spells the syllable otherwise, take back the part that does not count
                    ids, part = self._correction(term, factor)
                    other_ids.append(ids)
                    other_parts.append(w * part)
            else:  # a pair with a syllable typed with diacritics: its posting is short, weigh it entry by entry
                ids, tfw = posting
                other_ids.append(ids)
                other_parts.append(w * tfw * factor[ids])
        # One summing pass over every posting, weights spread by one repeat (a Python loop of scatter-adds
        # or of multiplications costs more at 10,000 entries).
        all_ids = [ids for ids, _ in plain] + other_ids
        parts = ([np.concatenate([tfw for _, tfw in plain])
                  * np.repeat(np.array(plain_weights), [len(ids) for ids, _ in plain])] if plain else []) + other_parts
        scores = np.bincount(np.concatenate(all_ids), weights=np.concatenate(parts), minlength=n) \
            if all_ids else np.zeros(n)
        bm25 = scores / (total * (p.k1 + 1))  # 1.0: every query term, saturated, in a short entry
        return weights, term_factor, total, bm25

    def _rank(self, words: list[str], accents: list[str | None], query: str, editions: list[str],
              limit: int, several: bool = False, asked: set[str] = frozenset(),
              memo: dict | None = None) -> MatchResult:
        """`several`: the question asks more than one thing; `asked`: the words of the sentences that ask,
        when the question also tells a story (knowledge/clauses.py)."""
        p = self.params
        n = len(self.entries)
        allowed = self._allowed(editions, query)
        terms = _terms(words)
        if not terms or not allowed.any():
            return MatchResult("not_found", query, reason="no_match")
        if memo is None or "scored" not in memo:
            scored = self._scored(words, accents, asked)
            if memo is not None:
                memo["scored"] = scored
        weights, term_factor, total, bm25 = scored if memo is None else memo["scored"]
        ranked = np.where(allowed, bm25, -1.0)
        k = min(CANDIDATES, int(allowed.sum()))
        pool = set(np.argpartition(-ranked, k - 1)[:k].tolist()) if k else set()
        pool = {i for i in pool if allowed[i]}
        query_terms = set(weights)
        pool_list = sorted(pool)
        spans = [(own[0], own[-1] + 1) for own in (self._entry_phrasings[idx] for idx in pool_list) if own]
        texts = [text for a, b in spans for text in self._phrasing_texts[a:b]]
        # One C-level pass for every pooled phrasing (no Python loop per pair).
        sims = (0.5 * process.cdist([query], texts, scorer=fuzz.token_set_ratio)[0]
                + 0.5 * process.cdist([query], texts, scorer=fuzz.ratio)[0]) / 100.0 if texts else []
        covers = self._phrasing_covers(spans, query_terms)
        best_fuzzy: dict[int, float] = defaultdict(float)
        best_cover: dict[int, float] = defaultdict(float)
        at = 0
        for a, b in spans:
            owner = self._phrasing_owner[a]
            best_fuzzy[owner] = float(sims[at:at + b - a].max())
            best_cover[owner] = float(covers[at:at + b - a].max())
            at += b - a
        asked_organs = _organs(query)
        candidates = []
        for idx in pool_list:
            tf = self._tf_docs[idx]
            held = held_raw = 0.0
            for t in query_terms & tf.keys():
                f = term_factor.get(t)
                held_raw += weights[t]
                held += weights[t] * (1.0 if f is None else float(f[idx]))
            query_cov = held / total
            # Fuzzy similarity is on folded text: it shrinks as the typed diacritics disagree.
            fuzzy = best_fuzzy[idx] * (held / held_raw if held_raw else 1.0)
            coverage = p.query_side * query_cov + (1 - p.query_side) * best_cover[idx]
            score = (p.weight_bm25 * float(bm25[idx]) + p.weight_coverage * coverage
                     + (1 - p.weight_bm25 - p.weight_coverage) * fuzzy)
            if asked_organs and self._organs[idx] and not asked_organs & self._organs[idx]:
                score *= p.organ_mismatch
            candidates.append(Candidate(self.entries[idx], round(score, 4), round(coverage, 4),
                                        round(fuzzy, 4), round(float(bm25[idx]), 4)))
        candidates.sort(key=lambda c: c.score, reverse=True)
        top = candidates[:max(limit, 1)]
        # A long story holds many words no entry uses: its best scores run lower, so the bar does too.
        extra_terms = max(0, len(weights) - p.long_terms)
        relax = max(p.long_floor, 1.0 - p.long_step * extra_terms)
        if not top or top[0].score < p.suggest_threshold * relax:
            return MatchResult("not_found", query, top, reason="no_match")
        if top[0].score >= p.answer_threshold * relax and (
                len(top) == 1 or top[0].score - top[1].score >= p.clear_margin
                or (top[0].score >= p.sure_threshold and self._two_way(top))
                or self.same_fact(top[0].entry, top[1].entry)
                or self._decisive(top[0], top[1], weights, term_factor)):
            also = None
            if several:  # a clear first that answers only part of what is asked: the next that answers the rest
                also = next((c for c in top[1:] if c.score >= p.answer_threshold * relax * p.part_answered
                             and not self.same_fact(top[0].entry, c.entry)
                             and self._complementary(top[0], c, weights, term_factor)), None)
            return MatchResult("answered", query, top, also=also)
        # Each of the two holds telling words of the question the other lacks: it asks both things (a
        # third close behind does not matter, the two parts already answer it).
        if top[1].score >= p.answer_threshold * relax * p.part_floor \
                and self._complementary(top[0], top[1], weights, term_factor):
            return MatchResult("answered", query, top, also=top[1])
        # Offer only the choices that are really in the running.
        top = [c for c in top if c.score >= top[0].score - 0.12]
        return MatchResult("suggested", query, top)

    def _phrasing_covers(self, spans: list[tuple[int, int]], query_terms: set[str]) -> np.ndarray:
        """For each phrasing of the spans, end to end: the idf share of its terms the question holds."""
        if not spans:
            return np.zeros(0)
        asked = np.zeros(len(self._term_id) + 1)
        asked[[self._term_id[t] for t in query_terms if t in self._term_id]] = 1.0
        starts = self._phrasing_start
        runs = [(starts[a], starts[b]) for a, b in spans]
        ids = np.concatenate([self._phrasing_term_ids[x:y] for x, y in runs])
        idf = np.concatenate([self._phrasing_term_idf[x:y] for x, y in runs])
        positions = np.concatenate([np.arange(a, b) for a, b in spans])
        lengths = starts[positions + 1] - starts[positions]
        held = np.bincount(np.repeat(np.arange(len(positions)), lengths), weights=asked[ids] * idf,
                           minlength=len(positions))
        totals = self._phrasing_total[positions]
        return np.divide(held, totals, out=np.zeros(len(positions)), where=totals > 0)

    def _held(self, candidate: Candidate, weights: dict[str, float],
              term_factor: dict[str, _AccentFactor | _PairFactor | None]) -> set[str]:
        """The question's terms the entry holds, spelled as typed."""
        idx = self._index_of[candidate.entry.id]
        tf = self._tf_docs[idx]
        return {t for t in weights if t in tf and (term_factor.get(t) is None or term_factor[t][idx] >= 1.0)}

    def _own_weights(self, first: Candidate, second: Candidate, weights: dict[str, float],
                     term_factor: dict[str, _AccentFactor | _PairFactor | None]) -> tuple[float, float]:
        """The weight of the question's terms each entry holds and the other lacks."""
        a, b = self._held(first, weights, term_factor), self._held(second, weights, term_factor)
        return sum(weights[t] for t in a - b), sum(weights[t] for t in b - a)

    def _decisive(self, first: Candidate, second: Candidate, weights: dict[str, float],
                  term_factor: dict[str, _AccentFactor | _PairFactor | None]) -> bool:
        """A near tie that the question's own words settle: the first entry holds a telling term of the
        question (a rare word or pair, with the diacritics typed) that the second lacks, and not the reverse."""
        only_a, only_b = self._own_weights(first, second, weights, term_factor)
        return only_a >= self.params.decisive_weight and only_b < only_a * self.params.decisive_ratio

    def _complementary(self, first: Candidate, second: Candidate, weights: dict[str, float],
                       term_factor: dict[str, _AccentFactor | _PairFactor | None]) -> bool:
        """Two entries that each hold telling words of the question the other lacks, and state different
        facts: the question asks both ("hồ sơ gồm gì và hạn bao lâu")."""
        if first.entry.edition != second.entry.edition and COMMON not in (first.entry.edition,
                                                                           second.entry.edition):
            return False
        return min(self._own_weights(first, second, weights, term_factor)) >= self.params.part_weight

    def _two_way(self, top: list[Candidate]) -> bool:
        """A tie of two, the rest well behind: answer the first and offer the second. Three or more
        entries abreast (a vague "bầu cử") is a real choice."""
        return len(top) < 3 or top[0].score - top[2].score >= 2 * self.params.clear_margin

    def runners_up(self, result: MatchResult, within: float = 0.05) -> list[Candidate]:
        """Other entries nearly as likely as an answered one, stating other facts: offered beside it."""
        if result.status != "answered" or not result.candidates:
            return []
        best = result.candidates[0]
        return [c for c in result.candidates[1:]
                if best.score - c.score < min(within, self.params.clear_margin * 2.5)
                and not self.same_fact(best.entry, c.entry)]

    def same_fact(self, a: Entry, b: Entry) -> bool:
        """Two entries that state the same rule: answering either is right."""
        if a.edition != b.edition and COMMON not in (a.edition, b.edition):
            return False
        if _figures(a.answer) != _figures(b.answer):
            return False  # different figures: different rules, however alike the wording
        return fuzz.token_sort_ratio(fold(a.answer), fold(b.answer)) >= self.params.same_fact_similarity


_UNION_NAMES = {("cong", "doan"), ("lien", "doan"), ("nghiep", "doan")}


def _union_pair(words: list[str], i: int) -> bool:
    """Does words[i] make one of the union's names with the syllable before or after it?"""
    return (i > 0 and (words[i - 1], words[i]) in _UNION_NAMES) or \
        (i + 1 < len(words) and (words[i], words[i + 1]) in _UNION_NAMES)


# The bodies a congress elects: a question about one is not answered by an entry about another.
ORGANS = ("ban chap hanh", "ban thuong vu", "uy ban kiem tra")


def _organs(normalised: str) -> frozenset[str]:
    padded = f" {normalised} "
    return frozenset(o for o in ORGANS if f" {o} " in padded)


def _figures(text: str) -> set[str]:
    return set(re.findall(r"\d+(?:[/.,]\d+)*", text))
