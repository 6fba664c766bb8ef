"""Emerging hot spot analysis: the 17 classes on constructed cubes, Mann-Kendall, planted patterns."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pymannkendall as pmk
import pytest
from scipy import stats

from zzanalytics.spatial.emerging import (
    CLASSES,
    classify_emerging,
    cube_counts,
    ehsa_matches,
    emerging_hotspots,
    mann_kendall,
)
from zzanalytics.spatial.grid import make_grid
from zzanalytics.store.coverage import Coverage

COMPLETE = Coverage.complete()  # simulated cubes: every zero is real, said by name

T = 20
H, C, N = 3.0, -3.0, 0.0  # a hot, cold and not-significant bin


def _series(hot_at=(), cold_at=()):
    z = np.zeros(T)
    z[list(hot_at)] = H
    z[list(cold_at)] = C
    return z


HOT_SERIES = {
    "new hot spot": _series(hot_at=[T - 1]),
    "consecutive hot spot": _series(hot_at=range(T - 4, T)),
    "intensifying hot spot": np.linspace(2.0, 6.0, T),
    "persistent hot spot": np.array([3.2, 2.8, 2.9, 3.1] * (T // 4)),
    "diminishing hot spot": np.linspace(6.0, 2.0, T),
    "sporadic hot spot": _series(hot_at=[3, 8, 12, T - 1]),
    "oscillating hot spot": _series(hot_at=[10, T - 1], cold_at=[2, 5]),
    "historical hot spot": _series(hot_at=range(T - 1)),
}
CUBES = {**HOT_SERIES, **{k.replace("hot", "cold"): -v for k, v in HOT_SERIES.items()}}
CUBES["no pattern"] = _series(hot_at=[5])


def _q(z):
    return 2 * stats.norm.sf(np.abs(z))  # one test per bin, no correction needed here


def test_there_are_17_classes():
    assert len(CLASSES) == 17 and len(set(CLASSES)) == 17
    assert set(CUBES) == set(CLASSES)


@pytest.mark.parametrize("label", CLASSES)
def test_constructed_series_lands_in_exactly_its_class(label):
    z = CUBES[label][None, :]
    assert ehsa_matches(z, _q(z)) == [[label]]
    assert classify_emerging(z, _q(z)).tolist() == [label]


def test_whole_constructed_cube_at_once():
    z = np.stack([CUBES[c] for c in CLASSES])
    assert classify_emerging(z, _q(z)).tolist() == list(CLASSES)
    assert all(len(m) == 1 for m in ehsa_matches(z, _q(z)))


def test_ninety_percent_boundary_and_no_pattern_cases():
    z = np.zeros((4, 10))
    z[0, 1:] = H  # 9 of 10 hot incl. final, ramp-free: persistent, not consecutive
    z[1, 2:] = H  # 8 of 10, a final run: consecutive
    z[2, :9] = H  # 90% then not significant: historical
    z[3, :9] = H
    z[3, 9] = C  # 90% hot, final cold: oscillating cold, not historical
    got = classify_emerging(z, _q(z)).tolist()
    assert got == [
        "persistent hot spot",
        "consecutive hot spot",
        "historical hot spot",
        "oscillating cold spot",
    ]
    assert all(len(m) == 1 for m in ehsa_matches(z, _q(z)))


def test_significance_comes_from_q_not_z():
    z = _series(hot_at=[T - 1])[None, :]
    q = np.full_like(z, 0.5)
    assert classify_emerging(z, q).tolist() == ["no pattern"]


def test_mann_kendall_matches_pymannkendall():
    rng = np.random.default_rng(0)
    x = np.round(rng.normal(0, 1, (6, 24)) + np.linspace(0, 1.5, 24), 1)  # rounding makes ties
    tau, z, p = mann_kendall(x)
    for i in range(len(x)):
        ref = pmk.original_test(x[i])
        assert z[i] == pytest.approx(ref.z, abs=1e-9)
        assert p[i] == pytest.approx(ref.p, abs=1e-9)
        assert tau[i] == pytest.approx(ref.Tau, abs=1e-9)


def test_simulated_cube_with_planted_new_and_intensifying_hotspots():
    grid = make_grid((103.80, 36.05, 103.88, 36.11), cell=250, clip=False)
    ids = grid.cell_id.to_numpy()
    n, steps = len(ids), 12
    rng = np.random.default_rng(7)
    Y = rng.poisson(1.0, (n, steps))
    col, row = pd.Series(ids).str.extract(r"E(-?\d+)N(-?\d+)").astype(int).to_numpy().T
    c0, r0 = col.min(), row.min()
    new_blk = (col - c0 >= 5) & (col - c0 < 7) & (row - r0 >= 5) & (row - r0 < 7)
    int_blk = (col - c0 >= 15) & (col - c0 < 17) & (row - r0 >= 15) & (row - r0 < 17)
    Y[new_blk, -1] += 15
    Y[int_blk] += np.arange(6, 6 + 2 * steps, 2)
    cube = pd.DataFrame(
        {"cell_id": np.repeat(ids, steps), "period": np.tile(np.arange(steps), n), "count": Y.ravel()}
    )
    res = emerging_hotspots(cube, grid, permutations=0, coverage=COMPLETE)
    f = res.to_frame().set_index("cell_id")
    assert (f.loc[ids[new_blk], "pattern"] == "new hot spot").all()
    assert (f.loc[ids[int_blk], "pattern"] == "intensifying hot spot").all()
    far = ~(new_blk | int_blk)
    assert (f.loc[ids[far], "pattern"].str.contains("hot")).mean() < 0.03


def test_sample_emerging_hotspot_is_new(sample_store):
    m = json.loads((sample_store.path.parent.parent / "manifest.json").read_text(encoding="utf-8"))
    e = m["emerging_hotspot"]
    grid = make_grid(sample_store.areas(), cell=250)
    inc = sample_store.incidents(category=e["category"])
    end = pd.Timestamp(m["end"])
    # years ending on the last day of the data: E1 started in the final one
    res = emerging_hotspots(
        cube_counts(inc, grid, end, steps=7, months=12), grid, permutations=0, coverage=COMPLETE
    )
    pt = gpd.points_from_xy([e["lon"]], [e["lat"]])[0]
    cell = grid[grid.intersects(pt)].cell_id.iloc[0]
    pattern = res.to_frame().set_index("cell_id").loc[cell, "pattern"]
    assert pattern in ("new hot spot", "intensifying hot spot")


def test_spacetime_weights_by_hand_and_gi_equals_esda_on_the_flattened_cube():
    import esda
    import scipy.sparse as sp
    from libpysal.weights import W as PysalW

    from zzanalytics.spatial.emerging import spacetime_weights

    line = sp.csr_matrix(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]]))
    Wst = spacetime_weights(line, 3, 1).toarray()
    # bin (cell 1, step 2) = row 1*3+2: cells 0, 1, 2 at steps 1 and 2
    assert np.flatnonzero(Wst[5]).tolist() == [1, 2, 4, 5, 7, 8]
    # the first step has no previous one: cells 0, 1 at step 0 only
    assert np.flatnonzero(Wst[0]).tolist() == [0, 3]
    grid = make_grid((103.80, 36.05, 103.83, 36.08), cell=500, clip=False)
    n, steps = len(grid), 6
    Y = np.random.default_rng(3).poisson(1.0, (n, steps))
    Y[:4, 3:] += 6
    cube = pd.DataFrame({"cell_id": np.repeat(grid.cell_id, steps), "period": np.tile(np.arange(steps), n)})
    cube["count"] = Y.ravel()
    res = emerging_hotspots(cube, grid, permutations=0, time_step=2, coverage=COMPLETE)
    W = res.gi.W.tolil()
    W.setdiag(0)
    ref = esda.G_Local(
        Y.ravel().astype(float), PysalW.from_sparse(W.tocsr()), transform="B", star=True, permutations=0
    )
    assert np.abs(res.gi.z.ravel() - ref.Zs).max() < 1e-10
    assert res.gi.extra["time_step"] == 2 and res.gi.z.shape == (n, steps)


def test_spacetime_neighbourhood_on_a_constructed_cube():
    """A block that flares in the final step is new in both forms; a block that flared one step
    before the end is nothing spatially (not hot in the final map) but, with the previous step in
    every bin's neighbourhood, a consecutive hot spot (hot in the last two steps, never before)."""
    grid = make_grid((103.80, 36.05, 103.88, 36.11), cell=250, clip=False)
    ids = grid.cell_id.to_numpy()
    n, steps = len(ids), 10
    Y = np.random.default_rng(11).poisson(1.0, (n, steps))
    col, row = pd.Series(ids).str.extract(r"E(-?\d+)N(-?\d+)").astype(int).to_numpy().T
    c0, r0 = col.min(), row.min()
    late = (col - c0 >= 5) & (col - c0 < 7) & (row - r0 >= 5) & (row - r0 < 7)
    before = (col - c0 >= 18) & (col - c0 < 20) & (row - r0 >= 14) & (row - r0 < 16)
    Y[late, -1] += 12
    Y[before, -2] += 12
    cube = pd.DataFrame({"cell_id": np.repeat(ids, steps), "period": np.tile(np.arange(steps), n)})
    cube["count"] = Y.ravel()
    st = (
        emerging_hotspots(cube, grid, permutations=0, coverage=COMPLETE)
        .to_frame()
        .set_index("cell_id")
        .pattern
    )
    sp_only = (
        emerging_hotspots(cube, grid, permutations=0, time_step=0, coverage=COMPLETE)
        .to_frame()
        .set_index("cell_id")
        .pattern
    )
    assert (st[ids[late]] == "new hot spot").all() and (sp_only[ids[late]] == "new hot spot").all()
    assert (st[ids[before]] == "consecutive hot spot").all()
    assert (sp_only[ids[before]] == "no pattern").all()
    far = ~(late | before)
    assert st[ids[far]].str.contains("hot").mean() < 0.03
    assert set(st) <= set(CLASSES)


def test_a_cube_needs_its_coverage_and_every_period_inside_it():
    """A cube of counts cannot show what was covered: without coverage it is refused, and a
    period before the source started (a map of zeros that would make every busy cell "new")
    is named."""
    from zzanalytics.errors import SchemaError, SpatialError

    grid = make_grid((103.80, 36.05, 103.83, 36.08), cell=1000, clip=False)
    periods = pd.date_range("2024-01-01", periods=8, freq="MS")
    cube = pd.DataFrame(
        {"cell_id": np.repeat(grid["cell_id"], 8), "period": np.tile(periods, len(grid)), "count": 1}
    )
    with pytest.raises(SchemaError, match="coverage=st") as err:
        emerging_hotspots(cube, grid, permutations=0)
    assert "\n" not in str(err.value)
    late = Coverage.from_frame(
        pd.DataFrame({"category": ["theft"], "start": ["2024-03-01"], "end": ["2024-12-31"]})
    )
    with pytest.raises(SpatialError, match=r"2 of 8 periods \(2024-01-01 to 2024-02-01\) lie outside"):
        emerging_hotspots(cube, grid, permutations=0, coverage=late, categories="theft")
    res = emerging_hotspots(
        cube[cube["period"] >= "2024-03-01"], grid, permutations=0, coverage=late, categories="theft"
    )
    assert len(res.periods) == 6
    # a cube of months ending with a short month (May has 31 days, June 30) whose coverage ends
    # on the last day of it: every month is inside, none is refused
    june = Coverage.from_frame(
        pd.DataFrame({"category": ["theft"], "start": ["2024-01-01"], "end": ["2024-06-30"]})
    )
    months = cube[cube["period"] <= "2024-06-01"]
    assert (
        len(emerging_hotspots(months, grid, permutations=0, coverage=june, categories="theft").periods) == 6
    )
