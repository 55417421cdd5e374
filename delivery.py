"""How a send can fail: the errors every channel's `send` raises (channels/base.py) and the outbox
dispatcher reads (scheduler/outbox.py). A base module, so both import it downwards: the channels sit
above the scheduler and the scheduler may not import them."""
from __future__ import annotations


class SendError(Exception):
    """A sender could not deliver."""


class RetryableSendError(SendError):
    """Worth another try later: 429 (with `retry_after` seconds), 5xx, network trouble."""

    def __init__(self, message: str = "", retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class RecipientBlockedError(SendError):
    """The recipient blocked the bot or the chat is gone: never retried."""


class OutcomeUnknownError(SendError):
    """The request was written and its answer never came (a time-out after sending, a connection cut
    while waiting): the message may have been delivered. Never retried blindly (scheduler/outbox.py's
    UNKNOWN_RESENDS)."""
