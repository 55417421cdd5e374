"""Everything the assistant says that is not knowledge content (Vietnamese, with diacritics)."""

BOT_NAME = "Trợ lý Đại hội Công đoàn"
WELCOME_OTHERS = " và cả {terms} khi anh/chị hỏi"

WELCOME = (
    f"Xin chào! Tôi là {BOT_NAME}.\n"
    "Tôi giúp cán bộ công đoàn tổ chức đại hội công đoàn cơ sở, công đoàn bộ phận và đại hội đại biểu, "
    "theo quy định đang có hiệu lực ({current}){others}:\n"
    "• trả lời câu hỏi theo Điều lệ Công đoàn Việt Nam và các hướng dẫn của Tổng Liên đoàn, có ghi nguồn;\n"
    "• gợi ý các chủ đề gần nhất khi câu hỏi chưa rõ.\n\n"
    "Cứ gõ câu hỏi, có dấu hay không dấu đều được. Ví dụ: «đại hội hợp lệ khi nào?», "
    "«bch cdcs toi da bao nhieu nguoi».\n"
    "Gõ «chủ đề» để xem các chủ đề, /help để xem các lệnh; cán bộ có mã đăng ký của đơn vị gõ "
    "«dangky MÃ» để nhận nhắc hạn."
)

HELP = (
    "Cách dùng:\n"
    "• Gõ câu hỏi bất kỳ về đại hội công đoàn, ví dụ «bầu chủ tịch công đoàn cơ sở thế nào».\n"
    "• Khi tôi đưa ra các lựa chọn đánh số, gõ số (1, 2, 3) để chọn.\n"
    "• «chủ đề»: xem danh sách chủ đề.\n"
    "• «giúp»: xem lại hướng dẫn này."
)

WHO_AM_I = (
    f"Tôi là {BOT_NAME}, trợ lý trả lời tự động về tổ chức đại hội công đoàn. Tôi trả lời dựa trên các văn "
    "bản đã được kiểm chứng (Điều lệ Công đoàn Việt Nam, hướng dẫn, kế hoạch của Tổng Liên đoàn) và tài liệu "
    "tập huấn; khi không chắc chắn tôi sẽ nói rõ. Tôi không thay thế văn bản của công đoàn cấp trên."
)

THANKS = "Không có gì ạ! Chúc đại hội của đơn vị thành công. Anh/chị cần hỏi thêm cứ nhắn nhé."
GREETING = f"Xin chào anh/chị! Tôi là {BOT_NAME}. Anh/chị cần hỏi gì về tổ chức đại hội công đoàn?"
GOODBYE = "Tạm biệt anh/chị! Khi cần, cứ nhắn cho tôi."
ACK = ("Vâng ạ. Khi cần, anh/chị cứ gõ câu hỏi về đại hội công đoàn, hoặc gõ «chủ đề» để xem các chủ đề "
       "tôi trả lời được.")

EMPTY = "Anh/chị chưa nhập nội dung. Hãy gõ câu hỏi về đại hội công đoàn, ví dụ «đại hội hợp lệ khi nào?»."
NO_LETTERS = ("Tôi chưa hiểu tin nhắn này. Anh/chị vui lòng gõ câu hỏi bằng chữ, ví dụ "
              "«nhiệm kỳ đại hội công đoàn cơ sở mấy năm?».")
NO_CHOICES = ("Lúc này không có danh sách nào để chọn theo số. Anh/chị gõ câu hỏi bằng chữ, ví dụ «đại hội "
              "hợp lệ khi nào?», hoặc gõ «chủ đề» để xem các chủ đề rồi chọn theo số.")
NOT_VIETNAMESE = ("Xin lỗi, tôi chỉ hiểu câu hỏi bằng tiếng Việt (có dấu hoặc không dấu). "
                  "Anh/chị vui lòng gõ lại bằng tiếng Việt.")
TOO_LONG = ("Tin nhắn dài quá ({length} ký tự). Anh/chị vui lòng rút gọn câu hỏi dưới {limit} ký tự "
            "để tôi tìm câu trả lời chính xác hơn.")
NOT_UTF8 = ("Dòng này không đọc được vì không phải chữ mã UTF-8. Anh/chị lưu tệp câu hỏi dưới dạng UTF-8 "
            "rồi chạy lại.")
UNKNOWN_COMMAND = "Tôi không có lệnh «{command}». Gõ /help để xem các lệnh, hoặc cứ gõ câu hỏi."

SUGGEST_INTRO = "Tôi chưa chắc anh/chị hỏi ý nào. Có phải một trong các câu sau?"
SUGGEST_PICK = "Gõ số {numbers} để chọn."
NOT_FOUND = ("Xin lỗi, tôi chưa có thông tin để trả lời câu hỏi này, và tôi không muốn đoán. "
             "Câu hỏi đã được ghi lại để cán bộ phụ trách bổ sung.")
OUT_OF_SCOPE = ("Câu hỏi này nằm ngoài phạm vi của tôi: tôi chỉ trả lời về tổ chức đại hội công đoàn. "
                "Anh/chị vui lòng hỏi cơ quan, tổ chức phụ trách nội dung đó.")
TOPICS_INTRO = "Các chủ đề tôi có thể trả lời:"
TOPIC_QUESTIONS = "Các câu hỏi trong chủ đề «{topic}»:"
PICK_EXPIRED = "Lựa chọn này đã hết hạn. Anh/chị vui lòng hỏi lại."
# The question asks a detail (a place, a sum, a count of unions, a day) the closest entry does not give.
MISSING_DETAIL_NOTE = ("Trợ lý chưa có thông tin về {detail} mà anh/chị hỏi; dưới đây là điều đã biết gần nhất, "
                       "đề nghị hỏi thêm công đoàn cấp trên.")
EDITION_NOTE = ("⚠️ Lưu ý: trợ lý chưa có quy định đã kiểm chứng của {active} cho câu hỏi này; dưới đây là "
                "quy định của {edition}.")
OUT_OF_SCOPE_ORG = ("Câu hỏi này là về {name}, không phải tổ chức Công đoàn. Tôi chỉ trả lời về đại hội và "
                    "quy định tổ chức của Công đoàn Việt Nam, nên không muốn đoán quy định của tổ chức khác.")
OUT_OF_SCOPE_SUBJECT = ("Câu hỏi này thuộc lĩnh vực {name}, ngoài phạm vi của tôi: tôi chỉ trả lời về đại hội "
                        "và quy định tổ chức của Công đoàn Việt Nam.")
OUT_OF_SCOPE_ASK = "Anh/chị nên hỏi {where}."
SECOND_PART = "Về ý «{question}»:"  # a question that asks two things gets both answers
RELATED_INTRO = "Nếu anh/chị muốn hỏi ý khác gần với câu này:"
MIXUP_UNION_RULE = "Để anh/chị khỏi nhầm, quy định của Công đoàn về điểm này: {rule}"
FEEDBACK_THANKS_UP = "Cảm ơn anh/chị đã đánh giá!"
FEEDBACK_THANKS_DOWN = "Cảm ơn anh/chị! Câu trả lời sẽ được xem lại để cải thiện."
FEEDBACK_NOT_ASKER = "Chỉ người đã hỏi câu này mới đánh giá được câu trả lời."
ERROR = "Xin lỗi, đã có lỗi khi xử lý tin nhắn. Anh/chị vui lòng thử lại sau ít phút."
NON_TEXT = ("Tôi chỉ đọc được tin nhắn chữ, chưa xem được ảnh, nhãn dán, tệp hay tin nhắn thoại. "
            "Anh/chị vui lòng gõ câu hỏi bằng chữ, ví dụ «đại hội hợp lệ khi nào?».")
