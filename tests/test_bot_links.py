"""The running bot learns its own name at start (getMe) and `units show` prints real registration
instructions: the t.me deep link on Telegram, the "dangky CODE" message on Zalo."""
from __future__ import annotations

import io

import pytest

from cli.units import show_unit
from storage import open_db
from storage.bots import bot_name
from telegram_emulator import BOT_USERNAME, bot_api, emulator, running_bot  # noqa: F401
from tests.unit_fixtures import fixture_plans, make_unit  # noqa: F401
from tests.zalo_fake import finish, running_fake, start, zalo_settings

pytestmark = pytest.mark.usefixtures("fixture_plans")


def shown(db, code: str) -> str:
    out = io.StringIO()
    assert show_unit(db, code, out) == 0
    return out.getvalue()


def test_before_any_bot_ran_units_show_gives_both_instructions_and_no_placeholder(db):
    make_unit(db, "CS1", "2023-03-15", invite="K7M2QX9P")
    text = shown(db, "CS1")
    assert "<" not in text and "tên bot" not in text
    assert "/dangky K7M2QX9P" in text and "«dangky K7M2QX9P»" in text


async def test_telegram_start_learns_the_username_and_units_show_prints_the_real_link(bot_api, tmp_path):
    async with running_bot(bot_api, tmp_path, customise=lambda a: make_unit(a.db, "CS1", "2023-03-15",
                                                                           invite="K7M2QX9P")) as bot:
        assert bot_name(bot.db, "telegram") == BOT_USERNAME
    db = open_db(tmp_path / "bot.db")
    assert f"https://t.me/{BOT_USERNAME}?start=K7M2QX9P" in shown(db, "CS1")


async def test_zalo_start_learns_the_bot_name_for_the_dangky_instruction(tmp_path):
    async with running_fake() as fake:
        running = await start(zalo_settings(tmp_path, fake))
        try:
            db = running.runtime.assistant.db
            make_unit(db, "CS1", "2023-03-15", invite="K7M2QX9P")
            assert "nhắn tin «dangky K7M2QX9P» cho bot Zalo «bot.TroLyDaiHoi»" in shown(db, "CS1")
        finally:
            await finish(running)
