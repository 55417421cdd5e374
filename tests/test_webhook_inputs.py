"""What arrives on the webhooks (channels/telegram.py, channels/zalo.py behind channels/server.py), over
real HTTP on 127.0.0.1: lone surrogates escaped in the JSON never make a 500 or an apology, and nothing
later (SQLite, logging) raises on them."""
from __future__ import annotations

import json
import logging

import httpx
import pytest

from channels.zalo import WEBHOOK_PATH as ZALO_PATH
from telegram_emulator import (CLEAR_ANSWER, CLEAR_QUESTION, ChatUser, bot_api, emulator,  # noqa: F401
                               free_port, running_bot)
from tests.zalo_fake import SECRET as ZALO_SECRET, finish, running_fake, start, zalo_settings

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
