"""The one SQLite database, through sqlite-utils: opening, schema migrations, small queries."""
from storage.db import open_db, now_utc_iso

__all__ = ["open_db", "now_utc_iso"]
