"""Offline maps of a briefing: plotly ``Scatter`` traces on longitude/latitude, no tiles, no basemap.

Polygons and lines are drawn as ``go.Scatter`` paths (``None`` between parts,
``fill="toself"`` for areas) with the y axis scaled by ``1/cos(latitude)``, so
the map keeps its true shape without any projection library in the browser and
nothing is ever downloaded. Each map is sized for the printable width of A4 and
labelled in Chinese or English.

- :func:`choropleth` — a rate per township in five classes, township names on the map;
- :func:`cell_map` — grid or hexagon cells coloured by class (Gi* hot spots, emerging hot spots)
  over township boundaries;
- :func:`camera_map` — streets, cameras and checkpoints, uncovered street segments and the
  proposed sites for new cameras.

Township names stay legible however many townships there are (:func:`place_labels`): a name is
written only inside a township large enough on the page to hold it, without overlapping another;
smaller townships get a number explained in a key under the map (up to :data:`MAX_KEYED`), the
rest only their hover text; no label is cut off at the frame.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> areas = gpd.GeoDataFrame({"area_code": ["a", "b"], "name": ["东关街道", "西关街道"]},
...                          geometry=[box(103.80, 36.05, 103.82, 36.07), box(103.82, 36.05, 103.84, 36.07)],
...                          crs="EPSG:4326")
>>> fig = choropleth(areas, {"a": 12.5, "b": 3.0}, title="每万人刑事案件")
>>> fig.layout.yaxis.scaleanchor
'x'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from zzanalytics.errors import SpatialError
from zzanalytics.report import text as tx
from zzanalytics.report import theme
from zzanalytics.report.labels import _area_label, place_labels
from zzanalytics.wording import Phrases, pick

LABELS = Phrases(
    {
        "no_data": ("无数据", "no data"),
        "worse": ("显著恶化", "significantly worse"),
        "uncovered": ("未覆盖路段", "Uncovered street"),
        "proposed": ("建议新增点位", "Proposed site"),
    },
    name="maps",
)
"""Legend labels of the maps, Chinese and English (hot-spot classes: :data:`HOTSPOT_STYLE`)."""

# ------------------------------------------------------------------ geometry → paths


def _to_wgs84(gdf: Any) -> Any:
    if gdf is None or len(gdf) == 0:
        return gdf
    if getattr(gdf, "crs", None) is not None and not gdf.crs.equals("EPSG:4326"):
        return gdf.to_crs("EPSG:4326")
    return gdf


def _rings(geom: Any) -> list[np.ndarray]:
    """Exterior rings of a (multi)polygon, or the parts of a (multi)line, as coordinate arrays."""
    if geom is None or geom.is_empty:
        return []
    kind = geom.geom_type
    if kind == "Polygon":
        return [np.asarray(geom.exterior.coords)]
    if kind in ("LineString", "LinearRing"):
        return [np.asarray(geom.coords)]
    if kind in ("MultiPolygon", "MultiLineString", "GeometryCollection"):
        return [r for g in geom.geoms for r in _rings(g)]
    return []


def paths(geoms: Sequence[Any]) -> tuple[list[float | None], list[float | None]]:
    """x and y lists of many rings/lines separated by ``None`` (one plotly trace draws them all).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> x, y = paths([box(0, 0, 1, 1)])
    >>> len(x), x[-1]
    (6, None)
    """
    xs: list[float | None] = []
    ys: list[float | None] = []
    for g in geoms:
        for ring in _rings(g):
            xs.extend(ring[:, 0].round(6).tolist())
            ys.extend(ring[:, 1].round(6).tolist())
            xs.append(None)
            ys.append(None)
    return xs, ys


def frame_map(fig: go.Figure, bounds: Sequence[float], title: str | None, height: int | None) -> go.Figure:
    """Equal-aspect lon/lat axes without ticks or grid, fitted to ``bounds``; legend below the map.

    Without ``height`` the figure is as tall as the area's true shape needs at the A4 width.
    """
    minx, miny, maxx, maxy = bounds
    lat = (miny + maxy) / 2
    padx, pady = (maxx - minx) * 0.03 or 0.001, (maxy - miny) * 0.03 or 0.001
    ratio = 1 / math.cos(math.radians(lat))
    top = 50 if title else 20
    n_legend = sum(1 for t in fig.data if t.showlegend is not False and t.name)
    bottom = 20 + 24 * math.ceil(n_legend / 3) if n_legend else 10
    if height is None:
        plot_w = theme.FIG_WIDTH - 20
        aspect = ((maxy - miny + 2 * pady) * ratio) / (maxx - minx + 2 * padx)
        height = int(min(600, max(320, plot_w * aspect + top + bottom)))
    theme.apply(fig, title=title, height=height)
    axis = {"visible": False, "showgrid": False, "zeroline": False}
    fig.update_layout(
        xaxis={**axis, "range": [minx - padx, maxx + padx]},
        yaxis={**axis, "range": [miny - pady, maxy + pady], "scaleanchor": "x", "scaleratio": ratio},
        margin={"l": 10, "r": 10, "t": top, "b": bottom},
        legend={
            "orientation": "h",
            "x": 0.0,
            "xanchor": "left",
            "y": 0.0,
            "yanchor": "top",
            "bgcolor": "rgba(255,255,255,0)",
            "font": {"size": 11},
        },
        hovermode="closest",
    )
    return fig


def _outline(fig: go.Figure, areas: Any, color: str = "#555", width: float = 1.0, name: str = "") -> None:
    x, y = paths(list(areas.geometry))
    fig.add_trace(
        go.Scatter(
            x=x,
            y=y,
            mode="lines",
            line={"color": color, "width": width},
            hoverinfo="skip",
            showlegend=bool(name),
            name=name or "boundary",
        )
    )


# ------------------------------------------------------------------ classes


def classify(values: Sequence[float], k: int = 5) -> np.ndarray:
    """Class breaks (k+1 edges) by quantiles, merged where equal; NaNs ignored.

    Examples
    --------
    >>> classify([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], k=5).tolist()
    [1.0, 2.8, 4.6, 6.4, 8.2, 10.0]
    >>> classify([3, 3, 3]).tolist()
    [3.0, 3.0]
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return np.array([0.0, 0.0])
    edges = np.unique(np.quantile(v, np.linspace(0, 1, k + 1)).round(6))
    if edges.size == 1:
        return np.array([edges[0], edges[0]])
    return edges


def _fmt_edge(x: float, decimals: int) -> str:
    return tx.number(x, decimals)


def choropleth(
    areas: Any,
    values: Mapping[str, float] | pd.Series,
    *,
    title: str | None = None,
    lang: str = "zh",
    unit: str = "",
    decimals: int = 1,
    k: int = 5,
    highlight: Sequence[str] = (),
    height: int | None = None,
) -> go.Figure:
    """Township choropleth of a value (e.g. a rate per 10,000 residents) in ``k`` quantile classes.

    Parameters
    ----------
    areas : GeoDataFrame
        ``area_code``, ``name`` (and ``name_en``), polygons.
    values : mapping or Series
        ``area_code -> value``; townships without a value are drawn grey ("无数据").
    title : str, optional
        Map title.
    lang : {"zh", "en"}
        Language of the legend and labels.
    unit : str
        Appended to values in hover text.
    decimals : int
        Decimals of the class edges and hover values.
    k : int
        Number of classes (fewer when values tie).
    highlight : sequence of str
        Township codes drawn with a thick red outline (e.g. those that worsened significantly).
    height : int, optional
        Figure height in pixels.

    Returns
    -------
    plotly Figure
    """
    areas = _to_wgs84(areas)
    if areas is None or len(areas) == 0:
        raise SpatialError("choropleth needs township polygons; the store's areas table is empty")
    vals = pd.Series(values, dtype=float) if not isinstance(values, pd.Series) else values.astype(float)
    vals.index = vals.index.astype(str)
    codes = areas["area_code"].astype(str)
    v = codes.map(vals).to_numpy(dtype=float)
    edges = classify(v, k)
    n_classes = max(1, len(edges) - 1)
    palette = (
        theme.SEQUENTIAL if n_classes >= 5 else theme.SEQUENTIAL[1 :: max(1, 5 // n_classes)][:n_classes]
    )
    cls = np.clip(np.searchsorted(edges, v, side="right") - 1, 0, n_classes - 1)
    fig = go.Figure()
    geoms = list(areas.geometry)
    for c in range(n_classes):
        idx = [i for i in range(len(v)) if np.isfinite(v[i]) and cls[i] == c]
        if not idx:
            continue
        x, y = paths([geoms[i] for i in idx])
        lo, hi = edges[c], edges[min(c + 1, len(edges) - 1)]
        name = f"{_fmt_edge(lo, decimals)}–{_fmt_edge(hi, decimals)}"
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                fill="toself",
                fillcolor=palette[min(c, len(palette) - 1)],
                mode="lines",
                line={"color": "#666", "width": 0.8},
                name=name,
                hoverinfo="skip",
                legendrank=100 - c,
            )
        )
    missing = [i for i in range(len(v)) if not np.isfinite(v[i])]
    if missing:
        x, y = paths([geoms[i] for i in missing])
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                fill="toself",
                fillcolor="#e6e6e6",
                mode="lines",
                line={"color": "#666", "width": 0.8},
                hoverinfo="skip",
                name=LABELS.say("no_data", lang),
            )
        )
    hl = areas[codes.isin([str(h) for h in highlight])]
    if len(hl):
        worse = LABELS.say("worse", lang)
        _outline(fig, hl, color=theme.RED, width=2.5, name=worse)
    labels = _area_label(areas, lang)
    hover = [f"{n}<br>{tx.number(val, decimals)}{unit}" for n, val in zip(labels, v, strict=False)]
    fig = frame_map(fig, areas.total_bounds, title, height)
    fig.update_layout(legend_title_text=unit or None)
    return place_labels(fig, areas, lang, hover=hover)


HOTSPOT_STYLE: dict[str, tuple[str, str, str]] = {
    # class -> (colour, zh, en); names as used by the spatial module and ArcGIS-style labels
    "hot99": (theme.HOT["hot99"], "热点(99%置信)", "Hot spot, 99%"),
    "hot95": (theme.HOT["hot95"], "热点(95%置信)", "Hot spot, 95%"),
    "hot90": (theme.HOT["hot90"], "热点(90%置信)", "Hot spot, 90%"),
    "hot": (theme.HOT["hot99"], "热点", "Hot spot"),
    "cold99": (theme.HOT["cold99"], "冷点(99%置信)", "Cold spot, 99%"),
    "cold95": (theme.HOT["cold95"], "冷点(95%置信)", "Cold spot, 95%"),
    "cold90": (theme.HOT["cold90"], "冷点(90%置信)", "Cold spot, 90%"),
    "cold": (theme.HOT["cold95"], "冷点", "Cold spot"),
    "new": ("#7a0177", "新增热点", "New hot spot"),
    "consecutive": ("#c51b8a", "连续热点", "Consecutive hot spot"),
    "intensifying": ("#b2182b", "加剧热点", "Intensifying hot spot"),
    "persistent": ("#ef6548", "持续热点", "Persistent hot spot"),
    "diminishing": ("#fdbb84", "减弱热点", "Diminishing hot spot"),
    "sporadic": ("#fee8c8", "零星热点", "Sporadic hot spot"),
    "oscillating": ("#fa9fb5", "振荡热点", "Oscillating hot spot"),
    "historical": ("#d9d9d9", "历史热点", "Historical hot spot"),
}


def style_key(label: str) -> str:
    """Normalise a class label ('Hot Spot - 99% Confidence', 'hot_99', 'new hot spot') to a style key.

    Examples
    --------
    >>> style_key("Hot Spot - 99% Confidence"), style_key("new hot spot"), style_key("cold_95")
    ('hot99', 'new', 'cold95')
    """
    s = str(label).lower().replace("_", " ").replace("-", " ")
    digits = "".join(ch for ch in s if ch.isdigit())[:2]
    for key in (
        "new",
        "consecutive",
        "intensifying",
        "persistent",
        "diminishing",
        "sporadic",
        "oscillating",
        "historical",
    ):
        if key in s:
            return key
    for side in ("hot", "cold"):
        if side in s:
            return side + digits if side + digits in HOTSPOT_STYLE else side
    return s


def cell_map(
    cells: Any,
    column: str = "hotspot",
    *,
    areas: Any = None,
    title: str | None = None,
    lang: str = "zh",
    skip: Sequence[str] = ("", "none", "nan", "not significant", "no pattern", "ns"),
    height: int | None = None,
) -> go.Figure:
    """Grid or hexagon cells coloured by a class column (hot/cold spots, emerging hot spots).

    Cells whose class is in ``skip`` (not significant) are not drawn; township boundaries are drawn
    over the cells. One trace per class keeps the file small even for thousands of cells.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> cells = gpd.GeoDataFrame({"hotspot": ["hot99", "none", "cold95"]},
    ...     geometry=[box(0, 0, .01, .01), box(.01, 0, .02, .01), box(.02, 0, .03, .01)], crs="EPSG:4326")
    >>> [t.name for t in cell_map(cells).data]
    ['热点(99%置信)', '冷点(95%置信)']
    """
    cells = _to_wgs84(cells)
    if cells is None or len(cells) == 0:
        raise SpatialError("cell_map got no cells; compute hotspots over the district's grid first")
    fig = go.Figure()
    labels = cells[column].astype(str).fillna("")
    keys = labels.map(style_key)
    order = list(HOTSPOT_STYLE)
    present = [k for k in pd.unique(keys) if str(k).lower() not in skip]
    present.sort(key=lambda k: order.index(k) if k in order else len(order))
    for key in present:
        sel = (keys == key).to_numpy()
        color, zh, en = HOTSPOT_STYLE.get(key, (theme.GREY, key, key))
        x, y = paths(list(cells.geometry[sel]))
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                fill="toself",
                fillcolor=color,
                mode="lines",
                line={"color": color, "width": 0.3},
                name=pick((zh, en), lang),
                hoverinfo="name",
            )
        )
    bounds = cells.total_bounds
    if areas is not None and len(areas):
        areas = _to_wgs84(areas)
        _outline(fig, areas, color="#333", width=1.0)
        bounds = areas.total_bounds
    fig = frame_map(fig, bounds, title, height)
    return place_labels(fig, areas, lang, size=10) if areas is not None and len(areas) else fig


def camera_map(
    cameras: Any,
    *,
    areas: Any = None,
    streets: Any = None,
    gaps: Any = None,
    sites: Any = None,
    title: str | None = None,
    lang: str = "zh",
    height: int | None = None,
) -> go.Figure:
    """Cameras and checkpoints over streets and townships, with coverage gaps and proposed sites.

    Parameters
    ----------
    cameras : DataFrame
        ``lon``, ``lat``, ``kind`` (``camera`` | ``checkpoint``).
    areas : GeoDataFrame, optional
        Township polygons (outlines and names).
    streets : GeoDataFrame, optional
        Street lines with ``class`` (``main`` drawn darker).
    gaps : GeoDataFrame, optional
        Uncovered street segments (lines), drawn red.
    sites : DataFrame, optional
        Proposed camera sites (``lon``, ``lat``), drawn as stars.

    Examples
    --------
    >>> cams = pd.DataFrame({"lon": [103.81, 103.83], "lat": [36.06, 36.06],
    ...                      "kind": ["camera", "checkpoint"]})
    >>> [t.name for t in camera_map(cams).data]
    ['视频监控点 (1)', '智能卡口 (1)']
    """
    fig = go.Figure()
    bounds: list[float] | None = None
    if areas is not None and len(areas):
        areas = _to_wgs84(areas)
        x, y = paths(list(areas.geometry))
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                fill="toself",
                fillcolor="#f7f4ee",
                mode="lines",
                line={"color": "#777", "width": 1},
                hoverinfo="skip",
                showlegend=False,
            )
        )
        bounds = list(areas.total_bounds)
    if streets is not None and len(streets):
        streets = _to_wgs84(streets)
        is_main = (
            streets["class"].astype(str).eq("main")
            if "class" in streets.columns
            else pd.Series(True, index=streets.index)
        )
        for main, width, color, label in (
            (False, 0.8, "#bbbbbb", ("次要街道", "Secondary street")),
            (True, 1.8, "#666666", ("主要街道", "Main street")),
        ):
            part = streets[is_main.to_numpy() == main]
            if len(part):
                x, y = paths(list(part.geometry))
                fig.add_trace(
                    go.Scatter(
                        x=x,
                        y=y,
                        mode="lines",
                        line={"color": color, "width": width},
                        name=pick(label, lang),
                        hoverinfo="skip",
                    )
                )
    if gaps is not None and len(gaps):
        gaps = _to_wgs84(gaps)
        x, y = paths(list(gaps.geometry))
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="lines",
                line={"color": theme.RED, "width": 3},
                name=LABELS.say("uncovered", lang),
                hoverinfo="skip",
            )
        )
    cams = cameras if cameras is not None else pd.DataFrame(columns=["lon", "lat", "kind"])
    cams = cams[
        np.isfinite(pd.to_numeric(cams["lon"], errors="coerce"))
        & np.isfinite(pd.to_numeric(cams["lat"], errors="coerce"))
    ]
    kind = cams["kind"].astype(str) if "kind" in cams.columns else pd.Series("camera", index=cams.index)
    for k, symbol, size, color, label in (
        ("camera", "circle", 5, theme.BLUE, ("视频监控点", "Camera")),
        ("checkpoint", "diamond", 10, theme.ORANGE, ("智能卡口", "Smart checkpoint")),
    ):
        part = cams[kind.eq(k).to_numpy()]
        if len(part):
            fig.add_trace(
                go.Scatter(
                    x=part["lon"],
                    y=part["lat"],
                    mode="markers",
                    marker={
                        "symbol": symbol,
                        "size": size,
                        "color": color,
                        "line": {"color": "white", "width": 0.5},
                    },
                    name=f"{pick(label, lang)} ({len(part):,})",
                    hoverinfo="name",
                )
            )
    if sites is not None and len(sites):
        fig.add_trace(
            go.Scatter(
                x=sites["lon"],
                y=sites["lat"],
                mode="markers",
                marker={
                    "symbol": "star",
                    "size": 13,
                    "color": theme.RED,
                    "line": {"color": "black", "width": 0.8},
                },
                name=LABELS.say("proposed", lang),
                hoverinfo="name",
            )
        )
    if bounds is None:
        if len(cams) == 0:
            raise SpatialError("camera_map got neither township polygons nor cameras to draw")
        bounds = [cams["lon"].min(), cams["lat"].min(), cams["lon"].max(), cams["lat"].max()]
    fig = frame_map(fig, bounds, title, height)
    return place_labels(fig, areas, lang, size=10) if areas is not None and len(areas) else fig
