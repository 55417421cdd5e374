"""Hostile and broken files, built here: a zip bomb made with zipfile, workbooks with too many parts, a
worksheet stretch openpyxl would hold in memory, an entity bomb, cells far to the right; CSV files
mixing encodings. Each is refused as a whole with a Vietnamese message (or read within its limits),
a refused file stores nothing, and the bomb is refused before anything is expanded."""
import tracemalloc
import unicodedata
import zipfile

import pytest
from openpyxl import Workbook

import bot
from bench.hostile_files import rebuilt
from handlers import import_files, xlsx_guard
from handlers.importing import ImportFileError, import_units
from handlers.results_import import import_results
from storage import open_db
from storage import units as store
from unit_fixtures import fixture_plans, local, make_unit  # noqa: F401

pytestmark = pytest.mark.usefixtures("fixture_plans")
NOW = local("2023-02-01 09:00")
HEADER = ["Mã đơn vị", "Tên đơn vị", "Cấp", "Ngày đại hội"]
ROWS = [HEADER, ["CS1", "Công đoàn Trường A", "cơ sở", "15/03/2023"],
        ["CS2", "Công đoàn Trường B", "cơ sở", "16/03/2023"]]
SHEET = "xl/worksheets/sheet1.xml"


def workbook(tmp_path, rows=ROWS, name="don-vi.xlsx"):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def windows_1258(text: str) -> bytes:
    """Vietnamese as Windows-1258 stores it: the letter (with its hat or horn), then the tone mark."""
    out = b""
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            out += (base + tones).encode("cp1258")
    return out


def snapshot(db):
    return [tuple(r) for r in db.execute("SELECT * FROM units ORDER BY code")]


def refused(db, path, match):
    make_unit(db, "OLD", "2023-03-15")
    before = snapshot(db)
    with pytest.raises(ImportFileError, match=match) as caught:
        import_units(db, path, NOW)
    assert snapshot(db) == before
    return str(caught.value)


# -- zip bombs and oversized workbooks -------------------------------------------------------------------
def test_a_zip_bomb_is_refused_before_anything_is_expanded(db, tmp_path):
    """A worksheet of 210 MB of blanks after the real rows: ~0.2 MB on disk, a thousandfold expansion."""
    sheet = zipfile.ZipFile(workbook(tmp_path)).read(SHEET)
    head, tail = sheet.split(b"</sheetData>")

    def bomb(stream):
        stream.write(head)
        blank = b" " * 1_000_000
        for _ in range(210):
            stream.write(blank)
        stream.write(b"</sheetData>" + tail)

    path = rebuilt(workbook(tmp_path), tmp_path / "bom.xlsx", {SHEET: bomb})
    assert path.stat().st_size < 1_000_000
    tracemalloc.start()
    try:
        message = refused(db, path, "zip bomb")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "khi giải nén lớn 210 MB, quá giới hạn 200 MB" in message
    assert peak < 5_000_000  # nothing of the 210 MB was expanded


def test_a_highly_compressed_part_under_the_size_cap_is_refused_by_its_ratio(db, tmp_path):
    path = rebuilt(workbook(tmp_path), tmp_path / "ti-le.xlsx",
                   extra=[("xl/media/image1.png", lambda s: [s.write(b"\0" * (1 << 20)) for _ in range(20)])])
    message = refused(db, path, "nén bất thường")
    assert "gấp hơn 100 lần" in message


def test_a_workbook_with_too_many_parts_is_refused(db, tmp_path):
    parts = [(f"xl/media/p{i}.bin", b"x") for i in range(xlsx_guard.MAX_MEMBERS + 1)]
    path = rebuilt(workbook(tmp_path), tmp_path / "nhieu.xlsx", extra=parts)
    assert "quá nhiều thành phần" in refused(db, path, "quá nhiều thành phần")


def test_a_worksheet_stretch_longer_than_a_row_can_be_is_refused(db, tmp_path, monkeypatch):
    """openpyxl holds one row (and whatever lies between rows) in memory: a row of 60,000 cells is
    refused before it is parsed (the limit is lowered here so the file stays small)."""
    monkeypatch.setattr(xlsx_guard, "MAX_ROW_XML", 100_000)
    sheet = zipfile.ZipFile(workbook(tmp_path)).read(SHEET)
    cells = b"".join(b'<c r="Z3" t="n"><v>%d</v></c>' % i for i in range(6_000))  # beyond the header
    fat = sheet.replace(b"</sheetData>", b'<row r="3">' + cells + b"</row></sheetData>")
    path = rebuilt(workbook(tmp_path), tmp_path / "dong-dai.xlsx", {SHEET: fat})
    assert "dài hơn" in refused(db, path, "một dòng")
    monkeypatch.setattr(xlsx_guard, "MAX_ROW_XML", 300_000)
    assert import_units(db, path, NOW).errors == []  # under the limit it is a normal file


def test_a_sheet_hidden_under_another_name_is_checked_as_a_sheet(db, tmp_path, monkeypatch):
    """openpyxl finds sheets through the workbook's relationships, not by name: so does the check."""
    source = workbook(tmp_path)
    with zipfile.ZipFile(source) as old:
        rels = old.read("xl/_rels/workbook.xml.rels").replace(b"worksheets/sheet1.xml", b"media/logo.xml")
        types = old.read("[Content_Types].xml").replace(b"/xl/worksheets/sheet1.xml", b"/xl/media/logo.xml")
        sheet = old.read(SHEET)
    cells = b"".join(b'<c r="Z3" t="n"><v>%d</v></c>' % i for i in range(6_000))
    fat = sheet.replace(b"</sheetData>", b'<row r="3">' + cells + b"</row></sheetData>")
    path = tmp_path / "an.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename not in (SHEET, "xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
                new.writestr(info.filename, old.read(info.filename))
        new.writestr("xl/_rels/workbook.xml.rels", rels)
        new.writestr("[Content_Types].xml", types)
        new.writestr("xl/media/logo.xml", fat)
    assert import_units(db, path, NOW, dry_run=True).created == 2  # openpyxl does read it as the sheet
    monkeypatch.setattr(xlsx_guard, "MAX_ROW_XML", 100_000)
    refused(db, path, "một dòng")


def test_a_part_other_than_a_sheet_over_its_cap_is_refused(db, tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx_guard, "MAX_PART", 50_000)
    path = rebuilt(workbook(tmp_path), tmp_path / "style.xlsx",
                   extra=[("docProps/custom2.xml", b"<a>" + b"b" * 60_000 + b"</a>")])
    assert "docProps/custom2.xml" in refused(db, path, "quá giới hạn")


def test_an_entity_bomb_in_a_sheet_is_a_broken_file_not_a_traceback(db, tmp_path):
    laughs = (b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
              + b"".join(b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&%s;" % bytes([97 + i])) * 10) for i in range(8))
              + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
              b'<row r="1"><c r="A1" t="inlineStr"><is><t>&i;</t></is></c></row></sheetData></worksheet>')
    path = rebuilt(workbook(tmp_path), tmp_path / "thuc-the.xlsx", {SHEET: laughs})
    refused(db, path, "tệp hỏng")


def test_a_file_over_the_size_cap_is_refused_without_being_read(db, tmp_path):
    path = tmp_path / "lon.csv"
    with open(path, "wb") as f:
        f.truncate(import_files.MAX_FILE_BYTES + 1)  # sparse: nothing is written, nothing read
    assert "lớn 20,0 MB (tối đa 20 MB một lần nhập)" in refused(db, path, "chia thành nhiều tệp")


def test_cells_far_to_the_right_are_not_read_and_cost_no_memory(db, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for i in range(1, 1001):
        ws.append([f"CS{i}", f"Công đoàn {i}", "cơ sở", "15/03/2023"])
        ws.cell(row=i + 1, column=16384, value="x")  # column XFD, the last one Excel has
    path = tmp_path / "rong.xlsx"
    wb.save(path)
    tracemalloc.start()
    try:
        report = import_units(db, path, NOW, dry_run=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.errors == [] and report.rows == 1000
    assert peak < 40_000_000  # reading every row 16,384 cells wide took over 130 MB


def test_rows_beyond_the_limits_refuse_the_file(db, tmp_path, monkeypatch):
    monkeypatch.setattr(import_files, "MAX_ROWS", 5)
    text = "Mã đơn vị,Tên đơn vị,Cấp\n" + "".join(f"CS{i},Công đoàn {i},cơ sở\n,,\n" for i in range(4))
    path = tmp_path / "dv.csv"
    path.write_text(text, encoding="utf-8")
    assert import_units(db, path, NOW, dry_run=True).rows == 4  # blank rows do not count
    path.write_text(text + "CS9,Công đoàn 9,cơ sở\n", encoding="utf-8")
    assert "hơn 5 dòng dữ liệu" in refused(db, path, "quá giới hạn một lần nhập")
    monkeypatch.setattr(import_files, "EXCEL_MAX_ROW", 10)
    sheet = zipfile.ZipFile(workbook(tmp_path)).read(SHEET)
    far = sheet.replace(b"</sheetData>", b'<row r="11"><c r="A11" t="inlineStr"><is><t>x</t></is></c></row>'
                                         b"</sheetData>")
    path = rebuilt(workbook(tmp_path), tmp_path / "xa.xlsx", {SHEET: far})
    refused(db, path, "quá số dòng tối đa của Excel")


# -- encodings -------------------------------------------------------------------------------------------
UTF8_LINES = ["Mã đơn vị,Tên đơn vị,Cấp", "CS1,Công đoàn Trường Sư phạm,cơ sở", "CS2,Công đoàn Khoa Điện,bộ phận",
              "CS3,Công đoàn Phòng Đào tạo,bộ phận"]


def test_a_utf8_file_with_one_windows_1258_line_is_refused_naming_that_line(db, tmp_path):
    lines = [line.encode("utf-8") for line in UTF8_LINES]
    lines[2] = windows_1258(UTF8_LINES[2])
    path = tmp_path / "dv.csv"
    path.write_bytes(b"\r\n".join(lines) + b"\r\n")
    message = refused(db, path, "dòng 3 lại theo một bảng mã khác")
    assert "«CSV UTF-8»" in message and "Windows-1258" in message
    assert store.get_unit(db, "CS1") is None  # nothing stored, mojibake least of all


def test_a_windows_1258_file_with_one_utf8_line_is_refused_naming_that_line(db, tmp_path):
    lines = [windows_1258(line) for line in UTF8_LINES]
    lines[3] = UTF8_LINES[3].encode("utf-8")
    path = tmp_path / "dv.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    refused(db, path, "theo bảng mã Windows-1258 nhưng dòng 4 lại theo UTF-8")


@pytest.mark.parametrize("encoding, separator", [("utf-8", ","), ("utf-8-sig", ","), ("utf-16", "\t"),
                                                 ("cp1258", ",")])
def test_a_file_wholly_in_one_encoding_is_read(db, tmp_path, encoding, separator):
    path = tmp_path / "dv.csv"
    text = "\r\n".join(line.replace(",", separator) for line in UTF8_LINES) + "\r\n"
    path.write_bytes(windows_1258(text) if encoding == "cp1258" else text.encode(encoding))
    report = import_units(db, path, NOW)
    assert report.errors == [] and report.created == 3
    assert store.get_unit(db, "CS3").name == "Công đoàn Phòng Đào tạo"


def test_bytes_no_encoding_can_read_are_refused_with_their_line(db, tmp_path):
    path = tmp_path / "dv.csv"
    path.write_bytes(b"Ma don vi,Ten don vi,Cap\nCS1,C\x81ng,co so\n")  # 0x81: nothing in UTF-8 or Windows-1258
    assert "ký tự không đọc được ở dòng 2" in refused(db, path, "dòng 2")


def test_a_broken_csv_quote_gets_a_vietnamese_message(db, tmp_path):
    path = tmp_path / "dv.csv"
    path.write_text("Mã đơn vị,Tên đơn vị,Cấp\nCS1,\"" + "x" * 200_000 + "\n", encoding="utf-8")
    message = refused(db, path, "hỏng ở dòng")
    assert "field" not in message  # no English from the csv module


# -- the command line: any import path, nothing changes ---------------------------------------------------
@pytest.mark.parametrize("what", ["units", "results"])
def test_the_command_line_refuses_a_hostile_file_and_changes_nothing(tmp_path, monkeypatch, capsys, what):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    monkeypatch.setenv("ZALO_BOT_TOKEN", "")
    db_path = tmp_path / "cli.db"
    db = open_db(db_path)
    make_unit(db, "CS1", "2023-03-15")
    before = snapshot(db)
    db.conn.close()
    path = tmp_path / "dv.csv"
    path.write_bytes(b"\n".join([UTF8_LINES[0].encode(), UTF8_LINES[1].encode(), windows_1258(UTF8_LINES[2])]))
    assert bot.main(["--db", str(db_path), "import", what, str(path)]) == 1
    out = capsys.readouterr().out
    assert "LỖI: Tệp «dv.csv» lưu chữ theo UTF-8 nhưng dòng 3" in out and "KHÔNG NHẬP GÌ" in out
    db = open_db(db_path)
    assert snapshot(db) == before and db.execute("SELECT COUNT(*) FROM congress_results").fetchone()[0] == 0


def test_a_results_workbook_bomb_is_refused_too(db, tmp_path):
    path = rebuilt(workbook(tmp_path), tmp_path / "kq.xlsx",
                   extra=[("xl/media/b.bin", lambda s: [s.write(b"\0" * (1 << 20)) for _ in range(201)])])
    with pytest.raises(ImportFileError, match="zip bomb"):
        import_results(db, path, NOW)
