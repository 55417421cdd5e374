"""APScheduler wiring: a real AsyncIOScheduler on the running loop with two fixed in-memory jobs; start-up
recovers half-sent rows; the jobs plan and drain the outbox."""
import asyncio

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from apscheduler.jobstores.memory import MemoryJobStore

import clock
from scheduler.jobs import create_dispatcher, dispatch_job, plan_job, start_scheduler
from storage import open_db, outbox
from unit_fixtures import Recorder, claim_without_attempt, fixture_plans, local, make_officer, make_unit, real_clock  # noqa: F401

pytestmark = pytest.mark.usefixtures("fixture_plans", "real_clock")


@pytest.fixture
def filled_db(tmp_path):
    db = open_db(tmp_path / "jobs.db")
    make_unit(db, "CS1", "2023-03-15", now=local("2023-03-07 09:00"))
    make_officer(db, "100", "CS1", now=local("2023-03-07 09:00"))
    yield db
    db.conn.close()


async def test_scheduler_runs_two_fixed_jobs_on_the_running_loop_and_plans_at_start(filled_db):
    clock.set_now(local("2023-03-08 07:55"))
    dispatcher = create_dispatcher(filled_db)
    done = asyncio.get_running_loop().create_future()

    def listener(event):
        if event.job_id == "plan_reminders" and not done.done():
            done.set_result(event)

    scheduler = start_scheduler(filled_db, dispatcher)
    scheduler.add_listener(listener, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    try:
        assert {job.id for job in scheduler.get_jobs()} == {"plan_reminders", "dispatch_outbox"}
        assert all(isinstance(store, MemoryJobStore) for store in scheduler._jobstores.values())
        event = await asyncio.wait_for(done, timeout=20)  # the plan job runs once right away
        assert event.exception is None
    finally:
        scheduler.shutdown(wait=False)
    assert [r.status for r in outbox.rows(filled_db)] == ["pending"]  # 08/03 08:00, for 15/03


async def test_start_marks_rows_a_crash_left_sending_as_failed(filled_db):
    now = local("2023-03-08 08:00")
    clock.set_now(now)
    await plan_job(filled_db)
    claim_without_attempt(filled_db, now, "telegram")
    scheduler = start_scheduler(filled_db, create_dispatcher(filled_db))
    scheduler.shutdown(wait=False)
    assert [r.status for r in outbox.rows(filled_db)] == ["failed"]


async def test_plan_job_and_dispatch_job_deliver_a_due_reminder_once(filled_db):
    clock.set_now(local("2023-03-08 08:00"))
    dispatcher = create_dispatcher(filled_db)
    recorder = Recorder()
    dispatcher.register_sender("telegram", recorder)
    result = await plan_job(filled_db)  # in a worker thread with its own connection
    assert result.planned == 1
    await dispatch_job(dispatcher)
    await plan_job(filled_db)
    await dispatch_job(dispatcher)
    assert len(recorder.sent) == 1 and "còn 7 ngày" in recorder.sent[0][1]
