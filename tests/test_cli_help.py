"""Every command of the command line explains itself: a help line, help on every argument, and a
command function whose docstring says what it does (cli/ keeps one function a command)."""
import argparse

import pytest

from cli import build_parser


def leaf_parsers(parser, path=()):
    """(path, parser) of every command that runs something (has a func), at any depth."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from leaf_parsers(sub, (*path, name))
    if parser.get_default("func") is not None:
        yield path, parser


LEAVES = list(leaf_parsers(build_parser()))


def test_the_command_line_has_its_commands():
    paths = {" ".join(path) for path, _ in LEAVES}
    assert {"run", "ask", "knowledge check", "units set-date", "reminders run-once", "broadcast",
            "progress", "zalo me", "import results"} <= paths


@pytest.mark.parametrize("path, parser", LEAVES, ids=[" ".join(p) for p, _ in LEAVES])
def test_every_argument_has_help_and_the_command_a_docstring(path, parser):
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
            continue
        assert action.help, f"{' '.join(path)}: {action.dest} has no help"
    func = parser.get_default("func")
    assert func.__module__.startswith("cli."), f"{' '.join(path)} is not run by cli/"
    assert (func.__doc__ or "").strip(), f"{' '.join(path)}: {func.__name__} has no docstring"
