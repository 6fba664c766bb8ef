"""七、{area_unit}考核评估: which townships worsened significantly in which categories (candidates
for 重点整治), and the township × category table.

Examples
--------
>>> PHRASES.say("category.up", "en", category="Fraud", pct="45.1%")
'Fraud up 45.1%'
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from zzanalytics.report import blocks as B  # noqa: N812
from zzanalytics.report import text as tx
from zzanalytics.report.briefing.context import WORDS, Context
from zzanalytics.report.briefing.results import shared
from zzanalytics.report.briefing.scope import Need
from zzanalytics.report.briefing.select import unassigned, within
from zzanalytics.report.phrases import COMMON, Phrases
from zzanalytics.schema import natural_key

PHRASES = Phrases(
    {
        "district": (
            "对{n_areas}个{area_units}、{n_categories}类案件逐一与{baseline}比较"
            "(按历年波动幅度检验,并对多重比较作错误发现率校正):{finding}",
            "Each of {n_areas} {area_units} × {n_categories} categories was compared with {baseline} "
            "(tested against its usual variation, FDR-corrected): {finding}",
        ),
        "district.exact": (
            "对{n_areas}个{area_units}、{n_categories}类案件逐一与{baseline}比较"
            "(泊松精确检验,并对多重比较作错误发现率校正):{finding}",
            "Each of {n_areas} {area_units} × {n_categories} categories was compared with {baseline} "
            "(exact Poisson test, FDR-corrected): {finding}",
        ),
        "district.one": (
            "对{n_areas}个{area_units}、{n_categories}类案件逐一与{baseline}比较"
            "(按历年波动幅度检验,并对多重比较作错误发现率校正):{finding}",
            "Each of {n_areas} {area_units} × {n_categories} category was compared with {baseline} "
            "(tested against its usual variation, FDR-corrected): {finding}",
        ),
        "district.exact.one": (
            "对{n_areas}个{area_units}、{n_categories}类案件逐一与{baseline}比较"
            "(泊松精确检验,并对多重比较作错误发现率校正):{finding}",
            "Each of {n_areas} {area_units} × {n_categories} category was compared with {baseline} "
            "(exact Poisson test, FDR-corrected): {finding}",
        ),
        "district.worse": (
            "{units}等{n_units}个单位案件上升显著,建议列为重点整治对象,督促抓好整改落实。",
            "{units} — {n_units} units worsened significantly and are candidates for targeted rectification.",
        ),
        "district.worse.one": (
            "{units}等{n_units}个单位案件上升显著,建议列为重点整治对象,督促抓好整改落实。",
            "{units} — {n_units} unit worsened significantly and is a candidate for targeted rectification.",
        ),
        "district.none": (
            "未发现案件显著上升的{area_unit},各单位变化均在正常波动范围内。",
            "no {area_unit} worsened significantly.",
        ),
        "unit": ("{name}({categories})", "{name} ({categories})"),
        "category.up": ("{category}上升{pct}", "{category} up {pct}"),
        "category.new": ("{category}此前为0", "{category} none before"),
        "township.worse": (
            "与{baseline}相比,{subject}{categories},经检验上升显著,属重点整治候选。",
            "Compared with {baseline}, {subject} rose significantly in {categories}: a candidate for "
            "targeted rectification.",
        ),
        "township.none": (
            "与{baseline}相比,{subject}各类案件变化均在正常波动范围内。",
            "Compared with {baseline}, every category of {subject} changed within normal variation.",
        ),
        "baseline.last_year": ("去年同期", "the same period last year"),
        "baseline.years": (
            "前{years}年同期平均水平",
            "the average of the same period in the previous {years} years",
        ),
        "cell.new": ("新增", "new"),
        "no_baseline": (
            "{baseline_missing},不作{area_units}考核比较。",
            "{baseline_missing!u}, so the {area_units} are not compared.",
        ),
        "baseline.missing": ("去年同期无数据", "there are no data for the same period last year"),
        "no_townships": (
            "本期记录未标明{area_unit},不作{area_units}考核比较。",
            "The records of this period name no {area_unit}, so the {area_units} are not compared.",
        ),
        "no_categories": ("本期无可考核的案件数据。", "There are no data of this period to score."),
        "left_out": (
            "{items}的数据不覆盖本期或对比期,未列入考核。",
            "{items}: the data do not cover this period or the baseline, so they are not scored.",
        ),
        "need.townships": ("案件所属{area_unit}", "the {area_unit} of each case"),
        "need.baseline": (
            "前三年或去年同期数据",
            "data for the same period of the previous three years or last year",
        ),
        "without.townships": ("不作考核比较", "no scorecard"),
        "without.baseline": ("写明无对比期数据,不作考核比较", "says there is no baseline, no scorecard"),
        "table": ("表6 {period}各{area_unit}分类案件数及变化", "Table 6. {area_unit!u} scorecard, {period}"),
        "note": (
            "注:表中为本期数及与{baseline}相比的增减幅度;▲表示经检验显著上升,▼表示显著下降,其余为正常波动。",
            "Count and change on {baseline}; ▲ significant rise, ▼ significant fall, the others within "
            "normal variation.",
        ),
    },
    name="scorecard",
)

SCORECARD_CATEGORIES = ("theft", "theft.burglary", "fraud", "robbery", "assault", "traffic", "fire")


def scored_categories(ctx: Context) -> list[str]:
    """The categories of :data:`SCORECARD_CATEGORIES` whose data cover the period (a source that
    ended, e.g. traffic, is left out rather than scored on nothing).

    Examples
    --------
    >>> from zzanalytics.report.briefing.context import Context
    >>> scored_categories(Context.empty())[:2]
    ['theft', 'theft.burglary']
    """
    return [c for c in SCORECARD_CATEGORIES if ctx.covers(c)]


def baseline_ranges(ctx: Context, years: int) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """The same range in each of the previous ``years`` years.

    Examples
    --------
    >>> [str(a.date()) for a, _ in baseline_ranges(Context.empty(), 2)]
    ['2025-01-01', '2024-01-01']
    """
    return [
        (ctx.start - pd.DateOffset(years=k), ctx.end - pd.DateOffset(years=k)) for k in range(1, years + 1)
    ]


def choose_baseline(ctx: Context, cats: list[str]) -> tuple[str | None, list[str]]:
    """The scorecard's baseline and the categories it compares: the mean of the previous three
    years where every category that covers last year covers all three, else last year; the
    categories are those whose data cover the baseline. ``(None, [])`` when none does.

    Examples
    --------
    >>> choose_baseline(Context.empty(), ["theft", "fire"])
    ('last_3_years', ['theft', 'fire'])
    """

    def covers_all(cat: str, years: int) -> bool:
        return all(ctx.covers(cat, start=a, end=b) for a, b in baseline_ranges(ctx, years))

    one = [c for c in cats if covers_all(c, 1)]
    three = [c for c in one if covers_all(c, 3)]
    if not one:
        return None, []
    if len(three) == len(one):
        return "last_3_years", three
    return "last_year", one


@dataclass(frozen=True)
class Scorecard:
    """The township scorecard: the comparison of every township × compared category (``frame``),
    the baseline (``last_3_years``, ``last_year`` or None when no data cover one), the categories
    compared and those left out, the townships that worsened significantly (``worse``), the
    period's records without a township (``unassigned``) and why nothing was compared (``reason``:
    ``no_townships``, ``no_categories``, ``no_baseline`` or '')."""

    frame: pd.DataFrame
    baseline: str | None
    categories: list[str]
    left_out: list[str] = field(default_factory=list)
    worse: list[str] = field(default_factory=list)
    unassigned: int = 0
    reason: str = ""


@shared("scorecard")
def compute(ctx: Context) -> Scorecard:
    """:func:`zzanalytics.models.compare.scorecard` of every township over the categories whose data
    cover both the period and the baseline (FDR across all cells; ``ctx.results.scorecard``).

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> ctx.results.scorecard.frame[["area_code", "category", "significant"]].head()  # doctest: +SKIP
    """
    from zzanalytics.models.compare import scorecard

    inc = ctx.incidents
    now = within(inc, "occurred_at", ctx.start, ctx.end)
    left = unassigned(now)
    cats = scored_categories(ctx)
    if not cats:
        return Scorecard(pd.DataFrame(), None, [], reason="no_categories")
    has_codes = "area_code" in inc.columns and inc["area_code"].notna().any()
    if not has_codes:
        return Scorecard(pd.DataFrame(), None, [], unassigned=left, reason="no_townships")
    baseline, compared = choose_baseline(ctx, cats)
    left_out = [c for c in cats if c not in compared]
    if baseline is None:
        return Scorecard(pd.DataFrame(), None, [], left_out, unassigned=left, reason="no_baseline")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sc = scorecard(
            inc, ctx.start, ctx.end, areas=ctx.areas, categories=compared, baseline=baseline, coverage=ctx.cov
        )
    sc = sc[sc["area_code"].notna() & (sc["area_code"].astype(str).str.strip() != "")]
    bad = sc[sc["significant"].astype(bool) & (sc["direction"] == "up")]
    worse = sorted(bad["area_code"].astype(str).unique(), key=natural_key)
    return Scorecard(sc, baseline, compared, left_out, worse, left)


def township_scorecard(ctx: Context) -> pd.DataFrame:
    """The scorecard's comparisons (``ctx.results.scorecard.frame``).

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> township_scorecard(ctx)[["area_code", "category", "significant"]].head()  # doctest: +SKIP
    """
    return ctx.results.scorecard.frame


def worse_areas(ctx: Context) -> list[str]:
    """Township codes with at least one category significantly up (FDR-corrected).

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> worse_areas(ctx)  # doctest: +SKIP
    """
    return ctx.results.scorecard.worse


def needs(ctx: Context) -> list[Need]:
    """Data of section 7 (for the closing note).

    Examples
    --------
    >>> [n.ok for n in needs(Context.empty())]
    [False, False]
    """
    sc = ctx.results.scorecard
    return [
        Need(
            PHRASES["need.townships"],
            sc.reason not in ("no_townships",) and sc.reason != "no_categories",
            PHRASES["without.townships"],
        ),
        Need(PHRASES["need.baseline"], sc.baseline is not None, PHRASES["without.baseline"]),
    ]


def baseline_words(ctx: Context, baseline: str | None) -> str:
    """How the scorecard's baseline reads: 去年同期 or 前三年同期平均水平 (en likewise).

    Examples
    --------
    >>> baseline_words(Context.empty(), "last_3_years"), baseline_words(Context.empty(lang="en"), "last_year")
    ('前三年同期平均水平', 'the same period last year')
    """
    if baseline == "last_3_years":
        return ctx.say(PHRASES["baseline.years"], years=tx.cardinal(3, ctx.lang))
    return ctx.say(PHRASES["baseline.last_year"])


def rise_words(ctx: Context, grp: pd.DataFrame) -> list[str]:
    """``诈骗上升45.1%`` for each significantly rising category of one township.

    Examples
    --------
    >>> from zzanalytics.report.briefing.context import Context
    >>> grp = pd.DataFrame({"category": ["fraud"], "current": [29], "baseline": [20.0]})
    >>> rise_words(Context.empty(), grp), rise_words(Context.empty(lang="en"), grp)
    (['诈骗上升45.0%'], ['Fraud up 45.0%'])
    """
    out = []
    for c, cur, base in zip(grp["category"], grp["current"], grp["baseline"], strict=False):
        p = tx.pct_change(cur, base)
        key = "category.up" if np.isfinite(p) else "category.new"
        out.append(ctx.say(PHRASES[key], category=ctx.label(c), pct=ctx.pct(p)))
    return out


def finding(ctx: Context, sc: pd.DataFrame, baseline: str, categories: list[str]) -> str:
    """The scorecard's sentence: which units rose significantly, in which categories; the counts
    it names are those of its table (the compared townships and categories).

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> r = ctx.results.scorecard  # doctest: +SKIP
    >>> finding(ctx, r.frame, "去年同期", r.categories)[:20]  # doctest: +SKIP
    """
    bad = sc[sc["significant"].astype(bool) & (sc["direction"] == "up")]
    worse = sorted(bad["area_code"].astype(str).unique(), key=natural_key)
    units, own = [], []
    for code, grp in sorted(bad.groupby("area_code"), key=lambda kv: natural_key(kv[0])):
        words = rise_words(ctx, grp)
        own.extend(words)
        name = ctx.names.get(str(code), str(code))
        units.append(ctx.say(PHRASES["unit"], name=name, categories=ctx.join(words)))
    w = {
        **ctx.basics(),
        "baseline": baseline,
        "n_areas": ctx.number(len(sc["area_code"].unique())),
        "n_categories": ctx.number(len(categories)),
        "units": ctx.join(units, "series"),
        "n_units": ctx.number(len(worse)),
        "categories": ctx.join(own, "series"),
    }
    if ctx.area is not None:
        return ctx.say(PHRASES["township.worse" if own else "township.none"], w)
    found = ctx.plural(PHRASES, "district.worse", len(units)) if units else PHRASES["district.none"]
    w["finding"] = ctx.say(found, w)
    exact = len(sc) and sc["method"].astype(str).str.startswith("exact").all() if "method" in sc else False
    return ctx.say(ctx.plural(PHRASES, "district.exact" if exact else "district", len(categories)), w)


def scorecard_table(ctx: Context, sc: pd.DataFrame) -> B.Html:
    """Townships × categories: this period's count over its change; significant rises in red with ▲.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> show(scorecard_table(ctx, township_scorecard(ctx)))  # doctest: +SKIP
    """
    township = ctx.say(COMMON["col.township"])
    rows = []
    for code, grp in sorted(sc.groupby("area_code"), key=lambda kv: natural_key(kv[0])):
        row: dict[str, Any] = {township: ctx.names.get(str(code), str(code))}
        for _, r in grp.iterrows():
            p = tx.pct_change(r["current"], r["baseline"])
            up = bool(r["significant"]) and r["direction"] == "up"
            down = bool(r["significant"]) and r["direction"] == "down"
            if r["direction"] == "no_data":  # outside the data's coverage: no figure, no change
                row[ctx.label(r["category"])] = tx.MISSING
                continue
            if np.isfinite(p):
                change = ctx.pct(p, signed=True)
            else:
                change = ctx.say(PHRASES["cell.new"]) if r["current"] else tx.MISSING
            mark = "▲" if up else ("▼" if down else "")
            cls = "flag-up" if up else ("flag-down" if down else "sub")
            row[ctx.label(r["category"])] = B.Html(
                f'{tx.number(r["current"])}<br><span class="{cls}">{tx.h(change)}{mark}</span>'
            )
        rows.append(row)
    return B.table(
        pd.DataFrame(rows),
        caption=ctx.say(PHRASES["table"], ctx.basics()),
        numeric=[c for c in (rows[0] if rows else {}) if c != township],
        cls="zz compact",
    )


def body(ctx: Context, scorecard: Scorecard) -> B.Html:
    """The finding, table 6 and its notes; one sentence when nothing can be compared.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> show(render_section("scorecard", ctx))  # doctest: +SKIP
    """
    r = scorecard
    left_out = (
        ctx.say(PHRASES["left_out"], items=ctx.join(ctx.label(c) for c in r.left_out)) if r.left_out else ""
    )
    if r.baseline is None:
        if r.reason == "no_baseline":
            missing = ctx.say(PHRASES["baseline.missing"])
            return B.para(ctx.say(PHRASES["no_baseline"], baseline_missing=missing), cls="note")
        return B.para(ctx.say(PHRASES[r.reason or "no_categories"]), cls="note")
    sc = r.frame
    if ctx.area is not None:
        sc = sc[sc["area_code"].astype(str) == ctx.area]
    baseline = baseline_words(ctx, r.baseline)
    notes = [ctx.say(PHRASES["note"], baseline=baseline)]
    if left_out:
        notes.append(left_out)
    if r.unassigned and ctx.area is None:
        notes.append(ctx.say(WORDS["unassigned"], ctx.basics(), n=ctx.count(r.unassigned)))
    return B.join(B.para(finding(ctx, sc, baseline, r.categories)), scorecard_table(ctx, sc), B.note(*notes))
