"""The progress report in three forms: the seed-style message, a chart (PNG) and the workbook (XLSX).

The message follows the report the upper level writes ("61/61 công đoàn cơ sở đã tổ chức đại hội … 05 đại
hội đại biểu, 56 đại hội toàn thể, 23 đơn vị bầu trực tiếp Chủ tịch … 45 chủ tịch là cấp phó của người đứng
đầu, 16 là trưởng phòng"), then the late units by name. The workbook is what an office sends upward: a
summary sheet and one row a unit with every reported field; its column headers are those the results
import reads, so a filled-in copy can be imported back. Text cells go through
handlers/spreadsheet_cells.safe_cell: a unit or staff name that starts like a formula stays text.
"""
from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import sqlite_utils

from datefmt import days_left, dmy
from handlers import results_texts as T
from handlers.spreadsheet_cells import safe_cell, safe_row
from knowledge.unit_terms import FORMS, LEVELS
from scheduler.progress import STATES, Summary, UnitProgress, late
from storage.admins import admin_names

LATE_SHOWN = 30


def staff_names(db: sqlite_utils.Database) -> dict[tuple[str, str], str]:
    """(channel, user id) → how to name the staff member (the admin's name, else the id)."""
    return {(c, u): name or f"{c}:{u}" for (c, u), name in admin_names(db).items()}


def _pct(part: int, whole: int) -> str:
    return f"{part * 100 // whole}%" if whole else "0%"


def summary_lines(s: Summary) -> list[str]:
    st = s.states
    lines = [
        f"Đã đại hội {s.held}/{s.total} ({_pct(s.held, s.total)}) · đại biểu {s.forms['dai_bieu']} · toàn thể "
        f"{s.forms['toan_the']} · bầu trực tiếp chủ tịch {s.chair_direct} · quá hạn chưa báo cáo {st['late']}",
        f"Kết quả: đã công nhận {st['accepted']} · chờ công nhận {st['reported']} · đã đại hội chưa báo cáo "
        f"{st['held_unreported']}",
        f"Chưa đại hội: sắp tới {st['upcoming']} (trong 7 ngày tới {s.upcoming_week}) · chưa có ngày "
        f"{st['no_date']} · hoãn {st['postponed']}",
    ]
    if s.reported:
        posts = s.chair_posts
        lines.append(f"Chủ tịch là cấp phó của người đứng đầu {posts['cap_pho']} · trưởng phòng và tương đương "
                     f"{posts['truong_phong']} · khác {posts['khac']}")
        lines.append(f"Ban chấp hành {s.bch_members} ủy viên, nữ {s.bch_women} ({_pct(s.bch_women, s.bch_members)})"
                     f" · bầu ủy ban kiểm tra {s.with_ubkt} · đại biểu dự đại hội cấp trên {s.delegates}")
    if s.quorum_flagged:
        lines.append(f"⚠️ {s.quorum_flagged} đại hội có số có mặt dưới 2/3 số được triệu tập.")
    if len(s.by_level) > 1:
        lines.append("Theo cấp: " + " · ".join(f"{LEVELS[lv]} {held}/{total}" for lv, (held, total)
                                                 in sorted(s.by_level.items(), key=lambda kv: -kv[1][1])))
    return lines


def late_line(it: UnitProgress, today: date, names: dict) -> str:
    who = f"; phụ trách: {names.get(it.follower, it.follower[1])}" if it.follower else ""
    return f"• {it.code} — {it.name} (hạn {dmy(it.deadline)}, {days_left(it.deadline, today)}{who})"


def progress_text(items: list[UnitProgress], summary: Summary, scope_label: str, today: date,
                  names: dict) -> str:
    if not items:
        return T.PROGRESS_EMPTY
    lines = [T.PROGRESS_TITLE.format(scope=scope_label, day=dmy(today)), *summary_lines(summary), ""]
    overdue = late(items)
    if overdue:
        lines.append(T.PROGRESS_LATE.format(count=len(overdue)))
        lines += [late_line(it, today, names) for it in overdue[:LATE_SHOWN]]
        if len(overdue) > LATE_SHOWN:
            lines.append(T.PROGRESS_MORE.format(count=len(overdue) - LATE_SHOWN))
    else:
        lines.append(T.PROGRESS_LATE_NONE)
    return "\n".join(lines)


# -- the chart ------------------------------------------------------------------------------------------------
COLOURS = {"accepted": "#2e7d32", "reported": "#66bb6a", "held_unreported": "#fbc02d", "late": "#d32f2f",
           "upcoming": "#42a5f5", "no_date": "#9e9e9e", "postponed": "#8d6e63"}


def chart_png(summary: Summary, scope_label: str, today: date) -> bytes:
    """Units by state, and congresses held by week (bars) with the running total (line)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure  # no pyplot: no global state, safe off the main thread
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(9, 4.2), dpi=100)
    FigureCanvasAgg(fig)
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.1, 1]})
    states = list(reversed(STATES))
    counts = [summary.states[s] for s in states]
    bars = left.barh([T.STATE_LABELS[s] for s in states], counts, color=[COLOURS[s] for s in states])
    left.bar_label(bars, padding=3, fontsize=9)
    left.set_title(f"Đơn vị theo tình trạng ({summary.total})", fontsize=10)
    left.set_xlim(0, max(counts + [1]) * 1.2)
    left.xaxis.set_major_locator(MaxNLocator(integer=True))
    left.tick_params(labelsize=8)
    weeks = sorted(summary.by_week)
    if weeks:
        values = [summary.by_week[w] for w in weeks]
        labels = [w.strftime("%d/%m") for w in weeks]
        right.bar(labels, values, color="#66bb6a")
        running, total = [], 0
        for v in values:
            total += v
            running.append(total)
        twin = right.twinx()
        twin.plot(labels, running, color="#1b5e20", marker="o")
        twin.set_ylim(0, max(running) * 1.15)
        twin.tick_params(labelsize=8)
        twin.yaxis.set_major_locator(MaxNLocator(integer=True))
        right.yaxis.set_major_locator(MaxNLocator(integer=True))
        right.set_ylabel("trong tuần (cột)", fontsize=8)
        twin.set_ylabel("cộng dồn (đường)", fontsize=8)
        right.tick_params(axis="x", labelrotation=45, labelsize=8)
        right.tick_params(axis="y", labelsize=8)
    else:
        right.text(0.5, 0.5, "Chưa có kết quả nào", ha="center", va="center", transform=right.transAxes)
        right.set_xticks([])
        right.set_yticks([])
    right.set_title("Đại hội đã báo cáo theo tuần (từ thứ Hai)", fontsize=10)
    fig.suptitle(f"Tiến độ đại hội — {scope_label} — {dmy(today)}", fontsize=11)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


# -- the workbook ---------------------------------------------------------------------------------------------
UNIT_HEADERS = ("Mã đơn vị", "Tên đơn vị", "Cấp", "Mã đơn vị cấp trên", "Tình trạng", "Hạn báo cáo",
                "Ngày đại hội", "Hình thức", "Số triệu tập", "Số có mặt", "Tỷ lệ có mặt", "Số ủy viên BCH",
                "Số nữ trong BCH", "Bầu chủ tịch", "Chức vụ chủ tịch", "Số ủy viên UBKT",
                "Số đại biểu dự đại hội cấp trên", "Lưu ý", "Người báo cáo", "Cập nhật lúc", "Công nhận lúc",
                "Cán bộ phụ trách")
WIDTHS = (14, 36, 22, 16, 26, 12, 12, 18, 10, 10, 10, 10, 10, 24, 30, 10, 12, 30, 28, 17, 17, 22)


def _stamp(text: str | None) -> datetime | None:
    from clock import from_iso, to_local
    return to_local(from_iso(text)).replace(tzinfo=None) if text else None


def unit_row(it: UnitProgress, names: dict) -> list:
    r = it.result
    planned = it.congress_day
    row = [it.code, it.name, LEVELS.get(it.level, it.level), it.parent_code or "", T.STATE_LABELS[it.state],
           it.deadline, date.fromisoformat(r.held_on) if r else planned]
    if r is None:
        row += [None] * 11
    else:
        row += [FORMS.get(r.form, r.form), r.convened, r.present, round(r.present / r.convened, 3),
                r.bch_elected, r.bch_women, T.CHAIR_BY_OPTIONS[r.chair_elected_by],
                T.CHAIR_POST_OPTIONS[r.chair_post], r.ubkt_elected, r.delegates_elected,
                "; ".join(T.FLAG_NOTES[f] for f in r.flags if f in T.FLAG_NOTES) or None]
    row += [r.reported_by if r else None, _stamp(r.updated_at) if r else None,
            _stamp(r.accepted_at) if r else None, names.get(it.follower, it.follower[1]) if it.follower else None]
    return row


def write_workbook(path: Path, items: list[UnitProgress], summary: Summary, scope_label: str, today: date,
                   names: dict) -> None:
    """Summary sheet first, then one row a unit (write-only mode: 100,000 rows in bounded memory)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    ws = wb.create_sheet("Tổng hợp")
    ws.column_dimensions["A"].width = 48
    ws.column_dimensions["B"].width = 14
    title = WriteOnlyCell(ws, safe_cell(T.PROGRESS_TITLE.format(scope=scope_label, day=dmy(today)).lstrip("📊 ")))
    title.font = bold
    ws.append([title])
    ws.append([])
    st, posts = summary.states, summary.chair_posts
    rows = [("Tổng số đơn vị", summary.total), ("Đã đại hội", summary.held),
            ("Đại hội đại biểu (đã báo cáo)", summary.forms["dai_bieu"]),
            ("Đại hội toàn thể (đã báo cáo)", summary.forms["toan_the"]),
            ("Bầu trực tiếp chủ tịch tại đại hội", summary.chair_direct),
            ("Chủ tịch là cấp phó của người đứng đầu", posts["cap_pho"]),
            ("Chủ tịch là trưởng phòng và tương đương", posts["truong_phong"]),
            ("Chủ tịch giữ chức vụ khác", posts["khac"]),
            ("Tổng số ủy viên ban chấp hành", summary.bch_members), ("Trong đó nữ", summary.bch_women),
            ("Đơn vị bầu ủy ban kiểm tra", summary.with_ubkt),
            ("Đại biểu dự đại hội cấp trên đã bầu", summary.delegates),
            ("Đại hội có mặt dưới 2/3 số triệu tập", summary.quorum_flagged), (None, None)]
    rows += [(T.STATE_LABELS[s], st[s]) for s in STATES]
    if len(summary.by_level) > 1:
        rows.append((None, None))
        rows += [(f"{LEVELS[lv]}: đã đại hội / tổng số", f"{held}/{total}")
                 for lv, (held, total) in summary.by_level.items()]
    for label, value in rows:
        ws.append(safe_row([label, value]) if label else [])
    units = wb.create_sheet("Đơn vị")
    for letter_index, width in enumerate(WIDTHS, start=1):
        from openpyxl.utils import get_column_letter
        units.column_dimensions[get_column_letter(letter_index)].width = width
    units.freeze_panes = "C2"
    header = []
    for text in UNIT_HEADERS:
        cell = WriteOnlyCell(units, text)
        cell.font = bold
        header.append(cell)
    units.append(header)
    date_columns = {5, 6}
    stamp_columns = {19, 20}
    for it in items:
        row = unit_row(it, names)
        cells = []
        for i, value in enumerate(row):
            if i in date_columns and value is not None or i in stamp_columns and value is not None:
                cell = WriteOnlyCell(units, value)
                cell.number_format = "DD/MM/YYYY" if i in date_columns else "DD/MM/YYYY HH:MM"
                cells.append(cell)
            elif i == 10 and value is not None:
                cell = WriteOnlyCell(units, value)
                cell.number_format = "0%"
                cells.append(cell)
            else:
                cells.append(safe_cell(value))  # names, codes and staff are typed by people: never a formula
        units.append(cells)
    wb.save(path)
