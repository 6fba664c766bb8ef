"""The foreign sample city end to end (issue 11, "Must show"): counts on the city's own clock, no
zeros outside coverage, the briefing's default period inside the police data, sections without
data saying so, forecasts of a series whose data ended starting after its end, the city's identity.

Known truth: the published exports themselves, counted by pandas on their naive wall-clock strings.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from zzanalytics.aggregate import counts
from zzanalytics.cli import app
from zzanalytics.report.briefing import check_period, load, render_section, resolve_period, title

CITY = Path(__file__).resolve().parents[1] / "data" / "city"
POLICE = CITY / "police_incidents_2014-2021.csv.gz"
FIRE = CITY / "fire_incidents_2011-2022.csv.gz"
COLLISIONS = CITY / "collisions_persons_2007-2019.zip"
SPANS = {"police": ("2014-01", "2021-12"), "fire": ("2011-01", "2022-12"), "traffic": ("2007-01", "2019-12")}
runner = CliRunner()


def _police_truth() -> pd.DataFrame:
    import tomllib

    raw = pd.read_csv(POLICE, dtype=str, keep_default_na=False)
    cats = tomllib.loads((CITY / "mappings" / "police.toml").read_text(encoding="utf-8"))["categories"]
    return pd.DataFrame({"when": pd.to_datetime(raw["OCC_DATE"]), "category": raw["OFFENCE"].map(cats)})


def _fire_truth() -> pd.DataFrame:
    raw = pd.read_csv(FIRE, dtype=str)
    return pd.DataFrame({"when": pd.to_datetime(raw["TFS_Alarm_Time"]), "category": "fire"})


def _traffic_truth() -> pd.DataFrame:
    with zipfile.ZipFile(COLLISIONS) as zf:
        persons = pd.read_csv(zf.open("KSI.csv"), dtype=str, keep_default_na=False)
    first = persons.drop_duplicates("ACCNUM")
    when = pd.to_datetime(first["DATE"] + " " + first["TIME"].str.zfill(4), format="%Y-%m-%d %H%M")
    return pd.DataFrame({"when": when, "category": "traffic"})


@pytest.mark.parametrize("freq,rule", [("month", "M"), ("day", "D")])
def test_counts_equal_pandas_on_the_city_wall_clock(city_store, freq: str, rule: str) -> None:
    inc = city_store.incidents()
    mine = counts(inc, freq=freq, by=("category",))
    mine = mine[mine["count"] > 0].set_index(["category", "period"])["count"].sort_index()
    truth = pd.concat([_police_truth(), _fire_truth(), _traffic_truth()])
    want = (
        truth.assign(period=truth["when"].dt.to_period(rule).dt.start_time)
        .groupby(["category", "period"])
        .size()
        .sort_index()
    )
    pd.testing.assert_series_equal(mine, want, check_names=False, check_index_type=False)


def test_no_category_shows_zeros_outside_its_coverage(city_store) -> None:
    inc = city_store.incidents()
    grid = counts(inc, freq="month", by=("category",), start="2005-01-01", end="2023-12-31")
    for cat, g in grid.groupby("category"):
        key = "fire" if cat == "fire" else ("traffic" if cat == "traffic" else "police")
        months = pd.to_datetime(g["period"]).dt.strftime("%Y-%m")
        assert (months.min(), months.max()) == SPANS[key], cat
    # the city's total is counted only where all of its sources have data
    total = counts(inc, freq="year", by=())
    assert pd.to_datetime(total["period"]).dt.year.tolist() == list(range(2014, 2020))


def test_default_briefing_period_lies_inside_the_police_data(city_store, tmp_path: Path) -> None:
    start, end = resolve_period(city_store, None)
    assert (str(start.date()), str(end.date())) == ("2021-01-01", "2021-12-31")
    check_period(city_store, "2022-01-01", "2022-06-30")  # the fires cover 2022: briefed, police say no data
    args = ["briefing", "--store", str(city_store.path), "--period", "2023-01-01:2023-06-30"]
    result = runner.invoke(app, [*args, "--out", str(tmp_path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "no data of the store cover any day of it" in result.output
    assert "criminal cases 2014-01-01 to 2021-12-31" in result.output and "fire 2011-01-" in result.output
    assert "2021-01-01:2021-12-31" in result.output and not list(tmp_path.iterdir())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sections_without_data_say_so_in_words(city_store, lang: str) -> None:
    ctx = load(city_store, lang=lang)
    safety = str(render_section("safety", ctx))
    if lang == "zh":
        assert "本期无交通事故数据(现有交通事故数据的时间范围为2007年1月3日至2019年12月31日)" in safety
        assert "道路交通事故0起" not in safety and "未发生重大道路交通事故" not in safety
        assert "发生火灾" in safety and "万加元" in safety and "万元" not in safety
    else:
        assert "No traffic data for this period (the traffic data cover 3 January 2007" in safety
        assert "0 road traffic accidents" not in safety
        assert "fires in 2021" in safety and "CAD " in safety and "CNY" not in safety
    # a period where the traffic data end part-way: said, not counted
    part = str(render_section("safety", load(city_store, "2019-07-01", "2020-06-30", lang=lang)))
    assert ("只覆盖本期的一部分" if lang == "zh" else "cover only part of this period") in part
    # the city's name in the title, no rate ranking where there is no population
    head = str(title(ctx))
    assert ("Lakeport" in head) and ("City of Lakeport" in head) == (lang == "en")


def test_a_first_year_of_data_is_not_compared_with_zeros(city_store) -> None:
    ctx = load(city_store, "2014-01-01", "2014-06-30", lang="en")
    overall = str(render_section("overall", ctx))
    assert "no data for the same period last year" in overall
    assert "down 100" not in overall and "up 100" not in overall and "stable" not in overall


@pytest.mark.slow
def test_forecasts_of_ended_series_start_after_their_end(city_store, tmp_path: Path) -> None:
    out = tmp_path / "fc.csv"
    args = ["forecast", "--store", str(city_store.path), "--by", "category", "--level", "1", "--horizon", "3"]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    fc = pd.read_csv(out, parse_dates=["period"])
    first = fc.groupby("category")["period"].min().dt.strftime("%Y-%m")
    assert first["traffic"] == "2020-01" and first["fire"] == "2023-01" and first["theft"] == "2022-01"
    assert (fc.groupby("category")["mean"].min() > 0).all()
    assert np.isfinite(fc["hi80"]).all()
