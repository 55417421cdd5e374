"""The command line for units and reminders: --now, import, preview, run-once, units ics, demo, and the
terminal chat seeding demo data on an empty database."""
import subprocess
import sys
from pathlib import Path

import pytest
from icalendar import Calendar

import bot
import clock
import knowledge.plan as plan_module
from handlers import demo
from storage import open_db, outbox
from storage import units as store
from unit_fixtures import fixture_plans, local, real_clock  # noqa: F401

pytestmark = pytest.mark.usefixtures("fixture_plans", "real_clock")
ROOT = Path(__file__).resolve().parent.parent
FIXTURE_KNOWLEDGE = Path(__file__).parent / "fixtures" / "knowledge"
REAL_PLANS = ROOT / "knowledge" / "plans"

UNITS = ("Mã đơn vị,Tên đơn vị,Cấp,Ngày đại hội,Mã đăng ký\n"
         "CS1,Công đoàn Trường A,công đoàn cơ sở,15/03/2023,AAAA1111\n")
OFFICERS = "Mã đơn vị,Họ và tên,Kênh,ID\nCS1,Nguyễn Văn An,console,an\nCS1,Trần Bình,telegram,4242\n"


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.setenv("KNOWLEDGE_DIR", str(FIXTURE_KNOWLEDGE))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    monkeypatch.setenv("ZALO_BOT_TOKEN", "")
    db_path = tmp_path / "cli.db"

    def run(*args):
        return bot.main(["--db", str(db_path), *args])
    run.db_path = db_path
    run.tmp = tmp_path
    return run


def imported(cli):
    (cli.tmp / "units.csv").write_text(UNITS, encoding="utf-8")
    (cli.tmp / "officers.csv").write_text(OFFICERS, encoding="utf-8")
    assert cli("--now", "2023-03-01 09:00", "import", "units", str(cli.tmp / "units.csv")) == 0
    assert cli("--now", "2023-03-01 09:00", "import", "officers", str(cli.tmp / "officers.csv")) == 0


def test_run_once_with_now_sends_what_is_due_to_console_officers_once(cli, capsys):
    imported(cli)
    capsys.readouterr()
    assert cli("--now", "2023-03-08 08:00", "reminders", "run-once") == 0
    out = capsys.readouterr().out
    assert "Thời điểm: 08:00 ngày 08/03/2023" in out and "gửi tới an" in out and "còn 7 ngày" in out
    assert "Còn 1 tin chờ kênh telegram" in out
    assert cli("--now", "2023-03-08 08:10", "reminders", "run-once") == 0
    db = open_db(cli.db_path)
    assert len(outbox.deliveries(db, "console")) == 1
    assert clock.now() > local("2024-01-01 00:00")  # --now does not outlive the command


def test_run_once_with_all_channels_simulates_on_a_copy_and_marks_nothing_sent(cli, capsys):
    imported(cli)
    capsys.readouterr()
    assert cli("--now", "2023-03-08 08:00", "reminders", "run-once", "--all-channels") == 0
    out = capsys.readouterr().out
    assert "MÔ PHỎNG" in out and "gửi tới 4242" in out and "gửi tới an" in out   # every channel shown
    db = open_db(cli.db_path)
    assert outbox.deliveries(db) == [] and outbox.counts(db)["sent"] == 0      # the real database untouched
    db.conn.close()
    assert cli("--now", "2023-03-08 08:00", "reminders", "run-once") == 0     # the real run: console only
    db = open_db(cli.db_path)
    assert [r.status for r in outbox.rows(db, "channel = 'telegram'")] == ["pending"]   # left for the bot
    assert [r.status for r in outbox.rows(db, "channel = 'console'")] == ["sent"]


def test_preview_lists_who_gets_what_and_when(cli, capsys):
    imported(cli)
    capsys.readouterr()
    assert cli("--now", "2023-03-01 10:00", "reminders", "preview", "--to", "09/03/2023") == 0
    out = capsys.readouterr().out
    assert "Nhắc hạn từ 01/03/2023 đến 09/03/2023" in out
    assert "08:00  console:an (Nguyễn Văn An) — CS1 Công đoàn Trường A — Đại hội 15/03/2023 (trước 7 ngày)" in out
    assert "telegram:4242 (Trần Bình)" in out and "thứ Tư, 08/03/2023" in out


def test_preview_with_a_bad_date_says_so(cli, capsys):
    assert cli("reminders", "preview", "--from", "30/02/2023") == 1
    assert "không có thật" in capsys.readouterr().out


def test_import_of_a_bad_file_exits_1_and_changes_nothing(cli, capsys):
    bad = cli.tmp / "bad.csv"
    bad.write_text("Mã đơn vị,Tên đơn vị,Cấp,Ngày đại hội\nX1,Công đoàn X,cơ sở,32/01/2023\n", encoding="utf-8")
    assert cli("import", "units", str(bad)) == 1
    out = capsys.readouterr().out
    assert "Dòng 2: ngày «32/01/2023» không có thật" in out and "KHÔNG NHẬP GÌ" in out
    assert store.count_units(open_db(cli.db_path)) == 0


def test_units_ics_writes_a_calendar_file(cli, capsys):
    imported(cli)
    target = cli.tmp / "lich.ics"
    assert cli("units", "ics", "CS1", "-o", str(target)) == 0
    calendar = Calendar.from_ical(target.read_bytes())
    assert len(list(calendar.walk("VEVENT"))) == 1  # the test unit has no plan: its congress only


def test_set_date_replans_pending_reminders(cli, capsys):
    imported(cli)
    cli("--now", "2023-03-07 09:00", "reminders", "run-once")
    capsys.readouterr()
    assert cli("--now", "2023-03-07 10:00", "units", "set-date", "CS1", "22/03/2023") == 0
    assert "hủy 2" in capsys.readouterr().out
    db = open_db(cli.db_path)
    assert {r.status for r in outbox.rows(db) if "2023-03-15" in r.key} == {"cancelled"}


def test_bad_now_is_refused_in_vietnamese(cli, capsys):
    with pytest.raises(SystemExit) as exc:
        cli("--now", "hôm qua", "reminders", "preview")
    assert exc.value.code == 2 and "không đúng dạng" in capsys.readouterr().err


def test_demo_lays_the_plan_relative_to_today_and_can_be_removed(cli, capsys, monkeypatch):
    monkeypatch.setattr(plan_module, "PLANS_DIR", REAL_PLANS)  # the demo uses the real knowledge/plans
    assert cli("--now", "2023-06-01 09:00", "demo") == 0
    db = open_db(cli.db_path)
    first = store.get_unit(db, demo.CONSOLE_UNIT)
    assert first.congress_date == "2023-06-15" and first.is_demo
    assert store.count_units(db) == 14
    assert cli("demo", "--remove") == 0
    assert store.count_units(db) == 0


def test_terminal_chat_on_an_empty_database_comes_with_demo_data(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "KNOWLEDGE_DIR": str(FIXTURE_KNOWLEDGE), "HOME": str(tmp_path),
           "TELEGRAM_BOT_TOKEN": "", "ZALO_BOT_TOKEN": ""}
    proc = subprocess.run([sys.executable, str(ROOT / "bot.py"), "--db", str(tmp_path / "c.db"), "console"],
                          input="/hanchot\nbao giờ đại hội\n", capture_output=True, text=True, env=env,
                          timeout=60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Dữ liệu minh họa" in proc.stdout
    assert "Công đoàn bộ phận Khoa Cơ khí (minh họa)" in proc.stdout and "còn 14 ngày" in proc.stdout


def test_console_does_not_touch_real_units(cli, capsys):
    imported(cli)
    from handlers.demo import newcomer_demo
    assert newcomer_demo(open_db(cli.db_path), clock.now()) == ""
    assert store.count_units(open_db(cli.db_path), demo=True) == 0


def test_run_once_beside_a_live_bot_sends_nothing_and_says_who_sends(cli, capsys):
    import time
    from storage import lease
    imported(cli)
    db = open_db(cli.db_path)
    now = time.time()
    lease.take(db, lease.LeaseRow("other-host:77:live", 77, "other-host", "", "run", now, now + 60), now,
               lambda row: False)
    capsys.readouterr()
    assert cli("--now", "2023-03-08 08:00", "reminders", "run-once") == 0
    out = capsys.readouterr().out
    assert "Không gửi:" in out and "tiến trình 77 trên máy other-host" in out
    assert outbox.deliveries(db) == [] and outbox.counts(db)["sent"] == 0
