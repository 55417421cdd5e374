"""What arrives on the webhooks (channels/telegram.py, channels/zalo.py behind channels/server.py), over
real HTTP on 127.0.0.1: lone surrogates escaped in the JSON never make a 500 or an apology, and nothing
later (SQLite, logging) raises on them."""
from __future__ import annotations

import asyncio
import json
import logging
import socket

import httpx
import pytest

from channels.zalo import WEBHOOK_PATH as ZALO_PATH
from telegram_emulator import (CLEAR_ANSWER, CLEAR_QUESTION, ChatUser, bot_api, emulator,  # noqa: F401
                               free_port, running_bot)
from tests.zalo_fake import SECRET as ZALO_SECRET, finish, running_fake, start, text_update, zalo_settings

TELEGRAM_SECRET = "bi-mat_456-DEF"


class StrictUtf8(logging.Handler):
    """A log destination that, like a UTF-8 log file, cannot take a lone surrogate."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.failures: list[str] = []
        self.lines = 0

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.format(record).encode("utf-8")
            self.lines += 1
        except UnicodeEncodeError as exc:
            self.failures.append(f"{record.name}: {exc}")


@pytest.fixture
def strict_log():
    root = logging.getLogger()
    handler, level = StrictUtf8(), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
async def telegram_webhook(bot_api, tmp_path):
    port = free_port()
    async with running_bot(bot_api, tmp_path, webhook_port=port, telegram_webhook_secret=TELEGRAM_SECRET,
                           telegram_webhook_url=f"http://127.0.0.1:{port}/telegram/webhook") as bot:
        bot.url = f"http://127.0.0.1:{port}"
        yield bot


def with_surrogates(body: dict, *marks: str) -> bytes:
    """The body as JSON with each mark replaced by an escaped lone surrogate, as a sender may write it."""
    text = json.dumps(body)
    for mark in marks:
        text = text.replace(mark, "\\ud800")
    return text.encode()


async def test_telegram_webhook_answers_a_message_with_lone_surrogates(telegram_webhook, emulator, strict_log):
    user = ChatUser(emulator, telegram_webhook.token, user_id=501, first_name="LanMARK1")
    body = with_surrogates({"update_id": 61, "message": user.message(f"{CLEAR_QUESTION}MARK2")}, "MARK1", "MARK2")
    assert b"\\ud800" in body
    async with httpx.AsyncClient() as client:
        resp = await client.post(f"{telegram_webhook.url}/telegram/webhook", content=body,
                                 headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET,
                                          "Content-Type": "application/json"})
    assert resp.status_code == 200
    [answer] = await user.wait_count(1)
    assert answer.text.startswith(CLEAR_ANSWER)   # answered, not "Xin lỗi, đã có lỗi…"
    [(stored,)] = telegram_webhook.db.execute("SELECT text FROM questions").fetchall()
    assert stored == CLEAR_QUESTION
    assert strict_log.failures == [] and strict_log.lines > 0


async def test_zalo_webhook_answers_a_message_with_lone_surrogates(tmp_path, strict_log):
    async with running_fake() as fake:
        running = await start(zalo_settings(tmp_path, fake))
        try:
            update = {"ok": True, "result": {"event_name": "message.text.received", "message": {
                "from": {"id": "z-odd", "display_name": "Cán bộ MARK", "is_bot": False},
                "chat": {"id": "z-odd", "chat_type": "PRIVATE"},
                "message_id": "mMARK1", "text": "đại hội hợp lệ khi nào MARK\x00\u202e"}}}
            body = with_surrogates(update, "MARK")
            async with httpx.AsyncClient(timeout=5) as client:
                resp = await client.post(running.base + ZALO_PATH, content=body, headers={
                    "X-Bot-Api-Secret-Token": ZALO_SECRET, "Content-Type": "application/json"})
                again = await client.post(running.base + ZALO_PATH, content=body, headers={
                    "X-Bot-Api-Secret-Token": ZALO_SECRET, "Content-Type": "application/json"})
            assert resp.status_code == 200 and resp.json()["outcome"] == "queued"
            assert again.status_code == 200 and again.json()["outcome"] == "duplicate"
            await fake.wait_sent(1)
            [answer] = fake.texts_to("z-odd")
            assert "2/3" in answer
        finally:
            await finish(running)
    assert strict_log.failures == [] and strict_log.lines > 0


# -- bodies over WEBHOOK_MAX_BODY_BYTES ----------------------------------------------------------------
async def raw_post(port: int, path: str, headers: dict[str, str], chunks: list[bytes] = ()) -> tuple[int, bytes]:
    """A POST written by hand: the headers (with Content-Length, or chunked), then `chunks` as HTTP chunks
    without the closing one; returns the status and body of whatever the server answers meanwhile."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        writer.write(head.encode() + b"\r\n")
        for chunk in chunks:
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), 10)
        response = await asyncio.wait_for(reader.read(), 10)   # the server closes after its answer
        return int(status_line.split()[1]), response.split(b"\r\n\r\n", 1)[1]
    finally:
        writer.close()


@pytest.fixture
async def zalo_capped(tmp_path):
    async with running_fake() as fake:
        running = await start(zalo_settings(tmp_path, fake, webhook_max_body_bytes=4096))
        running.fake = fake
        try:
            yield running
        finally:
            await finish(running)


async def test_a_declared_body_over_the_limit_gets_413_before_it_is_sent(zalo_capped):
    # Only the headers go out: the answer comes without the server waiting for 10 MB.
    status, body = await raw_post(zalo_capped.runtime.settings.webhook_port, ZALO_PATH, {
        "X-Bot-Api-Secret-Token": ZALO_SECRET, "Content-Type": "application/json",
        "Content-Length": str(10 * 1024 * 1024)})
    assert status == 413 and body == b"payload too large"


async def test_a_chunked_body_is_counted_as_it_streams_and_cut_off_with_413(zalo_capped):
    chunks = [b" " * 1000] * 5   # 5,000 bytes against a 4,096-byte cap, and never a last chunk
    status, _ = await raw_post(zalo_capped.runtime.settings.webhook_port, ZALO_PATH, {
        "X-Bot-Api-Secret-Token": ZALO_SECRET, "Content-Type": "application/json",
        "Transfer-Encoding": "chunked"}, chunks)
    assert status == 413
    assert zalo_capped.fake.sent == []
    [(count,)] = zalo_capped.runtime.assistant.db.execute("SELECT COUNT(*) FROM zalo_seen_messages").fetchall()
    assert count == 0


async def test_a_body_of_exactly_the_limit_is_still_taken(zalo_capped):
    body = json.dumps(text_update("đại hội hợp lệ khi nào", chat_id="z-cap")).encode()
    body += b" " * (4096 - len(body))

    async def in_two_chunks():
        yield body[:2000]
        yield body[2000:]

    async with httpx.AsyncClient(timeout=5) as client:
        resp = await client.post(zalo_capped.base + ZALO_PATH, content=body, headers={
            "X-Bot-Api-Secret-Token": ZALO_SECRET, "Content-Type": "application/json"})
        chunked = await client.post(zalo_capped.base + ZALO_PATH, content=in_two_chunks(),
                                    headers={"X-Bot-Api-Secret-Token": ZALO_SECRET})
    assert resp.status_code == 200 and chunked.status_code == 200
    await zalo_capped.fake.wait_sent(1)


async def test_the_telegram_webhook_is_capped_too(telegram_webhook):
    status, _ = await raw_post(int(telegram_webhook.url.rsplit(":", 1)[1]), "/telegram/webhook", {
        "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET, "Content-Length": str(1024 * 1024 + 1)})
    assert status == 413
    assert telegram_webhook.runtime.settings.webhook_max_body_bytes == 1024 * 1024   # the default


async def test_a_bad_limit_setting_stops_the_start_with_a_clear_message(tmp_path, monkeypatch):
    from channels.server import ConfigError
    from settings import load_settings
    monkeypatch.setenv("WEBHOOK_MAX_BODY_BYTES", "1MB")
    assert load_settings().webhook_max_body_bytes == -1
    monkeypatch.setenv("WEBHOOK_MAX_BODY_BYTES", "65536")
    assert load_settings().webhook_max_body_bytes == 65536
    async with running_fake() as fake:
        with pytest.raises(ConfigError, match="WEBHOOK_MAX_BODY_BYTES"):
            await start(zalo_settings(tmp_path, fake, webhook_max_body_bytes=-1))


# -- what the logs say of people -------------------------------------------------------------------------
PRIVATE_NAME = "Nguyễn Thị Riêng"
PRIVATE_TEXT = "câu hỏi riêng tư số 4711"


async def test_telegram_errors_log_the_update_id_and_kind_not_the_name_or_text(bot_api, emulator, tmp_path, caplog):
    def customise(assistant):
        def explode(msg, args):
            raise RuntimeError("handler exploded")
        assistant.add_command("hong", explode, "Lệnh thử lỗi")

    caplog.set_level(logging.INFO)
    async with running_bot(bot_api, tmp_path, customise=customise) as bot:
        user = ChatUser(emulator, bot.token, user_id=520, first_name=PRIVATE_NAME)
        await user.send(f"/hong {PRIVATE_TEXT}")
        await user.wait_count(1)
        caplog.set_level(logging.DEBUG, logger="channels.telegram")   # what --verbose turns on
        await user.send(f"/hong {PRIVATE_TEXT}")
        await user.wait_count(2)
    quiet = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    loud = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG and r.name == "channels.telegram"]
    errors = [m for m in quiet if m.startswith("Exception while handling update")]
    assert len(errors) == 2 and all("(message, private chat 520)" in m for m in errors)
    assert not any(PRIVATE_NAME in m or PRIVATE_TEXT in m for m in quiet)
    assert any(PRIVATE_NAME in m and PRIVATE_TEXT in m for m in loud)   # only with verbose logging


async def test_zalo_errors_log_the_message_id_not_the_name_or_text(tmp_path, caplog, monkeypatch):
    caplog.set_level(logging.INFO)
    async with running_fake() as fake:
        running = await start(zalo_settings(tmp_path, fake))
        try:
            def broken(msg):
                raise RuntimeError("boom")
            monkeypatch.setattr(running.runtime.assistant, "handle", broken)
            update = text_update(PRIVATE_TEXT, chat_id="z-private", message_id="m-4711", name=PRIVATE_NAME)
            assert (await fake.push(update, url=running.base + ZALO_PATH)).status_code == 200
            assert (await fake.push(update, url=running.base + ZALO_PATH)).json()["outcome"] == "duplicate"
            await fake.wait_sent(1)
        finally:
            await finish(running)
    assert "m-4711" in caplog.text and "boom" in caplog.text
    assert PRIVATE_NAME not in caplog.text and PRIVATE_TEXT not in caplog.text


# -- /healthz whatever the mode ------------------------------------------------------------------------------
async def test_healthz_answers_when_telegram_polls(bot_api, emulator, tmp_path):
    port = free_port()
    async with running_bot(bot_api, tmp_path, webhook_port=port) as bot:
        assert bot.runtime.routes == [] and bot_api.calls_of(bot.token, "getUpdates")   # polling, no webhook
        async with httpx.AsyncClient(timeout=5) as client:
            health = await client.get(f"http://127.0.0.1:{port}/healthz")
            webhook = await client.post(f"http://127.0.0.1:{port}/telegram/webhook", json={})
    assert health.status_code == 200 and health.json() == {"ok": True, "channels": {"telegram": True}}
    assert webhook.status_code == 404
    with socket.socket() as again:   # stopped: the port is free
        again.bind(("127.0.0.1", port))


async def test_healthz_says_503_once_zalo_polling_has_stopped(tmp_path):
    async with running_fake() as fake:
        running = await start(zalo_settings(tmp_path, fake, zalo_webhook_secret=""))
        try:
            async with httpx.AsyncClient(timeout=5) as client:
                before = await client.get(running.base + "/healthz")
                fake.fail("getUpdates", status=401, error_code=401, description="Unauthorized")
                await fake.wait_for(lambda: not running.runtime.health["zalo"]())
                after = await client.get(running.base + "/healthz")
        finally:
            await finish(running)
    assert before.status_code == 200 and before.json() == {"ok": True, "channels": {"zalo": True}}
    assert after.status_code == 503 and after.json() == {"ok": False, "channels": {"zalo": False}}
