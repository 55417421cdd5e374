"""Editions by clock and by name, diacritics that carry meaning, scope from data, rules applied to counts."""
from datetime import date

import pytest

import clock
from handlers.assistant import Assistant
from handlers.messages import Incoming
from knowledge.calculators import calculate
from knowledge.editions import edition_on, named_editions
from knowledge.entries import Entry
from knowledge.matcher import Matcher
from knowledge.normalize import accent_key, analyze
from knowledge.scope import out_of_scope
from knowledge.normalize import normalize


def entry(eid, question, phrasings, answer, edition="2023-2028", place=()):
    return Entry(eid, "Thử", question, list(phrasings), answer, "Nguồn thử", edition, "KC", [], "t.toml",
                 list(place))


def test_the_edition_follows_the_clock_and_the_question_can_name_another():
    assert edition_on(date(2023, 3, 1)).id == "2023-2028"
    assert edition_on(date(2026, 12, 2)).id == "2025-2030"
    assert named_editions("theo HD 03 thì BCH bao nhiêu") == ["2023-2028"]
    assert named_editions("dieu le khoa xiii quy dinh") == ["2025-2030"]
    assert named_editions("HD 38 khác HD 03 chỗ nào") == ["2023-2028", "2025-2030"]
    assert named_editions("bầu ban chấp hành") == []
    # "khóa XIII" beside the Tổng Liên đoàn is its leadership's term, not an edition of the rules
    assert named_editions("chủ tịch Tổng Liên đoàn khóa XIII là ai") == []


def test_answers_come_from_the_edition_in_force_and_say_which(loaded_db):
    assistant = Assistant(loaded_db, active_edition="")
    clock.set_now(clock.parse_local("2026-12-02 09:00"))
    try:
        [now_reply] = assistant.handle(Incoming("console", "c", "u", "nhiệm kỳ đại hội công đoàn cơ sở là mấy năm"))
        clock.set_now(clock.parse_local("2023-03-01 09:00"))
        [then_reply] = assistant.handle(Incoming("console", "c", "u", "nhiệm kỳ đại hội công đoàn cơ sở là mấy năm"))
    finally:
        clock.set_now(None)
    assert "nhiệm kỳ 2025–2030" in now_reply.full_text()
    assert "nhiệm kỳ 2023–2028" in then_reply.full_text()
    assert now_reply.entry_id != then_reply.entry_id


def test_typed_diacritics_tell_syllables_apart_and_unaccented_input_still_matches():
    assert accent_key("ủy") == accent_key("uỷ") and accent_key("dư") != accent_key("dự")
    assert [a for _, a in analyze("so du")] == [None, None]
    surplus = entry("so-du", "Tỷ lệ số dư khi bầu cử là bao nhiêu?", ["danh sách bầu có số dư không", "số dư bao nhiêu",
                    "bầu dư mấy người", "danh sách dư"], "Không có quy định cố định.")
    attend = entry("so-du-hop", "Số dự họp tối thiểu là bao nhiêu?", ["số người dự bao nhiêu", "dự họp mấy người",
                   "số dự đại hội", "bao nhiêu người dự"], "Ít nhất 2/3.")
    matcher = Matcher([surplus, attend])
    assert matcher.match("số dư là bao nhiêu").best.entry.id == "so-du"
    assert matcher.match("số dự là bao nhiêu").best.entry.id == "so-du-hop"
    assert {c.entry.id for c in matcher.match("so du la bao nhieu").candidates} == {"so-du", "so-du-hop"}


def test_local_practice_answers_only_when_its_place_is_named():
    local = entry("ls", "Lạng Sơn đại hội bao nhiêu công đoàn cơ sở?", ["lạng sơn có bao nhiêu cđcs đại hội",
                  "cdvc lang son dai hoi bao nhieu don vi", "lạng sơn đã đại hội mấy đơn vị", "lang son may cdcs"],
                  "61/61.", place=["Lạng Sơn"])
    matcher = Matcher([local])
    assert matcher.match("lạng sơn có bao nhiêu cđcs đại hội").status == "answered"
    assert matcher.match("có bao nhiêu cđcs đại hội").status == "not_found"


@pytest.mark.parametrize("question, org", [
    ("hội ccb xã em đại hội mấy năm 1 lần vậy ad", "Cựu chiến binh"),
    ("Đại hội Đoàn cơ sở triệu tập 90 đại biểu, có 58 người dự, có hợp lệ ko", "Đoàn"),
    ("Hội Chữ thập đỏ phường em bầu ban chấp hành bao nhiêu người", "Chữ thập đỏ"),
])
def test_other_organisations_are_recognised_from_the_data_file(question, org):
    scope = out_of_scope(normalize(question))
    assert scope is not None and org.lower() in scope.name.lower()


@pytest.mark.parametrize("question", [
    "Công đoàn trường em triệu tập 45 đại biểu, có 28 người, khai mạc được không",
    "đoàn viên công đoàn nghỉ hưu vẫn đi làm có được sinh hoạt không",
    "công đoàn cơ sở bầu ban chấp hành bao nhiêu người",
])
def test_union_questions_are_not_taken_for_other_organisations(question):
    assert out_of_scope(normalize(question)) is None


def test_quorum_shows_the_arithmetic_with_the_counts_given():
    calc = calculate("Công đoàn trường em triệu tập 45 đại biểu chính thức, đến giờ khai mạc mới có 28 người, "
                     "khai mạc được không?", "2023-2028")
    assert calc.rule == "quorum" and "45 × 2/3 = 30" in calc.text and "chưa đủ" in calc.text
    assert "Điều 10" in calc.source
    enough = calculate("triệu tập 90 đại biểu, vắng 20 người thì đại hội có hợp lệ không", "2023-2028")
    assert "cần ít nhất 60" in enough.text and "đủ điều kiện" in enough.text


def test_an_unverified_rule_of_the_newer_edition_is_labelled_with_the_older_one():
    calc = calculate("triệu tập 45 đại biểu, có mặt 28 người, khai mạc được không", "2025-2030")
    assert calc.text.startswith("Trợ lý chưa có nguyên văn Điều lệ khóa XIII") and "khóa XII" in calc.text


def test_election_needs_more_than_half_of_the_ballots_collected():
    calc = calculate("thu về 98 phiếu, đồng chí Nam được 48 phiếu, có trúng cử không", "2023-2028")
    assert calc.rule == "elected" and "ít nhất 50" in calc.text and "không trúng cử" in calc.text
    assert "đủ điều kiện trúng cử" in calculate("tổng số phiếu thu về 120, anh A được 61 phiếu có trúng cử không",
                                                "2023-2028").text


def test_counts_that_contradict_each_other_are_pointed_out_not_computed():
    assert "chưa khớp" in calculate("triệu tập 30 người mà có 40 người dự có hợp lệ ko", "2023-2028").text
    assert "chưa khớp" in calculate("thu về 50 phiếu, chị B được 60 phiếu có trúng cử không", "2023-2028").text


def test_bch_size_by_members_names_both_documents_where_they_differ():
    calc = calculate("cđcs 850 đoàn viên bầu bch tối đa mấy người", "2025-2030")
    assert "tối đa 11" in calc.text and "HD 38" in calc.text and "13" in calc.text
    old = calculate("cđcs 850 đoàn viên bầu bch tối đa mấy người", "2023-2028")
    assert "03 đến 15" in old.text


def test_a_question_without_counts_gets_no_calculation():
    assert calculate("đại hội hợp lệ khi nào", "2023-2028") is None
    assert calculate("bch cđcs tối đa bao nhiêu ủy viên", "2025-2030") is None
