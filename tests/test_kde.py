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
