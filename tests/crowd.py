"""A crowd writing to the bot at once, through the real runner (channels/server.py) in webhook mode:
Telegram updates POSTed to /telegram/webhook (answers go to the flood-limited fake Bot API), Zalo
updates pushed to /zalo/webhook (answers go to the fake Zalo). Used by tests/test_reply_limits.py and
bench/burst.py; written against the runner's public parts only, so the bench can also drive an older
checkout of the product.

Each officer sends one message: a question (one answer expected) or `/start CODE` (welcome and joined:
two). An officer is *answered* when every expected message came and none is the apology, *apologised*
when the apology came, *lost* otherwise (by `deadline`). Time to answer: from the post to the last part.
"""
from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

QUESTION = "Đại hội hợp lệ khi có bao nhiêu người dự?"
ANSWER_START = "Đại hội hợp lệ khi có ít nhất 2/3"
INVITE = "CROWD2023"
TG_TOKEN = "7500001:CROWD-telegram-0123456789abcdef"
TG_SECRET = "crowd-telegram-secret-0123456789"
FIXTURE_KNOWLEDGE = Path(__file__).parent / "fixtures" / "knowledge"


@dataclass
class Officer:
    chat: str
    text: str
    expected: int
    posted: float = 0.0


@dataclass
class Outcome:
    answered: int = 0
    apologised: int = 0
    lost: int = 0
    times: list[float] = field(default_factory=list)
    out_of_order: int = 0
    limit_429s: int = 0      # requests the fake refused for a limit (or sent during its pause)

    def percentile(self, share: float) -> float | None:
        if not self.times:
            return None
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def officers(n: int, start: int = 300000, registrations: float = 0.5, seed: int = 7) -> list[Officer]:
    rng = random.Random(seed)
    crowd = []
    for i in range(n):
        join = rng.random() < registrations
        crowd.append(Officer(str(start + i), f"/start {INVITE}" if join else QUESTION, 2 if join else 1))
    return crowd


def prepare_db(path: Path) -> None:
    """The knowledge and one unit whose invite code the crowd scans."""
    import clock
    from storage.knowledge import reload_from_files
    from storage import open_db
    from storage import units as unit_store
    from storage.transactions import immediate
    db = open_db(path)
    reload_from_files(db, FIXTURE_KNOWLEDGE)
    with immediate(db):
        unit_store.save_unit(db, dict(code="CS-CROWD", name="Công đoàn Trường Tập Huấn", level="cong_doan_co_so",
                                      parent_code=None, congress_date="2030-05-20", plan_id=None,
                                      invite_code=INVITE), clock.now())
    db.conn.close()


def telegram_update(update_id: int, chat: str, text: str) -> dict:
    user = {"id": int(chat), "is_bot": False, "first_name": "Cán bộ", "language_code": "vi"}
    message = {"message_id": update_id, "date": int(time.time()), "text": text, "from": user,
               "chat": {"id": int(chat), "type": "private", "first_name": "Cán bộ"}}
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}


async def post_spread(crowd: list[Officer], within: float, post) -> None:
    """Start each officer's post at an even spread over `within` seconds."""
    async def one(i: int, officer: Officer) -> None:
        await asyncio.sleep(within * i / max(1, len(crowd)))
        officer.posted = time.monotonic()
        await post(i, officer)
    await asyncio.gather(*(one(i, o) for i, o in enumerate(crowd)))


def judge(crowd: list[Officer], received: dict[str, list[tuple[str, float]]], apology: str) -> Outcome:
    outcome = Outcome()
    for officer in crowd:
        got = received.get(officer.chat, [])
        texts = [t for t, _ in got]
        if apology in texts:
            outcome.apologised += 1
        elif len(got) >= officer.expected:
            outcome.answered += 1
            outcome.times.append(got[officer.expected - 1][1] - officer.posted)
            if officer.expected == 1 and not texts[0].startswith(ANSWER_START):
                outcome.out_of_order += 1
        else:
            outcome.lost += 1
    return outcome


async def _wait_all(crowd: list[Officer], received_now, deadline: float) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        got = received_now()
        if all(len(got.get(o.chat, [])) >= o.expected for o in crowd):
            await asyncio.sleep(1.5)   # late extra messages (an apology after a part) still count
            return
        await asyncio.sleep(0.1)


async def run_telegram(tmp: Path, crowd: list[Officer], within: float = 2.0, deadline: float = 60.0,
                       **api_options) -> Outcome:
    from handlers import texts
    from settings import Settings
    from tests.fake_bot_api import FakeBotApi, free_port
    from tests.zalo_fake import finish, start
    prepare_db(tmp / "tg.db")
    port = free_port()
    with FakeBotApi(**{"global_per_second": 30, "chat_interval": 1.0, "retry_after": 1, **api_options}) as api:
        settings = Settings(db_path=tmp / "tg.db", knowledge_dir=FIXTURE_KNOWLEDGE, telegram_token=TG_TOKEN,
                            telegram_api_base_url=api.base_url, telegram_webhook_url=f"http://127.0.0.1:{port}",
                            telegram_webhook_secret=TG_SECRET, webhook_host="127.0.0.1", webhook_port=port)
        running = await start(settings)
        try:
            async with httpx.AsyncClient(timeout=30) as client:
                async def post(i: int, officer: Officer) -> None:
                    await client.post(f"http://127.0.0.1:{port}/telegram/webhook",
                                      json=telegram_update(1000 + i, officer.chat, officer.text),
                                      headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET})
                await post_spread(crowd, within, post)

            def received_now() -> dict[str, list[tuple[str, float]]]:
                got: dict[str, list[tuple[str, float]]] = {}
                for chat, text, t in list(api.deliveries):
                    got.setdefault(chat, []).append((text, t))
                return got
            await _wait_all(crowd, received_now, deadline)
            outcome = judge(crowd, received_now(), texts.ERROR)
            outcome.limit_429s = api.limit_429s + api.requests_during_pause
            outcome.api = api
            return outcome
        finally:
            await finish(running)


async def run_zalo(tmp: Path, crowd: list[Officer], within: float = 2.0, deadline: float = 60.0,
                   per_second: int = 20) -> Outcome:
    from handlers import texts
    from tests.zalo_fake import SECRET, finish, running_fake, start, text_update, zalo_settings
    prepare_db(tmp / "bot.db")
    async with running_fake(per_second=per_second, retry_after=1.0) as fake:
        running = await start(zalo_settings(tmp, fake))
        try:
            url = f"{running.base}/zalo/webhook"
            async with httpx.AsyncClient(timeout=30) as client:
                async def post(i: int, officer: Officer) -> None:
                    await client.post(url, json=text_update(officer.text, chat_id=officer.chat),
                                      headers={"X-Bot-Api-Secret-Token": SECRET})
                await post_spread(crowd, within, post)

            def received_now() -> dict[str, list[tuple[str, float]]]:
                got: dict[str, list[tuple[str, float]]] = {}
                for m, t in zip(list(fake.sent), list(fake.sent_at)):
                    got.setdefault(m["chat_id"], []).append((m["text"], t))
                return got
            await _wait_all(crowd, received_now, deadline)
            outcome = judge(crowd, received_now(), texts.ERROR)
            outcome.limit_429s = fake.limit_429s
            return outcome
        finally:
            await finish(running)
