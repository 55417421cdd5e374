"""Import units and officers from the spreadsheets union offices keep (CSV or XLSX).

Accepted as offices write them: Vietnamese headers with or without diacritics ("Mã đơn vị", "Ma don vi",
"Ngày đại hội (dd/mm/yyyy)"), title rows above the header, blank rows, dates as dd/mm/yyyy text or real
Excel dates, numbers stored as text or as numbers. Every bad row is reported with its line and the reason
in Vietnamese, and a file with any bad row changes nothing. What a file may hold at all (size, encoding,
the checks of an .xlsx before it is opened) is handlers/import_files.py's; here, what a cell may hold:
dates within 2000–2100 whatever the cell type, counts 0..MAX_MEMBERS, names of at most MAX_NAME
characters, no control characters. Re-importing updates units by their code
(columns absent from the file keep their stored values) and re-plans reminders of units whose dates moved.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Callable, Mapping

import sqlite_utils

import clock
from handlers.import_files import ImportFileError, read_sheets
from handlers.spreadsheet_cells import unescape
from knowledge.normalize import fold
from knowledge.plan import FIRST_YEAR, LAST_YEAR, PlanError, plans, sane_year
from knowledge.unit_terms import LEVEL_RANK, LEVELS, parse_form, parse_level, parse_status
from scheduler import reminders
from storage import units as store
from storage.transactions import immediate

HEADER_SCAN_ROWS = 15
MAX_MEMBERS = 10_000_000        # "Số đoàn viên": the whole Tổng Liên đoàn is about 11 million
MAX_NAME = 200                  # characters of a unit's or officer's name
MAX_TEXT = 300                  # of a place, a position, a phone number

UNIT_HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("ma don vi", "ma", "ma cong doan", "ma cd", "ma so", "ma dv", "ma to chuc", "ma don vi cong doan"),
    "name": ("ten don vi", "ten cong doan", "ten", "don vi", "ten to chuc", "ten cong doan bo phan",
             "ten cong doan co so", "ten cdcs", "ten cdbp", "cong doan"),
    "level": ("cap", "cap to chuc", "cap cong doan", "loai", "loai don vi", "loai hinh", "cap don vi"),
    "parent_code": ("ma don vi cap tren", "ma cap tren", "don vi cap tren", "cap tren", "cap tren truc tiep",
                    "truc thuoc", "cong doan cap tren", "ma cong doan cap tren", "thuoc", "ma truc thuoc"),
    "congress_date": ("ngay dai hoi", "ngay to chuc dai hoi", "ngay to chuc", "thoi gian dai hoi", "ngay dh",
                      "du kien ngay dai hoi", "ngay du kien", "ngay dai hoi du kien", "thoi gian to chuc"),
    "congress_time": ("gio", "gio dai hoi", "gio bat dau", "thoi gian bat dau", "gio to chuc"),
    "congress_place": ("dia diem", "dia diem dai hoi", "noi to chuc", "dia diem to chuc"),
    "form": ("hinh thuc", "hinh thuc dai hoi", "hinh thuc to chuc"),
    "status": ("trang thai", "tinh trang", "tinh hinh", "ket qua"),
    "members_count": ("so doan vien", "so luong doan vien", "doan vien", "tong so doan vien", "so dv",
                      "so luong dv", "tong so dv"),
    "invite_code": ("ma dang ky", "ma moi", "ma tham gia"),
    "plan_id": ("ke hoach", "ma ke hoach"),
}
UNIT_REQUIRED = {"code": "Mã đơn vị", "name": "Tên đơn vị", "level": "Cấp"}

OFFICER_HEADERS: dict[str, tuple[str, ...]] = {
    "unit_code": ("ma don vi", "ma cong doan", "don vi", "ma dv", "ma don vi cong doan"),
    "name": ("ho va ten", "ho ten", "ten", "ten can bo", "can bo", "ho va ten can bo"),
    "channel": ("kenh", "ung dung", "nen tang", "kenh nhan tin", "kenh lien lac"),
    "chat_id": ("id", "ma chat", "chat id", "ma nguoi dung", "user id", "ma tai khoan", "id nguoi dung",
                "id telegram", "telegram id", "id zalo", "zalo id"),
    "position": ("chuc vu", "chuc danh"),
    "phone": ("so dien thoai", "dien thoai", "sdt", "dt", "so dt"),
    "reminders": ("nhac han", "nhan nhac han", "nhac nho", "nhan nhac nho"),
}
OFFICER_REQUIRED = {"unit_code": "Mã đơn vị", "name": "Họ và tên", "chat_id": "ID (mã người dùng)"}

_CODE_RE = re.compile(r"^[\w.-]{1,40}$")
_INVITE_RE = re.compile(r"^[A-Z0-9_-]{4,64}$")
_CHAT_RE = re.compile(r"^-?[\w.-]{1,64}$")


@dataclass
class ImportReport:
    kind: str                                  # "đơn vị" / "cán bộ"
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)   # (line, reason)
    notes: list[str] = field(default_factory=list)
    replanned: list[str] = field(default_factory=list)
    applied: bool = False

    def lines(self) -> list[str]:
        if self.errors:
            out = [f"Dòng {line}: {reason}" for line, reason in self.errors]
            out.append(f"KHÔNG NHẬP GÌ: tệp có {len(self.errors)} lỗi trên {self.rows} dòng dữ liệu. "
                       "Sửa các dòng trên rồi nhập lại; dữ liệu hiện có không thay đổi.")
            return out
        out = list(self.notes)
        verb = "Đã nhập" if self.applied else "Kiểm tra xong (chưa ghi)"
        out.append(f"{verb} {self.rows} dòng {self.kind}: thêm mới {self.created}, cập nhật {self.updated}, "
                   f"không đổi {self.unchanged}.")
        if self.replanned:
            out.append(f"Đổi lịch, đã lập lại nhắc hạn: {', '.join(self.replanned)}.")
        return out


def header_key(value: object) -> str:
    """'Ngày đại hội (dd/mm/yyyy)*' → 'ngay dai hoi'."""
    text = re.sub(r"\(.*?\)", " ", str(value or ""))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split())


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass
class _Table:
    header_line: int
    columns: dict[str, int]                   # field → column index
    header_text: dict[str, str]               # field → header as written
    rows: list[tuple[int, dict[str, object]]] # (line, field → raw value), blank rows left out
    ignored: list[str]


def _locate(sheets: list[list[tuple[int, list[object]]]], spec: dict[str, tuple[str, ...]],
            required: dict[str, str], what: str) -> _Table:
    alias = {a: f for f, names in spec.items() for a in names}
    for sheet in sheets:
        non_blank = [(line, cells) for line, cells in sheet if any(not _blank(c) for c in cells)]
        for line, cells in non_blank[:HEADER_SCAN_ROWS]:
            keys = [header_key(c) for c in cells]
            found = {alias[k] for k in keys if k in alias}
            if not {"code", "name"} & found and not {"unit_code", "chat_id"} & found:
                continue
            if len(found & set(required)) < min(2, len(required)):
                continue
            columns: dict[str, int] = {}
            header_text: dict[str, str] = {}
            ignored = []
            for index, (cell, key) in enumerate(zip(cells, keys)):
                if not key:
                    continue
                field_name = alias.get(key)
                if field_name is None:
                    if key not in ("stt", "tt", "so tt", "ghi chu"):
                        ignored.append(str(cell).strip())
                    continue
                if field_name in columns:
                    raise ImportFileError(
                        f"Dòng tiêu đề {line}: hai cột «{header_text[field_name]}» và «{str(cell).strip()}» "
                        "cùng một nghĩa; hãy giữ một cột.")
                columns[field_name] = index
                header_text[field_name] = str(cell).strip()
            missing = [label for f, label in required.items() if f not in columns]
            if missing:
                raise ImportFileError(f"Dòng tiêu đề {line} thiếu cột: {', '.join(missing)}.")
            rows = []
            for data_line, data_cells in sheet:
                if data_line <= line:
                    continue
                values = {f: (data_cells[i] if i < len(data_cells) else None) for f, i in columns.items()}
                if all(_blank(v) for v in values.values()):
                    continue
                rows.append((data_line, values))
            return _Table(line, columns, header_text, rows, ignored)
    wanted = ", ".join(f"«{label}»" for label in required.values())
    raise ImportFileError(f"Không tìm thấy dòng tiêu đề {what} (cần các cột {wanted}) trong "
                          f"{HEADER_SCAN_ROWS} dòng đầu của tệp.")


# -- cell values ------------------------------------------------------------------------------------
class CellError(ValueError):
    """A cell's value cannot be used; the message is Vietnamese."""


# Control characters (a terminal escape, NUL) and invisible direction or zero-width marks: never part of
# a name or code, and they would reach terminals and messages as they are.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")


def _text(value: object) -> str:
    if _blank(value):
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    # unescape: our exports write text that starts like a formula as '=…; NFC: Unikey "tổ hợp" is decomposed
    text = unicodedata.normalize("NFC", unescape(str(value).lstrip()))
    return _INVISIBLE.sub(" ", text).strip()


def _sane(day: date, shown: str) -> date:
    if not sane_year(day):
        raise CellError(f"ngày «{shown}» có năm {day.year} không hợp lý (chỉ nhận từ năm {FIRST_YEAR} đến "
                        f"{LAST_YEAR})")
    return day


def parse_date(value: object) -> tuple[date | None, str | None]:
    """A date cell: real Excel dates, Excel serial numbers, or dd/mm/yyyy text (also with a time)."""
    if _blank(value):
        return None, None
    if isinstance(value, datetime):
        t = value.strftime("%H:%M") if (value.hour, value.minute) != (0, 0) else None
        return _sane(value.date(), f"{value:%d/%m/%Y}"), t
    if isinstance(value, date):
        return _sane(value, f"{value:%d/%m/%Y}"), None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # an Excel serial day number (1954–2119) stored as a plain number
            day = date(1899, 12, 30) + timedelta(days=int(value))
            return _sane(day, f"{day:%d/%m/%Y}"), None
        raise CellError(f"«{_text(value)}» không phải ngày; ghi dạng dd/mm/yyyy, ví dụ 28/04/2023")
    text = str(value).strip()
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?:\s+(?:lúc\s+)?(.+))?", text)
    iso_match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}:\d{2})(?::\d{2})?)?", text)
    if match:
        d, m, y, rest = int(match[1]), int(match[2]), int(match[3]), match[4]
        y = y + 2000 if y < 100 else y
    elif iso_match:
        y, m, d, rest = int(iso_match[1]), int(iso_match[2]), int(iso_match[3]), iso_match[4]
    else:
        raise CellError(f"ngày «{text}» không đúng dạng dd/mm/yyyy (ví dụ 28/04/2023)")
    try:
        day = date(y, m, d)
    except ValueError:
        raise CellError(f"ngày «{text}» không có thật") from None
    return _sane(day, text), (parse_time(rest) if rest else None)


def parse_time(value: object) -> str | None:
    """'8:00', '08h30', '8h', '14 giờ', Excel times → 'HH:MM'."""
    if _blank(value):
        return None
    if isinstance(value, datetime):
        return value.strftime("%H:%M")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and 0 <= value < 1:  # Excel fraction of a day
        minutes = min(round(value * 24 * 60), 24 * 60 - 1)  # 0.99999 is 23:59, not 24:00
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    text = fold(str(value)).strip()
    match = re.fullmatch(r"(\d{1,2})\s*(?::|h|g|gio)\s*(\d{1,2})?\s*(?:phut|p)?(?::\d{2})?", text)
    if not match or int(match[1]) > 23 or (match[2] and int(match[2]) > 59):
        raise CellError(f"giờ «{str(value).strip()}» không đúng dạng (ví dụ 08:00 hoặc 8h30)")
    return f"{int(match[1]):02d}:{int(match[2] or 0):02d}"


_WHOLE_NUMBER = re.compile(r"[0-9]{1,3}(?:([.,\s])[0-9]{3}(?:\1[0-9]{3})*)?|[0-9]+")  # 1250, 1.250, 1 250


def parse_count(value: object) -> int | None:
    """"Số đoàn viên": a whole number 0..MAX_MEMBERS, as a number cell or text with thousands
    separators; a decimal ("12,5"), a negative or a huge number is a row error, never a crash."""
    if _blank(value):
        return None
    shown = _text(value)[:30]
    if isinstance(value, bool):
        raise CellError(f"số đoàn viên «{shown}» không phải là số nguyên không âm")
    if isinstance(value, int):
        count = value
    elif isinstance(value, float):
        if not (math.isfinite(value) and value.is_integer()):
            raise CellError(f"số đoàn viên «{shown}» phải là số nguyên không âm")
        count = int(value)
    else:
        text = _text(value)
        if not _WHOLE_NUMBER.fullmatch(text):
            raise CellError(f"số đoàn viên «{shown}» không phải là số nguyên không âm")
        digits = re.sub(r"[.,\s]", "", text)
        if len(digits) > len(str(MAX_MEMBERS)):  # before int(), which refuses 4,300 digits and more
            raise CellError(f"số đoàn viên «{shown}» quá lớn (tối đa {MAX_MEMBERS:,})".replace(",", "."))
        count = int(digits)
    if count < 0:
        raise CellError(f"số đoàn viên «{shown}» phải là số nguyên không âm")
    if count > MAX_MEMBERS:
        raise CellError(f"số đoàn viên «{shown}» quá lớn (tối đa {MAX_MEMBERS:,})".replace(",", "."))
    return count


def parse_yes_no(value: object) -> bool | None:
    t = fold(_text(value))
    if not t:
        return None
    if t in ("co", "bat", "x", "1", "yes", "y", "nhan", "dong y"):
        return True
    if t in ("khong", "tat", "0", "no", "n", "khong nhan"):
        return False
    raise CellError(f"«{_text(value)}» ở cột nhắc hạn phải là «có» hoặc «không»")


def parse_channel(value: object, channels: Mapping[str, str]) -> str:
    """A channel as a spreadsheet writes it; `channels` maps folded spellings to channel names (the
    registry's, channels/registry.py)."""
    name = channels.get(fold(_text(value)))
    if name is None:
        raise CellError(f"kênh «{_text(value)}» không hỗ trợ (dùng Telegram hoặc Zalo)")
    return name


def _collect(line: int, problems: list[str], report: ImportReport) -> None:
    if problems:
        report.errors.append((line, "; ".join(problems)))


def _field(problems: list[str], parse: Callable[[object], object], value: object) -> object:
    try:
        return parse(value)
    except CellError as exc:
        problems.append(str(exc))
        return None


def _open_table(path: Path, what: str, headers, required, title: str):
    """Read the file, find its header row, and start the report (rows counted, unused columns noted)."""
    report = ImportReport(what)
    table = _locate(read_sheets(path), headers, required, title)
    report.rows = len(table.rows)
    if table.ignored:
        report.notes.append(f"Bỏ qua các cột không dùng: {', '.join(table.ignored)}.")
    return report, table


# -- units ------------------------------------------------------------------------------------------
def import_units(db: sqlite_utils.Database, path: Path, now: datetime,
                 dry_run: bool = False) -> ImportReport:
    """Check the whole file; write it (one transaction) only when every row is good."""
    report, table = _open_table(path, "đơn vị", UNIT_HEADERS, UNIT_REQUIRED, "danh sách đơn vị")
    try:
        known_plans = plans()
    except PlanError as exc:
        raise ImportFileError(f"Tệp kế hoạch hỏng, chưa nhập được: {exc}") from exc
    existing = {u.code: u for u in store.list_units(db)}
    invites_in_db = store.invite_codes(db)
    parsed: list[tuple[int, dict]] = []
    first_line_of: dict[str, int] = {}
    invite_line: dict[str, int] = {}
    for line, raw in table.rows:
        problems: list[str] = []
        values: dict[str, object] = {}
        code = _text(raw.get("code")).upper()
        if not code:
            problems.append("thiếu mã đơn vị")
        elif not _CODE_RE.match(code):
            problems.append(f"mã đơn vị «{code}» chỉ được gồm chữ, số, dấu '-', '_' hoặc '.', không dấu cách, "
                            "tối đa 40 ký tự")
        elif code in first_line_of:
            problems.append(f"mã đơn vị «{code}» trùng với dòng {first_line_of[code]}")
        else:
            first_line_of[code] = line
        values["code"] = code
        name = " ".join(_text(raw.get("name")).split())
        if not name:
            problems.append("thiếu tên đơn vị")
        elif len(name) > MAX_NAME:
            problems.append(f"tên đơn vị dài {len(name)} ký tự (tối đa {MAX_NAME})")
        values["name"] = name
        level_text = _text(raw.get("level"))
        level = parse_level(level_text)
        if level is None:
            problems.append(f"cấp «{level_text}» không hợp lệ (dùng: tổ công đoàn, công đoàn bộ phận, "
                            "công đoàn cơ sở, cấp trên trực tiếp cơ sở)" if level_text else "thiếu cấp")
        values["level"] = level
        if "parent_code" in table.columns:
            values["parent_code"] = _text(raw.get("parent_code")).upper() or None
            if values["parent_code"] and values["parent_code"] == code:
                problems.append("đơn vị không thể là cấp trên của chính nó")
        if "congress_date" in table.columns:
            parsed_date = _field(problems, parse_date, raw.get("congress_date"))
            day, time_from_date = parsed_date if parsed_date else (None, None)
            values["congress_date"] = day.isoformat() if day else None
            if "congress_time" not in table.columns and time_from_date:
                values["congress_time"] = time_from_date
        if "congress_time" in table.columns:
            values["congress_time"] = _field(problems, parse_time, raw.get("congress_time"))
        if "congress_place" in table.columns:
            values["congress_place"] = " ".join(_text(raw.get("congress_place")).split()) or None
            if values["congress_place"] and len(values["congress_place"]) > MAX_TEXT:
                problems.append(f"địa điểm dài {len(values['congress_place'])} ký tự (tối đa {MAX_TEXT})")
        if "form" in table.columns:
            form_text = _text(raw.get("form"))
            values["form"] = parse_form(form_text) if form_text else None
            if form_text and values["form"] is None:
                problems.append(f"hình thức «{form_text}» không hợp lệ (dùng: toàn thể hoặc đại biểu)")
        status_text = _text(raw.get("status")) if "status" in table.columns else ""
        if status_text:
            values["status"] = parse_status(status_text)
            if values["status"] is None:
                problems.append(f"trạng thái «{status_text}» không hợp lệ (dùng: chưa tổ chức, đã tổ chức, hoãn)")
        if "members_count" in table.columns:
            values["members_count"] = _field(problems, parse_count, raw.get("members_count"))
        invite = _text(raw.get("invite_code")).upper().replace(" ", "") if "invite_code" in table.columns else ""
        if invite:
            owner = invites_in_db.get(invite)
            if not _INVITE_RE.match(invite):
                problems.append(f"mã đăng ký «{invite}» chỉ gồm chữ không dấu, số, '-' hoặc '_', 4–64 ký tự")
            elif invite in invite_line:
                problems.append(f"mã đăng ký «{invite}» trùng với dòng {invite_line[invite]}")
            elif owner and owner != code:
                problems.append(f"mã đăng ký «{invite}» đang dùng cho đơn vị {owner}")
            else:
                invite_line[invite] = line
                values["invite_code"] = invite
        if "plan_id" in table.columns:
            plan_id = _text(raw.get("plan_id")).lower() or None
            if plan_id and plan_id not in known_plans:
                problems.append(f"kế hoạch «{plan_id}» không có trong knowledge/plans "
                                f"(có: {', '.join(sorted(known_plans))})")
            values["plan_id"] = plan_id
        _collect(line, problems, report)
        parsed.append((line, values))

    # Checks across rows: parents exist and sit higher.
    level_of = {c: u.level for c, u in existing.items()}
    level_of.update({v["code"]: v["level"] for _, v in parsed if v.get("code") and v.get("level")})
    bad_lines = {line for line, _ in report.errors}
    for line, values in parsed:
        parent = values.get("parent_code")
        if not parent or line in bad_lines:
            continue
        if parent not in level_of:
            report.errors.append((line, f"đơn vị cấp trên «{parent}» không có trong tệp hay trong hệ thống"))
        elif level_of[parent] and values.get("level") and LEVEL_RANK[level_of[parent]] <= LEVEL_RANK[values["level"]]:
            report.errors.append((line, f"đơn vị cấp trên «{parent}» ({LEVELS[level_of[parent]]}) phải ở cấp "
                                        f"cao hơn {LEVELS[values['level']]}"))
    # Units kept in the system under a unit whose level changes must still sit lower.
    in_file = {v.get("code") for _, v in parsed}
    for line, values in parsed:
        old = existing.get(values.get("code"))
        if line in bad_lines or old is None or not values.get("level") or values["level"] == old.level:
            continue
        for child in (u for u in existing.values() if u.parent_code == old.code and u.code not in in_file):
            if LEVEL_RANK[child.level] >= LEVEL_RANK[values["level"]]:
                report.errors.append((line, f"đơn vị cấp dưới «{child.code}» ({LEVELS[child.level]}) sẽ không "
                                            f"còn thấp hơn {LEVELS[values['level']]}; sửa cả đơn vị đó"))
    report.errors.sort()
    if report.errors or dry_run:
        _count_changes(existing, parsed, report)
        return report

    taken = set(invites_in_db) | set(invite_line)
    # Parents before children (foreign keys), so higher levels first.
    ordered = sorted(parsed, key=lambda lv: -LEVEL_RANK[lv[1]["level"]])
    with immediate(db):
        for _, values in ordered:
            if values["code"] not in existing and "invite_code" not in values:
                values["invite_code"] = store.new_invite_code(taken)
            outcome = store.save_unit(db, values, now)
            if outcome == "created":
                report.created += 1
            elif outcome == "unchanged":
                report.unchanged += 1
            else:
                report.updated += 1
                if outcome == "rescheduled":
                    report.replanned.append(values["code"])
        for code in report.replanned:
            reminders.replan_unit(db, code, now)
    report.applied = True
    return report


def _count_changes(existing: dict, parsed: list[tuple[int, dict]], report: ImportReport) -> None:
    for _, values in parsed:
        old = existing.get(values.get("code"))
        if old is None:
            report.created += 1
        elif any(getattr(old, k) != v for k, v in values.items() if k != "code"):
            report.updated += 1
        else:
            report.unchanged += 1


# -- officers ---------------------------------------------------------------------------------------
def import_officers(db: sqlite_utils.Database, path: Path, now: datetime,
                    dry_run: bool = False, *, channels: Mapping[str, str]) -> ImportReport:
    """Each row registers one officer (by messenger and id) to a unit, as /dangky would; a person in
    several units takes several rows. Re-importing updates name, position, phone and the reminder choice.
    `channels`: how the sheet may write each channel (channels/registry.spellings())."""
    report, table = _open_table(path, "cán bộ", OFFICER_HEADERS, OFFICER_REQUIRED, "danh sách cán bộ")
    implied_channel = None
    id_header = header_key(table.header_text["chat_id"])
    if "channel" not in table.columns:
        implied_channel = "telegram" if "telegram" in id_header else "zalo" if "zalo" in id_header else None
        if implied_channel is None:
            raise ImportFileError("Thiếu cột «Kênh» (Telegram hoặc Zalo), hoặc đặt tên cột ID là «ID Telegram» / "
                                  "«ID Zalo».")
    units = {u.code for u in store.list_units(db)}
    seen: dict[tuple[str, str, str], int] = {}
    parsed = []
    for line, raw in table.rows:
        problems: list[str] = []
        unit_code = _text(raw.get("unit_code")).upper()
        if not unit_code:
            problems.append("thiếu mã đơn vị")
        elif unit_code not in units:
            problems.append(f"đơn vị «{unit_code}» chưa có trong hệ thống (nhập danh sách đơn vị trước)")
        name = " ".join(_text(raw.get("name")).split())
        if not name:
            problems.append("thiếu họ và tên")
        elif len(name) > MAX_NAME:
            problems.append(f"họ và tên dài {len(name)} ký tự (tối đa {MAX_NAME})")
        for extra, label in (("position", "chức vụ"), ("phone", "số điện thoại")):
            if extra in table.columns and len(_text(raw.get(extra))) > MAX_TEXT:
                problems.append(f"{label} dài quá {MAX_TEXT} ký tự")
        channel = implied_channel or _field(problems, lambda v: parse_channel(v, channels), raw.get("channel"))
        chat_id = _text(raw.get("chat_id"))
        if not chat_id:
            problems.append("thiếu ID người dùng")
        elif not _CHAT_RE.match(chat_id):
            problems.append(f"ID «{chat_id}» không hợp lệ")
        wants = _field(problems, parse_yes_no, raw.get("reminders")) if "reminders" in table.columns else None
        key = (channel or "", chat_id, unit_code)
        if not problems:
            if key in seen:
                problems.append(f"trùng với dòng {seen[key]} (cùng người, cùng đơn vị)")
            else:
                seen[key] = line
        _collect(line, problems, report)
        parsed.append(dict(unit_code=unit_code, name=name, channel=channel, chat_id=chat_id,
                           position=_text(raw.get("position")) if "position" in table.columns else None,
                           phone=_text(raw.get("phone")) if "phone" in table.columns else None,
                           reminders=wants))
    if report.errors or dry_run:
        for row in parsed:
            officer = store.find_officer(db, row["channel"] or "", row["chat_id"])
            report.created += officer is None
            report.updated += officer is not None
        return report
    new_memberships = []
    with immediate(db):
        for row in parsed:
            before = store.find_officer(db, row["channel"], row["chat_id"])
            officer = store.ensure_officer(db, row["channel"], row["chat_id"], now, name=row["name"],
                                           position=row["position"], phone=row["phone"])
            if row["reminders"] is not None:
                store.set_reminders_enabled(db, officer.id, row["reminders"], now)
            joined = store.join_unit(db, officer.id, row["unit_code"], now)
            if joined:
                new_memberships.append((officer.id, row["channel"], row["chat_id"], row["unit_code"]))
            if before is None or joined:
                report.created += 1
            else:
                report.updated += 1
        for _, channel, chat_id, unit_code in new_memberships:
            officer = store.find_officer(db, channel, chat_id)
            if officer.reminders_enabled:
                reminders.plan_for_officer(db, officer, [unit_code], now)
    report.applied = True
    return report
