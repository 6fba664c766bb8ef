"""六、治安热点与视频监控覆盖: crime rates per township, burglary hot spots (Gi*, exact p),
emerging hot spots of criminal cases, near repeats of burglary and vehicle theft (Knox), when
burglaries happen (hour × weekday heat map, peak windows), cameras and the coverage of main
streets and incidents.

Examples
--------
>>> PHRASES.say("emerging.item.one", "en", pattern="New hot spot", n="1")
'1 new hot spot cell'
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from zzanalytics.report import blocks as B  # noqa: N812
from zzanalytics.report import maps
from zzanalytics.report.briefing.context import (
    Context,
    area_polygons,
    criminal,
    local,
    located,
    with_prefix,
    within,
)
from zzanalytics.report.phrases import Phrases

PHRASES = Phrases(
    {
        "rates": (
            "按常住人口计算,刑事案件发案率最高的是{items}。",
            "Highest criminal-case rates per 10,000 residents: {items}.",
        ),
        "rates.item": ("{name}(每万人{rate}起)", "{name}: {rate}"),
        "rates.unit": ("起/万人", " per 10k"),
        "rates.map": (
            "{period}各{area_unit}每万人刑事案件数",
            "Criminal cases per 10,000 residents by {area_unit}, {period}",
        ),
        "rates.no_population": (
            "各{area_units}无常住人口数据,不作发案率排名;下图为刑事案件数。",
            "The {area_units} have no population figures, so there is no rate ranking; the map shows counts.",
        ),
        "counts.unit": ("起", " cases"),
        "counts.map": ("{period}各{area_unit}刑事案件数", "Criminal cases by {area_unit}, {period}"),
        "hot": (
            "入室盗窃案件空间聚集分析(Getis-Ord Gi*,{cell}米网格,随机化精确检验并经错误发现率校正)显示,"
            "共有{n_hot}个网格为显著热点,面积约{km2}平方公里,集中了{share}的入室盗窃案件,"
            "应作为巡逻防控的重点区域。",
            "Burglary hot spots (Getis-Ord Gi*, {cell} m cells, exact randomisation test, "
            "FDR-corrected): {n_hot} cells (about {km2} km²) hold {share} of the burglaries and should "
            "be the focus of patrols and prevention.",
        ),
        "repeat": (
            "{what}案发后{days}天内、{distance}米范围内再次发生的风险是平常的{ratio}倍(显著),"
            "案发后应及时加强周边巡防。",
            "After a {what!l}, the risk of another within {distance} m and {days} days is {ratio} "
            "times the usual (significant): step up patrols around new cases at once.",
        ),
        "peak": ("{what}多发于{days}{hours}(占{share})", "{what} peaks {days}, {hours} ({share})"),
        "peaks": ("从发案时间看,{items}。", "By time of day and week: {items}."),
        "hours": ("{first}时至{end}时", "{first:0>2}:00 to {end:0>2}:00"),
        "hours.night": ("{first}时至次日{end}时", "{first:0>2}:00 to {end:0>2}:00 the next day"),
        "days.single": ("{first}", "on {first}s"),
        "days.range": ("{first}至{last}", "{first} to {last}"),
        "days.all": ("每天", "every day"),
        "days.but": ("除{first}外每天", "every day but {first}"),
        "heat.title": (
            "{period}{what}发案时段分布(按小时和星期,时间段记录按时长分摊)",
            "{what} by hour and weekday, {period} (time windows shared out)",
        ),
        "heat.share": ("占比", "share"),
        "heat.hour": ("时", "hour"),
        "weekdays": (
            "周一,周二,周三,周四,周五,周六,周日",
            "Monday,Tuesday,Wednesday,Thursday,Friday,Saturday,Sunday",
        ),
        "hot.none": ("入室盗窃案件空间分布未发现显著热点。", "Burglaries show no significant hot spot."),
        "hot.map": ("{period}入室盗窃热点分布", "Burglary hot spots, {period}"),
        "emerging": (
            "近{months}个月刑事案件时空热点分析显示:{items}。",
            "Emerging hot spots of criminal cases over {months} months: {items}.",
        ),
        "emerging.item": ("{pattern}网格{n}个", "{n} {pattern!l} cells"),
        "emerging.item.one": ("{pattern}网格{n}个", "{n} {pattern!l} cell"),
        "emerging.map": (
            "近{months}个月刑事案件新增、持续和加剧热点",
            "Emerging hot spots, last {months} months",
        ),
        "cameras": (
            "{subject}现有视频监控点{cameras}、智能卡口{checkpoints}。",
            "{subject!u} has {cameras} cameras and {checkpoints} smart checkpoints.",
        ),
        "streets": (
            "主要街道监控覆盖率为{street_share}{gap}{incidents}",
            "{street_share} of main streets are covered{gap}{incidents}",
        ),
        "gap": (
            ",尚有{gap_km}公里未覆盖(图中红线),尚未实现全覆盖",
            ", leaving {gap_km} km uncovered (red lines)",
        ),
        "gap.none": (",已实现全覆盖", ", all of them"),
        "incidents": (
            ";{period}{incident_share}的刑事案件发生在监控点{radius}米范围内。",
            "; {incident_share} of the criminal cases in {period} occurred within {radius} m of a camera.",
        ),
        "incidents.none": ("。", "."),
        "sites": (
            "按未覆盖案件数量测算,建议优先在{n_sites}处新增监控点位(图中星号){after}",
            "{n_sites} new sites are proposed (stars), chosen to cover the most uncovered cases{after}",
        ),
        "after": (
            ",建成后案件监控覆盖率可提高到{after_share}。",
            ", which would raise the share of cases covered to {after_share}.",
        ),
        "after.none": ("。", "."),
        "cameras.data": ("视频监控点位", "camera"),
        "cameras.map": ("视频监控点位与主要街道覆盖", "Cameras and main-street coverage"),
    },
    name="hotspots",
)

REPEAT_CATEGORIES = ("theft.burglary", "theft.vehicle")
"""Categories whose near repeats the briefing reports (the speech's 入室盗窃, 机动车盗窃)."""
REPEAT_WINDOW = (200.0, 14.0)
"""Metres and days of the near-repeat sentence ("14天内、200米范围内")."""
RHYTHM_CATEGORIES = ("theft.burglary", "theft.vehicle", "robbery")
"""Categories whose peak windows are worded; the first gets the heat map."""

HOTSPOT_CELLS = 2000
"""The briefing's hotspot grid cuts the district into about this many square cells (see
:func:`zzanalytics.spatial.grid.cell_for`: 400 m for a district of ~300 km²)."""
EMERGING_MONTHS = 12
"""Months of the emerging hot spot analysis."""
COVERAGE_RADIUS_M = 100.0
"""A camera covers this many metres around it (streets and incidents)."""
NEW_SITES = 10
"""Sites proposed for new cameras."""
FULL_COVERAGE = 99.95
"""Street coverage (percent) worded as full."""


def hotspot_cell(ctx: Context) -> float:
    """Side (metres) of the briefing's hotspot cells, chosen from the district's size.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> hotspot_cell(load(None, "2026-01-01", "2026-06-30"))  # doctest: +SKIP
    400.0
    """
    from zzanalytics.spatial.grid import cell_for

    if "cell" not in ctx.cache:
        ctx.cache["cell"] = cell_for(ctx.areas, HOTSPOT_CELLS)
    return ctx.cache["cell"]


def hotspot_cells(ctx: Context, category: str = "theft.burglary", permutations: int = 199) -> Any:
    """Gi* hot and cold spots of ``category`` in the period on a grid over the area.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> hotspot_cells(ctx)["hotspot"].value_counts()  # doctest: +SKIP
    """
    from zzanalytics.spatial.grid import make_grid
    from zzanalytics.spatial.hotspot_frame import hotspots
    from zzanalytics.store.coverage import Coverage

    polys = area_polygons(ctx)
    inc = located(with_prefix(local(ctx, ctx.incidents), category))
    if polys is None or len(polys) == 0 or inc.empty:
        return None
    grid = make_grid(polys, cell=hotspot_cell(ctx))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # absence is zero here as before; wording coverage is the briefing's part of issue 19
        complete = Coverage.complete()
        return hotspots(
            inc, grid, ctx.start, ctx.end, permutations=permutations, risk=False, coverage=complete
        )


def emerging_cells(ctx: Context, months: int = EMERGING_MONTHS) -> Any:
    """Emerging hot spot patterns of criminal cases over the last ``months`` months.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> emerging_cells(ctx)["pattern"].value_counts()  # doctest: +SKIP
    """
    from zzanalytics.spatial.emerging import emerging_hotspots
    from zzanalytics.spatial.grid import cell_counts, make_grid
    from zzanalytics.store.coverage import Coverage

    polys = area_polygons(ctx)
    inc = located(criminal(local(ctx, ctx.incidents)))
    if polys is None or len(polys) == 0 or inc.empty:
        return None
    grid = make_grid(polys, cell=hotspot_cell(ctx))
    first = (ctx.end - pd.DateOffset(months=months - 1)).replace(day=1)
    cube = cell_counts(inc, grid, freq="month", start=first, end=ctx.end)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = emerging_hotspots(cube, grid, permutations=99, coverage=Coverage.complete())  # as before
    frame = res.to_frame()
    return grid.merge(frame[["cell_id", "pattern"]], on="cell_id", how="left")


def crime_rates(ctx: Context) -> pd.Series:
    """Criminal cases per 10,000 residents per township in the period.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> crime_rates(ctx).round(1).head(3)  # doctest: +SKIP
    """
    from zzanalytics.aggregate import rates

    r = rates(township_counts(ctx).reset_index(), ctx.areas)
    return r.set_index(r["area_code"].astype(str))["rate"]


def township_counts(ctx: Context) -> pd.Series:
    """Criminal cases per township in the period (every township, zeros included).

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> township_counts(ctx).sum() > 0  # doctest: +SKIP
    True
    """
    from zzanalytics.aggregate import counts

    inc = criminal(ctx.incidents)
    c = counts(
        inc, freq="year", by=("area_code",), start=ctx.start, end=ctx.end, areas=ctx.areas, coverage=ctx.cov
    )
    c = c.groupby("area_code", as_index=False)["count"].sum()
    return c.set_index(c["area_code"].astype(str))["count"]


def rates_blocks(ctx: Context) -> list[Any]:
    """The three townships with the highest crime rates and the choropleth (district briefings).

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> show(*rates_blocks(ctx))  # doctest: +SKIP
    """
    from zzanalytics.report.briefing.scorecard import worse_areas

    if ctx.area is not None or ctx.areas is None or len(ctx.areas) == 0:
        return []
    rate = crime_rates(ctx).dropna()
    if rate.empty:  # no population: no ranking of rates (never the first codes in string order)
        fig = maps.choropleth(
            ctx.areas,
            township_counts(ctx),
            lang=ctx.lang,
            unit=ctx.say(PHRASES["counts.unit"]),
            decimals=0,
            highlight=worse_areas(ctx),
            title=ctx.say(PHRASES["counts.map"], ctx.basics()),
        )
        return [B.para(ctx.say(PHRASES["rates.no_population"]), cls="note"), B.figure(fig)]
    top = rate.sort_values(ascending=False).head(3)
    items = [
        ctx.say(PHRASES["rates.item"], name=ctx.names.get(c, c), rate=ctx.number(v, 1))
        for c, v in top.items()
    ]
    fig = maps.choropleth(
        ctx.areas,
        rate,
        lang=ctx.lang,
        unit=ctx.say(PHRASES["rates.unit"]),
        highlight=worse_areas(ctx),
        title=ctx.say(PHRASES["rates.map"], ctx.basics()),
    )
    return [B.para(ctx.say(PHRASES["rates"], items=ctx.join(items))), B.figure(fig)]


def hot_blocks(ctx: Context) -> list[Any]:
    """Burglary hot spots: a sentence and the map.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> show(*hot_blocks(ctx))  # doctest: +SKIP
    """
    hs = hotspot_cells(ctx)
    if hs is None:
        return []
    hot = hs["hotspot"].astype(str).str.startswith("hot")
    n_hot, total = int(hot.sum()), int(hs["count"].sum())
    hot_cells = hs[hot]
    w = {
        **ctx.basics(),
        "cell": ctx.number(hotspot_cell(ctx)),
        "n_hot": ctx.number(n_hot),
        "km2": ctx.number(
            float(hot_cells.to_crs(hot_cells.estimate_utm_crs()).area.sum() / 1e6) if n_hot else 0.0, 1
        ),
        "share": ctx.pct(int(hot_cells["count"].sum()) / total * 100 if total else np.nan),
    }
    fig = maps.cell_map(hs, areas=area_polygons(ctx), lang=ctx.lang, title=ctx.say(PHRASES["hot.map"], w))
    return [B.para(ctx.say(PHRASES["hot" if n_hot else "hot.none"], w)), B.figure(fig)]


def emerging_blocks(ctx: Context) -> list[Any]:
    """Emerging hot spots of criminal cases: a sentence per pattern and the map of hot patterns.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> show(*emerging_blocks(ctx))  # doctest: +SKIP
    """
    em = emerging_cells(ctx)
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
    w = {"months": ctx.number(EMERGING_MONTHS), "items": ctx.join(items)}
    fig = maps.cell_map(
        hot,
        column="pattern",
        areas=area_polygons(ctx),
        lang=ctx.lang,
        title=ctx.say(PHRASES["emerging.map"], w),
    )
    return [B.para(ctx.say(PHRASES["emerging"], w)), B.figure(fig)]


def repeat_blocks(ctx: Context) -> list[Any]:
    """Near repeats (Knox test) of burglary and vehicle theft in the period: a sentence per category
    whose "within 200 m and 14 days" window is significant; nothing when none is."""
    from zzanalytics.spatial.near_repeat import near_repeat

    inc = located(within(local(ctx, ctx.incidents), "occurred_at", ctx.start, ctx.end))
    distance, days = REPEAT_WINDOW
    out = []
    for cat in REPEAT_CATEGORIES:
        sub = with_prefix(inc, cat)
        if len(sub) < 20:
            continue
        res = near_repeat(sub, permutations=199, seed=12345)
        w = res.window(distance, days)
        if not w["significant"]:
            continue
        vals = {
            "what": ctx.label(cat),
            "days": ctx.number(days),
            "distance": ctx.number(distance),
            "ratio": ctx.number(w["ratio"], 1),
        }
        out.append(ctx.say(PHRASES["repeat"], vals))
    return [B.para(*out)] if out else []


def _peak_words(ctx: Context, code: str, pk: Any) -> str:
    names = ctx.say(PHRASES["weekdays"]).split(",")
    last = (pk.first_day + pk.days - 1) % 7
    if pk.days == 7:
        days = ctx.say(PHRASES["days.all"])
    elif pk.days == 1:
        days = ctx.say(PHRASES["days.single"], first=names[pk.first_day])
    elif pk.days == 6:  # "Sunday to Friday" reads as a range; the day left out is what matters
        days = ctx.say(PHRASES["days.but"], first=names[(pk.first_day + 6) % 7])
    else:
        days = ctx.say(PHRASES["days.range"], first=names[pk.first_day], last=names[last])
    key = "hours.night" if pk.past_midnight else "hours"
    end = int(pk.end_hour) if pk.past_midnight else int(pk.end_hour) or 24  # "17时至24时", not "至0时"
    hours = ctx.say(PHRASES[key], first=str(int(pk.first_hour)), end=str(end))
    return ctx.say(
        PHRASES["peak"], what=ctx.label(code), days=days, hours=hours, share=ctx.pct(pk.share * 100)
    )


def rhythm_blocks(ctx: Context) -> list[Any]:
    """When incidents happen: peak windows in words (significant ones) and the heat map of the first
    category (aoristic: a record's time window is shared out over its hours)."""
    from zzanalytics.report import charts
    from zzanalytics.spatial.rhythm import rhythm

    inc = within(local(ctx, ctx.incidents), "occurred_at", ctx.start, ctx.end)
    cats = [c for c in RHYTHM_CATEGORIES if len(with_prefix(inc, c)) >= 20]
    if not cats:
        return []
    res = rhythm(inc, categories=cats, permutations=199)
    cats = [c for c in cats if res.timed.get(c, 0.0) >= 0.5]  # dates without their hours say nothing
    if not cats:
        return []
    peaks = res.peaks.set_index("category")
    items = [_peak_words(ctx, c, peaks.loc[c]) for c in cats if c in peaks.index and peaks.loc[c].p < 0.05]
    blocks: list[Any] = []
    if items:
        blocks.append(B.para(ctx.say(PHRASES["peaks"], items=ctx.join(items, "clause"))))
    first = cats[0]
    prof = res.profiles[first]
    fig = charts.week_heatmap(
        prof / prof.sum() * 100,
        days=ctx.say(PHRASES["weekdays"]).split(","),
        hour_label=ctx.say(PHRASES["heat.hour"]),
        value_label=ctx.say(PHRASES["heat.share"]),
        title=ctx.say(PHRASES["heat.title"], ctx.basics(), what=ctx.label(first)),
    )
    blocks.append(B.figure(fig))
    return blocks


def body(ctx: Context) -> B.Html:
    """Rates by township, burglary hot spots, near repeats, time rhythm, emerging hot spots, cameras.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> show(body(ctx))  # doctest: +SKIP
    """
    return B.join(
        *rates_blocks(ctx),
        *hot_blocks(ctx),
        *repeat_blocks(ctx),
        *rhythm_blocks(ctx),
        *emerging_blocks(ctx),
        cameras_block(ctx),
    )


# ------------------------------------------------------------------ cameras


def cameras_block(ctx: Context) -> B.Html:
    """Cameras and checkpoints, coverage of main streets and incidents, proposed sites.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> show(cameras_block(ctx))  # doctest: +SKIP
    """
    cams = ctx.tables["cameras"]
    if cams is None or cams.empty:
        return B.para(ctx.no_data(PHRASES["cameras.data"], "not_ingested"), cls="note")
    if "status" in cams.columns:
        cams = cams[cams["status"].fillna("working").astype(str) != "planned"]
    polys = area_polygons(ctx)
    if ctx.area is not None and polys is not None and len(polys):
        import geopandas as gpd

        pts = gpd.GeoSeries(gpd.points_from_xy(cams["lon"], cams["lat"]), crs="EPSG:4326")
        cams = cams[pts.within(polys.union_all()).to_numpy()]
    cov = camera_coverage_summary(ctx, cams)
    w = {
        **ctx.basics(),
        "cameras": ctx.count(int((cams["kind"] == "camera").sum()), "个"),
        "checkpoints": ctx.count(int((cams["kind"] == "checkpoint").sum()), "个"),
        "radius": ctx.number(COVERAGE_RADIUS_M),
    }
    sentences = [ctx.say(PHRASES["cameras"], w)]
    if cov.get("street_share") is not None:
        w["street_share"] = ctx.pct(cov["street_share"])
        w["gap_km"] = ctx.number(cov["gap_km"], 1)
        w["gap"] = ctx.say(PHRASES["gap" if cov["street_share"] < FULL_COVERAGE else "gap.none"], w)
        if cov.get("incident_share") is not None:
            w["incident_share"] = ctx.pct(cov["incident_share"])
            w["incidents"] = ctx.say(PHRASES["incidents"], w)
        else:
            w["incidents"] = ctx.say(PHRASES["incidents.none"])
        sentences.append(ctx.say(PHRASES["streets"], w))
    if cov.get("n_sites"):
        w["n_sites"] = ctx.number(cov["n_sites"])
        after = cov.get("incident_share_after")
        w["after_share"] = ctx.pct(after)
        w["after"] = ctx.say(PHRASES["after" if after is not None else "after.none"], w)
        sentences.append(ctx.say(PHRASES["sites"], w))
    streets = ctx.streets
    if streets is not None and len(streets) and polys is not None and len(polys) and ctx.area is not None:
        streets = streets.clip(polys.union_all())
        streets = streets[~streets.geometry.is_empty]
    fig = maps.camera_map(
        cams,
        areas=polys,
        streets=streets,
        gaps=cov.get("gaps"),
        sites=cov.get("sites"),
        lang=ctx.lang,
        title=ctx.say(PHRASES["cameras.map"]),
    )
    return B.join(B.para(*sentences), B.figure(fig))


def camera_coverage_summary(ctx: Context, cams: pd.DataFrame) -> dict[str, Any]:
    """:func:`coverage_summary`, or an empty dict (and a warning in the data notes) when it fails
    on these data: a coverage failure must not sink the whole briefing.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> camera_coverage_summary(ctx, ctx.tables["cameras"])["street_share"]  # doctest: +SKIP
    """
    try:
        return coverage_summary(ctx, cams)
    except Exception as exc:  # a coverage failure must not sink the whole briefing
        ctx.cache.setdefault("warnings", []).append(f"camera coverage: {type(exc).__name__}: {exc}")
        return {}


def coverage_summary(ctx: Context, cams: pd.DataFrame) -> dict[str, Any]:
    """Coverage of main streets and of the period's criminal cases, and :data:`NEW_SITES` proposed sites.

    Shares are in percent; ``gaps`` are the uncovered main-street segments, ``sites`` the proposals.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> round(coverage_summary(ctx, ctx.tables["cameras"])["gap_km"], 1)  # doctest: +SKIP
    """
    from zzanalytics.spatial import coverage

    streets = ctx.streets
    polys = area_polygons(ctx)
    if streets is None or len(streets) == 0:
        return {}
    if ctx.area is not None and polys is not None and len(polys):
        streets = streets.clip(polys.union_all())
        streets = streets[~streets.geometry.is_empty]
        if streets.empty:
            return {}
    inc = located(criminal(within(local(ctx, ctx.incidents), "occurred_at", ctx.start, ctx.end)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = coverage.camera_coverage(cams, streets, inc, radius=COVERAGE_RADIUS_M, date=ctx.end)
        sit = coverage.site_cameras(cams, streets, inc, k=NEW_SITES, radius=COVERAGE_RADIUS_M, date=ctx.end)
    after = sit.after.get("incident_share") if isinstance(sit.after, dict) else None
    return {
        "street_share": res.street_share * 100 if np.isfinite(res.street_share) else None,
        "incident_share": res.incident_share * 100 if np.isfinite(res.incident_share) else None,
        "gaps": res.uncovered,
        "sites": sit.sites,
        "n_sites": len(sit.sites),
        "incident_share_after": after * 100 if after is not None and np.isfinite(after) else None,
        "gap_km": float(res.uncovered["length_m"].sum() / 1000) if len(res.uncovered) else 0.0,
    }
