"""二、信访维稳形势: batches and persons per level with the same-period change, provincial and city rank.

A batch (批) is a petition record; persons (人次) the sum of ``persons``.

Examples
--------
>>> PHRASES.say("group", "zh", label="赴区上访", batches="12批35人次", change="同比批数上升5.2%(显著)")
'赴区上访12批35人次,同比批数上升5.2%(显著)'
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from zzanalytics.report import blocks as B  # noqa: N812
from zzanalytics.report import charts, theme
from zzanalytics.report import text as tx
from zzanalytics.report.briefing.context import Context, change_table, compare, local, row, within
from zzanalytics.report.phrases import COMMON, Phrases, numeral

PHRASES = Phrases(
    {
        "group.first": (
            "{period},{subject}{label}{batches},{change}",
            "In {period}, {subject} had {batches} of {label}: {change}",
        ),
        "group": ("{label}{batches},{change}", "{batches} of {label}: {change}"),
        "none.first": (
            "{period},{subject}{label}0批,与去年同期均为0",
            "In {period}, {subject} had no {label}, none in the same period last year either",
        ),
        "none": ("{label}0批,与去年同期均为0", "no {label}, none in the same period last year either"),
        "change": ("{batches_change}、{persons_change}", "{batches_change}, {persons_change}"),
        "change.new": ("去年同期为0", "none in the same period last year"),
        "label.province_capital_irregular": (
            "赴省进京非正常上访",
            "irregular petitions to the province and Beijing",
        ),
        "label.city_collective": ("赴市集体上访", "collective petitions to the city"),
        "label.district": ("赴区上访", "petitions to the district"),
        "rank": (
            "{quarter}省、市信访案件通报中,我区{ranks}(按非正常上访批次由多到少排序,第1位为最多)。",
            "In the {quarter} provincial and city petition reports, the district {ranks} "
            "(rank 1 = most irregular petitions).",
        ),
        "rank.sep": (",", " and "),
        "quarter": ("第{n}季度", "Q{n}"),
        "table.row": ("{label}({what})", "{label} ({what})"),
        "table.persons": ("人次", "persons"),
        "table": ("表2 {period}信访情况统计", "Table 2. Petitions, {period}"),
        "level.capital": ("进京", "Beijing"),
        "level.province": ("赴省", "Province"),
        "level.city": ("赴市", "City"),
        "level.district": ("赴区", "District"),
        "chart": ("各层级上访批次(含正常与非正常)", "Petition batches by level"),
        "chart.previous": ("去年同期", "Same period last year"),
        "chart.current": ("本期", "This period"),
        "data": ("信访登记", "petition"),
    },
    name="petitions",
)

GROUPS = ("province_capital_irregular", "city_collective", "district")
"""The speech's three groups: irregular petitions to the province and Beijing, collective
petitions to the city, petitions to the district."""

LEVELS = ("capital", "province", "city", "district")


def group_rows(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """The petitions of one of :data:`GROUPS`.

    Examples
    --------
    >>> pet = pd.DataFrame({"level": ["capital", "city", "district"], "irregular": [True, False, False],
    ...                     "form": ["individual", "collective", "individual"]})
    >>> [len(group_rows(pet, g)) for g in GROUPS]
    [1, 1, 1]
    """
    if key == "province_capital_irregular":
        irregular = frame["irregular"].fillna(False).astype(bool)
        return frame[frame["level"].isin(["capital", "province"]) & irregular]
    if key == "city_collective":
        return frame[(frame["level"] == "city") & (frame["form"] == "collective")]
    return frame[frame["level"] == "district"]


def petition_rows(ctx: Context) -> list[dict[str, Any]]:
    """Batches and persons of each petition group this period and last year, with their tests.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> [r["batches"]["current"] for r in petition_rows(ctx)]  # doctest: +SKIP
    """
    pet = local(ctx, ctx.tables["petitions"])
    out = []
    for key in GROUPS:
        sub = group_rows(pet, key)
        b = row(compare(ctx, sub, date_col="received_on"))
        p = row(compare(ctx, sub, date_col="received_on", weight="persons"))
        out.append({"key": key, "label": ctx.say(PHRASES[f"label.{key}"]), "batches": b, "persons": p})
    return out


def home_county(peers: pd.DataFrame, county: str | None = None) -> str | None:
    """Our county in the peers table: ``county`` (the store's district name) when given, else
    ``本区``/``我区``; ``None`` when it is not in the table.

    Examples
    --------
    >>> peers = pd.DataFrame({"county": ["本区", "甲县"]})
    >>> home_county(peers), home_county(peers, "金河区")
    ('本区', None)
    """
    names = set(peers["county"].astype(str))
    if county:
        return county if county in names else None
    for name in ("本区", "我区"):
        if name in names:
            return name
    return None


def peer_ranks(ctx: Context) -> str:
    """``第三季度省、市信访案件通报中,我区排全省X个县市的第X位,在全市排第X位…``, from the peers table.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> peer_ranks(ctx)  # doctest: +SKIP
    '第二季度省、市信访案件通报中,我区排全省80个县市的第…'
    """
    from zzanalytics.aggregate import peer_rank

    peers = ctx.tables["peers"]
    if ctx.area is not None or peers is None or peers.empty:
        return ""
    home = home_county(peers, ctx.county)
    if home is None:
        return ""
    metric = (
        "petitions.irregular" if (peers["metric"] == "petitions.irregular").any() else peers["metric"].iloc[0]
    )
    mine = peers[(peers["metric"] == metric) & (peers["county"] == home)]
    periods = sorted(p for p in mine["period"].astype(str).unique() if p.startswith(str(ctx.end.year)))
    if not periods:
        periods = sorted(mine["period"].astype(str).unique())
    if not periods:
        return ""
    period = periods[-1]
    parts = []
    for scope in ("province", "city"):
        try:
            r = peer_rank(peers, home, metric, period, scope=scope if "scope" in peers.columns else None)
        except Exception:  # no rank in this scope (e.g. no city rows)
            continue
        parts.append(tx.rank(r["rank"], r["n"], scope, ctx.lang))
    if not parts:
        return ""
    quarter = period.split("Q")[-1] if "Q" in period else ""
    known = quarter in ("1", "2", "3", "4")
    words = ctx.say(PHRASES["quarter"], n=numeral(int(quarter), ctx.lang)) if known else period
    return ctx.say(PHRASES["rank"], quarter=words, ranks=ctx.say(PHRASES["rank.sep"]).join(parts))


def sentences(ctx: Context, rows: list[dict[str, Any]]) -> str:
    """One sentence over the three groups, in the speech's order.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> sentences(ctx, petition_rows(ctx))[:12]  # doctest: +SKIP
    '上半年,全区赴省进京非正常…'
    """
    parts = []
    for i, r in enumerate(rows):
        b, p = r["batches"], r["persons"]
        first = ".first" if i == 0 else ""
        w = {**ctx.basics(), "label": r["label"], "batches": tx.batches(b["current"], p["current"], ctx.lang)}
        if b["current"] == 0 and b["baseline"] == 0:
            parts.append(ctx.say(PHRASES[f"none{first}"], w))
            continue
        if tx.is_missing(b["baseline"]):
            w["change"] = ctx.say(COMMON["change.no_baseline"])
        elif b["baseline"]:
            w["batches_change"] = ctx.change(b, "compared" if i == 0 else "later", COMMON["what.batches"])
            w["persons_change"] = ctx.change(p, "none", COMMON["what.persons"])
            w["change"] = ctx.say(PHRASES["change"], w)
        else:
            w["change"] = ctx.say(PHRASES["change.new"])
        parts.append(ctx.say(PHRASES[f"group{first}"], w))
    return ctx.join(parts, "clause") + ctx.say(COMMON["sep.sentence_end"])


def level_chart(ctx: Context, pet: pd.DataFrame) -> Any:
    """Batches per level, this period against the same period last year (``None`` without data).

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> level_chart(ctx, ctx.tables["petitions"]).layout.title.text  # doctest: +SKIP
    '各层级上访批次(含正常与非正常)'
    """
    if not len(pet):
        return None
    cur = within(pet, "received_on", ctx.start, ctx.end)
    prev = within(pet, "received_on", ctx.start - pd.DateOffset(years=1), ctx.end - pd.DateOffset(years=1))
    frame = pd.DataFrame(
        {
            "level": [ctx.say(PHRASES[f"level.{k}"]) for k in LEVELS],
            "cur": [int((cur["level"] == k).sum()) for k in LEVELS],
            "prev": [int((prev["level"] == k).sum()) for k in LEVELS],
        }
    )
    return charts.grouped_bars(
        frame,
        "level",
        {"prev": ctx.say(PHRASES["chart.previous"]), "cur": ctx.say(PHRASES["chart.current"])},
        title=ctx.say(PHRASES["chart"]),
        colors=["#c7c7c7", theme.BLUE],
        height=300,
    )


def body(ctx: Context) -> B.Html:
    """Sentences on the three groups and the rank, the chart per level and table 2.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> show(body(ctx))  # doctest: +SKIP
    """
    gap = ctx.data_gap(PHRASES["data"], table="petitions")
    if gap:
        return B.para(gap, cls="note")
    rows = petition_rows(ctx)
    ctx.cache["petitions"] = rows
    table_rows = []
    for r in rows:
        for key, what, unit in (
            ("batches", COMMON["what.batches"], "批"),
            ("persons", PHRASES["table.persons"], "人次"),
        ):
            label = ctx.say(PHRASES["table.row"], label=r["label"], what=ctx.say(what))
            table_rows.append(change_table(ctx, [(label, r[key])], unit))
    fig = level_chart(ctx, local(ctx, ctx.tables["petitions"]))
    return B.join(
        B.para(sentences(ctx, rows), peer_ranks(ctx)),
        B.figure(fig) if fig is not None else "",
        B.table(
            pd.concat(table_rows, ignore_index=True),
            caption=ctx.say(PHRASES["table"], ctx.basics()),
            highlight="_flag",
        ),
    )
