"""Congress results in SQLite: saved with their history, locked once accepted, checked by the schema."""
from __future__ import annotations

import sqlite3

import pytest

from storage import results as store
from storage.results import ResultLocked, Values
from storage.units import delete_units
from tests.unit_fixtures import local, make_unit

NOW = local("2023-03-16 10:00")


def values(**changes) -> Values:
    base = dict(held_on="2023-03-15", form="toan_the", convened=45, present=40, bch_elected=7,
                chair_elected_by="dai_hoi", chair_post="cap_pho", ubkt_elected=3, delegates_elected=2,
                bch_women=3)
    base.update(changes)
    return Values(**base)


def test_a_first_report_is_stored_with_one_history_entry(db):
    make_unit(db, "CS-1")
    result, changed = store.save(db, "cs-1", values(), "telegram:100 Chị Lan", NOW)
    assert result.status == "reported" and result.version == 1 and result.present == 40
    assert changed == list(store.FIELDS)
    [entry] = store.history(db, "CS-1")
    assert (entry.action, entry.actor, entry.data["bch_elected"]) == ("report", "telegram:100 Chị Lan", 7)
    assert store.reported_codes(db) == {"CS-1"}


def test_an_edit_records_only_the_fields_it_changed_and_who_made_it(db):
    make_unit(db, "CS-1")
    store.save(db, "CS-1", values(), "telegram:100 Chị Lan", NOW)
    result, changed = store.save(db, "CS-1", values(present=42, flags=[]), "telegram:900 Quản trị", local("2023-03-17 09:00"))
    assert changed == ["present"] and result.version == 2 and result.updated_by == "telegram:900 Quản trị"
    assert result.reported_by == "telegram:100 Chị Lan"
    same, nothing = store.save(db, "CS-1", values(present=42), "x", NOW)
    assert nothing == [] and same.version == 2
    assert [(h.version, h.action, h.changed) for h in store.history(db, "CS-1")][1] == (2, "edit", ["present"])


def test_an_accepted_result_is_locked_until_reopened(db):
    make_unit(db, "CS-1")
    store.save(db, "CS-1", values(), "officer", NOW)
    accepted = store.set_status(db, "CS-1", "accepted", "telegram:900", NOW)
    assert accepted.accepted and accepted.accepted_by == "telegram:900"
    with pytest.raises(ResultLocked):
        store.save(db, "CS-1", values(present=41), "officer", NOW)
    assert store.get(db, "CS-1").present == 40
    reopened = store.set_status(db, "CS-1", "reported", "telegram:900", NOW)
    assert reopened.status == "reported" and reopened.accepted_at is None
    store.save(db, "CS-1", values(present=41), "officer", NOW)
    assert [h.action for h in store.history(db, "CS-1")] == ["report", "accept", "reopen", "edit"]


@pytest.mark.parametrize("bad", [dict(present=46), dict(bch_women=8), dict(form="khac"), dict(convened=0)])
def test_the_schema_refuses_numbers_that_contradict_each_other(db, bad):
    make_unit(db, "CS-1")
    with pytest.raises(sqlite3.IntegrityError):
        store.save(db, "CS-1", values(**bad), "officer", NOW)
    assert store.get(db, "CS-1") is None and store.history(db, "CS-1") == []


def test_deleting_a_unit_deletes_its_result_but_keeps_the_history(db):
    make_unit(db, "CS-1")
    store.save(db, "CS-1", values(), "officer", NOW)
    delete_units(db, ["CS-1"])
    assert store.get(db, "CS-1") is None and len(store.history(db, "CS-1")) == 1


def test_one_staff_member_follows_a_unit_and_reassigning_replaces_them(db):
    for code in ("CS-1", "CS-2"):
        make_unit(db, code)
    store.assign(db, ["CS-1", "CS-2"], "telegram", "901", "telegram:900", NOW)
    store.assign(db, ["CS-2"], "telegram", "902", "telegram:900", NOW)
    assert store.followed_by(db, "telegram", "901") == ["CS-1"]
    assert store.followers(db)["CS-2"] == ("telegram", "902")
    assert store.unassign(db, "telegram", "901") == 1 and store.followed_by(db, "telegram", "901") == []
