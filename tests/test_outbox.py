"""The outbox and its dispatcher: claim before send, mark after; retry, pause on 429, blocked recipients,
expired rows, channels without a sender, two dispatchers racing for the same rows."""
import asyncio
from datetime import timedelta

import pytest

from scheduler.jobs import create_dispatcher
from delivery import RecipientBlockedError, RetryableSendError
from scheduler.outbox import Dispatcher, log_sender
from storage import open_db
from storage import outbox
from storage import units as store
from storage.outbox import NewMessage
from unit_fixtures import Recorder, local

NOON = local("2023-03-08 12:00")


def message(key: str, chat_id: str = "100", channel: str = "telegram", due=None, **extra) -> NewMessage:
    return NewMessage(key=key, kind="broadcast", channel=channel, chat_id=chat_id, text=f"tin {key}",
                      due_at=due or NOON - timedelta(minutes=1), **extra)


def test_enqueue_ignores_a_key_it_already_holds(db):
    assert outbox.enqueue(db, [message("a"), message("b")], NOON) == 2
    assert outbox.enqueue(db, [message("a"), message("c")], NOON) == 1
    assert len(outbox.rows(db)) == 3


async def test_sweep_sends_due_rows_of_registered_channels_and_leaves_the_rest(db):
    outbox.enqueue(db, [message("due"), message("later", due=NOON + timedelta(hours=1)),
                        message("zalo", channel="zalo")], NOON)
    dispatcher = Dispatcher(db)
    recorder = Recorder()
    dispatcher.register_sender("telegram", recorder)
    result = await dispatcher.sweep(NOON)
    assert result.sent == 1 and recorder.sent == [("100", "tin due")]
    assert outbox.get(db, "due").status == "sent"
    assert outbox.get(db, "later").status == "pending" and outbox.get(db, "zalo").status == "pending"


async def test_retryable_error_backs_off_and_fails_for_good_after_max_attempts(db):
    outbox.enqueue(db, [message("r")], NOON)
    dispatcher = Dispatcher(db, max_attempts=2, backoff=timedelta(seconds=30))
    recorder = Recorder()
    recorder.fail["100"] = RetryableSendError("502 Bad Gateway")
    dispatcher.register_sender("telegram", recorder)
    await dispatcher.sweep(NOON)
    row = outbox.get(db, "r")
    assert row.status == "pending" and row.attempts == 1 and row.due_at == "2023-03-08T05:00:30+00:00"
    await dispatcher.sweep(NOON + timedelta(seconds=10))
    assert outbox.get(db, "r").attempts == 1  # not due again yet
    await dispatcher.sweep(NOON + timedelta(seconds=31))
    row = outbox.get(db, "r")
    assert row.status == "failed" and row.attempts == 2 and "502" in row.last_error


async def test_429_pauses_the_channel_without_using_up_the_other_rows_attempts(db):
    outbox.enqueue(db, [message("a", "100"), message("b", "200"), message("c", "300")], NOON)
    dispatcher = Dispatcher(db)
    recorder = Recorder()
    recorder.fail["100"] = RetryableSendError("429 Too Many Requests", retry_after=20)
    dispatcher.register_sender("telegram", recorder)
    result = await dispatcher.sweep(NOON)
    assert result.sent == 0 and result.retried == 1
    assert outbox.get(db, "b").attempts == 0 and outbox.get(db, "b").status == "pending"
    del recorder.fail["100"]
    await dispatcher.sweep(NOON + timedelta(seconds=5))
    assert recorder.sent == []  # still paused
    await dispatcher.sweep(NOON + timedelta(seconds=21))
    assert sorted(c for c, _ in recorder.sent) == ["100", "200", "300"]


async def test_blocked_recipient_is_failed_not_retried_and_the_officer_is_marked(db):
    officer = store.ensure_officer(db, "telegram", "100", NOON)
    outbox.enqueue(db, [message("x")], NOON)
    dispatcher = create_dispatcher(db)
    recorder = Recorder()
    recorder.fail["100"] = RecipientBlockedError("Forbidden: bot was blocked by the user")
    dispatcher.register_sender("telegram", recorder)
    await dispatcher.sweep(NOON)
    assert outbox.get(db, "x").status == "failed"
    assert store.find_officer(db, "telegram", "100").blocked_at is not None
    assert officer.blocked_at is None


async def test_expired_row_is_dropped_not_sent(db):
    outbox.enqueue(db, [message("old", expires_at=NOON - timedelta(seconds=1))], NOON)
    dispatcher = Dispatcher(db)
    recorder = Recorder()
    dispatcher.register_sender("telegram", recorder)
    result = await dispatcher.sweep(NOON)
    assert result.dropped == 1 and recorder.sent == []
    assert outbox.get(db, "old").status == "dropped"


async def test_renderer_text_is_recorded_before_it_is_sent(db):
    outbox.enqueue(db, [message("r")], NOON)
    dispatcher = Dispatcher(db)
    seen_in_db = []

    async def send(chat_id, text):
        seen_in_db.append(outbox.get(db, "r").text)

    dispatcher.register_sender("telegram", send)
    dispatcher.register_renderer("broadcast", lambda row, now: "bản mới")
    await dispatcher.sweep(NOON)
    assert seen_in_db == ["bản mới"]
    row = outbox.get(db, "r")
    assert row.status == "sent" and row.text == "bản mới"


async def test_two_dispatchers_on_one_database_never_send_a_row_twice(tmp_path):
    path = tmp_path / "race.db"
    db1, db2 = open_db(path), open_db(path)
    outbox.enqueue(db1, [message(f"k{i}", str(i)) for i in range(60)], NOON)
    delivered = []

    async def send(chat_id, text):
        await asyncio.sleep(0)  # let the other dispatcher run between claim and mark
        delivered.append(chat_id)

    dispatchers = [Dispatcher(db1, batch_size=7), Dispatcher(db2, batch_size=5)]
    for d in dispatchers:
        d.register_sender("telegram", send)
    await asyncio.gather(*(d.sweep(NOON) for d in dispatchers))
    assert sorted(delivered, key=int) == [str(i) for i in range(60)]
    assert outbox.counts(db1)["sent"] == 60


async def test_log_sender_records_deliveries_in_the_database(db):
    outbox.enqueue(db, [message("c", "console", channel="console")], NOON)
    dispatcher = Dispatcher(db)
    dispatcher.register_sender("console", log_sender(db, "console"))
    await dispatcher.sweep(NOON)
    assert [(ch, chat, text) for ch, chat, text, _ in outbox.deliveries(db)] == [("console", "console", "tin c")]


def test_cancel_keeps_sent_rows_and_listed_keys(db):
    outbox.enqueue(db, [message("a", origin="unit:X"), message("b", origin="unit:X"),
                        message("c", origin="unit:Y")], NOON)
    outbox.mark_sent(db, outbox.get(db, "a").id, "tin a", NOON)
    assert outbox.cancel(db, NOON, origin="unit:X", keep_keys=set()) == 1
    assert [outbox.get(db, k).status for k in "abc"] == ["sent", "cancelled", "pending"]


@pytest.mark.parametrize("status", ["pending", "sending", "sent", "failed", "cancelled", "dropped"])
def test_outbox_accepts_every_documented_status(db, status):
    outbox.enqueue(db, [message("s", status=status)], NOON)
    assert outbox.get(db, "s").status == status
