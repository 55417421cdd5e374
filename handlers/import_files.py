"""Open an import file (units, officers, results) and read its rows, whatever the file holds: a broken,
hostile or mis-encoded file is refused as a whole with a Vietnamese message, before any row is used.

Limits (import_units / import_officers / import_results, from the command line or any other caller):
- any file: at most MAX_FILE_BYTES (20 MB); at most MAX_ROWS (200,000) rows that are not blank, of
  which the first MAX_COLUMNS (200) columns are read; blank rows are dropped as they are read (line
  numbers stay those of the file);
- .xlsx / .xlsm: inspected with zipfile before openpyxl opens it (handlers/xlsx_guard.py: members,
  expanded size, compression ratio, the longest stretch of a worksheet), then read in openpyxl's
  streaming (read-only) mode; a sheet claiming rows beyond Excel's 1,048,576 is refused; anything
  openpyxl cannot parse (broken XML, an entity bomb stopped by expat) is "tệp hỏng";
- .csv / .txt: decoded as one encoding, never line by line — UTF-8 (with or without BOM), UTF-16 with
  its BOM (Excel's "Unicode Text"), or Windows-1258 when no line is UTF-8 at all (older Excel on
  Vietnamese Windows). A file mixing them, typically a UTF-8 list with a line pasted from an older
  file, is refused naming that line, so no mojibake is stored.
"""
from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from pathlib import Path

from handlers.xlsx_guard import XlsxRefused, check_xlsx

MAX_FILE_BYTES = 20_000_000
MAX_ROWS = 200_000
MAX_COLUMNS = 200
EXCEL_MAX_ROW = 1_048_576
SHOWN_LINES = 5

Sheet = list[tuple[int, list[object]]]   # (line number in the file, cell values), blank rows left out


class ImportFileError(Exception):
    """The file as a whole cannot be used (unreadable, no header, missing columns)."""


def _lines(numbers: list[int]) -> str:
    shown = ", ".join(map(str, numbers[:SHOWN_LINES]))
    more = f" và {len(numbers) - SHOWN_LINES} dòng khác" if len(numbers) > SHOWN_LINES else ""
    return f"dòng {shown}{more}"


def _trim(cells: tuple | list) -> tuple | list:
    """Without the trailing empty cells openpyxl pads each row with (up to MAX_COLUMNS): a binary search
    on "everything from here on is None", each probe counted in C, so a wide padding costs little."""
    size = len(cells)
    if not size or cells[-1] is not None:
        return cells
    low, high = 0, size
    while low < high:
        middle = (low + high) // 2
        if cells[middle:].count(None) == size - middle:
            high = middle
        else:
            low = middle + 1
    return cells[:low]


class _Rows:
    """Counts the rows that are not blank against MAX_ROWS; cuts each at MAX_COLUMNS."""

    def __init__(self, name: str):
        self.name, self.count = name, 0

    def keep(self, cells: tuple | list) -> list[object] | None:
        cells = _trim(cells[:MAX_COLUMNS])
        if not any(c is not None and (not isinstance(c, str) or c.strip()) for c in cells):
            return None
        self.count += 1
        if self.count > MAX_ROWS:
            raise ImportFileError(f"Tệp «{self.name}» có hơn {MAX_ROWS:,} dòng dữ liệu, quá giới hạn một lần "
                                  "nhập; hãy chia thành nhiều tệp.".replace(",", "."))
        return list(cells)


# -- CSV ----------------------------------------------------------------------------------------------
def decode_text(raw: bytes, name: str) -> str:
    """The file's text in one encoding, or ImportFileError naming the line that breaks it."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            line = raw[:exc.start].decode("utf-16", errors="replace").count("\n") + 1
            raise ImportFileError(f"Tệp «{name}» (UTF-16) có ký tự hỏng ở dòng {line}; hãy lưu lại tệp dạng "
                                  "«CSV UTF-8» rồi nhập lại.") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    utf8, other = [], []
    for number, line in enumerate(raw.split(b"\n"), start=1):  # b"\n" never occurs inside a UTF-8 character
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8.append(number)
        except UnicodeDecodeError:
            other.append(number)
    if raw.startswith(codecs.BOM_UTF8) or len(utf8) >= len(other):
        raise ImportFileError(
            f"Tệp «{name}» lưu chữ theo UTF-8 nhưng {_lines(other)} lại theo một bảng mã khác (thường do dán "
            "từ một tệp cũ, Windows-1258 hay TCVN3), nên chữ có dấu ở đó sẽ bị sai. Anh/chị gõ lại các dòng "
            "đó rồi lưu tệp dạng «CSV UTF-8».")
    if utf8:
        raise ImportFileError(
            f"Tệp «{name}» lưu chữ theo bảng mã Windows-1258 nhưng {_lines(utf8)} lại theo UTF-8, nên chữ có "
            "dấu sẽ bị sai. Anh/chị mở tệp trong Excel, lưu lại cả tệp dạng «CSV UTF-8» rồi nhập lại.")
    try:
        return raw.decode("cp1258")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ImportFileError(f"Tệp «{name}» có ký tự không đọc được ở dòng {line} (không phải UTF-8, cũng "
                              "không phải Windows-1258); hãy lưu lại tệp dạng «CSV UTF-8».") from None


def read_csv(path: Path) -> list[Sheet]:
    text = unicodedata.normalize("NFC", decode_text(path.read_bytes(), path.name))  # cp1258: tone marks apart
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, budget = [], _Rows(path.name)
    try:
        for record in reader:
            cells = budget.keep(record)
            if cells is not None:
                rows.append((reader.line_num, cells))
    except csv.Error:
        raise ImportFileError(f"Tệp CSV «{path.name}» hỏng ở dòng {reader.line_num} (một ô quá dài, hoặc dấu "
                              "ngoặc kép không đóng).") from None
    return [rows]


# -- XLSX ---------------------------------------------------------------------------------------------
def read_xlsx(path: Path) -> list[Sheet]:
    try:
        check_xlsx(path)
    except XlsxRefused as exc:
        raise ImportFileError(str(exc)) from None
    from openpyxl import load_workbook
    broken = ImportFileError(f"Không mở được tệp Excel «{path.name}»: tệp hỏng hoặc không phải định dạng .xlsx.")
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - a hostile file can break openpyxl in any way; it is refused
        raise broken from None
    sheets, budget = [], _Rows(path.name)
    try:
        for sheet in workbook.worksheets:
            sheet.reset_dimensions()  # the declared size may lie (A1:XFD1048576); read what is there
            rows = []
            for line, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
                if line > EXCEL_MAX_ROW:
                    raise ImportFileError(f"Tệp Excel «{path.name}» khai báo dòng quá số dòng tối đa của "
                                          "Excel: tệp hỏng.")
                cells = budget.keep(values)
                if cells is not None:
                    rows.append((line, cells))
            sheets.append(rows)
    except ImportFileError:
        raise
    except Exception:  # noqa: BLE001 - as above, while the rows are parsed
        raise broken from None
    finally:
        workbook.close()
    return sheets


def read_sheets(path: Path) -> list[Sheet]:
    """Every sheet of the file as (line number, cell values) rows, blank rows left out."""
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(f"Không thấy tệp «{path}».")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        shown = f"{size / 1e6:.1f}".replace(".", ",")
        raise ImportFileError(f"Tệp «{path.name}» lớn {shown} MB (tối đa {MAX_FILE_BYTES // 1_000_000} MB một lần "
                              "nhập); hãy chia thành nhiều tệp.")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return read_csv(path)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    if suffix == ".xls":
        raise ImportFileError("Tệp .xls (Excel 97–2003) chưa được hỗ trợ: anh/chị mở tệp trong Excel và "
                              "lưu lại dạng .xlsx hoặc .csv (UTF-8).")
    raise ImportFileError(f"Không nhận dạng được tệp «{path.name}»: chỉ nhận .csv hoặc .xlsx.")
