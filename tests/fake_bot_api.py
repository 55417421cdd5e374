"""A fake Telegram Bot API on 127.0.0.1 that enforces Telegram's send limits and injects failures.

    with FakeBotApi(global_per_second=30, chat_interval=1.0, p429=0.02) as api:
        base_url = api.base_url                 # TELEGRAM_API_BASE_URL: http://127.0.0.1:PORT/bot
        …                                       # the bot under test sends
        api.deliveries                          # [(chat_id, text, t)] accepted messages, in order

Served by uvicorn in a thread (so a bot in this process or in a subprocess can reach it). Limits, as
Telegram states them for bots: at most `global_per_second` messages in any one-second window, and one
message a second to a chat; past either, 429 with `retry_after`. An injected 429 (probability `p429`)
starts a flood wait for the whole bot, as Telegram does: until it ends every request gets 429 too, and
each such request is counted in `requests_during_pause` (a well-behaved client sends none). Chats in
`blocked` answer 403 "bot was blocked by the user"; `p500` injects 500s. Nothing that answered an error
is delivered; `script` forces a 429 or 500 on chosen requests. `answer_latency` delays every answer *after* the
message was accepted (the window in which a killed client cannot know it went out); `slow_every` makes
every n-th accepted message's answer take `slow_delay` seconds, and so does every message to
`slow_chats` (past the client's read time-out: delivered, but the client never hears so). `hold()` makes send requests wait unanswered (requests in flight), `drop_held()` ends them
undelivered — used to kill a client with requests in flight.

Methods: getMe, sendMessage, sendPhoto, sendDocument, editMessageText, setMyCommands, deleteWebhook,
getUpdates (always empty), answerCallbackQuery, close, logOut.
"""
from __future__ import annotations

import asyncio
import contextlib
import email.policy
import json
import random
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from email.parser import BytesParser
from urllib.parse import parse_qs

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

SEND_METHODS = {"sendmessage", "sendphoto", "senddocument"}
BOT_USER = {"id": 4242, "is_bot": True, "first_name": "Trợ lý", "username": "tro_ly_test_bot",
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Call:
    method: str
    params: dict
    t: float
    status: int


@dataclass
class FakeBotApi:
    global_per_second: int = 30
    chat_interval: float = 1.0
    p429: float = 0.0
    p500: float = 0.0
    retry_after: int = 1
    blocked: set[str] = field(default_factory=set)
    seed: int = 5
    latency: float = 0.0
    script: dict[int, int] = field(default_factory=dict)   # n-th send request (from 1) → 429 or 500
    answer_latency: float = 0.0      # seconds between accepting a message and answering
    slow_every: int = 0              # every n-th accepted message is answered after `slow_delay`
    slow_delay: float = 6.0
    slow_chats: set[str] = field(default_factory=set)

    def __post_init__(self):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/bot"
        self.lock = threading.Lock()
        self.rng = random.Random(self.seed)
        self.deliveries: list[tuple[str, str, float]] = []
        self.edits: list[tuple[str, int, str, float]] = []
        self.messages: list[tuple[str, int, str]] = []   # (chat_id, message_id, text) of each delivery
        self.calls: list[Call] = []
        self.limit_429s = 0               # 429s because a limit was exceeded (not injected)
        self.injected_429s = 0
        self.injected_500s = 0
        self.forbidden = 0
        self.requests_during_pause = 0    # requests that arrived while a flood wait was running
        self.paused_until = 0.0
        self._window: deque[float] = deque()
        self._chat_last: dict[str, float] = {}
        self._chat_paused: dict[str, float] = {}
        self._message_id = 1000
        self.send_requests = 0
        self._held = threading.Event()
        self._held.set()
        self.held = 0
        self._drop = False
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    # -- control ----------------------------------------------------------------------------------
    def hold(self) -> None:
        """From now on, send requests wait unanswered (and undelivered) until `drop_held`."""
        self._held.clear()

    def release_held(self) -> None:
        """Let every held request through (delivered and answered as usual), and stop holding."""
        self._held.set()

    def drop_held(self) -> None:
        """Answer every held request with 500, undelivered (its client is gone), and stop holding."""
        self._drop = True
        self._held.set()

    def texts_to(self, chat_id: str) -> list[str]:
        return [text for chat, text, _ in self.deliveries if chat == str(chat_id)]

    def max_in_window(self, seconds: float = 1.0) -> int:
        """The most deliveries in any window of `seconds`."""
        times = sorted(t for _, _, t in self.deliveries)
        best, start = 0, 0
        for end in range(len(times)):
            while times[end] - times[start] >= seconds:
                start += 1
            best = max(best, end - start + 1)
        return best

    # -- the API ----------------------------------------------------------------------------------
    def _ok(self, result) -> JSONResponse:
        return JSONResponse({"ok": True, "result": result})

    def _error(self, status: int, description: str, retry_after: int | None = None) -> JSONResponse:
        body = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        return JSONResponse(body, status_code=status)

    async def _params(self, request: Request) -> dict:
        """JSON, url-encoded or multipart bodies (python-telegram-bot sends the latter two)."""
        ctype = request.headers.get("content-type", "")
        body = await request.body()
        if "json" in ctype:
            return json.loads(body or b"{}")
        if "multipart" in ctype:
            message = BytesParser(policy=email.policy.HTTP).parsebytes(
                f"Content-Type: {ctype}\r\n\r\n".encode() + body)
            params = {}
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                params[name] = "<file>" if part.get_filename() else part.get_content()
            return params
        return {k: v[-1] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}

    async def handle(self, request: Request) -> JSONResponse:
        method = request.path_params["method"].lower()
        params = await self._params(request)
        now = time.monotonic()
        if method == "getme":
            return self._ok(BOT_USER)
        if method in ("setmycommands", "deletewebhook", "answercallbackquery", "close", "logout", "setwebhook"):
            return self._ok(True)
        if method == "getupdates":
            await asyncio.sleep(min(float(params.get("timeout") or 0), 0.5))
            return self._ok([])
        if method == "editmessagetext":
            with self.lock:
                self.edits.append((str(params.get("chat_id")), int(params.get("message_id", 0)),
                                   params.get("text", ""), now))
            return self._ok(self._message(params, params.get("text", ""), int(params.get("message_id", 0))))
        if method not in SEND_METHODS:
            return self._error(404, "Not Found: method not found")
        if not self._held.is_set():
            with self.lock:
                self.held += 1
            await asyncio.get_running_loop().run_in_executor(None, self._held.wait)
            if self._drop:
                return self._error(500, "Internal Server Error: client gone")
        if self.latency:
            await asyncio.sleep(self.latency)
        response = self._send(method, params, time.monotonic())
        if response.status_code == 200:
            accepted = getattr(response, "delivery_index", 0)
            slow = (self.slow_every and accepted % self.slow_every == 0) or str(params.get("chat_id")) in self.slow_chats
            delay = self.answer_latency + (self.slow_delay if slow else 0.0)
            if delay:
                await asyncio.sleep(delay)
        return response

    def _send(self, method: str, params: dict, now: float) -> JSONResponse:
        chat = str(params.get("chat_id"))
        text = params.get("text") or params.get("caption") or ""
        with self.lock:
            if now < self.paused_until or now < self._chat_paused.get(chat, 0.0):
                self.requests_during_pause += 1
                self.calls.append(Call(method, params, now, 429))
                until = max(self.paused_until, self._chat_paused.get(chat, 0.0))
                return self._error(429, "Too Many Requests: retry later", max(1, round(until - now + 0.5)))
            self.send_requests += 1
            scripted = self.script.get(self.send_requests)
            if scripted == 429 or self.rng.random() < self.p429:
                self.injected_429s += 1
                self.paused_until = now + self.retry_after
                self.calls.append(Call(method, params, now, 429))
                return self._error(429, f"Too Many Requests: retry after {self.retry_after}", self.retry_after)
            while self._window and now - self._window[0] >= 1.0:
                self._window.popleft()
            too_fast_for_chat = chat in self._chat_last and now - self._chat_last[chat] < self.chat_interval
            if len(self._window) >= self.global_per_second or too_fast_for_chat:
                self.limit_429s += 1
                if too_fast_for_chat:  # a flood wait for that chat
                    self._chat_paused[chat] = now + self.retry_after
                else:                  # for the whole bot
                    self.paused_until = now + self.retry_after
                self.calls.append(Call(method, params, now, 429))
                return self._error(429, f"Too Many Requests: retry after {self.retry_after}", self.retry_after)
            if chat in self.blocked:
                self.forbidden += 1
                self.calls.append(Call(method, params, now, 403))
                return self._error(403, "Forbidden: bot was blocked by the user")
            if scripted == 500 or self.rng.random() < self.p500:
                self.injected_500s += 1
                self.calls.append(Call(method, params, now, 500))
                return self._error(500, "Internal Server Error")
            self._window.append(now)
            self._chat_last[chat] = now
            self.deliveries.append((chat, text, now))
            self.calls.append(Call(method, params, now, 200))
            self._message_id += 1
            message_id = self._message_id
            self.messages.append((chat, message_id, text))
            index = len(self.deliveries)
        response = self._ok(self._message(params, text, message_id, method))
        response.delivery_index = index
        return response

    def _message(self, params: dict, text: str, message_id: int, method: str = "sendmessage") -> dict:
        chat = params.get("chat_id")
        try:
            chat_id = int(chat)
        except (TypeError, ValueError):
            chat_id = 1
        message = {"message_id": message_id, "date": int(time.time()),
                   "chat": {"id": chat_id, "type": "private", "first_name": "Cán bộ"}, "from": BOT_USER}
        if method == "sendphoto":
            message["photo"] = [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]
            message["caption"] = text
        elif method == "senddocument":
            message["document"] = {"file_id": "d", "file_unique_id": "d"}
            message["caption"] = text
        else:
            message["text"] = text
        return message

    # -- running ----------------------------------------------------------------------------------
    def start(self) -> "FakeBotApi":
        app = Starlette(routes=[Route("/bot{token}/{method}", self.handle, methods=["GET", "POST"])])
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_config=None, access_log=False,
                                lifespan="off", log_level="warning", limit_concurrency=1000)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake Bot API did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._held.set()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> "FakeBotApi":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def chat_ids(n: int, start: int = 100000) -> list[str]:
    return [str(start + i) for i in range(n)]


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)


BOT_TOKEN = "7100001:TEST-fake-bot-api-0123456789"


@contextlib.asynccontextmanager
async def telegram_channel(db, base_url: str, read_timeout: float | None = None):
    """The real Telegram channel (python-telegram-bot) of an assistant on `db`, talking to a fake Bot API."""
    from channels.telegram import TelegramChannel, build_telegram_application
    from handlers.assistant import Assistant
    from settings import Settings
    extra = {} if read_timeout is None else {"telegram_read_timeout": read_timeout}
    settings = Settings(telegram_token=BOT_TOKEN, telegram_api_base_url=base_url, **extra)
    channel = TelegramChannel(Assistant(db))
    application = build_telegram_application(settings, channel, webhook=True)
    await application.initialize()
    try:
        yield channel
    finally:
        await application.shutdown()
