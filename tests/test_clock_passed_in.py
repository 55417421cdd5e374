"""Handlers take `now` from the one clock they are given (the assistant stamps each message with it),
not from the machine's time: an assistant on a fixed clock answers as of that moment."""
from dataclasses import replace

import clock
from handlers.assistant import Assistant
from tests.admin_fixtures import ADMIN_ID, admin_msg, build_tree, make_admins

FIXED = clock.parse_local("2024-05-10 09:00")


def fixed_assistant(loaded_db):
    build_tree(loaded_db)
    make_admins(loaded_db)
    return Assistant(loaded_db, clock=lambda: FIXED)


def test_statistics_cover_the_days_up_to_the_assistants_clock(loaded_db):
    [reply] = fixed_assistant(loaded_db).handle(admin_msg("/thongke 3", user=ADMIN_ID))
    assert "10/05/2024" in reply.text and "08/05/2024" in reply.text


def test_a_notice_is_dated_by_the_moment_its_message_arrived(loaded_db):
    assistant = fixed_assistant(loaded_db)
    msg = replace(admin_msg("/thongbao Họp chiều nay", user=ADMIN_ID), at=clock.parse_local("2024-06-01 10:00"))
    [menu] = assistant.handle(msg)
    [preview] = assistant.pick(replace(msg, text="", at=clock.parse_local("2024-06-01 10:01")), menu.choices[0].key)
    assert "ngày 01/06/2024" in preview.text and "10/05/2024" not in preview.text
