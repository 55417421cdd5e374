"""One dispatcher per database: a lease (owner, heartbeat, expiry) decides who sends. Recovery beside a
live dispatcher touches none of its rows; a dead holder's rows are recovered by the next one; a second
`bot.py run` and `bot.py broadcast --resume` beside a live bot send nothing and say so."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections import Counter

import clock
from scheduler.lease import HOST, Lease
from scheduler.outbox import Dispatcher
from scheduler.ratelimit import ChannelLimits
from storage import broadcasts as bstore
from storage import lease as lease_store
from storage import open_db, outbox
from storage.lease import LeaseRow
from storage.outbox import NewMessage
from tests.admin_fixtures import bulk_recipients
from tests.fake_bot_api import FakeBotApi, chat_ids, free_port
from tests.process_helpers import stop_process

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEXT = "Thông báo: gửi danh sách đại biểu trước 17:00 thứ Sáu."


def queue(db, chats, key="b"):
    now = clock.now()
    outbox.enqueue(db, [NewMessage(key=f"{key}:{c}", kind="broadcast", channel="telegram", chat_id=c, text=TEXT,
                                   due_at=now, quiet_hours=False) for c in chats], now)


def other_process(db, **kwargs) -> Dispatcher:
    """A dispatcher standing for a second process (its own owner token)."""
    return Dispatcher(db, lease=Lease(db, owner=f"{HOST}:second:{id(kwargs)}", **kwargs))


async def test_recovery_and_sweeps_beside_a_live_dispatcher_touch_none_of_its_rows(tmp_path):
    path = tmp_path / "lease.db"
    db_live, db_second = open_db(path), open_db(path)
    queue(db_live, ["1", "2", "3"])
    release = asyncio.Event()
    delivered: list[str] = []

    async def slow_send(chat_id, text):
        await release.wait()             # requests in flight at the live dispatcher
        delivered.append(chat_id)

    live = Dispatcher(db_live)
    live.register_sender("telegram", slow_send)
    live.set_limits("telegram", ChannelLimits(max_in_flight=3))
    sweep = asyncio.create_task(live.sweep())
    while outbox.counts(db_live)["sending"] < 3:
        await asyncio.sleep(0.01)

    second = other_process(db_second)
    second.register_sender("telegram", slow_send)
    assert second.recover_interrupted() == 0
    assert outbox.counts(db_second)["sending"] == 3          # untouched: the live one owns them
    result = await second.sweep()
    assert result.handled == 0 and not second.lease.held
    assert "tiến trình" in second.lease.holder_text()

    release.set()
    await sweep
    assert sorted(delivered) == ["1", "2", "3"]
    sent_per_row = Counter(r[0] for r in db_live.execute(
        "SELECT outbox_id FROM outbox_attempts WHERE outcome = 'sent'"))
    assert set(sent_per_row.values()) == {1}
    assert db_live.execute("SELECT COUNT(*) FROM outbox_attempts WHERE outcome = 'interrupted'").fetchone()[0] == 0


def _lease_row(owner: str, pid: int, host: str, expires_in: float) -> LeaseRow:
    now = time.time()
    return LeaseRow(owner, pid, host, "", "run", now, now + expires_in)


def _claimed_by(db, key: str, owner: str) -> None:
    row = outbox.get(db, key)
    lease_store.take(db, _lease_row(owner, 0, "elsewhere", 60), time.time(), lambda r: True)
    assert outbox.claim_row(db, row.id, clock.now(), owner, time.time()) is not None


async def test_rows_of_an_expired_lease_are_recovered_by_the_next_holder_and_sent_once(db):
    queue(db, ["7", "8"])
    _claimed_by(db, "b:7", "elsewhere:1:gone")           # claimed, then that process vanished
    db.execute("UPDATE dispatcher_lease SET expires_at = ?", (time.time() - 1,))
    sent: list[str] = []

    async def send(chat_id, text):
        sent.append(chat_id)

    nxt = other_process(db)
    nxt.register_sender("telegram", send)
    await nxt.sweep()
    assert sorted(sent) == ["7", "8"]
    assert [r[0] for r in db.execute("SELECT outcome FROM outbox_attempts WHERE outbox_id = ? ORDER BY id",
                                     (outbox.get(db, "b:7").id,))] == ["interrupted", "sent"]


async def test_a_live_lease_of_another_machine_is_respected_until_it_expires(db):
    queue(db, ["9"])
    _claimed_by(db, "b:9", "far-away:42:live")
    sent: list[str] = []

    async def send(chat_id, text):
        sent.append(chat_id)

    nxt = other_process(db)
    nxt.register_sender("telegram", send)
    assert nxt.recover_interrupted() == 0 and (await nxt.sweep()).handled == 0
    assert outbox.get(db, "b:9").status == "sending" and sent == []
    db.execute("UPDATE dispatcher_lease SET expires_at = ?", (time.time() - 1,))
    await nxt.sweep()
    assert sent == ["9"]


def _env(api: FakeBotApi, tmp_path) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
            "KNOWLEDGE_DIR": os.path.join(ROOT, "tests", "fixtures", "knowledge"),
            "TELEGRAM_BOT_TOKEN": "7300002:TEST-lease-0123456789abcdef", "TELEGRAM_API_BASE_URL": api.base_url,
            "TELEGRAM_READ_TIMEOUT": "120", "ZALO_BOT_TOKEN": "", "ADMIN_TELEGRAM_IDS": "",
            "TELEGRAM_WEBHOOK_URL": "", "PYTHONUNBUFFERED": "1"}


async def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def test_a_second_run_and_broadcast_resume_beside_a_live_bot_send_nothing_and_say_why(tmp_path):
    path = tmp_path / "bot.db"
    chats = chat_ids(30)
    db = open_db(path)
    bulk_recipients(db, chats)
    now = clock.now()
    draft = bstore.create_draft(db, TEXT, channel="cli", chat_id="cli", user_id="cli", scope=None, now=now)
    bstore.set_target(db, draft.id, "all", len(chats), now)
    bstore.queue(db, draft.id, [("telegram", c) for c in chats], now)
    with FakeBotApi(global_per_second=100, chat_interval=1.0) as api:
        env = _env(api, tmp_path)
        api.hold()                                         # the live bot's requests stay in flight
        first = subprocess.Popen([sys.executable, "bot.py", "--db", str(path), "run"], cwd=ROOT,
                                 env={**env, "WEBHOOK_PORT": str(free_port())},
                                 stdout=subprocess.DEVNULL, stderr=open(tmp_path / "first.log", "w"))
        second = None
        try:
            await _wait(lambda: api.held >= 1 and outbox.counts(db)["sending"] >= 1, 60, "requests in flight")
            held = -1
            while held != api.held:   # until the live bot has filled its slots in flight
                held = api.held
                await asyncio.sleep(1.0)
            assert held == outbox.counts(db)["sending"]
            resumed = subprocess.run([sys.executable, "bot.py", "--db", str(path), "broadcast", "--resume"],
                                     cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
            assert resumed.returncode == 0, resumed.stdout + resumed.stderr
            assert "đang giữ quyền gửi" in resumed.stdout and "Không gửi gì từ đây" in resumed.stdout
            second_log = tmp_path / "second.log"
            second = subprocess.Popen([sys.executable, "bot.py", "--db", str(path), "run"], cwd=ROOT,
                                      env={**env, "WEBHOOK_PORT": str(free_port())},
                                      stdout=subprocess.DEVNULL, stderr=open(second_log, "w"))
            await _wait(lambda: "CẢNH BÁO" in second_log.read_text(), 60, "the second run's warning")
            assert "không gửi gì từ hàng đợi" in second_log.read_text()
            await asyncio.sleep(1.0)
            assert api.held == held and len(api.deliveries) == 0   # neither sent anything
            assert await stop_process(second) == 0
            second = None
            api.release_held()
            await _wait(lambda: len(api.deliveries) >= len(chats), 90, "every notice delivered")
        finally:
            for process in (second, first):
                if process is not None:
                    await stop_process(process)
    received = Counter(chat for chat, text, _ in api.deliveries if text == TEXT)
    assert set(received) == set(chats) and set(received.values()) == {1}
    sent_per_row = Counter(r[0] for r in db.execute("SELECT outbox_id FROM outbox_attempts WHERE outcome = 'sent'"))
    assert len(sent_per_row) == len(chats) and set(sent_per_row.values()) == {1}
