"""Benchmark: a training session where every officer scans the bot's code at once.

    python -m bench.burst [--officers 200] [--within 2] [--baseline REV]

`--officers` officers each write once within `--within` seconds — half `/start CODE` (welcome and
"joined": two messages), half a question (one answer) — through the real runner in webhook mode
(tests/crowd.py): on Telegram against the fake Bot API that enforces Telegram's limits (30 messages in
any second, one a second per chat; past them 429 and a flood wait), and on Zalo against the fake Zalo
limited to 20 messages a second (Zalo publishes no quota; past it 429 with retry_after 1 s).

Side by side: this checkout ("after") and the product code of `--baseline` (default: the commit before
the shared reply limiter, exported with `git archive` into a temporary folder; the fakes and the crowd
driver of this checkout are copied into it so both sides face the same servers). Columns: answered
(every expected message, no apology), apologised (the error message came), lost (nothing or not all by
the deadline, 90 s), time to answer (post → last part) p50 and p95, and requests the fake refused.

Measured (200 officers within 2 s):

    channel   code               answered  apologised  lost  p50 s  p95 s  refused by the API
    Telegram  before (c35753b)         22          11   167    0.2    0.8                 345
    Telegram  after                   200           0     0    5.0    9.3                   0
    Zalo      before (c35753b)         65           0   135    2.3    4.8                 503
    Zalo      after                   200           0     0   11.1   22.0                  13

Before, replies ignored both limits: 429s were never retried (the apology often hit the limit too), and
the second part of a two-part reply was refused by the per-chat limit. After, every officer is answered;
the time is the queue at 28 (Telegram) or 20 (Zalo) messages a second for about 300 messages — the
limits' price, paid in waiting instead of lost answers.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BASELINE = "c35753b"   # before issue 12: replies went straight to the Bot API
COPIED = ("tests/crowd.py", "tests/fake_bot_api.py", "tests/zalo_fake.py", "bench/burst.py")


async def measure(officers: int, within: float) -> dict:
    import logging
    logging.disable(logging.WARNING)   # 429 warnings of either side would drown the table
    from tests.crowd import officers as make_crowd, run_telegram, run_zalo
    results = {}
    for name, run in (("Telegram", run_telegram), ("Zalo", run_zalo)):
        with tempfile.TemporaryDirectory() as tmp:
            outcome = await run(Path(tmp), make_crowd(officers), within=within, deadline=90.0)
        results[name] = {"answered": outcome.answered, "apologised": outcome.apologised, "lost": outcome.lost,
                         "p50": outcome.percentile(0.5), "p95": outcome.percentile(0.95),
                         "refused": outcome.limit_429s}
    return results


def run_side(folder: Path, officers: int, within: float) -> dict:
    done = subprocess.run([sys.executable, "bench/burst.py", "--side", "--officers", str(officers),
                           "--within", str(within)], cwd=folder, capture_output=True, text=True, timeout=900)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"the run in {folder} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return json.loads(lines[-1])


def export(rev: str, folder: Path) -> None:
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    for name in COPIED:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, folder / name)


def seconds(value) -> str:
    return "—" if value is None else f"{value:.1f}".replace(".", ",")


def table(rows: list[tuple[str, str, dict]]) -> str:
    lines = ["| channel | code | answered | apologised | lost | p50 s | p95 s | refused by the API |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for channel, side, r in rows:
        lines.append(f"| {channel} | {side} | {r['answered']} | {r['apologised']} | {r['lost']} | "
                     f"{seconds(r['p50'])} | {seconds(r['p95'])} | {r['refused']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officers", type=int, default=200)
    parser.add_argument("--within", type=float, default=2.0)
    parser.add_argument("--baseline", default=BASELINE, help="git revision for the 'before' column")
    parser.add_argument("--side", action="store_true", help=argparse.SUPPRESS)   # one side, as JSON
    args = parser.parse_args()
    if args.side:
        print(json.dumps(asyncio.run(measure(args.officers, args.within))))
        return
    with tempfile.TemporaryDirectory(prefix="burst-before-") as tmp:
        export(args.baseline, Path(tmp))
        before = run_side(Path(tmp), args.officers, args.within)
    after = run_side(ROOT, args.officers, args.within)
    rows = []
    for channel in ("Telegram", "Zalo"):
        rows.append((channel, f"before ({args.baseline})", before[channel]))
        rows.append((channel, "after", after[channel]))
    print(f"{args.officers} officers writing within {args.within:g} s (half /start CODE, half a question)\n")
    print(table(rows))


if __name__ == "__main__":
    main()
