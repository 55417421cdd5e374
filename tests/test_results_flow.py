"""/baocao in chat: one question a message, answers checked as they come, a summary to confirm, editable
until accepted, and only for a unit's own officers or the admins over it."""
from __future__ import annotations

import pytest

import clock
from handlers import results_texts as T
from handlers.assistant import Assistant
from handlers.messages import Incoming
from storage import outbox
from storage import results as store
from storage.admins import add_admin
from storage import units as unit_store
from tests.unit_fixtures import fixture_plans, local, make_officer, make_unit, real_clock  # noqa: F401

OFFICER = "100"
ANSWERS = ["15/03/2023", "1", "45", "40", "7", "1", "1", "3", "2", "3"]  # toàn thể, đại hội bầu, cấp phó


@pytest.fixture
def world(assistant, fixture_plans, real_clock):
    clock.set_now(local("2023-03-16 10:00"))
    make_unit(assistant.db, "CTCS-A", None, level="cap_tren_co_so", plan_id=None)
    make_unit(assistant.db, "CS-1", "2023-03-15", parent="CTCS-A", members_count=60)
    make_unit(assistant.db, "CS-2", "2023-03-20", parent="CTCS-A")
    make_unit(assistant.db, "CS-B", "2023-03-20")
    make_officer(assistant.db, OFFICER, "CS-1", channel="console")
    make_officer(assistant.db, "200", "CS-2", channel="console")
    return assistant


def say(assistant: Assistant, text: str, chat: str = OFFICER, channel: str = "console") -> list:
    return assistant.handle(Incoming(channel, chat, chat, text, user_name="Chị Lan"))


def run(assistant: Assistant, answers: list[str], chat: str = OFFICER, channel: str = "console") -> list:
    replies = []
    for text in answers:
        replies = say(assistant, text, chat, channel)
    return replies


def test_an_officer_reports_by_typing_answers_and_numbers_and_confirms_the_summary(world):
    [intro, first] = say(world, "baocao")  # without the slash, as Zalo users type it
    assert "Công đoàn CS-1" in intro.text and first.text.startswith("(1/10)")
    [summary] = run(world, ANSWERS)
    assert "Triệu tập 45 đoàn viên, có mặt 40 (88%)" in summary.text
    assert "7 ủy viên, trong đó 3 nữ" in summary.text and [c.label for c in summary.choices][0] == T.SUBMIT
    assert store.get(world.db, "CS-1") is None  # nothing stored before the confirmation
    [done] = say(world, "1")
    assert done.text == T.SAVED.format(name="Công đoàn CS-1")
    result = store.get(world.db, "CS-1")
    assert (result.held_on, result.form, result.convened, result.present, result.bch_elected) == \
        ("2023-03-15", "toan_the", 45, 40, 7)
    assert (result.chair_elected_by, result.chair_post, result.ubkt_elected, result.delegates_elected,
            result.bch_women, result.flags) == ("dai_hoi", "cap_pho", 3, 2, 3, ())
    assert result.reported_by == "console:100 Chị Lan"
    unit = unit_store.get_unit(world.db, "CS-1")
    assert unit.status == "da_to_chuc" and unit.form == "toan_the"
    assert not store.has_flow(world.db, "console", OFFICER)


def test_present_above_convened_is_refused_and_the_question_asked_again(world):
    run(world, ["/baocao", *ANSWERS[:3]])
    [error, again] = say(world, "50")
    assert "không thể nhiều hơn số được triệu tập (45)" in error.text and again.text.startswith("(4/10)")
    [next_question] = say(world, "40")
    assert next_question.text.startswith("(5/10)")


def test_present_below_two_thirds_is_flagged_with_the_rule_and_kept_only_when_confirmed(world):
    run(world, ["/baocao", *ANSWERS[:3]])
    [warning] = say(world, "28")
    assert "cần ít nhất 30" in warning.text and "Điều 10 khoản 1" in warning.text
    [again] = say(world, "2")  # re-enter
    assert again.text.startswith("(4/10)")
    say(world, "28")
    [bch_question] = say(world, "1")  # keep
    assert bch_question.text.startswith("(5/10)")
    [summary] = run(world, ANSWERS[4:])
    assert "dưới 2/3" in summary.text
    say(world, "1")
    assert store.get(world.db, "CS-1").flags == ("quorum",)


def test_bch_size_outside_the_2023_frame_for_the_membership_is_refused(world):
    run(world, ["/baocao", *ANSWERS[:4]])
    [error, again] = say(world, "17")
    assert "ngoài khung" in error.text and "60 đoàn viên" in error.text and "HD 03/HD-TLĐ" in error.text
    assert again.text.startswith("(5/10)")


def test_bch_size_in_the_2025_round_checks_kh22_and_flags_what_only_hd38_allows(world):
    clock.set_now(local("2025-10-11 10:00"))
    db = world.db
    make_unit(db, "CS-N", "2025-10-10", members_count=120)
    make_officer(db, "300", "CS-N", channel="console")
    run(world, ["/baocao", "10/10/2025", "1", "100", "90"], chat="300")
    [error, _] = say(world, "8", chat="300")
    assert "KH 22/KH-TLĐ" in error.text and "ngoài khung" in error.text
    [warning] = say(world, "6", chat="300")
    assert "vượt mức 05" in warning.text
    say(world, "1", chat="300")
    run(world, ANSWERS[5:] + ["1"], chat="300")
    assert store.get(db, "CS-N").flags == ("bch_frame",)


def test_women_cannot_outnumber_the_bch(world):
    run(world, ["/baocao", *ANSWERS[:9]])
    [error, _] = say(world, "8")
    assert "không thể nhiều hơn số ủy viên ban chấp hành (7)" in error.text


def test_an_officer_of_another_unit_and_an_admin_outside_the_subtree_are_refused(world):
    db = world.db
    before = db.execute("SELECT COUNT(*) FROM result_flows").fetchone()[0]
    [refusal] = say(world, "/baocao CS-1", chat="200")
    assert refusal.text == T.NOT_ALLOWED.format(name="Công đoàn CS-1")
    add_admin(db, "console", "901", clock.now(), scope_unit="CS-B")
    [refusal] = say(world, "/baocao CS-1", chat="901")
    assert refusal.kind == "error" and "chưa được báo cáo" in refusal.text
    assert db.execute("SELECT COUNT(*) FROM result_flows").fetchone()[0] == before
    # a forged button press for another unit is refused the same way
    [refusal] = world.pick(Incoming("console", "200", "200", ""), "kq:u:CS-1")
    assert refusal.kind == "error"
    add_admin(db, "console", "902", clock.now(), scope_unit="CTCS-A")
    [intro, _] = say(world, "/baocao CS-1", chat="902")
    assert "Công đoàn CS-1" in intro.text


def test_a_reported_result_can_be_edited_until_an_admin_accepts_it(world):
    run(world, ["/baocao", *ANSWERS, "1"])
    [existing, summary] = say(world, "/baocao")
    assert "đã báo cáo" in existing.text and T.EDIT in [c.label for c in summary.choices]
    [menu] = say(world, "2")
    [question] = say(world, str(1 + list(store.FIELDS).index("present")))
    assert question.text.startswith("(4/10)")
    [summary] = say(world, "42")
    assert "có mặt 42" in summary.text
    [done] = say(world, "1")
    assert "sửa: số có mặt" in done.text
    assert [(h.action, h.changed) for h in store.history(world.db, "CS-1")] == \
        [("report", list(store.FIELDS)), ("edit", ["present"])]
    store.set_status(world.db, "CS-1", "accepted", "console:900", clock.now())
    [locked] = say(world, "/baocao")
    assert "đã được công đoàn cấp trên công nhận ngày 16/03/2023" in locked.text
    assert not store.has_flow(world.db, "console", OFFICER)


def test_the_answers_so_far_survive_a_restart(world):
    run(world, ["/baocao", *ANSWERS[:4]])
    restarted = Assistant(world.db)
    [question] = say(restarted, "7")
    assert question.text.startswith("(6/10)")
    [summary] = run(restarted, ANSWERS[5:])
    assert "Triệu tập 45" in summary.text


def test_cancelling_stores_nothing_and_a_question_about_reports_stays_a_question(world):
    run(world, ["/baocao", *ANSWERS[:3]])
    [cancelled] = say(world, "hủy")
    assert cancelled.text == T.CANCELLED and store.get(world.db, "CS-1") is None
    replies = say(world, "báo cáo kết quả đại hội gồm những gì")
    assert all(not r.text.startswith("📝") for r in replies)


def test_buttons_answer_on_telegram_and_a_stale_button_asks_the_current_question(world):
    db = world.db
    make_officer(db, "700", "CS-2")
    tg = Incoming("telegram", "700", "700", "", user_name="Anh Minh")
    world.handle(Incoming("telegram", "700", "700", "/baocao"))
    [form_question] = world.pick(tg, "kq:a:held_on:2023-03-15")
    assert [c.key for c in form_question.choices][:2] == ["kq:a:form:toan_the", "kq:a:form:dai_bieu"]
    [convened] = world.pick(tg, "kq:a:form:dai_bieu")
    assert "Số đại biểu được triệu tập" in convened.text and not convened.choices
    [stale, current] = world.pick(tg, "kq:a:form:toan_the")
    assert stale.text == T.PICK_STALE and current.text.startswith("(3/10)")


def test_reporting_stops_the_units_pending_report_reminders(world):
    from scheduler import reminders
    db = world.db
    reminders.plan_due(db, local("2023-03-16 07:00"))
    key_rows = lambda: outbox.rows(db, "kind = 'reminder' AND key LIKE '%:bao-cao:%' AND origin = 'unit:CS-1'")
    assert [r.status for r in key_rows()] == ["pending"]
    run(world, ["/baocao", *ANSWERS, "1"])
    assert [r.status for r in key_rows()] == ["cancelled"]
