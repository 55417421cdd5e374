"""The assistant's flows on a small fixed knowledge set: answers, suggestions, picks, feedback, bad input."""
from pathlib import Path

import pytest

from handlers import texts
from handlers.assistant import Assistant, MAX_QUESTION_CHARS
from handlers.messages import Incoming
from storage.knowledge import reload_from_files

FIXTURE_KNOWLEDGE = Path(__file__).parent / "fixtures" / "knowledge"


@pytest.fixture
def bot(db):
    reload_from_files(db, FIXTURE_KNOWLEDGE)
    return Assistant(db)


def say(bot, text, chat="c1"):
    return bot.handle(Incoming("console", chat, "u1", text))


def question_rows(db):
    return db.execute("SELECT text, outcome, entry_id, channel FROM questions ORDER BY id").fetchall()


def test_clear_question_is_answered_with_source_and_logged(bot, db):
    [reply] = say(bot, "cho em hỏi đại hội hợp lệ khi nào ạ")
    assert reply.kind == "answer"
    assert "2/3" in reply.text
    assert "Điều 10" in reply.full_text()
    assert reply.feedback and reply.question_id
    assert question_rows(db) == [("cho em hỏi đại hội hợp lệ khi nào ạ", "answered", "thu-hop-le", "console")]


def test_unaccented_question_with_abbreviations_is_answered(bot):
    [reply] = say(bot, "bch cdbp toi da may nguoi")
    assert reply.kind == "answer" and reply.entry_id == "thu-bch-bo-phan"


def test_ambiguous_question_offers_numbered_choices_and_number_picks(bot, db):
    [reply] = say(bot, "uy vien bao nhieu")
    assert reply.kind == "suggest"
    assert len(reply.choices) >= 2
    keys = [c.key for c in reply.choices]
    assert all(len(k.encode()) <= 64 for k in keys)
    [picked] = say(bot, "2")
    assert picked.kind == "answer"
    assert picked.entry_id == keys[1][4:]
    # the pick is attached to the logged question, so feedback refers to the right entry
    assert db.execute("SELECT entry_id FROM questions").fetchone()[0] == picked.entry_id


def test_number_out_of_range_is_told_plainly(bot):
    say(bot, "uy vien bao nhieu")
    [reply] = say(bot, "9")
    assert reply.kind == "error" and "từ 1 đến" in reply.text


def test_number_without_pending_choices_says_there_is_no_list(bot, db):
    [reply] = say(bot, "5", chat="fresh")
    assert reply.text == texts.NO_CHOICES and "chủ đề" in reply.text
    assert question_rows(db) == []


def test_number_after_an_answer_does_not_pick_from_an_older_list(bot, db):
    [suggest] = say(bot, "ban chấp hành bao nhiêu ủy viên")
    assert suggest.choices
    [answer] = say(bot, "đại hội hợp lệ khi nào")
    assert answer.kind == "answer"
    [reply] = say(bot, "2")
    assert reply.text == texts.NO_CHOICES
    assert db.execute("SELECT COUNT(*) FROM pending_choices").fetchone()[0] == 0


def test_number_with_a_dot_picks_like_the_bare_number(bot):
    [suggest] = say(bot, "uy vien bao nhieu")
    assert suggest.kind == "suggest"
    [picked] = say(bot, "2.")
    assert picked.kind == "answer" and picked.entry_id == suggest.choices[1].key[4:]


def test_digits_only_is_asked_to_be_written_in_words_not_in_vietnamese(bot):
    [reply] = say(bot, "2023", chat="fresh")
    assert reply.text == texts.NO_LETTERS


def test_unknown_question_says_so_and_lists_topics(bot, db):
    [reply] = say(bot, "giá vàng hôm nay bao nhiêu một lượng")
    assert reply.kind == "not_found"
    assert "chưa có thông tin" in reply.text
    assert [c.label for c in reply.choices] == ["Chủ đề thử nghiệm"]
    assert question_rows(db)[-1][1] == "not_found"


def test_other_organisation_is_out_of_scope(bot):
    [reply] = say(bot, "đại hội đoàn thanh niên cơ sở bầu bao nhiêu ủy viên ban chấp hành")
    assert reply.kind == "not_found"
    assert "Đoàn Thanh niên" in reply.text and "không phải tổ chức Công đoàn" in reply.text


def test_newer_edition_entry_is_labelled_when_asked_for(bot):
    [reply] = say(bot, "theo điều lệ khóa XIII ban chấp hành cơ sở tối đa bao nhiêu ủy viên")
    assert reply.kind == "answer" and reply.entry_id == "thu-bch-khoa-xiii"
    assert reply.edition.startswith("nhiệm kỳ 2025–2030")  # the edition the question named, not the active one
    assert "📘 Áp dụng: nhiệm kỳ 2025–2030" in reply.full_text()


def test_topic_menu_leads_to_questions_and_answer(bot):
    [menu] = say(bot, "/chude")
    assert menu.kind == "menu" and menu.choices
    [questions] = bot.pick(Incoming("console", "c1", "u1", ""), menu.choices[0].key)
    assert questions.back_key == "topics"
    # the newer-edition entry is not listed under the active edition's topics
    assert "thu-bch-khoa-xiii" not in [c.key[4:] for c in questions.choices]
    [answer] = say(bot, "1")
    assert answer.kind == "answer"


def test_feedback_is_stored_once_per_user_and_can_change(bot, db):
    [reply] = say(bot, "đại hội hợp lệ khi nào")
    msg = Incoming("console", "c1", "u1", "")
    assert bot.feedback(msg, reply.question_id, 1).text == texts.FEEDBACK_THANKS_UP
    assert bot.feedback(msg, reply.question_id, -1).text == texts.FEEDBACK_THANKS_DOWN
    assert db.execute("SELECT entry_id, value FROM feedback").fetchall() == [("thu-hop-le", -1)]


def test_feedback_for_unknown_question_changes_nothing(bot, db):
    reply = bot.feedback(Incoming("console", "c1", "u1", ""), 999, 1)
    assert reply.kind == "error"
    assert db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0] == 0


@pytest.mark.parametrize("text,expected", [
    ("xin chào", texts.GREETING),
    ("Cảm ơn ad nhiều nhé", texts.THANKS),
    ("bạn là ai?", texts.WHO_AM_I),
    ("ok", texts.ACK),
    ("Vâng ạ", texts.ACK),
    ("dạ em hiểu rồi", None),   # not an acknowledgement on its own: goes on as a question
    ("hiểu rồi ạ", texts.ACK),
])
def test_small_talk_is_answered_without_logging_a_question(bot, db, text, expected):
    [reply] = say(bot, text)
    if expected is None:
        assert reply.kind != "smalltalk"
        return
    assert reply.text == expected
    assert question_rows(db) == []


def test_the_welcome_says_how_to_see_topics_commands_and_register(bot):
    [reply] = say(bot, "/start")
    assert "«chủ đề»" in reply.text and "/help" in reply.text and "dangky" in reply.text


def test_help_lists_commands(bot):
    [reply] = say(bot, "/help")
    assert "/hoi" in reply.text and "/chude" in reply.text


def test_unknown_command_is_explained(bot):
    [reply] = say(bot, "/xoatatca")
    assert reply.kind == "error" and "/xoatatca" in reply.text


def test_hoi_command_answers_its_argument(bot):
    [reply] = say(bot, "/hoi đại hội hợp lệ khi nào")
    assert reply.kind == "answer"
    [empty] = say(bot, "/hoi")
    assert empty.kind == "error"


BAD_INPUTS = {
    "empty": "",
    "whitespace": "   \t\n  ",
    "huge": "đại hội " * 1250,
    "emoji only": "🙂🎉👍",
    "control characters": "\x00\x01\x02\x1b[31m",
    "sql-looking": "'; DROP TABLE questions; --",
    "chinese": "工会代表大会什么时候召开",
    "russian": "когда проходит съезд профсоюза",
}


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_bad_input_gets_a_vietnamese_reply_and_stores_nothing_wrong(bot, db, name):
    before_entries = db.execute("SELECT COUNT(*) FROM faq_entries").fetchone()[0]
    replies = say(bot, BAD_INPUTS[name])
    assert replies and all(r.text for r in replies)
    assert all(r.kind in ("error", "not_found", "suggest") for r in replies)
    # every reply is Vietnamese (has Vietnamese letters)
    assert all(any(ch in r.text for ch in "ạảãàáâầấậẩẫăắằặẳẵđêếềệểễôốồộổỗơớờợởỡưứừựửữ") for r in replies)
    assert db.execute("SELECT COUNT(*) FROM faq_entries").fetchone()[0] == before_entries
    assert "questions" in db.table_names()
    for text, *_ in question_rows(db):
        assert len(text) <= MAX_QUESTION_CHARS and "\x00" not in text


def test_too_long_message_is_refused_with_its_length(bot, db):
    [reply] = say(bot, "a" * 10_000)
    assert "10000" in reply.text and reply.kind == "error"
    assert question_rows(db) == []


def test_a_two_way_tie_answers_the_likelier_entry_and_offers_the_other_one_tap_away(bot, db):
    [reply] = say(bot, "ban chấp hành bao nhiêu ủy viên")
    assert reply.kind == "answer" and reply.entry_id == "thu-bch-co-so"
    assert [c.key for c in reply.choices] == ["faq:thu-bch-bo-phan"]
    assert reply.full_text().endswith(texts.RELATED_INTRO)
    [picked] = say(bot, "1")
    assert picked.kind == "answer" and picked.entry_id == "thu-bch-bo-phan"
    assert db.execute("SELECT entry_id FROM questions").fetchone()[0] == "thu-bch-bo-phan"


def test_a_clear_answer_offers_no_other_choices(bot):
    [reply] = say(bot, "bch cdbp toi da may nguoi")
    assert reply.kind == "answer" and reply.choices == []
