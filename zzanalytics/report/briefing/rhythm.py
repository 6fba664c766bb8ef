"""Part of 六、治安热点: near repeats of burglary and vehicle theft (Knox test) and when incidents
happen (peak windows, hour × weekday heat map).

Both need enough records of the period: :data:`MIN_RECORDS` located records for a near-repeat test,
as many with a time of day for the rhythm; with fewer the part is left out (the closing note says
what it needs).

Examples
--------
>>> PHRASES.say("days.but", "en", first="Saturday")
'every day but Saturday'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zzanalytics.report import blocks as B  # noqa: N812
from zzanalytics.report.briefing.context import Context
from zzanalytics.report.briefing.results import shared
from zzanalytics.report.briefing.select import local, located, with_prefix, within
from zzanalytics.report.phrases import Phrases

PHRASES = Phrases(
    {
        "repeat": (
            "{what}案发后{days}天内、{distance}米范围内再次发生的风险是平常的{ratio}倍(显著),"
            "案发后应及时加强周边巡防。",
            "After a {what!l}, the risk of another within {distance} m and {days} days is {ratio} "
            "times the usual (significant): step up patrols around new cases at once.",
        ),
        "peak": ("{what}多发于{days}{hours}(占{share})", "{what} peaks {days}, {hours} ({share})"),
        "peaks": ("从发案时间看,{items}。", "By time of day and week: {items}."),
        "hours": ("{first}时至{end}时", "{first:0>2}:00 to {end:0>2}:00"),
        "hours.night": ("{first}时至次日{end}时", "{first:0>2}:00 to {end:0>2}:00 the next day"),
        "days.single": ("{first}", "on {first}s"),
        "days.range": ("{first}至{last}", "{first} to {last}"),
        "days.all": ("每天", "every day"),
        "days.but": ("除{first}外每天", "every day but {first}"),
        "heat.title": (
            "{period}{what}发案时段分布(按小时和星期,时间段记录按时长分摊)",
            "{what} by hour and weekday, {period} (time windows shared out)",
        ),
        "heat.share": ("占比", "share"),
        "heat.hour": ("时", "hour"),
        "weekdays": (
            "周一,周二,周三,周四,周五,周六,周日",
            "Monday,Tuesday,Wednesday,Thursday,Friday,Saturday,Sunday",
        ),
    },
    name="hotspots",
)

REPEAT_CATEGORIES = ("theft.burglary", "theft.vehicle")
"""Categories whose near repeats the briefing reports (the speech's 入室盗窃, 机动车盗窃)."""
REPEAT_WINDOW = (200.0, 14.0)
"""Metres and days of the near-repeat sentence ("14天内、200米范围内")."""
RHYTHM_CATEGORIES = ("theft.burglary", "theft.vehicle", "robbery")
"""Categories whose peak windows are worded; the first gets the heat map."""
MIN_RECORDS = 20
"""Records of the period a category needs for a near-repeat test or a peak window."""


@dataclass(frozen=True)
class Repeats:
    """Significant near repeats: ``(category, ratio)`` within :data:`REPEAT_WINDOW`."""

    found: list[tuple[str, float]] = field(default_factory=list)


@dataclass(frozen=True)
class Rhythm:
    """Peak windows (``peaks``: category → the peak's row, significant ones) and the week profile of
    the first category with a time of day (``first``, ``profile``: 7 × 24)."""

    peaks: dict[str, Any] = field(default_factory=dict)
    first: str | None = None
    profile: Any = None


@shared("repeats")
def compute_repeats(ctx: Context) -> Repeats:
    """Near repeats (Knox test) of burglary and vehicle theft in the period, on located records
    (``ctx.results.repeats``); a category whose data do not cover the period is not tested.

    Examples
    --------
    >>> compute_repeats(Context.empty()).found
    []
    """
    from zzanalytics.spatial.near_repeat import near_repeat

    inc = located(within(local(ctx, ctx.incidents), "occurred_at", ctx.start, ctx.end))
    distance, days = REPEAT_WINDOW
    found = []
    for cat in REPEAT_CATEGORIES:
        sub = with_prefix(inc, cat)
        if len(sub) < MIN_RECORDS or not ctx.covers(cat):
            continue
        w = near_repeat(sub, permutations=199, seed=12345).window(distance, days)
        if w["significant"]:
            found.append((cat, float(w["ratio"])))
    return Repeats(found)


@shared("rhythm")
def compute_rhythm(ctx: Context) -> Rhythm:
    """When incidents happen: significant peak windows and the week profile (``ctx.results.rhythm``).

    Examples
    --------
    >>> compute_rhythm(Context.empty()).first is None
    True
    """
    from zzanalytics.spatial.rhythm import rhythm

    inc = within(local(ctx, ctx.incidents), "occurred_at", ctx.start, ctx.end)
    cats = [c for c in RHYTHM_CATEGORIES if len(with_prefix(inc, c)) >= MIN_RECORDS and ctx.covers(c)]
    if not cats:
        return Rhythm()
    res = rhythm(inc, categories=cats, permutations=199)
    cats = [c for c in cats if res.timed.get(c, 0.0) >= 0.5]  # dates without their hours say nothing
    if not cats:
        return Rhythm()
    peaks = res.peaks.set_index("category")
    sig = {c: peaks.loc[c] for c in cats if c in peaks.index and peaks.loc[c].p < 0.05}
    return Rhythm(sig, cats[0], res.profiles[cats[0]])


def repeat_blocks(ctx: Context, repeats: Repeats) -> list[Any]:
    """A sentence per category whose "within 200 m and 14 days" window is significant.

    Examples
    --------
    >>> repeat_blocks(Context.empty(lang="en"), Repeats([("theft.burglary", 2.5)]))[0][:73]
    '<p class="lead">After a burglary, the risk of another within 200 m and 14'
    """
    distance, days = REPEAT_WINDOW
    out = [
        ctx.say(
            PHRASES["repeat"],
            what=ctx.label(cat),
            days=ctx.number(days),
            distance=ctx.number(distance),
            ratio=ctx.number(ratio, 1),
        )
        for cat, ratio in repeats.found
    ]
    return [B.para(*out)] if out else []


def _peak_words(ctx: Context, code: str, pk: Any) -> str:
    names = ctx.say(PHRASES["weekdays"]).split(",")
    last = (pk.first_day + pk.days - 1) % 7
    if pk.days == 7:
        days = ctx.say(PHRASES["days.all"])
    elif pk.days == 1:
        days = ctx.say(PHRASES["days.single"], first=names[pk.first_day])
    elif pk.days == 6:  # "Sunday to Friday" reads as a range; the day left out is what matters
        days = ctx.say(PHRASES["days.but"], first=names[(pk.first_day + 6) % 7])
    else:
        days = ctx.say(PHRASES["days.range"], first=names[pk.first_day], last=names[last])
    key = "hours.night" if pk.past_midnight else "hours"
    end = int(pk.end_hour) if pk.past_midnight else int(pk.end_hour) or 24  # "17时至24时", not "至0时"
    hours = ctx.say(PHRASES[key], first=str(int(pk.first_hour)), end=str(end))
    return ctx.say(
        PHRASES["peak"], what=ctx.label(code), days=days, hours=hours, share=ctx.pct(pk.share * 100)
    )


def rhythm_blocks(ctx: Context, rhythm: Rhythm) -> list[Any]:
    """Peak windows in words and the heat map of the first category (aoristic: a record's time
    window is shared out over its hours).

    Examples
    --------
    >>> rhythm_blocks(Context.empty(), Rhythm())
    []
    """
    from zzanalytics.report import charts

    if rhythm.first is None:
        return []
    items = [_peak_words(ctx, c, pk) for c, pk in rhythm.peaks.items()]
    blocks: list[Any] = []
    if items:
        blocks.append(B.para(ctx.say(PHRASES["peaks"], items=ctx.join(items, "clause"))))
    prof = rhythm.profile
    fig = charts.week_heatmap(
        prof / prof.sum() * 100,
        days=ctx.say(PHRASES["weekdays"]).split(","),
        hour_label=ctx.say(PHRASES["heat.hour"]),
        value_label=ctx.say(PHRASES["heat.share"]),
        title=ctx.say(PHRASES["heat.title"], ctx.basics(), what=ctx.label(rhythm.first)),
    )
    blocks.append(B.figure(fig))
    return blocks
