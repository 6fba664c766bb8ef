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
:class:`AreaIndex` gives each point the code of the polygon containing it (vectorised:
a bounding-box filter per polygon, then shapely's ``contains_xy`` on prepared polygons, each
point tested until one polygon holds it). Points on a shared border go to the first area in code
order. DuckDB's spatial extension would do this in SQL but cannot be installed offline for the
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
from typing import Any

import numpy as np

__all__ = ["AreaIndex", "loose_lookup", "nearest_names", "normalise_name"]

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

    def __len__(self) -> int:
        return len(self.geoms)

    def locate_index(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Index into :attr:`codes` of the polygon holding each point, -1 where none does."""
        import shapely

        x = np.asarray(x, dtype="float64")
        y = np.asarray(y, dtype="float64")
        out = np.full(len(x), -1, dtype="int64")
        todo = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
        for k, g in enumerate(self.geoms):
            if not len(todo):
                break
            x0, y0, x1, y1 = self.bounds[k]
            tx, ty = x[todo], y[todo]
            cand = todo[(tx >= x0) & (tx <= x1) & (ty >= y0) & (ty <= y1)]
            if not len(cand):
                continue
            hit = shapely.intersects_xy(g, x[cand], y[cand])
            found = cand[hit]
            if len(found):
                out[found] = k
                todo = todo[out[todo] < 0]
        return out

    def locate(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Area code of the polygon holding each point (None where none does)."""
        idx = self.locate_index(x, y)
        codes = np.empty(len(idx), dtype=object)
        codes[:] = None
        codes[idx >= 0] = self.codes[idx[idx >= 0]]
        return codes
