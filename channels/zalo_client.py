"""A thin async client for the Zalo Bot API: `<base>/bot<TOKEN>/<method>`, POST with a JSON body.

No Zalo SDK (see ../shared/zalo-bot-api.md §3 for why). Seven methods: getMe, sendMessage,
sendChatAction, getUpdates, setWebhook, deleteWebhook, getWebhookInfo.

Success means an HTTP 2xx status AND `{"ok": true}` in the body: the docs do not say whether errors come
as HTTP statuses or as HTTP 200 with `ok: false`, so both are checked. Failures raise typed errors that
carry `error_code` (the body's, or else the HTTP status):

    ZaloError                 base; `.retryable` says whether a later try may succeed
      ZaloApiError            the API answered and said no
        ZaloUnauthorized      401: the token is wrong or was reset
        ZaloRateLimited       429: quota exceeded; `.retry_after` seconds
        ZaloTimeout           408: on getUpdates this only means "no update" (get_updates returns [])
      ZaloNetworkError        no usable answer (connection, timeout, unreadable body): a send may or
                              may not have arrived, so callers must not blindly resend

Backoff on 429: the whole client pauses (every call waits) for `retry_after`, or an exponential delay
when Zalo gives none. Calls are retried after the pause up to `max_429_retries` times: a 429 means the
request was refused, so the retry cannot duplicate a message. A pause longer than `backoff_max` is not
waited out in the call: the call raises ZaloRateLimited at once (the outbox reschedules; a live reply is
dropped rather than held for minutes). Other errors are never retried here.

The token is part of every URL. This module never logs a URL, errors never carry one, and a filter on
the `httpx`/`httpcore` loggers redacts the token should their level be lowered to INFO or DEBUG.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Awaitable, Callable

import httpx

from channels.http_outcome import may_have_arrived
from logging_setup import RedactSecrets

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://bot-api.zaloplatforms.com"
TEXT_LIMIT = 2000            # sendMessage: 1–2000 characters
POLL_TIMEOUT = 30            # seconds getUpdates waits for an update (Zalo's default)


class ZaloError(Exception):
    """A Zalo Bot API call failed. `str()` never contains the token or a URL."""
    retryable = False

    def __init__(self, method: str, description: str = "", error_code: int | None = None,
                 status: int | None = None, retry_after: float | None = None):
        self.method = method
        self.description = description
        self.error_code = error_code
        self.status = status
        self.retry_after = retry_after
        code = f" {error_code}" if error_code is not None else ""
        super().__init__(f"Zalo {method}{code}: {description or 'lỗi không rõ'}")


class ZaloApiError(ZaloError):
    """The API answered with an error (ok: false, or an HTTP error status)."""

    @property
    def retryable(self) -> bool:  # type: ignore[override]
        # 403 is documented as "Internal server error"; 408 is a timeout on Zalo's side.
        code = self.error_code or 0
        return code in (403, 408, 429) or code >= 500 or (self.status or 0) >= 500


class ZaloUnauthorized(ZaloApiError):
    """401: the token is invalid or was reset in Zalo Bot Creator."""

    @property
    def retryable(self) -> bool:  # type: ignore[override]
        return False


class ZaloRateLimited(ZaloApiError):
    """429: quota exceeded. `retry_after` is how long to wait (seconds)."""


class ZaloTimeout(ZaloApiError):
    """408: Zalo timed out; from getUpdates it means "no update in the waiting time"."""


class ZaloNetworkError(ZaloError):
    """No usable answer: connection refused or reset, timeout, or a body that is not JSON.
    `may_have_arrived`: the request was written completely (a read time-out, an unreadable answer), so
    a send may have been delivered; False when it failed before that (nothing was delivered)."""
    retryable = True

    def __init__(self, method: str, description: str = "", *, may_have_arrived: bool = True, **kwargs: Any):
        super().__init__(method, description, **kwargs)
        self.may_have_arrived = may_have_arrived


def _error_class(code: int | None) -> type[ZaloApiError]:
    return {401: ZaloUnauthorized, 429: ZaloRateLimited, 408: ZaloTimeout}.get(code or 0, ZaloApiError)


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


class _HttpxTokenFilter(logging.Filter):
    """Redacts every registered token from records of the httpx/httpcore loggers (URLs carry it)."""

    def __init__(self) -> None:
        super().__init__()
        self.redactor = RedactSecrets([])

    def add(self, secret: str) -> None:
        if len(secret) >= 4 and secret not in self.redactor.secrets:
            self.redactor.secrets.append(secret)

    def filter(self, record: logging.LogRecord) -> bool:
        return self.redactor.filter(record)


_HTTPX_FILTER = _HttpxTokenFilter()
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).addFilter(_HTTPX_FILTER)


class ZaloClient:
    """One shared `httpx.AsyncClient` (connections are reused). Use `async with` or call `close()`."""

    def __init__(self, token: str, base_url: str = "", *, timeout: float = 15.0, max_429_retries: int = 2,
                 backoff_base: float = 1.0, backoff_max: float = 60.0,
                 transport: httpx.AsyncBaseTransport | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 monotonic: Callable[[], float] = time.monotonic):
        token = token.strip()
        if not token or any(c.isspace() or c in "/?#" for c in token):
            raise ValueError("ZALO_BOT_TOKEN trống hoặc không đúng dạng (ví dụ 123456789:abc-xyz).")
        _HTTPX_FILTER.add(token)
        base = (base_url or DEFAULT_BASE_URL).strip().rstrip("/")
        if base.endswith("/bot"):
            base = base[:-len("/bot")]
        self._prefix = f"{base}/bot{token}/"
        self.timeout = timeout
        self.max_429_retries = max_429_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._sleep, self._monotonic = sleep, monotonic
        self.monotonic = monotonic   # the clock its pauses are measured on (shared with the channel's limiter)
        self._paused_until = 0.0  # monotonic() before which no call is made (after a 429)
        self._http = httpx.AsyncClient(transport=transport, timeout=timeout,
                                       headers={"User-Agent": "tro-ly-dai-hoi-cong-doan"})

    async def __aenter__(self) -> "ZaloClient":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._http.aclose()

    # -- the methods ----------------------------------------------------------------------------
    async def get_me(self) -> dict:
        return await self.call("getMe")

    async def send_message(self, chat_id: str, text: str) -> dict:
        """Send plain text (1–2000 characters; longer texts must be split by the caller)."""
        if not 1 <= len(text) <= TEXT_LIMIT:
            raise ValueError(f"text must have 1–{TEXT_LIMIT} characters, got {len(text)}")
        return await self.call("sendMessage", {"chat_id": str(chat_id), "text": text})

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> Any:
        return await self.call("sendChatAction", {"chat_id": str(chat_id), "action": action})

    async def get_updates(self, timeout: int = POLL_TIMEOUT) -> list[dict]:
        """At most one update (Zalo returns a single object, not a list); [] when none came in time."""
        try:
            result = await self.call("getUpdates", {"timeout": str(timeout)}, http_timeout=timeout + 15)
        except ZaloTimeout:
            return []
        if isinstance(result, dict) and result:
            return [result]
        if isinstance(result, list):  # tolerated, should Zalo ever batch them
            return [u for u in result if isinstance(u, dict)]
        return []

    async def set_webhook(self, url: str, secret_token: str) -> dict:
        if not 8 <= len(secret_token) <= 256:
            raise ValueError("secret_token must have 8–256 characters")
        return await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> dict:
        return await self.call("deleteWebhook")

    async def get_webhook_info(self) -> dict:
        return await self.call("getWebhookInfo")

    # -- transport --------------------------------------------------------------------------------
    @property
    def paused_for(self) -> float:
        """Seconds left in the pause that follows a 429 (0 when none)."""
        return max(0.0, self._paused_until - self._monotonic())

    def _backoff(self, attempt: int) -> float:
        return min(self.backoff_max, self.backoff_base * (2 ** attempt))

    async def call(self, method: str, payload: dict | None = None, *, http_timeout: float | None = None,
                   max_429_retries: int | None = None) -> Any:
        """POST `payload` as JSON to `method`; the `result` on success, else a typed `ZaloError`."""
        retries = self.max_429_retries if max_429_retries is None else max_429_retries
        attempt = 0
        while True:
            wait = self.paused_for
            if wait > self.backoff_max:  # a long pause ordered by Zalo: fail fast, do not hold the caller
                raise ZaloRateLimited(method, "tạm dừng do vượt hạn mức", error_code=429, retry_after=wait)
            if wait > 0:
                await self._sleep(wait)
            try:
                return await self._call_once(method, payload or {}, http_timeout)
            except ZaloRateLimited as exc:
                delay = exc.retry_after if exc.retry_after is not None else self._backoff(attempt)
                exc.retry_after = delay
                self._paused_until = max(self._paused_until, self._monotonic() + delay)
                log.warning("Zalo %s: 429 quota exceeded, pausing %.1f s (try %d of %d)",
                            method, delay, attempt + 1, retries + 1)
                if attempt >= retries or delay > self.backoff_max:
                    raise
                attempt += 1

    async def _call_once(self, method: str, payload: dict, http_timeout: float | None) -> Any:
        try:
            response = await self._http.post(self._prefix + method, json=payload,
                                             timeout=http_timeout or self.timeout)
        except httpx.TimeoutException as exc:
            raise ZaloNetworkError(method, "hết thời gian chờ phản hồi",
                                   may_have_arrived=may_have_arrived(exc)) from None
        except httpx.HTTPError as exc:
            raise ZaloNetworkError(method, f"lỗi kết nối ({type(exc).__name__})",
                                   may_have_arrived=may_have_arrived(exc)) from None
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            if status >= 400:
                raise _error_class(status)(method, f"HTTP {status}", error_code=status, status=status,
                                           retry_after=_number(response.headers.get("Retry-After")))
            raise ZaloNetworkError(method, f"phản hồi không đọc được (HTTP {status})", status=status)
        if 200 <= status < 300 and body.get("ok") is True:
            return body.get("result")
        code = body.get("error_code")
        code = code if isinstance(code, int) else (status if status >= 400 else None)
        parameters = body.get("parameters") if isinstance(body.get("parameters"), dict) else {}
        retry_after = (_number(parameters.get("retry_after")) or _number(body.get("retry_after"))
                       or _number(response.headers.get("Retry-After")))
        description = str(body.get("description") or body.get("message") or f"HTTP {status}")[:300]
        raise _error_class(code)(method, description, error_code=code, status=status, retry_after=retry_after)
