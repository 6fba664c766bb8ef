"""七、乡镇(街道)考核评估: which townships worsened significantly in which categories (candidates
for 重点整治), and the township × category table.

Examples
--------
>>> PHRASES.say("category.up", "en", category="Fraud", pct="45.1%")
'Fraud up 45.1%'
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from zzanalytics.report import blocks as B  # noqa: N812
from zzanalytics.report import text as tx
from zzanalytics.report.briefing.context import Context
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


def township_scorecard(ctx: Context) -> pd.DataFrame:
    """:func:`zzanalytics.models.compare.scorecard` of every township (FDR across all cells).

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> township_scorecard(ctx)[["area_code", "category", "significant"]].head()  # doctest: +SKIP
    """
    from zzanalytics.models.compare import scorecard

    if "scorecard" not in ctx.cache:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ctx.cache["scorecard"] = scorecard(
                ctx.incidents,
                ctx.start,
                ctx.end,
                areas=ctx.areas,
                categories=scored_categories(ctx),
                coverage=ctx.cov,
            )
    return ctx.cache["scorecard"]


def worse_areas(ctx: Context) -> list[str]:
    """Township codes with at least one category significantly up (FDR-corrected).

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> worse_areas(ctx)  # doctest: +SKIP
    """
    sc = township_scorecard(ctx)
    bad = sc[sc["significant"].astype(bool) & (sc["direction"] == "up")]
    return sorted(bad["area_code"].astype(str).unique(), key=natural_key)


def baseline_words(ctx: Context, sc: pd.DataFrame) -> str:
    """How the scorecard's baseline reads: 去年同期 or 前三年同期平均水平 (en likewise).

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> baseline_words(ctx, township_scorecard(ctx))  # doctest: +SKIP
    '前三年同期平均水平'
    """
    years = int(pd.to_numeric(sc.get("baseline_years", pd.Series([1])), errors="coerce").max() or 1)
    if years <= 1:
        return ctx.say(PHRASES["baseline.last_year"])
    return ctx.say(PHRASES["baseline.years"], years=tx.cardinal(years, ctx.lang))


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


def finding(ctx: Context, sc: pd.DataFrame, baseline: str) -> str:
    """The scorecard's sentence: which units rose significantly, in which categories.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> finding(ctx, township_scorecard(ctx), "去年同期")[:20]  # doctest: +SKIP
    """
    bad = sc[sc["significant"].astype(bool) & (sc["direction"] == "up")]
    ctx.cache["worse_areas"] = sorted(bad["area_code"].astype(str).unique(), key=natural_key)
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
        "n_categories": ctx.number(len(scored_categories(ctx))),
        "units": ctx.join(units, "series"),
        "n_units": ctx.number(len(ctx.cache["worse_areas"])),
        "categories": ctx.join(own, "series"),
    }
    if ctx.area is not None:
        return ctx.say(PHRASES["township.worse" if own else "township.none"], w)
    found = ctx.plural(PHRASES, "district.worse", len(units)) if units else PHRASES["district.none"]
    w["finding"] = ctx.say(found, w)
    return ctx.say(PHRASES["district"], w)


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


def body(ctx: Context) -> B.Html:
    """The finding, table 6 and its note.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> show(body(ctx))  # doctest: +SKIP
    """
    sc = township_scorecard(ctx)
    baseline = baseline_words(ctx, sc)
    if ctx.area is not None:
        sc = sc[sc["area_code"].astype(str) == ctx.area]
    return B.join(
        B.para(finding(ctx, sc, baseline)),
        scorecard_table(ctx, sc),
        B.note(ctx.say(PHRASES["note"], baseline=baseline)),
    )
