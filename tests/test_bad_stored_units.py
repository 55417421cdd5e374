"""A unit stored with an unusable date before imports checked years (31/12/9999, text that is no date)
never stops the others: planning, preview, progress and follow-ups skip it and log it; the chat, `units
list/show/ics` and `/lich ics` say what is wrong instead of failing; its pending reminders are withdrawn
when it is re-planned and dropped at send time."""
import logging

import pytest

import bot
import clock
from handlers.assistant import Assistant
from scheduler import followups, progress, reminders
from scheduler.jobs import create_dispatcher
from storage import outbox
from unit_fixtures import Recorder, fixture_plans, local, make_officer, make_unit, msg, real_clock  # noqa: F401

pytestmark = pytest.mark.usefixtures("fixture_plans")
CREATED = "2023-03-07 09:00"


@pytest.fixture
def units(db):
    """GOOD holds its congress on 15/03/2023; BAD was stored with year 9999; officer 100 is in both."""
    make_unit(db, "BAD", "9999-12-31", now=local(CREATED))
    make_unit(db, "GOOD", "2023-03-15", now=local(CREATED))
    make_officer(db, "100", "BAD", "GOOD", now=local(CREATED))
    make_officer(db, "200", "GOOD", now=local(CREATED))
    return db


def store_date(db, code: str, text: str) -> None:
    """What an older version (or a hand edit) may have left in the database."""
    db.execute("UPDATE units SET congress_date = ? WHERE code = ?", (text, code))
    db.conn.commit()


@pytest.mark.parametrize("stored", ["9999-12-31", "1900-01-01", "31/12/2023"])
async def test_planning_skips_the_bad_unit_and_sends_the_others_reminders(units, caplog, stored):
    db = units
    store_date(db, "BAD", stored)
    now = local("2023-03-08 08:00")
    with caplog.at_level(logging.WARNING, logger="scheduler.reminders"):
        result = reminders.plan_due(db, now)
    assert result.skipped == ["BAD"] and "bỏ qua 1 đơn vị có dữ liệu lỗi (BAD)" in str(result)
    assert any("BAD" in r.getMessage() and stored in r.getMessage() for r in caplog.records)
    recorder = Recorder()
    dispatcher = create_dispatcher(db)
    dispatcher.register_sender("telegram", recorder)
    await dispatcher.sweep(now)
    assert sorted(c for c, _ in recorder.sent) == ["100", "200"]
    assert all("Công đoàn GOOD" in text and "còn 7 ngày" in text for _, text in recorder.sent)


def test_preview_lists_the_good_unit_and_names_the_skipped_one(units):
    skipped = []
    lines = reminders.preview(units, local("2023-03-01 00:00").date(), local("2023-03-31 00:00").date(), skipped)
    assert lines and {ln.unit.code for ln in lines} == {"GOOD"} and skipped == ["BAD"]


def test_replanning_the_bad_unit_withdraws_its_pending_reminders_and_send_time_drops_them(db):
    make_unit(db, "BAD", "2023-03-15", now=local(CREATED))
    make_officer(db, "100", "BAD", now=local(CREATED))
    reminders.plan_due(db, local("2023-03-07 09:00"))
    [key] = [r[0] for r in db.execute("SELECT key FROM outbox WHERE status = 'pending' AND kind = 'reminder'")]
    store_date(db, "BAD", "9999-12-31")  # planned while the date was good; the row went bad since
    assert reminders.render_row(db, outbox.get(db, key), local("2023-03-08 08:00")) is None
    result = reminders.replan_unit(db, "BAD", local("2023-03-07 10:00"))
    assert result.skipped == ["BAD"] and result.cancelled == 1 and result.planned == 0
    assert outbox.get(db, key).status == "cancelled"


def test_progress_and_follow_ups_count_the_bad_unit_without_a_date_and_never_late(units):
    db = units
    today = local("2023-06-01 09:00").date()
    items = {it.code: it for it in progress.unit_progress(db, today)}
    assert items["BAD"].state == "no_date" and items["BAD"].deadline is None
    assert items["GOOD"].state == "late"
    nudges, _ = followups.plan_followups(db, local("2023-06-01 09:00"))
    assert nudges == 2  # GOOD's two officers; nothing for BAD
    keys = [r[0] for r in db.execute("SELECT key FROM outbox WHERE kind = 'late_nudge'")]
    assert all(":GOOD:" in k for k in keys)


@pytest.mark.usefixtures("real_clock")
def test_the_officer_sees_the_good_unit_and_a_request_to_fix_the_bad_one(loaded_db):
    db = loaded_db
    make_unit(db, "BAD", "9999-12-31", now=local(CREATED))
    make_unit(db, "GOOD", "2023-03-15", now=local(CREATED))
    make_officer(db, "100", "BAD", "GOOD", now=local(CREATED))
    clock.set_now(local("2023-03-08 10:00"))
    assistant = Assistant(db)
    for text in ("/hanchot", "bao giờ đại hội", "/lich BAD", "/lich BAD ics"):
        reply = "\n".join(r.text for r in assistant.handle(msg(text, "100")))
        assert "Công đoàn BAD" in reply and "báo công đoàn cấp trên để sửa lại ngày đại hội" in reply, text
    hanchot = "\n".join(r.text for r in assistant.handle(msg("/hanchot", "100")))
    assert "thứ Tư, 15/03/2023" in hanchot and "còn 7 ngày" in hanchot
    [ics] = assistant.handle(msg("/lich GOOD ics", "100"))
    assert ics.document is not None


@pytest.fixture
def cli(tmp_path, monkeypatch, fixture_plans, real_clock):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    monkeypatch.setenv("ZALO_BOT_TOKEN", "")
    path = tmp_path / "cli.db"
    from storage import open_db
    db = open_db(path)
    make_unit(db, "BAD", "9999-12-31", now=local(CREATED))
    make_unit(db, "GOOD", "2023-03-15", now=local(CREATED))
    make_officer(db, "an", "BAD", "GOOD", channel="console", now=local(CREATED))
    db.conn.close()

    def run(*args):
        return bot.main(["--db", str(path), "--now", "2023-03-08 08:00", *args])
    run.tmp = tmp_path
    return run


def test_cli_lists_previews_and_sends_for_the_good_unit_and_says_how_to_fix_the_bad_one(cli, capsys):
    assert cli("units", "list") == 0
    out = capsys.readouterr().out
    assert "ngày lưu sai «9999-12-31»" in out and "15/03/2023" in out
    assert cli("reminders", "preview") == 0
    out = capsys.readouterr().out
    assert "GOOD" in out and "bỏ qua đơn vị BAD" in out and "units set-date BAD dd/mm/yyyy" in out
    assert cli("reminders", "run-once") == 0
    out = capsys.readouterr().out
    assert "gửi tới an" in out and "Công đoàn GOOD" in out and "bỏ qua 1 đơn vị có dữ liệu lỗi (BAD)" in out
    for args in (("units", "ics", "BAD", "-o", str(cli.tmp / "bad.ics")), ("units", "show", "BAD")):
        assert cli(*args) == 1
        out = capsys.readouterr().out
        assert "LỖI: đơn vị BAD: ngày đại hội lưu trong hệ thống «9999-12-31» có năm ngoài khoảng 2000–2100" in out
        assert "units set-date BAD dd/mm/yyyy" in out
    assert not (cli.tmp / "bad.ics").exists()
    assert cli("units", "ics", "GOOD", "-o", str(cli.tmp / "good.ics")) == 0
    assert (cli.tmp / "good.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert cli("units", "set-date", "BAD", "20/03/2023") == 0
    capsys.readouterr()
    assert cli("units", "show", "BAD") == 0
    assert "20/03/2023" in capsys.readouterr().out


def test_a_corrupt_plan_shift_is_skipped_like_a_bad_date(units, caplog):
    db = units
    db.execute("UPDATE units SET plan_shift_days = ? WHERE code = 'BAD'", (10 ** 9,))  # overflows a date
    store_date(db, "BAD", "2023-03-15")
    with caplog.at_level(logging.WARNING, logger="scheduler.reminders"):
        result = reminders.plan_due(db, local("2023-03-08 08:00"))
    assert result.skipped == ["BAD"] and result.planned == 2  # GOOD's two officers
