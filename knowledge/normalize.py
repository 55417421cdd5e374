"""Vietnamese text normalisation for matching.

Officers type with or without diacritics, with abbreviations and chat filler. Everything is
compared in one folded form: NFC, lower case, diacritics removed (đ→d), abbreviations expanded,
filler dropped, punctuation turned into spaces.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from knowledge.text_cache import text_cache

# Abbreviations officers use, keyed by their folded form. Values are folded too.
ABBREVIATIONS: dict[str, str] = {
    "cdcs": "cong doan co so",
    "cdbp": "cong doan bo phan",
    "cdvc": "cong doan vien chuc",
    "cdvn": "cong doan viet nam",
    "cd": "cong doan",
    "bch": "ban chap hanh",
    "btv": "ban thuong vu",
    "ubkt": "uy ban kiem tra",
    "ub": "uy ban",
    "dh": "dai hoi",
    "dhdb": "dai hoi dai bieu",
    "tld": "tong lien doan",
    "tldld": "tong lien doan lao dong",
    "ldld": "lien doan lao dong",
    "hd": "huong dan",
    "kh": "ke hoach",
    "qd": "quyet dinh",
    "dv": "doan vien",
    "db": "dai bieu",
    "uv": "uy vien",
    "ct": "chu tich",
    "pct": "pho chu tich",
    "nk": "nhiem ky",
    "bn": "bao nhieu",
    "bnhieu": "bao nhieu",
    "bao nhiu": "bao nhieu",
    "ntn": "nhu the nao",
    "ko": "khong",
    "k": "khong",
    "kg": "khong",
    "khg": "khong",
    "hok": "khong",
    "dc": "duoc",
    "ng": "nguoi",
    "nld": "nguoi lao dong",
    "dhspkt": "dai hoc su pham ky thuat",
    "spkt": "su pham ky thuat",
    "tp": "thanh pho",
    "hn": "ha noi",
    "hcm": "ho chi minh",
    "tphcm": "thanh pho ho chi minh",
    "tphn": "thanh pho ha noi",
    "tw": "trung uong",
    "mtq": "mot",
    "vs": "voi",
    "j": "gi",
    "ji": "gi",
    "nhiu": "nhieu",
    "tn": "the nao",
    "sl": "so luong",
    "cdv": "doan vien",
    "dvcd": "doan vien cong doan",
    "dhcd": "dai hoi cong doan",
    "dhcdcs": "dai hoi cong doan co so",
    "ctcd": "chu tich cong doan",
    "cbcnv": "can bo cong nhan vien",
    "cbccvc": "can bo cong chuc vien chuc",
    "%": "phan tram",
}

# Multi-word rewrites applied before word-level abbreviations (folded forms): the words officers use
# for what the knowledge writes otherwise, each with the syllables that must not precede it and those
# that must not follow it. "công đoàn viên" is a member but "công đoàn viên chức" a union; "phí công
# đoàn" is the member's fee but "kinh phí công đoàn" the employer's 2%.
PHRASE_REWRITES: list[tuple[str, str, set[str], set[str]]] = [
    ("truong dh", "truong dai hoc", set(), set()),
    ("dh su pham", "dai hoc su pham", set(), set()),
    ("dh sp", "dai hoc su pham", set(), set()),
    ("ty le", "ti le", set(), set()),
    ("bo xung", "bo sung", set(), set()),  # the common misspelling of "bổ sung"
    ("hoi nhi", "hoi nghi", set(), set()),
    # "hn" is Hà Nội, except before what a conference is of ("hn bch lần 1", "hn đại biểu").
    *((f"hn {w}", f"hoi nghi {w}", set(), set()) for w in (
        "bch", "ban", "db", "dai bieu", "nld", "nguoi lao dong", "cong nhan", "can bo", "lan", "thay",
        "tong ket", "cbcnv", "cbccvc")),
    ("cong doan vien", "doan vien", set(), {"chuc"}),
    ("phi cong doan", "doan phi", {"kinh"}, set()),
]

# Chat filler that carries no meaning for matching (folded forms, longest first).
FILLER_PHRASES: list[str] = sorted([
    "cho em hoi", "cho minh hoi", "cho toi hoi", "cho hoi", "xin hoi", "em muon hoi",
    "minh muon hoi", "ad oi", "admin oi", "anh chi oi", "anh oi", "chi oi", "ban oi",
    "giup em", "giup minh", "voi a", "nhe a", "a nhe", "vay a", "the a", "duoc khong a",
    "xin cam on", "cam on",
    # The frame of a letter to a Q&A column ("Mong sớm nhận hồi đáp", "Xin tư vấn giúp tôi").
    "mong som nhan hoi dap", "mong som nhan duoc hoi dap", "mong nhan duoc tu van", "mong nhan duoc phan hoi",
    "mong nhan duoc hoi dap", "mong duoc giai dap", "mong ban giai dap", "nho ban giai dap", "xin tu van giup toi",
    "xin tu van giup", "xin tu van", "tu van giup toi", "ban bien tap", "thu ky luat", "chan thanh cam on",
    "toi muon hoi rang", "toi muon hoi", "cho toi hoi", "xin cho hoi", "xin duoc hoi", "rat mong",
    "theo quy dinh cua phap luat hien hanh", "theo quy dinh phap luat hien hanh", "theo quy dinh hien hanh",
    "anh chi co the giai thich giup duoc khong", "giai dap giup toi", "giai dap giup",
], key=len, reverse=True)
# Only syllables that are filler in every reading once folded ("chi", "ban", "toi", "ha" are not:
# chỉ định, ủy ban, tối đa, Hà Nội).
FILLER_WORDS = {"a", "ad", "admin", "oi", "nhe", "nha", "ak", "ah", "uh", "um", "z", "ne", "hen",
                "em", "vay"}

_PUNCT = re.compile(r"[^\w/%.,-]+", re.UNICODE)
_SPACES = re.compile(r"\s+")
# Characters no one types on purpose, and the ones that make text misbehave later: lone surrogates (a
# JSON "\ud800" escape; UTF-8 encoding, so SQLite and log files, refuse them), zero-width and bidi
# marks, embeddings, overrides and isolates (they reorder what an admin or a log shows), the BOM,
# invisible operators, tag characters and non-characters. Line feed and tab are kept by `safe_text`;
# a question also loses U+FFFD, the mark left where undecodable input was replaced.
_INVISIBLE = (r"\u200b-\u200f\u2028-\u202f\u2060-\u2064\u2066-\u206f\u061c\u180e\ufeff\ufff9-\ufffb"
              r"\ufffe\uffff\U000e0000-\U000e007f\ud800-\udfff")
_CONTROL = re.compile(rf"[\u0000-\u001f\u007f-\u009f\ufffd{_INVISIBLE}]")
_UNSAFE = re.compile(rf"[\u0000-\u0008\u000b-\u001f\u007f-\u009f{_INVISIBLE}]")


def safe_text(text: str) -> str:
    """Text from outside made safe to store, log and show, with its lines kept: CRLF and CR become LF,
    the characters above become a space (so "đại\u200bhội" still reads as two syllables)."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return _UNSAFE.sub(" ", text)


def clean_input(text: str) -> str:
    """One line to compare: control, zero-width and bidi characters and lone surrogates out, NFC, white
    space collapsed (keeps case and diacritics)."""
    text = _CONTROL.sub(" ", text or "")
    text = unicodedata.normalize("NFC", text)
    return _SPACES.sub(" ", text).strip()


# Every non-spacing mark of the first plane (Vietnamese tones and vowel marks among them), for str.translate.
_DROP_MARKS = {cp: None for cp in range(0x10000) if unicodedata.category(chr(cp)) == "Mn"}

# Caches bounded by the characters they keep (knowledge/text_cache.py): the knowledge's ~220,000
# characters of phrasings fit, so an index rebuild and `knowledge check` analyse each phrasing once.
@text_cache(max_entries=8192, max_chars=500_000)
def fold(text: str) -> str:
    """Lower-case and remove Vietnamese diacritics (đ→d); keeps punctuation."""
    # NFKD also maps full-width and other compatibility forms ("ＣĐＣＳ") to plain letters.
    text = unicodedata.normalize("NFKD", clean_input(text).lower()).translate(_DROP_MARKS)
    if not text.isascii() and max(text) > "\uffff":  # marks beyond the first plane (rare): one by one
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return text.replace("đ", "d").replace("ð", "d")


def _tidy_punctuation(text: str) -> str:
    # Keep "2/3", "1.100", "30/4/2023", "5%" together; drop other punctuation.
    text = text.replace("–", "-").replace("—", "-")
    text = re.sub(r"[.,](?!\d)|(?<!\d)[.,]", " ", text)
    text = re.sub(r"(?<!\d)[/-]|[/-](?!\d)", " ", text)
    text = re.sub(r"(\d)\s*%", r"\1 %", text)
    return _PUNCT.sub(" ", text)


_TONE_MARKS = {"\u0300": "2", "\u0301": "1", "\u0309": "3", "\u0303": "4", "\u0323": "5"}


@lru_cache(maxsize=65536)  # syllables are few and short: a full cache holds a few MB
def accent_key(syllable: str) -> str:
    """The syllable's letters with their vowel marks, then its tone: "ủy" and "uỷ" (old and new tone
    placement) give the same key, "dư" and "dự" do not."""
    decomposed = unicodedata.normalize("NFD", syllable)
    tone = next((_TONE_MARKS[ch] for ch in decomposed if ch in _TONE_MARKS), "")
    letters = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONE_MARKS))
    return letters + tone


_REWRITE_TOKENS = [(tuple(p.split()), tuple(r.split()), before, after) for p, r, before, after in PHRASE_REWRITES]
_FILLER_TOKENS = [tuple(p.split()) for p in FILLER_PHRASES]


def _replace_runs(tokens: list[tuple[str, str | None]], words: list[str], pattern: tuple[str, ...],
                  replacement: tuple[str, ...], not_before: set[str] = frozenset(),
                  not_after: set[str] = frozenset()) -> list[tuple[str, str | None]]:
    """Replace every run of folded tokens (`words`, their folded forms) equal to `pattern` (replacements
    carry no accents), except where it is preceded by a syllable of `not_before` or followed by one of
    `not_after`. Returns `tokens` itself when nothing matched."""
    n, first = len(pattern), pattern[0]
    hits: list[int] = []
    i = 0
    while True:
        try:
            i = words.index(first, i)  # a C-level scan: most patterns tried never match in full
        except ValueError:
            break
        if tuple(words[i:i + n]) == pattern and not (
                (i > 0 and words[i - 1] in not_before) or (i + n < len(words) and words[i + n] in not_after)):
            hits.append(i)
            i += n
        else:
            i += 1
    if not hits:
        return tokens
    out: list[tuple[str, str | None]] = []
    start = 0
    for i in hits:
        out.extend(tokens[start:i])
        out.extend((word, None) for word in replacement)
        start = i + n
    out.extend(tokens[start:])
    return out


@text_cache(max_entries=8192, max_chars=400_000)
def analyze(text: str, drop_filler: bool = True) -> tuple[tuple[str, str | None], ...]:
    """The question as (folded syllable, accented syllable or None) pairs.

    The folded form is what every comparison uses; the accented form is kept only for syllables the
    person typed with diacritics ("dư" vs "dự"), so the matcher can tell them apart when they were typed.
    Abbreviation expansions and rewrites carry no accent (the person did not type those letters).
    """
    folded_words = _SPACES.sub(" ", _tidy_punctuation(fold(text))).split()
    accented = unicodedata.normalize("NFKC", clean_input(text)).lower()
    accented_words = _SPACES.sub(" ", _tidy_punctuation(accented)).split()
    if len(accented_words) != len(folded_words):  # odd compatibility characters: no accent information
        accented_words = folded_words
    tokens = [(f, accent_key(a) if a != f else None) for f, a in zip(folded_words, accented_words)]
    words = [t[0] for t in tokens]
    present = set(words)  # only patterns whose first syllable occurs can apply
    for pattern, replacement, not_before, not_after in _REWRITE_TOKENS:
        if pattern[0] in present:
            replaced = _replace_runs(tokens, words, pattern, replacement, not_before, not_after)
            if replaced is not tokens:
                tokens, words = replaced, [t[0] for t in replaced]
                present = set(words)
    if drop_filler:
        for phrase in _FILLER_TOKENS:
            if phrase[0] in present:
                replaced = _replace_runs(tokens, words, phrase, ())
                if replaced is not tokens:
                    tokens, words = replaced, [t[0] for t in replaced]
                    present = set(words)
    result: list[tuple[str, str | None]] = []
    for folded_word, accent in tokens:
        expanded = ABBREVIATIONS.get(folded_word)
        if expanded is None:
            if not (drop_filler and folded_word in FILLER_WORDS):
                result.append((folded_word, accent))
            continue
        for word in expanded.split():
            if not (drop_filler and word in FILLER_WORDS):
                result.append((word, None))
    return tuple(result)


def normalize(text: str, drop_filler: bool = True) -> str:
    """The folded, abbreviation-expanded form used for every comparison."""
    return " ".join(word for word, _ in analyze(text, drop_filler))


def tokens(text: str) -> list[str]:
    """Normalised syllables of `text`."""
    return normalize(text).split()


def has_letters(text: str) -> bool:
    """True when the text holds at least one letter or digit (emoji-only or symbols-only is False)."""
    return any(ch.isalnum() for ch in clean_input(text))


def is_vietnamese_or_latin(text: str) -> bool:
    """True when most letters are Latin script (Vietnamese included)."""
    letters = [ch for ch in clean_input(text) if ch.isalpha()]
    if not letters:
        return False
    latin = sum(1 for ch in letters if "LATIN" in unicodedata.name(ch, ""))
    return latin / len(letters) >= 0.6
