"""Results from a spreadsheet: every row checked like a chat answer, all or nothing, errors in Vietnamese;
the progress workbook can be filled in and imported back."""
from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import Workbook, load_workbook

import bot
import clock
from cli.progress import run_progress
from handlers.results_import import import_results
from storage import results as store
from storage import units as unit_store
from tests.unit_fixtures import fixture_plans, local, make_unit, real_clock  # noqa: F401

NOW = local("2023-03-30 09:00")
HEADER = ["Ma don vi", "Ngày đại hội", "Hình thức", "Số triệu tập", "Số có mặt", "Số ủy viên BCH", "Số nữ trong BCH",
          "Bầu chủ tịch", "Chức vụ chủ tịch", "Số ủy viên UBKT", "Số đại biểu dự đại hội cấp trên"]


@pytest.fixture
def units(db, fixture_plans, real_clock):
    clock.set_now(NOW)
    for code in ("CS-1", "CS-2", "CS-3"):
        make_unit(db, code, "2023-03-10")
    return db


def sheet(tmp_path, rows, name="ket-qua.xlsx"):
    wb = Workbook()
    ws = wb.active
    ws.append(["BẢNG TỔNG HỢP KẾT QUẢ ĐẠI HỘI CÔNG ĐOÀN CƠ SỞ"])
    ws.append([])
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


GOOD = [
    ["CS-1", datetime(2023, 3, 10), "Toàn thể", 45, 40, 7, 3, "Đại hội bầu trực tiếp", "Cấp phó của người đứng đầu", 3, 2],
    ["cs-2", "12/03/2023", "dai bieu", "60", "38", "9", "4", "BCH bầu", "Trưởng phòng", "0", "0"],
]


def test_a_good_sheet_is_imported_with_flags_and_the_units_marked_held(units, tmp_path):
    report = import_results(units, sheet(tmp_path, GOOD), NOW)
    assert report.applied and (report.created, report.errors) == (2, [])
    one, two = store.get(units, "CS-1"), store.get(units, "CS-2")
    assert (one.form, one.present, one.chair_elected_by, one.chair_post, one.source) == \
        ("toan_the", 40, "dai_hoi", "cap_pho", "import")
    assert (two.held_on, two.form, two.chair_post, two.flags) == ("2023-03-12", "dai_bieu", "truong_phong", ("quorum",))
    assert two.reported_by == "import:ket-qua.xlsx"
    assert unit_store.get_unit(units, "CS-2").status == "da_to_chuc"
    again = import_results(units, sheet(tmp_path, GOOD), NOW)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_any_bad_row_imports_nothing_and_each_is_named_in_vietnamese(units, tmp_path):
    rows = GOOD + [
        ["CS-3", "10/03/2023", "Toàn thể", 45, 50, 7, 3, "Đại hội", "Khác", 3, 2],
        ["CS-9", "10/03/2023", "Toàn thể", 45, 40, 7, 3, "Đại hội", "Khác", 3, 2],
        ["CS-3", "10/03/2023", "hội nghị", 45, 40, 7, 9, "Đại hội", "Khác", 3, 2],
    ]
    report = import_results(units, sheet(tmp_path, rows), NOW)
    assert not report.applied and store.all_results(units) == {}
    errors = dict(report.errors)
    assert "Số có mặt (50) không thể nhiều hơn số được triệu tập (45)" in errors[6]
    assert "đơn vị «CS-9» chưa có trong hệ thống" in errors[7]
    assert "hình thức «hội nghị» không hợp lệ" in errors[8] and "trùng với dòng 6" in errors[8]
    lines = report.lines()
    assert lines[-1].startswith("KHÔNG NHẬP GÌ: tệp có 3 lỗi")


def test_an_accepted_result_is_not_overwritten_by_an_import(units, tmp_path):
    import_results(units, sheet(tmp_path, GOOD), NOW)
    store.set_status(units, "CS-1", "accepted", "telegram:900", NOW)
    changed = [["CS-1", datetime(2023, 3, 10), "Toàn thể", 45, 41, 7, 3, "Đại hội", "Khác", 3, 2]]
    report = import_results(units, sheet(tmp_path, changed, "sua.xlsx"), NOW)
    assert "đã được công nhận" in report.errors[0][1] and store.get(units, "CS-1").present == 40


def test_the_progress_workbook_filled_in_imports_back(units, tmp_path):
    path = tmp_path / "tien-do.xlsx"
    run_progress(units, None, None, str(path), out=io.StringIO())
    wb = load_workbook(path)
    ws = wb["Đơn vị"]
    header = [c.value for c in ws[1]]
    row = {h: i for i, h in enumerate(header)}
    cells = ws[3]  # CS-2
    for column, value in (("Hình thức", "đại hội toàn thể"), ("Số triệu tập", 30), ("Số có mặt", 29),
                          ("Số ủy viên BCH", 5), ("Số nữ trong BCH", 2), ("Bầu chủ tịch", "Ban chấp hành bầu"),
                          ("Chức vụ chủ tịch", "Khác"), ("Số ủy viên UBKT", 3), ("Số đại biểu dự đại hội cấp trên", 1)):
        cells[row[column]].value = value
    wb.save(path)
    report = import_results(units, path, NOW)
    assert report.applied and report.created == 1 and "Bỏ qua 2 dòng chưa có kết quả" in report.notes[-1]
    result = store.get(units, "CS-2")
    assert (result.held_on, result.present, result.chair_elected_by) == ("2023-03-10", 29, "bch")


def test_bot_py_import_results_reports_errors_and_exits_1(tmp_path, capsys, fixture_plans):
    db_path = tmp_path / "cli.db"
    units_csv = tmp_path / "dv.csv"
    units_csv.write_text("Mã đơn vị,Tên đơn vị,Cấp,Ngày đại hội\nCS-1,Công đoàn A,cơ sở,10/03/2023\n", encoding="utf-8")
    assert bot.main(["--db", str(db_path), "--now", "2023-03-30 09:00", "import", "units", str(units_csv)]) == 0
    bad = sheet(tmp_path, [["CS-1", "10/03/2023", "Toàn thể", 45, 40, 7, 8, "Đại hội", "Khác", 3, 2]])
    capsys.readouterr()
    assert bot.main(["--db", str(db_path), "--now", "2023-03-30 09:00", "import", "results", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "Dòng 4: Số ủy viên nữ (8) không thể nhiều hơn số ủy viên ban chấp hành (7)" in out
    assert "KHÔNG NHẬP GÌ" in out
