"""/thongke within an admin's scope: a scoped admin counts only the questions, people and votes of their
subtree (a question belongs to the units of the person who asked and of the chat it was asked in, as in
/chuatraloi), and the reply names the scope; a global admin counts everyone's."""
from __future__ import annotations


import pytest

import clock
from handlers import insight
from handlers.messages import Incoming
from tests.admin_fixtures import ADMIN_ID, GROUP_CHAT, SCOPED_ID, admin_msg, scoped_world

ANSWERED = "đại hội hợp lệ khi nào"
NOT_FOUND = "thuê hội trường đại hội ở đâu rẻ"


@pytest.fixture
def world(db):
    a = scoped_world(db)
    # CTCS-A's subtree: two people, an answer voted 👍 and a question not found.
    vote(a, ask(a, ANSWERED, "o-a2x", kind="answer"), 1)
    ask(a, NOT_FOUND, "o-a1", kind="not_found")
    # CTCS-B's: an officer's answer voted 👎 and a question not found; a guest's answer in the unit's
    # group, voted 👎.
    vote(a, ask(a, ANSWERED, "o-b1", kind="answer"), -1)
    ask(a, NOT_FOUND, "o-b1", kind="not_found")
    vote(a, ask(a, ANSWERED, "u-guest", kind="answer", chat=GROUP_CHAT), -1)
    # Someone registered nowhere: an answer voted 👍.
    vote(a, ask(a, ANSWERED, "u-nobody", kind="answer"), 1)
    return a


def ask(a, text, user, kind, chat=None) -> Incoming:
    msg = Incoming("telegram", chat or user, user, text, is_group=chat is not None)
    [reply] = a.handle(msg)
    assert reply.kind == kind, (text, reply.kind)
    return msg, reply.question_id


def vote(a, asked, value):
    msg, question_id = asked
    assert a.feedback(Incoming(msg.channel, msg.chat_id, msg.user_id, "", is_group=msg.is_group),
                      question_id, value).kind == "info"


def counts(stats):
    return (stats.people, stats.questions, stats.answered, stats.not_found, stats.thumbs_up, stats.thumbs_down,
            stats.per_day[-1][1])


def test_a_scoped_admin_counts_only_the_questions_people_and_votes_of_their_subtree(world):
    now = clock.now()
    assert counts(insight.collect_stats(world.db, now, scope="CTCS-A")) == (2, 2, 1, 1, 1, 0, 2)
    # CTCS-B's include the guest who asked in its unit's group chat.
    assert counts(insight.collect_stats(world.db, now, scope="CTCS-B")) == (2, 3, 2, 1, 0, 2, 3)
    # A unit deeper down: only the question asked by its own officer.
    assert counts(insight.collect_stats(world.db, now, scope="BP-A2X")) == (1, 1, 1, 0, 1, 0, 1)


def test_a_global_admin_counts_everyones_questions_people_and_votes(world):
    assert counts(insight.collect_stats(world.db, clock.now())) == (5, 6, 4, 2, 2, 2, 6)


def test_thongke_of_a_scoped_admin_names_the_scope_and_counts_only_it(world):
    [reply] = world.handle(admin_msg("/thongke", user=SCOPED_ID))
    lines = reply.text.split("\n")
    assert lines[1] == "Phạm vi: Công đoàn CTCS-A và các đơn vị trực thuộc"
    assert "👥 Người hỏi: 2; cán bộ đã đăng ký: 5 (1 đã chặn trợ lý)" in lines
    assert "❓ Câu hỏi: 2 — trả lời được 1 (50%), gợi ý 0, chưa trả lời được 1" in lines
    assert "👍 Đánh giá hữu ích: 100% (1 👍 / 0 👎)" in lines


def test_thongke_of_a_global_admin_says_every_unit_and_counts_everyone(world):
    [reply] = world.handle(admin_msg("/thongke", user=ADMIN_ID))
    lines = reply.text.split("\n")
    assert lines[1] == "Phạm vi: mọi đơn vị"
    assert "❓ Câu hỏi: 6 — trả lời được 4 (67%), gợi ý 0, chưa trả lời được 2" in lines
    assert "👍 Đánh giá hữu ích: 50% (2 👍 / 2 👎)" in lines
    assert lines[3].startswith("👥 Người hỏi: 5;")
