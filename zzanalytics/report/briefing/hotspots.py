"""六、治安热点与视频监控覆盖: criminal cases per township and per 10,000 residents, burglary hot
spots (Gi*, exact p), emerging hot spots of criminal cases, near repeats and when burglaries happen
(:mod:`~.rhythm`), cameras and their coverage (:mod:`~.cameras`).

Every spatial sentence rests on located records and says how many of the period's records are
located; without any, there is no hot-spot sentence and no map (never "no significant hot spot" or a
grid of zeros). Emerging hot spots need :data:`EMERGING_MONTHS` months of data. Without polygons the
grid covers the located records' extent; without population there is no rate ranking.

Examples
--------
>>> PHRASES.say("emerging.item.one", "en", pattern="New hot spot", n="1")
'1 new hot spot cell'
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from zzanalytics.report import blocks as B  # noqa: N812
from zzanalytics.report import maps
from zzanalytics.report.briefing import cameras as cam
from zzanalytics.report.briefing import rhythm as rh
from zzanalytics.report.briefing.context import WORDS, Context
from zzanalytics.report.briefing.results import shared
from zzanalytics.report.briefing.scope import Need, Scope, history
from zzanalytics.report.briefing.select import (
    area_polygons,
    criminal,
    local,
    located,
    unassigned,
    with_prefix,
    within,
)
from zzanalytics.report.phrases import Phrases

PHRASES = (
    Phrases(
        {
            "rates": (
                "按常住人口计算,{what}发案率最高的是{items}。",
                "Highest rates of {what!l} per 10,000 residents: {items}.",
            ),
            "rates.item": ("{name}(每万人{rate}起)", "{name}: {rate}"),
            "rates.unit": ("起/万人", " per 10k"),
            "rates.map": (
                "{period}各{area_unit}每万人{what}数",
                "{what!u} per 10,000 residents by {area_unit}, {period}",
            ),
            "rates.no_population": (
                "各{area_units}无常住人口数据,不作发案率排名;下图为{what}数。",
                "The {area_units} have no population figures, so there is no rate ranking; the map shows "
                "counts of {what!l}.",
            ),
            "counts.unit": ("起", " cases"),
            "counts.map": ("{period}各{area_unit}{what}数", "{what!u} by {area_unit}, {period}"),
            "located": (
                "本期{what}{n},其中有坐标的{located}({share}),以下热点分析均据有坐标的案件。",
                "{n} records of {what!l} this period, {located} of them located ({share}); the hot-spot "
                "analysis below uses the located ones.",
            ),
            "located.none": (
                "本期{what}{n}均无坐标,不作热点分析。",
                "None of the {n} records of {what!l} of this period is located, so there is no hot-spot "
                "analysis.",
            ),
            "hot": (
                "入室盗窃案件空间聚集分析(Getis-Ord Gi*,{cell}米网格,随机化精确检验并经错误发现率校正,"
                "据有坐标的{located}起)显示,共有{n_hot}个网格为显著热点,面积约{km2}平方公里,"
                "集中了{share}的有坐标入室盗窃案件,应作为巡逻防控的重点区域。",
                "Burglary hot spots (Getis-Ord Gi*, {cell} m cells, exact randomisation test, "
                "FDR-corrected, on {located} located burglaries): {n_hot} cells (about {km2} km²) hold "
                "{share} of them and should be the focus of patrols and prevention.",
            ),
            "hot.none": (
                "据有坐标的{located}起入室盗窃案件,空间分布未发现显著热点。",
                "The {located} located burglaries show no significant hot spot.",
            ),
            "hot.map": ("{period}入室盗窃热点分布", "Burglary hot spots, {period}"),
            "emerging": (
                "近{months}个月{what}时空热点分析(据有坐标的{located}起)显示:{items}。",
                "Emerging hot spots of {what!l} over {months} months ({located} located cases): {items}.",
            ),
            "emerging.item": ("{pattern}网格{n}个", "{n} {pattern!l} cells"),
            "emerging.item.one": ("{pattern}网格{n}个", "{n} {pattern!l} cell"),
            "emerging.map": (
                "近{months}个月{what}新增、持续和加剧热点",
                "Emerging hot spots of {what!l}, last {months} months",
            ),
            "need.points": ("有坐标的案件", "located cases"),
            "need.polygons": ("{area_unit}边界", "{area_unit} polygons"),
            "need.population": ("常住人口", "population"),
            "need.emerging": ("连续{months}个月的刑事案件数据", "{months} months of criminal-case data"),
            "need.cameras": ("视频监控点位和道路", "cameras and streets"),
            "without.points": (
                "不作热点分析,写明有坐标的案件数",
                "no hot-spot analysis; says how many are located",
            ),
            "without.polygons": (
                "不画{area_unit}分布图,热点网格按案件范围",
                "no {area_unit} map; the grid covers the cases",
            ),
            "without.population": ("不作发案率排名,图示案件数", "no rate ranking; the map shows counts"),
            "without.emerging": ("不作时空热点分析", "no emerging hot spots"),
            "without.cameras": ("写明无监控点位数据", "says there are no camera data"),
        },
        name="hotspots",
    )
    | rh.PHRASES
    | cam.PHRASES
)

HOTSPOT_CELLS = 2000
"""The briefing's hotspot grid cuts the district into about this many square cells (see
:func:`zzanalytics.spatial.grid.cell_for`: 400 m for a district of ~300 km²)."""
EMERGING_MONTHS = 12
"""Months of the emerging hot spot analysis (the counted criminal cases must cover all of them)."""
HOT_CATEGORY = "theft.burglary"
"""The category of the hot-spot map (the speech's 入室盗窃)."""


@dataclass(frozen=True)
class Rates:
    """Counted criminal cases of the period per township (``counts``, every township) and per 10,000
    residents (``rates``, empty without population); ``unassigned``: those without a township."""

    counts: pd.Series
    rates: pd.Series
    unassigned: int


@dataclass(frozen=True)
class HotSpots:
    """Burglary hot spots: the period's burglaries (``n``), located ones (``located``), and the
    Gi* grid (``cells``, None when nothing is located or burglary is not covered)."""

    n: int
    located: int
    cells: Any = None


@dataclass(frozen=True)
class Emerging:
    """Emerging hot spots: the grid with each cell's ``pattern`` (None when not analysed) and the
    located cases it rests on."""

    cells: Any = None
    located: int = 0


def study_area(ctx: Context) -> Any:
    """What the grid covers: the area's polygons, else the period's located records (their hull).

    Examples
    --------
    >>> study_area(Context.empty()) is None
    True
    """
    polys = area_polygons(ctx)
    if polys is not None and len(polys):
        return polys
    pts = located(criminal(within(local(ctx, ctx.incidents), "occurred_at", ctx.start, ctx.end)))
    return pts[["lon", "lat"]] if len(pts) >= 3 else None


@shared("cell")
def compute_cell(ctx: Context) -> float:
    """Side (metres) of the briefing's hotspot cells, chosen from the study area's size.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> compute_cell(load(None, "2026-01-01", "2026-06-30"))  # doctest: +SKIP
    400.0
    """
    from zzanalytics.spatial.grid import cell_for

    area = study_area(ctx)
    return float(cell_for(area, HOTSPOT_CELLS)) if area is not None else float("nan")


def township_counts(ctx: Context, scope: Scope) -> pd.Series:
    """Counted criminal cases per township in the period (every township, zeros included).

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> township_counts(ctx, ctx.results.scope).sum() > 0  # doctest: +SKIP
    True
    """
    from zzanalytics.aggregate import counts

    inc = with_prefix(criminal(ctx.incidents), scope.counted)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c = counts(
            inc,
            freq="year",
            by=("area_code",),
            start=ctx.start,
            end=ctx.end,
            areas=ctx.areas,
            coverage=ctx.cov,
        )
    c = c.groupby("area_code", as_index=False)["count"].sum()
    return c.set_index(c["area_code"].astype(str))["count"]


@shared("rates")
def compute_rates(ctx: Context, scope: Scope) -> Rates:
    """Counts and rates per township (``ctx.results.rates``; empty for a township's briefing, a
    store without polygons or without counted criminal cases).

    Examples
    --------
    >>> compute_rates(Context.empty(), Scope((), (), ())).counts.empty
    True
    """
    from zzanalytics.aggregate import rates

    empty = pd.Series(dtype=float)
    if ctx.area is not None or area_polygons(ctx) is None or not scope.any:
        return Rates(empty, empty, 0)
    counts = township_counts(ctx, scope)
    now = within(with_prefix(criminal(ctx.incidents), scope.counted), "occurred_at", ctx.start, ctx.end)
    r = rates(counts.rename("count").reset_index(), ctx.areas)
    rate = r.set_index(r["area_code"].astype(str))["rate"].dropna()
    return Rates(counts, rate, unassigned(now))


def crime_rates(ctx: Context) -> pd.Series:
    """Counted criminal cases per 10,000 residents per township in the period.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> crime_rates(ctx).round(1).head(3)  # doctest: +SKIP
    """
    return ctx.results.rates.rates


@shared("hot")
def compute_hot(ctx: Context, cell: float) -> HotSpots:
    """Gi* hot and cold spots of burglary in the period, on its located records
    (``ctx.results.hot``).

    Examples
    --------
    >>> compute_hot(Context.empty(), 400.0).located
    0
    """
    from zzanalytics.spatial.grid import make_grid
    from zzanalytics.spatial.hotspot_frame import hotspots

    if not ctx.covers(HOT_CATEGORY):
        return HotSpots(0, 0)
    now = with_prefix(within(local(ctx, ctx.incidents), "occurred_at", ctx.start, ctx.end), HOT_CATEGORY)
    pts = located(now)
    area = study_area(ctx)
    if pts.empty or area is None or not np.isfinite(cell):
        return HotSpots(len(now), len(pts))
    grid = make_grid(area, cell=cell)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cells = hotspots(pts, grid, ctx.start, ctx.end, permutations=199, risk=False, coverage=ctx.cov)
    return HotSpots(len(now), len(pts), cells)


def hotspot_cells(ctx: Context, category: str = HOT_CATEGORY, permutations: int = 199) -> Any:
    """Gi* hot and cold spots of ``category`` in the period on a grid over the area (located
    records only; None without any).

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> hotspot_cells(ctx)["hotspot"].value_counts()  # doctest: +SKIP
    """
    if category == HOT_CATEGORY and permutations == 199:
        return ctx.results.hot.cells
    from zzanalytics.spatial.grid import make_grid
    from zzanalytics.spatial.hotspot_frame import hotspots

    pts = located(with_prefix(local(ctx, ctx.incidents), category))
    area = study_area(ctx)
    if pts.empty or area is None:
        return None
    grid = make_grid(area, cell=ctx.results.cell)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hotspots(
            pts, grid, ctx.start, ctx.end, permutations=permutations, risk=False, coverage=ctx.cov
        )


@shared("emerging")
def compute_emerging(ctx: Context, scope: Scope, cell: float, months: int = EMERGING_MONTHS) -> Emerging:
    """Emerging hot spot patterns of the counted criminal cases over the last ``months`` months
    (``ctx.results.emerging``): only when their data cover every one of those months.

    Examples
    --------
    >>> compute_emerging(Context.empty(), Scope((), (), ()), 400.0).cells is None
    True
    """
    from zzanalytics.spatial.emerging import emerging_hotspots
    from zzanalytics.spatial.grid import cell_counts, make_grid

    if not scope.any or history(ctx, scope.counted)[0] < months:
        return Emerging()
    first = (ctx.end - pd.DateOffset(months=months - 1)).replace(day=1)
    inc = located(
        within(with_prefix(criminal(local(ctx, ctx.incidents)), scope.counted), "occurred_at", first, ctx.end)
    )
    area = study_area(ctx)
    if inc.empty or area is None or not np.isfinite(cell):
        return Emerging()
    grid = make_grid(area, cell=cell)
    cube = cell_counts(inc, grid, freq="month", start=first, end=ctx.end)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = emerging_hotspots(cube, grid, permutations=99, coverage=ctx.cov, categories=list(scope.counted))
    frame = res.to_frame()
    return Emerging(grid.merge(frame[["cell_id", "pattern"]], on="cell_id", how="left"), len(inc))


def emerging_cells(ctx: Context, months: int = EMERGING_MONTHS) -> Any:
    """Emerging hot spot patterns of criminal cases over the last ``months`` months (None when not
    analysed).

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> emerging_cells(ctx)["pattern"].value_counts()  # doctest: +SKIP
    """
    if months == EMERGING_MONTHS:
        return ctx.results.emerging.cells
    return compute_emerging(ctx, ctx.results.scope, ctx.results.cell, months).cells


def needs(ctx: Context) -> list[Need]:
    """Data of section 6 (for the closing note).

    Examples
    --------
    >>> [n.ok for n in needs(Context.empty())]
    [False, False, False, True, False]
    """
    scope = ctx.results.scope
    now = within(local(ctx, ctx.incidents), "occurred_at", ctx.start, ctx.end)
    has_points = len(located(criminal(now))) > 0
    has_polys = area_polygons(ctx) is not None
    pop = has_polys and "population" in ctx.areas.columns and ctx.areas["population"].notna().any()
    em = {"months": EMERGING_MONTHS}
    pair = tuple(p.format(**em) for p in PHRASES["need.emerging"])
    cams = ctx.tables.get("cameras")
    long_enough = scope.any and history(ctx, scope.counted)[0] >= EMERGING_MONTHS
    return [
        Need(PHRASES["need.points"], has_points, PHRASES["without.points"]),
        Need(PHRASES["need.polygons"], has_polys, PHRASES["without.polygons"]),
        Need(PHRASES["need.population"], bool(pop), PHRASES["without.population"]),
        Need(pair, long_enough, PHRASES["without.emerging"]),
        Need(
            PHRASES["need.cameras"],
            cams is not None and len(cams) > 0 and ctx.streets is not None and len(ctx.streets) > 0,
            PHRASES["without.cameras"],
        ),
    ]


def rates_blocks(
    ctx: Context, rates: Rates | None = None, scope: Scope | None = None, worse: Any = None
) -> list[Any]:
    """The three townships with the highest rates and the choropleth (district briefings; counts
    without population), with the cases that have no township noted.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> show(*rates_blocks(ctx))  # doctest: +SKIP
    """
    rates = ctx.results.rates if rates is None else rates
    scope = ctx.results.scope if scope is None else scope
    if rates.counts.empty:
        return []
    worse = ctx.results.scorecard.worse if worse is None else worse
    what = scope.noun(ctx)
    w = {**ctx.basics(), "what": what}
    left = (
        [B.note(ctx.say(WORDS["unassigned"], w, n=ctx.count(rates.unassigned)))] if rates.unassigned else []
    )
    if rates.rates.empty:  # no population: no ranking of rates (never the first codes in string order)
        fig = maps.choropleth(
            ctx.areas,
            rates.counts,
            lang=ctx.lang,
            unit=ctx.say(PHRASES["counts.unit"]),
            decimals=0,
            highlight=worse,
            title=ctx.say(PHRASES["counts.map"], w),
        )
        return [B.para(ctx.say(PHRASES["rates.no_population"], w), cls="note"), B.figure(fig), *left]
    top = rates.rates.sort_values(ascending=False).head(3)
    items = [
        ctx.say(PHRASES["rates.item"], name=ctx.names.get(c, c), rate=ctx.number(v, 1))
        for c, v in top.items()
    ]
    fig = maps.choropleth(
        ctx.areas,
        rates.rates,
        lang=ctx.lang,
        unit=ctx.say(PHRASES["rates.unit"]),
        highlight=worse,
        title=ctx.say(PHRASES["rates.map"], w),
    )
    return [B.para(ctx.say(PHRASES["rates"], w, items=ctx.join(items))), B.figure(fig), *left]


def located_sentence(ctx: Context, scope: Scope) -> str:
    """How many of the period's counted criminal cases are located ('' without any cases).

    Examples
    --------
    >>> located_sentence(Context.empty(), Scope((), (), ()))
    ''
    """
    if not scope.any:
        return ""
    now = with_prefix(
        criminal(within(local(ctx, ctx.incidents), "occurred_at", ctx.start, ctx.end)), scope.counted
    )
    if now.empty:
        return ""
    n = len(located(now))
    w = {
        **ctx.basics(),
        "what": scope.noun(ctx),
        "n": ctx.count(len(now)),
        "located": ctx.count(n),
        "share": ctx.pct(n / len(now) * 100),
    }
    return ctx.say(PHRASES["located" if n else "located.none"], w)


def hot_blocks(ctx: Context, hot: HotSpots, cell: float) -> list[Any]:
    """Burglary hot spots: a sentence and the map (nothing without located burglaries).

    Examples
    --------
    >>> hot_blocks(Context.empty(), HotSpots(0, 0), 400.0)
    []
    """
    hs = hot.cells
    if hs is None:
        return []
    is_hot = hs["hotspot"].astype(str).str.startswith("hot")
    n_hot, total = int(is_hot.sum()), int(hs["count"].sum())
    hot_cells = hs[is_hot]
    w = {
        **ctx.basics(),
        "cell": ctx.number(cell),
        "n_hot": ctx.number(n_hot),
        "located": ctx.number(hot.located),
        "km2": ctx.number(
            float(hot_cells.to_crs(hot_cells.estimate_utm_crs()).area.sum() / 1e6) if n_hot else 0.0, 1
        ),
        "share": ctx.pct(int(hot_cells["count"].sum()) / total * 100 if total else np.nan),
    }
    fig = maps.cell_map(hs, areas=area_polygons(ctx), lang=ctx.lang, title=ctx.say(PHRASES["hot.map"], w))
    return [B.para(ctx.say(PHRASES["hot" if n_hot else "hot.none"], w)), B.figure(fig)]


def emerging_blocks(ctx: Context, emerging: Emerging, scope: Scope) -> list[Any]:
    """Emerging hot spots of criminal cases: a sentence per pattern and the map of hot patterns.

    Examples
    --------
    >>> emerging_blocks(Context.empty(), Emerging(), Scope((), (), ()))
    []
    """
    em = emerging.cells
    if em is None:
        return []
    hot = em[em["pattern"].astype(str).str.contains("hot")]
    if hot.empty:
        return []
    items = []
    for pattern, n in hot["pattern"].value_counts().items():
        names = maps.HOTSPOT_STYLE.get(maps.style_key(pattern), (None, pattern, pattern))[1:]
        items.append(
            ctx.say(ctx.plural(PHRASES, "emerging.item", n), pattern=ctx.say(names), n=ctx.number(n))
        )
    w = {
        "months": ctx.number(EMERGING_MONTHS),
        "items": ctx.join(items),
        "located": ctx.number(emerging.located),
        "what": scope.noun(ctx),
    }
    fig = maps.cell_map(
        hot,
        column="pattern",
        areas=area_polygons(ctx),
        lang=ctx.lang,
        title=ctx.say(PHRASES["emerging.map"], w),
    )
    return [B.para(ctx.say(PHRASES["emerging"], w)), B.figure(fig)]


def body(
    ctx: Context,
    scope: Scope,
    rates: Rates,
    scorecard: Any,
    hot: HotSpots,
    cell: float,
    repeats: rh.Repeats,
    rhythm: rh.Rhythm,
    emerging: Emerging,
    cameras: cam.Cameras,
) -> B.Html:
    """Rates by township, the located share, burglary hot spots, near repeats, time rhythm,
    emerging hot spots, cameras.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> show(render_section("hotspots", ctx))  # doctest: +SKIP
    """
    located_words = located_sentence(ctx, scope)
    return B.join(
        *rates_blocks(ctx, rates, scope, scorecard.worse),
        B.para(located_words, cls="note") if located_words else "",
        *hot_blocks(ctx, hot, cell),
        *rh.repeat_blocks(ctx, repeats),
        *rh.rhythm_blocks(ctx, rhythm),
        *emerging_blocks(ctx, emerging, scope),
        cam.cameras_block(ctx, cameras, scope),
    )
