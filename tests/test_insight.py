"""Insight for admins: /thongke and `stats`; /chuatraloi and `unanswered` group alike questions, and one
tap attaches a group to an entry as a new phrasing that works at once and survives a knowledge reload."""
from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import pytest

import bot
import clock
from handlers import admin_texts as T
from handlers import insight
from handlers.assistant import Assistant
from handlers.messages import Incoming
from storage.knowledge import reload_from_files
from storage import outbox
from storage.outbox import NewMessage
from tests.admin_fixtures import admin_msg, build_tree, make_admins

UNANSWERED = ["ai ký quyết định chuẩn y kết quả bầu ủy ban kiểm tra cấp xã",
              "Ai ky quyet dinh chuan y ket qua bau uy ban kiem tra cap xa?",
              "ai ký quyết định chuẩn y kết quả bầu ủy ban kiểm tra cấp xã ạ",
              "mẫu phông nền sân khấu đại hội tải ở đâu"]


FIXTURE_KNOWLEDGE = Path(__file__).parent / "fixtures" / "knowledge"


@pytest.fixture
def world(db):
    """The small fixture knowledge (stable: the bundled one keeps growing), a unit tree and admins."""
    reload_from_files(db, FIXTURE_KNOWLEDGE)
    build_tree(db)
    make_admins(db)
    return Assistant(db)


def ask(world, text, user="u1"):
    return world.handle(Incoming("telegram", f"chat-{user}", user, text))


def keys(reply):
    return {c.label: c.key for c in reply.choices}


def unanswered_questions(world):
    for i, text in enumerate(UNANSWERED):
        [reply] = ask(world, text, user=f"u{i}")
        assert reply.kind == "not_found", text


# -- statistics -----------------------------------------------------------------------------------------
def test_stats_count_people_questions_answered_rate_votes_and_outbox_messages(world):
    db = world.db
    [answer] = ask(world, "đại hội hợp lệ khi nào", user="u1")
    ask(world, "giá vàng hôm nay", user="u2")
    [again] = ask(world, "đại hội hợp lệ khi nào", user="u1")
    world.feedback(Incoming("telegram", "chat-u1", "u1", ""), answer.question_id, 1)
    world.feedback(Incoming("telegram", "chat-u1", "u1", ""), again.question_id, -1)
    world.feedback(Incoming("telegram", "chat-u3", "u3", ""), answer.question_id, -1)  # not the asker: not counted
    now = clock.now()
    outbox.enqueue(db, [NewMessage(key=f"reminder:x:{i}", kind="reminder", channel="telegram", chat_id=str(i),
                                   text="nhắc", due_at=now, origin="unit:CS-A1") for i in range(3)], now)
    row = outbox.rows(db)[0]
    outbox.mark_sent(db, row.id, row.text, now)
    stats = insight.collect_stats(db, now, days=7)
    assert (stats.people, stats.questions, stats.answered, stats.not_found) == (2, 3, 2, 1)
    assert stats.answered_rate == pytest.approx(2 / 3) and stats.thumbs_up_ratio == 0.5
    assert (stats.units, stats.units_held, stats.units_with_officers) == (6, 1, 4)
    assert (stats.officers, stats.officers_blocked) == (6, 1)
    assert stats.reminders == {"sent": 1, "failed": 0, "waiting": 2}
    assert [n for _, n in stats.per_day][-1] == 3 and len(stats.per_day) == 7
    text = insight.stats_text(stats)
    assert "trả lời được 2 (67%)" in text and "50%" in text and clock.local_date(now).strftime("%d/%m/%Y") in text


def test_stats_of_a_scoped_admin_count_only_units_of_their_subtree(world):
    stats = insight.collect_stats(world.db, clock.now(), scope="CTCS-B")
    assert (stats.units, stats.officers) == (2, 1)


def test_thongke_command_with_a_bad_number_of_days_is_explained(world):
    [reply] = world.handle(admin_msg("/thongke mười"))
    assert reply.kind == "error" and "1 đến 365" in reply.text


def test_thongke_takes_the_days_written_with_the_word_ngay(world):
    for args in ("30 ngày", "30 ngay"):
        [reply] = world.handle(admin_msg(f"/thongke {args}"))
        assert reply.text.startswith("📊 Thống kê trợ lý 30 ngày gần nhất"), args
    [reply] = world.handle(admin_msg("/thongke 30 tuần"))
    assert reply.kind == "error"


def test_cli_stats_prints_the_same_summary(tmp_path, capsys):
    assert bot.main(["--db", str(tmp_path / "s.db"), "stats", "--days", "3"]) == 0
    out = capsys.readouterr().out
    assert "Thống kê trợ lý" in out and "3 ngày" in out
    assert bot.main(["--db", str(tmp_path / "s.db"), "stats", "--days", "0"]) == 2


# -- unanswered -----------------------------------------------------------------------------------------
def test_alike_unanswered_questions_are_grouped_and_different_ones_are_not(world):
    unanswered_questions(world)
    groups = insight.unanswered_groups(world.db, clock.now())
    assert [g.count for g in groups] == [3, 1]
    assert groups[0].text == UNANSWERED[2]   # the newest wording represents the group
    assert "phông nền" in groups[1].text


def test_attach_in_one_tap_answers_at_once_and_survives_a_knowledge_reload(world):
    db = world.db
    unanswered_questions(world)
    [listing] = world.handle(admin_msg("/chuatraloi"))
    assert listing.text.startswith("❓") and len(listing.choices) == 2
    [group] = world.pick(admin_msg(), listing.choices[0].key)
    assert "Hỏi 3 lần" in group.text
    target = next(c for c in group.choices if c.key.startswith("ua:a:"))
    entry_id = target.key.rsplit(":", 1)[1]
    [done] = world.pick(admin_msg(), target.key)
    assert done.text.startswith("✅") and "3 câu hỏi" in done.text
    [again] = ask(world, UNANSWERED[0], user="u9")
    assert again.kind == "answer" and again.entry_id == entry_id
    reload_from_files(db, FIXTURE_KNOWLEDGE, force=True)
    [after_reload] = ask(world, UNANSWERED[1], user="u10")
    assert after_reload.kind == "answer" and after_reload.entry_id == entry_id
    # The group is handled: the list shows only the other one.
    [listing] = world.handle(admin_msg("/chuatraloi"))
    assert len(listing.choices) == 1 and "phông nền" in listing.choices[0].label


def test_attach_by_topic_and_dismiss(world):
    unanswered_questions(world)
    groups = insight.unanswered_groups(world.db, clock.now())
    small = groups[1]
    [topics] = world.pick(admin_msg(), f"ua:t:{small.id}")
    topic_choice = topics.choices[0]
    [entries] = world.pick(admin_msg(), topic_choice.key)
    assert entries.choices and all(c.key.startswith(f"ua:a:{small.id}:") for c in entries.choices)
    [dismissed] = world.pick(admin_msg(), f"ua:d:{groups[0].id}")
    assert dismissed.text == T.DISMISSED.format(text=groups[0].text, count=3)
    [gone] = world.pick(admin_msg(), f"ua:a:{groups[0].id}:thu-hop-le")
    assert gone.text == T.GROUP_GONE
    assert world.db.execute("SELECT COUNT(*) FROM faq_phrasings WHERE origin = 'admin'").fetchone()[0] == 0


def test_chuatraloi_with_nothing_unanswered_says_so(world):
    [reply] = world.handle(admin_msg("/chuatraloi 7"))
    assert reply.text == T.UNANSWERED_NONE.format(days=7)


def test_old_unanswered_questions_fall_outside_the_window(world):
    unanswered_questions(world)
    old = clock.iso(clock.now() - timedelta(days=40))
    world.db.execute("UPDATE questions SET asked_at = ?", (old,))
    assert insight.unanswered_groups(world.db, clock.now(), days=30) == []


def test_cli_unanswered_writes_a_csv_excel_can_open(world, tmp_path, capsys, monkeypatch):
    unanswered_questions(world)
    path = world.db.execute("PRAGMA database_list").fetchone()[2]
    monkeypatch.setenv("KNOWLEDGE_DIR", str(FIXTURE_KNOWLEDGE))
    out_file = tmp_path / "chua-tra-loi.csv"
    assert bot.main(["--db", path, "unanswered", "--csv", str(out_file)]) == 0
    assert "2 nhóm" in capsys.readouterr().out
    raw = out_file.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(out_file.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][:3] == ["nhom", "cau_hoi", "so_lan"] and rows[1][2] == "3"
    assert bot.main(["--db", path, "unanswered"]) == 0
    assert "— 3 lần" in capsys.readouterr().out


def test_a_group_is_shown_with_the_wording_that_has_diacritics_even_if_newer_ones_lack_them(world):
    ask(world, "mẫu phông nền sân khấu đại hội tải ở đâu", user="u1")
    ask(world, "mau phong nen san khau dai hoi tai o dau", user="u2")
    [group] = insight.unanswered_groups(world.db, clock.now())
    assert group.text == "mẫu phông nền sân khấu đại hội tải ở đâu" and group.count == 2


def test_an_unanswered_group_is_listed_whole_or_cut_at_a_word_end(world):
    long_question = " ".join(f"mẫu phông nền sân khấu số {i} tải ở đâu" for i in range(8))
    [reply] = ask(world, long_question, user="u20")
    assert reply.kind == "not_found"
    [listing] = world.handle(admin_msg("/chuatraloi"))
    [label] = [c.label for c in listing.choices]
    assert label.endswith("…» (1 lần)") and len(label) < 140
    head = label[1:label.index("…")]
    assert long_question.startswith(head) and long_question[len(head)] == " "   # cut between words
