"""The SQLite file: created with its schema, WAL mode, migrations applied once."""
from storage import open_db
from storage.schema import MIGRATIONS


def test_new_database_has_schema_and_wal(tmp_path):
    db = open_db(tmp_path / "a.db")
    assert {"faq_entries", "faq_phrasings", "questions", "feedback", "meta"} <= set(db.table_names())
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reopening_applies_no_migration_twice(tmp_path):
    path = tmp_path / "a.db"
    open_db(path).execute("INSERT INTO meta (key, value) VALUES ('x', '1')")
    db = open_db(path)
    versions = [r[0] for r in db.execute("SELECT version FROM schema_version ORDER BY version")]
    assert versions == [v for v, _ in MIGRATIONS]
    assert db.execute("SELECT value FROM meta WHERE key = 'x'").fetchone()[0] == "1"


def test_database_directory_is_created(tmp_path):
    db = open_db(tmp_path / "nested" / "dir" / "a.db")
    assert (tmp_path / "nested" / "dir" / "a.db").exists()
    assert "questions" in db.table_names()


def test_a_lower_numbered_migration_arriving_later_is_still_applied(tmp_path, monkeypatch):
    import storage.db as dbmod
    applied = []
    first = [(1, lambda db: applied.append(1)), (30, lambda db: applied.append(30))]
    monkeypatch.setattr(dbmod, "MIGRATIONS", first)
    dbmod.open_db(tmp_path / "m.db")
    monkeypatch.setattr(dbmod, "MIGRATIONS", first + [(20, lambda db: applied.append(20))])
    dbmod.open_db(tmp_path / "m.db")
    dbmod.open_db(tmp_path / "m.db")
    assert applied == [1, 30, 20]
