"""Reminders close the loop: a late unit's officers get one nudge, admins one weekly digest of late units,
both through the outbox (quiet hours, once per key also across a restart); a report ends them."""
from __future__ import annotations

import pytest

import clock
from handlers.results_flow import save_result
from scheduler import followups, reminders
from scheduler.jobs import create_dispatcher, run_once
from storage import open_db, outbox
from storage import units as unit_store
from storage.admins import add_admin
from storage.results import Values
from tests.unit_fixtures import Recorder, fixture_plans, local, make_officer, make_unit, real_clock  # noqa: F401

pytestmark = pytest.mark.usefixtures("fixture_plans", "real_clock")
JOINED = local("2023-02-01 09:00")


def result(day: str = "2023-03-01") -> Values:
    return Values(day, "toan_the", 30, 28, 5, "dai_hoi", "khac", 3, 0, 2)


def build(db):
    """CTCS (cấp trên) ⊃ CS-LATE (held 01/03, report due 06/03), CS-DONE (reported), CS-NEXT (20/03);
    CS-OTHER elsewhere, late too. The test plan's report step is 5 days after the congress."""
    make_unit(db, "CTCS", None, level="cap_tren_co_so", plan_id=None)
    make_unit(db, "CS-LATE", "2023-03-01", parent="CTCS")
    make_unit(db, "CS-DONE", "2023-03-01", parent="CTCS")
    make_unit(db, "CS-NEXT", "2023-03-20", parent="CTCS")
    make_unit(db, "CS-OTHER", "2023-03-01")
    make_officer(db, "101", "CS-LATE", now=JOINED)
    make_officer(db, "102", "CS-LATE", now=JOINED)
    make_officer(db, "103", "CS-DONE", now=JOINED)
    make_officer(db, "104", "CS-OTHER", now=JOINED)
    add_admin(db, "telegram", "900", JOINED)                       # every unit
    add_admin(db, "telegram", "901", JOINED, scope_unit="CTCS")     # CTCS's units
    add_admin(db, "telegram", "902", JOINED, scope_unit="CS-NEXT")  # nothing late below
    save_result(db, unit_store.get_unit(db, "CS-DONE"), result(), "test", local("2023-03-02 09:00"))


async def sweep(db, now, recorder):
    dispatcher = create_dispatcher(db)
    dispatcher.register_sender("telegram", recorder)
    return await dispatcher.sweep(now)


async def test_late_units_officers_get_one_nudge_and_admins_a_digest_of_their_scope(db):
    build(db)
    now = local("2023-03-08 09:00")
    nudges, digests = followups.plan_followups(db, now)
    assert (nudges, digests) == (3, 2)
    recorder = Recorder()
    await sweep(db, now, recorder)
    [nudge] = recorder.to("101")
    assert "Quá hạn báo cáo kết quả đại hội — Công đoàn CS-LATE" in nudge and "06/03/2023" in nudge
    assert "/baocao" in nudge and recorder.to("103") == []  # the reported unit is not nudged
    [digest] = recorder.to("901")
    assert "CS-LATE" in digest and "CS-OTHER" not in digest and "tuần 10/2023" in digest
    [everything] = recorder.to("900")
    assert "CS-LATE" in everything and "CS-OTHER" in everything and "Quá hạn chưa báo cáo: 2" in everything
    assert recorder.to("902") == []


async def test_nudges_and_digests_go_out_exactly_once_across_a_restart_and_later_days(tmp_path):
    path = tmp_path / "loop.db"
    db = open_db(path)
    build(db)
    recorder = Recorder()
    await run_once(db, _dispatcher(db, recorder), local("2023-03-08 09:00"))
    first = list(recorder.sent)
    db.conn.close()
    db = open_db(path)  # restart: a new process, a new connection
    followups.plan_followups(db, local("2023-03-08 10:00"), force=True)
    for moment in ("2023-03-08 10:00", "2023-03-09 09:00", "2023-03-10 09:00"):
        await run_once(db, _dispatcher(db, recorder), local(moment))
    assert recorder.sent == first and len(first) == 5
    await run_once(db, _dispatcher(db, recorder), local("2023-03-13 09:00"))  # a new week: a new digest
    assert sorted(c for c, _ in recorder.sent[5:]) == ["900", "901"]
    db.conn.close()


def _dispatcher(db, recorder):
    dispatcher = create_dispatcher(db)
    dispatcher.register_sender("telegram", recorder)
    return dispatcher


async def test_nudges_wait_for_the_morning_and_are_dropped_if_the_unit_reports_first(db):
    build(db)
    followups.plan_followups(db, local("2023-03-08 20:50"))
    recorder = Recorder()
    await sweep(db, local("2023-03-08 22:00"), recorder)
    assert recorder.sent == []  # quiet hours
    save_result(db, unit_store.get_unit(db, "CS-LATE"), result(), "test", local("2023-03-08 23:00"))
    await sweep(db, local("2023-03-09 07:30"), recorder)
    assert recorder.to("101") == [] and recorder.to("102") == []
    assert {r.status for r in outbox.rows(db, "kind = 'late_nudge' AND origin = 'unit:CS-LATE'")} == {"dropped"}
    assert len(recorder.to("104")) == 1


def test_no_check_before_the_send_hour_and_one_check_a_day(db):
    build(db)
    assert followups.plan_followups(db, local("2023-03-08 07:30")) == (0, 0)
    assert followups.plan_followups(db, local("2023-03-08 08:00")) != (0, 0)
    assert followups.plan_followups(db, local("2023-03-08 15:00")) == (0, 0)


async def test_a_reported_unit_gets_no_report_reminder_even_if_it_was_planned(db):
    make_unit(db, "CS-1", "2023-03-15")
    make_officer(db, "100", "CS-1", now=JOINED)
    reminders.plan_due(db, local("2023-03-16 07:00"))
    [row] = outbox.rows(db, "key LIKE '%:bao-cao:%'")
    # the result arrives through the database (an import), the outbox row is still pending
    from storage import results as store
    store.save(db, "CS-1", result("2023-03-15"), "import:x.xlsx", local("2023-03-16 07:30"), source="import")
    recorder = Recorder()
    await sweep(db, local("2023-03-16 08:00"), recorder)
    assert recorder.sent == [] and outbox.get(db, row.key).status == "dropped"
    clock.set_now(None)
