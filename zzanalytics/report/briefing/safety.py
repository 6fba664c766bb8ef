"""三、交通和消防安全: traffic accidents with deaths and injuries, major accidents, fires and their
losses, and the notable incidents of the period (without personal data).

Examples
--------
>>> PHRASES.say("notable", "en", date="6 May", what="Fire", cause="", place="Gulou", harm="")
'6 May: fire in Gulou.'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from zzanalytics.report import blocks as B  # noqa: N812
from zzanalytics.report import charts
from zzanalytics.report import text as tx
from zzanalytics.report.briefing.context import Context
from zzanalytics.report.briefing.results import shared
from zzanalytics.report.briefing.scope import Need
from zzanalytics.report.briefing.select import (
    change_table,
    compare,
    local,
    monthly,
    recorded,
    row,
    total,
    with_prefix,
    within,
)
from zzanalytics.report.phrases import COMMON, Phrases

PHRASES = Phrases(
    {
        "traffic": (
            "{period},{subject}发生道路交通事故{traffic},{traffic_change}{harm}{major_clause}。",
            "In {period}, {subject} had {traffic} road traffic accidents, {traffic_change}{harm}"
            "{major_clause}.",
        ),
        "harm": (",死亡{deaths}、受伤{injuries}", ", with {deaths} and {injuries}"),
        "traffic.harm.deaths": (",死亡{deaths}", ", with {deaths}"),
        "major": (
            ";其中重大道路交通事故{major},死亡{major_deaths}、受伤{major_injuries},{major_change}",
            "; {major} were major accidents ({major_deaths}, {major_injuries}), {major_change}",
        ),
        "major.one": (
            ";其中重大道路交通事故{major},死亡{major_deaths}、受伤{major_injuries},{major_change}",
            "; {major} was a major accident ({major_deaths}, {major_injuries}), {major_change}",
        ),
        "major.none": (
            ";未发生重大道路交通事故(去年同期{major_last})",
            "; none was a major accident (same period last year: {major_last})",
        ),
        "fire": (
            "{period},{subject}发生火灾{fires},直接经济损失{loss};与去年同期相比,{fire_change}{loss_change}。",
            "{subject!u} had {fires} fires in {period}, with a direct economic loss of {loss}; "
            "{fire_change}{loss_change}.",
        ),
        "fire.no_baseline": (
            "{period},{subject}发生火灾{fires},直接经济损失{loss}(去年同期无火灾数据,不作比较)。",
            "{subject!u} had {fires} fires in {period}, with a direct economic loss of {loss} (no fire data "
            "for the same period last year to compare with).",
        ),
        "fire.none": (
            "{period},{subject}未发生火灾,去年同期也未发生。",
            "{subject!u} had no fires in {period}, nor in the same period last year.",
        ),
        "traffic.none": (
            "{period},{subject}未发生道路交通事故,去年同期也未发生。",
            "In {period}, {subject} had no road traffic accidents, nor in the same period last year.",
        ),
        "major.none.no_baseline": (";未发生重大道路交通事故", "; none was a major accident"),
        "fire.no_loss": (
            "{period},{subject}发生火灾{fires},{fire_change_first}(火灾数据未记录经济损失)。",
            "{subject!u} had {fires} fires in {period}, {fire_change_first} (the fire data record no "
            "losses).",
        ),
        "data.traffic": ("交通事故", "traffic"),
        "data.fire": ("火灾", "fire"),
        "what.fires": ("起数", "the number of fires is"),
        "loss_change": (",{change}", ", {change}"),
        "need.traffic": ("道路交通事故(本期及去年同期)", "traffic accidents (this period and last year)"),
        "need.fire": ("火灾(本期及去年同期)", "fires (this period and last year)"),
        "need.major": ("重大道路交通事故分级", "which accidents were major"),
        "need.casualties": ("交通事故伤亡人数、火灾损失", "traffic casualties, fire losses"),
        "without.traffic": ("写明无交通事故数据", "says there are no traffic data"),
        "without.fire": ("写明无火灾数据", "says there are no fire data"),
        "without.major": ("不写重大事故", "leaves major accidents out"),
        "without.casualties": ("不写伤亡和损失", "leaves casualties and losses out"),
        "row.traffic": ("道路交通事故", "Traffic accidents"),
        "row.major": ("其中:重大事故", "of which major"),
        "row.deaths": ("交通事故死亡人数", "Traffic deaths"),
        "row.fire": ("火灾", "Fires"),
        "row.loss": ("火灾直接经济损失", "Fire losses"),
        "chart": ("道路交通事故月度起数", "Traffic accidents per month"),
        "table": ("表3 {period}交通和火灾事故统计", "Table 3. Traffic and fire, {period}"),
        "notable.heading": ("重大事故和较大火灾一览", "Notable incidents"),
        "notable.none": (
            "本期未发生重大道路交通事故和较大火灾。",
            "No major traffic accident or large fire in the period.",
        ),
        "notable.none.traffic": ("本期未发生重大道路交通事故。", "No major traffic accident in the period."),
        "notable.none.fire": ("本期未发生较大火灾。", "No large fire in the period."),
        "notable": (
            "{date},{place}发生一起{what}{cause}{harm}。",
            "{date}: {what!l}{cause} in {place}{harm}.",
        ),
        "notable.cause.fire": ("(起火原因:{cause})", " (cause: {cause})"),
        "notable.cause.traffic": ("(事故原因:{cause})", " (cause: {cause})"),
        "notable.harm": (",造成{items}", ", {items}"),
        "harm.deaths": ("{n}人死亡", "{n} killed"),
        "harm.injuries": ("{n}人受伤", "{n} injured"),
        "harm.loss": ("直接经济损失{loss}", "direct loss {loss}"),
        "col.date": ("日期", "Date"),
        "col.category": ("类别", "Category"),
        "col.cause": ("原因", "Cause"),
        "col.deaths": ("死亡", "Deaths"),
        "col.injuries": ("受伤", "Injured"),
        "col.loss": ("直接经济损失", "Loss"),
        "notable.table": (
            "表4 重大事故和较大火灾(不含个人信息)",
            "Table 4. Notable incidents (no personal data)",
        ),
    },
    name="safety",
)

DEATHS, INJURIES = ("death", "deaths"), ("injury", "injuries")
"""English nouns of the casualty counts."""
NOTABLE_FIRE_LOSS = 100_000.0
"""Fires with a direct loss from this many yuan (or any death) are listed as notable."""

UNINFORMATIVE_CAUSES = ("其他", "其它", "other", "unknown", "不详")
"""Causes not worth a clause in a sentence (they still show in table 4)."""


def notable_incidents(ctx: Context, traffic_limit: int = 8, fire_limit: int = 5) -> pd.DataFrame:
    """Major traffic accidents and large or deadly fires of the period, without any personal data.

    The most serious major accidents (by deaths, then injuries) and fires (by deaths, then loss;
    only fires with a death or a loss of at least :data:`NOTABLE_FIRE_LOSS`), in date order, with a
    ``severity`` rank. Only date, township, category, cause, deaths, injuries and loss are kept
    (never the id, description, coordinates or reporter); text columns are cleaned and masked.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> notable_incidents(ctx).columns.tolist()  # doctest: +SKIP
    ['date', 'area_code', 'category', 'cause', 'deaths', 'injuries', 'loss_yuan', 'severity']
    """
    inc = within(local(ctx, ctx.incidents), "occurred_at", ctx.start, ctx.end)

    def num(frame: pd.DataFrame, col: str) -> pd.Series:
        if col not in frame.columns:
            return pd.Series(0.0, index=frame.index)
        return pd.to_numeric(frame[col], errors="coerce").fillna(0)

    major = with_prefix(inc, "traffic.major") if ctx.covers("traffic.major") else inc.iloc[0:0]
    major = major.assign(_d=num(major, "deaths"), _i=num(major, "injuries"), _l=0.0)
    major = major.sort_values(["_d", "_i"], ascending=False).head(traffic_limit)
    fires = with_prefix(inc, "fire") if ctx.covers("fire") else inc.iloc[0:0]
    fires = fires.assign(_d=num(fires, "deaths"), _i=num(fires, "injuries"), _l=num(fires, "loss_yuan"))
    fires = fires[(fires["_l"] >= NOTABLE_FIRE_LOSS) | (fires["_d"] > 0)]
    fires = fires.sort_values(["_d", "_l"], ascending=False).head(fire_limit)
    rows = pd.concat([major, fires])
    if rows.empty:
        return pd.DataFrame()
    rows = rows.assign(
        severity=(rows["_d"] * 1e9 + rows["_i"] * 1e6 + rows["_l"] / 1e3)
        .rank(ascending=False, method="first")
        .astype(int)
    ).sort_values("occurred_at")
    keep = pd.DataFrame(
        {
            "date": rows["occurred_at"],
            "area_code": rows["area_code"].astype(str),
            "category": rows["category"],
            "cause": rows["cause"] if "cause" in rows.columns else None,
            "deaths": rows["_d"].astype(int),
            "injuries": rows["_i"].astype(int),
            "loss_yuan": rows["_l"],
            "severity": rows["severity"],
        }
    )
    return tx.mask_frame(keep)


def notable_sentence(ctx: Context, r: pd.Series) -> str:
    """``5月6日,柳泉镇发生一起重大道路交通事故(事故原因:…),造成2人死亡、3人受伤。``

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> notable_sentence(ctx, notable_incidents(ctx).iloc[0])  # doctest: +SKIP
    """
    fire = str(r["category"]).startswith("fire")
    cause = tx.clean(r.get("cause") or "")
    harm = []
    if r["deaths"]:
        harm.append(ctx.say(PHRASES["harm.deaths"], n=ctx.number(r["deaths"])))
    if r["injuries"]:
        harm.append(ctx.say(PHRASES["harm.injuries"], n=ctx.number(r["injuries"])))
    if r["loss_yuan"] and fire:
        harm.append(ctx.say(PHRASES["harm.loss"], loss=ctx.money(r["loss_yuan"])))
    w = {
        "date": ctx.date(r["date"]),
        "place": ctx.names.get(r["area_code"], r["area_code"]),
        "what": ctx.label(r["category"]),
        "cause": ""
        if cause in UNINFORMATIVE_CAUSES or not cause
        else ctx.say(PHRASES["notable.cause.fire" if fire else "notable.cause.traffic"], cause=cause),
        "harm": ctx.say(PHRASES["notable.harm"], items=ctx.join(harm)) if harm else "",
    }
    return ctx.say(PHRASES["notable"], w)


def notable_block(ctx: Context, notable: pd.DataFrame) -> list[Any]:
    """Sub-heading, sentences on the three most serious incidents and table 4.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> show(*notable_block(ctx, notable_incidents(ctx)))  # doctest: +SKIP
    """
    majors, fires = ctx.covers("traffic.major"), ctx.covers("fire")
    if notable.empty and not (majors or fires):  # nothing graded or covered: nothing to say either way
        return []
    blocks: list[Any] = [B.heading(ctx.say(PHRASES["notable.heading"]), 3)]
    if notable.empty:
        key = (
            "notable.none"
            if majors and fires
            else ("notable.none.traffic" if majors else "notable.none.fire")
        )
        return [*blocks, B.para(ctx.say(PHRASES[key]), cls="note")]
    top = notable[notable["severity"] <= 3]
    blocks.append(B.para(*[notable_sentence(ctx, r) for _, r in top.iterrows()]))
    col = {
        k: ctx.say(PHRASES[f"col.{k}"]) for k in ("date", "category", "cause", "deaths", "injuries", "loss")
    }
    show = pd.DataFrame(
        {
            col["date"]: [ctx.date(d) for d in notable["date"]],
            ctx.say(COMMON["col.township"]): [ctx.names.get(a, a) for a in notable["area_code"]],
            col["category"]: [ctx.label(c) for c in notable["category"]],
            col["cause"]: notable["cause"].fillna("").replace("", tx.MISSING),
            col["deaths"]: [ctx.count(v, "人") for v in notable["deaths"]],
            col["injuries"]: [ctx.count(v, "人") for v in notable["injuries"]],
            col["loss"]: [
                ctx.money(v) if str(c).startswith("fire") else tx.MISSING
                for v, c in zip(notable["loss_yuan"], notable["category"], strict=False)
            ],
        }
    )
    return [*blocks, B.table(show, caption=ctx.say(PHRASES["notable.table"]))]


@dataclass(frozen=True)
class Safety:
    """Traffic accidents and fires of the period against the same period last year.

    A figure is None where the data cannot give it: ``traffic`` / ``fire`` when their data do not
    cover the period, ``major`` when no source grades accidents as major, ``deaths`` /
    ``injuries`` / ``loss`` when the source does not record them.
    """

    traffic: dict[str, Any] | None
    major: dict[str, Any] | None
    deaths: dict[str, Any] | None
    injuries: float | None
    major_deaths: float
    major_injuries: float
    fire: dict[str, Any] | None
    loss: dict[str, Any] | None
    notable: pd.DataFrame
    monthly_traffic: pd.DataFrame | None


@shared("safety")
def compute(ctx: Context) -> Safety:
    """The figures of section 3 (language-free; ``ctx.results.safety``).

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> ctx.results.safety.traffic["current"]  # doctest: +SKIP
    """
    inc = local(ctx, ctx.incidents)
    traffic, fire = with_prefix(inc, "traffic"), with_prefix(inc, "fire")
    has_traffic, has_fire = ctx.covers("traffic"), ctx.covers("fire")
    has_major = has_traffic and ctx.covers("traffic.major")
    major = with_prefix(inc, "traffic.major")
    cur_traffic = within(traffic, "occurred_at", ctx.start, ctx.end)
    cur_major = within(major, "occurred_at", ctx.start, ctx.end)
    return Safety(
        traffic=row(ctx, compare(ctx, traffic), category="traffic") if has_traffic else None,
        # compared with the other accidents: the records of a rare category alone would cut the
        # coverage the analysis is given to the few days around them (coverage_for's record stretches)
        major=row(ctx, compare(ctx, traffic, by=("category",)), category="traffic.major")
        if has_major
        else None,
        deaths=row(ctx, compare(ctx, traffic, weight="deaths"), category="traffic")
        if has_traffic and recorded(traffic, "deaths")
        else None,
        injuries=total(cur_traffic, "injuries") if has_traffic and recorded(traffic, "injuries") else None,
        major_deaths=total(cur_major, "deaths"),
        major_injuries=total(cur_major, "injuries"),
        fire=row(ctx, compare(ctx, fire), category="fire") if has_fire else None,
        loss=row(ctx, compare(ctx, fire, weight="loss_yuan"), category="fire")
        if has_fire and recorded(fire, "loss_yuan")
        else None,
        notable=notable_incidents(ctx),
        monthly_traffic=monthly(ctx, traffic) if has_traffic else None,
    )


def needs(ctx: Context) -> list[Need]:
    """Data of section 3 (for the closing note).

    Examples
    --------
    >>> [n.ok for n in needs(Context.empty())]
    [True, True, True, False]
    """
    s = ctx.results.safety
    both = [(k, ctx.covers(k) and ctx.covers_baseline(k)) for k in ("traffic", "fire")]
    out = [Need(PHRASES[f"need.{k}"], ok, PHRASES[f"without.{k}"]) for k, ok in both]
    out.append(Need(PHRASES["need.major"], s.major is not None, PHRASES["without.major"]))
    harm = (s.traffic is None or s.deaths is not None) and (s.fire is None or s.loss is not None)
    out.append(
        Need(
            PHRASES["need.casualties"],
            harm and (s.traffic or s.fire) is not None,
            PHRASES["without.casualties"],
        )
    )
    return out


def _kind(key: str, r: dict[str, Any]) -> str:
    """The phrase of a count's sentence: ``key``, ``key.none`` (nothing now or last year) or
    ``key.no_baseline`` (no data for last year; fires only, traffic words it in the change)."""
    if tx.is_missing(r["baseline"]):
        return f"{key}.no_baseline" if key == "fire" else key
    if not r["current"] and not r["baseline"]:
        return f"{key}.none"
    return key


def traffic_sentence(ctx: Context, safety: Safety) -> str:
    """The traffic sentence: accidents and their change, casualties where recorded, major ones
    where graded.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> traffic_sentence(ctx, ctx.results.safety)[:20]  # doctest: +SKIP
    """
    r, m = safety.traffic, safety.major
    w = {**ctx.basics(), "traffic": ctx.count(r["current"]), "traffic_change": ctx.change(r)}
    if _kind("traffic", r) == "traffic.none":
        return ctx.say(PHRASES["traffic.none"], w)
    w["harm"] = ""
    if safety.deaths is not None:
        w["deaths"] = ctx.count(safety.deaths["current"], "人", DEATHS)
        if safety.injuries is not None:
            w["injuries"] = ctx.count(safety.injuries, "人", INJURIES)
            w["harm"] = ctx.say(PHRASES["harm"], w)
        else:
            w["harm"] = ctx.say(PHRASES["traffic.harm.deaths"], w)
    w["major_clause"] = ""
    if m is not None:
        w.update(
            major=ctx.count(m["current"]),
            major_last=ctx.count(m["baseline"]),
            major_deaths=ctx.count(safety.major_deaths, "人", DEATHS),
            major_injuries=ctx.count(safety.major_injuries, "人", INJURIES),
            major_change=ctx.change(m),
        )
        none = "major.none.no_baseline" if tx.is_missing(m["baseline"]) else "major.none"
        phrase = ctx.plural(PHRASES, "major", m["current"]) if m["current"] else PHRASES[none]
        w["major_clause"] = ctx.say(phrase, w)
    return ctx.say(PHRASES["traffic"], w)


def fire_sentence(ctx: Context, safety: Safety) -> str:
    """The fire sentence: fires and their direct loss (where recorded) against last year.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> fire_sentence(ctx, ctx.results.safety)[:20]  # doctest: +SKIP
    """
    r, loss = safety.fire, safety.loss
    w = {
        **ctx.basics(),
        "fires": ctx.count(r["current"]),
        "fire_change": ctx.change(r, "none", PHRASES["what.fires"]),
        "fire_change_first": ctx.change(r, "first"),
    }
    kind = _kind("fire", r)
    if loss is None:
        return ctx.say(PHRASES["fire.none" if kind == "fire.none" else "fire.no_loss"], w)
    w["loss"] = ctx.money(loss["current"])
    w["loss_change"] = ctx.say(PHRASES["loss_change"], change=ctx.change(loss, "none", COMMON["what.loss"]))
    return ctx.say(PHRASES[kind], w)


def body(ctx: Context, safety: Safety) -> B.Html:
    """Two sentences, the monthly chart, table 3 and the notable incidents.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> show(render_section("safety", ctx))  # doctest: +SKIP

    A source that does not cover the period (traffic or fire) is said to have no data for it,
    never counted as zero; the table holds the very values the sentences word.
    """
    gaps = {k: ctx.data_gap(PHRASES[f"data.{k}"], k) for k in ("traffic", "fire")}
    if safety.traffic is None and safety.fire is None:
        return B.para(*(g for g in gaps.values() if g), cls="note")
    said = [
        traffic_sentence(ctx, safety) if safety.traffic is not None else gaps["traffic"],
        fire_sentence(ctx, safety) if safety.fire is not None else gaps["fire"],
    ]
    rows: list[tuple[Any, dict[str, Any], str]] = []
    if safety.traffic is not None:
        rows.append((PHRASES["row.traffic"], safety.traffic, "起"))
        if safety.major is not None:
            rows.append((PHRASES["row.major"], safety.major, "起"))
        if safety.deaths is not None:
            rows.append((PHRASES["row.deaths"], safety.deaths, "人"))
    if safety.fire is not None:
        rows.append((PHRASES["row.fire"], safety.fire, "起"))
    tab = pd.concat(
        [change_table(ctx, [(ctx.say(lbl), r)], unit) for lbl, r, unit in rows], ignore_index=True
    )
    if safety.loss is not None:
        money_row = change_table(ctx, [(ctx.say(PHRASES["row.loss"]), safety.loss)], "")
        money_row[ctx.say(COMMON["col.current"])] = [ctx.money(safety.loss["current"])]
        money_row[ctx.say(COMMON["col.baseline"])] = [ctx.money(safety.loss["baseline"])]
        tab = pd.concat([tab, money_row], ignore_index=True)
    blocks: list[Any] = [B.para(*(t for t in said if t))]
    if safety.monthly_traffic is not None:
        chart = charts.year_on_year(
            safety.monthly_traffic,
            ctx.end.year,
            last_month=ctx.end.month,
            lang=ctx.lang,
            height=300,
            title=ctx.say(PHRASES["chart"]),
        )
        blocks.append(B.figure(chart))
    blocks.append(B.table(tab, caption=ctx.say(PHRASES["table"], ctx.basics()), highlight="_flag"))
    return B.join(*blocks, *notable_block(ctx, safety.notable))
