"""Quiet hours are checked for each row at the moment it is sent, not when its batch was read: a batch
read at 20:59:59 does not go out at 21:00."""
from __future__ import annotations

from datetime import timedelta

import clock
from scheduler.outbox import Dispatcher
from scheduler.ratelimit import ChannelLimits
from storage import outbox
from storage.outbox import NewMessage


async def test_rows_read_just_before_the_quiet_hours_are_held_back_once_they_begin(db):
    start = clock.parse_local("2023-03-08 20:59:59") + timedelta(milliseconds=300)
    clock.set_now(start, ticking=True)
    try:
        now = clock.now()
        outbox.enqueue(db, [NewMessage(key=f"r{i}", kind="reminder", channel="telegram", chat_id=str(i),
                                       text="⏰ Nhắc hạn", due_at=now - timedelta(minutes=1)) for i in range(8)]
                       + [NewMessage(key="notice", kind="broadcast", channel="telegram", chat_id="99",
                                     text="Thông báo khẩn", due_at=now, quiet_hours=False)], now)
        sent: list[tuple[str, object]] = []

        async def send(chat_id, text):
            sent.append((chat_id, clock.now()))

        dispatcher = Dispatcher(db, linger=timedelta(seconds=0))
        dispatcher.register_sender("telegram", send)
        dispatcher.set_limits("telegram", ChannelLimits(per_second=4, max_in_flight=1))   # one every 250 ms
        await dispatcher.sweep()
    finally:
        clock.set_now(None)
    quiet_start = clock.parse_local("2023-03-08 21:00")
    reminders_sent = [(c, t) for c, t in sent if c != "99"]
    assert reminders_sent, "the rows due before 21:00 go out"
    assert all(t < quiet_start for _, t in reminders_sent), sent
    assert "99" in [c for c, _ in sent]                       # a notice ignores the quiet hours
    left = [r.key for r in outbox.rows(db, "status = 'pending'")]
    assert left and all(k.startswith("r") for k in left)      # the rest waits for 07:00
