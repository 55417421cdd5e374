"""👍/👎 count only from the person who asked: a vote on someone else's answer (a group member, or a
forged button) is refused with a short note and nothing is stored; the asker votes as before."""
from __future__ import annotations

import asyncio
import time

import pytest

from handlers import texts
from handlers.assistant import Assistant
from handlers.messages import Incoming
from telegram_emulator import BOT_ID, BOT_USERNAME, CLEAR_QUESTION, ChatUser, bot_api, emulator, running_bot  # noqa: F401

QUESTION = "đại hội hợp lệ khi nào"


@pytest.fixture
def bot(loaded_db):
    return Assistant(loaded_db)


def votes(db):
    return db.execute("SELECT question_id, channel, user_id, value FROM feedback").fetchall()


def answer(bot, user="u1", chat=None, channel="telegram"):
    [reply] = bot.handle(Incoming(channel, chat or user, user, QUESTION, is_group=chat is not None))
    assert reply.feedback and reply.question_id
    return reply.question_id


def test_a_vote_from_someone_who_did_not_ask_is_refused_and_stores_nothing(bot):
    qid = answer(bot, "u1")
    reply = bot.feedback(Incoming("telegram", "u2", "u2", ""), qid, -1)
    assert (reply.text, reply.kind) == (texts.FEEDBACK_NOT_ASKER, "error")
    assert votes(bot.db) == []
    assert bot.feedback(Incoming("telegram", "u1", "u1", ""), qid, 1).text == texts.FEEDBACK_THANKS_UP
    assert votes(bot.db) == [(qid, "telegram", "u1", 1)]


def test_the_same_id_on_another_channel_is_another_person(bot):
    qid = answer(bot, "42", channel="zalo")
    reply = bot.feedback(Incoming("telegram", "42", "42", ""), qid, 1)
    assert reply.text == texts.FEEDBACK_NOT_ASKER and votes(bot.db) == []


def test_in_a_group_only_the_member_who_asked_votes(bot):
    qid = answer(bot, "u1", chat="-100300")
    other = bot.feedback(Incoming("telegram", "-100300", "u2", "", is_group=True), qid, 1)
    assert other.text == texts.FEEDBACK_NOT_ASKER and votes(bot.db) == []
    mine = bot.feedback(Incoming("telegram", "-100300", "u1", "", is_group=True), qid, 1)
    assert mine.text == texts.FEEDBACK_THANKS_UP and votes(bot.db) == [(qid, "telegram", "u1", 1)]


async def test_a_forged_vote_button_on_telegram_gets_the_note_and_is_not_stored(bot_api, emulator, tmp_path):
    async with running_bot(bot_api, tmp_path) as running:
        asker = ChatUser(emulator, running.token, user_id=161)
        await asker.send(CLEAR_QUESTION)
        [answered] = await asker.wait_count(1)
        qid = running.db.execute("SELECT MAX(id) FROM questions").fetchone()[0]
        forger = ChatUser(emulator, running.token, user_id=162)
        forged = {"message_id": answered.message_id, "date": int(time.time()), "chat": forger.chat,
                  "text": answered.text, "from": {"id": BOT_ID, "is_bot": True, "first_name": "Bot",
                                                  "username": BOT_USERNAME}}
        await forger._post("/sendCallback", {"botToken": running.token, "from": forger.user, "message": forged,
                                             "data": f"f:{qid}:-"})
        deadline = time.monotonic() + 10
        while texts.FEEDBACK_NOT_ASKER not in _callback_answers(bot_api, running.token):
            assert time.monotonic() < deadline, "the forged press was never answered"
            await asyncio.sleep(0.05)
        assert votes(running.db) == []
        await asker.press(answered, "👍")
        await asker.wait_for(lambda ms: texts.FEEDBACK_THANKS_UP in _callback_answers(bot_api, running.token),
                             "the asker's vote to be thanked")
        assert votes(running.db) == [(qid, "telegram", "161", 1)]


def _callback_answers(bot_api, token) -> list[str]:
    return [c.get("text") for c in bot_api.calls_of(token, "answerCallbackQuery")]
