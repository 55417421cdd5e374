"""Telegram rendering without a network: splitting, callback data, keyboards, webhook URL, redaction."""
from __future__ import annotations

import logging

from channels.telegram import telegram_webhook_url
from channels.telegram import CallbackCodec, render, split_message, utf16_len, without_feedback
from handlers.messages import Choice, Reply
from logging_setup import RedactSecrets


def test_split_message_cuts_at_paragraph_ends_under_the_limit():
    paragraphs = [f"Đoạn {i}. " + "Câu dài về đại hội công đoàn. " * 30 for i in range(12)]
    text = "\n\n".join(p.strip() for p in paragraphs)
    parts = split_message(text)
    assert len(parts) > 1 and all(len(p) <= 4096 for p in parts)
    assert all(p.endswith("công đoàn.") for p in parts)
    assert "\n\n".join(parts) == text


def test_split_message_counts_emoji_as_telegram_does():
    text = "👍 " * 3000  # 6,000 characters, 9,000 UTF-16 units
    parts = split_message(text)
    assert all(utf16_len(p) <= 4096 for p in parts)
    assert "".join(parts).replace(" ", "") == text.replace(" ", "")


def test_short_message_is_not_split():
    assert split_message("Đại hội hợp lệ khi nào?") == ["Đại hội hợp lệ khi nào?"]


def test_callback_data_is_a_short_id_and_a_too_long_key_is_hashed_and_resolved():
    codec = CallbackCodec(remember=2)
    assert codec.choice("faq:nhiem-ky") == "c:faq:nhiem-ky"
    long_key = "faq:" + "rat-dai-" * 20
    data = codec.choice(long_key)
    assert len(data.encode()) <= 64 and long_key not in data
    assert codec.parse(data) == ("pick", long_key)
    codec.choice("faq:" + "khac-" * 20)
    codec.choice("faq:" + "nua-" * 20)
    assert codec.parse(data) is None  # forgotten after `remember` newer long keys: "expired"


def test_feedback_data_round_trips_and_garbage_is_rejected():
    codec = CallbackCodec()
    assert codec.parse(codec.feedback(42, 1)) == ("feedback", (42, 1))
    assert codec.parse(codec.feedback(42, -1)) == ("feedback", (42, -1))
    for bad in ("", "f:x:+", "f:1:0", "zz", "c:"):
        assert codec.parse(bad) is None


def test_render_puts_choices_back_and_feedback_rows_in_order():
    reply = Reply("Chọn:", choices=[Choice("topic:a", "Bầu cử"), Choice("topic:b", "Nhân sự")],
                  back_key="topics", question_id=7, feedback=True)
    text, markup = render(reply, CallbackCodec())
    rows = [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard]
    assert text == "Chọn:"
    assert rows == [[("Bầu cử", "c:topic:a")], [("Nhân sự", "c:topic:b")], [("⬅️ Quay lại", "c:topics")],
                    [("👍 Hữu ích", "f:7:+"), ("👎 Chưa đúng", "f:7:-")]]
    assert rows[:3] == [[(b.text, b.callback_data) for b in row]
                        for row in without_feedback(markup).inline_keyboard]


def test_render_lists_long_labels_in_full_and_the_buttons_carry_only_their_numbers():
    question = "Bầu chủ tịch công đoàn cơ sở tại hội nghị ban chấp hành lần thứ nhất thế nào?"
    choices = [Choice("faq:a", question)] + [Choice(f"faq:{i}", f"Câu ngắn {i}?") for i in range(2, 8)]
    text, markup = render(Reply("Có phải:", choices=choices, back_key="topics"), CallbackCodec())
    assert text == "Có phải:\n\n" + "\n".join(f"{i}. {c.label}" for i, c in enumerate(choices, start=1))
    rows = [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard]
    assert rows == [[(str(i), f"c:faq:{'a' if i == 1 else i}") for i in range(1, 6)],
                    [("6", "c:faq:6"), ("7", "c:faq:7")], [("⬅️ Quay lại", "c:topics")]]
    # one style: no label is cut, every item keeps its "?"
    assert not any("…" in b.text for row in markup.inline_keyboard for b in row)


def test_reply_without_buttons_has_no_keyboard_and_keeps_its_source_line():
    text, markup = render(Reply("Năm năm.", source="Điều lệ, Điều 10"), CallbackCodec())
    assert (text, markup) == ("Năm năm.\n\n📄 Nguồn: Điều lệ, Điều 10", None)
    assert without_feedback(None) is None


def test_webhook_url_gets_the_telegram_path_only_when_it_has_none():
    assert telegram_webhook_url("https://bot.vi-du.vn") == "https://bot.vi-du.vn/telegram/webhook"
    assert telegram_webhook_url("https://bot.vi-du.vn/") == "https://bot.vi-du.vn/telegram/webhook"
    assert telegram_webhook_url("https://vi-du.vn/tg/hook") == "https://vi-du.vn/tg/hook"


def test_log_redaction_also_covers_exception_texts():
    token = "123456789:AAH-abcdefghijklmnopqrstuvwx"
    handler = logging.Handler()
    handler.addFilter(RedactSecrets([token]))
    handler.setFormatter(logging.Formatter("%(message)s"))
    try:
        raise RuntimeError(f"The token `{token}` was rejected by the server.")
    except RuntimeError as exc:
        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "failed", (), (type(exc), exc, None))
    assert handler.filter(record)
    formatted = handler.format(record)
    assert "rejected by the server" in formatted and token not in formatted
