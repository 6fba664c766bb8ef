"""PAI / PEI* by hand, and the risk surface against last-year and all-years counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zzanalytics.errors import ModelError, SchemaError
from zzanalytics.spatial._simulate import simulate_incidents
from zzanalytics.spatial.grid import cell_counts, make_grid, projected
from zzanalytics.spatial.risk import hit_share, pai, pei, risk_surface, smoothing_matrix

PRED = [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]
ACTUAL = [6, 2, 2, 2, 2, 2, 1, 1, 1, 1]  # N = 20


def test_pai_hand_examples():
    # top 10% of 10 equal cells = the first cell: n = 6 of N = 20 -> (6/20)/(1/10) = 3
    assert pai(PRED, ACTUAL, frac=0.1) == pytest.approx(3.0)
    # 15%: the first cell and half of the second -> n = 6 + 1 = 7 -> (7/20)/0.15
    assert pai(PRED, ACTUAL, frac=0.15) == pytest.approx((7 / 20) / 0.15)
    # a flat prediction is chance: PAI = 1 at any area
    assert pai(np.ones(10), ACTUAL, frac=0.1) == pytest.approx(1.0)
    assert pai(np.ones(10), ACTUAL, frac=0.35) == pytest.approx(1.0)
    # ties share the area: cells 1 and 2 tied for first -> n = (6 + 2) / 2 = 4
    assert hit_share([5, 5, 1, 0, 0, 0, 0, 0, 0, 0], ACTUAL, frac=0.1) == pytest.approx(4 / 20)


def test_pai_ranks_by_density_with_unequal_areas():
    # areas 2, 1, 1 (A = 4); densities 2, 3, 0 -> the second cell (area 1 = 25% of A) first
    assert pai([4, 3, 0], [1, 5, 2], area=[2, 1, 1], frac=0.25) == pytest.approx((5 / 8) / 0.25)


def test_pei_hand_examples():
    shuffled = [1, 6, 2, 2, 2, 2, 1, 1, 1, 1]
    # the prediction picks a cell with 1 incident; the best single cell held 6
    assert pei(PRED, shuffled, frac=0.1) == pytest.approx(1 / 6)
    assert pei(PRED, ACTUAL, frac=0.1) == pytest.approx(1.0)
    # 20%: picks 1 + 6 = 7; the best two cells held 6 + 2 = 8
    assert pei(PRED, shuffled, frac=0.2) == pytest.approx(7 / 8)


def test_evaluation_input_checks():
    with pytest.raises(SchemaError, match="one value per cell"):
        pai([1, 2], [1, 2, 3])
    assert np.isnan(pai([1, 2], [0, 0], frac=0.5))


def test_smoothing_keeps_mass():
    xy = np.random.default_rng(0).uniform(0, 2000, (200, 2))
    K = smoothing_matrix(xy, 250.0)
    c = np.random.default_rng(1).poisson(2, 200).astype(float)
    assert (K @ c).sum() == pytest.approx(c.sum())


def test_risk_surface_contract_and_scaling():
    inc, truth = simulate_incidents(years=2, seed=1, scale=0.3)
    grid = make_grid(truth["bbox"], cell=500)
    r = risk_surface(inc, grid, end="2023-06-30", horizon="90D")
    assert list(r.columns) == ["cell_id", "risk"] and len(r) == len(grid)
    assert (r.risk >= 0).all() and r.attrs["horizon_days"] == 90.0
    last90 = cell_counts(inc, grid, start="2023-04-02", end="2023-06-30")["count"].sum()  # 90 days
    assert r.risk.sum() == pytest.approx(last90)  # expected total = last horizon's count
    assert {"fold", "model", "pai", "score"} <= set(r.attrs["validation"].columns)
    with pytest.raises(ModelError):
        risk_surface(inc, grid, horizon=-1)


def test_risk_beats_last_year_and_all_years_counts_on_simulated_data():
    """Stable hotspots, micro-spots, noise, drifting, emerging and fading hotspots (a sparse
    category); three years train, the fourth is held out; PAI at 1% of the area, 250 m cells."""
    rows = []
    for seed in range(6):
        inc, truth = simulate_incidents(years=4, seed=seed, drift=0.5, scale=0.3)
        grid = make_grid(truth["bbox"], cell=250)
        area = projected(grid).area.to_numpy()
        end = truth["start"] + pd.DateOffset(years=3) - pd.Timedelta(days=1)
        train = inc[inc.occurred_at.dt.tz_localize(None) < end + pd.Timedelta(days=1)]
        test = cell_counts(inc, grid, start=end + pd.Timedelta(days=1), end=end + pd.Timedelta(days=365))
        last = cell_counts(inc, grid, start=end - pd.Timedelta(days=364), end=end)["count"]
        every = cell_counts(train, grid)["count"]
        risk = risk_surface(train, grid, end=end)["risk"]
        y = test["count"].to_numpy()
        rows.append([pai(risk, y, area), pai(last, y, area), pai(every, y, area)])
    r = np.array(rows)
    assert r[:, 0].mean() > r[:, 1].mean() and r[:, 0].mean() > r[:, 2].mean()
    assert ((r[:, 0] > r[:, 1]) & (r[:, 0] > r[:, 2])).sum() >= 3


def test_risk_terrain_by_hand():
    import geopandas as gpd
    from shapely.geometry import LineString

    from zzanalytics.spatial.terrain import risk_terrain

    g = make_grid((103.80, 36.05, 103.82, 36.06), cell=500, clip=False)
    cells = g.to_crs(g.attrs["crs"])
    first = cells.geometry.iloc[0]
    zone = gpd.GeoDataFrame({"kind": ["rental_housing"]}, geometry=[first], crs=cells.crs).to_crs(4326)
    x0, y0, x1, y1 = first.bounds
    street = gpd.GeoDataFrame(
        {"class": ["main"]}, geometry=[LineString([(x0, (y0 + y1) / 2), (x1, (y0 + y1) / 2)])], crs=cells.crs
    ).to_crs(4326)
    c = first.centroid
    cams = pd.DataFrame({"lon": [0.0, 0.0], "lat": [0.0, 0.0], "status": ["working", "broken"]})
    cams[["lon", "lat"]] = gpd.GeoSeries([c, c], crs=cells.crs).to_crs(4326).get_coordinates().to_numpy()
    t = risk_terrain(g, zones=zone, streets=street, cameras=cams).set_index("cell_id")
    row = t.loc[g.cell_id.iloc[0]]
    assert row.zone_rental_housing_share == pytest.approx(1.0, abs=1e-6) and row.zone_rental_housing_dist == 0
    assert row.street_main_km == pytest.approx(0.5 / 0.25, rel=1e-3)  # 500 m of street in 0.25 km²
    assert row.camera_n == 1 and row.camera_dist == pytest.approx(0, abs=1e-6)  # the broken one is left out
    other = t.drop(index=g.cell_id.iloc[0])
    assert (other.zone_rental_housing_share < 1e-9).all() and (other.zone_rental_housing_dist > 0).all()


def test_glm_plus_counts_uses_context_and_terrain_and_falls_back():
    inc, truth = simulate_incidents(years=4, seed=3, scale=0.3)
    grid = make_grid(truth["bbox"], cell=250)
    end = truth["start"] + pd.DateOffset(years=3) - pd.Timedelta(days=1)
    train = inc[inc.occurred_at.dt.tz_localize(None) < end + pd.Timedelta(days=1)]
    ctx = pd.concat([train.assign(category="other"), train], ignore_index=True)
    r = risk_surface(train, grid, end=end, horizon=365, context=ctx)
    assert r.attrs["model"] == "glm+counts" and len(r.attrs["coefficients"]) == 7
    assert r.risk.sum() == pytest.approx(
        cell_counts(train, grid, start=end - pd.Timedelta(days=364), end=end)["count"].sum()
    )
    # the context's own category is left out: with only own rows as context there is no "other"
    r2 = risk_surface(train, grid, end=end, horizon=365, context=train)
    assert len(r2.attrs["coefficients"]) == 5  # "other" and its ring are constant: dropped
    # less than three horizons of history: the rolling-origin selection
    short = risk_surface(train, grid, end=end, horizon=500)
    assert short.attrs["model"] != "glm+counts" and len(short.attrs["validation"]) > 0
    base = risk_surface(train, grid, end=end, horizon=365, model="counts")
    assert np.corrcoef(base.risk, cell_counts(train, grid)["count"])[0, 1] > 0.999
    with pytest.raises(ModelError, match="model was"):
        risk_surface(train, grid, model="magic")
