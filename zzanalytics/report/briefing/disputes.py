"""四、矛盾纠纷排查化解: disputes found and resolved, resolution rate, backlog and time to resolve,
and the townships with the lowest resolution rates.

Examples
--------
>>> PHRASES.say("median", "zh", days="7")
',化解用时中位数为7天'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from zzanalytics.report import blocks as B  # noqa: N812
from zzanalytics.report import charts
from zzanalytics.report.briefing.context import WORDS, Context
from zzanalytics.report.briefing.results import shared
from zzanalytics.report.briefing.scope import Need
from zzanalytics.report.briefing.select import local, recorded
from zzanalytics.report.phrases import COMMON, Phrases

PHRASES = Phrases(
    {
        "data": ("矛盾纠纷排查", "dispute"),
        "lead": (
            "{period},{subject}共排查矛盾纠纷{found},已化解{resolved},化解率{rate};"
            "截至{end_date}尚未化解{backlog}{median}。",
            "In {period}, {subject} found {found} disputes and resolved {resolved} ({rate}); "
            "{backlog} were still open on {end_date}{median}.",
        ),
        "median": (",化解用时中位数为{days}天", "; the median time to resolve one was {days} days"),
        "found_only": (
            "{period},{subject}共排查矛盾纠纷{found}(数据未记录化解日期,不作化解率统计)。",
            "In {period}, {subject} found {found} disputes (the data record no resolution dates, so no "
            "resolution rate).",
        ),
        "need.disputes": ("矛盾纠纷排查台账(本期)", "the dispute register (this period)"),
        "need.resolved": ("化解日期", "resolution dates"),
        "without.disputes": ("写明无矛盾纠纷数据", "says there are no dispute data"),
        "without.resolved": ("只写排查数", "gives disputes found only"),
        "lowest": (
            "化解率较低的是{items},要落实随排查、随调处,防止矛盾激化。",
            "Lowest resolution rates: {items}; disputes must be mediated as they are found, "
            "before they escalate.",
        ),
        "lowest.item": ("{name}({rate})", "{name} ({rate})"),
        "found": ("排查", "Found"),
        "resolved": ("化解", "Resolved"),
        "rate": ("化解率", "Rate"),
        "backlog": ("积存未化解", "Backlog"),
        "chart.backlog": ("积存未化解", "Open backlog"),
        "chart": ("各{area_unit}矛盾纠纷排查化解情况", "Disputes by {area_unit}"),
        "table": ("表5 矛盾纠纷排查化解", "Table 5. Disputes"),
    },
    name="disputes",
)

LOWEST = 3
"""Townships named for their low resolution rate (district briefings with more than this many)."""


@dataclass(frozen=True)
class Disputes:
    """Disputes of the period: the area's summary (``total``: found, resolved, resolution rate,
    backlog, median days) and each township's (``per``); ``resolved`` False when the register
    records no resolution dates."""

    total: pd.Series | None
    per: pd.DataFrame
    resolved: bool


def summaries(ctx: Context) -> tuple[pd.Series, pd.DataFrame]:
    """:func:`zzanalytics.dispute_summary` of the briefing's area, and of each township with disputes.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> summaries(ctx)[0]["found"]  # doctest: +SKIP
    """
    from zzanalytics.aggregate import dispute_summary

    d = ctx.tables["disputes"]
    tot = dispute_summary(local(ctx, d), ctx.start, ctx.end, by=(), coverage=ctx.cov).iloc[0]
    per = dispute_summary(d, ctx.start, ctx.end, by=("area_code",), coverage=ctx.cov)
    per = per[per["found"] > 0].copy()
    per["name"] = per["area_code"].astype(str)
    return tot, per


@shared("disputes")
def compute(ctx: Context) -> Disputes:
    """The figures of section 4 (language-free; ``ctx.results.disputes``).

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> ctx.results.disputes.total["found"]  # doctest: +SKIP
    """
    d = ctx.tables.get("disputes")
    if d is None or local(ctx, d).empty or not ctx.covers(table="disputes"):
        return Disputes(None, pd.DataFrame(), False)
    tot, per = summaries(ctx)
    return Disputes(tot, per, recorded(d, "resolved_on"))


def needs(ctx: Context) -> list[Need]:
    """Data of section 4 (for the closing note).

    Examples
    --------
    >>> [n.ok for n in needs(Context.empty())]
    [False, False]
    """
    r = ctx.results.disputes
    return [
        Need(PHRASES["need.disputes"], r.total is not None, PHRASES["without.disputes"]),
        Need(PHRASES["need.resolved"], r.total is not None and r.resolved, PHRASES["without.resolved"]),
    ]


def sentences(ctx: Context, tot: pd.Series, per: pd.DataFrame, resolved: bool = True) -> list[str]:
    """The lead sentence and, for the district, the townships with the lowest resolution rates.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> sentences(ctx, *summaries(ctx))[0][:22]  # doctest: +SKIP
    '上半年,全区共排查矛盾纠纷…'
    """
    if not resolved:
        return [ctx.say(PHRASES["found_only"], ctx.basics(), found=ctx.count(tot["found"], "件"))]
    rate = tot["resolution_rate"] * 100 if np.isfinite(tot["resolution_rate"]) else np.nan
    days = tot["median_days_to_resolve"]
    w = {
        **ctx.basics(),
        "found": ctx.count(tot["found"], "件"),
        "resolved": ctx.count(tot["resolved"], "件"),
        "rate": ctx.pct(rate),
        "backlog": ctx.count(tot["backlog"], "件"),
        "median": ctx.say(PHRASES["median"], days=ctx.number(days)) if np.isfinite(days) else "",
    }
    out = [ctx.say(PHRASES["lead"], w)]
    if ctx.area is None and len(per) > LOWEST:
        low = per.sort_values("resolution_rate").head(LOWEST)
        items = [
            ctx.say(PHRASES["lowest.item"], name=ctx.names.get(c, c), rate=ctx.pct(r * 100))
            for c, r in zip(low["area_code"].astype(str), low["resolution_rate"], strict=False)
        ]
        out.append(ctx.say(PHRASES["lowest"], items=ctx.join(items)))
    return out


def body(ctx: Context, disputes: Disputes) -> B.Html:
    """Sentences, and for the district the chart and table 5 per township.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> show(render_section("disputes", ctx))  # doctest: +SKIP
    """
    if disputes.total is None:
        gap = ctx.data_gap(PHRASES["data"], table="disputes")
        if gap is None and not len(ctx.tables.get("disputes", ())):
            gap = ctx.no_data(PHRASES["data"], "not_ingested")
        return B.para(gap or ctx.no_data(PHRASES["data"]), cls="note")
    tot, per = disputes.total, disputes.per
    blocks: list[Any] = [B.para(*sentences(ctx, tot, per, disputes.resolved))]
    if ctx.area is None and len(per) and disputes.resolved:
        per = per.sort_values("found", ascending=False)
        per = per.assign(name=[ctx.names.get(c, c) for c in per["area_code"].astype(str)])
        blocks.append(
            B.figure(
                charts.grouped_bars(
                    per,
                    "name",
                    {
                        "found": ctx.say(PHRASES["found"]),
                        "resolved": ctx.say(PHRASES["resolved"]),
                        "backlog": ctx.say(PHRASES["chart.backlog"]),
                    },
                    title=ctx.say(PHRASES["chart"]),
                    height=340,
                    text=False,
                )
            )
        )
        show = pd.DataFrame(
            {
                ctx.say(COMMON["col.township"]): per["name"],
                ctx.say(PHRASES["found"]): [ctx.count(v, "件") for v in per["found"]],
                ctx.say(PHRASES["resolved"]): [ctx.count(v, "件") for v in per["resolved"]],
                ctx.say(PHRASES["rate"]): [ctx.pct(v * 100) for v in per["resolution_rate"]],
                ctx.say(PHRASES["backlog"]): [ctx.count(v, "件") for v in per["backlog"]],
            }
        )
        blocks.append(B.table(show, caption=ctx.say(PHRASES["table"])))
        left = int(tot["found"] - per["found"].sum())
        if left > 0:  # disputes without a township count in the district, in no township
            blocks.append(B.note(ctx.say(WORDS["unassigned"], ctx.basics(), n=ctx.count(left, "件"))))
    return B.join(*blocks)
