"""Editions by clock and by name, diacritics that carry meaning, scope from data, rules applied to counts."""
from datetime import date

import pytest

import clock
from handlers.assistant import Assistant
from handlers.faq import result_text
from handlers.messages import Incoming
from knowledge.calculators import calculate, states_rule
from knowledge.clauses import asking_clauses, asking_sentences, asks_several
from knowledge.editions import edition_on, named_editions
from knowledge.entries import Entry, load_entries
from knowledge.matcher import Matcher
from knowledge.normalize import accent_key, analyze, normalize
from knowledge.scope import out_of_scope
from settings import KNOWLEDGE_DIR


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


def test_when_a_story_names_two_terms_the_asking_sentence_decides():
    old = entry("han-cu", "Hạn đại hội nhiệm kỳ 2023–2028?", ["hạn hoàn thành đại hội là ngày nào",
                "đại hội công đoàn cơ sở xong trước ngày nào"], "Trước 30/6/2023.")
    new = entry("han-moi", "Hạn đại hội nhiệm kỳ 2025–2030?", ["hạn hoàn thành đại hội là ngày nào",
                "đại hội công đoàn cơ sở xong trước ngày nào"], "Trước 31/12/2025.", edition="2025-2030")
    matcher = Matcher([old, new])
    story = ("Chúng tôi đã đại hội nhiệm kỳ 2023–2028 vào tháng 5/2023. "
             "Hạn hoàn thành đại hội nhiệm kỳ 2025–2030 là ngày nào?")
    result = matcher.match(story, edition="2023-2028")
    assert result.edition == "2025-2030" and result.best.entry.id == "han-moi"
    reversed_story = ("Chúng tôi sẽ đại hội nhiệm kỳ 2025–2030 vào năm sau. "
                      "Hạn hoàn thành đại hội nhiệm kỳ 2023–2028 là ngày nào?")
    assert matcher.match(reversed_story, edition="2025-2030").best.entry.id == "han-cu"


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
    ("hội nghị nhà chung cư cần bao nhiêu chủ hộ dự thì hợp lệ", "chung cư"),
    ("nhiệm kỳ đại hội đoàn kéo dài tối đa bao lâu", "Đoàn"),
    ("cap uy co so nhiem ky 2025 2030 bau bang phieu kin hay gio tay", "đảng"),
    ("nghi om thi huong bhxh bao nhieu % luong", "Bảo hiểm"),
])
def test_other_organisations_are_recognised_from_the_data_file(question, org):
    scope = out_of_scope(normalize(question))
    assert scope is not None and org.lower() in scope.name.lower()


@pytest.mark.parametrize("question", [
    "Công đoàn trường em triệu tập 45 đại biểu, có 28 người, khai mạc được không",
    "đoàn viên công đoàn nghỉ hưu vẫn đi làm có được sinh hoạt không",
    "công đoàn cơ sở bầu ban chấp hành bao nhiêu người",
    "nhiệm kỳ đại hội đoàn viên công đoàn cơ sở mấy năm",
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
    large = calculate("triệu tập 1.200 đại biểu, có mặt 750 người, khai mạc được không", "2023-2028")
    assert "1.200 × 2/3 = 800" in large.text  # thousands keep their dot; decimals use a comma
    assert "73 × 2/3 = 48,67" in calculate("triệu tập 73 người, có mặt 50 người có hợp lệ không", "2023-2028").text


def test_an_unverified_rule_of_the_newer_edition_is_labelled_with_the_older_one():
    calc = calculate("triệu tập 45 đại biểu, có mặt 28 người, khai mạc được không", "2025-2030")
    assert calc.text.startswith("Trợ lý chưa có nguyên văn Điều lệ khóa XIII") and "khóa XII" in calc.text


def test_election_needs_more_than_half_of_the_ballots_collected():
    calc = calculate("thu về 98 phiếu, đồng chí Nam được 48 phiếu, có trúng cử không", "2023-2028")
    assert calc.rule == "elected" and "ít nhất 50" in calc.text and "không trúng cử" in calc.text
    assert "đủ điều kiện trúng cử" in calculate("tổng số phiếu thu về 120, anh A được 61 phiếu có trúng cử không",
                                                "2023-2028").text


def test_the_ballots_collected_not_those_handed_out_are_the_base_and_invalid_ones_are_no_ones_votes():
    calc = calculate("Đại hội có 64 đại biểu, phát ra 64 phiếu và thu về 62 phiếu, trong đó có 3 phiếu không "
                     "hợp lệ. Anh A được 31 phiếu. Anh A có trúng cử không?", "2023-2028")
    assert calc.text.startswith("62 : 2 = 31") and "ít nhất 32 phiếu: 31 phiếu là chưa đủ" in calc.text


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


def test_quorum_at_a_full_congress_counts_the_members_and_ignores_company_boards():
    calc = calculate("đh toàn thể cđcs bên e có 96 đv, hôm đó 61 người đến dự thì có hợp lệ ko", "2023-2028")
    assert "96 × 2/3 = 64" in calc.text and "chưa đủ" in calc.text
    delegates = calculate("đh đại biểu của cty e triệu tập 60 đb, có mặt 41 đb, vậy đủ điều kiện không", "2023-2028")
    assert "60 × 2/3 = 40" in delegates.text and "có 41 nên đủ" in delegates.text
    assert calculate("HĐQT có 5 thành viên, cuộc họp hôm nay chỉ có 3 người dự, có đủ điều kiện tiến hành "
                     "không", "2023-2028") is None


def test_ballots_alone_give_the_threshold_to_be_elected():
    calc = calculate("thu về 140 phiếu thì ủy viên cần tối thiểu bao nhiêu phiếu mới trúng cử", "2023-2028")
    assert calc.rule == "elected" and "ít nhất 71 phiếu" in calc.text



def test_votes_without_a_ballot_count_are_reckoned_on_those_present_and_the_assumption_is_said():
    calc = calculate("CĐCS 60 đoàn viên, đại hội có 52 người có mặt, chị Lan được 26 phiếu thì có trúng không",
                     "2023-2028")
    assert calc.text.startswith("Giả sử thu về đủ 52 phiếu") and "ít nhất 27 phiếu: 26 phiếu là chưa đủ" in calc.text
    one_count = calculate("đại hội có 90 đại biểu, ứng viên được 46 phiếu có trúng cử không", "2023-2028")
    assert "90 : 2 = 45" in one_count.text and "46 phiếu là đủ" in one_count.text
    # two head counts and nobody said to be present: no guess at which one voted
    assert calculate("cđcs 120 đoàn viên, đại hội 80 đại biểu, anh B được 41 phiếu có trúng không", "2023-2028") is None

def test_delegate_numbers_follow_the_members_and_the_edition():
    new = calculate("cđcs 850 đoàn viên thì đại hội toàn thể hay đại biểu, bao nhiêu đại biểu", "2025-2030")
    assert new.rule == "delegates" and "đại hội đại biểu" in new.text and "tối đa 150" in new.text
    assert "ít hơn 75" in new.text and "KH 22" in new.source
    small = calculate("cđcs 120 đoàn viên đại hội toàn thể hay đại biểu", "2025-2030")
    assert "đại hội toàn thể" in small.text
    old = calculate("cđcs 6000 đoàn viên được triệu tập tối đa bao nhiêu đại biểu", "2023-2028")
    assert "không quá 200" in old.text and "HD 03" in old.source and "cấp trên" in old.text


def test_guests_and_appointed_delegates_are_capped_by_share_of_delegates():
    guests = calculate("đại hội có 120 đại biểu chính thức thì được mời bao nhiêu khách mời", "2025-2030")
    assert "120 × 15% = 18" in guests.text and "Mục III phần E" in guests.source
    province = calculate("Đại hội công đoàn tỉnh 300 đại biểu, khách mời tối đa bao nhiêu", "2025-2030")
    assert "không quá 90" in province.text
    older = calculate("đại hội có 120 đại biểu chính thức thì được mời bao nhiêu khách mời", "2023-2028")
    assert older.text.startswith("Hiện chưa có quy định cố định trên toàn quốc mà trợ lý biết")
    appointed = calculate("đại hội 300 đại biểu thì chỉ định được bao nhiêu đại biểu", "2023-2028")
    assert "300 × 5% = 15" in appointed.text and "Điều 8" in appointed.source


def test_by_elections_are_capped_at_two_thirds_of_the_decided_bch():
    calc = calculate("Đại hội quyết định BCH 9 ủy viên, đã bầu bổ sung 5 người, nay bầu bổ sung thêm được không",
                     "2023-2028")
    assert "9 × 2/3 = 6" in calc.text and "còn được bầu bổ sung thêm 1 người" in calc.text
    # not a by-election question: 8 of 11 vacant is over 2/3, a hội nghị replaces the congress
    vacant = calculate("BCH cđcs 11 người mà khuyết mất 8 người chưa kịp bầu bổ sung thì phải tổ chức gì",
                       "2023-2028")
    assert vacant.rule == "vacancies" and "quá 2/3" in vacant.text
    hospital = calculate("BCH CĐCS Bệnh viện đa khoa huyện được đại hội quyết định 15 ủy viên. Cả nhiệm kỳ được bầu "
                         "bổ sung tối đa bao nhiêu ủy viên mà không cần xin ý kiến cấp trên trực tiếp?", "2023-2028")
    assert "15 × 2/3 = 10" in hospital.text


def test_working_day_deadlines_skip_weekends_and_fixed_holidays():
    calc = calculate("Hội nghị BCH lần thứ nhất họp ngày 05/12/2025, hạn chót gửi hồ sơ đề nghị công nhận là "
                     "ngày nào", "2025-2030")
    assert calc.rule == "working_days" and "19/12/2025" in calc.text
    founding = calculate("đại hội thành lập ngày 26/4/2024 thì bao giờ phải nộp hồ sơ", "2023-2028")
    assert "14/05/2024" in founding.text and "21/05/2024" in founding.text  # 30/4 and 1/5 are skipped
    assert calculate("đại hội ngày 31/02/2025 thì hạn nộp hồ sơ khi nào", "2023-2028") is None


def test_a_cited_document_names_the_edition_but_not_the_rule_asked():
    docs = entry("van-ban-dieu-le", "Điều lệ khóa XII ban hành kèm quyết định nào?",
                 ["dieu le cong doan viet nam ban hanh kem quyet dinh 174 nam 2020", "quyết định 174/QĐ-TLĐ ký ngày nào",
                  "điều lệ khóa XII ban hành năm nào", "QĐ 174 là văn bản gì"],
                 "Điều lệ khóa XII ban hành kèm Quyết định 174/QĐ-TLĐ ngày 03/02/2020.")
    dues = entry("doan-phi-mat-viec", "Đoàn viên mất việc có phải đóng đoàn phí không?",
                 ["doan vien mat viec lam co phai dong doan phi", "mất việc thì tạm dừng đóng đoàn phí được không",
                  "đoàn viên thất nghiệp đóng đoàn phí thế nào", "nghỉ việc rồi có phải nộp đoàn phí"],
                 "Đoàn viên mất việc làm được tạm dừng đóng đoàn phí.")
    matcher = Matcher([docs, dues])
    cited = matcher.match("Đoàn viên bị mất việc làm được tạm dừng đóng đoàn phí không? (Điều lệ Công đoàn Việt Nam "
                          "ban hành kèm Quyết định 174/QĐ-TLĐ năm 2020)")
    assert cited.best.entry.id == "doan-phi-mat-viec"
    about = matcher.match("Quyết định 174/QĐ-TLĐ ban hành Điều lệ được ký ngày nào")
    assert about.best.entry.id == "van-ban-dieu-le"
    assert named_editions("(Điều lệ Công đoàn Việt Nam khóa XII ban hành kèm QĐ 174)") == ["2023-2028"]


def test_another_organisations_quorum_or_margin_gets_the_unions_own_rule_after_the_refusal(loaded_db):
    assistant = Assistant(loaded_db, active_edition="2023-2028")
    [quorum] = assistant.handle(Incoming("console", "c", "u", "Đại hội Đoàn cơ sở triệu tập 90 đại biểu, có 55 người "
                                                               "có hợp lệ không"))
    assert "Đoàn Thanh niên" in quorum.text and "90 × 2/3 = 60" in quorum.text and "Điều 10" in quorum.text
    [margin] = assistant.handle(Incoming("console", "c", "u", "đại hội chi bộ bầu cấp ủy số dư 30% đúng không"))
    assert "tổ chức đảng" in margin.text and "Hiện chưa có quy định cố định trên toàn quốc" in margin.text
    [plain] = assistant.handle(Incoming("console", "c", "u", "hội ccb xã em đại hội mấy năm 1 lần vậy ad"))
    assert "Hội Cựu chiến binh" in plain.text and "quy định của Công đoàn" not in plain.text


def test_rules_the_assistant_does_not_hold_are_named_before_the_latest_ones(loaded_db):
    assistant = Assistant(loaded_db, active_edition="2025-2030")
    [reply] = assistant.handle(Incoming("console", "c", "u", "theo điều lệ khóa XIV thì bch cđcs bầu tối đa mấy người"))
    assert reply.kind == "answer"
    assert reply.text.startswith("Trợ lý chưa có thông tin đã kiểm chứng về Điều lệ Công đoàn Việt Nam khóa XIV")
    [plain] = assistant.handle(Incoming("console", "c", "u", "bch cđcs bầu tối đa mấy người"))
    assert "khóa XIV" not in plain.text


def test_membership_questions_of_retirees_are_the_unions_and_issuers_are_not_leadership():
    assert out_of_scope(normalize("người đang hưởng lương hưu có được tham gia công đoàn không")) is None
    assert out_of_scope(normalize("cách tính lương hưu khi nghỉ hưu sớm")) is not None
    # "174/QĐ-TLĐ" names the Tổng Liên đoàn as issuer: "khóa XII" beside it still names the edition
    assert named_editions("Quyết định 174/QĐ-TLĐ ban hành Điều lệ khóa XII ký ngày nào") == ["2023-2028"]


def test_standing_and_inspection_committee_sizes_follow_khoa_xiii_and_say_so_for_khoa_xii():
    btv = calculate("BCH 15 ủy viên thì bầu ban thường vụ tối đa mấy người", "2025-2030")
    assert btv.rule == "btv_size" and "15 : 3 = 5" in btv.text and "không quá 5" in btv.text
    assert "không bầu ban thường vụ" in calculate("ban chấp hành 7 người có được bầu ban thường vụ không",
                                                  "2025-2030").text
    older = calculate("BCH 15 ủy viên thì bầu ban thường vụ tối đa mấy người", "2023-2028")
    assert older.text.startswith("Hiện chưa có quy định cố định trên toàn quốc mà trợ lý biết")
    ubkt = calculate("LĐLĐ tỉnh 85.000 đoàn viên thì ủy ban kiểm tra bao nhiêu ủy viên", "2025-2030")
    assert "85.000" in ubkt.text and "không quá 09" in ubkt.text
    assert "không quá 09" in calculate("cđcs 300 đoàn viên bầu ubkt mấy người", "2025-2030").text


def test_the_welcome_names_the_edition_in_force_at_the_clock(loaded_db):
    assistant = Assistant(loaded_db, active_edition="")
    try:
        clock.set_now(clock.parse_local("2023-03-01 09:00"))
        [then] = assistant.handle(Incoming("console", "c", "u", "/start"))
        clock.set_now(clock.parse_local("2026-12-02 09:00"))
        [now] = assistant.handle(Incoming("console", "c", "u", "/start"))
    finally:
        clock.set_now(None)
    assert "đang có hiệu lực (nhiệm kỳ 2023–2028) và cả nhiệm kỳ 2025–2030" in then.text
    assert "đang có hiệu lực (nhiệm kỳ 2025–2030) và cả nhiệm kỳ 2023–2028" in now.text


def test_counts_in_long_stories_go_to_the_rule_asked_not_to_the_first_rule_with_a_number():
    quorum = calculate("Công đoàn cơ sở có 210 đoàn viên, tổ chức đại hội đại biểu, BCH đã phát giấy triệu tập cho "
                       "90 đại biểu. Phải có tối thiểu bao nhiêu đại biểu có mặt thì đại hội mới hợp lệ?", "2023-2028")
    assert quorum.rule == "quorum" and "90 × 2/3 = 60" in quorum.text
    full = calculate("cdcs 87 doan vien dai hoi toan the thi it nhat bao nhieu nguoi co mat moi hop le", "2023-2028")
    assert "87 × 2/3 = 58" in full.text
    over = calculate("CĐCS có 4.200 đoàn viên, chuẩn bị đại hội đại biểu, dự kiến triệu tập 180 đại biểu. Như vậy có "
                     "vượt mức tối đa không?", "2025-2030")
    assert over.rule == "delegates" and "vượt mức tối đa 30" in over.text and "165" in over.text
    assert calculate("CĐCS có 230 đoàn viên, đại hội 100 đại biểu. Theo QĐ 5051 mức chi tiền ăn cho đại biểu là bao "
                     "nhiêu mỗi người?", "2023-2028") is None
    assert calculate("CĐCS có 320 đoàn viên, danh sách bầu cử BCH phải có số dư tối thiểu bao nhiêu người",
                     "2025-2030") is None


def test_joining_and_resigning_deadlines_in_working_days():
    join = calculate("Công ty chưa có CĐCS, chúng tôi nộp đơn gia nhập cho công đoàn cấp trên ngày 07/12/2026. Chậm "
                     "nhất ngày nào cấp trên phải quyết định?", "2025-2030")
    assert "21/12/2026" in join.text and "mục 3.1" in join.source
    resign = calculate("ủy viên BCH nộp đơn xin thôi chức ngày 09/12/2026, chậm nhất ngày nào BCH phải gặp trao đổi",
                       "2025-2030")
    assert "23/12/2026" in resign.text and "mục 5.2" in resign.source


def test_counts_mentioned_on_the_way_to_another_question_start_no_calculation():
    # Guests named in a question about meal allowances, delegates in one about how many to convene.
    assert calculate("Công đoàn cơ sở ở TP.HCM đại hội với 60 đại biểu và 8 khách mời. Tiền ăn đại biểu được "
                     "chi tối đa bao nhiêu một ngày?", "2025-2030") is None
    calc = calculate("CĐCS có 1.000 đoàn viên, BCH định chỉ triệu tập 70 đại biểu chính thức. Có được không, "
                     "tối thiểu phải triệu tập bao nhiêu?", "2025-2030")
    assert calc is None or calc.rule != "quorum"


def test_a_grassroots_union_in_a_city_gets_the_grassroots_share_of_guests():
    calc = calculate("công đoàn cơ sở ở thành phố Hồ Chí Minh có 60 đại biểu thì mời tối đa bao nhiêu khách mời",
                     "2025-2030")
    assert calc.rule == "guests" and "60 × 15% = 9" in calc.text


def test_a_question_on_one_elected_body_is_not_answered_by_an_entry_on_another():
    matcher = Matcher(load_entries(KNOWLEDGE_DIR))
    r = matcher.match("số ủy viên ban chấp hành công đoàn tập đoàn không quá bao nhiêu",
                      edition="2025-2030")
    assert r.status == "answered" and "uy ban kiem tra" not in normalize(r.best.entry.question)
    r = matcher.match("ủy ban kiểm tra công đoàn tổng công ty được bao nhiêu ủy viên", edition="2025-2030")
    assert r.status == "answered" and "uy ban kiem tra" in normalize(r.best.entry.question)


def test_a_committee_of_three_asked_about_is_not_an_attendance_count():
    calc = calculate("CĐCS có 150 đoàn viên, ban chấp hành 7 người nhiệm kỳ 2025–2030. Chủ tịch muốn lập ban "
                     "thường vụ 3 người. Có được không?", "2025-2030")
    assert calc is None or calc.rule != "quorum"


def test_thousands_written_as_a_word_are_counted():
    calc = calculate("ubkt ldld tinh 70 nghin dv dc bau may nguoi", "2025-2030")
    assert calc is not None and "70.000 đoàn viên" in calc.text and "09 ủy viên" in calc.text


def test_a_union_of_fewer_than_ten_members_elects_no_bch_whatever_is_asked_about_it():
    calc = calculate("Chi nhánh ở tỉnh chỉ có 7 đoàn viên, lập công đoàn cơ sở riêng. Mọi người bảo vẫn phải bầu "
                     "ban chấp hành 3 người như nơi khác, có đúng không?", "2023-2028")
    assert calc is not None and calc.rule == "bch_size" and "chỉ bầu chức danh chủ tịch" in calc.text


@pytest.mark.parametrize("question,out", [
    ("Đảng bộ công ty tôi có 260 đảng viên, chuẩn bị đại hội nhiệm kỳ mới thì bầu bao nhiêu ủy viên", True),
    ("Đại hội chi đoàn khoa em bầu mấy người vào ban chấp hành", True),
    # Folded, the same letters are "đang bỏ", "chỉ đoàn": union questions, not another organisation's.
    ("dang bo phieu bau ban chap hanh thi phieu nao khong hop le", False),
    ("đang bỏ phiếu bầu ban chấp hành thì phiếu nào không hợp lệ", False),
    ("chỉ đoàn viên mới được bầu vào ban chấp hành phải không", False),
])
def test_markers_that_need_their_diacritics_count_only_as_typed_with_them(question, out):
    pairs = analyze(question)
    scope = out_of_scope(" ".join(w for w, _ in pairs), typed=pairs)
    assert (scope is not None) is out


def test_a_question_asking_two_things_that_two_entries_answer_gets_both_answers():
    files = entry("ho-so", "Hồ sơ đề nghị công nhận gồm những gì?",
                  ["hồ sơ công nhận gồm giấy tờ gì", "cần nộp tờ trình và biên bản nào", "hồ sơ đề nghị công nhận",
                   "thành phần hồ sơ"], "Tờ trình, biên bản, danh sách trích ngang.")
    deadline = entry("han", "Hạn gửi đề nghị công nhận là bao lâu?",
                     ["hạn gửi đề nghị công nhận", "chậm nhất mấy ngày phải gửi", "gửi cấp trên trong bao lâu",
                      "thời hạn đề nghị công nhận"], "Chậm nhất 10 ngày làm việc.")
    other = entry("khac", "Đại hội có mấy tiểu ban?", ["các tiểu ban", "tiểu ban nhân sự", "tiểu ban văn kiện",
                  "tiểu ban tuyên truyền"], "Thường có ba tiểu ban.")
    matcher = Matcher([files, deadline, other])
    r = matcher.match("hồ sơ đề nghị công nhận gồm tờ trình gì và chậm nhất mấy ngày phải gửi cấp trên")
    assert r.status == "answered" and {r.best.entry.id, r.also.entry.id} == {"ho-so", "han"}
    text = result_text(r, "")
    assert "Tờ trình" in text and "10 ngày làm việc" in text
    # One thing asked: one answer.
    r = matcher.match("hồ sơ đề nghị công nhận gồm những giấy tờ gì")
    assert r.status == "answered" and r.best.entry.id == "ho-so" and r.also is None


@pytest.mark.parametrize("question,several", [
    ("hồ sơ đề nghị công nhận gồm những gì và hạn gửi là bao lâu", True),
    ("ĐH đại biểu tổ chức ngày nào? Theo kế hoạch số mấy?", True),
    ("dai hoi cdcs keo dai toi da bao lau, con han chot la khi nao", True),
    ("được đúng một nửa số phiếu thì có trúng cử ko ad", False),
    ("nên bầu ban chấp hành trước hay bầu chủ tịch trước", False),
    ("ubkt cđcs tối đa mấy uv, do đh bầu hay bch bầu ạ?", True),
    ("hội nghị tập huấn quán triệt những văn bản nào, do ai phát biểu chỉ đạo?", True),
    ("đại hội bầu ban chấp hành, rồi bầu chủ tịch hay phó chủ tịch", False),
    ("Công đoàn trường em có 45 đoàn viên và 3 tổ công đoàn, đại hội toàn thể cần bao nhiêu người dự", False),
])
def test_a_question_asks_several_things_only_with_two_asking_clauses(question, several):
    assert asks_several(question) is several


def test_a_clear_answer_to_a_single_question_comes_alone():
    matcher = Matcher(load_entries(KNOWLEDGE_DIR))
    r = matcher.match("được đúng một nửa số phiếu thì có trúng cử không", edition="2023-2028")
    assert r.status == "answered" and r.also is None


@pytest.mark.parametrize("question,out", [
    ("Cơ quan nào phê duyệt văn kiện và nhân sự đại hội cng đoàn cơ sở?", False),
    ("chi đoàn côg đoàn cơ sở là gì, có phải tổ công đoàn không", False),
    ("Đại hội đoàn cơ sở trường em bầu bao nhiêu ủy viên ban chấp hành đoàn", True),
    ("hoi nong dan xa bau chu tich hoi bang phieu kin hay gio tay", True),
    # "dân" is not mended into "đoàn" unless it makes the union's name with its neighbour
    ("dieu kien ket nap hoi vien hoi nong dan viet nam la gi", True),
    # joining the Party is the Party's question even when a union member asks it
    ("Đoàn viên công đoàn muốn được kết nạp vào Đảng thì thời gian dự bị là bao lâu?", True),
    ("đoàn viên công đoàn bị khai trừ bao lâu thì được kết nạp lại", False),
    # "năng lượng" folds like "nâng lương": only the accented form is the wage subject
    ("Chị phó chủ tịch công đoàn được cử làm nhiệm vụ an ninh năng lượng, xin thôi chức có được xét không?", False),
    ("công ty chậm nâng lương cho người lao động thì phải làm sao", True),
    ("Bí thư chi đoàn cũng là ủy viên BCH CĐCS hỏi: quá 30 tuổi có phải làm lễ trưởng thành đoàn không?", True),
])
def test_a_typo_in_the_unions_name_does_not_make_a_question_another_organisations(question, out):
    matcher = Matcher(load_entries(KNOWLEDGE_DIR))
    assert matcher.is_out_of_scope(question) is out


def test_a_storys_asking_sentence_is_found_and_a_one_line_question_has_none():
    story = ("Công đoàn trường em có 45 đoàn viên. Hôm qua họp chuẩn bị đại hội, mọi người bàn nhiều việc. "
             "Vậy đại hội toàn thể cần ít nhất bao nhiêu người dự?")
    assert [s.strip() for s in asking_sentences(story)] == ["Vậy đại hội toàn thể cần ít nhất bao nhiêu người dự"]
    assert asking_sentences("đại hội toàn thể cần ít nhất bao nhiêu người dự?") == []


def test_a_committee_named_in_a_story_about_deadlines_does_not_get_its_size_computed():
    story = ("CĐCS công ty tôi vừa đại hội thành lập với 48 đoàn viên, đã bầu BCH 5 người. Chúng tôi chưa họp để "
             "bầu phó chủ tịch, UBKT và chưa gửi hồ sơ lên cấp trên. Chậm nhất bao nhiêu ngày phải họp BCH?")
    calc = calculate(story, "2023-2028")
    assert calc is None or calc.rule != "ubkt_size"
    calc = calculate("cđcs 48 đoàn viên thì ubkt được bầu mấy người", "2025-2030")
    assert calc is not None and calc.rule == "ubkt_size" and "09" in calc.text
    calc = calculate("ubkt cđcs 1.200 đv được bầu mấy người", "2025-2030")
    assert calc is not None and calc.rule == "ubkt_size" and "1.200" in calc.text


def test_a_word_of_the_story_does_not_choose_the_calculation_the_question_asks_another():
    story = ("Công đoàn cơ sở chúng tôi có 40 đoàn viên, ban chấp hành hiện 3 người và định bầu bổ sung. "
             "Theo HD 38 thì ban chấp hành được tối đa bao nhiêu người?")
    calc = calculate(story, "2025-2030")
    assert calc is not None and calc.rule == "bch_size" and "07" in calc.text
    assert "03 đến tối đa 03" not in calc.text
    calc = calculate("BCH đại hội quyết định 9 người, đã bầu bổ sung 4. Được bổ sung thêm bao nhiêu nữa?", "2023-2028")
    assert calc is not None and calc.rule == "supplementary"


def test_a_provincial_unions_bch_follows_kh_22_and_names_hd_38():
    calc = calculate("theo kh 22 công đoàn tỉnh có 120.000 đoàn viên thì bch tối đa bao nhiêu ủy viên", "2025-2030")
    assert calc.rule == "bch_province" and "tối đa 29" in calc.text and "39" in calc.text
    calc = calculate("Công đoàn TP Hồ Chí Minh 1.200.000 đoàn viên thì ban chấp hành tối đa bao nhiêu", "2025-2030")
    assert calc.rule == "bch_province" and "tối đa 65" in calc.text
    assert calculate("cđcs 300 đoàn viên bầu bch tối đa mấy người", "2025-2030").rule == "bch_size"


def test_how_many_members_to_elect_with_no_body_named_means_the_bch():
    calc = calculate("CĐCS có 45 đoàn viên, đại hội 2025 nên bầu bao nhiêu ủy viên?", "2025-2030")
    assert calc is not None and calc.rule == "bch_size" and "03 ủy viên" in calc.text
    calc = calculate("CĐCS có 45 đoàn viên thì ủy ban kiểm tra bầu bao nhiêu ủy viên?", "2025-2030")
    assert calc is None or calc.rule != "bch_size"


def test_a_deadline_counts_from_the_date_of_the_event_it_follows():
    story = ("Đại hội ngày 05/12/2026 và họp hội nghị BCH lần thứ nhất vào thứ Hai 07/12/2026. Chậm nhất ngày nào "
             "phải gửi hồ sơ đề nghị công nhận?")
    calc = calculate(story, "2025-2030")
    assert calc.rule == "working_days" and "07/12/2026" in calc.text and "21/12/2026" in calc.text


def test_the_monthly_union_fee_is_half_a_percent_of_the_salary_up_to_the_cap():
    calc = calculate("lương đóng bhxh 12 triệu thì mỗi tháng đóng đoàn phí bao nhiêu", "2025-2030")
    assert calc.rule == "union_fee" and "60.000 đồng" in calc.text
    calc = calculate("lương 60.000.000 đồng thì đoàn phí mỗi tháng bao nhiêu", "2025-2030")
    assert "234.000 đồng" in calc.text and "300.000" in calc.text
    # Before QĐ 61 the assistant holds no rate: no figure is computed.
    assert calculate("lương 12 triệu đóng đoàn phí bao nhiêu", "2023-2028") is None


def test_several_salaries_get_each_fee_capped_and_their_sum_and_the_base_salary_quoted_is_not_one():
    calc = calculate("Tổ công đoàn 3 người, lương đóng BHXH: chị Hằng 5.000.000 đ, anh Quang 12.000.000 đ, anh Dũng "
                     "50.000.000 đ. Lương cơ sở 2.340.000 đ. Tổng đoàn phí cả tổ mỗi tháng là bao nhiêu?", "2025-2030")
    assert "250.000, vượt trần nên 234.000" in calc.text and "Cộng lại: 319.000 đồng/tháng" in calc.text
    assert "2.340.000 × 0,5%" not in calc.text


def test_the_ballots_collected_are_the_count_after_thu_ve_not_the_ballots_handed_out():
    calc = calculate("Phát ra 62 phiếu, thu về 60 phiếu, trong đó 2 phiếu không hợp lệ. Chị Hoa được 30 phiếu. "
                     "Có trúng cử không?", "2023-2028")
    assert calc.rule == "elected" and calc.text.startswith("60 : 2 = 30") and "chưa đủ" in calc.text
    calc = calculate("ứng viên được 58 phiếu trên tổng 120 phiếu thu về, trong đó 110 phiếu hợp lệ, có trúng cử không",
                     "2023-2028")
    assert calc.text.startswith("120 : 2 = 60") and "chưa đủ" in calc.text


def test_a_merged_unions_bch_and_a_requested_increase_follow_hd_38():
    calc = calculate("hai CĐCS sáp nhập theo sắp xếp đvhc, một bên BCH 9 người, một bên 7 người, BCH mới tối đa bao "
                     "nhiêu", "2025-2030")
    assert calc.rule == "bch_merged" and "9 + 7 = 16" in calc.text
    calc = calculate("đại hội thông qua BCH 13 ủy viên, nay muốn xin tăng thêm 3 người thì được tối đa mấy người",
                     "2025-2030")
    assert calc.rule == "bch_increase" and "không quá 1 ủy viên" in calc.text and "tối đa 14" in calc.text


def test_a_commune_unions_delegates_follow_its_members_and_disagreeing_totals_are_named():
    calc = calculate("Công đoàn phường quản lý 2.600 đoàn viên, dự kiến triệu tập 160 đại biểu, được tối đa bao nhiêu "
                     "đại biểu", "2025-2030")
    assert calc.rule == "delegates_commune" and "tối đa 150" in calc.text and "vượt 10" in calc.text
    calc = calculate("Công đoàn xã báo cáo 1.750 đoàn viên nhưng cộng danh sách lại được 2.050. Xã được triệu tập "
                     "tối đa bao nhiêu đại biểu?", "2025-2030")
    assert calc.text.startswith("Các con số chưa khớp") and "100" in calc.text and "150" in calc.text


def test_a_commune_union_appointed_on_a_date_meets_within_twelve_months_hedged():
    calc = calculate("công đoàn xã được chỉ định BCH ngày 15/7/2025 thì hạn chót đại hội là khi nào", "2025-2030")
    assert calc.rule == "commune_congress_due" and "15/07/2026" in calc.text and "chưa xác định" in calc.text


def test_a_question_asking_two_computed_things_gets_both_calculations():
    calc = calculate("Công đoàn xã được chỉ định BCH ngày 01/7/2025, quản lý 2.600 đoàn viên. Hạn chót đại hội là khi "
                     "nào, và đại hội được triệu tập tối đa bao nhiêu đại biểu?", "2025-2030")
    assert calc.rule == "delegates_commune+commune_congress_due"
    assert "01/07/2026" in calc.text and "tối đa 150" in calc.text


def test_story_details_do_not_mislead_the_calculators():
    # "tính theo số đoàn viên" is not "tỉnh".
    calc = calculate("CĐCS 4.500 đoàn viên bầu ủy ban kiểm tra 11 người, không rõ tính theo số đoàn viên thế nào, "
                     "ubkt được tối đa bao nhiêu người?", "2025-2030")
    assert calc.rule == "ubkt_size" and calc.text.startswith("Công đoàn cơ sở") and "09" in calc.text
    # The first meeting's date is the one after it, not the congress's the sentence before.
    calc = calculate("Đại hội ngày 14/11/2026. Hội nghị BCH lần thứ nhất họp chiều thứ Năm, ngày 19/11/2026. Hạn "
                     "gửi hồ sơ đề nghị công nhận là ngày nào?", "2025-2030")
    assert "19/11/2026" in calc.text and "03/12/2026" in calc.text
    # "9 người và 5 người, tổng 14": 14 is not a third union.
    calc = calculate("hai CĐCS hợp nhất theo sắp xếp, ban chấp hành một bên 9 người, một bên 5 người, tổng 14 người; "
                     "BCH mới tối đa bao nhiêu", "2025-2030")
    assert "9 + 5 = 14" in calc.text


def test_a_neighbouring_subject_told_only_in_the_story_leaves_a_union_question_the_unions():
    matcher = Matcher(load_entries(KNOWLEDGE_DIR))
    story = ("Tiệm sửa xe của tôi có 12 thợ. Chúng tôi muốn lập công đoàn cơ sở để nói chuyện với chủ về tiền tăng ca. "
             "Cần tối thiểu bao nhiêu người có đơn thì mới thành lập được công đoàn cơ sở?")
    assert not matcher.is_out_of_scope(story)
    assert matcher.is_out_of_scope("Công ty bắt tăng ca quá giờ, công đoàn có can thiệp được không? Tiền tăng ca tính "
                                   "thế nào?")


def test_who_comes_is_the_count_right_after_chi_co_whatever_list_is_named_before():
    calc = calculate("CĐCS có 87 đoàn viên, đại hội toàn thể; chốt danh sách chỉ có 57 người chắc chắn dự. Đại hội có "
                     "hợp lệ không?", "2023-2028")
    assert calc.rule == "quorum" and calc.text.startswith("87 × 2/3 = 58") and "chưa đủ" in calc.text


def test_a_bch_members_attendance_decides_whether_he_is_an_ex_officio_delegate():
    calc = calculate("BCH họp 14 kỳ, anh Hùng ủy viên BCH chỉ dự 7 kỳ, có đương nhiên là đại biểu chính thức không",
                     "2023-2028")
    assert calc.rule == "bch_attendance" and "ít nhất 8 kỳ" in calc.text and "chưa đủ" in calc.text
    written_as_share = calculate("Anh Sơn là ủy viên ban chấp hành đương nhiệm, chỉ dự được 4 trong 12 kỳ họp ban "
                                 "chấp hành. Anh Sơn có là đại biểu chính thức không?", "2023-2028")
    assert "ít nhất 7 kỳ" in written_as_share.text and "dự 4 kỳ là chưa đủ" in written_as_share.text


def test_the_union_named_in_passing_does_not_make_another_organisations_question_the_unions():
    matcher = Matcher(load_entries(KNOWLEDGE_DIR))
    story = ("Tôi là chi hội trưởng chi hội nông dân ấp, đồng thời là đoàn viên công đoàn của trạm khuyến nông. "
             "Chi hội có 140 hội viên. Bầu đại biểu dự đại hội Hội Nông dân xã có phải bỏ phiếu kín không?")
    assert matcher.is_out_of_scope(story)
    union = ("Tôi là đoàn viên công đoàn, vợ tôi ở Hội Phụ nữ. Công đoàn cơ sở bầu đại biểu đi đại hội cấp trên "
             "có phải bỏ phiếu kín không?")
    assert not matcher.is_out_of_scope(union)


def test_the_sentence_closed_with_a_question_mark_asks_not_the_storys_words():
    story = ("Vì ai cũng muốn đi dự nên ban chấp hành triệu tập 170 đại biểu, chưa thấy cấp trên trả lời. "
             "Anh em thắc mắc con số 170 có hợp lệ không. "
             "Công đoàn cơ sở 3.000 đoàn viên được triệu tập nhiều nhất bao nhiêu đại biểu?")
    assert [s.strip() for s in asking_sentences(story)] == [
        "Công đoàn cơ sở 3.000 đoàn viên được triệu tập nhiều nhất bao nhiêu đại biểu"]
    calc = calculate(story, "2025-2030")
    assert calc is None or calc.rule != "quorum"
    # A short closing question asks about the sentence before it.
    short = ("Đại hội triệu tập 120 đại biểu, đến giờ khai mạc mới có 78 người. Đoàn chủ tịch hỏi có được khai "
             "mạc luôn không. Tôi phải trả lời thế nào?")
    assert calculate(short, "2023-2028").rule == "quorum"


def test_a_chat_emoticon_ends_a_sentence():
    matcher = Matcher(load_entries(KNOWLEDGE_DIR))
    story = ("Bác mình là chủ tịch hội cựu chiến binh phường. Mình làm cđ ở cty nên bác tưởng mình biết hết :) "
             "Mn cho hỏi đh hội CCB có cần 2/3 hội viên dự mới hợp lệ ko?")
    assert matcher.is_out_of_scope(story)


def test_hn_is_a_conference_before_what_it_is_of_and_ha_noi_elsewhere():
    assert normalize("hn bch lần 1 ở HN") == "hoi nghi ban chap hanh lan 1 o ha noi"


def test_a_standing_committee_asked_about_far_from_its_ceiling_word_is_computed():
    q = "Vậy btv của bch 13 ng thì tối đa đc mấy người ạ, bầu 5 có sai ko mn?"
    calc = calculate(q, "2025-2030")
    assert calc.rule == "btv_size" and "không quá 4" in calc.text


def test_how_many_members_a_bch_may_grow_by_is_ten_percent_under_hd_38():
    q = ("Đại hội đã biểu quyết ban chấp hành 20 người. Theo hướng dẫn hiện hành, chúng tôi được tăng tối đa mấy "
         "ủy viên so với số đại hội đã thông qua?")
    calc = calculate(q, "2025-2030")
    assert calc.rule == "bch_increase" and "không quá 2 ủy viên" in calc.text


def test_how_many_bch_members_asked_before_the_bch_is_named_is_computed():
    q = ("Cong doan co so nha may bia cua chung toi co 520 doan vien. Dai hoi bau ban chap hanh 13 nguoi. Theo ke "
         "hoach dai hoi nam 2025 thi co so 520 doan vien duoc bau toi da bao nhieu uy vien ban chap hanh?")
    calc = calculate(q, "2025-2030")
    assert calc.rule == "bch_size" and "tối đa 11" in calc.text


@pytest.mark.parametrize("question,form", [
    ("Trường tôi 185 đoàn viên, đại hội 2025 nên tổ chức theo hình thức nào?", "toàn thể"),
    ("cdcs cty minh 320 doan vien thi dai hoi toan the hay dai bieu vay", "đại hội đại biểu"),
])
def test_a_grassroots_unions_members_decide_its_congress_form_under_kh_22(question, form):
    calc = calculate(question, "2025-2030")  # the delegates' calculator answers the form with its numbers
    assert calc.rule in ("congress_form", "delegates") and form in calc.text and "KH 22" in calc.source


def test_the_congress_form_rule_asked_as_a_threshold_is_left_to_the_entry():
    assert calculate("CĐCS dưới 200 ĐV thì tổ chức ĐH theo hình thức gì", "2025-2030") is None
    assert calculate("cdcs 185 doan vien dai hoi theo hinh thuc nao", "2023-2028") is None  # no verified threshold


def test_delegates_reported_absent_are_taken_from_those_convened():
    q = ("Đại hội đại biểu công đoàn cơ sở trường tôi triệu tập 85 đại biểu chính thức. Sáng nay có 8 đại biểu báo "
         "vắng vì đi coi thi. Cần tối thiểu bao nhiêu đại biểu có mặt?")
    calc = calculate(q, "2023-2028")
    assert calc.rule == "quorum" and "ít nhất 57" in calc.text and "85 − 8 vắng" in calc.text


def test_a_listed_tally_says_how_many_are_elected_on_the_ballots_collected():
    q = ("Bầu ban chấp hành 7 người từ danh sách 9 người, thu về 75 phiếu, trong đó 3 phiếu không hợp lệ. Kết quả: "
         "A 70 phiếu, B 66, C 61, D 55, E 49, F 40, G 37, H 35, I 30. Vậy có bao nhiêu người trúng cử?")
    calc = calculate(q, "2023-2028")
    assert calc.rule == "elected" and "ít nhất 38" in calc.text and "chỉ 6 người trúng cử" in calc.text


def test_a_member_tier_named_with_duoi_is_not_taken_for_a_count():
    q = "Theo KH 22, đại hội đại biểu công đoàn cơ sở dưới 5.000 đoàn viên được triệu tập tối đa bao nhiêu đại biểu?"
    calc = calculate(q, "2025-2030")
    assert calc.rule == "delegates" and "tối đa 150" in calc.text and "200" not in calc.text


def test_asking_for_more_delegates_is_not_the_bch_increase():
    q = ("Công đoàn cơ sở có 4.000 đoàn viên, 30 công đoàn bộ phận, mỗi bộ phận ít nhất 6 đại biểu thì tổng số lên "
         "tới 180 người. Ban chấp hành định xin cấp trên cho tăng thêm. Nếu được đồng ý thì triệu tập tối đa bao "
         "nhiêu đại biểu chính thức?")
    calc = calculate(q, "2025-2030")
    assert calc.rule == "delegates" and "tối đa 165" in calc.text and "ủy viên" not in calc.text


def test_rejoining_counts_three_months_from_the_decision_and_leaves_expulsion_to_the_entry():
    story = ("Bạn ấy xin ra khỏi công đoàn, ban chấp hành ra quyết định ngày 30/11/2026. "
             "Sớm nhất ngày nào bạn ấy được xét kết nạp lại?")
    calc = calculate(story, "2025-2030")
    assert calc.rule == "rejoin" and "30/11/2026" in calc.text and "28/02/2027" in calc.text
    assert "HD 38" in calc.source
    assert calculate(story.replace("xin ra khỏi công đoàn", "bị khai trừ, ra khỏi công đoàn"), "2025-2030") is None
    assert calculate(story, "2023-2028") is None  # no verified khóa XII rule: no figure


def test_vacant_seats_over_two_thirds_call_for_a_conference_and_the_newer_term_is_labelled():
    many = calculate("BCH công đoàn cơ sở đại hội bầu 15 người, hiện khuyết 11 ủy viên. "
                     "Có phải tổ chức hội nghị thay đại hội không?", "2023-2028")
    assert many.rule == "vacancies" and "15 × 2/3 = 10" in many.text and "quá 2/3" in many.text
    assert "hội nghị đại biểu hoặc hội nghị toàn thể" in many.text and "HD 03" in many.source
    few = calculate("Ban chấp hành công đoàn cơ sở có 9 người, nay khuyết 5 người. Có phải tổ chức hội nghị "
                    "thay đại hội không?", "2025-2030")
    assert "chưa quá 2/3" in few.text and few.text.startswith("Trợ lý chưa có quy định tương ứng của HD 38")
    odd = calculate("Ban chấp hành công đoàn cơ sở có 7 người mà khuyết 9 người, có phải họp hội nghị không?",
                    "2023-2028")
    assert "mâu thuẫn" in odd.text


def test_the_union_named_as_a_yardstick_does_not_make_another_bodys_question_the_unions():
    matcher = Matcher(load_entries(KNOWLEDGE_DIR))
    for question in (
            "Bầu đại biểu Quốc hội thì người trúng cử có phải được quá nửa số phiếu hợp lệ giống bầu BCH công đoàn không?",
            "Chi hội Cựu chiến binh cơ quan tôi có được bầu trực tiếp chi hội trưởng như bầu trực tiếp chủ tịch công "
            "đoàn không?",
            "Thôn tôi sắp bầu trưởng thôn. Người được bầu phải đạt bao nhiêu phần trăm số hộ đồng ý? Tôi thấy bầu chủ "
            "tịch công đoàn chỉ cần quá một nửa số phiếu, không biết có giống không."):
        assert matcher.match(question, edition="2025-2030").reason == "out_of_scope", question
    # the union's own question that compares with another body stays the union's
    own = matcher.match("Bầu chủ tịch công đoàn cơ sở có cần quá một nửa số phiếu giống bầu trưởng thôn không?",
                        edition="2025-2030")
    assert own.reason != "out_of_scope"


def test_a_share_of_women_asked_beside_the_bch_size_is_not_answered_with_the_size():
    story = ("CĐCS có 230 đoàn viên, đề án nhân sự BCH dự kiến 9 người nhưng chỉ có 2 nữ. "
             "Tỷ lệ nữ tối thiểu trong BCH là bao nhiêu phần trăm?")
    assert calculate(story, "2023-2028") is None
    assert calculate("CĐCS có 230 đoàn viên thì ban chấp hành bao nhiêu người?", "2023-2028").rule == "bch_size"


def test_who_the_officer_is_does_not_make_another_bodys_question_the_unions_but_the_party_is_context():
    matcher = Matcher(load_entries(KNOWLEDGE_DIR))
    council = ("Tôi là tổ trưởng công đoàn, đồng thời là tổ trưởng tổ dân phố. Sắp tới bầu cử đại biểu HĐND xã "
               "nhiệm kỳ mới, xã tôi bầu 30 đại biểu ở 6 đơn vị bầu cử. Bà con hỏi tôi: danh sách người ứng cử phải "
               "nhiều hơn số được bầu ít nhất mấy người?")
    assert matcher.match(council, edition="2025-2030").reason == "out_of_scope"
    led = ("Tôi là chủ tịch công đoàn xã. Đảng ủy xã yêu cầu đại hội xong trước tháng 10. "
           "Hạn chót đại hội công đoàn cơ sở là ngày nào?")
    result = matcher.match(led, edition="2025-2030")
    assert result.reason != "out_of_scope" and result.status == "answered"


def test_vacancies_threshold_guests_without_moi_and_delegates_asked_beside_the_bch():
    threshold = calculate("BCH công đoàn cơ sở 15 đồng chí. Khuyết từ bao nhiêu ủy viên trở lên mà chưa kịp bầu bổ "
                          "sung thì phải tổ chức hội nghị đại biểu thay đại hội?", "2023-2028")
    assert threshold.rule == "vacancies" and "khuyết từ 11 ủy viên trở lên" in threshold.text
    guests = calculate("Đại hội triệu tập 140 đại biểu chính thức, được mời tối đa bao nhiêu khách?", "2025-2030")
    assert guests.rule == "guests" and "140 × 15% = 21" in guests.text
    convened = calculate("Công đoàn cơ sở có 1.200 đoàn viên, đại hội đại biểu. Ban chấp hành được triệu tập tối "
                         "thiểu bao nhiêu đại biểu chính thức?", "2025-2030")
    assert convened.rule != "bch_size" and "75" in convened.text
    assert normalize("bầu bổ xung") == normalize("bầu bổ sung")


def test_calculators_read_the_question_with_its_typos_mended():
    matcher = Matcher(load_entries(KNOWLEDGE_DIR))
    typed = ("Ban chấp hàn CĐCS công ty em được đại hôi quyết định 15 ủy viên. Vậy tổng cộng đc bầu bổ xung tối đa "
             "bao nhiu người mà ko cần xin cấp trên đồng ý?")
    assert calculate(typed, "2023-2028") is None  # as typed, "ban chấp hàn" names no BCH
    mended = calculate(typed, "2023-2028", matcher.correct_typos)
    assert mended.rule == "supplementary" and "15 × 2/3 = 10" in mended.text


def test_a_parish_council_is_another_body_but_a_congress_report_is_the_unions():
    assert out_of_scope(normalize("Hội đồng mục vụ giáo xứ nhiệm kỳ mấy năm, trúng cử phải quá bao nhiêu phần trăm?"))
    assert out_of_scope(normalize("báo cáo đại hội xiv đánh giá giai đoạn nào")) is None


def test_a_city_asked_about_apart_does_not_lend_its_ceiling_to_the_province_counted():
    both = calculate("lđlđ tỉnh e có 120.000 đv, theo kh 22 thì bch tối đa bn ủy viên? còn tp hcm đc tối đa bn?",
                     "2025-2030")
    assert "tối đa 29 ủy viên" in both.text and "Riêng TP.HCM: KH 22 cho tối đa 65" in both.text
    city = calculate("LĐLĐ TP.HCM có 1.400.000 đoàn viên, theo KH 22 ban chấp hành tối đa bao nhiêu ủy viên?",
                     "2025-2030")
    assert "tối đa 65 ủy viên" in city.text and "Riêng" not in city.text


def test_hcmc_congress_meals_and_the_organisers_allowance_follow_hd_49():
    capped = calculate("CĐCS ở TP.HCM đại hội có 72 đại biểu chính thức và 13 khách mời, tiền ăn tính mức tối đa. "
                       "Tiền ăn hết bao nhiêu và bồi dưỡng ban tổ chức tối đa bao nhiêu?", "2025-2030")
    assert capped.rule == "hcmc_costs" and "(72 + 13) × 300.000 = 25.500.000" in capped.text
    assert "70% × 25.500.000 = 17.850.000" in capped.text and "HD 49" in capped.source
    spent = calculate("CĐCS ở TP.HCM đại hội 90 đại biểu và 10 khách mời, thực chi 250.000 đồng mỗi người tiền ăn. "
                      "Bồi dưỡng ban tổ chức tối đa được bao nhiêu tiền?", "2025-2030")
    assert "(90 + 10) × 250.000 = 25.000.000" in spent.text and "17.500.000" in spent.text
    assert calculate("CĐCS ở Đà Nẵng đại hội 90 đại biểu, tiền ăn hết bao nhiêu?", "2025-2030") is None


def test_a_story_that_opens_on_another_body_and_asks_without_the_union_is_that_bodys():
    matcher = Matcher(load_entries(KNOWLEDGE_DIR))
    council = ("Xã mình sắp bầu cử đại biểu Hội đồng nhân dân xã. Anh chủ tịch công đoàn trường mầm non được giới "
               "thiệu ra ứng cử. Người ứng cử phải đạt bao nhiêu phần trăm số phiếu hợp lệ mới trúng cử?")
    assert matcher.match(council, edition="2025-2030").reason == "out_of_scope"
    union = ("Xã mình sắp bầu cử đại biểu Hội đồng nhân dân xã. Công đoàn cơ sở trường mầm non cũng sắp đại hội. "
             "Người ứng cử ban chấp hành công đoàn phải đạt bao nhiêu phiếu mới trúng cử?")
    assert matcher.match(union, edition="2025-2030").reason != "out_of_scope"


def test_each_bch_size_asked_gets_its_standing_committee_line_and_a_planned_btv_is_not_a_bch():
    both = calculate("BCH CĐCS bên mình có 7 người thì có được bầu ban thường vụ không? Nếu BCH 15 người thì BTV "
                     "được tối đa mấy người?", "2025-2030")
    assert "Ban chấp hành 7 ủy viên thì không bầu" in both.text and "15 : 3 = 5" in both.text
    planned = calculate("Ban chấp hành 15 người, ban thường vụ dự kiến 6 người có được không?", "2025-2030")
    assert "15 : 3 = 5" in planned.text and "6 ủy viên" not in planned.text


def test_a_late_dossier_is_checked_against_the_deadline_of_the_meeting_it_follows():
    late = calculate("Đại hội CĐCS thứ Sáu 14/11/2025, chiều cùng ngày BCH họp hội nghị lần thứ nhất bầu chủ tịch, "
                     "phó chủ tịch và UBKT. Văn phòng đến thứ Ba 02/12/2025 mới gửi tờ trình đề nghị công nhận lên cấp "
                     "trên. Hạn chót gửi hồ sơ là ngày nào, có bị trễ hạn không?", "2025-2030")
    assert "14/11/2025" in late.text and "28/11/2025" in late.text and "quá hạn" in late.text
    on_time = calculate("Hội nghị BCH lần thứ nhất ngày 05/12/2025, ngày 12/12/2025 chúng tôi gửi hồ sơ đề nghị công "
                        "nhận thì có kịp không?", "2025-2030")
    assert "19/12/2025" in on_time.text and "trong hạn" in on_time.text


def test_the_bch_maximum_for_the_members_then_the_standing_committee_of_that_size():
    calc = calculate("CĐCS có 1.150 đoàn viên, BCH cũ đề xuất bầu BCH mới 15 người và BTV 5 người. Theo KH 22 thì được "
                     "bầu BCH tối đa bao nhiêu ủy viên, và nếu bầu đủ số tối đa thì BTV được tối đa mấy người?",
                     "2025-2030")
    assert "tối đa 13 ủy viên" in calc.text and "không quá 4 ủy viên" in calc.text
    assert calc.rule == "bch_size+btv_size"  # "bầu đủ số" fills seats: no quorum is computed
    # A size already given is the one the standing committee is counted from.
    given = calculate("CĐCS 1.150 đoàn viên, BCH 11 người thì BTV tối đa mấy người?", "2025-2030")
    assert given.rule == "btv_size" and "không quá 3 ủy viên" in given.text


def test_a_document_number_is_not_taken_for_a_count():
    calc = calculate("BCH CĐCS nhiệm kỳ 2025–2030 có 9 ủy viên, 5 người đã nghỉ việc. Theo HD 38 thì khuyết bao nhiêu "
                     "ủy viên BCH thì phải tổ chức hội nghị thay cho đại hội?", "2025-2030")
    assert "38" not in calc.text.replace("HD 38", "") and "9 × 2/3 = 6" in calc.text
    # "quyết định 9 ủy viên" is a decision on a count, not Quyết định số 9.
    decided = calculate("Ban chấp hành được đại hội quyết định 9 ủy viên, đã bầu bổ sung 4 người. Được bầu bổ sung tối đa "
                        "bao nhiêu?", "2023-2028")
    assert "9 × 2/3 = 6" in decided.text


def test_a_commune_union_needs_about_1500_members_and_10_grassroots_unions():
    short = calculate("Phường mình có khoảng 1.300 đoàn viên với 12 CĐCS thì có đủ điều kiện lập công đoàn phường riêng "
                      "không?", "2025-2030")
    assert short.rule == "commune_union_founding" and "chưa đủ về số đoàn viên" in short.text
    enough = calculate("Xã có 2.100 đoàn viên và 11 công đoàn cơ sở thì có được thành lập công đoàn xã không?", "2025-2030")
    assert "đạt điều kiện cơ bản" in enough.text
    assert calculate("Xã có 2.100 đoàn viên thì lập công đoàn xã được không?", "2023-2028") is None  # 2025 rule only


def test_a_province_congress_has_its_own_delegate_tiers_and_the_10_percent_allowance():
    calc = calculate("LĐLĐ tỉnh trực tiếp quản lý khoảng 92.000 đoàn viên. Khi chuẩn bị Đại hội Công đoàn tỉnh, BTV dự "
                     "kiến triệu tập 250 đại biểu chính thức cho đủ cơ cấu các công đoàn xã. Số đại biểu tối đa là bao "
                     "nhiêu, triệu tập 250 được không?", "2025-2030")
    assert calc.rule == "delegates_province" and "không quá 200" in calc.text and "220" in calc.text
    # Another rule of the same congress is not a delegates question.
    assert calculate("Đại hội Công đoàn tỉnh (150.000 đoàn viên) được lập tối đa bao nhiêu tiểu ban?",
                     "2025-2030") is None


def test_a_slipped_tone_mark_no_neighbour_supports_is_read_as_the_word_meant():
    congress = entry("lan-thu", "Đại hội lần thứ mấy?", ["đại hội lần thứ mấy", "lần thứ bao nhiêu đại hội",
                     "đại hội thứ mấy", "số thứ tự đại hội"], "Tính tiếp số thứ tự.")
    nearby = entry("lan-can", "Xã lân cận quản lý thế nào?", ["xã lân cận quản lý", "giao xã lân cận",
                   "công đoàn xã lân cận", "lân cận"], "Giao xã lân cận.")
    matcher = Matcher([congress, nearby])
    # "lân thứ": the knowledge writes this pair only as "lần thứ"; "lân" keeps its meaning beside "cận".
    slipped, meant = matcher.match("đại hội là lân thứ mấy"), matcher.match("đại hội là lần thứ mấy")
    assert slipped.best.entry.id == "lan-thu" and slipped.score == meant.score
    assert matcher.match("xã lân cận quản lý ra sao").best.entry.id == "lan-can"


def test_each_candidates_votes_get_their_own_verdict():
    calc = calculate("Thu về 52 phiếu; anh Long được 26 phiếu, chị Vy được 27 phiếu. Anh Long đúng một nửa thì có trúng "
                     "cử không?", "2023-2028")
    assert "26 phiếu là chưa đủ" in calc.text and "27 phiếu là đủ" in calc.text


def test_a_bch_named_as_the_one_who_acts_is_no_question_of_its_size():
    # "BCH phải xét … trong bao nhiêu ngày" counts days, not committee members.
    assert calculate("Công ty có 35 công nhân mới, BCH muốn kết nạp họ. Sau khi nhận đơn thì BCH phải xét kết nạp trong "
                     "bao nhiêu ngày?", "2023-2028") is None
    assert calculate("CĐCS có 35 đoàn viên thì BCH tối đa bao nhiêu ủy viên?", "2023-2028").rule == "bch_size"


def test_the_party_doubted_at_the_end_of_a_union_story_leaves_it_a_union_question():
    story = ("Anh Hùng ủy viên BCH bên em còn khoảng 2 năm nữa là nghỉ hưu, anh ấy muốn tái cử BCH CĐCS. Bí thư chi bộ "
             "bảo cứ để chi bộ quyết là xong, có đúng không ạ?")
    assert out_of_scope_of(story) is None
    # The Party's own congress, with the union named only on the side, stays the Party's.
    assert out_of_scope_of("Chi bộ công ty có 12 đảng viên, cần bao nhiêu đảng viên dự thì đại hội chi bộ hợp lệ? "
                           "(chủ tịch công đoàn cũng là đảng viên)") is not None


def out_of_scope_of(question):
    from knowledge.scope import story_scope
    pairs = analyze(question)
    return story_scope(question, out_of_scope(" ".join(w for w, _ in pairs), typed=tuple(pairs)))


def test_the_next_congress_number_after_a_merger_follows_the_name_kept():
    kept = calculate("CĐCS công ty A đã đại hội lần thứ V. Năm 2026 công ty sáp nhập thêm công ty B, công đoàn sau sáp "
                     "nhập vẫn giữ tên công đoàn công ty A. Kỳ đại hội tới ghi là lần thứ mấy?", "2025-2030")
    assert "lần thứ VI" in kept.text and "7.2" in kept.source
    renamed = calculate("Hai CĐCS hợp nhất, đã đại hội lần thứ III và lần thứ II, công đoàn mới lấy tên mới. Đại hội tới "
                        "là lần thứ mấy?", "2025-2030")
    assert "lần thứ I." in renamed.text


def test_a_calculation_and_the_entry_for_the_rest_of_the_question_are_both_given():
    from handlers.faq import calculation_text
    matcher = Matcher(load_entries(KNOWLEDGE_DIR), "2025-2030")
    question = ("thu về 98 phiếu, đồng chí Nam được 48 phiếu có trúng cử không, còn ủy ban kiểm tra do ai bầu?")
    result = matcher.match(question, edition="2025-2030")
    text, source = calculation_text(calculate(question, result.edition, matcher.correct_typos), result, question)
    assert "48 phiếu là chưa đủ" in text and "ban chấp hành công đoàn cùng cấp bầu" in text
    assert text.count("quá 1/2") + text.count("quá một phần hai") == 1  # the election rule is not told twice
    assert "Điều 10" in source and "HD 38" in source
    # One thing asked: the calculation alone.
    single = "thu về 98 phiếu, đồng chí Nam được 48 phiếu có trúng cử không?"
    alone = matcher.match(single, edition="2025-2030")
    assert calculation_text(calculate(single, alone.edition), alone, single)[0] == calculate(single, alone.edition).text


def test_two_questions_answered_by_one_broad_entry_and_one_narrow_are_both_answered():
    matcher = Matcher(load_entries(KNOWLEDGE_DIR))
    question = ("Ủy ban kiểm tra công đoàn cơ sở do đại hội bầu hay ban chấp hành bầu? Ban chấp hành và ủy ban kiểm tra "
                "mới bầu có phải chờ cấp trên công nhận không?")
    result = matcher.match(question, edition="2023-2028")
    assert {result.best.entry.id, result.also.entry.id} == {"hs-cong-nhan-bch-ubkt", "ubkt-co-quan-bau"}
    assert asking_clauses("Đại hội bầu BCH, còn UBKT do ai bầu và ai công nhận?") == ["UBKT do ai bầu", "ai công nhận"]
    assert asking_clauses("ủy ban kiểm tra do ai bầu") == []


def test_a_sound_alike_mend_keeps_a_syllable_its_other_neighbour_vouches_for():
    matcher = Matcher(load_entries(KNOWLEDGE_DIR))
    # "kết nạp" is a common pair: the unknown "nạp chủ" does not turn it into "kết lập chủ".
    assert matcher.correct_typos("ai ky quyet dinh ket nap chu tich".split())[4:6] == ["ket", "nap"]
    # A weak neighbour does not stop a real mend.
    assert matcher.correct_typos("ban chap han cong doan".split())[:3] == ["ban", "chap", "hanh"]
    assert matcher.correct_typos("phuong tram dai hoi".split())[:2] == ["phuong", "cham"]


def test_delegates_the_union_means_to_convene_not_the_cap_it_quotes():
    calc = calculate("CĐCS 1.200 đoàn viên họp đại hội đại biểu. Theo KH 22 cấp cơ sở được tối đa 150 đại biểu chính "
                     "thức; ban chấp hành muốn triệu tập 170 người. Nếu cấp trên đồng ý thì tối đa bao nhiêu đại biểu?",
                     "2025-2030")
    assert "triệu tập 170" in calc.text and "165" in calc.text
    form = calculate("CĐCS có 185 đoàn viên, anh phó chủ tịch chỉ triệu tập 60 người họp đại hội đại biểu. Lẽ ra phải "
                     "tổ chức hình thức đại hội nào?", "2025-2030")
    assert "toàn thể" in form.text


def test_a_deadline_is_computed_only_when_the_question_asks_one():
    asks_other = ("Đại hội ngày 26/11/2025, chiều cùng ngày hội nghị ban chấp hành lần thứ nhất bầu chủ tịch. Hồ sơ "
                  "đề nghị công nhận đã gửi ngày 01/12/2025. Người vừa trúng cử chủ tịch được ký văn bản từ khi nào?")
    assert calculate(asks_other, "2025-2030") is None
    assert calculate("Hội nghị BCH lần thứ nhất ngày 26/11/2025 thì hạn gửi hồ sơ đề nghị công nhận là ngày nào?",
                     "2025-2030").rule == "working_days"


def test_a_salary_per_month_then_the_base_salary_is_no_salary_scale():
    assert out_of_scope_of("tien luong dong BHXH cua toi la 60 trieu/thang, luong co so 2.340.000 dong thi dong doan "
                           "phi bao nhieu") is None


def test_committee_sizes_read_the_count_given_not_the_tier_bound_quoted():
    bch = calculate("Cong doan co so duoi 50 doan vien thi theo KH 22 ban chap hanh duoc bau bao nhieu uy vien? cong ty "
                    "minh 45 doan vien", "2025-2030")
    assert "45 đoàn viên" in bch.text and "03 ủy viên" in bch.text
    ubkt = calculate("ubkt lđlđ tỉnh mình trực tiếp quản lý 75.000 đv thì theo kh 22 được bầu tối đa mấy uv ạ", "2025-2030")
    assert ubkt.rule == "ubkt_size" and "không quá 09" in ubkt.text
    # A threshold asked is not a size.
    assert calculate("CĐCS có 25 đoàn viên thì có bắt buộc bầu ủy ban kiểm tra không? Ngưỡng là bao nhiêu?",
                     "2025-2030") is None


def test_a_letter_that_greets_then_introduces_a_union_officer_asking_for_another_body_is_that_bodys():
    letter = ("Kính gửi Ban biên tập, tôi là Chủ tịch Công đoàn cơ sở Hợp tác xã, đồng thời là Chi hội trưởng Chi hội "
              "Nông dân bản. Chi hội có 56 hội viên, chuẩn bị đại hội. Xin hỏi theo Điều lệ Hội Nông dân Việt Nam, "
              "chi hội trưởng có được bầu trực tiếp tại đại hội không?")
    matcher = Matcher(load_entries(KNOWLEDGE_DIR))
    assert matcher.match(letter, edition="2025-2030").reason == "out_of_scope"


def test_bch_size_calculators_keep_to_the_level_asked():
    assert calculate("Ban chấp hành công đoàn cấp trên trực tiếp cơ sở quản lý 25.000 đoàn viên, theo HD 38 có tối "
                     "đa bao nhiêu ủy viên?", "2025-2030") is None  # the entry's tiers for that level answer
    grassroots = calculate("CĐCS 300 đoàn viên. Xin hỏi HD 38 và KH 22 mỗi văn bản cho ban chấp hành tối đa bao nhiêu "
                           "ủy viên?", "2025-2030")
    assert "tối đa 09" in grassroots.text and "tối đa 11" in grassroots.text
    province = calculate("Xin hỏi theo KH 22, ban chấp hành công đoàn cấp tỉnh có từ 70.000 đến dưới 100.000 đoàn viên, "
                         "tỉnh tôi 85.000 đoàn viên, được tối đa bao nhiêu ủy viên?", "2025-2030")
    assert province.rule == "bch_province" and "tối đa 27" in province.text


def test_hcmc_allowance_from_one_head_count_of_delegates_and_guests():
    calc = calculate("CĐCS ở TP.HCM đại hội có 80 người gồm đại biểu chính thức và khách mời dùng bữa trưa, tiền ăn tối "
                     "đa 300.000 đồng. Tiền bồi dưỡng ban tổ chức được chi tối đa bao nhiêu?", "2025-2030")
    assert "24.000.000" in calc.text and "16.800.000" in calc.text


def test_the_union_set_aside_in_a_story_about_the_youth_union_leaves_it_the_youth_unions():
    story = ("Tôi là chủ tịch CĐCS công ty, kiêm hỗ trợ Đoàn thanh niên chuẩn bị đại hội. Đoàn TN công ty có 64 đoàn "
             "viên, chia thành 4 chi đoàn. Anh bí thư Đoàn hỏi phải có mặt bao nhiêu đoàn viên thì đại hội Đoàn hợp lệ. "
             "Bên công đoàn thì tôi nắm rồi, còn bên Đoàn thì quy định thế nào?")
    assert out_of_scope_of(story) is not None


def test_a_merger_the_question_denies_is_no_merger():
    calc = calculate("CĐCS 520 đoàn viên, được bầu BCH tối đa 11 người; anh em đề xuất 13 ủy viên. Đơn vị không thuộc "
                     "diện sáp nhập. Muốn tăng thêm số ủy viên BCH thì tăng được bao nhiêu, ai quyết định?", "2025-2030")
    assert calc.rule.startswith("bch_increase") and "11 × 10%" in calc.text and "cấp trên" in calc.text


def test_story_words_do_not_start_a_standing_committee_or_deadline_calculation_by_mistake():
    # "mấy anh khác" in the story is no question; the closing question asks how often the BTV meets.
    assert calculate("BCH 11 người có bầu ban thường vụ 3 người. Anh chủ tịch muốn họp BTV hằng tuần, còn mấy anh "
                     "khác bảo họp nhiều quá. Vậy ban thường vụ họp định kỳ bao lâu một lần?", "2023-2028") is None
    sent = calculate("CĐCS nộp đủ hồ sơ đề nghị công nhận BCH vào thứ Sáu ngày 20/11/2026. Cấp trên phải ra quyết "
                     "định công nhận trong bao nhiêu ngày làm việc, hạn chót là ngày nào?", "2025-2030")
    assert "04/12/2026" in sent.text
    forms = calculate("Đơn vị có 42 đoàn viên, có người bảo phải làm đại hội đại biểu, có người bảo toàn thể. Theo "
                      "Điều lệ khóa XII đại hội có những hình thức nào?", "2023-2028")
    assert "đại hội toàn thể đoàn viên và đại hội đại biểu" in forms.text


def test_a_plan_s_figures_asked_right_or_not_get_a_verdict_each_in_the_edition():
    question = ("CĐCS công ty em có 850 đoàn viên, dự kiến đại hội đại biểu triệu tập 160 đại biểu và bầu BCH {bch} "
                "người. Các con số này có đúng quy định không?")
    new = calculate(question.format(bch=15), "2025-2030")
    assert "triệu tập 160 là vượt mức 150" in new.text and "tối đa 165" in new.text
    assert "bầu 15 là vượt cả mức của KH 22 và HD 38" in new.text
    between = calculate(question.format(bch=12), "2025-2030")
    assert "bầu 12 là vượt mức của KH 22 nhưng trong mức của HD 38" in between.text
    old = calculate(question.format(bch=15), "2023-2028")
    assert "vượt mức 10 người" in old.text and "bầu 15 là trong khung" in old.text and "HD 03" in old.source
    alone = calculate("cđcs 850 đoàn viên bầu bch 15 người có đúng không", "2025-2030")
    assert alone.rule == "bch_size" and "bầu 15 là vượt cả" in alone.text
    assert calculate("cđcs 850 đoàn viên bầu bch 11 người có đúng không", "2025-2030").text.count("trong khung") == 2


def test_the_first_bch_meeting_is_dated_by_its_own_sentence_however_long():
    story = ("Đại hội nhiệm kỳ 2025–2030 của đơn vị xong ngày 6/11/2025, còn hội nghị BCH lần thứ nhất bầu chủ tịch, "
             "phó chủ tịch, UBKT thì họp vào thứ Sáu 14/11/2025. Theo HD 38 thì chậm nhất ngày nào phải gửi hồ sơ "
             "đề nghị công nhận?")
    calc = calculate(story, "2025-2030")
    assert "lần thứ nhất ngày 14/11/2025" in calc.text and "28/11/2025" in calc.text


def test_a_day_written_without_its_year_takes_the_nearest_year_and_a_fraction_stays_a_fraction():
    question = "Đại hội thành lập bên em định làm thứ Sáu 10/3 này, họp BCH bầu phó chủ tịch muộn nhất là ngày nào?"
    calc = calculate(question, "2023-2028", today=date(2023, 3, 1))
    assert "10/03/2023" in calc.text and "24/03/2023" in calc.text
    assert calculate(question, "2023-2028") is None  # no clock, no year: nothing is guessed
    december = calculate("Hội nghị BCH lần thứ nhất họp ngày 5/1, hạn gửi hồ sơ đề nghị công nhận là ngày nào?",
                         "2025-2030", today=date(2026, 12, 20))
    assert "05/01/2027" in december.text
    quorum = calculate("triệu tập 90 đại biểu, có mặt 2/3 là 60 người thì có hợp lệ không", "2023-2028",
                       today=date(2023, 3, 1))
    assert quorum is None or "/2023" not in quorum.text


def test_merged_unions_add_up_a_written_list_and_the_plan_is_judged_not_added():
    calc = calculate("Ba CĐCS sáp nhập theo sắp xếp địa bàn, ban chấp hành cũ lần lượt có 7, 9 và 5 người. Đại hội "
                     "CĐCS mới muốn bầu ban chấp hành 25 người. Có giới hạn nào không?", "2025-2030")
    assert calc.text.startswith("7 + 9 + 5 = 21") and "Bầu 25 là vượt mức này" in calc.text
    raised = calculate("CĐCS A (ban chấp hành 7 người) và CĐCS B (ban chấp hành 5 người) sáp nhập. Ban chấp hành lâm "
                       "thời muốn đề nghị tăng lên 15 ủy viên. Số ủy viên tối đa là bao nhiêu?", "2025-2030")
    assert raised.text.startswith("7 + 5 = 12") and "Bầu 15 là vượt" in raised.text


def test_an_entry_naming_the_recognition_is_not_the_deadline_s_own_rule():
    # "… hạn gửi là ngày nào, hồ sơ gồm những gì?": the deadline is computed, the dossier entry still follows
    assert not states_rule("Hồ sơ đề nghị công nhận ban chấp hành sau đại hội gồm những giấy tờ gì?", "working_days")
    assert states_rule("Sau hội nghị ban chấp hành lần thứ nhất, chậm nhất bao lâu phải gửi hồ sơ?", "working_days")


def test_days_off_the_officer_names_are_skipped_and_said_so():
    calc = calculate("Đại hội thành lập CĐCS vào chiều thứ Sáu 25/8/2023. Hạn chót để chủ tịch triệu tập hội nghị BCH "
                     "lần đầu là ngày nào? Dịp Quốc khánh năm 2023 được nghỉ từ 1/9 đến hết 4/9.", "2023-2028")
    assert "chậm nhất ngày 12/09/2023" in calc.text and "Đã trừ cả những ngày nghỉ anh/chị nêu (01/09–04/09/2023)" \
        in calc.text
    plain = calculate("Đại hội thành lập CĐCS vào chiều thứ Sáu 25/8/2023. Hạn chót họp BCH lần đầu là ngày nào?",
                      "2023-2028")
    assert "chậm nhất ngày 08/09/2023" in plain.text and "Đã trừ cả" not in plain.text


def test_a_quorum_asked_after_the_story_tells_what_is_counted_and_appointed_delegates_after_la():
    calc = calculate("Đại hội toàn thể, BCH triệu tập 61 đoàn viên, biên bản ghi có 40 người dự. Đoàn kiểm tra hỏi "
                     "đại hội có đủ điều kiện hợp lệ không. Tính theo quy định thì cần tối thiểu bao nhiêu người?",
                     "2023-2028")
    assert "61 × 2/3 = 40,67" in calc.text and "thiếu 1 người" in calc.text
    appointed = calculate("Tổng số đại biểu chính thức được triệu tập là 200 thì số đại biểu chỉ định không được vượt "
                          "quá bao nhiêu?", "2023-2028")
    assert "200 × 5% = 10" in appointed.text


def test_counts_of_unions_are_not_attendance_and_a_btv_size_is_not_the_bch_s():
    founding = calculate("Xã chúng tôi chỉ có 4 công đoàn cơ sở, tổng cộng chừng 300 đoàn viên. Không đủ điều kiện lập "
                         "công đoàn xã riêng thì các CĐCS này do đâu quản lý?", "2025-2030")
    assert founding is None or founding.rule != "quorum"
    btv = calculate("CĐCS có 1.500 đoàn viên, đại hội đã bầu BCH đúng bằng mức tối đa của Kế hoạch 22. Chủ tịch đề xuất "
                    "bầu ban thường vụ 5 người. Vậy ban thường vụ tối đa mấy người?", "2025-2030")
    assert "Ban chấp hành 13 ủy viên" in btv.text and "không quá 4 ủy viên" in btv.text


def test_a_raise_is_computed_only_when_the_raise_is_asked():
    calc = calculate("CĐCS có 850 đoàn viên, nhiệm kỳ trước BCH có 9 người, anh em muốn tăng số ủy viên. Đại hội theo "
                     "Kế hoạch 22 thì được bầu tối đa bao nhiêu ủy viên ban chấp hành?", "2025-2030")
    assert calc.rule == "bch_size" and "tối đa 11" in calc.text
    commune = calculate("cđ phường quản lý 1.800 đv, đh đại biểu đc triệu tập tối đa bn đb, tối thiểu bn?", "2025-2030")
    assert "tối đa 100" in commune.text and "không ít hơn 50" in commune.text and "tối đa 110" in commune.text
