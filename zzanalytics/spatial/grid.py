"""Grids over a study area: square cells in metres and H3 hexagons, and counts per cell.

Square cells are laid out in a local projected CRS (the UTM zone of the area's
centroid unless one is given), snapped to multiples of the cell size so that the
same cell keeps the same ``cell_id`` (``E{col}N{row}``, col/row = easting/northing
divided by the cell size) whatever the extent. Hexagons are H3 cells (``cell_id``
is the H3 index); the resolution defaults to the one whose mean hexagon area is
closest to ``cell**2``. With ``clip=True`` every cell is cut to the study area so
that the cells tile it exactly (their areas add up to the area's).

The grid is returned in EPSG:4326; :func:`projected` gives its twin in the local
metric CRS (stored in ``grid.attrs["crs"]``).

Examples
--------
>>> from shapely.geometry import box
>>> import geopandas as gpd
>>> area = gpd.GeoDataFrame(geometry=[box(103.80, 36.05, 103.83, 36.07)], crs=4326)
>>> grid = make_grid(area, cell=500)
>>> list(grid.columns), grid.crs.to_epsg()
(['cell_id', 'geometry'], 4326)
>>> round(float(projected(grid).area.sum() / projected(area).area.sum()), 6)
1.0
"""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from zzanalytics.clock import wall_time
from zzanalytics.errors import SchemaError, SpatialError

__all__ = [
    "assign_cells",
    "cell_centroids",
    "cell_counts",
    "cell_for",
    "local_crs",
    "make_grid",
    "projected",
]

CELL_STEPS = (50, 75, 100, 150, 200, 250, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 5000)
"""Round cell sides (metres) :func:`cell_for` chooses from."""

_FREQS = {
    "day": "D",
    "d": "D",
    "week": "W",
    "w": "W",
    "month": "M",
    "m": "M",
    "ms": "M",
    "quarter": "Q",
    "q": "Q",
    "year": "Y",
    "y": "Y",
    "a": "Y",
}


def local_crs(obj: Any) -> CRS:
    """The UTM zone (WGS-84, EPSG:326xx/327xx) of the centre of ``obj``.

    Parameters
    ----------
    obj : GeoDataFrame, GeoSeries, shapely geometry, (lon, lat) pair or bbox tuple
        Anything with a location in WGS-84 (GeoPandas objects in another CRS are
        converted first).

    Returns
    -------
    pyproj.CRS

    Examples
    --------
    >>> local_crs((103.83, 36.06)).to_epsg()
    32648
    """
    if isinstance(obj, gpd.GeoDataFrame | gpd.GeoSeries):
        g = obj.to_crs(4326) if obj.crs is not None and obj.crs.to_epsg() != 4326 else obj
        minx, miny, maxx, maxy = g.total_bounds
        lon, lat = (minx + maxx) / 2, (miny + maxy) / 2
    elif isinstance(obj, shapely.Geometry):
        c = obj.centroid
        lon, lat = c.x, c.y
    else:
        vals = [float(v) for v in obj]
        if len(vals) == 2:
            lon, lat = vals
        elif len(vals) == 4:
            lon, lat = (vals[0] + vals[2]) / 2, (vals[1] + vals[3]) / 2
        else:
            raise SpatialError(f"local_crs: expected (lon, lat) or a bbox, got {obj!r}")
    if not (np.isfinite(lon) and np.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise SpatialError(
            f"local_crs: centre ({lon}, {lat}) is not a WGS-84 lon/lat; give geometries in EPSG:4326"
        )
    zone = int((lon + 180) // 6) + 1
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + min(zone, 60))


def _study_area(extent_or_areas: Any) -> tuple[shapely.Geometry, bool]:
    """Return the study area (WGS-84) and whether cells are cut to it (a district's polygons or a
    box given by the caller) or kept whole (the hull of points, which is not a boundary)."""
    obj = extent_or_areas
    if isinstance(obj, gpd.GeoDataFrame | gpd.GeoSeries):
        if len(obj) == 0:
            raise SpatialError("make_grid: the study area is empty (no geometries); pass areas or a bbox")
        g = obj.geometry if isinstance(obj, gpd.GeoDataFrame) else obj
        if g.crs is not None and g.crs.to_epsg() != 4326:
            g = g.to_crs(4326)
        types = set(g.geom_type)
        if types <= {"Polygon", "MultiPolygon"}:
            return shapely.make_valid(shapely.union_all(g.values)), True
        if types <= {"Point"}:
            pts = g[~g.is_empty]
            return _robust_hull(pts.x.to_numpy(), pts.y.to_numpy()), False
        return shapely.box(*g.total_bounds), True
    if isinstance(obj, pd.DataFrame):
        if not {"lon", "lat"} <= set(obj.columns):
            raise SchemaError(f"make_grid: a frame needs lon/lat columns; it has {list(obj.columns)}")
        ok = obj[["lon", "lat"]].apply(pd.to_numeric, errors="coerce").dropna()
        ok = ok[ok.lon.between(-180, 180) & ok.lat.between(-90, 90) & ~((ok.lon == 0) & (ok.lat == 0))]
        if ok.empty:
            raise SpatialError("make_grid: no record has valid coordinates; cannot derive an extent")
        return _robust_hull(ok.lon.to_numpy(), ok.lat.to_numpy()), False
    if isinstance(obj, shapely.Geometry):
        if obj.geom_type in ("Polygon", "MultiPolygon"):
            return obj, True
        return shapely.box(*obj.bounds), True
    vals = [float(v) for v in obj]
    if len(vals) != 4:
        raise SpatialError(f"make_grid: a bbox is (minlon, minlat, maxlon, maxlat); got {obj!r}")
    return shapely.box(*vals), True


def _robust_hull(lon: np.ndarray, lat: np.ndarray) -> shapely.Geometry:
    """Convex hull of points, ignoring stray coordinates far outside the bulk.

    The box of the 0.5–99.5% quantiles is widened by half its size on every side; points beyond
    it (typos, records geocoded to another city) do not stretch the grid. The hull, not the box: a
    city on a lake or a coast would otherwise get hundreds of cells of water that hold no record
    by nature, show as cold spots and pull the map's mean down (every dense cell then looks hot).
    Fewer than three points, or points on a line, give their box.
    """
    xy = np.column_stack([lon, lat])
    lo = np.quantile(xy, [0.005, 0.995], axis=0)
    pad = np.maximum((lo[1] - lo[0]) * 0.5, 1e-3)
    keep = ((xy >= lo[0] - pad) & (xy <= lo[1] + pad)).all(axis=1)
    hull = shapely.convex_hull(shapely.multipoints(xy[keep]))
    if hull.geom_type == "Polygon":
        return hull
    return shapely.box(lon[keep].min(), lat[keep].min(), lon[keep].max(), lat[keep].max())


def _h3_resolution_for(cell: float) -> int:
    import h3

    target = cell * cell
    areas = [h3.average_hexagon_area(r, unit="m^2") for r in range(16)]
    return int(np.argmin([abs(np.log(a / target)) for a in areas]))


def make_grid(
    extent_or_areas: Any,
    cell: float = 250,
    kind: str = "square",
    h3_resolution: int | None = None,
    clip: bool = True,
    crs: Any = None,
) -> gpd.GeoDataFrame:
    """Square cells (metres) or H3 hexagons over a study area.

    Parameters
    ----------
    extent_or_areas : GeoDataFrame, GeoSeries, shapely geometry, DataFrame with lon/lat, or bbox
        District polygons (their union is the study area), a ``(minlon, minlat, maxlon, maxlat)``
        box, or points (a frame with ``lon``/``lat``, or point geometries): their convex hull,
        stray coordinates left out, covered by whole cells.
    cell : float
        Side of a square cell in metres; for hexagons it sets the default H3
        resolution (mean hexagon area closest to ``cell**2``).
    kind : {"square", "hex"}
    h3_resolution : int, optional
        H3 resolution of hexagons (0..15).
    clip : bool
        Cut cells to the study area (cells then tile it exactly); otherwise whole
        cells that intersect it are returned. The hull of points is never cut to.
    crs : optional
        Projected CRS of the square cells; default :func:`local_crs` (UTM zone).

    Returns
    -------
    GeoDataFrame
        ``cell_id``, ``geometry`` in EPSG:4326, row-major order. ``attrs`` holds
        ``kind``, ``cell``, ``h3_resolution`` and ``crs`` (the projected CRS, as WKT-able string).

    Examples
    --------
    >>> hexes = make_grid((103.80, 36.05, 103.83, 36.07), cell=500, kind="hex")
    >>> hexes.attrs["h3_resolution"], int(hexes["cell_id"].str.len().max())
    (9, 15)
    """
    if kind not in ("square", "hex"):
        raise SpatialError(f'make_grid: kind was "{kind}" but is expected to be "square" or "hex"')
    if not cell or cell <= 0:
        raise SpatialError(f"make_grid: cell must be a positive number of metres, got {cell!r}")
    area, cut = _study_area(extent_or_areas)
    if area.is_empty:
        raise SpatialError("make_grid: the study area is empty")
    pcrs = CRS.from_user_input(crs) if crs is not None else local_crs(area)
    area_p = gpd.GeoSeries([area], crs=4326).to_crs(pcrs).iloc[0]
    if kind == "square":
        minx, miny, maxx, maxy = area_p.bounds
        c0, r0 = int(np.floor(minx / cell)), int(np.floor(miny / cell))
        c1, r1 = int(np.ceil(maxx / cell)), int(np.ceil(maxy / cell))
        if (c1 - c0) * (r1 - r0) > 5_000_000:
            raise SpatialError(
                f"make_grid: {(c1 - c0) * (r1 - r0):,} cells of {cell:g} m over a "
                f"{(maxx - minx) / 1000:.0f} x {(maxy - miny) / 1000:.0f} km area; "
                "give the district polygons or a bbox, or a larger cell"
            )
        rows, cols = np.meshgrid(np.arange(r0, r1), np.arange(c0, c1), indexing="ij")
        rows, cols = rows.ravel(), cols.ravel()
        boxes = shapely.box(cols * cell, rows * cell, (cols + 1) * cell, (rows + 1) * cell)
        shapely.prepare(area_p)
        keep = shapely.intersects(area_p, boxes)
        boxes, rows, cols = boxes[keep], rows[keep], cols[keep]
        ids = np.char.add(np.char.add("E", cols.astype(str)), np.char.add("N", rows.astype(str)))
        geoms = boxes
        res = None
    else:
        import h3

        res = _h3_resolution_for(cell) if h3_resolution is None else int(h3_resolution)
        shape = h3.geo_to_h3shape(area)
        cells = sorted(h3.h3shape_to_cells_experimental(shape, res, contain="overlap"))
        if not cells:
            raise SpatialError(f"make_grid: no H3 cell at resolution {res} touches the study area")
        polys = [shapely.Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(c)]) for c in cells]
        geoms = gpd.GeoSeries(polys, crs=4326).to_crs(pcrs).values
        keep = shapely.intersects(area_p, geoms)
        ids = np.asarray(cells)[keep]
        geoms = geoms[keep]
    if clip and cut:
        geoms = shapely.intersection(geoms, area_p)
        ok = shapely.area(geoms) > 1e-6 * cell * cell
        geoms, ids = geoms[ok], ids[ok]
    grid = gpd.GeoDataFrame({"cell_id": np.asarray(ids, dtype=object)}, geometry=list(geoms), crs=pcrs)
    grid = grid.to_crs(4326).reset_index(drop=True)
    grid.attrs.update({"kind": kind, "cell": float(cell), "h3_resolution": res, "crs": pcrs.to_string()})
    return grid


def cell_for(extent_or_areas: Any, cells: int = 2000) -> float:
    """A round cell side (metres) that cuts the study area into about ``cells`` squares.

    The side is ``sqrt(area / cells)`` rounded (on a log scale) to the nearest of
    :data:`CELL_STEPS`, so a district of ~300 km² gets 400 m cells and a 20 km² street office
    100 m ones: fine enough for patrol beats, coarse enough that cells hold counts to test.

    Parameters
    ----------
    extent_or_areas
        As for :func:`make_grid` (polygons, points or a bbox).
    cells : int
        Number of cells aimed at.

    Examples
    --------
    >>> cell_for((103.70, 36.00, 103.90, 36.15))  # about 18 x 17 km
    400.0
    >>> cell_for((103.80, 36.05, 103.83, 36.07))
    50.0
    """
    area, _ = _study_area(extent_or_areas)
    if area.is_empty:
        raise SpatialError("cell_for: the study area is empty")
    m2 = float(gpd.GeoSeries([area], crs=4326).to_crs(local_crs(area)).area.iloc[0])
    side = math.sqrt(max(m2, 1.0) / max(int(cells), 1))
    return float(min(CELL_STEPS, key=lambda s: abs(math.log(s / side))))


def projected(obj: gpd.GeoDataFrame | gpd.GeoSeries, crs: Any = None) -> gpd.GeoDataFrame | gpd.GeoSeries:
    """The metric twin of a WGS-84 frame: ``crs``, else ``obj.attrs["crs"]``, else its UTM zone.

    Examples
    --------
    >>> g = make_grid((103.80, 36.05, 103.81, 36.06), cell=1000)
    >>> projected(g).crs.to_epsg()
    32648
    """
    target = crs or getattr(obj, "attrs", {}).get("crs") or local_crs(obj)
    out = obj.to_crs(target)
    out.attrs.update(getattr(obj, "attrs", {}))
    return out


def cell_centroids(grid: gpd.GeoDataFrame, crs: Any = None) -> np.ndarray:
    """``(n, 2)`` array of cell centroids in the metric CRS (see :func:`projected`).

    Examples
    --------
    >>> g = make_grid((103.80, 36.05, 103.81, 36.06), cell=1000, clip=False)
    >>> cell_centroids(g).shape[1]
    2
    """
    p = projected(grid, crs)
    c = p.geometry.centroid
    return np.column_stack([c.x.to_numpy(), c.y.to_numpy()])


def _points(points: pd.DataFrame | gpd.GeoDataFrame) -> gpd.GeoSeries:
    if isinstance(points, gpd.GeoDataFrame):
        g = points.geometry
        return g.to_crs(4326) if g.crs is not None and g.crs.to_epsg() != 4326 else g
    if not {"lon", "lat"} <= set(points.columns):
        raise SchemaError(
            f"points need lon/lat columns (WGS-84) or a geometry; columns are {list(points.columns)}"
        )
    lon = pd.to_numeric(points["lon"], errors="coerce").to_numpy(float)
    lat = pd.to_numeric(points["lat"], errors="coerce").to_numpy(float)
    return gpd.GeoSeries(gpd.points_from_xy(lon, lat), index=points.index, crs=4326)


def assign_cells(points: pd.DataFrame | gpd.GeoDataFrame, grid: gpd.GeoDataFrame) -> pd.Series:
    """The ``cell_id`` holding each point (missing when outside the grid or without coordinates).

    A point on the border of two cells goes to the first in grid order.

    Examples
    --------
    >>> g = make_grid((103.80, 36.05, 103.82, 36.06), cell=1000)
    >>> pts = pd.DataFrame({"lon": [103.805, 99.0, None], "lat": [36.055, 30.0, None]})
    >>> s = assign_cells(pts, g)
    >>> s.notna().tolist()
    [True, False, False]
    """
    pts = _points(points)
    out = pd.Series(pd.NA, index=points.index, dtype=object, name="cell_id")
    valid = ~(pts.is_empty | pts.isna()) & np.isfinite(pts.x.to_numpy()) & np.isfinite(pts.y.to_numpy())
    if not valid.any():
        return out
    gvals = grid.geometry.values
    tree = shapely.STRtree(gvals)
    pidx, gidx = tree.query(pts[valid].values, predicate="intersects")
    order = np.lexsort((gidx, pidx))
    pidx, gidx = pidx[order], gidx[order]
    first = np.ones(len(pidx), dtype=bool)
    first[1:] = pidx[1:] != pidx[:-1]
    rows = np.flatnonzero(valid.to_numpy())[pidx[first]]
    out.iloc[rows] = grid["cell_id"].to_numpy()[gidx[first]]
    return out


def floor_period(ts: pd.Series, freq: str) -> pd.Series:
    """First day of the period (naive) of each timestamp; weeks start on Monday.

    Examples
    --------
    >>> floor_period(pd.Series(pd.to_datetime(["2026-03-18 10:00"])), "month").dt.date.tolist()
    [datetime.date(2026, 3, 1)]
    """
    code = _FREQS.get(str(freq).lower())
    if code is None:
        raise SchemaError(f'freq was "{freq}" but is expected to be one of day, week, month, quarter, year')
    ts = wall_time(ts)
    if code == "D":
        return ts.dt.normalize()
    if code == "W":
        return (ts.dt.normalize() - pd.to_timedelta(ts.dt.weekday, unit="D")).astype("datetime64[ns]")
    return ts.dt.to_period(code).dt.start_time.astype("datetime64[ns]")


def _period_range(first: pd.Timestamp, last: pd.Timestamp, freq: str) -> pd.DatetimeIndex:
    code = _FREQS[str(freq).lower()]
    alias = {"D": "D", "W": "W-MON", "M": "MS", "Q": "QS", "Y": "YS"}[code]
    return pd.date_range(first, last, freq=alias)


def cell_counts(
    incidents: pd.DataFrame,
    grid: gpd.GeoDataFrame,
    freq: str | None = None,
    start: Any = None,
    end: Any = None,
) -> pd.DataFrame:
    """Incidents per cell (and period), complete with zeros for every cell (and period).

    Parameters
    ----------
    incidents : DataFrame
        Canonical incidents (``lon``, ``lat``; ``occurred_at`` when ``freq`` or dates are given).
        Rows without coordinates or outside the grid are not counted.
    grid : GeoDataFrame
        From :func:`make_grid`.
    freq : {None, "day", "week", "month", "quarter", "year"}
        None gives one count per cell over the whole frame.
    start, end : date-like, optional
        Inclusive local dates; rows outside are dropped. With ``freq`` the periods
        run from the period of ``start`` (or of the first record) to that of ``end``.

    Returns
    -------
    DataFrame
        ``cell_id``, (``period``,) ``count`` (int64).

    Examples
    --------
    >>> g = make_grid((103.80, 36.05, 103.82, 36.06), cell=1000)
    >>> inc = pd.DataFrame({"lon": [103.805, 103.805], "lat": [36.055, 36.055],
    ...     "occurred_at": pd.to_datetime(["2026-01-05", "2026-03-01"])})
    >>> c = cell_counts(inc, g, freq="month")
    >>> len(c) == 3 * len(g), int(c["count"].sum())
    (True, 2)
    """
    inc = incidents
    if (freq is not None or start is not None or end is not None) and "occurred_at" not in inc.columns:
        raise SchemaError(f"cell_counts: needs occurred_at; columns are {list(inc.columns)}")
    if "occurred_at" in inc.columns and (start is not None or end is not None or freq is not None):
        when = wall_time(inc["occurred_at"])
        keep = pd.Series(True, index=inc.index)
        if start is not None:
            keep &= when >= pd.Timestamp(start).normalize()
        if end is not None:
            keep &= when < pd.Timestamp(end).normalize() + pd.Timedelta(days=1)
        inc = inc[keep.to_numpy()]
    cells = assign_cells(inc, grid) if len(inc) else pd.Series([], dtype=object)
    ids = grid["cell_id"].to_numpy()
    if freq is None:
        vc = cells.dropna().value_counts()
        return pd.DataFrame(
            {"cell_id": ids, "count": vc.reindex(ids, fill_value=0).to_numpy().astype("int64")}
        )
    periods = floor_period(inc["occurred_at"], freq) if len(inc) else pd.Series([], dtype="datetime64[ns]")
    first = (
        floor_period(pd.Series([pd.Timestamp(start)]), freq).iloc[0]
        if start is not None
        else (periods.min() if len(periods) else None)
    )
    last = (
        floor_period(pd.Series([pd.Timestamp(end)]), freq).iloc[0]
        if end is not None
        else (periods.max() if len(periods) else None)
    )
    prange = _period_range(first, last, freq) if first is not None else pd.DatetimeIndex([])
    df = pd.DataFrame({"cell_id": cells.to_numpy(), "period": periods.to_numpy()}).dropna()
    tab = df.groupby(["cell_id", "period"]).size()
    full = pd.MultiIndex.from_product([ids, prange], names=["cell_id", "period"])
    out = tab.reindex(full, fill_value=0).rename("count").reset_index()
    out["count"] = out["count"].astype("int64")
    out["period"] = out["period"].astype("datetime64[ns]")
    return out
