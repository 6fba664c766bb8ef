"""Coverage: what each source covers is recorded at ingest, and no period outside it is ever a zero.

Known truth: a police export declared complete for 2014-2015 (with one stray record of 2013), a
sparse fire export from March 2013 to 17 June 2016 with quiet months inside, petitions of 2015.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from zzanalytics import Coverage, CoverageWarning
from zzanalytics.aggregate import counts, covered, dispute_summary, petition_counts
from zzanalytics.cli import app
from zzanalytics.errors import MappingError
from zzanalytics.ingest import ingest_files, read_mapping
from zzanalytics.store import open_store

runner = CliRunner()

POLICE = {
    "source": {"table": "incidents", "timezone": "Europe/Berlin", "coverage": ["2014-01-01", "2015-12-31"]},
    "columns": {"incident_id": "id", "occurred_at": "when", "category": "what", "area_code": "area"},
    "categories": {"burglary": "theft.burglary", "car": "theft.vehicle", "assault": "assault"},
}
FIRE = {
    "source": {"table": "incidents"},
    "columns": {"occurred_at": "when", "area_code": "area"},
    "constants": {"category": "fire"},
}
PETITIONS = {
    "source": {"table": "petitions"},
    "columns": {"received_on": "day", "area_code": "area"},
    "constants": {"level": "city", "form": "individual", "persons": 1},
}
QUIET_FIRE_MONTHS = ("2014-05", "2015-02")


def _write(tmp: Path) -> dict[str, Path]:
    rng = np.random.default_rng(1)
    days = pd.date_range("2014-01-01", "2015-12-31", freq="D")
    n = 1500
    when = rng.choice(days, n) + pd.to_timedelta(rng.integers(0, 86400, n), unit="s")
    police = pd.DataFrame(
        {
            "id": [f"P{i}" for i in range(n)],
            "when": pd.DatetimeIndex(when).strftime("%Y-%m-%d %H:%M:%S"),
            "what": rng.choice(["burglary", "car", "assault"], n),
            "area": "1",
        }
    )
    stray = pd.DataFrame({"id": ["S1"], "when": ["2013-06-05 10:00:00"], "what": ["burglary"], "area": ["1"]})
    pd.concat([police, stray]).to_csv(tmp / "police.csv", index=False)
    fdays = pd.date_range("2013-03-01", "2016-06-17", freq="D")
    fdays = fdays[~fdays.strftime("%Y-%m").isin(QUIET_FIRE_MONTHS)]
    picks = np.sort(rng.choice(fdays[1:-1], 1500))
    fires = pd.DatetimeIndex([fdays[0], *picks, fdays[-1]])
    pd.DataFrame({"when": fires.strftime("%Y-%m-%d 12:00"), "area": "2"}).to_csv(
        tmp / "fire.csv", index=False
    )
    pd.DataFrame(
        {"day": pd.date_range("2015-01-05", "2015-12-20", freq="7D").strftime("%Y-%m-%d"), "area": "1"}
    ).to_csv(tmp / "petitions.csv", index=False)
    return {"police": tmp / "police.csv", "fire": tmp / "fire.csv", "petitions": tmp / "petitions.csv"}


def _build(folder: Path) -> tuple[Path, dict]:
    files = _write(folder)
    path = folder / "zz.duckdb"
    reps = {
        "police": ingest_files([files["police"]], POLICE, store=path),
        "fire": ingest_files([files["fire"]], FIRE, store=path),
        "petitions": ingest_files([files["petitions"]], PETITIONS, store=path),
    }
    return path, reps


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The three sources ingested once per module (three ingests: the module's main cost)."""
    return _build(tmp_path_factory.mktemp("coverage"))


@pytest.fixture
def store(built: tuple[Path, dict], tmp_path: Path) -> tuple[Path, dict]:
    """A copy of the built store for one test to read or change (it records the built folder's paths)."""
    import shutil

    path = tmp_path / "zz.duckdb"
    shutil.copy(built[0], path)
    return path, built[1]


@pytest.fixture
def fresh_store(tmp_path: Path) -> tuple[Path, dict]:
    """The store built in the test's own folder: for re-ingesting its files by the same paths."""
    return _build(tmp_path)


def _months(frame: pd.DataFrame) -> list[str]:
    return sorted(pd.to_datetime(frame["period"]).dt.strftime("%Y-%m").unique())


def test_ingest_records_each_source_coverage(store) -> None:
    path, reps = store
    with open_store(path) as st:
        files = st.coverage(by_file=True)
        spans = st.coverage().to_frame()
    police = files[files["source_file"] == "police.csv"].set_index("category")
    assert sorted(police.index) == ["assault", "theft.burglary", "theft.vehicle"]
    assert (police["first"] == "2014-01-01").all() and (police["last"] == "2015-12-31").all()
    assert police["declared"].all()
    assert police.loc["theft.burglary", "data_first"] == pd.Timestamp("2013-06-05")  # the stray record
    fire = files[files["source_file"] == "fire.csv"].iloc[0]
    assert (fire["category"], fire["first"], fire["last"], bool(fire["declared"])) == (
        "fire",
        pd.Timestamp("2013-03-01"),
        pd.Timestamp("2016-06-17"),
        False,
    )
    # a span taken from records may fall short by chance: 844 fires stored (of 1,502 rows, whole-row
    # repeats are duplicates) in 1,205 days, 4 days of slack
    assert fire["rows"] == 844 and fire["slack"] == 4 and police["slack"].eq(0).all()
    pet = spans[spans["table"] == "petitions"].iloc[0]
    assert pet["category"] is None and str(pet["start"].date()) == "2015-01-05"
    notes = " ".join(reps["police"].files[0].notes)
    assert "1 records of 2013-06 to 2013-06 left outside" in notes
    assert "1 records lie outside the span" in notes
    assert "covers 2013-03-01 to 2016-06-17 (from its records" in " ".join(reps["fire"].files[0].notes)


def test_reingest_replaces_a_file_coverage_and_spans_merge(fresh_store, tmp_path: Path) -> None:
    path, _ = fresh_store
    ingest_files([tmp_path / "fire.csv"], FIRE, store=path)
    later = tmp_path / "fire_2017.csv"
    pd.DataFrame({"when": ["2016-06-20 10:00", "2017-03-01 10:00"], "area": "2"}).to_csv(later, index=False)
    ingest_files([later], FIRE, store=path)
    with open_store(path) as st:
        files = st.coverage("incidents", by_file=True)
        spans = st.coverage("incidents").to_frame()
    assert (files["source_file"] == "fire.csv").sum() == 1
    fire = spans[spans["category"] == "fire"]
    got = [(str(a.date()), str(b.date())) for a, b in zip(fire["start"], fire["end"], strict=True)]
    # 18 and 19 June 2016 lie between the files: uncovered
    assert got == [("2013-03-01", "2016-06-17"), ("2016-06-20", "2017-03-01")]


def test_counts_leave_out_periods_outside_coverage_and_keep_real_zeros(store) -> None:
    path, _ = store
    with open_store(path) as st:
        inc, cov = st.incidents(), st.coverage()
    by_cat = counts(inc, freq="month", by=("category",), coverage=cov)
    assault = by_cat[by_cat["category"] == "assault"]
    assert _months(assault)[0] == "2014-01" and _months(assault)[-1] == "2015-12" and len(assault) == 24
    burglary = by_cat[by_cat["category"] == "theft.burglary"]
    assert "2013-06" not in _months(burglary)  # the stray record's month is outside the coverage
    fire = by_cat[by_cat["category"] == "fire"]
    fire = fire.set_index(pd.to_datetime(fire["period"]).dt.strftime("%Y-%m"))
    assert fire.index[0] == "2013-03" and fire.index[-1] == "2016-06" and len(fire) == 40
    for quiet in QUIET_FIRE_MONTHS:  # inside its coverage a month without fires is a real zero
        assert fire.loc[quiet, "count"] == 0
    # no category shows a zero outside its coverage, whatever the grid
    wide = counts(inc, freq="month", by=("category",), start="2012-01-01", end="2017-12-31", coverage=cov)
    for cat, g in wide.groupby("category"):
        months = _months(g)
        assert months[0] >= ("2013-03" if cat == "fire" else "2014-01"), cat
        assert months[-1] <= ("2016-06" if cat == "fire" else "2015-12"), cat
    # the district's total is covered where all its categories are
    total = counts(inc, freq="month", by=(), coverage=cov)
    assert _months(total)[0] == "2014-01" and _months(total)[-1] == "2015-12"
    # a roll-up is covered where its members are
    theft = counts(inc, freq="year", by=("category",), level=1, coverage=cov)
    assert _months(theft[theft["category"] == "theft"]) == ["2014-01", "2015-01"]
    # forecasts need complete periods: 1-17 June 2016 is not a month of fires (17 + 2 days of slack)
    complete = counts(inc, freq="month", by=("category",), partial=False, coverage=cov)
    assert _months(complete[complete["category"] == "fire"])[-1] == "2016-05"
    # a sparse source's last record falls a few days short of its month's end by chance: its slack
    # (3 / records per day) lets the month count as complete and a range as covered
    sparse = Coverage.from_frame(
        pd.DataFrame({"category": ["fire"], "start": ["2013-03-01"], "end": ["2016-06-17"], "slack": [14]})
    )
    last = counts(inc, freq="month", by=("category",), categories=["fire"], partial=False, coverage=sparse)
    assert _months(last)[-1] == "2016-06"
    # Coverage.complete(): the complete grid with zeros, asked for by name
    assert len(counts(inc, freq="month", by=(), coverage=Coverage.complete())) > len(total)


def test_covered_overlap_and_whole_periods() -> None:
    weeks = pd.to_datetime(["2021-12-27", "2022-01-03"])
    assert covered(weeks, "week", [("2020-01-01", "2022-01-01")]).tolist() == [True, False]
    assert covered(weeks, "week", [("2020-01-01", "2022-01-01")], partial=False).tolist() == [False, False]
    assert covered(
        weeks, "week", pd.DataFrame({"start": ["2021-12-27"], "end": ["2022-01-09"]}), partial=False
    ).all()


def test_petitions_and_disputes_follow_their_coverage(store) -> None:
    path, _ = store
    with open_store(path) as st:
        pet, cov = st.table("petitions"), st.coverage()
    months = _months(petition_counts(pet, by=("level",), start="2014-01-01", end="2016-12-31", coverage=cov))
    assert months[0] == "2015-01" and months[-1] == "2015-12"
    d = pd.DataFrame(
        {
            "found_on": pd.to_datetime(["2015-03-01"]),
            "resolved_on": [pd.NaT],
            "area_code": ["1"],
            "kind": ["x"],
        }
    )
    dcov = Coverage.from_frame(
        pd.DataFrame({"table": ["disputes"], "start": ["2015-01-01"], "end": ["2015-12-31"]})
    )
    assert dispute_summary(d, "2015-01-01", "2015-06-30", coverage=dcov)["covered"].all()
    late = dispute_summary(d, "2017-01-01", "2017-06-30", coverage=dcov)
    assert not late["covered"].any() and late["found"].isna().all()  # no data, not 0 found


def test_zz_counts_and_info_show_coverage(store, tmp_path: Path) -> None:
    path, _ = store
    out = tmp_path / "c.csv"
    result = runner.invoke(app, ["counts", "--store", str(path), "--by", "category", "--out", str(out)])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out)
    for cat, g in frame.groupby("category"):
        first, last = g["period"].min()[:7], g["period"].max()[:7]
        assert (first, last) == (("2013-03", "2016-06") if cat == "fire" else ("2014-01", "2015-12")), cat
    info = runner.invoke(app, ["info", "--store", str(path)])
    assert info.exit_code == 0, info.output
    text = info.output
    assert "time zone  Europe/Berlin" in text and "currency   CNY (default)" in text
    assert "fire" in text and "2013-03-01 to 2016-06-17" in text and "2014-01-01 to 2015-12-31" in text


def test_backtest_until_cuts_the_data(store, tmp_path: Path) -> None:
    path, _ = store
    out = tmp_path / "bt.csv"
    args = [
        "backtest",
        "--store",
        str(path),
        "--by",
        "category",
        "--horizon",
        "2",
        "--origins",
        "1",
        "--out",
        str(out),
    ]
    bad = runner.invoke(app, [*args, "--until", "2013-01-15"])
    assert bad.exit_code == 2 and "no complete month" in bad.output and "Traceback" not in bad.output
    assert runner.invoke(app, [*args, "--until", "nope"]).exit_code == 2


def test_mapping_coverage_key_is_checked() -> None:
    assert read_mapping({"source": {"coverage": ["2014-01-01", ""]}}).coverage == ("2014-01-01", "")
    for bad in (["2014-01-01"], ["2015-01-01", "2014-01-01"], ["x", "2014-01-01"], "2014"):
        with pytest.raises(MappingError, match="coverage"):
            read_mapping({"source": {"coverage": bad}})


def test_comparisons_say_no_data_outside_coverage(store) -> None:
    from zzanalytics.models.compare import compare_periods, scorecard

    path, _ = store
    with open_store(path) as st:
        inc, cov = st.incidents(), st.coverage()
    ok = compare_periods(inc, "2015-01-01", "2015-06-30", by=["category"], coverage=cov).set_index("category")
    assert ok["current_covered"].all() and ok["baseline_covered"].all()
    assert ok["direction"].isin(["up", "down", "flat"]).all()
    early = compare_periods(inc, "2014-01-01", "2014-06-30", by=["category"], coverage=cov).set_index(
        "category"
    )
    assert not early["baseline_covered"].any()  # police from 2014, fires from March 2013
    assert early["direction"].eq("no_data").all() and early["baseline"].isna().all()
    assert early["current"].notna().all() and not early["significant"].any()
    late = compare_periods(
        inc, "2016-01-01", "2016-06-30", by=["category"], fdr=True, coverage=cov
    ).set_index("category")
    assert late.loc["fire", "direction"] == "no_data" and np.isnan(late.loc["fire", "current"])
    assert late.loc["assault", "direction"] == "no_data"
    # the district's total: covered only where all its categories are
    total = compare_periods(inc, "2015-07-01", "2015-12-31", coverage=cov)
    assert total.loc[0, "direction"] != "no_data"
    sc = scorecard(inc, "2014-01-01", "2014-06-30", categories=("theft", "fire"), coverage=cov)
    assert sc["direction"].eq("no_data").all() and sc["baseline"].isna().all()


def test_a_store_without_recorded_coverage_refuses_periods_beyond_its_records(tmp_path: Path) -> None:
    from zzanalytics.errors import ReportError
    from zzanalytics.report.briefing import resolve_period

    with open_store(tmp_path / "hand.duckdb", read_only=False) as st:  # rows written by hand: no coverage
        st.con.execute(
            "INSERT INTO incidents (incident_id, occurred_at, category, area_code) VALUES "
            "('a', TIMESTAMPTZ '2020-01-05 10:00+08', 'assault', '1'), "
            "('b', TIMESTAMPTZ '2021-03-31 10:00+08', 'assault', '1')"
        )
        assert st.coverage(by_file=True).empty  # inferred from its records instead
        assert st.coverage().spans["basis"].str.contains("records no coverage").all()
        assert [str(d.date()) for d in resolve_period(st, None)] == ["2021-01-01", "2021-03-31"]
        with pytest.raises(ReportError, match="criminal cases 2020-01-05 to 2021-03-31"):
            resolve_period(st, "2023-01-01:2023-06-30")


def test_a_sparse_tail_of_old_events_is_outside_the_span(tmp_path: Path) -> None:
    """An export by report date: 2,400 burglaries occurring 2014-2015, and a thin tail of 30 old
    events (2001-2013, reported late). Taken at face value the span would start in 2001 and show
    counts of 0-2 a month for 13 years; the span starts where full months start, and says why."""
    rng = np.random.default_rng(7)
    days = pd.date_range("2014-01-01", "2015-12-31", freq="D")
    old = pd.date_range("2001-01-01", "2013-12-31", freq="D")
    when = np.concatenate([rng.choice(days, 2400), rng.choice(old, 30)])
    when = pd.DatetimeIndex(when) + pd.to_timedelta(rng.integers(0, 86400, len(when)), unit="s")
    pd.DataFrame({"when": when.strftime("%Y-%m-%d %H:%M:%S"), "area": "1"}).to_csv(
        tmp_path / "reported.csv", index=False
    )
    mapping = {**FIRE, "constants": {"category": "theft.burglary"}}
    path = tmp_path / "zz.duckdb"
    rep = ingest_files([tmp_path / "reported.csv"], mapping, store=path)
    assert rep.accepted == 2430  # every record is kept
    with open_store(path) as st:
        span = st.coverage(by_file=True).iloc[0]
        inc = st.incidents()
    assert (str(span["first"].date()), str(span["last"].date())) == (
        "2014-01-01",
        str(span["data_last"].date()),
    )
    assert span["data_first"].year <= 2002
    notes = " ".join(rep.files[0].notes)
    assert "30 records lie outside the span (late reports or stray years)" in notes
    assert span["outside"] == 30 and "30 records of 2001-" in span["basis"]
    monthly = counts(inc, freq="month", by=("category",))
    assert _months(monthly)[0] == "2014-01"  # no month of the tail is a count
    # a source that is sparse everywhere keeps its whole span
    thin = pd.date_range("2010-01-01", "2015-12-31", freq="45D")
    pd.DataFrame({"when": thin.strftime("%Y-%m-%d 10:00"), "area": "1"}).to_csv(
        tmp_path / "thin.csv", index=False
    )
    ingest_files([tmp_path / "thin.csv"], FIRE, store=tmp_path / "thin.duckdb")
    with open_store(tmp_path / "thin.duckdb") as st:
        assert str(st.coverage(by_file=True).iloc[0]["first"].date()) == "2010-01-01"


def test_a_category_no_source_holds_is_no_data_not_zero(store) -> None:
    """The store holds burglary, vehicle theft, assault and fire, and no fraud at all: asked for on
    the grid, fraud is not a row of zeros (the briefing's wording: test_sections.py)."""
    path, _ = store
    with open_store(path) as st:
        inc, cov = st.incidents(), st.coverage()
    grid = ["fraud", "theft", "assault"]
    by_cat = counts(inc, freq="month", by=("category",), level=1, categories=grid, coverage=cov)
    assert "fraud" not in set(by_cat["category"]) and {"theft", "assault"} <= set(by_cat["category"])
    assert by_cat["count"].gt(0).any()
    # inferred from the records, fraud is held by nothing either; only complete() makes it zeros
    with pytest.warns(CoverageWarning, match=r"counts\(\.\.\., coverage=st\)"):
        inferred = counts(inc, freq="month", by=("category",), level=1, categories=grid)
    assert "fraud" not in set(inferred["category"])
    old = counts(inc, freq="month", by=("category",), level=1, categories=grid, coverage=Coverage.complete())
    assert old.loc[old["category"] == "fraud", "count"].eq(0).all()
