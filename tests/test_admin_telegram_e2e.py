"""End-to-end on the telegram-test-api emulator: an admin writes /thongbao, picks the target and confirms
with buttons; the officers get the notice; the preview message turns into the progress message, which
ends as the final state; the report follows. A non-admin gets the refusal."""
from __future__ import annotations

from datetime import timedelta


import clock
from handlers import admin_texts as T
from handlers.commands import by_name
from handlers import broadcast as bc
from storage.admins import add_admin
from telegram_emulator import ChatUser, bot_api, emulator, running_bot  # noqa: F401
from tests.unit_fixtures import make_officer, make_unit

ADMIN, OFFICERS = 901, (902, 903)
NOTICE = "Họp trực tuyến triển khai đại hội lúc 14:00 thứ Sáu, 24/03/2023."


def setup_units(assistant):
    db = assistant.db
    add_admin(db, "telegram", str(ADMIN), clock.now(), name="Quản trị")
    # Ahead of the real clock: a unit past its congress would be late, and its officers and the admin
    # would get the late-unit nudge and digest on top of the notice.
    make_unit(db, "CS-E2E", (clock.local_today() + timedelta(days=60)).isoformat())
    for officer in OFFICERS:
        make_officer(db, str(officer), "CS-E2E")


async def test_admin_broadcast_with_buttons_reaches_officers_and_edits_one_progress_message(
        bot_api, emulator, tmp_path, monkeypatch):
    monkeypatch.setattr(bc, "PROGRESS_INTERVAL", 0.2)
    async with running_bot(bot_api, tmp_path, customise=setup_units) as bot:
        admin = ChatUser(emulator, bot.token, user_id=ADMIN)
        await admin.send(f"/thongbao {NOTICE}")
        [menu] = await admin.wait_count(1)
        assert T.TARGET_ALL in menu.labels and T.TARGET_PENDING in menu.labels
        await admin.press(menu, T.TARGET_ALL)
        [preview] = await admin.wait_for(lambda ms: "người nhận" in ms[0].text, "the preview")
        assert "1 đơn vị, 2 người nhận" in preview.text and NOTICE in preview.text
        await admin.press(preview, T.CONFIRM)
        messages = await admin.wait_for(
            lambda ms: ms[0].text.startswith("✅") and any(m.text.startswith("📊") for m in ms),
            "the final state and the report")
        progress, report = messages[0], messages[-1]
        assert progress.message_id == preview.message_id and "2/2" in progress.text and not progress.buttons
        assert "Đã gửi: 2/2" in report.text and len(messages) == 2
        for officer in OFFICERS:
            [notice] = await ChatUser(emulator, bot.token, user_id=officer).wait_count(1)
            assert notice.text.startswith("📢 Thông báo của Công đoàn CS-E2E — ngày ") and notice.text.endswith(NOTICE)
        edits = [c for c in bot_api.calls_of(bot.token, "editMessageText") if c.get("text", "").startswith("📤")]
        assert edits, "the progress message was never shown while sending"


async def test_non_admin_gets_the_refusal_on_telegram(bot_api, emulator, tmp_path):
    async with running_bot(bot_api, tmp_path, customise=setup_units) as bot:
        stranger = ChatUser(emulator, bot.token, user_id=904)
        await stranger.send("/thongbao Tôi muốn gửi thông báo")
        [reply] = await stranger.wait_count(1)
        assert reply.text == T.NOT_ADMIN.format(command="thongbao", purpose=by_name("thongbao").purpose)
        assert bot.db.execute("SELECT COUNT(*) FROM broadcasts").fetchone()[0] == 0


async def test_admins_get_the_admin_commands_in_their_own_menu_only(bot_api, emulator, tmp_path):
    async with running_bot(bot_api, tmp_path, customise=setup_units) as bot:
        calls = bot_api.calls_of(bot.token, "setMyCommands")
    public = [c for c in calls if not c.get("scope")]
    scoped = [c for c in calls if c.get("scope")]
    assert public and "thongbao" not in {c["command"] for c in public[0]["commands"]}
    [admin_menu] = scoped
    assert admin_menu["scope"] == {"type": "chat", "chat_id": ADMIN}
    assert {"thongbao", "thongke", "chuatraloi", "help"} <= {c["command"] for c in admin_menu["commands"]}


def scoped_menu_calls(bot_api, token, method, user_id):
    return [c for c in bot_api.calls_of(token, method)
            if c.get("scope") == {"type": "chat", "chat_id": user_id}]


async def test_an_admin_added_while_the_bot_runs_gets_the_admin_menu_with_their_next_message(
        bot_api, emulator, tmp_path):
    async with running_bot(bot_api, tmp_path, customise=setup_units) as bot:
        newcomer = 905
        assert scoped_menu_calls(bot_api, bot.token, "setMyCommands", newcomer) == []
        add_admin(bot.db, "telegram", str(newcomer), clock.now(), name="Quản trị mới")  # `bot.py admin add`
        user = ChatUser(emulator, bot.token, user_id=newcomer)
        await user.send("/quantri")
        [reply] = await user.wait_count(1)
        assert "Anh/chị là quản trị viên" in reply.text
        [menu] = scoped_menu_calls(bot_api, bot.token, "setMyCommands", newcomer)
        assert "thongbao" in {c["command"] for c in menu["commands"]}


async def test_admin_menus_follow_the_database_without_a_message(bot_api, emulator, tmp_path, monkeypatch):
    import asyncio
    from channels import telegram as tg
    from storage.admins import remove_admin
    monkeypatch.setattr(tg, "ADMIN_MENU_SYNC_SECONDS", 0.1)
    async with running_bot(bot_api, tmp_path, customise=setup_units) as bot:
        add_admin(bot.db, "telegram", "906", clock.now())
        remove_admin(bot.db, "telegram", str(ADMIN))
        for _ in range(100):
            if (scoped_menu_calls(bot_api, bot.token, "setMyCommands", 906)
                    and scoped_menu_calls(bot_api, bot.token, "deleteMyCommands", ADMIN)):
                break
            await asyncio.sleep(0.05)
        assert scoped_menu_calls(bot_api, bot.token, "setMyCommands", 906)
        assert scoped_menu_calls(bot_api, bot.token, "deleteMyCommands", ADMIN)  # back to the public menu
