"""A broadcast process killed with SIGKILL mid-way and started again: every recipient gets the notice
exactly once (`bot.py broadcast … --yes`, then `bot.py broadcast --resume`), against the fake Bot API."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from storage import open_db
from tests.admin_fixtures import bulk_recipients
from tests.fake_bot_api import FakeBotApi, chat_ids

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_KNOWLEDGE = Path(__file__).parent / "fixtures" / "knowledge"
TEXT = "Thông báo: nộp danh sách đại biểu trước ngày 20/03/2023."
RECIPIENTS = 300


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def cli_env(api: FakeBotApi, tmp_path: Path) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
            "KNOWLEDGE_DIR": str(FIXTURE_KNOWLEDGE), "TELEGRAM_BOT_TOKEN": "7300001:TEST-kill-0123456789abcdef",
            "TELEGRAM_API_BASE_URL": api.base_url, "TELEGRAM_OUTBOX_RATE": "100", "ZALO_BOT_TOKEN": "",
            "ADMIN_TELEGRAM_IDS": "", "PYTHONUNBUFFERED": "1"}


def start_broadcast(db_path: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "bot.py"), "--db", str(db_path), "broadcast", "--to", "all",
                             "--text", TEXT, "--yes"], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def resume(db_path: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "bot.py"), "--db", str(db_path), "broadcast", "--resume"],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=90)


def count(db, where: str) -> int:
    return db.execute(f"SELECT COUNT(*) FROM outbox WHERE kind = 'broadcast' AND {where}").fetchone()[0]


def open_attempt_chats(db) -> set[str]:
    return {r[0] for r in db.execute("SELECT chat_id FROM outbox_attempts WHERE outcome IS NULL")}


def prepare(tmp_path: Path) -> tuple[Path, list[str]]:
    path = tmp_path / "kill.db"
    chats = chat_ids(RECIPIENTS)
    db = open_db(path)
    bulk_recipients(db, chats)
    db.conn.close()
    return path, chats


def test_killed_with_requests_in_flight_and_resumed_every_recipient_gets_it_exactly_once(tmp_path):
    path, chats = prepare(tmp_path)
    with FakeBotApi(global_per_second=120, chat_interval=1.0) as api:
        env = cli_env(api, tmp_path)
        proc = start_broadcast(path, env)
        try:
            wait_for(lambda: len(api.deliveries) >= RECIPIENTS // 3, 60, "the first third to be delivered")
            api.hold()                                   # requests from now on stay in flight
            wait_for(lambda: api.held >= 1, 10, "a request in flight")
            db = open_db(path)
            wait_for(lambda: count(db, "status = 'sent'") == len(api.deliveries), 10, "answers to be recorded")
        finally:
            proc.kill()                                  # SIGKILL: no clean-up runs
            proc.wait(timeout=10)
        api.drop_held()                                  # the held requests never reached Telegram
        in_flight = open_attempt_chats(db)
        assert len(in_flight) >= 1 and count(db, "status = 'sending'") == len(in_flight)
        delivered_before = len(api.deliveries)
        assert delivered_before < RECIPIENTS

        done = resume(path, env)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Báo cáo thông báo" in done.stdout and f"Đã gửi: {RECIPIENTS}/{RECIPIENTS}" in done.stdout
    received = Counter(chat for chat, text, _ in api.deliveries if text.endswith(TEXT))
    assert set(received) == set(chats) and set(received.values()) == {1}
    assert count(db, "status = 'sent'") == RECIPIENTS
    interrupted = {r[0] for r in db.execute("SELECT chat_id FROM outbox_attempts WHERE outcome = 'interrupted'")}
    assert interrupted == in_flight
    assert db.execute("SELECT status FROM broadcasts").fetchone()[0] == "done"


def test_killed_at_an_arbitrary_moment_nothing_is_lost_and_only_in_flight_requests_can_repeat(tmp_path):
    path, chats = prepare(tmp_path)
    with FakeBotApi(global_per_second=120, chat_interval=1.0) as api:
        env = cli_env(api, tmp_path)
        proc = start_broadcast(path, env)
        try:
            wait_for(lambda: len(api.deliveries) >= RECIPIENTS // 2, 60, "half to be delivered")
        finally:
            proc.kill()
            proc.wait(timeout=10)
        db = open_db(path)
        in_flight = open_attempt_chats(db)
        done = resume(path, env)
        assert done.returncode == 0, done.stdout + done.stderr
    received = Counter(chat for chat, text, _ in api.deliveries if text.endswith(TEXT))
    assert set(received) == set(chats)                       # no one lost
    twice = {chat for chat, n in received.items() if n > 1}
    assert max(received.values()) <= 2 and twice <= in_flight  # a repeat only inside the window
