"""Cells of the files a spreadsheet opens (CSV and .xlsx exports): text is never run as a formula.

A question typed into the chat, a unit name or a staff member's name may start like a formula —
`=HYPERLINK("http://…?"&A1, "Bấm")` sends data away when the file is opened, and old DDE formulas ran
commands. Following OWASP's advice on CSV injection, text starting with =, +, -, @, a tab or a carriage
return is written with an apostrophe in front, so Excel, LibreOffice and Google Sheets show it as text.
Numbers and dates are left as they are (−5 is a number, not a formula). Every export writes its cells
through `safe_cell` / `safe_row` (handlers/insight.py, handlers/progress_report.py); the imports take the
apostrophe off again (`unescape`), so a progress workbook filled in and read back keeps its codes.
"""
from __future__ import annotations

from typing import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """The value as it may be written into a cell."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[object]) -> list[object]:
    return [safe_cell(v) for v in values]


def unescape(text: str) -> str:
    """Text read from a cell, without the apostrophe `safe_cell` put in front of it."""
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_STARTS:
        return text[1:]
    return text
