"""Camera coverage of main streets and of incidents, and where the next cameras should go.

"主要街道电子监控全覆盖": a stretch of main street, or an incident, is *covered*
when it lies within ``radius`` metres (default 100) of a working camera or smart
checkpoint. Everything is measured in the local UTM zone (metres).

Which cameras count: ``status == "working"`` (a missing status is taken as
working) and, when ``date`` is given, ``installed_on`` on or before it (a missing
date counts as installed).

Siting is the greedy maximal covering location problem (Church & ReVelle 1974):
candidate sites every ``spacing`` metres (default 50) along the uncovered parts
of main streets; each step adds the site that covers the most not-yet-covered
incidents (plus ``length_weight`` per metre of newly covered main street), so the
weighted coverage never decreases and the first pick is the single best site.
Greedy achieves at least ``1 − 1/e`` of the optimum (Nemhauser, Wolsey & Fisher 1978).

Examples
--------
>>> from shapely.geometry import LineString
>>> import geopandas as gpd
>>> st = gpd.GeoDataFrame({"name": ["A"], "class": ["main"]},
...     geometry=[LineString([(103.80, 36.06), (103.82, 36.06)])], crs=4326)
>>> cams = pd.DataFrame({"camera_id": ["c1"], "kind": ["camera"], "lon": [103.81], "lat": [36.06],
...     "status": ["working"]})
>>> cov = camera_coverage(cams, st)
>>> round(cov.covered_length_m)
200
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zzanalytics.errors import SchemaError, SpatialError

__all__ = ["CoverageResult", "SitingResult", "camera_coverage", "site_cameras", "uncovered_segments"]


def _working(cameras: pd.DataFrame, date: Any) -> pd.DataFrame:
    need = {"lon", "lat"} - set(cameras.columns)
    if need:
        raise SchemaError(f"cameras lack {sorted(need)}; columns are {list(cameras.columns)}")
    cams = cameras[cameras["lon"].notna() & cameras["lat"].notna()]
    if "status" in cams.columns:
        st = cams["status"].astype("string").str.strip().str.lower()
        cams = cams[(st == "working").fillna(True).to_numpy()]
    if date is not None and "installed_on" in cams.columns:
        inst = pd.to_datetime(cams["installed_on"], errors="coerce")
        cams = cams[(inst.isna() | (inst <= pd.Timestamp(date))).to_numpy()]
    return cams


def _main(streets: gpd.GeoDataFrame, classes: tuple[str, ...]) -> gpd.GeoDataFrame:
    if len(streets) and "class" in streets.columns:
        s = streets[streets["class"].astype(str).isin(classes).to_numpy()]
    else:
        s = streets
    return s[s.geometry.notna() & ~s.geometry.is_empty]


def _crs(streets: gpd.GeoDataFrame, cams: pd.DataFrame) -> Any:
    from zzanalytics.spatial.grid import local_crs

    if len(streets):
        return local_crs(streets)
    if len(cams):
        return local_crs((float(cams["lon"].median()), float(cams["lat"].median())))
    raise SpatialError("camera coverage: no streets and no cameras to locate the district")


def _xy(frame: pd.DataFrame, crs: Any) -> np.ndarray:
    g = gpd.GeoSeries(gpd.points_from_xy(frame["lon"], frame["lat"]), crs=4326).to_crs(crs)
    return shapely.get_coordinates(g.values)


def _covered_mask(points_xy: np.ndarray, cams_xy: np.ndarray, radius: float) -> np.ndarray:
    if len(points_xy) == 0 or len(cams_xy) == 0:
        return np.zeros(len(points_xy), dtype=bool)
    from scipy.spatial import cKDTree

    d, _ = cKDTree(cams_xy).query(points_xy, k=1, distance_upper_bound=radius * (1 + 1e-9))
    return np.isfinite(d)


@dataclass
class CoverageResult:
    """Coverage of main streets and incidents by working cameras.

    Attributes
    ----------
    radius : float
        Metres.
    cameras : int
        Cameras and checkpoints counted (working, installed by the date).
    street_length_m, covered_length_m : float
        Main-street length and the part within ``radius`` of a counted camera.
    street_share : float
        ``covered_length_m / street_length_m`` (0..1; NaN without streets).
    incidents, covered_incidents : int
        Located incidents and those within ``radius``.
    incident_share : float
        0..1; NaN without incidents.
    uncovered : GeoDataFrame
        Uncovered main-street segments (``name``, ``length_m``, geometry in EPSG:4326).
    crs : str
        The metric CRS used.
    """

    radius: float
    cameras: int
    street_length_m: float
    covered_length_m: float
    street_share: float
    incidents: int
    covered_incidents: int
    incident_share: float
    uncovered: gpd.GeoDataFrame
    crs: str

    def to_frame(self) -> pd.DataFrame:
        """One row: ``radius_m, cameras, street_length_m, covered_length_m, street_share,
        incidents, covered_incidents, incident_share``."""
        return pd.DataFrame(
            [
                {
                    "radius_m": self.radius,
                    "cameras": self.cameras,
                    "street_length_m": self.street_length_m,
                    "covered_length_m": self.covered_length_m,
                    "street_share": self.street_share,
                    "incidents": self.incidents,
                    "covered_incidents": self.covered_incidents,
                    "incident_share": self.incident_share,
                }
            ]
        )


def camera_coverage(
    cameras: pd.DataFrame,
    streets: gpd.GeoDataFrame,
    incidents: pd.DataFrame | None = None,
    radius: float = 100.0,
    date: Any = None,
    classes: tuple[str, ...] = ("main",),
) -> CoverageResult:
    """Share of main-street length and of incidents within ``radius`` m of a working camera.

    Parameters
    ----------
    cameras : DataFrame
        Canonical cameras table (``lon``, ``lat``, optional ``status``, ``installed_on``, ``kind``).
    streets : GeoDataFrame
        Streets (EPSG:4326) with ``class``; rows of ``classes`` are measured.
    incidents : DataFrame, optional
        Incidents with ``lon``/``lat``; rows without coordinates are ignored.
    radius : float
        Coverage radius in metres.
    date : date-like, optional
        Count only cameras installed by this date.
    classes : tuple of str
        Street classes to measure (default main streets).

    Returns
    -------
    CoverageResult

    Examples
    --------
    >>> from shapely.geometry import LineString
    >>> st = gpd.GeoDataFrame({"name": ["A"], "class": ["main"]},
    ...     geometry=[LineString([(103.80, 36.06), (103.82, 36.06)])], crs=4326)
    >>> cams = pd.DataFrame({"lon": [103.81, 103.815], "lat": [36.06, 36.06],
    ...     "status": ["working", "broken"]})
    >>> r = camera_coverage(cams, st, radius=100)
    >>> r.cameras, round(r.street_share, 3)
    (1, 0.111)
    """
    if radius <= 0:
        raise SpatialError(f"camera coverage: radius must be positive metres, got {radius!r}")
    cams = _working(cameras, date)
    main = _main(streets, classes)
    crs = _crs(main, cams)
    main_p = main.to_crs(crs) if len(main) else main
    cams_xy = _xy(cams, crs) if len(cams) else np.zeros((0, 2))
    if len(cams_xy):
        zone = shapely.union_all(shapely.buffer(shapely.points(cams_xy), radius, quad_segs=16))
    else:
        zone = shapely.Polygon()
    geoms = main_p.geometry.values if len(main_p) else np.array([], dtype=object)
    total = float(shapely.length(geoms).sum()) if len(geoms) else 0.0
    covered = float(shapely.length(shapely.intersection(geoms, zone)).sum()) if len(geoms) else 0.0
    rest = shapely.difference(geoms, zone) if len(geoms) else np.array([], dtype=object)
    names = main_p["name"].to_numpy() if "name" in main_p.columns else np.full(len(geoms), None)
    unc = (
        gpd.GeoDataFrame({"name": names}, geometry=list(rest), crs=crs)
        if len(geoms)
        else (gpd.GeoDataFrame({"name": []}, geometry=[], crs=crs))
    )
    unc = unc[~unc.geometry.is_empty].explode(index_parts=False).reset_index(drop=True)
    unc = unc[unc.geometry.length > 1e-6]
    unc.insert(1, "length_m", unc.geometry.length.to_numpy())
    unc = unc.to_crs(4326).reset_index(drop=True)
    n_inc = cov_inc = 0
    share_inc = float("nan")
    if incidents is not None and len(incidents):
        loc = incidents[incidents["lon"].notna() & incidents["lat"].notna()]
        n_inc = len(loc)
        if n_inc:
            cov_inc = int(_covered_mask(_xy(loc, crs), cams_xy, radius).sum())
            share_inc = cov_inc / n_inc
    return CoverageResult(
        radius=float(radius),
        cameras=len(cams),
        street_length_m=total,
        covered_length_m=covered,
        street_share=covered / total if total > 0 else float("nan"),
        incidents=int(n_inc),
        covered_incidents=int(cov_inc),
        incident_share=share_inc,
        uncovered=unc,
        crs=str(crs),
    )


def uncovered_segments(
    cameras: pd.DataFrame,
    streets: gpd.GeoDataFrame,
    radius: float = 100.0,
    date: Any = None,
    classes: tuple[str, ...] = ("main",),
) -> gpd.GeoDataFrame:
    """Main-street segments farther than ``radius`` m from every working camera.

    Returns
    -------
    GeoDataFrame
        ``name``, ``length_m``, geometry (EPSG:4326), one row per continuous segment.

    Examples
    --------
    >>> from shapely.geometry import LineString
    >>> st = gpd.GeoDataFrame({"name": ["A"], "class": ["main"]},
    ...     geometry=[LineString([(103.80, 36.06), (103.82, 36.06)])], crs=4326)
    >>> cams = pd.DataFrame({"lon": [103.81], "lat": [36.06]})
    >>> len(uncovered_segments(cams, st))
    2
    """
    return camera_coverage(cameras, streets, None, radius=radius, date=date, classes=classes).uncovered


def _share(part: float, total: float) -> float:
    return min(1.0, part / total) if total else float("nan")


@dataclass
class SitingResult:
    """Greedy siting of new cameras.

    Attributes
    ----------
    sites : GeoDataFrame
        One row per chosen site in order: ``rank``, ``lon``, ``lat``, ``new_incidents``,
        ``new_length_m``, ``incident_share``, ``street_share`` (cumulative, after the site),
        geometry (EPSG:4326).
    before, after : dict
        ``incident_share``, ``street_share``, ``covered_incidents``, ``covered_length_m``.
    candidates : int
        Candidate sites considered.
    """

    sites: gpd.GeoDataFrame
    before: dict
    after: dict
    candidates: int

    def to_frame(self) -> pd.DataFrame:
        """The sites without geometry."""
        return pd.DataFrame(self.sites.drop(columns="geometry"))


def site_cameras(
    cameras: pd.DataFrame,
    streets: gpd.GeoDataFrame,
    incidents: pd.DataFrame,
    k: int = 10,
    radius: float = 100.0,
    spacing: float = 50.0,
    length_weight: float = 0.0,
    date: Any = None,
    classes: tuple[str, ...] = ("main",),
) -> SitingResult:
    """Greedy maximal-coverage siting of ``k`` new cameras on uncovered main streets.

    Parameters
    ----------
    cameras, streets, incidents
        As in :func:`camera_coverage`.
    k : int
        New cameras to place.
    radius : float
        Coverage radius (m).
    spacing : float
        Distance between candidate sites along uncovered main streets (m).
    length_weight : float
        Weight of one metre of newly covered main street relative to one incident.

    Returns
    -------
    SitingResult

    Examples
    --------
    >>> from shapely.geometry import LineString
    >>> st = gpd.GeoDataFrame({"name": ["A"], "class": ["main"]},
    ...     geometry=[LineString([(103.80, 36.06), (103.82, 36.06)])], crs=4326)
    >>> inc = pd.DataFrame({"lon": [103.818] * 5 + [103.802], "lat": [36.0601] * 6})
    >>> r = site_cameras(pd.DataFrame({"lon": [], "lat": []}), st, inc, k=2)
    >>> r.sites["new_incidents"].tolist()
    [5, 1]
    """
    from scipy.spatial import cKDTree

    cams = _working(cameras, date)
    main = _main(streets, classes)
    crs = _crs(main, cams)
    base = camera_coverage(cameras, streets, incidents, radius=radius, date=date, classes=classes)
    cams_xy = _xy(cams, crs) if len(cams) else np.zeros((0, 2))
    unc = base.uncovered.to_crs(crs)
    lines = unc.geometry.values
    cand, pieces, piece_len = [], [], []
    for ln in lines:
        L = ln.length
        at = np.arange(spacing / 2, L, spacing) if spacing < L else np.array([L / 2])
        cand.append(shapely.line_interpolate_point(ln, at))
        step = min(10.0, L)
        nseg = max(1, int(np.ceil(L / step)))
        pieces.append(shapely.line_interpolate_point(ln, (np.arange(nseg) + 0.5) * L / nseg))
        piece_len.append(np.full(nseg, L / nseg))
    cand_xy = shapely.get_coordinates(np.concatenate(cand)) if cand else np.zeros((0, 2))
    piece_xy = shapely.get_coordinates(np.concatenate(pieces)) if pieces else np.zeros((0, 2))
    piece_len = np.concatenate(piece_len) if piece_len else np.zeros(0)
    loc = incidents[incidents["lon"].notna() & incidents["lat"].notna()] if incidents is not None else None
    inc_xy = _xy(loc, crs) if loc is not None and len(loc) else np.zeros((0, 2))
    inc_open = ~_covered_mask(inc_xy, cams_xy, radius)
    piece_open = np.ones(len(piece_xy), dtype=bool)
    rows = []
    cov_inc = base.covered_incidents
    cov_len = base.covered_length_m
    if len(cand_xy):
        ctree = cKDTree(cand_xy)
        import scipy.sparse as sp

        def incidence(xy: np.ndarray) -> sp.csr_matrix:
            """Candidates x points within ``radius``; values ``1 - d / (2 radius)`` (in (0.5, 1])."""
            if len(xy) == 0:
                return sp.csr_matrix((len(cand_xy), 0))
            D = ctree.sparse_distance_matrix(cKDTree(xy), radius * (1 + 1e-9), output_type="coo_matrix")
            M = sp.csr_matrix((1 - D.data / (2 * radius), (D.row, D.col)), shape=(len(cand_xy), len(xy)))
            return M

        C_inc = incidence(inc_xy)  # closeness, for breaking ties toward central sites
        A_inc = C_inc.copy()
        A_inc.data[:] = 1.0  # candidates x incidents
        A_len = incidence(piece_xy)
        A_len.data[:] = 1.0
        A_len = sp.csr_matrix(A_len @ sp.diags(piece_len))  # candidates x pieces (metres)
        for rank in range(1, int(k) + 1):
            g_inc = A_inc @ inc_open.astype(float)
            g_len = A_len @ piece_open.astype(float)
            gain = g_inc + length_weight * g_len
            best = gain.max() if len(gain) else 0.0
            tied = np.flatnonzero(gain >= best - 1e-9)
            close = C_inc[tied] @ inc_open.astype(float) + 1e-6 * (A_len[tied] @ piece_open.astype(float))
            j = int(tied[np.argmax(close)])
            if gain[j] <= 0:  # no incident left to cover: extend street coverage instead
                j = int(np.argmax(g_len))
                if g_len[j] <= 0:
                    break
            newly_inc = A_inc[j].indices
            newly_inc = newly_inc[inc_open[newly_inc]]
            newly_pc = A_len[j].indices
            newly_pc = newly_pc[piece_open[newly_pc]]
            inc_open[newly_inc] = False
            piece_open[newly_pc] = False
            cov_inc += len(newly_inc)
            add_len = float(piece_len[newly_pc].sum())
            cov_len += add_len
            rows.append(
                {
                    "rank": rank,
                    "x": cand_xy[j, 0],
                    "y": cand_xy[j, 1],
                    "new_incidents": len(newly_inc),
                    "new_length_m": add_len,
                    "incident_share": cov_inc / base.incidents if base.incidents else float("nan"),
                    "street_share": _share(cov_len, base.street_length_m),
                }
            )
    sites = pd.DataFrame(
        rows, columns=["rank", "x", "y", "new_incidents", "new_length_m", "incident_share", "street_share"]
    )
    geo = gpd.GeoSeries(gpd.points_from_xy(sites["x"], sites["y"]), crs=crs).to_crs(4326)
    sites.insert(1, "lon", geo.x.to_numpy())
    sites.insert(2, "lat", geo.y.to_numpy())
    sites = gpd.GeoDataFrame(sites.drop(columns=["x", "y"]), geometry=geo.values, crs=4326)
    before = {
        "incident_share": base.incident_share,
        "street_share": base.street_share,
        "covered_incidents": base.covered_incidents,
        "covered_length_m": base.covered_length_m,
    }
    after = {
        "incident_share": cov_inc / base.incidents if base.incidents else float("nan"),
        "street_share": _share(cov_len, base.street_length_m),
        "covered_incidents": int(cov_inc),
        "covered_length_m": float(cov_len),
    }
    return SitingResult(sites=sites, before=before, after=after, candidates=len(cand_xy))
