"""Fixed Vietnamese sentences of the admin features: roles, broadcasts, statistics, unanswered questions."""

NOT_ADMIN = ("Xin lỗi, lệnh /{command} ({purpose}) chỉ dành cho cán bộ quản trị của công đoàn cấp trên. "
             "Nếu anh/chị cần dùng lệnh này, vui lòng liên hệ công đoàn cấp trên để được cấp quyền. "
             "Gõ /help để xem các lệnh anh/chị dùng được.")
NOT_ADMIN_CHOICE = ("Xin lỗi, lựa chọn này chỉ dành cho cán bộ quản trị của công đoàn cấp trên. "
                    "Gõ /help để xem các lệnh anh/chị dùng được.")
ADMIN_PRIVATE_ONLY = ("Lệnh /{command} là lệnh quản trị, chỉ dùng trong tin nhắn riêng với trợ lý, "
                      "không dùng trong nhóm.")
ADMIN_CHOICE_PRIVATE_ONLY = "Các lựa chọn quản trị chỉ dùng trong tin nhắn riêng với trợ lý, không dùng trong nhóm."

# -- broadcast ------------------------------------------------------------------------------------------
ASK_TEXT = ("📣 Soạn thông báo. Anh/chị gửi nội dung thông báo trong tin nhắn tiếp theo "
            "(có thể gửi kèm một ảnh hoặc một tệp, nội dung ghi ở phần chú thích). Gõ /huy để thôi.")
EMPTY_TEXT = "Thông báo chưa có nội dung. Anh/chị gõ nội dung thông báo, hoặc /huy để thôi."
TEXT_TOO_LONG = ("Nội dung dài {length} ký tự, quá giới hạn {limit} ký tự của một tin nhắn{what}. "
                 "Anh/chị rút gọn rồi gửi lại.")
WITH_ATTACHMENT = " kèm tệp"
CHOOSE_TARGET = "Gửi thông báo này tới ai?"
TARGET_ALL = "Tất cả cán bộ"
TARGET_LEVEL = "Theo cấp đơn vị"
TARGET_SUBTREE = "Một đơn vị và các đơn vị trực thuộc"
TARGET_UNITS = "Các đơn vị theo mã"
TARGET_PENDING = "Chỉ đơn vị chưa tổ chức đại hội"
CANCEL = "❌ Hủy"
CONFIRM = "✅ Gửi"
CHOOSE_LEVEL = "Chọn cấp đơn vị:"
ASK_SUBTREE = "Anh/chị gõ mã đơn vị cấp trên (ví dụ CTCS-01): thông báo gửi tới đơn vị đó và mọi đơn vị trực thuộc."
ASK_UNITS = "Anh/chị gõ các mã đơn vị, cách nhau bằng dấu phẩy hoặc khoảng trắng (ví dụ CDCS-01, CDCS-02)."
UNKNOWN_UNITS = "Không có đơn vị mang mã: {codes}. Anh/chị kiểm tra lại rồi gõ lại, hoặc /huy để thôi."
OUT_OF_SCOPE_UNITS = "Các đơn vị sau không thuộc phạm vi anh/chị quản trị: {codes}."
NO_CODES = "Anh/chị chưa gõ mã đơn vị nào. Gõ mã, hoặc /huy để thôi."
NOTICE_HEADER = "📢 Thông báo của {sender} — ngày {day}"
NOTICE_SENDER_FALLBACK = "công đoàn cấp trên"
PREVIEW = ("📣 Xem trước thông báo\n\n{text}\n\n"
           "Gửi tới: {target} — {units} đơn vị, {recipients} người nhận.{blocked}{attachment}\n"
           "Bấm «Gửi» để gửi, hoặc «Hủy».")
PREVIEW_BLOCKED = "\n({blocked} người đã chặn trợ lý nên không nhận được.)"
PREVIEW_ATTACHMENT = "\nKèm theo: {kind} «{name}»."
NO_RECIPIENTS = ("Nhóm này chưa có người nhận nào (chưa cán bộ nào đăng ký vào các đơn vị đã chọn). "
                 "Anh/chị chọn nhóm khác, hoặc /huy để thôi.")
CANCELLED = "Đã hủy thông báo. Không tin nhắn nào được gửi."
NOTHING_TO_CANCEL = "Không có thông báo nào đang soạn."
ALREADY_QUEUED = "Thông báo này đã được gửi đi rồi (không gửi lại lần nữa)."
DRAFT_GONE = "Bản nháp thông báo này không còn (đã gửi hoặc đã hủy). Gõ /thongbao để soạn thông báo mới."
SENDING = "📤 Đang gửi thông báo #{id}: đã gửi {sent}/{total}, lỗi {failed}, đang chờ {waiting}."
FINISHED = ("✅ Đã gửi xong thông báo #{id} ({when}): {sent}/{total} người nhận đã nhận, "
            "{failed} không gửi được{blocked_note}{unknown_note}{waiting_note}.")
WAITING_NOTE = "; {waiting} (kênh chưa chạy nên chưa gửi được; sẽ gửi khi kênh chạy)"
WAITING_CHANNEL = "chờ kênh {channel}: {count}"
UNKNOWN_NOTE = ", {unknown} chưa rõ đã nhận hay chưa (máy chủ không trả lời kịp; không gửi lại để tránh trùng)"
ATTACHMENT_KINDS = {"photo": "ảnh", "document": "tệp"}

# -- statistics -----------------------------------------------------------------------------------------
STATS_TITLE = "📊 Thống kê trợ lý {days} ngày gần nhất ({period})"
STATS_SCOPE = "Phạm vi: {unit} và các đơn vị trực thuộc"
STATS_SCOPE_ALL = "Phạm vi: mọi đơn vị"

# -- unanswered -----------------------------------------------------------------------------------------
UNANSWERED_NONE = "Không có câu hỏi nào chưa trả lời được trong {days} ngày gần nhất. 👍"
UNANSWERED_TITLE = ("❓ Câu hỏi chưa trả lời được ({days} ngày gần nhất), gộp các câu giống nhau. "
                    "Chọn một nhóm để gắn vào mục kiến thức có sẵn:")
UNANSWERED_GROUP = ("❓ «{text}»\nHỏi {count} lần, lần cuối {last}.{others}\n\n"
                    "Chọn mục kiến thức để thêm câu này làm một cách hỏi mới (có hiệu lực ngay):")
UNANSWERED_OTHERS = "\nCác cách hỏi giống: {others}"
# A scoped admin sees their subtree's questions only, and cannot change the shared knowledge entries.
SCOPE_WORDS = "cán bộ đơn vị {unit} và các đơn vị trực thuộc"
UNANSWERED_NONE_SCOPED = ("Không có câu hỏi nào chưa trả lời được của " + SCOPE_WORDS
                          + " trong {days} ngày gần nhất. 👍")
UNANSWERED_TITLE_SCOPED = ("❓ Câu hỏi chưa trả lời được của " + SCOPE_WORDS + " ({days} ngày gần nhất), "
                           "gộp các câu giống nhau. Chọn một nhóm để xem:")
UNANSWERED_GROUP_SCOPED = ("❓ «{text}»\nHỏi {count} lần, lần cuối {last}.{others}{near}\n\n"
                           "Các mục kiến thức dùng chung cho mọi đơn vị, nên việc thêm câu này làm cách hỏi "
                           "của một mục do quản trị viên toàn hệ thống làm. Anh/chị có thể chuyển câu hỏi cho "
                           "họ, hoặc bỏ qua nhóm này.")
UNANSWERED_NEAR = "\nMục kiến thức gần nhất: {entries}"
ATTACH_NEEDS_GLOBAL = ("Xin lỗi, chỉ quản trị viên toàn hệ thống mới thêm được cách hỏi vào mục kiến thức, "
                       "vì các mục kiến thức dùng chung cho mọi đơn vị (anh/chị quản trị đơn vị {unit} và "
                       "các đơn vị trực thuộc). Không có gì thay đổi.")
QUESTION_OUT_OF_SCOPE = ("Xin lỗi, câu hỏi này không phải của " + SCOPE_WORDS + ", nên anh/chị không xử lý "
                         "được. Không có gì thay đổi.")
BY_TOPIC = "📚 Chọn mục khác theo chủ đề"
DISMISS = "🗑 Bỏ qua nhóm này"
TOPICS_PICK = "Chọn chủ đề của mục kiến thức sẽ nhận câu «{text}»:"
TOPIC_ENTRIES = "Chọn mục trong chủ đề «{topic}» để gắn «{text}»:"
ATTACHED = ("✅ Đã thêm «{text}» làm cách hỏi của mục «{question}» ({count} câu hỏi trong nhóm). "
            "Từ giờ câu hỏi này được trả lời ngay, kể cả sau khi nạp lại kho kiến thức.")
ATTACHED_ALREADY = "Mục «{question}» đã có cách hỏi này rồi; nhóm câu hỏi đã được đánh dấu là đã xử lý."
DISMISSED = "Đã bỏ qua nhóm «{text}» ({count} câu hỏi); nhóm này không hiện trong danh sách nữa."
GROUP_GONE = "Nhóm câu hỏi này đã được xử lý hoặc không còn. Gõ /chuatraloi để xem danh sách mới."
ENTRY_GONE = "Mục kiến thức này không còn (kho kiến thức đã được nạp lại). Gõ /chuatraloi để chọn lại."
