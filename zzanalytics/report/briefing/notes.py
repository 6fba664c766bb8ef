"""数据说明: the period, the records counted, what each source covers, the rows quarantined at ingest
and why, the methods, what each section needs and whether this briefing has it ("data used / not
available"), and the ingest table (read = accepted + updated + duplicate + quarantined).

Examples
--------
>>> PHRASES.say("reason", "en", reason="negative number", n="3")
'negative number (3)'
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from zzanalytics.ingest.reasons import reason_text
from zzanalytics.report import blocks as B  # noqa: N812
from zzanalytics.report import text as tx
from zzanalytics.report.briefing.context import Context
from zzanalytics.report.briefing.select import local, within
from zzanalytics.report.phrases import Phrases

PHRASES = Phrases(
    {
        "period": (
            "统计期间:{period_year}({start}至{end}),对比期为去年同期。",
            "Period: {period_year} ({start} to {end}), compared with the same period last year.",
        ),
        "incidents": ("本期纳入统计的案件和事故{n}。", "{n} incidents in the period."),
        "quarantine": (
            "数据导入时共有{n}记录因不符合规范未纳入统计(隔离待核),主要原因:{reasons}。",
            "{n} source rows were quarantined at ingest and are not counted; main reasons: {reasons}.",
        ),
        "reason": ("{reason}{n}", "{reason} ({n})"),
        "coverage": (
            "数据时间范围:{items}。范围以外的时段为“无数据”,不按0计算。",
            "The data cover: {items}. Outside these spans there are no data, never counted as zero.",
        ),
        "coverage.item": ("{what}{span}", "{what!l}, {span}"),
        "coverage.criminal": ("刑事案件", "criminal cases"),
        "coverage.traffic": ("道路交通事故", "traffic accidents"),
        "coverage.fire": ("火灾", "fires"),
        "coverage.petitions": ("信访", "petitions"),
        "coverage.disputes": ("矛盾纠纷", "disputes"),
        "methods": (
            "“显著”指经统计检验(按各序列历年波动幅度校正的泊松检验,显著性水平5%)认定的真实变化;"
            "“在正常波动范围内”指变化幅度未超出随机波动。同比只在本期和去年同期均有数据时计算。"
            "全年预测需连续{seasonal}个月以上数据(按季节规律),{simple}至{short}个月按近12个月月均推算,"
            "不足{simple}个月不作预测;预测区间为80%区间。热点分析只用有坐标的案件。"
            "报告仅使用汇总数据,不含个人信息。",
            "'Significant' means a change beyond the series' usual variation (dispersion-aware Poisson "
            "test, 5% level). A change is given only where both periods have data. A year-end forecast "
            "needs {seasonal} months of data without a break (seasonal), {simple} to {short} months give "
            "the last 12 months' average, fewer none; intervals are 80%. Hot-spot analysis uses located "
            "cases only. The report uses aggregates only, no personal data.",
        ),
        "needs.table": ("附表 各部分所需数据及本期情况", "What each section needs, and this briefing"),
        "col.section": ("部分", "Section"),
        "col.needs": ("所需数据", "Data needed"),
        "col.status": ("本期", "This briefing"),
        "col.without": ("缺少时", "Without it"),
        "status.used": ("已用", "used"),
        "status.missing": ("无", "not available"),
        "table": ("附表 数据来源与导入情况", "Sources and ingest"),
        "col.table": ("数据表", "Table"),
        "col.read": ("读入", "Read"),
        "col.accepted": ("入库", "Accepted"),
        "col.updated": ("更新", "Updated"),
        "col.duplicate": ("重复", "Duplicate"),
        "col.quarantined": ("隔离", "Quarantined"),
        "table.incidents": ("案件和事故", "incidents"),
        "table.petitions": ("信访", "petitions"),
        "table.disputes": ("矛盾纠纷", "disputes"),
        "table.cameras": ("视频监控点位", "cameras"),
        "table.areas": ("{area_unit}边界", "{area_unit} boundaries"),
        "table.streets": ("道路", "streets"),
        "table.zones": ("用地分区", "zones"),
        "table.peers": ("县市排名", "peers"),
        "table.targets": ("安全生产目标", "targets"),
    },
    name="notes",
)

TOP_REASONS = 5
"""Quarantine reasons named in the notes (the most frequent)."""

INGEST_TERMS = ("read", "accepted", "updated", "duplicate", "quarantined")
"""Columns of the ingest table; each row adds up: read = accepted + updated + duplicate + quarantined."""

# -------------------------------------------------------------- quarantine reasons


def reason_counts(ctx: Context, quarantine: pd.DataFrame, top: int = TOP_REASONS) -> list[tuple[str, int]]:
    """The ``top`` most frequent reasons, worded by :func:`zzanalytics.ingest.reasons.reason_text`
    (the reason codes' zh/en texts), most frequent first; ties in order of appearance.

    Examples
    --------
    >>> from zzanalytics.report.briefing.context import Context
    >>> q = pd.DataFrame({"reason": ["negative_number", "unparseable_date", "negative_number"]})
    >>> reason_counts(Context.empty(), q)
    [('数值为负', 2), ('日期无法识别', 1)]
    """
    words = quarantine["reason"].map(lambda code: reason_text(code, ctx.lang))
    counts = words.value_counts(sort=False).sort_values(ascending=False, kind="stable")
    return [(str(r), int(n)) for r, n in counts.head(top).items()]


# -------------------------------------------------------------- the section


def sentences(ctx: Context) -> list[str]:
    """Period, records counted, coverage, quarantine and its reasons, methods.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> sentences(ctx)[0]  # doctest: +SKIP
    '统计期间:2026年上半年(2026-01-01至2026-06-30),对比期为去年同期。'
    """
    from zzanalytics.report.briefing.forecasts import SEASONAL_MONTHS, SIMPLE_MONTHS

    q = ctx.quarantine if ctx.quarantine is not None else pd.DataFrame()
    n_inc = len(within(local(ctx, ctx.incidents), "occurred_at", ctx.start, ctx.end))
    w = {
        "period_year": tx.period_label(ctx.start, ctx.end, ctx.lang, with_year=True),
        "start": f"{ctx.start:%Y-%m-%d}",
        "end": f"{ctx.end:%Y-%m-%d}",
        "n": ctx.count(n_inc, "条"),
    }
    out = [ctx.say(PHRASES["period"], w), ctx.say(PHRASES["incidents"], w)]
    spans = coverage_items(ctx)
    if spans:
        out.append(ctx.say(PHRASES["coverage"], items=ctx.join(spans, "clause")))
    if len(q):
        reasons = [
            ctx.say(PHRASES["reason"], reason=r, n=ctx.count(n, "条")) for r, n in reason_counts(ctx, q)
        ]
        out.append(ctx.say(PHRASES["quarantine"], n=ctx.count(len(q), "条"), reasons=ctx.join(reasons)))
    m = {"seasonal": SEASONAL_MONTHS, "simple": SIMPLE_MONTHS, "short": SEASONAL_MONTHS - 1}
    out.append(ctx.say(PHRASES["methods"], m))
    return out


def coverage_items(ctx: Context) -> list[str]:
    """What each source covers: ``刑事案件2014年1月1日至2021年12月31日`` — per criminal category when
    theirs differ (``盗窃…;诈骗2026年7月1日至…``) — then traffic, fire, petitions and disputes; a
    kind no source holds is left out (the table of needs says it is not available).

    Examples
    --------
    >>> from zzanalytics.store.coverage import Coverage
    >>> from dataclasses import replace
    >>> day = pd.to_datetime
    >>> cov = Coverage.from_frame(pd.DataFrame({"category": ["theft.other", "fraud.telecom"],
    ...     "start": day(["2019-01-01", "2026-07-01"]), "end": day(["2026-10-31"] * 2)}))
    >>> coverage_items(replace(Context.empty(lang="en"), coverage=cov))
    ['theft, 1 January 2019 – 31 October 2026', 'fraud, 1 July – 31 October 2026']
    """
    from zzanalytics.schema import CRIMINAL_PREFIXES

    if ctx.coverage is None:
        return []

    def item(what: str, cats: Any, table: str = "incidents") -> str | None:
        span = ctx.coverage_span(cats, table)
        return None if span == tx.MISSING else ctx.say(PHRASES["coverage.item"], what=what, span=span)

    held = [p for p in CRIMINAL_PREFIXES if ctx.holds(p)]
    spans = {p: ctx.coverage_span(p) for p in held}
    if held and len(set(spans.values())) == 1:
        out = [item(ctx.say(PHRASES["coverage.criminal"]), held)]
    else:
        out = [item(ctx.label(p), p) for p in held]
    for key in ("traffic", "fire"):
        out.append(item(ctx.say(PHRASES[f"coverage.{key}"]), key))
    for key in ("petitions", "disputes"):
        out.append(item(ctx.say(PHRASES[f"coverage.{key}"]), None, key))
    return [o for o in out if o]


def ingest_table(ctx: Context) -> B.Html:
    """Per table: rows read, accepted, updated, duplicate and quarantined (they add up).

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> show(ingest_table(ctx))  # doctest: +SKIP
    """
    log = ctx.ingest_log if ctx.ingest_log is not None else pd.DataFrame()
    if not len(log):
        return B.Html("")
    files = log.groupby("table", as_index=False)[list(INGEST_TERMS)].sum()

    def table_name(t: str) -> str:
        key = f"table.{t}"
        return ctx.say(PHRASES[key]) if key in PHRASES else str(t)

    show = pd.DataFrame({ctx.say(PHRASES["col.table"]): files["table"].map(table_name)})
    for term in INGEST_TERMS:
        show[ctx.say(PHRASES[f"col.{term}"])] = [ctx.number(v) for v in files[term]]
    return B.table(show, caption=ctx.say(PHRASES["table"]))


def needs_table(ctx: Context, needs: list[tuple[Any, list[Any]]]) -> B.Html:
    """Every section shown, the data it needs, whether this briefing has them and what the section
    says or leaves out without them ("data used / not available").

    Examples
    --------
    >>> from zzanalytics.report.briefing.context import Context
    >>> from zzanalytics.report.briefing.registry import needs_of
    >>> "所需数据" in needs_table(Context.empty(), needs_of(Context.empty()))
    True
    """
    rows = []
    number = 0
    for section, items in needs:
        number += 1 if section.numbered else 0
        title = section.title(ctx.lang, number if section.numbered else None, ctx.words())
        for i, need in enumerate(items):
            status = "used" if need.ok else "missing"
            rows.append(
                {
                    ctx.say(PHRASES["col.section"]): title if i == 0 else "",
                    ctx.say(PHRASES["col.needs"]): ctx.say(need.what),
                    ctx.say(PHRASES["col.status"]): ctx.say(PHRASES[f"status.{status}"]),
                    ctx.say(PHRASES["col.without"]): ctx.say(need.without),
                }
            )
    if not rows:
        return B.Html("")
    return B.table(pd.DataFrame(rows), caption=ctx.say(PHRASES["needs.table"]), cls="zz compact")


def body(ctx: Context, needs: list[tuple[Any, list[Any]]], cameras: Any) -> B.Html:
    """The notes, the table of what each section needs, the ingest table and any warning raised
    while the briefing was built.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> show(render_section("notes", ctx))  # doctest: +SKIP
    """
    warnings = [B.note(cameras.error)] if cameras.error else []
    return B.join(B.para(*sentences(ctx), cls="note"), needs_table(ctx, needs), ingest_table(ctx), *warnings)
