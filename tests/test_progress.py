"""Admins see where every unit stands: /tiendo (seed-style summary, late units, chart), /congnhan,
/phancong and "my units", `bot.py progress` and its workbook read back with openpyxl."""
from __future__ import annotations

import io
import struct

import pytest
from openpyxl import load_workbook

import bot
import clock
from handlers import admin_texts as AT
from handlers.commands import by_name
from handlers import results_texts as T
from handlers.messages import Incoming
from cli.progress import run_progress
from handlers.results_flow import save_result
from storage import results as store
from storage import units as unit_store
from storage.admins import add_admin
from storage.results import Values
from tests.unit_fixtures import fixture_plans, local, make_officer, make_unit, real_clock  # noqa: F401

NOW = local("2023-03-30 09:00")


def value(form="toan_the", direct=True, post="cap_pho", present=40, day="2023-03-10") -> Values:
    return Values(day, form, 45, present, 7, "dai_hoi" if direct else "bch", post, 3, 2, 3)


def lang_son(db, *, reported: int = 61, late: int = 0):
    """The seed's CĐVC tỉnh Lạng Sơn: 61 CĐCS, 05 đại biểu, 56 toàn thể, 23 bầu trực tiếp chủ tịch, 45
    chủ tịch cấp phó người đứng đầu, 16 trưởng phòng (of the first `reported` units, in that order)."""
    make_unit(db, "CDVC-LS", None, level="cap_tren_co_so", plan_id=None)
    for i in range(1, 62):
        make_unit(db, f"CS-{i:02d}", "2023-03-10" if i <= reported + late else "2023-04-20", parent="CDVC-LS")
    for i in range(1, reported + 1):
        unit = unit_store.get_unit(db, f"CS-{i:02d}")
        save_result(db, unit, value(form="dai_bieu" if i <= 5 else "toan_the", direct=i <= 23,
                                    post="cap_pho" if i <= 45 else "truong_phong",
                                    day=f"2023-03-{1 + i % 28:02d}"), "test", NOW)


@pytest.fixture
def world(assistant, fixture_plans, real_clock):
    clock.set_now(NOW)
    db = assistant.db
    add_admin(db, "console", "900", NOW, name="Chị Hoa")                      # every unit
    add_admin(db, "console", "901", NOW, name="Anh Tuấn", scope_unit="CDVC-LS")
    add_admin(db, "console", "902", NOW, name="Chị Mai", scope_unit="CS-01")
    return assistant


def say(assistant, text, user="900"):
    return assistant.handle(Incoming("console", user, user, text, user_name="Quản trị"))


def test_the_seed_report_comes_out_in_one_message(world):
    lang_son(world.db)
    [reply] = say(world, "/tiendo", user="901")  # the CĐVC tỉnh's own admin
    assert "Đã đại hội 61/61 (100%) · đại biểu 5 · toàn thể 56 · bầu trực tiếp chủ tịch 23 · quá hạn chưa báo cáo 0" \
        in reply.text
    assert "Chủ tịch là cấp phó của người đứng đầu 45 · trưởng phòng và tương đương 16" in reply.text
    assert T.PROGRESS_LATE_NONE in reply.text


def test_late_units_are_named_with_their_deadline_and_follower_and_the_chart_is_a_png(world):
    db = world.db
    lang_son(db, reported=23, late=4)
    store.assign(db, ["CS-24"], "console", "901", "console:900", NOW)
    [reply] = say(world, "/tiendo CDVC-LS")
    assert "Đã đại hội 23/61 (37%)" in reply.text and "quá hạn chưa báo cáo 4" in reply.text
    assert "Quá hạn chưa báo cáo (4):" in reply.text
    assert "• CS-24 — Công đoàn CS-24 (hạn 15/03/2023, đã qua 15 ngày; phụ trách: Anh Tuấn)" in reply.text
    assert "sắp tới 34" in reply.text
    png = reply.document.content
    assert reply.document.mime_type == "image/png" and png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (900, 420)


def test_a_scoped_admin_sees_only_their_subtree_and_is_refused_outside_it(world):
    db = world.db
    lang_son(db, reported=3)
    make_unit(db, "CS-KHAC", "2023-03-01")
    [everything] = say(world, "/tiendo")
    assert "/62" in everything.text and "CS-KHAC" in everything.text
    [mine] = say(world, "/tiendo", user="901")
    assert "Đã đại hội 3/61" in mine.text and "CS-KHAC" not in mine.text
    [refused] = say(world, "/tiendo CS-KHAC", user="901")
    assert refused.text == T.PROGRESS_OUT_OF_SCOPE.format(code="CS-KHAC")
    [stranger] = say(world, "/tiendo", user="555")
    assert stranger.text == AT.NOT_ADMIN.format(command="tiendo", purpose=by_name("tiendo").purpose)


def test_an_admin_accepts_a_result_which_then_locks_and_can_be_reopened(world):
    db = world.db
    lang_son(db, reported=2)
    make_officer(db, "o1", "CS-01", channel="console")
    [menu] = say(world, "/congnhan", user="901")
    assert "chờ công nhận (2)" in menu.text
    [view] = say(world, "1", user="901")  # typed number picks, as on Zalo
    assert "Công đoàn CS-01" in view.text and view.choices[0].label == T.ACCEPT_BUTTON
    [done] = world.pick(Incoming("console", "901", "901", "", "Anh Tuấn"), view.choices[0].key)
    assert done.text == T.ACCEPTED.format(name="Công đoàn CS-01")
    result = store.get(db, "CS-01")
    assert result.accepted and result.accepted_by == "console:901 Anh Tuấn"
    [locked] = say(world, "/baocao", user="o1")
    assert "đã được công đoàn cấp trên công nhận" in locked.text
    [forged] = world.pick(Incoming("console", "902", "902", ""), "cn:re:CS-02")  # CS-02 is outside 902's scope
    assert forged.kind == "error" and store.get(db, "CS-02").status == "reported"
    [view] = say(world, "/congnhan CS-01", user="901")
    [reopened] = world.pick(Incoming("console", "901", "901", ""), view.choices[0].key)
    assert reopened.text == T.REOPENED.format(name="Công đoàn CS-01") and not store.get(db, "CS-01").accepted


def test_staff_are_assigned_units_within_both_scopes_and_see_them_as_my_units(world):
    db = world.db
    lang_son(db, reported=2, late=1)
    add_admin(db, "console", "903", NOW, name="Chị Ngọc", scope_unit="CDVC-LS")
    [menu] = say(world, "/phancong", user="901")
    labels = [c.label for c in menu.choices]
    assert "Chị Ngọc (0 đơn vị)" in labels and not any("Chị Hoa" in lab for lab in labels)
    [ask] = say(world, str(labels.index("Chị Ngọc (0 đơn vị)") + 1), user="901")
    assert "Chị Ngọc" in ask.text
    [unknown] = say(world, "CS-01, CS-99", user="901")
    assert "CS-99" in unknown.text and store.followed_by(db, "console", "903") == []
    [done] = say(world, "CS-01, cs-03", user="901")
    assert done.text.startswith("✅ Đã giao 2 đơn vị cho Chị Ngọc")
    assert store.followed_by(db, "console", "903") == ["CS-01", "CS-03"]
    [mine] = say(world, "/donvicuatoi", user="903")
    assert "các đơn vị anh/chị phụ trách" in mine.text and "Đã đại hội 1/2" in mine.text
    assert "CS-03 — Công đoàn CS-03" in mine.text  # late
    [nothing] = say(world, "/donvicuatoi", user="900")
    assert nothing.text == T.PROGRESS_MINE_NONE


def test_a_staff_member_cannot_be_given_units_outside_their_scope(world):
    db = world.db
    lang_son(db, reported=1)
    say(world, "/phancong")
    [menu] = say(world, "/phancong")
    key = next(c.key for c in menu.choices if "Chị Mai" in c.label)
    world.pick(Incoming("console", "900", "900", ""), key)
    [refused] = say(world, "CS-02")
    assert "không thuộc phạm vi của Chị Mai" in refused.text and store.followed_by(db, "console", "902") == []


def test_cli_progress_prints_the_summary_and_writes_a_workbook_read_back_with_openpyxl(world, tmp_path):
    db = world.db
    lang_son(db, reported=23, late=4)
    store.set_status(db, "CS-01", "accepted", "console:900", NOW)
    out = io.StringIO()
    path = tmp_path / "tien-do.xlsx"
    assert run_progress(db, "CDVC-LS", None, str(path), out=out) == 0
    assert "Đã đại hội 23/61" in out.getvalue() and "Đã ghi bảng tính" in out.getvalue()
    wb = load_workbook(path)
    assert wb.sheetnames == ["Tổng hợp", "Đơn vị"]
    summary = {r[0]: r[1] for r in wb["Tổng hợp"].iter_rows(values_only=True) if r and r[0]}
    assert summary["Tổng số đơn vị"] == 61 and summary["Đã đại hội"] == 23
    assert summary["Đại hội đại biểu (đã báo cáo)"] == 5 and summary["Bầu trực tiếp chủ tịch tại đại hội"] == 23
    assert summary["Quá hạn chưa báo cáo"] == 4 and summary["Đã công nhận kết quả"] == 1
    rows = list(wb["Đơn vị"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == 61 and header[0] == "Mã đơn vị"
    first = dict(zip(header, body[0]))
    assert first["Mã đơn vị"] == "CS-01" and first["Tình trạng"] == "Đã công nhận kết quả"
    assert first["Hình thức"] == "đại hội đại biểu" and first["Số có mặt"] == 40 and first["Số ủy viên BCH"] == 7
    assert first["Ngày đại hội"].strftime("%d/%m/%Y") == "02/03/2023"
    assert first["Bầu chủ tịch"] == "Đại hội bầu trực tiếp" and first["Công nhận lúc"] is not None
    late = dict(zip(header, body[23]))
    assert late["Tình trạng"] == "Quá hạn chưa báo cáo" and late["Hạn báo cáo"].strftime("%d/%m/%Y") == "15/03/2023"
    assert late["Số có mặt"] is None


def test_bot_py_progress_unknown_unit_is_refused(tmp_path, capsys):
    assert bot.main(["--db", str(tmp_path / "x.db"), "progress", "--unit", "KHONG-CO"]) == 2
    assert "không có đơn vị mã «KHONG-CO»" in capsys.readouterr().out
