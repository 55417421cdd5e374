"""The assistant: routes a neutral incoming message to the right handler and returns neutral replies.

Channels call `handle` for text, `pick` for a chosen option (button or typed number) and `feedback`
for 👍/👎. Commands ("/start", "/help", …) arrive as text and are routed here too, so every channel
behaves the same; they are listed once, in handlers/commands.py. Features that need more than a command
hook in with `add_picker` (choice keys), `add_interceptor` (the next message of a conversation) and
`add_contact_hook` (someone wrote).
"""
from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import datetime
from typing import Callable

import sqlite_utils

from clock import now as clock_now
from handlers import admin, deadlines, progress, results_flow, smalltalk, texts
from handlers.commands import COMMANDS, Command
from handlers.faq import FaqService, topic_key
from handlers.intake import MAX_QUESTION_CHARS, take_message, take_question  # noqa: F401 - read by tests
from handlers.messages import Choice, Incoming, Reply
from knowledge.normalize import fold, has_letters, is_vietnamese_or_latin
from storage import questions
from storage.admins import Admin

log = logging.getLogger(__name__)

CommandHandler = Callable[[Incoming, str], list[Reply]]
Picker = Callable[[Incoming, str], list[Reply]]                 # (msg, choice key) → replies
Interceptor = Callable[[Incoming], "list[Reply] | None"]        # sees every message first; None: go on
ContactHook = Callable[[Incoming], None]                        # someone wrote or pressed a button
TOPICS_KEY = "topics"
_NUMBER_RE = re.compile(r"\d{1,2}[.)]?")  # "2", "2." or "2)": picking a numbered option
_CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{2,31}")  # an invite code typed after "dangky"


class Assistant:
    def __init__(self, db: sqlite_utils.Database, active_edition: str = "2023-2028",
                 clock: Callable[[], datetime] = clock_now):
        """`clock` is the one clock (clock.now, moved by --now and tests): every message is stamped with
        it on arrival (`Incoming.at`), and handlers take their `now` from the message."""
        self.db = db
        self.clock = clock
        self.faq = FaqService(db, active_edition, now=clock)
        self.commands: list[Command] = []                  # this assistant's copy of the table, in order
        self._pickers: dict[str, Picker] = {}
        self._interceptors: list[Interceptor] = []
        self._contact_hooks: list[ContactHook] = []
        self.outbox_waker: Callable[[], None] | None = None  # set by the runtime: send queued messages now
        self.admin = admin.register(self)            # "bc:"/"ua:" choices, the /thongbao text, unblocking
        self.results = results_flow.register(self)   # the /baocao conversation
        self.progress = progress.register(self)      # "cn:"/"pc:" choices, the /phancong codes
        for command in COMMANDS:
            self._add(command)

    def _add(self, command: Command) -> None:
        self.commands = [c for c in self.commands if c.name != command.name] + [command]

    def _command(self, name: str) -> Command | None:
        return next((c for c in self.commands if c.name == name), None)

    def _run(self, command: Command, msg: Incoming, args: str) -> list[Reply]:
        """An admin command runs after the role check (a refusal naming the command's purpose, nothing
        else happens), and the choices it offers are remembered, so a typed number picks (Zalo, console)."""
        if not command.admin:
            return command.run(self, msg, args)
        who = admin.check(self.db, msg, command.name, command.purpose)
        if not isinstance(who, Admin):
            return who
        replies = command.run(self, who, msg, args)
        self.remember_offers(msg, replies)
        return replies

    def add_command(self, name: str, handler: CommandHandler, description: str, admin: bool = False) -> None:
        """Add (or replace) `/name` on this assistant only, with `handler(msg, args)` (tests, experiments);
        the product's commands are listed in handlers/commands.py."""
        if admin:
            run = lambda assistant, who, msg, args: handler(msg, args)  # noqa: E731
        else:
            run = lambda assistant, msg, args: handler(msg, args)  # noqa: E731
        self._add(Command(name, run, admin=admin, purpose="quản trị" if admin else "", help_text=description))

    @property
    def command_help(self) -> dict[str, str]:
        """Everyone's commands, name → help, in menu order (the Telegram menu, /help)."""
        return {c.name: c.help for c in self.commands if not c.admin}

    @property
    def admin_command_help(self) -> dict[str, str]:
        """Admin commands, name → help, in menu order (admins' own menu, /quantri)."""
        return {c.name: c.help for c in self.commands if c.admin}

    def add_picker(self, prefix: str, handler: Picker) -> None:
        """Choices whose key starts with `prefix` go to `handler(msg, key)`."""
        self._pickers[prefix] = handler

    def add_interceptor(self, handler: Interceptor) -> None:
        """`handler(msg)` sees each message before the usual routing; replies it returns end the handling
        (e.g. the text of a notice an admin is writing)."""
        self._interceptors.append(handler)

    def add_contact_hook(self, hook: ContactHook) -> None:
        """`hook(msg)` runs whenever a person reaches the assistant: a message, a file, a button press or
        a 👍/👎 (e.g. someone marked as having blocked the bot evidently takes messages again)."""
        self._contact_hooks.append(hook)

    def _contact(self, msg: Incoming) -> None:
        for hook in self._contact_hooks:
            hook(msg)

    def _stamped(self, msg: Incoming) -> Incoming:
        return msg if msg.at is not None else replace(msg, at=self.clock())

    def handle_attachment(self, msg: Incoming) -> list[Reply] | None:
        """A photo or file (with its caption as text): replies when a feature wants it, else None."""
        msg = self._stamped(msg)
        self._contact(msg)
        return self._intercept(msg)

    def _intercept(self, msg: Incoming) -> list[Reply] | None:
        for intercept in self._interceptors:
            replies = intercept(msg)
            if replies is not None:
                return replies
        return None

    # -- entry points for channels ----------------------------------------------------------------
    def handle(self, msg: Incoming) -> list[Reply]:
        msg = self._stamped(msg)
        self._contact(msg)
        replies = self._handle(msg)
        # A reply that offers nothing to pick ends the previous list: a "2" typed after an answer must
        # not pick from a menu shown before it. Errors (a number out of range, a typo) keep the list.
        if not any(r.choices for r in replies) and not any(r.kind == "error" for r in replies):
            self._clear_choices(msg)
        return replies

    def _handle(self, msg: Incoming) -> list[Reply]:
        message = take_message(msg.text)
        if message.error:
            return [Reply(message.error, kind="error")]
        text = self._slashless_command(message.line)
        # A notice typed after /thongbao (a conversation or the command's own text) keeps its lines.
        msg = replace(msg, text=text, lines=message.text if text == message.line else text, attachment=None)
        intercepted = self._intercept(msg)
        if intercepted is not None:
            return intercepted
        if text.startswith("/"):
            return self._route_command(msg, text)
        question = take_question(text)   # the one check every channel and `bot.py ask` share
        if question.error:
            return [Reply(question.error, kind="error")]
        if _NUMBER_RE.fullmatch(text):
            picked = self._pick_number(msg, int(text.rstrip(".)")))
            return picked if picked is not None else [Reply(texts.NO_CHOICES, kind="error")]
        if not has_letters(text) or not any(ch.isalpha() for ch in text):  # emoji, digits, symbols only
            return [Reply(texts.NO_LETTERS, kind="error")]
        if not is_vietnamese_or_latin(text):
            return [Reply(texts.NOT_VIETNAMESE, kind="error")]
        folded = fold(text)
        if folded in ("chu de", "cac chu de", "danh sach chu de", "xem chu de", "menu chu de"):
            return self.topics_menu(msg)
        kind = smalltalk.classify(text)
        if kind:
            return [Reply(smalltalk.ANSWERS[kind], kind="smalltalk")]
        own_dates = deadlines.answer_question(self.db, msg, msg.at)  # a registered officer's own unit's dates
        if own_dates is not None:
            return own_dates
        return self.ask(msg)

    def ask(self, msg: Incoming) -> list[Reply]:
        reply, _ = self.faq.ask(msg)
        self._remember_choices(msg, reply)
        return [reply]

    def pick(self, msg: Incoming, key: str) -> list[Reply]:
        """The person chose `key` (from a button, or by typing its number)."""
        msg = self._stamped(msg)
        self._contact(msg)
        return self._pick(msg, key)

    def _pick(self, msg: Incoming, key: str) -> list[Reply]:
        if key == TOPICS_KEY:
            return self.topics_menu(msg)
        if key.startswith("faq:"):
            entry = self.faq.entry(key[4:])
            if entry is None:
                return [Reply(texts.PICK_EXPIRED, kind="error")]
            question_id = self._pending_question_id(msg)
            if question_id is not None:
                questions.set_answer(self.db, question_id, entry.id)
            self._clear_choices(msg)
            return [self.faq.answer_reply(entry, question_id)]
        if key.startswith("topic:"):
            topic = self.faq.topic_by_key(key)
            if topic is None:
                return [Reply(texts.PICK_EXPIRED, kind="error")]
            choices = [Choice(f"faq:{e.id}", e.question) for e in self.faq.entries_of_topic(topic)]
            reply = Reply(texts.TOPIC_QUESTIONS.format(topic=topic), kind="menu", choices=choices,
                          back_key=TOPICS_KEY)
            self._remember_choices(msg, reply)
            return [reply]
        for prefix, picker in self._pickers.items():
            if key.startswith(prefix):
                return picker(msg, key)
        return [Reply(texts.PICK_EXPIRED, kind="error")]

    def feedback(self, msg: Incoming, question_id: int, value: int) -> Reply:
        msg = self._stamped(msg)
        self._contact(msg)
        outcome = self.faq.record_feedback(question_id, msg.user_id or msg.chat_id, msg.channel, value)
        if outcome == "not_asker":  # someone else's answer (a group, or forged data): their vote is not counted
            log.info("vote on question %s by %s:%s refused: not the asker", question_id, msg.channel, msg.user_id)
            return Reply(texts.FEEDBACK_NOT_ASKER, kind="error")
        if outcome != "stored":
            return Reply(texts.PICK_EXPIRED, kind="error")
        return Reply(texts.FEEDBACK_THANKS_UP if value > 0 else texts.FEEDBACK_THANKS_DOWN, kind="info")

    # -- commands ---------------------------------------------------------------------------------
    def _route_command(self, msg: Incoming, text: str) -> list[Reply]:
        head, _, rest = text.partition(" ")
        name = head[1:].split("@", 1)[0].lower()
        command = self._command(name)
        if command is None:
            return [Reply(texts.UNKNOWN_COMMAND.format(command=head[:40]), kind="error")]
        return self._run(command, msg, rest.strip())

    def _slashless_command(self, text: str) -> str:
        """"dangky CODE" / "đăng ký CODE" typed without the slash (Zalo has no command menu, and people
        type what is printed on paper) becomes "/dangky CODE" when that command exists. The spaced,
        accented form only counts when the code looks like one (has a digit or is upper case), so a
        question such as "đăng ký đại biểu" stays a question."""
        if self._command("dangky") is None or text.startswith("/"):
            return text
        words = text.split()
        if len(words) == 2 and fold(words[0]) == "dangky" and _CODE_RE.fullmatch(words[1]):
            return f"/dangky {words[1]}"
        if (len(words) == 3 and fold(f"{words[0]} {words[1]}") in ("dang ky", "dang ki")
                and _CODE_RE.fullmatch(words[2]) and (words[2].isupper() or any(c.isdigit() for c in words[2]))):
            return f"/dangky {words[2]}"
        return text

    def topics_menu(self, msg: Incoming) -> list[Reply]:
        choices = [Choice(topic_key(t), t) for t in self.faq.topics()]
        reply = Reply(texts.TOPICS_INTRO, kind="menu", choices=choices)
        self._remember_choices(msg, reply)
        return [reply]

    # -- numbered choices -------------------------------------------------------------------------
    def _remember_choices(self, msg: Incoming, reply: Reply) -> None:
        if not reply.choices:
            return
        questions.offer(self.db, msg.channel, msg.chat_id, [c.key for c in reply.choices], reply.question_id)

    def _pending(self, msg: Incoming) -> dict | None:
        return questions.offered(self.db, msg.channel, msg.chat_id)

    def _pending_question_id(self, msg: Incoming) -> int | None:
        pending = self._pending(msg)
        return pending.get("question_id") if pending else None

    def remember_offers(self, msg: Incoming, replies: list[Reply]) -> None:
        """Remember the choices of every reply that offers some."""
        for reply in replies:
            self._remember_choices(msg, reply)

    def _clear_choices(self, msg: Incoming) -> None:
        questions.withdraw(self.db, msg.channel, msg.chat_id)

    def _pick_number(self, msg: Incoming, number: int) -> list[Reply] | None:
        pending = self._pending(msg)
        if not pending:
            return None
        keys = pending["keys"]
        if not 1 <= number <= len(keys):
            return [Reply(f"Anh/chị vui lòng gõ một số từ 1 đến {len(keys)}.", kind="error")]
        return self._pick(msg, keys[number - 1])
