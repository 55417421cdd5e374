"""The dispatcher: drains due outbox rows through the channels' sender callables, exactly once.

Channels register a sender at start-up:

    async def send(chat_id: str, text: str) -> None      # raise RetryableSendError / RecipientBlockedError
    dispatcher.register_sender("telegram", send)

Order of work for each row: claim it (pending → sending, in a write transaction), record the final text
(intent), send, then mark it sent. A crash between claiming and marking leaves the row in 'sending'; on the
next start `recover_interrupted` marks such rows failed instead of sending them again — the one window
where a message may be lost rather than doubled, which is the promise here: never the same key twice.

Kept simple on purpose: one row at a time per sweep; a 429 (`RetryableSendError.retry_after`) pauses that
channel until then; other retryable errors back off exponentially up to `max_attempts`. Per-channel rate
limits belong to the broadcast work that will extend this class.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Awaitable, Callable

import sqlite_utils

import clock
from storage import outbox as store
from storage.outbox import OutboxRow

log = logging.getLogger(__name__)

Sender = Callable[[str, str], Awaitable[None]]
# Re-renders a row's text at send time (days left move on); None means "no longer worth sending".
Renderer = Callable[[OutboxRow, datetime], "str | None"]
BlockedHook = Callable[[str, str, datetime], None]

QUIET_START = time(21, 0)
QUIET_END = time(7, 0)


class SendError(Exception):
    """A sender could not deliver."""


class RetryableSendError(SendError):
    """Worth another try later: 429 (with `retry_after` seconds), 5xx, network trouble."""

    def __init__(self, message: str = "", retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class RecipientBlockedError(SendError):
    """The recipient blocked the bot or the chat is gone: never retried."""


def in_quiet_hours(now: datetime, start: time = QUIET_START, end: time = QUIET_END) -> bool:
    """True between `start` and `end` local time (Asia/Ho_Chi_Minh), across midnight."""
    local = clock.to_local(now).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def next_quiet_end(now: datetime, end: time = QUIET_END) -> datetime:
    """The next local `end` (07:00) after `now`."""
    day = clock.local_date(now)
    candidate = clock.at_local(day, end)
    return candidate if candidate > now else clock.at_local(day + timedelta(days=1), end)


@dataclass
class SweepResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0

    def __str__(self) -> str:
        return f"đã gửi {self.sent}, thử lại sau {self.retried}, lỗi {self.failed}, bỏ qua {self.dropped}"


class Dispatcher:
    def __init__(self, db: sqlite_utils.Database, *, batch_size: int = 50, max_attempts: int = 5,
                 backoff: timedelta = timedelta(seconds=30), quiet_start: time = QUIET_START,
                 quiet_end: time = QUIET_END):
        self.db = db
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.quiet_start, self.quiet_end = quiet_start, quiet_end
        self._senders: dict[str, Sender] = {}
        self._renderers: dict[str, Renderer] = {}
        self._blocked_hooks: list[BlockedHook] = []
        self._paused_until: dict[str, datetime] = {}

    # -- registration -----------------------------------------------------------------------------
    def register_sender(self, channel: str, send: Sender) -> None:
        """Rows of `channel` are delivered by `send`; rows of channels with no sender wait."""
        self._senders[channel] = send

    def unregister_sender(self, channel: str) -> None:
        self._senders.pop(channel, None)

    def register_renderer(self, kind: str, render: Renderer) -> None:
        """Rows of `kind` get their text from `render(row, now)` just before sending."""
        self._renderers[kind] = render

    def on_blocked(self, hook: BlockedHook) -> None:
        """Called with (channel, chat_id, now) when a sender reports the recipient blocked the bot."""
        self._blocked_hooks.append(hook)

    @property
    def channels(self) -> list[str]:
        return sorted(self._senders)

    # -- start-up ---------------------------------------------------------------------------------
    def recover_interrupted(self, now: datetime | None = None) -> int:
        """Call once at start-up, before the first sweep (see the module docstring)."""
        stuck = store.recover_interrupted(self.db, now or clock.now())
        for row in stuck:
            log.warning("outbox %s (%s → %s:%s) was being sent when the process stopped; "
                        "not resending", row.key, row.kind, row.channel, row.chat_id)
        return len(stuck)

    # -- the sweep --------------------------------------------------------------------------------
    async def sweep(self, now: datetime | None = None, max_rows: int | None = None) -> SweepResult:
        """Send every due row of a registered channel (at most `max_rows`)."""
        now = now or clock.now()
        result = SweepResult()
        for row in store.expire_due(self.db, now):
            log.info("outbox %s dropped: its event has passed (%s)", row.key, row.expires_at)
            result.dropped += 1
        quiet = in_quiet_hours(now, self.quiet_start, self.quiet_end)
        handled = 0
        while max_rows is None or handled < max_rows:
            channels = [c for c in self._senders if self._paused_until.get(c, now) <= now]
            limit = self.batch_size if max_rows is None else min(self.batch_size, max_rows - handled)
            batch = store.claim_due(self.db, now, channels, limit, quiet)
            if not batch:
                break
            for row in batch:
                handled += 1
                if self._paused_until.get(row.channel, now) > now:
                    store.release(self.db, row.id, now)
                    continue
                await self._deliver(row, now, result)
        return result

    async def _deliver(self, row: OutboxRow, now: datetime, result: SweepResult) -> None:
        text = row.text
        render = self._renderers.get(row.kind)
        if render is not None:
            try:
                rendered = render(row, now)
            except Exception:  # a broken renderer must not stop the sweep; send what was planned
                log.exception("outbox %s: renderer failed; sending the planned text", row.key)
                rendered = text
            if rendered is None:
                store.mark_final(self.db, row.id, "dropped", "không còn phù hợp lúc gửi", now)
                log.info("outbox %s dropped by its renderer", row.key)
                result.dropped += 1
                return
            if rendered != text:
                text = rendered
                store.set_text(self.db, row.id, text, now)
        try:
            await self._senders[row.channel](row.chat_id, text)
        except RecipientBlockedError as exc:
            store.mark_final(self.db, row.id, "failed", f"người nhận đã chặn bot: {exc}", now)
            result.failed += 1
            for hook in self._blocked_hooks:
                hook(row.channel, row.chat_id, now)
        except Exception as exc:  # RetryableSendError and anything unexpected: try again later
            retry_after = getattr(exc, "retry_after", None)
            if not isinstance(exc, RetryableSendError):
                log.exception("outbox %s: unexpected error from the %s sender", row.key, row.channel)
            if retry_after:
                self._paused_until[row.channel] = now + timedelta(seconds=retry_after)
            if row.attempts >= self.max_attempts:
                store.mark_final(self.db, row.id, "failed", f"hết {row.attempts} lần thử: {exc}", now)
                result.failed += 1
            else:
                delay = (timedelta(seconds=retry_after) if retry_after
                         else self.backoff * (2 ** (row.attempts - 1)))
                store.mark_retry(self.db, row.id, now + delay, f"{type(exc).__name__}: {exc}", now)
                result.retried += 1
        else:
            store.mark_sent(self.db, row.id, text, now)
            result.sent += 1


def log_sender(db: sqlite_utils.Database, channel: str, echo: Callable[[str, str], None] | None = None) -> Sender:
    """A sender with no messenger behind it: records each delivery in `delivery_log` (and echoes it).
    Used by the console, by `reminders run-once` and by tests."""
    async def send(chat_id: str, text: str) -> None:
        store.record_delivery(db, channel, chat_id, text, clock.now())
        if echo is not None:
            echo(chat_id, text)
    return send
