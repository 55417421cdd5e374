"""Zalo in the one-process runner (channels/server.py) and the `python bot.py zalo …` setup commands:
webhook mode behind the shared ASGI app with /healthz, polling mode, clear errors for bad settings."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from channels.server import ConfigError, build_runtime
from channels.zalo import WEBHOOK_PATH, webhook_url
from handlers.assistant import Assistant
from settings import Settings
from storage import open_db
from tests.zalo_fake import SECRET, TOKEN, finish, free_port, running_fake, start, text_update, zalo_settings
from tests.process_helpers import stop_process

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_KNOWLEDGE = Path(__file__).parent / "fixtures" / "knowledge"


@pytest.fixture
async def fake():
    async with running_fake() as server:
        yield server


async def test_webhook_mode_serves_zalo_and_healthz_in_one_app(tmp_path, fake):
    running = await start(zalo_settings(tmp_path, fake))
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            health = await client.get(running.base + "/healthz")
        assert health.status_code == 200 and health.json() == {"ok": True, "channels": {"zalo": True}}
        response = await fake.push(text_update("đại hội hợp lệ khi nào", chat_id="z-run"),
                                   url=running.base + WEBHOOK_PATH)
        assert response.status_code == 200
        await fake.wait_sent(1)
        assert "2/3" in fake.texts_to("z-run")[0]
        refused = await fake.push(text_update("x"), url=running.base + WEBHOOK_PATH, secret="not-the-secret")
        assert refused.status_code == 403
        assert running.runtime.senders["zalo"] == running.runtime.extras["zalo_channel"].send
    finally:
        await finish(running)
    assert fake.count("getMe") == 1


async def test_polling_mode_answers_without_a_web_server(tmp_path, fake):
    running = await start(zalo_settings(tmp_path, fake, zalo_webhook_secret=""))
    try:
        assert running.runtime.routes == []
        fake.queue_update(text_update("bch cdcs bao nhieu uy vien", chat_id="z-poll"))
        await fake.wait_sent(1)
        assert "từ 03 đến 15" in fake.texts_to("z-poll")[0]
        assert running.runtime.health["zalo"]()
    finally:
        await finish(running)


async def test_polling_while_a_webhook_is_set_stops_with_a_clear_message(tmp_path, fake):
    fake.webhook["url"] = "https://example.vn/zalo/webhook"
    with pytest.raises(ConfigError, match="delete-webhook"):
        await start(zalo_settings(tmp_path, fake, zalo_webhook_secret=""))


async def test_refused_token_stops_with_a_clear_message_without_the_token(tmp_path):
    async with running_fake(token="111111111:the-real-token-is-another") as fake:
        with pytest.raises(ConfigError) as caught:
            await start(zalo_settings(tmp_path, fake))
    assert "ZALO_BOT_TOKEN" in str(caught.value) and "401" in str(caught.value)
    assert TOKEN not in str(caught.value)


@pytest.mark.parametrize("overrides, fragment", [
    ({"zalo_webhook_secret": "short"}, "ZALO_WEBHOOK_SECRET"),
    ({"zalo_outbox_rate": -1.0}, "ZALO_OUTBOX_RATE"),
    ({"zalo_token": "bad token"}, "ZALO_BOT_TOKEN"),
])
def test_bad_zalo_settings_are_reported_before_starting(tmp_path, overrides, fragment):
    values = dict(db_path=tmp_path / "bot.db", knowledge_dir=FIXTURE_KNOWLEDGE, zalo_token=TOKEN,
                  zalo_webhook_secret=SECRET)
    settings = Settings(**{**values, **overrides})
    db = open_db(settings.db_path)
    with pytest.raises(ConfigError, match=fragment):
        build_runtime(settings, Assistant(db))
    db.conn.close()


def test_webhook_url_gets_the_path_and_must_be_https():
    assert webhook_url("https://bot.congdoan.vn") == "https://bot.congdoan.vn/zalo/webhook"
    assert webhook_url("https://bot.congdoan.vn/hook") == "https://bot.congdoan.vn/hook"
    assert webhook_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080/zalo/webhook"
    for bad in ("http://bot.congdoan.vn/zalo/webhook", "bot.congdoan.vn", "ftp://x"):
        with pytest.raises(ValueError):
            webhook_url(bad)


# -- the real command line ------------------------------------------------------------------------------
def cli_env(tmp_path, fake, **extra) -> dict:
    env = {**os.environ, "ZALO_BOT_TOKEN": TOKEN, "ZALO_API_BASE_URL": fake.base_url,
           "ZALO_WEBHOOK_SECRET": SECRET, "DB_PATH": str(tmp_path / "bot.db"),
           "KNOWLEDGE_DIR": str(FIXTURE_KNOWLEDGE), "TELEGRAM_BOT_TOKEN": ""}
    env.update(extra)
    return env


async def bot_py(env, *args) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "bot.py", *args, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 30)
    return process.returncode, out.decode(), err.decode()


async def test_cli_sets_shows_and_deletes_the_webhook(tmp_path, fake):
    env = cli_env(tmp_path, fake)
    code, out, _ = await bot_py(env, "zalo", "set-webhook", "http://127.0.0.1:8443")
    assert code == 0 and "http://127.0.0.1:8443/zalo/webhook" in out
    assert fake.webhook["url"] == "http://127.0.0.1:8443/zalo/webhook" and fake.webhook["secret_token"] == SECRET
    code, out, _ = await bot_py(env, "zalo", "webhook-info")
    assert code == 0 and "http://127.0.0.1:8443/zalo/webhook" in out
    code, out, _ = await bot_py(env, "zalo", "delete-webhook")
    assert code == 0 and fake.webhook["url"] == ""
    code, out, _ = await bot_py(env, "zalo", "me")
    assert code == 0 and "bot.TroLyDaiHoi" in out


async def test_cli_set_webhook_needs_the_secret_and_never_prints_the_token(tmp_path, fake):
    code, out, err = await bot_py(cli_env(tmp_path, fake, ZALO_WEBHOOK_SECRET=""), "zalo", "set-webhook",
                                  "https://bot.congdoan.vn")
    assert code == 2 and "ZALO_WEBHOOK_SECRET" in err and fake.count("setWebhook") == 0
    code, out, err = await bot_py(cli_env(tmp_path, fake, ZALO_BOT_TOKEN="222222222:a-refused-token-value"),
                                  "zalo", "webhook-info")
    assert code == 1 and "401" in err and "a-refused-token-value" not in out + err


async def test_bot_py_run_serves_zalo_webhook_and_stops_on_sigterm(tmp_path, fake):
    port = free_port()
    env = cli_env(tmp_path, fake, WEBHOOK_HOST="127.0.0.1", WEBHOOK_PORT=str(port))
    log_path = tmp_path / "bot.log"
    with open(log_path, "w") as log_file:
        process = subprocess.Popen([sys.executable, "bot.py", "--verbose", "run"], cwd=ROOT, env=env,
                                   stdout=log_file, stderr=subprocess.STDOUT)
    try:
        await fake.wait_for(lambda: "Trợ lý đang chạy" in log_path.read_text(), timeout=30)
        response = await fake.push(text_update("đại hội hợp lệ khi nào", chat_id="z-proc"),
                                   url=f"http://127.0.0.1:{port}{WEBHOOK_PATH}")
        assert response.status_code == 200
        await fake.wait_sent(1, timeout=10)
    finally:
        code = await stop_process(process)
    log = log_path.read_text()
    assert code == 0, log[-2000:]
    assert "2/3" in fake.texts_to("z-proc")[0]
    assert "Trợ lý đang chạy: Zalo qua webhook POST /zalo/webhook." in log and f":{port}/healthz" in log
    assert "Zalo bot bot.TroLyDaiHoi ready (webhook)" in log
    assert TOKEN.split(":")[1] not in log and SECRET not in log
