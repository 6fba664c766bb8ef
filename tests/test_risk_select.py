"""Horizon-aware risk (risk_select): a cell that turned hot lately ranks first a week ahead, the
choice is never below counting on its own backtest, and the hit counting agrees with risk._take."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import zzanalytics as zz
from zzanalytics.spatial.grid import make_grid


def _planted(seed: int = 0):
    """Three years on 400 cells of 250 m: background, two old hotspots that cool off 200 days before
    the end, and one cell that turns hot 150 days before the end and stays hot."""
    rng = np.random.default_rng(seed)
    g = make_grid((103.80, 36.05, 103.855, 36.095), cell=250, clip=False)
    c = g.to_crs(g.attrs["crs"]).geometry.centroid.to_crs(4326)
    lon, lat = c.x.to_numpy(), c.y.to_numpy()
    n, days = len(g), 1095
    parts = [(rng.integers(0, n, 6000), rng.uniform(0, days, 6000))]
    old = [n // 3, 2 * n // 3]
    for cell in old:  # 300 each over the first 895 days
        parts.append((np.full(300, cell), rng.uniform(0, days - 200, 300)))
    hot = n // 2 + 7
    parts.append((np.full(60, hot), rng.uniform(days - 150, days, 60)))
    cell = np.concatenate([p[0] for p in parts])
    day = np.concatenate([p[1] for p in parts])
    inc = pd.DataFrame(
        {
            "occurred_at": pd.Timestamp("2022-01-01") + pd.to_timedelta(day, unit="D"),
            "lon": lon[cell] + rng.uniform(-5e-4, 5e-4, len(cell)),
            "lat": lat[cell] + rng.uniform(-5e-4, 5e-4, len(cell)),
            "category": "theft.vehicle",
        }
    )
    return inc, g, g.cell_id.iloc[hot], g.cell_id.iloc[old].tolist()


def test_a_cell_turned_hot_lately_ranks_first_a_week_ahead():
    inc, g, hot, old = _planted()
    complete = zz.Coverage.complete()
    week = zz.risk_surface(inc, g, horizon="7D", coverage=complete)
    assert week.sort_values("risk", ascending=False).cell_id.iloc[0] == hot
    assert week.attrs["model"] not in ("prev_year", "prev_3_years") and week.attrs["ratio"] > 1.0
    assert week.attrs["baseline"] == "prev_3_years" and len(week.attrs["validation"]) == 32
    # three years' counts still put the old hotspots first
    counts = zz.risk_surface(inc, g, horizon="7D", model="counts", coverage=complete)
    assert counts.sort_values("risk", ascending=False).cell_id.iloc[0] in old
    t = zz.evaluate_risk(inc, g, horizons=["7D"], origins=4, fracs=[0.0025, 0.01], coverage=complete)
    p = t[t.scope == "pooled"].pivot_table(index="frac", columns="model", values="pai")
    assert (p["zz"] > p[["prev_year", "prev_3_years"]].max(axis=1)).all()


def test_hits_agree_with_the_evaluation_of_pai():
    from zzanalytics.spatial.risk import _take
    from zzanalytics.spatial.risk_select import _hits

    rng = np.random.default_rng(3)
    for _ in range(20):
        key = rng.integers(0, 4, 50).astype(float)  # many ties
        y = rng.poisson(1.0, 50).astype(float)
        area = rng.uniform(0.5, 1.5, 50)
        targets = np.array([0.02, 0.1, 0.37]) * area.sum()
        got = _hits(key, y, area, targets)
        want = [_take(key, y, area, t) for t in targets]
        assert np.allclose(got, want)


def test_a_stationary_city_keeps_a_count_baseline_or_beats_it():
    """No recent change: the choice is a baseline or something that beat it on the backtest."""
    from zzanalytics.spatial.risk import smoothing_matrix
    from zzanalytics.spatial.risk_select import backtest_surface

    rng = np.random.default_rng(5)
    xy = np.array([[x, y] for x in range(0, 5000, 250) for y in range(0, 5000, 250)], float)
    rate = rng.gamma(0.5, 1.0, len(xy))
    cell = rng.choice(len(xy), 3000, p=rate / rate.sum())
    age = rng.uniform(0, 1100, 3000)
    _, info = backtest_surface(cell, age, len(xy), 31.0, xy, 250.0, smoothing_matrix)
    v = info["validation"].set_index("model")
    assert info["baseline"] in ("prev_year", "prev_3_years") and info["origins"] == 13
    assert v.loc[info["model"], "score"] >= v.loc[info["baseline"], "score"]
    assert info["ratio"] == pytest.approx(v.loc[info["model"], "pai"] / v.loc[info["baseline"], "pai"])
