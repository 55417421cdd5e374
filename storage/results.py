"""Congress results in the database: one row a unit, every change kept in its history (who, when, what).

A result is 'reported' (by chat or import; the unit's officers and admins may still change it) until an
admin accepts it ('accepted': frozen until an admin reopens it). The rules the numbers must follow are
in handlers/results_rules.py; this module only stores, and refuses nothing the schema allows.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime

import sqlite_utils

from clock import iso
from storage.transactions import immediate

FIELDS = ("held_on", "form", "convened", "present", "bch_elected", "chair_elected_by", "chair_post",
          "ubkt_elected", "delegates_elected", "bch_women")
_META = ("unit_code", "flags", "status", "source", "version", "reported_by", "reported_at", "updated_by",
         "updated_at", "accepted_by", "accepted_at")
_COLUMNS = ", ".join(("unit_code", *FIELDS, *_META[1:]))


class ResultLocked(Exception):
    """The result was accepted by an admin: it cannot change until it is reopened."""


@dataclass(frozen=True)
class Result:
    unit_code: str
    held_on: str
    form: str
    convened: int
    present: int
    bch_elected: int
    chair_elected_by: str
    chair_post: str
    ubkt_elected: int
    delegates_elected: int
    bch_women: int
    flags: tuple[str, ...] = ()
    status: str = "reported"
    source: str = "chat"
    version: int = 1
    reported_by: str = ""
    reported_at: str = ""
    updated_by: str = ""
    updated_at: str = ""
    accepted_by: str | None = None
    accepted_at: str | None = None

    @property
    def accepted(self) -> bool:
        return self.status == "accepted"

    def values(self) -> dict:
        return {f: getattr(self, f) for f in FIELDS}


@dataclass(frozen=True)
class HistoryEntry:
    version: int
    action: str
    data: dict
    changed: list[str]
    actor: str
    at: str


@dataclass
class Values:
    """What a report says, before it is stored (the flow's answers, an imported row)."""
    held_on: str
    form: str
    convened: int
    present: int
    bch_elected: int
    chair_elected_by: str
    chair_post: str
    ubkt_elected: int
    delegates_elected: int
    bch_women: int
    flags: list[str] = field(default_factory=list)


def _result(row: tuple | None) -> Result | None:
    if row is None:
        return None
    values = dict(zip(("unit_code", *FIELDS, *_META[1:]), row))
    values["flags"] = tuple(json.loads(values["flags"] or "[]"))
    return Result(**values)


def get(db: sqlite_utils.Database, unit_code: str) -> Result | None:
    return _result(db.execute(f"SELECT {_COLUMNS} FROM congress_results WHERE unit_code = ?",
                              (unit_code.strip().upper(),)).fetchone())


def all_results(db: sqlite_utils.Database) -> dict[str, Result]:
    return {r.unit_code: r for r in (_result(row) for row in db.execute(
        f"SELECT {_COLUMNS} FROM congress_results"))}


def reported_codes(db: sqlite_utils.Database) -> set[str]:
    """Units with a result (reported or accepted): their "report your results" reminders are over."""
    return {r[0] for r in db.execute("SELECT unit_code FROM congress_results")}


def has_result(db: sqlite_utils.Database, unit_code: str) -> bool:
    return db.execute("SELECT 1 FROM congress_results WHERE unit_code = ?", (unit_code,)).fetchone() is not None


def _history(db: sqlite_utils.Database, code: str, version: int, action: str, data: dict, changed: list[str],
             actor: str, now: datetime) -> None:
    db.execute("INSERT INTO congress_result_history (unit_code, version, action, data, changed, actor, at)"
               " VALUES (?,?,?,?,?,?,?)", (code, version, action, json.dumps(data, ensure_ascii=False),
                                          json.dumps(changed), actor, iso(now)))


def save(db: sqlite_utils.Database, unit_code: str, values: Values, actor: str, now: datetime,
         source: str = "chat") -> tuple[Result, list[str]]:
    """Insert or update the unit's result and record the change. Returns (result, changed fields);
    nothing is written when nothing changed. Raises ResultLocked for an accepted result."""
    code = unit_code.strip().upper()
    data = {f: getattr(values, f) for f in FIELDS}
    flags = json.dumps(sorted(set(values.flags)))
    stamp = iso(now)
    with immediate(db):
        old = get(db, code)
        if old is None:
            db.execute(
                f"INSERT INTO congress_results (unit_code, {', '.join(FIELDS)}, flags, status, source, version,"
                " reported_by, reported_at, updated_by, updated_at)"
                f" VALUES (?, {', '.join('?' * len(FIELDS))}, ?, 'reported', ?, 1, ?, ?, ?, ?)",
                (code, *data.values(), flags, source, actor, stamp, actor, stamp))
            changed = list(FIELDS)
            _history(db, code, 1, "import" if source == "import" else "report", {**data, "flags": values.flags},
                     changed, actor, now)
            return get(db, code), changed
        if old.accepted:
            raise ResultLocked(code)
        changed = [f for f in FIELDS if getattr(old, f) != data[f]]
        if not changed and tuple(sorted(set(values.flags))) == tuple(sorted(old.flags)):
            return old, []
        version = old.version + 1
        sets = ", ".join(f"{f} = ?" for f in FIELDS)
        db.execute(f"UPDATE congress_results SET {sets}, flags = ?, source = ?, version = ?, updated_by = ?,"
                   " updated_at = ? WHERE unit_code = ?",
                   (*data.values(), flags, source, version, actor, stamp, code))
        _history(db, code, version, "import" if source == "import" else "edit", {**data, "flags": values.flags},
                 changed, actor, now)
    return get(db, code), changed


def set_status(db: sqlite_utils.Database, unit_code: str, status: str, actor: str, now: datetime) -> Result | None:
    """'accepted' (an admin recognises the result) or 'reported' (reopened for changes). None when the unit
    has no result; the unchanged result when it already had that status."""
    assert status in ("accepted", "reported")
    code = unit_code.strip().upper()
    with immediate(db):
        old = get(db, code)
        if old is None or old.status == status:
            return old
        version = old.version + 1
        accepted = (actor, iso(now)) if status == "accepted" else (None, None)
        db.execute("UPDATE congress_results SET status = ?, version = ?, accepted_by = ?, accepted_at = ?,"
                   " updated_by = ?, updated_at = ? WHERE unit_code = ?",
                   (status, version, *accepted, actor, iso(now), code))
        _history(db, code, version, "accept" if status == "accepted" else "reopen",
                 {**old.values(), "flags": list(old.flags)}, ["status"], actor, now)
    return get(db, code)


def history(db: sqlite_utils.Database, unit_code: str) -> list[HistoryEntry]:
    return [HistoryEntry(v, a, json.loads(d), json.loads(c), actor, at) for v, a, d, c, actor, at in db.execute(
        "SELECT version, action, data, changed, actor, at FROM congress_result_history WHERE unit_code = ?"
        " ORDER BY id", (unit_code.strip().upper(),))]


def as_dict(result: Result) -> dict:
    return asdict(result)


# -- chat flows (/baocao, /phancong) ----------------------------------------------------------------------
@dataclass
class Flow:
    channel: str
    chat_id: str
    kind: str
    user_id: str
    unit_code: str | None
    step: str
    data: dict


def get_flow(db: sqlite_utils.Database, channel: str, chat_id: str) -> Flow | None:
    row = db.execute("SELECT channel, chat_id, kind, user_id, unit_code, step, data FROM result_flows"
                     " WHERE channel = ? AND chat_id = ?", (channel, chat_id)).fetchone()
    if row is None:
        return None
    return Flow(*row[:6], json.loads(row[6] or "{}"))


def save_flow(db: sqlite_utils.Database, flow: Flow, now: datetime) -> None:
    db.execute("INSERT INTO result_flows (channel, chat_id, kind, user_id, unit_code, step, data, updated_at)"
               " VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(channel, chat_id) DO UPDATE SET kind = excluded.kind,"
               " user_id = excluded.user_id, unit_code = excluded.unit_code, step = excluded.step,"
               " data = excluded.data, updated_at = excluded.updated_at",
               (flow.channel, flow.chat_id, flow.kind, flow.user_id, flow.unit_code, flow.step,
                json.dumps(flow.data, ensure_ascii=False), iso(now)))


def clear_flow(db: sqlite_utils.Database, channel: str, chat_id: str) -> bool:
    cur = db.execute("DELETE FROM result_flows WHERE channel = ? AND chat_id = ?", (channel, chat_id))
    return cur.rowcount == 1


def has_flow(db: sqlite_utils.Database, channel: str, chat_id: str) -> bool:
    return db.execute("SELECT 1 FROM result_flows WHERE channel = ? AND chat_id = ?",
                      (channel, chat_id)).fetchone() is not None


# -- phân công phụ trách -----------------------------------------------------------------------------------
def assign(db: sqlite_utils.Database, unit_codes: list[str], channel: str, user_id: str, assigned_by: str,
           now: datetime) -> int:
    """Make (channel, user_id) the staff member following each unit (replacing whoever did)."""
    with immediate(db):
        db.conn.executemany(
            "INSERT INTO unit_followers (unit_code, channel, user_id, assigned_by, assigned_at) VALUES (?,?,?,?,?)"
            " ON CONFLICT(unit_code) DO UPDATE SET channel = excluded.channel, user_id = excluded.user_id,"
            " assigned_by = excluded.assigned_by, assigned_at = excluded.assigned_at",
            [(c, channel, str(user_id), assigned_by, iso(now)) for c in unit_codes])
    return len(unit_codes)


def unassign(db: sqlite_utils.Database, channel: str, user_id: str, unit_codes: list[str] | None = None) -> int:
    if unit_codes is None:
        cur = db.execute("DELETE FROM unit_followers WHERE channel = ? AND user_id = ?", (channel, str(user_id)))
        return cur.rowcount
    removed = 0
    for code in unit_codes:
        removed += db.execute("DELETE FROM unit_followers WHERE unit_code = ? AND channel = ? AND user_id = ?",
                              (code, channel, str(user_id))).rowcount
    return removed


def followed_by(db: sqlite_utils.Database, channel: str, user_id: str) -> list[str]:
    return [r[0] for r in db.execute("SELECT unit_code FROM unit_followers WHERE channel = ? AND user_id = ?"
                                     " ORDER BY unit_code", (channel, str(user_id)))]


def followers(db: sqlite_utils.Database) -> dict[str, tuple[str, str]]:
    """unit code → (channel, user id) of the staff member following it."""
    return {r[0]: (r[1], r[2]) for r in db.execute("SELECT unit_code, channel, user_id FROM unit_followers")}


def follower_counts(db: sqlite_utils.Database) -> dict[str, int]:
    """'channel:user_id' of a staff member → how many units they follow."""
    return dict(db.execute("SELECT channel || ':' || user_id, COUNT(*) FROM unit_followers GROUP BY 1").fetchall())
