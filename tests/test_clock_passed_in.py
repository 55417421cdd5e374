"""Handlers take `now` from the one clock they are given (the assistant stamps each message with it),
not from the machine's time: an assistant on a fixed clock answers as of that moment. No module of
handlers/ or channels/ reads the clock itself (an `ast` check below)."""
import ast
from dataclasses import replace
from pathlib import Path

import clock
from handlers.assistant import Assistant
from handlers.messages import Incoming
from tests.admin_fixtures import ADMIN_ID, admin_msg, build_tree, make_admins
from tests.unit_fixtures import fixture_plans, make_officer, make_unit  # noqa: F401

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


# -- the shape that keeps it so ----------------------------------------------------------------------------
ROOT = Path(__file__).resolve().parent.parent
CLOCK_READS = {"now", "local_today", "_real_now", "set_now"}           # of clock.py
MACHINE_READS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
                 ("time", "time"), ("time", "time_ns")}


def clock_reads(path: Path) -> list[str]:
    """Calls that read the time themselves: clock.now() and friends (also imported by name), or the
    machine's datetime.now / date.today / time.time. Passing `clock.now` on as a value is not a read."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    by_name = {alias.asname or alias.name for node in ast.walk(tree)
               if isinstance(node, ast.ImportFrom) and node.module == "clock"
               for alias in node.names if alias.name in CLOCK_READS}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in by_name:
            found.append(f"{func.id}() line {node.lineno}")
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            owner, name = func.value.id, func.attr
            if (owner == "clock" and name in CLOCK_READS) or (owner, name) in MACHINE_READS:
                found.append(f"{owner}.{name}() line {node.lineno}")
    return found


def test_no_handler_or_channel_reads_the_clock_itself():
    """The time comes in with the message (`Incoming.at`) or as the assistant's clock, never from a
    module of handlers/ or channels/ asking the machine or clock.py on its own."""
    reads = {f"{package}/{path.name}": found for package in ("handlers", "channels")
             for path in sorted((ROOT / package).glob("*.py")) if (found := clock_reads(path))}
    assert not reads, "clock read directly: " + "; ".join(f"{m}: {', '.join(f)}" for m, f in reads.items())


def test_the_check_sees_each_way_of_reading_the_clock(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import clock\nfrom clock import now as current\nfrom datetime import date, datetime\n"
                      "a = clock.now()\nb = current()\nc = datetime.now()\nd = date.today()\n"
                      "e = clock.local_date(a)\nf = clock.now\n", encoding="utf-8")
    assert [r.split()[0] for r in clock_reads(sample)] == ["clock.now()", "current()", "datetime.now()",
                                                           "date.today()"]


def test_deadlines_and_the_edition_follow_the_assistants_clock_not_the_machines(loaded_db):
    """/hanchot counts the days to the assistant's moment; the welcome names the edition in force then."""
    from handlers.demo import DAYS_UNTIL_FIRST, create_demo
    at = clock.parse_local("2024-06-01 09:00")   # the 2023–2028 term was in force; the machine is later
    create_demo(loaded_db, at)
    assistant = Assistant(loaded_db, active_edition="", clock=lambda: at)
    console = Incoming("console", "console", "console", "/hanchot")
    [deadlines] = assistant.handle(console)
    congress = next(line for line in deadlines.text.splitlines() if line.startswith("Đại hội:"))
    assert congress.endswith(f"còn {DAYS_UNTIL_FIRST} ngày.")
    [welcome] = assistant.handle(replace(console, text="/start"))
    assert "đang có hiệu lực (nhiệm kỳ 2023–2028)" in welcome.text


def test_a_report_and_the_progress_chart_are_dated_by_the_assistants_clock(loaded_db, fixture_plans):
    """/baocao offers "today" as the assistant's day and stores the flow at its moment; /tiendo's chart
    is the assistant's day's (the machine is years later)."""
    from storage import results as results_store
    from storage.admins import add_admin
    at = clock.parse_local("2023-03-16 10:00")
    make_unit(loaded_db, "CS-1", "2023-03-15", members_count=60)
    make_officer(loaded_db, "100", "CS-1", channel="console")
    add_admin(loaded_db, "console", "900", at)
    assistant = Assistant(loaded_db, clock=lambda: at)
    [_, first] = assistant.handle(Incoming("console", "100", "100", "/baocao"))
    assert [c.label for c in first.choices][:2] == ["Hôm nay (16/03/2023)", "Hôm qua (15/03/2023)"]
    assistant.handle(Incoming("console", "100", "100", "2"))     # held yesterday: accepted, next question
    flow = results_store.get_flow(loaded_db, "console", "100")
    assert flow.data["answers"]["held_on"] == "2023-03-15" and flow.step != "held_on"
    [progress] = assistant.handle(Incoming("console", "900", "900", "/tiendo"))
    assert progress.document is not None and progress.document.filename == "tien-do-20230316.png"
