"""A detail asked that the closest entry does not give is said to be unknown before that entry."""
from handlers.faq import answer_text
from knowledge.asked_detail import missing_detail
from knowledge.entries import load_entries
from settings import KNOWLEDGE_DIR


def test_a_place_a_sum_a_count_or_a_day_missing_from_the_answer_is_named():
    assert missing_detail("Đại hội tổ chức ở hội trường nào?", "Đại hội họp ngày 28/04/2023.") == "địa điểm tổ chức"
    assert missing_detail("mỗi cđbp được cấp bn tiền?", "Kế hoạch giao cho ban chấp hành.") == "số tiền"
    assert missing_detail("Quận có bao nhiêu công đoàn cơ sở phải đại hội?", "Đại hội lần thứ XI.") == \
        "số công đoàn cơ sở"
    assert missing_detail("Đại hội lần thứ XI dự kiến tổ chức vào ngày nào?", "Là đại hội lần thứ XI.") == \
        "ngày cụ thể"


def test_an_answer_that_holds_the_detail_or_says_it_is_unknown_gets_no_note():
    assert missing_detail("Tập huấn tổ chức ở đâu, hội trường nào?", "Tại Hội trường Bộ Tư lệnh, số 18C.") == ""
    assert missing_detail("mức chi tiền ăn bao nhiêu tiền", "Tối đa 300.000 đồng một người một ngày.") == ""
    assert missing_detail("có bn đồng chí chủ tịch là cấp phó?", "45 chủ tịch là cấp phó.") == ""  # people, not money
    assert missing_detail("mức chi bao nhiêu tiền", "Hiện chưa có quy định cố định trên toàn quốc.") == ""
    # in a story only the sentence that asks counts
    assert missing_detail("Năm ngoái công ty tôi muốn thử bầu trực tiếp chủ tịch giống mấy đơn vị bạn. Anh chủ tịch "
                          "định tự quyết. Vậy ai quyết định việc này?", "Ban thường vụ cấp trên quyết định.") == ""


def test_the_reply_says_so_before_the_closest_entry():
    entry = next(e for e in load_entries(KNOWLEDGE_DIR) if e.id == "ba-dinh-dai-hoi-xi")
    text = answer_text(entry, entry.edition, "Quận Ba Đình có bao nhiêu công đoàn cơ sở phải đại hội?")
    assert text.startswith("Trợ lý chưa có thông tin về số công đoàn cơ sở") and entry.answer in text
    assert answer_text(entry, entry.edition, "Đại hội quận Ba Đình là lần thứ mấy?") == entry.answer
