"""KDE on grid cells: the stated bandwidth rules by hand, mass and peak."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from zzanalytics.errors import SpatialError
from zzanalytics.spatial.grid import make_grid
from zzanalytics.spatial.kde import bandwidth, kde


def test_bandwidth_rules_by_hand():
    rng = np.random.default_rng(0)
    xy = rng.normal(0, [300.0, 600.0], (2000, 2))
    sx2, sy2 = xy.var(axis=0)
    n = len(xy)
    assert bandwidth(xy, "scott") == pytest.approx(np.sqrt((sx2 + sy2) / 2) * n ** (-1 / 6))
    sd = np.sqrt(sx2 + sy2)
    dm = np.median(np.hypot(*(xy - xy.mean(axis=0)).T))
    expect = 0.9 * min(sd, np.sqrt(1 / np.log(2)) * dm) * n ** (-0.2)
    assert bandwidth(xy, "silverman") == pytest.approx(expect, rel=1e-3)
    assert bandwidth(xy, 150) == 150.0
    with pytest.raises(SpatialError):
        bandwidth(xy, "magic")


def test_kde_keeps_mass_and_peaks_at_the_blob():
    to_ll = Transformer.from_crs(32648, 4326, always_xy=True)
    x0, y0 = 300_000.0, 3_990_000.0
    rng = np.random.default_rng(1)
    xy = np.array([3000.0, 3000.0]) + rng.normal(0, 300, (1500, 2))
    lon, lat = to_ll.transform(xy[:, 0] + x0, xy[:, 1] + y0)
    grid = make_grid((*to_ll.transform(x0, y0), *to_ll.transform(x0 + 6000, y0 + 6000)), cell=250, crs=32648)
    k = kde(pd.DataFrame({"lon": lon, "lat": lat}), grid, 200.0)
    assert k.attrs["bandwidth_m"] == 200.0
    assert k["expected"].sum() == pytest.approx(1500, rel=0.01)
    peak = grid.to_crs(32648).centroid[k["density"].idxmax()]
    assert np.hypot(peak.x - x0 - 3000, peak.y - y0 - 3000) < 250


def _setup(xy: np.ndarray, side: float):
    to_ll = Transformer.from_crs(32648, 4326, always_xy=True)
    x0, y0 = 300_000.0, 3_990_000.0
    lon, lat = to_ll.transform(xy[:, 0] + x0, xy[:, 1] + y0)
    grid = make_grid((*to_ll.transform(x0, y0), *to_ll.transform(x0 + side, y0 + side)), cell=250, crs=32648)
    cen = grid.to_crs(32648).centroid
    return pd.DataFrame({"lon": lon, "lat": lat}), grid, np.column_stack([cen.x - x0, cen.y - y0])


def _direct(cen: np.ndarray, xy: np.ndarray, h: float) -> np.ndarray:
    d2 = ((cen[:, None, :] - xy[None, :, :]) ** 2).sum(axis=-1)
    return np.exp(-0.5 * d2 / h**2).sum(axis=1) / (2 * np.pi * h**2) * 1e6


def test_kde_few_points_equals_direct_sum_and_scipy_gaussian_kde():
    """40 scattered points (the case nearest-node binning got 20-50% wrong 1-3 bandwidths away)."""
    from scipy.stats import gaussian_kde

    rng = np.random.default_rng(5)
    raw = rng.normal(0, 1, (40, 2))
    # whiten so the sample covariance is exactly s^2 I: scipy's kernel covariance is then h^2 I
    raw -= raw.mean(axis=0)
    raw = raw @ np.linalg.inv(np.linalg.cholesky(np.cov(raw.T)).T)
    s, h = 700.0, 180.0
    xy = 3000.0 + s * raw
    pts, grid, cen = _setup(xy, 6000.0)
    k = kde(pts, grid, h)
    assert k.attrs["sources"] == "points"
    ref = _direct(cen, xy, h)
    sc = gaussian_kde(xy.T, bw_method=h / s)(cen.T) * len(xy) * 1e6
    assert np.allclose(ref, sc, rtol=1e-6)
    big = ref > 0.01 * ref.max()
    assert np.abs(k["density"].to_numpy()[big] / ref[big] - 1).max() < 0.01
    assert np.abs(k["density"].to_numpy()[big] / sc[big] - 1).max() < 0.01


def test_kde_many_points_linear_binning_within_one_percent():
    rng = np.random.default_rng(6)
    centres = rng.uniform(800, 3200, (6, 2))
    xy = np.concatenate(
        [c + rng.normal(0, 120, (5000, 2)) for c in centres] + [rng.uniform(0, 4000, (8000, 2))]
    )
    xy = xy[((xy > 0) & (xy < 4000)).all(axis=1)]
    pts, grid, cen = _setup(xy, 4000.0)
    h = 500.0  # a lattice of h/20 = 25 m holds fewer nodes than the 38,000 points
    k = kde(pts, grid, h)
    assert k.attrs["sources"].startswith("linear-binned")
    ref = np.concatenate([_direct(cen, xy[i : i + 5000], h)[None] for i in range(0, len(xy), 5000)]).sum(
        axis=0
    )
    big = ref > 0.01 * ref.max()
    err = np.abs(k["density"].to_numpy()[big] / ref[big] - 1)
    assert err.max() < 0.01
    # the smoothed counts add up as the direct sum's do (mass beyond the grid's edge is lost in both)
    area_km2 = grid.to_crs(32648).area.to_numpy() / 1e6
    assert k["expected"].sum() == pytest.approx((ref * area_km2).sum(), rel=1e-3)
