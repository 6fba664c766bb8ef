"""Any period: quarter and year counts (the API and ``zz counts``) are the sums of their months, and
periods are worded the way each is said, in Chinese and English (one table per language).

Known truth: the monthly counts of the same store, summed by pandas; the wording tables below.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from zzanalytics.aggregate import counts, partial_periods
from zzanalytics.cli import app
from zzanalytics.report.periods import baseline_note, period_label, period_name
from zzanalytics.store.coverage import Coverage

# (start, end) -> (zh, en without the year, zh with the year, en with the year)
WORDING = {
    ("2025-01-01", "2025-12-31"): ("2025年", "2025", "2025年", "2025"),
    ("2025-01-01", "2025-06-30"): ("上半年", "H1", "2025年上半年", "H1 2025"),
    ("2025-07-01", "2025-12-31"): ("下半年", "H2", "2025年下半年", "H2 2025"),
    ("2025-01-01", "2025-03-31"): ("一季度", "Q1", "2025年一季度", "Q1 2025"),
    ("2025-07-01", "2025-09-30"): ("三季度", "Q3", "2025年三季度", "Q3 2025"),
    ("2025-10-01", "2025-12-31"): ("四季度", "Q4", "2025年四季度", "Q4 2025"),
    ("2025-01-01", "2025-09-30"): ("1–9月", "January–September", "2025年1–9月", "January–September 2025"),
    ("2025-02-01", "2025-04-30"): ("2–4月", "February–April", "2025年2–4月", "February–April 2025"),
    ("2025-03-01", "2025-03-31"): ("3月", "March", "2025年3月", "March 2025"),
    ("2025-11-01", "2026-02-28"): (
        "2025年11月至2026年2月",
        "November 2025 – February 2026",
        "2025年11月至2026年2月",
        "November 2025 – February 2026",
    ),
    ("2025-03-05", "2025-06-30"): (
        "3月5日至6月30日",
        "5 March – 30 June",
        "2025年3月5日至6月30日",
        "5 March – 30 June 2025",
    ),
    ("2025-03-05", "2025-03-20"): ("3月5日至20日", "5–20 March", "2025年3月5日至20日", "5–20 March 2025"),
    ("2025-05-06", "2025-05-06"): ("5月6日", "6 May", "2025年5月6日", "6 May 2025"),
    ("2025-12-20", "2026-01-10"): (
        "2025年12月20日至2026年1月10日",
        "20 December 2025 – 10 January 2026",
        "2025年12月20日至2026年1月10日",
        "20 December 2025 – 10 January 2026",
    ),
}


@pytest.mark.parametrize(("span", "words"), WORDING.items(), ids=[f"{a}_{b}" for a, b in WORDING])
def test_periods_are_worded_as_they_are_said(span, words) -> None:
    got = (
        period_label(*span, "zh"),
        period_label(*span, "en"),
        period_label(*span, "zh", with_year=True),
        period_label(*span, "en", with_year=True),
    )
    assert got == words


@pytest.mark.parametrize(
    ("start", "freq", "zh", "en"),
    [
        ("2025-01-01", "year", "2025年", "2025"),
        ("2025-04-01", "quarter", "2025年二季度", "Q2 2025"),
        ("2025-11-01", "month", "2025年11月", "November 2025"),
        ("2024-12-30", "week", "2025年第1周", "week 1 of 2025"),  # the ISO year
        ("2025-02-28", "day", "2025年2月28日", "28 February 2025"),
    ],
)
def test_a_period_of_a_counts_grid_is_named_by_its_length(start, freq, zh, en) -> None:
    assert (period_name(start, freq, "zh"), period_name(start, freq, "en")) == (zh, en)


def test_the_same_period_last_year_is_named_when_the_range_is_not_whole_months() -> None:
    assert baseline_note("2026-01-01", "2026-09-30") == ""
    assert baseline_note("2025-11-01", "2026-02-28", "en") == ""
    assert baseline_note("2026-03-05", "2026-06-30") == "去年同期为2025年3月5日至6月30日"
    assert (
        baseline_note("2024-02-10", "2024-02-29", "en") == "the same period last year is 10–28 February 2023"
    )
    assert baseline_note("2025-12-20", "2026-01-10") == "去年同期为2024年12月20日至2025年1月10日"


def _sum_months(monthly: pd.DataFrame, rule: str, keys: list[str]) -> pd.DataFrame:
    m = monthly.assign(period=pd.to_datetime(monthly["period"]).dt.to_period(rule).dt.start_time)
    return m.groupby([*keys, "period"], as_index=False)["count"].sum()


@pytest.mark.parametrize("store", ["sample_store", "city_store"])
def test_quarter_and_year_counts_equal_the_sums_of_their_months(store, request) -> None:
    inc = request.getfixturevalue(store).incidents()
    keys = ["category"]
    monthly = counts(inc, freq="month", by=keys, level=1, coverage=Coverage.complete())
    for freq, rule in (("quarter", "Q"), ("year", "Y")):
        got = counts(inc, freq=freq, by=keys, level=1, coverage=Coverage.complete())
        want = _sum_months(monthly, rule, keys)
        pd.testing.assert_frame_equal(
            got.reset_index(drop=True), want.astype(got.dtypes.to_dict()), check_dtype=False
        )
        assert got["count"].sum() == len(inc) == monthly["count"].sum()


def test_zz_counts_by_quarter_and_year_with_a_note_on_a_partial_period(tmp_path: Path, sample_store) -> None:
    runner = CliRunner()
    out = {}
    for freq in ("month", "quarter", "year"):
        res = runner.invoke(
            app, ["counts", "--freq", freq, "--by", "category", "--out", str(tmp_path / f"{freq}.csv")]
        )
        assert res.exit_code == 0, res.output
        out[freq] = pd.read_csv(tmp_path / f"{freq}.csv", parse_dates=["period"])
        if freq != "month":
            assert f"note: the {freq} from 2026-" in res.output and "covered only to 2026-10-31" in res.output
    assert set(out["quarter"]["period"].dt.month) == {1, 4, 7, 10}
    for freq, rule in (("quarter", "Q"), ("year", "Y")):
        want = _sum_months(out["month"], rule, ["category"]).set_index(["category", "period"])["count"]
        got = out[freq].set_index(["category", "period"])["count"]
        pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False)
    assert partial_periods("2019-01-03", "2026-10-30", "month") == [
        "note: the month from 2019-01-01 is covered only from 2019-01-03: its count is partial",
        "note: the month from 2026-10-01 is covered only to 2026-10-30: its count is partial",
    ]
