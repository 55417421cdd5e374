"""What every command needs: the database and the assistant, opened as `run` opens them."""
from __future__ import annotations

import sqlite_utils

import clock
from handlers.assistant import Assistant
from settings import Settings
from storage import open_db
from storage.admins import sync_env_admins
from knowledge.store import reload_from_files


def database(settings: Settings) -> sqlite_utils.Database:
    return open_db(settings.db_path)


def build_assistant(settings: Settings) -> Assistant:
    """Open the database, load changed knowledge files, and build the assistant."""
    db = database(settings)
    reload_from_files(db, settings.knowledge_dir)
    sync_env_admins(db, settings.admin_telegram_ids, clock.now())  # ADMIN_TELEGRAM_IDS
    return Assistant(db, settings.active_edition)
