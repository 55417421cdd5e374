"""/chuatraloi within an admin's scope: a scoped admin sees, dismisses and is refused only within their
subtree (questions of people registered to units under their unit); questions of people registered
nowhere are a global admin's; attaching a phrasing to a shared knowledge entry needs a global admin; the
choice keys are checked in the handler, so a forged key changes nothing."""
from __future__ import annotations


import pytest

import clock
from handlers import admin_texts as T
from handlers import insight
from handlers.messages import Incoming
from tests.admin_fixtures import ADMIN_ID, GROUP_CHAT, SCOPED_ID, admin_msg, scoped_world, snapshot

BACKDROP_A = "mẫu phông nền sân khấu đại hội tải ở đâu"          # asked in CTCS-A's subtree
BACKDROP_B = "mau phong nen san khau dai hoi tai o dau"           # the same question, from CTCS-B's
BANNER_B = "băng rôn khẩu hiệu đại hội in ở đâu"                  # CTCS-B only
NOBODY = "thuê hội trường đại hội ở đâu rẻ"                       # someone registered nowhere


@pytest.fixture
def world(db):
    return scoped_world(db)


def ask(world, text, user, chat=None):
    [reply] = world.handle(Incoming("telegram", chat or user, user, text, is_group=chat is not None))
    assert reply.kind == "not_found", text
    return world.db.execute("SELECT MAX(id) FROM questions").fetchone()[0]


@pytest.fixture
def asked(world):
    """Question ids: one from BP-A2X (under CS-A2, under CTCS-A), two from CS-B1, one in CS-B1's group by
    a person registered nowhere, one by a person registered nowhere in a private chat."""
    return {"a": ask(world, BACKDROP_A, "o-a2x"), "b": ask(world, BACKDROP_B, "o-b1"),
            "banner": ask(world, BANNER_B, "o-b1"), "group": ask(world, BANNER_B, "u-guest", chat=GROUP_CHAT),
            "nobody": ask(world, NOBODY, "u-nobody")}


def listing(world, user):
    [reply] = world.handle(admin_msg("/chuatraloi", user=user))
    return reply


def test_a_scoped_admin_lists_only_the_questions_of_their_subtree(world, asked):
    scoped = listing(world, SCOPED_ID)
    assert [c.label for c in scoped.choices] == [f"«{BACKDROP_A}» (1 lần)"]
    assert "CTCS-A" in scoped.text
    everyone = listing(world, ADMIN_ID)
    assert sorted(c.label for c in everyone.choices) == sorted(
        [f"«{BANNER_B}» (2 lần)", f"«{BACKDROP_A}» (2 lần)", f"«{NOBODY}» (1 lần)"])


def test_a_question_in_a_units_group_chat_belongs_to_that_unit(world, asked):
    assert insight.asked_within(world.db, asked["group"], "CTCS-B") is True
    assert insight.asked_within(world.db, asked["group"], "CTCS-A") is False
    groups = insight.unanswered_groups(world.db, clock.now(), scope="CS-B1")
    group = next(g for g in groups if g.text == BANNER_B)
    assert sorted(group.question_ids) == sorted([asked["banner"], asked["group"]])


def test_questions_of_people_registered_nowhere_are_only_for_a_global_admin(world, asked):
    for scope in ("CTCS-A", "CTCS-B", "CS-B1"):
        texts = [g.text for g in insight.unanswered_groups(world.db, clock.now(), scope=scope)]
        assert NOBODY not in texts, scope
    assert NOBODY in [g.text for g in insight.unanswered_groups(world.db, clock.now())]


def test_a_scoped_admin_with_nothing_in_their_subtree_is_told_so(world):
    ask(world, BANNER_B, "o-b1")
    [reply] = world.handle(admin_msg("/chuatraloi 7", user=SCOPED_ID))
    assert reply.text == T.UNANSWERED_NONE_SCOPED.format(days=7, unit="CTCS-A") and not reply.choices


@pytest.mark.parametrize("target", ["b", "banner", "group", "nobody"])
@pytest.mark.parametrize("key", ["ua:g:{q}", "ua:d:{q}", "ua:a:{q}:thu-hop-le", "ua:t:{q}", "ua:t:{q}:x"])
def test_a_forged_choice_for_a_question_outside_the_scope_is_refused_and_changes_nothing(world, asked, target, key):
    before = snapshot(world.db)
    replies = world.pick(admin_msg(user=SCOPED_ID), key.format(q=asked[target]))
    assert [(r.text, r.kind) for r in replies] == [(T.QUESTION_OUT_OF_SCOPE.format(unit="CTCS-A"), "error")]
    assert snapshot(world.db) == before


@pytest.mark.parametrize("key", ["ua:a:{q}:thu-hop-le", "ua:t:{q}", "ua:t:{q}:x"])
def test_a_scoped_admin_cannot_attach_a_phrasing_to_a_shared_entry(world, asked, key):
    before = snapshot(world.db)
    replies = world.pick(admin_msg(user=SCOPED_ID), key.format(q=asked["a"]))
    assert [(r.text, r.kind) for r in replies] == [(T.ATTACH_NEEDS_GLOBAL.format(unit="CTCS-A"), "error")]
    assert snapshot(world.db) == before
    [still] = world.handle(Incoming("telegram", "o-a1", "o-a1", BACKDROP_A))
    assert still.kind == "not_found"


def test_a_scoped_admin_sees_the_nearest_entries_named_and_may_only_dismiss(world, asked):
    [choice] = listing(world, SCOPED_ID).choices
    [group] = world.pick(admin_msg(user=SCOPED_ID), choice.key)
    assert [c.key for c in group.choices] == [f"ua:d:{asked['a']}"]
    assert "quản trị viên toàn hệ thống" in group.text and BACKDROP_A in group.text


def test_a_scoped_dismissal_sets_aside_only_their_subtrees_questions(world, asked):
    assert len(listing(world, SCOPED_ID).choices) == 1
    [done] = world.pick(admin_msg(user=SCOPED_ID), f"ua:d:{asked['a']}")
    assert done.text == T.DISMISSED.format(text=BACKDROP_A, count=1)
    handled = [r[0] for r in world.db.execute("SELECT question_id FROM unanswered_handled")]
    assert handled == [asked["a"]]
    assert listing(world, SCOPED_ID).text == T.UNANSWERED_NONE_SCOPED.format(days=30, unit="CTCS-A")
    labels = [c.label for c in listing(world, ADMIN_ID).choices]
    assert f"«{BACKDROP_B}» (1 lần)" in labels      # CTCS-B's alike question is still there


def test_a_global_admin_attaches_a_question_of_any_subtree_or_of_nobody(world, asked):
    group = insight.find_group(world.db, asked["nobody"], clock.now())
    [done] = world.pick(admin_msg(user=ADMIN_ID), f"ua:a:{group.id}:thu-hop-le")
    assert done.text.startswith("✅")
    [answer] = world.handle(Incoming("telegram", "u-other", "u-other", NOBODY))
    assert answer.kind == "answer" and answer.entry_id == "thu-hop-le"
