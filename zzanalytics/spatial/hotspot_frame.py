"""The hot-spot map of a period: counts, next-period risk and Gi* classes for every cell.

What the sources cover decides what a count means (``coverage=``, see ``docs/coverage.md``): the
period must lie inside the coverage of the records' categories, or the cells' counts would take
the missing days as zeros; the risk surface trains on the covered stretch that ends the period.

Examples
--------
>>> from zzanalytics import Coverage
>>> from zzanalytics.spatial.grid import make_grid
>>> g = make_grid((103.80, 36.05, 103.83, 36.08), cell=1000)
>>> inc = pd.DataFrame({"lon": [103.805] * 5, "lat": [36.055] * 5,
...     "occurred_at": pd.date_range("2026-01-01", periods=5, freq="D")})
>>> hs = hotspots(inc, g, "2026-01-01", "2026-01-05", permutations=99, risk=False,
...               coverage=Coverage.complete())
>>> list(hs.columns), int(hs["count"].sum())
(['cell_id', 'count', 'risk', 'gi_z', 'gi_p', 'hotspot', 'geometry'], 5)
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from zzanalytics.clock import wall_time
from zzanalytics.errors import SpatialError
from zzanalytics.spatial._coverage import check_covered
from zzanalytics.spatial.hotspots import gi_star, grid_weights
from zzanalytics.store.coverage import coverage_for

__all__ = ["hotspots"]


def hotspots(
    incidents: pd.DataFrame,
    grid: gpd.GeoDataFrame,
    start: Any,
    end: Any,
    *,
    permutations: int = 199,
    seed: int = 12345,
    ring: int = 1,
    risk: bool = True,
    context: pd.DataFrame | None = None,
    layers: dict | None = None,
    coverage: Any = None,
) -> gpd.GeoDataFrame:
    """Counts, next-period risk and Gi* classes for every cell of ``grid``.

    Parameters
    ----------
    incidents : DataFrame
        Canonical incidents; rows up to ``end`` train the risk surface, rows in
        ``start..end`` are counted and tested.
    grid : GeoDataFrame
        From :func:`~zzanalytics.spatial.grid.make_grid`.
    start, end : date-like
        Inclusive local dates.
    permutations, seed, ring : int
        Gi* permutations (they give ``p_sim``; the classes use the exact randomisation
        p, see :mod:`zzanalytics.spatial.hotspots`), seed, and neighbourhood (cells within
        ``ring`` rows/columns).
    risk : bool
        Compute ``risk`` (expected count in a period as long as ``start..end``
        right after ``end``), see :func:`~zzanalytics.spatial.risk.risk_surface`.
    context, layers : optional
        Incidents of every category, and ``zones``/``streets``/``cameras`` for the risk terrain.
    coverage : Coverage, Store or None
        What the sources cover (``st.coverage()`` or ``st``): ``start..end`` must lie inside
        it for the records' categories, else a one-line :class:`SpatialError` names what is
        covered. ``None``: inferred from the records with a :class:`zzanalytics.CoverageWarning`;
        ``Coverage.complete()``: absence is zero.

    Returns
    -------
    GeoDataFrame
        ``cell_id``, ``count``, ``risk``, ``gi_z``, ``gi_p``, ``hotspot``, geometry (EPSG:4326).
    """
    from zzanalytics.spatial.grid import cell_counts

    s, e = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    if e < s:
        raise SpatialError(f"hotspots: end {e.date()} is before start {s.date()}")
    cov = coverage_for(coverage, incidents, table="incidents", call="hotspots()")
    check_covered(cov, incidents, s, e, "hotspots")
    cnt = cell_counts(incidents, grid, start=s, end=e)
    W = grid_weights(grid, ring=ring)
    gi = gi_star(cnt["count"].to_numpy(float), W, permutations=permutations, seed=seed)
    out = gpd.GeoDataFrame(
        {
            "cell_id": grid["cell_id"].to_numpy(),
            "count": cnt["count"].to_numpy(),
            "risk": np.nan,
            "gi_z": gi.z,
            "gi_p": gi.p,
            "hotspot": gi.hotspot,
        },
        geometry=grid.geometry.to_numpy(),
        crs=4326,
    )
    if risk and len(incidents):
        from zzanalytics.spatial.risk import risk_surface
        from zzanalytics.spatial.terrain import risk_terrain

        when = wall_time(incidents["occurred_at"])
        hist = incidents[(when < e + pd.Timedelta(days=1)).to_numpy()]
        horizon = (e - s) + pd.Timedelta(days=1)
        terrain = risk_terrain(grid, **layers) if layers else None
        rs = risk_surface(hist, grid, end=e, horizon=horizon, context=context, terrain=terrain, coverage=cov)
        out["risk"] = rs.set_index("cell_id")["risk"].reindex(out["cell_id"]).fillna(0.0).to_numpy()
    elif risk:
        out["risk"] = 0.0
    out.attrs.update(grid.attrs)
    return out
