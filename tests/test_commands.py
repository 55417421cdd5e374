"""The one command table (handlers/commands.py): /help, /quantri and the refusals are read from it, in
its order, so a command cannot be listed in one place and missing in another."""
import re

import pytest

from handlers import admin_texts as T
from handlers.commands import COMMANDS
from tests.admin_fixtures import ADMIN_ID, STRANGER_ID, admin_msg, make_admins

PUBLIC = [c for c in COMMANDS if not c.admin]
ADMIN = [c for c in COMMANDS if c.admin]


def test_every_command_has_a_latin_name_a_one_line_help_and_admin_ones_a_purpose():
    assert len({c.name for c in COMMANDS}) == len(COMMANDS)
    for c in COMMANDS:
        assert re.fullmatch(r"[a-z0-9_]{1,32}", c.name), c.name
        assert len(c.help) >= 3 and "\n" not in c.help, c.name
        assert bool(c.purpose) == c.admin, c.name


def test_help_lists_everyones_commands_in_table_order_and_no_admin_command(assistant):
    [reply] = assistant.handle(admin_msg("/help", user=STRANGER_ID))
    listed = re.findall(r"^/(\w+) — (.+)$", reply.text, flags=re.M)
    assert listed == [(c.name, c.help) for c in PUBLIC]


def test_quantri_lists_the_admin_commands_in_table_order(assistant):
    make_admins(assistant.db)
    [reply] = assistant.handle(admin_msg("/quantri", user=ADMIN_ID))
    listed = re.findall(r"^/(\w+) — (.+)$", reply.text, flags=re.M)
    assert listed == [(c.name, c.help) for c in ADMIN]


@pytest.mark.parametrize("command", ADMIN, ids=[c.name for c in ADMIN])
def test_every_admin_command_refuses_a_stranger_naming_its_purpose(assistant, command):
    [reply] = assistant.handle(admin_msg(f"/{command.name}", user=STRANGER_ID))
    assert reply.text == T.NOT_ADMIN.format(command=command.name, purpose=command.purpose)


def test_a_command_added_at_run_time_joins_the_menu_after_the_table(assistant):
    assistant.add_command("thu", lambda msg, args: [], "Lệnh thử")
    assert list(assistant.command_help)[-1] == "thu"
    assert list(assistant.command_help)[:len(PUBLIC)] == [c.name for c in PUBLIC]
