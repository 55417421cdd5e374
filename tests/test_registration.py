"""Registration: /start <code> (deep link) and /dangky <code> join a unit; several units; /roi leaves;
wrong codes are told plainly and rate-limited against guessing; /nhacnho turns reminders off and on."""
from datetime import timedelta

import pytest

import clock
from handlers import registration
from handlers.assistant import Assistant
from storage import outbox
from storage import units as store
from unit_fixtures import fixture_plans, local, make_officer, make_unit, msg, real_clock  # noqa: F401

pytestmark = pytest.mark.usefixtures("fixture_plans", "real_clock")
NOW = local("2023-03-01 09:00")


@pytest.fixture
def bot(db):
    clock.set_now(NOW)
    make_unit(db, "BP-01", "2023-03-15", level="cong_doan_bo_phan", invite="K7M2QX9P", now=NOW)
    make_unit(db, "BP-02", "2023-03-20", level="cong_doan_bo_phan", invite="R4T8WV3N", now=NOW)
    return Assistant(db)


def say(bot, text, chat="100"):
    return "\n".join(r.text for r in bot.handle(msg(text, chat)))


def member_codes(db, chat="100"):
    officer = store.find_officer(db, "telegram", chat)
    return [u.code for u in store.units_of(db, officer.id)] if officer else []


def test_deep_link_start_with_a_code_welcomes_and_registers(bot, db):
    replies = bot.handle(msg("/start K7M2QX9P"))
    assert "Xin chào" in replies[0].text
    assert "Đã đăng ký anh/chị vào đơn vị «Công đoàn BP-01» (công đoàn bộ phận)" in replies[1].text
    assert "còn 14 ngày" in replies[1].text and "/hanchot" in replies[1].text
    assert member_codes(db) == ["BP-01"]
    assert store.find_officer(db, "telegram", "100").name == "Nguyễn Văn A"


def test_start_without_a_code_only_welcomes(bot, db):
    replies = bot.handle(msg("/start"))
    assert len(replies) == 1 and "Xin chào" in replies[0].text
    assert member_codes(db) == []


def test_dangky_accepts_lower_case_and_spaces_and_joins_several_units(bot, db):
    assert "Đã đăng ký" in say(bot, "/dangky k7m2 qx9p")
    assert "Đã đăng ký" in say(bot, "/dangky R4T8WV3N")
    assert "đã ở trong đơn vị" in say(bot, "/dangky K7M2QX9P")
    assert member_codes(db) == ["BP-01", "BP-02"]


def test_dangky_without_a_code_explains_how(bot):
    assert "/dangky K7M2QX9P" in say(bot, "/dangky")


def test_wrong_code_is_told_plainly_and_changes_nothing(bot, db):
    text = say(bot, "/dangky ZZZZ9999")
    assert "Mã «ZZZZ9999» không đúng" in text and "Còn 4 lần thử" in text
    assert member_codes(db) == []
    assert "không đúng dạng" in say(bot, "/dangky mã-sai!")


def test_guessing_is_locked_after_five_wrong_codes_even_the_right_one_then_unlocked(bot, db):
    for i in range(4):
        say(bot, f"/dangky WRONG00{i}")
    assert "sai mã 5 lần" in say(bot, "/dangky WRONG009")
    locked = say(bot, "/dangky K7M2QX9P")
    assert "thử lại sau khoảng 15 phút" in locked and member_codes(db) == []
    assert "Đã đăng ký" in say(bot, "/dangky K7M2QX9P", chat="200")  # other chats are not affected
    clock.set_now(NOW + timedelta(minutes=16))
    assert "Đã đăng ký" in say(bot, "/dangky K7M2QX9P")


def test_lock_survives_a_restart_because_attempts_are_stored(bot, db):
    for i in range(5):
        say(bot, f"/dangky WRONG00{i}")
    restarted = Assistant(db)
    assert "thử lại sau" in "\n".join(r.text for r in restarted.handle(msg("/dangky K7M2QX9P")))


def test_roi_leaves_the_only_unit_and_cancels_its_pending_reminders(bot, db):
    say(bot, "/dangky K7M2QX9P")
    from scheduler import reminders
    reminders.plan_due(db, local("2023-03-07 09:00"))  # plans the 08/03 reminder for 15/03
    assert outbox.rows(db, "status = 'pending' AND chat_id = '100'")
    assert "Đã rời đơn vị «Công đoàn BP-01»" in say(bot, "/roi")
    assert member_codes(db) == []
    assert outbox.rows(db, "status = 'pending' AND chat_id = '100'") == []


def test_roi_with_several_units_asks_which_and_leaves_the_named_one(bot, db):
    say(bot, "/dangky K7M2QX9P")
    say(bot, "/dangky R4T8WV3N")
    text = say(bot, "/roi")
    assert "/roi kèm mã đơn vị" in text and "BP-01" in text and "BP-02" in text
    assert member_codes(db) == ["BP-01", "BP-02"]
    assert "không ở đơn vị có mã «BP-09»" in say(bot, "/roi BP-09")
    assert "Đã rời" in say(bot, "/roi bp-02")
    assert member_codes(db) == ["BP-01"]


def test_roi_when_not_registered_says_so(bot):
    assert "chưa đăng ký đơn vị nào" in say(bot, "/roi")


def test_nhacnho_tat_and_bat_switch_reminders_for_the_officer(bot, db):
    say(bot, "/dangky K7M2QX9P")
    assert "Đã tắt nhắc hạn" in say(bot, "/nhacnho tắt")
    assert not store.find_officer(db, "telegram", "100").reminders_enabled
    assert "đang tắt" in say(bot, "/nhacnho")
    assert "Đã bật nhắc hạn" in say(bot, "/nhacnho bat")
    assert store.find_officer(db, "telegram", "100").reminders_enabled
    assert "Gõ /nhacnho tat" in say(bot, "/nhacnho linh tinh")


def test_commands_are_listed_in_help(bot):
    text = say(bot, "/help")
    for command in ("/dangky", "/roi", "/hanchot", "/lich", "/nhacnho"):
        assert command in text


def test_registration_rate_limit_constants_are_what_the_texts_say():
    assert registration.MAX_FAILURES == 5 and registration.FAILURE_WINDOW == timedelta(minutes=15)
