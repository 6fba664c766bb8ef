"""二、信访维稳形势: batches and persons per level with the same-period change, provincial and city rank.

A batch (批) is a petition record; persons (人次) the sum of ``persons``.

Examples
--------
>>> PHRASES.say("group", "zh", label="赴区上访", batches="12批35人次", change="同比批数上升5.2%(显著)")
'赴区上访12批35人次,同比批数上升5.2%(显著)'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from zzanalytics.report import blocks as B  # noqa: N812
from zzanalytics.report import charts, theme
from zzanalytics.report import text as tx
from zzanalytics.report.briefing.context import Context
from zzanalytics.report.briefing.results import shared
from zzanalytics.report.briefing.scope import Need
from zzanalytics.report.briefing.select import change_table, compare, local, row, within
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
        "need.petitions": ("信访登记(本期及去年同期)", "petition records (this period and last year)"),
        "need.peers": ("全省县市信访排名", "the province's county ranking"),
        "without.petitions": ("写明无信访数据", "says there are no petition data"),
        "without.peers": ("不写排名", "leaves the rank out"),
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


@dataclass(frozen=True)
class Petitions:
    """Petitions of the period: each group's batches and persons against the same period last year
    (``groups``: ``key``, ``batches``, ``persons``), and the district's ranks among its peers
    (``ranks``: ``(scope, rank, n)``, of ``rank_period``)."""

    groups: list[dict[str, Any]]
    ranks: list[tuple[str, int, int]] = field(default_factory=list)
    rank_period: str = ""


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
        b = row(ctx, compare(ctx, sub, date_col="received_on"), table="petitions")
        p = row(ctx, compare(ctx, sub, date_col="received_on", weight="persons"), table="petitions")
        out.append({"key": key, "batches": b, "persons": p})
    return out


@shared("petitions")
def compute(ctx: Context) -> Petitions:
    """The figures of section 2 (language-free; ``ctx.results.petitions``).

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> ctx.results.petitions.ranks  # doctest: +SKIP
    """
    held = len(ctx.tables.get("petitions", ())) > 0
    groups = petition_rows(ctx) if held and ctx.covers(table="petitions") else []
    ranks, period = peer_ranks(ctx)
    return Petitions(groups, ranks, period)


def needs(ctx: Context) -> list[Need]:
    """Data of section 2 (for the closing note).

    Examples
    --------
    >>> [n.ok for n in needs(Context.empty())]
    [True, False]
    """
    ok = ctx.covers(table="petitions") and ctx.covers_baseline(table="petitions")
    return [
        Need(PHRASES["need.petitions"], ok, PHRASES["without.petitions"]),
        Need(PHRASES["need.peers"], bool(ctx.results.petitions.ranks), PHRASES["without.peers"]),
    ]


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


def peer_ranks(ctx: Context) -> tuple[list[tuple[str, int, int]], str]:
    """The district's ranks among its peers (``(scope, rank, n)``) in the latest period of the
    peers table this year (else its latest), and that period; ``([], "")`` without them.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> peer_ranks(ctx)  # doctest: +SKIP
    ([('province', 12, 80), ('city', 3, 9)], '2026Q2')
    """
    from zzanalytics.aggregate import peer_rank

    peers = ctx.tables.get("peers")
    if ctx.area is not None or peers is None or peers.empty:
        return [], ""
    home = home_county(peers, ctx.county)
    if home is None:
        return [], ""
    metric = (
        "petitions.irregular" if (peers["metric"] == "petitions.irregular").any() else peers["metric"].iloc[0]
    )
    mine = peers[(peers["metric"] == metric) & (peers["county"] == home)]
    periods = sorted(p for p in mine["period"].astype(str).unique() if p.startswith(str(ctx.end.year)))
    if not periods:
        periods = sorted(mine["period"].astype(str).unique())
    if not periods:
        return [], ""
    period = periods[-1]
    parts = []
    for scope in ("province", "city"):
        try:
            r = peer_rank(peers, home, metric, period, scope=scope if "scope" in peers.columns else None)
        except Exception:
            continue
        parts.append((scope, int(r["rank"]), int(r["n"])))
    return parts, period


def rank_sentence(ctx: Context, petitions: Petitions) -> str:
    """``第二季度省、市信访案件通报中,我区排全省X个县市的第X位,在全市排第X位…`` ('' without ranks).

    Examples
    --------
    >>> rank_sentence(Context.empty(), Petitions([], [("province", 2, 4)], "2026Q2"))
    '第二季度省、市信访案件通报中,我区排全省4个县市的第2位(按非正常上访批次由多到少排序,第1位为最多)。'
    """
    if not petitions.ranks:
        return ""
    parts = [tx.rank(rank, n, scope, ctx.lang) for scope, rank, n in petitions.ranks]
    period = petitions.rank_period
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
        label = ctx.say(PHRASES[f"label.{r['key']}"])
        w = {**ctx.basics(), "label": label, "batches": tx.batches(b["current"], p["current"], ctx.lang)}
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
    series = {"prev": ctx.say(PHRASES["chart.previous"]), "cur": ctx.say(PHRASES["chart.current"])}
    colors = ["#c7c7c7", theme.BLUE]
    if not ctx.covers_baseline(table="petitions"):  # no bars of zeros for a year without data
        series, colors = {"cur": series["cur"]}, colors[1:]
    return charts.grouped_bars(
        frame, "level", series, title=ctx.say(PHRASES["chart"]), colors=colors, height=300
    )


def body(ctx: Context, petitions: Petitions) -> B.Html:
    """Sentences on the three groups and the rank, the chart per level and table 2.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> show(render_section("petitions", ctx))  # doctest: +SKIP
    """
    gap = ctx.data_gap(PHRASES["data"], table="petitions")
    if gap is None and not len(ctx.tables.get("petitions", ())):
        gap = ctx.no_data(PHRASES["data"], "not_ingested")
    if gap or not petitions.groups:
        return B.join(
            B.para(gap or ctx.no_data(PHRASES["data"]), cls="note"), B.para(rank_sentence(ctx, petitions))
        )
    rows = petitions.groups
    table_rows = []
    for r in rows:
        label = ctx.say(PHRASES[f"label.{r['key']}"])
        for key, what, unit in (
            ("batches", COMMON["what.batches"], "批"),
            ("persons", PHRASES["table.persons"], "人次"),
        ):
            name = ctx.say(PHRASES["table.row"], label=label, what=ctx.say(what))
            table_rows.append(change_table(ctx, [(name, r[key])], unit))
    fig = level_chart(ctx, local(ctx, ctx.tables["petitions"]))
    return B.join(
        B.para(sentences(ctx, rows), rank_sentence(ctx, petitions)),
        B.figure(fig) if fig is not None else "",
        B.table(
            pd.concat(table_rows, ignore_index=True),
            caption=ctx.say(PHRASES["table"], ctx.basics()),
            highlight="_flag",
        ),
    )
