"""Rules with a figure, applied to the counts an officer gives ("triệu tập 45, có mặt 28: khai mạc được không?").

Each calculator recognises its question and the roles of the numbers in it, and answers with the
arithmetic in one line and the rule's source. Only verified rules; where an edition's rule is not verified,
the answer says so and applies the other edition's rule, labelled. When the counts contradict each other,
it says so instead of computing. No figure without a rule.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from knowledge.normalize import normalize

OLD, NEW = "2023-2028", "2025-2030"
QUORUM_SOURCE = "Điều lệ CĐVN khóa XII (QĐ 174/QĐ-TLĐ năm 2020), Điều 10 khoản 1"
ELECTED_SOURCE = "Điều lệ CĐVN khóa XII (QĐ 174/QĐ-TLĐ năm 2020), Điều 10 khoản 3"
UNVERIFIED_NEW = ("Trợ lý chưa có nguyên văn Điều lệ khóa XIII về điểm này; theo Điều lệ khóa XII (nhiệm kỳ "
                  "trước): ")


@dataclass(frozen=True)
class Calculation:
    text: str
    source: str
    rule: str            # "quorum", "elected", "bch_size"
    edition: str         # the edition whose rule was applied


def _fmt(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _numbers(words: list[str]) -> list[tuple[int, int]]:
    """(position, value) of every whole number (1.100 → 1100); dates and fractions are skipped."""
    found = []
    for i, w in enumerate(words):
        if re.fullmatch(r"\d{1,3}(\.\d{3})+|\d{1,7}", w):
            found.append((i, int(w.replace(".", ""))))
    return found


def _near(words: list[str], i: int, cues: tuple[str, ...], before: int = 4, after: int = 3) -> bool:
    left = " " + " ".join(words[max(0, i - before):i]) + " "
    right = " " + " ".join(words[i + 1:i + 1 + after]) + " "
    return any(f" {c} " in left or f" {c} " in right for c in cues)


_CONVENED = ("trieu tap", "chinh thuc", "tong so", "danh sach", "tong cong", "co tat ca", "tat ca")
_PRESENT = ("co mat", "den du", "tham du", "moi co", "chi co", "den", "du hop", "co mat la", "co")
_ABSENT = ("vang", "vang mat", "khong den", "nghi")
_QUORUM_ASK = ("hop le", "khai mac", "tien hanh", "du dieu kien", "du so", "du 2/3", "du nguoi", "duoc khong")


def quorum(query: str, edition: str) -> Calculation | None:
    words = query.split()
    padded = f" {query} "
    if not any(f" {c} " in padded for c in _QUORUM_ASK) or " phieu " in padded:
        return None
    convened = present = absent = None
    for i, value in _numbers(words):
        if convened is None and _near(words, i, _CONVENED):
            convened = value
        elif absent is None and _near(words, i, _ABSENT, before=2, after=1):
            absent = value
        elif present is None and _near(words, i, _PRESENT, before=3, after=2):
            present = value
    if convened is None or (present is None and absent is None):
        return None
    if present is None:
        present = convened - absent
    if present > convened or present < 0:
        text = (f"Các con số chưa khớp: {_fmt(present)} người dự nhiều hơn {_fmt(convened)} người được triệu "
                "tập. Anh/chị kiểm tra lại số được triệu tập và số có mặt.")
        return Calculation(text, QUORUM_SOURCE, "quorum", OLD)
    need = math.ceil(convened * 2 / 3)
    verdict = (f"có {_fmt(present)} nên đủ điều kiện khai mạc, đại hội hợp lệ" if present >= need
               else f"mới có {_fmt(present)} nên chưa đủ để khai mạc (thiếu {_fmt(need - present)} người)")
    line = f"{_fmt(convened)} × 2/3 = {convened * 2 / 3:.2f}".replace(".00", "").replace(".", ",")
    text = (f"{line}: cần ít nhất {_fmt(need)} người; {verdict}. Đại hội hợp lệ khi có ít nhất 2/3 tổng số "
            "thành viên được triệu tập tham dự.")
    if edition == NEW:
        text = UNVERIFIED_NEW + text[0].lower() + text[1:]
    return Calculation(text, QUORUM_SOURCE, "quorum", OLD)


_BALLOTS = ("thu ve", "phat ra", "tong so phieu", "phieu thu", "so phieu thu ve", "phieu bau")
_VOTES = ("duoc", "dat", "co", "nhan")
_ELECTED_ASK = ("trung cu", "dac cu", "dau", "duoc bau", "trung")


def elected(query: str, edition: str) -> Calculation | None:
    words = query.split()
    padded = f" {query} "
    if not any(f" {c} " in padded for c in _ELECTED_ASK) or " phieu " not in padded:
        return None
    ballots = votes = None
    for i, value in _numbers(words):
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if ballots is None and _near(words, i, _BALLOTS, before=4, after=2):
            ballots = value
        elif votes is None and nxt == "phieu" and _near(words, i, _VOTES, before=2, after=0):
            votes = value
    if ballots is None or votes is None:
        return None
    if votes > ballots:
        text = (f"Các con số chưa khớp: {_fmt(votes)} phiếu bầu cho một người nhiều hơn {_fmt(ballots)} phiếu "
                "thu về. Anh/chị kiểm tra lại biên bản kiểm phiếu.")
        return Calculation(text, ELECTED_SOURCE, "elected", OLD)
    need = ballots // 2 + 1
    verdict = (f"{_fmt(votes)} phiếu là đủ điều kiện trúng cử" if votes >= need
               else f"{_fmt(votes)} phiếu là chưa đủ, không trúng cử")
    text = (f"{_fmt(ballots)} : 2 = {ballots / 2:g}".replace(".", ",")
            + f"; phải quá 1/2 nên cần ít nhất {_fmt(need)} phiếu: {verdict}. Mẫu số là tổng số phiếu thu về "
            "(kể cả phiếu không hợp lệ); nếu nhiều người cùng đạt thì lấy từ cao xuống thấp cho đủ số lượng.")
    if edition == NEW:
        text = UNVERIFIED_NEW + text
    return Calculation(text, ELECTED_SOURCE, "elected", OLD)


# KH 22/KH-TLĐ (29/8/2025), Mục III phần B.1: BCH of a grassroots union by members, the 2025 round's figure;
# HD 38/HD-TLĐ mục 10 gives two more at every tier (and other lower tiers).
_KH22_TIERS = [(50, 3), (150, 5), (500, 9), (1000, 11), (3000, 13), (7000, 15), (10000, 17), (15000, 19),
               (20000, 21), (25000, 23), (None, 25)]
_HD38_TIERS = [(30, 3), (150, 7), (500, 11), (1000, 13), (3000, 15), (7000, 17), (10000, 19), (15000, 21),
               (20000, 23), (25000, 25), (None, 27)]
_BCH_ASK = ("bao nhieu", "toi da", "may", "so luong", "bao nhieu nguoi", "bao nhieu uy vien")


def _tier(members: int, tiers) -> int:
    return next(size for limit, size in tiers if limit is None or members < limit)


def bch_size(query: str, edition: str) -> Calculation | None:
    padded = f" {query} "
    if " ban chap hanh " not in padded or not any(f" {c} " in padded for c in _BCH_ASK):
        return None
    if any(f" {w} " in padded for w in ("bo phan", "thanh vien", "uy ban kiem tra", "ban thuong vu", "tinh",
                                         "nganh")):
        return None  # other levels have other frames; the knowledge entries answer those
    words = query.split()
    members = None
    for i, value in _numbers(words):
        nxt = " ".join(words[i + 1:i + 3])
        if nxt.startswith("doan vien") or nxt.startswith("nguoi lao dong") or nxt.startswith("cong nhan"):
            members = value
            break
    if members is None:
        return None
    if edition == NEW:
        kh, hd = _tier(members, _KH22_TIERS), _tier(members, _HD38_TIERS)
        text = (f"Công đoàn cơ sở {_fmt(members)} đoàn viên: theo KH 22/KH-TLĐ (áp dụng cho đại hội nhiệm kỳ "
                f"2025–2030) ban chấp hành từ 03 đến tối đa {kh:02d} ủy viên. HD 38/HD-TLĐ (mục 10) ghi mức "
                f"tối đa {hd:02d} cho cùng quy mô; khi hai văn bản khác nhau, đề nghị hỏi công đoàn cấp trên "
                "trực tiếp. Đại hội quyết định số lượng cụ thể trong khung.")
        source = "KH 22/KH-TLĐ ngày 29/8/2025, Mục III phần B.1; HD 38/HD-TLĐ ngày 27/12/2024, mục 10"
        return Calculation(text, source, "bch_size", NEW)
    source = "HD 03/HD-TLĐ ngày 20/02/2020, mục 9.1"
    if members < 10:
        text = (f"Công đoàn cơ sở {_fmt(members)} đoàn viên (dưới 10): không bầu ban chấp hành, chỉ bầu chức "
                "danh chủ tịch công đoàn.")
    elif members >= 3000:
        text = (f"Công đoàn cơ sở {_fmt(members)} đoàn viên (từ 3.000 trở lên): ban chấp hành từ 03 đến 15 ủy "
                "viên, đại hội có thể quyết định nhiều hơn nhưng không quá 19 ủy viên.")
    else:
        text = (f"Công đoàn cơ sở {_fmt(members)} đoàn viên: ban chấp hành từ 03 đến 15 ủy viên (được vượt 15, "
                "tối đa 19, chỉ khi có từ 3.000 đoàn viên). Đại hội quyết định số lượng cụ thể trong khung.")
    return Calculation(text, source, "bch_size", OLD)


CALCULATORS = (quorum, elected, bch_size)


def calculate(question: str, edition: str) -> Calculation | None:
    """The first calculator that recognises the question and finds all its counts."""
    query = normalize(question)
    for calculator in CALCULATORS:
        result = calculator(query, edition)
        if result is not None:
            return result
    return None


@dataclass(frozen=True)
class BchFrame:
    """How many BCH members a grassroots union of `members` may elect under an edition's rule."""
    low: int
    high: int            # the most any document of the edition allows
    usual_high: int      # above it the edition's documents differ (2025–2030: KH 22 below HD 38)
    text: str            # the rule in one sentence, with the members count
    source: str


def bch_frame(members: int, edition: str) -> BchFrame:
    """The frame of bch_size above, as numbers (the results flow checks an answer against it)."""
    if edition == NEW:
        kh, hd = _tier(members, _KH22_TIERS), _tier(members, _HD38_TIERS)
        text = (f"với {_fmt(members)} đoàn viên, KH 22/KH-TLĐ cho ban chấp hành từ 03 đến {kh:02d} ủy viên "
                f"(HD 38/HD-TLĐ ghi tối đa {hd:02d})")
        return BchFrame(3, hd, kh, text, "KH 22/KH-TLĐ, Mục III phần B.1; HD 38/HD-TLĐ, mục 10")
    source = "HD 03/HD-TLĐ ngày 20/02/2020, mục 9.1"
    if members < 10:
        return BchFrame(0, 0, 0, f"công đoàn cơ sở {_fmt(members)} đoàn viên (dưới 10) không bầu ban chấp "
                                 "hành, chỉ bầu chủ tịch", source)
    high = 19 if members >= 3000 else 15
    text = (f"với {_fmt(members)} đoàn viên, ban chấp hành từ 03 đến 15 ủy viên"
            + (", đại hội có thể quyết định tới 19" if high == 19 else ""))
    return BchFrame(3, high, high, text, source)
