"""Township names on the briefing's maps, legible however many townships there are.

A name is written only inside a township large enough on the page to hold it, without
overlapping another; smaller townships get a number (the same on every map of a briefing)
explained in a key under the map, up to :data:`MAX_KEYED`, the rest only their hover text; no
label is cut off at the frame. Used by :mod:`zzanalytics.report.maps` once a map is framed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely

from zzanalytics.report import text as tx
from zzanalytics.report import theme

__all__ = ["LABEL_FONT", "MAX_KEYED", "place_labels", "text_width"]

LABEL_FONT = {"size": 11, "color": "#111", "shadow": "0px 0px 2px white, 0px 0px 3px white"}
"""Township names on maps: dark text with a white halo, legible on dark classes too."""


def _label_points(areas: Any) -> tuple[np.ndarray, np.ndarray]:
    pts = areas.geometry.representative_point()
    return pts.x.to_numpy(), pts.y.to_numpy()


_CODE_SUFFIX = re.compile(r"\s*[(（]\s*[0-9A-Za-z-]{1,8}\s*[)）]\s*$")

MAX_KEYED = 150
"""At most this many small townships are numbered with a key under the map; beyond it, they are left
unlabelled (their names show on hover)."""


def text_width(text: str, size: float) -> float:
    """Rough width in pixels of ``text`` at font ``size``: CJK characters are square, Latin narrower.

    Examples
    --------
    >>> text_width("鼓楼街道", 10), text_width("Annex", 10)
    (40.0, 29.2)
    """
    w = 0.0
    for ch in str(text):
        if ord(ch) >= 0x2E80:
            w += 1.0
        elif ch.isupper() or ch in "mwMW@%":
            w += 0.68
        elif ch in "il.,:;'|!() -":
            w += 0.32
        else:
            w += 0.56
    return round(w * size, 1)


def _page_scale(fig: go.Figure) -> tuple[float, float, float]:
    """(pixels per x unit, pixels per y unit, plot width in px) of a map framed by :func:`frame_map`."""
    lay = fig.layout
    width = lay.width or theme.FIG_WIDTH
    height = lay.height or theme.FIG_HEIGHT
    m = lay.margin
    plot_w, plot_h = width - (m.l or 0) - (m.r or 0), height - (m.t or 0) - (m.b or 0)
    x0, x1 = lay.xaxis.range
    y0, y1 = lay.yaxis.range
    ratio = lay.yaxis.scaleratio or 1.0
    s = min(plot_w / (x1 - x0), plot_h / ((y1 - y0) * ratio))  # scaleanchor: one scale for both
    return s, s * ratio, plot_w


def place_labels(
    fig: go.Figure,
    areas: Any,
    lang: str = "zh",
    size: float = 11,
    hover: Sequence[str] | None = None,
) -> go.Figure:
    """Write township names on a map framed by :func:`frame_map`, legibly, whatever their number.

    A name is written when it fits inside its township on the page (its width within 85% of
    the township's width there, its height within 80% of its height, its area within 60% of the
    township's) and does not overlap a name already placed (larger townships first). The others
    get a number, keyed under the map, when at most :data:`MAX_KEYED` need one; otherwise they
    stay unlabelled (the hover text names them). Labels are kept inside the frame.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> cells = [box(103.8 + i * 0.001, 36.0, 103.801 + i * 0.001, 36.001) for i in range(3)]
    >>> big = [box(103.8, 36.001, 103.9, 36.1)]
    >>> areas = gpd.GeoDataFrame({"area_code": ["1", "2", "3", "4"], "name": ["甲", "乙", "丙", "大区域"]},
    ...                          geometry=cells + big, crs="EPSG:4326")
    >>> from zzanalytics.report.maps import frame_map
    >>> fig = frame_map(go.Figure(), areas.total_bounds, None, None)
    >>> fig = place_labels(fig, areas)
    >>> list(fig.data[-1].text), fig.layout.annotations[0].text
    (['2', '3', '4', '大区域'], '2 甲 · 3 乙 · 4 丙')
    """
    if areas is None or len(areas) == 0:
        return fig
    sx, sy, plot_w = _page_scale(fig)
    names = _area_label(areas, lang).tolist()
    short = [_CODE_SUFFIX.sub("", n) or n for n in names]  # "Annex (95)" is "Annex" on the map
    lx, ly = _label_points(areas)
    b = areas.geometry.bounds.to_numpy()
    w_px, h_px = (b[:, 2] - b[:, 0]) * sx, (b[:, 3] - b[:, 1]) * sy
    a_px = shapely.area(areas.geometry.to_numpy()) * sx * sy
    x0, x1 = fig.layout.xaxis.range
    y0, y1 = fig.layout.yaxis.range
    line = size * 1.25
    placed: list[tuple[float, float, float, float]] = []

    def free(cx: float, cy: float, tw: float) -> bool:
        box_ = (cx - tw / 2 / sx, cy - line / 2 / sy, cx + tw / 2 / sx, cy + line / 2 / sy)
        hit = any(not (box_[2] < p[0] or box_[0] > p[2] or box_[3] < p[1] or box_[1] > p[3]) for p in placed)
        if not hit:
            placed.append(box_)
        return not hit

    def inside(cx: float, cy: float, tw: float) -> tuple[float, float]:
        half_x, half_y = tw / 2 / sx + 2 / sx, line / 2 / sy
        cx = min(max(cx, x0 + half_x), x1 - half_x) if x1 - x0 > 2 * half_x else cx
        cy = min(max(cy, y0 + half_y), y1 - half_y) if y1 - y0 > 2 * half_y else cy
        return cx, cy

    text = [""] * len(names)
    xs, ys = lx.astype(float).copy(), ly.astype(float).copy()
    order = np.argsort(-a_px, kind="stable")
    small = []
    for i in order:
        tw = text_width(short[i], size)
        fits = tw <= 0.85 * w_px[i] and line <= 0.8 * h_px[i] and tw * line <= 0.6 * a_px[i]
        xs[i], ys[i] = inside(xs[i], ys[i], tw)
        if fits and free(xs[i], ys[i], tw):
            text[i] = short[i]
        else:
            small.append(i)
    # every township has a number in reading order (rows of the map, top left first), the same
    # on every map of the briefing whatever the font; the small ones show theirs
    band = np.floor((ly.max() - ly) / max((ly.max() - ly.min()) / 8, 1e-12))
    number = np.empty(len(names), dtype=int)
    number[np.lexsort((lx, band))] = np.arange(1, len(names) + 1)
    small.sort(key=lambda i: number[i])
    keyed = []
    if len(small) <= MAX_KEYED:
        for i in small:
            n = int(number[i])
            tw = text_width(str(n), size * 0.9)
            xs[i], ys[i] = inside(xs[i], ys[i], tw)
            text[i] = str(n)
            free(xs[i], ys[i], tw)  # numbers may touch: they are short and keyed
            keyed.append(f"{n} {names[i]}")
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="text",
            text=text,
            textfont={**LABEL_FONT, "size": size},
            hovertext=list(hover) if hover is not None else names,
            hoverinfo="text",
            showlegend=False,
            cliponaxis=False,
        )
    )
    if keyed:
        _add_key(fig, keyed, plot_w)
    return fig


def _add_key(fig: go.Figure, items: list[str], plot_w: float, size: float = 10) -> None:
    """The key of the numbered townships, wrapped to the plot's width, under the map and its legend."""
    lines, cur = [], ""
    for item in items:
        trial = f"{cur} · {item}" if cur else item
        if cur and text_width(trial, size) > plot_w:
            lines.append(cur)
            cur = item
        else:
            cur = trial
    lines.append(cur)
    extra = int(len(lines) * size * 1.45) + 8
    bottom = fig.layout.margin.b or 0
    height = (fig.layout.height or theme.FIG_HEIGHT) + extra
    fig.update_layout(height=height, margin={"b": bottom + extra})
    fig.add_annotation(
        text="<br>".join(lines),
        xref="paper",
        yref="paper",
        x=0.0,
        y=0.0,
        xanchor="left",
        yanchor="top",
        yshift=-bottom,
        align="left",
        showarrow=False,
        font={"size": size, "color": "#333"},
    )


def _area_label(areas: Any, lang: str) -> pd.Series:
    col = tx.name_column(areas.columns, lang)
    if col not in areas.columns:
        return areas["area_code"].astype(str)
    names = areas[col].map(tx.clean)
    return names.where(names != "", areas["area_code"].astype(str))
