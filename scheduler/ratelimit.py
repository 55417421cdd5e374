"""Send limits of one channel, shared by the outbox dispatcher and by direct replies: the outbox's rate,
the channel's rate (every message, replies first), a per-chat interval, a bound on requests in flight,
and the 429 pause. The pause is a deadline that only ever moves later (max of every retry_after seen), so
a request that finishes while the bot is paused cannot end the pause early — the flaw of
python-telegram-bot's AIORateLimiter (issue #5338), whose shared Event is set again by any request's
`finally`.

Telegram: about 30 messages a second for a bot overall, and about one a second to one chat; the default
here is 28/s for everything, of which the outbox may use 25/s, and 1 s per chat.

One `Throttle` per channel serves both paths:
- the dispatcher: `ready(chat)` / `take(chat)` / `acquire()` / `started(chat)` / `release(chat)`, then it
  calls the sender inside `SLOT` = `SlotState(chat, prepaid=True)` (the first request is already paced);
- a reply: `async with throttle.reply_slot(chat) as state:` waits for the chat (not in flight, its
  interval over), a slot in flight and the pause, then each request of the reply calls
  `await throttle.next_part(state)` (interval, pause, the channel's rate with priority over the outbox).
  A channel's request layer (channels/telegram_limiter.py, channels/zalo.py) does this, honours 429s by
  pausing the channel and retrying, and keeps the parts of one reply in order inside one slot.
"""
from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import time
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import AsyncIterator, Awaitable, Callable


@dataclass(frozen=True)
class ChannelLimits:
    per_second: float = 0.0          # outbox messages a second for the whole bot; 0: no limit
    per_chat_interval: float = 0.0   # seconds between two messages to one chat; 0: no limit
    max_in_flight: int = 1           # requests awaiting their answer at once (1: one after another)
    channel_per_second: float = 0.0  # every message of the channel, replies and outbox; 0: no limit


TELEGRAM_LIMITS = ChannelLimits(per_second=25.0, per_chat_interval=1.0, max_in_flight=16, channel_per_second=28.0)


@dataclass
class SlotState:
    """The chat a task holds a send slot for. `prepaid`: its next request was paced already (by the
    dispatcher); `retry_first`: a 429 on the first request is retried here (a reply) rather than handed
    back to the dispatcher (which reschedules its row); `sent` counts requests that went through."""
    chat: str
    prepaid: bool = False
    retry_first: bool = True
    sent: int = 0


SLOT: ContextVar[SlotState | None] = ContextVar("send_slot", default=None)


class Pacer:
    """At most `per_second` starts a second, evenly spaced; urgent waiters (replies) go first."""

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic):
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self._clock = clock
        self._next = 0.0
        self._queue: list[tuple[int, int, asyncio.Future]] = []
        self._seq = itertools.count()
        self._runner: asyncio.Task | None = None

    async def wait(self, urgent: bool = False) -> None:
        if not self.interval:
            return
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        heapq.heappush(self._queue, (0 if urgent else 1, next(self._seq), future))
        if self._runner is None or self._runner.done():
            self._runner = loop.create_task(self._run())
        await future

    async def _run(self) -> None:
        while self._queue:
            delay = self._next - self._clock()
            if delay > 0:
                await asyncio.sleep(delay)   # whoever is first when it ends goes (an urgent arrival included)
            while self._queue:
                _, _, future = heapq.heappop(self._queue)
                if not future.done():        # a cancelled waiter is skipped
                    future.set_result(None)
                    self._next = max(self._clock(), self._next) + self.interval
                    break


class RateLimiter:
    """At most `per_second` starts a second, evenly spaced; 0 or less means no limit.

    The next start is measured when each wait ends, so a late wake-up never lets a burst through.
    """

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep):
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self._clock, self._sleep = clock, sleep
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        if not self.interval:
            return
        async with self._lock:
            now = self._clock()
            if self._next > now:
                await self._sleep(self._next - now)
                now = self._clock()
            self._next = max(now, self._next) + self.interval


class Throttle:
    """Hands out send slots under `ChannelLimits`.

    `ready(chat)` says whether a row for `chat` may be taken now (a slot in flight is free, the chat has
    no request in flight and its interval has passed); `acquire(chat)` then waits for the global slot
    (evenly spaced starts, measured when each wait ends, so a late wake-up never lets a burst through);
    `release(chat)` is called when the request has its answer.
    """

    def __init__(self, limits: ChannelLimits, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep):
        self.limits = limits
        self._pace = RateLimiter(limits.per_second, clock, sleep)
        self._channel = Pacer(limits.channel_per_second, clock)
        self._clock = clock
        self._chat_next: dict[str, float] = {}
        self.in_flight = 0
        self.busy: set[str] = set()
        self._pause_until = 0.0
        self._released: asyncio.Event | None = None
        self.outbox_in_flight = 0
        self._sent_at: dict[str, float] = {}
        self._latencies: list[float] = []   # the last answers' times, for `outbox_limit`

    def chat_ready_at(self, chat: str) -> float:
        return self._chat_next.get(chat, 0.0)

    def has_room(self) -> bool:
        return self.in_flight < max(1, self.limits.max_in_flight)

    def outbox_limit(self) -> int:
        """Outbox requests in flight: what the outbox's rate needs at the answer times seen lately
        (Little's law: rate × mean of the last 100, plus two), within `max_in_flight`. Each request in
        flight is one a crash may repeat (ARCHITECTURE.md, "the exactly-once window"); more would only
        wait, fewer would slow the outbox down."""
        bound = max(1, self.limits.max_in_flight)
        if self.limits.per_second <= 0:
            return bound
        latency = sum(self._latencies) / len(self._latencies) if self._latencies else 0.5
        return max(1, min(bound, math.ceil(self.limits.per_second * latency) + 2))

    def has_outbox_room(self) -> bool:
        return self.has_room() and self.outbox_in_flight < self.outbox_limit()

    def ready(self, chat: str) -> bool:
        """May the outbox take a row for `chat` now."""
        return self.has_outbox_room() and chat not in self.busy and self.chat_ready_at(chat) <= self._clock()

    def take(self, chat: str, outbox: bool = False) -> None:
        """Reserve room for `chat` before waiting for the slot (so it is not chosen twice)."""
        self.in_flight += 1
        self.outbox_in_flight += int(outbox)
        self.busy.add(chat)

    async def acquire(self) -> None:
        """Wait for the outbox's next evenly spaced start, then the channel's (after waiting replies)."""
        await self._pace.wait()
        await self._channel.wait()

    # -- the 429 pause (shared by replies and the outbox) ------------------------------------------------
    def pause(self, seconds: float) -> None:
        """Nothing goes out for `seconds`; a pause only ever gets longer (see the module docstring)."""
        self._pause_until = max(self._pause_until, self._clock() + max(0.0, float(seconds)))

    def paused_for(self) -> float:
        return max(0.0, self._pause_until - self._clock())

    # -- replies ---------------------------------------------------------------------------------------
    @asynccontextmanager
    async def reply_slot(self, chat: str, retry_first: bool = True) -> AsyncIterator[SlotState]:
        """Hold `chat` for the requests of one reply (see the module docstring). Nested use for a chat
        this task already holds (the dispatcher's slot, or a reply within a reply) joins that slot."""
        held = SLOT.get()
        if held is not None and held.chat == chat:
            yield held
            return
        await self._wait_for_chat(chat)
        self.take(chat)
        state = SlotState(chat, retry_first=retry_first)
        token = SLOT.set(state)
        try:
            yield state
        finally:
            SLOT.reset(token)
            self.release(chat)

    async def next_part(self, state: SlotState) -> None:
        """Before each request within a slot: the pause, the chat's interval, the channel's rate."""
        if state.prepaid:
            state.prepaid = False
            return
        while True:
            wait = max(self.paused_for(), self.chat_ready_at(state.chat) - self._clock())
            if wait <= 0:
                break
            await asyncio.sleep(wait)
        await self._channel.wait(urgent=True)
        self.started(state.chat)

    async def _wait_for_chat(self, chat: str) -> None:
        while True:
            if chat not in self.busy and self.has_room():
                return
            if self._released is None:
                self._released = asyncio.Event()
            try:
                await asyncio.wait_for(self._released.wait(), timeout=0.5)
            except asyncio.TimeoutError:
                pass

    def started(self, chat: str) -> None:
        self._sent_at[chat] = self._clock()
        if self.limits.per_chat_interval > 0:
            self._chat_next[chat] = self._clock() + self.limits.per_chat_interval
            if len(self._chat_next) > 10000:  # forget chats whose interval has long passed
                cutoff = self._clock()
                self._chat_next = {c: t for c, t in self._chat_next.items() if t > cutoff}

    def answered(self, chat: str) -> None:
        """A request to `chat` got its answer: its interval also counts from now (the messenger measures
        it at arrival, which a slow request may have delayed), and its answer time is noted."""
        sent = self._sent_at.pop(chat, None)
        if sent is not None:
            self._latencies = (self._latencies + [self._clock() - sent])[-100:]
        if self.limits.per_chat_interval > 0:
            self._chat_next[chat] = max(self._chat_next.get(chat, 0.0), self._clock() + self.limits.per_chat_interval)

    def release(self, chat: str, outbox: bool = False) -> None:
        self.answered(chat)
        self.in_flight = max(0, self.in_flight - 1)
        self.outbox_in_flight = max(0, self.outbox_in_flight - int(outbox))
        self.busy.discard(chat)
        if self._released is not None:  # wake replies waiting for this chat or for room
            self._released.set()
            self._released = None

    def next_ready(self, chats: list[str]) -> float:
        """Seconds until the first of `chats` is out of its interval (0 when one already is)."""
        now = self._clock()
        return max(0.0, min((self.chat_ready_at(c) - now for c in chats), default=0.0))
