"""Settings read from the environment or a `.env` file (never from the repo).

Every setting has a safe default so the terminal chat runs with no configuration.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import load_dotenv

ROOT = Path(__file__).resolve().parent
DEFAULT_DB_PATH = ROOT / "data" / "assistant.db"
KNOWLEDGE_DIR = ROOT / "knowledge" / "faq"
TIMEZONE = "Asia/Ho_Chi_Minh"
EDITION_2023 = "2023-2028"
EDITION_2025 = "2025-2030"


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _port(text: str) -> int:
    return int(text) if text.isdigit() and 0 < int(text) < 65536 else -1


def _positive(text: str, default: int) -> int:
    """A whole number above 0; -1 when the text is not one (reported at start)."""
    if not text:
        return default
    return int(text) if text.isdigit() and int(text) > 0 else -1


def _rate(text: str, default: float) -> float:
    """Messages a second; -1 when the text is not a non-negative number (reported at start)."""
    if not text:
        return default
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return -1.0
    return value if value >= 0 and value == value and value != float("inf") else -1.0


@dataclass(frozen=True)
class Settings:
    db_path: Path = DEFAULT_DB_PATH
    knowledge_dir: Path = KNOWLEDGE_DIR
    active_edition: str = ""          # empty: the edition in force at the clock (knowledge/editions.toml)
    telegram_token: str = ""
    telegram_api_base_url: str = ""
    telegram_webhook_url: str = ""
    telegram_webhook_secret: str = ""
    webhook_host: str = "127.0.0.1"   # where the webhook server listens (behind a reverse proxy)
    webhook_port: int = 8080          # -1 when WEBHOOK_PORT is not a valid port (reported at start)
    webhook_max_body_bytes: int = 1024 * 1024  # a larger request body gets 413 (-1: invalid, reported)
    zalo_token: str = ""
    zalo_api_base_url: str = ""
    zalo_webhook_secret: str = ""
    zalo_outbox_rate: float = 1.0     # reminders/broadcasts a second on Zalo (0: no limit; -1: invalid)
    telegram_outbox_rate: float = 25.0  # reminders/broadcasts a second on Telegram (0: no limit; -1: invalid)
    telegram_read_timeout: float = 5.0  # seconds to wait for the Bot API's answer to a request
    admin_telegram_ids: tuple[str, ...] = field(default_factory=tuple)

    @property
    def secrets(self) -> list[str]:
        """Values that must never appear in logs."""
        return [s for s in (self.telegram_token, self.telegram_webhook_secret,
                            self.zalo_token, self.zalo_webhook_secret) if s]


def load_settings(db_path: str | None = None) -> Settings:
    """Build settings from `.env` (if present) and the environment; `db_path` overrides DB_PATH."""
    load_dotenv(ROOT / ".env", override=False)
    admins = tuple(x.strip() for x in _env("ADMIN_TELEGRAM_IDS").split(",") if x.strip())
    return Settings(
        db_path=Path(db_path or _env("DB_PATH") or DEFAULT_DB_PATH),
        knowledge_dir=Path(_env("KNOWLEDGE_DIR") or KNOWLEDGE_DIR),
        active_edition=_env("ACTIVE_EDITION"),
        telegram_token=_env("TELEGRAM_BOT_TOKEN"),
        telegram_api_base_url=_env("TELEGRAM_API_BASE_URL"),
        telegram_webhook_url=_env("TELEGRAM_WEBHOOK_URL"),
        telegram_webhook_secret=_env("TELEGRAM_WEBHOOK_SECRET"),
        webhook_host=_env("WEBHOOK_HOST") or "127.0.0.1",
        webhook_port=_port(_env("WEBHOOK_PORT") or _env("PORT") or "8080"),
        webhook_max_body_bytes=_positive(_env("WEBHOOK_MAX_BODY_BYTES"), 1024 * 1024),
        zalo_token=_env("ZALO_BOT_TOKEN"),
        zalo_api_base_url=_env("ZALO_API_BASE_URL"),
        zalo_webhook_secret=_env("ZALO_WEBHOOK_SECRET"),
        zalo_outbox_rate=_rate(_env("ZALO_OUTBOX_RATE"), 1.0),
        telegram_outbox_rate=_rate(_env("TELEGRAM_OUTBOX_RATE"), 25.0),
        telegram_read_timeout=_rate(_env("TELEGRAM_READ_TIMEOUT"), 5.0) or 5.0,
        admin_telegram_ids=admins,
    )
