"""Did a failed HTTP request reach the messenger? The difference between "not sent" and "outcome unknown".

A request that failed before it was written completely (no connection, DNS, a connect or pool time-out,
an error while writing the body) cannot have been acted on: it may be sent again. One that was written
and then got no answer (a read time-out, the connection cut while waiting, an unreadable answer) may
have been delivered: sending it again may deliver it twice. An HTTP error status is an answer, so the
messenger said no: not sent.
"""
from __future__ import annotations

import httpx

# Failures before the whole request left: the server cannot have acted on it.
_BEFORE_WRITTEN = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteTimeout,
                   httpx.WriteError, httpx.UnsupportedProtocol, httpx.ProxyError, httpx.InvalidURL)


def transport_cause(exc: BaseException | None) -> httpx.HTTPError | None:
    """The httpx error behind `exc` (itself or a cause in its chain), if any."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, httpx.HTTPError):
            return exc
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


def may_have_arrived(exc: BaseException) -> bool:
    """True when the failed request was (or may have been) written completely."""
    cause = transport_cause(exc)
    if cause is None:
        return False  # no transport error: the server answered (an HTTP error status)
    return not isinstance(cause, _BEFORE_WRITTEN)
