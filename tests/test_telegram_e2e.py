"""End-to-end: the real Telegram channel (channels.server + channels.telegram, python-telegram-bot 22)
against the telegram-test-api emulator. Harness and test knowledge: telegram_emulator.py."""
from __future__ import annotations

import asyncio
import logging
import re

import pytest

from handlers import texts
from handlers.messages import Document, Incoming, Reply
from telegram_emulator import (AMBIGUOUS_QUESTION, BOT_ID, BOT_USERNAME, CLEAR_ANSWER, CLEAR_QUESTION,  # noqa: F401
                               LONG_ANSWER, LONG_QUESTION, SPECIAL, TOPIC, UNKNOWN_QUESTION, ChatUser, bot_api,
                               emulator, running_bot)

CALLBACK_RE = re.compile(r"^(c:[a-z]+:[A-Za-z0-9_-]+|c:topics|h:[0-9a-f]+|f:\d+:[+-])$")

EDITION_LINE = "\n📘 Áp dụng: nhiệm kỳ 2023–2028 (Điều lệ CĐVN khóa XII, HD 03/HD-TLĐ, KH 179/KH-TLĐ)"



@pytest.fixture
async def bot(bot_api, tmp_path):
    async with running_bot(bot_api, tmp_path) as running:
        yield running


def feedback_rows(message):
    return [row for row in message.buttons if any(b["callback_data"].startswith("f:") for b in row)]


# -- commands -------------------------------------------------------------------------------------------
async def test_start_command_gets_the_welcome(bot, emulator):
    user = ChatUser(emulator, bot.token, user_id=101)
    await user.send("/start")
    [welcome] = await user.wait_count(1)
    assert welcome.text == bot.assistant.faq.welcome() and "nhiệm kỳ 2025–2030" in welcome.text


async def test_start_with_a_deep_link_payload_hands_the_payload_to_the_assistant(bot_api, emulator, tmp_path):
    received = []

    def customise(assistant):
        def start(msg, args):
            received.append((msg.channel, msg.user_id, args))
            return [Reply("Xin chào!")]
        assistant.add_command("start", start, "Bắt đầu, giới thiệu trợ lý")

    async with running_bot(bot_api, tmp_path, customise=customise) as bot:
        user = ChatUser(emulator, bot.token, user_id=102)
        await user.send("/start DV-0042")
        await user.wait_count(1)
    assert received == [("telegram", "102", "DV-0042")]


async def test_commands_are_registered_with_latin_names_and_vietnamese_descriptions(bot, bot_api):
    [call] = bot_api.calls_of(bot.token, "setMyCommands")
    commands = {c["command"]: c["description"] for c in call["commands"]}
    assert {"start", "help", "hoi", "chude"} <= set(commands)
    assert all(re.fullmatch(r"[a-z0-9_]{1,32}", name) for name in commands)
    assert commands["chude"] == "Xem câu hỏi theo chủ đề"


async def test_help_lists_the_commands(bot, emulator):
    user = ChatUser(emulator, bot.token, user_id=103)
    await user.send("/help")
    [help_message] = await user.wait_count(1)
    assert "/hoi" in help_message.text and "/chude" in help_message.text


async def test_unknown_command_in_a_private_chat_is_explained(bot, emulator):
    user = ChatUser(emulator, bot.token, user_id=104)
    await user.send("/khongco")
    [reply] = await user.wait_count(1)
    assert reply.text == texts.UNKNOWN_COMMAND.format(command="/khongco")


# -- answers --------------------------------------------------------------------------------------------
async def test_clear_question_gets_the_answer_with_source_and_feedback_buttons(bot, emulator, bot_api):
    user = ChatUser(emulator, bot.token, user_id=110)
    await user.send(CLEAR_QUESTION)
    [answer] = await user.wait_count(1)
    assert answer.text == f"{CLEAR_ANSWER}\n\n📄 Nguồn: Điều lệ CĐVN khóa XII, Điều 10" + EDITION_LINE
    assert [b["text"] for row in feedback_rows(answer) for b in row] == ["👍 Hữu ích", "👎 Chưa đúng"]
    [sent] = bot_api.calls_of(bot.token, "sendMessage")
    assert "parse_mode" not in sent  # plain text: nothing is interpreted


async def test_hoi_command_answers_its_question(bot, emulator):
    user = ChatUser(emulator, bot.token, user_id=111)
    await user.send(f"/hoi {CLEAR_QUESTION}")
    [answer] = await user.wait_count(1)
    assert answer.text.startswith(CLEAR_ANSWER)


async def test_special_characters_in_question_and_answer_arrive_exactly(bot, emulator, bot_api):
    user = ChatUser(emulator, bot.token, user_id=112)
    await user.send(f"ký hiệu đặc biệt trong biểu mẫu <phiếu bầu> & [mẫu] {SPECIAL}")
    [answer] = await user.wait_count(1)
    assert answer.text == ("Ghi đúng các ký hiệu: _gạch dưới_ *sao* [ngoặc vuông] (ngoặc tròn) <b>nhỏ hơn</b> & và."
                           "\n\n📄 Nguồn: Biểu mẫu <số 1> & [phụ lục] (thử) *_*" + EDITION_LINE)
    [sent] = bot_api.calls_of(bot.token, "sendMessage")
    assert "parse_mode" not in sent and "entities" not in sent
    [row] = bot.db.execute("SELECT text FROM questions").fetchall()
    assert SPECIAL in row[0]


async def test_ambiguous_question_offers_buttons_and_a_press_answers_in_place(bot, emulator):
    reply, _ = bot.assistant.faq.ask(_incoming(AMBIGUOUS_QUESTION), log=False)
    assert reply.kind == "suggest", "precondition: the test knowledge must make this question ambiguous"
    user = ChatUser(emulator, bot.token, user_id=120)
    await user.send(AMBIGUOUS_QUESTION)
    [suggest] = await user.wait_count(1)
    assert suggest.text.startswith(texts.SUGGEST_INTRO)
    datas = [b["callback_data"] for row in suggest.buttons for b in row]
    assert len(datas) >= 2
    assert all(len(d.encode()) <= 64 and CALLBACK_RE.match(d) for d in datas)  # short ids, no question text

    await user.press(suggest, "tại hội nghị")
    messages = await user.wait_for(lambda ms: ms[0].text.startswith("Ban chấp hành bầu"), "the edited answer")
    assert len(messages) == 1  # answered in place, no new message
    [edited] = messages
    assert edited.text == "Ban chấp hành bầu chủ tịch tại hội nghị lần thứ nhất.\n\n📄 Nguồn: HD 03/HD-TLĐ, mục 10" + EDITION_LINE
    assert feedback_rows(edited) and len(edited.buttons) == 1  # suggestions gone, 👍/👎 in their place
    [(entry_id,)] = bot.db.execute("SELECT entry_id FROM questions").fetchall()
    assert entry_id == "bau-chu-tich-tai-hoi-nghi"


async def test_feedback_press_is_stored_and_thanked(bot, emulator, bot_api):
    user = ChatUser(emulator, bot.token, user_id=121)
    await user.send(CLEAR_QUESTION)
    [answer] = await user.wait_count(1)
    await user.press(answer, "👍")
    await user.wait_for(lambda ms: not feedback_rows(ms[0]), "the 👍/👎 row to go")
    [(value, channel, user_id)] = bot.db.execute("SELECT value, channel, user_id FROM feedback").fetchall()
    assert (value, channel, user_id) == (1, "telegram", "121")
    assert texts.FEEDBACK_THANKS_UP in [c.get("text") for c in bot_api.calls_of(bot.token, "answerCallbackQuery")]


async def test_question_the_knowledge_does_not_cover_says_so_and_offers_topics(bot, emulator):
    user = ChatUser(emulator, bot.token, user_id=130)
    await user.send(UNKNOWN_QUESTION)
    [reply] = await user.wait_count(1)
    assert reply.text.startswith(texts.NOT_FOUND)
    assert TOPIC in reply.labels
    [(outcome,)] = bot.db.execute("SELECT outcome FROM questions").fetchall()
    assert outcome == "not_found"


async def test_long_answer_is_split_at_paragraphs_under_4096_characters(bot, emulator):
    user = ChatUser(emulator, bot.token, user_id=140)
    await user.send(LONG_QUESTION)
    parts = await user.wait_count(3)
    assert len(parts) == 3
    assert all(len(p.text) <= 4096 for p in parts)
    assert all(p.text.endswith(".") for p in parts[:-1])  # cut at a paragraph or sentence end
    assert "\n\n".join(p.text for p in parts) == f"{LONG_ANSWER}\n\n📄 Nguồn: Tài liệu tập huấn (thử)" + EDITION_LINE
    assert [bool(feedback_rows(p)) for p in parts] == [False, False, True]


async def test_topics_browse_to_a_question_and_back_with_buttons(bot, emulator):
    user = ChatUser(emulator, bot.token, user_id=150)
    await user.send("/chude")
    [menu] = await user.wait_count(1)
    assert menu.text == texts.TOPICS_INTRO and TOPIC in menu.labels
    await user.press(menu, TOPIC)
    [questions] = await user.wait_for(lambda ms: ms[0].text.startswith("Các câu hỏi trong chủ đề"), "questions")
    assert "⬅️ Quay lại" in questions.labels
    await user.press(questions, "Quay lại")
    [menu] = await user.wait_for(lambda ms: ms[0].text == texts.TOPICS_INTRO, "the topic menu again")
    await user.press(menu, TOPIC)
    [questions] = await user.wait_for(lambda ms: ms[0].text.startswith("Các câu hỏi trong chủ đề"), "questions")
    await user.press(questions, "Nhiệm kỳ đại hội")
    [answer] = await user.wait_for(lambda ms: ms[0].text.startswith(CLEAR_ANSWER), "the answer in place")
    assert not any(b["callback_data"].startswith("c:") for row in answer.buttons for b in row)  # menu gone


async def test_long_answer_picked_from_a_menu_fills_the_menu_message_and_sends_the_rest(bot, emulator):
    user = ChatUser(emulator, bot.token, user_id=151)
    await user.send("/chude")
    [menu] = await user.wait_count(1)
    await user.press(menu, TOPIC)
    [questions] = await user.wait_for(lambda ms: ms[0].text.startswith("Các câu hỏi trong chủ đề"), "questions")
    await user.press(questions, "Chuẩn bị văn kiện")
    parts = await user.wait_count(3)
    assert parts[0].message_id == menu.message_id and parts[0].buttons == []  # the menu became part 1
    assert all(len(p.text) <= 4096 for p in parts)
    assert "\n\n".join(p.text for p in parts) == f"{LONG_ANSWER}\n\n📄 Nguồn: Tài liệu tập huấn (thử)" + EDITION_LINE


async def test_many_users_at_once_each_get_their_own_answer(bot, emulator):
    users = [ChatUser(emulator, bot.token, user_id=160 + i) for i in range(6)]
    questions = [CLEAR_QUESTION if i % 2 else UNKNOWN_QUESTION for i in range(6)]
    await asyncio.gather(*(u.send(q) for u, q in zip(users, questions)))
    for user, question in zip(users, questions):
        [reply] = await user.wait_count(1)
        expected = CLEAR_ANSWER if question == CLEAR_QUESTION else texts.NOT_FOUND
        assert reply.text.startswith(expected)


async def test_reply_with_a_document_sends_the_text_then_the_file(bot_api, emulator, tmp_path):
    def customise(assistant):
        assistant.add_command("lich", lambda msg, args: [Reply(
            "Lịch đại hội của đơn vị:", document=Document("lich-dai-hoi.ics", b"BEGIN:VCALENDAR", "text/calendar"))],
            "Lịch đại hội")

    async with running_bot(bot_api, tmp_path, customise=customise) as bot:
        user = ChatUser(emulator, bot.token, user_id=141)
        await user.send("/lich")
        [text] = await user.wait_count(1)
        await _wait_call(bot_api, bot.token, "sendDocument", lambda c: True)
    assert text.text == "Lịch đại hội của đơn vị:"
    [document] = bot_api.calls_of(bot.token, "sendDocument")
    assert document["_filename"] == "lich-dai-hoi.ics" and document["chat_id"] == "141"


async def test_outbox_sender_delivers_a_reminder_text_to_a_chat(bot, emulator):
    send = bot.runtime.senders["telegram"]
    await send("143", "Nhắc việc: còn 7 ngày đến đại hội công đoàn cơ sở.")
    [reminder] = await ChatUser(emulator, bot.token, user_id=143).wait_count(1)
    assert reminder.text == "Nhắc việc: còn 7 ngày đến đại hội công đoàn cơ sở." and reminder.buttons == []


# -- robustness -----------------------------------------------------------------------------------------
async def test_exception_in_a_handler_is_logged_apologised_for_and_the_bot_goes_on(
        bot_api, emulator, tmp_path, caplog):
    def customise(assistant):
        def explode(msg, args):
            raise RuntimeError("handler exploded")
        assistant.add_command("hong", explode, "Lệnh thử lỗi")

    caplog.set_level(logging.ERROR, logger="channels.telegram")
    async with running_bot(bot_api, tmp_path, customise=customise) as bot:
        user = ChatUser(emulator, bot.token, user_id=170)
        await user.send("/hong")
        [apology] = await user.wait_count(1)
        assert apology.text == texts.ERROR
        await user.send(CLEAR_QUESTION)
        messages = await user.wait_count(2)
        assert messages[1].text.startswith(CLEAR_ANSWER)
    [record] = [r for r in caplog.records if r.exc_info and "handler exploded" in str(r.exc_info[1])]
    assert record.getMessage().startswith("Exception while handling update ")
    assert "(message, private chat 170)" in record.getMessage() and "/hong" not in record.getMessage()


async def test_sticker_photo_and_voice_in_a_private_chat_get_a_please_type(bot, emulator):
    user = ChatUser(emulator, bot.token, user_id=180)
    file = {"file_id": "f1", "file_unique_id": "u1"}
    await user.send(sticker={**file, "width": 512, "height": 512, "is_animated": False, "is_video": False,
                             "type": "regular"})
    await user.send(photo=[{**file, "width": 90, "height": 90}])
    await user.send(voice={**file, "duration": 3})
    messages = await user.wait_count(3)
    assert [m.text for m in messages] == [texts.NON_TEXT] * 3


async def test_edited_question_in_a_private_chat_is_answered_again(bot, emulator, bot_api):
    user = ChatUser(emulator, bot.token, user_id=181)
    edited = user.message(CLEAR_QUESTION, edit_date=user.message()["date"])
    bot_api.inject(bot.token, {"update_id": 50_000_001, "edited_message": edited})
    [answer] = await user.wait_count(1)
    assert answer.text.startswith(CLEAR_ANSWER)


async def test_unknown_button_data_gets_a_short_notice_and_changes_nothing(bot, emulator, bot_api):
    user = ChatUser(emulator, bot.token, user_id=182)
    await user.send(UNKNOWN_QUESTION)
    [reply] = await user.wait_count(1)
    reply.buttons[0][0]["callback_data"] = "x:cu"
    await user.press(reply, TOPIC)
    await _wait_call(bot_api, bot.token, "answerCallbackQuery", lambda c: c.get("text") == texts.PICK_EXPIRED)
    [after] = await user.bot_messages()
    assert after.text == reply.text


async def test_button_for_a_removed_entry_says_the_choice_expired_in_place(bot, emulator):
    user = ChatUser(emulator, bot.token, user_id=183)
    await user.send(UNKNOWN_QUESTION)
    [reply] = await user.wait_count(1)
    reply.buttons[0][0]["callback_data"] = "c:faq:muc-da-xoa"
    await user.press(reply, TOPIC)
    await user.wait_for(lambda ms: ms[0].text == texts.PICK_EXPIRED, "the expired notice in place")


# -- groups ---------------------------------------------------------------------------------------------
GROUP_ID = -100200300


async def test_group_is_answered_only_when_addressed(bot, emulator):
    lan = ChatUser(emulator, bot.token, user_id=190, chat_id=GROUP_ID, chat_type="supergroup")
    await lan.send(CLEAR_QUESTION)                              # not addressed: silence
    await lan.send("/help@AnotherBot")                          # another bot's command: silence
    await lan.send("/lenhla")                                   # unknown command: silence
    await lan.send(f"/hoi@{BOT_USERNAME} {CLEAR_QUESTION}")     # addressed
    [first] = await lan.wait_count(1)
    assert first.text.startswith(CLEAR_ANSWER)
    mention = f"@{BOT_USERNAME}"
    await lan.send(f"{mention} {UNKNOWN_QUESTION}",
                   entities=[{"type": "mention", "offset": 0, "length": len(mention)}])
    await lan.wait_count(2)
    reply_to_bot = {"message_id": first.message_id, "date": 1, "chat": lan.chat, "text": first.text,
                    "from": {"id": BOT_ID, "is_bot": True, "first_name": "Bot", "username": BOT_USERNAME}}
    await lan.send(CLEAR_QUESTION, reply_to_message=reply_to_bot)
    messages = await lan.wait_count(3)
    assert [m.text.split("\n")[0] for m in messages] == [CLEAR_ANSWER, texts.NOT_FOUND.split("\n")[0],
                                                          CLEAR_ANSWER]
    assert messages[0].params["reply_parameters"]  # answers quote the asker in a group
    outcomes = bot.db.execute("SELECT text FROM questions ORDER BY id").fetchall()
    assert [t for (t,) in outcomes] == [CLEAR_QUESTION, UNKNOWN_QUESTION, CLEAR_QUESTION]  # mention removed


async def test_group_gets_one_message_for_a_long_answer_and_nothing_for_stickers(bot, emulator):
    lan = ChatUser(emulator, bot.token, user_id=191, chat_id=GROUP_ID - 1, chat_type="group")
    await lan.send(sticker={"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1,
                            "is_animated": False, "is_video": False, "type": "regular"})
    await lan.send(f"/hoi {LONG_QUESTION}")
    [reply] = await lan.wait_count(1)
    await lan.send(f"/hoi {CLEAR_QUESTION}")
    messages = await lan.wait_count(2)
    assert len(messages) == 2  # nothing for the sticker, one message for the long answer
    assert len(reply.text) <= 4096 and f"t.me/{BOT_USERNAME}" in reply.text
    assert reply.text.startswith(LONG_ANSWER[:200])


async def test_edited_message_in_a_group_is_ignored(bot, emulator, bot_api):
    lan = ChatUser(emulator, bot.token, user_id=192, chat_id=GROUP_ID - 2, chat_type="group")
    edited = lan.message(f"/hoi {CLEAR_QUESTION}", edit_date=lan.message()["date"])
    bot_api.inject(bot.token, {"update_id": 50_000_002, "edited_message": edited})
    await lan.send(f"/hoi {UNKNOWN_QUESTION}")
    messages = await lan.wait_count(1)
    await lan.send(f"/hoi {UNKNOWN_QUESTION}")
    messages = await lan.wait_count(2)
    assert [m.text.startswith(texts.NOT_FOUND) for m in messages] == [True, True]


# -- helpers --------------------------------------------------------------------------------------------
def _incoming(text):
    return Incoming("telegram", "0", "0", text)


async def _wait_call(bot_api, token, method, predicate, timeout=10.0):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not any(predicate(c) for c in bot_api.calls_of(token, method)):
        assert loop.time() < deadline, f"no {method} call matched"
        await asyncio.sleep(0.05)
