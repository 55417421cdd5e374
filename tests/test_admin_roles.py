"""Roles: every admin command and every admin choice refuses non-admins politely and changes nothing;
admins come from ADMIN_TELEGRAM_IDS or the CLI, and a scoped admin reaches only their subtree."""
from __future__ import annotations

import pytest

import bot
import clock
from handlers import admin_texts as T
from handlers.commands import COMMANDS as TABLE, by_name
from handlers.messages import Attachment
from settings import load_settings
from storage import broadcasts as bstore
from storage import open_db
from storage.admins import add_admin, get_admin, list_admins, sync_env_admins
from tests.admin_fixtures import (ADMIN_ID, SCOPED_ID, STRANGER_ID, admin_msg, build_tree, make_admins,
                                  snapshot)
from tests.unit_fixtures import make_unit

COMMANDS = {c.name for c in TABLE if c.admin}


@pytest.fixture
def world(assistant):
    build_tree(assistant.db)
    make_admins(assistant.db)
    return assistant


def test_every_admin_command_is_registered_and_hidden_from_the_public_help(assistant):
    assert set(COMMANDS) <= set(assistant.admin_command_help)
    assert not set(COMMANDS) & set(assistant.command_help)
    help_text = assistant.handle(admin_msg("/help", user=STRANGER_ID))[0].text
    assert "/thongbao" not in help_text


@pytest.mark.parametrize("command", ["/thongbao", "/thongbao Họp gấp chiều nay", "/huy", "/thongke",
                                     "/thongke 30", "/chuatraloi", "/quantri"])
def test_admin_command_from_a_non_admin_is_refused_and_changes_nothing(world, command):
    db = world.db
    world.faq.ask(admin_msg("giá vàng hôm nay", user=STRANGER_ID))  # something /chuatraloi could act on
    before = snapshot(db)
    replies = world.handle(admin_msg(command, user=STRANGER_ID))
    name = command.split()[0][1:]
    assert [r.text for r in replies] == [T.NOT_ADMIN.format(command=name, purpose=by_name(name).purpose)]
    assert f"/{name} (" in replies[0].text
    assert snapshot(db) == before


@pytest.mark.parametrize("command, purpose", [("thongke", "thống kê"), ("quantri", "lệnh quản trị"),
                                              ("chuatraloi", "chưa trả lời")])
def test_the_refusal_names_the_refused_command_and_not_sending_notices(world, command, purpose):
    [reply] = world.handle(admin_msg(f"/{command}", user=STRANGER_ID))
    assert f"/{command}" in reply.text and purpose in reply.text
    assert "thông báo" not in reply.text


def _draft_and_question(world):
    """A draft by the real admin and an unanswered question, so forged choices have real targets."""
    db = world.db
    draft = bstore.create_draft(db, "Thông báo thử", channel="telegram", chat_id=f"chat-{STRANGER_ID}",
                                user_id=ADMIN_ID, scope=None, now=clock.now())
    bstore.set_target(db, draft.id, "all", 5, clock.now())
    _, result = world.faq.ask(admin_msg("giá vàng hôm nay", user=STRANGER_ID))
    qid = db.execute("SELECT MAX(id) FROM questions").fetchone()[0]
    return draft.id, qid


@pytest.mark.parametrize("key", ["bc:ok:{b}", "bc:t:{b}:all", "bc:t:{b}:units", "bc:l:{b}:cong_doan_co_so",
                                 "bc:no:{b}", "ua:g:{q}", "ua:a:{q}:thu-hop-le", "ua:d:{q}", "ua:t:{q}"])
def test_admin_choice_pressed_by_a_non_admin_is_refused_and_changes_nothing(world, key):
    b, q = _draft_and_question(world)
    before = snapshot(world.db)
    replies = world.pick(admin_msg(user=STRANGER_ID), key.format(b=b, q=q))
    assert [r.text for r in replies] == [T.NOT_ADMIN_CHOICE]
    assert snapshot(world.db) == before


def test_a_photo_captioned_thongbao_from_a_non_admin_is_not_taken_as_a_notice(world):
    before = snapshot(world.db)
    photo = Attachment("photo", "file-1", "anh.jpg")
    assert world.handle_attachment(admin_msg("/thongbao Họp", user=STRANGER_ID, attachment=photo)) is None
    assert snapshot(world.db) == before


def test_admin_commands_in_a_group_are_refused_even_for_an_admin(world):
    before = snapshot(world.db)
    replies = world.handle(admin_msg("/thongbao Họp gấp", group=True))
    assert [r.text for r in replies] == [T.ADMIN_PRIVATE_ONLY.format(command="thongbao")]
    assert snapshot(world.db) == before


def test_an_admin_of_another_channel_is_not_an_admin_here(world):
    replies = world.handle(admin_msg("/thongke", user=ADMIN_ID, channel="zalo"))
    assert [r.text for r in replies] == [T.NOT_ADMIN.format(command="thongke", purpose=by_name("thongke").purpose)]


def test_admin_sees_the_admin_help_with_their_scope(world):
    [reply] = world.handle(admin_msg("/quantri", user=SCOPED_ID))
    assert "CTCS-A" in reply.text and "/thongbao" in reply.text and "/chuatraloi" in reply.text


# -- bootstrap ------------------------------------------------------------------------------------------
def test_env_admins_are_added_and_dropped_when_no_longer_listed_while_cli_admins_stay(db):
    now = clock.now()
    add_admin(db, "telegram", "42", now, source="cli")
    assert sync_env_admins(db, ["100", " 200 ", ""], now) == ["100", "200"]
    assert {a.user_id for a in list_admins(db)} == {"42", "100", "200"}
    assert sync_env_admins(db, ["200"], now) == []
    assert {a.user_id for a in list_admins(db)} == {"42", "200"}
    assert get_admin(db, "telegram", "200").is_global


def test_build_assistant_reads_admin_telegram_ids_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("ADMIN_TELEGRAM_IDS", "111,222")
    settings = load_settings(str(tmp_path / "a.db"))
    assistant = bot.build_assistant(settings)
    assert {a.user_id for a in list_admins(assistant.db)} == {"111", "222"}
    [reply] = assistant.handle(admin_msg("/quantri", user="222"))
    assert "mọi đơn vị" in reply.text


def test_cli_admin_add_list_remove(tmp_path, capsys):
    path = str(tmp_path / "cli.db")
    db = open_db(path)
    make_unit(db, "CS-A1")
    db.conn.close()
    assert bot.main(["--db", path, "admin", "add", "777", "--name", "Chị Lan", "--unit", "cs-a1"]) == 0
    assert bot.main(["--db", path, "admin", "list"]) == 0
    out = capsys.readouterr().out
    assert "777" in out and "Chị Lan" in out and "CS-A1" in out
    assert "/quantri" in out and "không cần khởi động lại" in out   # what the new admin does next
    assert bot.main(["--db", path, "admin", "remove", "777"]) == 0
    assert bot.main(["--db", path, "admin", "remove", "777"]) == 1
    out = capsys.readouterr().out
    assert "Đã xóa" in out and "Không có quản trị viên" in out


def test_cli_admin_add_rejects_a_non_numeric_id_or_an_unknown_unit_and_stores_nothing(tmp_path, capsys):
    path = str(tmp_path / "cli.db")
    assert bot.main(["--db", path, "admin", "add", "@lan"]) == 2
    assert "LỖI" in capsys.readouterr().out
    assert bot.main(["--db", path, "admin", "add", "777", "--unit", "KHONG-CO"]) == 2
    assert "không có đơn vị mã «KHONG-CO»" in capsys.readouterr().out
    assert bot.main(["--db", path, "admin", "list"]) == 0
    assert "Chưa có quản trị viên" in capsys.readouterr().out


# -- someone marked as blocking the bot comes back ------------------------------------------------------
def _blocked(db) -> bool:
    return db.execute("SELECT blocked_at IS NOT NULL FROM officers WHERE chat_id = 'o-blocked'").fetchone()[0] == 1


def test_a_button_press_by_an_officer_marked_blocked_clears_the_mark(world):
    from handlers.messages import Incoming
    assert _blocked(world.db)
    world.pick(Incoming("telegram", "o-blocked", "o-blocked", ""), "topics")
    assert not _blocked(world.db)


def test_a_vote_or_a_typed_message_clears_the_mark_too(world):
    from handlers.messages import Incoming
    world.feedback(Incoming("telegram", "o-blocked", "o-blocked", ""), 999, 1)
    assert not _blocked(world.db)
    world.db.execute("UPDATE officers SET blocked_at = '2023-02-02T00:00:00+00:00' WHERE chat_id = 'o-blocked'")
    world.handle(Incoming("telegram", "o-blocked", "o-blocked", "xin chào"))
    assert not _blocked(world.db)
