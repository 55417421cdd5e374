"""Send limits of one channel for the outbox dispatcher: a global rate, a per-chat interval and a bound on
requests in flight. The 429 pause is not here: the dispatcher keeps it as a deadline per channel that
only ever moves later (max of every retry_after seen), so a request that finishes while the bot is paused
cannot end the pause early — the flaw of python-telegram-bot's AIORateLimiter (issue #5338), whose
shared Event is set again by any request's `finally`.

Telegram: about 30 messages a second for a bot overall, and about one a second to one chat; the default
here is 25/s and 1 s, leaving room for replies to people, which do not go through the outbox.
"""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Awaitable, Callable


@dataclass(frozen=True)
class ChannelLimits:
    per_second: float = 0.0          # outbox messages a second for the whole bot; 0: no limit
    per_chat_interval: float = 0.0   # seconds between two messages to one chat; 0: no limit
    max_in_flight: int = 1           # requests awaiting their answer at once (1: one after another)


TELEGRAM_LIMITS = ChannelLimits(per_second=25.0, per_chat_interval=1.0, max_in_flight=16)


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
        self._clock = clock
        self._chat_next: dict[str, float] = {}
        self.in_flight = 0
        self.busy: set[str] = set()

    def chat_ready_at(self, chat: str) -> float:
        return self._chat_next.get(chat, 0.0)

    def has_room(self) -> bool:
        return self.in_flight < max(1, self.limits.max_in_flight)

    def ready(self, chat: str) -> bool:
        return self.has_room() and chat not in self.busy and self.chat_ready_at(chat) <= self._clock()

    def take(self, chat: str) -> None:
        """Reserve room for `chat` before waiting for the slot (so it is not chosen twice)."""
        self.in_flight += 1
        self.busy.add(chat)

    async def acquire(self) -> None:
        """Wait for the next evenly spaced start."""
        await self._pace.wait()

    def started(self, chat: str) -> None:
        if self.limits.per_chat_interval > 0:
            self._chat_next[chat] = self._clock() + self.limits.per_chat_interval
            if len(self._chat_next) > 10000:  # forget chats whose interval has long passed
                cutoff = self._clock()
                self._chat_next = {c: t for c, t in self._chat_next.items() if t > cutoff}

    def release(self, chat: str) -> None:
        self.in_flight = max(0, self.in_flight - 1)
        self.busy.discard(chat)

    def next_ready(self, chats: list[str]) -> float:
        """Seconds until the first of `chats` is out of its interval (0 when one already is)."""
        now = self._clock()
        return max(0.0, min((self.chat_ready_at(c) - now for c in chats), default=0.0))
