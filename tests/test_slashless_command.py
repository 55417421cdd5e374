"""Registration typed without the slash ("dangky CODE", as printed on paper or typed in Zalo) reaches /dangky."""
from pathlib import Path

import pytest

from handlers.assistant import Assistant
from handlers.messages import Incoming, Reply
from storage.knowledge import reload_from_files

FIXTURE_KNOWLEDGE = Path(__file__).parent / "fixtures" / "knowledge"


@pytest.fixture
def bot_with_dangky(db):
    reload_from_files(db, FIXTURE_KNOWLEDGE)
    bot = Assistant(db)
    calls: list[str] = []

    def dangky(msg: Incoming, args: str) -> list[Reply]:
        calls.append(args)
        return [Reply(f"registered {args}", kind="info")]

    bot.add_command("dangky", dangky, "Đăng ký đơn vị: /dangky <mã>")  # in place of the real one
    return bot, calls


def say(bot, text):
    return bot.handle(Incoming("zalo", "z1", "z1", text))


@pytest.mark.parametrize("text, code", [
    ("dangky AB12CD34", "AB12CD34"),
    ("DangKy ab12cd34", "ab12cd34"),
    ("đăng ký AB12CD34", "AB12CD34"),
    ("dang ky QWERTYUP", "QWERTYUP"),
    ("  dangky   X7Y8Z9  ", "X7Y8Z9"),
    ("/dangky AB12CD34", "AB12CD34"),
])
def test_registration_words_without_slash_reach_the_command(bot_with_dangky, text, code):
    bot, calls = bot_with_dangky
    [reply] = say(bot, text)
    assert calls == [code]
    assert reply.text == f"registered {code}"


@pytest.mark.parametrize("text", [
    "đăng ký đại biểu thế nào",
    "đăng ký online",
    "thủ tục đăng ký",
    "dangky",
])
def test_questions_about_registering_stay_questions(bot_with_dangky, text):
    bot, calls = bot_with_dangky
    say(bot, text)
    assert calls == []

