"""Helpers for the units / deadlines / reminders tests: local times, units and officers, a recording
sender. Tests never sleep: they pass `now` to the functions, or set the clock."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

import clock
import knowledge.plan as plan_module
from handlers.messages import Incoming
from storage import units as store
from storage.transactions import immediate

FIXTURE_PLANS = Path(__file__).parent / "fixtures" / "plans"


def local(text: str) -> datetime:
    """'2023-03-08 08:00' in Hà Nội, as the aware UTC datetime the code uses."""
    return clock.parse_local(text)


def make_unit(db, code: str, congress: str | None = "2023-03-15", *, level: str = "cong_doan_co_so",
              plan_id: str | None = "test-plan", parent: str | None = None, invite: str | None = None,
              now: datetime | None = None, **extra) -> store.Unit:
    values = dict(code=code, name=f"Công đoàn {code}", level=level, parent_code=parent,
                  congress_date=congress, plan_id=plan_id, invite_code=invite or f"INV{code}".replace("-", ""),
                  **extra)
    with immediate(db):
        store.save_unit(db, values, now or local("2023-02-01 09:00"))
    return store.get_unit(db, code)


def make_officer(db, chat_id: str, *codes: str, channel: str = "telegram",
                 now: datetime | None = None) -> store.Officer:
    now = now or local("2023-02-01 09:00")
    officer = store.ensure_officer(db, channel, chat_id, now, user_id=chat_id, name=f"Cán bộ {chat_id}")
    for code in codes:
        store.join_unit(db, officer.id, code, now)
    return officer


def msg(text: str, chat_id: str = "100", channel: str = "telegram") -> Incoming:
    return Incoming(channel, chat_id, chat_id, text, user_name="Nguyễn Văn A")


class Recorder:
    """A sender that records deliveries; `fail` maps chat ids to an exception to raise instead."""

    def __init__(self):
        self.sent: list[tuple[str, str]] = []
        self.fail: dict[str, Exception] = {}

    async def __call__(self, chat_id: str, text: str) -> None:
        error = self.fail.get(chat_id)
        if error is not None:
            raise error
        self.sent.append((chat_id, text))

    def to(self, chat_id: str) -> list[str]:
        return [text for c, text in self.sent if c == chat_id]



@pytest.fixture
def fixture_plans(monkeypatch):
    """Units use tests/fixtures/plans (the test plan) instead of knowledge/plans."""
    monkeypatch.setattr(plan_module, "PLANS_DIR", FIXTURE_PLANS)
    return FIXTURE_PLANS


@pytest.fixture
def real_clock():
    """Whatever a test does to the clock is undone after it."""
    yield
    clock.set_now(None)


def claim_without_attempt(db, now: datetime, channel: str, limit: int = 10) -> list:
    """Put due rows in the state an older dispatcher left them in when it died: 'sending', with no
    attempt logged (it kept no log). Returns those rows."""
    from storage import outbox
    stamp = clock.iso(now)
    with immediate(db):
        ids = [r[0] for r in db.execute("SELECT id FROM outbox WHERE status = 'pending' AND due_at <= ? AND channel = ?"
                                        " ORDER BY due_at, id LIMIT ?", (stamp, channel, limit))]
        db.execute(f"UPDATE outbox SET status = 'sending', attempts = attempts + 1, claimed_at = ?, updated_at = ?"
                   f" WHERE id IN ({','.join('?' * len(ids))})", (stamp, stamp, *ids))
    return outbox.rows(db, f"id IN ({','.join('?' * len(ids))})", tuple(ids))
