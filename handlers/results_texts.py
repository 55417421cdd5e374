"""Fixed Vietnamese sentences of congress results (/baocao), progress (/tiendo), acceptance (/congnhan),
follow-up assignments (/phancong) and the late-unit nudges and digests."""

# -- /baocao ------------------------------------------------------------------------------------------------
GROUP_REFUSED = "Báo cáo kết quả đại hội chỉ làm trong tin nhắn riêng với trợ lý, không làm trong nhóm."
NOT_ALLOWED = ("Anh/chị chưa được báo cáo cho đơn vị «{name}»: chỉ cán bộ đã đăng ký của đơn vị đó, hoặc "
               "quản trị viên của công đoàn cấp trên phụ trách đơn vị, mới báo cáo được.")
NO_UNIT = "Không có đơn vị mã «{code}». Anh/chị kiểm tra lại mã đơn vị."
NOT_REGISTERED = ("Anh/chị chưa đăng ký đơn vị nào nên chưa báo cáo được. Gõ /dangky kèm mã đăng ký do "
                  "công đoàn cấp trên gửi, rồi gõ /baocao.")
ADMIN_WHICH = "Anh/chị gõ /baocao kèm mã đơn vị cần báo cáo, ví dụ: /baocao CDCS-01"
WHICH_UNIT = "Anh/chị báo cáo kết quả đại hội cho đơn vị nào?"
LOCKED = ("Kết quả đại hội của «{name}» đã được công đoàn cấp trên công nhận ngày {when}, nên không sửa "
          "trong trò chuyện được nữa. Cần sửa, anh/chị liên hệ cán bộ phụ trách ở công đoàn cấp trên.")
LOCKED_ADMIN = " Quản trị viên mở lại để sửa bằng /congnhan {code}."
START = ("📝 Báo cáo kết quả đại hội — {name}\nTrợ lý hỏi lần lượt {count} câu; trả lời từng câu một. "
         "Gõ «hủy» bất cứ lúc nào để thôi (chưa có gì được ghi).")
RESUME = "📝 Báo cáo kết quả đại hội — {name}: anh/chị đang trả lời dở, tiếp tục từ câu này."
EXISTING = ("📝 «{name}» đã báo cáo kết quả ({when}). Anh/chị xem lại dưới đây; chọn «Sửa một mục» để sửa, "
            "kết quả còn sửa được cho tới khi công đoàn cấp trên công nhận.")
HINT_NUMBER = "(Gõ một số. Gõ «hủy» để thôi.)"
HINT_ZERO = "(Gõ một số; gõ 0 nếu không bầu. Gõ «hủy» để thôi.)"
HINT_DATE = "(Gõ ngày dạng dd/mm/yyyy, ví dụ 15/03/2023, hoặc chọn bên dưới. Gõ «hủy» để thôi.)"
CANCEL = "❌ Hủy báo cáo"
CANCELLED = "Đã hủy. Chưa có kết quả nào được ghi (kết quả đã gửi trước đó, nếu có, giữ nguyên)."
SUBMIT = "✅ Gửi báo cáo"
EDIT = "✏️ Sửa một mục"
BACK_TO_SUMMARY = "⬅️ Về bản tóm tắt"
KEEP = "Đúng, giữ số liệu này (ghi kèm lưu ý)"
REENTER = "Nhập lại"
EDIT_WHICH = "Anh/chị muốn sửa mục nào?"
SUMMARY_TITLE = "📋 Kết quả đại hội — {name} ({code})"
SUMMARY_CONFIRM = "Anh/chị kiểm tra lại rồi chọn «Gửi báo cáo», hoặc «Sửa một mục»."
SAVED = ("✅ Đã ghi kết quả đại hội của «{name}». Công đoàn cấp trên sẽ xem và công nhận; trước đó anh/chị "
         "vẫn sửa được bằng /baocao. Nhắc báo cáo kết quả của đơn vị đã dừng.")
UPDATED = "✅ Đã cập nhật kết quả đại hội của «{name}» (sửa: {fields})."
UNCHANGED = "Kết quả đại hội của «{name}» không có gì thay đổi."
FLAGGED_NOTE = "⚠️ Lưu ý kèm theo: {notes}"
PICK_STALE = "Câu hỏi này đã qua. Anh/chị trả lời câu đang hỏi:"
NO_FLOW = "Không có báo cáo nào đang làm dở. Gõ /baocao để bắt đầu."
CHOOSE_NUMBER = "Anh/chị chọn bằng cách gõ số từ 1 đến {count}."

QUESTIONS = {
    "held_on": "Đại hội được tổ chức ngày nào?",
    "form": "Hình thức đại hội?",
    "convened": "Số {who} được triệu tập?",
    "present": "Số {who} có mặt tại đại hội?",
    "bch_elected": "Đại hội bầu ban chấp hành bao nhiêu ủy viên?",
    "chair_elected_by": "Chủ tịch công đoàn được bầu thế nào?",
    "chair_post": "Chức vụ của đồng chí chủ tịch công đoàn tại đơn vị?",
    "ubkt_elected": "Đại hội bầu ủy ban kiểm tra bao nhiêu ủy viên?",
    "delegates_elected": "Đại hội bầu bao nhiêu đại biểu đi dự đại hội công đoàn cấp trên?",
    "bch_women": "Trong ban chấp hành có bao nhiêu ủy viên nữ?",
}
LABELS = {
    "held_on": "Ngày đại hội",
    "form": "Hình thức",
    "convened": "Số được triệu tập",
    "present": "Số có mặt",
    "bch_elected": "Ban chấp hành",
    "chair_elected_by": "Cách bầu chủ tịch",
    "chair_post": "Chức vụ của chủ tịch",
    "ubkt_elected": "Ủy ban kiểm tra",
    "delegates_elected": "Đại biểu dự đại hội cấp trên",
    "bch_women": "Ủy viên nữ trong ban chấp hành",
}
WHO = {"toan_the": "đoàn viên", "dai_bieu": "đại biểu"}
FORM_OPTIONS = {"toan_the": "Đại hội toàn thể", "dai_bieu": "Đại hội đại biểu"}
CHAIR_BY_OPTIONS = {"dai_hoi": "Đại hội bầu trực tiếp", "bch": "Ban chấp hành bầu (hội nghị lần thứ nhất)"}
CHAIR_POST_OPTIONS = {"cap_pho": "Cấp phó của người đứng đầu đơn vị", "truong_phong": "Trưởng phòng và tương đương",
                      "khac": "Khác"}
TODAY = "Hôm nay ({day})"
YESTERDAY = "Hôm qua ({day})"
PLANNED = "Ngày dự kiến ({day})"

# -- answers that cannot be used ------------------------------------------------------------------------------
BAD_NUMBER = "«{text}» không phải một số. Anh/chị gõ một số, ví dụ 45."
TWO_NUMBERS = "Anh/chị gõ một số thôi (tin nhắn có {count} số)."
BAD_DATE = "«{text}» không phải ngày. Anh/chị gõ ngày dạng dd/mm/yyyy, ví dụ 15/03/2023."
FUTURE_DATE = "Ngày {day} chưa tới. Báo cáo sau khi đại hội đã diễn ra; anh/chị kiểm tra lại ngày."
OLD_DATE = "Ngày {day} đã quá xa (hơn 3 năm). Anh/chị kiểm tra lại ngày đại hội."
BAD_CHOICE = "Anh/chị chọn một trong các mục dưới đây (bấm hoặc gõ số)."
CONVENED_ZERO = "Số được triệu tập phải lớn hơn 0."
TOO_BIG = "Số {value} lớn quá, anh/chị kiểm tra lại."
PRESENT_OVER = ("Số có mặt ({present}) không thể nhiều hơn số được triệu tập ({convened}). Anh/chị gõ lại số "
                "có mặt (hoặc sửa số được triệu tập ở bản tóm tắt).")
QUORUM_LOW = ("Có mặt {present}/{convened} người, dưới 2/3 số được triệu tập (cần ít nhất {need}). {rule} "
              "Nếu số liệu đúng, kết quả được ghi kèm lưu ý này để công đoàn cấp trên xem xét.")
QUORUM_RULE = "Đại hội hợp lệ khi có ít nhất 2/3 tổng số thành viên được triệu tập tham dự — {source}."
BCH_OUT = "Ban chấp hành {value} ủy viên là ngoài khung: {frame} ({source}). Anh/chị gõ lại số ủy viên."
BCH_NONE_ALLOWED = "Theo khung, {frame} ({source}): anh/chị gõ 0."
BCH_ABOVE_USUAL = ("Ban chấp hành {value} ủy viên vượt mức {usual:02d} của KH 22/KH-TLĐ dù còn trong mức tối đa "
                   "của HD 38/HD-TLĐ: {frame}. Hai văn bản khác nhau; nếu đúng, kết quả được ghi kèm lưu ý này.")
BCH_UNKNOWN_MEMBERS = ("Ban chấp hành {value} ủy viên là ngoài khung chung ({low}–{high} ủy viên, {source}). "
                       "Anh/chị gõ lại số ủy viên.")
BCH_OVER_CONVENED = "Ban chấp hành ({value}) không thể đông hơn số được triệu tập ({convened}). Anh/chị gõ lại."
CHAIR_NEEDS_BCH = ("Đại hội không bầu ban chấp hành thì chủ tịch do đại hội bầu trực tiếp. Anh/chị chọn lại, "
                   "hoặc sửa số ủy viên ban chấp hành.")
OVER_CONVENED = "Số {value} nhiều hơn số được triệu tập ({convened}). Anh/chị gõ lại."
WOMEN_OVER = "Số ủy viên nữ ({value}) không thể nhiều hơn số ủy viên ban chấp hành ({bch}). Anh/chị gõ lại."

FLAG_NOTES = {
    "quorum": "số có mặt dưới 2/3 số được triệu tập",
    "bch_frame": "số ủy viên ban chấp hành vượt mức của KH 22/KH-TLĐ (còn trong mức tối đa của HD 38/HD-TLĐ)",
}

# -- /tiendo ------------------------------------------------------------------------------------------------
STATE_LABELS = {
    "accepted": "Đã công nhận kết quả",
    "reported": "Đã báo cáo, chờ công nhận",
    "held_unreported": "Đã đại hội, chưa báo cáo",
    "late": "Quá hạn chưa báo cáo",
    "upcoming": "Sắp đại hội",
    "no_date": "Chưa có ngày đại hội",
    "postponed": "Hoãn",
}
PROGRESS_TITLE = "📊 Tiến độ đại hội — {scope} (đến {day})"
PROGRESS_EMPTY = "Chưa có đơn vị nào trong phạm vi này. Nhập danh sách đơn vị: bot.py import units TỆP.xlsx"
PROGRESS_LATE = "Quá hạn chưa báo cáo ({count}):"
PROGRESS_LATE_NONE = "Không có đơn vị nào quá hạn chưa báo cáo. 👍"
PROGRESS_MORE = "… và {count} đơn vị khác (danh sách đủ: bot.py progress --xlsx tien-do.xlsx)."
PROGRESS_MINE = "các đơn vị anh/chị phụ trách"
PROGRESS_MINE_NONE = ("Anh/chị chưa được phân công phụ trách đơn vị nào. Quản trị viên phân công bằng /phancong.")
PROGRESS_OUT_OF_SCOPE = "Đơn vị «{code}» không thuộc phạm vi anh/chị quản trị."
CHART_CAPTION = "tien-do-dai-hoi.png"

# -- /congnhan --------------------------------------------------------------------------------------------------
ACCEPT_LIST = "Kết quả đại hội chờ công nhận ({count}). Chọn một đơn vị để xem và công nhận:"
ACCEPT_NONE = "Không có kết quả nào chờ công nhận trong phạm vi của anh/chị."
ACCEPT_NO_RESULT = "Đơn vị «{name}» chưa báo cáo kết quả đại hội."
ACCEPT_BUTTON = "✅ Công nhận kết quả"
REOPEN_BUTTON = "↩️ Mở lại để đơn vị sửa"
ACCEPTED = "✅ Đã công nhận kết quả đại hội của «{name}». Kết quả không sửa trong trò chuyện được nữa."
REOPENED = "↩️ Đã mở lại kết quả của «{name}»: cán bộ của đơn vị sửa được bằng /baocao."
RESULT_STATUS = "Trạng thái: {status}; báo cáo bởi {who} lúc {when}."
RESULT_ACCEPTED_BY = " Công nhận lúc {when}."

# -- /phancong ----------------------------------------------------------------------------------------------
ASSIGN_WHO = "Phân công phụ trách: chọn cán bộ (quản trị viên) sẽ theo dõi các đơn vị:"
ASSIGN_NOBODY = "Chưa có quản trị viên nào khác trong phạm vi của anh/chị để phân công (thêm bằng bot.py admin add)."
ASSIGN_UNITS = ("Anh/chị gõ mã các đơn vị giao cho {who} phụ trách, cách nhau bằng dấu phẩy (ví dụ CDCS-01, "
                "CDCS-02). Gõ «bỏ» rồi các mã để thôi giao; «bỏ hết» để thôi giao mọi đơn vị. Gõ «hủy» để thôi.")
ASSIGN_CURRENT = "Đang phụ trách {count} đơn vị: {codes}."
ASSIGN_DONE = "✅ Đã giao {count} đơn vị cho {who} phụ trách: {codes}."
ASSIGN_REMOVED = "Đã thôi giao {count} đơn vị cho {who}."
ASSIGN_UNKNOWN = "Không có đơn vị mang mã: {codes}. Anh/chị gõ lại, hoặc «hủy» để thôi."
ASSIGN_OUTSIDE = "Các đơn vị sau không thuộc phạm vi {whose}: {codes}. Anh/chị gõ lại, hoặc «hủy» để thôi."
ASSIGN_YOURS = "anh/chị quản trị"
ASSIGN_THEIRS = "của {who}"
ASSIGN_CANCELLED = "Đã thôi phân công; không có gì thay đổi."
