"""The channels this assistant has, in order (the order `bot.py run` starts them in). `run`, `broadcast`,
`reminders run-once` and `import officers` ask here which channels exist and which are configured.

To add a channel: its module implementing channels/base.Channel, and one line below."""
from __future__ import annotations

from channels.base import Channel
from channels.console import ConsoleChannel
from channels.telegram import TelegramChannel
from channels.zalo import ZaloChannel
from knowledge.normalize import fold

CHANNELS: list[type[Channel]] = [
    TelegramChannel,
    ZaloChannel,
    ConsoleChannel,
]


def names() -> list[str]:
    return [c.name for c in CHANNELS]


def get(name: str) -> type[Channel]:
    for c in CHANNELS:
        if c.name == name:
            return c
    raise KeyError(name)


def configured(settings) -> list[type[Channel]]:
    """The channels whose settings are there (Telegram with its token, Zalo with its token, …)."""
    return [c for c in CHANNELS if c.configured(settings)]


def spellings() -> dict[str, str]:
    """How an office's spreadsheet may write each channel (folded) → its name (`import officers`)."""
    return {fold(s): c.name for c in CHANNELS for s in (c.name, *c.spellings)}
