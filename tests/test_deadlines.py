"""Lookups for registered officers: /hanchot, /lich, /lich ics, and free-text deadline questions; past
dates are said to be past; everyone else's questions still go to the FAQ."""
import pytest
from icalendar import Calendar

import clock
from handlers.assistant import Assistant
from handlers.deadlines import is_deadline_question
from unit_fixtures import fixture_plans, local, make_officer, make_unit, msg, real_clock  # noqa: F401

pytestmark = pytest.mark.usefixtures("fixture_plans", "real_clock")


@pytest.fixture
def bot(loaded_db):
    db = loaded_db
    clock.set_now(local("2023-03-08 10:00"))
    make_unit(db, "CS1", "2023-03-15", congress_time="08:00", congress_place="Hội trường A", form="dai_bieu",
              members_count=320)
    make_officer(db, "100", "CS1")
    return Assistant(db)


def say(bot, text, chat="100"):
    replies = bot.handle(msg(text, chat))
    return "\n".join(r.text for r in replies)


def test_hanchot_lists_the_next_steps_with_days_left(bot):
    text = say(bot, "/hanchot")
    assert "Công đoàn CS1" in text
    assert "thứ Tư, 15/03/2023, lúc 08:00, tại Hội trường A — còn 7 ngày" in text
    assert "Báo cáo kết quả, đề nghị công nhận" in text and "20/03/2023" in text


def test_hanchot_says_a_past_congress_is_past(bot):
    clock.set_now(local("2023-03-18 09:00"))
    text = say(bot, "/hanchot")
    assert "Đại hội đã diễn ra thứ Tư, 15/03/2023 (đã qua 3 ngày)" in text
    assert "còn 2 ngày" in text  # the report step on 20/03


def test_lich_shows_the_whole_timeline_past_and_undated_steps_included(bot):
    text = say(bot, "/lich")
    assert "đại hội đại biểu" in text and "320 đoàn viên" in text and "Theo: Kế hoạch thử nghiệm." in text
    assert "Gửi hồ sơ văn kiện" in text and "05/03/2023" in text and "đã qua 3 ngày" in text
    assert "Chưa có ngày cụ thể" in text and "Đại hội điểm — Ngày do cấp trên định" in text


def test_lich_ics_returns_a_calendar_document_with_every_dated_step(bot):
    replies = bot.handle(msg("/lich ics"))
    document = replies[0].document
    assert document is not None and document.filename == "lich-cs1.ics"
    assert document.mime_type == "text/calendar"
    calendar = Calendar.from_ical(document.content)
    events = {str(e["summary"]).split(" — ")[0]: e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Đại hội", "Gửi hồ sơ văn kiện, nhân sự lên cấp trên duyệt",
                           "Hạn hoàn thành đại hội công đoàn cơ sở", "Báo cáo kết quả, đề nghị công nhận"}
    start = events["Đại hội"].decoded("dtstart")
    assert start.strftime("%Y-%m-%d %H:%M") == "2023-03-15 08:00" and str(start.tzinfo) == "Asia/Ho_Chi_Minh"
    assert "Danh sách đại biểu" in str(events["Đại hội"]["description"])


def test_lich_with_several_units_asks_for_a_code(bot, db):
    make_unit(db, "CS2", "2023-04-01", invite="INVCS2X")
    say(bot, "/dangky INVCS2X")
    assert "Gõ /lich kèm mã đơn vị" in say(bot, "/lich")
    assert "Lịch của Công đoàn CS2" in say(bot, "/lich cs2")


def test_free_text_deadline_question_is_answered_for_the_officers_unit(bot):
    text = say(bot, "bao giờ đại hội vậy ad")
    assert "Công đoàn CS1" in text and "15/03/2023" in text and "còn 7 ngày" in text
    assert "còn 7 ngày" in say(bot, "con may ngay nua dh")
    hoso = say(bot, "hạn nộp hồ sơ của đơn vị em là bao giờ")
    assert "Gửi hồ sơ văn kiện" in hoso and "đã qua 3 ngày" in hoso


def test_deadline_question_from_someone_not_registered_goes_to_the_faq(bot, db):
    replies = bot.handle(msg("bao giờ đại hội", "999"))
    assert replies[0].kind in ("answer", "suggest", "not_found")
    assert "Công đoàn CS1" not in replies[0].text


def test_rule_questions_from_a_registered_officer_still_go_to_the_faq(bot):
    replies = bot.handle(msg("đại hội hợp lệ khi nào"))
    assert replies[0].kind == "answer" and "2/3" in replies[0].text


@pytest.mark.parametrize("text", [
    "bao giờ đại hội", "bao gio thi dai hoi vay ad", "đại hội của đơn vị em ngày nào", "còn mấy ngày nữa",
    "dh khi nao", "hạn chót của em là khi nào", "lịch đại hội", "khi nào đơn vị em đại hội",
])
def test_questions_about_our_own_dates_are_recognised(text):
    assert is_deadline_question(text)


@pytest.mark.parametrize("text", [
    "đại hội hợp lệ khi nào", "khi nào phải bỏ phiếu kín",
    "Khi nào công đoàn cơ sở tổ chức hội nghị đại biểu hoặc hội nghị toàn thể thay cho đại hội?",
    "Hạn chót chung toàn quốc để hoàn thành đại hội công đoàn cơ sở là khi nào?",
    "Đại hội XIII Công đoàn Việt Nam diễn ra khi nào", "đại hội công đoàn thành phố Hà Nội khi nào",
    "nhiệm kỳ đại hội mấy năm", "Hồ sơ đại hội phải gửi cấp trên trước ngày đại hội bao lâu?",
])
def test_rule_and_other_organisation_questions_are_not_taken_as_our_dates(text):
    assert not is_deadline_question(text)


def test_a_date_that_starts_a_line_starts_with_a_capital(bot):
    for text in (say(bot, "/hanchot"), say(bot, "/lich")):
        for line in text.split("\n"):
            head = line[2:] if line[:2] in ("• ", "✔ ", "▶ ") else ""
            if head[:3].lower() in ("thứ", "từ ") or head.startswith("chủ nhật"):
                assert head[0].isupper(), line
    assert "• Chủ nhật, 05/03/2023" in say(bot, "/lich") or "✔ Chủ nhật, 05/03/2023" in say(bot, "/lich")
