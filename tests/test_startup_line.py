"""The line `bot.py run` prints once everything runs: each channel with how it really takes updates in,
and where GET /healthz answers, polling or not (nothing is started here: the runtime is only built)."""
from __future__ import annotations

from channels.server import build_runtime, startup_line
from handlers.assistant import Assistant
from settings import Settings

TELEGRAM = "7000001:TEST-startup-line-token"
ZALO = "123456789:zalo-startup-line-token"


def line(db, **settings) -> str:
    return startup_line(build_runtime(Settings(**settings), Assistant(db)))


def test_telegram_polling_beside_a_zalo_webhook_is_said_per_channel_with_the_health_address(db):
    text = line(db, telegram_token=TELEGRAM, zalo_token=ZALO, zalo_webhook_secret="s" * 16,
                webhook_host="127.0.0.1", webhook_port=8099)
    assert "Telegram bằng polling" in text
    assert "Zalo qua webhook POST /zalo/webhook" in text
    assert "GET http://127.0.0.1:8099/healthz" in text
    assert "Telegram qua webhook" not in text


def test_telegram_webhook_names_its_path(db):
    text = line(db, telegram_token=TELEGRAM, telegram_webhook_url="https://bot.vi-du.vn", webhook_port=8443,
                webhook_host="::1")
    assert "Telegram qua webhook POST /telegram/webhook" in text
    assert "GET http://[::1]:8443/healthz" in text


def test_polling_only_still_names_the_health_address(db):
    text = line(db, telegram_token=TELEGRAM, zalo_token=ZALO)
    assert "Telegram bằng polling" in text and "Zalo bằng polling" in text
    assert "GET http://127.0.0.1:8080/healthz" in text
