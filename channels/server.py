"""Run every configured messenger on one event loop: `run_channels(settings, assistant)`.

Telegram polls by default. With TELEGRAM_WEBHOOK_URL set, one small Starlette app (uvicorn, on
WEBHOOK_HOST:WEBHOOK_PORT) serves
    POST /telegram/webhook   Telegram updates; X-Telegram-Bot-Api-Secret-Token checked, 403 otherwise
    GET  /healthz            {"ok": true, "channels": {"telegram": true}}
and feeds each update to `application.update_queue` (python-telegram-bot's custom webhook pattern).

Everything plugs into a `Runtime`: a channel adds start/stop steps, its webhook routes, a health probe
and an outbox sender `(chat_id, text)` (what the dispatcher calls to deliver reminders and broadcasts).
A Zalo channel adds itself the same way beside `add_telegram`. `add_scheduler` starts the reminder
scheduler after the channels run, and stops it before they stop.
"""
from __future__ import annotations

import asyncio
import hmac
import logging
import re
import secrets
import signal
import socket
import sys
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable
from urllib.parse import urlsplit, urlunsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from channels.base import ConfigError
from channels.telegram import ALLOWED_UPDATES, TelegramChannel
from handlers.assistant import Assistant
from logging_setup import RedactSecrets, add_secret
from scheduler import jobs
from settings import Settings
from storage.bots import remember_bot_name

log = logging.getLogger(__name__)

TELEGRAM_WEBHOOK_PATH = "/telegram/webhook"
TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")

Step = Callable[[], Awaitable[None]]
Sender = Callable[[str, str], Awaitable[None]]   # outbox sender: (chat_id, text); see scheduler/outbox.py


@dataclass
class Runtime:
    """What the configured pieces contribute; `serve` runs them in order and stops them in reverse."""
    settings: Settings
    assistant: Assistant
    routes: list[BaseRoute] = field(default_factory=list)
    senders: dict[str, Sender] = field(default_factory=dict)
    health: dict[str, Callable[[], bool]] = field(default_factory=dict)
    steps: list[tuple[Step, Step | None, bool]] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)   # e.g. the Telegram Application, for tests
    limits: dict[str, Any] = field(default_factory=dict)   # channel → scheduler.ratelimit.ChannelLimits
    throttles: dict[str, Any] = field(default_factory=dict)  # channel → the Throttle its replies use

    def add_step(self, start: Step, stop: Step | None = None, after_http: bool = False) -> None:
        """`start` runs at start-up (after the HTTP server listens if `after_http`); `stop` at the end,
        also when `start` failed halfway (so it must cope with a partial start)."""
        self.steps.append((start, stop, after_http))


# -- Telegram ---------------------------------------------------------------------------------------------
def build_telegram_application(settings: Settings, channel: TelegramChannel, webhook: bool,
                               throttle=None) -> Application:
    """The Application: concurrent updates, the Bot API address override, no updater for webhooks, and
    every send through the channel's one limiter (`throttle`, shared with the outbox; made when None)."""
    from channels.telegram_limiter import SharedLimiter
    from scheduler.ratelimit import Throttle
    throttle = throttle or Throttle(telegram_limits(settings))
    channel.throttle = throttle
    builder = (Application.builder().token(settings.telegram_token).concurrent_updates(True)
               .rate_limiter(SharedLimiter(throttle)))
    if settings.telegram_read_timeout > 0:  # after it, a send's outcome is unknown (scheduler/outbox.py)
        builder = builder.read_timeout(settings.telegram_read_timeout)
    base = settings.telegram_api_base_url
    if base:
        builder = builder.base_url(base)
        if base.endswith("/bot"):
            builder = builder.base_file_url(base[:-len("/bot")] + "/file/bot")
    if webhook:
        builder = builder.updater(None)
    application = builder.build()
    channel.register(application)
    return application


def telegram_webhook_url(url: str) -> str:
    """The public webhook address; a bare host gets the /telegram/webhook path."""
    parts = urlsplit(url)
    if parts.path in ("", "/"):
        parts = parts._replace(path=TELEGRAM_WEBHOOK_PATH)
    return urlunsplit(parts)


def telegram_webhook_route(application: Application, secret: str) -> Route:
    """POST /telegram/webhook: check the secret header in constant time, then queue the update."""
    expected = secret.encode()

    async def telegram_webhook(request: Request) -> Response:
        given = request.headers.get(TELEGRAM_SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return PlainTextResponse("forbidden", status_code=403)
        try:
            data = await request.json()
            update = Update.de_json(data, application.bot) if isinstance(data, dict) else None
        except Exception:  # noqa: BLE001 - any malformed body is the sender's problem
            update = None
        if update is None:
            return PlainTextResponse("bad request", status_code=400)
        await application.update_queue.put(update)
        return Response(status_code=200)

    return Route(TELEGRAM_WEBHOOK_PATH, telegram_webhook, methods=["POST"])


def add_telegram(runtime: Runtime) -> None:
    settings = runtime.settings
    webhook = bool(settings.telegram_webhook_url)
    secret = settings.telegram_webhook_secret or secrets.token_urlsafe(32)
    add_secret(secret)
    if webhook and not _SECRET_RE.match(secret):
        raise ConfigError("TELEGRAM_WEBHOOK_SECRET chỉ được gồm chữ cái Latin, chữ số, '_' và '-' "
                          "(1–256 ký tự).")
    channel = TelegramChannel(runtime.assistant)
    application = build_telegram_application(settings, channel, webhook)

    watcher: list[asyncio.Task] = []

    async def start() -> None:
        await application.initialize()  # getMe: the bot's username, for t.me links printed elsewhere
        remember_bot_name(runtime.assistant.db, "telegram", application.bot.username or "")
        await channel.publish_commands()
        watcher.append(asyncio.create_task(channel.watch_admins(), name="telegram-admin-menus"))
        await application.start()
        if not webhook:
            await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)

    async def stop() -> None:
        for task in watcher:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()

    async def set_webhook() -> None:
        await application.bot.set_webhook(telegram_webhook_url(settings.telegram_webhook_url),
                                          secret_token=secret, allowed_updates=ALLOWED_UPDATES)

    runtime.add_step(start, stop)
    if webhook:
        runtime.routes.append(telegram_webhook_route(application, secret))
        runtime.add_step(set_webhook, after_http=True)
    runtime.senders["telegram"] = channel.send_text
    runtime.limits["telegram"] = telegram_limits(settings)
    runtime.throttles["telegram"] = channel.throttle   # replies and the outbox share it
    runtime.health["telegram"] = lambda: application.running
    runtime.extras["telegram_application"] = application


def telegram_limits(settings: Settings):
    """The outbox's limits for Telegram: TELEGRAM_OUTBOX_RATE a second, one a second per chat."""
    from dataclasses import replace
    from scheduler.ratelimit import TELEGRAM_LIMITS
    if settings.telegram_outbox_rate < 0:
        raise ConfigError("TELEGRAM_OUTBOX_RATE phải là số tin mỗi giây, không âm (ví dụ 25; 0 là không giới hạn).")
    return replace(TELEGRAM_LIMITS, per_second=settings.telegram_outbox_rate)


# -- scheduler --------------------------------------------------------------------------------------------
def add_scheduler(runtime: Runtime) -> None:
    """Start the reminder scheduler and the outbox dispatcher once the channels run (scheduler/jobs.py):
    one dispatcher with every running channel's sender and limits, `start_scheduler` inside the loop
    when this process holds the outbox lease (else it stands by), `shutdown(wait=False)` before the
    channels stop."""
    db = runtime.assistant.db
    handle: dict[str, Any] = {}

    def begin(dispatcher) -> None:
        handle["scheduler"] = jobs.start_scheduler(db, dispatcher)
        dispatcher.kick()  # broadcasts a previous run left unfinished resume now, not in 30 s

    async def standby(dispatcher) -> None:
        """Another process holds the outbox lease: send nothing, and take over once it is gone."""
        while "scheduler" not in handle:
            await asyncio.sleep(dispatcher.lease.heartbeat)
            if dispatcher.ensure_lease():
                log.warning("outbox lease taken: this process now sends reminders and broadcasts")
                begin(dispatcher)

    async def start() -> None:
        dispatcher = jobs.create_dispatcher(db)
        for channel, send in runtime.senders.items():
            dispatcher.register_sender(channel, send)
        for channel, limits in runtime.limits.items():
            if channel in runtime.throttles:
                dispatcher.use_throttle(channel, runtime.throttles[channel])  # one limiter per channel
            else:
                dispatcher.set_limits(channel, limits)
        runtime.extras["dispatcher"] = dispatcher
        runtime.assistant.outbox_waker = dispatcher.kick  # a confirmed broadcast goes out at once
        if dispatcher.ensure_lease():
            begin(dispatcher)
            return
        print(f"CẢNH BÁO: {dispatcher.lease.holder_text()} đang gửi nhắc hạn và thông báo từ cơ sở dữ liệu này. "
              "Tiến trình này không gửi gì từ hàng đợi (để không ai nhận trùng tin) và sẽ nhận việc gửi khi "
              "tiến trình kia dừng.", file=sys.stderr, flush=True)
        handle["standby"] = asyncio.get_running_loop().create_task(standby(dispatcher))

    async def stop() -> None:
        waiting = handle.pop("standby", None)
        if waiting is not None:
            waiting.cancel()
        scheduler = handle.get("scheduler")
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        dispatcher = runtime.extras.get("dispatcher")
        if dispatcher is not None:
            await dispatcher.stop()  # requests in flight get their answers recorded; the lease is released

    runtime.add_step(start, stop, after_http=True)


# -- HTTP -----------------------------------------------------------------------------------------------
def build_http_app(runtime: Runtime) -> Starlette:
    async def healthz(request: Request) -> Response:
        channels = {name: bool(probe()) for name, probe in runtime.health.items()}
        return JSONResponse({"ok": all(channels.values()), "channels": channels},
                            status_code=200 if all(channels.values()) else 503)

    return Starlette(routes=[Route("/healthz", healthz, methods=["GET"]), *runtime.routes])


def _listen(settings: Settings) -> socket.socket:
    if settings.webhook_port < 0:
        raise ConfigError("WEBHOOK_PORT phải là số cổng từ 1 đến 65535.")
    family = socket.AF_INET6 if ":" in settings.webhook_host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((settings.webhook_host, settings.webhook_port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"Không mở được cổng {settings.webhook_host}:{settings.webhook_port} cho webhook "
                          f"({exc.strerror}). Đặt WEBHOOK_HOST / WEBHOOK_PORT khác.") from exc
    sock.listen(128)
    sock.setblocking(False)
    return sock


class _HttpServer:
    """uvicorn on a socket bound beforehand (so a busy port is a clear error, not a sys.exit)."""

    def __init__(self, runtime: Runtime):
        import uvicorn  # only webhook mode needs it
        self.sock = _listen(runtime.settings)
        config = uvicorn.Config(build_http_app(runtime), log_config=None, access_log=False,
                                lifespan="off", log_level="warning")
        self.server = uvicorn.Server(config)
        self.task: asyncio.Task | None = None

    async def start(self) -> None:
        self.task = asyncio.create_task(self.server.serve(sockets=[self.sock]))
        while not self.server.started:
            if self.task.done():
                self.task.result()
                raise ConfigError("Máy chủ webhook dừng ngay khi khởi động.")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        self.server.should_exit = True
        if self.task is not None:
            await self.task
        self.sock.close()


# -- running ----------------------------------------------------------------------------------------------
def build_runtime(settings: Settings, assistant: Assistant) -> Runtime:
    runtime = Runtime(settings, assistant)
    if settings.telegram_token:
        add_telegram(runtime)
    if settings.zalo_token:
        from channels.zalo import add_zalo  # webhook with ZALO_WEBHOOK_SECRET, else polling
        add_zalo(runtime)
    if not runtime.senders:
        raise ConfigError("Chưa cấu hình kênh nào: đặt TELEGRAM_BOT_TOKEN (hoặc ZALO_BOT_TOKEN).")
    add_scheduler(runtime)
    return runtime


async def serve(runtime: Runtime, stop: asyncio.Event, ready: Callable[[], None] | None = None) -> None:
    """Start every step, call `ready`, wait for `stop`, then stop what was started in reverse order."""
    started: list[Step] = []
    http = _HttpServer(runtime) if runtime.routes else None
    try:
        for start, finish, _ in [s for s in runtime.steps if not s[2]]:
            if finish is not None:
                started.append(finish)
            await start()
        if http is not None:
            await http.start()
            started.append(http.stop)
        for start, finish, _ in [s for s in runtime.steps if s[2]]:
            if finish is not None:
                started.append(finish)
            await start()
        log.info("Running: %s", ", ".join(f"{name} ({mode})" for name, mode in channel_modes(runtime).items()))
        if ready is not None:
            ready()
        waiter = asyncio.create_task(stop.wait())
        watched = {waiter} | ({http.task} if http is not None and http.task else set())
        await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if http is not None and http.task.done():
            http.task.result()  # a crashed server raises here; a signal stopped it cleanly otherwise
    finally:
        for finish in reversed(started):
            try:
                await finish()
            except Exception:  # noqa: BLE001 - stop the rest all the same
                log.exception("Error while stopping")


CHANNEL_NAMES = {"telegram": "Telegram", "zalo": "Zalo"}
WEBHOOK_PATHS = {"telegram": TELEGRAM_WEBHOOK_PATH, "zalo": "/zalo/webhook"}


def channel_modes(runtime: Runtime) -> dict[str, str]:
    """How each running channel takes updates in: 'webhook' or 'polling' (from the same settings the
    channels themselves follow)."""
    settings = runtime.settings
    webhook = {"telegram": bool(settings.telegram_webhook_url), "zalo": bool(settings.zalo_webhook_secret)}
    return {name: "webhook" if webhook.get(name) else "polling" for name in runtime.senders}


def startup_line(runtime: Runtime) -> str:
    """What really runs, per channel, and where GET /healthz answers (only with an HTTP server)."""
    parts = []
    for name, mode in channel_modes(runtime).items():
        label = CHANNEL_NAMES.get(name, name)
        parts.append(f"{label} qua webhook POST {WEBHOOK_PATHS.get(name, '')}".rstrip() if mode == "webhook"
                     else f"{label} bằng polling")
    settings = runtime.settings
    if runtime.routes:
        host = f"[{settings.webhook_host}]" if ":" in settings.webhook_host else settings.webhook_host
        health = f"Kiểm tra hoạt động: GET http://{host}:{settings.webhook_port}/healthz."
    else:
        health = "Không mở cổng HTTP nào (không kênh nào dùng webhook), nên không có /healthz."
    return f"Trợ lý đang chạy: {'; '.join(parts)}. {health} Nhấn Ctrl+C để dừng."


async def _serve_until_signal(runtime: Runtime) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # not the main thread, or Windows
            pass
    await serve(runtime, stop, ready=lambda: print(startup_line(runtime), file=sys.stderr, flush=True))


def run_channels(settings: Settings, assistant: Assistant) -> int:
    """Run until SIGINT/SIGTERM. 0 after a clean stop, 2 for a bad setting, 1 when Telegram refuses."""
    redact = RedactSecrets(settings.secrets).redact
    try:
        runtime = build_runtime(settings, assistant)
        asyncio.run(_serve_until_signal(runtime))
    except ConfigError as exc:
        print(f"LỖI: {exc}", file=sys.stderr)
        return 2
    except TelegramError as exc:
        print(f"LỖI: không khởi động được kênh Telegram: {redact(str(exc))}. Kiểm tra TELEGRAM_BOT_TOKEN, "
              "TELEGRAM_API_BASE_URL và kết nối mạng.", file=sys.stderr)
        return 1
    return 0
