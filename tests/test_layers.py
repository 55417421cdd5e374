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
Also kept here: only storage/ calls the database, no scaffolding of the feature-by-feature build is
left, and handlers/commands.py holds the one table of chat commands.
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


# The database's own API: sqlite3's execute…, sqlite-utils' query, rows_where, table(…) and db["name"].
DB_CALLS = {"execute", "executescript", "executemany", "query", "rows_where", "insert_all", "upsert_all",
            "delete_where", "create_table", "table", "enable_wal"}


def database_calls(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in DB_CALLS:
            found.append(f".{node.func.attr}() line {node.lineno}")
        elif (isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant)
              and isinstance(node.slice.value, str) and ast.unparse(node.value).split(".")[-1] in ("db", "database")):
            found.append(f"{ast.unparse(node)} line {node.lineno}")
    return found


def test_only_storage_talks_to_the_database():
    """SQL built at run time slips past the check above; a call of the database's own API outside
    storage/ does not (the storage module of its table should hold it as a function)."""
    found = {module: calls for module, path in product_modules().items()
             if _layer(module) != "storage" and (calls := database_calls(path))}
    assert not found, "the database used outside storage/: " + "; ".join(f"{m}: {', '.join(c)}" for m, c in found.items())


def test_the_database_check_sees_queries_built_at_run_time(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('def count(db, table):\n    n = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()\n'
                      '    return n, self.db["outbox"].count, items.insert(0, n)\n', encoding="utf-8")
    assert [c.split()[0] for c in database_calls(sample)] == [".execute()", "self.db['outbox']"]


# Probes that hold a program together while it is built feature by feature: `find_spec`, ImportError
# fallbacks, checks whether a table exists yet, getattr/hasattr on a fixed attribute name. Module → why.
KNOWN_PROBES: dict[str, str] = {
    "cli": "bot.py with no command: argparse's namespace has no `func`, and the terminal chat opens",
}


def test_no_scaffolding_is_left_from_building_feature_by_feature():
    found: dict[str, list[str]] = {}
    for module, path in product_modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            what = None
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name == "find_spec":
                    what = "find_spec"
                elif name in ("getattr", "hasattr") and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant):
                    what = f"{name}(…, {node.args[1].value!r})"
            elif isinstance(node, ast.ExceptHandler) and node.type is not None \
                    and re.search(r"\b(ImportError|ModuleNotFoundError)\b", ast.unparse(node.type)):
                what = "except ImportError"
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and re.search(r"table_exists|has_table",
                                                                                          node.name):
                what = node.name
            if what:
                found.setdefault(module, []).append(f"{what} line {node.lineno}")
    unexpected = {m: w for m, w in found.items() if m not in KNOWN_PROBES}
    assert not unexpected, "scaffolding: " + "; ".join(f"{m}: {', '.join(w)}" for m, w in sorted(unexpected.items()))
    stale = sorted(set(KNOWN_PROBES) - set(found))
    assert not stale, "known probes that are gone now (remove them from KNOWN_PROBES): " + ", ".join(stale)


def test_the_command_table_is_the_only_list_of_commands(tmp_path):
    """handlers/commands.COMMANDS is the one ordered table: the assistant keeps no second map of command
    names beside its copy of it, and no module spells out several command names in a table of its own."""
    from handlers.assistant import Assistant
    from handlers.commands import COMMANDS
    from storage import open_db
    names = {c.name for c in COMMANDS}
    assistant = Assistant(open_db(tmp_path / "t.db"))
    twins = [attr for attr, value in vars(assistant).items()
             if attr != "commands" and isinstance(value, (dict, list, tuple, set))
             and len(names & {getattr(v, "name", v) for v in value if isinstance(v, str) or hasattr(v, "name")}) > 2]
    assert not twins, f"a second table of the commands on the assistant: {twins}"
    spelled = []
    for module, path in product_modules().items():
        if module == "handlers.commands":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            items = node.keys if isinstance(node, ast.Dict) else getattr(node, "elts", None) \
                if isinstance(node, (ast.List, ast.Tuple, ast.Set)) else None
            if items and len({i.value for i in items if isinstance(i, ast.Constant)} & names) > 2:
                spelled.append(f"{module} line {node.lineno}")
    assert not spelled, "command names listed outside handlers/commands.py: " + ", ".join(spelled)
