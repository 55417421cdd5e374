"""The command line: every command has help; `ask --json` keeps its contract; the console chats."""
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

import bot
import clock
from channels.console import run_console
from handlers.assistant import Assistant
from storage.knowledge import reload_from_files

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_KNOWLEDGE = Path(__file__).parent / "fixtures" / "knowledge"
CONTRACT_KEYS = {"q", "status", "answer", "faq_id", "score", "source", "edition", "asked_edition", "suggestions",
                 "also_faq_id"}


def all_command_paths(parser, prefix=()):
    for action in parser._actions:
        if action.__class__.__name__ == "_SubParsersAction":
            for name, sub in action.choices.items():
                yield (*prefix, name)
                yield from all_command_paths(sub, (*prefix, name))


@pytest.mark.parametrize("path", list(all_command_paths(bot.build_parser())))
def test_every_command_has_help(path, capsys):
    with pytest.raises(SystemExit) as exc:
        bot.main([*path, "--help"])
    assert exc.value.code == 0
    assert "usage:" in capsys.readouterr().out


def test_every_command_has_a_description():
    parser = bot.build_parser()
    for action in parser._actions:
        if action.__class__.__name__ == "_SubParsersAction":
            for choice in action._choices_actions:
                assert choice.help, f"{choice.dest} lacks help"


def test_ask_json_reads_stdin_and_prints_one_object_a_line(env, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(
        "đại hội hợp lệ khi nào\nuy vien bao nhieu\ngiá vàng hôm nay\n"))
    # In the seed articles' world (2023–2028 in force): the test knowledge's edition.
    assert bot.main(["--db", str(env), "--now", "2023-03-01 09:00", "ask", "--json", "-"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["status"] for r in lines] == ["answered", "suggested", "not_found"]
    for r in lines:
        assert set(r) == CONTRACT_KEYS
    answered, suggested, missing = lines
    assert answered["faq_id"] == "thu-hop-le" and "2/3" in answered["answer"]
    assert answered["source"] and answered["edition"] == answered["asked_edition"] == "2023-2028"
    assert answered["suggestions"] == []
    assert suggested["answer"] is None and len(suggested["suggestions"]) >= 2
    assert set(suggested["suggestions"][0]) == {"faq_id", "question", "answer", "score"}
    assert missing["answer"] is None and missing["suggestions"] == []


def test_ask_plain_prints_answer_with_source(env, capsys):
    assert bot.main(["--db", str(env), "ask", "đại", "hội", "hợp", "lệ", "khi", "nào"]) == 0
    out = capsys.readouterr().out
    assert "2/3" in out and "Nguồn: Điều lệ CĐVN khóa XII" in out


def test_knowledge_export_json_has_every_phrasing(env, capsys):
    assert bot.main(["--db", str(env), "knowledge", "export", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["id"] for r in rows} == {"thu-hop-le", "thu-bch-co-so", "thu-bch-bo-phan", "thu-bch-khoa-xiii"}
    assert all(len(r["phrasings"]) == 4 for r in rows)


def test_knowledge_reload_twice_reports_no_change(env, capsys):
    assert bot.main(["--db", str(env), "knowledge", "reload"]) == 0
    assert bot.main(["--db", str(env), "knowledge", "reload"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "đã nạp lại" in out[0] and "không có thay đổi" in out[1]


def test_console_answers_picks_by_number_and_lists_topics_when_lost(db):
    reload_from_files(db, FIXTURE_KNOWLEDGE)
    stdin = io.StringIO("uy vien bao nhieu\n1\ngiá vàng hôm nay\nthoát\n")
    out = io.StringIO()
    run_console(Assistant(db), stdin, out)
    text = out.getvalue()
    assert "1. " in text and "Gõ số" in text
    assert "Nguồn:" in text
    assert "chưa có thông tin" in text and "Chủ đề thử nghiệm" in text


def test_the_terminal_chat_greets_with_the_edition_in_force_like_start(db):
    reload_from_files(db, FIXTURE_KNOWLEDGE)
    assistant = Assistant(db)
    out = io.StringIO()
    run_console(assistant, io.StringIO("thoát\n"), out)
    welcome = out.getvalue().split("\n(Gõ «thoát»")[0].strip()
    assert welcome == assistant.faq.welcome() and "{" not in welcome


def test_main_command_without_token_opens_the_terminal_chat(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "KNOWLEDGE_DIR": str(FIXTURE_KNOWLEDGE), "HOME": str(tmp_path),
           "TELEGRAM_BOT_TOKEN": "", "ZALO_BOT_TOKEN": ""}
    proc = subprocess.run([sys.executable, str(ROOT / "bot.py"), "--db", str(tmp_path / "r.db")],
                          input="đại hội hợp lệ khi nào\n", capture_output=True, text=True, env=env,
                          timeout=60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Xin chào" in proc.stdout and "2/3" in proc.stdout


def test_console_saves_a_calendar_file_it_cannot_send(db, tmp_path):
    from handlers.demo import create_demo
    create_demo(db, clock.now())  # registers the terminal user to a demo unit
    out = io.StringIO()
    run_console(Assistant(db), io.StringIO("/lich ics\n"), out, files_dir=tmp_path / "files")
    saved = list((tmp_path / "files").glob("*.ics"))
    assert len(saved) == 1 and saved[0].read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert f"Đã lưu tệp: {saved[0]}" in out.getvalue()
