"""A detail the question asks that the matched answer does not hold ("họp ở hội trường nào", "được cấp bao
nhiêu tiền", "có bao nhiêu công đoàn cơ sở", "tổ chức vào ngày nào"): the closest entry tells what is known,
and the reply says first that this detail is not, so the entry is not read as it.

Only details whose presence in an answer can be seen in its words: a place, a sum of money, a count of
unions or units, a calendar day. Questions and answers are compared normalised (folded, abbreviations
expanded), as the matcher reads them."""
from __future__ import annotations

import re

from knowledge.clauses import asking_sentences
from knowledge.normalize import normalize

# (what is asked, how the question asks it, how an answer that holds it shows it)
_DETAILS = (
    ("địa điểm tổ chức",
     re.compile(r"\b(?:hoi truong nao|dia diem nao|dia diem o dau|to chuc o dau|to chuc tai dau|hop o dau|dien ra o dau"
                r"|to chuc o hoi truong)\b"),
     re.compile(r"\b(?:tai|hoi truong|dia diem|tru so|so \d+)\b")),
    ("số tiền",
     re.compile(r"\b(?:bao nhieu tien|may tien|bn tien|bao nhieu dong(?! chi)|bn dong(?! chi)|muc chi bao nhieu|chi bao nhieu|cap bao nhieu)\b"),
     re.compile(r"\d[\d.,]* ?(?:dong|d|trieu|nghin|ngan|vnd|%)\b|\b\d+ phan tram\b")),
    ("số {unit}",
     re.compile(r"\b(?:bao nhieu|may) (cong doan co so|don vi|cong doan bo phan|nghiep doan)\b"),
     re.compile(r"\b\d[\d.]* (?:cong doan co so|don vi|cong doan bo phan|nghiep doan)\b")),
    ("hạn hoàn thành",
     re.compile(r"\b(?:xong|hoan thanh|ket thuc)(?: \w+){0,4} truoc ngay nao\b|\bhan chot\b|\bhan hoan thanh\b"),
     re.compile(r"\b(?:truoc ngay|cham nhat|thoi han|han chot|xong truoc|truoc thang|truoc \d|ngay lam viec|trong nam|trong quy|den \d{1,2}/\d)")),
    ("ngày cụ thể",
     re.compile(r"\b(?:vao ngay nao|to chuc ngay nao|hop ngay nao|ngay may|ban hanh ngay nao|ky ngay nao)\b"),
     re.compile(r"\b\d{1,2}/\d{1,2}\b|\bthang \d{1,2}\b|\bngay lam viec\b")),
)


# An answer that already says the rule or figure is not known needs no second note.
_UNKNOWN_SAID = re.compile(r"\b(?:chua co quy dinh|chua co thong tin|chua kiem chung|chua co nguyen van)\b")


def missing_detail(question: str, answer: str) -> str:
    """The detail `question` asks for that `answer` does not hold ("" when none). In a story only the
    sentences that ask count ("giống mấy đơn vị bạn … ai quyết định?" asks no count)."""
    asked, held = normalize(" ".join(asking_sentences(question)) or question), normalize(answer)
    if _UNKNOWN_SAID.search(held):
        return ""
    for detail, asks, shows in _DETAILS:
        found = asks.search(asked)
        if found and not shows.search(held):
            return detail.format(unit=_UNITS.get(found.group(found.lastindex or 0), "")) if "{unit}" in detail \
                else detail
    return ""


_UNITS = {"cong doan co so": "công đoàn cơ sở", "don vi": "đơn vị", "cong doan bo phan": "công đoàn bộ phận",
          "nghiep doan": "nghiệp đoàn"}
