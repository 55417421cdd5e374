"""The first-round matcher and knowledge on a v2 question set: the "before" row of bench/answers.py.

    git worktree add /tmp/first-round 3c55424
    cd /tmp/first-round && /path/to/.venv/bin/python /path/to/bench/first_round.py /path/to/evaluation/v2-test.jsonl

Run from the first-round checkout (its knowledge/ and matcher), scored with this checkout's rules.
"""
import importlib.util
import json
import sys
from pathlib import Path
from collections import defaultdict
sys.path.insert(0, '.')
spec = importlib.util.spec_from_file_location("score2", str(Path(__file__).resolve().parent.parent / "evaluation" / "score.py"))
score2 = importlib.util.module_from_spec(spec); sys.modules["score2"] = score2; spec.loader.exec_module(score2)
from knowledge.entries import load_entries
from knowledge.matcher import Matcher
from settings import KNOWLEDGE_DIR
entries = load_entries(KNOWLEDGE_DIR)
m = Matcher(entries)
qs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
groups = defaultdict(list)
for q in qs:
    r = m.match(q["q"])
    ans = r.best.entry.answer if r.status == "answered" else None
    sugg = [c.entry.answer for c in r.candidates] if r.status == "suggested" else []
    o = score2.judge(q, r.status, ans, sugg)
    groups[q["kind"]].append(o.correct); groups["all"].append(o.correct)
    if q["kind"] == "in":
        groups["in_top3"].append(o.top3)
    groups[q.get("edition") or "ngoài"].append(o.correct)
    groups[q["style"]].append(o.correct)
print(len(entries), "entries;", len(qs), "questions")
for k in ["in", "in_top3", "out", "unknown", "all", "2023-2028", "2025-2030", "ngoài", "accented", "unaccented", "typo", "abbrev", "colloquial", "long"]:
    v = groups.get(k, [])
    print(f"{k:12} {100*sum(v)/len(v):5.1f}% ({len(v)})" if v else f"{k:12} -")
