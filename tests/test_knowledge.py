"""Knowledge files: the check catches authoring mistakes; reload is idempotent and keeps admin phrasings."""
import shutil
from pathlib import Path

import pytest

from handlers.assistant import Assistant
from handlers.messages import Incoming
from knowledge.entries import MAX_ANSWER_CHARS, check_entries, load_entries
from storage.knowledge import add_phrasing, knowledge_version, read_entries, reload_from_files
from settings import KNOWLEDGE_DIR

FIXTURE = Path(__file__).parent / "fixtures" / "knowledge" / "mau.toml"

ENTRY = """
[[entry]]
id = "{id}"
question = "{question}"
phrasings = ["{p}1", "{p}2", "{p}3", "{p}4"]
answer = "{answer}"
source = "{source}"
edition = "2023-2028"
confidence = "KC"
tags = []
"""


def write(tmp_path, *entries, name="a.toml"):
    path = tmp_path / name
    path.write_text('topic = "T"\n' + "".join(ENTRY.format(**e) for e in entries), encoding="utf-8")
    return tmp_path


def entry(**over):
    base = {"id": "mot", "question": "Câu hỏi một?", "p": "cach hoi mot ", "answer": "Trả lời.",
            "source": "HD 03/HD-TLĐ"}
    base.update(over)
    return base


def test_bundled_knowledge_passes_the_check_and_is_large_enough():
    entries = load_entries(KNOWLEDGE_DIR)
    assert check_entries(entries) == []
    assert len(entries) >= 80
    assert all(len(e.phrasings) >= 4 for e in entries)
    # answers stay short to read in chat: the aim is 600 characters and every bundled answer keeps it
    assert [e.id for e in entries if len(e.answer) > 600] == []


@pytest.mark.parametrize("bad,message", [
    (entry(source=""), "thiếu nguồn"),
    (entry(answer=""), "câu trả lời rỗng"),
    (entry(answer="x" * (MAX_ANSWER_CHARS + 1)), "vượt 2000"),
    (entry(id="Sai Id"), "id thiếu hoặc sai dạng"),
])
def test_check_reports_a_broken_entry(tmp_path, bad, message):
    problems = check_entries(load_entries(write(tmp_path, bad)))
    assert any(message in p for p in problems), problems


def test_check_reports_duplicate_ids_across_files(tmp_path):
    write(tmp_path, entry(), name="a.toml")
    write(tmp_path, entry(p="khac "), name="b.toml")
    problems = check_entries(load_entries(tmp_path))
    assert any("id trùng" in p for p in problems)


def test_check_reports_the_same_phrasing_in_two_entries_even_with_other_accents(tmp_path):
    write(tmp_path, entry(), entry(id="hai", question="Câu hỏi hai?", p="CÁCH HỎI MỘT "))
    problems = check_entries(load_entries(tmp_path))
    assert any("trùng với mục mot" in p for p in problems)


def test_knowledge_check_command_fails_on_problems(tmp_path, monkeypatch, capsys):
    import bot
    write(tmp_path, entry(source=""))
    monkeypatch.setenv("KNOWLEDGE_DIR", str(tmp_path))
    assert bot.main(["--db", str(tmp_path / "x.db"), "knowledge", "check"]) == 1
    assert "thiếu nguồn" in capsys.readouterr().out


def test_reload_is_idempotent(db, tmp_path):
    shutil.copy(FIXTURE, tmp_path / "mau.toml")
    first = reload_from_files(db, tmp_path)
    second = reload_from_files(db, tmp_path)
    assert first.changed and not second.changed
    assert first.version == second.version
    assert (first.entries, first.phrasings) == (second.entries, second.phrasings) == (4, 20)


def test_admin_phrasing_survives_reload_and_is_matched(db, tmp_path):
    shutil.copy(FIXTURE, tmp_path / "mau.toml")
    reload_from_files(db, tmp_path)
    assistant = Assistant(db)
    assert add_phrasing(db, "thu-hop-le", "quorum đại hội tính sao")
    (tmp_path / "mau.toml").write_text(FIXTURE.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert reload_from_files(db, tmp_path).changed
    phrasings = {e.id: e.phrasings for e in read_entries(db)}
    assert "quorum đại hội tính sao" in phrasings["thu-hop-le"]
    [reply] = assistant.handle(Incoming("console", "c", "u", "quorum đại hội tính sao"))
    assert reply.entry_id == "thu-hop-le"


def test_running_assistant_picks_up_a_reload(db, tmp_path):
    shutil.copy(FIXTURE, tmp_path / "mau.toml")
    reload_from_files(db, tmp_path)
    assistant = Assistant(db)
    [before] = assistant.handle(Incoming("console", "c", "u", "lịch tiếp dân của ban chấp hành tuần này"))
    assert before.kind != "answer"
    extra = ENTRY.format(id="tiep-dan", question="Lịch tiếp dân của ban chấp hành?", p="lich tiep dan ",
                         answer="Thứ Năm hằng tuần.", source="Quy chế nội bộ")
    (tmp_path / "them.toml").write_text('topic = "Khác"\n' + extra, encoding="utf-8")
    version = knowledge_version(db)
    reload_from_files(db, tmp_path)
    assert knowledge_version(db) == version + 1
    [after] = assistant.handle(Incoming("console", "c", "u", "lịch tiếp dân của ban chấp hành tuần này"))
    assert after.kind == "answer" and after.entry_id == "tiep-dan"


def test_add_phrasing_to_missing_entry_raises(db, tmp_path):
    shutil.copy(FIXTURE, tmp_path / "mau.toml")
    reload_from_files(db, tmp_path)
    with pytest.raises(KeyError):
        add_phrasing(db, "khong-co", "x")


def test_check_requires_a_hedge_on_inferred_answers(tmp_path):
    write(tmp_path, entry(answer="Phiếu bầu lưu 6 tháng."))
    text = (tmp_path / "a.toml").read_text(encoding="utf-8").replace('confidence = "KC"', 'confidence = "SL"')
    (tmp_path / "a.toml").write_text(text, encoding="utf-8")
    problems = check_entries(load_entries(tmp_path))
    assert any("rào đón" in p for p in problems)


def test_check_rejects_a_surplus_percentage_as_a_union_rule(tmp_path):
    write(tmp_path, entry(answer="Số dư trong danh sách bầu cử không quá 30% số cần bầu."))
    problems = check_entries(load_entries(tmp_path))
    assert any("quy định của Đảng" in p for p in problems)


def test_check_wants_every_main_question_to_end_with_a_question_mark_and_topics_without(tmp_path):
    from knowledge.entries import check_entries, load_entries
    (tmp_path / "a.toml").write_text(
        'topic = "Bầu cử?"\n\n[[entry]]\nid = "thu-bau"\nquestion = "Quy định bầu cử theo HD 03"\n'
        'phrasings = ["bau cu the nao", "quy dinh bau cu", "bầu cử ra sao", "cach bau cu"]\n'
        'answer = "Bỏ phiếu kín."\nsource = "HD 03/HD-TLĐ, mục 8"\nedition = "2023-2028"\nconfidence = "KC"\n',
        encoding="utf-8")
    problems = check_entries(load_entries(tmp_path))
    assert any("«?»" in p for p in problems) and any("tên chủ đề" in p for p in problems)


def test_every_bundled_question_ends_with_a_question_mark():
    from knowledge.entries import load_entries
    from settings import KNOWLEDGE_DIR
    assert [e.id for e in load_entries(KNOWLEDGE_DIR) if not e.question.rstrip().endswith("?")] == []
