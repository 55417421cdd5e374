"""Hostile values in an otherwise good file: dates outside 2000–2100 in every kind of cell, counts that
are huge, negative or not whole, invisible control characters, names too long. Each is a row error (or
cleaned away), the file changes nothing, and there is never a traceback."""
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from handlers.importing import import_officers, import_units
from handlers.results_import import import_results
from channels.registry import spellings
from storage import units as store
from unit_fixtures import fixture_plans, local, make_unit  # noqa: F401

pytestmark = pytest.mark.usefixtures("fixture_plans")
NOW = local("2023-02-01 09:00")
HEADER = ["Mã đơn vị", "Tên đơn vị", "Cấp", "Ngày đại hội", "Số đoàn viên"]


def xlsx(tmp_path, rows, name="don-vi.xlsx", date_format=None):
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    if date_format:
        for cell in ws["D"][1:]:
            cell.number_format = date_format
    path = tmp_path / name
    wb.save(path)
    return path


def units_table(db):
    return [tuple(r) for r in db.execute("SELECT * FROM units ORDER BY code")]


@pytest.mark.parametrize("cell, shown", [
    (datetime(9999, 12, 31), "năm 9999"),            # a real Excel date cell
    (date(1900, 1, 1), "năm 1900"),
    (25000, "năm 1968"),                              # an Excel serial number in a plain number cell
    ("31/12/9999", "năm 9999"),                      # text
    ("2101-01-01", "năm 2101"),
])
def test_a_date_outside_2000_to_2100_is_a_row_error_whatever_the_cell(db, tmp_path, cell, shown):
    make_unit(db, "OLD", "2023-03-15")
    before = units_table(db)
    path = xlsx(tmp_path, [HEADER, ["CS1", "Công đoàn A", "cơ sở", cell, 10],
                           ["CS2", "Công đoàn B", "cơ sở", datetime(2023, 4, 1), 10]])
    report = import_units(db, path, NOW)
    assert not report.applied and [line for line, _ in report.errors] == [2]
    assert shown in report.errors[0][1] and "2000 đến 2100" in report.errors[0][1]
    assert units_table(db) == before


def test_an_excel_date_cell_of_9999_no_longer_stops_planning(db, tmp_path):
    """The issue's case: the date cell is refused at import, so nothing is stored to break planning."""
    from scheduler import reminders
    path = xlsx(tmp_path, [HEADER, ["CS1", "Công đoàn A", "cơ sở", 2958465, 10]], date_format="dd/mm/yyyy")
    report = import_units(db, path, NOW)
    assert report.errors and "năm 9999" in report.errors[0][1]
    assert reminders.plan_due(db, NOW).skipped == []


@pytest.mark.parametrize("cell, reason", [
    (2 ** 63, "quá lớn"),
    ("9223372036854775808", "quá lớn"),
    ("9" * 5000, "quá lớn"),
    (-5, "không âm"),
    ("-5", "không phải là số nguyên"),
    (12.5, "số nguyên"),
    ("12,5", "không phải là số nguyên"),
    ("1.250,5", "không phải là số nguyên"),
    ("²", "không phải là số nguyên"),
    ("1e20", "không phải là số nguyên"),
    (10_000_001, "quá lớn"),
])
def test_a_bad_member_count_is_a_row_error_not_a_crash(db, tmp_path, cell, reason):
    path = xlsx(tmp_path, [HEADER, ["CS1", "Công đoàn A", "cơ sở", "15/03/2023", cell]])
    report = import_units(db, path, NOW)
    assert not report.applied and len(report.errors) == 1 and report.errors[0][0] == 2
    assert "số đoàn viên" in report.errors[0][1] and reason in report.errors[0][1]
    assert len(report.errors[0][1]) < 200  # the cell is quoted, not pasted whole
    assert store.count_units(db) == 0


@pytest.mark.parametrize("cell, count", [("1.250", 1250), ("1 250", 1250), ("1,250", 1250), (1250.0, 1250),
                                         ("45", 45), (0, 0)])
def test_good_member_counts_are_still_read(db, tmp_path, cell, count):
    path = xlsx(tmp_path, [HEADER, ["CS1", "Công đoàn A", "cơ sở", "15/03/2023", cell]])
    assert import_units(db, path, NOW).applied
    assert store.get_unit(db, "CS1").members_count == count


def test_control_characters_and_invisible_marks_never_reach_the_database(db, tmp_path):
    path = tmp_path / "don-vi.csv"
    path.write_text("Mã đơn vị,Tên đơn vị,Cấp\nCS1,Công đoàn\x1b[31m Trường\u202e A\u200b\x00,cơ sở\n",
                    encoding="utf-8")
    report = import_units(db, path, NOW)
    assert report.applied, report.lines()
    assert store.get_unit(db, "CS1").name == "Công đoàn [31m Trường A"


def test_names_and_places_too_long_are_row_errors(db, tmp_path):
    rows = [HEADER + ["Địa điểm"], ["CS1", "A" * 201, "cơ sở", None, None, None],
            ["CS2", "Công đoàn B", "cơ sở", None, None, "x" * 301]]
    report = import_units(db, xlsx(tmp_path, rows), NOW)
    assert [line for line, _ in report.errors] == [2, 3]
    assert "tên đơn vị dài 201 ký tự (tối đa 200)" in report.errors[0][1]
    assert "địa điểm dài 301 ký tự (tối đa 300)" in report.errors[1][1]
    officers = xlsx(tmp_path, [["Mã đơn vị", "Họ và tên", "Kênh", "ID"], ["CS9", "B" * 201, "Telegram", "42"]],
                    name="can-bo.xlsx")
    make_unit(db, "CS9", "2023-03-15")
    report = import_officers(db, officers, NOW, channels=spellings())
    assert report.errors and "họ và tên dài 201 ký tự" in report.errors[0][1]


RESULT_HEADER = ["Mã đơn vị", "Ngày đại hội", "Hình thức", "Số triệu tập", "Số có mặt", "Số ủy viên BCH",
                 "Số nữ trong BCH", "Bầu chủ tịch", "Chức vụ chủ tịch", "Số ủy viên UBKT",
                 "Số đại biểu dự đại hội cấp trên"]


@pytest.mark.parametrize("convened", [2 ** 63, 10 ** 300, "9" * 5000, -3, 4.5])
def test_a_huge_count_in_a_results_file_is_a_row_error(db, tmp_path, convened):
    make_unit(db, "CS1", "2023-01-15")
    row = ["CS1", datetime(2023, 1, 15), "toàn thể", convened, 40, 7, 2, "đại hội", "cấp phó", 3, 2]
    report = import_results(db, xlsx(tmp_path, [RESULT_HEADER, row], name="ket-qua.xlsx"), NOW)
    assert not report.applied and report.errors and report.errors[0][0] == 2
    assert "Số triệu tập" in report.errors[0][1]
    assert db.execute("SELECT COUNT(*) FROM congress_results").fetchone()[0] == 0
