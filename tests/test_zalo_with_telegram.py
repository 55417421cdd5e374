"""`python bot.py run` with both messengers configured: one process, one event loop, one web server for the
Telegram and Zalo webhooks and /healthz (Telegram through the telegram-test-api emulator, Zalo through the
fake Zalo server)."""
from __future__ import annotations

import os
import subprocess
import sys

import httpx

from channels.zalo import WEBHOOK_PATH
from telegram_emulator import (CLEAR_ANSWER, CLEAR_QUESTION, LONG_ANSWER, LONG_QUESTION, ROOT,  # noqa: F401
                               ChatUser, bot_api, emulator, free_port, new_token, write_knowledge)
from tests.zalo_fake import SECRET, TOKEN, running_fake, text_update
from tests.process_helpers import stop_process


async def test_bot_py_run_serves_telegram_and_zalo_in_one_process(bot_api, emulator, tmp_path):
    telegram_token = new_token()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with running_fake() as zalo:
        env = {**os.environ, "DB_PATH": str(tmp_path / "bot.db"),
               "KNOWLEDGE_DIR": str(write_knowledge(tmp_path / "knowledge")),
               "TELEGRAM_BOT_TOKEN": telegram_token, "TELEGRAM_API_BASE_URL": bot_api.base_url,
               "TELEGRAM_WEBHOOK_URL": base, "TELEGRAM_WEBHOOK_SECRET": "",
               "ZALO_BOT_TOKEN": TOKEN, "ZALO_API_BASE_URL": zalo.base_url, "ZALO_WEBHOOK_SECRET": SECRET,
               "WEBHOOK_HOST": "127.0.0.1", "WEBHOOK_PORT": str(port)}
        log_path = tmp_path / "bot.log"
        with open(log_path, "w") as log_file:
            process = subprocess.Popen([sys.executable, "bot.py", "--verbose", "run"], cwd=ROOT, env=env,
                                       stdout=log_file, stderr=subprocess.STDOUT)
        try:
            await zalo.wait_for(lambda: "Trợ lý đang chạy" in log_path.read_text(), timeout=30)
            async with httpx.AsyncClient(timeout=5) as client:
                health = (await client.get(base + "/healthz")).json()
            user = ChatUser(emulator, telegram_token, user_id=4242)
            await user.send(CLEAR_QUESTION)
            await zalo.push(text_update(CLEAR_QUESTION, chat_id="z-both"), url=base + WEBHOOK_PATH)
            await zalo.push(text_update(LONG_QUESTION, chat_id="z-long"), url=base + WEBHOOK_PATH)
            [telegram_answer] = await user.wait_count(1)
            await zalo.wait_for(lambda: zalo.texts_to("z-both") and len(zalo.texts_to("z-long")) >= 5,
                                timeout=15)
        finally:
            code = await stop_process(process)
    log = log_path.read_text()
    assert code == 0, log[-2000:]
    assert health == {"ok": True, "channels": {"telegram": True, "zalo": True}}
    assert ("Trợ lý đang chạy: Telegram qua webhook POST /telegram/webhook; Zalo qua webhook POST /zalo/webhook."
            in log) and f"GET http://127.0.0.1:{port}/healthz" in log
    assert telegram_answer.text.startswith(CLEAR_ANSWER)
    assert zalo.texts_to("z-both")[0].startswith(CLEAR_ANSWER)
    parts = zalo.texts_to("z-long")
    assert all(len(p) <= 2000 for p in parts)
    assert " ".join(" ".join(parts).split()).startswith(" ".join(LONG_ANSWER.split()))
    assert TOKEN.split(":")[1] not in log and telegram_token.split(":")[1] not in log and SECRET not in log
