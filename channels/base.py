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
        async def send(self, chat_id, reply, **extra): …  # one reminder or broadcast to one chat

`send` is what the outbox dispatcher calls (scheduler/outbox.py): `reply` is the rendered text (or a
`Reply`), `extra` what the row carries (a broadcast's `attachment`). It keeps the channel's limits —
`throttle` (scheduler/ratelimit.Throttle), the one limiter its direct replies share — and raises the
dispatcher's errors: `RetryableSendError` (not delivered: 429 with `retry_after`, 5xx, a request never
written), `OutcomeUnknownError` (written, no answer: may have been delivered), `RecipientBlockedError`.
`open`/`close` get it ready to send outside the runtime (`bot.py broadcast`), without taking updates in.

A channel holds the assistant and hands its sender to the dispatcher; it is not the bot (Errbot's
backends are; we keep only its neutral message model).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

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
        """Deliver one outbox row to one chat, within the channel's limits."""

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
