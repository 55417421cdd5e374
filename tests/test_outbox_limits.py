"""The outbox dispatcher under Telegram's limits: measured against a fake Bot API on 127.0.0.1 that
enforces them and injects 429, 403 and 500 answers (tests/fake_bot_api.py), through the real Telegram
channel (python-telegram-bot). Also: the 429 pause cannot be ended early by another request finishing
(python-telegram-bot issue #5338), and every attempt is logged."""
from __future__ import annotations

import asyncio
import time
from datetime import timedelta


import clock
from scheduler.jobs import create_dispatcher
from channels.base import RetryableSendError
from scheduler.outbox import Dispatcher
from scheduler.ratelimit import ChannelLimits
from storage import outbox
from storage.outbox import NewMessage
from tests.admin_fixtures import bulk_recipients
from tests.fake_bot_api import FakeBotApi, chat_ids, telegram_channel



def queue(db, chats, text="Thông báo: họp trực tuyến lúc 14:00 thứ Sáu.", key="b1"):
    now = clock.now()
    outbox.enqueue(db, [NewMessage(key=f"{key}:{c}", kind="broadcast", channel="telegram", chat_id=c, text=text,
                                   due_at=now, origin=f"broadcast:{key}", quiet_hours=False) for c in chats], now)


async def drain(dispatcher, db, timeout=60.0):
    """Sweep (live clock) until nothing is pending or sending."""
    deadline = time.monotonic() + timeout
    while db.execute("SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')").fetchone()[0]:
        assert time.monotonic() < deadline, "outbox did not drain in time"
        await dispatcher.sweep()
        await asyncio.sleep(0.05)


async def test_dispatcher_keeps_the_global_rate_and_per_chat_interval_and_survives_429_403_500(db):
    chats = chat_ids(100)
    blocked = {chats[7], chats[70]}
    bulk_recipients(db, chats)
    rate = 50.0
    with FakeBotApi(global_per_second=55, chat_interval=1.0, script={15: 429, 30: 500, 50: 500, 70: 429}, retry_after=1,
                    blocked=blocked, seed=11) as api:
        async with telegram_channel(db, api.base_url) as channel:
            dispatcher = create_dispatcher(db, backoff=timedelta(milliseconds=200), max_attempts=8)
            dispatcher.register_sender("telegram", channel.send)
            dispatcher.set_limits("telegram", ChannelLimits(per_second=rate, per_chat_interval=1.0, max_in_flight=16))
            queue(db, chats)
            queue(db, [chats[0]] * 1, text="Thông báo thứ hai", key="b2")
            queue(db, [chats[0]] * 1, text="Thông báo thứ ba", key="b3")
            started = time.monotonic()
            await drain(dispatcher, db)
            elapsed = time.monotonic() - started
    # Every recipient that did not block the bot got each notice exactly once; the blocked got nothing.
    for chat in chats:
        expected = [] if chat in blocked else ["Thông báo: họp trực tuyến lúc 14:00 thứ Sáu."]
        if chat == chats[0]:
            expected += ["Thông báo thứ hai", "Thông báo thứ ba"]
        assert sorted(api.texts_to(chat)) == sorted(expected), chat
    # Limits: never exceeded, never a request while a flood wait ran (beyond one already on its way).
    assert api.limit_429s == 0
    assert api.max_in_window(1.0) <= rate * 1.05 + 1   # starts are spaced; arrival jitter aside
    assert api.requests_during_pause <= api.injected_429s
    assert api.injected_429s == 2 and api.injected_500s == 2 and api.forbidden == 2
    times = [t for chat, _, t in api.deliveries if chat == chats[0]]
    assert all(b - a >= 1.0 for a, b in zip(times, times[1:]))
    assert elapsed >= (len(api.deliveries) - 1) / rate
    # 403: the row failed without retries and the officer is marked; 500 and 429 were retried.
    for chat in blocked:
        row = outbox.get(db, f"b1:{chat}")
        assert row.status == "failed" and row.last_error.startswith("người nhận đã chặn bot")
        assert db.execute("SELECT blocked_at FROM officers WHERE chat_id = ?", (chat,)).fetchone()[0]
    # Every attempt is in the log with its outcome, one per answer the fake API gave.
    outcomes = dict(db.execute("SELECT outcome, COUNT(*) FROM outbox_attempts GROUP BY outcome").fetchall())
    assert outcomes.get("sent") == len(api.deliveries)
    assert outcomes.get("blocked") == 2
    assert outcomes.get("retryable") == api.injected_500s
    assert outcomes.get("rate_limited") == api.injected_429s + api.requests_during_pause
    assert None not in outcomes


async def test_a_request_finishing_during_a_429_pause_does_not_end_the_pause(db):
    """python-telegram-bot #5338: there any request's `finally` set the shared event and ended the halt."""
    starts: dict[str, float] = {}
    paused_at: list[float] = []
    slow_release = asyncio.Event()

    async def send(chat_id, text):
        starts.setdefault(chat_id, time.monotonic())
        if chat_id == "slow":
            await slow_release.wait()           # in flight when the 429 arrives, finishes during the pause
            return
        if chat_id == "flooded" and not paused_at:
            paused_at.append(time.monotonic())
            asyncio.get_running_loop().call_later(0.1, slow_release.set)
            raise RetryableSendError("429 Too Many Requests", retry_after=0.8)

    now = clock.now()
    outbox.enqueue(db, [NewMessage(key=k, kind="broadcast", channel="telegram", chat_id=k, text="x",
                                   due_at=now + timedelta(milliseconds=i), quiet_hours=False)
                        for i, k in enumerate(["slow", "flooded", "after-1", "after-2"])], now)
    dispatcher = Dispatcher(db, linger=timedelta(seconds=2))
    dispatcher.register_sender("telegram", send)
    dispatcher.set_limits("telegram", ChannelLimits(per_second=20, max_in_flight=4))
    result = await dispatcher.sweep()
    assert result.sent == 4 and result.retried == 1
    assert starts["slow"] < paused_at[0]
    assert min(starts["after-1"], starts["after-2"]) >= paused_at[0] + 0.8
    assert outbox.get(db, "flooded").attempts == 1  # the 429 did not use up an attempt


async def test_a_longer_pause_is_not_shortened_by_a_later_shorter_retry_after(db):
    starts: list[tuple[str, float]] = []
    first: list[float] = []

    async def send(chat_id, text):
        starts.append((chat_id, time.monotonic()))
        if chat_id in ("long", "short") and len([c for c, _ in starts if c == chat_id]) == 1:
            if chat_id == "long":
                first.append(time.monotonic())
                await asyncio.sleep(0.05)
                raise RetryableSendError("429", retry_after=1.0)
            await asyncio.sleep(0.1)
            raise RetryableSendError("429", retry_after=0.2)

    now = clock.now()
    outbox.enqueue(db, [NewMessage(key=k, kind="broadcast", channel="telegram", chat_id=k, text="x",
                                   due_at=now + timedelta(milliseconds=i), quiet_hours=False)
                        for i, k in enumerate(["long", "short", "later"])], now)
    dispatcher = Dispatcher(db, linger=timedelta(seconds=3))
    dispatcher.register_sender("telegram", send)
    dispatcher.set_limits("telegram", ChannelLimits(max_in_flight=2))
    await dispatcher.sweep()
    later = [t for c, t in starts if c == "later"]
    assert later and later[0] >= first[0] + 1.0


async def test_a_row_for_a_recipient_who_blocked_the_bot_is_skipped_until_they_write_again(assistant):
    db = assistant.db
    bulk_recipients(db, ["301", "302"])
    db.execute("UPDATE officers SET blocked_at = ? WHERE chat_id = '301'", (clock.iso(clock.now()),))
    sent = []

    async def send(chat_id, text):
        sent.append(chat_id)

    dispatcher = create_dispatcher(db)
    dispatcher.register_sender("telegram", send)
    queue(db, ["301", "302"], key="first")
    await dispatcher.sweep()
    assert sent == ["302"] and outbox.get(db, "first:301").status == "failed"
    from handlers.messages import Incoming
    assistant.handle(Incoming("telegram", "301", "301", "xin chào"))   # they write again
    queue(db, ["301"], key="second")
    await dispatcher.sweep()
    assert sent == ["302", "301"]


async def test_the_progress_message_is_sent_once_and_edited_until_the_final_report(assistant, monkeypatch):
    """The confirm reply becomes one Telegram message, edited every interval with sent / failed / waiting,
    ending with the final state; the report then reaches the admin through the outbox."""
    from handlers import broadcast as bc
    from handlers.messages import Incoming
    from storage.admins import add_admin
    db = assistant.db
    monkeypatch.setattr(bc, "PROGRESS_INTERVAL", 0.2)
    chats = chat_ids(60)
    bulk_recipients(db, chats)
    add_admin(db, "telegram", "900", clock.now())
    admin = Incoming("telegram", "900", "900", "")
    assistant.handle(Incoming("telegram", "900", "900", "/thongbao Nộp báo cáo sơ kết trước 17:00 ngày 15/03/2023."))
    [preview] = assistant.pick(admin, next(k for k in _choice_keys(db) if k.endswith(":all")))
    [progress] = assistant.pick(admin, next(c.key for c in preview.choices if c.key.startswith("bc:ok:")))
    with FakeBotApi(global_per_second=60, chat_interval=1.0, blocked={chats[3]}) as api:
        async with telegram_channel(db, api.base_url) as channel:
            dispatcher = create_dispatcher(db)
            dispatcher.register_sender("telegram", channel.send)
            dispatcher.set_limits("telegram", ChannelLimits(per_second=50, per_chat_interval=1.0, max_in_flight=8))
            await channel.answer("900", [progress])
            await drain(dispatcher, db)
            deadline = time.monotonic() + 10
            while channel._live_tasks:
                assert time.monotonic() < deadline
                await asyncio.sleep(0.05)
            await drain(dispatcher, db)   # the report queued at the end
    message_id = next(mid for chat, mid, _ in api.messages if chat == "900")
    edits = [text for chat, mid, text, _ in api.edits if chat == "900" and mid == message_id]
    assert len(edits) >= 3 and len(set(edits)) == len(edits)
    assert all(e.startswith("📤") for e in edits[:-1]) and "đang chờ" in edits[0]
    assert edits[-1].startswith("✅") and "59/60" in edits[-1] and "1 người đã chặn" in edits[-1]
    reports = api.texts_to("900")
    assert len(reports) == 2 and reports[1].startswith("📊 Báo cáo thông báo") and "Đã gửi: 59/60" in reports[1]


def _choice_keys(db):
    """The target keys of the newest draft (as the menu offered them)."""
    b = db.execute("SELECT MAX(id) FROM broadcasts").fetchone()[0]
    return [f"bc:t:{b}:all"]


def test_outbox_requests_in_flight_follow_what_the_rate_needs_at_the_answer_times_seen():
    from scheduler.ratelimit import Throttle
    now = [0.0]
    throttle = Throttle(ChannelLimits(per_second=25, max_in_flight=16), clock=lambda: now[0])
    assert throttle.outbox_limit() == 15          # nothing measured yet: 0.5 s assumed
    for i in range(100):                          # answers after 150 ms
        chat = str(i)
        throttle.take(chat, outbox=True)
        throttle.started(chat)
        now[0] += 0.15
        throttle.release(chat, outbox=True)
    assert throttle.outbox_limit() == 6           # 25/s × 0.15 s = 3.75 → 4, plus two
    for chat in "abcdef":
        throttle.take(chat, outbox=True)
    assert not throttle.ready("g") and throttle.has_room()   # replies still have room
    slow = Throttle(ChannelLimits(per_second=1, max_in_flight=8), clock=lambda: now[0])
    assert slow.outbox_limit() == 3               # Zalo's 1/s never needs 8 requests in flight
