"""Zalo adapter on the Zalo Bot API: Zalo updates in, plain-text replies out.

Translation only. A Zalo update (webhook body or getUpdates result) becomes an `Incoming`; the assistant
decides; each `Reply` becomes one or more `sendMessage` texts. Zalo bots have no buttons, so choices are
numbered lines ("Trả lời 1, 2 hoặc 3 để chọn") and the assistant, which remembers what it offered to each
(channel, chat_id), turns a later "2" into the pick. Texts are cut at 2,000 characters.

Two ways in, one path after that:
    webhook   POST /zalo/webhook (`webhook_route`): the X-Bot-Api-Secret-Token header is compared in
              constant time (403 otherwise); the body may be wrapped ({"ok", "result": {...}}) or flat;
              the answer is 200 at once and the message is handled in a background task.
    polling   `ZaloChannel.poll` (development): getUpdates in a loop, one update per call.
Either way a message_id already taken in is dropped (table `zalo_seen_messages`, so also across
restarts), and images, stickers and "unsupported" events get a polite Vietnamese reply.

Going out, answers and the outbox alike: `ZaloChannel.send(chat_id, reply)` (channels/base.py) sends the
parts in order through the channel's one limiter and turns Zalo errors into the contract's (429 →
RetryableSendError with retry_after, so the dispatcher pauses the channel). An outbox row sent outside the
dispatcher keeps to ZALO_OUTBOX_RATE messages a second.

`ZaloChannel.join(runtime)` plugs all of this into channels/server.py's one-process runner. The admin functions
at the end back `python bot.py zalo set-webhook URL | webhook-info | delete-webhook | me`.
"""
from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable, Coroutine
from urllib.parse import urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

import clock
from channels.base import (Channel, ConfigError, OutcomeUnknownError, RecipientBlockedError, ReplyLimits,
                           RetryableSendError, SendError)
from channels.render import split_text
from channels.zalo_client import (POLL_TIMEOUT, TEXT_LIMIT, ZaloApiError, ZaloClient, ZaloError,
                                  ZaloNetworkError, ZaloRateLimited, ZaloUnauthorized)
from datefmt import moment
from handlers import texts
from handlers.assistant import Assistant
from handlers.intake import safe_text
from handlers.messages import Incoming, Reply
from scheduler.ratelimit import SLOT, ChannelLimits, RateLimiter, SlotState, Throttle
from storage import zalo as seen
from storage.bots import remember_bot_name

log = logging.getLogger(__name__)

CHANNEL = "zalo"
WEBHOOK_PATH = "/zalo/webhook"
SECRET_HEADER = "X-Bot-Api-Secret-Token"
TEXT_EVENT = "message.text.received"
DEFAULT_OUTBOX_RATE = 1.0          # messages a second for reminders and broadcasts (Zalo publishes none)
DEFAULT_SEND_RATE = 20.0           # every message a second, replies first (a guess: no quota is published)
REPLY_MAX_WAIT = 120.0             # a reply waits out 429s for at most this long, then is given up
SEEN_KEEP = timedelta(days=7)      # how long a message_id is remembered for de-duplication

# Zalo-only phrasing (the neutral texts live in handlers/texts.py).
IMAGE_REPLY = ("Tôi đã nhận được ảnh, nhưng tôi chỉ đọc được tin nhắn chữ. Anh/chị vui lòng gõ câu hỏi "
               "bằng chữ, ví dụ «đại hội hợp lệ khi nào?».")
STICKER_REPLY = ("Cảm ơn anh/chị! Tôi chỉ hiểu tin nhắn chữ: anh/chị cứ gõ câu hỏi về đại hội công đoàn, "
                 "ví dụ «bầu chủ tịch công đoàn cơ sở thế nào?».")
UNSUPPORTED_REPLY = ("Xin lỗi, tôi chưa đọc được loại tin nhắn này. Anh/chị vui lòng gõ câu hỏi bằng chữ, "
                     "ví dụ «nhiệm kỳ đại hội công đoàn cơ sở mấy năm?».")
DOCUMENT_NOTE = ("📎 Tệp «{filename}» chưa gửi được qua Zalo. Anh/chị dùng trợ lý trên Telegram "
                 "để nhận tệp này.")
DOCUMENT_INSTEAD = ("📎 Zalo chưa gửi được tệp «{filename}», nên nội dung của tệp được gửi dạng chữ dưới "
                    "đây. Muốn nhận tệp (để thêm vào lịch điện thoại), anh/chị dùng trợ lý trên Telegram.")
EVENT_REPLIES = {
    "message.image.received": IMAGE_REPLY,
    "message.sticker.received": STICKER_REPLY,
    "message.unsupported.received": UNSUPPORTED_REPLY,
}


# -- updates --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ZaloUpdate:
    """The parts of a Zalo update the assistant needs."""
    event: str
    message_id: str
    chat_id: str
    user_id: str
    user_name: str
    text: str
    is_group: bool
    from_bot: bool

    @property
    def is_text(self) -> bool:
        return self.event == TEXT_EVENT or (not self.event and bool(self.text))

    def incoming(self) -> Incoming:
        return Incoming(CHANNEL, self.chat_id, self.user_id or self.chat_id, self.text, self.user_name,
                        self.is_group)


def _str(value: Any) -> str:
    """A field as text, made safe to store and log where it enters (handlers/intake.py)."""
    return safe_text(str(value)).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""


def parse_update(body: Any) -> ZaloUpdate | None:
    """A webhook body or getUpdates result, wrapped ({"ok", "result"}) or flat; None when it carries no
    message from a chat (unknown shapes are tolerated, not errors)."""
    if not isinstance(body, dict):
        return None
    if isinstance(body.get("result"), dict):
        body = body["result"]
    message = body.get("message")
    if not isinstance(message, dict):
        return None
    chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
    sender = message.get("from") if isinstance(message.get("from"), dict) else {}
    chat_id = _str(chat.get("id")) or _str(sender.get("id"))
    if not chat_id:
        return None
    text = message.get("text")
    return ZaloUpdate(
        event=_str(body.get("event_name")),
        message_id=_str(message.get("message_id")),
        chat_id=chat_id,
        user_id=_str(sender.get("id")),
        user_name=_str(sender.get("display_name")),
        text=safe_text(text) if isinstance(text, str) else "",
        is_group=_str(chat.get("chat_type")).upper() == "GROUP",
        from_bot=sender.get("is_bot") is True,
    )


def verify_secret(given: str | None, expected: str) -> bool:
    """Constant-time comparison of the X-Bot-Api-Secret-Token header with the configured secret."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


# -- rendering ------------------------------------------------------------------------------------------
def pick_hint(count: int) -> str:
    if count == 1:
        return "Trả lời 1 để chọn."
    if count <= 3:
        numbers = ", ".join(str(i) for i in range(1, count))
        return f"Trả lời {numbers} hoặc {count} để chọn."
    return f"Trả lời một số từ 1 đến {count} để chọn."


def render(reply: Reply) -> str:
    """The reply as one plain text: text and source, numbered choices and how to pick, a file note.
    A file Zalo cannot send is replaced by its text form when the reply has one (one coherent message,
    not "open the file" followed by "the file could not be sent")."""
    if reply.document is not None and reply.document_fallback:
        note = DOCUMENT_INSTEAD.format(filename=reply.document.filename)
        return f"{note}\n\n{reply.document_fallback}"
    text = reply.full_text()
    if reply.choices:
        lines = [f"{i}. {choice.label}" for i, choice in enumerate(reply.choices, start=1)]
        text = f"{text}\n\n" + "\n".join(lines) + f"\n\n{pick_hint(len(reply.choices))}"
    if reply.document is not None:
        text = f"{text}\n\n{DOCUMENT_NOTE.format(filename=reply.document.filename)}"
    return text


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def message_parts(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Parts of at most `limit` characters, cut at paragraph, line or sentence ends. Zalo does not say
    whether it counts code points or UTF-16 units, so parts fit under both counts."""
    size = limit
    while True:
        parts = split_text(text, size) or ["…"]
        if all(_utf16_len(p) <= limit for p in parts):
            return parts
        size = max(1, int(size * 0.9))


# -- the channel ------------------------------------------------------------------------------------------
def zalo_limits(outbox_rate: float, send_rate: float = DEFAULT_SEND_RATE) -> ChannelLimits:
    """Zalo's limits for replies and the outbox: Zalo publishes no quota, so the outbox keeps to
    ZALO_OUTBOX_RATE, everything together to `send_rate`, and 429s are honoured as they come."""
    return ChannelLimits(per_second=outbox_rate, per_chat_interval=0.0, max_in_flight=8,
                         channel_per_second=send_rate)


class ZaloChannel(Channel):
    """Connects a `ZaloClient` to the assistant (channels/base.py's contract)."""
    name = CHANNEL
    label = "Zalo"
    spellings = ("za lo",)
    limits = ReplyLimits(text_limit=TEXT_LIMIT, buttons=False, files=False, edits=False)

    def __init__(self, assistant: Assistant, client: ZaloClient, *, outbox_rate: float = DEFAULT_OUTBOX_RATE,
                 throttle: Throttle | None = None):
        self.assistant = assistant
        self.db = assistant.db
        self.client = client
        self.outbox_limiter = RateLimiter(outbox_rate)   # direct outbox callers (the dispatcher paces itself)
        # One limiter for every message to Zalo, shared with the dispatcher (channels/server.py).
        self.throttle = throttle or Throttle(zalo_limits(outbox_rate), clock=client.monotonic)
        self._tasks: set[asyncio.Task] = set()
        self._chat_locks: dict[str, asyncio.Lock] = {}
        self._seen_inserts = 0
        self.polling = False
        self.secret = ""   # ZALO_WEBHOOK_SECRET once built from the settings: webhook mode

    # -- the channel contract ---------------------------------------------------------------------
    @classmethod
    def configured(cls, settings: Any) -> bool:
        return bool(settings.zalo_token)

    @classmethod
    def from_settings(cls, assistant: Assistant, settings: Any) -> ZaloChannel:
        """Webhook mode when ZALO_WEBHOOK_SECRET is set (8–256 characters), else polling; ZALO_OUTBOX_RATE
        for the outbox."""
        secret = settings.zalo_webhook_secret
        if secret and not 8 <= len(secret) <= 256:
            raise ConfigError("ZALO_WEBHOOK_SECRET phải dài từ 8 đến 256 ký tự.")
        rate = settings.zalo_outbox_rate
        if rate < 0:
            raise ConfigError("ZALO_OUTBOX_RATE phải là một số không âm (số tin mỗi giây, ví dụ 1 hoặc 0.5).")
        try:
            client = ZaloClient(settings.zalo_token, settings.zalo_api_base_url)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        channel = cls(assistant, client, outbox_rate=rate)
        channel.secret = secret
        return channel

    @property
    def webhook_path(self) -> str | None:
        return WEBHOOK_PATH if self.secret else None

    def join(self, runtime: Any) -> None:
        """Start: getMe (the token works), then getWebhookInfo to catch a mode mismatch early; the webhook
        route or the polling task; a health probe; the outbox sender and the shared throttle."""
        webhook = bool(self.secret)
        state: dict[str, Any] = {"started": False}

        async def start() -> None:
            try:
                me = await self.client.get_me()
                info = await self.client.get_webhook_info()
            except ZaloUnauthorized:
                await self.client.close()
                raise ConfigError("Zalo từ chối ZALO_BOT_TOKEN (mã 401). Kiểm tra lại token trong Zalo Bot "
                                  "Creator.") from None
            except ZaloError as exc:
                await self.client.close()
                raise ConfigError(f"Không kết nối được Zalo Bot API ({exc}). Kiểm tra ZALO_API_BASE_URL và "
                                  "kết nối mạng.") from None
            hooked = bool(isinstance(info, dict) and info.get("url"))
            if not webhook and hooked:
                await self.client.close()
                raise ConfigError("Bot Zalo đang đặt webhook nên không nhận tin bằng getUpdates. Đặt "
                                  "ZALO_WEBHOOK_SECRET để chạy bằng webhook, hoặc chạy "
                                  "`python bot.py zalo delete-webhook` để chạy kiểu polling.")
            if webhook and not hooked:
                log.warning("Zalo: no webhook is set; run `python bot.py zalo set-webhook https://…/zalo/webhook`")
            log.info("Zalo bot %s ready (%s)", (me or {}).get("account_name", "?"),
                     "webhook" if webhook else "polling")
            remember_bot_name(self.db, CHANNEL, str((me or {}).get("account_name") or ""))
            if not webhook:
                state["poll"] = asyncio.create_task(self.poll(), name="zalo-poll")
            state["started"] = True

        async def stop() -> None:
            state["started"] = False
            task = state.get("poll")
            if task is not None:
                task.cancel()
                try:
                    await task
                except (asyncio.CancelledError, Exception):  # noqa: BLE001
                    pass
            if not await self.wait_idle(timeout=10):
                log.warning("Zalo: replies still being sent at shutdown were abandoned")
            await self.client.close()

        def healthy() -> bool:
            if not state["started"]:
                return False
            task = state.get("poll")
            return task is None or not task.done()

        runtime.add_step(start, stop)
        if webhook:
            runtime.routes.append(webhook_route(self, self.secret))
        runtime.health[CHANNEL] = healthy
        runtime.extras["zalo_channel"] = self
        self.join_outbox(runtime)   # replies and the outbox share one throttle

    async def close(self) -> None:
        await self.client.close()

    # -- taking updates in ------------------------------------------------------------------------
    def receive(self, body: Any) -> str:
        """Take one update in and schedule its handling; returns "queued", "duplicate" or "ignored".
        Called on the event loop; returns at once (the reply is sent by a background task)."""
        update = parse_update(body)
        if update is None or update.from_bot:
            return "ignored"
        if update.message_id and not self._first_sighting(update):
            log.info("Zalo message %s delivered again; dropped", update.message_id)
            return "duplicate"
        self._spawn(self.handle(update))
        return "queued"

    def _first_sighting(self, update: ZaloUpdate) -> bool:
        now = self.assistant.clock()   # the one clock, as the assistant stamps messages
        first = seen.first_sighting(self.db, update.message_id, update.chat_id, now)
        if first:
            self._seen_inserts += 1
            if self._seen_inserts % 500 == 1:
                seen.forget_seen_before(self.db, now - SEEN_KEEP)
        return first

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait for the background handling of received updates; False if `timeout` passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._tasks:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return False
            await asyncio.wait(set(self._tasks), timeout=left)
        return True

    async def handle(self, update: ZaloUpdate) -> None:
        """Answer one update: text goes to the assistant, anything else gets a polite reply."""
        try:
            if update.is_text:
                # On the loop's thread, before any await: updates reach the assistant in arrival order
                # and every database call stays on one thread (see channels/telegram.py).
                replies: list[Reply] = self.assistant.handle(update.incoming())
            else:
                replies = [Reply(EVENT_REPLIES.get(update.event, UNSUPPORTED_REPLY), kind="info")]
            async with self._chat_lock(update.chat_id):
                await self.answer(update.chat_id, replies)
        except SendError as exc:
            log.warning("Zalo: could not answer message %s in chat %s: %s",
                        update.message_id, update.chat_id, exc)
        except Exception:  # noqa: BLE001 - log first, then apologise; the channel keeps running
            log.exception("Zalo: error while handling message %s (event %s)", update.message_id, update.event)
            try:
                await self.answer(update.chat_id, [Reply(texts.ERROR, kind="error")])
            except SendError as exc:
                log.warning("Zalo: could not send the apology to chat %s: %s", update.chat_id, exc)

    def _chat_lock(self, chat_id: str) -> asyncio.Lock:
        """One sender at a time per chat, so the parts of two answers never interleave."""
        if len(self._chat_locks) > 1000:
            self._chat_locks = {k: v for k, v in self._chat_locks.items() if v.locked()}
        return self._chat_locks.setdefault(chat_id, asyncio.Lock())

    # -- sending ----------------------------------------------------------------------------------
    async def send(self, chat_id: str, reply: Reply | str, **extra: Any) -> None:
        """The channel's one sender, for answers and the outbox (channels/base.py): the reply as one or
        more texts, in order, within the channel's limits. An outbox row sent outside the dispatcher
        keeps to the outbox rate here (the dispatcher paces its own). A 429 on a later part is waited
        out (the earlier parts are delivered, so the row must not be retried from the start)."""
        parts = message_parts(render(reply) if isinstance(reply, Reply) else str(reply))
        held = SLOT.get()
        if held is None or held.chat != str(chat_id):
            await self.outbox_limiter.wait()
        async with self.sending(chat_id) as slot:
            for i, part in enumerate(parts):
                await self._send_translated(slot, i, part)

    async def _send_translated(self, slot: SlotState, i: int, part: str) -> None:
        """Zalo's errors as the contract's: 429 (only when not waited out) and 5xx retryable, blocked, or
        unknown when the request was written and no answer came."""
        try:
            await self._send_part(slot, part)
        except ZaloRateLimited as exc:
            raise RetryableSendError(str(exc), retry_after=exc.retry_after) from None
        except ZaloUnauthorized as exc:
            log.error("Zalo refused the bot token (401): check ZALO_BOT_TOKEN; outbox paused")
            raise RetryableSendError(str(exc), retry_after=600) from None
        except ZaloApiError as exc:
            if is_blocked(exc):
                raise RecipientBlockedError(str(exc)) from None
            if exc.retryable:
                raise RetryableSendError(str(exc)) from None
            raise SendError(str(exc)) from None
        except ZaloNetworkError as exc:
            if exc.may_have_arrived or i > 0:  # written, no answer; or earlier parts already went
                raise OutcomeUnknownError(str(exc)) from None
            raise RetryableSendError(str(exc)) from None

    async def _send_part(self, slot: SlotState, text: str) -> None:
        """One sendMessage within a slot. A 429 pauses the channel and is tried again (it delivered
        nothing) — except the first request of an outbox row, which goes back to the dispatcher."""
        deadline = time.monotonic() + REPLY_MAX_WAIT
        while True:
            await self.throttle.next_part(slot)
            try:
                await self.client.call("sendMessage", {"chat_id": slot.chat, "text": text}, max_429_retries=0)
            except ZaloRateLimited as exc:
                self.throttle.answered(slot.chat)
                wait = exc.retry_after if exc.retry_after is not None else 1.0
                self.throttle.pause(wait)
                if (slot.sent == 0 and not slot.retry_first) or time.monotonic() + wait > deadline:
                    raise
                log.warning("Zalo 429 for chat %s: waiting %.1f s, then sending again", slot.chat, wait)
                continue
            self.throttle.answered(slot.chat)
            slot.sent += 1
            return

    # -- polling (development) --------------------------------------------------------------------
    async def poll(self, stop: asyncio.Event | None = None, timeout: int = POLL_TIMEOUT,
                   max_backoff: float = 60.0) -> None:
        """getUpdates in a loop (one update per call) until `stop` is set or the task is cancelled.
        Errors back off exponentially; a refused token ends polling."""
        stop = stop or asyncio.Event()
        failures = 0
        self.polling = True
        try:
            while not stop.is_set():
                try:
                    updates = await self.client.get_updates(timeout)
                except ZaloUnauthorized:
                    log.error("Zalo refused the bot token (401): polling stopped; check ZALO_BOT_TOKEN")
                    return
                except ZaloError as exc:
                    failures += 1
                    delay = min(max_backoff, 2 ** min(failures, 10))
                    if isinstance(exc, ZaloApiError) and exc.error_code == 400:
                        log.error("Zalo getUpdates refused (400): is a webhook set? Polling only works "
                                  "without one: python bot.py zalo delete-webhook")
                    else:
                        log.warning("Zalo getUpdates failed (%s); retrying in %.0f s", exc, delay)
                    try:
                        await asyncio.wait_for(stop.wait(), timeout=delay)
                    except asyncio.TimeoutError:
                        pass
                    continue
                failures = 0
                for body in updates:
                    self.receive(body)
        finally:
            self.polling = False


def is_blocked(exc: ZaloApiError) -> bool:
    """Whether an error means the recipient cannot be reached any more. Zalo documents no code for a
    user who blocked the bot; 404 (chat or user not found) and an explicit "block" are taken as such."""
    description = exc.description.lower()
    return exc.error_code == 404 or "block" in description or "chặn" in description


# -- the web route ----------------------------------------------------------------------------------------
def webhook_route(channel: ZaloChannel, secret: str) -> Route:
    """POST /zalo/webhook: 403 without the right secret, 400 for a body that is not JSON, else 200 at
    once (the message is handled in the background; repeats and unknown events are acknowledged too,
    so Zalo does not retry them)."""

    async def zalo_webhook(request: Request) -> Response:
        if not verify_secret(request.headers.get(SECRET_HEADER), secret):
            return PlainTextResponse("forbidden", status_code=403)
        try:
            body = await request.json()
        except Exception:  # noqa: BLE001 - any malformed body is the sender's problem
            return PlainTextResponse("bad request", status_code=400)
        outcome = channel.receive(body)
        return JSONResponse({"ok": True, "outcome": outcome})

    return Route(WEBHOOK_PATH, zalo_webhook, methods=["POST"])


# -- admin (python bot.py zalo …) -----------------------------------------------------------------------
def webhook_url(url: str) -> str:
    """The public webhook address: https, a bare host gets /zalo/webhook. Plain http is accepted only
    for a loopback address (a local test server)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"«{url}» không phải địa chỉ web (ví dụ https://ten-mien.vn/zalo/webhook).")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError("Zalo chỉ gửi webhook tới địa chỉ https://.")
    if parts.path in ("", "/"):
        parts = parts._replace(path=WEBHOOK_PATH)
    return urlunsplit(parts)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _when(ms: Any) -> str:
    if not isinstance(ms, (int, float)) or ms <= 0:
        return "không rõ"
    return moment(datetime.fromtimestamp(ms / 1000, tz=clock.LOCAL_TZ))


async def _admin(settings: Any, action: Callable[[ZaloClient], Awaitable[str]]) -> tuple[int, str]:
    if not settings.zalo_token:
        return 2, "Chưa đặt ZALO_BOT_TOKEN (trong môi trường hoặc tệp .env)."
    try:
        async with ZaloClient(settings.zalo_token, settings.zalo_api_base_url) as client:
            return 0, await action(client)
    except ValueError as exc:
        return 2, str(exc)
    except ZaloUnauthorized:
        return 1, "Zalo từ chối ZALO_BOT_TOKEN (mã 401). Kiểm tra lại token trong Zalo Bot Creator."
    except ZaloError as exc:
        return 1, f"Zalo báo lỗi: {exc}"


def admin_set_webhook(settings: Any, url: str) -> tuple[int, str]:
    """setWebhook(url, ZALO_WEBHOOK_SECRET); (exit code, Vietnamese message)."""
    secret = settings.zalo_webhook_secret
    if not 8 <= len(secret) <= 256:
        return 2, ("Đặt ZALO_WEBHOOK_SECRET (8–256 ký tự, ví dụ một chuỗi ngẫu nhiên dài) trước khi đặt "
                   "webhook; máy chủ dùng nó để kiểm tra mọi tin Zalo gửi tới.")
    try:
        target = webhook_url(url)
    except ValueError as exc:
        return 2, str(exc)

    async def action(client: ZaloClient) -> str:
        result = await client.set_webhook(target, secret)
        return f"Đã đặt webhook Zalo: {(result or {}).get('url') or target}"
    return asyncio.run(_admin(settings, action))


def admin_webhook_info(settings: Any) -> tuple[int, str]:
    async def action(client: ZaloClient) -> str:
        info = await client.get_webhook_info() or {}
        if not info.get("url"):
            return "Chưa đặt webhook Zalo (bot nhận tin bằng getUpdates/polling)."
        return f"Webhook Zalo: {info['url']} (cập nhật lúc {_when(info.get('updated_at'))})"
    return asyncio.run(_admin(settings, action))


def admin_delete_webhook(settings: Any) -> tuple[int, str]:
    async def action(client: ZaloClient) -> str:
        await client.delete_webhook()
        return "Đã xóa webhook Zalo; bot có thể nhận tin bằng polling (python bot.py run không đặt ZALO_WEBHOOK_SECRET)."
    return asyncio.run(_admin(settings, action))


def admin_me(settings: Any) -> tuple[int, str]:
    async def action(client: ZaloClient) -> str:
        me = await client.get_me() or {}
        return (f"Bot Zalo: {me.get('account_name', '?')} (id {me.get('id', '?')}, loại "
                f"{me.get('account_type', '?')}); token hợp lệ.")
    return asyncio.run(_admin(settings, action))
