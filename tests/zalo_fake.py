"""A small fake Zalo Bot API on 127.0.0.1 for the tests (no Zalo emulator exists).

Serves POST /bot<TOKEN>/<method> like the real API (JSON envelope {ok, result | error_code, description}),
records every call and every sent text, can be told to fail the next calls of a method (ok:false with
HTTP 200, an HTTP error status, 429 with retry_after), queues updates for getUpdates (one per call; 408
"no update" after a short wait) and pushes updates to a webhook with the secret header.

Also `serve(app)`: any ASGI app on a free loopback port, for the assistant's own webhook server.
"""
from __future__ import annotations

import asyncio
import itertools
import socket
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator, Callable

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

TOKEN = "1234567890:fake-zalo-token-Abc_def-XYZ"
SECRET = "webhook-secret-for-tests-0123456789"

_ids = itertools.count(1)


def text_update(text: str, chat_id: str = "u-officer-1", message_id: str | None = None,
                wrapped: bool = True, event: str = "message.text.received", name: str = "Cán bộ A") -> dict:
    """An update as Zalo sends it: wrapped in {ok, result} (the docs' sample) or flat."""
    message: dict[str, Any] = {
        "from": {"id": chat_id, "display_name": name, "is_bot": False},
        "chat": {"id": chat_id, "chat_type": "PRIVATE"},
        "message_id": message_id or f"msg{next(_ids):06d}",
        "date": int(time.time() * 1000),
    }
    if event == "message.text.received":
        message["text"] = text
    elif event == "message.image.received":
        message["photo_url"] = "https://example.invalid/a.jpg"
    elif event == "message.sticker.received":
        message["sticker"] = "abc123"
    result = {"message": message, "event_name": event}
    return {"ok": True, "result": result} if wrapped else result


@dataclass
class Failure:
    status: int = 200
    error_code: int = 400
    description: str = "Bad Request"
    retry_after: float | None = None
    raw: str | None = None     # a body that is not JSON


@dataclass
class FakeZalo:
    token: str = TOKEN
    poll_wait: float = 0.3                   # getUpdates waits this long before "408 no update"
    send_delay: float = 0.0                  # sendMessage answers after this long (a slow API)
    per_second: int = 0                      # flood limit: sendMessage past this many in a second → 429
    chat_interval: float = 0.0               # … or sooner than this after the last one to the chat
    retry_after: float = 1.0
    calls: list[tuple[str, dict]] = field(default_factory=list)
    sent: list[dict] = field(default_factory=list)
    webhook: dict = field(default_factory=lambda: {"url": "", "secret_token": "", "updated_at": 0})
    base_url: str = ""

    def __post_init__(self) -> None:
        self._window: list[float] = []
        self.sent_at: list[float] = []          # time.monotonic() of each `sent` entry
        self._chat_last: dict[str, float] = {}
        self.limit_429s = 0
        self._failures: dict[str, list[Failure]] = {}
        self._updates: asyncio.Queue[dict] = asyncio.Queue()
        self._message_ids = itertools.count(1)

    # -- control -----------------------------------------------------------------------------------
    def fail(self, method: str, times: int = 1, **kwargs: Any) -> None:
        """The next `times` calls of `method` fail as described (see `Failure`)."""
        self._failures.setdefault(method, []).extend(Failure(**kwargs) for _ in range(times))

    def queue_update(self, update: dict) -> None:
        self._updates.put_nowait(update)

    async def push(self, update: dict, url: str | None = None, secret: str | None = SECRET) -> httpx.Response:
        """POST `update` to the webhook (the one set with setWebhook, or `url`) as Zalo does."""
        headers = {} if secret is None else {"X-Bot-Api-Secret-Token": secret}
        async with httpx.AsyncClient(timeout=5) as client:
            return await client.post(url or self.webhook["url"], json=update, headers=headers)

    def texts_to(self, chat_id: str) -> list[str]:
        return [m["text"] for m in self.sent if m["chat_id"] == chat_id]

    def count(self, method: str) -> int:
        return sum(1 for name, _ in self.calls if name == method)

    async def wait_for(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        """Poll `condition` until true; AssertionError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout} s; sent: {self.sent}")
            await asyncio.sleep(0.01)

    async def wait_sent(self, n: int, timeout: float = 5.0) -> list[dict]:
        await self.wait_for(lambda: len(self.sent) >= n, timeout)
        return self.sent

    # -- the API ---------------------------------------------------------------------------------
    def app(self) -> Starlette:
        async def endpoint(request: Request) -> Any:
            token, method = request.path_params["token"], request.path_params["method"]
            try:
                body = await request.json() if await request.body() else {}
            except ValueError:
                body = {"_not_json": True}
            self.calls.append((method, body))
            if token != self.token:
                return self._error(401, 401, "Unauthorized")
            queued = self._failures.get(method)
            if queued:
                failure = queued.pop(0)
                if failure.raw is not None:
                    from starlette.responses import PlainTextResponse
                    return PlainTextResponse(failure.raw, status_code=failure.status)
                return self._error(failure.status, failure.error_code, failure.description, failure.retry_after)
            handler = getattr(self, f"_m_{method}", None)
            if handler is None:
                return self._error(404, 404, "Not Found: method")
            if request.headers.get("content-type", "").split(";")[0] != "application/json":
                return self._error(400, 400, "expected JSON")
            return await handler(body)

        return Starlette(routes=[Route("/bot{token}/{method}", endpoint, methods=["POST"])])

    @staticmethod
    def _ok(result: Any) -> JSONResponse:
        return JSONResponse({"ok": True, "result": result})

    @staticmethod
    def _error(status: int, code: int, description: str, retry_after: float | None = None) -> JSONResponse:
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        return JSONResponse(body, status_code=status)

    async def _m_getMe(self, body: dict) -> JSONResponse:
        return self._ok({"id": "1459232241454765289", "account_name": "bot.TroLyDaiHoi",
                         "account_type": "BASIC", "can_join_groups": False})

    async def _m_sendMessage(self, body: dict) -> JSONResponse:
        chat_id, text = body.get("chat_id"), body.get("text")
        if not isinstance(chat_id, str) or not chat_id:
            return self._error(400, 400, "Bad Request: chat_id is required")
        if not isinstance(text, str) or not 1 <= len(text) <= 2000:
            return self._error(400, 400, "Bad Request: text must have 1-2000 characters")
        now = time.monotonic()
        if self.per_second or self.chat_interval:
            self._window = [t for t in self._window if now - t < 1.0]
            if (self.per_second and len(self._window) >= self.per_second) or (
                    self.chat_interval and now - self._chat_last.get(chat_id, -1e9) < self.chat_interval):
                self.limit_429s += 1
                return self._error(429, 429, "Quota exceeded", self.retry_after)
            self._window.append(now)
            self._chat_last[chat_id] = now
        if self.send_delay:
            await asyncio.sleep(self.send_delay)
        self.sent.append({"chat_id": chat_id, "text": text})
        self.sent_at.append(time.monotonic())
        return self._ok({"message_id": f"sent{next(self._message_ids):05d}", "date": int(time.time() * 1000)})

    async def _m_sendChatAction(self, body: dict) -> JSONResponse:
        return self._ok(True)

    async def _m_getUpdates(self, body: dict) -> JSONResponse:
        if self.webhook["url"]:
            return self._error(400, 400, "Bad Request: webhook is set")
        wait = min(float(body.get("timeout") or 30), self.poll_wait)
        try:
            update = await asyncio.wait_for(self._updates.get(), timeout=wait)
        except asyncio.TimeoutError:
            return self._error(200, 408, "Request timeout")
        return self._ok(update.get("result", update))

    async def _m_setWebhook(self, body: dict) -> JSONResponse:
        url, secret = body.get("url"), body.get("secret_token")
        if not url or not isinstance(secret, str) or not 8 <= len(secret) <= 256:
            return self._error(400, 400, "Bad Request: url and secret_token are required")
        self.webhook = {"url": url, "secret_token": secret, "updated_at": int(time.time() * 1000)}
        return self._ok({"url": url, "updated_at": self.webhook["updated_at"]})

    async def _m_deleteWebhook(self, body: dict) -> JSONResponse:
        self.webhook = {"url": "", "secret_token": "", "updated_at": int(time.time() * 1000)}
        return self._ok({"url": "", "updated_at": self.webhook["updated_at"]})

    async def _m_getWebhookInfo(self, body: dict) -> JSONResponse:
        return self._ok({"url": self.webhook["url"], "updated_at": self.webhook["updated_at"]})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@asynccontextmanager
async def serve(app: Any) -> AsyncIterator[str]:
    """Serve an ASGI app with uvicorn on a free 127.0.0.1 port of this event loop; yields its base URL."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    sock.setblocking(False)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="off",
                                           log_level="warning"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    deadline = time.monotonic() + 5
    while not server.started:
        if task.done():
            task.result()
        if time.monotonic() > deadline:
            raise AssertionError("test HTTP server did not start")
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


# -- the assistant's runner, for tests of the whole process ----------------------------------------------
FIXTURE_KNOWLEDGE = Path(__file__).parent / "fixtures" / "knowledge"


def zalo_settings(tmp_path, fake, **overrides):
    """Settings for a Zalo-only runtime in webhook mode against `fake` (override to change)."""
    from settings import Settings

    values = dict(db_path=tmp_path / "bot.db", knowledge_dir=FIXTURE_KNOWLEDGE, zalo_token=TOKEN,
                  zalo_api_base_url=fake.base_url, zalo_webhook_secret=SECRET, webhook_host="127.0.0.1",
                  webhook_port=free_port())
    values.update(overrides)
    return Settings(**values)


class Running:
    def __init__(self, runtime, task, stop):
        self.runtime, self.task, self.stop = runtime, task, stop

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.runtime.settings.webhook_port}"


async def start(settings) -> Running:
    """The real runner (channels.server.build_runtime + serve) on this event loop, started."""
    from channels.server import build_runtime, serve
    from handlers.assistant import Assistant
    from storage.knowledge import reload_from_files
    from storage import open_db

    db = open_db(settings.db_path)
    reload_from_files(db, settings.knowledge_dir)
    runtime = build_runtime(settings, Assistant(db))
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve(runtime, stop, ready=ready.set))
    waiter = asyncio.create_task(ready.wait())
    await asyncio.wait({task, waiter}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
    if not ready.is_set():
        waiter.cancel()
        stop.set()
        await task  # raises what went wrong
        raise AssertionError("the runtime did not start in time")
    return Running(runtime, task, stop)


async def finish(running: Running) -> None:
    running.stop.set()
    await asyncio.wait_for(running.task, 10)
    running.runtime.assistant.db.conn.close()


@asynccontextmanager
async def running_fake(**kwargs: Any) -> AsyncIterator[FakeZalo]:
    fake = FakeZalo(**kwargs)
    async with serve(fake.app()) as url:
        fake.base_url = url
        yield fake
