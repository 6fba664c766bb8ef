"""一、总体治安形势: criminal cases, theft, fraud and the high-incidence subcategories.

Examples
--------
>>> PHRASES.say("trend.flat", "en")
'Criminal cases are stable, within normal variation'
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from zzanalytics.report import blocks as B  # noqa: N812
from zzanalytics.report import charts
from zzanalytics.report.briefing.context import (
    INDENT,
    Context,
    change_table,
    compare,
    criminal,
    local,
    monthly,
    row,
)
from zzanalytics.report.phrases import COMMON, Phrases
from zzanalytics.schema import CRIMINAL_PREFIXES

PHRASES = Phrases(
    {
        "lead": (
            "{period},{subject}发生各类刑事案件{total},{total_change}",
            "In {period}, {subject} recorded {total} criminal cases, {total_change}",
        ),
        "subcategories": ("其中{items}。", "{items!u}."),
        # one clause per category; ".none": no source of the store holds it (no data, not zero)
        "item.theft": ("盗窃案件{n},{change}", "theft {n}, {change}"),
        "item.fraud": ("诈骗案件{n},{change}", "fraud {n}, {change}"),
        "item.burglary": ("入室盗窃{n},{change}", "burglary {n}, {change}"),
        "item.vehicle": ("机动车盗窃{n},{change}", "vehicle theft {n}, {change}"),
        "item.telecom": ("电信网络诈骗{n},{change}", "telecom fraud {n}, {change}"),
        "item.theft.none": ("盗窃案件无数据", "no theft data"),
        "item.fraud.none": ("诈骗案件无数据", "no fraud data"),
        "item.burglary.none": ("入室盗窃无数据", "no burglary data"),
        "item.vehicle.none": ("机动车盗窃无数据", "no vehicle theft data"),
        "item.telecom.none": ("电信网络诈骗无数据", "no telecom fraud data"),
        "trend.up": ("刑事发案呈上升态势", "Criminal cases are rising"),
        "trend.down": ("刑事发案呈下降态势", "Criminal cases are falling"),
        "trend.flat": (
            "刑事发案总体平稳,变化在正常波动范围内",
            "Criminal cases are stable, within normal variation",
        ),
        "trend.no_data": (
            "去年同期无刑事案件数据,无法判断发案走势",
            "There are no data for the same period last year to judge the trend by",
        ),
        "share": (
            ",盗窃、诈骗等侵财类案件占刑事案件总数的{share}。",
            "; theft and fraud make up {share} of them.",
        ),
        "kpi.total": ("刑事案件", "Criminal cases"),
        "kpi.theft": ("盗窃案件", "Theft"),
        "kpi.fraud": ("诈骗案件", "Fraud"),
        "row.total": ("刑事案件合计", "All criminal cases"),
        "chart.monthly": ("刑事案件月度发案与去年同期对比", "Criminal cases per month, this year vs last"),
        "chart.change": ("分类案件同比变化", "Change by category"),
        "chart.change.note": (
            "注:▲/▼为经检验的显著上升/下降,△/▽为在正常波动范围内的变化。",
            "▲/▼ significant rise/fall; △/▽ change within normal variation.",
        ),
        "table": ("表1 {period}刑事案件分类统计", "Table 1. Criminal cases, {period}"),
    },
    name="overall",
)

SUBCATEGORIES = ("theft.burglary", "theft.vehicle", "theft.other", "fraud.telecom", "fraud.other")
"""Second-level rows of table 1, under their first-level category."""


def comparisons(ctx: Context) -> dict[str, Any]:
    """Criminal cases of the period against the same period last year: the total and per category.

    Returns ``{"total": row, "by1": frame, "by2": frame}`` (first- and second-level categories).

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> comparisons(ctx)["total"]["current"]  # doctest: +SKIP
    """
    crim = criminal(local(ctx, ctx.incidents))
    return {
        "total": row(compare(ctx, crim)),
        "by1": compare(ctx, crim, by=["category"], level=1),
        "by2": compare(ctx, crim, by=["category"]),
    }


def body(ctx: Context) -> B.Html:
    """Key figures, three sentences, the monthly and per-category charts and table 1.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> show(body(ctx))  # doctest: +SKIP
    """
    c = comparisons(ctx)
    ctx.cache["overall"] = c
    total, by1, by2 = c["total"], c["by1"], c["by2"]
    rows = {
        "total": total,
        "theft": row(by1, category="theft"),
        "fraud": row(by1, category="fraud"),
        "burglary": row(by2, category="theft.burglary"),
        "vehicle": row(by2, category="theft.vehicle"),
        "telecom": row(by2, category="fraud.telecom"),
    }
    w = ctx.basics()
    w["total"] = ctx.count(total["current"])
    w["total_change"] = ctx.change(total, lead="first")

    def item(key: str) -> str:
        r = rows[key]
        if r.get("direction") == "no_data" and pd.isna(r["current"]):
            return ctx.say(PHRASES[f"item.{key}.none"])
        return ctx.say(PHRASES[f"item.{key}"], n=ctx.count(r["current"]), change=ctx.change(r))

    sep, end = ctx.say(COMMON["sep.clause"]), ctx.say(COMMON["sep.sentence_end"])
    lead = sep.join([ctx.say(PHRASES["lead"], w), item("theft"), item("fraud")]) + end
    subs = ctx.say(
        PHRASES["subcategories"], items=sep.join(item(k) for k in ("burglary", "vehicle", "telecom"))
    )
    held = [rows[k]["current"] for k in ("theft", "fraud")]
    share = sum(held) / total["current"] * 100 if total["current"] and not any(pd.isna(held)) else np.nan
    w["share"] = ctx.pct(share)
    direction = total.get("direction")
    trend = ctx.say(PHRASES[f"trend.{direction}" if direction in ("up", "down", "no_data") else "trend.flat"])
    ending = ctx.say(PHRASES["share"], w) if np.isfinite(share) else ctx.say(COMMON["sep.sentence_end"])
    table_rows = [(ctx.say(PHRASES["row.total"]), total)]
    for code in CRIMINAL_PREFIXES:
        table_rows.append((ctx.label(code), row(by1, category=code)))
        for sub in SUBCATEGORIES:
            if sub.startswith(code + "."):
                table_rows.append((INDENT + ctx.label(sub), row(by2, category=sub)))
    kpi = B.kpis(
        (ctx.say(PHRASES[f"kpi.{key}"]), ctx.count(rows[key]["current"]), ctx.change(rows[key]))
        for key in ("total", "theft", "fraud")
    )
    fig1 = charts.year_on_year(
        monthly(ctx, criminal(local(ctx, ctx.incidents))),
        ctx.end.year,
        last_month=ctx.end.month,
        lang=ctx.lang,
        title=ctx.say(PHRASES["chart.monthly"]),
    )
    cmp = pd.DataFrame(
        [
            {"label": lbl.strip(), **r}
            for lbl, r in table_rows[1:]
            if not lbl.startswith(INDENT) and not pd.isna(r["current"])
        ]
    )
    fig2 = charts.change_bars(cmp, lang=ctx.lang, title=ctx.say(PHRASES["chart.change"]))
    return B.join(
        kpi,
        B.para(lead, subs, trend + ending),
        B.figure(fig1),
        B.figure(fig2, caption=ctx.say(PHRASES["chart.change.note"])),
        B.table(change_table(ctx, table_rows), caption=ctx.say(PHRASES["table"], w), highlight="_flag"),
    )
