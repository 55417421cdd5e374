"""Answer questions from the knowledge base; log every question with its outcome."""
from __future__ import annotations

import hashlib
import threading
from datetime import datetime
from typing import Callable

import sqlite_utils

import clock
from handlers import texts
from handlers.messages import Choice, Incoming, Reply
from knowledge.asked_detail import missing_detail
from knowledge.calculators import Calculation, calculate, states_rule
from knowledge.clauses import asks_several
from knowledge.scope import mixup
from knowledge.editions import COMMON, edition_ids, edition_on, get_edition, load_editions, unheld_note
from knowledge.entries import Entry
from knowledge.matcher import Matcher, MatchResult
from storage.knowledge import knowledge_version, read_entries
from storage import questions


def topic_key(topic: str) -> str:
    """Short stable key for a topic (fits Telegram's 64-byte callback data)."""
    return "topic:" + hashlib.sha1(topic.encode()).hexdigest()[:10]


def answer_text(entry: Entry, asked: str, question: str = "", also: Entry | None = None) -> str:
    """What the person reads of an entry: its answer, after a note when it is of another edition than the
    one asked, when the question asks a detail that neither it nor `also` (the entry answering the question's
    second part) gives, or when the question names rules the assistant does not hold."""
    text = entry.answer
    if entry.edition not in (COMMON, asked):
        wanted, have = get_edition(asked), get_edition(entry.edition)
        note = texts.EDITION_NOTE.format(
            edition=have.term if have else entry.edition, active=wanted.term if wanted else asked)
        text = f"{note}\n\n{text}"
    missing = missing_detail(question, entry.answer + ("\n" + also.answer if also else "")) if question else ""
    if missing:
        text = texts.MISSING_DETAIL_NOTE.format(detail=missing) + "\n\n" + text
    unheld = unheld_note(question) if question else ""
    return f"{unheld}\n\n{text}" if unheld else text


def result_text(result: MatchResult, question: str) -> str:
    """What the person reads of an answered result: the first entry's answer and, when the question asked
    two things that two entries answer, the second's under its own heading."""
    text = answer_text(result.best.entry, result.edition, question,
                       result.also.entry if result.also is not None else None)
    if result.also is not None:
        second = answer_text(result.also.entry, result.edition)
        text += "\n\n" + texts.SECOND_PART.format(question=result.also.entry.question) + "\n" + second
    return text


def calculation_text(calc: Calculation, result: MatchResult, question: str) -> tuple[str, str]:
    """The rule applied to the officer's counts and, when the question also asks something the calculation
    does not answer, the entry that does under its own heading; with the sources of both."""
    unheld = unheld_note(question)
    text, sources = (f"{unheld}\n\n{calc.text}" if unheld else calc.text), [calc.source]
    if result.status == "answered" and asks_several(question):
        for part in (result.best, result.also):
            if part is None or _computed_by(part.entry, calc):
                continue
            text += ("\n\n" + texts.SECOND_PART.format(question=part.entry.question) + "\n"
                     + answer_text(part.entry, result.edition))
            if part.entry.source not in sources:
                sources.append(part.entry.source)
    return text, "; ".join(sources)


def _computed_by(entry: Entry, calc: Calculation) -> bool:
    """The entry states the rule the calculation applied: the calculation already answers that part."""
    return states_rule(entry.question + " " + " ".join(entry.tags), calc.rule)


def result_source(result: MatchResult) -> str:
    """Where the answer comes from: one source, or both parts' when they differ."""
    sources = [result.best.entry.source]
    if result.also is not None and result.also.entry.source not in sources:
        sources.append(result.also.entry.source)
    return "; ".join(sources)


class FaqService:
    """Holds the matcher, rebuilt when the stored knowledge version changes."""

    def __init__(self, db: sqlite_utils.Database, active_edition: str = "", *, now: Callable[[], datetime]):
        """`active_edition` fixes the edition (ACTIVE_EDITION); empty: the one in force at `now()`, the
        assistant's one clock."""
        self.db = db
        self.now = now
        self.fixed_edition = active_edition
        self._lock = threading.Lock()
        self._version = -1
        self._matcher: Matcher | None = None
        self._by_id: dict[str, Entry] = {}

    @property
    def matcher(self) -> Matcher:
        version = knowledge_version(self.db)
        if self._matcher is None or version != self._version:
            with self._lock:
                if self._matcher is None or version != self._version:
                    entries = read_entries(self.db)
                    self._matcher = Matcher(entries, self.active_edition)
                    self._by_id = {e.id: e for e in entries}
                    self._version = version
        return self._matcher

    @property
    def active_edition(self) -> str:
        """The edition answers follow now: the fixed one, else the one in force at the clock."""
        if self.fixed_edition in edition_ids():
            return self.fixed_edition
        return edition_on(clock.local_date(self.now())).id

    def welcome(self) -> str:
        """The greeting, naming the edition in force at the clock and the others it can answer from."""
        current = get_edition(self.active_edition)
        others = [e.term for e in load_editions() if e.id != self.active_edition]
        return texts.WELCOME.format(
            current=current.term if current else self.active_edition,
            others=texts.WELCOME_OTHERS.format(terms=", ".join(others)) if others else "")

    def entry(self, entry_id: str) -> Entry | None:
        self.matcher  # refresh if needed
        return self._by_id.get(entry_id)

    def topics(self) -> list[str]:
        seen: dict[str, None] = {}
        active = self.active_edition
        for e in self.matcher.entries:
            if e.edition in (COMMON, active) and not e.place:
                seen.setdefault(e.topic)
        return list(seen)

    def topic_by_key(self, key: str) -> str | None:
        return next((t for t in self.topics() if topic_key(t) == key), None)

    def entries_of_topic(self, topic: str) -> list[Entry]:
        active = self.active_edition
        return [e for e in self.matcher.entries
                if e.topic == topic and e.edition in (COMMON, active) and not e.place]

    # -- answering --------------------------------------------------------------------------------
    def log_question(self, msg: Incoming, result: MatchResult) -> int:
        best = result.best
        return questions.log_question(self.db, msg.channel, msg.chat_id, msg.user_id, msg.text, result.status,
                                      result.score, best.entry.id if best and result.status == "answered" else None)

    def edition_line(self, entry: Entry, asked: str) -> str:
        """Which edition the answer follows, as the reply shows it (with the newer-rules caveat)."""
        edition = get_edition(asked if entry.edition == COMMON else entry.edition)
        if edition is None:
            return ""
        line = edition.heading
        caveat = edition.caveat_on(clock.local_date(self.now())) if edition.id == asked else ""
        return f"{line}. {caveat}" if caveat else line

    def answer_reply(self, entry: Entry, question_id: int | None = None, asked: str = "",
                     question: str = "") -> Reply:
        """The entry as a reply; `asked` is the edition the question was answered from."""
        asked = asked or self.active_edition
        text = answer_text(entry, asked, question)
        return Reply(text=text, kind="answer", source=entry.source,
                     edition=self.edition_line(entry, asked), entry_id=entry.id,
                     question_id=question_id, feedback=question_id is not None)

    def ask(self, msg: Incoming, log: bool = True) -> tuple[Reply, MatchResult]:
        result = self.matcher.match(msg.text, edition=self.active_edition)
        question_id = self.log_question(msg, result) if log else None
        if result.reason != "out_of_scope":
            calc = calculate(msg.text, result.edition, self.matcher.correct_typos, clock.local_date(self.now()))
            if calc is not None:  # the officer gave the counts: the rule applied to them
                edition = get_edition(result.edition)
                text, source = calculation_text(calc, result, msg.text)
                return Reply(text=text, kind="answer", source=source,
                             edition=edition.heading if edition else "", entry_id=result.best.entry.id
                             if result.status == "answered" else "", question_id=question_id,
                             feedback=question_id is not None), result
        if result.status == "answered":
            reply = self.answer_reply(result.best.entry, question_id, result.edition, msg.text)
            if result.also is not None:
                reply.text, reply.source = result_text(result, msg.text), result_source(result)
            related = [c for c in self.matcher.runners_up(result) if c is not result.also]
            if related:  # nearly as likely: offered beside the answer, one tap away
                reply.choices = [Choice(f"faq:{c.entry.id}", c.entry.question) for c in related]
                reply.choices_intro = texts.RELATED_INTRO
            return reply, result
        if result.status == "suggested":
            choices = [Choice(f"faq:{c.entry.id}", c.entry.question) for c in result.candidates]
            return Reply(text=texts.SUGGEST_INTRO, kind="suggest", choices=choices,
                         question_id=question_id), result
        if result.reason == "out_of_scope":
            text = self.out_of_scope_text(result)
            own = self.union_rule_for_mixup(msg.text, result)
            if own:
                text += "\n\n" + texts.MIXUP_UNION_RULE.format(rule=own)
            return Reply(text=text, kind="not_found", question_id=question_id), result
        choices = [Choice(topic_key(t), t) for t in self.topics()]
        return Reply(text=f"{texts.NOT_FOUND}\n\n{texts.TOPICS_INTRO}", kind="not_found",
                     choices=choices, question_id=question_id), result

    def union_rule_for_mixup(self, question: str, result: MatchResult) -> str:
        """For another organisation's số dư / trúng cử / quorum: the union's own rule, or it applied to the
        counts given; empty when the question touches none of them."""
        if result.scope is None or result.scope.kind != "organisation":
            return ""
        shared = mixup(result.query)
        if shared is None:
            return ""
        calc = calculate(question, result.edition, self.matcher.correct_typos, clock.local_date(self.now()))
        if calc is not None:
            return f"{calc.text} ({calc.source})"
        own = self.matcher.match(shared.union_question, edition=result.edition)
        if own.status != "answered":
            return ""
        return f"{own.best.entry.answer} ({own.best.entry.source})"

    def out_of_scope_text(self, result: MatchResult) -> str:
        scope = result.scope
        if scope is None:
            return texts.OUT_OF_SCOPE
        template = texts.OUT_OF_SCOPE_ORG if scope.kind == "organisation" else texts.OUT_OF_SCOPE_SUBJECT
        text = template.format(name=scope.name)
        if scope.where_to_ask:
            text += " " + texts.OUT_OF_SCOPE_ASK.format(where=scope.where_to_ask)
        return text

    def record_feedback(self, question_id: int, user_id: str, channel: str, value: int) -> str:
        """Store 👍 (+1) or 👎 (-1) for an answered question, from the person who asked it; a second press
        replaces the first. 'stored', 'missing' or 'not_asker' (storage/questions.vote)."""
        if value not in (1, -1):
            return "missing"
        return questions.vote(self.db, question_id, user_id, channel, value)


def result_record(question: str, reply: Reply, result: MatchResult) -> dict:
    """One answer as the `ask --json` contract has it (benchmarks and outside checks rely on its keys)."""
    best = result.best
    answered = result.status == "answered"
    return {
        "q": question,
        "status": result.status,
        "answer": reply.text if answered else None,
        "faq_id": best.entry.id if answered else None,
        "score": result.score,
        "source": reply.source or best.entry.source if answered else None,
        # A question asking two things: the entry answering the second (its answer follows in `answer`).
        "also_faq_id": result.also.entry.id if answered and result.also is not None else None,
        # The edition the answer follows ("chung": true in every edition, so the one asked for).
        "edition": (result.edition if best.entry.edition == "chung" else best.entry.edition)
        if answered else None,
        "asked_edition": result.edition,
        "suggestions": [
            {"faq_id": c.entry.id, "question": c.entry.question, "answer": c.entry.answer,
             "score": c.score}
            for c in (result.candidates if result.status == "suggested" else [])
        ],
    }
