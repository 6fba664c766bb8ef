"""The notebook path: coverage travels as a value, so a frame merged, concatenated, filtered, built
by hand or read back from Parquet gives "no data", the right numbers, or a clear error — never a
change computed against zeros (docs/coverage.md).

Planted store (known truth): a police export of burglary, assault and robbery declared complete
for 2022-01-01..2024-06-30, with no robbery at all from March to August 2023 (a crackdown: a real
lull, while the other categories go on); a fraud export from 1 May 2024 to 2025-06-30 (its source
starts in a known month); fires from 1 May 2024 to 2025-06-30.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from zzanalytics import Coverage, CoverageWarning
from zzanalytics.aggregate import counts
from zzanalytics.errors import SchemaError
from zzanalytics.ingest import ingest_files
from zzanalytics.models.compare import compare_periods, scorecard
from zzanalytics.store import open_store

POLICE = {
    "source": {"table": "incidents", "coverage": ["2022-01-01", "2024-06-30"]},
    "columns": {"incident_id": "id", "occurred_at": "when", "category": "what", "area_code": "area"},
    "categories": {"burglary": "theft.burglary", "assault": "assault", "robbery": "robbery"},
}
FRAUD = {
    "source": {"table": "incidents", "coverage": ["2024-05-01", "2025-06-30"]},
    "columns": {"incident_id": "id", "occurred_at": "when", "area_code": "area"},
    "constants": {"category": "fraud.telecom"},
}
FIRE = {
    "source": {"table": "incidents", "coverage": ["2024-05-01", "2025-06-30"]},
    "columns": {"incident_id": "id", "occurred_at": "when", "area_code": "area"},
    "constants": {"category": "fire"},
}
AREAS = pd.DataFrame({"area_code": ["1", "2"], "name": ["East", "West"]})
LULL = ("2023-03-01", "2023-08-31")


def _times(rng: np.random.Generator, first: str, last: str, per_day: float) -> pd.DatetimeIndex:
    days = pd.date_range(first, last, freq="D")
    n = rng.poisson(per_day, len(days))
    when = np.repeat(days, n) + pd.to_timedelta(rng.integers(0, 86400, int(n.sum())), unit="s")
    return pd.DatetimeIndex(when)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("paths")
    rng = np.random.default_rng(19)
    parts = []
    for what, rate in (("burglary", 2.0), ("assault", 1.0), ("robbery", 0.5)):
        when = _times(rng, "2022-01-01", "2024-06-30", rate)
        if what == "robbery":
            when = when[(when < LULL[0]) | (when >= pd.Timestamp(LULL[1]) + pd.Timedelta(days=1))]
        parts.append(pd.DataFrame({"when": when, "what": what}))
    police = pd.concat(parts, ignore_index=True)
    police["area"] = rng.choice(["1", "2"], len(police))
    police["id"] = [f"P{i}" for i in range(len(police))]
    police["when"] = police["when"].dt.strftime("%Y-%m-%d %H:%M:%S")
    police.to_csv(tmp / "police.csv", index=False)
    for name, rate in (("fraud", 1.5), ("fire", 0.4)):
        when = _times(rng, "2024-05-01", "2025-06-30", rate)
        frame = pd.DataFrame(
            {"when": when.strftime("%Y-%m-%d %H:%M:%S"), "area": rng.choice(["1", "2"], len(when))}
        )
        frame["id"] = [f"{name}-{i}" for i in range(len(frame))]  # ids of one source each
        frame.to_csv(tmp / f"{name}.csv", index=False)
    path = tmp / "zz.duckdb"
    for name, mapping in (("police", POLICE), ("fraud", FRAUD), ("fire", FIRE)):
        ingest_files([tmp / f"{name}.csv"], mapping, store=path)
    return path


@pytest.fixture(scope="module")
def data(store: Path) -> tuple[pd.DataFrame, Coverage]:
    with open_store(store) as st:
        return st.incidents(), st.coverage()


def _cmp(frame: pd.DataFrame, start: str, end: str, **kw) -> pd.DataFrame:
    return compare_periods(frame, start, end, by=["category"], **kw).set_index("category")


def test_merge_keeps_the_numbers_and_says_no_data_where_a_source_ends(store: Path, data) -> None:
    """The issue's case: police categories have no data in the 2025 period; on a merged frame the
    old attrs were gone and it read "assault down 100%, significant, p = 1e-24"."""
    inc, cov = data
    merged = inc.merge(AREAS, on="area_code", how="left")
    assert not merged.attrs  # nothing rides on the frame
    for given in (cov, store):  # a Coverage, or the store itself
        with open_store(store) as st:
            r = _cmp(merged, "2025-01-01", "2025-06-30", coverage=st if given is store else given)
        police = r.loc[["assault", "robbery", "theft.burglary"]]
        assert police["direction"].eq("no_data").all() and police["current"].isna().all()
        assert not police["significant"].any() and police["p_value"].isna().all()
        # fraud's source starts in May 2024: its baseline (Jan-Jun 2024) is not covered either
        assert r.loc["fraud.telecom", "direction"] == "no_data" and np.isnan(
            r.loc["fraud.telecom", "baseline"]
        )
    # without coverage: inferred from the merged frame's records, said, and still no data
    with pytest.warns(CoverageWarning, match=r"compare_periods\(\.\.\., coverage=st\)"):
        inferred = _cmp(merged, "2025-01-01", "2025-06-30")
    assert inferred.loc[["assault", "robbery", "theft.burglary"], "direction"].eq("no_data").all()
    assert (inferred["coverage"] == "inferred").all()
    # where the data cover both periods, merged and unmerged frames give the same numbers
    a = _cmp(merged, "2024-01-01", "2024-06-30", coverage=cov)
    b = _cmp(inc, "2024-01-01", "2024-06-30", coverage=cov)
    cols = ["current", "baseline", "p_value", "direction"]
    pd.testing.assert_frame_equal(a[cols], b[cols])
    truth = inc[inc["category"] == "assault"]["occurred_at"].dt.tz_localize(None)
    assert a.loc["assault", "current"] == ((truth >= "2024-01-01") & (truth < "2024-07-01")).sum()
    assert a.loc["assault", "baseline"] == ((truth >= "2023-01-01") & (truth < "2023-07-01")).sum()
    assert a.loc["fraud.telecom", "direction"] == "no_data"  # current Jan-Jun 2024: source from May


def test_concat_around_a_missing_year_is_no_data_not_zero(data) -> None:
    inc, cov = data
    year = inc["occurred_at"].dt.year
    glued = pd.concat([inc[year == 2022], inc[year == 2024]], ignore_index=True)
    r = _cmp(glued, "2024-01-01", "2024-06-30", coverage=cov)  # against 2023, which the frame lacks
    assert r.loc[["assault", "theft.burglary"], "direction"].eq("no_data").all()
    assert r.loc[["assault", "theft.burglary"], "baseline"].isna().all()
    monthly = counts(glued, freq="month", by=("category",), partial=False, coverage=cov)
    assert not (monthly["period"].dt.year == 2023).any()  # no month of 2023 is a zero
    # the cut's edges reach past the records by the gap chance leaves (3 / rate): a day or two
    for a, b in cov.within_records(glued, "incidents").span("assault"):
        assert b < pd.Timestamp("2023-01-05") or a > pd.Timestamp("2023-12-27"), (a, b)


def test_a_filtered_frame_is_no_data_where_it_was_cut_but_a_lull_stays_zero(data) -> None:
    """The record-stretch rule: a coverage is cut to the stretches of days the frame's records
    (all categories together) hold. A time filter removes every category at once, so the days it
    cut are no data; robbery's six quiet months inside covered time, while burglary and assault
    go on, are real zeros."""
    inc, cov = data
    recent = inc[inc["occurred_at"] >= pd.Timestamp("2024-01-01", tz=inc["occurred_at"].dt.tz)]
    r = _cmp(recent, "2024-01-01", "2024-06-30", coverage=cov)
    assert r.loc[["assault", "robbery", "theft.burglary"], "direction"].eq("no_data").all()
    whole = counts(recent, freq="month", by=("category",), partial=False, coverage=cov)
    assert whole["period"].min() >= pd.Timestamp("2024-01-01")
    # the lull: zeros where the store covers robbery and the frame goes on
    by_cat = counts(inc, freq="month", by=("category",), coverage=cov)
    rob = by_cat[by_cat["category"] == "robbery"].set_index("period")["count"]
    lull = rob.loc[LULL[0] : LULL[1]]
    assert len(lull) == 6 and lull.eq(0).all()
    assert rob.loc["2023-02-01"] > 0 and rob.loc["2023-09-01"] > 0
    drop = _cmp(inc, "2023-03-01", "2023-08-31", coverage=cov).loc["robbery"]
    assert drop["current"] == 0 and drop["baseline"] > 40 and drop["direction"] == "down"


def test_a_hand_built_frame_infers_or_refuses_with_a_one_line_fix() -> None:
    hand = pd.DataFrame(
        {
            "occurred_at": pd.to_datetime(["2024-03-03", "2024-03-20", "2025-03-05", "2025-03-09"]),
            "category": ["assault", "assault", "assault", "fraud.telecom"],
        }
    )
    with pytest.warns(CoverageWarning, match="inferred from the frame's own records"):
        r = _cmp(hand, "2025-03-01", "2025-03-31", baseline="last_year")
    assert r.loc["fraud.telecom", "direction"] == "no_data"  # no fraud in 2024: not "up from 0"
    for bad, hint in ((False, "Coverage.complete"), (hand, "Coverage.from_frame"), ("st", "coverage=st")):
        with pytest.raises(SchemaError, match=hint) as err:
            counts(hand, coverage=bad)
        assert "\n" not in str(err.value)
    spans = pd.DataFrame(
        {"category": ["assault", "fraud.telecom"], "start": "2024-01-01", "end": "2025-12-31"}
    )
    given = _cmp(hand, "2025-03-01", "2025-03-31", coverage=Coverage.from_frame(spans))
    assert given.loc["fraud.telecom", ["current", "baseline"]].tolist() == [1, 0]
    assert (given["coverage"] == "frame").all()


def test_a_frame_and_its_coverage_read_back_from_parquet(tmp_path: Path, data) -> None:
    inc, cov = data
    inc.to_parquet(tmp_path / "inc.parquet")
    cov.spans.to_parquet(tmp_path / "cov.parquet")
    back = pd.read_parquet(tmp_path / "inc.parquet")
    again = Coverage.from_frame(pd.read_parquet(tmp_path / "cov.parquet"))
    assert again.span("fraud") == cov.span("fraud")
    a = _cmp(back, "2024-01-01", "2024-06-30", coverage=again)
    b = _cmp(inc, "2024-01-01", "2024-06-30", coverage=cov)
    cols = ["current", "baseline", "p_value", "direction"]
    pd.testing.assert_frame_equal(a[cols], b[cols])
    sc = scorecard(back, "2025-01-01", "2025-06-30", categories=("assault", "fraud"), coverage=again)
    assert sc.loc[sc["category"] == "assault", "direction"].eq("no_data").all()


def test_a_target_needs_the_year_to_date_covered(data) -> None:
    """Fires are recorded from 1 May 2024: the 2024 year-to-date is not known (January-April are
    no data, not zero fires), so there is no year-end value and no probability; 2025 has one."""
    from zzanalytics.models.targets import target_breach

    inc, cov = data
    fires = inc[inc["category"] == "fire"]["occurred_at"].dt.tz_localize(None)
    ceiling = {"fire.count": 100.0}
    r24 = target_breach(inc, ceiling, year=2024, as_of="2024-10-31", n_paths=200, coverage=cov).iloc[0]
    assert not r24["covered"] and np.isnan(r24["observed_to_date"]) and np.isnan(r24["p_breach"])
    r25 = target_breach(inc, ceiling, year=2025, as_of="2025-06-30", n_paths=200, coverage=cov).iloc[0]
    assert r25["covered"] and r25["coverage"] == "store"
    assert r25["observed_to_date"] == ((fires >= "2025-01-01") & (fires < "2025-07-01")).sum()
    assert r25["expected"] > r25["observed_to_date"] and 0 <= r25["p_breach"] <= 1
    with pytest.warns(CoverageWarning, match="target_breach"):
        inferred = target_breach(inc, ceiling, year=2024, as_of="2024-10-31", n_paths=200).iloc[0]
    assert not inferred["covered"]


def test_trend_and_decomposition_of_records_follow_their_coverage(data) -> None:
    from zzanalytics.errors import ModelError
    from zzanalytics.models.trend import decompose, trend_test

    inc, cov = data
    fraud = inc[inc["category"] == "fraud.telecom"]
    r = trend_test(fraud, coverage=cov)  # 14 whole months, May 2024 to June 2025
    assert r.n == 14 and r.method == "hamed_rao_mk"
    assault = inc[inc["category"] == "assault"]
    year = assault["occurred_at"].dt.year
    glued = pd.concat([assault[year == 2022], assault[year == 2024]])
    # 2023 has no data; so has December 2022 when its last day has no assault (the frame ends there)
    with pytest.raises(
        ModelError, match=r"no data for 1[23] period\(s\) inside it \(20(22-12|23-01)-01 to 2023-12-01\)"
    ):
        decompose(glued, period=6, coverage=cov)
    monthly = counts(glued, freq="month", by=(), coverage=cov)  # the same gap in a counts frame
    with pytest.raises(ModelError, match="outside the coverage"):
        trend_test(monthly)
    parts = decompose(assault, coverage=cov)  # 30 whole months of one covered stretch
    assert len(parts) == 30 and parts["observed"].sum() == len(assault)


def test_hot_spots_need_the_period_covered(data) -> None:
    from zzanalytics.errors import SpatialError
    from zzanalytics.spatial.grid import make_grid
    from zzanalytics.spatial.hotspot_frame import hotspots
    from zzanalytics.spatial.risk import risk_surface

    inc, cov = data
    rng = np.random.default_rng(3)
    fraud = inc[inc["category"] == "fraud.telecom"].assign(
        lon=lambda f: 103.80 + rng.uniform(0, 0.03, len(f)),
        lat=lambda f: 36.05 + rng.uniform(0, 0.03, len(f)),
    )
    grid = make_grid((103.80, 36.05, 103.83, 36.08), cell=1000)
    with pytest.raises(
        SpatialError, match=r"do not cover 2024-01-01 to 2024-06-30 \(covered: 2024-05-01 to 2025-06-30"
    ):
        hotspots(fraud, grid, "2024-01-01", "2024-06-30", permutations=0, risk=False, coverage=cov)
    ok = hotspots(fraud, grid, "2024-07-01", "2024-12-31", permutations=0, risk=False, coverage=cov)
    when = fraud["occurred_at"].dt.tz_localize(None)
    assert ok["count"].sum() == ((when >= "2024-07-01") & (when < "2025-01-01")).sum()
    with pytest.raises(SpatialError, match="risk_surface"):
        risk_surface(fraud, grid, end="2024-03-31", coverage=cov)
