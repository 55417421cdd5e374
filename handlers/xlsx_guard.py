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
- each worksheet — found as openpyxl finds it ([Content_Types].xml, the workbook's <sheet> ids and
  relationships, each parsed only once it is known to be under MAX_ROW_XML), since a hostile file may
  put a sheet under any name — streamed in MAX_WINDOW pieces: at most MAX_ROW_XML (2 MB) of XML between
  two row starts (also before the first row and after the last). openpyxl keeps a whole row's
  elements, and anything between rows, in memory while it parses; an Excel row of 16,384 cells is
  under 1 MB.

Each refusal is an ImportFileError whose Vietnamese message says what is too large.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

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
_CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_RELATIONSHIP_ID = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SPREADSHEET = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_WORKBOOK_TYPES = (  # in the order openpyxl looks for them
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")


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


def _small_xml(archive: zipfile.ZipFile, part: str, name: str) -> ElementTree.Element:
    """A part openpyxl parses whole anyway, parsed once its size is known to be small (expat stops
    entity bombs)."""
    info = archive.getinfo(part)
    if info.file_size > MAX_ROW_XML:
        raise XlsxRefused(f"Tệp Excel «{name}» có phần «{part[:60]}» lớn bất thường ({_mb(info.file_size)}).")
    return ElementTree.fromstring(archive.read(info))


def _sheet_parts(archive: zipfile.ZipFile, name: str) -> set[str]:
    """The parts openpyxl will parse as worksheets, found as it finds them: the workbook part named by
    [Content_Types].xml, its <sheet> ids, their targets in the workbook's relationships. A hostile file
    may put a sheet anywhere, so its name is no guide."""
    names = set(archive.namelist())
    workbook = "xl/workbook.xml"
    if "[Content_Types].xml" in names:
        overrides = list(_small_xml(archive, "[Content_Types].xml", name).iter(f"{{{_CONTENT_TYPES}}}Override"))
        workbook = next((o.get("PartName", "")[1:] for kind in _WORKBOOK_TYPES for o in overrides
                         if o.get("ContentType") == kind), workbook)
    folder, leaf = posixpath.split(workbook)
    relationships = posixpath.join(folder, "_rels", f"{leaf}.rels")
    if workbook not in names or relationships not in names:
        return set()  # openpyxl finds no sheet either, and refuses the file
    ids = {sheet.get(f"{{{_RELATIONSHIP_ID}}}id") for sheet in
           _small_xml(archive, workbook, name).iter(f"{{{_SPREADSHEET}}}sheet")}
    parent = posixpath.split(posixpath.dirname(relationships))[0]
    parts = set()
    for rel in _small_xml(archive, relationships, name).iter(f"{{{_PACKAGE_RELATIONSHIPS}}}Relationship"):
        target = rel.get("Target") or ""
        if rel.get("Id") in ids and rel.get("TargetMode") != "External":
            parts.add(target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(parent, target)))
    return parts


def _check_sizes(path: Path, infos: list[zipfile.ZipInfo], name: str) -> None:
    if len(infos) > MAX_MEMBERS:
        raise XlsxRefused(f"Tệp Excel «{name}» có quá nhiều thành phần bên trong (hơn "
                          f"{MAX_MEMBERS:,}).".replace(",", "."))
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise XlsxRefused(f"Tệp Excel «{name}» khi giải nén lớn {_mb(total)}, quá giới hạn "
                          f"{_mb(MAX_UNCOMPRESSED)}: có thể là tệp nén độc hại («zip bomb»), hoặc bảng quá lớn "
                          "— hãy chia nhỏ tệp.")
    on_disk = max(path.stat().st_size, 1)
    expanding = [i for i in infos if i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(i.compress_size, 1)]
    if expanding or (total > RATIO_FLOOR and total > MAX_RATIO * on_disk):
        raise XlsxRefused(f"Tệp Excel «{name}» nén bất thường (giải nén ra gấp hơn {MAX_RATIO} lần): có thể là "
                          "tệp nén độc hại («zip bomb»), không mở.")


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
            _check_sizes(path, infos, name)
            sheets = _sheet_parts(archive, name)
            for info in infos:
                if info.filename in sheets:
                    with archive.open(info) as stream:
                        if _stretch_too_long(stream):
                            raise XlsxRefused(
                                f"Tệp Excel «{name}» có một dòng (hoặc một đoạn) của trang tính dài hơn "
                                f"{_mb(MAX_ROW_XML)} dữ liệu: quá lớn so với một bảng danh sách, không mở.")
                elif info.file_size > MAX_PART:
                    raise XlsxRefused(f"Tệp Excel «{name}» có phần «{info.filename[:60]}» lớn {_mb(info.file_size)}, "
                                      f"quá giới hạn {_mb(MAX_PART)}.")
    except XlsxRefused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, OSError,
            ValueError, KeyError, ElementTree.ParseError) as exc:  # broken, encrypted, unreadable XML
        raise XlsxRefused(f"Không mở được tệp Excel «{name}»: tệp hỏng hoặc không phải định dạng .xlsx.") from exc
