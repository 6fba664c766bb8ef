"""evaluate_risk: PAI / PEI / PEI* by hand on a ten-cell grid, pooling, origins and coverage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import zzanalytics as zz
from zzanalytics.errors import ModelError
from zzanalytics.spatial.grid import make_grid

COMPLETE = zz.Coverage.complete()


def _ten_cells():
    """Ten 1 km cells in a row, and the lon/lat of each one's centre."""
    g = make_grid((103.80, 36.050, 103.91, 36.058), cell=1000, clip=False)
    g = g.iloc[:10].reset_index(drop=True)
    c = g.to_crs(g.attrs["crs"]).geometry.centroid.to_crs(4326)
    return g, np.column_stack([c.x, c.y])


def _records(centres, spec):
    """Incidents from (cell, day, how many) triples, at the cells' centres at noon."""
    rows = []
    for cell, day, k in spec:
        for _ in range(k):
            rows.append(
                {
                    "occurred_at": pd.Timestamp(day) + pd.Timedelta(hours=12),
                    "lon": centres[cell, 0],
                    "lat": centres[cell, 1],
                    "category": "theft.burglary",
                }
            )
    return pd.DataFrame(rows)


# the last day is 2024-12-31, so a 7-day horizon's single origin is 2024-12-25
HISTORY = [(9, "2022-01-01", 1), (0, "2024-06-01", 5), (1, "2024-09-01", 3), (2, "2023-06-01", 10)]
TARGET = [(0, "2024-12-26", 1), (1, "2024-12-27", 2), (2, "2024-12-31", 4)]  # N = 7


def test_pai_pei_and_pei_star_by_hand_on_ten_cells():
    g, centres = _ten_cells()
    inc = _records(centres, HISTORY + TARGET)
    t = zz.evaluate_risk(
        inc,
        g,
        horizons=["7D"],
        origins=1,
        fracs=[0.1, 0.5],
        models=["prev_year", "prev_3_years"],
        coverage=COMPLETE,
    )
    o = t[t.scope == "origin"].set_index(["model", "frac"])
    assert (t.origin.dropna() == pd.Timestamp("2024-12-25")).all()
    # last year's counts rank cell 0 (5) first: n = 1 of N = 7; the best cell held n* = 4
    r = o.loc[("prev_year", 0.1)]
    assert (r.hits, r.incidents, r.best_hits) == pytest.approx((1, 7, 4))
    assert r.pai == pytest.approx((1 / 7) / 0.1) and r.pei == pytest.approx(1 / 4)
    assert r.pei_star == pytest.approx(1 / 4)  # a* = a: one cell is needed for n*
    # at half the area: cells 0 and 1, then 3 of the 8 cells tied at zero share cell 2's 4
    r = o.loc[("prev_year", 0.5)]
    assert r.hits == pytest.approx(1 + 2 + 4 * 3 / 8, rel=1e-3) and r.best_hits == pytest.approx(7)
    assert r.pai == pytest.approx((4.5 / 7) / 0.5) and r.pei == pytest.approx(4.5 / 7)
    assert r.pei_star == pytest.approx(4.5 / 7 * 3 / 5)  # three cells would have held all seven
    # three years' counts see cell 2's ten of 2023 and rank it first: perfect at 10%
    r = o.loc[("prev_3_years", 0.1)]
    assert r.pai == pytest.approx((4 / 7) / 0.1) and r.pei == pytest.approx(1.0)
    # one origin: pooled equals it
    p = t[t.scope == "pooled"].set_index(["model", "frac"])
    assert p.loc[("prev_year", 0.5)].pai == pytest.approx((4.5 / 7) / 0.5)
    assert p.origins.eq(1).all() and t.horizon.eq("7D").all() and t.horizon_days.eq(7).all()


def test_pooling_sums_hits_over_origins_and_skips_short_history():
    g, centres = _ten_cells()
    rng = np.random.default_rng(0)
    days = pd.date_range("2022-01-01", "2024-12-31")
    spec = [(int(rng.choice(10, p=np.r_[0.3, 0.2, [0.0625] * 8])), d, 1) for d in days for _ in range(2)]
    inc = _records(centres, spec)
    t = zz.evaluate_risk(
        inc, g, horizons=["31D", 92], origins=5, fracs=[0.2], models=["prev_year"], coverage=COMPLETE
    )
    for _h, part in t.groupby("horizon"):
        o, p = part[part.scope == "origin"], part[part.scope == "pooled"].iloc[0]
        assert len(o) == 5 and p.origins == 5
        assert p.hits == pytest.approx(o.hits.sum()) and p.incidents == o.incidents.sum()
        assert p.pai == pytest.approx((o.hits.sum() / o.incidents.sum()) / 0.2)
        assert p.pei == pytest.approx(o.hits.sum() / o.best_hits.sum())
        # origins 28 days apart, the latest one's target ending on the last day
        last = pd.Timestamp("2025-01-01") - pd.Timedelta(days=part.horizon_days.iloc[0])
        assert o.origin.max() == last and (o.origin.diff().dropna().abs() == pd.Timedelta(days=28)).all()
    assert set(t.horizon) == {"31D", "92D"}
    # with two years of history required, origins before 2024-01-01 are skipped
    short = zz.evaluate_risk(
        inc,
        g,
        horizons=["92D"],
        origins=20,
        fracs=[0.2],
        models=["prev_year"],
        coverage=COMPLETE,
        min_history="730D",
    )
    assert short[short.scope == "origin"].origin.min() >= pd.Timestamp("2024-01-01")


def test_checks():
    g, centres = _ten_cells()
    inc = _records(centres, HISTORY + TARGET)
    with pytest.raises(ModelError, match="unknown"):
        zz.evaluate_risk(inc, g, models=["magic"], coverage=COMPLETE)
    with pytest.raises(ModelError, match="not a duration"):
        zz.evaluate_risk(inc, g, horizons=["next week"], coverage=COMPLETE)
    with pytest.raises(ModelError, match="between 0 and 1"):
        zz.evaluate_risk(inc, g, fracs=[5], coverage=COMPLETE)


def test_backtest_risk_on_the_foreign_city(city_store, tmp_path):
    from typer.testing import CliRunner

    from zzanalytics.cli import app

    inc = city_store.incidents()
    cat = inc["category"].value_counts().index[0]
    out = tmp_path / "risk.csv"
    args = ["backtest", "--risk", "--store", str(city_store.path), "--category", cat]
    res = CliRunner().invoke(
        app, [*args, "--horizon", "7D,31D", "--origins", "2", "--cell", "500", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert "zz / best count" in res.output
    t = pd.read_csv(out)
    assert set(t.horizon) == {"7D", "31D"} and set(t.model) == {"zz", "prev_year", "prev_3_years"}
    assert (t.cell == 500).all() and set(t.frac) == {0.01, 0.05}
    pooled = t[t.scope == "pooled"]
    assert len(pooled) == 2 * 3 * 2 and (pooled.origins == 2).all()
    bad = CliRunner().invoke(app, [*args, "--horizon", "soon", "--out", str(out)])
    assert bad.exit_code == 2 and "--horizon" in bad.output
    bad = CliRunner().invoke(app, ["backtest", "--horizon", "7D", "--out", str(out)])
    assert bad.exit_code == 2 and "need --risk" in bad.output
