"""The neutral message model every channel translates to and from."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Incoming:
    """One message from a person, whatever the messenger."""
    channel: str            # "telegram", "zalo", "console", "cli"
    chat_id: str
    user_id: str
    text: str
    user_name: str = ""
    is_group: bool = False


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
    document: Document | None = None # sent as a file where the channel can, else described in text

    def full_text(self) -> str:
        """Text with its source line, as shown to the person."""
        if self.source:
            return f"{self.text}\n\n📄 Nguồn: {self.source}"
        return self.text
