"""Near-repeat (Knox) analysis: a hand-computed table, exact permutation p, planted chains, no chains."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from zzanalytics import near_repeat
from zzanalytics.errors import SchemaError, SpatialError

X0, Y0 = 300_000.0, 3_990_000.0
TO_LL = Transformer.from_crs(32648, 4326, always_xy=True)


def _frame(xy: np.ndarray, days: np.ndarray) -> pd.DataFrame:
    lon, lat = TO_LL.transform(xy[:, 0] + X0, xy[:, 1] + Y0)
    when = pd.Timestamp("2026-01-01") + pd.to_timedelta(np.asarray(days, dtype=float), unit="D")
    return pd.DataFrame({"lon": lon, "lat": lat, "occurred_at": when, "category": "theft.burglary"})


HAND_XY = np.array([[0.0, 0], [50, 0], [149, 0], [1000, 0], [1000, 300]])
HAND_T = np.array([0.0, 3, 10, 2, 40])


def test_knox_table_by_hand():
    r = near_repeat(_frame(HAND_XY, HAND_T), crs=32648, permutations=99, seed=0)
    # pairs: AB 50 m 3 d, AC 149 m 10 d, AD 1000 m 2 d, AE 1044 m 40 d, BC 99 m 7 d, BD 950 m 1 d,
    # BE 994 m 37 d, CD 851 m 8 d, CE 903 m 30 d, DE 300 m 38 d
    assert r.observed.to_numpy().tolist() == [[2, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1], [2, 1, 1, 2]]
    n_s = np.array([2, 1, 1, 6])  # place pairs per distance band
    m_t = np.array([4, 2, 1, 3])  # time pairs per time band
    assert np.allclose(r.expected.to_numpy(), np.outer(n_s, m_t) / 10)
    assert r.ratio.iat[0, 0] == pytest.approx(2 / 0.8)
    assert r.observed.to_numpy().sum() == 10 and r.n == 5
    w = r.window(200, 14)  # AB, BC, AC -> 3 observed; expected (2 + 1) * (4 + 2) / 10
    assert w["observed"] == 3 and w["expected"] == pytest.approx(1.8)


def test_monte_carlo_p_matches_the_exact_permutation_distribution():
    """All 5! = 120 permutations of the times, by brute force, give the exact p of each cell."""
    d = np.hypot(*(HAND_XY[:, None, :] - HAND_XY[None, :, :]).transpose(2, 0, 1))
    iu = np.triu_indices(5, 1)
    sb = np.searchsorted([100, 200, 400], d[iu], side="left")
    obs = None
    tabs = []
    for perm in itertools.permutations(range(5)):
        t = HAND_T[list(perm)]
        tb = np.searchsorted([7, 14, 30], np.abs(t[:, None] - t[None, :])[iu], side="left")
        tab = np.zeros((4, 4))
        np.add.at(tab, (sb, tb), 1)
        tabs.append(tab)
        if perm == (0, 1, 2, 3, 4):
            obs = tab
    tabs = np.array(tabs)
    exact = (tabs >= obs).mean(axis=0)
    assert np.allclose(tabs.mean(axis=0), np.outer([2, 1, 1, 6], [4, 2, 1, 3]) / 10)  # Knox's expectation
    R = 19_999
    r = near_repeat(_frame(HAND_XY, HAND_T), crs=32648, permutations=R, seed=3)
    se = np.sqrt(exact * (1 - exact) / R)
    assert np.all(np.abs(r.p.to_numpy() - exact) <= 4 * se + 2 / R)


def _simulated(seed: int, chains: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n0 = 1500
    xy = rng.uniform(0, 5000, (n0, 2))
    t = rng.uniform(0, 730, n0)
    if chains:  # 10% of incidents start a chain of 1-3 repeats within ~60 m and ~4 days
        parents = rng.choice(n0, 150, replace=False)
        k = rng.integers(1, 4, 150)
        px = np.repeat(xy[parents], k, axis=0) + rng.normal(0, 60, (k.sum(), 2))
        pt = np.repeat(t[parents], k) + rng.exponential(4.0, k.sum())
        xy, t = np.vstack([xy, px]), np.r_[t, pt]
    return _frame(xy, t)


def test_planted_chains_are_recovered():
    r = near_repeat(_simulated(1, chains=True), crs=32648, permutations=199, seed=1)
    sig = r.significant
    assert sig.iat[0, 0]  # 0-100 m, 0-7 days
    w = r.window(200, 14)
    assert w["significant"] and w["ratio"] > 2
    # far apart or long after: no excess
    assert not sig.iloc[2:, :].to_numpy().any() and not sig.iloc[:, 2:].to_numpy().any()
    f = r.to_frame()
    assert len(f) == 16 and f.observed.sum() == r.n * (r.n - 1) // 2


@pytest.mark.slow
def test_no_false_band_without_chains():
    """Without chains a map shows a false near-repeat band in at most ~alpha of cases (BH over the
    9 near-repeat cells controls the chance of any false band at alpha when there is none)."""
    false_maps, false_windows = 0, 0
    for seed in range(20):
        r = near_repeat(_simulated(100 + seed, chains=False), crs=32648, permutations=199, seed=seed)
        false_maps += int(r.significant.to_numpy().any())
        false_windows += int(r.window(200, 14)["significant"])
    assert false_maps <= 2 and false_windows <= 2  # 20 maps at alpha = 0.05: about 1 expected


def test_inputs_checked():
    inc = _frame(HAND_XY, HAND_T)
    with pytest.raises(SpatialError, match="start at 0"):
        near_repeat(inc, distances=(50, 100))
    with pytest.raises(SchemaError, match="lack"):
        near_repeat(inc.drop(columns="lon"))
    with pytest.raises(SpatialError, match="at least 2"):
        near_repeat(inc, category="fire")
    r = near_repeat(inc, crs=32648, metric="manhattan", permutations=9)
    assert r.observed.iat[0, 0] == 2  # AB and BC lie on one line: same as euclidean
    with pytest.raises(SpatialError, match="band edges"):
        r.window(150, 14)


def test_sample_burglary_chains_recovered_and_vehicle_theft_clean(sample_store):
    """The sample district plants burglary chains (manifest near_repeat) and none for vehicle theft."""
    import json

    m = json.loads((sample_store.path.parent.parent / "manifest.json").read_text(encoding="utf-8"))
    assert m["near_repeat"]["category"] == "theft.burglary"
    inc = sample_store.incidents()
    b = near_repeat(inc, category="theft.burglary", permutations=199)
    w = b.window(200, 14)
    assert w["significant"] and w["ratio"] > 1.5 and b.significant.iat[0, 0]
    v = near_repeat(inc, category="theft.vehicle", permutations=199)
    assert not v.significant.to_numpy().any() and not v.window(200, 14)["significant"]
