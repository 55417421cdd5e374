"""The words for unit levels, congress forms and statuses: stored keys, Vietnamese labels, and parsing
of what union offices type in their spreadsheets (with or without diacritics)."""
from __future__ import annotations

import re

from knowledge.normalize import fold

# Ordered from the lowest level up: a unit's parent must sit higher.
LEVELS: dict[str, str] = {
    "to_cong_doan": "tổ công đoàn",
    "cong_doan_bo_phan": "công đoàn bộ phận",
    "cong_doan_co_so": "công đoàn cơ sở",
    "cap_tren_co_so": "công đoàn cấp trên trực tiếp cơ sở",
}
LEVEL_RANK = {key: rank for rank, key in enumerate(LEVELS)}

FORMS: dict[str, str] = {
    "toan_the": "đại hội toàn thể",
    "dai_bieu": "đại hội đại biểu",
}

STATUSES: dict[str, str] = {
    "chua_to_chuc": "chưa tổ chức",
    "da_to_chuc": "đã tổ chức",
    "hoan": "hoãn",
}


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split())


def parse_level(text: str) -> str | None:
    """'Công đoàn bộ phận', 'CĐBP', 'cong doan co so', 'cấp trên trực tiếp cơ sở' → a LEVELS key."""
    t = _key(text)
    if not t:
        return None
    if t in LEVELS:
        return t
    if "cap tren" in t or t in ("cttcs", "ctcs", "cap tren co so"):
        return "cap_tren_co_so"
    if t.startswith("to") and ("cong doan" in t or t in ("to", "to cd", "tcd")):
        return "to_cong_doan"
    if "bo phan" in t or t in ("cdbp", "bp"):
        return "cong_doan_bo_phan"
    if "co so" in t or t in ("cdcs", "cs", "cdcs thanh vien") or "nghiep doan" in t:
        return "cong_doan_co_so"
    return None


def parse_form(text: str) -> str | None:
    t = _key(text)
    if t in FORMS:
        return t
    if "toan the" in t:
        return "toan_the"
    if "dai bieu" in t:
        return "dai_bieu"
    return None


def parse_status(text: str) -> str | None:
    t = _key(text)
    if t in STATUSES:
        return t
    words = t.split()
    if not words:
        return None
    if t in ("xong", "hoan thanh", "da xong", "da hoan thanh") or words[0] == "da":
        return "da_to_chuc"
    if words[0] == "chua" or t == "dang chuan bi":
        return "chua_to_chuc"
    if words[0] == "hoan" or t.startswith("tam hoan") or t.startswith("lui"):
        return "hoan"
    return None
