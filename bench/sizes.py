"""Run a benchmark once per size, each in a fresh process (so peak memory is that size's alone)."""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent


def each_size(module: str, run_one: Callable[[int], dict], description: str) -> list[dict] | None:
    """Parse `--sizes`; run `module --one N` per size and collect its JSON. In the child (`--one N`):
    print `run_one(N)` as JSON and return None."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sizes", default="1000,10000,100000", help="số đơn vị, cách nhau bởi dấu phẩy")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: run one size, print JSON
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one)))
        return None
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        proc = subprocess.run([sys.executable, "-m", module, "--one", str(size)], cwd=ROOT, capture_output=True,
                              text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        print(f"… {size:,} đơn vị xong", file=sys.stderr)
    return results
