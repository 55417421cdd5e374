"""Vietnamese normalisation: diacritics, đ, abbreviations, filler, punctuation, odd Unicode."""
import unicodedata

from knowledge.normalize import fold, has_letters, is_vietnamese_or_latin, normalize


def test_fold_removes_diacritics_and_maps_d_stroke():
    assert fold("Đại hội Công đoàn cơ sở") == "dai hoi cong doan co so"


def test_fold_treats_decomposed_and_composed_input_alike():
    decomposed = unicodedata.normalize("NFD", "Ủy ban kiểm tra")
    assert fold(decomposed) == fold("Ủy ban kiểm tra") == "uy ban kiem tra"


def test_abbreviations_expand_to_full_words():
    assert normalize("ĐH CĐCS bầu BCH, UBKT") == "dai hoi cong doan co so bau ban chap hanh uy ban kiem tra"
    assert normalize("cdbp bau bn uv") == "cong doan bo phan bau bao nhieu uy vien"


def test_chat_filler_is_dropped_but_meaningful_syllables_stay():
    assert normalize("Cho em hỏi ad ơi, đại hội hợp lệ khi nào ạ?") == "dai hoi hop le khi nao"
    # "chỉ", "tối", "ban", "Hà" fold to syllables that look like filler but carry meaning here
    assert normalize("đại biểu chỉ định tối đa") == "dai bieu chi dinh toi da"
    assert normalize("ủy ban kiểm tra Hà Nội") == "uy ban kiem tra ha noi"


def test_numbers_dates_and_fractions_survive_punctuation_cleanup():
    assert normalize("2/3 số đại biểu; ngày 30/4/2023, có 1.100 người.") == \
        "2/3 so dai bieu ngay 30/4/2023 co 1.100 nguoi"
    assert normalize("tối đa 5%") == "toi da 5 phan tram"


def test_control_and_zero_width_characters_are_removed():
    assert normalize("đại\u200bhội\x00 hợp\tlệ") == "dai hoi hop le"


def test_letter_and_script_detection():
    assert not has_letters("🙂🙂🙂 ???")
    assert has_letters("ĐH")
    assert is_vietnamese_or_latin("đại hội")
    assert not is_vietnamese_or_latin("工会代表大会")
    assert not is_vietnamese_or_latin("профсоюз")


def test_full_width_and_eth_lookalikes_fold_like_plain_letters():
    assert normalize("ＣĐＣＳ") == "cong doan co so"
    assert fold("Ðại hội") == "dai hoi"


def test_sound_alike_misspelling_of_a_real_syllable_is_corrected_by_its_pair():
    from knowledge.entries import Entry
    from knowledge.matcher import Matcher
    entry = Entry("pc", "T", "Phương châm đại hội là gì?", ["a b c d"] * 4, "Đổi mới.", "x", "2023-2028", "KC")
    other = Entry("pt", "T", "Tỷ lệ phần trăm là gì?", ["e f g h"] * 4, "50%.", "x", "2023-2028", "KC")
    matcher = Matcher([entry, other])
    assert matcher.correct_typos("phuong tram dai hoi".split()) == ["phuong", "cham", "dai", "hoi"]
    assert matcher.correct_typos("phan tram".split()) == ["phan", "tram"]


def test_officers_words_for_a_member_and_the_members_fee_read_as_the_knowledge_writes_them():
    assert normalize("đơn vị có 55 công đoàn viên") == "don vi co 55 doan vien"
    assert normalize("có phải đóng phí công đoàn không") == "co phai dong doan phi khong"
    # ... but a union of civil servants and the employer's 2% stay what they are.
    assert normalize("công đoàn viên chức tỉnh") == "cong doan vien chuc tinh"
    assert normalize("kinh phí công đoàn") == "kinh phi cong doan"


def test_a_city_written_as_one_word_is_the_city():
    assert normalize("Công đoàn TPHCM") == normalize("Công đoàn TP.HCM") == "cong doan thanh pho ho chi minh"


def test_the_frame_of_a_letter_to_a_qa_column_carries_no_meaning():
    assert normalize("Cho tôi hỏi: nhiệm kỳ đại hội là mấy năm? Xin tư vấn giúp tôi. Chân thành cảm ơn!") \
        == normalize("nhiệm kỳ đại hội là mấy năm")


def test_a_letter_dropped_is_restored_by_the_pair_the_knowledge_uses_often():
    from knowledge.entries import load_entries
    from knowledge.matcher import Matcher
    from settings import KNOWLEDGE_DIR
    matcher = Matcher(load_entries(KNOWLEDGE_DIR))
    # "đàn" and "trog" are typos for "đoàn" and "trong"; "quy trnh" could be "tranh" or "trình".
    assert matcher.correct_typos("dai hoi cong dan co so".split())[:4] == ["dai", "hoi", "cong", "doan"]
    assert matcher.correct_typos("quy trnh thanh lap".split()) == ["quy", "trinh", "thanh", "lap"]
    # A pair the knowledge uses stays as it is.
    assert matcher.correct_typos("dang vien".split()) == ["dang", "vien"]
    assert matcher.correct_typos("dan vien".split()) == ["doan", "vien"]  # not "đảng viên"
