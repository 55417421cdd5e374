"""A broadcast whose recipients are on channels the dispatcher does not send to (Zalo not configured, the
console's demo users) still ends: the rest is delivered, the admin gets the live final state and the
report naming what waits on which channel, and the report's "xong" is when the last row settled.
Real SQLite, the real Telegram and Zalo channels against tests/fake_bot_api.py and tests/zalo_fake.py."""
from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest

import clock
from channels.zalo import ZaloChannel
from channels.zalo_client import ZaloClient
from datefmt import moment
from handlers import admin_texts as T
from handlers import broadcast as bc
from handlers.assistant import Assistant
from handlers.messages import Incoming
from scheduler.jobs import create_dispatcher
from storage import broadcasts as bstore
from storage import outbox
from storage.admins import add_admin
from telegram_emulator import ChatUser, bot_api, emulator, running_bot  # noqa: F401
from tests.fake_bot_api import FakeBotApi, chat_ids, telegram_channel
from tests.unit_fixtures import make_officer, make_unit
from tests.zalo_fake import TOKEN as ZALO_TOKEN, running_fake

TOKEN = "7100002:TEST-broadcast-channels-0123456789"
ADMIN = "900"
TELEGRAM_OFFICERS = chat_ids(2)
ZALO_OFFICERS = ["z-1", "z-2", "z-3"]
DEMO = "demo"                                   # the console's demo officer
START = clock.parse_local("2023-03-10 09:00")   # a Friday morning in Việt Nam


@pytest.fixture
def frozen():
    clock.set_now(START)
    try:
        yield
    finally:
        clock.set_now(None)


def officers(db):
    make_unit(db, "CS-KENH", "2023-05-20")
    for chat in TELEGRAM_OFFICERS:
        make_officer(db, chat, "CS-KENH", now=START - timedelta(days=1))
    for chat in ZALO_OFFICERS:
        make_officer(db, chat, "CS-KENH", channel="zalo", now=START - timedelta(days=1))
    make_officer(db, DEMO, "CS-KENH", channel="console", now=START - timedelta(days=1))
    add_admin(db, "telegram", ADMIN, START, name="Quản trị")


def confirm_to_all(assistant, recipients=6):
    """/thongbao → all → ✅ from the Telegram admin; the live progress reply."""
    admin = Incoming("telegram", ADMIN, ADMIN, "")
    [menu] = assistant.handle(Incoming("telegram", ADMIN, ADMIN, "/thongbao Họp giao ban lúc 14:00 hôm nay."))
    [preview] = assistant.pick(admin, next(c.key for c in menu.choices if c.label == T.TARGET_ALL))
    assert f"{recipients} người nhận" in preview.text
    [progress] = assistant.pick(admin, next(c.key for c in preview.choices if c.label == T.CONFIRM))
    return progress


async def until_reported(dispatcher, db, channel, timeout=10.0):
    """Sweep (live clock) until the broadcast's report left and the live message stopped following."""
    deadline = time.monotonic() + timeout
    while (db.execute("SELECT COUNT(*) FROM outbox WHERE kind = 'broadcast_report' AND status = 'sent'").fetchone()[0]
           == 0 or channel._live_tasks):
        assert time.monotonic() < deadline, f"no report: {[(r.channel, r.status) for r in outbox.rows(db)]}"
        await dispatcher.sweep()
        await asyncio.sleep(0.05)


async def test_a_broadcast_to_all_ends_with_the_rows_of_channels_not_running_named_as_waiting(db, frozen):
    officers(db)
    assistant = Assistant(db)
    progress = confirm_to_all(assistant)
    with FakeBotApi(global_per_second=30, chat_interval=0.0) as api:
        async with telegram_channel(db, api.base_url) as channel:
            dispatcher = create_dispatcher(db)
            dispatcher.register_sender("telegram", channel.send)   # Zalo not configured, no console
            await channel.answer(ADMIN, [progress])
            await until_reported(dispatcher, db, channel)
    for chat in TELEGRAM_OFFICERS:
        [notice] = api.texts_to(chat)
        assert notice.endswith("Họp giao ban lúc 14:00 hôm nay.")
    [b] = [bstore.get(db, r[0]) for r in db.execute("SELECT id FROM broadcasts")]
    assert b.status == "done"
    report = api.texts_to(ADMIN)[-1]
    assert report.startswith("📊 Báo cáo thông báo") and "Đã gửi: 2/6" in report
    assert "• Chờ kênh Zalo: 3 (kênh này chưa chạy" in report and "• Chờ kênh chạy thử trên máy: 1" in report
    final = [text for chat, _, text, _ in api.edits if chat == ADMIN][-1]
    assert final.startswith("✅") and "2/6" in final
    assert "; chờ kênh chạy thử trên máy: 1, chờ kênh Zalo: 3 (kênh chưa chạy" in final
    # The waiting rows are kept: a process where Zalo runs sends them.
    assert sorted(r.chat_id for r in outbox.rows(db, "status = 'pending'")) == sorted([*ZALO_OFFICERS, DEMO])


async def test_with_zalo_running_too_only_the_console_row_waits(db, frozen):
    officers(db)
    assistant = Assistant(db)
    progress = confirm_to_all(assistant)
    async with running_fake() as zalo_api:
        client = ZaloClient(ZALO_TOKEN, zalo_api.base_url)
        zalo = ZaloChannel(Assistant(db), client, outbox_rate=0)
        try:
            with FakeBotApi(global_per_second=30, chat_interval=0.0) as api:
                async with telegram_channel(db, api.base_url) as channel:
                    dispatcher = create_dispatcher(db)
                    dispatcher.register_sender("telegram", channel.send)
                    dispatcher.register_sender("zalo", zalo.send)
                    await channel.answer(ADMIN, [progress])
                    await until_reported(dispatcher, db, channel)
        finally:
            await client.close()
    assert sorted(m["chat_id"] for m in zalo_api.sent) == ZALO_OFFICERS
    report = api.texts_to(ADMIN)[-1]
    assert "Đã gửi: 5/6" in report and "• Chờ kênh chạy thử trên máy: 1" in report and "Zalo" not in report


async def test_the_reports_xong_is_when_the_last_row_settled_not_when_the_sweep_began(db, frozen):
    """A slow messenger: each send takes four minutes of the (injected) clock. The sweep that notices the
    end began at 09:00; the last notice left at 09:08."""
    officers(db)
    db.execute("DELETE FROM memberships WHERE officer_id IN (SELECT id FROM officers WHERE channel != 'telegram')")
    assistant = Assistant(db)
    confirm_to_all(assistant, recipients=2)
    with FakeBotApi(global_per_second=30, chat_interval=0.0) as api:
        async with telegram_channel(db, api.base_url) as channel:
            async def slow(chat_id, text, **extra):
                await channel.send(chat_id, text, **extra)
                if chat_id != ADMIN:
                    clock.set_now(clock.now() + timedelta(minutes=4))

            dispatcher = create_dispatcher(db)
            dispatcher.register_sender("telegram", slow)
            await dispatcher.sweep()   # one live sweep: both notices, then the report
    last = START + timedelta(minutes=8)
    report = api.texts_to(ADMIN)[-1]
    assert "Đã gửi: 2/2" in report and f"Bắt đầu: {moment(START)}; xong: {moment(last)}" in report
    [b] = [bstore.get(db, r[0]) for r in db.execute("SELECT id FROM broadcasts")]
    assert b.finished_at == clock.iso(last)
    final = bc.progress_text(b, bstore.progress(db, b.id), clock.now() + timedelta(hours=1))
    assert f"({moment(last)})" in final


async def test_on_the_running_bot_the_admin_gets_the_report_with_a_console_demo_officer(bot_api, emulator, tmp_path):
    """The whole runtime (channels.server) with Telegram only: a demo officer on the console and one on
    Zalo (not configured) no longer keep the admin waiting for the report."""
    def customise(assistant):
        db = assistant.db
        make_unit(db, "CS-E2E", (clock.local_today() + timedelta(days=60)).isoformat())
        make_officer(db, "911", "CS-E2E")
        make_officer(db, DEMO, "CS-E2E", channel="console")
        make_officer(db, "z-9", "CS-E2E", channel="zalo")
        add_admin(db, "telegram", "910", clock.now(), name="Quản trị")

    async with running_bot(bot_api, tmp_path, customise=customise) as bot:
        admin = ChatUser(emulator, bot.token, user_id=910)
        await admin.send("/thongbao Họp giao ban lúc 14:00 hôm nay.")
        [menu] = await admin.wait_count(1)
        await admin.press(menu, T.TARGET_ALL)
        [preview] = await admin.wait_for(lambda ms: "người nhận" in ms[0].text, "the preview")
        assert "3 người nhận" in preview.text
        await admin.press(preview, T.CONFIRM)
        messages = await admin.wait_for(lambda ms: any(m.text.startswith("📊") for m in ms), "the report")
        report = next(m.text for m in messages if m.text.startswith("📊"))
        assert "Đã gửi: 1/3" in report and "Chờ kênh Zalo: 1" in report and "Chờ kênh chạy thử trên máy: 1" in report
        [notice] = await ChatUser(emulator, bot.token, user_id=911).wait_count(1)
        assert notice.text.endswith("Họp giao ban lúc 14:00 hôm nay.")
