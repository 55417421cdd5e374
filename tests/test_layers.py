"""The shape of the code, kept by a test: imports point down the layers and never go round in circles.

    bot.py, cli/        the command line (top)
    channels/           messenger adapters
    handlers/           chat behaviour that returns replies, and the services the CLI calls
    scheduler/          time: reminders, the outbox dispatcher, limits, what it sends on its own
    storage/            the SQLite database: schema, migrations, every query
    knowledge/          the knowledge base as data, Vietnamese normalisation, the matcher, plans
    clock, settings, logging_setup, datefmt, delivery   base modules: imported by anyone, importing none of these

A module may import base modules and packages strictly below its own; inside a package, modules must not
import each other in a circle; SQL is written only in storage/. Imports are read with `ast` (also those inside functions, which otherwise
hide a cycle until run time); imports under `if TYPE_CHECKING:` are annotations only and do not count.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RANK = {"knowledge": 1, "storage": 2, "scheduler": 3, "handlers": 4, "channels": 5, "cli": 6, "bot": 7}
BASE = {"clock", "settings", "logging_setup", "datefmt", "delivery"}
# Upward imports that stay until the code around them is rewritten anyway. Each names its module, the
# package it reaches up to, and why it waits.
KNOWN: dict[tuple[str, str], str] = {
}
# SQL outside storage/ that waits the same way: module → why.
KNOWN_SQL: dict[str, str] = {
}
SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE|CREATE|PRAGMA|BEGIN|WITH)\b")


def product_modules() -> dict[str, Path]:
    """Dotted module name → file, for bot.py, the base modules and every file of the layered packages."""
    found = {name: ROOT / f"{name}.py" for name in BASE | {"bot"}}
    for package in RANK:
        for path in (ROOT / package).glob("*.py") if (ROOT / package).is_dir() else ():
            found[package if path.stem == "__init__" else f"{package}.{path.stem}"] = path
    return found


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imports_of(path: Path, modules: dict[str, Path]) -> set[str]:
    """The product modules `path` imports (a `from pkg import mod` counts as pkg.mod when that is a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_lines(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in modules else node.module
                     for alias in node.names]
        else:
            continue
        found.update(name for name in names if name in modules or name.split(".")[0] in modules)
    return {name if name in modules else name.split(".")[0] for name in found}


def _layer(module: str) -> str:
    return module.split(".")[0]


def test_imports_point_down_the_layers():
    modules = product_modules()
    upward = set()
    for module, path in modules.items():
        for target in imports_of(path, modules):
            source_layer, target_layer = _layer(module), _layer(target)
            if target_layer in BASE or source_layer == target_layer:
                continue
            if module in BASE:
                upward.add((module, target_layer))  # a base module imports nothing of the layers
            elif RANK[target_layer] >= RANK[source_layer]:
                upward.add((module, target_layer))
    unexpected = sorted(upward - set(KNOWN))
    assert not unexpected, "imports that point up or sideways: " + ", ".join(f"{m} → {t}" for m, t in unexpected)
    stale = sorted(set(KNOWN) - upward)
    assert not stale, "known exceptions that are fixed now (remove them from KNOWN): " + ", ".join(map(str, stale))


def test_no_module_imports_itself_in_a_circle():
    modules = product_modules()
    graph = {m: {t for t in imports_of(p, modules) if _layer(t) == _layer(m) and t != m} for m, p in modules.items()}
    cycles = []
    state: dict[str, int] = {}   # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    assert not cycles, "circular imports: " + "; ".join(" → ".join(c) for c in cycles)


def test_sql_is_written_only_in_storage():
    """A string that starts like an SQL statement, in a module outside storage/, is a query in the wrong
    place (the storage module of its table should hold it as a function)."""
    found = set()
    for module, path in product_modules().items():
        if _layer(module) == "storage":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.match(node.value) \
                    and re.search(r"\b(FROM|INTO|SET|TABLE|database_list|IMMEDIATE)\b", node.value):
                found.add(module)
    unexpected = sorted(found - set(KNOWN_SQL))
    assert not unexpected, "SQL outside storage/: " + ", ".join(unexpected)
    stale = sorted(set(KNOWN_SQL) - found)
    assert not stale, "known SQL exceptions that are fixed now (remove them from KNOWN_SQL): " + ", ".join(stale)
