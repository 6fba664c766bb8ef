"""五、年底预测与目标完成风险: year-end totals of the key categories with 80% intervals, and the
probability of breaching each ceiling of the annual safety responsibility letter.

Examples
--------
>>> PHRASES.say("item", "zh", name="刑事案件", expected="3,644起", lo="3,613", hi="3,676起")
'刑事案件3,644起(80%区间3,613至3,676起)'
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from zzanalytics.report import blocks as B  # noqa: N812
from zzanalytics.report import charts
from zzanalytics.report.briefing.context import Context, criminal, local, with_prefix
from zzanalytics.report.phrases import Phrases

PHRASES = Phrases(
    {
        "lead": (
            "按{period}发案走势和历年季节规律预测,{subject}全年预计发生{items}。",
            "On the trend in {period} and past seasonality, {subject} can expect {items} for the whole year.",
        ),
        "item": ("{name}{expected}(80%区间{lo}至{hi})", "{name!l} {expected} (80% interval {lo}–{hi})"),
        "series.criminal": ("刑事案件", "criminal cases"),
        "december": ("本期截至12月,无需预测全年发案。", "The period ends in December; no forecast needed."),
        "mid_month": ("统计期未截至月末,不作全年预测。", "The period ends mid-month; no forecast."),
        "chart": ("刑事案件月度发案及年底前预测", "Criminal cases per month and forecast to December"),
        "targets": ("对照市对区安全生产目标责任书:{items}。", "Against the annual safety targets: {items}."),
        "target": (
            "{name}年度控制目标{ceiling},截至目前{observed},预计全年{expected},超过目标的概率为{p}",
            "{name}: ceiling {ceiling}, {observed} so far, {expected} expected, probability of breach {p}",
        ),
        "risky": (
            "其中{items}超标风险较大,完成年度目标压力较大。",
            "The ceilings at high risk of being exceeded: {items}; the annual targets are under pressure.",
        ),
        "risky.item": ("{name}", "{name!l}"),
        "targets.no_data": (
            "{items}本期无数据,不作目标评估。",
            "{items}: no data for this period, so no target assessment.",
        ),
        "target.fire.count": ("火灾起数", "Fires"),
        "target.fire.loss_yuan": ("火灾直接经济损失", "Fire losses"),
        "target.traffic.deaths": ("交通事故死亡人数", "Traffic deaths"),
        "target.traffic.major": ("重大道路交通事故起数", "Major traffic accidents"),
        "gauge": ("安全生产目标完成风险(占年度控制目标的比例)", "Annual targets: share of the ceiling"),
        "township": (
            "安全生产目标按{whole}考核,见{whole}简报。",
            "Safety targets are set for {whole}; see the briefing of {whole}.",
        ),
    },
    name="forecast",
)

FORECAST_SERIES = (
    # (series key, category prefix or "criminal")
    ("criminal", "criminal"),
    ("theft", "theft"),
    ("fraud", "fraud"),
    ("theft.burglary", "theft.burglary"),
)
RISKY = 0.5
"""Ceilings breached with at least this probability are named as under pressure."""


def series_counts(ctx: Context) -> pd.DataFrame:
    """Monthly counts of the forecast series (``series`` key) from January five years back to ``end``.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> series_counts(ctx)["series"].unique().tolist()  # doctest: +SKIP
    ['criminal', 'theft', 'fraud', 'theft.burglary']
    """
    from zzanalytics.aggregate import counts

    inc = local(ctx, ctx.incidents)
    first = pd.Timestamp(ctx.end.year - 5, 1, 1)
    parts = []
    for key, prefix in FORECAST_SERIES:
        sub = criminal(inc) if prefix == "criminal" else with_prefix(inc, prefix)
        c = counts(sub, freq="month", by=(), start=first, end=ctx.end, coverage=ctx.cov)
        parts.append(c.assign(series=key))
    return pd.concat(parts, ignore_index=True)[["series", "period", "count"]]


def year_end_forecast(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Forecast each series to December and sum to year-end totals with 80% intervals.

    Returns the monthly forecast frame and a totals frame ``[series, observed, expected, lo80, hi80]``
    (intervals of the total from the forecast's simulated paths); both empty when the period ends
    in December or mid-month.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> year_end_forecast(ctx)[1].columns.tolist()  # doctest: +SKIP
    ['series', 'observed', 'expected', 'lo80', 'hi80']
    """
    from zzanalytics.models.forecast import forecast

    monthly = series_counts(ctx)
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
    """Probability of breaching each annual ceiling (``target_breach``), or an empty frame.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> targets_breach(ctx)[["metric", "p_breach"]]  # doctest: +SKIP
    """
    from zzanalytics.models.targets import target_breach

    tg = ctx.tables["targets"]
    tg = tg[tg["year"] == ctx.end.year] if len(tg) else tg
    ceilings = {str(m): float(c) for m, c in zip(tg.get("metric", []), tg.get("ceiling", []), strict=False)}
    ceilings.update(ctx.targets)
    # a ceiling on data the store does not have for this year (traffic ended) is not assessed
    ctx.cache["targets_no_data"] = [m for m in ceilings if not ctx.covers(m.split(".")[0])]
    ceilings = {m: c for m, c in ceilings.items() if m not in ctx.cache["targets_no_data"]}
    if not ceilings or ctx.area is not None:
        return pd.DataFrame()
    frame = pd.DataFrame({"year": ctx.end.year, "metric": list(ceilings), "ceiling": list(ceilings.values())})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = target_breach(
            ctx.incidents, frame, year=ctx.end.year, as_of=ctx.end, coverage=ctx.cov, workers=1
        )
    ctx.cache["targets_no_data"] += list(out.loc[~out["covered"], "metric"])  # year to date not covered
    return out[out["covered"]].reset_index(drop=True)


def target_label(ctx: Context, metric: str) -> str:
    """Name of a target metric (``fire.count`` → 火灾起数); unknown metrics keep their code.

    Examples
    --------
    >>> from zzanalytics.report.briefing.context import Context
    >>> target_label(Context.empty(), "fire.count"), target_label(Context.empty(lang="en"), "x.y")
    ('火灾起数', 'x.y')
    """
    key = f"target.{metric}"
    return ctx.say(PHRASES[key]) if key in PHRASES else str(metric)


def forecast_blocks(ctx: Context) -> list[Any]:
    """The year-end sentence and the fan chart of criminal cases.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> show(*forecast_blocks(ctx))  # doctest: +SKIP
    """
    fc, totals = year_end_forecast(ctx)
    if totals.empty:
        return [B.para(ctx.say(PHRASES["december" if ctx.end.month == 12 else "mid_month"]))]
    items = []
    for _, r in totals.iterrows():
        if r["hi80"] < 0.5:  # nothing expected: no "0起(80%区间0至0起)"
            continue
        key = f"series.{r['series']}"
        w = {
            "name": ctx.say(PHRASES[key]) if key in PHRASES else ctx.label(r["series"]),
            "expected": ctx.count(round(r["expected"])),
            "lo": ctx.number(r["lo80"]),
            "hi": ctx.count(r["hi80"]),
        }
        items.append(ctx.say(PHRASES["item"], w))
    if not items:
        return []
    hist = series_counts(ctx)
    fan = charts.forecast_fan(
        hist[hist["series"] == "criminal"],
        fc[fc["series"] == "criminal"],
        since=pd.Timestamp(ctx.end.year - 1, 1, 1),
        lang=ctx.lang,
        title=ctx.say(PHRASES["chart"]),
    )
    return [B.para(ctx.say(PHRASES["lead"], ctx.basics(), items=ctx.join(items, "series"))), B.figure(fan)]


def target_blocks(ctx: Context) -> list[Any]:
    """The sentence on each annual ceiling, the ceilings at risk, and the gauge chart.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> show(*target_blocks(ctx))  # doctest: +SKIP
    """
    breach = targets_breach(ctx)
    missing = [target_label(ctx, m) for m in ctx.cache.get("targets_no_data", [])]
    gap = (
        [B.para(ctx.say(PHRASES["targets.no_data"], items=ctx.join(missing)), cls="note")] if missing else []
    )
    if breach.empty:
        if ctx.area is not None:
            return [B.para(ctx.say(PHRASES["township"]), cls="note")]
        return gap
    items = []
    for _, r in breach.iterrows():
        money = str(r["metric"]).endswith("loss_yuan")

        def fmt(v: Any, money: bool = money) -> str:
            return ctx.money(v) if money else ctx.number(v)

        w = {
            "name": target_label(ctx, r["metric"]),
            "ceiling": fmt(r["ceiling"]),
            "observed": fmt(r["observed_to_date"]),
            "expected": fmt(r["expected"]),
            "p": ctx.probability(r["p_breach"]),
        }
        items.append(ctx.say(PHRASES["target"], w))
    sentences = [ctx.say(PHRASES["targets"], items=ctx.join(items, "clause"))]
    risky = [target_label(ctx, m) for m in breach.loc[breach["p_breach"] >= RISKY, "metric"]]
    if risky:
        names = [ctx.say(PHRASES["risky.item"], name=n) for n in risky]
        sentences.append(ctx.say(PHRASES["risky"], items=ctx.join(names)))
    gauge = charts.target_gauge(
        breach,
        labels={m: target_label(ctx, m) for m in breach["metric"]},
        lang=ctx.lang,
        title=ctx.say(PHRASES["gauge"]),
    )
    return [B.para(*sentences), B.figure(gauge), *gap]


def body(ctx: Context) -> B.Html:
    """Year-end forecasts and target-breach probabilities.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> show(body(ctx))  # doctest: +SKIP
    """
    return B.join(*forecast_blocks(ctx), *target_blocks(ctx))
