"""Plan files: the bundled ones load; broken ones are refused with the file named; timelines mix absolute
and relative steps; numbers of days come from plan files only."""
from datetime import date
from pathlib import Path

import pytest

from knowledge.plan import PlanError, UnitSchedule, check_plans, load_plan, load_plans, unit_timeline

ROOT = Path(__file__).resolve().parent.parent
SEED_PLANS = ("dhspkt-2023", "cdvc-ha-noi-2023", "cdvc-lang-son-2023")


def test_bundled_plans_load_without_problems():
    assert check_plans(ROOT / "knowledge" / "plans") == []
    plans = load_plans(ROOT / "knowledge" / "plans")
    assert set(SEED_PLANS) | {"demo-dhspkt"} <= set(plans)


def test_seed_plans_state_the_seed_dates_and_invent_no_number_of_days():
    plans = load_plans(ROOT / "knowledge" / "plans")
    dhspkt = {m.id: m for m in plans["dhspkt-2023"].milestones}
    assert (dhspkt["dai-hoi-bo-phan-xong"].from_date, dhspkt["dai-hoi-bo-phan-xong"].date) == (
        date(2023, 3, 1), date(2023, 3, 15))
    assert dhspkt["dai-hoi-dai-bieu-truong"].date == date(2023, 4, 28)
    hanoi = {m.id: m for m in plans["cdvc-ha-noi-2023"].milestones}
    assert hanoi["dai-hoi-cdcs-xong"].date == date(2023, 4, 30)
    assert hanoi["dai-hoi-cdvc-thanh-pho"].date == date(2023, 7, 31)
    for plan_id in SEED_PLANS:
        assert not plans[plan_id].example
        assert not any(m.relative for m in plans[plan_id].milestones), plan_id  # no seed gives an N
    assert plans["demo-dhspkt"].example and "minh họa" in plans["demo-dhspkt"].name


def test_timeline_mixes_absolute_and_relative_steps_in_date_order(tmp_path):
    plan = load_plan(Path(__file__).parent / "fixtures" / "plans" / "test-plan.toml")
    unit = UnitSchedule("BP1", "Công đoàn BP1", "cong_doan_co_so", date(2023, 3, 15))
    items = unit_timeline(unit, plan)
    assert [(it.key, it.day) for it in items] == [
        ("ho-so", date(2023, 3, 5)), ("dai-hoi", date(2023, 3, 15)), ("bao-cao", date(2023, 3, 20)),
        ("han-cuoi", date(2023, 4, 30)), ("ghi-chu", None)]


def test_postponed_unit_has_no_congress_date_and_relative_steps_wait_for_the_new_one():
    plan = load_plan(Path(__file__).parent / "fixtures" / "plans" / "test-plan.toml")
    unit = UnitSchedule("BP1", "Công đoàn BP1", "cong_doan_co_so", date(2023, 3, 15), status="hoan")
    items = {it.key: it for it in unit_timeline(unit, plan)}
    assert items["dai-hoi"].day is None and "hoãn" in items["dai-hoi"].when.lower()
    assert items["ho-so"].day is None and items["han-cuoi"].day == date(2023, 4, 30)


def test_demo_units_shift_absolute_dates_by_their_shift():
    plan = load_plans(ROOT / "knowledge" / "plans")["demo-dhspkt"]
    unit = UnitSchedule("D", "D", "cong_doan_bo_phan", date(2025, 1, 10), shift_days=10)
    items = {it.key: it for it in unit_timeline(unit, plan)}
    assert items["dai-hoi-bo-phan-xong"].day == date(2023, 3, 25)
    assert items["ho-so"].day == date(2024, 12, 31)  # the example N: 10 days before the congress


@pytest.mark.parametrize("body,message", [
    ('id = "x"\nname = "X"\nsource = "s"\n[[milestone]]\nid = "a"\ntitle = "A"\n', "cần date"),
    ('id = "x"\nname = "X"\nsource = "s"\n[[milestone]]\nid = "a"\ntitle = "A"\ndate = 2023-01-01\n'
     'before_congress_days = 3\n', "chỉ ghi một"),
    ('id = "x"\nname = "X"\nsource = "s"\n[reminders]\nsend_at = "22:00"\n', "ngoài giờ nghỉ đêm"),
    ('id = "y"\nname = "X"\nsource = "s"\n', "trùng tên tệp"),
    ('id = "x"\nname = "X"\n', "thiếu source"),
    ('id = "x"\nname = "X"\nsource = "s"\n[[milestone]]\nid = "a"\ntitle = "A"\nwhen = "w"\nlevels = ["chi_bo"]\n',
     "cấp không biết"),
    ('id = "x"\nname = "X"\nsource = "s"\n[[milestone]]\nid = "a"\ntitle = "A"\nwhen = "w"\nremindr = true\n',
     "khóa không biết"),
    ('id = "x"\nname = "X"\nsource = "s"\n[congress]\ntitle = "Đại hội"\ndate = 2023-01-01\n', "của từng đơn vị"),
    ('id = "x"\nname = "X\n', "không đọc được"),
])
def test_broken_plan_is_refused_with_a_vietnamese_reason(tmp_path, body, message):
    path = tmp_path / "x.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(PlanError, match=message) as exc:
        load_plan(path)
    assert "x.toml" in str(exc.value)
    assert check_plans(tmp_path) and message in check_plans(tmp_path)[0]
