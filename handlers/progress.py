"""Admins follow the round: where every unit of their subtree stands, accepting results, assigning staff.

    /tiendo [MÃ | cuatoi]   the seed-style summary, the late units by name, and a chart image
    /donvicuatoi            the same for the units the admin was assigned to follow
    /congnhan [MÃ]          results waiting for acceptance; accept one (it is then frozen), or reopen it
    /phancong               assign a staff member (an admin) to follow units ("phân công phụ trách")

Every command goes through handlers/admin.py's role check; every unit named or picked is checked against
the admin's scope (choices too: callback data can be forged).
"""
from __future__ import annotations

import logging
import re
from datetime import date

import sqlite_utils

import clock
from handlers import admin as admin_handlers
from handlers import results_flow
from handlers import results_texts as T
from handlers.messages import Choice, Document, Incoming, Reply
from handlers.progress_report import chart_png, progress_text, staff_names
from knowledge.normalize import fold
from scheduler import progress
from scheduler import texts as ST
from storage import results as store
from storage import units as unit_store
from storage.admins import Admin, get_admin, in_scope, list_admins, subtree_codes

log = logging.getLogger(__name__)

ACCEPT_PREFIX = "cn:"
ASSIGN_PREFIX = "pc:"
MINE_WORDS = ("cuatoi", "cua toi", "toi", "minh", "cua minh")
MAX_LISTED = 20
_CODES = re.compile(r"[\s,;]+")


def scope_label(db: sqlite_utils.Database, root: str | None) -> str:
    unit = unit_store.get_unit(db, root) if root else None
    return ST.SCOPE_UNIT.format(name=unit.name) if unit else ST.SCOPE_ALL


def progress_reply(db: sqlite_utils.Database, codes: set[str] | None, label: str, today: date) -> Reply:
    items = progress.unit_progress(db, today, codes)
    summary = progress.summarise(items, today)
    text = progress_text(items, summary, label, today, staff_names(db))
    document = None
    if items:
        document = Document(f"tien-do-{today:%Y%m%d}.png", chart_png(summary, label, today), "image/png")
    return Reply(text, kind="info", document=document)


class ProgressCommands:
    def __init__(self, assistant):
        self.assistant = assistant
        self.db: sqlite_utils.Database = assistant.db
        self.remember = assistant.remember_offers  # so a typed number picks (Zalo, console)

    # -- /tiendo, /donvicuatoi -------------------------------------------------------------------------------
    def progress(self, admin: Admin, msg: Incoming, args: str) -> list[Reply]:
        today = clock.local_date(msg.at)
        arg = args.strip()
        if fold(arg) in MINE_WORDS:
            return self.mine(admin, msg, "")
        if arg:
            code = arg.split()[0].upper()
            if unit_store.get_unit(self.db, code) is None:
                return [Reply(T.NO_UNIT.format(code=code[:40]), kind="error")]
            if not in_scope(self.db, admin, code):
                return [Reply(T.PROGRESS_OUT_OF_SCOPE.format(code=code), kind="error")]
            return [progress_reply(self.db, progress.scope_units(self.db, code), scope_label(self.db, code), today)]
        return [progress_reply(self.db, progress.scope_units(self.db, admin.scope_unit),
                               scope_label(self.db, admin.scope_unit), today)]

    def mine(self, admin: Admin, msg: Incoming, args: str) -> list[Reply]:
        codes = set(store.followed_by(self.db, admin.channel, admin.user_id))
        if not admin.is_global:
            codes &= subtree_codes(self.db, admin.scope_unit)
        if not codes:
            return [Reply(T.PROGRESS_MINE_NONE, kind="info")]
        return [progress_reply(self.db, codes, T.PROGRESS_MINE, clock.local_date(msg.at))]

    # -- /congnhan ------------------------------------------------------------------------------------------
    def accept(self, admin: Admin, msg: Incoming, args: str) -> list[Reply]:
        code = args.strip().split()[0].upper() if args.strip() else ""
        if code:
            return self._result_view(admin, code)
        allowed = None if admin.is_global else subtree_codes(self.db, admin.scope_unit)
        waiting = [r for r in store.all_results(self.db).values()
                   if r.status == "reported" and (allowed is None or r.unit_code in allowed)]
        if not waiting:
            return [Reply(T.ACCEPT_NONE, kind="info")]
        waiting.sort(key=lambda r: r.updated_at)
        names = unit_store.unit_names(self.db)
        choices = [Choice(f"{ACCEPT_PREFIX}v:{r.unit_code}", f"{names.get(r.unit_code, r.unit_code)} ({r.unit_code})")
                   for r in waiting[:MAX_LISTED]]
        return [Reply(T.ACCEPT_LIST.format(count=len(waiting)), kind="menu", choices=choices)]

    def _result_view(self, admin: Admin, code: str) -> list[Reply]:
        unit = unit_store.get_unit(self.db, code)
        if unit is None:
            return [Reply(T.NO_UNIT.format(code=code[:40]), kind="error")]
        if not in_scope(self.db, admin, code):
            return [Reply(T.PROGRESS_OUT_OF_SCOPE.format(code=code), kind="error")]
        result = store.get(self.db, code)
        if result is None:
            return [Reply(T.ACCEPT_NO_RESULT.format(name=unit.name), kind="info")]
        lines = [T.SUMMARY_TITLE.format(name=unit.name, code=unit.code), *results_flow.summary_lines(result.values())]
        if result.flags:
            lines.append(T.FLAGGED_NOTE.format(notes="; ".join(T.FLAG_NOTES.get(f, f) for f in result.flags)))
        status = "đã công nhận" if result.accepted else "chờ công nhận"
        lines.append(T.RESULT_STATUS.format(status=status, who=result.reported_by or "—", when=_local(result.reported_at)))
        if result.accepted:
            lines[-1] += T.RESULT_ACCEPTED_BY.format(when=_local(result.accepted_at))
            choice = Choice(f"{ACCEPT_PREFIX}re:{code}", T.REOPEN_BUTTON)
        else:
            choice = Choice(f"{ACCEPT_PREFIX}ok:{code}", T.ACCEPT_BUTTON)
        return [Reply("\n".join(lines), kind="menu", choices=[choice])]

    def pick_accept(self, admin: Admin, msg: Incoming, key: str) -> list[Reply]:
        _, action, code = (key.split(":", 2) + ["", ""])[:3]
        unit = unit_store.get_unit(self.db, code)
        if unit is None or not in_scope(self.db, admin, code):
            return [Reply(T.PROGRESS_OUT_OF_SCOPE.format(code=code[:40]), kind="error")]
        if action == "v":
            return self._result_view(admin, code)
        actor = results_flow.actor_of(msg)
        if action in ("ok", "re"):
            result = store.set_status(self.db, code, "accepted" if action == "ok" else "reported", actor, msg.at)
            if result is None:
                return [Reply(T.ACCEPT_NO_RESULT.format(name=unit.name), kind="info")]
            log.info("result of %s %s by %s", code, result.status, actor)
            return [Reply((T.ACCEPTED if action == "ok" else T.REOPENED).format(name=unit.name), kind="info")]
        return [Reply(T.PICK_STALE, kind="error")]

    # -- /phancong ------------------------------------------------------------------------------------------
    def assign(self, admin: Admin, msg: Incoming, args: str) -> list[Reply]:
        staff = self._staff(admin)
        if not staff:
            return [Reply(T.ASSIGN_NOBODY, kind="info")]
        counts = store.follower_counts(self.db)
        choices = [Choice(f"{ASSIGN_PREFIX}s:{a.channel}:{a.user_id}",
                          f"{a.name or a.user_id} ({counts.get(f'{a.channel}:{a.user_id}', 0)} đơn vị)")
                   for a in staff[:MAX_LISTED]]
        return [Reply(T.ASSIGN_WHO, kind="menu", choices=choices)]

    def _staff(self, admin: Admin) -> list[Admin]:
        """Admins the requester may give work to: those whose scope lies inside the requester's."""
        if admin.is_global:
            return list_admins(self.db)
        mine = subtree_codes(self.db, admin.scope_unit)
        return [a for a in list_admins(self.db) if not a.is_global and a.scope_unit in mine]

    def pick_assign(self, admin: Admin, msg: Incoming, key: str) -> list[Reply]:
        parts = key.split(":", 3)
        if len(parts) != 4 or parts[1] != "s":
            return [Reply(T.PICK_STALE, kind="error")]
        staff = get_admin(self.db, parts[2], parts[3])
        if staff is None or staff not in self._staff(admin):
            return [Reply(T.PICK_STALE, kind="error")]
        store.save_flow(self.db, store.Flow(msg.channel, msg.chat_id, "assign", msg.user_id, None, "units",
                                            {"channel": staff.channel, "user_id": staff.user_id}), msg.at)
        current = store.followed_by(self.db, staff.channel, staff.user_id)
        text = T.ASSIGN_UNITS.format(who=staff.name or staff.user_id)
        if current:
            shown = ", ".join(current[:30]) + ("…" if len(current) > 30 else "")
            text += "\n" + T.ASSIGN_CURRENT.format(count=len(current), codes=shown)
        return [Reply(text, kind="info")]

    def intercept(self, msg: Incoming) -> list[Reply] | None:
        """The unit codes typed after choosing a staff member in /phancong."""
        if msg.is_group:
            return None
        flow = store.get_flow(self.db, msg.channel, msg.chat_id)
        text = (msg.text or "").strip()
        if flow is None or flow.kind != "assign" or text.startswith("/"):
            return None
        admin = admin_handlers.admin_for(self.db, msg)
        if admin is None:
            store.clear_flow(self.db, msg.channel, msg.chat_id)
            return None
        if fold(text) in results_flow.CANCEL_WORDS:
            store.clear_flow(self.db, msg.channel, msg.chat_id)
            return [Reply(T.ASSIGN_CANCELLED, kind="info")]
        staff = get_admin(self.db, flow.data["channel"], flow.data["user_id"])
        if staff is None or staff not in self._staff(admin):
            store.clear_flow(self.db, msg.channel, msg.chat_id)
            return [Reply(T.PICK_STALE, kind="error")]
        who = staff.name or staff.user_id
        words = [w for w in _CODES.split(text) if w]
        removing = bool(words) and fold(words[0]) == "bo"
        if removing:
            words = words[1:]
            if words and fold(words[0]) == "het":
                count = store.unassign(self.db, staff.channel, staff.user_id)
                store.clear_flow(self.db, msg.channel, msg.chat_id)
                return [Reply(T.ASSIGN_REMOVED.format(count=count, who=who), kind="info")]
        codes = list(dict.fromkeys(w.upper() for w in words))
        known = unit_store.known_codes(self.db, codes)
        unknown = [c for c in codes if c not in known]
        if not codes or unknown:
            return [Reply(T.ASSIGN_UNKNOWN.format(codes=", ".join(unknown) or "—"), kind="error")]
        for who_admin, whose in ((admin, T.ASSIGN_YOURS), (staff, T.ASSIGN_THEIRS.format(who=who))):
            outside = [c for c in codes if not in_scope(self.db, who_admin, c)]
            if outside:
                return [Reply(T.ASSIGN_OUTSIDE.format(whose=whose, codes=", ".join(outside)), kind="error")]
        store.clear_flow(self.db, msg.channel, msg.chat_id)
        if removing:
            count = store.unassign(self.db, staff.channel, staff.user_id, codes)
            return [Reply(T.ASSIGN_REMOVED.format(count=count, who=who), kind="info")]
        store.assign(self.db, codes, staff.channel, staff.user_id, results_flow.actor_of(msg), msg.at)
        log.info("%s assigned %d units to %s:%s", results_flow.actor_of(msg), len(codes), staff.channel, staff.user_id)
        return [Reply(T.ASSIGN_DONE.format(count=len(codes), who=who, codes=", ".join(codes)), kind="info")]

    # -- routing ----------------------------------------------------------------------------------------------
    def pick(self, msg: Incoming, key: str) -> list[Reply]:
        admin = admin_handlers.check(self.db, msg)
        if not isinstance(admin, Admin):
            return admin
        replies = (self.pick_accept(admin, msg, key) if key.startswith(ACCEPT_PREFIX)
                   else self.pick_assign(admin, msg, key))
        self.remember(msg, replies)
        return replies


def _local(stamp: str | None) -> str:
    return clock.to_local(clock.from_iso(stamp)).strftime("%H:%M %d/%m/%Y") if stamp else "—"


def register(assistant) -> ProgressCommands:
    """The "cn:"/"pc:" choices and the /phancong codes (the commands are in handlers/commands.py)."""
    commands = ProgressCommands(assistant)
    assistant.add_picker(ACCEPT_PREFIX, commands.pick)
    assistant.add_picker(ASSIGN_PREFIX, commands.pick)
    assistant.add_interceptor(commands.intercept)
    return commands
