"""One style for dates: a day with its weekday where someone acts on it, ranges "từ A đến B" with both
ends written alike, moments "HH:MM ngày dd/mm/yyyy"; /thongke over long periods by week or by month."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from handlers import insight
from datefmt import date_range, moment
from knowledge.plan import item_when
from knowledge.plan import TimelineItem


def test_a_window_in_a_timeline_gives_both_ends_their_weekday():
    item = TimelineItem(key="bp", title="Đại hội công đoàn bộ phận", day=date(2026, 12, 30),
                        from_day=date(2026, 12, 16))
    assert item_when(item) == "từ thứ Tư, 16/12/2026 đến thứ Tư, 30/12/2026"


def test_ranges_write_both_ends_the_same_way_and_one_day_once():
    assert date_range(date(2023, 3, 1), date(2023, 3, 7), weekday=False) == "từ 01/03/2023 đến 07/03/2023"
    assert date_range(date(2023, 3, 1), date(2023, 3, 1)) == "thứ Tư, 01/03/2023"


def test_a_moment_is_hanoi_time_then_the_date():
    assert moment(datetime(2023, 3, 9, 17, 30, tzinfo=timezone.utc)) == "00:30 ngày 10/03/2023"


def _stats(days: int, per_day: int = 1) -> insight.Stats:
    until = date(2023, 3, 31)
    since = until - timedelta(days=days - 1)
    stats = insight.Stats(since, until, days)
    stats.per_day = [(since + timedelta(days=i), per_day) for i in range(days)]
    return stats


def _period_lines(text: str) -> list[str]:
    return text.split("\n")[text.split("\n").index(next(l for l in text.split("\n") if l.startswith("Câu hỏi mỗi"))) + 1:]


def test_thongke_of_a_week_keeps_a_line_a_day_with_weekdays():
    lines = _period_lines(insight.stats_text(_stats(7)))
    assert len(lines) == 7 and lines[-1] == "  thứ Sáu, 31/03/2023: 1"


def test_thongke_30_is_summarised_by_week_and_the_counts_add_up():
    text = insight.stats_text(_stats(30, per_day=2))
    assert "Câu hỏi mỗi tuần" in text
    lines = _period_lines(text)
    assert 5 <= len(lines) <= 6
    assert lines[0] == "  từ 02/03/2023 đến 05/03/2023: 8"       # the first week cut to the period
    assert lines[1] == "  từ 06/03/2023 đến 12/03/2023: 14"      # then Monday to Sunday
    assert sum(int(line.rsplit(": ", 1)[1]) for line in lines) == 60
    assert len(text.split("\n")) < 20


def test_thongke_365_is_summarised_by_month_and_a_cut_month_says_its_days():
    lines = _period_lines(insight.stats_text(_stats(365)))
    assert lines == [f"  tháng {m:02d}/2022: {n}" for m, n in zip(range(4, 13), (30, 31, 30, 31, 31, 30, 31, 30, 31))
                     ] + ["  tháng 01/2023: 31", "  tháng 02/2023: 28", "  tháng 03/2023: 31"]
    lines = _period_lines(insight.stats_text(_stats(360)))
    assert lines[0] == "  tháng 04/2022 (từ 06/04/2022 đến 30/04/2022): 25" and len(lines) == 12


def test_the_stats_title_names_the_period_in_the_range_style():
    text = insight.stats_text(_stats(7))
    assert text.startswith("📊 Thống kê trợ lý 7 ngày gần nhất (từ 25/03/2023 đến 31/03/2023)")


def test_thongke_30_in_chat_is_short(assistant):
    from tests.admin_fixtures import admin_msg, make_admins
    make_admins(assistant.db)
    [reply] = assistant.handle(admin_msg("/thongke 30"))
    assert "Câu hỏi mỗi tuần" in reply.text and len(reply.text.split("\n")) < 20
