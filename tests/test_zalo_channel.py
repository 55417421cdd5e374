"""The Zalo channel end to end over real HTTP on 127.0.0.1: the fake Zalo server pushes updates to the
assistant's webhook (served by uvicorn) with the secret, and records what the assistant sends back."""
from __future__ import annotations

import asyncio
import logging
import re
import time
from pathlib import Path

import pytest
from starlette.applications import Starlette

from channels import zalo
from channels.zalo import WEBHOOK_PATH, ZaloChannel, message_parts, parse_update, pick_hint, webhook_route
from channels.zalo_client import ZaloClient
from handlers import texts
from handlers.assistant import Assistant
from handlers.messages import Choice, Document, Reply
from storage.knowledge import reload_from_files
from tests.zalo_fake import SECRET, TOKEN, running_fake, serve, text_update

FIXTURE_KNOWLEDGE = Path(__file__).parent / "fixtures" / "knowledge"


@pytest.fixture
def bot(db):
    reload_from_files(db, FIXTURE_KNOWLEDGE)
    return Assistant(db)


@pytest.fixture
async def fake():
    async with running_fake() as server:
        yield server


class Zalo:
    """The channel behind its webhook, and the fake Zalo server in front of it."""

    def __init__(self, fake, channel, url):
        self.fake, self.channel, self.url = fake, channel, url

    async def push(self, update, secret=SECRET):
        return await self.fake.push(update, url=self.url, secret=secret)

    async def say(self, text, chat_id="u-officer-1", wrapped=True):
        """Push a text message and wait until its answer has been sent; returns the new texts."""
        before = len(self.fake.sent)
        response = await self.push(text_update(text, chat_id=chat_id, wrapped=wrapped))
        assert response.status_code == 200
        assert await self.channel.wait_idle(timeout=5)
        return [m["text"] for m in self.fake.sent[before:] if m["chat_id"] == chat_id]


@pytest.fixture
async def zalo_bot(fake, bot):
    client = ZaloClient(TOKEN, fake.base_url)
    channel = ZaloChannel(bot, client, outbox_rate=0)
    async with serve(Starlette(routes=[webhook_route(channel, SECRET)])) as base:
        yield Zalo(fake, channel, base + WEBHOOK_PATH)
        await channel.wait_idle(timeout=5)
    await client.close()


def entry_answers(db) -> dict[str, str]:
    return dict(db.execute("SELECT question, answer FROM faq_entries").fetchall())


def numbered(text: str) -> list[str]:
    return re.findall(r"^\d+\. (.+)$", text, flags=re.M)


# -- questions and choices -----------------------------------------------------------------------------
async def test_question_gets_its_answer_with_source(zalo_bot):
    [answer] = await zalo_bot.say("cho em hỏi đại hội hợp lệ khi nào ạ")
    assert "2/3" in answer
    assert "Nguồn: Điều lệ CĐVN khóa XII, Điều 10 khoản 1" in answer


async def test_flat_body_is_accepted_like_the_wrapped_one(zalo_bot):
    [answer] = await zalo_bot.say("bch cdcs bao nhieu uy vien", wrapped=False)
    assert "từ 03 đến 15 ủy viên" in answer


async def test_ambiguous_question_offers_numbered_choices_and_a_number_picks(zalo_bot, db):
    [menu] = await zalo_bot.say("uy vien bao nhieu")
    labels = numbered(menu)
    assert len(labels) >= 2
    assert menu.rstrip().endswith(pick_hint(len(labels)))
    [picked] = await zalo_bot.say("2")
    assert entry_answers(db)[labels[1]] in picked


async def test_topic_menu_is_numbered_and_a_number_opens_the_topic(zalo_bot):
    [topics] = await zalo_bot.say("chủ đề")
    assert numbered(topics) == ["Chủ đề thử nghiệm"]
    assert "Trả lời 1 để chọn." in topics
    [questions] = await zalo_bot.say("1")
    assert "Đại hội hợp lệ khi có bao nhiêu người dự?" in numbered(questions)


async def test_numbers_pick_per_chat(zalo_bot, db):
    [menu] = await zalo_bot.say("uy vien bao nhieu", chat_id="u-a")
    [other] = await zalo_bot.say("1", chat_id="u-b")  # nothing was offered to u-b
    assert entry_answers(db)[numbered(menu)[0]] not in other


def test_pick_hint_reads_naturally():
    assert pick_hint(2) == "Trả lời 1 hoặc 2 để chọn."
    assert pick_hint(3) == "Trả lời 1, 2 hoặc 3 để chọn."
    assert pick_hint(7) == "Trả lời một số từ 1 đến 7 để chọn."


# -- the webhook's guard ------------------------------------------------------------------------------
@pytest.mark.parametrize("secret", [None, "", "wrong-secret-value-0123456789", SECRET + "x", SECRET[:-1]])
async def test_webhook_without_the_right_secret_is_refused_and_nothing_happens(zalo_bot, db, secret):
    response = await zalo_bot.push(text_update("đại hội hợp lệ khi nào"), secret=secret)
    assert response.status_code == 403
    assert await zalo_bot.channel.wait_idle(timeout=5)
    assert zalo_bot.fake.sent == []
    assert db.execute("SELECT COUNT(*) FROM zalo_seen_messages").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM questions").fetchone()[0] == 0


async def test_body_that_is_not_json_gets_400(zalo_bot):
    import httpx
    async with httpx.AsyncClient() as client:
        response = await client.post(zalo_bot.url, content=b"{not json",
                                     headers={"X-Bot-Api-Secret-Token": SECRET})
    assert response.status_code == 400


async def test_webhook_answers_at_once_and_replies_in_the_background(zalo_bot):
    zalo_bot.fake.send_delay = 1.0
    started = time.monotonic()
    response = await zalo_bot.push(text_update("đại hội hợp lệ khi nào"))
    elapsed = time.monotonic() - started
    assert response.status_code == 200 and response.json()["outcome"] == "queued"
    assert elapsed < 0.8
    await zalo_bot.fake.wait_sent(1)
    assert "2/3" in zalo_bot.fake.sent[0]["text"]


async def test_same_update_delivered_twice_is_answered_once(zalo_bot, db):
    update = text_update("đại hội hợp lệ khi nào", message_id="dup-1")
    first, second = await zalo_bot.push(update), await zalo_bot.push(update)
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json()["outcome"] == "duplicate"
    assert await zalo_bot.channel.wait_idle(timeout=5)
    assert len(zalo_bot.fake.sent) == 1
    assert db.execute("SELECT COUNT(*) FROM questions").fetchone()[0] == 1


async def test_repeat_after_a_restart_is_still_dropped(zalo_bot, bot, fake):
    update = text_update("đại hội hợp lệ khi nào", message_id="dup-2")
    await zalo_bot.push(update)
    assert await zalo_bot.channel.wait_idle(timeout=5)
    async with ZaloClient(TOKEN, fake.base_url) as client:
        restarted = ZaloChannel(Assistant(bot.db), client)
        assert restarted.receive(update) == "duplicate"
    assert len(fake.sent) == 1


async def test_message_from_a_bot_is_ignored(zalo_bot):
    update = text_update("đại hội hợp lệ khi nào")
    update["result"]["message"]["from"]["is_bot"] = True
    response = await zalo_bot.push(update)
    assert response.json()["outcome"] == "ignored"
    assert await zalo_bot.channel.wait_idle(timeout=5)
    assert zalo_bot.fake.sent == []


# -- non-text events -----------------------------------------------------------------------------------
@pytest.mark.parametrize("event, expected", [
    ("message.unsupported.received", zalo.UNSUPPORTED_REPLY),
    ("message.image.received", zalo.IMAGE_REPLY),
    ("message.sticker.received", zalo.STICKER_REPLY),
    ("message.voice.received", zalo.UNSUPPORTED_REPLY),
    ("message.something.new", zalo.UNSUPPORTED_REPLY),
])
async def test_non_text_event_gets_a_polite_vietnamese_reply(zalo_bot, event, expected):
    response = await zalo_bot.push(text_update("", chat_id="u-x", event=event))
    assert response.status_code == 200
    await zalo_bot.fake.wait_sent(1)
    assert zalo_bot.fake.sent == [{"chat_id": "u-x", "text": expected}]


async def test_update_without_a_message_is_acknowledged_and_ignored(zalo_bot):
    response = await zalo_bot.push({"ok": True, "result": {"event_name": "bot.added"}})
    assert response.status_code == 200 and response.json()["outcome"] == "ignored"
    assert zalo_bot.fake.sent == []


def test_parse_update_reads_group_chats_and_tolerates_odd_shapes():
    update = text_update("hỏi", chat_id="g1")
    update["result"]["message"]["chat"]["chat_type"] = "GROUP"
    update["result"]["message"]["from"]["id"] = "u9"
    parsed = parse_update(update)
    assert (parsed.chat_id, parsed.user_id, parsed.is_group, parsed.text) == ("g1", "u9", True, "hỏi")
    assert parse_update([]) is None
    assert parse_update({"result": {"message": {"text": "no chat"}}}) is None
    assert parse_update({"message": {"chat": {"id": 12}, "text": 5}}).text == ""


# -- long texts ----------------------------------------------------------------------------------------
async def test_long_reply_is_split_into_parts_of_at_most_2000_characters(zalo_bot):
    paragraphs = [f"Đoạn {i}: " + "nội dung hướng dẫn tổ chức đại hội công đoàn. " * 12 for i in range(12)]
    long_text = "\n\n".join(paragraphs)
    assert len(long_text) > 4500
    await zalo_bot.channel.answer("u-long", [Reply(long_text, source="HD 03/HD-TLĐ")])
    parts = zalo_bot.fake.texts_to("u-long")
    assert zalo_bot.fake.count("sendMessage") == len(parts) == 4  # ~570-character paragraphs: three fit in 2,000, four do not
    assert all(1 <= len(p) <= 2000 for p in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(f"{long_text}\n\n📄 Nguồn: HD 03/HD-TLĐ".split())
    assert all(p.startswith("Đoạn") for p in parts)  # cut at paragraph ends


def test_split_counts_emoji_as_two_units_and_keeps_exactly_2000_whole():
    assert message_parts("a" * 2000) == ["a" * 2000]
    parts = message_parts("😀" * 1500)
    assert len(parts) == 2 and all(len(p.encode("utf-16-le")) // 2 <= 2000 for p in parts)


def test_choices_and_documents_render_as_text():
    reply = Reply("Chọn một câu:", choices=[Choice("faq:a", "Câu A"), Choice("faq:b", "Câu B")],
                  document=Document("lich-dai-hoi.ics", b"BEGIN:VCALENDAR"))
    text = zalo.render(reply)
    assert "1. Câu A\n2. Câu B" in text
    assert "Trả lời 1 hoặc 2 để chọn." in text
    assert "«lich-dai-hoi.ics»" in text


# -- API errors while answering ------------------------------------------------------------------------
async def test_ok_false_from_send_message_is_logged_and_the_next_message_is_answered(zalo_bot, caplog):
    caplog.set_level(logging.WARNING, logger="channels.zalo")
    zalo_bot.fake.fail("sendMessage", status=200, error_code=400, description="Bad Request: invalid chat")
    assert await zalo_bot.say("đại hội hợp lệ khi nào") == []
    assert "400" in caplog.text and "invalid chat" in caplog.text
    [answer] = await zalo_bot.say("bch cdcs bao nhieu uy vien")
    assert "từ 03 đến 15" in answer


async def test_429_while_answering_backs_off_and_still_delivers(zalo_bot):
    zalo_bot.fake.fail("sendMessage", status=429, error_code=429, description="Quota exceeded", retry_after=0.2)
    started = time.monotonic()
    [answer] = await zalo_bot.say("đại hội hợp lệ khi nào")
    assert "2/3" in answer
    assert time.monotonic() - started >= 0.2
    assert zalo_bot.fake.count("sendMessage") == 2


async def test_handler_crash_is_logged_and_the_person_gets_an_apology(zalo_bot, monkeypatch, caplog):
    def broken(msg):
        raise RuntimeError("boom")
    monkeypatch.setattr(zalo_bot.channel.assistant, "handle", broken)
    assert await zalo_bot.say("đại hội hợp lệ khi nào") == [texts.ERROR]
    assert "boom" in caplog.text


async def test_token_and_secret_never_appear_in_logs(zalo_bot, caplog):
    for name in ("", "httpx", "httpcore", "channels"):
        caplog.set_level(logging.DEBUG, logger=name)
    zalo_bot.fake.fail("sendMessage", status=200, error_code=400, description="Bad Request")
    await zalo_bot.say("đại hội hợp lệ khi nào")
    await zalo_bot.say("uy vien bao nhieu")
    await zalo_bot.push(text_update("x"), secret="wrong-secret-123456")
    assert caplog.records
    assert TOKEN not in caplog.text and SECRET not in caplog.text


# -- polling (development) -----------------------------------------------------------------------------
async def test_polling_answers_one_update_per_call_and_stops_cleanly(fake, bot):
    async with ZaloClient(TOKEN, fake.base_url) as client:
        channel = ZaloChannel(bot, client)
        stop = asyncio.Event()
        task = asyncio.create_task(channel.poll(stop, timeout=1))
        fake.queue_update(text_update("đại hội hợp lệ khi nào", chat_id="p1"))
        fake.queue_update(text_update("bch cdcs bao nhieu uy vien", chat_id="p2", wrapped=False))
        await fake.wait_sent(2)
        await fake.wait_for(lambda: fake.count("getUpdates") >= 3)  # one update per call, then a 408
        stop.set()
        await asyncio.wait_for(task, timeout=5)
        assert await channel.wait_idle(timeout=5)
    assert "2/3" in fake.texts_to("p1")[0]
    assert "từ 03 đến 15" in fake.texts_to("p2")[0]


async def test_polling_backs_off_on_errors_and_goes_on(fake, bot, caplog):
    fake.fail("getUpdates", status=500, error_code=500, description="Internal Server Error")
    async with ZaloClient(TOKEN, fake.base_url) as client:
        channel = ZaloChannel(bot, client)
        stop = asyncio.Event()
        task = asyncio.create_task(channel.poll(stop, timeout=1, max_backoff=0.05))
        fake.queue_update(text_update("đại hội hợp lệ khi nào", chat_id="p1"))
        await fake.wait_sent(1)
        stop.set()
        await asyncio.wait_for(task, timeout=5)
    assert "getUpdates failed" in caplog.text


async def test_polling_stops_when_the_token_is_refused(bot, caplog):
    async with running_fake(token="111111111:some-other-token-value") as fake:
        async with ZaloClient(TOKEN, fake.base_url) as client:
            channel = ZaloChannel(bot, client)
            await asyncio.wait_for(channel.poll(asyncio.Event(), timeout=1), timeout=5)
    assert "401" in caplog.text
