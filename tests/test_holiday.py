"""The holiday-period report: windows as the holidays package lists them, counts equal to an
independent count of the store, and the planted holiday effects of the sample found by the tests
(fires around 春节 ×3–×10 a day; zzanalytics.sample.truth)."""

from __future__ import annotations

import pandas as pd
import pytest

from zzanalytics.errors import ReportError
from zzanalytics.report import holiday as H  # noqa: N812
from zzanalytics.report import text as tx
from zzanalytics.schema import is_criminal
from zzanalytics.workspace import open_store


@pytest.mark.parametrize(
    ("holiday", "year", "country", "start", "end"),
    [
        ("春节", 2026, "CN", "2026-02-16", "2026-02-23"),  # 除夕, 春节 and the 调休 days off
        ("Spring Festival", 2025, "CN", "2025-01-28", "2025-02-04"),
        ("国庆", 2025, "CN", "2025-10-01", "2025-10-08"),  # with 中秋节 inside
        ("Christmas", 2021, "CA", "2021-12-25", "2021-12-27"),
    ],
)
def test_the_window_is_the_holidays_days_off(holiday, year, country, start, end):
    w = H.holiday_window(holiday, year, country)
    assert (str(w.start.date()), str(w.end.date())) == (start, end)
    assert w.days == (pd.Timestamp(end) - pd.Timestamp(start)).days + 1


def test_an_unknown_holiday_names_those_the_package_knows():
    with pytest.raises(ReportError, match=r"no holiday of that name in CN in 2026; .*National Day"):
        H.holiday_window("Diwali", 2026, "CN")


@pytest.fixture(scope="module")
def spring():
    return H.review(None, "春节", 2026)


def _day(frame: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(frame["occurred_at"]).dt.tz_localize(None).dt.normalize()


def test_counts_equal_an_independent_count_of_the_store(spring):
    with open_store() as st:
        inc = st.incidents("2025-12-01", "2026-02-28")
    day = _day(inc)
    in_window = inc[(day >= "2026-02-16") & (day <= "2026-02-23")]
    ordinary = inc[(day >= spring.ordinary[0]) & (day <= spring.ordinary[1])]
    assert spring.ordinary == (
        pd.Timestamp("2025-12-15"),
        pd.Timestamp("2026-02-08"),
    )  # 8 weeks, a week before
    rows = spring.categories.set_index("category")
    assert rows.loc["criminal", "count"] == int(in_window["category"].map(is_criminal).sum())
    fires = ordinary["category"].str.startswith("fire").sum()
    assert rows.loc["fire", "count"] == in_window["category"].str.startswith("fire").sum()
    assert rows.loc["fire", "ordinary_per_day"] == pytest.approx(fires / 56)
    assert rows.loc["fire", "per_day"] == pytest.approx(rows.loc["fire", "count"] / 8)


def test_the_planted_holiday_effects_are_found_and_nothing_else_is_claimed(spring):
    rows = spring.categories.set_index("category")
    # fires: x10 on 除夕, x8 on 初一, x3 on the next five days -> significantly up on ordinary weeks
    assert rows.loc["fire", "significant_ordinary"] and rows.loc["fire", "direction_ordinary"] == "up"
    # the same effect last year: no significant change on last year's holiday
    assert not rows.loc["fire", "significant_last"]
    assert list(rows.index[rows["significant_ordinary"]]) == ["fire"]


def test_the_page_words_every_change_with_its_test(spring):
    from _briefing import unqualified_changes, visible_text

    text = visible_text(H.render(spring))
    span = tx.period_label("2026-02-16", "2026-02-23", "zh", with_year=True)
    assert "金河区2026年春节假期治安形势分析" in text and f"(假期{span},共8天)" in text
    assert "与平常相比上升显著的有:火灾。" in text
    assert unqualified_changes(text) == []
    assert "元旦" in text  # the holidays inside the ordinary weeks are named
    en = visible_text(H.render(H.review(None, "春节", 2026, area="620102005", lang="en")))
    assert "Chinese New Year (Spring Festival) 2026: public security in" in en
    assert "By township" not in en  # a township's report has no township table
