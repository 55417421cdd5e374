"""What a congress result must satisfy, one answer at a time: parsing what officers type, and the checks.

Hard errors (present above convened, BCH outside its edition's frame for the unit's membership, more
women than BCH members) make the question be asked again. Shortfalls against a rule that the numbers may
still truly show (present below 2/3 of convened) are *flags*: the officer is told the rule and confirms,
and the flag is stored with the result for the upper level to see.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta

from datefmt import dmy
from handlers import results_texts as T
from handlers.importing import CellError, parse_date
from knowledge import calculators
from knowledge.editions import edition_on
from knowledge.normalize import fold
from storage.results import FIELDS
from storage.units import Unit

MAX_COUNT = 1_000_000
MAX_AGE = timedelta(days=3 * 366)
ZERO_WORDS = ("khong", "khong bau", "khong co", "chua bau", "khong bau ubkt", "0")
CHOICE_FIELDS = {"form": T.FORM_OPTIONS, "chair_elected_by": T.CHAIR_BY_OPTIONS, "chair_post": T.CHAIR_POST_OPTIONS}
ZERO_ALLOWED = ("ubkt_elected", "delegates_elected", "bch_women", "bch_elected")
# Words that pick an option when typed instead of a number (folded); checked in this order.
CHOICE_WORDS = {
    "form": (("dai_bieu", ("dai bieu",)), ("toan_the", ("toan the",))),
    "chair_elected_by": (("bch", ("ban chap hanh", "bch", "hoi nghi")), ("dai_hoi", ("truc tiep", "dai hoi"))),
    "chair_post": (("khac", ("khac",)), ("truong_phong", ("truong phong", "tuong duong")),
                   ("cap_pho", ("cap pho", "pho giam doc", "pho hieu truong", "pho thu truong"))),
}


class AnswerError(ValueError):
    """The answer cannot be used; the message (Vietnamese) says why and the question is asked again."""


@dataclass(frozen=True)
class Check:
    error: str | None = None      # ask again
    flag: str | None = None       # keep, with this flag, once the officer confirms
    warning: str | None = None    # the rule, told before the officer confirms a flagged value


OK = Check()


# -- parsing --------------------------------------------------------------------------------------------------
def parse_count(field: str, text: str) -> int:
    t = fold(text).strip().rstrip(".")
    if field in ZERO_ALLOWED and t in ZERO_WORDS:
        return 0
    numbers = re.findall(r"\d{1,3}(?:\.\d{3})+|\d+", t)
    if not numbers:
        raise AnswerError(T.BAD_NUMBER.format(text=text.strip()[:40]))
    if len(numbers) > 1:
        raise AnswerError(T.TWO_NUMBERS.format(count=len(numbers)))
    digits = numbers[0].replace(".", "")
    if len(digits) > len(str(MAX_COUNT)):  # before int(): 5,000 typed digits would overflow its limit
        raise AnswerError(T.TOO_BIG.format(value=digits[:12] + "…"))
    value = int(digits)
    if value > MAX_COUNT:
        raise AnswerError(T.TOO_BIG.format(value=value))
    return value


def parse_day(text: str, today: date) -> date:
    t = fold(text).strip()
    if t in ("hom nay", "nay"):
        return today
    if t in ("hom qua", "qua"):
        return today - timedelta(days=1)
    short = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})", t)
    try:
        if short:  # "15/3": this year, or last year when that day is still ahead
            day = date(today.year, int(short[2]), int(short[1]))
            return day if day <= today else day.replace(year=today.year - 1)
        day, _ = parse_date(text.strip())
    except (CellError, ValueError):
        raise AnswerError(T.BAD_DATE.format(text=text.strip()[:40])) from None
    if day is None:
        raise AnswerError(T.BAD_DATE.format(text=text.strip()[:40]))
    return day


def parse_choice(field: str, text: str) -> str:
    t = f" {fold(text)} "
    for key, words in CHOICE_WORDS[field]:
        if any(f" {w} " in t for w in words):
            return key
    raise AnswerError(T.BAD_CHOICE)


def parse(field: str, text: str, today: date) -> object:
    if field == "held_on":
        return parse_day(text, today).isoformat()
    if field in CHOICE_FIELDS:
        return parse_choice(field, text)
    return parse_count(field, text)


# -- checks ---------------------------------------------------------------------------------------------------
def edition_of(answers: dict) -> str:
    held = answers.get("held_on")
    return edition_on(date.fromisoformat(held)).id if held else calculators.NEW


def _members(unit: Unit, answers: dict) -> int | None:
    """The membership the BCH frame is counted on: the unit's own figure, else (a congress of all members)
    the number convened."""
    if unit.members_count:
        return unit.members_count
    if answers.get("form") == "toan_the" and answers.get("convened"):
        return answers["convened"]
    return None


def _bch(value: int, unit: Unit, answers: dict) -> Check:
    convened = answers.get("convened")
    if convened is not None and value > convened and answers.get("form") == "toan_the":
        return Check(error=T.BCH_OVER_CONVENED.format(value=value, convened=convened))
    if unit.level != "cong_doan_co_so":
        return OK  # other levels' frames are set by the upper level's guidance, not known here
    edition = edition_of(answers)
    members = _members(unit, answers)
    if members is None:  # only the widest frame of the edition can be checked
        widest = calculators.bch_frame(10**6, edition)
        if not widest.low <= value <= widest.high:
            return Check(error=T.BCH_UNKNOWN_MEMBERS.format(value=value, low=widest.low, high=widest.high,
                                                            source=widest.source))
        return OK
    frame = calculators.bch_frame(members, edition)
    if frame.high == 0 and value != 0:
        return Check(error=T.BCH_NONE_ALLOWED.format(frame=frame.text, source=frame.source))
    if not frame.low <= value <= frame.high and frame.high:
        return Check(error=T.BCH_OUT.format(value=value, frame=frame.text, source=frame.source))
    if value > frame.usual_high:
        return Check(flag="bch_frame", warning=T.BCH_ABOVE_USUAL.format(value=value, usual=frame.usual_high,
                                                                         frame=frame.text))
    return OK


def _quorum(present: int, convened: int, answers: dict) -> Check:
    if present > convened:
        return Check(error=T.PRESENT_OVER.format(present=present, convened=convened))
    need = math.ceil(convened * 2 / 3)
    if present >= need:
        return OK
    rule = T.QUORUM_RULE.format(source=calculators.QUORUM_SOURCE)
    if edition_of(answers) == calculators.NEW:
        rule = calculators.UNVERIFIED_NEW + rule[0].lower() + rule[1:]
    return Check(flag="quorum", warning=T.QUORUM_LOW.format(present=present, convened=convened, need=need, rule=rule))


def check(field: str, value: object, answers: dict, unit: Unit, today: date) -> Check:
    """The check of one answer given the others answered so far."""
    if field == "held_on":
        day = date.fromisoformat(value)
        if day > today:
            return Check(error=T.FUTURE_DATE.format(day=dmy(day)))
        if today - day > MAX_AGE:
            return Check(error=T.OLD_DATE.format(day=dmy(day)))
        return OK
    convened = answers.get("convened")
    if field == "convened":
        return Check(error=T.CONVENED_ZERO) if value < 1 else OK
    if field == "present":
        return _quorum(value, convened, answers) if convened is not None else OK
    if field == "bch_elected":
        return _bch(value, unit, answers)
    if field == "chair_elected_by":
        return Check(error=T.CHAIR_NEEDS_BCH) if value == "bch" and answers.get("bch_elected") == 0 else OK
    if field in ("ubkt_elected", "delegates_elected"):
        if convened is not None and value > convened:
            return Check(error=T.OVER_CONVENED.format(value=value, convened=convened))
        return OK
    if field == "bch_women":
        bch = answers.get("bch_elected")
        return Check(error=T.WOMEN_OVER.format(value=value, bch=bch)) if bch is not None and value > bch else OK
    return OK


def review(answers: dict, unit: Unit, today: date) -> tuple[str | None, str | None, list[str]]:
    """All answers checked together (after edits): (first field to ask again, its error, flags)."""
    flags = []
    for field in FIELDS:
        if field not in answers:
            return field, None, flags
        result = check(field, answers[field], answers, unit, today)
        if result.error:
            return field, result.error, flags
        if result.flag:
            flags.append(result.flag)
    return None, None, flags


def skipped(field: str, answers: dict) -> object | None:
    """A question whose answer follows from earlier ones: no BCH means the congress elected the chair and
    there are no women in the BCH. Returns that answer, or None when the question must be asked."""
    if answers.get("bch_elected") == 0:
        if field == "chair_elected_by":
            return "dai_hoi"
        if field == "bch_women":
            return 0
    return None
