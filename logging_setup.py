"""Logging with secrets redacted: bot tokens and webhook secrets never reach a log line.

Logs name updates by id and kind, never a person's name or text; `--verbose` (DEBUG) adds whole updates,
for debugging. A lone surrogate that got this far is written as U+FFFD, so no log line is lost to it."""
from __future__ import annotations

import logging
import re

from settings import Settings

# Telegram tokens look like 123456:ABC…; Zalo's similar. Also hide anything after /bot in API URLs.
_TOKEN_RE = re.compile(r"\d{6,}:[A-Za-z0-9_-]{20,}")
_URL_TOKEN_RE = re.compile(r"(/bot)[^/\s]+")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: list[str]):
        super().__init__()
        self.secrets = [s for s in secrets if len(s) >= 4]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        text = _TOKEN_RE.sub("***", text)
        text = _SURROGATE_RE.sub("\ufffd", text)
        return _URL_TOKEN_RE.sub(r"\1***", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            # Exception texts carry secrets too (e.g. "The token `…` was rejected by the server").
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
        return True


def add_secret(secret: str) -> None:
    """Hide a secret created at run time (e.g. a generated webhook secret) from every log line."""
    for handler in logging.getLogger().handlers:
        for flt in handler.filters:
            if isinstance(flt, RedactSecrets) and len(secret) >= 4 and secret not in flt.secrets:
                flt.secrets.append(secret)


def setup_logging(settings: Settings, verbose: bool = False) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(settings.secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    # httpx logs request URLs at INFO, and Bot API URLs carry the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
