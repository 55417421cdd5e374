"""A cap on request bodies for the one HTTP server (channels/server.py): 413 before a body is held whole.

A webhook body is one update, a few kilobytes; without a cap a 10 MB POST cost the process ~250 MB while
it was decoded (`python -m bench.inputs`). A declared Content-Length over WEBHOOK_MAX_BODY_BYTES is
refused before the app runs. A body without one (chunked) is counted as it streams: once the count passes
the cap the app is told the client left (so a route never holds more than the cap), and its answer is
replaced by 413. uvicorn stops reading the socket while body data waits unread, so memory stays bounded.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable

Message = dict[str, Any]
ASGIApp = Callable[[dict, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]

DEFAULT_MAX_BODY_BYTES = 1024 * 1024


class BodyLimit:
    """ASGI middleware: HTTP requests whose body is over `limit` bytes get 413."""

    def __init__(self, app: ASGIApp, limit: int = DEFAULT_MAX_BODY_BYTES):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: dict, receive: Callable[[], Awaitable[Message]],
                       send: Callable[[Message], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await _too_large(send)
            return
        seen, over, started = 0, False, False

        async def counted() -> Message:
            nonlocal seen, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    over = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if over and not started:
                return   # the route's answer to a body cut short: 413 goes instead
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:  # noqa: BLE001 - a route may raise on the "disconnect"; only then is it ours
            if not over:
                raise
        if over and not started:
            await _too_large(send)


def _content_length(scope: dict) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


async def _too_large(send: Callable[[Message], Awaitable[None]]) -> None:
    body = b"payload too large"
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
