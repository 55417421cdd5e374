"""Reminders: planned at 08:00 Hà Nội time, sent exactly once (also across restarts), held back at night,
re-planned when a date moves, skipped for officers who opted out; late after downtime or dropped."""
import logging
from datetime import timezone

import pytest

import clock
from handlers import reminder_settings
from scheduler import reminders
from scheduler.jobs import create_dispatcher
from scheduler.outbox import in_quiet_hours
from storage import open_db
from storage import outbox
from storage import units as store
from storage.transactions import immediate
from unit_fixtures import Recorder, claim_without_attempt, fixture_plans, local, make_officer, make_unit, msg  # noqa: F401

pytestmark = pytest.mark.usefixtures("fixture_plans")

CREATED = "2023-03-07 09:00"   # units and officers exist from here on; congress on 15/03/2023


@pytest.fixture
def unit(db):
    u = make_unit(db, "CS1", "2023-03-15", now=local(CREATED))
    make_officer(db, "100", "CS1", now=local(CREATED))
    make_officer(db, "200", "CS1", now=local(CREATED))
    return u


async def plan_and_send(db, when: str, recorder: Recorder):
    now = local(when)
    dispatcher = create_dispatcher(db)
    dispatcher.register_sender("telegram", recorder)
    planned = reminders.plan_due(db, now)
    sent = await dispatcher.sweep(now)
    return planned, sent


def test_reminders_fall_at_eight_in_the_morning_hanoi_time_one_hour_after_midnight_utc(db, unit):
    due = reminders.unit_reminders(unit.schedule(), store.plan_of(db, unit, reminders.plans()))
    congress = [r for r in due if r.item.is_congress and not r.is_report]
    assert [clock.to_local(r.due_at).strftime("%d/%m %H:%M") for r in congress] == [
        "13/02 08:00", "01/03 08:00", "08/03 08:00", "12/03 08:00", "14/03 08:00"]
    assert all(r.due_at.astimezone(timezone.utc).strftime("%H:%M") == "01:00" for r in due)


def test_half_past_midnight_in_hanoi_is_the_previous_day_in_utc():
    moment = local("2023-03-01 00:30")
    assert moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M") == "2023-02-28 17:30"
    assert clock.local_date(moment).isoformat() == "2023-03-01"
    assert in_quiet_hours(moment)  # 17:30 UTC would look like daytime to a UTC clock


async def test_due_reminder_is_sent_to_every_officer_at_eight_with_what_when_days_left_and_topics(db, unit):
    recorder = Recorder()
    await plan_and_send(db, "2023-03-07 09:00", recorder)
    assert recorder.sent == []  # nothing due yet
    planned, sent = await plan_and_send(db, "2023-03-08 08:00", recorder)
    assert sent.sent == 2 and sorted(c for c, _ in recorder.sent) == ["100", "200"]
    text = recorder.to("100")[0]
    assert "Công đoàn CS1" in text and "Đại hội" in text
    assert "thứ Tư, 15/03/2023" in text and "còn 7 ngày" in text
    assert "Danh sách đại biểu" in text                       # what to prepare
    assert "«đại hội hợp lệ khi nào»" in text                 # what to ask about
    assert "Theo: Kế hoạch thử nghiệm." in text and "Dữ liệu minh họa" in text  # an example plan says so
    assert "/nhacnho tat" in text


async def test_each_reminder_is_sent_once_across_a_simulated_restart(tmp_path, fixture_plans):
    path = tmp_path / "restart.db"
    db = open_db(path)
    make_unit(db, "CS1", "2023-03-15", now=local(CREATED))
    make_officer(db, "100", "CS1", now=local(CREATED))
    recorder = Recorder()
    await plan_and_send(db, "2023-03-08 08:00", recorder)
    assert len(recorder.sent) == 1
    db.conn.close()

    db = open_db(path)  # the process restarts: new connection, new dispatcher, jobs run again
    dispatcher = create_dispatcher(db)
    assert dispatcher.recover_interrupted(local("2023-03-08 08:01")) == 0
    await plan_and_send(db, "2023-03-08 08:01", recorder)
    await plan_and_send(db, "2023-03-08 08:30", recorder)
    assert len(recorder.sent) == 1
    assert outbox.counts(db)["sent"] == 1


async def test_row_claimed_when_the_process_died_is_not_sent_again_after_restart(tmp_path, fixture_plans):
    path = tmp_path / "crash.db"
    db = open_db(path)
    make_unit(db, "CS1", "2023-03-15", now=local(CREATED))
    make_officer(db, "100", "CS1", now=local(CREATED))
    now = local("2023-03-08 08:00")
    reminders.plan_due(db, now)
    claimed = claim_without_attempt(db, now, "telegram")  # then the process dies
    assert len(claimed) == 1
    db.conn.close()

    db = open_db(path)
    dispatcher = create_dispatcher(db)
    recorder = Recorder()
    dispatcher.register_sender("telegram", recorder)
    assert dispatcher.recover_interrupted(now) == 1
    await dispatcher.sweep(local("2023-03-08 08:05"))
    assert recorder.sent == []
    row = outbox.get(db, claimed[0].key)
    assert row.status == "failed" and "không gửi lại" in row.last_error


async def test_nothing_goes_out_during_quiet_hours_and_a_late_reminder_waits_for_seven(db, unit):
    recorder = Recorder()
    await plan_and_send(db, "2023-03-07 09:00", recorder)
    # Down from 07/03 09:30 until 22:30 on 08/03: the 08:00 reminder was missed.
    await plan_and_send(db, "2023-03-08 22:30", recorder)
    await plan_and_send(db, "2023-03-09 00:30", recorder)
    await plan_and_send(db, "2023-03-09 06:59", recorder)
    assert recorder.sent == []
    await plan_and_send(db, "2023-03-09 07:00", recorder)
    assert len(recorder.to("100")) == 1
    assert "còn 6 ngày" in recorder.to("100")[0]  # the text says the real days left when sent


async def test_officer_who_opted_out_gets_nothing_and_gets_reminders_again_after_opting_in(db, unit):
    recorder = Recorder()
    await plan_and_send(db, "2023-03-07 09:00", recorder)  # tomorrow's reminder is planned for both
    reminder_settings.set_reminders(db, msg("/nhacnho tat", "100"), "tat", local("2023-03-07 10:00"))
    await plan_and_send(db, "2023-03-08 08:00", recorder)
    assert recorder.to("100") == [] and len(recorder.to("200")) == 1
    reminder_settings.set_reminders(db, msg("/nhacnho bat", "100"), "bật", local("2023-03-08 09:00"))
    await plan_and_send(db, "2023-03-12 08:00", recorder)
    assert len(recorder.to("100")) == 1 and "còn 3 ngày" in recorder.to("100")[0]


async def test_changing_the_congress_date_cancels_pending_reminders_and_plans_new_ones(db, unit):
    recorder = Recorder()
    await plan_and_send(db, "2023-03-07 09:00", recorder)
    old_keys = {r.key for r in outbox.rows(db, "status = 'pending'")}
    assert old_keys  # the 08/03 reminder for 15/03 is waiting
    now = local("2023-03-07 10:00")
    with immediate(db):
        assert store.save_unit(db, {"code": "CS1", "congress_date": "2023-03-23"}, now) == "rescheduled"
        result = reminders.replan_unit(db, "CS1", now)
    assert result.cancelled == len(old_keys)
    assert {r.status for r in outbox.rows(db) if r.key in old_keys} == {"cancelled"}
    await plan_and_send(db, "2023-03-08 08:00", recorder)
    assert recorder.sent == []  # the old 7-days-before reminder is gone
    await plan_and_send(db, "2023-03-09 08:00", recorder)
    texts = recorder.to("100")
    assert len(texts) == 1 and "23/03/2023" in texts[0] and "còn 14 ngày" in texts[0]
    assert all("15/03/2023" not in text for _, text in recorder.sent)


async def test_after_downtime_only_the_latest_missed_reminder_goes_out_late_and_passed_ones_are_dropped(
        db, caplog):
    make_unit(db, "CS1", "2023-03-15", now=local("2023-02-20 09:00"))
    make_officer(db, "100", "CS1", now=local("2023-02-20 09:00"))
    recorder = Recorder()
    await plan_and_send(db, "2023-02-20 09:00", recorder)
    with caplog.at_level(logging.INFO):
        planned, sent = await plan_and_send(db, "2023-03-13 10:00", recorder)  # down for three weeks
    texts = recorder.to("100")
    assert len(texts) == 1 and "còn 2 ngày" in texts[0]          # the 12/03 one, late; not the 08/03 one
    assert planned.late >= 1
    statuses = {(r.payload["item"], r.payload["offset"]): r.status for r in outbox.rows(db, "chat_id = '100'")}
    assert statuses[("dai-hoi", 7)] == "dropped"                   # superseded by the later one
    assert statuses[("dai-hoi", 3)] == "sent"
    assert statuses[("dai-hoi", 14)] == "dropped"
    assert {statuses[("ho-so", d)] for d in (7, 3, 1)} == {"dropped"}  # the 05/03 step had passed
    assert any("has passed" in r.getMessage() for r in caplog.records)
    await plan_and_send(db, "2023-03-14 08:00", recorder)
    assert len(recorder.to("100")) == 2 and "ngày mai" in recorder.to("100")[1]


async def test_report_reminder_comes_the_day_after_the_congress_with_the_plans_report_deadline(db, unit):
    recorder = Recorder()
    await plan_and_send(db, "2023-03-16 07:30", recorder)
    await plan_and_send(db, "2023-03-16 08:00", recorder)
    text = recorder.to("100")[-1]
    assert "Sau đại hội" in text and "15/03/2023" in text
    assert "20/03/2023" in text and "còn 4 ngày" in text


async def test_officer_who_joins_later_is_owed_only_reminders_due_after_joining(db, unit):
    recorder = Recorder()
    await plan_and_send(db, "2023-03-07 09:00", recorder)
    late = make_officer(db, "300", now=local("2023-03-08 09:00"))
    store.join_unit(db, late.id, "CS1", local("2023-03-08 09:00"))
    reminders.plan_for_officer(db, late, ["CS1"], local("2023-03-08 09:00"))
    await plan_and_send(db, "2023-03-08 09:00", recorder)
    assert recorder.to("300") == []
    await plan_and_send(db, "2023-03-12 08:00", recorder)
    assert len(recorder.to("300")) == 1


async def test_unit_without_a_plan_is_reminded_of_its_congress_only(db):
    make_unit(db, "CS9", "2023-03-15", plan_id=None, now=local(CREATED))
    make_officer(db, "900", "CS9", now=local(CREATED))
    unit = store.get_unit(db, "CS9")
    due = reminders.unit_reminders(unit.schedule(), None)
    assert {r.item.key for r in due} == {"dai-hoi"}  # no invented steps or numbers


async def test_postponed_unit_gets_no_congress_reminders(db, unit):
    with immediate(db):
        store.save_unit(db, {"code": "CS1", "status": "hoan"}, local(CREATED))
    recorder = Recorder()
    await plan_and_send(db, "2023-03-07 09:00", recorder)
    await plan_and_send(db, "2023-03-08 08:00", recorder)
    assert recorder.sent == []


def test_steps_after_the_congress_wait_for_it_and_a_held_congress_ends_its_deadline_reminders(db):
    plan = reminders.plans()["test-plan"]
    early = make_unit(db, "E", "2023-03-15", now=local(CREATED))
    late = make_unit(db, "L", "2023-04-28", now=local(CREATED))
    due_early = {(r.item.key, r.offset) for r in reminders.unit_reminders(early.schedule(), plan)}
    assert {k for k in due_early if k[0] == "bao-cao"} == {("bao-cao", 3), ("bao-cao", 1)}  # 17/03, 19/03
    assert not any(k[0] == "han-cuoi" for k in due_early)  # 30/04 deadline: this unit holds it on 15/03
    due_late = {(r.item.key, r.offset) for r in reminders.unit_reminders(late.schedule(), plan)}
    assert {k for k in due_late if k[0] == "han-cuoi"} == {("han-cuoi", 30), ("han-cuoi", 14), ("han-cuoi", 7),
                                                           ("han-cuoi", 3)}  # not 29/04: after its congress
