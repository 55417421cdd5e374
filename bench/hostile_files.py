"""Benchmark: what a hostile import file costs before it is refused, and what the checks cost a real one.

    python -m bench.hostile_files [--cases bomb,ratio,parts,directory,mixed_csv,real]

Each case runs in a fresh process (peak memory is the case's alone: Linux /proc VmHWM, reset after the
file is built). Files are built here with zipfile and openpyxl:

- bomb — the shape of issue 12's file: a real workbook whose sheet has 1.3 GB of blanks after its rows,
  deflated to about 1.3 MB (import_units refuses it: expanded size over the cap);
- ratio — a 20 MB part of zeros (under the size cap, a thousandfold ratio);
- parts — 1,001 tiny parts; directory — 150,000 empty parts (17 MB; refused from the zip's end record,
  before zipfile builds an object per member — the second directory row is what that alone costs);
- mixed_csv — a 100,000-line UTF-8 list whose last line is Windows-1258 (refused naming that line);
- real — the progress workbook of 100,000 units (bench/progress.py's data, 5.8 MB → 71 MB): the zip
  check alone, the streaming read the imports now do, and openpyxl's default (full) load they did before.

Measured (shared 2-core machine; wall seconds; peak MB of the process, whose baseline — Python,
openpyxl, the built file closed — is about 50 MB):

    case        file MB   outcome                                          s    peak MB
    bomb           1.27   refused: expands to 1.300 MB, over 200 MB     0.00         49
    ratio          0.02   refused: expands over 100 times               0.00         49
    parts          0.11   refused: more than 1.000 parts                0.00         50
    directory     17.18   refused: more than 1.000 parts                0.00         55
    directory     17.18   zipfile only lists its 150,009 parts          0.77        132
    mixed_csv      5.08   refused: line 100002 is not UTF-8             0.04         71
    real           5.76   zip check only                                0.34         80
    real           5.76   read as the imports do (streaming)           15.00        171
    real           5.76   openpyxl full load, as imports did before    21.56        763

The bomb is refused at the baseline: nothing of it is expanded (issue 12 measured 3.5 GB for such a
file before). On a real 100,000-unit workbook the checks cost a third of a second, and reading it the
new way takes less time and under a quarter of the memory.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.reminders import _peak_mb, _reset_peak  # noqa: E402

CASES = ("bomb", "ratio", "parts", "directory", "mixed_csv", "real")
SHEET = "xl/worksheets/sheet1.xml"


def _small_workbook(path: Path) -> Path:
    from openpyxl import Workbook
    wb = Workbook()
    for row in (["Mã đơn vị", "Tên đơn vị", "Cấp"], ["CS1", "Công đoàn A", "cơ sở"]):
        wb.active.append(row)
    wb.save(path)
    return path


def rebuilt(source: Path, target: Path, replace: dict | None = None, extra=()) -> Path:
    """A copy of the workbook `source` with some parts replaced (name → bytes or a writer function) and
    `extra` parts added (the tests build their hostile workbooks with it too)."""
    replace = replace or {}
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename not in replace:
                new.writestr(info.filename, old.read(info.filename))
        for part, content in [*replace.items(), *extra]:
            if callable(content):
                with new.open(part, "w") as stream:
                    content(stream)
            else:
                new.writestr(part, content)
    return target


def _build(case: str, folder: Path) -> tuple[Path, str]:
    small = _small_workbook(folder / "small.xlsx")
    if case == "bomb":
        head, tail = zipfile.ZipFile(small).read(SHEET).split(b"</sheetData>")

        def bomb(stream):
            stream.write(head)
            blank = b" " * 1_000_000
            for _ in range(1_300):
                stream.write(blank)
            stream.write(b"</sheetData>" + tail)
        return rebuilt(small, folder / "bomb.xlsx", {SHEET: bomb}), "units"
    if case == "ratio":
        zeros = b"\0" * 1_000_000
        return rebuilt(small, folder / "ratio.xlsx",
                           extra=[("xl/media/a.bin", lambda s: [s.write(zeros) for _ in range(20)])]), "units"
    if case in ("parts", "directory"):
        count = 1_001 if case == "parts" else 150_000
        return rebuilt(small, folder / f"{case}.xlsx",
                           extra=[(f"xl/media/{i}.bin", lambda s: s.write(b"")) for i in range(count)]), "units"
    if case == "mixed_csv":
        path = folder / "mixed.csv"
        lines = ["Mã đơn vị,Tên đơn vị,Cấp"] + [f"CS{i},Công đoàn Trường số {i},cơ sở" for i in range(100_000)]
        path.write_bytes(("\n".join(lines) + "\n").encode() + "CSX,Cong doan Đông,co so\n".encode("cp1258"))
        return path, "units"
    return _real_workbook(folder), "results"


def _real_workbook(folder: Path) -> Path:
    import clock
    from bench.progress import NOW_TEXT, _fill
    from handlers.progress_report import staff_names, write_workbook
    from scheduler import progress
    from storage import open_db
    now = clock.parse_local(NOW_TEXT)
    clock.set_now(now)
    db = open_db(folder / "real.db")
    _fill(db, 100_000, now)
    today = clock.local_date(now)
    items = progress.unit_progress(db, today)
    path = folder / "tien-do.xlsx"
    write_workbook(path, items, progress.summarise(items, today), "mọi đơn vị", today, staff_names(db))
    db.conn.close()
    return path


def run_one(case: str, how: str) -> dict:
    from handlers.import_files import ImportFileError, read_sheets
    from handlers.xlsx_guard import check_xlsx
    with tempfile.TemporaryDirectory() as folder:
        path, _ = _build(case, Path(folder))
        size = path.stat().st_size / 1e6
        _reset_peak()
        start = time.perf_counter()
        outcome = ""
        try:
            if how == "check":
                check_xlsx(path)
                outcome = "zip check only"
            elif how == "zipfile":
                with zipfile.ZipFile(path) as archive:
                    outcome = f"zipfile lists its {len(archive.infolist()):,} parts (no check)"
            elif how == "full":
                from openpyxl import load_workbook
                wb = load_workbook(path, data_only=True)
                rows = sum(1 for ws in wb.worksheets for _ in ws.iter_rows(values_only=True))
                outcome = f"openpyxl full load (before): {rows:,} rows"
            else:
                rows = sum(len(sheet) for sheet in read_sheets(path))
                outcome = f"read as the imports do: {rows:,} rows"
        except ImportFileError as exc:
            outcome = f"refused: {str(exc)[:70]}…"
        seconds = time.perf_counter() - start
        return {"case": case, "file_mb": size, "outcome": outcome, "s": seconds, "peak_mb": _peak_mb()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)  # internal: CASE HOW, prints JSON
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(*args.one)))
        return
    runs = []
    for case in args.cases.split(","):
        hows = {"real": ("check", "read", "full"), "directory": ("read", "zipfile")}.get(case, ("read",))
        for how in hows:
            proc = subprocess.run([sys.executable, "-m", "bench.hostile_files", "--one", case, how], cwd=ROOT,
                                  capture_output=True, text=True, check=True,
                                  env={**os.environ, "PYTHONPATH": str(ROOT)})
            runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
            print(f"… {case} {how} xong", file=sys.stderr)
    print("| case | file MB | outcome | s | peak MB |")
    print("|---|---:|---|---:|---:|")
    for r in runs:
        print(f"| {r['case']} | {r['file_mb']:.2f} | {r['outcome']} | {r['s']:.2f} | {r['peak_mb']:.0f} |")


if __name__ == "__main__":
    main()
