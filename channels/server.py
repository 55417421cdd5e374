"""Run every configured messenger on one event loop: `run_channels(settings, assistant)`.

Each configured channel of channels/registry.py joins one `Runtime` (channels/base.py's `join`): start/
stop steps, its webhook routes, a health probe, and its outbox sender and limits. One small Starlette app
(uvicorn, on WEBHOOK_HOST:WEBHOOK_PORT) always runs, polling or not, and serves the webhook routes and
    GET  /healthz            {"ok": true, "channels": {"telegram": true, "zalo": true}}   (503 if not ok)
with every request body capped at WEBHOOK_MAX_BODY_BYTES (channels/body_limit.py).
`add_scheduler` starts the reminder scheduler and the outbox dispatcher after the channels run, and stops
them before the channels stop.
"""
from __future__ import annotations

import asyncio
import logging
import signal
import socket
import sys
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from telegram.error import TelegramError

from channels import registry
from channels.base import Channel, ConfigError
from channels.body_limit import BodyLimit
from handlers.assistant import Assistant
from logging_setup import RedactSecrets
from scheduler import jobs
from settings import Settings

log = logging.getLogger(__name__)


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
    channels: dict[str, Channel] = field(default_factory=dict)  # the channels that joined, in order

    def add_step(self, start: Step, stop: Step | None = None, after_http: bool = False) -> None:
        """`start` runs at start-up (after the HTTP server listens if `after_http`); `stop` at the end,
        also when `start` failed halfway (so it must cope with a partial start)."""
        self.steps.append((start, stop, after_http))


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
    """/healthz and the channels' webhook routes, every request body capped (channels/body_limit.py)."""
    limit = runtime.settings.webhook_max_body_bytes
    if limit <= 0:
        raise ConfigError("WEBHOOK_MAX_BODY_BYTES phải là số byte lớn hơn 0 (ví dụ 1048576 cho 1 MB).")

    async def healthz(request: Request) -> Response:
        channels = {name: bool(probe()) for name, probe in runtime.health.items()}
        return JSONResponse({"ok": all(channels.values()), "channels": channels},
                            status_code=200 if all(channels.values()) else 503)

    return Starlette(routes=[Route("/healthz", healthz, methods=["GET"]), *runtime.routes],
                     middleware=[Middleware(BodyLimit, limit=limit)])


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
        raise ConfigError(f"Không mở được cổng {settings.webhook_host}:{settings.webhook_port} cho webhook và "
                          f"/healthz ({exc.strerror}). Đặt WEBHOOK_HOST / WEBHOOK_PORT khác.") from exc
    sock.listen(128)
    sock.setblocking(False)
    return sock


class _HttpServer:
    """uvicorn on a socket bound beforehand (so a busy port is a clear error, not a sys.exit). Started
    whatever the channels' mode: /healthz answers in polling mode too."""

    def __init__(self, runtime: Runtime):
        import uvicorn  # only `run` needs it
        app = build_http_app(runtime)   # a bad setting is reported before the port is taken
        self.sock = _listen(runtime.settings)
        config = uvicorn.Config(app, log_config=None, access_log=False,
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
    for kind in registry.configured(settings):
        channel = kind.from_settings(assistant, settings)
        channel.join(runtime)
        runtime.channels[channel.name] = channel
    if not runtime.senders:
        raise ConfigError("Chưa cấu hình kênh nào: đặt TELEGRAM_BOT_TOKEN (hoặc ZALO_BOT_TOKEN).")
    add_scheduler(runtime)
    return runtime


async def serve(runtime: Runtime, stop: asyncio.Event, ready: Callable[[], None] | None = None) -> None:
    """Start every step, call `ready`, wait for `stop`, then stop what was started in reverse order."""
    started: list[Step] = []
    http = _HttpServer(runtime)
    try:
        for start, finish, _ in [s for s in runtime.steps if not s[2]]:
            if finish is not None:
                started.append(finish)
            await start()
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
        watched = {waiter, http.task}
        await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if http.task.done():
            http.task.result()  # a crashed server raises here; a signal stopped it cleanly otherwise
    finally:
        for finish in reversed(started):
            try:
                await finish()
            except Exception:  # noqa: BLE001 - stop the rest all the same
                log.exception("Error while stopping")
        http.sock.close()   # the port is free again even when a channel failed to start


def channel_modes(runtime: Runtime) -> dict[str, str]:
    """How each running channel takes updates in: 'webhook' or 'polling'."""
    return {name: "webhook" if channel.webhook_path else "polling" for name, channel in runtime.channels.items()}


def startup_line(runtime: Runtime) -> str:
    """What really runs, per channel, and where GET /healthz answers."""
    parts = []
    for name, mode in channel_modes(runtime).items():
        channel = runtime.channels[name]
        label = channel.label or name
        parts.append(f"{label} qua webhook POST {channel.webhook_path}" if mode == "webhook"
                     else f"{label} bằng polling")
    settings = runtime.settings
    host = f"[{settings.webhook_host}]" if ":" in settings.webhook_host else settings.webhook_host
    health = f"Kiểm tra hoạt động: GET http://{host}:{settings.webhook_port}/healthz."
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
