"""Every chat command, in one ordered table: the Telegram menu, /help, /quantri and the admin refusals
all come from `COMMANDS` (python-telegram-bot's examples keep one ordered registration list; Errbot takes
a command's help from its docstring — both habits are kept here).

A command is a function named for what it does, whose one-line docstring is its help (Vietnamese: people
read it in menus). Everyone's commands take `(assistant, msg, args)`; admin commands take
`(assistant, admin, msg, args)` and run only after the assistant's role check (handlers/admin.py), which
refuses anyone else with the command's `purpose` and changes nothing. The table lists, the feature modules
decide: each function below only hands over to the module that holds the rule.

To add a command: write its function here (docstring = help), put one `Command` line in `COMMANDS` where
it should appear in menus, and test it through `Assistant.handle`.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable

from handlers import deadlines, registration, reminder_settings, texts
from handlers.messages import Incoming, Reply

if TYPE_CHECKING:  # annotations only: the assistant imports this table
    from handlers.assistant import Assistant
    from storage.admins import Admin


@dataclass(frozen=True)
class Command:
    name: str                                # Latin, what people type after "/"
    run: Callable[..., list[Reply]]          # (assistant, msg, args) or, for admins, (assistant, admin, msg, args)
    admin: bool = False                      # kept out of the public menu and /help; refused to non-admins
    purpose: str = ""                        # admin commands: what the refusal says the command is for
    help_text: str = ""                      # overrides the docstring (commands added at run time)

    @property
    def help(self) -> str:
        return self.help_text or (self.run.__doc__ or "").strip().splitlines()[0]


# -- everyone ---------------------------------------------------------------------------------------------
def start(a: Assistant, msg: Incoming, args: str) -> list[Reply]:
    """Bắt đầu, giới thiệu trợ lý"""
    if args:  # deep link t.me/<bot>?start=<invite code>
        return [Reply(a.faq.welcome(), kind="smalltalk"), *registration.join(a.db, msg, args, msg.at)]
    return [Reply(a.faq.welcome(), kind="smalltalk")]


def show_help(a: Assistant, msg: Incoming, args: str) -> list[Reply]:
    """Hướng dẫn sử dụng"""
    lines = [texts.HELP, "", "Các lệnh:"]
    lines += [f"/{name} — {desc}" for name, desc in a.command_help.items()]
    return [Reply("\n".join(lines), kind="smalltalk")]


def ask(a: Assistant, msg: Incoming, args: str) -> list[Reply]:
    """Hỏi một câu: /hoi <câu hỏi>"""
    if not args:
        return [Reply("Anh/chị gõ câu hỏi sau lệnh, ví dụ: /hoi đại hội hợp lệ khi nào?", kind="error")]
    return a.handle(replace(msg, text=args, attachment=None))


def topics(a: Assistant, msg: Incoming, args: str) -> list[Reply]:
    """Xem câu hỏi theo chủ đề"""
    return a.topics_menu(msg)


def join(a: Assistant, msg: Incoming, args: str) -> list[Reply]:
    """Đăng ký vào đơn vị: /dangky <mã đăng ký>"""
    return registration.join(a.db, msg, args, msg.at)


def leave(a: Assistant, msg: Incoming, args: str) -> list[Reply]:
    """Rời một đơn vị: /roi [mã đơn vị]"""
    return registration.leave(a.db, msg, args, msg.at)


def next_deadlines(a: Assistant, msg: Incoming, args: str) -> list[Reply]:
    """Các hạn sắp tới của đơn vị anh/chị"""
    return deadlines.next_deadlines(a.db, msg, msg.at)


def timeline(a: Assistant, msg: Incoming, args: str) -> list[Reply]:
    """Cả lịch của đơn vị: /lich [mã đơn vị] [ics]"""
    return deadlines.timeline(a.db, msg, args, msg.at)


def reminders(a: Assistant, msg: Incoming, args: str) -> list[Reply]:
    """Bật/tắt nhắc hạn: /nhacnho bat | /nhacnho tat"""
    return reminder_settings.set_reminders(a.db, msg, args, msg.at)


def report_results(a: Assistant, msg: Incoming, args: str) -> list[Reply]:
    """Báo cáo kết quả đại hội của đơn vị: /baocao [mã đơn vị]"""
    return a.results.command(msg, args)


# -- admins (after the role check) ------------------------------------------------------------------------
def notice(a: Assistant, admin: Admin, msg: Incoming, args: str) -> list[Reply]:
    """Gửi thông báo tới cán bộ (quản trị)"""
    return a.admin.broadcast.start(admin, msg, args)


def cancel_notice(a: Assistant, admin: Admin, msg: Incoming, args: str) -> list[Reply]:
    """Hủy thông báo đang soạn (quản trị)"""
    return a.admin.broadcast.cancel(admin, msg, args)


def stats(a: Assistant, admin: Admin, msg: Incoming, args: str) -> list[Reply]:
    """Thống kê sử dụng (quản trị)"""
    return a.admin.stats(admin, msg, args)


def unanswered(a: Assistant, admin: Admin, msg: Incoming, args: str) -> list[Reply]:
    """Câu hỏi chưa trả lời được (quản trị)"""
    return a.admin.unanswered(admin, msg, args)


def admin_help(a: Assistant, admin: Admin, msg: Incoming, args: str) -> list[Reply]:
    """Các lệnh quản trị"""
    return a.admin.help(admin, msg, args)


def progress(a: Assistant, admin: Admin, msg: Incoming, args: str) -> list[Reply]:
    """Tiến độ đại hội các đơn vị (quản trị): /tiendo [mã đơn vị | cuatoi]"""
    return a.progress.progress(admin, msg, args)


def my_units(a: Assistant, admin: Admin, msg: Incoming, args: str) -> list[Reply]:
    """Các đơn vị anh/chị được phân công phụ trách (quản trị)"""
    return a.progress.mine(admin, msg, args)


def accept_results(a: Assistant, admin: Admin, msg: Incoming, args: str) -> list[Reply]:
    """Công nhận kết quả đại hội (quản trị): /congnhan [mã đơn vị]"""
    return a.progress.accept(admin, msg, args)


def assign_staff(a: Assistant, admin: Admin, msg: Incoming, args: str) -> list[Reply]:
    """Phân công cán bộ phụ trách đơn vị (quản trị)"""
    return a.progress.assign(admin, msg, args)


# -- the table: menus and /help list commands in this order --------------------------------------------------
COMMANDS: tuple[Command, ...] = (
    Command("start", start),
    Command("help", show_help),
    Command("hoi", ask),
    Command("chude", topics),
    Command("dangky", join),
    Command("roi", leave),
    Command("hanchot", next_deadlines),
    Command("lich", timeline),
    Command("nhacnho", reminders),
    Command("baocao", report_results),
    Command("thongbao", notice, admin=True, purpose="gửi thông báo tới cán bộ"),
    Command("huy", cancel_notice, admin=True, purpose="hủy thông báo đang soạn"),
    Command("thongke", stats, admin=True, purpose="xem thống kê sử dụng trợ lý"),
    Command("chuatraloi", unanswered, admin=True, purpose="xem câu hỏi trợ lý chưa trả lời được"),
    Command("quantri", admin_help, admin=True, purpose="xem các lệnh quản trị"),
    Command("tiendo", progress, admin=True, purpose="xem tiến độ đại hội các đơn vị"),
    Command("donvicuatoi", my_units, admin=True, purpose="xem các đơn vị anh/chị được phân công theo dõi"),
    Command("congnhan", accept_results, admin=True, purpose="chấp nhận kết quả đại hội đơn vị báo cáo"),
    Command("phancong", assign_staff, admin=True, purpose="phân công cán bộ theo dõi đơn vị"),
)


def by_name(name: str) -> Command:
    """The table's command called `name` (KeyError when there is none)."""
    for c in COMMANDS:
        if c.name == name:
            return c
    raise KeyError(name)
