"""One input path (handlers/intake.py): `bot.py ask`, `ask --json -` and the chat clean and limit text the
same way; a batch read from stdin refuses a bad line with its number and goes on; odd Unicode is made
harmless where it enters."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

import bot
from handlers import texts
from handlers.assistant import Assistant
from handlers.intake import MAX_LINE_BYTES, MAX_QUESTION_CHARS, read_lines, safe_json, take_question
from handlers.messages import Incoming
from knowledge.normalize import clean_input, safe_text
from storage.knowledge import reload_from_files

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_KNOWLEDGE = Path(__file__).parent / "fixtures" / "knowledge"
QUESTION = "đại hội hợp lệ khi nào"


def ask_json(env, monkeypatch, capsys, data: bytes) -> list[dict]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    assert bot.main(["--db", str(env), "--now", "2023-03-01 09:00", "ask", "--json", "-"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_a_batch_refuses_bad_lines_by_number_and_answers_the_rest(env, monkeypatch, capsys):
    lines = [QUESTION.encode(),
             b"d\xe1i h\xff\xfei",                               # not UTF-8
             b"",                                                # empty
             "  \x00\u200b\u202e\t ".encode(),                   # empty once cleaned
             ("đại hội " * 200).encode(),                        # 1,600 characters
             b"x" * (MAX_LINE_BYTES * 3),                        # never held whole
             f"{QUESTION}\r".encode()]                           # a CRLF line
    records = ask_json(env, monkeypatch, capsys, b"\n".join(lines) + b"\n")
    assert len(records) == 7
    first, bad_utf8, empty, blank, long, huge, crlf = records
    assert first["status"] == "answered" and first["q"] == QUESTION
    assert bad_utf8 == {"line": 2, "error": texts.NOT_UTF8}
    assert empty == {"line": 3, "error": texts.EMPTY} and blank == {"line": 4, "error": texts.EMPTY}
    assert long == {"line": 5, "error": texts.TOO_LONG.format(length=1599, limit=MAX_QUESTION_CHARS)}
    assert huge == {"line": 6, "error": texts.TOO_LONG.format(length=MAX_LINE_BYTES * 3, limit=MAX_QUESTION_CHARS)}
    assert crlf["status"] == "answered" and crlf["q"] == QUESTION


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01\u200b\u2066", "đại hội " * 130,
                                  f"  {QUESTION}\u202e\x1b[31m  "])
def test_the_command_line_refuses_and_cleans_exactly_as_the_chat_does(env, monkeypatch, capsys, db, text):
    reload_from_files(db, FIXTURE_KNOWLEDGE)
    [chat] = Assistant(db).handle(Incoming("telegram", "1", "1", text))
    [record] = ask_json(env, monkeypatch, capsys, text.encode() + b"\n")
    if chat.kind == "error":
        assert record == {"line": 1, "error": chat.text}
    else:
        assert record["q"] == clean_input(text) and record["answer"] == chat.text


def test_a_question_argument_goes_through_the_same_check(env, capsys):
    # argv bytes that are not UTF-8 reach Python as lone surrogates ("surrogateescape")
    assert bot.main(["--db", str(env), "ask", "--json", "đại hội\udcff hợp lệ khi nào"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["status"] == "answered" and record["q"] == "đại hội hợp lệ khi nào"
    assert bot.main(["--db", str(env), "ask", "--json", " \x00 "]) == 0
    assert json.loads(capsys.readouterr().out) == {"error": texts.EMPTY}
    assert bot.main(["--db", str(env), "ask", "a" * 1200]) == 0
    assert texts.TOO_LONG.format(length=1200, limit=MAX_QUESTION_CHARS) in capsys.readouterr().out


def test_plain_batch_from_a_real_pipe_prints_the_reason_and_goes_on(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "KNOWLEDGE_DIR": str(FIXTURE_KNOWLEDGE), "HOME": str(tmp_path),
           "TELEGRAM_BOT_TOKEN": "", "ZALO_BOT_TOKEN": "", "PYTHONIOENCODING": "utf-8"}
    data = b"\xc3\x28 bad\r\n" + QUESTION.encode() + b"\r\n"
    proc = subprocess.run([sys.executable, str(ROOT / "bot.py"), "--db", str(tmp_path / "p.db"), "ask", "-"],
                          input=data, capture_output=True, env=env, timeout=60, cwd=tmp_path)
    out = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr.decode()
    assert out.index(texts.NOT_UTF8) < out.index("2/3") and out.count("---") == 2


def test_read_lines_counts_lines_and_strips_line_ends():
    lines = list(read_lines(io.BytesIO(b"a\r\nb\n\xff\nc")))
    assert [(x.number, x.text, x.error) for x in lines] == [
        (1, "a", ""), (2, "b", ""), (3, "", texts.NOT_UTF8), (4, "c", "")]


def test_odd_unicode_is_made_harmless_where_text_enters():
    odd = "A\ud800B\x00C\u202eD\u2067E\ufeffF\U000e0041G\r\nH\tI"
    safe = safe_text(odd)
    safe.encode("utf-8")   # storable and loggable: would raise on the lone surrogate
    assert safe == "A B C D E F G\nH\tI"
    assert take_question(odd).text == "A B C D E F G H I"
    decoded = json.loads('{"t\\ud800": ["x\\udfff", {"n": "\\ud83d"}], "ok": 1}')
    assert safe_json(decoded) == {"t\ufffd": ["x\ufffd", {"n": "\ufffd"}], "ok": 1}
    assert safe_json("😀\ud800") == "😀\ufffd"   # a real surrogate pair is kept


def test_a_lone_surrogate_that_reaches_a_log_line_is_still_written(monkeypatch):
    import logging
    from logging_setup import RedactSecrets
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict", write_through=True)
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecrets([]))
    monkeypatch.setattr(handler, "handleError", lambda record: pytest.fail("the log line was lost"))
    logger = logging.getLogger("tests.intake.surrogates")
    logger.addHandler(handler)
    try:
        logger.warning("chat %s wrote %s", "c\ud800", "t\udfff")
    finally:
        logger.removeHandler(handler)
    assert stream.buffer.getvalue().decode() == "chat c\ufffd wrote t\ufffd\n"


def test_the_terminal_chat_reads_past_a_line_that_is_not_utf8(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "KNOWLEDGE_DIR": str(FIXTURE_KNOWLEDGE), "HOME": str(tmp_path),
           "TELEGRAM_BOT_TOKEN": "", "ZALO_BOT_TOKEN": "", "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run([sys.executable, str(ROOT / "bot.py"), "--db", str(tmp_path / "c.db"), "console"],
                          input=b"\xff\xfe\n" + QUESTION.encode() + b"\n", capture_output=True, env=env,
                          timeout=60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()
    assert "2/3" in proc.stdout.decode()
