"""What a channel is: the contract every messenger adapter keeps (Telegram, Zalo, the console, the tests'
tiny channel), so that adding one is one module, one line in channels/registry.py, its settings and its
tests.

    class Pigeon(Channel):
        name = "pigeon"                                   # the `channel` of its messages and outbox rows
        spellings = ("pigeon", "bo cau")                  # how an office's spreadsheet may write it (folded)
        limits = ReplyLimits(text_limit=1000, buttons=False, files=False, edits=False)

        @classmethod
        def configured(cls, settings) -> bool: …          # its settings are there (a token, …)
        @classmethod
        def from_settings(cls, assistant, settings): …    # the one way the registry builds it
        def join(self, runtime) -> None: …                # routes, start/stop steps, health; then
            self.join_outbox(runtime)                     #   its sender and limits for the dispatcher
        async def send(self, chat_id, reply, **extra): …  # one message (or reply) to one chat

`send` is the channel's one way out: its answers (`answer(chat_id, replies)`, what the assistant said
back to a message) and the outbox dispatcher's rows (scheduler/outbox.py) both go through it. `reply` is
a `Reply` or a text (an outbox row's rendered text), `extra` what the row carries (a broadcast's
`attachment`) or how an answer is shown (Telegram: the group, the message to quote or to edit). It keeps
the channel's limits — `throttle` (scheduler/ratelimit.Throttle), one limiter for both — and raises the
errors of delivery.py (re-exported here): `RetryableSendError` (not delivered: 429 with `retry_after`,
5xx, a request never written), `OutcomeUnknownError` (written, no answer: may have been delivered),
`RecipientBlockedError`. What tells an answer from an outbox row is the slot it is sent in: inside
`answering(chat_id)` (what `answer` opens) the messages of all the replies go out in order with nothing
else to that chat between them, and a 429 is waited out and sent again; alone (or in the dispatcher's
slot) a 429 on its first request is raised, so the dispatcher reschedules the row.
`open`/`close` get it ready to send outside the runtime (`bot.py broadcast`), without taking updates in.

A channel holds the assistant and hands its sender to the dispatcher; it is not the bot (Errbot's
backends are; we keep only its neutral message model).
"""
from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

# The errors `send` raises. They live in a base module so the dispatcher (scheduler/, below the channels)
# can catch them without importing a channel; channels take them from here.
from delivery import OutcomeUnknownError, RecipientBlockedError, RetryableSendError, SendError

__all__ = ["Channel", "ConfigError", "ReplyLimits", "SendError", "RetryableSendError", "RecipientBlockedError",
           "OutcomeUnknownError"]

if TYPE_CHECKING:  # annotations only
    from handlers.assistant import Assistant
    from handlers.messages import Reply
    from settings import Settings


class ConfigError(Exception):
    """A setting that prevents starting; the message (Vietnamese) tells what to fix."""


@dataclass(frozen=True)
class ReplyLimits:
    """What one message on the channel can hold."""
    text_limit: int          # characters of one message (Telegram counts UTF-16 units)
    buttons: bool            # choices as buttons (else numbered lines, picked by typing the number)
    files: bool              # documents and photos
    edits: bool              # a sent message can be edited (a broadcast's live progress)


class Channel(ABC):
    name: ClassVar[str]
    label: ClassVar[str] = ""                   # how the startup line names it ("Telegram")
    spellings: ClassVar[tuple[str, ...]] = ()
    limits: ClassVar[ReplyLimits]
    throttle: Any = None     # scheduler.ratelimit.Throttle shared by replies and the outbox; None: none
    webhook_path: str | None = None             # where its webhook listens once joined; None: it polls

    @classmethod
    @abstractmethod
    def configured(cls, settings: Settings) -> bool:
        """Whether the settings hold what this channel needs to run in `bot.py run`."""

    @classmethod
    @abstractmethod
    def from_settings(cls, assistant: Assistant, settings: Settings) -> Channel:
        """The channel for this deployment; ConfigError (Vietnamese) for a setting it cannot use."""

    @abstractmethod
    def join(self, runtime: Any) -> None:
        """Plug into the one runtime (channels/server.Runtime): start/stop steps, webhook routes, a health
        probe, and `join_outbox(runtime)`."""

    @abstractmethod
    async def send(self, chat_id: str, reply: Reply | str, **extra: Any) -> None:
        """Deliver one reply or outbox row to one chat, within the channel's limits (hold the chat with
        `sending` around its requests)."""

    async def answer(self, chat_id: str, replies: list[Reply], **extra: Any) -> None:
        """The assistant's replies to one message: each through `send`, all in one answering slot."""
        async with self.answering(chat_id):
            for reply in replies:
                await self.send(chat_id, reply, **extra)

    def answering(self, chat_id: str) -> contextlib.AbstractAsyncContextManager:
        """Hold `chat_id` for one answer: the sends inside are direct replies (in order, nothing else to
        the chat between them, 429s waited out and sent again)."""
        if self.throttle is None:
            return contextlib.nullcontext()
        return self.throttle.reply_slot(str(chat_id))

    def sending(self, chat_id: str) -> contextlib.AbstractAsyncContextManager:
        """Hold `chat_id` for the requests of one `send`: inside `answering` or the dispatcher's slot it
        joins that one; alone it is an outbox row's, whose first 429 is raised for the caller to
        reschedule (scheduler/ratelimit.SlotState.retry_first)."""
        if self.throttle is None:
            return contextlib.nullcontext()
        return self.throttle.reply_slot(str(chat_id), retry_first=False)

    async def open(self) -> None:
        """Get ready to send without taking updates in (the command line's broadcast)."""

    async def close(self) -> None:
        """Undo `open`."""

    def join_outbox(self, runtime: Any) -> None:
        """The outbox side of joining: this channel's sender, and its limiter shared with its replies."""
        runtime.senders[self.name] = self.send
        if self.throttle is not None:
            runtime.limits[self.name] = self.throttle.limits
            runtime.throttles[self.name] = self.throttle
