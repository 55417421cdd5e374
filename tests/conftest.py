"""Shared fixtures: a real SQLite file per test, the bundled knowledge loaded into it."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from handlers.assistant import Assistant  # noqa: E402
from storage.knowledge import reload_from_files  # noqa: E402
from settings import KNOWLEDGE_DIR  # noqa: E402
from storage import open_db  # noqa: E402


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "test.db")
    yield database
    database.conn.close()


@pytest.fixture
def loaded_db(db):
    reload_from_files(db, KNOWLEDGE_DIR)
    return db


@pytest.fixture
def assistant(loaded_db):
    return Assistant(loaded_db)


@pytest.fixture
def env(tmp_path, monkeypatch):
    """`bot.main` run on the small fixture knowledge, no messenger configured: the database path to pass."""
    monkeypatch.setenv("KNOWLEDGE_DIR", str(Path(__file__).parent / "fixtures" / "knowledge"))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    monkeypatch.setenv("ZALO_BOT_TOKEN", "")
    return tmp_path / "cli.db"


@pytest.fixture(autouse=True)
def restore_logging():
    """`bot.main` configures the root logger; put it back so tests do not leak into each other."""
    import logging
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in ("httpx", "httpcore")}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, lvl in levels.items():
        logging.getLogger(name).setLevel(lvl)
