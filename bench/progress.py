"""Benchmark: /tiendo (summary, late units, chart) and the progress workbook, 1,000 → 100,000 units.

    python -m bench.progress [--sizes 1000,10000,100000]

Each size runs in a fresh process on a real SQLite file. Units: one upper-level union per 100 CĐCS, the
demo plan, congress dates spread over the 60 days around the clock; 60 % of the units whose congress is
past have reported (a quarter of those accepted), one in ten are followed by a staff member. Phases:

- /tiendo — what the admin command does for a global admin: every unit's state, the summary, the text
  and the chart PNG (the reply, as a channel gets it);
- workbook — `bot.py progress --xlsx`: the same data, written as a two-sheet .xlsx (write-only mode);
- follow-ups — the daily check of late units that queues nudges and digests (no officers here: it
  measures the scan).

Memory is the peak resident set during the phase (Linux /proc VmHWM, reset before each phase).

Measured (shared 2-core machine; wall seconds, CPU seconds in brackets):

    units    results  /tiendo s    peak MB  chart KB  workbook s    peak MB  file MB  follow-ups s  peak MB
    1,000        289  0.90 (0.42)       81        52  0.34 (0.16)        91      0.1  0.04 (0.01)        91
    10,000     2,970  1.07 (0.50)       91        53  2.39 (1.09)       100      0.6  0.19 (0.09)       102
    100,000   29,700  3.39 (1.56)      178        53  15.45 (9.69)      192      5.8  1.98 (1.21)       199

The message stays one Telegram message at any size (the late list is cut at 30 names with a pointer to
the workbook). `/tiendo` runs on the event loop's thread like every assistant call, so a global admin's
`/tiendo` over 100,000 units holds other chats for about 1.5 s of CPU; only the CLI writes the workbook.
"""
from __future__ import annotations

import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.sizes import each_size

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.reminders import _peak_mb, _reset_peak  # noqa: E402

NOW_TEXT = "2023-03-20 09:00"
SPREAD_DAYS = 60
PER_PARENT = 100


def _fill(db, units: int, now) -> dict:
    """Units, results and follow-up assignments, inserted in bulk (not part of the timings)."""
    import clock
    from storage.admins import add_admin
    today = clock.local_date(now)
    stamp = clock.iso(now - timedelta(days=40))
    parents = max(1, units // PER_PARENT)
    unit_rows, result_rows, follow_rows = [], [], []
    for p in range(parents):
        unit_rows.append((f"P{p:04d}", f"Công đoàn cấp trên {p}", "cap_tren_co_so", None, None, "demo-dhspkt",
                          f"J{p:07d}", stamp, stamp, stamp))
    for i in range(units - parents):
        code = f"U{i:06d}"
        congress = today + timedelta(days=(i * 7919) % SPREAD_DAYS - SPREAD_DAYS // 2)
        unit_rows.append((code, f"Công đoàn cơ sở {code}", "cong_doan_co_so", f"P{i % parents:04d}",
                          congress.isoformat(), None, f"I{i:07d}", stamp, stamp, stamp))
        if congress < today and i % 10 < 6:
            status = "accepted" if i % 4 == 0 else "reported"
            result_rows.append((code, congress.isoformat(), "dai_bieu" if i % 12 == 0 else "toan_the", 60,
                                50 - i % 15, 7, "dai_hoi" if i % 3 == 0 else "bch",
                                ("cap_pho", "truong_phong", "khac")[i % 3], 3, 2, 3,
                                '["quorum"]' if 50 - i % 15 < 40 else "[]", status, "chat", "bench", stamp, "bench",
                                stamp, "bench" if status == "accepted" else None,
                                stamp if status == "accepted" else None))
        if i % 10 == 0:
            follow_rows.append((code, "telegram", "901", "bench", stamp))
    db.execute("BEGIN")
    db.conn.executemany("INSERT INTO units (code, name, level, parent_code, congress_date, plan_id, invite_code,"
                        " schedule_changed_at, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)", unit_rows)
    db.conn.executemany(
        "INSERT INTO congress_results (unit_code, held_on, form, convened, present, bch_elected, chair_elected_by,"
        " chair_post, ubkt_elected, delegates_elected, bch_women, flags, status, source, reported_by, reported_at,"
        " updated_by, updated_at, accepted_by, accepted_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        result_rows)
    db.conn.executemany("INSERT INTO unit_followers (unit_code, channel, user_id, assigned_by, assigned_at)"
                        " VALUES (?,?,?,?,?)", follow_rows)
    db.execute("COMMIT")
    add_admin(db, "telegram", "900", now, name="Quản trị")
    add_admin(db, "telegram", "901", now, name="Cán bộ phụ trách", scope_unit="P0000")
    return {"results": len(result_rows)}


def run_one(units: int) -> dict:
    """One size, in this process."""
    import clock
    from handlers.progress import progress_reply
    from handlers.progress_report import staff_names, write_workbook
    from scheduler import followups, progress
    from storage import open_db

    now = clock.parse_local(NOW_TEXT)
    clock.set_now(now)
    with tempfile.TemporaryDirectory() as folder:
        db = open_db(Path(folder) / "bench.db")
        filled = _fill(db, units, now)
        today = clock.local_date(now)

        _reset_peak()
        t, c = time.perf_counter(), time.process_time()
        reply = progress_reply(db, None, "mọi đơn vị", today)
        tiendo_s, tiendo_cpu, tiendo_mb = time.perf_counter() - t, time.process_time() - c, _peak_mb()

        path = Path(folder) / "tien-do.xlsx"
        _reset_peak()
        t, c = time.perf_counter(), time.process_time()
        items = progress.unit_progress(db, today)
        write_workbook(path, items, progress.summarise(items, today), "mọi đơn vị", today, staff_names(db))
        xlsx_s, xlsx_cpu, xlsx_mb = time.perf_counter() - t, time.process_time() - c, _peak_mb()
        xlsx_size = path.stat().st_size / 1e6
        del items

        _reset_peak()
        t, c = time.perf_counter(), time.process_time()
        followups.plan_followups(db, now, force=True)
        follow_s, follow_cpu, follow_mb = time.perf_counter() - t, time.process_time() - c, _peak_mb()
        late = sum(1 for line in reply.text.splitlines() if line.startswith("• "))
        db.conn.close()
    return {"units": units, "results": filled["results"], "text_chars": len(reply.text), "late_listed": late,
            "png_kb": len(reply.document.content) / 1024, "tiendo_s": tiendo_s, "tiendo_cpu": tiendo_cpu,
            "tiendo_mb": tiendo_mb, "xlsx_s": xlsx_s, "xlsx_cpu": xlsx_cpu, "xlsx_mb": xlsx_mb, "xlsx_size": xlsx_size,
            "follow_s": follow_s, "follow_cpu": follow_cpu, "follow_mb": follow_mb}


def main() -> None:
    results = each_size("bench.progress", run_one, __doc__.splitlines()[0])
    if results is None:
        return
    print(f"Progress at {NOW_TEXT} (Asia/Ho_Chi_Minh): congress dates over {SPREAD_DAYS} days around it, "
          f"60 % of past congresses reported.\n")
    print("Times are wall-clock seconds (CPU seconds of this process in brackets: the machine is shared).\n")
    print("| units | results | /tiendo s | peak MB | text chars | chart KB | workbook s | peak MB | file MB | "
          "follow-ups s | peak MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['units']:,} | {r['results']:,} | {r['tiendo_s']:.2f} ({r['tiendo_cpu']:.2f}) | "
              f"{r['tiendo_mb']:.0f} | {r['text_chars']:,} | {r['png_kb']:.0f} | {r['xlsx_s']:.2f} "
              f"({r['xlsx_cpu']:.2f}) | {r['xlsx_mb']:.0f} | {r['xlsx_size']:.1f} | {r['follow_s']:.2f} "
              f"({r['follow_cpu']:.2f}) | {r['follow_mb']:.0f} |")


if __name__ == "__main__":
    main()
