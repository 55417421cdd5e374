"""Benchmark: reminder planning and one dispatch sweep, 1,000 → 100,000 units with 5 officers each.

    python -m bench.reminders [--sizes 1000,10000,100000]

Each size runs in a fresh process (so memory figures do not mix) on a real SQLite file in a temporary
folder. Units follow the demo plan (congress, documents 10 days before, report 10 days after, the
day-after report reminder), congress dates spread over the 90 days ahead, so on a given morning about
one unit in ten has a reminder due. Phases, each timed on its own:

- plan 08:00 — the planning run whose window holds the morning's 08:00 send time (the heavy one);
- plan 15 min — an ordinary 15-minute planning run with no send hour in its window (95 of the day's 96
  runs), which returns without reading units;
- sweep — one dispatcher sweep draining every due row through a no-op sender: claim, re-render, mark.

Memory is the peak resident set during the phase (Linux /proc VmHWM, reset before each phase).

Measured (100,000 units × 5 officers): the morning planning run ≈ 5 s in its worker thread, the other 95
runs of the day ≈ 0 s, peak resident memory ≈ 85 MB; one sweep of 55,555 reminders ≈ 42 s of our own
work (≈ 1,300 messages/s, re-rendering each; Telegram's ≈ 25 messages/s is the real limit). Time grows
linearly with units.
"""
from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.sizes import each_size

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

OFFICERS_PER_UNIT = 5
SPREAD_DAYS = 90
NOW_TEXT = "2023-03-01 08:00"


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _peak_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _fill(db, units: int, now) -> None:
    """Units, officers and memberships, inserted in bulk (not part of the timings)."""
    import clock
    day0 = clock.local_date(now)
    stamp = clock.iso(now - timedelta(days=30))
    unit_rows, officer_rows, member_rows = [], [], []
    for i in range(units):
        code = f"U{i:06d}"
        congress = day0 + timedelta(days=1 + (i * 7919) % SPREAD_DAYS)
        unit_rows.append((code, f"Công đoàn {code}", "cong_doan_co_so", congress.isoformat(), "demo-dhspkt",
                          f"I{i:07d}", stamp, stamp, stamp))
        for j in range(OFFICERS_PER_UNIT):
            officer_id = i * OFFICERS_PER_UNIT + j + 1
            officer_rows.append((officer_id, "telegram", str(10_000_000 + officer_id), stamp, stamp))
            member_rows.append((officer_id, code, stamp))
    db.execute("BEGIN")
    db.conn.executemany("INSERT INTO units (code, name, level, congress_date, plan_id, invite_code,"
                        " schedule_changed_at, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)", unit_rows)
    db.conn.executemany("INSERT INTO officers (id, channel, chat_id, created_at, updated_at) VALUES (?,?,?,?,?)",
                        officer_rows)
    db.conn.executemany("INSERT INTO memberships (officer_id, unit_code, joined_at) VALUES (?,?,?)", member_rows)
    db.execute("COMMIT")


def run_one(units: int) -> dict:
    """One size, in this process."""
    import clock
    from scheduler import reminders
    from scheduler.jobs import create_dispatcher
    from storage import open_db

    now = clock.parse_local(NOW_TEXT)
    clock.set_now(now)
    with tempfile.TemporaryDirectory() as folder:
        db = open_db(Path(folder) / "bench.db")
        t = time.perf_counter()
        _fill(db, units, now)
        setup_s = time.perf_counter() - t

        _reset_peak()
        t = time.perf_counter()
        planned = reminders.plan_window(db, now - timedelta(minutes=1), now, now)
        plan_s, plan_mb = time.perf_counter() - t, _peak_mb()

        _reset_peak()
        t = time.perf_counter()
        quiet = reminders.plan_window(db, now + timedelta(hours=24), now + timedelta(hours=24, minutes=15), now)
        quiet_s, quiet_mb = time.perf_counter() - t, _peak_mb()

        dispatcher = create_dispatcher(db)

        async def noop(chat_id: str, text: str) -> None:
            return None

        dispatcher.register_sender("telegram", noop)
        _reset_peak()
        t = time.perf_counter()
        swept = asyncio.run(dispatcher.sweep(now))
        sweep_s, sweep_mb = time.perf_counter() - t, _peak_mb()
        size_mb = sum(p.stat().st_size for p in Path(folder).iterdir()) / 1e6
        db.conn.close()
    return {"units": units, "officers": units * OFFICERS_PER_UNIT, "setup_s": setup_s,
            "planned": planned.planned, "plan_s": plan_s, "plan_mb": plan_mb,
            "quiet_planned": quiet.planned, "quiet_s": quiet_s, "quiet_mb": quiet_mb,
            "sent": swept.sent, "dropped": swept.dropped, "sweep_s": sweep_s, "sweep_mb": sweep_mb,
            "db_mb": size_mb}


def main() -> None:
    results = each_size("bench.reminders", run_one, __doc__.splitlines()[0])
    if results is None:
        return
    base = results[0]
    print(f"Reminders: planning and one dispatch sweep at {NOW_TEXT} (Asia/Ho_Chi_Minh), "
          f"{OFFICERS_PER_UNIT} officers a unit, congress dates over {SPREAD_DAYS} days.\n")
    print("| units | officers | plan 08:00: reminders | time s | peak MB | plan 15 min: time s | "
          "sweep: sent | time s | msg/s | peak MB | time vs smallest (plan / sweep) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        rate = r["sent"] / r["sweep_s"] if r["sweep_s"] else 0
        growth_plan = r["plan_s"] / base["plan_s"] if base["plan_s"] else 0
        growth_sweep = r["sweep_s"] / base["sweep_s"] if base["sweep_s"] else 0
        print(f"| {r['units']:,} | {r['officers']:,} | {r['planned']:,} | {r['plan_s']:.2f} | {r['plan_mb']:.0f} | "
              f"{r['quiet_s']:.2f} | {r['sent']:,} | {r['sweep_s']:.2f} | {rate:,.0f} | {r['sweep_mb']:.0f} | "
              f"×{growth_plan:.0f} / ×{growth_sweep:.0f} |")
    print(f"\nUnits grow ×{results[-1]['units'] // base['units']:,} from first to last row; "
          f"database file at the largest size: {results[-1]['db_mb']:.0f} MB.")


if __name__ == "__main__":
    main()
