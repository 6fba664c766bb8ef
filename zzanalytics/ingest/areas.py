"""Areas at ingest: forgiving area names, and the area that holds a point (private to ingest).

Names
-----
Exports spell the same township or neighbourhood in many ways. With ``[source] area_names =
"loose"`` (the default) a label that is not exactly a code or name of the store's ``areas`` (or a
key of ``[areas]``) is matched after :func:`normalise_name`: full-width characters made half-width,
case folded, a bracketed code suffix such as ``" (94)"`` or ``"（94）"`` removed, every space,
punctuation mark and apostrophe removed, and a common township suffix (街道办事处, 街道办, 街道,
办事处, 镇人民政府, 镇, 乡, 民族乡) dropped. A normalised name shared by two areas matches neither.

Points
------
:class:`AreaIndex` gives each point the code of the polygon containing it, vectorised over a
grid: points in grid cells wholly inside a polygon need no test, the others are tested exactly
with shapely's ``intersects_xy`` on prepared polygons. Points on a shared border go to the first
area in code order. DuckDB's spatial extension would do this in SQL but cannot be installed offline for the
DuckDB version in use; see ``benchmarks/bench_ingest.py`` for the speed.

Examples
--------
>>> normalise_name("Yonge-St.Clair (97)"), normalise_name("Yonge St. Clair")
('yongestclair', 'yongestclair')
>>> normalise_name("Ｏ’Connor–Parkview"), normalise_name("O'Connor-Parkview (54)")
('oconnorparkview', 'oconnorparkview')
>>> normalise_name("城关镇"), normalise_name("城关街道办事处")
('城关', '城关')
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from zzanalytics.ingest.mapping import Mapping
    from zzanalytics.ingest.report import FileReport

__all__ = [
    "AreaIndex",
    "area_index",
    "areas_from_points",
    "loose_area_pairs",
    "loose_lookup",
    "nearest_names",
    "normalise_name",
    "repair_geometries",
]

TOWNSHIP_SUFFIXES = (
    "街道办事处",
    "镇人民政府",
    "乡人民政府",
    "民族乡",
    "街道办",
    "办事处",
    "街道",
    "镇",
    "乡",
)
"""Township suffix variants dropped by :func:`normalise_name` (longest first)."""

_CODE_SUFFIX = re.compile(r"\s*[\(\[]\s*[0-9A-Za-z][0-9A-Za-z.\-/]*\s*[\)\]]\s*$")
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise_name(name: str) -> str:
    """The comparable form of an area name (see the module docstring).

    Examples
    --------
    >>> normalise_name("  Annex  "), normalise_name("ANNEX(95)")
    ('annex', 'annex')
    """
    text = unicodedata.normalize("NFKC", str(name)).casefold().strip()
    text = _CODE_SUFFIX.sub("", text)
    text = _NOT_WORD.sub("", text)
    for suffix in TOWNSHIP_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    return text


def loose_lookup(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Normalised label → area code, for labels whose normalised form points to one code only."""
    seen: dict[str, set[str]] = {}
    for label, code in pairs:
        key = normalise_name(label)
        if key:
            seen.setdefault(key, set()).add(str(code))
    return {k: next(iter(v)) for k, v in seen.items() if len(v) == 1}


def nearest_names(label: str, names: list[str], n: int = 3) -> list[str]:
    """The ``n`` store names closest to ``label`` (compared in normalised form).

    Examples
    --------
    >>> nearest_names("Yonge-Eglinton", ["Yonge-St.Clair", "Yonge-Eglinton (100)", "Annex"])
    ['Yonge-Eglinton (100)']
    """
    keys = {normalise_name(x): x for x in names}
    hits = difflib.get_close_matches(normalise_name(label), list(keys), n=n, cutoff=0.5)
    return [keys[h] for h in hits]


class AreaIndex:
    """Point → area code over the store's area polygons (WGS-84).

    A regular grid over the polygons' extent sorts the points into cells once; a cell that lies
    wholly inside a polygon gives its points that polygon without any test, and only the points
    of cells a polygon's border crosses are tested exactly (shapely ``intersects_xy`` on the
    prepared polygon). Each point takes the first polygon, in code order, that holds it.

    Parameters
    ----------
    codes : sequence of str
        Area codes, in the order their polygons are tried.
    geoms : sequence of shapely geometries
        Their polygons (WGS-84 lon/lat).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> idx = AreaIndex(["a", "b"], [box(0, 0, 1, 1), box(1, 0, 2, 1)])
    >>> idx.locate(np.array([0.5, 1.5, 5.0, np.nan]), np.array([0.5, 0.5, 0.5, 0.5])).tolist()
    ['a', 'b', None, None]
    """

    def __init__(self, codes: Any, geoms: Any) -> None:
        import shapely

        keep = [(str(c), g) for c, g in zip(codes, geoms, strict=True) if g is not None and not g.is_empty]
        self.codes = np.array([c for c, _ in keep], dtype=object)
        self.geoms = [g for _, g in keep]
        for g in self.geoms:
            shapely.prepare(g)
        self.bounds = np.array([g.bounds for g in self.geoms]).reshape(-1, 4)
        n = max(len(self.geoms), 1)
        self.size = int(np.clip(np.sqrt(n) * 16, 16, 512))
        if len(self.geoms):
            x0, y0 = self.bounds[:, 0].min(), self.bounds[:, 1].min()
            x1, y1 = self.bounds[:, 2].max(), self.bounds[:, 3].max()
            self.extent = (x0, y0, max(x1, x0 + 1e-9), max(y1, y0 + 1e-9))

    def __len__(self) -> int:
        return len(self.geoms)

    def _cells(self, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Grid cells overlapping polygon ``k``'s box: (cell ids, inside mask, crossing mask)."""
        import shapely

        g = self.size
        x0, y0, x1, y1 = self.extent
        dx, dy = (x1 - x0) / g, (y1 - y0) / g
        bx0, by0, bx1, by1 = self.bounds[k]
        i0, i1 = int(np.clip((bx0 - x0) // dx, 0, g - 1)), int(np.clip((bx1 - x0) // dx, 0, g - 1))
        j0, j1 = int(np.clip((by0 - y0) // dy, 0, g - 1)), int(np.clip((by1 - y0) // dy, 0, g - 1))
        ii, jj = np.meshgrid(np.arange(i0, i1 + 1), np.arange(j0, j1 + 1))
        ii, jj = ii.ravel(), jj.ravel()
        boxes = shapely.box(x0 + ii * dx, y0 + jj * dy, x0 + (ii + 1) * dx, y0 + (jj + 1) * dy)
        inside = shapely.contains_properly(self.geoms[k], boxes)
        touch = ~inside & shapely.intersects(self.geoms[k], boxes)
        return jj * g + ii, inside, touch

    def _plan(self) -> tuple[np.ndarray, list[np.ndarray]]:
        """(owner polygon of each grid cell or -1, cells to test exactly per polygon), cached."""
        if getattr(self, "_planned", None) is None:
            g = self.size
            owner = np.full(g * g, -1, dtype="int64")
            touched = np.zeros(g * g, dtype=bool)
            exact: list[np.ndarray] = []
            for k in range(len(self.geoms)):
                cids, inside, touch = self._cells(k)
                free = inside & ~touched[cids]
                owner[cids[free]] = k
                exact.append(cids[touch | (inside & ~free)])
                touched[cids[inside | touch]] = True
            self._planned = (owner, exact)
        return self._planned

    def locate_index(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Index into :attr:`codes` of the polygon holding each point, -1 where none does."""
        import shapely

        x = np.asarray(x, dtype="float64")
        y = np.asarray(y, dtype="float64")
        out = np.full(len(x), -1, dtype="int64")
        if not len(self.geoms) or not len(x):
            return out
        g = self.size
        x0, y0, x1, y1 = self.extent
        ok = np.flatnonzero(np.isfinite(x) & np.isfinite(y) & (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1))
        if not len(ok):
            return out
        gi = np.minimum(((x[ok] - x0) / ((x1 - x0) / g)).astype("int64"), g - 1)
        gj = np.minimum(((y[ok] - y0) / ((y1 - y0) / g)).astype("int64"), g - 1)
        cell = gj * g + gi
        owner, exact = self._plan()
        out[ok] = owner[cell]  # cells wholly inside one polygon: no test
        rest = out[ok] < 0
        ok, cell = ok[rest], cell[rest]
        order = np.argsort(cell, kind="stable")
        pts, sorted_cells = ok[order], cell[order]
        edges = np.searchsorted(sorted_cells, np.arange(g * g + 1))
        for k, cells in enumerate(exact):
            parts = [pts[edges[c] : edges[c + 1]] for c in cells if edges[c + 1] > edges[c]]
            if not parts:
                continue
            cand = np.concatenate(parts)
            cand = cand[out[cand] < 0]
            if len(cand):
                hit = shapely.intersects_xy(self.geoms[k], x[cand], y[cand])
                out[cand[hit]] = k
        return out

    def locate(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Area code of the polygon holding each point (None where none does)."""
        idx = self.locate_index(x, y)
        codes = np.empty(len(idx), dtype=object)
        codes[:] = None
        codes[idx >= 0] = self.codes[idx[idx >= 0]]
        return codes


def repair_geometries(geoms: Any, label: str = "feature") -> tuple[Any, list[str]]:
    """Invalid geometries (self-crossing rings, bow-ties) repaired with shapely's ``make_valid``,
    keeping their polygonal parts, so that no later union or point test dies inside GEOS.

    Returns (the geometries, a note naming each repaired one by its 1-based ``label`` number).

    Examples
    --------
    >>> from shapely.geometry import Polygon, box
    >>> bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    >>> fixed, notes = repair_geometries([box(0, 0, 1, 1), bowtie])
    >>> fixed[1].is_valid, fixed[1].geom_type, notes[0][:39]
    (True, 'MultiPolygon', 'feature 2 had an invalid geometry (Self')
    """
    import shapely

    arr = np.asarray(geoms, dtype=object)
    if not len(arr):
        return arr, []
    have = np.array([g is not None for g in arr], dtype=bool)
    bad = np.zeros(len(arr), dtype=bool)
    bad[have] = ~shapely.is_valid(arr[have])
    notes = []
    for i in np.flatnonzero(bad):
        why = shapely.is_valid_reason(arr[i])
        polygonal = arr[i].geom_type in ("Polygon", "MultiPolygon")
        method = {"method": "structure", "keep_collapsed": False} if polygonal else {}
        arr[i] = shapely.make_valid(arr[i], **method)
        notes.append(f"{label} {i + 1} had an invalid geometry ({why}), repaired (make_valid)")
    return arr, notes


def valid_geometries(geoms: Any) -> Any:
    """The geometries with any invalid one repaired (a store written before repairs were made)."""
    return repair_geometries(geoms)[0]


# -- at ingest: over the staged file (identify.Staged) ---------------------------------------------
def loose_area_pairs(con: Any, staged: str, m: Mapping, lookups: dict[str, dict[str, str]]) -> dict[str, str]:
    """Unknown area labels of the staged file (table ``staged``) that match a store area after
    normalisation."""
    if m.area_names != "loose" or "area_code" not in lookups:
        return {}
    if "raw_area_code" not in {r[0] for r in con.execute(f"DESCRIBE {staged}").fetchall()}:
        return {}
    labels = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT raw_area_code FROM {staged} "
            "WHERE raw_area_code IS NOT NULL AND area_code IS NULL"
        ).fetchall()
    ]
    if not labels:
        return {}
    pairs = list(lookups["area_code"].items())
    loose = loose_lookup(pairs)
    return {
        lab: loose[k]
        for lab in labels
        if (k := normalise_name(lab)) in loose and _same_code(lab, loose[k], pairs)
    }


_CODE_LIKE = re.compile(r"^\s*[0-9A-Za-z][0-9A-Za-z.\-/_]*\s*$")


def _same_code(label: str, code: str, pairs: list[tuple[str, str]]) -> bool:
    """Whether a label matched loosely to area ``code`` names no other area by a code of its own.

    A code (``0301``, ``B12``) is matched exactly or not at all; a name whose bracketed code differs
    from the area's (``Downtown (031)`` for ``Downtown (001)``) is another area, left unassigned.

    Examples
    --------
    >>> p = [("Downtown (001)", "001"), ("001", "001")]
    >>> _same_code("DOWNTOWN", "001", p), _same_code("Downtown (031)", "001", p), _same_code("0001", "001", p)
    (True, False, False)
    """
    if _CODE_LIKE.match(label) and any(ch.isdigit() for ch in label):
        return False
    said = _CODE_SUFFIX.search(label)
    if said is None:
        return True
    mine = said.group(0).strip().strip("()[]").strip()
    known = {code} | {
        m.group(0).strip().strip("()[]").strip()
        for lab, c in pairs
        if c == code and (m := _CODE_SUFFIX.search(lab))
    }
    return mine in known


def area_index(st: Any) -> AreaIndex | None:
    """The store's area polygons as a point index (None when it has none)."""
    import shapely

    rows = st.con.execute(
        "SELECT area_code, geometry FROM areas WHERE geometry IS NOT NULL ORDER BY area_code"
    ).fetchall()
    if not rows:
        return None
    return AreaIndex([r[0] for r in rows], valid_geometries(shapely.from_wkb([bytes(r[1]) for r in rows])))


def areas_from_points(con: Any, staged: str, index: AreaIndex, stated: bool, rep: FileReport) -> bool:
    """Give each counted row of the staged file (table ``staged``) without a stated area the area
    holding its point; where an area is stated and the point lies in another, record a finding
    (``_zz_find``). True when findings exist."""
    import pyarrow as pa

    if not stated:
        con.execute(f"ALTER TABLE {staged} ADD COLUMN area_code VARCHAR")
    data = con.execute(
        f"SELECT rowid AS rid, lon, lat, area_code FROM {staged} WHERE _rc = 0 AND lon IS NOT NULL"
    ).fetchnumpy()
    rid = np.asarray(data["rid"])
    lon = np.asarray(data["lon"], dtype="float64")
    lat = np.asarray(data["lat"], dtype="float64")
    said = np.array(np.ma.getdata(data["area_code"]), dtype=object)
    said[np.ma.getmaskarray(data["area_code"])] = None
    k = index.locate_index(lon, lat)
    has = k >= 0
    found = np.empty(len(k), dtype=object)
    found[has] = index.codes[k[has]]
    stated = np.array([v is not None for v in said], dtype=bool) if len(said) else np.zeros(0, bool)
    fill = ~stated & has
    if fill.any():
        t = pa.table({"rid": pa.array(rid[fill]), "code": pa.array(found[fill].tolist(), pa.string())})
        con.register("_zz_pa_arrow", t)
        try:
            con.execute("CREATE OR REPLACE TEMP TABLE _zz_pa AS SELECT * FROM _zz_pa_arrow")
        finally:
            con.unregister("_zz_pa_arrow")
        con.execute(f"UPDATE {staged} SET area_code = p.code FROM _zz_pa p WHERE p.rid = {staged}.rowid")
    rep.area_from_point = int(fill.sum())
    differ = stated & has
    if differ.any():
        differ[differ] = said[differ] != found[differ]
    if not differ.any():
        return False
    n = int(differ.sum())
    t = pa.table(
        {
            "rid": pa.array(rid[differ]),
            "kind": pa.array(["area_disagrees_with_point"] * n, pa.string()),
            "col": pa.array(["area_code"] * n, pa.string()),
            "stated": pa.array(said[differ].tolist(), pa.string()),
            "found": pa.array(found[differ].tolist(), pa.string()),
        }
    )
    con.register("_zz_find_arrow", t)
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE _zz_find AS SELECT * FROM _zz_find_arrow")
    finally:
        con.unregister("_zz_find_arrow")
    pairs = con.execute(
        f"SELECT f.stated, f.found, count(*) FROM _zz_find f JOIN {staged} s ON s.rowid = f.rid "
        "WHERE NOT s._fdup GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2"
    ).fetchall()
    kind = "area_disagrees_with_point"
    rep.findings[kind] = sum(int(n) for _, _, n in pairs)
    rep.finding_examples[kind] = [f"stated {a}, point in {b}" for a, b, _ in pairs[:3]]
    return True
