"""Units, officers and memberships in the database: small queries, no rules about time."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

import sqlite_utils

from clock import iso
from knowledge.plan import Plan, UnitSchedule, stored_day

# No 0/O, 1/I/L: invite codes are read aloud and typed from paper.
INVITE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
INVITE_LENGTH = 8
UNIT_COLUMNS = ("code", "name", "level", "parent_code", "congress_date", "congress_time", "congress_place",
                "form", "status", "members_count", "invite_code", "plan_id", "plan_shift_days", "is_demo",
                "schedule_changed_at", "created_at", "updated_at")
# A change to any of these moves the unit's timeline, so its pending reminders are re-planned.
SCHEDULE_FIELDS = ("congress_date", "congress_time", "congress_place", "status", "plan_id",
                   "plan_shift_days", "level", "parent_code", "name")


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    level: str
    parent_code: str | None
    congress_date: str | None
    congress_time: str | None
    congress_place: str | None
    form: str | None
    status: str
    members_count: int | None
    invite_code: str
    plan_id: str | None
    plan_shift_days: int
    is_demo: int
    schedule_changed_at: str
    created_at: str
    updated_at: str

    @property
    def congress_day(self) -> date | None:
        """The congress date; UnitDataError when the stored one cannot be used (see knowledge/plan.py)."""
        return stored_day(self.congress_date, self.code)

    def schedule(self) -> UnitSchedule:
        return UnitSchedule(code=self.code, name=self.name, level=self.level,
                            congress_date=self.congress_day, congress_time=self.congress_time,
                            congress_place=self.congress_place, status=self.status,
                            shift_days=self.plan_shift_days)


@dataclass(frozen=True)
class Officer:
    id: int
    channel: str
    chat_id: str
    user_id: str
    name: str
    reminders_enabled: bool
    blocked_at: str | None


_SELECT_UNIT = f"SELECT {', '.join(UNIT_COLUMNS)} FROM units"


def _unit(row: tuple | None) -> Unit | None:
    return Unit(*row) if row else None


def get_unit(db: sqlite_utils.Database, code: str) -> Unit | None:
    return _unit(db.execute(f"{_SELECT_UNIT} WHERE code = ?", (code.strip().upper(),)).fetchone())


def unit_by_invite(db: sqlite_utils.Database, invite_code: str) -> Unit | None:
    return _unit(db.execute(f"{_SELECT_UNIT} WHERE invite_code = ?",
                            (invite_code.strip().upper(),)).fetchone())


def list_units(db: sqlite_utils.Database) -> list[Unit]:
    return [Unit(*r) for r in db.execute(f"{_SELECT_UNIT} ORDER BY code")]


def iter_units(db: sqlite_utils.Database, page: int = 1000):
    """Every unit, a page at a time (keyset on code): planning runs over all of them without holding
    them all in memory, and without keeping a read cursor open across its write transactions."""
    last = ""
    while True:
        rows = db.execute(f"{_SELECT_UNIT} WHERE code > ? ORDER BY code LIMIT ?", (last, page)).fetchall()
        for row in rows:
            yield Unit(*row)
        if len(rows) < page:
            return
        last = rows[-1][0]


def top_units(db: sqlite_utils.Database, limit: int = 2) -> list[Unit]:
    """Units with no parent among the units (at most `limit`, by code)."""
    return [Unit(*r) for r in db.execute(
        f"{_SELECT_UNIT} WHERE parent_code IS NULL OR parent_code NOT IN (SELECT code FROM units)"
        " ORDER BY code LIMIT ?", (limit,))]


def count_units(db: sqlite_utils.Database, demo: bool | None = None) -> int:
    if demo is None:
        return db.execute("SELECT COUNT(*) FROM units").fetchone()[0]
    return db.execute("SELECT COUNT(*) FROM units WHERE is_demo = ?", (int(demo),)).fetchone()[0]


def invite_codes(db: sqlite_utils.Database) -> dict[str, str]:
    """invite code → unit code."""
    return {r[0]: r[1] for r in db.execute("SELECT invite_code, code FROM units")}


def new_invite_code(taken: set[str]) -> str:
    while True:
        code = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))
        if code not in taken:
            taken.add(code)
            return code


def save_unit(db: sqlite_utils.Database, values: dict, now: datetime) -> str:
    """Insert or update one unit by code: 'created', 'rescheduled' (its timeline moved), 'updated' or
    'unchanged'. Keys absent from `values` keep their stored value; the caller holds the transaction."""
    code = values["code"]
    old = get_unit(db, code)
    stamp = iso(now)
    if old is None:
        row = {c: None for c in UNIT_COLUMNS}
        row.update(status="chua_to_chuc", plan_shift_days=0, is_demo=0)
        row.update(values)
        row.update(schedule_changed_at=stamp, created_at=stamp, updated_at=stamp)
        cols = ", ".join(row)
        db.execute(f"INSERT INTO units ({cols}) VALUES ({', '.join('?' for _ in row)})", list(row.values()))
        return "created"
    changes = {k: v for k, v in values.items() if k != "code" and getattr(old, k) != v}
    if not changes:
        return "unchanged"
    schedule_changed = any(k in SCHEDULE_FIELDS for k in changes)
    changes["updated_at"] = stamp
    if schedule_changed:
        changes["schedule_changed_at"] = stamp
    sets = ", ".join(f"{k} = ?" for k in changes)
    db.execute(f"UPDATE units SET {sets} WHERE code = ?", [*changes.values(), code])
    return "rescheduled" if schedule_changed else "updated"


def delete_units(db: sqlite_utils.Database, codes: list[str]) -> None:
    """Delete units, children first (a parent cannot go while a child points at it)."""
    remaining = set(codes)
    while remaining:
        leaves = [c for c in remaining if not db.execute(
            "SELECT 1 FROM units WHERE parent_code = ? LIMIT 1", (c,)).fetchone()]
        if not leaves:
            raise ValueError("đơn vị cấp dưới còn trỏ tới đơn vị cần xóa")
        for code in leaves:
            db.execute("DELETE FROM memberships WHERE unit_code = ?", (code,))
            db.execute("DELETE FROM units WHERE code = ?", (code,))
            remaining.discard(code)


def plan_of(db: sqlite_utils.Database, unit: Unit, plans: dict[str, Plan]) -> Plan | None:
    """The unit's own plan, or the nearest parent's."""
    seen: set[str] = set()
    current: Unit | None = unit
    while current is not None and current.code not in seen:
        if current.plan_id:
            return plans.get(current.plan_id)
        seen.add(current.code)
        current = get_unit(db, current.parent_code) if current.parent_code else None
    return None


def plan_ids_by_unit(db: sqlite_utils.Database) -> dict[str, str | None]:
    """Effective plan id of every unit (own, else the nearest parent's), in one pass."""
    rows = {code: (parent, plan) for code, parent, plan in
            db.execute("SELECT code, parent_code, plan_id FROM units")}
    resolved: dict[str, str | None] = {}

    def resolve(code: str, depth: int = 0) -> str | None:
        if code not in resolved:
            parent, plan = rows[code]
            if plan:
                resolved[code] = plan
            elif parent in rows and depth < 8:  # levels are strictly ordered: no cycles, depth ≤ 4
                resolved[code] = resolve(parent, depth + 1)
            else:
                resolved[code] = None
        return resolved[code]

    for code in rows:
        resolve(code)
    return resolved


# -- officers ---------------------------------------------------------------------------------------
_SELECT_OFFICER = "SELECT id, channel, chat_id, user_id, name, reminders_enabled, blocked_at FROM officers"


def _officer(row: tuple | None) -> Officer | None:
    if row is None:
        return None
    return Officer(row[0], row[1], row[2], row[3], row[4], bool(row[5]), row[6])


def find_officer(db: sqlite_utils.Database, channel: str, chat_id: str) -> Officer | None:
    return _officer(db.execute(f"{_SELECT_OFFICER} WHERE channel = ? AND chat_id = ?",
                               (channel, chat_id)).fetchone())


def ensure_officer(db: sqlite_utils.Database, channel: str, chat_id: str, now: datetime,
                   user_id: str = "", name: str = "", position: str | None = None,
                   phone: str | None = None) -> Officer:
    """The officer for this chat, created on first use; name and ids refreshed when given."""
    stamp = iso(now)
    db.execute(
        "INSERT INTO officers (channel, chat_id, user_id, name, position, phone, created_at, updated_at)"
        " VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(channel, chat_id) DO UPDATE SET"
        " user_id = CASE WHEN excluded.user_id != '' THEN excluded.user_id ELSE user_id END,"
        " name = CASE WHEN excluded.name != '' THEN excluded.name ELSE name END,"
        " position = CASE WHEN ? IS NOT NULL THEN excluded.position ELSE position END,"
        " phone = CASE WHEN ? IS NOT NULL THEN excluded.phone ELSE phone END,"
        " blocked_at = NULL, updated_at = excluded.updated_at",
        (channel, chat_id, user_id or "", name or "", position or "", phone or "", stamp, stamp,
         position, phone))
    return find_officer(db, channel, chat_id)


def set_reminders_enabled(db: sqlite_utils.Database, officer_id: int, enabled: bool, now: datetime) -> None:
    db.execute("UPDATE officers SET reminders_enabled = ?, updated_at = ? WHERE id = ?",
               (int(enabled), iso(now), officer_id))


def mark_blocked(db: sqlite_utils.Database, channel: str, chat_id: str, now: datetime) -> None:
    db.execute("UPDATE officers SET blocked_at = ?, updated_at = ? WHERE channel = ? AND chat_id = ?",
               (iso(now), iso(now), channel, chat_id))


def join_unit(db: sqlite_utils.Database, officer_id: int, unit_code: str, now: datetime) -> bool:
    """Add the membership; False when it already existed."""
    cur = db.execute("INSERT OR IGNORE INTO memberships (officer_id, unit_code, joined_at) VALUES (?,?,?)",
                     (officer_id, unit_code, iso(now)))
    return cur.rowcount == 1


def leave_unit(db: sqlite_utils.Database, officer_id: int, unit_code: str) -> bool:
    cur = db.execute("DELETE FROM memberships WHERE officer_id = ? AND unit_code = ?",
                     (officer_id, unit_code))
    return cur.rowcount == 1


def units_of(db: sqlite_utils.Database, officer_id: int) -> list[Unit]:
    cols = ", ".join(f"u.{c}" for c in UNIT_COLUMNS)
    return [Unit(*r) for r in db.execute(
        f"SELECT {cols} FROM units u JOIN memberships m ON m.unit_code = u.code"
        " WHERE m.officer_id = ? ORDER BY m.joined_at, u.code", (officer_id,))]


def reminder_recipients(db: sqlite_utils.Database, unit_code: str) -> list[tuple[int, str, str, str]]:
    """(officer id, channel, chat id, joined_at) of members who take reminders and have not blocked us."""
    return db.execute(
        "SELECT o.id, o.channel, o.chat_id, m.joined_at FROM memberships m"
        " JOIN officers o ON o.id = m.officer_id"
        " WHERE m.unit_code = ? AND o.reminders_enabled = 1 AND o.blocked_at IS NULL"
        " ORDER BY o.id", (unit_code,)).fetchall()


# -- registration attempts (rate limit against guessing codes) ---------------------------------------
def record_attempt(db: sqlite_utils.Database, channel: str, chat_id: str, code: str, ok: bool,
                   now: datetime) -> None:
    db.execute("INSERT INTO registration_attempts (channel, chat_id, code, ok, attempted_at)"
               " VALUES (?,?,?,?,?)", (channel, chat_id, code[:64], int(ok), iso(now)))


def failed_attempts_since(db: sqlite_utils.Database, channel: str, chat_id: str,
                          since: datetime) -> list[str]:
    """Times (UTC ISO) of wrong codes from this chat since `since`, oldest first."""
    return [r[0] for r in db.execute(
        "SELECT attempted_at FROM registration_attempts WHERE channel = ? AND chat_id = ? AND ok = 0"
        " AND attempted_at >= ? ORDER BY attempted_at", (channel, chat_id, iso(since)))]


def member_counts(db: sqlite_utils.Database) -> dict[str, int]:
    """Unit code → how many officers are registered to it."""
    return dict(db.execute("SELECT unit_code, COUNT(*) FROM memberships GROUP BY unit_code").fetchall())


def is_member(db: sqlite_utils.Database, officer_id: int, unit_code: str) -> bool:
    return db.execute("SELECT 1 FROM memberships WHERE officer_id = ? AND unit_code = ?",
                      (officer_id, unit_code)).fetchone() is not None


def known_codes(db: sqlite_utils.Database, codes: list[str]) -> set[str]:
    """Those of `codes` that are units."""
    if not codes:
        return set()
    return {r[0] for r in db.execute(f"SELECT code FROM units WHERE code IN ({','.join('?' * len(codes))})", codes)}


def unit_names(db: sqlite_utils.Database) -> dict[str, str]:
    return dict(db.execute("SELECT code, name FROM units").fetchall())


def demo_codes(db: sqlite_utils.Database) -> list[str]:
    return [r[0] for r in db.execute("SELECT code FROM units WHERE is_demo = 1")]


def last_good_attempt(db: sqlite_utils.Database, channel: str, chat_id: str) -> str | None:
    """When this chat last typed a right invite code (UTC ISO), or None."""
    return db.execute("SELECT MAX(attempted_at) FROM registration_attempts WHERE channel = ? AND chat_id = ?"
                      " AND ok = 1", (channel, chat_id)).fetchone()[0]


def unblock(db: sqlite_utils.Database, channel: str, chat_id: str) -> bool:
    """Someone marked as having blocked the bot takes messages again; True when they were marked."""
    row = db.execute("SELECT 1 FROM officers WHERE channel = ? AND chat_id = ? AND blocked_at IS NOT NULL",
                     (channel, chat_id)).fetchone()
    if row is None:
        return False
    db.execute("UPDATE officers SET blocked_at = NULL WHERE channel = ? AND chat_id = ?", (channel, chat_id))
    return True


def first_joined_at(db: sqlite_utils.Database) -> str | None:
    """When the earliest membership began (UTC ISO), or None with nobody registered."""
    row = db.execute("SELECT MIN(joined_at) FROM memberships").fetchone()
    return row[0] if row else None


def reminder_readers(db: sqlite_utils.Database, unit_code: str) -> list[tuple[str, str, str, str]]:
    """(channel, chat id, name, joined at) of the unit's officers who take reminders, by officer id."""
    return db.execute(
        "SELECT o.channel, o.chat_id, o.name, m.joined_at FROM memberships m JOIN officers o"
        " ON o.id = m.officer_id WHERE m.unit_code = ? AND o.reminders_enabled = 1"
        " AND o.blocked_at IS NULL ORDER BY o.id", (unit_code,)).fetchall()


def unit_rows(db: sqlite_utils.Database) -> list[tuple]:
    """(code, name, level, parent code, congress date, status, plan shift) of every unit, by code: the
    few columns the progress of the round needs, without building a Unit for each."""
    return db.execute("SELECT code, name, level, parent_code, congress_date, status, plan_shift_days FROM units"
                      " ORDER BY code").fetchall()
