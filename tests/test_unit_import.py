"""Importing units and officers from the CSV / XLSX files union offices keep: good files (title rows,
blank rows, headers without diacritics, Excel dates), bad files (every bad row reported with its line,
nothing changed), re-import updating by unit code and re-planning moved dates."""
import unicodedata
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from channels.registry import spellings
from handlers.importing import ImportFileError, import_officers, import_units
from scheduler import reminders
from storage import outbox
from storage import units as store
from unit_fixtures import fixture_plans, local  # noqa: F401

pytestmark = pytest.mark.usefixtures("fixture_plans")
NOW = local("2023-02-01 09:00")

GOOD_CSV = """DANH SÁCH CÔNG ĐOÀN CƠ SỞ VÀ CÔNG ĐOÀN BỘ PHẬN,,,,,,,
Kèm theo Kế hoạch số 10/KH-CĐVC,,,,,,,
,,,,,,,
STT,Mã đơn vị,Tên đơn vị,Cấp,Mã đơn vị cấp trên,Ngày đại hội (dd/mm/yyyy),Hình thức,Số đoàn viên
1,CDCS-01,Công đoàn Trường ĐH Sư phạm Kỹ thuật,Công đoàn cơ sở,,28/04/2023,Đại biểu,"1.250"
,,,,,,,
2,BP-01,Công đoàn bộ phận Khoa Cơ khí,CĐBP,CDCS-01,01/03/2023,toàn thể,45
3,BP-02,Công đoàn bộ phận Khoa Điện,cong doan bo phan,CDCS-01,15/3/2023 14:00,Toan the,
"""


def write(tmp_path, name: str, text: str, encoding: str = "utf-8-sig"):
    path = tmp_path / name
    path.write_bytes(windows_1258(text) if encoding == "cp1258" else text.encode(encoding))
    return path


def windows_1258(text: str) -> bytes:
    """Vietnamese as Windows-1258 stores it: a base letter, then a combining tone mark."""
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", ch)
            out += (unicodedata.normalize("NFC", decomposed[:-1]) + decomposed[-1]).encode("cp1258")
    return out


def xlsx(tmp_path, rows, name="don-vi.xlsx"):
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


def snapshot(db):
    return [tuple(r) for r in db.execute("SELECT * FROM units ORDER BY code")]


def test_csv_with_title_rows_blank_rows_and_mixed_spellings_is_imported(db, tmp_path):
    report = import_units(db, write(tmp_path, "dv.csv", GOOD_CSV), NOW)
    assert report.errors == [] and report.created == 3 and report.applied
    school, bp1, bp2 = (store.get_unit(db, c) for c in ("CDCS-01", "BP-01", "BP-02"))
    assert school.level == "cong_doan_co_so" and school.form == "dai_bieu" and school.members_count == 1250
    assert school.congress_date == "2023-04-28" and school.status == "chua_to_chuc"
    assert bp1.parent_code == "CDCS-01" and bp1.level == "cong_doan_bo_phan" and bp1.form == "toan_the"
    assert bp2.congress_date == "2023-03-15" and bp2.congress_time == "14:00" and bp2.members_count is None
    assert len({school.invite_code, bp1.invite_code, bp2.invite_code}) == 3  # generated, distinct


def test_semicolon_csv_without_diacritics_in_windows_encoding_is_imported(db, tmp_path):
    text = "Ma don vi;Ten don vi;Cap;Ngay dai hoi;Trang thai\nCS-9;Công đoàn Sở Y tế;co so;2023-04-20;da to chuc\n"
    report = import_units(db, write(tmp_path, "dv.csv", text, encoding="cp1258"), NOW)
    assert report.errors == []
    unit = store.get_unit(db, "CS-9")
    assert unit.name == "Công đoàn Sở Y tế" and unit.status == "da_to_chuc"


def test_xlsx_with_real_excel_dates_a_title_row_and_numbers_as_codes_is_imported(db, tmp_path):
    path = xlsx(tmp_path, [
        ["DANH SÁCH ĐƠN VỊ TỔ CHỨC ĐẠI HỘI NHIỆM KỲ 2023–2028"],
        [],
        ["STT", "Mã đơn vị", "Tên đơn vị", "Cấp", "Cấp trên", "Ngày đại hội", "Giờ", "Địa điểm", "Kế hoạch",
         "Ghi chú"],
        [1, 101, "Công đoàn Viên chức thành phố", "cấp trên trực tiếp cơ sở", None, datetime(2023, 7, 20),
         None, None, None, "x"],
        [2, 102, "Công đoàn Trường THPT Thăng Long", "CĐCS", 101, datetime(2023, 4, 15), "08h30",
         "Hội trường A", "test-plan", None],
        [None, None, None, None, None, None, None, None, None, None],
        [3, "103", "Công đoàn Trường THCS Ba Đình", "công đoàn cơ sở", "101", 45040, None, None, None, None],
    ])
    report = import_units(db, path, NOW)
    assert report.errors == [], report.errors
    assert store.get_unit(db, "102").congress_date == "2023-04-15"
    assert store.get_unit(db, "102").congress_time == "08:30" and store.get_unit(db, "102").plan_id == "test-plan"
    assert store.get_unit(db, "103").congress_date == "2023-04-24"  # Excel serial number 45040
    assert store.get_unit(db, "103").parent_code == "101"


def test_every_bad_row_is_reported_with_its_line_and_nothing_changes(db, tmp_path):
    import_units(db, write(tmp_path, "ok.csv", GOOD_CSV), NOW)
    before = snapshot(db)
    bad = (
        "Mã đơn vị,Tên đơn vị,Cấp,Mã đơn vị cấp trên,Ngày đại hội,Số đoàn viên,Hình thức\n"
        "BP-01,Công đoàn bộ phận Khoa Cơ khí,CĐBP,CDCS-01,05/03/2023,45,toàn thể\n"    # good (an update)
        "BP-07,Khoa Hóa,công đoàn bộ phận,KHONG-CO,10/03/2023,,\n"                     # line 3: parent
        "BP-08,Khoa Sinh,công đoàn bộ phận,CDCS-01,31/02/2023,,\n"                     # line 4: date
        "BP-01,Khoa Lý,công đoàn bộ phận,CDCS-01,10/03/2023,,\n"                       # line 5: duplicate
        "BP-09,,chi bộ,CDCS-01,hôm nay,mười,hội nghị\n"                                # line 6: many
        "CDCS-02,Trường B,công đoàn cơ sở,BP-01,10/03/2023,,\n"                         # line 7: level
    )
    report = import_units(db, write(tmp_path, "bad.csv", bad), NOW)
    lines = dict(report.errors)
    assert sorted(lines) == [3, 4, 5, 6, 7]
    assert "KHONG-CO" in lines[3] and "không có" in lines[3]
    assert "31/02/2023" in lines[4] and "không có thật" in lines[4]
    assert "trùng với dòng 2" in lines[5]
    assert "thiếu tên" in lines[6] and "cấp «chi bộ»" in lines[6] and "dd/mm/yyyy" in lines[6]
    assert "số đoàn viên" in lines[6] and "hình thức" in lines[6]
    assert "cấp cao hơn" in lines[7]
    assert "KHÔNG NHẬP GÌ" in report.lines()[-1]
    assert snapshot(db) == before and not report.applied


def test_changing_a_level_below_a_kept_child_is_refused(db, tmp_path):
    import_units(db, write(tmp_path, "ok.csv", GOOD_CSV), NOW)
    before = snapshot(db)
    report = import_units(db, write(tmp_path, "lv.csv", "Mã,Tên,Cấp\nCDCS-01,Trường,công đoàn bộ phận\n"), NOW)
    assert report.errors and "BP-01" in report.errors[0][1] and report.errors[0][0] == 2
    assert snapshot(db) == before


def test_missing_required_column_is_told_and_nothing_changes(db, tmp_path):
    with pytest.raises(ImportFileError, match="thiếu cột: Cấp"):
        import_units(db, write(tmp_path, "x.csv", "Mã đơn vị,Tên đơn vị\nA,B\n"), NOW)
    assert snapshot(db) == []


def test_file_without_a_header_row_is_told(db, tmp_path):
    with pytest.raises(ImportFileError, match="Không tìm thấy dòng tiêu đề"):
        import_units(db, write(tmp_path, "x.csv", "a,b,c\n1,2,3\n"), NOW)


def test_broken_xlsx_and_old_xls_get_a_vietnamese_message(db, tmp_path):
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ImportFileError, match="tệp hỏng"):
        import_units(db, broken, NOW)
    old = tmp_path / "cu.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ImportFileError, match=r"lưu lại dạng \.xlsx"):
        import_units(db, old, NOW)


def test_bad_xlsx_rows_are_reported_with_spreadsheet_line_numbers(db, tmp_path):
    path = xlsx(tmp_path, [
        ["Danh sách"],
        ["Mã đơn vị", "Tên đơn vị", "Cấp", "Ngày đại hội"],
        ["A1", "Công đoàn A", "công đoàn cơ sở", datetime(2023, 4, 1)],
        [],
        ["A2", "Công đoàn B", "công đoàn cơ sở", "2023/13/45"],
    ])
    report = import_units(db, path, NOW)
    assert [line for line, _ in report.errors] == [5]
    assert store.count_units(db) == 0


def test_reimport_updates_by_code_keeps_invite_codes_and_replans_moved_dates(db, tmp_path):
    import_units(db, write(tmp_path, "a.csv", GOOD_CSV), NOW)
    invite = store.get_unit(db, "BP-01").invite_code
    officer = store.ensure_officer(db, "telegram", "100", NOW)
    store.join_unit(db, officer.id, "BP-01", NOW)
    reminders.plan_due(db, local("2023-02-14 09:00"))  # plans the 15/02 reminder for 01/03
    pending = outbox.rows(db, "status = 'pending'")
    assert pending and all("2023-03-01" in r.key for r in pending)

    moved = GOOD_CSV.replace("01/03/2023", "08/03/2023")
    report = import_units(db, write(tmp_path, "b.csv", moved), local("2023-02-14 10:00"))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert report.replanned == ["BP-01"]
    unit = store.get_unit(db, "BP-01")
    assert unit.congress_date == "2023-03-08" and unit.invite_code == invite
    assert {r.status for r in outbox.rows(db) if "2023-03-01" in r.key} == {"cancelled"}


def test_reimport_of_the_same_file_changes_nothing(db, tmp_path):
    path = write(tmp_path, "a.csv", GOOD_CSV)
    import_units(db, path, NOW)
    before = snapshot(db)
    report = import_units(db, path, local("2023-02-02 09:00"))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert snapshot(db) == before


def test_invite_code_taken_by_another_unit_is_refused(db, tmp_path):
    import_units(db, write(tmp_path, "a.csv", "Mã,Tên,Cấp,Mã đăng ký\nA,Công đoàn A,cơ sở,ABCD1234\n"), NOW)
    report = import_units(db, write(tmp_path, "b.csv", "Mã,Tên,Cấp,Mã đăng ký\nB,Công đoàn B,cơ sở,abcd1234\n"), NOW)
    assert report.errors and "đang dùng cho đơn vị A" in report.errors[0][1]


def test_dry_run_checks_without_writing(db, tmp_path):
    report = import_units(db, write(tmp_path, "a.csv", GOOD_CSV), NOW, dry_run=True)
    assert report.errors == [] and report.created == 3 and not report.applied
    assert store.count_units(db) == 0


# -- officers ---------------------------------------------------------------------------------------
OFFICERS_CSV = """Danh sách cán bộ nhận nhắc hạn
Mã đơn vị,Họ và tên,Chức vụ,Kênh,ID,Số điện thoại,Nhắc hạn
BP-01,Nguyễn Văn An,Chủ tịch,Telegram,123456789,0912 345 678,có
BP-02,Trần Thị Bình,Phó chủ tịch,zalo,za-998877,,không
BP-02,Nguyễn Văn An,Ủy viên,telegram,123456789,,
"""


def test_officers_csv_registers_each_officer_to_their_units(db, tmp_path):
    import_units(db, write(tmp_path, "dv.csv", GOOD_CSV), NOW)
    report = import_officers(db, write(tmp_path, "cb.csv", OFFICERS_CSV), NOW, channels=spellings())
    assert report.errors == [] and report.applied
    an = store.find_officer(db, "telegram", "123456789")
    binh = store.find_officer(db, "zalo", "za-998877")
    assert an.name == "Nguyễn Văn An" and [u.code for u in store.units_of(db, an.id)] == ["BP-01", "BP-02"]
    assert not binh.reminders_enabled


def test_officers_xlsx_with_an_id_telegram_column_needs_no_channel_column(db, tmp_path):
    import_units(db, write(tmp_path, "dv.csv", GOOD_CSV), NOW)
    path = xlsx(tmp_path, [["Mã đơn vị", "Họ tên", "ID Telegram"], ["BP-01", "Lê Văn C", 555000111]],
                name="cb.xlsx")
    report = import_officers(db, path, NOW, channels=spellings())
    assert report.errors == []
    assert store.find_officer(db, "telegram", "555000111") is not None


def test_bad_officer_rows_change_nothing(db, tmp_path):
    import_units(db, write(tmp_path, "dv.csv", GOOD_CSV), NOW)
    bad = ("Mã đơn vị,Họ và tên,Kênh,ID\n"
           "BP-01,Nguyễn Văn An,telegram,123\n"
           "BP-99,Trần B,telegram,456\n"
           "BP-01,Lê C,viber,789\n"
           "BP-01,Nguyễn Văn An,telegram,123\n")
    report = import_officers(db, write(tmp_path, "cb.csv", bad), NOW, channels=spellings())
    lines = dict(report.errors)
    assert sorted(lines) == [3, 4, 5]
    assert "BP-99" in lines[3] and "viber" in lines[4] and "trùng với dòng 2" in lines[5]
    assert db.execute("SELECT COUNT(*) FROM officers").fetchone()[0] == 0


@pytest.mark.parametrize("text,expected", [
    ("28/04/2023", date(2023, 4, 28)), ("8/4/2023", date(2023, 4, 8)), ("28-04-2023", date(2023, 4, 28)),
    ("28.04.23", date(2023, 4, 28)), ("2023-04-28", date(2023, 4, 28)),
])
def test_dates_are_read_day_first(text, expected):
    from handlers.importing import parse_date
    assert parse_date(text)[0] == expected
