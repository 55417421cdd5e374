"""Benchmark: what hostile or careless input costs the process in memory.

    python -m bench.inputs [--body-mb 10] [--questions 8192]

Webhook bodies: the real runner (channels/server.py, Zalo in webhook mode against tests/zalo_fake.py)
takes one POST of `--body-mb` MB of JSON (an update padded with many small objects), each case in a
fresh process; the figure is the growth of the process's peak resident memory (VmHWM) across the request.
"no cap" is WEBHOOK_MAX_BODY_BYTES set past the body, which is how every body was taken before the cap.

Normalisation caches: `--questions` distinct questions of 1,000 characters go through `fold` and
`analyze` (what the matcher calls for each question), each case in a fresh process; the figure is the
growth of resident memory (VmRSS). "before" wraps the same functions in `lru_cache(maxsize=8192)`, as
knowledge/normalize.py had them; "after" is knowledge/text_cache.py's bound on characters kept.

Measured (2 cores, Python 3.11; the client runs in the same process and makes its body first):

    body                       cap  answer  peak RSS growth MB
    10 MB, Content-Length     none     200               251.7
    10 MB, Content-Length     1 MB     413                 3.0
    10 MB, chunked            1 MB     413                 0.0

    caches   questions  RSS growth MB  kept: fold, analyze (entries)
    before        8192          391.5  8192, 8192
    after         8192           20.1  500, 400

Uncapped, the 10 MB body is held and decoded whole (a quarter of a gigabyte of small objects); capped,
it is refused on its header or after its first megabyte. The caches kept every long question's results
before; now they keep at most 500,000 (fold) and 400,000 (analyze) characters' worth.
"""
from __future__ import annotations

import argparse
import asyncio
import functools
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _status(field: str) -> float:
    """A /proc/self/status figure (VmRSS, VmHWM) in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def _padded_body(megabytes: float) -> bytes:
    update = {"ok": True, "result": {"event_name": "message.text.received", "message": {
        "from": {"id": "bench", "display_name": "Bench", "is_bot": False},
        "chat": {"id": "bench", "chat_type": "PRIVATE"}, "message_id": "bench-1",
        "text": "đại hội hợp lệ khi nào"}}}
    head = json.dumps(update)[:-1] + ', "pad": ['
    count = int(megabytes * 1024 * 1024 - len(head)) // 3
    return (head + ",".join(["{}"] * count) + "]}").encode()


async def _one_body(megabytes: float, cap: int, chunked: bool) -> dict:
    import httpx
    from channels.zalo import WEBHOOK_PATH
    from tests.zalo_fake import SECRET, finish, running_fake, start, zalo_settings

    body = _padded_body(megabytes)
    async with running_fake() as fake:
        with tempfile.TemporaryDirectory() as folder:
            running = await start(zalo_settings(Path(folder), fake, webhook_max_body_bytes=cap))
            try:
                before = _status("VmHWM")

                async def pieces():
                    for i in range(0, len(body), 64 * 1024):
                        yield body[i:i + 64 * 1024]

                async with httpx.AsyncClient(timeout=60) as client:
                    try:
                        resp = await client.post(running.base + WEBHOOK_PATH,
                                                 content=pieces() if chunked else body,
                                                 headers={"X-Bot-Api-Secret-Token": SECRET,
                                                          "Content-Type": "application/json"})
                        status = resp.status_code
                    except httpx.HTTPError:   # the server answered and closed while the body was going out
                        status = 413
                after = _status("VmHWM")
            finally:
                await finish(running)
    return {"status": status, "growth": after - before}


def _distinct_questions(count: int) -> list[str]:
    base = "đại hội công đoàn cơ sở bầu ban chấp hành nhiệm kỳ ủy viên hợp lệ bao nhiêu khi nào "
    return [(f"câu {i} " + base * 12)[:1000] for i in range(count)]


def _one_cache(count: int, before: bool) -> dict:
    from knowledge import normalize
    if before:   # the caches as they were: lru_cache(maxsize=8192) around the same functions
        normalize.fold = functools.lru_cache(maxsize=8192)(normalize.fold.__wrapped__)
        normalize.analyze = functools.lru_cache(maxsize=8192)(normalize.analyze.__wrapped__)
    questions = _distinct_questions(count)
    start = _status("VmRSS")
    for question in questions:
        normalize.analyze(question)
    growth = _status("VmRSS") - start
    fold, analyze = normalize.fold.cache_info(), normalize.analyze.cache_info()
    kept = [getattr(info, "currsize", None) or getattr(info, "entries") for info in (fold, analyze)]
    return {"growth": growth, "kept": kept}


def _child(args: list[str]) -> dict:
    proc = subprocess.run([sys.executable, "-m", "bench.inputs", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=1200)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--body-mb", type=float, default=10.0)
    parser.add_argument("--questions", type=int, default=8192)
    parser.add_argument("--one-body", nargs=2, metavar=("CAP", "CHUNKED"), help=argparse.SUPPRESS)
    parser.add_argument("--one-cache", choices=["before", "after"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one_body:
        cap, chunked = int(args.one_body[0]), args.one_body[1] == "1"
        print(json.dumps(asyncio.run(_one_body(args.body_mb, cap, chunked))))
        return 0
    if args.one_cache:
        print(json.dumps(_one_cache(args.questions, args.one_cache == "before")))
        return 0
    size = f"{args.body_mb:g} MB"
    print(f"{'body':<26} {'cap':>4}  {'answer':>6}  {'peak RSS growth MB':>18}")
    for label, cap, chunked in (("Content-Length", 1 << 30, False), ("Content-Length", 1 << 20, False),
                                ("chunked", 1 << 20, True)):
        row = _child(["--body-mb", str(args.body_mb), "--one-body", str(cap), "1" if chunked else "0"])
        print(f"{size + ', ' + label:<26} {'none' if cap == 1 << 30 else '1 MB':>4}  {row['status']:>6}  "
              f"{row['growth']:>18.1f}")
    print()
    print(f"{'caches':<8} {'questions':>9}  {'RSS growth MB':>13}  kept: fold, analyze (entries)")
    for case in ("before", "after"):
        row = _child(["--questions", str(args.questions), "--one-cache", case])
        print(f"{case:<8} {args.questions:>9}  {row['growth']:>13.1f}  {row['kept'][0]}, {row['kept'][1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
