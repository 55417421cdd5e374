"""Outcome-aware sending: "not sent" (refused connection, 429, 5xx) is retried; "outcome unknown" (the
request was written and its answer never came) is not resent blindly — a notice goes at most once and is
reported as "chưa rõ", a reminder gets at most one more try after a longer wait. Against the fake Bot API
(answers slower than the client's read time-out) and the fake Zalo, through the real channels."""
from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import timedelta

import httpx
from telegram.error import TimedOut

import clock
from channels.http_outcome import may_have_arrived
from scheduler.broadcasts import report_text
from handlers.assistant import Assistant
from scheduler.jobs import create_dispatcher
from channels.base import OutcomeUnknownError, RetryableSendError
from scheduler.outbox import Dispatcher
from scheduler.ratelimit import ChannelLimits
from storage import broadcasts as bstore
from storage import outbox
from storage.outbox import NewMessage
from tests.admin_fixtures import bulk_recipients
from tests.fake_bot_api import FakeBotApi, chat_ids, free_port, telegram_channel

TOKEN = "7100002:TEST-outcome-0123456789abcdef"
TEXT = "Thông báo: hội nghị tập huấn lúc 08:00 thứ Hai."


async def settle(dispatcher, db, timeout=60.0):
    deadline = time.monotonic() + timeout
    while db.execute("SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')").fetchone()[0]:
        assert time.monotonic() < deadline, "outbox did not settle in time"
        await dispatcher.sweep()
        await asyncio.sleep(0.05)


def test_a_read_time_out_may_have_arrived_a_refused_connection_did_not():
    request = httpx.Request("POST", "http://127.0.0.1/x")
    assert may_have_arrived(httpx.ReadTimeout("slow", request=request))
    assert may_have_arrived(httpx.RemoteProtocolError("cut", request=request))
    assert not may_have_arrived(httpx.ConnectError("refused", request=request))
    assert not may_have_arrived(httpx.PoolTimeout("pool", request=request))
    wrapped = TimedOut()
    wrapped.__cause__ = httpx.ReadTimeout("slow", request=request)
    assert may_have_arrived(wrapped)
    assert not may_have_arrived(RuntimeError("HTTP 502 answered"))


async def test_a_notice_whose_answer_times_out_is_not_resent_and_the_report_counts_it_unknown(db):
    chats = chat_ids(30)
    bulk_recipients(db, chats)
    now = clock.now()
    draft = bstore.create_draft(db, TEXT, channel="cli", chat_id="cli", user_id="cli", scope=None, now=now)
    bstore.set_target(db, draft.id, "all", len(chats), now)
    bstore.queue(db, draft.id, [("telegram", c) for c in chats], now)
    with FakeBotApi(global_per_second=100, chat_interval=1.0, slow_every=10, slow_delay=2.5) as api:
        async with telegram_channel(db, api.base_url, read_timeout=1.0) as channel:
            dispatcher = create_dispatcher(db, backoff=timedelta(milliseconds=100))
            dispatcher.register_sender("telegram", channel.send)
            dispatcher.set_limits("telegram", ChannelLimits(per_second=50, per_chat_interval=1.0, max_in_flight=8))
            await settle(dispatcher, db)
    received = Counter(chat for chat, text, _ in api.deliveries if text == TEXT)
    assert set(received) == set(chats) and set(received.values()) == {1}   # nobody got it twice
    unknown = [r for r in outbox.rows(db, "kind = 'broadcast'") if r.status == "unknown"]
    assert len(unknown) == 3
    p = bstore.progress(db, draft.id)
    assert (p.sent, p.unknown, p.failed, p.waiting, p.total) == (27, 3, 0, 0, 30)
    report = report_text(db, bstore.get(db, draft.id))
    assert "Đã gửi: 27/30" in report and "Chưa rõ đã nhận hay chưa: 3" in report
    assert "Đã gửi: 30/30" not in report
    outcomes = Counter(r[0] for r in db.execute("SELECT outcome FROM outbox_attempts"))
    assert outcomes == {"sent": 27, "unknown": 3}


async def test_a_reminder_with_an_unknown_outcome_is_sent_once_more_after_a_longer_wait_then_left(db):
    with FakeBotApi(global_per_second=100, chat_interval=0.0, slow_chats={"700"}, slow_delay=2.0) as api:
        async with telegram_channel(db, api.base_url, read_timeout=1.0) as channel:
            dispatcher = Dispatcher(db, unknown_retry_after=timedelta(seconds=1.0), linger=timedelta(seconds=3))
            dispatcher.register_sender("telegram", channel.send)
            now = clock.now()
            outbox.enqueue(db, [NewMessage(key="r:700", kind="reminder", channel="telegram", chat_id="700",
                                           text="⏰ Nhắc hạn", due_at=now, quiet_hours=False)], now)
            await settle(dispatcher, db)
    assert api.texts_to("700") == ["⏰ Nhắc hạn", "⏰ Nhắc hạn"]          # the first, and one resend
    row = outbox.get(db, "r:700")
    assert row.status == "unknown" and row.attempts == 2
    attempts = db.execute("SELECT started_at, finished_at, outcome FROM outbox_attempts ORDER BY id").fetchall()
    assert [a[2] for a in attempts] == ["unknown", "unknown"]
    assert clock.from_iso(attempts[1][0]) >= clock.from_iso(attempts[0][1]) + timedelta(seconds=1)


async def test_a_refused_connection_is_not_sent_and_is_retried(db):
    api = FakeBotApi().start()
    async with telegram_channel(db, api.base_url, read_timeout=1.0) as channel:
        api.stop()   # from now on every connection is refused
        try:
            await channel.send("701", TEXT)
        except RetryableSendError as exc:
            assert not isinstance(exc, OutcomeUnknownError)
        else:
            raise AssertionError("a refused connection must fail")
        dispatcher = Dispatcher(db)
        dispatcher.register_sender("telegram", channel.send)
        now = clock.now()
        outbox.enqueue(db, [NewMessage(key="b:701", kind="broadcast", channel="telegram", chat_id="701",
                                       text=TEXT, due_at=now, quiet_hours=False)], now)
        await dispatcher.sweep(now)
    row = outbox.get(db, "b:701")
    assert row.status == "pending" and row.attempts == 1
    assert db.execute("SELECT outcome FROM outbox_attempts").fetchall() == [("retryable",)]


async def test_zalo_a_time_out_after_writing_is_unknown_a_refused_connection_is_not_sent(db):
    from channels.zalo import ZaloChannel
    from channels.zalo_client import ZaloClient
    from tests.zalo_fake import TOKEN as ZALO_TOKEN, running_fake

    async with running_fake(send_delay=1.5) as fake:
        async with ZaloClient(ZALO_TOKEN, fake.base_url, timeout=0.5) as client:
            channel = ZaloChannel(Assistant(db), client, outbox_rate=0)
            try:
                await channel.send("z-1", TEXT)
            except OutcomeUnknownError:
                pass
            else:
                raise AssertionError("a time-out after writing must be an unknown outcome")
            await fake.wait_sent(1, timeout=5)   # it was delivered after all
    async with ZaloClient(ZALO_TOKEN, f"http://127.0.0.1:{free_port()}", timeout=0.5) as client:
        channel = ZaloChannel(Assistant(db), client, outbox_rate=0)
        try:
            await channel.send("z-1", TEXT)
        except OutcomeUnknownError:
            raise AssertionError("a refused connection delivered nothing")
        except RetryableSendError:
            pass
