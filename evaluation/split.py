"""Split the question pool once into dev (tune on it) and test (report only, never tuned on).

    python -m evaluation.split     # writes evaluation/v2-dev.jsonl and evaluation/v2-test.jsonl

The split is by a hash of each question's id, so it never changes when run again; questions added later
to the pool fall on a side by the same rule. Run it only when the pool grows.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
POOL = HERE / "pool"
DEV, TEST = HERE / "v2-dev.jsonl", HERE / "v2-test.jsonl"


def side(question_id: str) -> str:
    return "test" if int(hashlib.sha1(question_id.encode()).hexdigest(), 16) % 2 else "dev"


def main() -> None:
    rows = []
    for path in sorted(POOL.glob("*.jsonl")):
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = {"dev": [], "test": []}
    for row in rows:
        out[side(row["id"])].append(row)
    for name, path in (("dev", DEV), ("test", TEST)):
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out[name]), encoding="utf-8")
        print(f"{name}: {len(out[name])} câu → {path.name}")


if __name__ == "__main__":
    main()
