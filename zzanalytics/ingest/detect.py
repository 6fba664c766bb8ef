"""What a file as published is made of, seen by a program (private to ingest): its title lines above the
header, its footer lines below the data, its delimiter and sheet, and its projected coordinate system.

Used by ``zz map`` (:mod:`zzanalytics.ingest.draft`) to draft a mapping, and by the read stage to set
footer lines aside (:func:`footer_lines`): 合计, 制表人, 資料提供日期, ``Total`` … are not records.

Examples
--------
>>> rows = [["臺北市住宅竊盜點位資訊"], ["編號", "案類", "發生日期"], ["1", "住宅竊盜", "1040101"],
...         ["2", "住宅竊盜", "1040102"], ["資料提供日期：105年1月5日"]]
>>> shape = table_shape(rows)
>>> shape.title, shape.header, shape.footer
(1, ['編號', '案類', '發生日期'], 1)
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from zzanalytics.ingest.hanzi import simplified

__all__ = [
    "FOOTER_WORDS",
    "TableShape",
    "crs_candidates",
    "footer_lines",
    "is_footer_text",
    "split_lines",
    "table_shape",
]

FOOTER_WORDS: tuple[str, ...] = (
    "合计",
    "总计",
    "小计",
    "共计",
    "累计",
    "制表",
    "填表",
    "填报",
    "审核",
    "负责人",
    "统计时间",
    "统计日期",
    "统计单位",
    "统计截至",
    "截止",
    "截至",
    "资料提供",
    "资料来源",
    "资料日期",
    "数据提供",
    "数据来源",
    "数据日期",
    "提供日期",
    "打印",
    "导出",
    "报表生成",
    "生成时间",
    "查询时间",
    "备注",
    "注：",
    "注:",
    "说明",
    "单位：",
    "单位:",
    "total",
    "grand total",
    "subtotal",
    "source",
    "prepared by",
    "note",
    "notes",
    "report generated",
    "generated on",
    "printed",
    "page ",
    "end of report",
    "count:",
)
"""Words that open a footer line (compared after folding traditional to simplified and case)."""

_DELIMS = (",", "\t", ";", "|")


def is_footer_text(text: str) -> bool:
    """True when a line's first non-empty text opens like a footer (:data:`FOOTER_WORDS`).

    Examples
    --------
    >>> is_footer_text("合計：1,234件"), is_footer_text("Total"), is_footer_text("住宅竊盜")
    (True, True, False)
    """
    t = simplified(str(text)).strip().casefold()
    for w in FOOTER_WORDS:
        if t.startswith(w) and (
            not w[-1].isalpha() or not w.isascii() or not t[len(w) : len(w) + 1].isalpha()
        ):
            return True  # an English word only whole ("Total", never "Totality Ave")
    return False


@dataclass
class TableShape:
    """Where a table's data lies: ``title`` lines above the header, the ``header`` itself, ``footer``
    lines below the data (counts of rows as the reader sees them), and the data ``width``."""

    title: int
    header: list[str]
    footer: int
    width: int
    title_text: list[str] = field(default_factory=list)
    footer_text: list[str] = field(default_factory=list)


def _filled(row: list[Any]) -> list[str]:
    return [str(c).strip() for c in row if c is not None and str(c).strip() != ""]


def _texty(cell: str) -> bool:
    """A header-like cell: not a number, not a date."""
    return re.fullmatch(r"[-+]?[\d.,/: ]+", cell) is None


def table_shape(rows: list[list[Any]], scan: int = 30) -> TableShape:
    """Title lines, header and footer lines of a table given as rows of cells (a sheet, a split CSV).

    The data width is the most common number of filled cells among the first ``scan`` rows; the header
    is the first row filling at least half of it with text that is not numbers or dates, followed by a
    row of the same kind; rows above it are title lines. Footer lines are the rows at the end that
    open with a footer word (:data:`FOOTER_WORDS`), stopping at the first row that does not (a row that
    merely has few cells filled stays a row: a sparse record is never dropped).
    """
    head = rows[:scan]
    counts = [len(_filled(r)) for r in head]
    if not counts:
        return TableShape(0, [], 0, 0)
    wide = sorted(c for c in counts if c >= 2) or counts
    width = max(set(wide), key=lambda c: (wide.count(c), c))
    title = 0
    for i, r in enumerate(head):
        cells = _filled(r)
        if len(cells) >= max(2, width // 2) and sum(_texty(c) for c in cells) >= 0.8 * len(cells):
            title = i
            break
    header = [str(c).strip() if c is not None else "" for c in rows[title]] if rows else []
    while header and header[-1] == "":
        header.pop()
    footer = 0
    for r in reversed(rows[title + 1 :]):
        cells = _filled(r)
        if not cells:
            footer += 1
            continue
        if is_footer_text(cells[0]):
            footer += 1
            continue
        break
    body = rows[title + 1 :]
    tail = body[len(body) - footer :] if footer else []
    return TableShape(
        title,
        header,
        footer,
        width,
        [" ".join(_filled(r)) for r in rows[:title] if _filled(r)],
        [" ".join(_filled(r)) for r in tail if _filled(r)],
    )


def split_lines(lines: list[str], delimiter: str = "") -> tuple[list[list[str]], str]:
    """CSV lines split into cells, with the delimiter: the one of ``, tab ; |`` that splits most lines
    into the same number of fields (unless given).

    Examples
    --------
    >>> split_lines(["a;b;c", "1;2;3", "4;5;6"])
    ([['a', 'b', 'c'], ['1', '2', '3'], ['4', '5', '6']], ';')
    """

    def split(d: str) -> list[list[str]]:
        return [next(csv.reader(io.StringIO(ln), delimiter=d), []) for ln in lines]

    if delimiter:
        return split(delimiter), delimiter
    best, chosen = None, ","
    for d in _DELIMS:
        rows = split(d)
        widths = [len(r) for r in rows if len(r) > 1]
        if not widths:
            continue
        mode = max(set(widths), key=widths.count)
        score = (widths.count(mode), mode, d == ",")
        if best is None or score > best:
            best, chosen = score, d
    return split(chosen), chosen


def footer_lines(lines: list[str], delimiter: str, width: int) -> int:
    """How many of the last ``lines`` of a CSV (the last few, as text) are footer lines, not records:
    blank, or opening with a footer word (``width`` is kept for callers; a sparse row stays a row).

    Examples
    --------
    >>> footer_lines(["1,a,b,c", "2,d,e,f", "合计,2,,", "制表人：王", ""], ",", 4)
    3
    """
    rows, _ = split_lines(lines, delimiter)
    n = 0
    for r in reversed(rows):
        cells = _filled(r)
        if not cells or is_footer_text(cells[0]):
            n += 1
            continue
        break
    return n


# -- projected coordinate systems ------------------------------------------------------------------
_MODERN = (
    "WGS 84 / Pseudo-Mercator",
    "TWD97",
    "CGCS2000",
    "NAD83 /",
    "ETRS89",
    "GDA2020",
    "GDA94",
    "JGD2011",
    "JGD2000",
    "NZGD2000",
    "OSGB36",
    "RGF93",
    "Hong Kong 1980",
    "SIRGAS 2000",
    "KGD2002",
    "WGS 84 / UTM",
    "NAD83(2011)",
    "NAD83(HARN)",
    "NAD83(CSRS)",
)  # datums in use today, most likely first; other systems rank after them
_EAST_ASIA = (73.0, 18.0, 146.0, 54.0)  # China, Taiwan, Japan, Korea: where exports written in Chinese lie


def _envelope(code: str, area: tuple[float, float, float, float]) -> list[float] | None:
    """The box (x0, y0, x1, y1) that a projected system's area of use covers in its own coordinates."""
    import numpy as np
    from pyproj import Proj

    w, s, e, n = area
    if e < w:
        e += 360
    lon, lat = np.meshgrid(np.linspace(w, e, 7), np.linspace(s, n, 7))
    lon = (lon + 180) % 360 - 180
    try:  # Proj: the projection on the system's own datum (a few metres off at most: enough for a box)
        x, y = Proj(f"EPSG:{code}")(lon.ravel(), lat.ravel(), errcheck=False)
    except Exception:  # pyproj raises several types for systems it cannot use
        return None
    x, y = np.asarray(x), np.asarray(y)
    ok = np.isfinite(x) & np.isfinite(y) & (np.abs(x) < 1e12) & (np.abs(y) < 1e12)
    if not ok.any():
        return None
    return [float(x[ok].min()), float(y[ok].min()), float(x[ok].max()), float(y[ok].max())]


@lru_cache(maxsize=1)
def _envelopes() -> list[tuple[str, str, tuple[float, float, float, float], list[float]]]:
    """Every projected EPSG system in use (not deprecated), its area of use and its box in its own
    coordinates; computed once (a few seconds) and kept in the user's cache folder."""
    import json

    import pyproj
    from pyproj.database import query_crs_info
    from pyproj.enums import PJType

    cache = None
    try:
        from platformdirs import user_cache_dir

        cache = (
            Path(user_cache_dir("zzanalytics"))
            / f"crs-boxes-{pyproj.__version__}-{pyproj.proj_version_str}.json"
        )
        if cache.exists():
            return [(c, nm, tuple(a), b) for c, nm, a, b in json.loads(cache.read_text(encoding="utf-8"))]
    except (OSError, ValueError):
        cache = None
    out = []
    for info in query_crs_info(auth_name="EPSG", pj_types=[PJType.PROJECTED_CRS]):
        a = info.area_of_use
        if info.deprecated or a is None:
            continue
        area = (a.west, a.south, a.east, a.north)
        box = _envelope(info.code, area)
        if box is not None:
            out.append((info.code, info.name, area, box))
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(".tmp")
            tmp.write_text(json.dumps(out), encoding="utf-8")
            tmp.replace(cache)
        except OSError:
            pass
    return out


def crs_candidates(
    xs: Any,
    ys: Any,
    limit: int = 5,
    chinese: bool | None = None,
    near: tuple[float, float, float, float] | None = None,
) -> list[tuple[str, str, str]]:
    """Projected coordinate systems (EPSG) whose area of use holds the points ``xs``/``ys`` once they are
    read in that system, likeliest first.

    Ranking: for an export written in Chinese (``chinese=True``) systems of East Asia first, for one
    that is not (``False``) the others first; regional systems before world and continental ones (Web
    Mercator when nothing regional fits); today's datums (:data:`_MODERN`) before older ones; then the
    smallest area of use (a national grid before a UTM zone). Points alone cannot tell a UTM zone from
    a Gauss-Krüger zone of the same width: the draft says so and lists the others. ``near`` (west,
    south, east, north in degrees: the district's polygons) decides it: systems that put the points
    inside that box (a quarter of its size around it) come first.

    Returns ``(code, name, area text)`` for at most ``limit`` systems.

    Examples
    --------
    >>> crs_candidates([296000, 310000], [2765000, 2790000], chinese=True)[0][:2]
    ('EPSG:3826', 'TWD97 / TM2 zone 121')
    >>> crs_candidates([832000, 843000], [809000, 816000], near=(114.1, 22.2, 114.3, 22.3))[0][:2]
    ('EPSG:2326', 'Hong Kong 1980 Grid System')
    """
    import numpy as np
    from pyproj import Proj

    x = np.asarray(xs, dtype=float)
    y = np.asarray(ys, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return []
    x, y = x[ok], y[ok]
    px = np.percentile(x, [2, 50, 98])
    py = np.percentile(y, [2, 50, 98])
    probe_x = np.array([px[0], px[2], px[0], px[2], px[1]])
    probe_y = np.array([py[0], py[0], py[2], py[2], py[1]])
    found = []
    for code, name, (w, s, e, n), (x0, y0, x1, y1) in _envelopes():
        mx, my = 0.02 * (x1 - x0), 0.02 * (y1 - y0)
        if not (x0 - mx <= px[0] and px[2] <= x1 + mx and y0 - my <= py[0] and py[2] <= y1 + my):
            continue
        try:
            lon, lat = Proj(f"EPSG:{code}")(probe_x, probe_y, inverse=True, errcheck=False)
        except Exception:  # pyproj raises several types for systems it cannot invert
            continue
        lon, lat = np.asarray(lon), np.asarray(lat)
        if not (np.isfinite(lon).all() and np.isfinite(lat).all()):
            continue
        m = 0.05
        west_east = (lon >= w - m) & (lon <= e + m) if w <= e else (lon >= w - m) | (lon <= e + m)
        if not (west_east & (lat >= s - m) & (lat <= n + m)).all():
            continue
        east_asia = bool(
            _EAST_ASIA[0] <= lon[-1] <= _EAST_ASIA[2] and _EAST_ASIA[1] <= lat[-1] <= _EAST_ASIA[3]
        )
        place = 0 if chinese is None or east_asia == chinese else 1
        if near is not None:
            bw, bs, be, bn = near
            mx, my = 0.25 * (be - bw) + 0.02, 0.25 * (bn - bs) + 0.02
            inside = (lon >= bw - mx) & (lon <= be + mx) & (lat >= bs - my) & (lat <= bn + my)
            place = -1 if inside.all() else place + 2  # the district's own box first, then the others
        rank = next((i for i, k in enumerate(_MODERN) if k in name), len(_MODERN))
        size = ((e - w) % 360 or 360) * (n - s)
        world = size > 5000  # a world or continental system: only when no regional one fits
        found.append(
            (place, world, rank, size, int(code), name, f"lon {w:.2f}..{e:.2f}, lat {s:.2f}..{n:.2f}")
        )
    found.sort()
    return [(f"EPSG:{c}", name, area) for *_, c, name, area in found[:limit]]


def zone_at(box: tuple[float, float, float, float]) -> str | None:
    """The IANA time zone at the middle of ``box`` (degrees), from timezonefinder's bundled data."""
    from timezonefinder import TimezoneFinder

    w, s, e, n = box
    return TimezoneFinder().timezone_at(lng=(w + e) / 2, lat=(s + n) / 2)


def lands_in(code: str, xs: list[Any], ys: list[Any], box: tuple[float, float, float, float]) -> bool:
    """Whether most points read in the system ``code`` lie in ``box`` (degrees, a quarter around it)."""
    import numpy as np
    from pyproj import Transformer

    x, y = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return False
    lon, lat = Transformer.from_crs(code, "EPSG:4326", always_xy=True).transform(x[ok], y[ok])
    w, s, e, n = box
    mx, my = 0.25 * (e - w) + 0.02, 0.25 * (n - s) + 0.02
    inside = (lon >= w - mx) & (lon <= e + mx) & (lat >= s - my) & (lat <= n + my)
    return bool(inside.mean() >= 0.9)


def read_text_lines(path: Path, head: int = 40, tail: int = 40) -> tuple[list[str], list[str], int]:
    """The first ``head`` and last ``tail`` lines of a UTF-8 text file (maybe gzip) and its line count."""
    from collections import deque

    from zzanalytics.ingest.encoding import open_bytes

    first: list[str] = []
    last: deque[str] = deque(maxlen=tail)
    n = 0
    with open_bytes(path) as fh:
        for raw in fh:
            text = raw.decode("utf-8", "replace").rstrip("\r\n")
            if n == 0:
                text = text.removeprefix("\ufeff")
            if n < head:
                first.append(text)
            last.append(text)
            n += 1
    return first, list(last), n
