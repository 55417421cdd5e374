"""Direct replies within the limits: every message to a chat, reply or outbox, goes through one limiter
per channel (per-chat interval, the channel's rate shared with the outbox, 429 retry_after honoured and
retried, the parts of one reply in order). Against the flood-limited fake Bot API and the fake Zalo,
through the real runner in webhook mode (tests/crowd.py)."""
from __future__ import annotations

from tests.crowd import ANSWER_START, INVITE, QUESTION, Officer, officers, run_telegram, run_zalo


async def test_a_crowd_writing_at_once_on_telegram_is_answered_without_apologies_within_the_limits(tmp_path):
    crowd = officers(60)
    outcome = await run_telegram(tmp_path, crowd, within=1.0, deadline=90)
    assert (outcome.answered, outcome.apologised, outcome.lost) == (60, 0, 0)
    assert outcome.out_of_order == 0
    api = outcome.api
    assert api.max_in_window(1.0) <= 30 and api.limit_429s == 0


async def test_both_parts_of_a_two_part_reply_arrive_in_order_one_chat_interval_apart(tmp_path):
    crowd = [Officer("310001", f"/start {INVITE}", 2)]
    outcome = await run_telegram(tmp_path, crowd, within=0.0, deadline=30)
    assert outcome.answered == 1
    parts = [(text, t) for chat, text, t in outcome.api.deliveries if chat == "310001"]
    assert len(parts) == 2 and "Trợ lý" in parts[0][0] and "Công đoàn Trường Tập Huấn" in parts[1][0]
    assert parts[1][1] - parts[0][1] >= 0.95   # the fake refuses a second message to a chat within 1 s


async def test_a_429_on_a_reply_pauses_the_channel_and_the_reply_is_sent_after_it(tmp_path):
    crowd = [Officer(str(320000 + i), QUESTION, 1) for i in range(5)]
    outcome = await run_telegram(tmp_path, crowd, within=0.5, deadline=30, script={1: 429}, retry_after=2)
    assert (outcome.answered, outcome.apologised, outcome.lost) == (5, 0, 0)
    api = outcome.api
    assert api.injected_429s == 1 and api.requests_during_pause == 0
    assert all(text.startswith(ANSWER_START) for _, text, _ in api.deliveries)


async def test_a_crowd_on_zalo_is_answered_through_429s_without_apologies(tmp_path):
    crowd = officers(40, start=400000)
    outcome = await run_zalo(tmp_path, crowd, within=1.0, deadline=90, per_second=10)
    assert (outcome.answered, outcome.apologised, outcome.lost) == (40, 0, 0)
