"""Gi* against esda, planted hotspots, false positives under FDR, Local Moran, zz hotspots."""

from __future__ import annotations

import json
import warnings

import esda
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from libpysal.weights import lat2W
from shapely.geometry import box
from typer.testing import CliRunner

from zzanalytics.spatial.grid import cell_counts, cell_for, make_grid
from zzanalytics.spatial.hotspot_frame import hotspots
from zzanalytics.spatial.hotspots import (
    classify,
    fdr,
    gi_star,
    grid_weights,
    local_moran,
)
from zzanalytics.store.coverage import Coverage

warnings.filterwarnings("ignore", category=UserWarning)


@pytest.fixture(scope="module")
def lattice():
    w = lat2W(30, 30, rook=False)
    y = np.random.default_rng(3).poisson(2.0, 900).astype(float)
    y[[0, 1, 30, 31, 465]] += 12
    return w, y


def test_gi_star_equals_esda(lattice):
    w, y = lattice
    ref = esda.G_Local(y, w, transform="B", star=True, permutations=199, seed=11, n_jobs=1)
    ours = gi_star(y, w.sparse, permutations=199, seed=11)
    assert np.abs(ours.z - ref.Zs).max() < 1e-10
    assert np.abs(ours.G - ref.Gs).max() < 1e-12
    # same seed, same permutation indices: esda's folded pseudo p and permutation z
    assert np.abs(ours.p_sim - ref.p_sim).max() < 1e-6
    assert np.abs(ours.z_sim - ref.z_sim).max() < 1e-9


def test_cube_shares_permutations_and_matches_esda_per_period(lattice):
    w, y = lattice
    rng = np.random.default_rng(5)
    Y = np.column_stack([y, rng.poisson(1.0, 900), rng.poisson(4.0, 900)]).astype(float)
    cube = gi_star(Y, w.sparse, permutations=99, seed=2)
    for t in range(3):
        ref = esda.G_Local(Y[:, t], w, transform="B", star=True, permutations=99, seed=2, n_jobs=1)
        assert np.abs(cube.z[:, t] - ref.Zs).max() < 1e-10
        assert np.abs(cube.p_sim[:, t] - ref.p_sim).max() < 1e-6


def test_fdr_and_classes_by_hand():
    q = fdr(np.array([0.001, 0.008, 0.039, 0.041, 0.6]))
    # BH: p_(i) * m / i, made monotone from the top
    assert np.allclose(q, [0.005, 0.02, 0.05125, 0.05125, 0.6])
    labels = classify(np.array([4, 3, 2, -2, 1.0]), q)
    assert labels.tolist() == ["hot_99", "hot_95", "hot_90", "cold_90", "not_significant"]


def test_planted_hotspots_found_and_nothing_far_away():
    """Three Gaussian blobs (sigma 150 m, 60-120 points) on 3,000 uniform points over 6 x 6 km."""
    from pyproj import Transformer

    rng = np.random.default_rng(4)
    to_ll = Transformer.from_crs(32648, 4326, always_xy=True)
    x0, y0 = 300_000.0, 3_990_000.0
    centres = np.array([[1500.0, 1500], [4200, 2600], [2500, 4800]])
    parts = [rng.uniform(0, 6000, (3000, 2))]
    parts += [c + rng.normal(0, 150, (k, 2)) for c, k in zip(centres, (120, 90, 60), strict=True)]
    xy = np.concatenate(parts)
    lon, lat = to_ll.transform(xy[:, 0] + x0, xy[:, 1] + y0)
    inc = pd.DataFrame({"lon": lon, "lat": lat, "occurred_at": pd.Timestamp("2026-03-01")})
    bbox = (*to_ll.transform(x0, y0), *to_ll.transform(x0 + 6000, y0 + 6000))
    grid = make_grid(bbox, cell=250, crs=32648)
    # every record on one day of a year said to be complete (inferred, one day would be covered)
    complete = Coverage.complete()
    res = hotspots(inc, grid, "2026-01-01", "2026-12-31", permutations=0, risk=False, coverage=complete)
    clon, clat = to_ll.transform(centres[:, 0] + x0, centres[:, 1] + y0)
    for pt in gpd.points_from_xy(clon, clat):
        assert res[res.intersects(pt)].hotspot.iloc[0].startswith("hot")
    hot = res[res.hotspot.str.startswith("hot")].to_crs(32648).centroid
    d = np.min([np.hypot(hot.x - (c[0] + x0), hot.y - (c[1] + y0)) for c in centres], axis=0)
    assert d.max() < 3 * 150 + 2 * 250  # no hot cell away from a planted blob


def test_false_hot_cells_on_homogeneous_poisson_within_fdr():
    """BH at 10%: under a global null P(any false cell) <= 0.10; measured over 30 fields."""
    W = lat2W(40, 40, rook=False).sparse
    any_fp = 0
    for s in range(30):
        y = np.random.default_rng(100 + s).poisson(1.0, 1600).astype(float)
        r = gi_star(y, W, permutations=0)
        any_fp += int((r.hotspot != "not_significant").any())
    assert any_fp / 30 <= 0.15  # measured 0.03-0.08 (normal p: 0.15-0.5)


def _mc_two_sided(y: np.ndarray, k: int, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Monte Carlo of the total-randomisation null: sums of k of the n values, no replacement."""
    n = len(y)
    idx = rng.integers(0, n, (draws, k))
    bad = (np.diff(np.sort(idx, axis=1), axis=1) == 0).any(axis=1)
    while bad.any():  # redraw rows that hit a site twice
        idx[bad] = rng.integers(0, n, (int(bad.sum()), k))
        bad = (np.diff(np.sort(idx, axis=1), axis=1) == 0).any(axis=1)
    return np.bincount(y[idx].sum(axis=1).astype(int))


@pytest.mark.slow
def test_exact_p_matches_a_million_draw_monte_carlo_on_a_skewed_field():
    """Skewed counts (negative binomial, size 0.3, plus three large cells): the exact p of every
    cell agrees with 10^6 Monte Carlo draws of the same null within sampling error, where the
    Pearson III approximation is off by more than half in the far tail."""
    rng = np.random.default_rng(8)
    w = lat2W(30, 30, rook=False)
    y = rng.negative_binomial(0.3, 0.3 / 1.3, 900).astype(float)
    y[[40, 41, 70]] = [33, 25, 20]
    from scipy import stats

    assert stats.skew(y) > 4
    exact = gi_star(y, w.sparse, permutations=0)
    p3 = gi_star(y, w.sparse, permutations=0, inference="pearson3")
    assert exact.extra["p_method"] == ["exact"]
    card = np.asarray(exact.W.sum(axis=1)).ravel().astype(int)
    sums = np.asarray(exact.W @ y).ravel().astype(int)
    draws = 1_000_000
    worst_p3 = 0.0
    for k in np.unique(card):
        hist = _mc_two_sided(y, int(k), draws, rng).astype(float)
        up = np.cumsum(hist[::-1])[::-1] / draws
        lo = np.cumsum(hist) / draws
        sel = card == k
        s = np.minimum(sums[sel], len(hist) - 1)
        p_mc = np.minimum(1, 2 * np.minimum(up[s], lo[s]))
        p_ex = exact.p[sel]
        se = 2 * np.sqrt(np.maximum(p_ex, 1e-6) / 2 / draws)
        assert np.all(np.abs(p_ex - p_mc) <= 5 * se + 1e-12), k
        tail = (p_ex > 1e-4) & (p_ex < 1e-2)
        if tail.any():
            worst_p3 = max(worst_p3, float(np.max(np.abs(np.log(p3.p[sel][tail] / p_ex[tail])))))
    assert worst_p3 > np.log(1.5)  # the approximation this replaces is visibly off in the tail


def test_exact_p_on_decimal_values_and_fallback():
    w = lat2W(12, 12, rook=False)
    y = np.random.default_rng(2).poisson(1.5, 144).astype(float)
    a = gi_star(y, w.sparse, permutations=0)
    b = gi_star(y / 10, w.sparse, permutations=0)  # a 0.1 lattice: still exact, same p
    assert b.extra["p_method"] == ["exact"] and np.allclose(a.p, b.p)
    c = gi_star(y + np.random.default_rng(3).uniform(0, 1e-4, 144), w.sparse, permutations=0)
    assert c.extra["p_method"] == ["pearson3"]  # off any decimal lattice: the moment fit
    cube = gi_star(np.column_stack([y, y * 2]), w.sparse, permutations=0)
    assert cube.extra["p_method"] == ["exact", "exact"] and cube.p.shape == (144, 2)


def test_grid_weights_queen_and_hex():
    g = make_grid((103.80, 36.05, 103.83, 36.08), cell=500, clip=False)
    W = grid_weights(g)
    deg = np.asarray(W.sum(axis=1)).ravel()
    assert deg.max() == 8 and deg.min() == 3 and (W != W.T).nnz == 0
    h = make_grid((103.80, 36.05, 103.83, 36.08), cell=250, kind="hex", clip=False)
    assert np.asarray(grid_weights(h).sum(axis=1)).ravel().max() == 6


def test_local_moran_on_townships():
    polys = [box(i % 5, i // 5, i % 5 + 1, i // 5 + 1) for i in range(25)]
    rates = np.ones(25)
    rates[[0, 1, 5, 6]] = 10.0  # a high-high corner
    areas = gpd.GeoDataFrame({"area_code": [f"A{i:02d}" for i in range(25)]}, geometry=polys, crs=3857)
    r = local_moran(areas, pd.Series(rates, index=areas.area_code), permutations=199, seed=1)
    f = r.to_frame()
    assert (f.loc[[0, 1, 5, 6], "quadrant"] == "HH").all()
    from libpysal.weights import Queen

    w = Queen.from_dataframe(areas, use_index=False, silence_warnings=True)
    w.transform = "R"
    ref = esda.Moran_Local(rates, w, permutations=199, seed=1)
    assert np.allclose(f.lisa_i, ref.Is)
    assert f.loc[6, "lisa_p"] <= 0.05


def test_zz_hotspots_writes_contract_geojson(tmp_path, sample_store):
    from zzanalytics.cli import app

    out = tmp_path / "hs.geojson"
    res = CliRunner().invoke(
        app,
        [
            "hotspots",
            "--category",
            "theft.other",
            "--start",
            "2026-05-01",
            "--end",
            "2026-10-31",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    gj = json.loads(out.read_text(encoding="utf-8"))
    frame = gpd.read_file(out)
    assert frame.crs.to_epsg() == 4326
    assert {"cell_id", "count", "risk", "gi_z", "gi_p", "hotspot"} <= set(frame.columns)
    areas = sample_store.areas()
    grid = make_grid(areas, cell=cell_for(areas))  # default cell: from the district's size
    assert len(gj["features"]) == len(grid) and set(frame.cell_id) == set(grid.cell_id)
    inc = sample_store.incidents(start="2026-05-01", end="2026-10-31", category="theft.other")
    assert frame["count"].sum() == cell_counts(inc, grid)["count"].sum()
    assert (frame["count"] == 0).sum() > 0 and frame.risk.ge(0).all()
    assert set(frame.hotspot) <= {f"{s}_{c}" for s in ("hot", "cold") for c in (90, 95, 99)} | {
        "not_significant"
    }
    # the sample's planted theft hotspots (manifest) are hot
    m = json.loads((sample_store.path.parent.parent / "manifest.json").read_text(encoding="utf-8"))
    for h in [*m["hotspots"], m["emerging_hotspot"]]:
        if h["category"] != "theft.other":
            continue
        pt = gpd.points_from_xy([h["lon"]], [h["lat"]])[0]
        assert frame[frame.intersects(pt)].hotspot.iloc[0].startswith("hot"), h["id"]


def test_permutation_draws_are_esdas_without_importing_it():
    """The conditional-randomisation draws equal esda's ``vec_permutations`` for the same seed."""
    from esda.crand import vec_permutations

    from zzanalytics.spatial._inference import permutation_ids

    for k, n, r, seed in [(8, 100, 999, 12345), (3, 10, 5, 1), (20, 2000, 99, 7)]:
        assert (permutation_ids(k, n, r, seed) == np.asarray(vec_permutations(k, n, r, seed))).all()
