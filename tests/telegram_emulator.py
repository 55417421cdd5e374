"""Test harness: the `telegram-test-api` emulator (npm) behind a small fixing proxy, and a chat user.

    emulator (node, 127.0.0.1)  <-  BotApiProxy (thread, 127.0.0.1)  <-  the bot (python-telegram-bot)
          ^
          '-- ChatUser (the emulator's client API: send text, press buttons, read the bot's messages)

The emulator and python-telegram-bot 22 disagree in a few places; the proxy fixes them here, in the
tests, never in product code:
- getMe lacks `is_bot`                       -> added;
- message dates are in milliseconds          -> turned into seconds;
- callback queries lack `chat_instance`      -> added;
- `result: null` from edit/answer/setWebhook -> `true` (what Telegram answers);
- sent messages echo request parameters      -> those that are no Message fields are dropped;
- setMyCommands, sendDocument and sendPhoto are missing -> answered and recorded;
- an edit without reply_markup keeps the old keyboard -> an empty keyboard is sent (Telegram removes it);
- getUpdates answers at once                 -> held briefly (long polling) so the bot does not spin;
- webhooks are posted without the secret     -> setWebhook is pointed at the proxy, which forwards
  each update with X-Telegram-Bot-Api-Secret-Token as Telegram does;
- updates sent before setWebhook stay queued -> delivered to the webhook once it is set.
The proxy also records every Bot API call (method and parameters) for assertions, and can inject raw
updates the emulator cannot produce (edited messages, stickers…).
"""
from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
EMULATOR_PACKAGE = ROOT / "node_modules" / "telegram-test-api"
BOT_ID = 666                      # the emulator's getMe
BOT_USERNAME = "TestNameBot"
LONG_POLL_SECONDS = 1.0
WAIT_SECONDS = 15.0

_NODE_SCRIPT = """
const TelegramServer = require('telegram-test-api');
const server = new TelegramServer({port: Number(process.argv[1]), host: '127.0.0.1', storeTimeout: 3600});
server.start().then(() => console.log('ready'));
process.stdin.resume();
process.stdin.on('end', () => server.stop().then(() => process.exit(0)));
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_tokens = itertools.count(1)


def new_token() -> str:
    """A token shaped like a real one (so log redaction applies), unique per test."""
    return f"{7000000 + next(_tokens)}:TEST-{os.urandom(12).hex()}"


# -- the emulator ---------------------------------------------------------------------------------------
class Emulator:
    """`telegram-test-api` as a node process on a free 127.0.0.1 port."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            ["node", "-e", _NODE_SCRIPT, str(self.port)], cwd=ROOT, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        line = self.process.stdout.readline()
        if line.strip() != "ready":
            self.process.kill()
            raise RuntimeError(f"telegram-test-api did not start: {line}{self.process.stdout.read()}")

    def stop(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# -- the fixing proxy ----------------------------------------------------------------------------------
def _seconds(value):
    """Dates in milliseconds (the emulator's) become seconds, recursively."""
    if isinstance(value, dict):
        return {k: (v // 1000 if k in ("date", "edit_date") and isinstance(v, int) and v > 10**11
                    else _seconds(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_seconds(v) for v in value]
    return value


# The emulator echoes the request's parameters into the message it returns; these are not Message fields.
_REQUEST_ONLY = ("chat_id", "botToken", "link_preview_options", "reply_parameters", "parse_mode",
                 "disable_notification", "protect_content", "message_effect_id", "allow_sending_without_reply")


def _as_message(result: dict) -> dict:
    result = {k: v for k, v in result.items() if k not in _REQUEST_ONLY}
    if isinstance(result.get("reply_markup"), str):
        result["reply_markup"] = json.loads(result["reply_markup"])
    return result


def _fix_update(update: dict) -> dict:
    update = _seconds(update)
    query = update.get("callback_query")
    if query is not None:
        query.setdefault("chat_instance", str(query.get("message", {}).get("chat", {}).get("id", 0)))
    return update


def _parse_params(body: bytes, content_type: str) -> dict:
    """Form fields of a Bot API call, JSON values decoded (python-telegram-bot JSON-encodes them)."""
    if content_type.startswith("multipart/form-data"):
        params = {}
        for name, value in re.findall(rb'name="([^"]+)"(?:; filename="[^"]*")?\r\n(?:[^\r\n]+\r\n)*\r\n(.*?)\r\n--',
                                      body, re.S):
            params[name.decode()] = value.decode(errors="replace")
        names = re.findall(rb'filename="([^"]+)"', body)
        if names:
            params["_filename"] = names[0].decode()
        return params
    if content_type.startswith("application/json"):
        return json.loads(body or b"{}")
    params = {k: v[-1] for k, v in urllib.parse.parse_qs(body.decode(), keep_blank_values=True).items()}
    for key, value in params.items():
        if value[:1] in "[{":
            try:
                params[key] = json.loads(value)
            except ValueError:
                pass
    return params


@dataclass
class Call:
    token: str
    method: str
    params: dict


class BotApiProxy:
    """A Bot API endpoint for the bot: forwards to the emulator and fixes what python-telegram-bot rejects."""

    def __init__(self, emulator: Emulator):
        self.emulator = emulator
        self.calls: list[Call] = []
        self.webhooks: dict[str, dict] = {}
        self._injected: dict[str, list[dict]] = {}
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                proxy._handle(self)

            def do_POST(self):
                proxy._handle(self)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.base_url = f"{self.url}/bot"           # TELEGRAM_API_BASE_URL for the bot
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- for tests ----------------------------------------------------------------------------------
    def inject(self, token: str, update: dict) -> None:
        """Deliver a raw update on the bot's next getUpdates."""
        with self._lock:
            self._injected.setdefault(token, []).append(update)

    def calls_of(self, token: str, method: str) -> list[dict]:
        with self._lock:
            return [c.params for c in self.calls if c.token == token and c.method == method]

    # -- serving ------------------------------------------------------------------------------------
    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        path = urllib.parse.urlsplit(request.path).path
        hook = re.fullmatch(r"/_hook/(.+)", path)
        if hook:
            status, payload = self._forward_webhook(urllib.parse.unquote(hook[1]), body)
            return self._respond(request, status, payload)
        match = re.fullmatch(r"/bot([^/]+)/(\w+)", path)
        if not match:
            return self._respond(request, 404, {"ok": False, "error_code": 404, "description": "Not Found"})
        token, method = urllib.parse.unquote(match[1]), match[2]
        params = _parse_params(body, request.headers.get("Content-Type", ""))
        with self._lock:
            self.calls.append(Call(token, method, params))
        status, payload = self._bot_api(token, method, params, body, request.headers.get("Content-Type", ""))
        self._respond(request, status, payload)

    @staticmethod
    def _respond(request: BaseHTTPRequestHandler, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the bot gave up on a long poll (it is stopping)

    def _emulator(self, path: str, body: bytes, content_type: str) -> tuple[int, dict]:
        req = urllib.request.Request(self.emulator.url + path, data=body, method="POST",
                                     headers={"Content-Type": content_type or "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")
        except (urllib.error.URLError, ConnectionError, TimeoutError):  # the emulator is stopping
            return 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}

    def _bot_api(self, token: str, method: str, params: dict, body: bytes, ctype: str) -> tuple[int, dict]:
        path = f"/bot{urllib.parse.quote(token, safe=':')}/{method}"
        if method in ("setMyCommands", "deleteMyCommands"):
            return 200, {"ok": True, "result": True}
        if method == "sendDocument":
            return 200, {"ok": True, "result": {
                "message_id": 900000 + len(self.calls), "date": int(time.time()),
                "chat": {"id": int(params.get("chat_id", 0)), "type": "private"},
                "document": {"file_id": "doc", "file_unique_id": "doc",
                             "file_name": params.get("_filename", "")}}}
        if method == "sendPhoto":  # missing in the emulator too: answered and recorded
            return 200, {"ok": True, "result": {
                "message_id": 900000 + len(self.calls), "date": int(time.time()),
                "chat": {"id": int(params.get("chat_id", 0)), "type": "private"},
                "photo": [{"file_id": "photo", "file_unique_id": "photo", "width": 900, "height": 420}]}}
        if method == "setWebhook":
            self.webhooks[token] = {"url": params.get("url"), "secret": params.get("secret_token", "")}
            body = urllib.parse.urlencode({"url": f"{self.url}/_hook/{urllib.parse.quote(token)}"}).encode()
            ctype = "application/x-www-form-urlencoded"
        if method in ("editMessageText", "editMessageReplyMarkup") and "reply_markup" not in params:
            # Telegram removes the keyboard of a message edited without one; the emulator keeps it.
            body += b"&" + urllib.parse.urlencode({"reply_markup": '{"inline_keyboard": []}'}).encode()
        if method == "getUpdates":
            return self._long_poll(token, path, body, ctype, float(params.get("timeout") or 0))
        status, payload = self._emulator(path, body, ctype)
        if method == "setWebhook" and payload.get("ok"):
            threading.Thread(target=self._deliver_pending, args=(token,), daemon=True).start()
        if method == "getMe" and payload.get("ok"):
            payload["result"].update(is_bot=True, can_join_groups=True, can_read_all_group_messages=False,
                                     supports_inline_queries=False)
        if payload.get("ok") and payload.get("result") is None:
            payload["result"] = True
        if isinstance(payload.get("result"), dict):
            payload["result"] = _as_message(payload["result"])
        return status, _seconds(payload)

    def _long_poll(self, token: str, path: str, body: bytes, ctype: str, timeout: float) -> tuple[int, dict]:
        deadline = time.monotonic() + min(timeout, LONG_POLL_SECONDS)
        while True:
            status, payload = self._emulator(path, body, ctype)
            with self._lock:
                injected = self._injected.pop(token, [])
            updates = [_fix_update(u) for u in payload.get("result") or []] + injected
            if updates or status != 200 or time.monotonic() >= deadline:
                return status, {**payload, "result": updates}
            time.sleep(0.02)

    def _deliver_pending(self, token: str) -> None:
        """Updates that waited before the webhook was set go to it now (the emulator keeps them)."""
        path = f"/bot{urllib.parse.quote(token, safe=':')}/getUpdates"
        _, payload = self._emulator(path, b"{}", "application/json")
        for update in payload.get("result") or []:
            self._forward_webhook(token, json.dumps(update).encode())

    def _forward_webhook(self, token: str, body: bytes) -> tuple[int, dict]:
        """The emulator posts an update: forward it to the bot's webhook with the secret header."""
        hook = self.webhooks.get(token)
        if hook is None:
            return 200, {"ok": False}
        update = _fix_update(json.loads(body or b"{}"))
        try:
            resp = httpx.post(hook["url"], json=update, timeout=10,
                              headers={"X-Telegram-Bot-Api-Secret-Token": hook["secret"]})
            hook.setdefault("statuses", []).append(resp.status_code)
        except httpx.HTTPError as exc:
            hook.setdefault("statuses", []).append(repr(exc))
        return 200, {"ok": True}  # the emulator crashes on a non-2xx answer; the status is recorded


# -- the user side -------------------------------------------------------------------------------------
@dataclass
class BotMessage:
    message_id: int
    chat_id: int
    text: str
    buttons: list[list[dict]] = field(default_factory=list)
    params: dict = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        return [b["text"] for row in self.buttons for b in row]

    def button(self, label_part: str) -> dict:
        """The button whose label holds `label_part`; for a list numbered in the text (buttons carry only
        the numbers), the button of the item whose line holds it."""
        found = [b for row in self.buttons for b in row if label_part in b["text"]]
        if not found:
            numbers = [m[1] for m in re.finditer(r"^(\d+)\. (.+)$", self.text, flags=re.M) if label_part in m[2]]
            found = [b for row in self.buttons for b in row if numbers and b["text"] == numbers[0]]
        assert len(found) == 1, f"expected one button with {label_part!r} in {self.labels}"
        return found[0]


_message_ids = itertools.count(1)


class ChatUser:
    """A person writing to the bot through the emulator's client API."""

    def __init__(self, emulator: Emulator, token: str, user_id: int, chat_id: int | None = None,
                 chat_type: str = "private", first_name: str = "Lan"):
        self.emulator = emulator
        self.token = token
        self.user = {"id": user_id, "is_bot": False, "first_name": first_name, "username": f"user{user_id}"}
        self.chat = {"id": chat_id if chat_id is not None else user_id, "type": chat_type}
        if chat_type == "private":
            self.chat["first_name"] = first_name
        else:
            self.chat["title"] = "Nhóm cán bộ công đoàn"

    async def _post(self, path: str, data: dict) -> dict:
        async with httpx.AsyncClient(timeout=10) as client:
            resp = await client.post(self.emulator.url + path, json=data)
            resp.raise_for_status()
            return resp.json()

    def message(self, text: str | None = None, **extra) -> dict:
        """A raw Telegram message from this user; a leading /command gets its entity."""
        message = {"message_id": 800000 + next(_message_ids), "from": self.user, "chat": self.chat,
                   "date": int(time.time()), **extra}
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return message

    async def send(self, text: str | None = None, **extra) -> None:
        await self._post("/sendMessage", {"botToken": self.token, **self.message(text, **extra)})

    async def press(self, message: BotMessage, label_part: str) -> str:
        """Press the button whose label contains `label_part` under `message`; returns its data."""
        data = message.button(label_part)["callback_data"]
        bot_message = {"message_id": message.message_id, "date": int(time.time()), "chat": self.chat,
                       "text": message.text, "from": {"id": BOT_ID, "is_bot": True, "first_name": "Bot",
                                                      "username": BOT_USERNAME},
                       "reply_markup": {"inline_keyboard": message.buttons}}
        await self._post("/sendCallback", {"botToken": self.token, "from": self.user,
                                           "message": bot_message, "data": data})
        return data

    async def bot_messages(self) -> list[BotMessage]:
        """The bot's messages in this chat, oldest first, as they are now (edits applied)."""
        history = (await self._post("/getUpdatesHistory", {"token": self.token})).get("result") or []
        out = []
        for item in history:
            msg = item.get("message") or {}
            if "chat_id" not in msg or str(msg["chat_id"]) != str(self.chat["id"]):
                continue
            markup = msg.get("reply_markup") or {}
            if isinstance(markup, str):
                markup = json.loads(markup)
            out.append(BotMessage(item["messageId"], int(msg["chat_id"]), msg.get("text", ""),
                                  markup.get("inline_keyboard") or [], msg))
        return sorted(out, key=lambda m: m.message_id)

    async def wait_for(self, predicate, what: str, timeout: float = WAIT_SECONDS) -> list[BotMessage]:
        """Poll the emulator until `predicate(messages)` holds; fail with `what` after `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            messages = await self.bot_messages()
            if predicate(messages):
                return messages
            if time.monotonic() > deadline:
                texts = [m.text[:80] for m in messages]
                raise AssertionError(f"timed out waiting for {what}; bot messages: {texts}")
            await asyncio.sleep(0.05)

    async def wait_count(self, count: int, timeout: float = WAIT_SECONDS) -> list[BotMessage]:
        return await self.wait_for(lambda ms: len(ms) >= count, f"{count} bot message(s)", timeout)


# -- fixtures ------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def emulator():
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the Telegram end-to-end tests need the telegram-test-api emulator")
    if not EMULATOR_PACKAGE.exists():
        pytest.fail("telegram-test-api is missing: run `npm ci` in the project folder (./test.sh does it)")
    server = Emulator()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def bot_api(emulator):
    proxy = BotApiProxy(emulator)
    yield proxy
    proxy.stop()


# -- a bot with a small knowledge base of its own -----------------------------------------------------
SPECIAL = "_ * [ ] ( ) < > &"
CLEAR_QUESTION = "nhiệm kỳ công đoàn cơ sở mấy năm"
CLEAR_ANSWER = "Nhiệm kỳ đại hội công đoàn cơ sở là 5 năm."
AMBIGUOUS_QUESTION = "vấn đề chủ tịch"
LONG_QUESTION = "chuẩn bị văn kiện đại hội"
UNKNOWN_QUESTION = "giá vàng hôm nay"
TOPIC = "Thử nghiệm kênh Telegram"

_LONG_PARAGRAPH = ("Đoạn {n}: Ban chấp hành công đoàn cơ sở chuẩn bị văn kiện, nhân sự và chương trình đại "
                   "hội. Công đoàn cấp trên hướng dẫn, kiểm tra và duyệt hồ sơ trước khi đại hội diễn ra. ")
LONG_ANSWER = "\n\n".join((_LONG_PARAGRAPH.format(n=i) * 3).strip() for i in range(1, 21))  # ~10,000 chars


def _entry(entry_id: str, question: str, phrasings: list[str], answer: str, source: str) -> str:
    return (f'[[entry]]\nid = "{entry_id}"\nquestion = {json.dumps(question, ensure_ascii=False)}\n'
            f"phrasings = {json.dumps(phrasings, ensure_ascii=False)}\n"
            f'answer = """{answer}"""\nsource = {json.dumps(source, ensure_ascii=False)}\n'
            'edition = "chung"\nconfidence = "KC"\n\n')


KNOWLEDGE_TOML = f'topic = "{TOPIC}"\n\n' + "".join([
    _entry("nhiem-ky-cdcs", "Nhiệm kỳ đại hội công đoàn cơ sở là mấy năm?",
           ["nhiem ky dai hoi cong doan co so may nam", "CĐCS nhiệm kỳ bao lâu",
            "dai hoi cdcs bao nhieu nam mot lan", "Thời gian một nhiệm kỳ của công đoàn cơ sở"],
           CLEAR_ANSWER, "Điều lệ CĐVN khóa XII, Điều 10"),
    _entry("ky-hieu-dac-biet", "Ký hiệu đặc biệt trong biểu mẫu <phiếu bầu> & [mẫu] là gì?",
           ["ky hieu dac biet trong bieu mau", "biểu mẫu có ký hiệu đặc biệt", "ky hieu trong phieu bau la gi",
            "Ý nghĩa các ký hiệu đặc biệt trên biểu mẫu"],
           "Ghi đúng các ký hiệu: _gạch dưới_ *sao* [ngoặc vuông] (ngoặc tròn) <b>nhỏ hơn</b> & và.",
           "Biểu mẫu <số 1> & [phụ lục] (thử) *_*"),
    _entry("bau-chu-tich-tai-dai-hoi", "Bầu chủ tịch công đoàn cơ sở tại đại hội thế nào?",
           ["bau chu tich cong doan co so tai dai hoi", "đại hội bầu chủ tịch công đoàn cơ sở",
            "chu tich cdcs bau o dai hoi the nao", "Thủ tục đại hội bầu chủ tịch công đoàn cơ sở"],
           "Đại hội bầu trực tiếp chủ tịch khi được công đoàn cấp trên đồng ý.", "HD 03/HD-TLĐ, mục 9"),
    _entry("bau-chu-tich-tai-hoi-nghi", "Bầu chủ tịch công đoàn cơ sở tại hội nghị ban chấp hành thế nào?",
           ["bau chu tich cong doan co so tai hoi nghi ban chap hanh", "ban chấp hành bầu chủ tịch công đoàn cơ sở",
            "chu tich cdcs bau o hoi nghi bch the nao", "Thủ tục hội nghị ban chấp hành bầu chủ tịch"],
           "Ban chấp hành bầu chủ tịch tại hội nghị lần thứ nhất.", "HD 03/HD-TLĐ, mục 10"),
    _entry("chuan-bi-van-kien-day-du", "Chuẩn bị văn kiện đại hội gồm những bước nào (bản đầy đủ)?",
           ["chuan bi van kien dai hoi gom nhung buoc nao", "các bước chuẩn bị văn kiện",
            "van kien dai hoi chuan bi the nao", "Quy trình chuẩn bị văn kiện đại hội đầy đủ"],
           LONG_ANSWER, "Tài liệu tập huấn (thử)"),
])


def write_knowledge(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "thu-nghiem.toml").write_text(KNOWLEDGE_TOML, encoding="utf-8")
    return directory


@dataclass
class RunningBot:
    token: str
    settings: object
    assistant: object
    runtime: object

    @property
    def db(self):
        return self.assistant.db


@contextlib.asynccontextmanager
async def running_bot(bot_api: BotApiProxy, tmp_path: Path, customise=None, **settings):
    """The real channel runtime (channels.server.serve) in this event loop, until the block ends."""
    from channels.server import build_runtime, serve
    from handlers.assistant import Assistant
    from storage.knowledge import reload_from_files
    from settings import Settings
    from storage import open_db

    knowledge = write_knowledge(tmp_path / "knowledge")
    db = open_db(tmp_path / "bot.db")
    reload_from_files(db, knowledge)
    assistant = Assistant(db)
    if customise is not None:
        customise(assistant)
    token = new_token()
    settings.setdefault("webhook_port", free_port())   # /healthz listens in polling mode too
    config = Settings(db_path=tmp_path / "bot.db", knowledge_dir=knowledge, telegram_token=token,
                      telegram_api_base_url=bot_api.base_url, **settings)
    runtime = build_runtime(config, assistant)
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve(runtime, stop, ready=ready.set))
    waiter = asyncio.create_task(ready.wait())
    await asyncio.wait({task, waiter}, timeout=WAIT_SECONDS, return_when=asyncio.FIRST_COMPLETED)
    if not ready.is_set():
        waiter.cancel()
        stop.set()
        await task  # raises what went wrong
        raise AssertionError("the bot did not start in time")
    try:
        yield RunningBot(token, config, assistant, runtime)
    finally:
        stop.set()
        await asyncio.wait_for(task, WAIT_SECONDS)
        db.conn.close()
