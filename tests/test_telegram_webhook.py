"""Webhook mode: the Starlette app in channels/server.py behind the emulator (which posts updates through
the harness proxy with the secret header, as Telegram does)."""
from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from channels.server import ConfigError, build_runtime, run_channels, serve
from handlers.assistant import Assistant
from settings import Settings
from telegram_emulator import (CLEAR_ANSWER, CLEAR_QUESTION, ChatUser, bot_api, emulator,  # noqa: F401
                               free_port, new_token, running_bot)

SECRET = "bi-mat_123-ABC"


@pytest.fixture
async def webhook_bot(bot_api, tmp_path):
    port = free_port()
    async with running_bot(bot_api, tmp_path, webhook_port=port, telegram_webhook_secret=SECRET,
                           telegram_webhook_url=f"http://127.0.0.1:{port}/telegram/webhook") as bot:
        bot.url = f"http://127.0.0.1:{port}"
        yield bot


async def test_webhook_mode_registers_the_url_with_its_secret_and_answers(webhook_bot, bot_api, emulator):
    [call] = bot_api.calls_of(webhook_bot.token, "setWebhook")
    assert call["url"] == f"{webhook_bot.url}/telegram/webhook" and call["secret_token"] == SECRET
    assert bot_api.calls_of(webhook_bot.token, "getUpdates") == []  # no polling
    user = ChatUser(emulator, webhook_bot.token, user_id=301)
    await user.send(CLEAR_QUESTION)
    [answer] = await user.wait_count(1)
    assert answer.text.startswith(CLEAR_ANSWER)
    assert bot_api.webhooks[webhook_bot.token]["statuses"] == [200]


@pytest.mark.parametrize("headers", [{}, {"X-Telegram-Bot-Api-Secret-Token": "sai"},
                                     {"X-Telegram-Bot-Api-Secret-Token": SECRET + "x"}])
async def test_webhook_refuses_a_missing_or_wrong_secret_with_403(webhook_bot, emulator, headers):
    user = ChatUser(emulator, webhook_bot.token, user_id=302)
    update = {"update_id": 1, "message": user.message(CLEAR_QUESTION)}
    async with httpx.AsyncClient() as client:
        resp = await client.post(f"{webhook_bot.url}/telegram/webhook", json=update, headers=headers)
    assert resp.status_code == 403
    [(count,)] = webhook_bot.db.execute("SELECT COUNT(*) FROM questions").fetchall()
    assert count == 0


async def test_webhook_answers_400_to_a_body_that_is_not_an_update(webhook_bot):
    async with httpx.AsyncClient() as client:
        resp = await client.post(f"{webhook_bot.url}/telegram/webhook", content=b"[1, 2",
                                 headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert resp.status_code == 400


async def test_healthz_reports_the_running_channels(webhook_bot):
    async with httpx.AsyncClient() as client:
        resp = await client.get(f"{webhook_bot.url}/healthz")
    assert resp.status_code == 200 and resp.json() == {"ok": True, "channels": {"telegram": True}}


# -- start-up problems ------------------------------------------------------------------------------------
def _settings(tmp_path, **overrides) -> Settings:
    overrides.setdefault("webhook_port", free_port())
    return Settings(db_path=tmp_path / "db.sqlite", telegram_token=new_token(), **overrides)


def test_webhook_secret_with_forbidden_characters_is_refused_before_starting(db, tmp_path):
    settings = _settings(tmp_path, telegram_webhook_url="https://vi-du.vn/telegram/webhook",
                         telegram_webhook_secret="có dấu và khoảng trắng")
    with pytest.raises(ConfigError, match="TELEGRAM_WEBHOOK_SECRET"):
        build_runtime(settings, Assistant(db))


async def test_busy_webhook_port_is_a_clear_error(db, tmp_path, bot_api):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = _settings(tmp_path, telegram_api_base_url=bot_api.base_url, webhook_port=port,
                             telegram_webhook_url=f"http://127.0.0.1:{port}")
        with pytest.raises(ConfigError, match=f"cổng 127.0.0.1:{port}"):
            await serve(build_runtime(settings, Assistant(db)), asyncio.Event())


def test_unreachable_bot_api_exits_1_with_a_vietnamese_message_and_no_token(db, tmp_path, capsys):
    settings = _settings(tmp_path, telegram_api_base_url=f"http://127.0.0.1:{free_port()}/bot")
    assert run_channels(settings, Assistant(db)) == 1
    err = capsys.readouterr().err
    assert err.startswith("LỖI: không khởi động được kênh Telegram")
    assert settings.telegram_token.split(":")[1] not in err
