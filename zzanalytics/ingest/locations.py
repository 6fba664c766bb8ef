"""Coordinates at ingest: conversion to WGS-84 and the district test (private to ingest).

WGS-84 and GCJ-02 sources are converted in plain SQL (all DuckDB threads). Everything that needs
pyproj or shapely (BD-09 and projected sources, the test against the district's polygons) runs
in the calling Python thread over numpy arrays, never inside a DuckDB function: DuckDB calls
Python functions from its own worker threads, and neither a pyproj ``Transformer`` nor a GEOS
prepared geometry may be used from several threads at once (both crashed the process: a
segmentation fault, ``double free``, ``SystemError`` from ``Transformer.from_crs``). The
results join the file's rows by position (DuckDB's ``POSITIONAL JOIN``; a scan keeps the file's
order).

Examples
--------
>>> from shapely.geometry import box
>>> wx, wy, code = locate_points([103.8, 200.0, 120.0], [36.0, 10.0, 30.0], "wgs84", box(103, 35, 105, 37))
>>> code.tolist()
[0, 3, 4]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from zzanalytics.ingest.coords import gcj02_to_wgs84_sql, to_wgs84, valid_lonlat

__all__ = ["GCJ_STEPS", "locate_points", "location_sql", "point_source", "sql_crs"]

GCJ_STEPS = 2
"""Iterations of the GCJ-02 inverse (< 4e-7 degree anywhere in China)."""
_GCJ_STEPS = GCJ_STEPS


# -- coordinates -----------------------------------------------------------------------------------
def locate_points(x: Any, y: Any, crs: str, district: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lon, lat, code) of points in ``crs``: to WGS-84 in numpy, validity, district test.

    ``code``: 0 fine, 3 impossible position, 4 outside the district's polygons (+ ~50 m); lon and
    lat are NaN where a point is missing or its code is not 0. GCJ-02/BD-09 use exactly 2 steps
    of the iterative inverse: < 4e-7 degree (4 cm) anywhere in China (tested). Runs in the
    calling thread only (see the module docstring).
    """
    import shapely

    x = np.asarray(x, dtype="float64")
    y = np.asarray(y, dtype="float64")
    n = len(x)
    have = np.isfinite(x) & np.isfinite(y)
    wx, wy = np.full(n, np.nan), np.full(n, np.nan)
    if have.any():
        wx[have], wy[have] = to_wgs84(x[have], y[have], crs, steps=_GCJ_STEPS)
    code = np.zeros(n, dtype="int8")
    code[have & ~valid_lonlat(wx, wy)] = 3
    if district is not None:
        idx = np.flatnonzero(have & (code == 0))
        if len(idx):
            inside = shapely.contains_xy(district, wx[idx], wy[idx])
            code[idx[~inside]] = 4
    good = have & (code == 0)
    wx[~good], wy[~good] = np.nan, np.nan
    return wx, wy, code


def sql_crs(crs: str) -> str | None:
    """``"wgs84"`` / ``"gcj02"`` when the conversion can run as SQL (see :func:`location_sql`), else None."""
    key = str(crs).strip().lower().replace("-", "").replace("_", "")
    if key in ("wgs84", "epsg:4326", "gps"):
        return "wgs84"
    if key in ("gcj02", "gcj", "mars"):
        return "gcj02"
    return None


def _number(src: str | None) -> str:
    return f"TRY_CAST(CAST({src} AS VARCHAR) AS DOUBLE)" if src else "CAST(NULL AS DOUBLE)"


def point_source(
    con: Any, rel: Any, lon_src: str | None, lat_src: str | None, crs: str, district: Any, name: str
) -> Any:
    """The file's rows with their points worked out in this thread, or None when SQL alone does it.

    ``rel`` is the relation of the file's rows (aliased ``r`` in ``lon_src``/``lat_src``, the SQL
    of the raw coordinates). For a WGS-84/GCJ-02 source without district polygons, None.
    Otherwise the raw coordinates are read once, converted (:func:`locate_points`), registered as
    the Arrow table ``name`` and joined to the rows by position: the returned relation has the
    columns ``_pwx``, ``_pwy`` (WGS-84, NULL unless fine) and ``_pcode`` (see
    :func:`locate_points`) besides the file's own.
    """
    import pyarrow as pa

    kind = sql_crs(crs)
    if kind is not None and district is None:
        return None
    xy = f"SELECT {_number(lon_src)} AS x, {_number(lat_src)} AS y FROM r"
    if kind == "gcj02":  # converted in SQL on all threads (the digits a store without polygons gets)
        xy = gcj02_to_wgs84_sql(f"({xy})", "x", "y", "cx", "cy", steps=_GCJ_STEPS)
        xy = f"SELECT cx AS x, cy AS y FROM ({xy})"
    pts = rel.query("r", xy).fetchnumpy()
    for t in ("_zz_rej", "_zz_rejscan"):  # rows a CSV reader set aside are recorded by the real read
        con.execute(f"DROP TABLE IF EXISTS {t}")
    x = np.ma.filled(np.ma.asarray(pts["x"], dtype="float64"), np.nan)
    y = np.ma.filled(np.ma.asarray(pts["y"], dtype="float64"), np.nan)
    wx, wy, code = locate_points(x, y, "wgs84" if kind is not None else crs, district)
    good = code == 0
    table = pa.table(
        {
            "_pwx": pa.array(wx, mask=~good),
            "_pwy": pa.array(wy, mask=~good),
            "_pcode": pa.array(code),
        }
    )
    con.register(name, table)
    return rel.query("r", f"SELECT * FROM r POSITIONAL JOIN {name}")


def location_sql(kind: str | None) -> Any:
    """Query -> query with ``_wx``, ``_wy`` (WGS-84) and the final ``_loc`` code.

    ``kind`` ``"wgs84"``/``"gcj02"``: the conversion is plain SQL (:func:`coords.gcj02_to_wgs84_sql`,
    the same 2 steps as the numpy path), so DuckDB runs it on all threads. ``None``: the points
    were worked out in Python (:func:`point_source`: columns ``_pwx``, ``_pwy``, ``_pcode``).
    """

    def from_python(sql: str) -> str:
        return (
            "SELECT * EXCLUDE (_pwx, _pwy, _pcode) REPLACE (CASE WHEN _loc > 0 THEN _loc "
            "ELSE COALESCE(_pcode, 0) END AS _loc), CASE WHEN _loc = 0 THEN _pwx END AS _wx, "
            f"CASE WHEN _loc = 0 THEN _pwy END AS _wy FROM ({sql})"
        )

    def wrap(sql: str) -> str:
        sel = "(SELECT *, CASE WHEN _loc = 0 THEN _x END AS _gx, CASE WHEN _loc = 0 THEN _y END AS _gy FROM "
        sql = f"{sel}({sql}))"
        if kind == "gcj02":
            sql = gcj02_to_wgs84_sql(sql, "_gx", "_gy", "_cx", "_cy", steps=_GCJ_STEPS)
        else:
            sql = f"SELECT *, _gx AS _cx, _gy AS _cy FROM {sql}"
        valid = (
            "isfinite(_cx) AND isfinite(_cy) AND abs(_cx) <= 180 AND abs(_cy) <= 90 "
            "AND NOT (_cx = 0 AND _cy = 0)"
        )
        when = [f"WHEN _loc > 0 THEN _loc WHEN _cx IS NULL OR _cy IS NULL THEN 0 WHEN NOT ({valid}) THEN 3"]
        code = "CASE " + " ".join(when) + " ELSE 0 END"
        sql = f"SELECT * EXCLUDE (_gx, _gy), CAST({code} AS TINYINT) AS _code FROM ({sql})"
        return (
            "SELECT * EXCLUDE (_code, _cx, _cy) REPLACE (_code AS _loc), "
            "CASE WHEN _code = 0 THEN _cx END AS _wx, CASE WHEN _code = 0 THEN _cy END AS _wy "
            f"FROM ({sql})"
        )

    return wrap if kind is not None else from_python
