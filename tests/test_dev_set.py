"""The question sets through the real matcher, calculators and knowledge: the quality does not slip.

`v2-dev` is the tuning half of evaluation/pool (asked at each question's own `now`); `dev-extra`,
`dev-published`, `dev-published2`, `dev-written2` … `dev-written21` and `dev-facts` are further tuning sets (evaluation/README.md); `dev.jsonl` and
`holdout.jsonl` are the first sets, written for the 2023–2028 term. The floors sit a few points under
what bench/answers.py measured when they were set: they catch a regression, they are not the targets
(the targets are reported on `v2-test` and `v3-test`, which no test reads).
"""
import pytest

from bench.answers import SETS, MatcherSystem, asked_on, edition_at
from evaluation.score import judge, load_questions, passes_expect
from knowledge.entries import load_entries
from knowledge.matcher import Matcher
from settings import KNOWLEDGE_DIR


@pytest.fixture(scope="module")
def system():
    return MatcherSystem(load_entries(KNOWLEDGE_DIR))


def run_set(system, name):
    rows = []
    for q in load_questions(SETS[name]):
        status, answer, suggestions, _ = system.run(q["q"], edition_at(q), asked_on(q))
        rows.append((q, judge(q, status, answer, suggestions)))
    return rows


def rate(rows, kinds):
    chosen = [o for q, o in rows if q["kind"] in kinds]
    return sum(o.correct for o in chosen) / len(chosen)


@pytest.mark.parametrize("name, floor_in, floor_rest", [
    ("dev", 0.95, 0.95), ("extra", 0.95, 0.95), ("published", 0.94, 0.95), ("written2", 0.92, 0.95),
    ("written3", 0.92, 0.90), ("written4", 0.90, 0.95), ("written5", 0.93, 0.92), ("written6", 0.80, 0.90),
    ("published2", 0.80, 0.90), ("written7", 0.95, 0.95), ("written8", 0.93, 0.95), ("written9", 0.90, 0.95), ("written10", 0.88, 0.93), ("written11", 0.93, 0.88), ("written12", 0.86, 0.92), ("written13", 0.93, 0.92), ("written14", 0.91, 0.92),
    ("written15", 0.95, 0.95), ("written16", 0.94, 0.65), ("written17", 0.96, 0.95), ("written18", 0.96, 0.95),
    ("written19", 0.96, 0.95), ("written20", 0.93, 0.95), ("written21", 0.96, 0.95), ("facts", 0.92, 0.95), ("old-dev", 0.90, 0.85), ("old-holdout", 0.88, 0.85)])
def test_question_sets_stay_above_their_floors(system, name, floor_in, floor_rest):
    rows = run_set(system, name)
    assert rate(rows, {"in"}) >= floor_in
    assert rate(rows, {"out", "unknown"}) >= floor_rest


def test_scoring_rule_rejects_a_wrong_answer():
    q = {"kind": "in", "expect": [["2/3", "hai phần ba"]]}
    assert not judge(q, "answered", "Đại hội hợp lệ khi có một nửa số đại biểu.", []).correct
    assert judge(q, "answered", "ít nhất HAI PHẦN BA", []).correct
    assert not judge(q, "suggested", None, ["2/3"]).correct
    assert passes_expect("Đổi mới – Dân chủ", [["doi moi"], ["dan chu"]])
    assert passes_expect("ký ngày 28/04/2022", [["28/4/2022"]]) and passes_expect("ngày 3/2/2020", [["03/02/2020"]])
    assert not passes_expect("ngày 28/4/2021", [["28/4/2022"]])


def test_no_phrasing_of_the_knowledge_is_refused_as_out_of_scope():
    """Out-of-scope markers match folded text; none may catch the knowledge's own questions."""
    from knowledge.normalize import normalize
    entries = load_entries(KNOWLEDGE_DIR)
    matcher = Matcher(entries)
    refused = [(e.id, p) for e in entries for p in e.all_phrasings if matcher.is_out_of_scope(p)]
    assert refused == []
