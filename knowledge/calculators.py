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
from typing import Callable
from datetime import date, timedelta

from knowledge.clauses import asking_sentences, asks_several, sentences_of
from knowledge.normalize import normalize

OLD, NEW = "2023-2028", "2025-2030"
QUORUM_SOURCE = "Điều lệ CĐVN khóa XII (QĐ 174/QĐ-TLĐ năm 2020), Điều 10 khoản 1"
ELECTED_SOURCE = "Điều lệ CĐVN khóa XII (QĐ 174/QĐ-TLĐ năm 2020), Điều 10 khoản 3"
UNVERIFIED_NEW = ("Trợ lý chưa có nguyên văn Điều lệ khóa XIII về điểm này; theo Điều lệ khóa XII (nhiệm kỳ "
                  "trước): ")


@dataclass(frozen=True)
class Story:
    """The question cut as the calculators need it (all normalised): its sentences, and the ones that ask
    when it also tells a story ("" when it is one question)."""
    sentences: tuple[str, ...] = ()
    asking: str = ""


@dataclass(frozen=True)
class Calculation:
    text: str
    source: str
    rule: str            # "quorum", "elected", "bch_size"
    edition: str         # the edition whose rule was applied


def _fmt(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _dec(x: float) -> str:
    """A result the Vietnamese way: thousands with ".", at most two decimals with "," (733,33; 1.200)."""
    whole, _, frac = f"{x:,.2f}".partition(".")
    frac = frac.rstrip("0")
    return whole.replace(",", ".") + (f",{frac}" if frac else "")


def _older_rule(text: str) -> str:
    """Khóa XII's rule applied where khóa XIII's is not verified: said so, first."""
    return UNVERIFIED_NEW + text[0].lower() + text[1:]


# A number right after these names a document or its part ("HD 38", "KH 22", "Điều 10"), not a count.
_CITING = ("huong dan", "ke hoach", "quyet dinh", "cong van", "chi thi", "thong tri", "nghi quyet", "thong bao",
           "dieu", "khoan", "tieu muc", "muc", "diem", "phu luc", "hd", "kh", "qd", "cv")


def _numbers(words: list[str]) -> list[tuple[int, int]]:
    """(position, value) of every whole number (1.100 → 1100); dates, fractions and document numbers are
    skipped."""
    found = []
    for i, w in enumerate(words):
        if re.fullmatch(r"\d{1,3}(\.\d{3})+|\d{1,7}", w):
            before = " ".join(words[max(0, i - 2):i])
            counted = " ".join(words[i + 1:i + 3]).startswith(_UNITS)  # "quyết định 9 ủy viên" counts
            if not counted and any(before == c or before.endswith(" " + c) for c in _CITING):
                continue
            found.append((i, int(w.replace(".", ""))))
    return found


def _near(words: list[str], i: int, cues: tuple[str, ...], before: int = 4, after: int = 3) -> bool:
    left = " " + " ".join(words[max(0, i - before):i]) + " "
    right = " " + " ".join(words[i + 1:i + 1 + after]) + " "
    return any(f" {c} " in left or f" {c} " in right for c in cues)


def _members_after(words: list[str], i: int) -> bool:
    following = " ".join(words[i + 1:i + 3])
    return following.startswith(("doan vien", "thanh vien"))


_CONVENED = ("trieu tap", "chinh thuc", "tong so", "danh sach", "tong cong", "co tat ca", "tat ca")
_PRESENT_STRONG = ("co mat", "den du", "tham du", "moi co", "chi co", "du hop", "den")
_PRESENT = ("co mat", "den du", "tham du", "moi co", "chi co", "den", "du hop", "co mat la", "co")
_PRESENT_RIGHT_BEFORE = ("chi co", "moi co", "co mat", "den du", "tham du")
_ABSENT = ("vang", "vang mat", "khong den", "nghi")
# Asking how many must attend (not how many must be convened, which is the delegates' rule).
_QUORUM_THRESHOLD = ("hop le", "khai mac", "tien hanh", "co mat", "tham du", "du 2/3", "du so", "du nguoi")
_HOW_MANY_CONVENED = ("phai trieu tap", "trieu tap bao nhieu", "trieu tap toi thieu", "trieu tap it nhat")
_ATTENDANCE = ("co mat", "tham du", "vang", "vang mat", "du hop", "den du", "moi co", "khong den")
_QUORUM_ASK = ("hop le", "khai mac", "tien hanh", "du dieu kien", "du so", "du 2/3", "du nguoi", "duoc khong",
               "bao nhieu dai bieu co mat", "bao nhieu nguoi co mat", "bao nhieu doan vien co mat", "phai co mat")


def _absent_after(words: list[str], i: int) -> bool:
    """"8 đại biểu báo vắng", "5 người vắng mặt": the count of those who did not come."""
    following = " " + " ".join(words[i + 1:i + 5]) + " "
    return any(following.startswith(f" {unit} ") for unit in ("dai bieu", "nguoi", "doan vien", "thanh vien")) \
        and any(f" {c} " in following for c in ("vang", "bao vang", "xin vang", "khong den"))


def quorum(query: str, edition: str, story: Story) -> Calculation | None:
    words = query.split()
    padded = f" {query} "
    # In a story the sentence that asks decides ("… 170 có hợp lệ không … được triệu tập nhiều nhất bao
    # nhiêu đại biểu?" asks the delegates' ceiling, not the quorum).
    # "bầu đủ số tối đa": the seats filled, not the people present
    asking = f" {story.asking or query} ".replace(" bau du so ", " bau ")
    asks = [c for c in _QUORUM_ASK if f" {c} " in asking]
    if not asks and _has(asking, ("toi thieu bao nhieu", "it nhat bao nhieu", "can bao nhieu nguoi")) \
            and _has(padded, ("hop le", "khai mac", "du dieu kien")):
        asks = ["hop le"]  # "… có hợp lệ không. Cần tối thiểu bao nhiêu người?": the story said what is counted
    if not asks or " phieu " in padded or (asks == ["duoc khong"] and not _has(padded, _ATTENDANCE)):
        return None  # "… có được không?" is a quorum question only when it speaks of who came
    if not _has(padded, ("dai hoi", "hoi nghi", "trieu tap", "dai bieu", "doan vien")) or _has(
            padded, ("hoi dong quan tri", "hdqt", "co dong")):
        return None  # the union's congress or conference, not a board or a shareholders' meeting
    convened = present = absent = None
    numbers = _numbers(words)
    if any(" ".join(words[i + 1:i + 3]).startswith(("ky hop", "ky", "cuoc hop", "lan hop", "phien")) for i, _ in numbers):
        return None  # "họp 14 kỳ, dự 7 kỳ": a member's attendance over the term, not a congress's quorum
    # "có 4 công đoàn cơ sở, 300 đoàn viên": counts of unions or units are nobody's attendance
    numbers = [(i, v) for i, v in numbers
               if not " ".join(words[i + 1:i + 4]).startswith(("cong doan", "don vi", "nghiep doan", "to cong doan",
                                                                "chi nhanh", "truong"))]
    # An explicit "triệu tập 90" outranks a member count ("có 210 đoàn viên, triệu tập 90 đại biểu").
    explicit = any(_near(words, i, _CONVENED) for i, _ in numbers)
    for i, value in numbers:
        if present is None and _near(words, i, _PRESENT_RIGHT_BEFORE, before=2, after=0) \
                and not _members_after(words, i):
            present = value  # "chốt danh sách chỉ có 57 người": who comes, whatever list is named before
        elif convened is None and _near(words, i, _CONVENED):
            convened = value
        elif absent is None and (_near(words, i, _ABSENT, before=2, after=1) or _absent_after(words, i)):
            absent = value
        elif present is None and _near(words, i, _PRESENT_STRONG, before=3, after=2):
            present = value
        elif convened is None and not explicit and _members_after(words, i):
            convened = value  # "có 96 đoàn viên": at a full congress every member is convened
        elif present is None and _near(words, i, _PRESENT, before=3, after=2) and not _members_after(words, i):
            present = value
    if convened is None and present is not None and len(numbers) == 2:
        convened = next(v for _, v in numbers if v != present) if numbers[0][1] != numbers[1][1] else None
    if convened is not None and present is None and absent is None and _has(padded, (
            "toi thieu", "it nhat", "bao nhieu nguoi", "bao nhieu dai bieu", "may nguoi", "bao nhieu doan vien")) \
            and _has(padded, _QUORUM_THRESHOLD) and not _has(padded, _HOW_MANY_CONVENED):
        need = math.ceil(convened * 2 / 3)
        line = f"{_fmt(convened)} × 2/3 = {_dec(convened * 2 / 3)}"
        text = (f"{line}: cần ít nhất {_fmt(need)} người có mặt thì đại hội mới hợp lệ (ít nhất 2/3 tổng số thành "
                "viên được triệu tập).")
        if edition == NEW:
            text = _older_rule(text)
        return Calculation(text, QUORUM_SOURCE, "quorum", OLD)
    if convened is None or (present is None and absent is None):
        return None
    came = ""
    if present is None:
        present = convened - absent
        came = f" ({_fmt(convened)} − {_fmt(absent)} vắng)"
    if present > convened or present < 0:
        text = (f"Các con số chưa khớp: {_fmt(present)} người dự nhiều hơn {_fmt(convened)} người được triệu "
                "tập. Anh/chị kiểm tra lại số được triệu tập và số có mặt.")
        return Calculation(text, QUORUM_SOURCE, "quorum", OLD)
    need = math.ceil(convened * 2 / 3)
    verdict = (f"có {_fmt(present)}{came} nên đủ điều kiện khai mạc, đại hội hợp lệ" if present >= need
               else f"mới có {_fmt(present)}{came} nên chưa đủ 2/3, đại hội không hợp lệ và chưa được khai mạc "
                    f"(thiếu {_fmt(need - present)} người)")
    line = f"{_fmt(convened)} × 2/3 = {_dec(convened * 2 / 3)}"
    text = (f"{line}: cần ít nhất {_fmt(need)} người; {verdict}. Đại hội hợp lệ khi có ít nhất 2/3 tổng số "
            "thành viên được triệu tập tham dự.")
    if edition == NEW:
        text = _older_rule(text)
    return Calculation(text, QUORUM_SOURCE, "quorum", OLD)


_BALLOTS = ("thu ve", "phat ra", "tong so phieu", "phieu thu", "so phieu thu ve", "phieu bau")
_COLLECTED = ("thu ve", "phieu thu", "so phieu thu ve", "tong so phieu thu")
_VOTES = ("duoc", "dat", "co", "nhan", "voi")
_VOTES_STRONG = ("duoc", "dat", "nhan")
_NOT_A_CANDIDATE = ("phieu khong hop le", "phieu hop le", "phieu trang", "phieu hong")
_ELECTED_ASK = ("trung cu", "dac cu", "dau", "duoc bau", "trung", "toi thieu bao nhieu phieu")


def _tally(story: Story, ballots: int) -> list[int]:
    """The votes of each candidate when the story lists them ("A 70 phiếu, B 66, C 61 …"): a sentence with
    three or more counts, none above the ballots, that counts no people or ballots."""
    for sentence in story.sentences:
        words = sentence.split()
        if _has(f" {sentence} ", _COLLECTED + ("phat ra",)):
            continue
        counts = [(i, v) for i, v in _numbers(words)
                  if not " ".join(words[i + 1:i + 3]).startswith(("nguoi", "doan vien", "dai bieu", "uy vien"))
                  and not " ".join(words[i + 1:i + 5]).startswith(_NOT_A_CANDIDATE)]
        if len(counts) >= 3 and all(v <= ballots for _, v in counts) and " phieu " in f" {sentence} ":
            return [v for _, v in counts]
    return []


def _seats(words: list[str]) -> int | None:
    """"bầu ban chấp hành 7 người": how many are to be elected."""
    for i, value in _numbers(words):
        if words[i + 1:i + 2] in (["nguoi"], ["uy"]) and "bau" in words[max(0, i - 5):i]:
            return value
    return None


_VOTERS = ("dai bieu", "nguoi", "doan vien", "thanh vien")


def _voters(words: list[str], votes: int) -> int | None:
    """Who could vote when no ballot count is told: the count of people present (or, failing that, the one
    count of people), above the candidate's votes."""
    people = [(i, v) for i, v in _numbers(words)
              if " ".join(words[i + 1:i + 3]).startswith(_VOTERS) and v > votes and not _absent_after(words, i)]
    present = [v for i, v in people if _near(words, i, _PRESENT_STRONG, before=3, after=3)]
    if present:
        return present[0]
    return people[0][1] if len({v for _, v in people}) == 1 else None


def elected(query: str, edition: str, story: Story) -> Calculation | None:
    words = query.split()
    padded = f" {query} "
    if not any(f" {c} " in padded for c in _ELECTED_ASK) or " phieu " not in padded:
        return None
    ballots = votes = None
    collected = issued = None
    each: list[int] = []  # every candidate's votes ("anh Long được 26 phiếu, chị Vy được 27 phiếu")
    # "thu về 60" names the count it precedes; "60 phiếu thu về" the one before it. In "phát ra 62 phiếu, thu
    # về 60 phiếu" both readings fit 62, so a count written after "thu về" wins.
    after_cue = next((value for i, value in _numbers(words) if _near(words, i, _COLLECTED, before=2, after=0)),
                     None)
    for i, value in _numbers(words):
        nxt = " ".join(words[i + 1:i + 5])
        if collected is None and (value == after_cue if after_cue is not None
                                  else _near(words, i, _COLLECTED, before=4, after=2)):
            collected = value
        elif issued is None and _near(words, i, _BALLOTS, before=4, after=2):
            issued = value
        elif nxt.startswith(_NOT_A_CANDIDATE):
            continue  # "3 phiếu không hợp lệ" counts ballots, not anyone's votes
        elif nxt.startswith("phieu") and _near(words, i, _VOTES, before=2, after=0):
            each.append(value)
            if votes is None or _near(words, i, _VOTES_STRONG, before=2, after=0):
                votes = value
    # The ballots collected are the base ("phát ra 64, thu về 62": 62), whatever was handed out.
    ballots = collected if collected is not None else issued
    tally = _tally(story, ballots) if ballots is not None else []
    if tally:
        need = ballots // 2 + 1
        reached = sorted((v for v in tally if v >= need), reverse=True)
        seats = _seats(query.split())
        head = f"{_fmt(ballots)} : 2 = {_dec(ballots / 2)}; phải quá 1/2 nên cần ít nhất {_fmt(need)} phiếu: "
        if not reached:
            verdict = "không ai đạt, chưa có người trúng cử."
        else:
            verdict = (f"có {len(reached)} người đạt ({', '.join(_fmt(v) for v in reached)} phiếu)"
                       + (f", nhiều hơn {seats} người cần bầu nên lấy theo số phiếu từ cao xuống cho đủ {seats}."
                          if seats and len(reached) > seats else f", nên chỉ {len(reached)} người trúng cử."
                          if seats and len(reached) < seats else ", đều trúng cử."))
        text = head + verdict + (" Mẫu số là tổng số phiếu thu về (kể cả phiếu không hợp lệ), không phải số phiếu "
                                 "hợp lệ.")
        return Calculation(_older_rule(text) if edition == NEW else text, ELECTED_SOURCE, "elected", OLD)
    if ballots is not None and votes is None and any(
            f" {c} " in padded for c in ("toi thieu", "it nhat", "bao nhieu phieu", "may phieu", "can bao nhieu")):
        need = ballots // 2 + 1
        text = (f"{_fmt(ballots)} : 2 = {_dec(ballots / 2)}"
                + f"; phải quá 1/2 nên mỗi người cần ít nhất {_fmt(need)} phiếu để trúng cử. Mẫu số là tổng số "
                "phiếu thu về (kể cả phiếu không hợp lệ).")
        return Calculation(_older_rule(text) if edition == NEW else text, ELECTED_SOURCE, "elected", OLD)
    assumed = ""
    if ballots is None and votes is not None:
        # "đại hội 90 đại biểu, ứng viên được 46 phiếu": no ballots told, so the reckoning assumes everyone
        # present voted, and says so.
        ballots = _voters(words, votes)
        assumed = f"Giả sử thu về đủ {_fmt(ballots)} phiếu (ai có mặt cũng bỏ phiếu), " if ballots else ""
    if ballots is None or votes is None:
        return None
    if votes > ballots:
        text = (f"Các con số chưa khớp: {_fmt(votes)} phiếu bầu cho một người nhiều hơn {_fmt(ballots)} phiếu "
                "thu về. Anh/chị kiểm tra lại biên bản kiểm phiếu.")
        return Calculation(text, ELECTED_SOURCE, "elected", OLD)
    need = ballots // 2 + 1
    counts = list(dict.fromkeys(v for v in each if v <= ballots)) if len(set(each)) > 1 else [votes]
    verdict = "; ".join(f"{_fmt(v)} phiếu là đủ điều kiện trúng cử" if v >= need
                        else f"{_fmt(v)} phiếu là chưa đủ, không trúng cử" for v in counts)
    text = (f"{assumed}{_fmt(ballots)} : 2 = {_dec(ballots / 2)}"
            + f"; phải quá 1/2 nên cần ít nhất {_fmt(need)} phiếu: {verdict}. Mẫu số là tổng số phiếu thu về "
            "(kể cả phiếu không hợp lệ); nếu nhiều người cùng đạt thì lấy từ cao xuống thấp cho đủ số lượng.")
    if edition == NEW:
        text = _older_rule(text)
    return Calculation(text, ELECTED_SOURCE, "elected", OLD)


# KH 22/KH-TLĐ (29/8/2025), Mục III phần B.1: BCH of a grassroots union by members, the 2025 round's figure;
# HD 38/HD-TLĐ mục 10 gives two more at every tier (and other lower tiers).
_KH22_TIERS = [(50, 3), (150, 5), (500, 9), (1000, 11), (3000, 13), (7000, 15), (10000, 17), (15000, 19),
               (20000, 21), (25000, 23), (None, 25)]
_HD38_TIERS = [(30, 3), (150, 7), (500, 11), (1000, 13), (3000, 15), (7000, 17), (10000, 19), (15000, 21),
               (20000, 23), (25000, 25), (None, 27)]
_BCH_ASK = ("bao nhieu", "toi da", "may", "so luong", "bao nhieu nguoi", "bao nhieu uy vien")


_OTHER_UNITS = ("ngay", "thang", "nam", "phieu", "phan tram", "lan", "buoi", "tieng", "gio", "tuoi", "dong", "tien",
                "dai bieu", "doan vien", "khach", "tieu ban", "%")


def _asks_bch_size(query: str) -> bool:
    """"ban chấp hành … bao nhiêu / tối đa / mấy" close together, or "số (lượng) ủy viên ban chấp hành"."""
    words = query.split()
    for i in range(len(words) - 2):
        if words[i:i + 3] == ["ban", "chap", "hanh"]:
            near = " " + " ".join(words[i + 3:i + 18]) + " "
            # "BCH phải xét kết nạp trong bao nhiêu ngày": what is counted is not the BCH's members
            if any(f" {c} " in near and not near.split(f" {c} ", 1)[1].startswith(_OTHER_UNITS) for c in _BCH_ASK):
                return True
    return any(f" {c} " in f" {query} " for c in ("so luong ban chap hanh", "so uy vien ban chap hanh",
                                                  "so luong uy vien ban chap hanh", "bao nhieu uy vien ban chap hanh",
                                                  "may uy vien ban chap hanh", "bao nhieu nguoi ban chap hanh")) \
        or _asks_members_alone(query)


def _asks_members_alone(query: str) -> bool:
    """"… nên bầu bao nhiêu ủy viên" with no other body named: the BCH is meant."""
    padded = f" {query} "
    return any(f" {c} " in padded for c in ("bau bao nhieu uy vien", "bau may uy vien", "duoc bao nhieu uy vien",
                                            "duoc bau bao nhieu uy vien", "duoc bau may uy vien",
                                            "toi da bao nhieu uy vien", "toi da may uy vien")) \
        and not any(f" {o} " in padded for o in ("uy ban kiem tra", "ban thuong vu", "doan chu tich"))


def _asks_bch_itself(asking: str) -> bool:
    """"BCH tối đa bao nhiêu ủy viên": the BCH's own size asked right after its name, before any count or
    other body ("BCH 15 người thì BTV tối đa mấy" asks the standing committee's)."""
    words = asking.split()
    for i in range(len(words) - 2):
        if words[i:i + 3] == ["ban", "chap", "hanh"]:
            after = words[i + 3:i + 9]
            for j, w in enumerate(after):
                if w.isdigit() or " ".join(after[j:j + 3]) in ("ban thuong vu", "uy ban kiem"):
                    break
                if w in ("bao", "toi", "may") and " ".join(after[j:j + 2]) in ("bao nhieu", "toi da") or w == "may":
                    return True
    return False


def _members_count(words: list[str]) -> int | None:
    """"1.150 đoàn viên": the members a union has."""
    return _count_before(words, ("doan vien", "nguoi lao dong", "cong nhan"))


def _few_members(query: str, edition: str) -> bool:
    """Under khóa XII a union of fewer than 10 members elects no BCH at all: whatever is asked about its
    BCH ("bầu ban chấp hành 3 người như trước?"), that is the answer."""
    words = query.split()
    if _has(f" {query} ", ("to cong doan", "cong doan bo phan")):
        return False  # "tổ Thể dục chỉ còn 2 đoàn viên": a group's members, not the union's
    return edition == OLD and any(value < 10 and " ".join(words[i + 1:i + 3]) == "doan vien"
                                  for i, value in _numbers(words))


def _tier(members: int, tiers) -> int:
    return next(size for limit, size in tiers if limit is None or members < limit)


def bch_size(query: str, edition: str, story: Story) -> Calculation | None:
    """Members → the BCH frame; what the story's asking sentences name decides which body."""
    padded = f" {query} "
    if not ((" ban chap hanh " in padded and (_asks_bch_size(query) or _few_members(query, edition)))
            or _asks_members_alone(query)):
        return None
    others = ("bo phan", "thanh vien", "uy ban kiem tra", "ban thuong vu", "cap tinh", "cap tren truc tiep co so",
              "cong doan tap doan", "tap doan kinh te", "cong doan tong cong ty",
                                         "cong doan tinh", "lien doan lao dong tinh", "cong doan nganh",
                                         "nganh trung uong", "so du", "bo sung", "hop le", "co mat", "khai mac",
                                         "ti le", "phan tram", "co cau", "nu", "do tuoi", "khuyet",
                                         "trieu tap", "dai bieu chinh thuc", "bao nhieu dai bieu")
    if _asks_bch_itself(story.asking or query):
        others = tuple(w for w in others if w != "ban thuong vu")  # "BCH tối đa bao nhiêu, BTV mấy người?"
    if any(f" {w} " in f" {story.asking or query} " for w in others):
        return None  # other levels and rules (shares of women, vacancies): entries and other calculators
    words = query.split()
    members = _members_count(words)
    if members is None:
        return None
    if edition == NEW:
        kh, hd = _tier(members, _KH22_TIERS), _tier(members, _HD38_TIERS)
        frame = "03 ủy viên" if kh == 3 else f"từ 03 đến tối đa {kh:02d} ủy viên"
        text = (f"Công đoàn cơ sở {_fmt(members)} đoàn viên: theo KH 22/KH-TLĐ (áp dụng cho đại hội nhiệm kỳ "
                f"2025–2030) ban chấp hành {frame}. HD 38/HD-TLĐ (mục 10) ghi mức "
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


_HD38_BCH_MORE = "HD 38/HD-TLĐ ngày 27/12/2024, mục 10 điểm (4), (5)"


_MEANS_TO = ("muon bau", "dinh bau", "du kien bau", "tang len", "muon tang", "xin tang", "de nghi tang", "len toi")


def _listed_counts(words: list[str], skip: int | None = None) -> list[int]:
    """Counts of people in order, a list written once with its unit included ("lần lượt có 7, 9 và 5 người":
    7, 9, 5); `skip`: a count that is the plan, not one of them."""
    found = []
    for i, value in _numbers(words):
        if not " ".join(words[i + 1:i + 3]).startswith(("nguoi", "uy vien", "thanh vien")) or value == skip:
            continue
        chain, j = [value], i - 1
        while j >= 0 and (words[j].isdigit() or (words[j] == "va" and j > 0 and words[j - 1].isdigit())):
            if words[j].isdigit():
                chain.insert(0, int(words[j]))
            j -= 1
        found.extend(chain)
    return found


def _merger_said(padded: str) -> str:
    """The question without a merger it denies ("đơn vị không thuộc diện sáp nhập")."""
    return re.sub(r"\b(?:khong|chua|khong phai) (?:thuoc dien |bi )?(?:sap nhap|hop nhat)\b", " ", padded)


def bch_merged(query: str, edition: str, story: Story) -> Calculation | None:
    """Unions merged in the 2025 reorganisation → the new BCH at most the members the old BCHs had."""
    padded = f" {query} "
    if edition != NEW or not _has(_merger_said(padded), ("sap nhap", "hop nhat")) or " ban chap hanh " not in padded \
            or not _has(padded, ("bao nhieu", "toi da", "may", "so luong", "gioi han", "duoc khong", "vuot")):
        return None
    words = query.split()
    planned = next((v for i, v in _numbers(words) if _near(words, i, _MEANS_TO, before=6, after=0)
                    and " ".join(words[i + 1:i + 3]).startswith(("nguoi", "uy vien"))), None)
    counts = _listed_counts(words, skip=planned)
    if len(counts) < 2:
        return None
    # "9 người và 5 người, tổng 14": a later count that is the sum so far ends the list.
    for k in range(2, len(counts)):
        if counts[k] == sum(counts[:k]):
            counts = counts[:k]
            break
    total = sum(counts)
    verdict = "" if planned is None else (f" Bầu {planned} là vượt mức này." if planned > total
                                          else f" Bầu {planned} là trong mức này.")
    text = (" + ".join(_fmt(c) for c in counts) + f" = {_fmt(total)}: ban chấp hành sau sáp nhập, hợp nhất tối đa "
            f"{_fmt(total)} ủy viên, không vượt tổng số ủy viên hiện có của các đơn vị trước sắp xếp (đơn vị sắp "
            "xếp theo chủ trương sắp xếp đơn vị hành chính); đơn vị đã sáp nhập, hợp nhất không được xin tăng thêm."
            + verdict)
    return Calculation(text, _HD38_BCH_MORE, "bch_merged", NEW)


def bch_increase(query: str, edition: str, story: Story) -> Calculation | None:
    """The BCH the congress approved → how many members the upper union may add (≤ 10%)."""
    padded = f" {query} "
    if edition != NEW or not _has(padded, ("tang them", "tang so uy vien", "tang len", "them uy vien", "tang toi da", "duoc tang")) \
            or " ban chap hanh " not in padded or _has(_merger_said(padded), ("sap nhap", "hop nhat")):
        return None
    asking = f" {story.asking} "
    if story.asking and " dai bieu " in asking and not _has(asking, ("uy vien", "ban chap hanh", "bch")):
        return None  # "… cho tăng thêm. Được triệu tập tối đa bao nhiêu đại biểu?": the delegates' rule
    if story.asking and not _has(asking, ("tang", "them", "10%", "vuot")) and _members_count(query.split()):
        return None  # "… muốn tăng số ủy viên. 850 đoàn viên thì được bầu tối đa bao nhiêu?": the tier's frame
    counts = _listed_counts(query.split())
    if not counts:
        return None
    approved = counts[0]
    extra = approved // 10
    head = f"{_fmt(approved)} × 10% = {_dec(approved / 10)}: "
    if extra:
        line = (f"được tăng thêm không quá {_fmt(extra)} ủy viên (tối đa {_fmt(approved + extra)}), do công đoàn "
                "cấp trên trực tiếp quyết định khi công đoàn báo cáo bằng văn bản.")
    else:
        line = ("mức tăng không quá 10% chưa tròn một ủy viên, nên theo cách tính này chưa tăng được; đề nghị hỏi "
                "công đoàn cấp trên trực tiếp.")
    text = head + line + " Không áp dụng cho đơn vị đã sáp nhập, hợp nhất."
    return Calculation(text, _HD38_BCH_MORE, "bch_increase", NEW)


_KH22_PROVINCE = [(10000, 15), (20000, 19), (35000, 21), (50000, 23), (70000, 25), (100000, 27), (200000, 29),
                  (400000, 39), (500000, 41), (None, 45)]
_HD38_PROVINCE = [(50000, 33), (100000, 35), (150000, 39), (200000, 41), (300000, 45), (None, 49)]
_PROVINCE = ("cong doan tinh", "lien doan lao dong tinh", "lien doan lao dong thanh pho", "cap tinh",
             "nganh trung uong", "cong doan thanh pho", "lien doan lao dong ha noi", "cong doan ha noi")


_CITIES = (("ho chi minh", "TP.HCM", 65, 55), ("ha noi", "Hà Nội", 55, 55))


def bch_province(query: str, edition: str, story: Story) -> Calculation | None:
    """Members of a provincial union or central branch → its BCH (2025–2030: KH 22 applies, HD 38 differs)."""
    padded = f" {query} "
    if edition != NEW or " ban chap hanh " not in padded or not _asks_bch_size(query) \
            or not _has(padded, _PROVINCE):
        return None
    members = _members_count(query.split())  # the province's own count, not a tier's bound it quotes
    if members is None or members < 1000:
        return None
    kh, hd = _tier(members, _KH22_PROVINCE), _tier(members, _HD38_PROVINCE)
    # The two cities have their own ceilings: theirs when the count is the city's ("LĐLĐ TP.HCM có …"),
    # told beside the tier when the city is asked about apart ("… còn TP.HCM được tối đa bao nhiêu?").
    city = next((c for c in _CITIES if _has(padded, (c[0],))), None)
    counted_in = next((f" {s} " for s in story.sentences
                       if _count_before(s.split(), ("doan vien",)) == members), padded)
    own_city = city is not None and _has(counted_in, (city[0],))
    if own_city:
        kh, hd = city[2], city[3]
    text = (f"Công đoàn cấp tỉnh, ngành trung ương {_fmt(members)} đoàn viên: theo KH 22/KH-TLĐ (áp dụng cho đại "
            f"hội nhiệm kỳ 2025–2030) ban chấp hành tối đa {kh:02d} ủy viên; HD 38/HD-TLĐ (mục 10) ghi {hd:02d}. "
            "Khi hai văn bản khác nhau, đại hội vòng này theo KH 22; đề nghị đối chiếu với Tổng Liên đoàn.")
    if city is not None and not own_city:
        text += f" Riêng {city[1]}: KH 22 cho tối đa {city[2]:02d} ủy viên, HD 38 tối đa {city[3]:02d}."
    return Calculation(text, "KH 22/KH-TLĐ ngày 29/8/2025, Mục III phần B.1 điểm (4); HD 38/HD-TLĐ ngày "
                             "27/12/2024, mục 10 điểm (3)", "bch_province", NEW)


def _count_before(words: list[str], cues: tuple[str, ...]) -> int | None:
    """The first number directly followed by one of `cues` ("150 đại biểu", "9 ủy viên"); a tier's bound
    ("dưới 50 đoàn viên thì …, công ty mình 45 đoàn viên") only when no other count is given."""
    counts = [(i, value) for i, value in _numbers(words)
              if any(" ".join(words[i + 1:i + 4]).startswith(c) for c in cues)]
    plain = [value for i, value in counts if i == 0 or words[i - 1] not in ("duoi", "tren", "tu")]
    return plain[0] if plain else counts[0][1] if counts else None


def _has(padded: str, cues: tuple[str, ...]) -> bool:
    return any(f" {c} " in padded for c in cues)


_UPPER_LEVEL = ("tinh", "thanh pho", "nganh trung uong", "cap tinh", "lien doan lao dong tinh")
_DELEGATE_SOURCE_NEW = "KH 22/KH-TLĐ ngày 29/8/2025, Mục III phần D.1"
_DELEGATE_SOURCE_OLD = "HD 03/HD-TLĐ ngày 20/02/2020, tiểu mục 6.5"


def _bound_before(words: list[str], value: int) -> str:
    """"dưới 5.000 đoàn viên" / "từ, trên 5.000 đoàn viên" name a tier, not a union's count."""
    for i, v in _numbers(words):
        if v == value and " ".join(words[i + 1:i + 3]) == "doan vien":
            before = words[i - 1] if i else ""
            return "duoi" if before == "duoi" else "tu" if before in ("tu", "tren") else ""
    return ""


def _planned_delegates(words: list[str]) -> int | None:
    """The delegates a union plans to convene: "triệu tập 160 đại biểu", "tổng số lên tới 180 người";
    not a per-unit figure ("mỗi bộ phận ít nhất 6 đại biểu")."""
    for i, value in _numbers(words):  # "muốn triệu tập 170 người": what the union means to convene
        if _has(" " + " ".join(words[max(0, i - 3):i]) + " ", ("trieu tap", "moi")) and \
                " ".join(words[i + 1:i + 3]).startswith(("nguoi", "dai bieu")):
            return value
    for i, value in _numbers(words):
        before = " " + " ".join(words[max(0, i - 4):i]) + " "
        # a ceiling quoted is not the plan ("trần là 150 đại biểu"; the typo pass may have read it "tranh là")
        if " ".join(words[i + 1:i + 3]) == "dai bieu" and not _has(before, ("moi", "it nhat", "toi thieu", "toi da",
                                                                              "tran", "tranh", "muc tran", "gioi han")):
            return value
    for i, value in _numbers(words):
        before = " " + " ".join(words[max(0, i - 4):i]) + " "
        if words[i + 1:i + 2] == ["nguoi"] and _has(before, ("tong so", "len toi", "tong cong", "tong")):
            return value
    return None


def delegates(query: str, edition: str, story: Story) -> Calculation | None:
    """A grassroots union's member count → full or delegate congress, and how many delegates at most."""
    padded = f" {query} "
    if not _has(padded, ("dai bieu", "dai hoi dai bieu", "toan the")) or _has(padded, ("khach moi", "chi dinh")):
        return None
    if not _has(padded, ("bao nhieu dai bieu", "may dai bieu", "toi da bao nhieu", "hinh thuc",
                         "dai hoi dai bieu hay", "toan the hay", "hay dai bieu", "so dai bieu", "vuot",
                         "muc toi da", "duoc trieu tap toi da", "trieu tap toi da")):
        return None
    if _has(padded, _UPPER_LEVEL + ("xa", "phuong", "uy vien", "phieu", "co mat", "hop le", "khai mac",
                                    "tien an", "muc chi", "kinh phi")):
        return None  # other levels and other rules: the knowledge entries answer those
    words = query.split()
    members = _count_before(words, ("doan vien",))
    if members is None:
        return None
    bound = _bound_before(words, members)
    if bound == "duoi":
        members -= 1  # "dưới 5.000 đoàn viên": the tier below the figure
    cap = 200 if members >= 5000 else 150
    planned = _planned_delegates(words)
    if bound:
        text = (f"Công đoàn cơ sở {'dưới' if bound == 'duoi' else 'từ'} {_fmt(members + (bound == 'duoi'))} đoàn "
                f"viên: đại hội đại biểu tối đa {cap} đại biểu chính thức"
                + (" (mức chung tối đa 150)." if cap == 200 else "."))
        if edition == OLD:
            return Calculation(text, _DELEGATE_SOURCE_OLD, "delegates", OLD)
        text += (f" Không triệu tập ít hơn {cap // 2} (1/2 mức tối đa); muốn vượt phải được cấp trên đồng ý và "
                 f"không quá 10% (tối đa {cap + cap // 10}).")
        return Calculation(text, _DELEGATE_SOURCE_NEW, "delegates", NEW)
    asks_form = _has(f" {story.asking or query} ", ("hinh thuc", "toan the hay", "hay dai bieu",
                                                        "dai hoi dai bieu hay", "dai hoi nao"))
    if planned is not None and planned != members and not asks_form:
        over = planned > cap or (planned == cap and " vuot " in padded)  # "muốn vượt 150"
        text = (f"Công đoàn cơ sở {_fmt(members)} đoàn viên: đại hội đại biểu tối đa {cap} đại biểu chính thức"
                + (f"; triệu tập {_fmt(planned)} là vượt mức tối đa {_fmt(planned - cap)} người." if planned > cap
                   else "." if over else f"; triệu tập {_fmt(planned)} là trong mức tối đa."))
        if edition == OLD:
            return Calculation(text, _DELEGATE_SOURCE_OLD, "delegates", OLD)
        if over or _has(padded, ("dong y", "tang them", "cho tang", "xin tang", "tran tang")):
            text += (f" Muốn vượt phải được công đoàn cấp trên đồng ý và phần tăng không quá 10% (tức tối đa "
                     f"{cap + cap // 10}).")
        text += f" Không triệu tập ít hơn {cap // 2} (1/2 mức tối đa)."
        return Calculation(text, _DELEGATE_SOURCE_NEW, "delegates", NEW)
    if edition == NEW:
        form = ("từ 200 đoàn viên trở lên nên họp đại hội đại biểu" if members >= 200 else
                "dưới 200 đoàn viên nên họp đại hội toàn thể (chỉ họp đại biểu khi hoạt động phân tán, lưu động "
                "và được công đoàn cấp trên trực tiếp đồng ý)")
        text = (f"Công đoàn cơ sở {_fmt(members)} đoàn viên: {form}. Nếu đại hội đại biểu: tối đa {cap} đại "
                f"biểu chính thức{' (từ 5.000 đoàn viên)' if cap == 200 else ''}, không triệu tập ít hơn "
                f"{cap // 2} (1/2 mức tối đa); muốn vượt phải được cấp trên đồng ý và không quá 10% "
                f"(tối đa {cap + cap // 10}).")
        return Calculation(text, _DELEGATE_SOURCE_NEW, "delegates", NEW)
    forms = "Đại hội có hai hình thức: đại hội toàn thể đoàn viên và đại hội đại biểu. " if asks_form else ""
    text = forms + (f"Công đoàn cơ sở {_fmt(members)} đoàn viên: nếu họp đại hội đại biểu thì không quá {cap} đại biểu "
            f"chính thức{' (mức chung tối đa 150; nơi trên 5.000 đoàn viên tối đa 200)' if cap == 200 else ''}. Về ngưỡng đoàn viên để họp đại "
            "biểu thay vì toàn thể, hiện chưa có quy định cố định trên toàn quốc mà trợ lý biết: theo hướng dẫn của "
            "công đoàn cấp trên trực tiếp (nhiều nơi lấy mốc 200 đoàn viên); đề nghị đối chiếu kế hoạch của cấp trên.")
    return Calculation(text, _DELEGATE_SOURCE_OLD, "delegates", OLD)


_CHECK_ASK = ("dung quy dinh", "dung khong", "co dung", "dung chua", "hop ly khong", "co sai", "sai khong",
              "co vuot", "vuot khong", "co duoc khong", "duoc khong", "on khong", "dung luat", "dung huong dan",
              "dung dieu le", "phu hop khong", "co phu hop")
_BCH_NAMES = ("ban chap hanh", "bch")


def _planned_bch(words: list[str]) -> int | None:
    """The BCH a union means to elect: "bầu BCH 15 người", "ban chấp hành gồm 15 ủy viên", "15 ủy viên
    ban chấp hành"."""
    for i, value in _numbers(words):
        unit = " ".join(words[i + 1:i + 3])
        if not unit.startswith(("nguoi", "uy vien", "dong chi", "thanh vien")):
            continue
        before = " " + " ".join(words[max(0, i - 5):i]) + " "
        after = " " + " ".join(words[i + 1:i + 6]) + " "
        if _has(before, _BCH_NAMES) and not _has(before, ("ban thuong vu", "uy ban kiem tra", "dai bieu")) \
                or after.startswith((" uy vien ban chap hanh ", " nguoi ban chap hanh ")):
            return value
    return None


def _bch_verdict(members: int, planned: int, edition: str) -> tuple[str, str]:
    """One sentence on a planned BCH size against the edition's frame (bch_frame below), and its source."""
    frame = bch_frame(members, edition)
    if frame.high == 0:
        return f"Ban chấp hành: {frame.text}.", frame.source
    if planned < frame.low:
        verdict = f"bầu {planned} là ít hơn mức tối thiểu {frame.low:02d}"
    elif planned <= (15 if edition == OLD else frame.usual_high):  # khóa XII: past 15 only from 3.000 members
        verdict = f"bầu {planned} là trong khung"
    elif edition == NEW and planned <= frame.high:
        verdict = (f"bầu {planned} là vượt mức của KH 22 nhưng trong mức của HD 38; hai văn bản khác nhau nên "
                   "đề nghị hỏi công đoàn cấp trên trực tiếp trước khi chốt")
    elif edition == NEW:
        verdict = f"bầu {planned} là vượt cả mức của KH 22 và HD 38"
    elif planned <= frame.high:
        verdict = f"bầu {planned} là được, vì có từ 3.000 đoàn viên (đại hội quyết định, tối đa 19)"
    else:
        verdict = (f"bầu {planned} là vượt mức tối đa" + (" 19" if frame.high == 19 else
                                                          " 15 (chỉ nơi từ 3.000 đoàn viên mới được tới 19)"))
    return f"Ban chấp hành: {frame.text}; {verdict}.", frame.source


def _delegates_verdict(members: int, planned: int, edition: str) -> tuple[str, str]:
    """One sentence on a planned count of delegates, and the source of its rule."""
    cap = 200 if members >= 5000 else 150
    if edition == OLD:
        verdict = (f"triệu tập {_fmt(planned)} là trong mức" if planned <= cap
                   else f"triệu tập {_fmt(planned)} là vượt mức {_fmt(planned - cap)} người")
        return (f"Đại biểu: với {_fmt(members)} đoàn viên, đại hội đại biểu không quá {cap} đại biểu chính thức; "
                f"{verdict}.", _DELEGATE_SOURCE_OLD)
    if planned > cap + cap // 10:
        verdict = f"triệu tập {_fmt(planned)} là vượt cả mức tăng thêm 10% (tối đa {cap + cap // 10})"
    elif planned > cap:
        verdict = (f"triệu tập {_fmt(planned)} là vượt mức {cap}: chỉ được khi công đoàn cấp trên đồng ý, phần tăng "
                   f"không quá 10% (tối đa {cap + cap // 10})")
    elif planned < cap // 2:
        verdict = f"triệu tập {_fmt(planned)} là ít hơn mức tối thiểu {cap // 2} (1/2 mức tối đa)"
    else:
        verdict = f"triệu tập {_fmt(planned)} là trong mức (từ {cap // 2} đến {cap})"
    form = "" if members >= 200 else (" Lưu ý: dưới 200 đoàn viên thì thường họp đại hội toàn thể; họp đại biểu "
                                      "chỉ khi hoạt động phân tán, lưu động và được cấp trên đồng ý.")
    return (f"Đại biểu: với {_fmt(members)} đoàn viên, đại hội đại biểu tối đa {cap} đại biểu chính thức; "
            f"{verdict}.{form}", _DELEGATE_SOURCE_NEW)


# What the asking sentence may name besides the figures checked: another rule, so another answer.
_OTHER_RULES = ("ty le", "ti le", "tai cu", "co cau", "tuoi", "nu", "ban thuong vu", "uy ban kiem tra", "khach",
                "chi dinh", "so du", "phan tram", "%", "hop le", "khai mac", "trung cu")
_OTHER_BODIES = ("cong doan xa", "cong doan phuong", "phieu", "co mat", "sap nhap", "hop nhat", "bo phan",
                 "thanh vien", "to cong doan", "khach moi")


def _convened_options(words: list[str]) -> list[int]:
    """Every count of delegates a union considers convening ("muốn triệu tập 170 …, ý kiến khác chỉ triệu tập
    60"), in order, not a ceiling quoted ("tối đa 150 đại biểu")."""
    found = []
    for i, value in _numbers(words):
        unit = " ".join(words[i + 1:i + 3]).startswith(("dai bieu", "nguoi"))
        right_after = " " + " ".join(words[max(0, i - 2):i]) + " "  # "chỉ triệu tập 60 cho tiết kiệm"
        if not unit and not (_has(right_after, ("trieu tap", "tang len")) and words[i + 1:i + 2] != ["%"]):
            continue
        before = " " + " ".join(words[max(0, i - 3):i]) + " "
        if _has(before, ("trieu tap", "tang len", "len", "giam con", "con")) and not _has(
                before, ("toi da", "toi thieu", "it nhat", "khong qua")) and value not in found:
            found.append(value)
    return found


def plan_check(query: str, edition: str, story: Story) -> Calculation | None:
    """"850 đoàn viên, triệu tập 160 đại biểu, bầu BCH 15 người: các con số có đúng không?": each planned
    figure checked against its rule."""
    asking = f" {story.asking or query} "
    padded = f" {query} "
    if not _has(asking, _CHECK_ASK) or _has(asking, _OTHER_RULES) or _has(padded, _UPPER_LEVEL + _OTHER_BODIES):
        return None
    words = query.split()
    members = _count_before(words, ("doan vien",))
    if members is None or _bound_before(words, members):
        return None
    bch = _planned_bch(words)
    options = [v for v in _convened_options(words) if v != members]
    checks = [("delegates", _delegates_verdict(members, v, edition)) for v in options] \
        + ([("bch_size", _bch_verdict(members, bch, edition))] if bch else [])
    if not checks or (len(options) == 1 and not bch):
        return None  # one planned count of delegates: the delegates calculator's own verdict
    text = "\n".join(t for _, (t, _) in checks) + " Đại hội quyết định số cụ thể trong khung."
    return Calculation(text, "; ".join(dict.fromkeys(src for _, (_, src) in checks)),
                       "+".join(rule for rule, _ in checks), edition)


_PROVINCE_CONGRESS = ("dai hoi cong doan tinh", "dai hoi cong doan thanh pho", "dai hoi lien doan lao dong",
                      "dai hoi cap tinh", "dai hoi cong doan nganh")
_PROVINCE_DELEGATE_TIERS = [(80000, 150), (100000, 200), (300000, 300), (500001, 400), (None, 500)]
_PROVINCE_DELEGATE_CITIES = (("ho chi minh", "TP.HCM", 650), ("ha noi", "Hà Nội", 550))


def delegates_province(query: str, edition: str, story: Story) -> Calculation | None:
    """Members a province or central-branch union manages directly → its congress's delegates at most
    (KH 22 D.1 điểm 4), with the 1/2 floor and the 10% the upper level may allow."""
    padded = f" {query} "
    if edition != NEW or not _has(padded, _PROVINCE) or _has(padded, ("khach moi", "uy vien", "ban chap hanh")) \
            or not _has(padded, ("bao nhieu dai bieu", "may dai bieu", "toi da bao nhieu", "so dai bieu",
                                 "dai bieu toi da", "trieu tap toi da", "vuot")) \
            or not _has(f" {story.asking or query} ", ("dai bieu",)):
        return None  # "tối đa bao nhiêu tiểu ban": another rule of the same congress
    words = query.split()
    members = _count_before(words, ("doan vien",))
    city = next(((label, cap) for key, label, cap in _PROVINCE_DELEGATE_CITIES if f" {key} " in padded), None)
    planned = _planned_delegates(words)
    if members is None and (city is None or planned is None):
        return None  # no count to work on: the entry's table (and the congresses held) answers
    if city is not None:
        who, cap = f"Công đoàn {city[0]}", city[1]
        why = f"riêng {city[0]} không quá {cap}"
    else:
        cap = _tier(members, _PROVINCE_DELEGATE_TIERS)
        who, why = f"Công đoàn cấp tỉnh trực tiếp quản lý {_fmt(members)} đoàn viên", f"không quá {cap}"
    text = f"{who}: đại hội triệu tập {why} đại biểu chính thức."
    if members is not None and city is None and members > 300000:
        text += " (KH 22 ghi hai bậc \"trên 300.000\" và \"trên 500.000\" chồng nhau; cần thì hỏi Tổng Liên đoàn.)"
    if planned is not None and planned != members:
        if planned > cap + cap // 10:
            text += (f" Triệu tập {_fmt(planned)} là vượt cả mức được tăng: cấp trên chỉ có thể đồng ý tăng không "
                     f"quá 10%, tức tối đa {_fmt(cap + cap // 10)}.")
        elif planned > cap:
            text += (f" Triệu tập {_fmt(planned)} là vượt mức; chỉ được khi công đoàn cấp trên đồng ý, phần tăng không"
                     f" quá 10% (tối đa {_fmt(cap + cap // 10)}).")
        else:
            text += f" Triệu tập {_fmt(planned)} là trong mức tối đa."
    else:
        text += (f" Vượt mức phải được cấp trên đồng ý, không quá 10% (tối đa {_fmt(cap + cap // 10)}); không triệu "
                 f"tập ít hơn {_fmt(cap // 2)}.")
    return Calculation(text, "KH 22/KH-TLĐ ngày 29/8/2025, Mục III phần D.1 điểm (4) và đoạn cuối", "delegates_province",
                       NEW)


_UNITS = ("doan vien", "dai bieu", "nguoi", "uy vien", "phieu", "dong", "cong doan", "thanh vien")
_COMMUNE = ("cong doan xa", "cong doan phuong", "cong doan dac khu", "dac khu")
_COMMUNE_TIERS = [(2000, 100), (5000, 150), (None, 200)]


def delegates_commune(query: str, edition: str, story: Story) -> Calculation | None:
    """Members a công đoàn xã, phường, đặc khu manages → its congress's delegates at most (KH 22 D.1)."""
    padded = f" {query} "
    if edition != NEW or not _has(padded, _COMMUNE) or _has(padded, ("khach moi",)) or not _has(padded, (
            "bao nhieu dai bieu", "may dai bieu", "toi da bao nhieu", "trieu tap toi da", "so dai bieu")):
        return None
    if _has(padded, _PROVINCE_CONGRESS):
        return None  # "Đại hội Công đoàn tỉnh … đủ cơ cấu các công đoàn xã": the province's congress
    words = query.split()
    counts = list(dict.fromkeys(value for i, value in _numbers(words)
                                if " ".join(words[i + 1:i + 3]) == "doan vien"))
    # A second total written bare ("… cộng danh sách lại được 2.050"): the counts disagree.
    counts += [value for i, value in _numbers(words) if "." in words[i] and value not in counts
               and not " ".join(words[i + 1:i + 3]).startswith(_UNITS)]
    if not counts:
        return None
    caps = [_tier(c, _COMMUNE_TIERS) for c in counts]
    if len(set(caps)) > 1:
        text = ("Các con số chưa khớp: " + "; ".join(f"{_fmt(c)} đoàn viên thì tối đa {cap} đại biểu"
                                                     for c, cap in zip(counts, caps))
                + ". Số đại biểu tính theo số đoàn viên công đoàn xã được giao quản lý (dưới 2.000: 100; 2.000 "
                  "đến dưới 5.000: 150; từ 5.000: 200); anh/chị xác định lại số đoàn viên trước khi triệu tập.")
        return Calculation(text, _DELEGATE_SOURCE_NEW, "delegates_commune", NEW)
    members, cap = counts[0], caps[0]
    text = (f"Công đoàn xã, phường, đặc khu quản lý {_fmt(members)} đoàn viên: đại hội triệu tập tối đa {cap} đại "
            f"biểu chính thức, không ít hơn {cap // 2} (1/2 mức tối đa); muốn vượt phải được công đoàn cấp trên đồng "
            f"ý và phần tăng không quá 10% (tối đa {cap + cap // 10}).")
    planned = _count_before(words, ("dai bieu",))
    if planned is not None and planned not in counts:
        text += (f" Triệu tập {_fmt(planned)} là vượt {_fmt(planned - cap)} người." if planned > cap
                 else f" Triệu tập {_fmt(planned)} là trong mức tối đa.")
    return Calculation(text, _DELEGATE_SOURCE_NEW, "delegates_commune", NEW)


_COMMUNE_FOUNDING_SOURCE = ("Hướng dẫn của Tổng Liên đoàn ngày 12/6/2025 về thành lập công đoàn xã, phường, "
                            "đặc khu")


def commune_union_founding(query: str, edition: str, story: Story) -> Calculation | None:
    """Members and CĐCS of a xã, phường → whether it has, in the main, what a công đoàn xã needs (from 1.500
    members and 10 CĐCS)."""
    padded = f" {query} "
    asking = f" {story.asking or query} "
    if edition != NEW or not _has(padded, ("cong doan xa", "cong doan phuong", "cong doan dac khu")) or not _has(
            asking, ("du dieu kien", "duoc thanh lap", "duoc lap", "thanh lap duoc", "lap duoc", "lap rieng",
                     "thanh lap rieng", "co du")):
        return None
    words = query.split()
    members = next((v for i, v in _numbers(words) if " ".join(words[i + 1:i + 3]) == "doan vien"), None)
    unions = next((v for i, v in _numbers(words) if " ".join(words[i + 1:i + 5]) == "cong doan co so"), None)
    if members is None and unions is None:
        return None
    parts, short = [], []
    if members is not None:
        parts.append(f"{_fmt(members)} đoàn viên ({'đủ' if members >= 1500 else 'dưới'} 1.500)")
        if members < 1500:
            short.append("số đoàn viên")
    if unions is not None:
        parts.append(f"{_fmt(unions)} công đoàn cơ sở ({'đủ' if unions >= 10 else 'dưới'} 10)")
        if unions < 10:
            short.append("số công đoàn cơ sở")
    verdict = (f"chưa đủ về {' và '.join(short)}" if short else "đạt điều kiện cơ bản về số lượng")
    text = (f"Công đoàn xã, phường lập ở nơi về cơ bản có từ 1.500 đoàn viên và 10 công đoàn cơ sở trở lên. "
            f"Ở đây có {' và '.join(parts)}: {verdict}.")
    if short:
        text += (" Nơi chưa đủ thì giao công đoàn của xã, phường lân cận quản lý, hoặc lập công đoàn ở xã, phường có "
                 "nhiều đoàn viên nhất để quản lý cả các xã, phường lân cận; đủ điều kiện thì lập riêng.")
    else:
        text += " Việc thành lập do công đoàn cấp tỉnh xem xét, quyết định."
    return Calculation(text, _COMMUNE_FOUNDING_SOURCE, "commune_union_founding", NEW)


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10, "xi": 11,
          "xii": 12, "xiii": 13, "xiv": 14, "xv": 15, "xvi": 16, "xvii": 17, "xviii": 18, "xix": 19, "xx": 20}


def _roman(n: int) -> str:
    return next(k for k, v in _ROMAN.items() if v == n).upper() if n in _ROMAN.values() else str(n)


def congress_number(query: str, edition: str, story: Story) -> Calculation | None:
    """The last congress's number and whether the merged union keeps its name → the next congress's number
    (HD 38 mục 7.2 c: a name kept carries on its count, a new name starts at I)."""
    padded = f" {query} "
    if edition != NEW or not _has(f" {story.asking or query} ", ("lan thu may", "lan thu bao nhieu", "thu may",
                                                                   "so thu tu")):
        return None
    if not _has(padded, ("sap nhap", "hop nhat", "chia tach")):
        return None
    keeps = _has(padded, ("giu ten", "giu nguyen ten", "van giu ten", "giu lai ten", "giu nguyen"))
    renamed = _has(padded, ("ten moi", "doi ten", "lay ten moi", "dat ten moi"))
    if keeps == renamed:
        return None  # neither said, or both: the rule itself (the knowledge entry) answers
    last = None
    for m in re.finditer(r"\blan thu (\w+)\b", query):
        value = _ROMAN.get(m.group(1)) or (int(m.group(1)) if m.group(1).isdigit() else None)
        if value:
            last = value
            break
    if keeps and last is None:
        return None
    if keeps:
        text = (f"Giữ tên của đơn vị đã đại hội lần thứ {_roman(last)} thì kế thừa số thứ tự nhiệm kỳ của đơn vị đó: "
                f"kỳ tới là đại hội lần thứ {_roman(last + 1)}.")
    else:
        text = "Lấy tên mới thì tính là nhiệm kỳ thứ nhất: kỳ tới là đại hội lần thứ I."
    text += " Trường hợp đặc biệt do Đoàn Chủ tịch Tổng Liên đoàn quyết định."
    return Calculation(text, "HD 38/HD-TLĐ ngày 27/12/2024, mục 7.2 điểm c", "congress_number", NEW)


def commune_congress_due(query: str, edition: str, story: Story) -> Calculation | None:
    """A công đoàn xã's BCH appointed on a date → the congress to elect a new one within 12 months."""
    padded = f" {query} "
    if edition != NEW or not _has(padded, _COMMUNE) or not _has(padded, ("chi dinh",)) \
            or not _has(padded, ("han", "khi nao", "bao gio", "cham nhat", "ngay nao", "thoi han")):
        return None
    start = _date_near(query, ("chi dinh",))
    if start is None:
        return None
    try:
        due = start.replace(year=start.year + 1)
    except ValueError:  # 29/02
        due = start.replace(year=start.year + 1, day=28)
    text = (f"Chỉ định ngày {start.strftime('%d/%m/%Y')}: theo thông tin của các liên đoàn lao động tỉnh (TP.HCM, "
            f"Quảng Ninh), trong không quá 12 tháng, tức chậm nhất ngày {due.strftime('%d/%m/%Y')}, phải tổ chức đại hội "
            "(hoặc hội nghị) bầu ban chấp hành mới. Trợ lý chưa xác định được điều khoản Điều lệ làm căn cứ cho "
            "mốc này; đề nghị đối chiếu quyết định của liên đoàn lao động tỉnh.")
    return Calculation(text, "Thông tin của LĐLĐ TP.HCM (14/8/2025), LĐLĐ Quảng Ninh; KH 22/KH-TLĐ",
                       "commune_congress_due", NEW)


def vacancies(query: str, edition: str, story: Story) -> Calculation | None:
    """BCH size decided and seats now vacant → is a hội nghị due instead of a congress (HD 03 mục 7: vacant
    more than 2/3 at a CĐCS, more than 1/2 above it, with no by-election yet)."""
    padded = f" {query} "
    if " khuyet " not in padded or not _has(f" {story.asking or query} ", (
            "hoi nghi", "thay dai hoi", "bat thuong", "dai hoi lai", "bau lai", "phai lam gi", "xu ly",
            "to chuc gi", "lam the nao", "lam sao")):
        return None
    words = query.split()
    decided = _count_before(words, ("uy vien", "nguoi", "thanh vien", "dong chi"))
    vacant = next((v for i, v in _numbers(words) if v != decided and _near(words, i, ("khuyet",), before=3,
                                                                              after=0)), None)
    if vacant is None:
        vacant = next((v for i, v in _numbers(words) if v != decided and " khuyet " in
                       " " + " ".join(words[i + 1:i + 4]) + " "), None)
    if decided is None or not _has(padded, ("ban chap hanh", "bch")):
        return None
    if vacant is None:
        if not _has(f" {story.asking or query} ", ("khuyet bao nhieu", "khuyet tu bao nhieu", "khuyet may",
                                                   "khuyet tu may", "khuyet den bao nhieu", "khuyet qua bao nhieu")):
            return None
        upper = _has(padded, _UPPER_LEVEL) and not _has(padded, ("cong doan co so", "cdcs"))
        label, share = ("1/2", decided / 2) if upper else ("2/3", decided * 2 / 3)
        text = (f"{_fmt(decided)} × {label} = {_dec(share)}: khuyết từ {_fmt(math.floor(share) + 1)} ủy viên trở lên "
                f"(quá {label} số ủy viên ban chấp hành, "
                f"{'cấp trên trực tiếp cơ sở trở lên' if upper else 'công đoàn cơ sở'}) mà chưa kịp bầu bổ sung thì "
                "tổ chức hội nghị đại biểu hoặc hội nghị toàn thể thay đại hội.")
        if edition == NEW:
            text = "Trợ lý chưa có quy định tương ứng của HD 38; theo HD 03 (nhiệm kỳ trước): " + text
        return Calculation(text, "HD 03/HD-TLĐ ngày 20/02/2020, mục 7.1–7.3", "vacancies", OLD)
    source = "HD 03/HD-TLĐ ngày 20/02/2020, mục 7.1–7.3"
    if vacant > decided:
        return Calculation(f"Số ủy viên khuyết ({_fmt(vacant)}) lớn hơn số ủy viên ban chấp hành ({_fmt(decided)}): "
                           "hai con số này mâu thuẫn, xin kiểm tra lại.", source, "vacancies", OLD)
    upper = _has(padded, _UPPER_LEVEL) and not _has(padded, ("cong doan co so", "cdcs"))
    level = "cấp trên trực tiếp cơ sở trở lên" if upper else "công đoàn cơ sở"
    label, share = ("1/2", decided / 2) if upper else ("2/3", decided * 2 / 3)
    if vacant > share:
        verdict = (f"khuyết {_fmt(vacant)} là quá {label} số ủy viên ban chấp hành ({level}): nếu chưa kịp bầu bổ "
                   "sung thì tổ chức hội nghị đại biểu hoặc hội nghị toàn thể thay đại hội; không tổ chức được thì "
                   "họp ban chấp hành mở rộng sau khi có ý kiến bằng văn bản của cấp trên trực tiếp.")
    else:
        verdict = (f"khuyết {_fmt(vacant)} chưa quá {label} số ủy viên ban chấp hành ({level}), nên chưa phải tổ "
                   "chức hội nghị thay đại hội vì lý do này; ban chấp hành bầu bổ sung theo quy định.")
    text = f"{_fmt(decided)} × {label} = {_dec(share)}: {verdict}"
    if edition == NEW:
        text = "Trợ lý chưa có quy định tương ứng của HD 38; theo HD 03 (nhiệm kỳ trước): " + text
    return Calculation(text, source, "vacancies", OLD)


_HCMC_MEAL_CAP = 300_000  # đồng per person per day, HD 49/HD-LĐLĐ TP.HCM
_AMOUNT = r"(\d{1,3}(?:\.\d{3})+|\d{5,9})"  # "250.000", "300000" (after "300 nghìn")


def _money(text: str) -> int:
    return int(text.replace(".", ""))


def hcmc_costs(query: str, edition: str, story: Story) -> Calculation | None:
    """TP.HCM's congress meals and the organisers' allowance (HD 49: meals at most 300.000 đồng a person a day
    for delegates and guests; the allowance at most 70% of the meals)."""
    padded = f" {query} "
    asking = f" {story.asking or query} "
    if edition != NEW or not _has(padded, ("ho chi minh",)) or not _has(padded, ("tien an", "an trua")):
        return None
    asks_allowance = _has(asking, ("boi duong",))
    # a total ("hết bao nhiêu"), not the rate a person ("tối đa bao nhiêu một người một ngày": the entry)
    asks_meals = _has(asking, ("het bao nhieu", "tong tien", "tong cong", "tat ca bao nhieu", "ca dai hoi"))
    if not (asks_allowance or asks_meals):
        return None
    given = re.search(rf"tong (?:so )?tien an (?:la |het |khoang |tinh ra |thanh )?{_AMOUNT}", query)
    if given:
        meals, line = _money(given.group(1)), f"tổng tiền ăn {_fmt(_money(given.group(1)))} đồng"
    else:
        words = query.split()
        delegates = _count_before(words, ("dai bieu",))
        guests = _count_before(words, ("khach",)) or 0
        if delegates is None:  # "80 người gồm đại biểu chính thức và khách mời": one head count
            together = re.search(r"\b(\d+) nguoi (?:gom|ca|bao gom|tinh ca) (?:dai bieu|khach)", query)
            delegates, guests = (int(together.group(1)), 0) if together else (None, guests)
        if delegates is None:
            return None
        rate = next((_money(m.group(1)) for m in re.finditer(rf"{_AMOUNT} (?:dong )?(?:moi nguoi|mot nguoi|nguoi)",
                                                             query)), _HCMC_MEAL_CAP)
        over = rate > _HCMC_MEAL_CAP
        rate = min(rate, _HCMC_MEAL_CAP)
        people = delegates + guests
        meals = people * rate
        head = f"({_fmt(delegates)} + {_fmt(guests)})" if guests else _fmt(delegates)
        line = f"{head} × {_fmt(rate)} = {_fmt(meals)} đồng tiền ăn"
        if over:
            line += " (mức khai vượt trần 300.000 đồng/người/ngày, tính theo trần)"
    parts = [line]
    if asks_allowance:
        parts.append(f"bồi dưỡng ban tổ chức tối đa 70% × {_fmt(meals)} = {_fmt(meals * 7 // 10)} đồng")
    text = ("Theo HD 49/HD-LĐLĐ của LĐLĐ TP.HCM (tiền ăn của đại biểu, khách mời tối đa 300.000 đồng/người/ngày; "
            "bồi dưỡng ban tổ chức tối đa 70% tổng tiền ăn): " + "; ".join(parts) + ". Dự toán do ban chấp hành "
            "công đoàn cơ sở tự lập và tự phê duyệt, công khai tại đại hội.")
    return Calculation(text, "HD 49/HD-LĐLĐ TP.HCM ngày 25/9/2025, mục II và phần mức chi", "hcmc_costs", NEW)


def _months_later(start: date, months: int) -> date:
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    for day in (start.day, 30, 29, 28):  # 30/11 + 3 months: the end of February
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise ValueError(start)


def rejoin(query: str, edition: str, story: Story) -> Calculation | None:
    """Left the union by a decision on a date → may apply to rejoin 03 months later (HD 38). Expulsion counts
    from the end of the penalty, which the question rarely dates: left to the entry."""
    padded = f" {query} "
    if edition != NEW or _has(padded, ("khai tru",)) \
            or not _has(padded, ("ket nap lai", "vao lai", "gia nhap lai", "tham gia lai", "xin lai vao")) \
            or not _has(padded, ("ra khoi", "xin ra", "thoi sinh hoat", "roi cong doan")) \
            or not _has(f" {story.asking or query} ", ("khi nao", "bao gio", "ngay nao", "bao lau", "duoc chua",
                                                      "tu ngay", "som nhat", "luc nao")):
        return None
    left = _date_near(query, ("quyet dinh", "ra khoi"))
    if left is None:
        return None
    due = _months_later(left, 3)
    text = (f"Quyết định cho ra khỏi tổ chức công đoàn ngày {left.strftime('%d/%m/%Y')}: sau 03 tháng, tức từ ngày "
            f"{due.strftime('%d/%m/%Y')}, người đó có thể làm đơn gửi công đoàn cơ sở nơi làm việc để được xem xét "
            "kết nạp lại (ban chấp hành công đoàn cơ sở xem xét, quyết định).")
    return Calculation(text, "HD 38/HD-TLĐ ngày 27/12/2024, mục 3.1 điểm (iv)", "rejoin", NEW)


def bch_attendance(query: str, edition: str, story: Story) -> Calculation | None:
    """A BCH member's meetings attended → whether he is an ex officio delegate (more than half of them)."""
    padded = f" {query} "
    if not _has(padded, ("dai bieu", "duong nhiem", "duong nhien")) or not _has(padded, ("ban chap hanh",)):
        return None
    words = query.split()
    meetings = [(i, v) for i, v in _numbers(words) if " ".join(words[i + 1:i + 3]).startswith(("ky", "cuoc hop"))]
    pair = re.search(r"\b(\d{1,3}) (?:trong|tren|/) (?:tong so |so )?(\d{1,3}) (?:ky|cuoc hop|phien|buoi)", query)
    if len(meetings) < 2 and pair:  # "dự 4 trong 12 kỳ họp"
        meetings = [(0, int(pair.group(1))), (1, int(pair.group(2)))]
    if len(meetings) < 2:
        return None
    held, attended = max(v for _, v in meetings), min(v for _, v in meetings)
    need = held // 2 + 1
    verdict = (f"dự {_fmt(attended)} kỳ là đủ" if attended >= need
               else f"dự {_fmt(attended)} kỳ là chưa đủ, không đương nhiên là đại biểu chính thức")
    text = (f"{_fmt(held)} : 2 = {_dec(held / 2)}; phải trên 50% nên cần dự ít nhất {_fmt(need)} kỳ họp ban chấp "
            f"hành kể từ khi được bầu: {verdict}.")
    if edition == NEW:
        text = _older_rule(text)
    return Calculation(text, "HD 03/HD-TLĐ ngày 20/02/2020, mục 6.6", "bch_attendance", OLD)


_GUESTS_ASK = ("bao nhieu", "toi da", "may", "duoc khong", "qua", "vuot", "co duoc", "gioi han", "han che")
_SPENDING = ("tien an", "muc chi", "kinh phi", "chi tieu", "dinh muc", "chi toi da", "boi duong")


def _asks_after(query: str, subjects: tuple[str, ...], asks: tuple[str, ...], span: int = 8) -> bool:
    """One of `asks` within `span` syllables after (or just before) one of `subjects`."""
    words = query.split()
    for subject in subjects:
        size = len(subject.split())
        for i in range(len(words) - size + 1):
            if " ".join(words[i:i + size]) == subject:
                near = " " + " ".join(words[max(0, i - 3):i] + words[i + size:i + size + span]) + " "
                if any(f" {a} " in near for a in asks):
                    return True
    return False


def guests(query: str, edition: str, story: Story) -> Calculation | None:
    """Official delegates convened → how many guests at most (KH 22: 15% grassroots, 30% provincial)."""
    padded = f" {query} "
    # "mời tối đa bao nhiêu khách": the guests, with or without "mời" after the word
    if not _has(padded, ("khach moi", "khach")) or not _asks_after(query, ("khach moi", "khach"), _GUESTS_ASK) \
            or _has(padded, _SPENDING):
        return None  # guests mentioned in a story about something else (meals, budget)
    delegates_count = _count_before(query.split(), ("dai bieu",))
    if delegates_count is None:
        return None
    # A grassroots union in a city ("công đoàn cơ sở ở TP.HCM") is still a grassroots union.
    upper = _has(padded, _UPPER_LEVEL) and not _has(padded, ("cong doan co so",))
    share = 30 if upper else 15
    limit = delegates_count * share // 100
    level = "cấp tỉnh, ngành trung ương" if upper else "cấp cơ sở, công đoàn xã, phường, đặc khu"
    line = (f"{_fmt(delegates_count)} × {share}% = {_dec(delegates_count * share / 100)}"
            + f": khách mời không quá {_fmt(limit)} người ({level}: tối đa {share}% tổng số đại biểu chính thức "
            "được triệu tập).")
    if edition == OLD:
        line = ("Hiện chưa có quy định cố định trên toàn quốc mà trợ lý biết về số khách mời của nhiệm kỳ "
                "2023–2028; theo KH 22/KH-TLĐ (nhiệm kỳ 2025–2030): " + line[0].lower() + line[1:])
    return Calculation(line, "KH 22/KH-TLĐ ngày 29/8/2025, Mục III phần E", "guests", NEW)


def appointed(query: str, edition: str, story: Story) -> Calculation | None:
    """Official delegates convened → how many may be appointed (khóa XII: at most 5%)."""
    padded = f" {query} "
    if " chi dinh " not in padded or " dai bieu " not in padded:
        return None
    if _has(padded, ("dai hoi xiii", "dai hoi xiv", "dai hoi cong doan viet nam")):
        return None  # the national congress's own figures are facts of record, not a limit to compute
    total = _count_before(query.split(), ("dai bieu",))
    if total is None:  # "tổng số đại biểu chính thức được triệu tập là 200"
        told = re.search(r"\bdai bieu (?:chinh thuc )?(?:duoc )?(?:trieu tap )?(?:la|co) (\d{1,3}(?:\.\d{3})*)\b", query)
        total = int(told.group(1).replace(".", "")) if told else None
    if total is None:
        return None
    limit = total * 5 // 100
    text = (f"{_fmt(total)} × 5% = {_dec(total * 5 / 100)}"
            + f": đại biểu chỉ định không quá {_fmt(limit)} người (tối đa 5% tổng số đại biểu chính thức được "
            "triệu tập).")
    if edition == NEW:
        text = ("Trợ lý chưa có nguyên văn Điều lệ khóa XIII về tỷ lệ này (KH 22 dẫn chiếu Điều lệ và HD 38; "
                "nhiều kế hoạch năm 2025 vẫn ghi 5%); theo Điều lệ khóa XII (nhiệm kỳ trước): "
                + text[0].lower() + text[1:])
    return Calculation(text, "Điều lệ CĐVN khóa XII (QĐ 174/QĐ-TLĐ năm 2020), Điều 8", "appointed", OLD)


def supplementary(query: str, edition: str, story: Story) -> Calculation | None:
    """BCH size decided by the congress → how many may be added by by-elections in the term. The by-election
    must be what is asked, not a word of the story before the question."""
    padded = f" {query} "
    if " bo sung " not in f" {story.asking or query} " or not _has(padded, (
            "bao nhieu", "toi da", "them", "duoc khong", "con duoc", "duoc nua", "may nguoi", "qua", "vuot")):
        return None
    words = query.split()
    decided = _count_before(words, ("uy vien", "nguoi", "thanh vien"))
    if decided is None or not _has(padded, ("ban chap hanh",)):
        return None
    # "CĐCS Bệnh viện huyện …, không cần xin ý kiến cấp trên trực tiếp": a grassroots union all the same
    upper = _has(padded, _UPPER_LEVEL + ("cap tren truc tiep", "quan", "huyen", "nganh")) \
        and not _has(padded, ("cong doan co so", "cdcs"))
    share, label = ((1, 2), "1/2") if upper else ((2, 3), "2/3")
    limit = decided * share[0] // share[1]
    text = (f"{_fmt(decided)} × {label} = {_dec(decided * share[0] / share[1])}"
            + f": trong nhiệm kỳ được bầu bổ sung không quá {_fmt(limit)} ủy viên "
            f"({'cấp trên trực tiếp cơ sở trở lên' if upper else 'công đoàn cơ sở'}: tối đa {label} số ủy viên "
            "đại hội đã quyết định); vượt số đó phải được công đoàn cấp trên trực tiếp đồng ý.")
    done = None
    for i, value in _numbers(words):
        if value != decided and _near(words, i, ("da bau bo sung", "bo sung", "da bau"), before=4, after=2):
            done = value
            break
    if done is not None:
        left = limit - done
        text += (f" Đã bổ sung {_fmt(done)}: còn được bầu bổ sung thêm {_fmt(left)} người." if left >= 0 else
                 f" Đã bổ sung {_fmt(done)}, vượt {_fmt(-left)}: phần vượt cần cấp trên đồng ý.")
    if edition == NEW:
        text = _older_rule(text)
    return Calculation(text, "Điều lệ CĐVN khóa XII (QĐ 174/QĐ-TLĐ năm 2020), Điều 11 khoản 4", "supplementary",
                       OLD)


# Fixed-date public holidays (day, month). Tết and Giỗ Tổ follow the lunar calendar and compensatory days
# off change every year: the answer says they are not deducted.
_HOLIDAYS = {(1, 1), (30, 4), (1, 5), (2, 9)}


def add_working_days(start: date, days: int, off: frozenset[date] = frozenset()) -> date:
    """The `days`-th working day after `start` (Monday–Friday, fixed public holidays and the days `off` the
    officer names skipped)."""
    current, counted = start, 0
    while counted < days:
        current += timedelta(days=1)
        if current.weekday() < 5 and (current.day, current.month) not in _HOLIDAYS and current not in off:
            counted += 1
    return current


_DAYS_OFF = re.compile(r"\bnghi (?:le )?(?:tu )?(?:ngay )?(\d{1,2})/(\d{1,2})(?:/(\d{4}))? (?:den|toi) (?:het )?(?:ngay )?"
                       r"(\d{1,2})/(\d{1,2})(?:/(\d{4}))?")


def _days_off(query: str, year: int) -> frozenset[date]:
    """Days off the question names ("dịp Quốc khánh được nghỉ từ 1/9 đến hết 4/9"), at most a month."""
    found: set[date] = set()
    for m in _DAYS_OFF.finditer(query):
        try:
            first = date(int(m.group(3) or year), int(m.group(2)), int(m.group(1)))
            last = date(int(m.group(6) or m.group(3) or year), int(m.group(5)), int(m.group(4)))
        except ValueError:
            continue
        if 0 <= (last - first).days <= 31:
            found.update(first + timedelta(days=k) for k in range((last - first).days + 1))
    return frozenset(found)


def _wd_note(off: frozenset[date]) -> str:
    if not off:
        return _WD_NOTE
    return (_WD_NOTE + f" Đã trừ cả những ngày nghỉ anh/chị nêu ({min(off).strftime('%d/%m')}–"
            f"{max(off).strftime('%d/%m/%Y')}).")


def _first_date(query: str) -> date | None:
    match = re.search(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b", query)
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    return found if 2000 <= year <= 2100 else None


def _date_near(query: str, cues: tuple[str, ...], reach: int = 60) -> date | None:
    """The question's date written closest to one of `cues` ("đại hội ngày 05/12, hội nghị BCH lần thứ nhất
    thứ Hai 07/12": the meeting's date is the second); the first date when no cue is found."""
    spots = [(m.start(), m.end()) for c in cues for m in re.finditer(rf"\b{re.escape(c)}\b", query)]
    best, best_gap = None, None
    for m in re.finditer(r"\b\d{1,2}/\d{1,2}/\d{4}\b", query):
        found = _first_date(m.group(0))
        if found is None:
            continue
        # A date usually follows what it dates ("lần thứ nhất vào thứ Hai 07/12"): one written after a cue, up
        # to `reach` characters on, wins over any before it ("… ngày 14/11. Hội nghị BCH lần thứ nhất ngày 19/11").
        gap = min((m.start() - end if 0 <= m.start() - end <= reach else 1000 + max(m.start() - end, start - m.end())
                   for start, end in spots), default=0)
        if best_gap is None or gap < best_gap:
            best, best_gap = found, gap
    return best


_LATE_ASK = ("tre", "tre han", "muon", "qua han", "kip", "dung han", "con han", "co sao khong", "duoc khong")


def _all_dates(query: str) -> list[date]:
    return [d for d in (_first_date(m.group(0)) for m in re.finditer(r"\b\d{1,2}/\d{1,2}/\d{4}\b", query)) if d]


def _late_verdict(query: str, start: date, deadline: date) -> str:
    """"… đến 02/12 mới gửi, có bị trễ không?": the later date the question gives, against the deadline."""
    if not _has(f" {query} ", _LATE_ASK):
        return ""
    later = [d for d in _all_dates(query) if d > start]
    if not later:
        return ""
    done = max(later)
    if done <= deadline:
        return f" Ngày {done.strftime('%d/%m/%Y')} vẫn trong hạn."
    return f" Ngày {done.strftime('%d/%m/%Y')} là đã quá hạn (sau {deadline.strftime('%d/%m/%Y')})."


# Appended to every deadline answer, as its own sentence.
_WD_NOTE = (" Ngày làm việc tính từ thứ Hai đến thứ Sáu, đã trừ 01/01, 30/4, 01/5, 02/9; chưa trừ Tết, Giỗ Tổ "
            "và ngày nghỉ bù.")


def working_days(query: str, edition: str, story: Story) -> Calculation | None:
    """A date in the question + a deadline counted in working days → the date it falls on."""
    padded = f" {query} "
    if not _has(padded, ("han", "cham nhat", "truoc ngay", "bao gio", "ngay nao", "khi nao", "may ngay",
                         "ngay lam viec", "han chot", "thoi han", "kip", "tre han", "qua han")):
        return None
    start = _first_date(query)
    if start is None:
        return None
    fmt = "%d/%m/%Y"
    off = _days_off(query, start.year)
    asking = f" {story.asking or query} "
    first_meeting = ("lan thu nhat", "lan dau", "hoi nghi ban chap hanh", "hop ban chap hanh", "phien thu nhat",
                     "phien dau", "phien hop dau", "ban chap hanh hop")
    if edition == NEW and _has(padded, first_meeting) and \
            _has(padded, ("cong nhan", "ho so", "de nghi", "to trinh")) and _has(asking, (
                "han", "cham nhat", "ho so", "gui", "nop", "tre", "kip", "ngay nao", "truoc ngay", "bao gio")):
        # The meeting's own sentence dates it, however long ("… còn hội nghị BCH lần thứ nhất bầu chủ tịch, phó
        # chủ tịch, UBKT thì họp vào thứ Sáu 14/11/2025"); else the date closest to its name.
        told = next((d for d in (_date_near(s, first_meeting, reach=110) for s in story.sentences
                                 if _has(f" {s} ", first_meeting) and re.search(r"\d/\d{4}", s)) if d), None)
        start = told or _date_near(query, first_meeting) or start
        send = add_working_days(start, 10, off)
        text = (f"Hội nghị ban chấp hành lần thứ nhất ngày {start.strftime(fmt)}: chậm nhất 10 ngày làm việc "
                f"sau đó, tức ngày {send.strftime(fmt)}, phải gửi hồ sơ đề nghị cấp trên trực tiếp "
                "công nhận; cấp trên quyết định trong 10 ngày làm việc kể từ khi nhận đủ hồ sơ hợp lệ."
                + _late_verdict(query, start, send) + _wd_note(off))
        return Calculation(text, "HD 38/HD-TLĐ ngày 27/12/2024, mục 10.4", "working_days", NEW)
    if edition == NEW and _has(padded, ("nhan du ho so", "nhan ho so", "nop ho so", "gui ho so", "nop du ho so",
                                        "gui du ho so", "nhan du hs", "nhan hs")) and \
            _has(padded, ("cong nhan", "quyet dinh")) and not _has(padded, ("thanh lap",)):
        start = _date_near(query, ("nhan du ho so", "nhan ho so", "nop ho so", "gui ho so", "nop du ho so",
                                   "gui du ho so", "nhan du hs", "nhan hs")) or start
        decide = add_working_days(start, 10, off)
        text = (f"Hồ sơ đủ, hợp lệ nhận ngày {start.strftime(fmt)}: cấp trên trực tiếp phải ra quyết định công "
                f"nhận chậm nhất ngày {decide.strftime(fmt)}, tức 10 ngày làm việc." + _late_verdict(query, start, decide)
                + _wd_note(off))
        return Calculation(text, "HD 38/HD-TLĐ ngày 27/12/2024, mục 10.4", "working_days", NEW)
    if edition == NEW and _has(padded, ("don gia nhap", "don xin gia nhap", "xin vao cong doan", "nop don")) and \
            _has(padded, ("cap tren", "chua co cong doan")) and _has(f" {story.asking or query} ", (
                "ket nap", "gia nhap", "vao cong doan", "nop don")):  # what is asked is the admission itself
        decide = add_working_days(start, 10, off)
        text = (f"Đơn gia nhập nộp cho công đoàn cấp trên ngày {start.strftime(fmt)}: chậm nhất ngày "
                f"{decide.strftime(fmt)} (10 ngày làm việc) cấp trên phải quyết định kết nạp hay "
                "không và giới thiệu nơi sinh hoạt." + _wd_note(off))
        return Calculation(text, "HD 38/HD-TLĐ ngày 27/12/2024, mục 3.1", "working_days", NEW)
    if edition == NEW and _has(padded, ("xin thoi chuc", "don xin thoi", "thoi chuc")):
        meet = add_working_days(start, 10, off)
        text = (f"Đơn xin thôi chức nộp ngày {start.strftime(fmt)}: chậm nhất ngày {meet.strftime(fmt)} (10 ngày "
                f"làm việc) đại diện ban chấp hành phải gặp trao đổi với người xin thôi; nếu không rút "
                "đơn thì ban thường vụ (nơi không có: ban chấp hành) xét, biểu quyết bằng phiếu kín." + _wd_note(off))
        return Calculation(text, "HD 38/HD-TLĐ ngày 27/12/2024, mục 5.2 điểm b, c", "working_days", NEW)
    if edition == OLD and _has(padded, ("dai hoi thanh lap",)) and not _has(padded, (
            "nhu dai hoi thanh lap", "dai hoi nhiem ky", "giong dai hoi thanh lap")):  # named as a comparison
        start = _date_near(query, ("dai hoi thanh lap", "ket thuc")) or start
        meeting, dossier = add_working_days(start, 10, off), add_working_days(start, 15, off)
        text = (f"Đại hội thành lập kết thúc ngày {start.strftime(fmt)}: chủ tịch triệu tập hội nghị ban chấp "
                f"hành bầu các chức danh chậm nhất ngày {meeting.strftime(fmt)} (10 ngày làm việc); ban chấp "
                f"hành lập hồ sơ đề nghị cấp trên công nhận chậm nhất ngày {dossier.strftime(fmt)} (15 ngày làm "
                f"việc)." + _wd_note(off))
        return Calculation(text, "HD 03/HD-TLĐ ngày 20/02/2020, tiểu mục 12.3 điểm a, b", "working_days", OLD)
    return None


_B2_SOURCE = "KH 22/KH-TLĐ ngày 29/8/2025, Mục III phần B.2; Điều lệ CĐVN khóa XIII, Điều 13 khoản 7"
_OLD_UNKNOWN = ("Hiện chưa có quy định cố định trên toàn quốc mà trợ lý biết về {what} theo Điều lệ khóa XII, "
                "HD 03; theo Điều lệ khóa XIII và KH 22 (nhiệm kỳ 2025–2030): ")


def _bch_counted(words: list[str], i: int) -> bool:
    """The number at `i` counts the BCH: "ban chấp hành" shortly before it, no other body named in between
    ("BCH 15 người, ban thường vụ dự kiến 6 người": 6 is the standing committee's)."""
    before = " " + " ".join(words[max(0, i - 10):i]) + " "
    at = before.rfind(" ban chap hanh ")
    return at != -1 and not any(f" {o} " in before[at + 14:] for o in ("ban thuong vu", "uy ban kiem tra"))


def btv_size(query: str, edition: str, story: Story) -> Calculation | None:
    """BCH members → whether a standing committee is elected and how many at most (≥ 09 members, ≤ 1/3)."""
    padded = f" {query} "
    # the sentence that asks, when the question tells a story ("… mấy anh khác bảo …" is no question)
    if not any(_asks_after(s, ("ban thuong vu",), ("bao nhieu", "may", "toi da", "co duoc", "duoc bau", "so luong"),
                           span=10) for s in ((story.asking,) if story.asking else story.sentences or (query,))):
        return None
    if " ban chap hanh " not in padded:
        return None
    # "BCH 7 người thì có bầu BTV không? Nếu BCH 15 người thì BTV tối đa mấy?": each size asked gets its line
    words = query.split()
    sizes = list(dict.fromkeys(
        v for i, v in _numbers(words) if v >= 3 and _bch_counted(words, i)
        and " ".join(words[i + 1:i + 3]).startswith(("nguoi", "uy vien", "thanh vien", "dong chi")))) or \
        [v for v in [_count_before(words, ("uy vien", "nguoi", "thanh vien"))] if v is not None]
    sizes = [v for v in sizes if not _near(words, next(i for i, x in _numbers(words) if x == v), ("ban thuong vu",),
                                           before=3, after=0)]  # "bầu ban thường vụ 5 người": the BTV's own size
    members = _members_count(words)
    if members is not None and edition == NEW and _has(padded, ("so toi da", "muc toi da", "bang muc toi da")):
        sizes = [_tier(members, _KH22_TIERS)]  # "bầu đủ số tối đa": the KH 22 maximum for these members
    if not sizes or len(sizes) > 3:
        return None
    lines = []
    for size in sizes:
        if size < 9:
            lines.append(f"ban chấp hành {_fmt(size)} ủy viên thì không bầu ban thường vụ (chỉ bầu khi ban chấp hành "
                         "có từ 09 ủy viên trở lên).")
        else:
            lines.append(f"ban chấp hành {_fmt(size)} ủy viên (từ 09 trở lên) được bầu ban thường vụ; {_fmt(size)} : 3"
                         f" = {_dec(size / 3)}, nên ban thường vụ không quá {_fmt(size // 3)} ủy viên (tối đa 1/3 số "
                         "ủy viên ban chấp hành).")
    line = " ".join(l[0].upper() + l[1:] for l in lines)
    text = (_OLD_UNKNOWN.format(what="ngưỡng và số ủy viên ban thường vụ") + line[0].lower() + line[1:]
            if edition == OLD else line)
    return Calculation(text, _B2_SOURCE, "btv_size", NEW)


_UBKT_PROVINCE = [(20000, 5), (60000, 7), (100000, 9), (200000, 11), (400000, 13), (None, 15)]


def ubkt_size(query: str, edition: str, story: Story) -> Calculation | None:
    """Members → inspection committee size (KH 22: grassroots at most 09; provincial tiers by members)."""
    padded = f" {query} "
    # The size must be what is asked, in the same sentence: "UBKT bao nhiêu người", not a UBKT named in a
    # story about deadlines.
    asks = ("bao nhieu", "may", "toi da", "so luong")
    short = len(query.split()) <= 40  # a one-line question: the size asked anywhere after the UBKT
    if not any(_asks_after(s, ("uy ban kiem tra",), asks, span=12) for s in story.sentences or (query,)) \
            and not (short and _asks_after(query, ("uy ban kiem tra",), tuple(
                f"{a} {unit}" for a in asks for unit in ("uy vien", "nguoi", "thanh vien")), span=40)):
        return None
    members = _count_before(query.split(), ("doan vien",))
    if members is None:
        return None
    if _has(padded, _PROVINCE):  # not _UPPER_LEVEL: its "tinh" is also "tính"
        size = _tier(members, _UBKT_PROVINCE)
        line = (f"công đoàn cấp tỉnh, ngành trung ương {_fmt(members)} đoàn viên: ủy ban kiểm tra không quá {size:02d} ủy "
                "viên.")
    else:
        line = (f"công đoàn cơ sở {_fmt(members)} đoàn viên: ủy ban kiểm tra không quá 09 ủy viên (số cụ thể "
                "tùy số đoàn viên, do ban chấp hành quyết định và bầu).")
    text = (_OLD_UNKNOWN.format(what="số ủy viên ủy ban kiểm tra") + line if edition == OLD
            else line[0].upper() + line[1:])
    return Calculation(text, "KH 22/KH-TLĐ ngày 29/8/2025, Mục III phần B.3", "ubkt_size", NEW)



_BASE_SALARY = 2_340_000   # lương cơ sở used in QĐ 61's worked figure (234.000 đ = 10%)
_MONEY = re.compile(r"\b(\d+(?:[.,]\d+)?) ?(?:trieu|tr)\b|\b(\d{1,3}(?:\.\d{3}){2,})(?: ?(?:dong|d|vnd))?\b")


def _salaries(query: str) -> list[int]:
    """Monthly salaries written "12 triệu", "8,5tr" or "12.000.000 đồng" (at least 1 million), in order; not
    the lương cơ sở quoted ("lương cơ sở 2.340.000 đ")."""
    found = []
    for m in _MONEY.finditer(query):
        if m.group(1):
            value = float(m.group(1).replace(",", ".")) * 1_000_000
        else:
            value = float(m.group(2).replace(".", ""))
        if value >= 1_000_000 and not query[max(0, m.start() - 14):m.start()].rstrip().endswith("luong co so"):
            found.append(int(value))
    return found


def _capped_fee(salary: int) -> str:
    fee, cap = salary * 5 // 1000, _BASE_SALARY // 10
    return (f"{_fmt(salary)} × 0,5% = {_fmt(fee)}" if fee <= cap
            else f"{_fmt(salary)} × 0,5% = {_fmt(fee)}, vượt trần nên {_fmt(cap)}")


def union_fee(query: str, edition: str, story: Story) -> Calculation | None:
    """A salary → the monthly đoàn phí (QĐ 61/QĐ-TLĐ from 01/7/2025: 0,5%, capped at 10% of lương cơ sở)."""
    padded = f" {query} "
    if edition != NEW or " doan phi " not in padded or not _has(padded, ("bao nhieu", "may", "muc dong")):
        return None
    salaries = _salaries(query)
    if not salaries:
        return None
    salary = salaries[0]
    fee, cap = salary * 5 // 1000, _BASE_SALARY // 10
    if len(set(salaries)) > 1 and not _has(padded, ("don vi su nghiep",)):
        # "chị Hằng 5 triệu, anh Quang 12 triệu, anh Dũng 50 triệu: cả tổ đóng bao nhiêu?"
        total = sum(min(x * 5 // 1000, cap) for x in salaries)
        text = ("Đoàn phí từng người (0,5% tiền lương đóng bảo hiểm xã hội, tối đa 10% lương cơ sở là "
                f"{_fmt(cap)} đồng): " + "; ".join(_capped_fee(x) for x in salaries)
                + f". Cộng lại: {_fmt(total)} đồng/tháng.")
        return Calculation(text + " Áp dụng từ 01/7/2025.", "QĐ 61/QĐ-TLĐ ngày 29/7/2025, Điều 1", "union_fee", NEW)
    if _has(padded, ("don vi su nghiep",)) and not _has(padded, ("ngoai cong lap",)):
        text = (f"{_fmt(salary)} × 0,5% = {_fmt(fee)} đồng/tháng: đoàn viên ở đơn vị sự nghiệp không hưởng 100% "
                "lương ngân sách đóng 0,5% tiền lương làm căn cứ đóng bảo hiểm xã hội.")
    else:
        base = ("lương thực lĩnh" if _has(padded, ("doanh nghiep nha nuoc",))
                else "tiền lương đóng bảo hiểm xã hội")
        line = (f"{_fmt(salary)} × 0,5% = {_fmt(fee)} đồng/tháng" +
                (f", dưới mức trần 10% lương cơ sở ({_fmt(cap)} đồng) nên đóng {_fmt(fee)} đồng." if fee <= cap
                 else f", vượt mức trần 10% lương cơ sở nên chỉ đóng {_fmt(cap)} đồng."))
        text = f"{line} Mức đóng là 0,5% {base}, tối đa 10% lương cơ sở (lương cơ sở 2.340.000 đồng)."
    return Calculation(text + " Áp dụng từ 01/7/2025.", "QĐ 61/QĐ-TLĐ ngày 29/7/2025, Điều 1", "union_fee", NEW)


_FORM_ASK = ("hinh thuc nao", "hinh thuc gi", "toan the hay", "hay dai hoi dai bieu", "hay dai bieu",
             "hay toan the", "phai dai hoi dai bieu", "bat buoc dai hoi dai bieu", "duoc dai hoi dai bieu khong",
             "duoc dai hoi toan the khong", "dai hoi dai bieu duoc khong", "dai hoi toan the duoc khong")
_NOT_GRASSROOTS = ("cap tren", "cap tinh", "nganh trung uong", "cong doan xa", "cong doan phuong", "dac khu",
                   "cong doan nganh", "tong lien doan")


def congress_form(query: str, edition: str, story: Story) -> Calculation | None:
    """A grassroots union's members → a full-member congress or a delegates' one (KH 22: 200 members)."""
    asking = f" {story.asking or query} "
    if edition != NEW or " dai hoi " not in asking or not _has(asking, _FORM_ASK) \
            or _has(asking, ("hinh thuc bau", "bo phieu", "truc tuyen")):
        return None
    for sentence in story.sentences or (query,):
        words = sentence.split()
        members = next((v for i, v in _numbers(words) if " ".join(words[i + 1:i + 3]) == "doan vien"
                        and (i == 0 or words[i - 1] not in ("duoi", "tren", "tu", "qua", "hon"))), None)
        if members is not None:
            break
    else:
        return None  # "dưới 200 đoàn viên thì …" asks the rule itself: the knowledge entry answers it
    if _has(asking, _NOT_GRASSROOTS) or _has(f" {sentence} ", _NOT_GRASSROOTS):
        return None
    if members >= 200:
        text = (f"{_fmt(members)} đoàn viên (từ 200 trở lên): công đoàn cơ sở, công đoàn cơ sở thành viên, công "
                "đoàn bộ phận tổ chức đại hội đại biểu.")
    else:
        text = (f"{_fmt(members)} đoàn viên (dưới 200): tổ chức đại hội toàn thể đoàn viên. Chỉ khi hoạt động "
                "phân tán, lưu động, khó họp toàn thể, và được công đoàn cấp trên trực tiếp đồng ý, mới được đại "
                "hội đại biểu.")
    return Calculation(text, "KH 22/KH-TLĐ ngày 29/8/2025, Mục III phần D.1 điểm (2)", "congress_form", NEW)


CALCULATORS = (quorum, elected, plan_check, bch_attendance, bch_province, bch_merged, bch_increase, bch_size, btv_size,
               ubkt_size, delegates, guests, delegates_commune, delegates_province, appointed, vacancies, supplementary, working_days,
               commune_congress_due, commune_union_founding, congress_number, rejoin, hcmc_costs, union_fee, congress_form)

# What an entry's question holds (folded) when it states the rule a calculator applies: such an entry is the
# calculation's own rule, not a second part of the question (handlers/faq.py).
RULE_TOPICS = {
    "quorum": ("hop le", "khai mac", "2/3"), "elected": ("trung cu", "phieu"),
    "bch_size": ("ban chap hanh",), "bch_merged": ("ban chap hanh",), "bch_increase": ("ban chap hanh",),
    "bch_province": ("ban chap hanh",), "bch_attendance": ("ban chap hanh", "hop le"),
    "btv_size": ("ban thuong vu",), "ubkt_size": ("uy ban kiem tra",),
    "delegates": ("dai bieu", "hinh thuc", "toan the"), "delegates_commune": ("dai bieu",),
    "delegates_province": ("dai bieu",), "guests": ("khach moi",), "appointed": ("chi dinh",),
    "vacancies": ("khuyet", "hoi nghi"), "supplementary": ("bo sung",),
    "working_days": ("ngay lam viec", "thoi han", "han", "bao lau", "may ngay", "cham nhat"),
    "commune_congress_due": ("cong doan xa", "12 thang"), "commune_union_founding": ("cong doan xa",),
    "congress_number": ("lan thu", "thu tu"), "rejoin": ("ket nap lai", "ra khoi"),
    "hcmc_costs": ("kinh phi", "muc chi", "tien an"), "union_fee": ("doan phi",),
    "congress_form": ("hinh thuc", "toan the", "dai bieu"),
}


def states_rule(entry_question: str, rule: str) -> bool:
    """Does an entry whose question is `entry_question` state (one of) the rule(s) `rule` applied?"""
    padded = f" {normalize(entry_question)} "
    return any(f" {cue} " in padded for r in rule.split("+") for cue in RULE_TOPICS.get(r, ()))


_THOUSANDS = re.compile(r"\b(\d{1,4}) (?:nghin|ngan)\b")


# A day written without its year, after a word that says it is a day ("thứ Sáu 10/3", "ngày 5/12"): not a
# fraction ("2/3 số đại biểu").
_YEARLESS = re.compile(r"\b((?:ngay|thu hai|thu ba|thu tu|thu nam|thu sau|thu bay|chu nhat|sang|chieu|toi|hom|"
                       r"den|truoc) (?:ngay )?)(\d{1,2})/(\d{1,2})\b(?!/)")


def _with_year(text: str, today: date) -> str:
    """Year-less days given the year that puts them nearest `today` ("10/3" asked on 01/03/2023: 10/3/2023;
    "5/1" asked in December: next January)."""
    def dated(m: re.Match) -> str:
        day, month = int(m.group(2)), int(m.group(3))
        options = []
        for year in (today.year - 1, today.year, today.year + 1):
            try:
                options.append(date(year, month, day))
            except ValueError:
                continue
        if not options:
            return m.group(0)
        nearest = min(options, key=lambda d: abs((d - today).days))
        return f"{m.group(1)}{day}/{month}/{nearest.year}"
    return _YEARLESS.sub(dated, text)


def calculate(question: str, edition: str,
              mend: Callable[[list[str]], list[str]] | None = None, today: date | None = None) -> Calculation | None:
    """The first calculator that recognises the question and finds all its counts; a question that asks
    several things ("tối đa bao nhiêu đại biểu và BCH mấy người") gets every calculation it asks for.
    `mend`: the matcher's typo correction of normalised words ("ban chấp hàn" → "ban chấp hành"); `today`:
    the assistant's date, which dates a day written without its year."""
    def counted(text: str) -> str:
        text = _THOUSANDS.sub(lambda m: str(int(m.group(1)) * 1000), normalize(text))  # "70 nghìn" → 70000
        if today is not None:
            text = _with_year(text, today)
        return " ".join(mend(text.split())) if mend and text else text
    query = counted(question)
    story = Story(tuple(counted(s) for s in sentences_of(question)),
                  " ".join(counted(s) for s in asking_sentences(question)))
    several = asks_several(question)
    results: list[Calculation] = []
    for calculator in CALCULATORS:
        result = calculator(query, edition, story)
        if result is not None:
            if not several:
                return result
            results.append(result)
    if len(results) < 2:
        return results[0] if results else None
    sources = list(dict.fromkeys(r.source for r in results))
    return Calculation("\n\n".join(r.text for r in results), "; ".join(sources), "+".join(r.rule for r in results),
                       results[0].edition)


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
        return BchFrame(3, hd, kh, text, "KH 22/KH-TLĐ ngày 29/8/2025, Mục III phần B.1; HD 38/HD-TLĐ ngày "
                                         "27/12/2024, mục 10")
    source = "HD 03/HD-TLĐ ngày 20/02/2020, mục 9.1"
    if members < 10:
        return BchFrame(0, 0, 0, f"công đoàn cơ sở {_fmt(members)} đoàn viên (dưới 10) không bầu ban chấp "
                                 "hành, chỉ bầu chủ tịch", source)
    high = 19 if members >= 3000 else 15
    text = (f"với {_fmt(members)} đoàn viên, ban chấp hành từ 03 đến 15 ủy viên"
            + (", đại hội có thể quyết định tới 19" if high == 19 else ""))
    return BchFrame(3, high, high, text, source)
