"""`python bot.py run` as a separate process, polling the emulator through the harness proxy."""
from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from handlers import texts
from telegram_emulator import (CLEAR_ANSWER, CLEAR_QUESTION, ROOT, ChatUser, bot_api, emulator,  # noqa: F401
                               free_port, new_token, write_knowledge)
from tests.process_helpers import stop_process


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_bot_py_run_answers_on_telegram_keeps_the_token_out_of_logs_and_stops_on_sigterm(
        bot_api, emulator, tmp_path, mode):
    token = new_token()
    port = free_port()
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_BASE_URL": bot_api.base_url,
           "DB_PATH": str(tmp_path / "bot.db"), "KNOWLEDGE_DIR": str(write_knowledge(tmp_path / "knowledge")),
           "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}" if mode == "webhook" else "",
           "TELEGRAM_WEBHOOK_SECRET": "", "WEBHOOK_HOST": "127.0.0.1", "WEBHOOK_PORT": str(port),
           "ZALO_BOT_TOKEN": ""}
    log_path = tmp_path / "bot.log"
    with open(log_path, "w") as log_file:
        process = subprocess.Popen([sys.executable, "bot.py", "--verbose", "run"], cwd=ROOT, env=env,
                                   stdout=log_file, stderr=subprocess.STDOUT)
    try:
        user = ChatUser(emulator, token, user_id=401)
        await user.send("/start")
        await user.wait_count(1, timeout=30)
        await user.send(CLEAR_QUESTION)
        welcome, answer = await user.wait_count(2)
        async with httpx.AsyncClient(timeout=5) as client:
            health = (await client.get(f"http://127.0.0.1:{port}/healthz")).json()
    finally:
        code = await stop_process(process)
    log = log_path.read_text()
    assert welcome.text.startswith("Xin chào!") and "{" not in welcome.text and answer.text.startswith(CLEAR_ANSWER)
    assert code == 0, log[-2000:]
    said = "Telegram bằng polling" if mode == "polling" else "Telegram qua webhook POST /telegram/webhook"
    assert f"Trợ lý đang chạy: {said}." in log
    assert f"GET http://127.0.0.1:{port}/healthz" in log   # polling too
    assert health == {"ok": True, "channels": {"telegram": True}}
    assert ("getUpdates" if mode == "polling" else "setWebhook") in log  # the verbose log has Bot API calls…
    assert token.split(":")[1] not in log  # …with the token redacted
    if mode == "webhook":
        secret = bot_api.webhooks[token]["secret"]
        assert len(secret) >= 32 and secret not in log  # generated at start, redacted too
