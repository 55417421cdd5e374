"""An LRU cache for functions of a text, bounded by the characters it keeps as well as by its entries.

`lru_cache(maxsize=8192)` bounds how many results are kept, not how large they are: normalisation results
of 8,192 questions of 1,000 characters held ~390 MB (`python -m bench.inputs`). This cache also stops
at `max_chars` characters of kept texts, dropping the least recently used first; a text longer than an
eighth of that is computed and not kept. Thread-safe (the scheduler plans in a worker thread).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import wraps
from typing import Any, Callable, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class CacheInfo:
    entries: int
    chars: int          # characters of the texts kept
    max_entries: int
    max_chars: int


def text_cache(max_entries: int, max_chars: int) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Cache `fn(text, *args, **kwargs)` by all its arguments, within both bounds."""
    def decorate(fn: Callable[..., T]) -> Callable[..., T]:
        kept: OrderedDict[tuple, T] = OrderedDict()
        lock = threading.Lock()
        chars = 0

        @wraps(fn)
        def cached(text: str, *args: Any, **kwargs: Any) -> T:
            nonlocal chars
            key = (text, args, tuple(kwargs.items()))
            with lock:
                if key in kept:
                    kept.move_to_end(key)
                    return kept[key]
            value = fn(text, *args, **kwargs)
            size = len(text)
            if size > max_chars // 8:
                return value
            with lock:
                if key not in kept:
                    kept[key] = value
                    chars += size
                    while len(kept) > max_entries or chars > max_chars:
                        (old, _, _), _ = kept.popitem(last=False)
                        chars -= len(old)
            return value

        def cache_info() -> CacheInfo:
            with lock:
                return CacheInfo(len(kept), chars, max_entries, max_chars)

        def cache_clear() -> None:
            nonlocal chars
            with lock:
                kept.clear()
                chars = 0

        cached.cache_info = cache_info     # type: ignore[attr-defined]
        cached.cache_clear = cache_clear   # type: ignore[attr-defined]
        return cached
    return decorate
