"""What the assistant does not cover, as data (knowledge/scope.toml): other organisations and subjects.

Other organisations hold congresses, elect executive committees and have members too; a question about
them must not get a union rule as if it were about the union. A marker counts as whole words on folded
text, and never right after "công" ("công đoàn trường" is the school's union, "Đoàn trường" is the Youth
Union). A question that also names the union explicitly ("công đoàn", "CĐCS", "đoàn viên công đoàn") is
the union's, whatever else it mentions; a neighbouring subject (labour law, social insurance …) is out of
scope even then, because the knowledge holds nothing on it.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from knowledge.clauses import asking_sentences, sentences_of
from knowledge.normalize import analyze, normalize

SCOPE_FILE = Path(__file__).resolve().parent / "scope.toml"
# Folded words that make a question the union's own.
UNION_MARKERS = ("cong doan", "lien doan lao dong", "tong lien doan", "doan vien cong doan", "nghiep doan")


@dataclass(frozen=True)
class OutOfScope:
    kind: str          # "organisation" | "subject"
    name: str          # how the reply names it
    where_to_ask: str
    leads_union: bool = False


@dataclass(frozen=True)
class _Rule:
    kind: str
    name: str
    where_to_ask: str
    markers: tuple[str, ...]   # normalised (folded, abbreviations expanded)
    unless: tuple[str, ...] = ()  # a subject does not apply when one of these is in the question
    # Markers that count only as typed with these diacritics ("đảng viên", not "đang viên"): (folded
    # syllable, accent key or None) runs, compared with the question's analysed syllables.
    accented: tuple[tuple[tuple[str, str | None], ...], ...] = ()
    leads_union: bool = False  # the Party: named in a union officer's story, context of the union's question


def _norm_marker(text: str) -> str:
    return normalize(text, drop_filler=False)


@lru_cache(maxsize=4)
def load_scope(path: Path = SCOPE_FILE) -> tuple[_Rule, ...]:
    if not Path(path).exists():
        return ()
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    rules = []
    for kind, key in (("organisation", "organisation"), ("subject", "subject")):
        for raw in data.get(key, []):
            markers = tuple(dict.fromkeys(m for m in (_norm_marker(x) for x in raw.get("markers", [])) if m))
            unless = tuple(m for m in (_norm_marker(x) for x in raw.get("unless", [])) if m)
            accented = tuple(dict.fromkeys(a for a in (analyze(x, drop_filler=False)
                                                       for x in raw.get("accented", [])) if a))
            rules.append(_Rule(kind, raw.get("short") or raw["name"], raw.get("where_to_ask", ""), markers,
                               unless, accented, bool(raw.get("leads_union", False))))
    return tuple(rules)


@dataclass(frozen=True)
class Mixup:
    name: str
    union_question: str
    markers: tuple[str, ...]


@lru_cache(maxsize=4)
def load_mixups(path: Path = SCOPE_FILE) -> tuple[Mixup, ...]:
    if not Path(path).exists():
        return ()
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    return tuple(Mixup(raw["name"], raw["union_question"],
                       tuple(dict.fromkeys(m for m in (_norm_marker(x) for x in raw.get("markers", [])) if m)))
                 for raw in data.get("mixup", []))


def mixup(query: str) -> Mixup | None:
    """The rule an out-of-scope question shares in name with the union (số dư, trúng cử, quorum), if any."""
    padded = f" {query} "
    return next((m for m in load_mixups() if any(f" {marker} " in padded for marker in m.markers)), None)


# "… quá nửa số phiếu giống bầu BCH công đoàn không?": the union named as the yardstick of a comparison that
# ends the question is not what the question is about.
_COMPARISON = re.compile(r" (?:giong|nhu|tuong tu|so voi|khac voi|khac) (?:\S+ ){0,5}?(?:cong doan|cdcs)(?: \S+){0,3} ?$")


# "Bên công đoàn thì tôi nắm rồi, còn bên Đoàn …": the union named to set it aside.
_SET_ASIDE = re.compile(r" (?:ben|phan|ve) (?:cong doan|cdcs) (?:thi )?(?:(?:toi|minh|em|chung toi) )?(?:da )?"
                        r"(?:nam|biet|ro|hieu)(?: \S+){0,2}")

_COMPARING = ("giong", "tuong tu", "so voi", "khac voi")
# "tôi là …", after a letter's greeting ("Kính gửi Ban biên tập, tôi là …", "Xin chào, em là …")
_INTRO = re.compile(r"^(?:(?:kinh gui|thua|xin chao|chao)\b.{0,40}?\s)?(?:toi|minh|em|chau) "
                    r"(?:la|tung la|tung lam|dang la|dang lam|hien la|lam) ")


def _introduces(sentence: str) -> bool:
    """A first sentence where the officer says who he is ("tôi là chủ tịch công đoàn …")."""
    return bool(_INTRO.match(sentence)) and names_union(sentence)


def names_union(query: str) -> bool:
    padded = _SET_ASIDE.sub(" ", _COMPARISON.sub(" ", f" {query} ")) + " "
    return any(f" {m} " in padded for m in UNION_MARKERS)


_INDEXES: dict[int, tuple[tuple, dict, dict]] = {}  # id(rules) → (rules, plain index, accented index)


def _marker_index(rules: tuple[_Rule, ...]) -> tuple[dict, dict]:
    """First syllable → (marker's syllables, rule's position) for every marker, and the same for the
    markers that need their diacritics: one pass over the question finds every rule that fires (a text
    search a marker cost more than the ranking on long letters). Kept by identity: hashing the rules
    for a cache cost as much again."""
    known = _INDEXES.get(id(rules))
    if known is not None and known[0] is rules:
        return known[1], known[2]
    plain: dict[str, list[tuple[tuple[str, ...], int]]] = {}
    accented: dict[tuple[str, str | None], list[tuple[tuple, int]]] = {}
    for i, rule in enumerate(rules):
        for marker in rule.markers:
            syllables = tuple(marker.split())
            plain.setdefault(syllables[0], []).append((syllables, i))
        for marker in rule.accented:
            accented.setdefault(marker[0], []).append((tuple(marker), i))
    if len(_INDEXES) >= 8:
        _INDEXES.clear()
    _INDEXES[id(rules)] = (rules, plain, accented)
    return plain, accented


def _runs(index: dict, items: list, fired: set[int], first_of) -> None:
    """Add to `fired` each rule with a marker as a run of `items`, not right after "cong"."""
    for pos, item in enumerate(items):
        for run, i in index.get(item, ()):
            if i not in fired and tuple(items[pos:pos + len(run)]) == run \
                    and not (pos and first_of(items[pos - 1]) == "cong"):
                fired.add(i)


def _fired(rules: tuple[_Rule, ...], words: list[str], typed: tuple[tuple[str, str | None], ...]) -> set[int]:
    """The rules with a marker as whole words of the question (or typed with the marker's diacritics),
    never right after "cong" ("công đoàn trường" is the school's union)."""
    plain, accented = _marker_index(rules)
    fired: set[int] = set()
    _runs(plain, words, fired, lambda w: w)
    if accented and typed:
        _runs(accented, list(typed), fired, lambda t: t[0])
    return fired


def out_of_scope(query: str, rules: tuple[_Rule, ...] | None = None,
                 typed: tuple[tuple[str, str | None], ...] = ()) -> OutOfScope | None:
    """What the (normalised) question is about when it is not the assistant's, else None. `typed`: the
    question's analysed syllables (knowledge/normalize.analyze), for the markers that need diacritics."""
    rules = load_scope() if rules is None else rules
    padded = f" {query} "
    fired = _fired(rules, query.split(), typed)
    for i, rule in enumerate(rules):
        if rule.kind == "subject" and i in fired and not any(f" {u} " in padded for u in rule.unless):
            return OutOfScope(rule.kind, rule.name, rule.where_to_ask, rule.leads_union)
    if names_union(query):
        return None
    for i, rule in enumerate(rules):
        if rule.kind == "organisation" and i in fired:
            return OutOfScope(rule.kind, rule.name, rule.where_to_ask, rule.leads_union)
    return None


def _sentence_scope(sentence: str) -> OutOfScope | None:
    typed = analyze(sentence)
    return out_of_scope(" ".join(w for w, _ in typed), typed=typed)


def _closing_questions(question: str) -> list[str]:
    """The sentences the writer closed with "?" (without the sentence before a short one)."""
    return [sentences_of(part)[-1] for part in re.split(r"(?<=\?)", question) if part.rstrip().endswith("?")]


# A closing question that asks whether what someone said is right ("… có đúng không?").
_CHECKING = ("co dung khong", "dung khong", "phai khong", "dung hay sai", "co dung", "hop ly khong")


def story_scope(question: str, whole: OutOfScope | None) -> OutOfScope | None:
    """The verdict on the whole question (`whole`), reconsidered sentence by sentence for a story:
    - the union named only in passing ("tôi cũng là đoàn viên công đoàn") while the sentence that asks is
      about another organisation: that organisation's question;
    - a neighbouring subject told only in the middle of a union story ("… để nói chuyện với chủ về tiền
      tăng ca. Cần bao nhiêu người để lập công đoàn?"), neither in its first sentence (what the story is
      about) nor in a sentence that asks: the union's question."""
    if whole is None:
        # "Thôn tôi bầu trưởng thôn … Tôi thấy bầu chủ tịch công đoàn chỉ cần quá nửa, có giống không?": the
        # union named only in the sentences that compare is the yardstick, the rest says what is asked.
        sentences = sentences_of(question)
        normalised = {s: normalize(s) for s in sentences}
        plain = [s for s in sentences if not any(f" {c} " in f" {normalised[s]} " for c in _COMPARING)]
        if plain and len(plain) < len(sentences) and not any(names_union(normalised[s]) for s in plain):
            verdict = _sentence_scope(" ".join(plain))
            if verdict is not None and verdict.kind == "organisation":
                return verdict
        # "Tôi là tổ trưởng công đoàn, đồng thời là tổ trưởng tổ dân phố. Sắp bầu HĐND xã …": the union named
        # only where the officer introduces himself, another body named in the story.
        rest = sentences[1:]
        if rest and _introduces(normalised[sentences[0]]) and not any(names_union(normalised[s]) for s in rest):
            verdict = next((v for v in map(_sentence_scope, rest)
                            if v is not None and v.kind == "organisation" and not v.leads_union), None)
            if verdict is not None:
                return verdict
    asking = asking_sentences(question)
    if not asking:
        return whole
    if whole is None:
        # "Xã mình sắp bầu HĐND. Anh chủ tịch công đoàn trường được giới thiệu ứng cử … Phải đạt bao nhiêu
        # phần trăm?": the story opens on another body and the union is named neither there nor where it asks.
        opening = _sentence_scope(sentences[0])
        if opening is not None and opening.kind == "organisation" and not opening.leads_union \
                and not any(names_union(normalize(s)) for s in [sentences[0], *asking]):
            return opening
        # The sentence before a short closing question is its context ("Đảng ủy xã yêu cầu xong trước tháng
        # 10. Hạn chót là ngày nào?"): another body named there does not make a union story that body's.
        asked = [s for s in asking if s in _closing_questions(question)] or asking
        # "… tái cử BCH CĐCS. Bí thư chi bộ bảo cứ để chi bộ quyết, có đúng không?": the Party leads the union;
        # named where a union story asks, it is whose word the officer doubts, not another body's question.
        told = sentences_of(question)
        told = told[:told.index(asked[0])] if asked[0] in told else []
        union_story = any(names_union(normalize(s)) and _sentence_scope(s) is None for s in told) and any(
            f" {c} " in f" {normalize(s)} " for s in asked for c in _CHECKING)
        return next((s for s in map(_sentence_scope, asked) if s is not None and s.kind == "organisation"
                     and not (s.leads_union and union_story)), None)
    if whole.kind == "subject" and names_union(normalize(question)):
        if not any(_sentence_scope(s) for s in asking + sentences_of(question)[:1]):
            return None
    return whole
