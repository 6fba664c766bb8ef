"""五、年底预测与目标完成风险: year-end totals of the key categories with 80% intervals, and the
probability of breaching each ceiling of the annual safety responsibility letter.

Examples
--------
>>> PHRASES.say("item", "zh", name="刑事案件", expected="3,644起", lo="3,613", hi="3,676起")
'刑事案件3,644起(80%区间3,613至3,676起)'
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from zzanalytics.report import blocks as B  # noqa: N812
from zzanalytics.report import charts
from zzanalytics.report.briefing.context import WORDS, Context
from zzanalytics.report.briefing.results import shared
from zzanalytics.report.briefing.scope import Need, Scope, history
from zzanalytics.report.briefing.select import criminal, local, recorded, with_prefix
from zzanalytics.report.phrases import Phrases

PHRASES = Phrases(
    {
        "lead": (
            "按{period}发案走势和历年季节规律预测,{subject}全年预计发生{items}。",
            "On the trend in {period} and past seasonality, {subject} can expect {items} for the whole year.",
        ),
        "item": ("{name}{expected}(80%区间{lo}至{hi})", "{name!l} {expected} (80% interval {lo}–{hi})"),
        "series.criminal": ("刑事案件", "criminal cases"),
        "series.counted": ("已有数据的刑事案件", "criminal cases with data"),
        "simple": (
            "{subject}按近12个月月均水平推算(数据不足{need}个月,不计季节规律),全年预计发生{items}。",
            "On the monthly average of the last 12 months (under {need} months of data, so no "
            "seasonality), {subject} can expect {items} for the whole year.",
        ),
        "no_forecast": ("不作全年预测。", "no year-end forecast is made."),
        "no_assessment": ("不作目标评估。", "its target is not assessed."),
        "no_series": ("本期无可预测的刑事案件数据。", "There are no criminal-case data to forecast."),
        "targets.not_recorded": (
            "{items}:数据未记录,不作目标评估。",
            "{items}: not recorded in the data, so no target assessment.",
        ),
        "need.history": (
            "至少{months}个月连续数据(按季节规律预测)",
            "at least {months} months of data without a break (seasonal forecast)",
        ),
        "need.targets": ("安全生产目标", "the annual safety targets"),
        "without.history": (
            "12至{short}个月按近12个月月均推算,不足12个月不作预测",
            "12 to {short} months: the last 12 months' average; under 12: no forecast",
        ),
        "without.targets": ("不作目标评估", "no target assessment"),
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
            "{items}的数据未覆盖本年1月1日以来的全部时间,不作目标评估。",
            "{items}: the data do not cover the year to date (since 1 January), so no target assessment.",
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

FORECAST_SERIES = ("criminal", "theft", "fraud", "theft.burglary")
"""Series forecast to year end: the counted criminal cases (:class:`Scope`) and three categories."""
SEASONAL_MONTHS = 24
"""A year-end forecast with seasonality needs at least this many months of data without a break up
to the period's end (two seasonal cycles)."""
SIMPLE_MONTHS = 12
"""With at least this many (and under :data:`SEASONAL_MONTHS`), the forecast is the average of the
last 12 months carried to December (``mean12``); with fewer, there is no forecast."""
RISKY = 0.5
"""Ceilings breached with at least this probability are named as under pressure."""


@dataclass(frozen=True)
class YearEnd:
    """Year-end forecasts: the monthly forecast frame (``fc``), totals per series (``totals``:
    ``series``, ``observed``, ``expected``, ``lo80``, ``hi80``, ``method`` seasonal or simple),
    the series left out for their short history (``short``: ``(series, months, since)``), and why
    there is none at all (``reason``: ``december``, ``mid_month``, ``no_series``, or '')."""

    fc: pd.DataFrame
    totals: pd.DataFrame
    short: list[tuple[str, int, pd.Timestamp | None]] = field(default_factory=list)
    reason: str = ""
    history: pd.DataFrame = field(default_factory=pd.DataFrame)


def series_categories(scope: Scope) -> dict[str, tuple[str, ...]]:
    """The forecast series whose data cover the period, and the categories each one sums.

    Examples
    --------
    >>> series_categories(Scope(("theft",), ("fraud",), ()))
    {'theft': ('theft',), 'theft.burglary': ('theft.burglary',)}
    """
    out: dict[str, tuple[str, ...]] = {}
    for key in FORECAST_SERIES:
        if key == "criminal":
            if scope.total:
                out[key] = scope.counted
        elif key.split(".")[0] in scope.counted:
            out[key] = (key,)
    return out


def series_counts(ctx: Context, series: dict[str, tuple[str, ...]], since: dict[str, Any]) -> pd.DataFrame:
    """Monthly counts of each series (``series`` key) from the start of its history to ``end``
    (months the data do not cover are absent, never zero).

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> sc = series_categories(ctx.results.scope)  # doctest: +SKIP
    >>> series_counts(ctx, sc, {k: None for k in sc})["series"].unique().tolist()  # doctest: +SKIP
    ['criminal', 'theft', 'fraud', 'theft.burglary']
    """
    from zzanalytics.aggregate import counts

    inc = criminal(local(ctx, ctx.incidents))
    parts = []
    for key, cats in series.items():
        first = since.get(key) or pd.Timestamp(ctx.end.year - 5, 1, 1)
        first = max(pd.Timestamp(first), pd.Timestamp(ctx.end.year - 5, 1, 1))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            c = counts(
                with_prefix(inc, cats), freq="month", by=(), start=first, end=ctx.end, coverage=ctx.cov
            )
        parts.append(c.assign(series=key))
    if not parts:
        return pd.DataFrame(columns=["series", "period", "count"])
    return pd.concat(parts, ignore_index=True)[["series", "period", "count"]]


def _paths_totals(monthly: pd.DataFrame, horizon: int, end: pd.Timestamp, models: str) -> tuple[Any, list]:
    from zzanalytics.models.forecast import forecast

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fc, paths = forecast(
            monthly,
            horizon=horizon,
            by=["series"],
            until=end,
            models=models,
            workers=1,
            progress=False,
            return_paths=True,
            n_paths=2000,
            seed=0,
        )
    keys = fc.drop_duplicates("series")["series"].tolist()
    ytd = monthly[monthly["period"].dt.year == end.year].groupby("series")["count"].sum()
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
                "method": "seasonal" if models == "auto" else "simple",
            }
        )
    return fc, rows


@shared("year_end")
def compute_year_end(ctx: Context, scope: Scope) -> YearEnd:
    """Forecast each series with history enough to December (``ctx.results.year_end``).

    Each series needs :data:`SEASONAL_MONTHS` months of data without a break up to the period's
    end for the seasonal forecast, :data:`SIMPLE_MONTHS` for the 12-month average; with fewer it
    is listed in ``short`` and not forecast. Intervals of a total come from the forecast's
    simulated paths.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> ctx.results.year_end.totals.columns.tolist()  # doctest: +SKIP
    ['series', 'observed', 'expected', 'lo80', 'hi80', 'method']
    """
    horizon = 12 - ctx.end.month
    if horizon <= 0 or not ctx.end.is_month_end:
        return YearEnd(pd.DataFrame(), pd.DataFrame(), reason="december" if horizon <= 0 else "mid_month")
    series = series_categories(scope)
    if not series or ctx.incidents.empty:
        return YearEnd(pd.DataFrame(), pd.DataFrame(), reason="no_series")
    months = {key: history(ctx, cats) for key, cats in series.items()}
    short = [(k, m, since) for k, (m, since) in months.items() if m < SIMPLE_MONTHS]
    keep = {k: v for k, v in series.items() if months[k][0] >= SIMPLE_MONTHS}
    monthly = series_counts(ctx, keep, {k: months[k][1] for k in keep})
    fcs, rows = [], []
    for models, ok in (("auto", lambda m: m >= SEASONAL_MONTHS), ("mean12", lambda m: m < SEASONAL_MONTHS)):
        keys = [k for k in keep if ok(months[k][0])]
        part = monthly[monthly["series"].isin(keys)]
        if part.empty:
            continue
        fc, r = _paths_totals(part, horizon, ctx.end, models)
        fcs.append(fc)
        rows += r
    fc = pd.concat(fcs, ignore_index=True) if fcs else pd.DataFrame()
    totals = pd.DataFrame(rows)
    if len(totals):  # in the order of FORECAST_SERIES
        totals = totals.set_index("series").loc[[k for k in keep if k in set(totals["series"])]].reset_index()
    return YearEnd(fc, totals, short, "" if len(totals) or short else "no_series", monthly)


@dataclass(frozen=True)
class Targets:
    """Target assessment: ``breach`` (``target_breach`` rows of the ceilings assessed), and the
    ceilings not assessed: ``no_data`` (data do not cover the year so far), ``not_recorded``
    (the column or grade is not in the data), ``short`` (``(metric, months, since)``)."""

    breach: pd.DataFrame
    no_data: list[str] = field(default_factory=list)
    not_recorded: list[str] = field(default_factory=list)
    short: list[tuple[str, int, pd.Timestamp | None]] = field(default_factory=list)
    ceilings: dict[str, float] = field(default_factory=dict)


@shared("targets")
def compute_targets(ctx: Context) -> Targets:
    """Probability of breaching each annual ceiling the data can speak for (``ctx.results.targets``).

    A ceiling is assessed when its data cover the year from 1 January to the period's end (what
    was observed so far is complete), record what it counts (deaths, losses, major accidents),
    and have :data:`SEASONAL_MONTHS` months of history.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> ctx.results.targets.breach[["metric", "p_breach"]]  # doctest: +SKIP
    """
    from zzanalytics.models.targets import METRICS, target_breach

    tg = ctx.tables.get("targets")
    tg = tg[tg["year"] == ctx.end.year] if tg is not None and len(tg) else pd.DataFrame()
    ceilings = {str(m): float(c) for m, c in zip(tg.get("metric", []), tg.get("ceiling", []), strict=False)}
    ceilings.update(ctx.targets)
    if not ceilings or ctx.area is not None:
        return Targets(pd.DataFrame(), ceilings=ceilings)
    year_start = pd.Timestamp(ctx.end.year, 1, 1)
    no_data, not_recorded, short, ok = [], [], [], {}
    for m, c in ceilings.items():
        prefix, what = METRICS.get(m, (m.split(".")[0], "count"))
        if not ctx.covers(prefix, start=year_start, end=ctx.end):
            (not_recorded if ctx.holds(m.split(".")[0]) and not ctx.holds(prefix) else no_data).append(m)
            continue
        if what != "count" and not recorded(with_prefix(ctx.incidents, prefix), what):
            not_recorded.append(m)
            continue
        months, since = history(ctx, prefix)
        if months < SEASONAL_MONTHS:
            short.append((m, months, since))
            continue
        ok[m] = (c, since)
    frames = []
    for since in sorted({s for _, s in ok.values()}, key=lambda t: (t is None, t)):
        group = {m: c for m, (c, s) in ok.items() if s == since}
        inc = ctx.incidents
        if since is not None:
            inc = inc[inc["occurred_at"].dt.tz_localize(None) >= since]
        frame = pd.DataFrame({"year": ctx.end.year, "metric": list(group), "ceiling": list(group.values())})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frames.append(
                target_breach(inc, frame, year=ctx.end.year, as_of=ctx.end, coverage=ctx.cov, workers=1)
            )
    breach = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if len(breach):
        no_data += [m for m in breach.loc[~breach["covered"], "metric"] if m not in no_data]
        breach = breach[breach["covered"]]
        ok = {m: v for m, v in ok.items() if m in set(breach["metric"])}
        breach = breach.set_index("metric").loc[[m for m in ceilings if m in ok]].reset_index()
    return Targets(breach, no_data, not_recorded, short, ceilings)


def needs(ctx: Context) -> list[Need]:
    """Data of section 5 (for the closing note).

    Examples
    --------
    >>> [n.ok for n in needs(Context.empty())]
    [False, False]
    """
    ye, tg = ctx.results.year_end, ctx.results.targets
    history_ok = not ye.short and (len(ye.totals) > 0 or ye.reason in ("december", "mid_month"))
    w = {"months": SEASONAL_MONTHS, "short": SEASONAL_MONTHS - 1}
    need = (PHRASES["need.history"][0].format(**w), PHRASES["need.history"][1].format(**w))
    without = (PHRASES["without.history"][0].format(**w), PHRASES["without.history"][1].format(**w))
    return [
        Need(need, history_ok, without),
        Need(PHRASES["need.targets"], len(tg.breach) > 0, PHRASES["without.targets"]),
    ]


def target_label(ctx: Context, metric: str) -> str:
    """Name of a target metric (``fire.count`` → 火灾起数); unknown metrics keep their code.

    Examples
    --------
    >>> target_label(Context.empty(), "fire.count"), target_label(Context.empty(lang="en"), "x.y")
    ('火灾起数', 'x.y')
    """
    key = f"target.{metric}"
    return ctx.say(PHRASES[key]) if key in PHRASES else str(metric)


def series_label(ctx: Context, key: str, scope: Scope) -> str:
    """Name of a forecast series: 刑事案件 (已有数据的刑事案件 when some are left out) or its category.

    Examples
    --------
    >>> series_label(Context.empty(), "criminal", Scope(("theft", "fraud"), (), ("robbery",)))
    '已有数据的刑事案件'
    """
    if key == "criminal":
        return ctx.say(PHRASES["series.criminal" if scope.complete else "series.counted"])
    return ctx.label(key)


def short_sentence(ctx: Context, what: str, months: int, since: Any, need: int, consequence: str) -> str:
    """``诈骗案件数据仅覆盖4个月(自2026年7月起),不足12个月,不作全年预测。``

    Examples
    --------
    >>> short_sentence(Context.empty(lang="en"), "fraud", 4, pd.Timestamp("2026-07-01"), 12, "no forecast.")
    'The fraud data cover only 4 months (since July 2026), under the 12 needed; no forecast.'
    """
    from zzanalytics.report import text as tx

    first = pd.Timestamp(since) if since is not None else ctx.end
    month = tx.period_label(first, first + pd.offsets.MonthEnd(0), ctx.lang, with_year=True)
    return ctx.say(
        ctx.plural(WORDS, "history.short", months),
        what=what,
        months=ctx.number(months),
        since=month,
        need=ctx.number(need),
        consequence=consequence,
    )


def forecast_blocks(ctx: Context, year_end: YearEnd, scope: Scope) -> list[Any]:
    """The year-end sentences (seasonal, simple, too short) and the fan chart of criminal cases.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> show(*forecast_blocks(ctx, ctx.results.year_end, ctx.results.scope))  # doctest: +SKIP
    """
    if year_end.reason in ("december", "mid_month"):
        return [B.para(ctx.say(PHRASES[year_end.reason]))]
    sentences = []
    for method, key in (("seasonal", "lead"), ("simple", "simple")):
        rows = (
            year_end.totals[year_end.totals["method"] == method] if len(year_end.totals) else year_end.totals
        )
        items = []
        for _, r in rows.iterrows():
            if r["hi80"] < 0.5:  # nothing expected: no "0起(80%区间0至0起)"
                continue
            w = {
                "name": series_label(ctx, r["series"], scope),
                "expected": ctx.count(round(r["expected"])),
                "lo": ctx.number(r["lo80"]),
                "hi": ctx.count(r["hi80"]),
            }
            items.append(ctx.say(PHRASES["item"], w))
        if items:
            w = {**ctx.basics(), "items": ctx.join(items, "series"), "need": ctx.number(SEASONAL_MONTHS)}
            sentences.append(ctx.say(PHRASES[key], w))
    groups: dict[tuple[int, Any], list[str]] = {}
    for key, months, since in year_end.short:  # series of one history share a sentence
        label = ctx.say(WORDS["lower"], what=series_label(ctx, key, scope))  # "theft" inside a sentence
        groups.setdefault((months, since), []).append(label)
    for (months, since), names in groups.items():
        no = ctx.say(PHRASES["no_forecast"])
        sentences.append(short_sentence(ctx, ctx.join(names), months, since, SIMPLE_MONTHS, no))
    if not sentences:
        return [B.para(ctx.say(PHRASES["no_series"]), cls="note")]
    blocks: list[Any] = [B.para(*sentences)]
    fc, hist = year_end.fc, year_end.history
    if len(fc) and "criminal" in set(fc["series"]):
        fan = charts.forecast_fan(
            hist[hist["series"] == "criminal"],
            fc[fc["series"] == "criminal"],
            since=pd.Timestamp(ctx.end.year - 1, 1, 1),
            lang=ctx.lang,
            title=ctx.say(PHRASES["chart"]),
        )
        blocks.append(B.figure(fan))
    return blocks


def target_blocks(ctx: Context, targets: Targets) -> list[Any]:
    """The sentence on each annual ceiling assessed, the ceilings at risk, the gauge chart, and the
    ceilings not assessed with why.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> show(*target_blocks(ctx, ctx.results.targets))  # doctest: +SKIP
    """
    if ctx.area is not None:
        return [B.para(ctx.say(PHRASES["township"]), cls="note")] if targets.ceilings else []
    notes = []
    if targets.no_data:
        items = ctx.join(target_label(ctx, m) for m in targets.no_data)
        notes.append(ctx.say(PHRASES["targets.no_data"], items=items))
    if targets.not_recorded:
        items = ctx.join(target_label(ctx, m) for m in targets.not_recorded)
        notes.append(ctx.say(PHRASES["targets.not_recorded"], items=items))
    for m, months, since in targets.short:
        no = ctx.say(PHRASES["no_assessment"])
        notes.append(short_sentence(ctx, target_label(ctx, m), months, since, SEASONAL_MONTHS, no))
    gap = [B.para(*notes, cls="note")] if notes else []
    breach = targets.breach
    if breach.empty:
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


def body(ctx: Context, year_end: YearEnd, targets: Targets, scope: Scope) -> B.Html:
    """Year-end forecasts and target-breach probabilities.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> show(render_section("forecast", ctx))  # doctest: +SKIP
    """
    return B.join(*forecast_blocks(ctx, year_end, scope), *target_blocks(ctx, targets))
