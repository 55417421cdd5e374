"""Admin commands and the role check every one of them goes through (the commands are listed in
handlers/commands.py):

    /thongbao [nội dung]   send a notice to officers (handlers/broadcast.py)
    /huy                   drop the notice being written
    /thongke [số ngày]     usage statistics (handlers/insight.py)
    /chuatraloi [số ngày]  unanswered questions, grouped; one tap attaches one to an entry
    /quantri               the admin commands and the admin's scope

An admin is a row in `admins` (channel, user id): from ADMIN_TELEGRAM_IDS or `bot.py admin add`.
Anyone else gets a polite refusal and nothing happens; choices ("bc:…", "ua:…") are checked the same
way, since callback data can be forged. A scoped admin's /chuatraloi and /thongke hold only the questions
of people registered within their subtree, and a "ua:" key naming another question is refused; attaching a
phrasing (which changes an entry every unit shares) is for global admins only. Admin commands work in private chats only (a preview in a
group would show the notice and its audience to everyone there).

Roles come from the command table's admin flag: admin commands are kept out of the public menu and
/help, and the assistant checks the role before one runs. ADMIN_TELEGRAM_IDS is synchronised at each
start (source 'env'); admins added with `bot.py admin add` (source 'cli') are never touched by it. The
contact hook clears `blocked_at` of someone a 403 marked, as soon as they write or press a button.
"""
from __future__ import annotations

import logging

import sqlite_utils

from handlers import admin_texts as T
from handlers import insight
from handlers.broadcast import BroadcastFlow
from handlers.faq import topic_key
from handlers.messages import Choice, Incoming, Reply
from knowledge.normalize import fold
from storage.knowledge import add_phrasing
from storage.admins import Admin, get_admin
from storage.broadcasts import has_flow
from storage.units import unblock

log = logging.getLogger(__name__)

UNANSWERED_PREFIX = "ua:"
MAX_GROUPS_SHOWN = 10
GROUP_LABEL_MAX = 120


def clip(text: str, limit: int) -> str:
    """`text` cut at a word end with "…" when longer than `limit` (never in the middle of a word)."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def admin_for(db: sqlite_utils.Database, msg: Incoming) -> Admin | None:
    return get_admin(db, msg.channel, msg.user_id)


def refusal(command: str | None, purpose: str = "quản trị") -> str:
    """The refusal for a non-admin, naming the command refused and what it is for (or a choice, for a
    pressed button)."""
    if command is None:
        return T.NOT_ADMIN_CHOICE
    return T.NOT_ADMIN.format(command=command, purpose=purpose)


def check(db: sqlite_utils.Database, msg: Incoming, command: str | None = None,
          purpose: str = "quản trị") -> Admin | list[Reply]:
    """The admin behind `msg`, or the refusal to send back (nothing else happens then). `command` is
    the command being refused with its `purpose` (the command table's); None: an admin choice."""
    admin = admin_for(db, msg)
    if admin is None:
        log.info("admin %s refused for %s:%s", f"/{command}" if command else "choice", msg.channel, msg.user_id)
        return [Reply(refusal(command, purpose), kind="error")]
    if msg.is_group:
        text = T.ADMIN_PRIVATE_ONLY.format(command=command) if command else T.ADMIN_CHOICE_PRIVATE_ONLY
        return [Reply(text, kind="error")]
    return admin


class AdminCommands:
    def __init__(self, assistant):
        self.assistant = assistant
        self.db: sqlite_utils.Database = assistant.db
        self.broadcast = BroadcastFlow(self.db, waker=lambda: assistant.outbox_waker, clock=assistant.clock)

    # -- /thongke ------------------------------------------------------------------------------------
    def stats(self, admin: Admin, msg: Incoming, args: str) -> list[Reply]:
        days = _days(args, insight.DEFAULT_DAYS)
        if days is None:
            return [Reply("Số ngày phải là số từ 1 đến 365, ví dụ: /thongke 30", kind="error")]
        stats = insight.collect_stats(self.db, msg.at, days, scope=admin.scope_unit)
        return [Reply(insight.stats_text(stats), kind="info")]

    # -- /chuatraloi ---------------------------------------------------------------------------------
    # A scoped admin sees and handles only the questions of people registered within their subtree, and
    # may not attach any: every knowledge entry is shared by all units (even a local-practice entry
    # answers whoever names its place, in any subtree), so changing one is a global admin's decision.
    def unanswered(self, admin: Admin, msg: Incoming, args: str) -> list[Reply]:
        days = _days(args, insight.UNANSWERED_DAYS)
        if days is None:
            return [Reply("Số ngày phải là số từ 1 đến 365, ví dụ: /chuatraloi 7", kind="error")]
        groups = insight.unanswered_groups(self.db, msg.at, days, scope=admin.scope_unit)
        if not groups:
            text = (T.UNANSWERED_NONE.format(days=days) if admin.is_global
                    else T.UNANSWERED_NONE_SCOPED.format(days=days, unit=admin.scope_unit))
            return [Reply(text, kind="info")]
        choices = [Choice(f"ua:g:{g.id}", f"«{clip(g.text, GROUP_LABEL_MAX)}» ({g.count} lần)")
                   for g in groups[:MAX_GROUPS_SHOWN]]
        title = (T.UNANSWERED_TITLE.format(days=days) if admin.is_global
                 else T.UNANSWERED_TITLE_SCOPED.format(days=days, unit=admin.scope_unit))
        return [Reply(title, kind="menu", choices=choices)]

    def pick_unanswered(self, admin: Admin, msg: Incoming, key: str) -> list[Reply]:
        """A "ua:<action>:<question id>[:value]" choice. The key comes from the client, so the question's
        scope and the attach right are checked here again (a forged key changes nothing)."""
        parts = key.split(":", 3)
        if len(parts) < 3 or not parts[2].isdigit():
            return [Reply(T.GROUP_GONE, kind="error")]
        action, qid = parts[1], int(parts[2])
        value = parts[3] if len(parts) > 3 else ""
        now = msg.at
        within = insight.asked_within(self.db, qid, admin.scope_unit)
        if within is None:
            return [Reply(T.GROUP_GONE, kind="info")]
        if not within:
            log.warning("admin %s:%s (scope %s) refused: question %s is outside the scope", msg.channel,
                        msg.user_id, admin.scope_unit, qid)
            return [Reply(T.QUESTION_OUT_OF_SCOPE.format(unit=admin.scope_unit), kind="error")]
        if action in ("a", "t") and not admin.is_global:
            log.warning("admin %s:%s (scope %s) refused: attaching needs a global admin", msg.channel,
                        msg.user_id, admin.scope_unit)
            return [Reply(T.ATTACH_NEEDS_GLOBAL.format(unit=admin.scope_unit), kind="error")]
        group = insight.find_group(self.db, qid, now, days=365, scope=admin.scope_unit)
        if group is None:
            return [Reply(T.GROUP_GONE, kind="info")]
        faq = self.assistant.faq
        if action == "g":
            return [self._group_reply(admin, group)]
        if action == "d":
            insight.mark_handled(self.db, group, "dismissed", None, msg.user_id, now)
            return [Reply(T.DISMISSED.format(text=group.text, count=group.count), kind="info")]
        if action == "t" and not value:
            choices = [Choice(f"ua:t:{qid}:{topic_key(t)[6:]}", t) for t in faq.topics()]
            return [Reply(T.TOPICS_PICK.format(text=group.text), kind="menu", choices=choices,
                          back_key=f"ua:g:{qid}")]
        if action == "t":
            topic = faq.topic_by_key(f"topic:{value}")
            if topic is None:
                return [Reply(T.GROUP_GONE, kind="error")]
            choices = [Choice(f"ua:a:{qid}:{e.id}", e.question) for e in faq.entries_of_topic(topic)]
            return [Reply(T.TOPIC_ENTRIES.format(topic=topic, text=group.text), kind="menu", choices=choices,
                          back_key=f"ua:t:{qid}")]
        if action == "a" and value:
            entry = faq.entry(value)
            if entry is None:
                return [Reply(T.ENTRY_GONE, kind="error")]
            added = add_phrasing(self.db, entry.id, group.text)
            insight.mark_handled(self.db, group, "attached", entry.id, msg.user_id, now)
            log.info("admin %s:%s attached question %s to %s", msg.channel, msg.user_id, qid, entry.id)  # no text
            if not added:
                return [Reply(T.ATTACHED_ALREADY.format(question=entry.question), kind="info")]
            return [Reply(T.ATTACHED.format(text=group.text, question=entry.question, count=group.count), kind="info")]
        return [Reply(T.GROUP_GONE, kind="error")]

    def _group_reply(self, admin: Admin, group: insight.Group) -> Reply:
        """A group with the closest entries: buttons that attach it for a global admin; for a scoped
        admin the entries named in the text, and only the dismissal to press."""
        result = self.assistant.faq.matcher.match(group.text, limit=3)
        nearest = [c.entry for c in result.candidates[:3]]
        others = [t for t in group.texts if t != group.text][:3]
        fields = dict(text=group.text, count=group.count, last=insight.local_stamp(group.last_asked),
                      others=T.UNANSWERED_OTHERS.format(others="; ".join(f"«{o}»" for o in others)) if others else "")
        dismiss = Choice(f"ua:d:{group.id}", T.DISMISS)
        if not admin.is_global:
            near = T.UNANSWERED_NEAR.format(entries="; ".join(f"«{e.question}»" for e in nearest)) if nearest else ""
            return Reply(T.UNANSWERED_GROUP_SCOPED.format(near=near, **fields), kind="menu", choices=[dismiss])
        choices = [Choice(f"ua:a:{group.id}:{e.id}", e.question) for e in nearest]
        choices += [Choice(f"ua:t:{group.id}", T.BY_TOPIC), dismiss]
        return Reply(T.UNANSWERED_GROUP.format(**fields), kind="menu", choices=choices)

    # -- /quantri ------------------------------------------------------------------------------------
    def help(self, admin: Admin, msg: Incoming, args: str) -> list[Reply]:
        scope = "mọi đơn vị" if admin.is_global else f"đơn vị {admin.scope_unit} và các đơn vị trực thuộc"
        lines = [f"Anh/chị là quản trị viên, phạm vi: {scope}.", "", "Các lệnh quản trị:"]
        lines += [f"/{name} — {desc}" for name, desc in self.assistant.admin_command_help.items()]
        return [Reply("\n".join(lines), kind="info")]

    # -- routing hooks -------------------------------------------------------------------------------
    def remember(self, msg: Incoming, replies: list[Reply]) -> None:
        """Keep the offered choices, so typing their number works where there are no buttons (Zalo,
        console), as for the FAQ's suggestions."""
        self.assistant.remember_offers(msg, replies)

    def pick(self, msg: Incoming, key: str) -> list[Reply]:
        admin = check(self.db, msg)
        if not isinstance(admin, Admin):
            return admin
        if key.startswith(UNANSWERED_PREFIX):
            replies = self.pick_unanswered(admin, msg, key)
        else:
            replies = self.broadcast.pick(admin, msg, key)
        self.remember(msg, replies)
        return replies

    def intercept(self, msg: Incoming) -> list[Reply] | None:
        """Text or a file from an admin in the middle of /thongbao; None for everyone else."""
        if msg.is_group:
            return None
        if not has_flow(self.db, msg.channel, msg.chat_id) and msg.attachment is None:
            return None
        admin = admin_for(self.db, msg)
        if admin is None:
            return None
        replies = self.broadcast.intercept(admin, msg)
        if replies is not None:
            self.remember(msg, replies)
        return replies


def register(assistant) -> AdminCommands:
    """Add the "bc:"/"ua:" choices, the /thongbao text hook and unblocking to the assistant."""
    commands = AdminCommands(assistant)
    db = assistant.db
    assistant.add_picker("bc:", commands.pick)
    assistant.add_picker(UNANSWERED_PREFIX, commands.pick)
    assistant.add_interceptor(commands.intercept)
    assistant.add_contact_hook(lambda msg: unblock_on_message(db, msg))  # also on a button press
    return commands


def unblock_on_message(db: sqlite_utils.Database, msg: Incoming) -> None:
    """Someone who blocked the bot (a 403 marked them) and writes again, or presses a button, takes
    messages again."""
    if unblock(db, msg.channel, msg.chat_id):
        log.info("%s:%s writes again: no longer marked as blocking the bot", msg.channel, msg.chat_id)
    return None


def _days(args: str, default: int) -> int | None:
    """'30', '30 ngày' or '30 ngay' → 30; None when it is not 1–365 days."""
    words = args.split()
    if not words:
        return default
    if len(words) > 2 or (len(words) == 2 and fold(words[1]) != "ngay"):
        return None
    return int(words[0]) if words[0].isdigit() and 1 <= int(words[0]) <= 365 else None
