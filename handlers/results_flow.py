"""/baocao: an officer (or an admin over the unit) reports the unit's congress, one question a message.

    /baocao [MÃ]  →  date held → form → convened → present → BCH members → how the chủ tịch was elected
    →  the chủ tịch's post in the unit → UBKT members → delegates to the upper congress → women in the BCH
    →  a summary: ✅ send / ✏️ change one answer / ❌ cancel

Each answer is checked as it comes (handlers/results_rules.py); a flagged one (present below 2/3) is
kept only after the officer has read the rule and confirmed. The answers so far live in `result_flows`,
so a restart between two messages loses nothing. Choices carry keys "kq:<action>[:field[:value]]"; where
there are no buttons, a typed number picks from the same list. Count questions offer no choices, so a
typed "2" there is the number 2. "baocao" / "báo cáo" typed without the slash starts the flow too.
Every step is dated by its message (`msg.at`, the assistant's one clock).
"""
from __future__ import annotations

import logging
import re
from datetime import date, datetime, timedelta

import sqlite_utils

import clock
from datefmt import dmy, long_date
from handlers import results_rules as rules
from handlers import results_texts as T
from handlers.messages import Choice, Incoming, Reply
from knowledge.normalize import fold
from knowledge.plan import UnitDataError
from knowledge.unit_terms import FORMS
from scheduler import reminders
from storage import results as store
from storage import units as unit_store
from storage.admins import get_admin, in_scope
from storage.results import FIELDS, ResultLocked, Values
from storage.transactions import immediate
from storage.units import Unit

log = logging.getLogger(__name__)

PREFIX = "kq:"
CANCEL_WORDS = ("huy", "/huy", "thoi", "huy bao cao", "dung")
_CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{1,39}")


def actor_of(msg: Incoming) -> str:
    return f"{msg.channel}:{msg.user_id} {msg.user_name}".strip()


def may_report(db: sqlite_utils.Database, msg: Incoming, unit: Unit) -> bool:
    """A registered officer of the unit (this chat is its member), or an admin whose scope holds it."""
    officer = unit_store.find_officer(db, msg.channel, msg.chat_id)
    if officer is not None and unit_store.is_member(db, officer.id, unit.code):
        return True
    admin = get_admin(db, msg.channel, msg.user_id)
    return admin is not None and in_scope(db, admin, unit.code)


def slashless(text: str) -> str | None:
    """"baocao", "báo cáo", "baocao CDCS-01" typed without the slash → the arguments ('' or the code);
    None for anything else (a question such as «báo cáo kết quả gồm gì» stays a question)."""
    words = text.split()
    if not words:
        return None
    head = fold(words[0])
    if head == "baocao" and len(words) <= 2:
        rest = words[1:]
    elif len(words) >= 2 and fold(f"{words[0]} {words[1]}") == "bao cao" and len(words) <= 3:
        rest = words[2:]
    else:
        return None
    if rest and not (_CODE_RE.fullmatch(rest[0]) and any(c.isdigit() or c.isupper() for c in rest[0])):
        return None
    return rest[0] if rest else ""


class ResultsFlow:
    def __init__(self, db: sqlite_utils.Database):
        self.db = db

    # -- /baocao ------------------------------------------------------------------------------------------
    def command(self, msg: Incoming, args: str) -> list[Reply]:
        if msg.is_group:
            return [Reply(T.GROUP_REFUSED, kind="error")]
        code = args.strip().split()[0].upper() if args.strip() else ""
        if code:
            unit = unit_store.get_unit(self.db, code)
            if unit is None:
                return [Reply(T.NO_UNIT.format(code=code[:40]), kind="error")]
            return self.begin(msg, unit)
        officer = unit_store.find_officer(self.db, msg.channel, msg.chat_id)
        units = unit_store.units_of(self.db, officer.id) if officer else []
        if len(units) == 1:
            return self.begin(msg, units[0])
        if units:
            return [Reply(T.WHICH_UNIT, kind="menu",
                          choices=[Choice(f"{PREFIX}u:{u.code}", f"{u.name} ({u.code})") for u in units])]
        if get_admin(self.db, msg.channel, msg.user_id) is not None:
            return [Reply(T.ADMIN_WHICH, kind="info")]
        return [Reply(T.NOT_REGISTERED, kind="info")]

    def begin(self, msg: Incoming, unit: Unit) -> list[Reply]:
        if not may_report(self.db, msg, unit):
            log.info("report for %s refused to %s:%s", unit.code, msg.channel, msg.user_id)
            return [Reply(T.NOT_ALLOWED.format(name=unit.name), kind="error")]
        now, today = msg.at, clock.local_date(msg.at)
        existing = store.get(self.db, unit.code)
        if existing is not None and existing.accepted:
            return [Reply(self._locked_text(msg, unit, existing), kind="info")]
        current = store.get_flow(self.db, msg.channel, msg.chat_id)
        if existing is None and current and current.kind == "report" and current.unit_code == unit.code:
            return [Reply(T.RESUME.format(name=unit.name), kind="info"), self._ask(current, unit, today)]
        if existing is not None:
            flow = store.Flow(msg.channel, msg.chat_id, "report", msg.user_id, unit.code, "summary",
                              {"answers": existing.values(), "editing": True})
            store.save_flow(self.db, flow, now)
            when = clock.to_local(clock.from_iso(existing.updated_at)).strftime("%H:%M %d/%m/%Y")
            return [Reply(T.EXISTING.format(name=unit.name, when=when), kind="info"), self._summary(flow, unit, today)]
        flow = store.Flow(msg.channel, msg.chat_id, "report", msg.user_id, unit.code, FIELDS[0], {"answers": {}})
        store.save_flow(self.db, flow, now)
        return [Reply(T.START.format(name=unit.name, count=len(FIELDS)), kind="info"), self._ask(flow, unit, today)]

    def _locked_text(self, msg: Incoming, unit: Unit, result: store.Result) -> str:
        when = clock.to_local(clock.from_iso(result.accepted_at)).strftime("%d/%m/%Y") if result.accepted_at else ""
        text = T.LOCKED.format(name=unit.name, when=when)
        admin = get_admin(self.db, msg.channel, msg.user_id)
        if admin is not None and in_scope(self.db, admin, unit.code):
            text += T.LOCKED_ADMIN.format(code=unit.code)
        return text

    # -- the messages of the flow ---------------------------------------------------------------------------
    def intercept(self, msg: Incoming) -> list[Reply] | None:
        """An answer typed while this chat is in the middle of /baocao, or "baocao" without the slash."""
        if msg.is_group:
            return None
        text = (msg.text or "").strip()
        flow = store.get_flow(self.db, msg.channel, msg.chat_id)
        if flow is None or flow.kind != "report":
            args = slashless(text)
            return self.command(msg, args) if args is not None else None
        if fold(text) in CANCEL_WORDS:
            store.clear_flow(self.db, msg.channel, msg.chat_id)
            return [Reply(T.CANCELLED, kind="info")]
        if text.startswith("/"):
            return None  # other commands work as usual; the answers so far stay
        unit = unit_store.get_unit(self.db, flow.unit_code or "")
        if unit is None:
            store.clear_flow(self.db, msg.channel, msg.chat_id)
            return [Reply(T.NO_FLOW, kind="info")]
        today = clock.local_date(msg.at)
        picks_by_number = flow.step not in FIELDS or flow.step in rules.CHOICE_FIELDS or flow.step == "held_on"
        if picks_by_number and re.fullmatch(r"\d{1,2}", text):
            choices = self._choices(flow, unit, today)
            number = int(text)
            if not 1 <= number <= len(choices):
                return [Reply(T.CHOOSE_NUMBER.format(count=len(choices)), kind="error"), self._ask(flow, unit, today)]
            return self.pick(msg, choices[number - 1].key)
        if flow.step not in FIELDS:  # summary, edit menu, confirming a flagged answer: choose
            return [Reply(T.BAD_CHOICE, kind="error"), self._ask(flow, unit, today)]
        try:
            value = rules.parse(flow.step, text, today)
        except rules.AnswerError as exc:
            return [Reply(str(exc), kind="error"), self._ask(flow, unit, today)]
        return self._answer(msg, flow, unit, flow.step, value)

    def pick(self, msg: Incoming, key: str) -> list[Reply]:
        parts = key[len(PREFIX):].split(":", 2)
        action = parts[0]
        if action == "u" and len(parts) > 1:
            unit = unit_store.get_unit(self.db, parts[1])
            return self.begin(msg, unit) if unit else [Reply(T.NO_UNIT.format(code=parts[1][:40]), kind="error")]
        flow = store.get_flow(self.db, msg.channel, msg.chat_id)
        if flow is None or flow.kind != "report":
            return [Reply(T.NO_FLOW, kind="info")]
        if action == "no":
            store.clear_flow(self.db, msg.channel, msg.chat_id)
            return [Reply(T.CANCELLED, kind="info")]
        unit = unit_store.get_unit(self.db, flow.unit_code or "")
        if unit is None or not may_report(self.db, msg, unit):
            store.clear_flow(self.db, msg.channel, msg.chat_id)
            return [Reply(T.NOT_ALLOWED.format(name=unit.name if unit else flow.unit_code), kind="error")]
        field = parts[1] if len(parts) > 1 else ""
        now, today = msg.at, clock.local_date(msg.at)
        if action == "a" and len(parts) == 3:
            if flow.step != field:
                return [Reply(T.PICK_STALE, kind="info"), self._ask(flow, unit, today)]
            value = parts[2] if field in rules.CHOICE_FIELDS or field == "held_on" else int(parts[2])
            return self._answer(msg, flow, unit, field, value)
        if action in ("k", "r") and flow.step == f"confirm:{field}":
            if action == "r":
                flow.step = field
                flow.data.pop("pending", None)
                store.save_flow(self.db, flow, now)
                return [self._ask(flow, unit, today)]
            flow.data["answers"][field] = flow.data.pop("pending")
            return self._advance(msg, flow, unit)
        if action == "e" and flow.step in ("summary", "edit"):
            if field in FIELDS:
                flow.step, flow.data["editing"] = field, True
            else:
                flow.step = "edit"
            store.save_flow(self.db, flow, now)
            return [self._ask(flow, unit, today)]
        if action == "s" and flow.step in ("summary", "edit"):
            flow.step = "summary"
            store.save_flow(self.db, flow, now)
            return [self._summary(flow, unit, today)]
        if action == "ok" and flow.step == "summary":
            return self._submit(msg, flow, unit)
        return [Reply(T.PICK_STALE, kind="info"), self._ask(flow, unit, today)]

    # -- steps ----------------------------------------------------------------------------------------------
    def _answer(self, msg: Incoming, flow: store.Flow, unit: Unit, field: str, value: object) -> list[Reply]:
        today = clock.local_date(msg.at)
        answers = flow.data.setdefault("answers", {})
        result = rules.check(field, value, answers, unit, today)
        if result.error:
            return [Reply(result.error, kind="error"), self._ask(flow, unit, today)]
        if result.flag:
            flow.step, flow.data["pending"] = f"confirm:{field}", value
            store.save_flow(self.db, flow, msg.at)
            return [self._confirm_flag(field, result.warning)]
        answers[field] = value
        return self._advance(msg, flow, unit)

    def _advance(self, msg: Incoming, flow: store.Flow, unit: Unit) -> list[Reply]:
        """The next unanswered question, or (every answer checked together) the summary."""
        answers = flow.data["answers"]
        now, today = msg.at, clock.local_date(msg.at)
        for field in FIELDS:
            if field in answers:
                continue
            implied = rules.skipped(field, answers)
            if implied is not None:
                answers[field] = implied
                continue
            flow.step = field
            store.save_flow(self.db, flow, now)
            return [self._ask(flow, unit, today)]
        field, error, _ = rules.review(answers, unit, today)
        if field is not None:  # an edit made another answer wrong: ask that one again
            flow.step = field
            store.save_flow(self.db, flow, now)
            asking = self._ask(flow, unit, today)
            return [Reply(error or "", kind="error"), asking] if error else [asking]
        flow.step = "summary"
        store.save_flow(self.db, flow, now)
        return [self._summary(flow, unit, today)]

    def _submit(self, msg: Incoming, flow: store.Flow, unit: Unit) -> list[Reply]:
        answers = flow.data["answers"]
        now, today = msg.at, clock.local_date(msg.at)
        field, error, flags = rules.review(answers, unit, today)
        if field is not None:
            flow.step = field
            store.save_flow(self.db, flow, now)
            return [Reply(error or T.BAD_CHOICE, kind="error"), self._ask(flow, unit, today)]
        values = Values(**{f: answers[f] for f in FIELDS}, flags=flags)
        try:
            result, changed = save_result(self.db, unit, values, actor_of(msg), now)
        except ResultLocked:
            store.clear_flow(self.db, msg.channel, msg.chat_id)
            return [Reply(self._locked_text(msg, unit, store.get(self.db, unit.code)), kind="info")]
        store.clear_flow(self.db, msg.channel, msg.chat_id)
        log.info("result of %s saved by %s (v%s, changed %s)", unit.code, actor_of(msg), result.version, changed)
        if not changed:
            return [Reply(T.UNCHANGED.format(name=unit.name), kind="info")]
        if result.version > 1:
            fields = ", ".join(T.LABELS[f].lower() for f in changed) or "lưu ý"
            return [Reply(T.UPDATED.format(name=unit.name, fields=fields), kind="info")]
        return [Reply(T.SAVED.format(name=unit.name), kind="info")]

    # -- rendering ------------------------------------------------------------------------------------------
    def _choices(self, flow: store.Flow, unit: Unit, today: date) -> list[Choice]:
        step = flow.step
        if step == "summary":
            return [Choice(f"{PREFIX}ok", T.SUBMIT), Choice(f"{PREFIX}e", T.EDIT), Choice(f"{PREFIX}no", T.CANCEL)]
        if step == "edit":
            return ([Choice(f"{PREFIX}e:{f}", T.LABELS[f]) for f in FIELDS]
                    + [Choice(f"{PREFIX}s", T.BACK_TO_SUMMARY)])
        if step.startswith("confirm:"):
            field = step.split(":", 1)[1]
            return [Choice(f"{PREFIX}k:{field}", T.KEEP), Choice(f"{PREFIX}r:{field}", T.REENTER)]
        if step in rules.CHOICE_FIELDS:
            return ([Choice(f"{PREFIX}a:{step}:{k}", label) for k, label in rules.CHOICE_FIELDS[step].items()]
                    + [Choice(f"{PREFIX}no", T.CANCEL)])
        if step == "held_on":
            return [Choice(f"{PREFIX}a:held_on:{d.isoformat()}", label) for d, label in _day_options(unit, today)]
        return []  # counts: a typed number is the answer

    def _ask(self, flow: store.Flow, unit: Unit, today: date) -> Reply:
        step = flow.step
        if step == "summary":
            return self._summary(flow, unit, today)
        if step == "edit":
            return Reply(T.EDIT_WHICH, kind="menu", choices=self._choices(flow, unit, today))
        if step.startswith("confirm:"):
            field = step.split(":", 1)[1]
            check = rules.check(field, flow.data.get("pending"), flow.data["answers"], unit, today)
            return self._confirm_flag(field, check.warning or "")
        answers = flow.data.get("answers", {})
        position = FIELDS.index(step) + 1
        question = T.QUESTIONS[step].format(who=T.WHO.get(answers.get("form"), "đoàn viên (đại biểu)"))
        hint = {"held_on": T.HINT_DATE}.get(step, "" if step in rules.CHOICE_FIELDS else
                                             T.HINT_ZERO if step in ("ubkt_elected", "delegates_elected")
                                             else T.HINT_NUMBER)
        text = f"({position}/{len(FIELDS)}) {question}" + (f"\n{hint}" if hint else "")
        return Reply(text, kind="menu", choices=self._choices(flow, unit, today))

    def _confirm_flag(self, field: str, warning: str) -> Reply:
        return Reply(f"⚠️ {warning}", kind="menu",
                     choices=[Choice(f"{PREFIX}k:{field}", T.KEEP), Choice(f"{PREFIX}r:{field}", T.REENTER)])

    def _summary(self, flow: store.Flow, unit: Unit, today: date) -> Reply:
        answers = flow.data["answers"]
        _, _, flags = rules.review(answers, unit, today)
        lines = [T.SUMMARY_TITLE.format(name=unit.name, code=unit.code), *summary_lines(answers)]
        if flags:
            lines += ["", T.FLAGGED_NOTE.format(notes="; ".join(T.FLAG_NOTES[f] for f in flags))]
        lines += ["", T.SUMMARY_CONFIRM]
        return Reply("\n".join(lines), kind="menu", choices=self._choices(flow, unit, today))


def _day_options(unit: Unit, today: date) -> list[tuple[date, str]]:
    options = [(today, T.TODAY.format(day=dmy(today))),
               (today - timedelta(days=1), T.YESTERDAY.format(day=dmy(today - timedelta(days=1))))]
    try:
        planned = unit.congress_day
    except UnitDataError:  # a date stored before imports checked it: just not offered
        planned = None
    if planned and planned < today - timedelta(days=1) and today - planned <= rules.MAX_AGE:
        options.append((planned, T.PLANNED.format(day=dmy(planned))))
    return options


def summary_lines(a: dict) -> list[str]:
    """The answers as the office reads them (also used by /congnhan)."""
    def count(value, none="không bầu") -> str:
        return none if value == 0 else f"{value} ủy viên"
    present, convened = a["present"], a["convened"]
    share = f" ({present * 100 // convened}%)" if convened else ""
    who = T.WHO.get(a["form"], "người")
    return [
        f"• {T.LABELS['held_on']}: {long_date(date.fromisoformat(a['held_on']))}",
        f"• {T.LABELS['form']}: {FORMS.get(a['form'], a['form'])}",
        f"• Triệu tập {convened} {who}, có mặt {present}{share}",
        f"• {T.LABELS['bch_elected']}: {count(a['bch_elected'])}"
        + (f", trong đó {a['bch_women']} nữ" if a["bch_elected"] else ""),
        f"• Chủ tịch: {T.CHAIR_BY_OPTIONS[a['chair_elected_by']].lower()}; chức vụ ở đơn vị: "
        f"{T.CHAIR_POST_OPTIONS[a['chair_post']].lower()}",
        f"• {T.LABELS['ubkt_elected']}: {count(a['ubkt_elected'])}",
        f"• {T.LABELS['delegates_elected']}: "
        + ("không bầu" if a["delegates_elected"] == 0 else f"{a['delegates_elected']} đại biểu"),
    ]


def save_result(db: sqlite_utils.Database, unit: Unit, values: Values, actor: str, now: datetime,
                source: str = "chat") -> tuple[store.Result, list[str]]:
    """Store the result, and mark the unit's congress held on that day (its timeline and reminders follow:
    the "report your results" reminders stop, the "hold your congress" ones too). One transaction."""
    with immediate(db):
        result, changed = store.save(db, unit.code, values, actor, now, source=source)
        outcome = unit_store.save_unit(db, {"code": unit.code, "status": "da_to_chuc",
                                            "congress_date": values.held_on, "form": values.form}, now)
        if outcome == "rescheduled" or changed:
            reminders.replan_unit(db, unit.code, now)
    return result, changed


def register(assistant) -> ResultsFlow:
    """The "kq:" choices and the typed answers of /baocao (the command is in handlers/commands.py)."""
    flow = ResultsFlow(assistant.db)
    assistant.add_picker(PREFIX, flow.pick)
    assistant.add_interceptor(flow.intercept)
    return flow
