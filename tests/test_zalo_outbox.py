"""Reminders and broadcasts reach Zalo officers through the outbox: the dispatcher drains rows through the
Zalo sender, which keeps to Zalo's rate and turns Zalo errors into the dispatcher's typed errors."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from channels.zalo import ZaloChannel
from scheduler.ratelimit import RateLimiter
from channels.zalo_client import ZaloClient
from handlers.assistant import Assistant
from storage.knowledge import reload_from_files
from channels.base import OutcomeUnknownError, RecipientBlockedError, RetryableSendError
from scheduler.outbox import Dispatcher
from storage import outbox
from storage.outbox import NewMessage
from tests.zalo_fake import TOKEN, finish, running_fake, start, zalo_settings

FIXTURE_KNOWLEDGE = Path(__file__).parent / "fixtures" / "knowledge"
NOON = datetime(2026, 3, 10, 5, 0, tzinfo=timezone.utc)  # 12:00 in Việt Nam: outside quiet hours


@pytest.fixture
async def fake():
    async with running_fake() as server:
        yield server


class Clock:
    """The client's monotonic clock, moved by the tests along with the dispatcher's `now`."""

    def __init__(self):
        self.value = 1000.0

    def __call__(self) -> float:
        return self.value


@pytest.fixture
def mono():
    return Clock()


@pytest.fixture
async def channel(db, fake, mono):
    reload_from_files(db, FIXTURE_KNOWLEDGE)
    client = ZaloClient(TOKEN, fake.base_url, monotonic=mono)
    yield ZaloChannel(Assistant(db), client, outbox_rate=0)
    await client.close()


@pytest.fixture
def dispatcher(db, channel):
    d = Dispatcher(db)
    d.register_sender("zalo", channel.send)
    return d


def enqueue(db, key, chat_id="z-officer-1", text="Nhắc lịch: còn 7 ngày đến đại hội công đoàn cơ sở.",
            kind="reminder"):
    outbox.enqueue(db, [NewMessage(key=key, kind=kind, channel="zalo", chat_id=chat_id, text=text,
                                   due_at=NOON - timedelta(minutes=1))], NOON - timedelta(hours=1))


def status(db, key):
    row = outbox.get(db, key)
    return row.status, row.attempts


async def test_reminder_in_the_outbox_is_delivered_to_the_zalo_officer_once(db, fake, dispatcher):
    enqueue(db, "r:unit-A:7d:z-officer-1")
    result = await dispatcher.sweep(NOON)
    assert result.sent == 1
    assert fake.sent == [{"chat_id": "z-officer-1", "text": "Nhắc lịch: còn 7 ngày đến đại hội công đoàn cơ sở."}]
    assert status(db, "r:unit-A:7d:z-officer-1") == ("sent", 1)
    again = await dispatcher.sweep(NOON + timedelta(minutes=5))
    assert again.sent == 0 and len(fake.sent) == 1


async def test_429_pauses_the_zalo_channel_and_the_row_is_retried_after_retry_after(db, fake, dispatcher, mono):
    fake.fail("sendMessage", status=429, error_code=429, description="Quota exceeded", retry_after=120)
    enqueue(db, "b:1:z1", chat_id="z1")
    enqueue(db, "b:1:z2", chat_id="z2")
    result = await dispatcher.sweep(NOON)
    assert result.retried == 1 and result.sent == 0
    assert fake.sent == []
    row = outbox.get(db, "b:1:z1")
    assert row.status == "pending" and row.due_at == (NOON + timedelta(seconds=120)).isoformat(timespec="seconds")
    assert outbox.get(db, "b:1:z2").status == "pending"  # not tried while the channel is paused
    mono.value += 121
    later = await dispatcher.sweep(NOON + timedelta(seconds=121))
    assert later.sent == 2
    assert sorted(m["chat_id"] for m in fake.sent) == ["z1", "z2"]


async def test_officer_who_blocked_the_bot_is_marked_and_not_retried(db, fake, dispatcher):
    blocked: list[tuple[str, str]] = []
    dispatcher.on_blocked(lambda channel, chat_id, now: blocked.append((channel, chat_id)))
    fake.fail("sendMessage", status=200, error_code=404, description="User not found")
    enqueue(db, "r:x:z-gone", chat_id="z-gone")
    result = await dispatcher.sweep(NOON)
    assert result.failed == 1
    assert status(db, "r:x:z-gone") == ("failed", 1)
    assert blocked == [("zalo", "z-gone")]


async def test_ok_false_from_zalo_leaves_the_row_for_a_later_try(db, fake, dispatcher):
    fake.fail("sendMessage", status=200, error_code=500, description="Internal error")
    enqueue(db, "r:y:z1", chat_id="z1")
    result = await dispatcher.sweep(NOON)
    assert result.retried == 1
    row = outbox.get(db, "r:y:z1")
    assert row.status == "pending" and "500" in row.last_error
    assert (await dispatcher.sweep(NOON + timedelta(hours=1))).sent == 1


async def test_long_broadcast_goes_out_in_parts_of_at_most_2000_characters(db, fake, dispatcher):
    text = "\n\n".join(f"Mục {i}. " + "Thông báo của công đoàn cấp trên về đại hội. " * 10 for i in range(8))
    enqueue(db, "b:long:z1", chat_id="z1", text=text, kind="broadcast")
    assert (await dispatcher.sweep(NOON)).sent == 1
    parts = fake.texts_to("z1")
    assert len(parts) == 2 and all(len(p) <= 2000 for p in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())


async def test_sender_raises_typed_errors(fake, channel, mono):
    fake.fail("sendMessage", status=429, error_code=429, description="Quota exceeded", retry_after=9)
    with pytest.raises(RetryableSendError) as caught:
        await channel.send("z1", "a")
    assert caught.value.retry_after == 9
    mono.value += 10  # the pause Zalo asked for is over
    fake.fail("sendMessage", status=200, error_code=403, description="Bot is blocked by user")
    with pytest.raises(RecipientBlockedError):
        await channel.send("z1", "a")
    fake.fail("sendMessage", status=200, raw="<html>oops</html>")
    with pytest.raises(OutcomeUnknownError):  # HTTP 200 with an unreadable body: it may have gone out
        await channel.send("z1", "a")
    fake.fail("sendMessage", status=502, raw="<html>bad gateway</html>")
    with pytest.raises(RetryableSendError) as caught:  # an error status: not sent, retried
        await channel.send("z1", "a")
    assert not isinstance(caught.value, OutcomeUnknownError)


async def test_outbox_sends_keep_to_the_configured_rate(db, fake):
    reload_from_files(db, FIXTURE_KNOWLEDGE)
    async with ZaloClient(TOKEN, fake.base_url) as client:
        channel = ZaloChannel(Assistant(db), client, outbox_rate=20)  # one every 50 ms
        started = time.monotonic()
        for i in range(5):
            await channel.send(f"z{i}", "Thông báo")
        elapsed = time.monotonic() - started
    assert len(fake.sent) == 5
    assert elapsed >= 0.19  # four gaps of 50 ms


async def test_rate_limiter_spaces_calls_evenly():
    now = [100.0]
    slept: list[float] = []

    async def sleep(seconds):
        slept.append(round(seconds, 3))
        now[0] += seconds

    limiter = RateLimiter(0.5, clock=lambda: now[0], sleep=sleep)  # one every 2 s
    for _ in range(3):
        await limiter.wait()
    now[0] += 10  # idle for a while: no debt carried over
    await limiter.wait()
    assert slept == [2.0, 2.0]


async def test_dispatcher_of_the_running_bot_delivers_outbox_rows_to_zalo(tmp_path, fake):
    """`python bot.py run` registers the Zalo sender with the scheduler's dispatcher."""
    import clock

    running = await start(zalo_settings(tmp_path, fake))
    try:
        dispatcher = running.runtime.extras.get("dispatcher")
        assert dispatcher is not None and "zalo" in dispatcher.channels
        db = running.runtime.assistant.db
        now = clock.now()
        outbox.enqueue(db, [NewMessage(key="b:test:z-out", kind="broadcast", channel="zalo", chat_id="z-out",
                                       text="Thông báo: hạn nộp báo cáo đại hội là thứ Sáu.",
                                       due_at=now - timedelta(minutes=1), quiet_hours=False)], now)
        result = await dispatcher.sweep(now)
        assert result.sent == 1
        assert fake.texts_to("z-out") == ["Thông báo: hạn nộp báo cáo đại hội là thứ Sáu."]
    finally:
        await finish(running)
