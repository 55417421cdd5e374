"""Fixed Vietnamese sentences of what the scheduler sends on its own: the late units' nudge and the admins'
weekly digest, the note under a demo plan's reminders, and a broadcast's final report."""

# -- reminders ------------------------------------------------------------------------------------------------
EXAMPLE_PLAN = ("(Dữ liệu minh họa: ngày đã dời cho gần hôm nay; số ngày nộp hồ sơ, báo cáo chỉ là ví dụ — "
                "công đoàn cấp trên của anh/chị quy định số ngày thật.)")

# -- late units: the one nudge to officers, the weekly digest to admins ---------------------------------------
NUDGE_REPORT = ("⏰ Quá hạn báo cáo kết quả đại hội — {name}\n"
                "Hạn báo cáo của đơn vị là {deadline} ({ago}); công đoàn cấp trên chưa nhận được kết quả. "
                "Anh/chị gõ /baocao để báo cáo ngay trong trò chuyện (10 câu ngắn). Nếu đơn vị đã báo cáo "
                "bằng văn bản, anh/chị bỏ qua tin này.")
NUDGE_HOLD = ("⏰ Quá hạn hoàn thành đại hội — {name}\n"
              "Theo kế hoạch của công đoàn cấp trên, đại hội phải xong trước {deadline} ({ago}). Nếu đơn vị đã "
              "đại hội, anh/chị gõ /baocao để báo cáo kết quả; nếu chưa, đề nghị báo công đoàn cấp trên ngày "
              "dự kiến.")
DIGEST_TITLE = "📊 Tiến độ đại hội, tuần {week} — {scope}"
DIGEST_LATE = "Quá hạn chưa báo cáo: {count} đơn vị"
DIGEST_MORE = "… và {count} đơn vị khác. Gõ /tiendo để xem đầy đủ."
DIGEST_HINT = "Gõ /tiendo để xem tiến độ và biểu đồ; bot.py progress --xlsx để lấy bảng tính."
SCOPE_ALL = "mọi đơn vị"
SCOPE_UNIT = "các đơn vị thuộc {name}"

# -- the report of a finished broadcast ----------------------------------------------------------------------
BLOCKED_NOTE = " (trong đó {blocked} người đã chặn trợ lý)"
UNKNOWN_LINE = "\n• Chưa rõ đã nhận hay chưa: {unknown} (máy chủ không trả lời kịp; không gửi lại để tránh trùng)"
# Rows of a channel that does not run where the dispatcher runs (Zalo not configured, the console's
# demo users): they wait for that channel, and the report says so rather than waiting for them.
WAITING_LINE = "\n• Chờ kênh {channel}: {count} (kênh này chưa chạy nên chưa gửi được; sẽ gửi khi kênh chạy)"
CHANNEL_LABELS = {"telegram": "Telegram", "zalo": "Zalo", "console": "chạy thử trên máy"}
REPORT = ("📊 Báo cáo thông báo #{id} — {target}\n"
          "• Đã gửi: {sent}/{total}\n"
          "• Không gửi được: {failed}{blocked_note}{unknown_line}{waiting_lines}\n"
          "• Bắt đầu: {queued}; xong: {finished}")
