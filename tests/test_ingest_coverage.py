"""Coverage per source that late reports cannot stretch, and that keeps a small series' quiet
months (issue 21): a month counts as covered when the source's own rate makes its count plausible."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from zzanalytics.ingest import ingest_files
from zzanalytics.store import open_store

MAPPING = {
    "source": {"table": "incidents", "timezone": "UTC", "name": "reported"},
    "columns": {"occurred_at": "when", "area_code": "area", "cause": "note"},
    "constants": {"category": "theft.other"},
}


def _month_file(path: Path, month: int, n: int, late: int, rng: np.random.Generator) -> None:
    start = pd.Timestamp(f"2017-{month:02d}-01")
    days = pd.date_range(start, start + pd.offsets.MonthEnd(0), freq="D")
    old = pd.date_range("2014-01-01", "2016-12-31", freq="D")
    when = np.concatenate([rng.choice(days, n), rng.choice(old, late)])
    when = pd.DatetimeIndex(when) + pd.to_timedelta(rng.integers(0, 86400, len(when)), unit="s")
    notes = [f"r{month}-{k}" for k in range(len(when))]
    pd.DataFrame({"when": when.strftime("%Y-%m-%d %H:%M:%S"), "area": "1", "note": notes}).to_csv(
        path, index=False
    )


def test_late_reports_do_not_stretch_a_source_and_a_small_series_keeps_its_quiet_months(
    tmp_path: Path,
) -> None:
    # twelve monthly files of 2017 by report date, each carrying late reports of 2014-2016
    rng = np.random.default_rng(11)
    files = []
    for month in range(1, 13):
        files.append(tmp_path / f"2017-{month:02d}.csv")
        _month_file(files[-1], month, 500, 8, rng)
    store = tmp_path / "zz.duckdb"
    rep = ingest_files(files, MAPPING, store=store)
    assert rep.accepted == 12 * 508  # every record is kept
    with open_store(store) as st:
        cov = st.coverage(by_file=True)
        spans = st.coverage().to_frame()
    assert (cov["first"].dt.year == 2017).all() and cov["outside"].sum() == 12 * 8
    assert (spans["start"].min(), spans["end"].max()) == (
        pd.Timestamp("2017-01-01"),
        pd.Timestamp("2017-12-31"),
    )
    assert cov["basis"].str.contains("8 records of 201[456]-\\d\\d to 201[456]-\\d\\d left outside").all()
    assert cov["source"].eq("reported").all()
    assert any("8 records lie outside the span" in n for n in rep.files[0].notes)
    # a small series, about 10 a month, whose last months hold 4, 3 and 2: all of them covered
    rng = np.random.default_rng(3)
    rows = []
    for k, n in enumerate([11, 9, 12, 10, 8, 13, 10, 9, 4, 3, 2]):
        rows += [f"2020-{k + 1:02d}-{1 + int(d):02d} 10:00" for d in rng.integers(0, 28, n)]
    pd.DataFrame({"when": rows, "area": "1", "note": range(len(rows))}).to_csv(
        tmp_path / "small.csv", index=False
    )
    ingest_files(
        [tmp_path / "small.csv"], {**MAPPING, "source": {**MAPPING["source"], "name": "small"}}, store=store
    )
    with open_store(store) as st:
        small = st.coverage(by_file=True).query("source == 'small'").iloc[0]
    assert small["first"] == small["data_first"] and small["last"] == small["data_last"]
    assert small["outside"] == 0


def test_a_rarer_kind_beside_a_commoner_one_under_one_mapping_keeps_its_months(tmp_path: Path) -> None:
    """Car thefts (about 11 a month) and motorcycle thefts (about 70) exported as two files of one
    mapping: judged at the source's rate, most of the car file's months looked too thin to be data."""
    rng = np.random.default_rng(5)
    months = pd.period_range("2022-01", "2023-12", freq="M")
    for name, lam in (("motorcycle", 70), ("car", 11)):
        when = [
            f"{m.start_time + pd.Timedelta(days=int(d)):%Y-%m-%d} 10:00"
            for m in months
            for d in rng.integers(0, 28, rng.poisson(lam))
        ]
        pd.DataFrame({"when": when, "area": "1", "note": [f"{name}{k}" for k in range(len(when))]}).to_csv(
            tmp_path / f"{name}.csv", index=False
        )
    store = tmp_path / "zz.duckdb"
    rep = ingest_files([tmp_path / "motorcycle.csv", tmp_path / "car.csv"], MAPPING, store=store)
    assert rep.balanced
    with open_store(store) as st:
        cov = st.coverage(by_file=True).set_index("source_file")
    assert cov.loc["car.csv", "outside"] == 0 and cov.loc["car.csv", "first"].month == 1
    assert (cov.loc["car.csv", "first"].year, cov.loc["car.csv", "last"].year) == (2022, 2023)


def test_the_poisson_cdf_of_the_coverage_rule_equals_scipys() -> None:
    from scipy.stats import poisson

    from zzanalytics.ingest.coverage import poisson_cdf

    for mu in (1e-9, 0.5, 3.0, 39.5, 1000.0, 4500.0, 9000.0):
        for c in (0, 1, 4, 20, 100, 999, 1000, 4400, 4500, 4600, 9000):
            want = poisson.cdf(c, mu)
            assert abs(poisson_cdf(c, mu) - want) <= 1e-9 * want + 1e-300, (c, mu)
