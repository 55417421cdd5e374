"""APScheduler wiring: two fixed jobs on the bot's event loop; the database holds every truth.

    dispatcher = create_dispatcher(db)
    dispatcher.register_sender("telegram", send_telegram)      # by each channel, at start-up
    scheduler = start_scheduler(db, dispatcher)                 # inside the running event loop
    …
    scheduler.shutdown(wait=False)

Jobs: `plan_reminders` (every 15 minutes, and once at start) fills the outbox; `dispatch_outbox` (every
30 seconds) drains it. Jobs live in memory only (no job store): a restart recreates them, and the
reminder watermark and the outbox rows in SQLite say what is planned and what was sent.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils
from apscheduler.schedulers.asyncio import AsyncIOScheduler

import clock
from scheduler import broadcasts, followups, reminders
from scheduler.outbox import Dispatcher, SweepResult
from storage import broadcasts as bstore
from storage import open_db, outbox
from storage.db import db_path
from storage import units as unit_store

log = logging.getLogger(__name__)

PLAN_EVERY = timedelta(minutes=15)
DISPATCH_EVERY = timedelta(seconds=30)


def create_dispatcher(db: sqlite_utils.Database, **options) -> Dispatcher:
    """A dispatcher that knows how to re-render reminders and to mark officers who blocked the bot.
    Channels add their senders with `register_sender(channel, send)`."""
    dispatcher = Dispatcher(db, **options)
    dispatcher.register_renderer(reminders.KIND, lambda row, now: reminders.render_row(db, row, now))
    dispatcher.register_renderer(followups.NUDGE_KIND, lambda row, now: followups.render_nudge(db, row, now))
    dispatcher.register_renderer(followups.DIGEST_KIND, lambda row, now: followups.render_digest(db, row, now))
    dispatcher.on_blocked(lambda channel, chat_id, now: unit_store.mark_blocked(db, channel, chat_id, now))
    dispatcher.register_renderer(bstore.REPORT_KIND, lambda row, now: broadcasts.render_report(db, row, now))
    # Done broadcasts get their report; a row of a channel this dispatcher does not send to holds nothing back.
    dispatcher.after_sweep(lambda now: broadcasts.finish_all(db, now, dispatcher.channels))
    return dispatcher


def _plan_all(db: sqlite_utils.Database, now: datetime) -> reminders.PlanResult:
    result = reminders.plan_due(db, now)
    followups.plan_followups(db, now)  # late units: nudges and weekly digests (once a day)
    return result


def _plan_in_own_connection(path: str) -> reminders.PlanResult:
    # A worker thread gets its own connection: sqlite3 connections must not interleave transactions.
    db = open_db(path)
    try:
        return _plan_all(db, clock.now())
    finally:
        db.conn.close()


async def plan_job(db: sqlite_utils.Database) -> reminders.PlanResult:
    """Plan due reminders off the event loop (100,000 units take seconds, see bench/reminders.py)."""
    path = db_path(db)
    if path:
        result = await asyncio.to_thread(_plan_in_own_connection, path)
    else:  # an in-memory database cannot be opened twice
        result = _plan_all(db, clock.now())
    if result.planned or result.dropped:
        log.info("reminders: %s", result)
    return result


async def dispatch_job(dispatcher: Dispatcher) -> SweepResult:
    result = await dispatcher.sweep()  # live clock: rate limits and short pauses are waited out
    if result.sent or result.failed or result.retried:
        log.info("outbox: %s", result)
    return result


def start_scheduler(db: sqlite_utils.Database, dispatcher: Dispatcher, *,
                    event_loop: asyncio.AbstractEventLoop | None = None,
                    plan_every: timedelta = PLAN_EVERY,
                    dispatch_every: timedelta = DISPATCH_EVERY) -> AsyncIOScheduler:
    """Recover rows a crash left half-sent, then start the two jobs on `event_loop` (default: the
    running loop — call it from a coroutine, e.g. python-telegram-bot's `post_init`)."""
    dispatcher.recover_interrupted(clock.now())
    options = {"event_loop": event_loop} if event_loop is not None else {}
    scheduler = AsyncIOScheduler(timezone=clock.LOCAL_TZ, **options)
    defaults = dict(max_instances=1, coalesce=True, misfire_grace_time=None, replace_existing=True)
    scheduler.add_job(plan_job, "interval", args=[db], seconds=plan_every.total_seconds(),
                      id="plan_reminders", next_run_time=datetime.now(clock.LOCAL_TZ), **defaults)
    scheduler.add_job(dispatch_job, "interval", args=[dispatcher], seconds=dispatch_every.total_seconds(),
                      id="dispatch_outbox", next_run_time=datetime.now(clock.LOCAL_TZ) + timedelta(seconds=5),
                      **defaults)
    scheduler.start()
    return scheduler


@dataclass
class RunOnceResult:
    planned: reminders.PlanResult
    sent: SweepResult
    waiting: dict[str, int]      # channel → due rows left for a channel with no sender here
    lease_holder: str = ""       # who holds the dispatcher lease, when it was not this process


async def run_once(db: sqlite_utils.Database, dispatcher: Dispatcher, now: datetime) -> RunOnceResult:
    """One planning pass and one dispatch sweep at `now` (the CLI's `reminders run-once`, tests). Beside
    a live dispatcher (it holds the lease) nothing is sent: rows stay pending for it."""
    planned = _plan_all(db, now)
    holder = "" if dispatcher.ensure_lease() else dispatcher.lease.holder_text()
    sent = await dispatcher.sweep(now) if not holder else SweepResult()
    waiting = outbox.due_by_channel(db, now)
    return RunOnceResult(planned, sent, waiting, holder)
