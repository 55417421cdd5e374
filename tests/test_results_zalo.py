"""/baocao on Zalo, over real HTTP to the fake Zalo server: no buttons, so choices are numbered lines and
the officer types the number; "baocao" typed without the slash starts it; the late nudge arrives through
the outbox."""
from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette

import clock
from channels.zalo import WEBHOOK_PATH, ZaloChannel, webhook_route
from channels.zalo_client import ZaloClient
from handlers.assistant import Assistant
from storage.knowledge import reload_from_files
from scheduler import followups
from scheduler.jobs import create_dispatcher
from storage import results as store
from tests.zalo_fake import SECRET, TOKEN, running_fake, serve, text_update
from unit_fixtures import fixture_plans, local, make_officer, make_unit, real_clock  # noqa: F401

pytestmark = pytest.mark.usefixtures("fixture_plans", "real_clock")

FIXTURE_KNOWLEDGE = Path(__file__).parent / "fixtures" / "knowledge"
OFFICER = "7f1e9afa66b88fe6d6b1"


@pytest.fixture
async def zalo(db):
    reload_from_files(db, FIXTURE_KNOWLEDGE)
    async with running_fake() as fake:
        async with ZaloClient(TOKEN, fake.base_url) as client:
            channel = ZaloChannel(Assistant(db), client, outbox_rate=0)
            async with serve(Starlette(routes=[webhook_route(channel, SECRET)])) as base:
                yield fake, channel, base + WEBHOOK_PATH


async def say(zalo, text):
    fake, channel, url = zalo
    before = len(fake.sent)
    response = await fake.push(text_update(text, chat_id=OFFICER), url=url)
    assert response.status_code == 200
    assert await channel.wait_idle(timeout=5)
    return [m["text"] for m in fake.sent[before:]]


async def test_a_zalo_officer_reports_by_typing_numbers(db, zalo):
    clock.set_now(local("2023-03-16 10:00"))
    make_unit(db, "CS-ZL", "2023-03-15", members_count=50)
    make_officer(db, OFFICER, "CS-ZL", channel="zalo")
    replies = await say(zalo, "baocao")
    assert replies[-1].startswith("(1/10)") and "1. Hôm nay (16/03/2023)" in replies[-1]
    [form] = await say(zalo, "2")  # hôm qua
    assert "1. Đại hội toàn thể" in form and "Trả lời 1, 2 hoặc 3 để chọn." in form
    for text in ("1", "45", "40", "7", "1", "3", "3", "1"):
        await say(zalo, text)
    [summary] = await say(zalo, "3")
    assert summary.startswith("📋") and "1. ✅ Gửi báo cáo" in summary
    [done] = await say(zalo, "1")
    assert done.startswith("✅ Đã ghi kết quả")
    result = store.get(db, "CS-ZL")
    assert (result.convened, result.present, result.chair_post, result.reported_by.split()[0]) == \
        (45, 40, "khac", f"zalo:{OFFICER}")


async def test_a_late_zalo_unit_gets_its_nudge_through_the_outbox_once(db, zalo):
    fake, channel, _ = zalo
    make_unit(db, "CS-ZL", "2023-03-01", now=local("2023-02-01 09:00"))
    make_officer(db, OFFICER, "CS-ZL", channel="zalo")
    dispatcher = create_dispatcher(db)
    dispatcher.register_sender("zalo", channel.send)
    for moment in ("2023-03-08 09:00", "2023-03-09 09:00"):
        followups.plan_followups(db, local(moment))
        await dispatcher.sweep(local(moment))
    [nudge] = fake.texts_to(OFFICER)
    assert nudge.startswith("⏰ Quá hạn báo cáo kết quả đại hội — Công đoàn CS-ZL") and "/baocao" in nudge
