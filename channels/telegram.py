"""Telegram adapter: python-telegram-bot updates in, neutral replies out.

Translation only. An `Update` becomes an `Incoming`; the assistant decides; each `Reply` becomes one or
more messages with an inline keyboard (choices, a back button, 👍/👎). No business rule lives here.

Text is sent as plain text (no parse_mode). Answers are authored text and questions are typed by
people, so characters such as _ * [ ] ( ) < > & must appear exactly as written. With no parse mode
Telegram interprets nothing: nothing needs escaping and no message can be refused with "can't parse
entities". HTML with html.escape would also be correct, but replies use no formatting, so it would only
add a way to fail.

Handlers call the assistant directly on the event loop. Its work is a few SQLite statements on one
shared connection (milliseconds); keeping every database call on the loop's thread means no two
transactions interleave on that connection. The network part (sending, editing) is awaited, so with
`concurrent_updates` many people are served at once. To move the assistant off the loop, change
`_call` only.

Callback data is `c:<choice key>` or `f:<question id>:±` (at most 64 bytes, never question text); a key
that would not fit is replaced by a hash remembered in memory (after a restart such a button answers
"expired"). Groups: answered only when addressed (/hoi, a mention, a reply to the bot), one message per
answer (a long one is cut with a pointer to the private chat); edits, stickers and other bots' commands
are ignored there. Private chats: edits are answered again, stickers/photos/voice get "please type".
Long texts are split counting UTF-16 units as Telegram does, at paragraph, line or sentence ends. Admins'
private menus follow the `admins` table: at once for someone who writes, within 30 s otherwise
(`watch_admins`). Answers and outbox rows go out through one `send` (channels/base.py), and every request
through the channel's one limiter (channels/telegram_limiter.py).
Tests run the real Application against the telegram-test-api emulator through a proxy that fixes what
the emulator gets wrong for python-telegram-bot 22 (tests/telegram_emulator.py); no test-only branch here.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
import secrets
from collections import OrderedDict
from dataclasses import replace
from typing import Any, Callable
from urllib.parse import urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from telegram import (BotCommand, BotCommandScopeChat, Chat, InlineKeyboardButton, InlineKeyboardMarkup,
                      LinkPreviewOptions, Message, MessageEntity, ReplyParameters, Update, User)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from channels.base import (Channel, ConfigError, OutcomeUnknownError, RecipientBlockedError, ReplyLimits,
                           RetryableSendError)
from channels.http_outcome import may_have_arrived
from channels.render import split_text
from channels.telegram_limiter import SharedLimiter, retry_seconds
from handlers import texts
from handlers.assistant import Assistant
from handlers.intake import safe_json, safe_text
from handlers.messages import Attachment, Incoming, Reply
from logging_setup import add_secret
from scheduler.ratelimit import TELEGRAM_LIMITS, Throttle
from settings import Settings
from storage.bots import remember_bot_name

log = logging.getLogger(__name__)

CHANNEL = "telegram"
MESSAGE_LIMIT = 4096          # Telegram counts UTF-16 code units
CALLBACK_DATA_LIMIT = 64      # bytes
BUTTON_LABEL_MAX = 48         # longer labels: every item listed in full in the text, buttons carry numbers
NUMBER_BUTTONS_PER_ROW = 5
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
_COMMAND_NAME_RE = re.compile(r"^[a-z0-9_]{1,32}$")
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
ADMIN_MENU_SYNC_SECONDS = 30.0   # admins added or removed by another process get their menu within this
WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")

# Telegram-only labels.
BACK_LABEL = "⬅️ Quay lại"
FEEDBACK_UP_LABEL = "👍 Hữu ích"
FEEDBACK_DOWN_LABEL = "👎 Chưa đúng"
GROUP_CUT_NOTE = "(Câu trả lời còn dài. Anh/chị nhắn riêng cho tôi để đọc đầy đủ{link}.)"

# Non-text messages that get a polite "please type" in private chats (groups: ignored).
NON_TEXT = (filters.Sticker.ALL | filters.PHOTO | filters.VOICE | filters.AUDIO | filters.VIDEO
            | filters.VIDEO_NOTE | filters.Document.ALL | filters.ANIMATION | filters.LOCATION
            | filters.CONTACT)


# -- callback data ------------------------------------------------------------------------------------
class CallbackCodec:
    """Packs a choice key or a 👍/👎 into callback_data (at most 64 bytes; never question text).

    Choice keys are short ids ("faq:<id>", "topic:<hash>"); one that would not fit is replaced by a
    hash remembered here (the newest `remember` of them; an older button then answers "expired").
    """

    def __init__(self, remember: int = 5000):
        self.remember = remember
        self._long: OrderedDict[str, str] = OrderedDict()

    def choice(self, key: str) -> str:
        data = f"c:{key}"
        if len(data.encode()) <= CALLBACK_DATA_LIMIT:
            return data
        data = "h:" + hashlib.sha1(key.encode()).hexdigest()[:24]
        self._long[data] = key
        self._long.move_to_end(data)
        while len(self._long) > self.remember:
            self._long.popitem(last=False)
        return data

    @staticmethod
    def feedback(question_id: int, value: int) -> str:
        return f"f:{question_id}:{'+' if value > 0 else '-'}"

    def parse(self, data: str) -> tuple[str, Any] | None:
        """("pick", key) or ("feedback", (question_id, ±1)); None for unknown or expired data."""
        if data.startswith("c:") and len(data) > 2:
            return "pick", data[2:]
        if data.startswith("h:"):
            key = self._long.get(data)
            return ("pick", key) if key else None
        match = re.fullmatch(r"f:(\d{1,18}):([+-])", data)
        if match:
            return "feedback", (int(match[1]), 1 if match[2] == "+" else -1)
        return None


# -- rendering ------------------------------------------------------------------------------------------
def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Parts of at most `limit` UTF-16 units, cut at paragraph, line or sentence ends."""
    size = limit
    while True:
        parts = split_text(text, size) or ["…"]
        if all(utf16_len(p) <= limit for p in parts):
            return parts
        size = max(1, int(size * 0.9))  # astral characters (emoji) count twice: cut shorter


def render(reply: Reply, codec: CallbackCodec) -> tuple[str, InlineKeyboardMarkup | None]:
    """The text to send and its inline keyboard: choices, then back, then 👍/👎.

    When every label fits a button, each choice is a button with its whole label. When one does not,
    all items are listed whole in the text ("1. …?") and the buttons carry only their numbers, a few a
    row: one style for every item, never a question cut off mid-word on a button."""
    text = reply.full_text()
    numbered = any(len(c.label) > BUTTON_LABEL_MAX for c in reply.choices)
    rows = []
    if numbered:
        text += "\n\n" + "\n".join(f"{i}. {c.label}" for i, c in enumerate(reply.choices, start=1))
        buttons = [InlineKeyboardButton(str(i), callback_data=codec.choice(c.key))
                   for i, c in enumerate(reply.choices, start=1)]
        rows += [buttons[i:i + NUMBER_BUTTONS_PER_ROW] for i in range(0, len(buttons), NUMBER_BUTTONS_PER_ROW)]
    else:
        rows += [[InlineKeyboardButton(c.label, callback_data=codec.choice(c.key))] for c in reply.choices]
    if reply.back_key:
        rows.append([InlineKeyboardButton(BACK_LABEL, callback_data=codec.choice(reply.back_key))])
    if reply.feedback and reply.question_id is not None:
        rows.append([
            InlineKeyboardButton(FEEDBACK_UP_LABEL, callback_data=codec.feedback(reply.question_id, 1)),
            InlineKeyboardButton(FEEDBACK_DOWN_LABEL, callback_data=codec.feedback(reply.question_id, -1)),
        ])
    return text, InlineKeyboardMarkup(rows) if rows else None


def without_feedback(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """The keyboard with its 👍/👎 row removed (after a vote); None when nothing is left."""
    rows = [] if markup is None else [
        list(row) for row in markup.inline_keyboard
        if not any(str(b.callback_data or "").startswith("f:") for b in row)]
    return InlineKeyboardMarkup(rows) if rows else None


# -- translation ----------------------------------------------------------------------------------------
def is_group(chat: Chat) -> bool:
    return chat.type in (Chat.GROUP, Chat.SUPERGROUP)


def incoming(chat: Chat, user: User, text: str) -> Incoming:
    """The neutral message; text and name made safe where they enter (handlers/intake.py)."""
    return Incoming(CHANNEL, str(chat.id), str(user.id), safe_text(text), safe_text(user.full_name),
                    is_group(chat))


def command_of(message: Message) -> tuple[str, str] | None:
    """(name, addressee) of a leading /command, e.g. "/hoi@MyBot …" → ("hoi", "mybot")."""
    text = message.text or ""
    for entity in message.entities:
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            head = text[1:entity.length]
            name, _, target = head.partition("@")
            return name.lower(), target.lower()
    return None


def attachment_of(message: Message) -> Attachment | None:
    """A photo (the largest size) or a file sent in `message`, by Telegram file id."""
    if message.photo:
        return Attachment("photo", message.photo[-1].file_id, "ảnh.jpg", "image/jpeg")
    if message.document is not None:
        doc = message.document
        return Attachment("document", doc.file_id, safe_text(doc.file_name or "") or "tệp", doc.mime_type or "")
    return None


def summary(update: object) -> str:
    """What an error log says of an update: its id and kind, its chat's type and id; never a name or a
    text (those only in `describe`, logged at DEBUG, i.e. with --verbose)."""
    if not isinstance(update, Update):
        return type(update).__name__
    kind = next((k for k in ("message", "edited_message", "callback_query") if getattr(update, k, None)), "other")
    chat = update.effective_chat
    where = f", {chat.type} chat {chat.id}" if chat is not None else ""
    return f"update {update.update_id} ({kind}{where})"


def describe(update: object) -> str:
    """The whole update as compact JSON (truncated), names and texts included: for --verbose only."""
    if isinstance(update, Update):
        return json.dumps(update.to_dict(), ensure_ascii=False, default=str)[:2000]
    return repr(update)[:2000]


class TelegramChannel(Channel):
    """Connects an `Application` to the assistant (channels/base.py's contract). `register` adds the
    handlers; `send` delivers answers and outbox rows; `join` plugs polling or the webhook into the runtime."""
    name = CHANNEL
    label = "Telegram"
    spellings = ("tele", "tg")
    limits = ReplyLimits(text_limit=MESSAGE_LIMIT, buttons=True, files=True, edits=True)

    def __init__(self, assistant: Assistant, settings: Settings | None = None):
        self.assistant = assistant
        self.settings = settings
        self.codec = CallbackCodec()
        self.application: Application | None = None
        self._live_tasks: set[asyncio.Task] = set()   # progress messages being edited
        self._admin_menus: set[str] = set()   # user ids whose private menu holds the admin commands
        self._menu_refused: set[str] = set()  # Telegram refused their menu (no chat yet): retried when they write
        self.throttle = None   # the channel's Throttle (set with the Application): replies keep its limits

    # -- the channel contract ---------------------------------------------------------------------
    @classmethod
    def configured(cls, settings: Settings) -> bool:
        return bool(settings.telegram_token)

    @classmethod
    def from_settings(cls, assistant: Assistant, settings: Settings) -> TelegramChannel:
        return cls(assistant, settings)

    @property
    def webhook_path(self) -> str | None:
        return WEBHOOK_PATH if self.settings is not None and self.settings.telegram_webhook_url else None

    def join(self, runtime: Any) -> None:
        """Polling by default; with TELEGRAM_WEBHOOK_URL, POST /telegram/webhook on the shared app (the
        secret header checked) and setWebhook once the server listens."""
        settings = self.settings
        webhook = bool(settings.telegram_webhook_url)
        secret = settings.telegram_webhook_secret or secrets.token_urlsafe(32)
        add_secret(secret)
        if webhook and not _SECRET_RE.match(secret):
            raise ConfigError("TELEGRAM_WEBHOOK_SECRET chỉ được gồm chữ cái Latin, chữ số, '_' và '-' "
                              "(1–256 ký tự).")
        application = build_telegram_application(settings, self, webhook)
        watcher: list[asyncio.Task] = []

        async def start() -> None:
            await application.initialize()  # getMe: the bot's username, for t.me links printed elsewhere
            remember_bot_name(self.assistant.db, CHANNEL, application.bot.username or "")
            await self.publish_commands()
            watcher.append(asyncio.create_task(self.watch_admins(), name="telegram-admin-menus"))
            await application.start()
            if not webhook:
                await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)

        async def stop() -> None:
            for task in watcher:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
            if application.running:
                await application.stop()
            await application.shutdown()

        async def set_webhook() -> None:
            await application.bot.set_webhook(telegram_webhook_url(settings.telegram_webhook_url),
                                              secret_token=secret, allowed_updates=ALLOWED_UPDATES)

        runtime.add_step(start, stop)
        if webhook:
            runtime.routes.append(telegram_webhook_route(application, secret))
            runtime.add_step(set_webhook, after_http=True)
        runtime.health[CHANNEL] = lambda: application.running
        runtime.extras["telegram_application"] = application
        self.join_outbox(runtime)   # replies and the outbox share one throttle

    async def open(self) -> None:
        """Sending only (the command line's broadcast): an Application without an updater."""
        await build_telegram_application(self.settings, self, webhook=True).initialize()

    async def close(self) -> None:
        if self.application is not None:
            await self.application.shutdown()

    # -- set-up -----------------------------------------------------------------------------------
    def register(self, application: Application) -> None:
        """Add the handlers in order (the first that matches handles the update) and the error handler."""
        self.application = application
        application.add_handlers([
            CallbackQueryHandler(self.on_button),
            MessageHandler(filters.UpdateType.MESSAGES & filters.TEXT, self.on_text),
            MessageHandler(filters.UpdateType.MESSAGE & NON_TEXT, self.on_non_text),
            # Anything else (service messages, polls, edits of non-text…) is ignored on purpose.
        ])
        application.add_error_handler(self.on_error)

    def bot_commands(self) -> list[BotCommand]:
        """The assistant's commands for Telegram's menu (Latin names, Vietnamese descriptions)."""
        return [BotCommand(name, description[:256])
                for name, description in self.assistant.command_help.items()
                if _COMMAND_NAME_RE.match(name) and len(description) >= 3]

    async def publish_commands(self) -> None:
        """set_my_commands; a server that refuses it costs the menu, not the bot."""
        try:
            await self._bot.set_my_commands(self.bot_commands())
        except TelegramError as exc:
            log.warning("set_my_commands failed: %s", exc)
        await self.publish_admin_commands()

    def _admin_commands(self) -> list[BotCommand]:
        return [BotCommand(name, description[:256])
                for name, description in self.assistant.admin_command_help.items()
                if _COMMAND_NAME_RE.match(name)]

    async def publish_admin_commands(self) -> None:
        """Admins see the admin commands too, in their private chat's menu (nobody else does). Admins live
        in the database (handlers/admin.py) and may be added or removed by `bot.py admin` while the bot
        runs: each call gives new admins their menu and takes it back from former ones."""
        from storage.admins import list_admins
        if not self._admin_commands():
            return
        wanted = {a.user_id for a in list_admins(self.assistant.db)
                  if a.channel == CHANNEL and a.user_id.isdigit()}
        for user_id in sorted(wanted - self._admin_menus - self._menu_refused):
            await self._set_admin_menu(user_id, True)
        for user_id in sorted(self._admin_menus - wanted):
            await self._set_admin_menu(user_id, False)
        self._menu_refused &= wanted

    async def refresh_admin_menu(self, user_id: str) -> None:
        """Before answering someone: their menu matches their role now (an admin added a moment ago gets
        the admin commands with this very message)."""
        from storage.admins import get_admin
        if not user_id.isdigit() or not self._admin_commands():
            return
        is_admin = get_admin(self.assistant.db, CHANNEL, user_id) is not None
        if is_admin != (user_id in self._admin_menus):
            await self._set_admin_menu(user_id, is_admin)

    async def _set_admin_menu(self, user_id: str, admin: bool) -> None:
        scope = BotCommandScopeChat(int(user_id))
        try:
            if admin:
                await self._bot.set_my_commands(self.bot_commands() + self._admin_commands(), scope=scope)
                self._admin_menus.add(user_id)
            else:  # the chat falls back to the public menu
                await self._bot.delete_my_commands(scope=scope)
                self._admin_menus.discard(user_id)
            self._menu_refused.discard(user_id)
        except TelegramError as exc:  # e.g. the admin never opened a chat with the bot
            log.warning("admin menu for %s not %s: %s", user_id, "set" if admin else "removed", exc)
            if admin:
                self._menu_refused.add(user_id)

    async def watch_admins(self, interval: float | None = None) -> None:
        """Keep admins' menus in step with the database until cancelled."""
        while True:
            await asyncio.sleep(ADMIN_MENU_SYNC_SECONDS if interval is None else interval)
            try:
                await self.publish_admin_commands()
            except Exception:  # noqa: BLE001 - the next round tries again
                log.warning("admin menus not refreshed", exc_info=True)

    @property
    def _bot(self):
        if self.application is None:
            raise RuntimeError("TelegramChannel.register(application) was not called")
        return self.application.bot

    def _call(self, fn: Callable, *args):
        return fn(*args)  # see the module docstring: on the loop's thread, on purpose

    # -- handlers ---------------------------------------------------------------------------------
    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer text (question or command) in a private chat, or addressed to the bot in a group."""
        message = update.effective_message
        user = message.from_user
        if user is None or user.is_bot:
            return
        group = is_group(message.chat)
        if group and update.edited_message is not None:
            return  # an edit in a group is never answered again
        text = self._text_for_assistant(message, group)
        if text is None:
            return
        if not group:
            await self.refresh_admin_menu(str(user.id))
        replies = self._call(self.assistant.handle, incoming(message.chat, user, text))
        await self.answer(message.chat_id, replies, group=group, reply_to=message.message_id if group else None)

    async def on_non_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice, files: ask for text in private chats; stay silent in groups."""
        message = update.effective_message
        if is_group(message.chat) or message.from_user is None or message.from_user.is_bot:
            return
        attachment = attachment_of(message)
        if attachment is not None:  # e.g. the photo or file of a notice an admin is writing
            msg = incoming(message.chat, message.from_user, message.caption or "")
            replies = self._call(self.assistant.handle_attachment,
                                 Incoming(msg.channel, msg.chat_id, msg.user_id, msg.text, msg.user_name,
                                          msg.is_group, attachment=attachment))
            if replies is not None:
                await self.answer(message.chat_id, replies)
                return
        await self.answer(message.chat_id, [Reply(texts.NON_TEXT, kind="info")])

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A pressed button: a choice answers in place (the message is edited); 👍/👎 is stored."""
        query = update.callback_query
        parsed = self.codec.parse(safe_text(query.data or ""))
        chat = query.message.chat if query.message is not None else None
        if parsed is None or chat is None:
            await query.answer(texts.PICK_EXPIRED)
            return
        message = query.message if isinstance(query.message, Message) else None  # None: too old
        msg = incoming(chat, query.from_user, "")
        kind, value = parsed
        if kind == "feedback":
            question_id, score = value
            reply = self._call(self.assistant.feedback, msg, question_id, score)
            await query.answer(reply.text[:200])
            if reply.kind != "error" and message is not None and not is_group(chat):
                await self._edit_markup(message, without_feedback(message.reply_markup))
            return
        await query.answer()
        replies = self._call(self.assistant.pick, msg, value)
        await self.answer(chat.id, replies, group=is_group(chat), edit=message)  # in place of the pressed one

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the exception with the update's id and kind (its content only with --verbose), then
        apologise briefly; the bot keeps running."""
        log.error("Exception while handling %s", summary(update), exc_info=context.error)
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s in full: %s", summary(update), describe(update))
        if not isinstance(update, Update):
            return
        try:
            if update.callback_query is not None:
                await update.callback_query.answer()
            if update.effective_chat is not None:
                await self.answer(update.effective_chat.id, [Reply(texts.ERROR, kind="error")])
        except Exception:  # noqa: BLE001 - the apology is best effort
            log.warning("Could not send the apology for update %s", update.update_id, exc_info=True)

    # -- addressing -------------------------------------------------------------------------------
    def _text_for_assistant(self, message: Message, group: bool) -> str | None:
        """The text to hand to the assistant, or None when the message is not for this bot."""
        text = message.text or ""
        me = (self._bot.username or "").lower()
        command = command_of(message)
        if command is not None:
            name, target = command
            if target and target != me:
                return None  # "/help@OtherBot"
            if group and name not in self.assistant.command_help:
                return None  # unknown commands in a group belong to someone else
            return text
        if not group:
            return text
        mentions = [part for entity, part in message.parse_entities(
                        [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items()
                    if (entity.type == MessageEntity.MENTION and part[1:].lower() == me)
                    or (entity.user is not None and entity.user.id == self._bot.id)]
        replied = message.reply_to_message
        to_me = (replied is not None and replied.from_user is not None
                 and replied.from_user.id == self._bot.id)
        if not mentions and not to_me:
            return None
        for part in mentions:
            text = text.replace(part, " ")
        return " ".join(text.split())

    # -- sending ----------------------------------------------------------------------------------
    def _parts(self, text: str, group: bool) -> list[str]:
        parts = split_message(text)
        if not group or len(parts) == 1:
            return parts
        # A group gets one message: the beginning and a pointer to the private chat.
        username = self._bot.username
        note = GROUP_CUT_NOTE.format(link=f": https://t.me/{username}" if username else "")
        head = split_message(text, MESSAGE_LIMIT - utf16_len(note) - 2)[0]
        return [f"{head}\n\n{note}"]

    async def answer(self, chat_id: str | int, replies: list[Reply], *, group: bool = False,
                     reply_to: int | None = None, edit: Message | None = None) -> None:
        """The replies to one message or button, in order in one answering slot (channels/base.py), each
        through `send`; the first quotes `reply_to` (groups) or replaces `edit` (the pressed button's)."""
        async with self.answering(chat_id):
            for i, reply in enumerate(replies):
                first = {"reply_to": reply_to, "edit": edit} if i == 0 else {}
                await self.send(chat_id, reply, group=group, **first)

    async def send(self, chat_id: str | int, reply: Reply | str, *, attachment: dict | None = None,
                   group: bool = False, reply_to: int | None = None, edit: Message | None = None) -> None:
        """The channel's one sender, for answers and the outbox (channels/base.py). A reply goes out as its
        parts (keyboard on the last; `group`: one part cut with a pointer to the private chat), then its
        document, then its live follow-up; a text is a reply without buttons, and a broadcast's photo or
        file (`attachment`: kind, file_id) is one message with the text as its caption. Every request
        passes the channel's limiter (channels/telegram_limiter.py); Telegram errors become the contract's."""
        reply = Reply(reply) if isinstance(reply, str) else reply
        try:
            async with self.sending(chat_id):
                if attachment:
                    await self._send_attachment(chat_id, reply.full_text(), attachment)
                else:
                    await self._send_reply(chat_id, reply, group, reply_to, edit)
        except RetryAfter as exc:
            raise RetryableSendError(str(exc), retry_after=retry_seconds(exc)) from exc
        except Forbidden as exc:  # blocked by the user, kicked from the group
            raise RecipientBlockedError(str(exc)) from exc
        except BadRequest as exc:
            if "chat not found" in str(exc).lower():
                raise RecipientBlockedError(str(exc)) from exc
            raise
        except NetworkError as exc:  # time-outs, 5xx, connection trouble
            if may_have_arrived(exc):  # written, then no answer: it may have been delivered
                raise OutcomeUnknownError(str(exc) or type(exc).__name__) from exc
            raise RetryableSendError(str(exc)) from exc

    async def _send_attachment(self, chat_id: str | int, caption: str, attachment: dict) -> None:
        if attachment.get("kind") == "photo":
            await self._bot.send_photo(chat_id, photo=attachment["file_id"], caption=caption or None)
        else:
            await self._bot.send_document(chat_id, document=attachment["file_id"], caption=caption or None)

    async def _send_reply(self, chat_id: str | int, reply: Reply, group: bool, reply_to: int | None,
                          edit: Message | None) -> None:
        text, markup = render(reply, self.codec)
        parts = self._parts(text, group)
        shown: list[Message] = []   # the messages showing this reply
        if edit is not None:  # an edit without reply_markup removes the old keyboard
            await self._edit_text(edit, parts[0], markup if len(parts) == 1 else None)
            shown.append(edit)
        for i in range(len(shown), len(parts)):
            quote = (ReplyParameters(reply_to, allow_sending_without_reply=True)
                     if reply_to is not None and i == 0 else None)
            shown.append(await self._bot.send_message(
                chat_id, parts[i], reply_markup=markup if i == len(parts) - 1 else None,
                reply_parameters=quote, link_preview_options=NO_PREVIEW))
        await self._send_document(chat_id, reply)
        if reply.live is not None:
            self._follow(shown[-1].chat_id, shown[-1].message_id, reply)

    # -- live replies (a broadcast's progress) -----------------------------------------------------
    def _follow(self, chat_id: int, message_id: int, reply: Reply) -> None:
        """Run `reply.live(update)` in the background; `update(text)` edits the message just sent."""
        async def update(text: str) -> None:
            try:
                await self._bot.edit_message_text(split_message(text)[0], chat_id=chat_id, message_id=message_id,
                                                  link_preview_options=NO_PREVIEW)
            except BadRequest as exc:
                if "not modified" not in str(exc).lower():
                    raise

        async def run() -> None:
            try:
                await reply.live(update)
            except Exception:  # noqa: BLE001 - a progress message is not worth crashing for
                log.exception("live reply in chat %s failed", chat_id)

        task = asyncio.get_running_loop().create_task(run())
        self._live_tasks.add(task)
        task.add_done_callback(self._live_tasks.discard)

    @staticmethod
    async def _edit_text(message: Message, text: str, markup: InlineKeyboardMarkup | None) -> None:
        try:
            await message.edit_text(text, reply_markup=markup, link_preview_options=NO_PREVIEW)
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():  # the same button pressed twice
                raise

    async def _edit_markup(self, message: Message, markup: InlineKeyboardMarkup | None) -> None:
        try:
            await message.edit_reply_markup(reply_markup=markup)
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                raise

    async def _send_document(self, chat_id: str | int, reply: Reply) -> None:
        if reply.document is None:
            return
        if reply.document.mime_type.startswith("image/"):  # a chart: shown in the chat, not as a file
            await self._bot.send_photo(chat_id, photo=reply.document.content, filename=reply.document.filename)
            return
        await self._bot.send_document(chat_id, document=reply.document.content,
                                      filename=reply.document.filename)


# -- the Application and the webhook ---------------------------------------------------------------------
def build_telegram_application(settings: Settings, channel: TelegramChannel, webhook: bool,
                               throttle=None) -> Application:
    """The Application: concurrent updates, the Bot API address override, no updater for webhooks, and
    every send through the channel's one limiter (`throttle`, shared with the outbox; made when None)."""
    throttle = throttle or Throttle(telegram_limits(settings))
    channel.throttle = throttle
    builder = (Application.builder().token(settings.telegram_token).concurrent_updates(True)
               .rate_limiter(SharedLimiter(throttle)))
    if settings.telegram_read_timeout > 0:  # after it, a send's outcome is unknown (scheduler/outbox.py)
        builder = builder.read_timeout(settings.telegram_read_timeout)
    base = settings.telegram_api_base_url
    if base:
        builder = builder.base_url(base)
        if base.endswith("/bot"):
            builder = builder.base_file_url(base[:-len("/bot")] + "/file/bot")
    if webhook:
        builder = builder.updater(None)
    application = builder.build()
    channel.register(application)
    return application


def telegram_webhook_url(url: str) -> str:
    """The public webhook address; a bare host gets the /telegram/webhook path."""
    parts = urlsplit(url)
    if parts.path in ("", "/"):
        parts = parts._replace(path=WEBHOOK_PATH)
    return urlunsplit(parts)


def telegram_webhook_route(application: Application, secret: str) -> Route:
    """POST /telegram/webhook: check the secret header in constant time, then queue the update."""
    expected = secret.encode()

    async def telegram_webhook(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return PlainTextResponse("forbidden", status_code=403)
        try:
            data = safe_json(await request.json())   # no lone surrogate gets past this (handlers/intake.py)
            update = Update.de_json(data, application.bot) if isinstance(data, dict) else None
        except Exception:  # noqa: BLE001 - any malformed body is the sender's problem
            update = None
        if update is None:
            return PlainTextResponse("bad request", status_code=400)
        await application.update_queue.put(update)
        return Response(status_code=200)

    return Route(WEBHOOK_PATH, telegram_webhook, methods=["POST"])


def telegram_limits(settings: Settings):
    """The outbox's limits for Telegram: TELEGRAM_OUTBOX_RATE a second, one a second per chat."""
    if settings.telegram_outbox_rate < 0:
        raise ConfigError("TELEGRAM_OUTBOX_RATE phải là số tin mỗi giây, không âm (ví dụ 25; 0 là không giới hạn).")
    return replace(TELEGRAM_LIMITS, per_second=settings.telegram_outbox_rate)
