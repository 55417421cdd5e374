"""/baocao and /tiendo on Telegram, against the telegram-test-api emulator: buttons answer the choice
questions (the question message turns into the next one), typed numbers answer the counts, the summary's
button stores the result; an admin's /tiendo brings the summary and the chart as a photo."""
from __future__ import annotations

import asyncio

import clock
from handlers import results_texts as T
from storage import results as store
from storage.admins import add_admin
from telegram_emulator import ChatUser, bot_api, emulator, running_bot  # noqa: F401
from tests.unit_fixtures import local, make_officer, make_unit, real_clock  # noqa: F401

OFFICER, ADMIN, OTHER = 905, 906, 907


def setup(assistant):
    db = assistant.db
    make_unit(db, "CS-TG", "2023-03-15", plan_id=None, members_count=50)
    make_unit(db, "CS-KHAC", "2023-03-15", plan_id=None)
    make_officer(db, str(OFFICER), "CS-TG")
    make_officer(db, str(OTHER), "CS-KHAC")
    add_admin(db, "telegram", str(ADMIN), clock.now(), name="Quản trị")


def last_is(prefix: str):
    return lambda ms: bool(ms) and ms[-1].text.startswith(prefix)


async def test_an_officer_reports_with_buttons_and_typed_numbers_and_the_admin_sees_progress(
        bot_api, emulator, tmp_path, real_clock):
    clock.set_now(local("2023-03-16 10:00"))
    async with running_bot(bot_api, tmp_path, customise=setup) as bot:
        officer = ChatUser(emulator, bot.token, user_id=OFFICER)
        await officer.send("/baocao")
        messages = await officer.wait_for(last_is("(1/10)"), "the first question")
        assert messages[-2].text.startswith("📝 Báo cáo kết quả đại hội")
        await officer.press(messages[-1], "Hôm qua")
        [*_, question] = await officer.wait_for(last_is("(2/10)"), "the form question, in place")
        assert question.message_id == messages[-1].message_id and "Đại hội toàn thể" in question.labels
        await officer.press(question, "Đại hội toàn thể")
        await officer.wait_for(last_is("(3/10)"), "the convened question")
        for step, text in ((4, "45"), (5, "40"), (6, "7")):
            await officer.send(text)
            await officer.wait_for(last_is(f"({step}/10)"), f"question {step}")
        [*_, chair] = await officer.bot_messages()
        await officer.press(chair, "Đại hội bầu trực tiếp")
        [*_, post] = await officer.wait_for(last_is("(7/10)"), "the post question")
        await officer.press(post, "Trưởng phòng")
        await officer.wait_for(last_is("(8/10)"), "the UBKT question")
        for step, text in ((9, "3"), (10, "0")):
            await officer.send(text)
            await officer.wait_for(last_is(f"({step}/10)"), f"question {step}")
        await officer.send("2")
        [*_, summary] = await officer.wait_for(last_is("📋"), "the summary")
        assert "Triệu tập 45 đoàn viên, có mặt 40" in summary.text and T.SUBMIT in summary.labels
        await officer.press(summary, "Gửi báo cáo")
        await officer.wait_for(last_is("✅ Đã ghi kết quả"), "the confirmation")
        result = store.get(bot.db, "CS-TG")
        assert (result.held_on, result.chair_post, result.delegates_elected, result.bch_women) == \
            ("2023-03-15", "truong_phong", 0, 2)
        assert result.reported_by.startswith(f"telegram:{OFFICER}")

        other = ChatUser(emulator, bot.token, user_id=OTHER)
        await other.send("/baocao CS-TG")
        # The other unit's own "after the congress" reminder may arrive too: look for the refusal.
        refused = T.NOT_ALLOWED.format(name="Công đoàn CS-TG")
        await other.wait_for(lambda ms: any(m.text == refused for m in ms), "the refusal")

        admin = ChatUser(emulator, bot.token, user_id=ADMIN)
        await admin.send("/tiendo")
        [report] = await admin.wait_count(1)
        assert "Đã đại hội 1/2" in report.text and "bầu trực tiếp chủ tịch 1" in report.text
        for _ in range(100):  # the chart follows the text through the channel's throttle
            if bot_api.calls_of(bot.token, "sendPhoto"):
                break
            await asyncio.sleep(0.05)
        [photo] = [c for c in bot_api.calls_of(bot.token, "sendPhoto")]
        assert str(photo["chat_id"]) == str(ADMIN) and photo["_filename"].endswith(".png")
