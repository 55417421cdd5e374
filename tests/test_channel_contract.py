"""The channel contract (channels/base.py), proved on a tiny channel that lives only here: one class and
one registry line make a messenger `bot.py run` starts, that answers through the shared web app, that
the outbox delivers to, and that officer imports accept."""
from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

import clock
from channels import registry
from channels.base import Channel, ConfigError, ReplyLimits
from channels.server import build_runtime, serve, startup_line
from handlers.assistant import Assistant
from handlers.importing import import_officers
from handlers.messages import Incoming, Reply
from settings import Settings
from storage import outbox, units
from storage.outbox import NewMessage
from tests.fake_bot_api import free_port
from tests.unit_fixtures import make_unit


class Pigeon(Channel):
    """A carrier pigeon: updates come as POST /pigeon {"chat", "text"}; what it sends is kept in `sent`."""
    name = "pigeon"
    label = "Bồ câu"
    spellings = ("bo cau",)
    limits = ReplyLimits(text_limit=500, buttons=False, files=False, edits=False)
    webhook_path = "/pigeon"

    def __init__(self, assistant: Assistant):
        self.assistant = assistant
        self.sent: list[tuple[str, str]] = []
        self.running = False

    @classmethod
    def configured(cls, settings: Settings) -> bool:
        return True

    @classmethod
    def from_settings(cls, assistant: Assistant, settings: Settings) -> Pigeon:
        return cls(assistant)

    def join(self, runtime: Any) -> None:
        async def arrive(request: Request) -> JSONResponse:
            body = await request.json()
            for reply in self.assistant.handle(Incoming(self.name, body["chat"], body["chat"], body["text"])):
                await self.send(body["chat"], reply)
            return JSONResponse({"ok": True})

        async def start() -> None:
            self.running = True

        async def stop() -> None:
            self.running = False

        runtime.add_step(start, stop)
        runtime.routes.append(Route(self.webhook_path, arrive, methods=["POST"]))
        runtime.health[self.name] = lambda: self.running
        self.join_outbox(runtime)

    async def send(self, chat_id: str, reply: Reply | str, **extra: Any) -> None:
        text = reply.full_text() if isinstance(reply, Reply) else reply
        self.sent.append((chat_id, text[:self.limits.text_limit]))


@pytest.fixture
def with_pigeon(monkeypatch):
    monkeypatch.setattr(registry, "CHANNELS", [*registry.CHANNELS, Pigeon])


async def test_one_class_and_one_registry_line_make_a_channel_that_answers_and_takes_the_outbox(
        with_pigeon, assistant, tmp_path):
    port = free_port()
    runtime = build_runtime(Settings(db_path=tmp_path / "p.db", webhook_port=port), assistant)
    assert list(runtime.channels) == ["pigeon"]
    assert "Bồ câu qua webhook POST /pigeon" in startup_line(runtime)
    pigeon = runtime.channels["pigeon"]
    stop = asyncio.Event()
    ready = asyncio.Event()
    server = asyncio.create_task(serve(runtime, stop, ready=ready.set))
    try:
        await asyncio.wait_for(ready.wait(), timeout=20)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            assert (await client.post("/pigeon", json={"chat": "p1", "text": "/help"})).status_code == 200
            health = (await client.get("/healthz")).json()
        assert health == {"ok": True, "channels": {"pigeon": True}}
        assert pigeon.sent and pigeon.sent[0][0] == "p1" and "/hoi" in pigeon.sent[0][1]

        now = clock.now()
        outbox.enqueue(assistant.db, [NewMessage(key="test:pigeon:p2", kind="test", channel="pigeon", chat_id="p2",
                                                 text="Nhắc việc thử", due_at=now, quiet_hours=False)], now)
        await runtime.extras["dispatcher"].sweep()
        assert ("p2", "Nhắc việc thử") in pigeon.sent
        assert outbox.get(assistant.db, "test:pigeon:p2").status == "sent"
    finally:
        stop.set()
        await asyncio.wait_for(server, timeout=20)


def test_a_channel_that_is_not_configured_is_not_started(monkeypatch, assistant, tmp_path):
    class Unset(Pigeon):
        @classmethod
        def configured(cls, settings: Settings) -> bool:
            return False

    monkeypatch.setattr(registry, "CHANNELS", [*registry.CHANNELS, Unset])
    with pytest.raises(ConfigError):
        build_runtime(Settings(db_path=tmp_path / "u.db"), assistant)


def test_officer_imports_accept_the_channel_as_an_office_writes_it(with_pigeon, db, tmp_path):
    make_unit(db, "BP-01")
    sheet = tmp_path / "cb.csv"
    sheet.write_text("Mã đơn vị,Họ và tên,Kênh,ID\nBP-01,Nguyễn Văn An,Bồ câu,p-42\n", encoding="utf-8-sig")
    report = import_officers(db, sheet, clock.now(), channels=registry.spellings())
    assert not report.errors
    assert units.find_officer(db, "pigeon", "p-42") is not None


def test_the_product_channels_keep_the_contract():
    for kind in registry.CHANNELS:
        assert issubclass(kind, Channel) and kind.name and kind.limits.text_limit > 0
        assert not getattr(kind, "__abstractmethods__", None), kind
    assert registry.names()[:3] == ["telegram", "zalo", "console"]
    assert registry.get("telegram").configured(replace(Settings(), telegram_token="1:x"))
    assert not registry.get("telegram").configured(Settings())
