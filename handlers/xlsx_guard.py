"""Inspect an .xlsx before openpyxl opens it: a zip bomb or a workbook built to exhaust memory is
refused from what the zip says about itself, reading no more than a window of it at a time.

An .xlsx is a zip of XML parts. openpyxl expands and parses them, and a 1.3 MB file of highly
compressible XML once took 3.5 GB. Before that, with `zipfile` only:

- the end record: at most MAX_MEMBERS (1,000) members and a central directory of at most
  MAX_DIRECTORY bytes, checked before `zipfile` builds one object per member;
- the members' declared sizes: at most MAX_UNCOMPRESSED (200 MB) expanded in all, no part other than a
  worksheet over MAX_PART (30 MB; openpyxl builds the whole tree of shared strings and styles), and no
  member over RATIO_FLOOR (1 MB) — nor the whole file — expanding more than MAX_RATIO (100) times.
  Real workbooks expand 2–17 times (the progress workbook of 100,000 units: 5.8 MB → 71 MB, 12 times);
  deflate bombs about 1,000 times. `zipfile` stops a member at its declared size (a header that lies
  ends in a CRC error), so the declared sizes bound what openpyxl can expand;
- each worksheet, streamed in MAX_WINDOW pieces: at most MAX_ROW_XML (2 MB) of XML between two row
  starts (also before the first row and after the last). openpyxl keeps a whole row's elements, and
  anything between rows, in memory while it parses; an Excel row of 16,384 cells is under 1 MB.

Each refusal is an ImportFileError whose Vietnamese message says what is too large.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

MAX_MEMBERS = 1_000
MAX_DIRECTORY = 1_000_000
MAX_UNCOMPRESSED = 200_000_000
MAX_PART = 30_000_000
MAX_RATIO = 100
RATIO_FLOOR = 1_000_000
MAX_ROW_XML = 2_000_000
MAX_WINDOW = 1 << 20
_CARRY = 64
_END_RECORD = b"PK\x05\x06"
_ROW_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_WORKSHEET = re.compile(r"xl/worksheets/[^/]+\.xml", re.IGNORECASE)


class XlsxRefused(ValueError):
    """The workbook is refused before parsing; the message is Vietnamese."""


def _mb(size: int) -> str:
    """'1.300 MB', '210 MB', '2,0 MB': Vietnamese separators."""
    if size >= 10_000_000:
        return f"{size / 1_000_000:,.0f} MB".replace(",", ".")
    return f"{size / 1_000_000:.1f} MB".replace(".", ",")


def _end_record(path: Path, name: str) -> tuple[int, int]:
    """(members, central directory bytes) as the zip's end record declares them."""
    with open(path, "rb") as f:
        f.seek(0, 2)
        size = f.tell()
        f.seek(max(0, size - (1 << 16) - 22))  # the record (22 bytes) and a comment of up to 64 KB
        tail = f.read()
    at = tail.rfind(_END_RECORD)
    if at < 0 or len(tail) - at < 22:
        raise XlsxRefused(f"Không mở được tệp Excel «{name}»: tệp hỏng hoặc không phải định dạng .xlsx.")
    members = int.from_bytes(tail[at + 10:at + 12], "little")
    directory = int.from_bytes(tail[at + 12:at + 16], "little")
    return members, directory  # 0xFFFF / 0xFFFFFFFF (ZIP64) are over the limits anyway


def _stretch_too_long(stream) -> bool:
    """True when the part holds more than MAX_ROW_XML bytes without a row start (counting from its
    beginning and up to its end). Reads MAX_WINDOW at a time and stops as soon as it knows."""
    last = 0        # offset of the latest row start (0: the part's beginning)
    consumed = 0    # bytes read so far
    carry = b""     # the end of the previous window: a tag cut between two reads is found whole
    while piece := stream.read(MAX_WINDOW):
        window = carry + piece
        origin = consumed - len(carry)
        for match in _ROW_START.finditer(window):
            start = origin + match.start()
            if start > last:
                if start - last > MAX_ROW_XML:
                    return True
                last = start
        consumed += len(piece)
        carry = window[-_CARRY:]
        if consumed - _CARRY - last > MAX_ROW_XML:  # no later start can shorten this stretch
            return True
    return consumed - last > MAX_ROW_XML


def check_xlsx(path: Path) -> None:
    """Refuse (XlsxRefused) a workbook whose zip could expand beyond the limits above."""
    name = path.name
    members, directory = _end_record(path, name)
    if members > MAX_MEMBERS or directory > MAX_DIRECTORY:
        raise XlsxRefused(f"Tệp Excel «{name}» có quá nhiều thành phần bên trong (hơn {MAX_MEMBERS:,}); "
                          "đây không phải một bảng tính thông thường.".replace(",", "."))
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_MEMBERS:
                raise XlsxRefused(f"Tệp Excel «{name}» có quá nhiều thành phần bên trong (hơn "
                                  f"{MAX_MEMBERS:,}).".replace(",", "."))
            total = sum(i.file_size for i in infos)
            if total > MAX_UNCOMPRESSED:
                raise XlsxRefused(f"Tệp Excel «{name}» khi giải nén lớn {_mb(total)}, quá giới hạn "
                                  f"{_mb(MAX_UNCOMPRESSED)}: có thể là tệp nén độc hại («zip bomb»), hoặc bảng "
                                  "quá lớn — hãy chia nhỏ tệp.")
            on_disk = max(path.stat().st_size, 1)
            expanding = [i for i in infos if i.file_size > RATIO_FLOOR
                         and i.file_size > MAX_RATIO * max(i.compress_size, 1)]
            if expanding or (total > RATIO_FLOOR and total > MAX_RATIO * on_disk):
                raise XlsxRefused(f"Tệp Excel «{name}» nén bất thường (giải nén ra gấp hơn {MAX_RATIO} lần): "
                                  "có thể là tệp nén độc hại («zip bomb»), không mở.")
            for info in infos:
                if _WORKSHEET.fullmatch(info.filename):
                    with archive.open(info) as stream:
                        if _stretch_too_long(stream):
                            raise XlsxRefused(
                                f"Tệp Excel «{name}» có một dòng (hoặc một đoạn) của trang tính dài hơn "
                                f"{_mb(MAX_ROW_XML)} dữ liệu: quá lớn so với một bảng danh sách, không mở.")
                elif info.file_size > MAX_PART:
                    raise XlsxRefused(f"Tệp Excel «{name}» có phần «{info.filename[:60]}» lớn {_mb(info.file_size)}, "
                                      f"quá giới hạn {_mb(MAX_PART)}.")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, OSError,
            ValueError) as exc:  # broken, encrypted, or a method zipfile cannot read
        if isinstance(exc, XlsxRefused):
            raise
        raise XlsxRefused(f"Không mở được tệp Excel «{name}»: tệp hỏng hoặc không phải định dạng .xlsx.") from exc
