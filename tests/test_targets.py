"""Target-breach probabilities against analytic Poisson cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from zzanalytics.errors import ModelError
from zzanalytics.models.targets import summarise_paths, target_breach


def test_breach_probability_of_poisson_paths_matches_scipy_within_monte_carlo_error():
    rng = np.random.default_rng(0)
    mu, observed, ceiling, n = 120.0, 200.0, 330.0, 20000
    out = summarise_paths(rng.poisson(mu, n), observed, ceiling)
    exact = stats.poisson.sf(ceiling - observed, mu)
    assert out["p_breach"] == pytest.approx(exact, abs=4 * np.sqrt(exact * (1 - exact) / n))
    assert out["expected"] == pytest.approx(observed + mu, rel=0.005)
    assert out["lo95"] == pytest.approx(observed + stats.poisson.ppf(0.025, mu), abs=1)


@pytest.fixture(scope="module")
def incidents():
    """Eight years of Poisson incidents at constant daily rates, with deaths and heavy-tailed losses."""
    rng = np.random.default_rng(7)
    days = pd.date_range("2019-01-01", "2026-12-31", freq="D")
    parts = []
    for cat, per_month in (("fire", 30.0), ("traffic", 12.0), ("traffic.major", 3.0)):
        n = rng.poisson(per_month * 12 / 365.25, len(days))
        d = np.repeat(days, n)
        secs = pd.to_timedelta(rng.integers(0, 86400, len(d)), "s")
        parts.append(
            pd.DataFrame(
                {
                    "occurred_at": d.tz_localize("Asia/Shanghai") + secs,
                    "category": cat,
                    "deaths": rng.poisson(0.25, len(d)) if cat.startswith("traffic") else 0,
                    "loss_yuan": rng.pareto(1.8, len(d)) * 5000 if cat == "fire" else np.nan,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def test_target_breach_end_to_end_against_the_poisson_truth(incidents):
    targets = pd.DataFrame(
        {
            "year": 2026,
            "metric": ["fire.count", "traffic.major", "traffic.deaths", "fire.loss_yuan"],
            "ceiling": [370.0, 36.0, 1e6, 1.0],
        }
    )
    out = target_breach(incidents, targets, year=2026, as_of="2026-06-30", n_paths=2000, seed=1)
    assert list(out.columns) == [
        "metric",
        "year",
        "ceiling",
        "observed_to_date",
        "expected",
        "lo80",
        "hi80",
        "lo95",
        "hi95",
        "p_breach",
        "covered",
        "coverage",
    ]
    assert out["covered"].all() and (out["coverage"] == "inferred").all()  # eight whole years, inferred
    row = out.set_index("metric").loc["fire.count"]
    inc = incidents[incidents["occurred_at"].dt.year == 2026]
    assert row["observed_to_date"] == ((inc["category"] == "fire") & (inc["occurred_at"].dt.month <= 6)).sum()
    mu = 30.0 * 12 / 365.25 * 184  # July..December
    exact = stats.poisson.sf(370 - row["observed_to_date"], mu)
    # the remainder is estimated from a few years of Poisson(30) months: its sampling error
    # with three years' worth of data is mu / sqrt(30 * 36); allow three of those
    assert row["expected"] == pytest.approx(row["observed_to_date"] + mu, abs=3 * mu / np.sqrt(30 * 36))
    assert row["p_breach"] == pytest.approx(exact, abs=0.15)  # model + parameter uncertainty widen Poisson
    assert row["lo95"] <= row["expected"] <= row["hi95"]
    res = out.set_index("metric")
    assert res.loc["traffic.deaths", "p_breach"] == 0.0
    assert res.loc["fire.loss_yuan", "p_breach"] == 1.0
    assert res.loc["fire.loss_yuan", "hi95"] > res.loc["fire.loss_yuan", "expected"]


def test_partial_month_counts_only_its_remaining_days(incidents):
    a = target_breach(incidents, {"traffic.major": 40}, year=2026, as_of="2026-06-15", n_paths=1000)
    b = target_breach(incidents, {"traffic.major": 40}, year=2026, as_of="2026-06-30", n_paths=1000)
    assert a["observed_to_date"].iloc[0] <= b["observed_to_date"].iloc[0]
    assert a["expected"].iloc[0] == pytest.approx(b["expected"].iloc[0], rel=0.1)
    with pytest.raises(ModelError, match="not in year"):
        target_breach(incidents, {"fire.count": 1}, year=2025, as_of="2026-06-30")


def test_a_month_without_accidents_and_integer_deaths_from_the_store():
    # the store hands out deaths as nullable Int64; a month with no traffic accident must count as 0
    months = pd.date_range("2023-01-01", "2026-06-01", freq="MS")
    rows = [m + pd.Timedelta(days=3) for i, m in enumerate(months) if i % 5 != 2]
    inc = pd.DataFrame(
        {
            "occurred_at": pd.DatetimeIndex(rows).tz_localize("Asia/Shanghai"),
            "category": "traffic",
            "area_code": "A",
            "deaths": pd.array([1] * len(rows), dtype="Int64"),
        }
    )
    targets = pd.DataFrame({"year": [2026], "metric": ["traffic.deaths"], "ceiling": [20.0]})
    out = target_breach(inc, targets, year=2026, as_of="2026-06-30", n_paths=500, seed=0)
    row = out.set_index("metric").loc["traffic.deaths"]
    assert row["observed_to_date"] == sum(1 for r in rows if r.year == 2026)
    assert 0.0 <= row["p_breach"] <= 1.0 and row["expected"] >= row["observed_to_date"]
