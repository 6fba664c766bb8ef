"""Risk-terrain covariates of grid cells from the store's land-use zones, streets and cameras.

Risk Terrain Modelling (Caplan & Kennedy 2011) describes each place by its exposure
to features that attract or enable crime, as *distance* to the nearest feature and
*density* of features nearby. Here every cell gets, per kind of feature:

``zone_<kind>_share``   share of the cell's area inside zones of that kind (``rental_housing``,
                        ``commercial``, ``industrial``, ``village`` … whatever the store holds)
``zone_<kind>_dist``    metres from the cell's centroid to the nearest such zone (0 inside)
``street_<class>_km``   kilometres of streets of that class (``main``, ``secondary``) per km² of cell
``street_<class>_dist`` metres from the centroid to the nearest such street
``camera_n``            working cameras and checkpoints in the cell
``camera_dist``         metres from the centroid to the nearest one

The columns are plain numbers; :func:`zzanalytics.spatial.risk.risk_surface` takes
their logarithms as covariates of its Poisson model. All geometry work is shapely's
(STRtree nearest neighbours, vectorised intersections) in the grid's metric CRS.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import LineString, box
>>> from zzanalytics.spatial.grid import make_grid
>>> g = make_grid((103.80, 36.05, 103.82, 36.06), cell=500, clip=False)
>>> z = gpd.GeoDataFrame({"kind": ["commercial"]}, geometry=[box(103.80, 36.05, 103.805, 36.055)], crs=4326)
>>> t = risk_terrain(g, zones=z)
>>> list(t.columns), bool(t.zone_commercial_share.max() > 0.5)
(['cell_id', 'zone_commercial_share', 'zone_commercial_dist'], True)
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zzanalytics.errors import SchemaError

__all__ = ["risk_terrain"]


def _nearest(points: np.ndarray, geoms: np.ndarray) -> np.ndarray:
    """Distance from every point to the nearest geometry (STRtree)."""
    if len(geoms) == 0:
        return np.full(len(points), np.nan)
    tree = shapely.STRtree(geoms)
    _, dist = tree.query_nearest(points, return_distance=True, all_matches=False)
    return np.asarray(dist, dtype=float)


def risk_terrain(
    grid: gpd.GeoDataFrame,
    *,
    zones: gpd.GeoDataFrame | None = None,
    streets: gpd.GeoDataFrame | None = None,
    cameras: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Distance and density of land-use zones, streets and cameras for every cell (see the module).

    Parameters
    ----------
    grid : GeoDataFrame
        Cells (:func:`~zzanalytics.spatial.grid.make_grid`).
    zones : GeoDataFrame, optional
        Polygons with ``kind`` (the store's ``zones``).
    streets : GeoDataFrame, optional
        Lines with ``class`` (the store's ``streets``).
    cameras : DataFrame, optional
        ``lon``, ``lat`` and optionally ``status`` (``broken`` and ``planned`` ones are left out).

    Returns
    -------
    DataFrame
        ``cell_id`` and the covariate columns; none but ``cell_id`` when nothing is given.
    """
    from zzanalytics.spatial.grid import projected

    pg = projected(grid)
    crs = pg.crs
    cells = pg.geometry.to_numpy()
    area = shapely.area(cells)
    cen = shapely.centroid(cells)
    out: dict[str, Any] = {"cell_id": grid["cell_id"].to_numpy()}
    if zones is not None and len(zones):
        if "kind" not in zones.columns:
            raise SchemaError(f"risk_terrain: zones need a kind column; columns are {list(zones.columns)}")
        z = zones.to_crs(crs)
        for kind in sorted(z["kind"].astype(str).unique()):
            geoms = shapely.make_valid(z.geometry[z["kind"].astype(str) == kind].to_numpy())
            union = shapely.union_all(geoms)
            inter = shapely.area(shapely.intersection(cells, union))
            out[f"zone_{kind}_share"] = np.where(area > 0, inter / np.maximum(area, 1e-9), 0.0)
            out[f"zone_{kind}_dist"] = _nearest(cen, geoms)
    if streets is not None and len(streets):
        if "class" not in streets.columns:
            raise SchemaError(
                f"risk_terrain: streets need a class column; columns are {list(streets.columns)}"
            )
        s = streets.to_crs(crs)
        for cls in sorted(s["class"].astype(str).unique()):
            geoms = s.geometry[s["class"].astype(str) == cls].to_numpy()
            union = shapely.union_all(geoms)
            length = shapely.length(shapely.intersection(cells, union))
            out[f"street_{cls}_km"] = np.where(area > 0, (length / 1000) / np.maximum(area / 1e6, 1e-9), 0.0)
            out[f"street_{cls}_dist"] = _nearest(cen, geoms)
    if cameras is not None and len(cameras):
        cam = cameras
        if "status" in cam.columns:
            cam = cam[~cam["status"].astype(str).isin(["broken", "planned"])]
        lon = pd.to_numeric(cam["lon"], errors="coerce")
        lat = pd.to_numeric(cam["lat"], errors="coerce")
        ok = (lon.notna() & lat.notna()).to_numpy()
        pts = gpd.GeoSeries(gpd.points_from_xy(lon[ok], lat[ok]), crs=4326).to_crs(crs).to_numpy()
        tree = shapely.STRtree(pts)
        cell_ix, _ = tree.query(cells, predicate="intersects") if len(pts) else (np.array([], int), None)
        out["camera_n"] = np.bincount(cell_ix, minlength=len(cells)).astype(float)
        out["camera_dist"] = _nearest(cen, pts)
    return pd.DataFrame(out)
