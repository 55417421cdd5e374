"""The neutral message model every channel translates to and from."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Awaitable, Callable


@dataclass(frozen=True)
class Attachment:
    """A photo or file a person sent, kept by reference (the messenger's own file id)."""
    kind: str               # "photo" | "document"
    file_id: str
    filename: str = ""
    mime_type: str = ""


@dataclass(frozen=True)
class Incoming:
    """One message from a person, whatever the messenger."""
    channel: str            # "telegram", "zalo", "console", "cli"
    chat_id: str
    user_id: str
    text: str
    user_name: str = ""
    is_group: bool = False
    attachment: Attachment | None = None   # a photo or file sent with the text (its caption)
    at: datetime | None = None             # when it arrived: the assistant stamps it from its one clock
    lines: str = ""                        # the text with its line breaks, once taken (a notice keeps them)


@dataclass(frozen=True)
class Choice:
    """An option the person can pick: a button on Telegram, a numbered line elsewhere."""
    key: str                # short, stable id ("faq:<id>", "topic:<n>"); fits Telegram's 64 bytes
    label: str


@dataclass(frozen=True)
class Document:
    """A file to send with a reply (e.g. an .ics calendar)."""
    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


@dataclass
class Reply:
    """What the assistant says back. Channels render `choices` their own way."""
    text: str
    kind: str = "info"      # "answer", "suggest", "not_found", "smalltalk", "error", "info", "menu"
    choices: list[Choice] = field(default_factory=list)
    source: str = ""        # shown under an answer
    edition: str = ""
    entry_id: str = ""
    question_id: int | None = None   # set on answers, so feedback (👍/👎) can refer to it
    feedback: bool = False           # channels offer 👍/👎 under this reply
    back_key: str = ""               # a "back" choice for menus, when the channel has buttons
    choices_intro: str = ""          # a line before the choices, after the source (e.g. related questions)
    document: Document | None = None # sent as a file where the channel can, else described in text
    # What a channel that cannot send `document` shows instead of `text` (e.g. the timeline as text
    # for an .ics calendar); empty: `text` and a note that the file could not be sent.
    document_fallback: str = ""
    # Follows up on this reply (e.g. a broadcast's progress): a channel that can edit messages awaits
    # `live(update)` after sending it, where `await update(text)` replaces the sent message's text.
    live: Callable[[Callable[[str], Awaitable[None]]], Awaitable[None]] | None = None

    def full_text(self) -> str:
        """Text with its source line, as shown to the person."""
        text = self.text
        if self.source:
            text += f"\n\n📄 Nguồn: {self.source}"
        if self.edition:
            text += f"\n📘 Áp dụng: {self.edition}"
        if self.choices and self.choices_intro:
            text += f"\n\n{self.choices_intro}"
        return text
