"""Helpers for the admin tests: a small tree of units with officers, admins, and table snapshots."""
from __future__ import annotations

import clock
from handlers.messages import Incoming
from storage.admins import add_admin
from tests.unit_fixtures import make_officer, make_unit

ADMIN_ID = "900"          # a global admin
SCOPED_ID = "901"         # admin of CTCS-A's subtree
STRANGER_ID = "555"       # not an admin


def build_tree(db) -> dict[str, list[str]]:
    """CTCS-A (cấp trên cơ sở) ⊃ CS-A1 (held), CS-A2 ⊃ BP-A2X (bộ phận); CTCS-B ⊃ CS-B1 (postponed).
    Officers (telegram chat ids) per unit; officer 'o-both' belongs to two units; 'o-blocked' blocked."""
    make_unit(db, "CTCS-A", None, level="cap_tren_co_so")
    make_unit(db, "CS-A1", "2023-03-15", parent="CTCS-A", status="da_to_chuc")
    make_unit(db, "CS-A2", "2023-04-20", parent="CTCS-A")
    make_unit(db, "BP-A2X", "2023-03-01", level="cong_doan_bo_phan", parent="CS-A2")
    make_unit(db, "CTCS-B", None, level="cap_tren_co_so")
    make_unit(db, "CS-B1", "2023-05-05", parent="CTCS-B", status="hoan")
    members = {
        "CS-A1": ["o-a1", "o-both"],
        "CS-A2": ["o-a2"],
        "BP-A2X": ["o-a2x", "o-both", "o-blocked"],
        "CS-B1": ["o-b1"],
    }
    chats: dict[str, list[str]] = {}
    for code, officers in members.items():
        for chat in officers:
            chats.setdefault(chat, []).append(code)
    for chat, codes in chats.items():
        make_officer(db, chat, *codes)
    db.execute("UPDATE officers SET blocked_at = '2023-02-02T00:00:00+00:00' WHERE chat_id = 'o-blocked'")
    return members


def make_admins(db) -> None:
    add_admin(db, "telegram", ADMIN_ID, clock.now(), name="Quản trị")
    add_admin(db, "telegram", SCOPED_ID, clock.now(), name="Quản trị A", scope_unit="CTCS-A")


def admin_msg(text: str = "", user: str = ADMIN_ID, channel: str = "telegram", attachment=None,
              group: bool = False) -> Incoming:
    chat = f"chat-{user}" if not group else "-100200"
    return Incoming(channel, chat, user, text, user_name="Cán bộ", is_group=group, attachment=attachment)


SNAPSHOT_TABLES = ("broadcasts", "admin_flows", "outbox", "faq_phrasings", "unanswered_handled", "admins",
                   "officers", "questions")


def snapshot(db) -> dict[str, list[tuple]]:
    """Every row of the tables an admin command could change."""
    return {t: db.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in SNAPSHOT_TABLES}


def bulk_recipients(db, chats: list[str], unit: str = "CS-BULK", channel: str = "telegram") -> None:
    """One unit with an officer (a Telegram chat) for each of `chats`, written in one go."""
    from storage.transactions import immediate
    make_unit(db, unit, "2023-05-01")
    stamp = clock.iso(clock.now())
    with immediate(db):
        db.conn.executemany("INSERT INTO officers (channel, chat_id, user_id, name, created_at, updated_at)"
                            " VALUES (?,?,?,?,?,?)", [(channel, c, c, f"Cán bộ {c}", stamp, stamp) for c in chats])
        db.execute("INSERT INTO memberships (officer_id, unit_code, joined_at) SELECT id, ?, ? FROM officers"
                   " WHERE chat_id IN (SELECT value FROM json_each(?))", (unit, stamp, __import__("json").dumps(chats)))


GROUP_CHAT = "-100777"   # CS-B1's group chat (a member's question there is CS-B1's)


def scoped_world(db):
    """An assistant on the fixture knowledge with the tree (CTCS-A ⊃ CS-A1, CS-A2 ⊃ BP-A2X; CTCS-B ⊃ CS-B1),
    its admins (ADMIN_ID: every unit; SCOPED_ID: CTCS-A's subtree) and CS-B1's group chat registered."""
    from pathlib import Path

    from handlers.assistant import Assistant
    from storage.knowledge import reload_from_files
    reload_from_files(db, Path(__file__).parent / "fixtures" / "knowledge")
    build_tree(db)
    make_admins(db)
    make_officer(db, GROUP_CHAT, "CS-B1")
    return Assistant(db)
