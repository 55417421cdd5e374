"""One way in for what people type: every channel and the command line take text through here.

Two steps, both idempotent:
- at the boundary, where text enters (a webhook body, a Zalo update, a Telegram message, a line of
  stdin, an argument), `safe_json` / `knowledge.normalize.safe_text` make it safe to store, log and
  show: lone surrogates (a JSON "\\ud800" escape) can no longer make SQLite, a log file or a JSON answer
  raise, and NUL, control, zero-width and bidi characters are gone;
- `take_question` is the chat's own check, used by `Assistant.handle` and by `bot.py ask` alike: the
  text cleaned to one line (`clean_input`), then refused when it is empty or over MAX_QUESTION_CHARS.
  Before it, the chat takes the whole message with `take_message`: commands and conversations (a notice
  an admin types after /thongbao) get its lines as typed, up to what one message holds.

`read_lines` reads a batch of questions (`bot.py ask -`) as bytes and decodes each line on its own, so a
line that is not UTF-8 or is absurdly long is refused with its number and the batch goes on.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import Any, BinaryIO, Iterator

from handlers import texts
from knowledge.normalize import clean_input, safe_text  # noqa: F401 - channels take it from here

MAX_QUESTION_CHARS = 1000
MAX_MESSAGE_CHARS = 8192     # a notice typed in chat (one Telegram message is 4,096; longer gets its exact refusal)
MAX_LINE_BYTES = 64 * 1024   # a stdin line past this is counted and skipped, never held whole
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Question:
    """Text ready for the assistant (`error` empty), or the Vietnamese reason it is refused."""
    text: str
    error: str = ""


def take_question(text: str) -> Question:
    """The text as one clean line within the limits, or why not (empty, too long)."""
    cleaned = clean_input(text)
    if not cleaned:
        return Question(cleaned, texts.EMPTY)
    if len(cleaned) > MAX_QUESTION_CHARS:
        return Question(cleaned, texts.TOO_LONG.format(length=len(cleaned), limit=MAX_QUESTION_CHARS))
    return Question(cleaned)


@dataclass(frozen=True)
class Message:
    """A chat message: `text` with its line breaks (a notice keeps its layout), `line` the same as one
    line (what commands and questions are read from), or the Vietnamese reason it is refused."""
    text: str
    line: str
    error: str = ""


def take_message(text: str) -> Message:
    """The message cleaned line by line (white space collapsed within lines, at most one blank line
    between paragraphs), refused when empty or over MAX_MESSAGE_CHARS."""
    lines = [clean_input(part) for part in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    kept = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    line = clean_input(text)
    if not line:
        return Message(kept, line, texts.EMPTY)
    if len(kept) > MAX_MESSAGE_CHARS:
        return Message(kept, line, texts.TOO_LONG.format(length=len(kept), limit=MAX_MESSAGE_CHARS))
    return Message(kept, line)


_BLANK_LINES = re.compile(r"\n{3,}")


def safe_json(value: Any) -> Any:
    """A decoded JSON value with every lone surrogate in its strings (keys too) replaced by U+FFFD. One
    code unit for one, so lengths and Telegram's UTF-16 entity offsets stay right."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [safe_json(v) for v in value]
    if isinstance(value, dict):
        return {safe_json(k): safe_json(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Line:
    """One line of a batch: its number (from 1), its text without the line end, or why it was refused."""
    number: int
    text: str = ""
    error: str = ""


def read_lines(stream: BinaryIO) -> Iterator[Line]:
    """Each line of a byte stream, decoded as UTF-8 on its own (LF or CRLF ends it)."""
    number = 0
    while True:
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            chars = _skip_rest(stream, raw)
            yield Line(number, error=texts.TOO_LONG.format(length=chars, limit=MAX_QUESTION_CHARS))
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            yield Line(number, error=texts.NOT_UTF8)
            continue
        yield Line(number, text.removesuffix("\n").removesuffix("\r"))


def _skip_rest(stream: BinaryIO, head: bytes) -> int:
    """Read past the end of an over-long line, counting its characters as it goes."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    chars = len(decoder.decode(head))
    while not head.endswith(b"\n"):
        head = stream.readline(MAX_LINE_BYTES)
        if not head:
            break
        chars += len(decoder.decode(head))
    return chars - 1 if head.endswith(b"\n") else chars
