"""Each channel has one way out, `send` (channels/base.py): the assistant's answers go through it as the
outbox's rows do, so both keep the channel's one limiter. What tells them apart is the slot: inside
`answering` (what `answer` opens) a 429 is waited out and sent again; alone, the first 429 is raised for
the dispatcher to reschedule. Real channels against the fake Bot API, the fake Zalo and a terminal."""
from __future__ import annotations

import asyncio
import ast
import contextlib
import io
import time
from pathlib import Path

import pytest
from telegram import Update

import clock
from channels.base import RetryableSendError
from channels.console import ConsoleChannel
from channels.render import numbered_text
from channels.telegram import TelegramChannel, build_telegram_application, render as telegram_render
from channels.zalo import ZaloChannel, render as zalo_render
from channels.zalo_client import ZaloClient
from handlers.assistant import Assistant
from handlers.messages import Reply
from scheduler.outbox import Dispatcher
from settings import Settings
from storage import outbox
from storage.outbox import NewMessage
from tests.fake_bot_api import FakeBotApi
from tests.zalo_fake import TOKEN as ZALO_TOKEN, running_fake, text_update

ROOT = Path(__file__).resolve().parent.parent
TG_TOKEN = "7300001:TEST-one-sender-0123456789"


def record_sends(monkeypatch, channel) -> list[tuple[str, object]]:
    """(chat, reply) of every call to the channel's `send`, which still does the sending."""
    calls: list[tuple[str, object]] = []
    real = channel.send

    async def send(chat_id, reply, **extra):
        calls.append((str(chat_id), reply))
        await real(chat_id, reply, **extra)

    monkeypatch.setattr(channel, "send", send)
    return calls


def queue_row(db, channel: str, chat: str, text: str) -> None:
    now = clock.now()
    outbox.enqueue(db, [NewMessage(key=f"t:{channel}:{chat}", kind="broadcast", channel=channel, chat_id=chat,
                                   text=text, due_at=now, quiet_hours=False)], now)


@contextlib.asynccontextmanager
async def telegram_channel(assistant, api: FakeBotApi):
    channel = TelegramChannel(assistant)
    application = build_telegram_application(Settings(telegram_token=TG_TOKEN, telegram_api_base_url=api.base_url),
                                             channel, webhook=True)
    await application.initialize()
    try:
        yield channel
    finally:
        await application.shutdown()


def private_text(channel: TelegramChannel, chat: int, text: str) -> Update:
    entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}] if text.startswith("/") else []
    return Update.de_json({"update_id": 1, "message": {
        "message_id": 10, "date": int(time.time()), "text": text, "entities": entities,
        "chat": {"id": chat, "type": "private", "first_name": "Lan"},
        "from": {"id": chat, "is_bot": False, "first_name": "Lan"}}}, channel.application.bot)


async def test_telegram_answers_and_outbox_rows_leave_through_send(assistant, monkeypatch):
    with FakeBotApi(chat_interval=0.0) as api:
        async with telegram_channel(assistant, api) as channel:
            calls = record_sends(monkeypatch, channel)
            await channel.on_text(private_text(channel, 5001, "/help"), None)
            answers = [reply for chat, reply in calls if chat == "5001"]
            assert answers and all(isinstance(r, Reply) for r in answers)
            assert api.texts_to("5001") == [telegram_render(r, channel.codec)[0] for r in answers]

            queue_row(assistant.db, "telegram", "5002", "Nhắc: nộp báo cáo trước thứ Sáu.")
            dispatcher = Dispatcher(assistant.db)
            dispatcher.register_sender("telegram", channel.send)
            assert (await dispatcher.sweep(clock.now())).sent == 1
    assert ("5002", "Nhắc: nộp báo cáo trước thứ Sáu.") in calls
    assert api.texts_to("5002") == ["Nhắc: nộp báo cáo trước thứ Sáu."]


async def test_a_telegram_send_alone_hands_its_429_back_and_an_answer_waits_it_out(assistant):
    with FakeBotApi(chat_interval=0.0, script={1: 429, 2: 429}, retry_after=1) as api:
        async with telegram_channel(assistant, api) as channel:
            with pytest.raises(RetryableSendError) as caught:
                await channel.send("601", "Nhắc việc")          # an outbox row: the dispatcher reschedules it
            assert caught.value.retry_after == 1
            started = time.monotonic()
            await channel.answer("602", [Reply("Câu trả lời")])  # an answer: the 429 is waited out
            waited = time.monotonic() - started
    assert api.texts_to("601") == [] and api.texts_to("602") == ["Câu trả lời"]
    assert api.injected_429s == 2 and api.requests_during_pause == 0
    assert waited >= 0.9


async def test_zalo_answers_and_outbox_rows_leave_through_send(assistant, monkeypatch):
    async with running_fake() as fake:
        async with ZaloClient(ZALO_TOKEN, fake.base_url) as client:
            channel = ZaloChannel(assistant, client, outbox_rate=0)
            calls = record_sends(monkeypatch, channel)
            assert channel.receive(text_update("/help", chat_id="z-7")) == "queued"
            assert await channel.wait_idle(timeout=10)
            answers = [reply for chat, reply in calls if chat == "z-7"]
            assert answers and all(isinstance(r, Reply) for r in answers)
            assert fake.texts_to("z-7") == [zalo_render(r) for r in answers]

            queue_row(assistant.db, "zalo", "z-8", "Nhắc: nộp báo cáo trước thứ Sáu.")
            dispatcher = Dispatcher(assistant.db)
            dispatcher.register_sender("zalo", channel.send)
            assert (await dispatcher.sweep(clock.now())).sent == 1
    assert ("z-8", "Nhắc: nộp báo cáo trước thứ Sáu.") in calls
    assert fake.texts_to("z-8") == ["Nhắc: nộp báo cáo trước thứ Sáu."]


def test_the_terminal_chat_answers_through_send_and_the_outbox_goes_to_the_delivery_log(assistant, monkeypatch):
    out, echoed = io.StringIO(), []
    channel = ConsoleChannel(assistant, echo=lambda chat, text: echoed.append((chat, text)), stdout=out)
    calls = record_sends(monkeypatch, channel)
    channel.chat(io.StringIO("/help\nthoát\n"))
    assert calls and all(chat == "console" and isinstance(r, Reply) for chat, r in calls)
    assert f"Trợ lý: {numbered_text(calls[0][1])}" in out.getvalue()
    assert echoed == []

    asyncio.run(channel.send("u-9", "Nhắc: nộp báo cáo trước thứ Sáu."))   # an outbox row
    assert echoed == [("u-9", "Nhắc: nộp báo cáo trước thứ Sáu.")]
    assert [(c, chat, text) for c, chat, text, _ in outbox.deliveries(assistant.db)] == [
        ("console", "u-9", "Nhắc: nộp báo cáo trước thứ Sáu.")]
    assert "Nhắc" not in out.getvalue()


# -- the shape that keeps it so ----------------------------------------------------------------------------
MESSENGER_SENDS = {"send_message", "send_photo", "send_document", "send_video", "send_audio", "send_voice",
                   "send_animation", "send_sticker", "send_media_group", "copy_message", "forward_message"}


def _is_sending(name: str) -> bool:
    return name == "send" or name.startswith("_send")


@pytest.mark.parametrize("module", ["telegram", "zalo", "console"])
def test_a_channel_reaches_its_messenger_only_from_send(module):
    """A request that delivers a message is made only in `send` and its `_send…` helpers, and those
    helpers are called only from `send` or each other: no answer, apology or notice goes around it."""
    tree = ast.parse((ROOT / "channels" / f"{module}.py").read_text(encoding="utf-8"))
    wrong = []
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(function):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            name = node.func.attr
            delivers = name in MESSENGER_SENDS or (
                name == "call" and node.args and isinstance(node.args[0], ast.Constant)
                and node.args[0].value == "sendMessage")
            helper = name.startswith("_send")
            if (delivers or helper) and not _is_sending(function.name):
                wrong.append(f"{function.name} calls {name}")
    assert not wrong, f"channels/{module}.py sends around `send`: " + "; ".join(wrong)
