"""The normalisation caches (knowledge/normalize.py through knowledge/text_cache.py) stay bounded in the
characters they keep, whatever people type: before, 8,192 distinct long questions kept ~390 MB."""
from __future__ import annotations

import tracemalloc

from knowledge.normalize import analyze, fold
from knowledge.text_cache import text_cache


def distinct_texts(count: int, length: int = 1000, start: int = 0) -> list[str]:
    """`count` different Vietnamese-looking texts of `length` characters."""
    base = "đại hội công đoàn cơ sở bầu ban chấp hành nhiệm kỳ ủy viên hợp lệ "
    return [(f"câu {i} " + base * (length // len(base) + 1))[:length] for i in range(start, start + count)]


def test_fold_keeps_no_more_than_its_budget_however_many_distinct_inputs():
    fold.cache_clear()
    tracemalloc.start()
    try:
        for text in distinct_texts(1000):
            fold(text)
        first, _ = tracemalloc.get_traced_memory()
        for text in distinct_texts(1000, start=1000):
            fold(text)
        second, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    info = fold.cache_info()
    assert info.chars <= info.max_chars and info.entries <= info.max_entries
    assert info.entries == info.max_chars // 1000   # the newest ones, 1,000 characters each
    assert second - first < 500_000   # 1,000 more inputs kept nothing more (unbounded: ~3 MB more)
    assert fold(distinct_texts(1, start=1999)[0]) and fold.cache_info().entries == info.entries


def test_analyze_keeps_no_more_than_its_budget():
    analyze.cache_clear()
    for text in distinct_texts(450):   # 450,000 characters against a 400,000 budget
        analyze(text)
    info = analyze.cache_info()
    assert 0 < info.chars <= info.max_chars and info.entries < 450


def test_least_recently_used_goes_first_and_long_texts_are_not_kept():
    calls = []

    @text_cache(max_entries=3, max_chars=80)
    def upper(text: str, suffix: str = "") -> str:
        calls.append(text)
        return text.upper() + suffix

    for text in ("aa", "bb", "cc"):
        upper(text)
    upper("aa")                      # used again: "bb" is now the oldest
    upper("dd")
    assert upper.cache_info().entries == 3 and upper.cache_info().chars == 6
    calls.clear()
    assert [upper(t) for t in ("aa", "cc", "dd")] == ["AA", "CC", "DD"] and calls == []
    assert upper("bb") == "BB" and calls == ["bb"]
    assert upper("x" * 11) == "X" * 11 and upper.cache_info().chars == 6   # over 80 // 8: computed, not kept
    assert upper("aa", suffix="!") == "AA!" and upper("aa") == "AA"        # keyed by every argument
