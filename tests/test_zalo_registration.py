"""A Zalo officer registers by typing "dangky CODE" (or "/start CODE") and then receives the unit's
reminders through the outbox, over real HTTP to the fake Zalo server."""
from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette

import clock
from channels.zalo import WEBHOOK_PATH, ZaloChannel, webhook_route
from channels.zalo_client import ZaloClient
from handlers.assistant import Assistant
from storage.knowledge import reload_from_files
from scheduler import reminders
from scheduler.jobs import create_dispatcher
from storage import outbox
from storage import units as store
from tests.zalo_fake import SECRET, TOKEN, running_fake, serve, text_update
from unit_fixtures import fixture_plans, local, make_unit, real_clock  # noqa: F401

pytestmark = pytest.mark.usefixtures("fixture_plans", "real_clock")

FIXTURE_KNOWLEDGE = Path(__file__).parent / "fixtures" / "knowledge"
OFFICER = "6ede9afa66b88fe6d6a9"   # Zalo ids are opaque hex strings


@pytest.fixture
async def zalo(db):
    reload_from_files(db, FIXTURE_KNOWLEDGE)
    async with running_fake() as fake:
        async with ZaloClient(TOKEN, fake.base_url) as client:
            channel = ZaloChannel(Assistant(db), client, outbox_rate=0)
            async with serve(Starlette(routes=[webhook_route(channel, SECRET)])) as base:
                yield fake, channel, base + WEBHOOK_PATH


async def say(zalo, text, chat_id=OFFICER):
    fake, channel, url = zalo
    before = len(fake.sent)
    response = await fake.push(text_update(text, chat_id=chat_id), url=url)
    assert response.status_code == 200
    assert await channel.wait_idle(timeout=5)
    return [m["text"] for m in fake.sent[before:]]


@pytest.mark.parametrize("typed", ["dangky ZL7K3M9Q", "/dangky ZL7K3M9Q", "đăng ký ZL7K3M9Q", "/start ZL7K3M9Q"])
async def test_zalo_officer_registers_with_the_invite_code_typed_as_text(db, zalo, typed):
    clock.set_now(local("2023-03-07 09:00"))
    make_unit(db, "CS-ZALO", "2023-03-15", invite="ZL7K3M9Q", now=local("2023-03-01 09:00"))
    replies = await say(zalo, typed)
    assert any("Công đoàn CS-ZALO" in r for r in replies)
    officer = store.find_officer(db, "zalo", OFFICER)
    assert officer is not None and officer.name == "Cán bộ A"
    assert [u.code for u in store.units_of(db, officer.id)] == ["CS-ZALO"]


async def test_wrong_code_typed_in_zalo_registers_nothing(db, zalo):
    clock.set_now(local("2023-03-07 09:00"))
    make_unit(db, "CS-ZALO", "2023-03-15", invite="ZL7K3M9Q", now=local("2023-03-01 09:00"))
    [reply] = await say(zalo, "dangky ZZZZ9999")
    assert "ZZZZ9999" in reply
    assert store.find_officer(db, "zalo", OFFICER) is None or not store.units_of(
        db, store.find_officer(db, "zalo", OFFICER).id)


async def test_registered_zalo_officer_receives_the_reminder_through_the_outbox_once(db, zalo):
    fake, channel, _ = zalo
    clock.set_now(local("2023-03-07 09:00"))
    make_unit(db, "CS-ZALO", "2023-03-15", invite="ZL7K3M9Q", now=local("2023-03-01 09:00"))
    await say(zalo, "dangky ZL7K3M9Q")
    registered = len(fake.sent)

    dispatcher = create_dispatcher(db)
    dispatcher.register_sender("zalo", channel.send)
    morning = local("2023-03-08 08:00")  # seven days before the congress, at the send hour
    reminders.plan_due(db, morning)
    result = await dispatcher.sweep(morning)
    assert result.sent == 1
    [reminder] = fake.texts_to(OFFICER)[registered:]
    assert "Công đoàn CS-ZALO" in reminder and "còn 7 ngày" in reminder
    [row] = outbox.rows(db, "channel = 'zalo'")
    assert (row.chat_id, row.status) == (OFFICER, "sent")

    later = local("2023-03-08 08:30")
    reminders.plan_due(db, later)
    assert (await dispatcher.sweep(later)).sent == 0
    assert len(fake.texts_to(OFFICER)) == registered + 1


async def test_lich_ics_on_zalo_is_one_message_with_the_timeline_as_text(db, zalo):
    clock.set_now(local("2023-03-07 09:00"))
    make_unit(db, "CS-ZALO", "2023-03-15", invite="ZL7K3M9Q", now=local("2023-03-01 09:00"))
    await say(zalo, "dangky ZL7K3M9Q")
    [text] = await say(zalo, "/lich ics")
    assert "lich-cs-zalo.ics" in text and "Telegram" in text
    assert "Mở tệp" not in text               # no instruction to open a file that never comes
    assert "📅 Lịch của Công đoàn CS-ZALO" in text and "15/03/2023" in text
