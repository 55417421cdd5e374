"""Fixed Vietnamese sentences of units, registration, deadlines and reminders (kept apart from texts.py,
which holds the FAQ side)."""

COMMANDS_HINT = ("Lệnh: /hanchot — các hạn sắp tới; /lich — cả lịch của đơn vị; /lich ics — tệp lịch; "
                 "/roi — rời đơn vị; /nhacnho tat — tắt nhắc hạn.")

DANGKY_HOW = ("Anh/chị gõ /dangky kèm mã đơn vị do công đoàn cấp trên gửi, ví dụ: /dangky K7M2QX9P "
              "(hoặc bấm đường dẫn đăng ký mà cấp trên gửi).")
CODE_MALFORMED = ("Mã «{code}» không đúng dạng: mã đăng ký chỉ gồm chữ cái không dấu và chữ số, ví dụ "
                  "K7M2QX9P. Anh/chị kiểm tra lại mã do công đoàn cấp trên gửi.")
CODE_WRONG = ("Mã «{code}» không đúng: không có đơn vị nào dùng mã này. Anh/chị kiểm tra lại mã do công đoàn "
              "cấp trên gửi. Còn {left} lần thử trong {minutes} phút.")
CODE_LOCKED = ("Anh/chị đã nhập sai mã {count} lần. Để bảo vệ thông tin các đơn vị, vui lòng thử lại sau "
               "khoảng {minutes} phút, hoặc liên hệ công đoàn cấp trên để lấy đúng mã.")
JOINED = "✅ Đã đăng ký anh/chị vào đơn vị «{name}» ({level})."
ALREADY_MEMBER = "Anh/chị đã ở trong đơn vị «{name}» rồi."
REMINDERS_WILL_COME = ("Tôi sẽ nhắc trước mỗi mốc {days} ngày, lúc {hour} (giờ Việt Nam), "
                       "không nhắn từ 21:00 đến 07:00.")
REMINDERS_OFF_NOTE = "Nhắc hạn của anh/chị đang tắt; gõ /nhacnho bat để bật lại."

NOT_REGISTERED = ("Anh/chị chưa đăng ký đơn vị nào. " + DANGKY_HOW)
LEAVE_WHICH = "Anh/chị đang ở {count} đơn vị. Gõ /roi kèm mã đơn vị muốn rời:"
LEAVE_NOT_MEMBER = "Anh/chị không ở đơn vị có mã «{code}». Các đơn vị của anh/chị:"
LEFT = ("Đã rời đơn vị «{name}». Anh/chị sẽ không nhận nhắc hạn của đơn vị này nữa. "
        "Muốn vào lại, gõ /dangky kèm mã đăng ký.")
LICH_WHICH = "Anh/chị đang ở {count} đơn vị. Gõ /lich kèm mã đơn vị (thêm «ics» để nhận tệp lịch):"
ICS_CAPTION = ("📎 Tệp lịch của «{name}» ({count} mốc). Mở tệp để thêm vào lịch điện thoại hoặc Google "
               "Calendar, Outlook.")
ICS_EMPTY = "Đơn vị «{name}» chưa có mốc nào có ngày, nên chưa có tệp lịch."
BAD_STORED_DATE = ("Ngày đại hội của đơn vị lưu trong hệ thống bị sai, nên tôi chưa tính được các mốc và chưa "
                   "nhắc hạn. Anh/chị báo công đoàn cấp trên để sửa lại ngày đại hội.")

NEXT_HEADER = "⏳ Các hạn sắp tới"
NOTHING_AHEAD = "Không còn mốc nào sắp tới trong kế hoạch."
NO_PLAN = ("Đơn vị chưa gắn kế hoạch của công đoàn cấp trên, nên tôi chỉ biết ngày đại hội. "
           "Các mốc khác theo kế hoạch của công đoàn cấp trên trực tiếp.")

NHACNHO_STATUS_ON = "Nhắc hạn đang bật. Gõ /nhacnho tat để tắt."
NHACNHO_STATUS_OFF = "Nhắc hạn đang tắt. Gõ /nhacnho bat để bật."
NHACNHO_OFF = ("Đã tắt nhắc hạn. Anh/chị vẫn xem được hạn bằng /hanchot và /lich. "
               "Gõ /nhacnho bat để bật lại.")
NHACNHO_ON = "Đã bật nhắc hạn. " + REMINDERS_WILL_COME
NHACNHO_HOW = "Gõ /nhacnho tat để tắt, /nhacnho bat để bật nhắc hạn."
