"""Every message python-telegram-bot sends goes through the channel's one `Throttle` (scheduler/ratelimit.py).

Plugged in with `ApplicationBuilder.rate_limiter(SharedLimiter(throttle))`, so replies, the error
handler's apology and the outbox's sends all pass here. A send to a chat waits for that chat (not in
flight, its 1-s interval over), a slot in flight, the 429 pause and the channel's rate (replies before
the outbox). A 429 pauses the whole channel for its `retry_after` (a deadline that only moves later)
and the request is retried after it — a 429 delivered nothing, so this cannot duplicate — for at most
`max_wait` seconds. The first request of an outbox row is the exception: its 429 goes back to the
dispatcher, which reschedules the row without using up an attempt. Time-outs are never retried here
(the message may have been delivered). Other calls (edits, answers to buttons, getUpdates) pass as they are.
"""
from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any, Callable, Coroutine

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from scheduler.ratelimit import SlotState, Throttle

log = logging.getLogger(__name__)

SEND_ENDPOINTS = {"sendMessage", "sendPhoto", "sendDocument", "sendVideo", "sendAudio", "sendVoice",
                  "sendAnimation", "sendSticker", "sendMediaGroup", "sendLocation", "sendContact",
                  "copyMessage", "forwardMessage"}


def retry_seconds(exc: RetryAfter) -> float:
    wait = exc.retry_after   # seconds, or a timedelta once python-telegram-bot switches (PTB_TIMEDELTA)
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


class SharedLimiter(BaseRateLimiter):
    def __init__(self, throttle: Throttle, max_wait: float = 120.0):
        self.throttle = throttle
        self.max_wait = max_wait

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def process_request(self, callback: Callable[..., Coroutine[Any, Any, Any]], args: Any,
                              kwargs: dict[str, Any], endpoint: str, data: dict[str, Any],
                              rate_limit_args: Any) -> Any:
        chat = data.get("chat_id") if endpoint in SEND_ENDPOINTS else None
        if chat is None:
            return await callback(*args, **kwargs)
        async with self.throttle.reply_slot(str(chat)) as state:
            return await self._send(state, callback, args, kwargs)

    async def _send(self, state: SlotState, callback: Callable[..., Coroutine[Any, Any, Any]], args: Any,
                    kwargs: dict[str, Any]) -> Any:
        deadline = time.monotonic() + self.max_wait
        while True:
            await self.throttle.next_part(state)
            try:
                result = await callback(*args, **kwargs)
            except RetryAfter as exc:
                seconds = retry_seconds(exc)
                self.throttle.pause(seconds)
                if (state.sent == 0 and not state.retry_first) or time.monotonic() + seconds > deadline:
                    raise
                log.warning("Telegram 429 for chat %s: waiting %.1f s, then sending again", state.chat, seconds)
                continue
            finally:
                self.throttle.answered(state.chat)
            state.sent += 1
            return result
