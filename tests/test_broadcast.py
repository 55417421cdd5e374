"""/thongbao: draft → target → preview with the exact count → confirm or cancel → outbox rows → progress
message → final report; targeting by all, level, subtree, unit codes and "congress not held yet"."""
from __future__ import annotations

import asyncio

import pytest

import bot
import clock
from handlers import admin_texts as T
from handlers import broadcast as bc
from handlers.messages import Attachment, Reply
from scheduler.broadcasts import finish_all
from storage import broadcasts as bstore
from storage import outbox
from tests.admin_fixtures import ADMIN_ID, SCOPED_ID, admin_msg, build_tree, make_admins, snapshot


@pytest.fixture
def world(assistant):
    build_tree(assistant.db)
    make_admins(assistant.db)
    return assistant


def keys(reply: Reply) -> dict[str, str]:
    return {c.label: c.key for c in reply.choices}


def start_draft(world, text="Họp trực tuyến triển khai đại hội lúc 14:00 thứ Sáu.", user=ADMIN_ID):
    [ask] = world.handle(admin_msg("/thongbao", user=user))
    assert ask.text == T.ASK_TEXT
    [menu] = world.handle(admin_msg(text, user=user))
    assert menu.text == T.CHOOSE_TARGET
    return menu


def recipients_of(db, broadcast_id):
    return sorted(r.chat_id for r in outbox.rows(db, "origin = ?", (f"broadcast:{broadcast_id}",)))


# -- the flow -------------------------------------------------------------------------------------------
def test_full_flow_previews_the_exact_count_then_queues_one_row_per_recipient(world):
    db = world.db
    menu = start_draft(world)
    [preview] = world.pick(admin_msg(), keys(menu)[T.TARGET_ALL])
    # 5 officers reach units; 'o-blocked' is left out and said so; 'o-both' counted once.
    assert "6 đơn vị, 5 người nhận" in preview.text and "1 người đã chặn" in preview.text
    assert "Họp trực tuyến" in preview.text
    assert outbox.rows(db) == []  # nothing queued before the confirmation
    [progress] = world.pick(admin_msg(), keys(preview)[T.CONFIRM])
    b = bstore.unfinished(db)[0]
    assert recipients_of(db, b.id) == ["o-a1", "o-a2", "o-a2x", "o-b1", "o-both"]
    assert progress.live is not None and "đã gửi 0/5" in progress.text
    assert all(not r.quiet_hours and r.kind == "broadcast" for r in outbox.rows(db))


def test_confirming_twice_queues_once(world):
    menu = start_draft(world)
    [preview] = world.pick(admin_msg(), keys(menu)[T.TARGET_ALL])
    world.pick(admin_msg(), keys(preview)[T.CONFIRM])
    [again] = world.pick(admin_msg(), keys(preview)[T.CONFIRM])
    assert again.text == T.ALREADY_QUEUED
    assert len(outbox.rows(world.db)) == 5


def test_cancel_at_the_preview_sends_nothing_and_the_draft_cannot_be_confirmed_later(world):
    menu = start_draft(world)
    [preview] = world.pick(admin_msg(), keys(menu)[T.TARGET_ALL])
    [cancelled] = world.pick(admin_msg(), keys(preview)[T.CANCEL])
    assert cancelled.text == T.CANCELLED
    [late] = world.pick(admin_msg(), keys(preview)[T.CONFIRM])
    assert late.text == T.DRAFT_GONE and outbox.rows(world.db) == []


def test_huy_while_writing_drops_the_draft(world):
    world.handle(admin_msg("/thongbao"))
    [reply] = world.handle(admin_msg("/huy"))
    assert reply.text == T.CANCELLED
    # The next message is a question again, not a notice.
    [answer] = world.handle(admin_msg("đại hội hợp lệ khi nào"))
    assert answer.kind in ("answer", "suggest")


def test_a_notice_too_long_for_one_message_is_refused_with_its_length(world):
    world.handle(admin_msg("/thongbao"))
    [reply] = world.handle(admin_msg("x" * 4100))
    assert "4100 ký tự" in reply.text and reply.kind == "error"
    assert world.db.execute("SELECT COUNT(*) FROM broadcasts").fetchone()[0] == 0


@pytest.mark.parametrize("typed", ["after", "with"])
def test_a_notice_typed_in_chat_keeps_its_lines_and_may_be_longer_than_a_question(world, typed):
    notice = ("Kính gửi các đồng chí chủ tịch công đoàn cơ sở,\n\n"
              "Lịch tập huấn:\n- Thứ Hai: nhân sự\n- Thứ Ba: văn kiện\n\n" + "Chi tiết. " * 150).strip()
    if typed == "after":
        world.handle(admin_msg("/thongbao"))
        [menu] = world.handle(admin_msg(notice + "\r\n\r\n\r\n"))
    else:
        [menu] = world.handle(admin_msg("/thongbao\n" + notice))
    assert menu.text == T.CHOOSE_TARGET
    [text] = world.db.execute("SELECT text FROM broadcasts").fetchone()
    assert text == notice and len(text) > 1000


def test_a_photo_with_a_thongbao_caption_becomes_a_draft_with_the_attachment(world):
    photo = Attachment("photo", "AgACAgIAAx-file", "ảnh.jpg", "image/jpeg")
    [menu] = world.handle_attachment(admin_msg("/thongbao Lịch đại hội (ảnh kèm)", attachment=photo))
    [preview] = world.pick(admin_msg(), keys(menu)[T.TARGET_ALL])
    assert "Kèm theo: ảnh" in preview.text
    world.pick(admin_msg(), keys(preview)[T.CONFIRM])
    rows = outbox.rows(world.db)
    assert {r.payload["attachment"]["file_id"] for r in rows} == {"AgACAgIAAx-file"}
    assert {r.text.split("\n\n", 1)[1] for r in rows} == {"Lịch đại hội (ảnh kèm)"}


def test_a_photo_caption_starting_on_the_next_line_keeps_its_lines(world):
    photo = Attachment("photo", "AgACAgIAAx-file", "ảnh.jpg", "image/jpeg")
    [menu] = world.handle_attachment(admin_msg("/thongbao\nLịch đại hội\n- Sáng: khai mạc", attachment=photo))
    assert menu.text == T.CHOOSE_TARGET
    assert world.db.execute("SELECT text FROM broadcasts").fetchone()[0] == "Lịch đại hội\n- Sáng: khai mạc"


# -- the notice header ----------------------------------------------------------------------------------
def test_officers_receive_the_notice_under_a_header_naming_the_admins_unit_and_the_date(world):
    clock.set_now(clock.parse_local("2023-03-10 15:00"))
    try:
        menu = start_draft(world, text="Nộp danh sách đại biểu trước 20/03.", user=SCOPED_ID)
        [preview] = world.pick(admin_msg(user=SCOPED_ID), keys(menu)[T.TARGET_ALL])
        world.pick(admin_msg(user=SCOPED_ID), keys(preview)[T.CONFIRM])
    finally:
        clock.set_now(None)
    header = "📢 Thông báo của Công đoàn CTCS-A — ngày 10/03/2023"
    assert {r.text for r in outbox.rows(world.db)} == {f"{header}\n\nNộp danh sách đại biểu trước 20/03."}
    assert f"{header}\n\nNộp danh sách đại biểu trước 20/03." in preview.text  # the preview shows it too


def test_an_admin_of_every_unit_signs_with_the_one_top_unit_or_the_upper_level_union(world):
    db = world.db
    assert bc.sender_name(db, None) == T.NOTICE_SENDER_FALLBACK   # two top units: CTCS-A and CTCS-B
    from tests.unit_fixtures import make_unit
    make_unit(db, "LDLD", None, level="cap_tren_co_so")
    db.execute("UPDATE units SET parent_code = 'LDLD' WHERE parent_code IS NULL AND code != 'LDLD'")
    assert bc.sender_name(db, None) == "Công đoàn LDLD"


def test_the_header_counts_against_the_caption_limit(world):
    photo = Attachment("photo", "AgAC-file", "ảnh.jpg", "image/jpeg")
    header = bc.notice_header(world.db, None, clock.now())
    room = bc.CAPTION_LIMIT - len(bc.notice_text(header, "").encode("utf-16-le")) // 2  # 📢 counts twice
    [reply] = world.handle_attachment(admin_msg("/thongbao " + "x" * (room + 1), attachment=photo))
    assert reply.kind == "error" and f"giới hạn {room} ký tự" in reply.text
    [menu] = world.handle_attachment(admin_msg("/thongbao " + "x" * room, attachment=photo))
    assert menu.text == T.CHOOSE_TARGET


def test_a_file_sent_after_thongbao_is_the_notice_with_its_caption(world):
    world.handle(admin_msg("/thongbao"))
    doc = Attachment("document", "BQACAgIAAx-doc", "ke-hoach.pdf", "application/pdf")
    [menu] = world.handle_attachment(admin_msg("Kế hoạch đại hội", attachment=doc))
    assert menu.text == T.CHOOSE_TARGET
    b = world.db.execute("SELECT attachment, text FROM broadcasts").fetchone()
    assert "ke-hoach.pdf" in b[0] and b[1] == "Kế hoạch đại hội"


# -- targeting ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("target, expected", [
    ("level:cong_doan_bo_phan", ["o-a2x", "o-both"]),
    ("level:công đoàn cơ sở", ["o-a1", "o-a2", "o-b1", "o-both"]),
    ("subtree:CS-A2", ["o-a2", "o-a2x", "o-both"]),
    ("subtree:ctcs-b", ["o-b1"]),
    ("units:CS-A1, BP-A2X", ["o-a1", "o-a2x", "o-both"]),
    ("pending", ["o-a2", "o-a2x", "o-b1", "o-both"]),   # CS-A1 held; CS-B1 postponed counts as not held
    ("all", ["o-a1", "o-a2", "o-a2x", "o-b1", "o-both"]),
])
def test_targets_reach_the_members_of_the_chosen_units_once_and_skip_blocked_ones(world, target, expected):
    kind, value = bc.parse_target(target)
    resolution = bc.resolve(world.db, kind, value, None)
    assert [chat for _, chat in resolution.audience.recipients] == expected


def test_a_scoped_admin_reaches_only_their_subtree_even_with_all(world):
    resolution = bc.resolve(world.db, "all", "", "CTCS-A")
    assert [c for _, c in resolution.audience.recipients] == ["o-a1", "o-a2", "o-a2x", "o-both"]


def test_a_scoped_admin_naming_a_unit_outside_the_scope_is_refused_and_nothing_changes(world):
    menu = start_draft(world, user=SCOPED_ID)
    [ask] = world.pick(admin_msg(user=SCOPED_ID), keys(menu)[T.TARGET_UNITS])
    assert ask.text == T.ASK_UNITS
    before = snapshot(world.db)
    [reply] = world.handle(admin_msg("CS-A1 CS-B1", user=SCOPED_ID))
    assert reply.text == T.OUT_OF_SCOPE_UNITS.format(codes="CS-B1")
    assert snapshot(world.db) == before


def test_unknown_unit_codes_are_named_and_the_admin_can_type_them_again(world):
    menu = start_draft(world)
    world.pick(admin_msg(), keys(menu)[T.TARGET_SUBTREE])
    [reply] = world.handle(admin_msg("KHONG-CO"))
    assert reply.text == T.UNKNOWN_UNITS.format(codes="KHONG-CO")
    [preview] = world.handle(admin_msg("ctcs-a"))
    assert "4 đơn vị, 4 người nhận" in preview.text


def test_level_menu_then_a_level_previews_its_units(world):
    menu = start_draft(world)
    [levels] = world.pick(admin_msg(), keys(menu)[T.TARGET_LEVEL])
    [preview] = world.pick(admin_msg(), keys(levels)["công đoàn bộ phận"])
    assert "1 đơn vị, 2 người nhận" in preview.text


def test_a_target_with_nobody_registered_says_so_and_offers_the_targets_again(world):
    menu = start_draft(world)
    world.pick(admin_msg(), keys(menu)[T.TARGET_UNITS])
    replies = world.handle(admin_msg("CTCS-B"))
    assert replies[0].text == T.NO_RECIPIENTS and replies[1].text == T.CHOOSE_TARGET


@pytest.mark.parametrize("bad", ["everyone", "level:thành phố", "units:", "subtree"])
def test_a_malformed_target_is_explained(bad):
    with pytest.raises(bc.TargetError):
        bc.parse_target(bad)


# -- progress and report --------------------------------------------------------------------------------
async def test_progress_is_updated_as_rows_are_sent_then_the_final_text_and_one_report(world):
    db = world.db
    menu = start_draft(world)
    [preview] = world.pick(admin_msg(), keys(menu)[T.TARGET_ALL])
    [progress] = world.pick(admin_msg(), keys(preview)[T.CONFIRM])
    seen: list[str] = []
    rows = outbox.rows(db, "kind = 'broadcast'")

    async def update(text):
        seen.append(text)

    async def deliver():
        now = clock.now()
        for i, row in enumerate(rows):
            await asyncio.sleep(0.03)
            if i == 1:
                outbox.mark_final(db, row.id, "failed", "người nhận đã chặn bot: Forbidden", now)
            else:
                outbox.mark_sent(db, row.id, row.text, now)

    await asyncio.gather(bc.follow_progress(db, bstore.unfinished(db)[0].id, update, now=clock.now, interval=0.02), deliver())
    assert seen[0].startswith("📤") and "đã gửi 0/5" in seen[0]
    assert len(seen) >= 3 and len(set(seen)) == len(seen)
    assert seen[-1].startswith("✅") and "4/5" in seen[-1] and "1 người đã chặn" in seen[-1]
    [report] = outbox.rows(db, "kind = 'broadcast_report'")
    assert report.chat_id == f"chat-{ADMIN_ID}" and "Đã gửi: 4/5" in report.text
    assert finish_all(db) == 0  # the report is queued once


def test_stats_count_the_broadcast_messages(world):
    menu = start_draft(world)
    [preview] = world.pick(admin_msg(), keys(menu)[T.TARGET_ALL])
    world.pick(admin_msg(), keys(preview)[T.CONFIRM])
    [stats] = world.handle(admin_msg("/thongke"))
    assert "📣 Thông báo: 1 lần — tin đã gửi 0, lỗi 0, đang chờ 5" in stats.text


# -- CLI ------------------------------------------------------------------------------------------------
def test_cli_broadcast_previews_and_without_yes_or_a_yes_answer_sends_nothing(tmp_path, monkeypatch, capsys):
    import io
    import sys
    from storage import open_db
    path = tmp_path / "cli.db"
    db = open_db(path)
    build_tree(db)
    db.conn.close()
    monkeypatch.setattr(sys, "stdin", io.StringIO("k\n"))
    assert bot.main(["--db", str(path), "broadcast", "--to", "subtree:CS-A2", "--text", "Họp"]) == 1
    out = capsys.readouterr().out
    assert "2 đơn vị, 3 người nhận" in out and "không gửi gì" in out
    db = open_db(path)
    assert db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0


def test_cli_broadcast_queue_only_queues_and_a_bad_target_changes_nothing(tmp_path, capsys, monkeypatch):
    from storage import open_db
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    path = tmp_path / "cli.db"
    db = open_db(path)
    build_tree(db)
    assert bot.main(["--db", str(path), "broadcast", "--to", "units:CS-A1,NOPE", "--text", "Họp", "--yes"]) == 2
    assert "NOPE" in capsys.readouterr().out
    assert bot.main(["--db", str(path), "broadcast", "--to", "pending", "--text", "Họp", "--yes",
                     "--queue-only"]) == 0
    assert "4 người nhận" in capsys.readouterr().out
    assert db.execute("SELECT COUNT(*) FROM outbox WHERE status = 'pending'").fetchone()[0] == 4


def test_without_buttons_the_admin_picks_by_typing_numbers(world):
    """Zalo and the console show choices as numbered lines: the same flow by typed numbers."""
    from storage.admins import add_admin
    add_admin(world.db, "zalo", "z-admin", clock.now())
    msg = lambda text: admin_msg(text, user="z-admin", channel="zalo")  # noqa: E731
    [menu] = world.handle(msg("/thongbao Họp giao ban"))
    number = [c.label for c in menu.choices].index(T.TARGET_PENDING) + 1
    [preview] = world.handle(msg(str(number)))
    assert "4 người nhận" in preview.text
    [progress] = world.handle(msg(str([c.label for c in preview.choices].index(T.CONFIRM) + 1)))
    assert progress.text.startswith("📤") and len(outbox.rows(world.db)) == 4
