"""The dispatcher: drains due outbox rows through the channels' sender callables, exactly once.

Channels register a sender at start-up (their `send`, channels/base.py; the errors are delivery.py's):

    async def send(chat_id: str, text: str, **extra) -> None   # raise RetryableSendError / RecipientBlockedError
    dispatcher.register_sender("telegram", send)
    dispatcher.set_limits("telegram", TELEGRAM_LIMITS)          # 25 msg/s, 1 msg/s per chat, 16 in flight

Order of work for each row: choose a due row whose chat may take a message, wait for the channel's send
slot, then claim it — pending → sending and an open attempt in `outbox_attempts`, one transaction —
render and record the final text, send, and record the answer (row status and attempt outcome, one
transaction). A row is claimed only when its request can leave at once, so the rows in 'sending' are
exactly the requests in flight.

After a crash (`recover_interrupted`, at start-up): a 'sending' row with an open attempt had its request
in flight; it goes back to pending and is sent again. The only way a recipient then gets the message
twice is that the messenger accepted the request and the process died before committing the answer —
the one window no HTTP API without idempotency keys can close (below). A 'sending' row without
an open attempt (claimed by an older version, which kept no log) is marked failed rather than guessed about.

Outcomes: a sender tells "not sent" (connection refused, DNS, 429, 5xx: the messenger did not take the
message — `RetryableSendError`, retried) from "outcome unknown" (`OutcomeUnknownError`: the request was
written and no answer came, e.g. a read time-out — it may have been delivered). An unknown outcome is
never retried blindly: the policy is per kind (`UNKNOWN_RESENDS`). A notice (broadcast, report) goes at
most once: the row ends as 'unknown' and reports count it as "chưa rõ". A reminder may be sent once more
after `unknown_retry_after` (a missed deadline costs more than a repeated reminder); a second unknown
outcome ends it as 'unknown' too.

Errors: a 429 (`RetryableSendError.retry_after`) pauses the whole channel until a deadline that only
moves later (max of every retry_after seen: a request that finishes meanwhile cannot end the pause — see
python-telegram-bot issue #5338), and the row is retried then without using up an attempt; other
retryable errors (5xx, network) back off exponentially up to `max_attempts`; a blocked recipient (403)
fails the row, marks the officer, and their other rows are skipped until they write again.

`sweep(now)` with a fixed `now` (tests, `reminders run-once`) sends what is due at that instant;
`sweep()` follows the real clock, waits out short 429 pauses and short backoffs (`linger`), and is what
`kick()` runs in the background when a broadcast is queued.

The quiet hours (21:00–07:00) are checked again in the claim, with the clock read after the slot wait,
so a row peeked at 20:59:59 and due to leave at 21:00:00 stays pending until 07:00. Every attempt is a
row of `outbox_attempts` (started, finished, outcome sent | rate_limited | retryable | unknown | error |
blocked | dropped | interrupted, detail).

The exactly-once window. After a SIGKILL at any moment the next holder of the lease (scheduler/lease.py)
finds each row pending (sent normally: nothing lost, nothing repeated — there is no "claimed but not
tried" state, since the claim and the opening of the attempt are one transaction), sent (never again; the
UNIQUE key stops a second queueing), or sending with an open attempt (sent again). Only that last case can
repeat a message, and only if the messenger had accepted the request before the process died: the window
from the instant Telegram accepts a request to the instant we commit its answer. The Bot API has no
idempotency key and no way to ask whether a message went out, so no client can close it; "never resend"
would turn it into a wider window for losing messages instead. It is as small as it can be here: the
attempt is opened after the rate-limit wait, right before the request; the answer is committed first
thing on arrival; and no more requests are in flight than the rate needs at the answer times seen
(`Throttle.outbox_limit`, bench/kill.py). tests/test_broadcast_kill.py kills `bot.py broadcast` with
requests held in flight and checks that `--resume` reaches everyone exactly once.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Awaitable, Callable

import sqlite_utils

import clock
from delivery import OutcomeUnknownError, RecipientBlockedError, RetryableSendError
from storage import outbox as store
from scheduler.lease import Lease
from scheduler.ratelimit import SLOT, ChannelLimits, SlotState, Throttle
from storage.outbox import OutboxRow

log = logging.getLogger(__name__)

Sender = Callable[..., Awaitable[None]]   # send(chat_id, text[, attachment=…])
# Re-renders a row's text at send time (days left move on); None means "no longer worth sending".
Renderer = Callable[[OutboxRow, datetime], "str | None"]
BlockedHook = Callable[[str, str, datetime], None]
# Called after each sweep with its `now`; returns True when it queued something (the sweep runs again).
AfterSweepHook = Callable[[datetime], "bool | int | None"]

QUIET_START = time(21, 0)
QUIET_END = time(7, 0)


# How many more times a row whose outcome is unknown may be sent, by kind (absent: 0, at most once).
UNKNOWN_RESENDS = {"reminder": 1}
UNKNOWN_RETRY_AFTER = timedelta(minutes=10)


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
    unknown: int = 0         # ended 'unknown': may or may not have been delivered
    handled: int = 0         # rows claimed and tried (max_rows counts these)

    def __str__(self) -> str:
        text = f"đã gửi {self.sent}, thử lại sau {self.retried}, lỗi {self.failed}, bỏ qua {self.dropped}"
        return text + (f", chưa rõ {self.unknown}" if self.unknown else "")


class Dispatcher:
    def __init__(self, db: sqlite_utils.Database, *, batch_size: int = 50, max_attempts: int = 5,
                 backoff: timedelta = timedelta(seconds=30), quiet_start: time = QUIET_START,
                 quiet_end: time = QUIET_END, linger: timedelta = timedelta(seconds=5),
                 unknown_retry_after: timedelta = UNKNOWN_RETRY_AFTER,
                 unknown_resends: dict[str, int] | None = None, lease: Lease | None = None,
                 role: str = "run"):
        self.db = db
        self.lease = lease or Lease(db, role)
        self.unknown_retry_after = unknown_retry_after
        self.unknown_resends = dict(UNKNOWN_RESENDS if unknown_resends is None else unknown_resends)
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.quiet_start, self.quiet_end = quiet_start, quiet_end
        self._senders: dict[str, Sender] = {}
        self._renderers: dict[str, Renderer] = {}
        self._blocked_hooks: list[BlockedHook] = []
        self._paused_until: dict[str, datetime] = {}
        self._throttles: dict[str, Throttle] = {}
        self._after_sweep: list[AfterSweepHook] = []
        self.linger = linger
        self._sweep_lock = asyncio.Lock()
        self._kick_task: asyncio.Task | None = None
        self._kick_again = False
        self._stopping = False

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

    def set_limits(self, channel: str, limits: ChannelLimits) -> None:
        """Rate, per-chat interval and requests in flight for `channel` (default: one at a time, no rate)."""
        self._throttles[channel] = Throttle(limits)

    def use_throttle(self, channel: str, throttle: Throttle) -> None:
        """Share `throttle` with the channel's direct replies (one limiter per channel)."""
        self._throttles[channel] = throttle

    def after_sweep(self, hook: AfterSweepHook) -> None:
        """`hook(now)` runs after every sweep (e.g. to finish broadcasts and queue their reports)."""
        self._after_sweep.append(hook)

    def throttle(self, channel: str) -> Throttle:
        if channel not in self._throttles:
            self._throttles[channel] = Throttle(ChannelLimits())
        return self._throttles[channel]

    def paused_until(self, channel: str) -> datetime | None:
        return self._paused_until.get(channel)

    @property
    def channels(self) -> list[str]:
        return sorted(self._senders)

    # -- start-up and the lease --------------------------------------------------------------------
    def ensure_lease(self) -> bool:
        """Hold the database's dispatcher lease (scheduler/lease.py), taking it when it is free. Only
        its holder sends; on taking it, rows its dead previous holder left in flight are recovered."""
        if self.lease.held:
            return self.lease.refresh()
        if not self._take_lease():
            return False
        self._recover(clock.now())
        return True

    def _take_lease(self) -> bool:
        if not self.lease.acquire():
            return False
        try:
            self.lease.start_heartbeat()
        except RuntimeError:  # no running loop (a synchronous caller): `refresh` keeps it instead
            pass
        return True

    def recover_interrupted(self, now: datetime | None = None) -> int:
        """Call once at start-up, before the first sweep (see the module docstring). Touches only rows of
        a dispatcher whose lease has expired; with another live dispatcher it does nothing."""
        if not (self.lease.refresh() if self.lease.held else self._take_lease()):
            log.warning("outbox: another process holds the dispatcher lease (%s); nothing recovered",
                        self.lease.holder_text())
            return 0
        return self._recover(now or clock.now())

    def _recover(self, now: datetime) -> int:
        owner, lease_now = self.lease.owner, self.lease.now()
        for row in store.recover_in_flight(self.db, now, owner, lease_now):
            log.warning("outbox %s (%s → %s:%s) was in flight when the process stopped; sending it again",
                        row.key, row.kind, row.channel, row.chat_id)
        stuck = store.recover_interrupted(self.db, now, owner, lease_now)
        for row in stuck:
            log.warning("outbox %s (%s → %s:%s) was claimed with no attempt logged when the process stopped; "
                        "not resending", row.key, row.kind, row.channel, row.chat_id)
        return len(stuck)

    # -- running in the background ----------------------------------------------------------------
    def kick(self) -> None:
        """Sweep now, in the background (e.g. a broadcast was just queued); call from the event loop."""
        if self._stopping:
            return
        if self._kick_task is not None and not self._kick_task.done():
            self._kick_again = True
            return
        self._kick_task = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        while True:
            self._kick_again = False
            try:
                await self.sweep()
            except Exception:  # noqa: BLE001 - the periodic job tries again
                log.exception("outbox sweep failed")
                return
            if not self._kick_again:
                return

    async def idle(self) -> None:
        """Wait until a background sweep started by `kick` has ended."""
        while self._kick_task is not None and not self._kick_task.done():
            await asyncio.wait({self._kick_task})

    async def stop(self, timeout: float = 10.0) -> None:
        """Claim nothing more and let requests in flight get their answers (at most `timeout` seconds);
        what is still in flight after that is recovered at the next start."""
        self._stopping = True
        if self._kick_task is not None and not self._kick_task.done():
            await asyncio.wait({self._kick_task}, timeout=timeout)
        if not self._sweep_lock.locked():
            self.lease.release()  # the next process may start sending at once

    # -- the sweep --------------------------------------------------------------------------------
    async def sweep(self, now: datetime | None = None, max_rows: int | None = None) -> SweepResult:
        """Send every due row of a registered channel (at most `max_rows`). With `now` the sweep sees
        that fixed instant; without, the real clock (see the module docstring)."""
        async with self._sweep_lock:
            result = SweepResult()
            if not self.ensure_lease():
                log.warning("outbox: not sending, %s holds the dispatcher lease", self.lease.holder_text())
                return result
            while True:
                at = now or clock.now()
                await self._sweep_once(now, max_rows, result)
                again = False
                for hook in self._after_sweep:
                    try:
                        again = bool(hook(at)) or again
                    except Exception:  # noqa: BLE001 - a hook must not stop the outbox
                        log.exception("outbox after-sweep hook failed")
                if not again or (max_rows is not None and result.handled >= max_rows):
                    return result

    async def _sweep_once(self, fixed: datetime | None, max_rows: int | None, result: SweepResult) -> None:
        for row in store.expire_due(self.db, fixed or clock.now()):
            log.info("outbox %s dropped: its event has passed (%s)", row.key, row.expires_at)
            result.dropped += 1
        running: set[asyncio.Task] = set()
        batch: list[OutboxRow] = []   # peeked rows, used up before peeking again (claims re-check them)
        try:
            while (max_rows is None or result.handled < max_rows) and not self._stopping:
                now = fixed or clock.now()
                if fixed is None:
                    self._follow_reply_pauses(now)
                quiet = in_quiet_hours(now, self.quiet_start, self.quiet_end)
                if not batch:
                    open_channels = [c for c in self._senders if self._paused_until.get(c, now) <= now]
                    batch = store.peek_due(self.db, now, open_channels, self.batch_size, quiet)
                row = self._choose(batch, now, result)
                if row is None:
                    waited = await self._wait(fixed, running, batch, now, quiet)
                    batch = []
                    if waited:
                        continue
                    break
                throttle = self.throttle(row.channel)
                throttle.take(row.chat_id, outbox=True)
                try:
                    await throttle.acquire()
                    now = fixed or clock.now()
                    claimed = (None if self._paused_until.get(row.channel, now) > now
                               or not self.lease.refresh()
                               else store.claim_row(self.db, row.id, now, self.lease.owner, self.lease.now(),
                                                    quiet=in_quiet_hours(now, self.quiet_start, self.quiet_end)))
                except BaseException:
                    throttle.release(row.chat_id, outbox=True)
                    raise
                if claimed is None:  # paused meanwhile (a 429), another dispatcher took it, lease lost,
                    # or the quiet hours began while it waited for its slot (re-checked at the claim)
                    throttle.release(row.chat_id, outbox=True)
                    if not self.lease.held:
                        break
                    continue
                throttle.started(row.chat_id)
                result.handled += 1
                task = asyncio.create_task(self._deliver(*claimed, now, result, throttle, fixed is not None))
                running.add(task)
                task.add_done_callback(running.discard)
                await asyncio.sleep(0)  # let a sender that answers at once do so before the next claim
        finally:
            if running:
                await asyncio.gather(*running, return_exceptions=True)

    def _follow_reply_pauses(self, now: datetime) -> None:
        """A 429 a direct reply got pauses the outbox of that channel too (the throttle is shared)."""
        for channel, throttle in self._throttles.items():
            wait = throttle.paused_for()
            if wait > 0:
                until = now + timedelta(seconds=wait)
                self._paused_until[channel] = max(self._paused_until.get(channel, until), until)

    def _choose(self, batch: list[OutboxRow], now: datetime, result: SweepResult) -> OutboxRow | None:
        """The first row whose channel has room and whose chat may take a message now. Rows of recipients
        who blocked the bot are failed on the way, without a try."""
        chosen, keep = None, []
        for row in batch:
            if chosen is not None or self._paused_until.get(row.channel, now) > now:
                keep.append(row)
            elif store.is_blocked(self.db, row.channel, row.chat_id):
                if store.skip_blocked(self.db, row.id, now):
                    log.info("outbox %s skipped: %s:%s blocked the bot", row.key, row.channel, row.chat_id)
                    result.failed += 1
            elif self.throttle(row.channel).ready(row.chat_id):
                chosen = row
            else:
                keep.append(row)
        batch[:] = keep
        return chosen

    async def _wait(self, fixed: datetime | None, running: set[asyncio.Task], batch: list[OutboxRow],
                    now: datetime, quiet: bool) -> bool:
        """Nothing can be taken right now. Wait for what could change that and return True, or return
        False when the sweep is over."""
        batch = [r for r in batch if self._paused_until.get(r.channel, now) <= now]
        if batch:  # due rows, but their chats or channels are busy: wait for an answer or a chat's interval
            waits = [self.throttle(r.channel).next_ready([r.chat_id]) for r in batch
                     if self.throttle(r.channel).has_outbox_room() and r.chat_id not in self.throttle(r.channel).busy]
            timeout = min(waits) if waits else None
            await self._wait_for(running, 0.05 if timeout is None and not running else timeout)
            return True
        if running:  # their answers may bring retries or free a paused channel
            await self._wait_for(running, None)
            return True
        if fixed is not None:
            return False
        # Live: wait out a short 429 pause or a short backoff instead of leaving it to the next sweep.
        wake = [until for c, until in self._paused_until.items() if c in self._senders and until > now]
        due = store.next_due_at(self.db, [c for c in self._senders if c not in
                                          {c for c, until in self._paused_until.items() if until > now}], quiet)
        if due is not None:
            wake.append(due)
        soonest = min(wake, default=None)
        if soonest is None or soonest - now > self.linger:
            return False
        await asyncio.sleep(max(0.0, (soonest - now).total_seconds()) + 0.01)
        return clock.now() > now  # a frozen clock (tests, --now) would never get there

    @staticmethod
    async def _wait_for(running: set[asyncio.Task], timeout: float | None) -> None:
        if running:
            await asyncio.wait(set(running), timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        elif timeout:
            await asyncio.sleep(timeout)

    async def _deliver(self, row: OutboxRow, attempt: int, now: datetime, result: SweepResult,
                       throttle: Throttle, fixed: bool) -> None:
        try:
            await self._deliver_claimed(row, attempt, now, result, fixed)
        except Exception:  # noqa: BLE001 - a bookkeeping error must not stop the other rows
            log.exception("outbox %s: could not record the result of the attempt", row.key)
        finally:
            throttle.release(row.chat_id, outbox=True)

    async def _deliver_claimed(self, row: OutboxRow, attempt: int, now: datetime, result: SweepResult,
                               fixed: bool) -> None:
        text = row.text
        render = self._renderers.get(row.kind)
        if render is not None:
            try:
                rendered = render(row, now)
            except Exception:  # a broken renderer must not stop the sweep; send what was planned
                log.exception("outbox %s: renderer failed; sending the planned text", row.key)
                rendered = text
            if rendered is None:
                store.mark_final(self.db, row.id, "dropped", "không còn phù hợp lúc gửi", now, attempt)
                log.info("outbox %s dropped by its renderer", row.key)
                result.dropped += 1
                return
            if rendered != text:
                text = rendered
                store.set_text(self.db, row.id, text, now)
        extra = {"attachment": row.payload["attachment"]} if row.payload.get("attachment") else {}
        slot = SLOT.set(SlotState(row.chat_id, prepaid=True, retry_first=False))  # paced above already
        try:
            await self._senders[row.channel](row.chat_id, text, **extra)
        except RecipientBlockedError as exc:
            done = now if fixed else clock.now()
            store.mark_final(self.db, row.id, "failed", f"người nhận đã chặn bot: {exc}", done, attempt, "blocked")
            result.failed += 1
            for hook in self._blocked_hooks:
                hook(row.channel, row.chat_id, done)
        except OutcomeUnknownError as exc:
            self._outcome_unknown(row, attempt, exc, now if fixed else clock.now(), result)
        except Exception as exc:  # RetryableSendError and anything unexpected: try again later
            done = now if fixed else clock.now()
            retry_after = exc.retry_after if isinstance(exc, RetryableSendError) else None
            if not isinstance(exc, RetryableSendError):
                log.exception("outbox %s: unexpected error from the %s sender", row.key, row.channel)
            error = f"{type(exc).__name__}: {exc}"
            if retry_after:
                # The whole channel waits; the deadline only moves later (issue #5338).
                until = done + timedelta(seconds=float(retry_after))
                self._paused_until[row.channel] = max(self._paused_until.get(row.channel, until), until)
                self.throttle(row.channel).pause(float(retry_after))  # replies wait too
                store.mark_retry(self.db, row.id, until, error, done, attempt, "rate_limited", refund=True)
                result.retried += 1
            elif row.attempts >= self.max_attempts:
                store.mark_final(self.db, row.id, "failed", f"hết {row.attempts} lần thử: {exc}", done, attempt,
                                 "retryable" if isinstance(exc, RetryableSendError) else "error")
                result.failed += 1
            else:
                delay = self.backoff * (2 ** (row.attempts - 1))
                store.mark_retry(self.db, row.id, done + delay, error, done, attempt,
                                 "retryable" if isinstance(exc, RetryableSendError) else "error")
                result.retried += 1
        else:
            store.mark_sent(self.db, row.id, text, now if fixed else clock.now(), attempt)
            result.sent += 1
        finally:
            SLOT.reset(slot)


    def _outcome_unknown(self, row: OutboxRow, attempt: int, exc: Exception, done: datetime,
                         result: SweepResult) -> None:
        """The policy for a request that may have been delivered (see the module docstring)."""
        error = f"chưa rõ đã tới người nhận hay chưa: {exc}"
        earlier = store.attempts_with_outcome(self.db, row.id, "unknown")
        if earlier < self.unknown_resends.get(row.kind, 0):
            log.warning("outbox %s: outcome unknown (%s); one more try after %s", row.key, exc,
                        self.unknown_retry_after)
            store.mark_retry(self.db, row.id, done + self.unknown_retry_after, error, done, attempt, "unknown")
            result.retried += 1
        else:
            log.warning("outbox %s: outcome unknown (%s); not sent again", row.key, exc)
            store.mark_final(self.db, row.id, "unknown", error, done, attempt, "unknown")
            result.unknown += 1


def log_sender(db: sqlite_utils.Database, channel: str, echo: Callable[[str, str], None] | None = None) -> Sender:
    """A sender with no messenger behind it: records each delivery in `delivery_log` (and echoes it).
    Used by the console, by `reminders run-once` and by tests."""
    async def send(chat_id: str, text: str) -> None:
        store.record_delivery(db, channel, chat_id, text, clock.now())
        if echo is not None:
            echo(chat_id, text)
    return send
