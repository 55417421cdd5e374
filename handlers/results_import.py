"""Import congress results from a spreadsheet, for units that do not report in chat.

Read like the unit import (handlers/importing.py): Vietnamese headers with or without diacritics, title
rows, blank rows, real Excel dates or dd/mm/yyyy. Every row goes through the same checks as an answer in
/baocao (present ≤ convened, BCH within its frame, …); a flagged row (present below 2/3) is imported with
its flag. Any bad row: nothing is imported. The progress workbook (`bot.py progress --xlsx`) uses these
headers, so an office can fill in its copy and import it back; its rows without results are skipped.
"""
from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

import sqlite_utils

import clock
from handlers import results_rules as rules
from handlers.importing import CellError, ImportReport, _open_table, _text, parse_date
from handlers.results_flow import save_result
from knowledge.unit_terms import parse_form
from storage import results as store
from storage import units as unit_store
from storage.results import FIELDS, Values
from storage.transactions import immediate

RESULT_HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("ma don vi", "ma", "ma cong doan", "ma dv", "ma don vi cong doan"),
    "held_on": ("ngay dai hoi", "ngay to chuc", "ngay to chuc dai hoi", "ngay dh", "thoi gian dai hoi"),
    "form": ("hinh thuc", "hinh thuc dai hoi"),
    "convened": ("so trieu tap", "so duoc trieu tap", "tong so trieu tap", "so doan vien duoc trieu tap",
                 "so dai bieu duoc trieu tap", "trieu tap"),
    "present": ("so co mat", "co mat", "so doan vien co mat", "so dai bieu co mat", "so du", "so tham du"),
    "bch_elected": ("so uy vien bch", "so uy vien ban chap hanh", "bch", "ban chap hanh", "so luong bch"),
    "bch_women": ("so nu trong bch", "nu trong bch", "uy vien nu", "so nu", "so uy vien nu"),
    "chair_elected_by": ("bau chu tich", "hinh thuc bau chu tich", "chu tich bau tai", "cach bau chu tich"),
    "chair_post": ("chuc vu chu tich", "chuc vu cua chu tich", "chuc vu chu tich cong doan"),
    "ubkt_elected": ("so uy vien ubkt", "ubkt", "uy ban kiem tra", "so uy vien uy ban kiem tra"),
    "delegates_elected": ("so dai bieu du dai hoi cap tren", "dai bieu du dai hoi cap tren",
                          "dai bieu di du dai hoi cap tren", "so dai bieu di du dai hoi cap tren"),
}
LABELS = {"code": "Mã đơn vị", "held_on": "Ngày đại hội", "form": "Hình thức", "convened": "Số triệu tập",
          "present": "Số có mặt", "bch_elected": "Số ủy viên BCH", "bch_women": "Số nữ trong BCH",
          "chair_elected_by": "Bầu chủ tịch", "chair_post": "Chức vụ chủ tịch", "ubkt_elected": "Số ủy viên UBKT",
          "delegates_elected": "Số đại biểu dự đại hội cấp trên"}
RESULT_REQUIRED = dict(LABELS)
_RESULT_CELLS = [f for f in FIELDS if f != "held_on"]


def _count(field: str, raw: object) -> int:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        whole = isinstance(raw, int) or (math.isfinite(raw) and raw.is_integer())
        if not whole or raw < 0:
            raise CellError(f"{LABELS[field]} «{_text(raw)[:30]}» phải là số nguyên không âm")
        if raw > rules.MAX_COUNT:  # a number cell skips the text parser's bound; SQLite stops at 2⁶³
            raise CellError(f"{LABELS[field]} «{_text(raw)[:30]}» quá lớn")
        return int(raw)
    try:
        return rules.parse_count(field, _text(raw))
    except rules.AnswerError:
        raise CellError(f"{LABELS[field]} «{_text(raw)[:30]}» không phải là số") from None


def _value(field: str, raw: object) -> object:
    if field == "held_on":
        day, _ = parse_date(raw)
        if day is None:
            raise CellError("thiếu ngày đại hội")
        return day.isoformat()
    if field == "form":
        form = parse_form(_text(raw))
        if form is None:
            raise CellError(f"hình thức «{_text(raw)}» không hợp lệ (dùng: toàn thể hoặc đại biểu)")
        return form
    if field in ("chair_elected_by", "chair_post"):
        try:
            return rules.parse_choice(field, _text(raw))
        except rules.AnswerError:
            allowed = ", ".join(rules.CHOICE_FIELDS[field].values())
            raise CellError(f"{LABELS[field].lower()} «{_text(raw)}» không hợp lệ (dùng: {allowed})") from None
    return _count(field, raw)


def import_results(db: sqlite_utils.Database, path: Path, now: datetime,
                   dry_run: bool = False) -> ImportReport:
    """Check the whole file; write it (one transaction) only when every row is good."""
    today = clock.local_date(now)
    report, table = _open_table(path, "kết quả", RESULT_HEADERS, RESULT_REQUIRED, "kết quả đại hội")
    parsed: list[tuple[int, object, Values]] = []
    seen: dict[str, int] = {}
    skipped = 0
    for line, raw in table.rows:
        if all(_text(raw.get(f)) == "" for f in _RESULT_CELLS):
            skipped += 1  # a unit that has not reported (e.g. a row of the progress workbook)
            continue
        problems: list[str] = []
        code = _text(raw.get("code")).upper()
        unit = unit_store.get_unit(db, code) if code else None
        if not code:
            problems.append("thiếu mã đơn vị")
        elif unit is None:
            problems.append(f"đơn vị «{code}» chưa có trong hệ thống")
        elif code in seen:
            problems.append(f"mã đơn vị «{code}» trùng với dòng {seen[code]}")
        else:
            seen[code] = line
            existing = store.get(db, code)
            if existing is not None and existing.accepted:
                problems.append(f"kết quả của «{code}» đã được công nhận, không ghi đè (mở lại bằng /congnhan {code})")
        answers: dict = {}
        flags: list[str] = []
        for field in FIELDS:
            if _text(raw.get(field)) == "":
                problems.append(f"thiếu {LABELS[field].lower()}")
                continue
            try:
                value = _value(field, raw.get(field))
            except CellError as exc:
                problems.append(str(exc))
                continue
            if unit is not None:
                check = rules.check(field, value, answers, unit, today)
                if check.error:
                    problems.append(check.error.split(" Anh/chị")[0].rstrip(". "))  # no "type again" here
                    continue
                if check.flag:
                    flags.append(check.flag)
            answers[field] = value
        if problems:
            report.errors.append((line, "; ".join(problems)))
            continue
        parsed.append((line, unit, Values(**answers, flags=flags)))
    report.rows = len(table.rows) - skipped
    if skipped:
        report.notes.append(f"Bỏ qua {skipped} dòng chưa có kết quả (đơn vị chưa báo cáo).")
    if report.errors or dry_run:
        for _, unit, values in parsed:
            old = store.get(db, unit.code)
            if old is None:
                report.created += 1
            elif any(getattr(old, f) != getattr(values, f) for f in FIELDS):
                report.updated += 1
            else:
                report.unchanged += 1
        return report
    actor = f"import:{Path(path).name}"
    with immediate(db):
        for _, unit, values in parsed:
            existed = store.get(db, unit.code) is not None
            _, changed = save_result(db, unit, values, actor, now, source="import")
            if not existed:
                report.created += 1
            elif changed:
                report.updated += 1
            else:
                report.unchanged += 1
    report.applied = True
    return report
