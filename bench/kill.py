"""Benchmark: how many recipients one kill -9 can give a notice twice, when Telegram answers in 150 ms.

    python -m bench.kill [--kills 5] [--latency 0.15] [--recipients 300] [--baseline REV]

`bot.py broadcast --to all --yes` runs as a process against the fake Bot API (tests/fake_bot_api.py),
which accepts each message at once and answers `--latency` seconds later; the process is killed with
SIGKILL at a random moment after 50–200 deliveries, then `bot.py broadcast --resume` finishes the job.
Counted per kill: requests in flight (outbox rows left in 'sending' with an open attempt), and
recipients who got the notice twice in the end. Side by side: this checkout ("after") and `--baseline`
("before", exported with `git archive`; the fake Bot API of this checkout is used for both).

Measured (300 recipients, answers 150 ms after each message is accepted):

    code               in flight at the kill (mean, max)   duplicates per kill (mean, max)
    before (c35753b)   3.8, 4                              3.8, 4
    after              4.0, 4                              4.0, 4

At a steady 150 ms the figure does not move, and cannot for free: by Little's law the requests in flight
are the sending rate times the answer time (25/s × 0.15 s ≈ 4), and every one of them was accepted by
Telegram before the kill; fewer would mean a slower outbox. The bound on requests in flight
(`Throttle.outbox_limit`) removes the headroom beyond that — bursts of slow answers, Zalo's 1/s — where
extra requests bought no speed but could all have been repeated by one crash.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BASELINE = "c35753b"
TEXT = "Thông báo: nộp danh sách đại biểu trước ngày 20/03/2023."
PREPARE = ("import sys; from storage import open_db; from tests.admin_fixtures import bulk_recipients; "
           "from tests.fake_bot_api import chat_ids; db = open_db(sys.argv[1]); "
           "bulk_recipients(db, chat_ids(int(sys.argv[2])))")


def env(base_url: str, home: str) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home,
            "KNOWLEDGE_DIR": str(ROOT / "tests" / "fixtures" / "knowledge"),
            "TELEGRAM_BOT_TOKEN": "7300009:BENCH-kill-0123456789abcdef", "TELEGRAM_API_BASE_URL": base_url,
            "ZALO_BOT_TOKEN": "", "ADMIN_TELEGRAM_IDS": "", "PYTHONUNBUFFERED": "1"}


def one_kill(folder: Path, latency: float, recipients: int, rng: random.Random) -> tuple[int, int]:
    from tests.fake_bot_api import FakeBotApi
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "kill.db"
        subprocess.run([sys.executable, "-c", PREPARE, str(db_path), str(recipients)], cwd=folder, check=True)
        with FakeBotApi(global_per_second=100, chat_interval=1.0, answer_latency=latency) as api:
            e = env(api.base_url, tmp)
            proc = subprocess.Popen([sys.executable, "bot.py", "--db", str(db_path), "broadcast", "--to", "all",
                                     "--text", TEXT, "--yes"], cwd=folder, env=e, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            target = rng.randint(50, 200)
            deadline = time.monotonic() + 120
            while len(api.deliveries) < target and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.002)
            time.sleep(rng.random() * 0.04)   # anywhere between two sends
            proc.kill()
            proc.wait()
            with sqlite3.connect(db_path) as conn:
                in_flight = conn.execute("SELECT COUNT(*) FROM outbox WHERE status = 'sending'").fetchone()[0]
            subprocess.run([sys.executable, "bot.py", "--db", str(db_path), "broadcast", "--resume"], cwd=folder,
                           env=e, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
            received = Counter(chat for chat, text, _ in api.deliveries if text == TEXT)
        lost = recipients - len(received)
        if lost:
            print(f"  ({folder.name}: {lost} recipients lost)", file=sys.stderr)
        return in_flight, sum(n - 1 for n in received.values())


def export(rev: str, folder: Path) -> None:
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    shutil.copy2(ROOT / "tests" / "fake_bot_api.py", folder / "tests" / "fake_bot_api.py")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.15)
    parser.add_argument("--recipients", type=int, default=300)
    parser.add_argument("--baseline", default=BASELINE)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="kill-before-") as tmp:
        before = Path(tmp)
        export(args.baseline, before)
        for name, folder in ((f"before ({args.baseline})", before), ("after", ROOT)):
            rng = random.Random(12)
            runs = [one_kill(folder, args.latency, args.recipients, rng) for _ in range(args.kills)]
            rows.append((name, runs))
    print(f"{args.kills} kills of `bot.py broadcast` to {args.recipients}, answers after {args.latency * 1000:.0f} ms\n")
    print("| code | in flight at the kill (mean, max) | duplicates per kill (mean, max) |")
    print("|---|---:|---:|")
    for name, runs in rows:
        flights = [f for f, _ in runs]
        dupes = [d for _, d in runs]
        print(f"| {name} | {sum(flights) / len(runs):.1f}, {max(flights)} | {sum(dupes) / len(runs):.1f}, {max(dupes)} |")


if __name__ == "__main__":
    main()
