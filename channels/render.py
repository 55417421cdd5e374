"""Render neutral replies as plain text with numbered choices (console and Zalo have no buttons)."""
from __future__ import annotations

from handlers import texts
from handlers.messages import Reply


def numbered_text(reply: Reply) -> str:
    """The reply's full text, then its choices as "1. …" lines and how to pick."""
    lines = [reply.full_text()]
    if reply.choices:
        lines.append("")
        lines += [f"{i}. {c.label}" for i, c in enumerate(reply.choices, start=1)]
        numbers = ", ".join(str(i) for i in range(1, len(reply.choices) + 1))
        if len(reply.choices) > 3:
            numbers = f"1–{len(reply.choices)}"
        lines.append("")
        lines.append(texts.SUGGEST_PICK.format(numbers=numbers))
    return "\n".join(lines)


def split_text(text: str, limit: int) -> list[str]:
    """Split `text` into parts of at most `limit` characters, at paragraph, line or sentence ends."""
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = -1
        for sep in ("\n\n", "\n", ". ", "! ", "? ", "; ", ", ", " "):
            pos = window.rfind(sep)
            if pos >= limit // 3:
                cut = pos + len(sep)
                break
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts
