"""一、总体治安形势: criminal cases, theft, fraud and the high-incidence subcategories.

The total is the sum of the criminal categories whose data cover the whole period
(:class:`~zzanalytics.report.briefing.scope.Scope`): with one such category there is no total (a
thefts-only store reports thefts), with a category missing the total says what it leaves out. A
change needs both periods covered; records without a township count in the total.

Examples
--------
>>> PHRASES.say("trend.flat", "en")
'Criminal cases are stable, within normal variation'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from zzanalytics.report import blocks as B  # noqa: N812
from zzanalytics.report import charts
from zzanalytics.report import text as tx
from zzanalytics.report.briefing.context import INDENT, Context
from zzanalytics.report.briefing.results import shared
from zzanalytics.report.briefing.scope import Need, Scope
from zzanalytics.report.briefing.select import (
    change_table,
    compare,
    criminal,
    local,
    monthly,
    row,
    unassigned,
    with_prefix,
    within,
)
from zzanalytics.report.phrases import COMMON, Phrases
from zzanalytics.schema import CRIMINAL_PREFIXES

PHRASES = Phrases(
    {
        "lead": (
            "{period},{subject}发生各类刑事案件{total}{excluding},{total_change}",
            "In {period}, {subject} recorded {total} criminal cases{excluding}, {total_change}",
        ),
        "lead.one": (
            "{period},{subject}发生{what}{total},{total_change}",
            "In {period}, {subject} recorded {total} cases of {what!l}, {total_change}",
        ),
        "excluding": ("({items})", " ({items})"),
        "excluding.absent": ("不含{what},无数据", "not counting {what!l}: no data"),
        "excluding.partial": (
            "不含{what},其数据只覆盖本期的一部分",
            "not counting {what!l}: data for part of the period only",
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
        "item.partial": ("{what}数据只覆盖本期的一部分", "{what!l} data cover only part of the period"),
        # without data for last year (said once, in the lead): the count alone
        "item.theft.count": ("盗窃案件{n}", "theft {n}"),
        "item.fraud.count": ("诈骗案件{n}", "fraud {n}"),
        "item.burglary.count": ("入室盗窃{n}", "burglary {n}"),
        "item.vehicle.count": ("机动车盗窃{n}", "vehicle theft {n}"),
        "item.telecom.count": ("电信网络诈骗{n}", "telecom fraud {n}"),
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
        "unassigned": (
            "其中{n}未标明{area_unit},计入{whole}合计。",
            "{n} of them have no {area_unit}; they count in the total of {whole}.",
        ),
        "data": ("刑事案件", "criminal-case"),
        "kpi.total": ("刑事案件", "Criminal cases"),
        "kpi.theft": ("盗窃案件", "Theft"),
        "kpi.fraud": ("诈骗案件", "Fraud"),
        "kpi.partial": ("数据只覆盖本期的一部分", "data for part of the period only"),
        "row.total": ("刑事案件合计", "All criminal cases"),
        "row.counted": ("已有数据的刑事案件合计", "Criminal cases with data"),
        "chart.monthly": ("刑事案件月度发案与去年同期对比", "Criminal cases per month, this year vs last"),
        "chart.monthly.one": ("{what}月度发案与去年同期对比", "{what} per month, this year vs last"),
        "chart.change": ("分类案件同比变化", "Change by category"),
        "chart.change.note": (
            "注:▲/▼为经检验的显著上升/下降,△/▽为在正常波动范围内的变化。",
            "▲/▼ significant rise/fall; △/▽ change within normal variation.",
        ),
        "table": ("表1 {period}刑事案件分类统计", "Table 1. Criminal cases, {period}"),
        "need.criminal": ("刑事案件(本期)", "criminal cases (this period)"),
        "need.baseline": ("刑事案件(去年同期)", "criminal cases (same period last year)"),
        "without.criminal": ("写明无刑事案件数据", "says there are no criminal-case data"),
        "without.baseline": ("只给本期数,写明去年同期无数据,不作同比", "gives this period only, no change"),
    },
    name="overall",
)

SUBCATEGORIES = ("theft.burglary", "theft.vehicle", "theft.other", "fraud.telecom", "fraud.other")
"""Second-level rows of table 1, under their first-level category."""
ITEMS = {"theft": "theft", "fraud": "fraud", "burglary": "theft.burglary", "vehicle": "theft.vehicle"}
ITEMS["telecom"] = "fraud.telecom"


@dataclass(frozen=True)
class Overall:
    """Criminal cases of the period against the same period last year.

    ``total``: the comparison row of the counted categories (:class:`Scope`); ``by1`` / ``by2``:
    first- and second-level categories; ``unassigned``: the period's counted records without a
    township (in the total, in no township).
    """

    total: dict[str, Any]
    by1: pd.DataFrame
    by2: pd.DataFrame
    unassigned: int


@shared("overall")
def compute(ctx: Context, scope: Scope) -> Overall:
    """The comparisons of section 1 (language-free; ``ctx.results.overall``).

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> ctx.results.overall.total["current"]  # doctest: +SKIP
    """
    crim = criminal(local(ctx, ctx.incidents))
    counted = with_prefix(crim, scope.counted) if scope.counted else crim.iloc[0:0]
    now = within(counted, "occurred_at", ctx.start, ctx.end)
    return Overall(
        total=row(ctx, compare(ctx, counted)) if scope.counted else {},
        by1=compare(ctx, crim, by=["category"], level=1),
        by2=compare(ctx, crim, by=["category"]),
        unassigned=unassigned(now) if ctx.area is None else 0,
    )


@shared("monthly_criminal")
def monthly_counted(ctx: Context, scope: Scope) -> pd.DataFrame:
    """Monthly counts of the counted criminal cases, January last year to the period's end.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> monthly_counted(ctx, ctx.results.scope)["period"].min()  # doctest: +SKIP
    Timestamp('2025-01-01 00:00:00')
    """
    crim = with_prefix(criminal(local(ctx, ctx.incidents)), scope.counted)
    return monthly(ctx, crim)


def needs(ctx: Context) -> list[Need]:
    """Data of section 1 (for the closing note).

    Examples
    --------
    >>> [n.ok for n in needs(Context.empty())]
    [True, True]
    """
    held = [p for p in CRIMINAL_PREFIXES if ctx.holds(p)]
    return [
        Need(PHRASES["need.criminal"], bool(ctx.results.scope.counted), PHRASES["without.criminal"]),
        Need(PHRASES["need.baseline"], bool(held) and ctx.covers_baseline(held), PHRASES["without.baseline"]),
    ]


def _excluding(ctx: Context, scope: Scope) -> str:
    """``(不含诈骗,无数据)``: the criminal categories the total leaves out, and why."""
    parts = [
        ctx.say(PHRASES[f"excluding.{kind}"], what=ctx.join(ctx.label(p) for p in cats))
        for kind, cats in (("absent", scope.absent), ("partial", scope.partial))
        if cats
    ]
    return ctx.say(PHRASES["excluding"], items=ctx.join(parts, "clause")) if parts else ""


def body(ctx: Context, overall: Overall, scope: Scope, monthly_criminal: pd.DataFrame) -> B.Html:
    """Key figures, the lead sentences, the monthly and per-category charts and table 1.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> show(render_section("overall", ctx))  # doctest: +SKIP
    """
    if not scope.any:
        gap = ctx.data_gap(PHRASES["data"], list(scope.partial) or list(CRIMINAL_PREFIXES))
        return B.para(gap or ctx.no_data(PHRASES["data"]), cls="note")
    by1, by2 = overall.by1, overall.by2
    rows = {key: row(ctx, by1 if "." not in code else by2, category=code) for key, code in ITEMS.items()}
    for key, code in ITEMS.items():  # a category outside the counted ones: no figure in this period
        if code.split(".")[0] not in scope.counted:
            rows[key] = {**rows[key], "current": np.nan, "direction": "no_data"}
    total = overall.total if scope.total else row(ctx, by1, category=scope.counted[0])
    w = ctx.basics()
    w["total"] = ctx.count(total["current"])
    w["total_change"] = ctx.change(total, lead="first")
    w["excluding"] = _excluding(ctx, scope)

    def item(key: str) -> str:
        r = rows[key]
        if ITEMS[key].split(".")[0] in scope.partial:
            return ctx.say(PHRASES["item.partial"], what=ctx.label(ITEMS[key]))
        if pd.isna(r["current"]):
            return ctx.say(PHRASES[f"item.{key}.none"])
        if tx.is_missing(r["baseline"]) and tx.is_missing(total["baseline"]):  # said once, in the lead
            return ctx.say(PHRASES[f"item.{key}.count"], n=ctx.count(r["current"]))
        return ctx.say(PHRASES[f"item.{key}"], n=ctx.count(r["current"]), change=ctx.change(r))

    sep, end = ctx.say(COMMON["sep.clause"]), ctx.say(COMMON["sep.sentence_end"])
    if scope.total:
        lead = sep.join([ctx.say(PHRASES["lead"], w), item("theft"), item("fraud")]) + end
    else:
        only = scope.counted[0]
        lead = ctx.say(PHRASES["lead.one"], w, what=ctx.label(only)) + end
    subs_keys = [k for k in ("burglary", "vehicle", "telecom") if ITEMS[k].split(".")[0] in scope.counted]
    subs = ctx.say(PHRASES["subcategories"], items=sep.join(item(k) for k in subs_keys)) if subs_keys else ""
    sentences = [lead, subs]
    if scope.total:
        direction = total.get("direction")
        key = f"trend.{direction}" if direction in ("up", "down", "no_data") else "trend.flat"
        share = np.nan
        if scope.complete and total["current"]:
            share = (rows["theft"]["current"] + rows["fraud"]["current"]) / total["current"] * 100
        w["share"] = ctx.pct(share)
        ending = ctx.say(PHRASES["share"], w) if np.isfinite(share) else end
        sentences.append(ctx.say(PHRASES[key]) + ending)
    if overall.unassigned:
        sentences.append(ctx.say(PHRASES["unassigned"], w, n=ctx.count(overall.unassigned)))
    table_rows = []
    if scope.total:
        label = PHRASES["row.total" if scope.complete else "row.counted"]
        table_rows.append((ctx.say(label), total))
    for code in CRIMINAL_PREFIXES:
        r = row(ctx, by1, category=code)
        if code not in scope.counted:
            r = {**r, "current": np.nan, "direction": "no_data"}
        table_rows.append((ctx.label(code), r))
        for sub in SUBCATEGORIES:
            if sub.startswith(code + "."):
                rs = row(ctx, by2, category=sub)
                if code not in scope.counted:
                    rs = {**rs, "current": np.nan, "direction": "no_data"}
                table_rows.append((INDENT + ctx.label(sub), rs))
    kpi_keys = ["theft", "fraud"] if scope.total else []
    first = ctx.say(PHRASES["kpi.total"]) if scope.total else ctx.label(scope.counted[0])
    kpis = [(first, total, False)]
    kpis += [(ctx.say(PHRASES[f"kpi.{k}"]), rows[k], k in scope.partial) for k in kpi_keys]
    kpi = B.kpis(
        (label, ctx.count(r["current"]), ctx.say(PHRASES["kpi.partial"]) if partial else ctx.change(r))
        for label, r, partial in kpis
    )
    fig1 = charts.year_on_year(
        monthly_criminal,
        ctx.end.year,
        last_month=ctx.end.month,
        lang=ctx.lang,
        title=ctx.say(PHRASES["chart.monthly"])
        if scope.total
        else ctx.say(PHRASES["chart.monthly.one"], what=ctx.label(scope.counted[0])),
    )
    firsts = [(lbl, r) for lbl, r in table_rows if not lbl.startswith(INDENT)][1 if scope.total else 0 :]
    cmp = pd.DataFrame([{"label": lbl.strip(), **r} for lbl, r in firsts if not pd.isna(r["current"])])
    blocks: list[Any] = [kpi, B.para(*sentences), B.figure(fig1)]
    if len(cmp) > 1 and ctx.covers_baseline(list(scope.counted)):
        fig2 = charts.change_bars(cmp, lang=ctx.lang, title=ctx.say(PHRASES["chart.change"]))
        blocks.append(B.figure(fig2, caption=ctx.say(PHRASES["chart.change.note"])))
    blocks.append(
        B.table(change_table(ctx, table_rows), caption=ctx.say(PHRASES["table"], w), highlight="_flag")
    )
    return B.join(*blocks)
