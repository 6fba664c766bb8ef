"""Sections 5-7 of the briefing and its notes: forecasts and targets, hotspots and cameras,
township scorecard, data notes, title.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from zzanalytics.ingest.reasons import reason_text
from zzanalytics.report import blocks as B  # noqa: N812
from zzanalytics.report import charts
from zzanalytics.report import text as tx
from zzanalytics.report.context import (
    HEADINGS,
    Context,
    _area_polygons,
    _criminal,
    _local,
    _located,
    _prefix,
    _within,
)

# ------------------------------------------------------------------ 5. forecasts and targets

FORECAST_SERIES = (
    # (label key, category prefix or "criminal")
    ("criminal", "criminal"),
    ("theft", "theft"),
    ("fraud", "fraud"),
    ("theft.burglary", "theft.burglary"),
)
TARGET_LABELS = {
    "fire.count": ("火灾起数", "Fires"),
    "fire.loss_yuan": ("火灾直接经济损失", "Fire losses"),
    "traffic.deaths": ("交通事故死亡人数", "Traffic deaths"),
    "traffic.major": ("重大道路交通事故起数", "Major traffic accidents"),
}


def _series_counts(ctx: Context) -> pd.DataFrame:
    """Monthly counts of the forecast series (``series`` key) from January five years back to ``end``."""
    from zzanalytics.aggregate import counts

    inc = _local(ctx, ctx.incidents)
    first = pd.Timestamp(ctx.end.year - 5, 1, 1)
    parts = []
    for key, prefix in FORECAST_SERIES:
        sub = _criminal(inc) if prefix == "criminal" else _prefix(inc, prefix)
        c = counts(sub, freq="month", by=(), start=first, end=ctx.end)
        parts.append(c.assign(series=key))
    return pd.concat(parts, ignore_index=True)[["series", "period", "count"]]


def year_end_forecast(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Forecast each series to December and sum to year-end totals with 80% intervals.

    Returns the monthly forecast frame and a totals frame ``[series, observed, expected, lo80, hi80]``
    (intervals of the total from the forecast's simulated paths).
    """
    from zzanalytics.models.forecast import forecast

    monthly = _series_counts(ctx)
    horizon = 12 - ctx.end.month
    if horizon <= 0 or not ctx.end.is_month_end:
        return pd.DataFrame(), pd.DataFrame()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fc, paths = forecast(
            monthly,
            horizon=horizon,
            by=["series"],
            until=ctx.end,
            workers=1,
            progress=False,
            return_paths=True,
            n_paths=2000,
            seed=0,
        )
    keys = fc.drop_duplicates("series")["series"].tolist()
    ytd = monthly[monthly["period"].dt.year == ctx.end.year].groupby("series")["count"].sum()
    rows = []
    for i, key in enumerate(keys):
        totals = paths[i].sum(axis=1) + float(ytd.get(key, 0))
        rows.append(
            {
                "series": key,
                "observed": float(ytd.get(key, 0)),
                "expected": float(np.mean(totals)),
                "lo80": float(np.quantile(totals, 0.1)),
                "hi80": float(np.quantile(totals, 0.9)),
            }
        )
    return fc, pd.DataFrame(rows)


def targets_breach(ctx: Context) -> pd.DataFrame:
    """Probability of breaching each annual ceiling (``target_breach``), or an empty frame."""
    try:
        from zzanalytics.models.targets import target_breach
    except ImportError:
        return pd.DataFrame()
    tg = ctx.tables["targets"]
    tg = tg[tg["year"] == ctx.end.year] if len(tg) else tg
    ceilings = {str(m): float(c) for m, c in zip(tg.get("metric", []), tg.get("ceiling", []), strict=False)}
    ceilings.update(ctx.targets)
    if not ceilings or ctx.area is not None:
        return pd.DataFrame()
    frame = pd.DataFrame({"year": ctx.end.year, "metric": list(ceilings), "ceiling": list(ceilings.values())})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return target_breach(ctx.incidents, frame, year=ctx.end.year, as_of=ctx.end, workers=1)


def forecasts(ctx: Context) -> B.Html:
    """五、年底预测与目标完成风险: year-end totals of key categories and target-breach probabilities."""
    blocks: list[Any] = [B.heading(ctx.t(*HEADINGS["forecast"]), new_page=False)]
    fc, totals = year_end_forecast(ctx)
    labels = {"criminal": ctx.t("刑事案件", "criminal cases")}
    if totals.empty:
        blocks.append(
            B.para(
                ctx.t("本期截至12月,无需预测全年发案。", "The period ends in December; no forecast needed.")
                if ctx.end.month == 12
                else ctx.t("统计期未截至月末,不作全年预测。", "The period ends mid-month; no forecast.")
            )
        )
    else:
        parts = []
        for _, r in totals.iterrows():
            name = labels.get(r["series"]) or ctx.label(r["series"])
            if ctx.zh:
                parts.append(
                    f"{name}{tx.count(round(r['expected']))}(80%区间{tx.number(r['lo80'])}至{tx.count(r['hi80'])})"
                )
            else:
                parts.append(
                    f"{name.lower()} {tx.number(round(r['expected']))} (80% interval "
                    f"{tx.number(r['lo80'])}–{tx.number(r['hi80'])})"
                )
        if ctx.zh:
            s = (
                f"按{ctx.period}发案走势和历年季节规律预测,{ctx.subject}全年预计发生"
                + "、".join(parts)
                + "。"
            )
        else:
            s = (
                f"On the trend to {tx.date(ctx.end, 'en')} and past seasonality, {ctx.subject} can expect "
                + "; ".join(parts)
                + " for the whole year."
            )
        blocks.append(B.para(s))
        hist = _series_counts(ctx)
        crim_hist = hist[hist["series"] == "criminal"]
        crim_fc = fc[fc["series"] == "criminal"]
        blocks.append(
            B.figure(
                charts.forecast_fan(
                    crim_hist,
                    crim_fc,
                    since=pd.Timestamp(ctx.end.year - 1, 1, 1),
                    lang=ctx.lang,
                    title=ctx.t(
                        "刑事案件月度发案及年底前预测", "Criminal cases per month and forecast to December"
                    ),
                )
            )
        )
    breach = targets_breach(ctx)
    if not breach.empty:
        lab = {k: v[0 if ctx.zh else 1] for k, v in TARGET_LABELS.items()}
        parts = []
        for _, r in breach.iterrows():
            name = lab.get(r["metric"], r["metric"])
            money = str(r["metric"]).endswith("loss_yuan")
            fmt = (lambda v: tx.money(v, ctx.lang)) if money else (lambda v: tx.number(v))
            if ctx.zh:
                parts.append(
                    f"{name}年度控制目标{fmt(r['ceiling'])},截至目前{fmt(r['observed_to_date'])},"
                    f"预计全年{fmt(r['expected'])},超过目标的概率为{tx.probability(r['p_breach'])}"
                )
            else:
                parts.append(
                    f"{name}: ceiling {fmt(r['ceiling'])}, {fmt(r['observed_to_date'])} so far, "
                    f"{fmt(r['expected'])} expected, probability of breach "
                    f"{tx.probability(r['p_breach'], 'en')}"
                )
        risky = breach[breach["p_breach"] >= 0.5]
        if ctx.zh:
            s = "对照市对区安全生产目标责任书:" + ";".join(parts) + "。"
            if len(risky):
                s += (
                    "其中"
                    + "、".join(lab.get(m, m) for m in risky["metric"])
                    + "超标风险较大,完成年度目标压力较大。"
                )
        else:
            s = "Against the annual safety targets: " + "; ".join(parts) + "."
        blocks.append(B.para(s))
        blocks.append(
            B.figure(
                charts.target_gauge(
                    breach,
                    labels=lab,
                    lang=ctx.lang,
                    title=ctx.t(
                        "安全生产目标完成风险(占年度控制目标的比例)", "Annual targets: share of the ceiling"
                    ),
                )
            )
        )
    elif ctx.area is not None:
        blocks.append(
            B.para(
                ctx.t(
                    "安全生产目标按全区考核,见全区简报。",
                    "Safety targets are set for the district; see the district briefing.",
                ),
                cls="note",
            )
        )
    return B.join(*blocks)


# ------------------------------------------------------------------ 6. hotspots and cameras

HOTSPOT_CELL_M = 400.0
"""Cell side of the briefing's hotspot grid (metres)."""


def hotspot_cells(ctx: Context, category: str = "theft.burglary", permutations: int = 199) -> Any:
    """Gi* hot and cold spots of ``category`` in the period on a grid over the area."""
    from zzanalytics.spatial.grid import make_grid
    from zzanalytics.spatial.hotspots import hotspots

    polys = _area_polygons(ctx)
    inc = _located(_prefix(_local(ctx, ctx.incidents), category))
    if polys is None or len(polys) == 0 or inc.empty:
        return None
    grid = make_grid(polys, cell=HOTSPOT_CELL_M)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hotspots(inc, grid, ctx.start, ctx.end, permutations=permutations, risk=False)


def emerging_cells(ctx: Context, months: int = 12) -> Any:
    """Emerging hot spot patterns of criminal cases over the last ``months`` months."""
    from zzanalytics.spatial.emerging import emerging_hotspots
    from zzanalytics.spatial.grid import cell_counts, make_grid

    polys = _area_polygons(ctx)
    inc = _located(_criminal(_local(ctx, ctx.incidents)))
    if polys is None or len(polys) == 0 or inc.empty:
        return None
    grid = make_grid(polys, cell=HOTSPOT_CELL_M)
    first = (ctx.end - pd.DateOffset(months=months - 1)).replace(day=1)
    cube = cell_counts(inc, grid, freq="month", start=first, end=ctx.end)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = emerging_hotspots(cube, grid, permutations=99)
    frame = res.to_frame()
    return grid.merge(frame[["cell_id", "pattern"]], on="cell_id", how="left")


def crime_rates(ctx: Context) -> pd.Series:
    """Criminal cases per 10,000 residents per township in the period."""
    from zzanalytics.aggregate import counts, rates

    inc = _criminal(ctx.incidents)
    c = counts(inc, freq="year", by=("area_code",), start=ctx.start, end=ctx.end, areas=ctx.areas)
    c = c.groupby("area_code", as_index=False)["count"].sum()
    r = rates(c, ctx.areas)
    return r.set_index(r["area_code"].astype(str))["rate"]


def hotspots_section(ctx: Context) -> B.Html:
    """六、治安热点与视频监控覆盖: rates by township, burglary hot spots, emerging hot spots, cameras."""
    from zzanalytics.report import maps

    blocks: list[Any] = [B.heading(ctx.t(*HEADINGS["hotspots"]))]
    polys = _area_polygons(ctx)
    if ctx.area is None and ctx.areas is not None and len(ctx.areas):
        rate = crime_rates(ctx)
        top = rate.sort_values(ascending=False).head(3)
        names = [ctx.names.get(c, c) for c in top.index]
        if ctx.zh:
            s = (
                "按常住人口计算,刑事案件发案率最高的是"
                + "、".join(f"{n}(每万人{tx.number(v, 1)}起)" for n, v in zip(names, top, strict=False))
                + "。"
            )
        else:
            s = (
                "Highest criminal-case rates per 10,000 residents: "
                + ", ".join(f"{n} ({tx.number(v, 1)})" for n, v in zip(names, top, strict=False))
                + "."
            )
        blocks.append(B.para(s))
        highlight = worse_areas(ctx)
        blocks.append(
            B.figure(
                maps.choropleth(
                    ctx.areas,
                    rate,
                    lang=ctx.lang,
                    unit=ctx.t("起/万人", " per 10k"),
                    highlight=highlight,
                    title=ctx.t(
                        f"{ctx.period}各乡镇(街道)每万人刑事案件数",
                        f"Criminal cases per 10,000 residents, {ctx.period}",
                    ),
                )
            )
        )
    hs = hotspot_cells(ctx)
    if hs is not None:
        n_hot = int(hs["hotspot"].astype(str).str.startswith("hot").sum())
        hot_count = int(hs.loc[hs["hotspot"].astype(str).str.startswith("hot"), "count"].sum())
        total = int(hs["count"].sum())
        share = hot_count / total * 100 if total else np.nan
        hot_cells = hs[hs["hotspot"].astype(str).str.startswith("hot")]
        hot_km2 = float(hot_cells.to_crs(hot_cells.estimate_utm_crs()).area.sum() / 1e6) if n_hot else 0.0
        if ctx.zh:
            s = (
                f"入室盗窃案件空间聚集分析(Getis-Ord Gi*,{int(HOTSPOT_CELL_M)}米网格,经错误发现率校正)显示,"
                f"共有{n_hot}个网格为显著热点,面积约{tx.number(hot_km2, 1)}平方公里,集中了"
                f"{tx.pct(share)}的入室盗窃案件,应作为巡逻防控的重点区域。"
                if n_hot
                else "入室盗窃案件空间分布未发现显著热点。"
            )
        else:
            s = (
                f"Burglary hot spots (Getis-Ord Gi*, {int(HOTSPOT_CELL_M)} m cells, FDR-corrected): "
                f"{n_hot} cells "
                f"(about {tx.number(hot_km2, 1)} km²) hold {tx.pct(share)} of the burglaries."
                if n_hot
                else "Burglaries show no significant hot spot."
            )
        blocks.append(B.para(s))
        blocks.append(
            B.figure(
                maps.cell_map(
                    hs,
                    areas=polys,
                    lang=ctx.lang,
                    title=ctx.t(f"{ctx.period}入室盗窃热点分布", f"Burglary hot spots, {ctx.period}"),
                )
            )
        )
    em = emerging_cells(ctx)
    if em is not None:
        pat = em["pattern"].astype(str)
        hot = em[pat.str.contains("hot")]
        if len(hot):
            counts_by = hot["pattern"].value_counts()
            words = []
            for p, n in counts_by.items():
                key = maps._style_key(p)
                zh_name, en_name = maps.HOTSPOT_STYLE.get(key, (None, p, p))[1:]
                cells = "cell" if n == 1 else "cells"
                words.append(f"{zh_name}网格{n}个" if ctx.zh else f"{n} {en_name.lower()} {cells}")
            s = ctx.t(
                "近12个月刑事案件时空热点分析显示:", "Emerging hot spots of criminal cases over 12 months: "
            ) + ("、".join(words) + "。" if ctx.zh else ", ".join(words) + ".")
            blocks.append(B.para(s))
            blocks.append(
                B.figure(
                    maps.cell_map(
                        hot,
                        column="pattern",
                        areas=polys,
                        lang=ctx.lang,
                        title=ctx.t(
                            "近12个月刑事案件新增、持续和加剧热点", "Emerging hot spots, last 12 months"
                        ),
                    )
                )
            )
    blocks.append(cameras_block(ctx))
    return B.join(*blocks)


def cameras_block(ctx: Context) -> B.Html:
    """Cameras and checkpoints, coverage of main streets and incidents, proposed sites."""
    from zzanalytics.report import maps

    cams = ctx.tables["cameras"]
    if cams is None or cams.empty:
        return B.para(ctx.t("未导入视频监控点位数据。", "No camera data ingested."), cls="note")
    if "status" in cams.columns:
        cams = cams[cams["status"].fillna("working").astype(str) != "planned"]
    polys = _area_polygons(ctx)
    if ctx.area is not None and polys is not None and len(polys):
        import geopandas as gpd

        pts = gpd.GeoSeries(gpd.points_from_xy(cams["lon"], cams["lat"]), crs="EPSG:4326")
        cams = cams[pts.within(polys.union_all()).to_numpy()]
    n_cam = int((cams["kind"] == "camera").sum())
    n_chk = int((cams["kind"] == "checkpoint").sum())
    cov = camera_coverage_summary(ctx, cams)
    if ctx.zh:
        s = f"{ctx.subject}现有视频监控点{tx.count(n_cam, '个')}、智能卡口{tx.count(n_chk, '个')}。"
        if cov.get("street_share") is not None:
            s += f"主要街道监控覆盖率为{tx.pct(cov['street_share'])}"
            s += (
                f",尚有{tx.number(cov['gap_km'], 1)}公里未覆盖(图中红线),尚未实现全覆盖"
                if cov["street_share"] < 99.95
                else ",已实现全覆盖"
            )
            s += (
                f";{ctx.period}{tx.pct(cov['incident_share'])}的刑事案件发生在监控点{int(COVERAGE_RADIUS_M)}米范围内。"
                if cov.get("incident_share") is not None
                else "。"
            )
        if cov.get("n_sites"):
            s += f"按未覆盖案件数量测算,建议优先在{cov['n_sites']}处新增监控点位(图中星号)"
            after = cov.get("incident_share_after")
            s += f",建成后案件监控覆盖率可提高到{tx.pct(after)}。" if after is not None else "。"
    else:
        s = (
            f"{ctx.subject.capitalize()} has {tx.number(n_cam)} cameras and {tx.number(n_chk)} "
            "smart checkpoints."
        )
        if cov.get("street_share") is not None:
            s += f" {tx.pct(cov['street_share'])} of main streets are covered"
            s += (
                f"; {tx.pct(cov['incident_share'])} of the period's criminal cases occurred within "
                f"{int(COVERAGE_RADIUS_M)} m of a camera."
                if cov.get("incident_share") is not None
                else "."
            )
        if cov.get("n_sites"):
            s += f" {cov['n_sites']} new sites are proposed (stars)."
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
        title=ctx.t("视频监控点位与主要街道覆盖", "Cameras and main-street coverage"),
    )
    return B.join(B.para(s), B.figure(fig))


def camera_coverage_summary(ctx: Context, cams: pd.DataFrame) -> dict[str, Any]:
    """Coverage of main streets and of incidents and proposed sites, through ``spatial.coverage``.

    Returns an empty dict when the coverage module is not available or fails on these data.
    """
    try:
        from zzanalytics.spatial import coverage
    except ImportError:
        return {}
    try:
        return coverage_summary(coverage, ctx, cams)
    except Exception as exc:  # a coverage failure must not sink the whole briefing
        ctx.cache.setdefault("warnings", []).append(f"camera coverage: {type(exc).__name__}: {exc}")
        return {}


COVERAGE_RADIUS_M = 100.0
"""A camera covers this many metres around it (streets and incidents)."""
NEW_SITES = 10


def coverage_summary(coverage: Any, ctx: Context, cams: pd.DataFrame) -> dict[str, Any]:
    """Coverage of main streets and of the period's criminal cases, and :data:`NEW_SITES` proposed sites.

    Shares are in percent; ``gaps`` are the uncovered main-street segments, ``sites`` the proposals.
    """
    streets = ctx.streets
    polys = _area_polygons(ctx)
    if streets is None or len(streets) == 0:
        return {}
    if ctx.area is not None and polys is not None and len(polys):
        streets = streets.clip(polys.union_all())
        streets = streets[~streets.geometry.is_empty]
        if streets.empty:
            return {}
    inc = _located(_criminal(_within(_local(ctx, ctx.incidents), "occurred_at", ctx.start, ctx.end)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = coverage.camera_coverage(cams, streets, inc, radius=COVERAGE_RADIUS_M, date=ctx.end)
        sit = coverage.site_cameras(cams, streets, inc, k=NEW_SITES, radius=COVERAGE_RADIUS_M, date=ctx.end)
    sites = sit.sites
    after = sit.after.get("incident_share") if isinstance(sit.after, dict) else None
    return {
        "street_share": res.street_share * 100 if np.isfinite(res.street_share) else None,
        "incident_share": res.incident_share * 100 if np.isfinite(res.incident_share) else None,
        "gaps": res.uncovered,
        "sites": sites,
        "n_sites": len(sites),
        "incident_share_after": after * 100 if after is not None and np.isfinite(after) else None,
        "gap_km": float(res.uncovered["length_m"].sum() / 1000) if len(res.uncovered) else 0.0,
    }


# ------------------------------------------------------------------ 7. scorecard

SCORECARD_CATEGORIES = ("theft", "theft.burglary", "fraud", "robbery", "assault", "traffic", "fire")


def township_scorecard(ctx: Context) -> pd.DataFrame:
    """:func:`zzanalytics.models.compare.scorecard` of every township (FDR across all cells)."""
    from zzanalytics.models.compare import scorecard

    if "scorecard" not in ctx.cache:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ctx.cache["scorecard"] = scorecard(
                ctx.incidents, ctx.start, ctx.end, areas=ctx.areas, categories=SCORECARD_CATEGORIES
            )
    return ctx.cache["scorecard"]


def worse_areas(ctx: Context) -> list[str]:
    """Township codes with at least one category significantly up (FDR-corrected)."""
    sc = township_scorecard(ctx)
    bad = sc[sc["significant"].astype(bool) & (sc["direction"] == "up")]
    return sorted(bad["area_code"].astype(str).unique())


def _baseline_words(ctx: Context, sc: pd.DataFrame) -> tuple[str, str]:
    """How the scorecard's baseline reads: 去年同期 or 前三年同期平均水平 (en likewise)."""
    years = int(pd.to_numeric(sc.get("baseline_years", pd.Series([1])), errors="coerce").max() or 1)
    if years <= 1:
        return "去年同期", "the same period last year"
    num = {2: "两", 3: "三", 4: "四", 5: "五"}.get(years, str(years))
    return f"前{num}年同期平均水平", f"the average of the same period in the previous {years} years"


def scorecard_section(ctx: Context) -> B.Html:
    """七、乡镇(街道)考核评估: which units worsened significantly (candidates for 重点整治)."""
    sc = township_scorecard(ctx)
    base_zh, base_en = _baseline_words(ctx, sc)
    if ctx.area is not None:
        sc = sc[sc["area_code"].astype(str) == ctx.area]
    bad = sc[sc["significant"].astype(bool) & (sc["direction"] == "up")]
    ctx.cache["worse_areas"] = sorted(bad["area_code"].astype(str).unique())
    items, own = [], []
    for code, grp in bad.groupby("area_code", sort=True):
        name = ctx.names.get(str(code), str(code))
        cats = [
            f"{ctx.label(c)}{_up_word(ctx, cu, ba)}"
            for c, cu, ba in zip(grp["category"], grp["current"], grp["baseline"], strict=False)
        ]
        own.extend(cats)
        items.append(f"{name}(" + "、".join(cats) + ")" if ctx.zh else f"{name} (" + ", ".join(cats) + ")")
    n_units = len(ctx.cache["worse_areas"])
    if ctx.area is None:
        if ctx.zh:
            s = (
                f"对{len(sc['area_code'].unique())}个乡镇(街道)、{len(SCORECARD_CATEGORIES)}类案件逐一与{base_zh}比较"
                f"(按历年波动幅度检验,并对多重比较作错误发现率校正):"
            )
            s += (
                "、".join(items) + f"等{n_units}个单位案件上升显著,建议列为重点整治对象,督促抓好整改落实。"
                if items
                else "未发现案件显著上升的乡镇(街道),各单位变化均在正常波动范围内。"
            )
        else:
            s = (
                f"Each of {len(sc['area_code'].unique())} townships × {len(SCORECARD_CATEGORIES)} "
                "categories was "
                f"compared with {base_en} (tested against its usual variation, FDR-corrected): "
            )
            s += (
                "; ".join(items) + f" — {n_units} units worsened significantly and are candidates for "
                "targeted rectification."
                if items
                else "no township worsened significantly."
            )
    else:
        if ctx.zh:
            s = (
                f"与{base_zh}相比,{ctx.subject}" + "、".join(own) + ",经检验上升显著,属重点整治候选。"
                if own
                else f"与{base_zh}相比,{ctx.subject}各类案件变化均在正常波动范围内。"
            )
        else:
            s = "Significant rises: " + "; ".join(own) + "." if own else "No category rose significantly."
    table = scorecard_table(ctx, sc)
    return B.join(
        B.heading(ctx.t(*HEADINGS["scorecard"])),
        B.para(s),
        table,
        B.note(
            ctx.t(
                f"注:表中为本期数及与{base_zh}相比的增减幅度;▲表示经检验显著上升,▼表示显著下降,其余为正常波动。",
                f"Count and change on {base_en}; ▲ significant rise, ▼ significant fall.",
            )
        ),
    )


def _up_word(ctx: Context, cur: float, base: float) -> str:
    p = tx.pct_change(cur, base)
    if ctx.zh:
        return f"上升{tx.pct(p)}" if np.isfinite(p) else "此前为0"
    return f" up {tx.pct(p)}" if np.isfinite(p) else " none before"


def scorecard_table(ctx: Context, sc: pd.DataFrame) -> B.Html:
    """Townships × categories: this period's count over its change; significant rises in red with ▲."""
    rows = []
    for code, grp in sc.groupby("area_code", sort=True):
        row: dict[str, Any] = {ctx.t("乡镇(街道)", "Township"): ctx.names.get(str(code), str(code))}
        for _, r in grp.iterrows():
            p = tx.pct_change(r["current"], r["baseline"])
            up = bool(r["significant"]) and r["direction"] == "up"
            down = bool(r["significant"]) and r["direction"] == "down"
            if np.isfinite(p):
                change = tx.pct(p, signed=True)
            else:
                change = ("新增" if ctx.zh else "new") if r["current"] else "—"
            mark = "▲" if up else ("▼" if down else "")
            cls = "flag-up" if up else ("flag-down" if down else "sub")
            row[ctx.label(r["category"])] = B.Html(
                f'{tx.number(r["current"])}<br><span class="{cls}">{tx.h(change)}{mark}</span>'
            )
        rows.append(row)
    return B.table(
        pd.DataFrame(rows),
        caption=ctx.t(
            f"表6 {ctx.period}各乡镇(街道)分类案件数及变化", f"Table 6. Township scorecard, {ctx.period}"
        ),
        numeric=[c for c in (rows[0] if rows else {}) if c != ctx.t("乡镇(街道)", "Township")],
        cls="zz compact",
    )


# ------------------------------------------------------------------ notes


_TABLES_ZH = {
    "incidents": "案件和事故",
    "petitions": "信访",
    "disputes": "矛盾纠纷",
    "cameras": "视频监控点位",
    "areas": "乡镇(街道)边界",
    "streets": "道路",
    "zones": "用地分区",
    "peers": "县市排名",
    "targets": "安全生产目标",
}


def _reason_zh(reason: str) -> str:
    return reason_text(reason, "zh")


def notes(ctx: Context) -> B.Html:
    """数据说明: sources, period, rows quarantined, methods."""
    log = ctx.ingest_log if ctx.ingest_log is not None else pd.DataFrame()
    q = ctx.quarantine if ctx.quarantine is not None else pd.DataFrame()
    blocks: list[Any] = [B.heading(ctx.t(*HEADINGS["notes"]))]
    n_inc = len(_within(_local(ctx, ctx.incidents), "occurred_at", ctx.start, ctx.end))
    if ctx.zh:
        s = [
            f"统计期间:{tx.period_label(ctx.start, ctx.end, 'zh', with_year=True)}"
            f"({ctx.start:%Y-%m-%d}至{ctx.end:%Y-%m-%d}),对比期为去年同期。",
            f"本期纳入统计的案件和事故{tx.count(n_inc, '条')}。",
        ]
        if len(q):
            reasons = q["reason"].astype(str).map(_reason_zh).value_counts().head(5)
            s.append(
                f"数据导入时共有{tx.count(len(q), '条')}记录因不符合规范未纳入统计(隔离待核),主要原因:"
                + "、".join(f"{r}{tx.count(n, '条')}" for r, n in reasons.items())
                + "。"
            )
        s.append(
            "“显著”指经统计检验(按各序列历年波动幅度校正的泊松检验,显著性水平5%)认定的真实变化;"
            "“在正常波动范围内”指变化幅度未超出随机波动。预测区间为80%区间。报告仅使用汇总数据,不含个人信息。"
        )
    else:
        s = [
            f"Period: {ctx.start:%Y-%m-%d} to {ctx.end:%Y-%m-%d}, compared with the same period last year.",
            f"{tx.number(n_inc)} incidents in the period.",
        ]
        if len(q):
            s.append(f"{tx.number(len(q))} source rows were quarantined at ingest and are not counted.")
        s.append(
            "'Significant' means a change beyond the series' usual variation (dispersion-aware Poisson "
            "test, 5% level). Forecast intervals are 80%. The report uses aggregates only, no personal data."
        )
    blocks.append(B.para(*s, cls="note"))
    if len(log):
        # read = accepted + updated + duplicate + quarantined: show every term so the row adds up
        terms = ["read", "accepted", "updated", "duplicate", "quarantined"]
        files = log.groupby("table", as_index=False)[terms].sum()
        show = pd.DataFrame(
            {
                ctx.t("数据表", "Table"): files["table"].map(lambda t: _TABLES_ZH.get(t, t) if ctx.zh else t),
                ctx.t("读入", "Read"): [tx.number(v) for v in files["read"]],
                ctx.t("入库", "Accepted"): [tx.number(v) for v in files["accepted"]],
                ctx.t("更新", "Updated"): [tx.number(v) for v in files["updated"]],
                ctx.t("重复", "Duplicate"): [tx.number(v) for v in files["duplicate"]],
                ctx.t("隔离", "Quarantined"): [tx.number(v) for v in files["quarantined"]],
            }
        )
        blocks.append(B.table(show, caption=ctx.t("附表 数据来源与导入情况", "Sources and ingest")))
    for w in ctx.cache.get("warnings", []):
        blocks.append(B.note(w))
    return B.join(*blocks)


def title(ctx: Context) -> B.Html:
    """Title block: ``全区社会治安和综治信访维稳形势分析`` and the period."""
    period = tx.period_label(ctx.start, ctx.end, ctx.lang, with_year=True)
    if ctx.zh:
        return B.title_block(f"{ctx.subject}综治信访维稳形势分析", f"({period})")
    return B.title_block(f"Public security and stability briefing — {ctx.subject}", period)
