"""The holiday-period report (``holiday_review.ipynb``): a public holiday's days off against the same
holiday last year and against ordinary weeks, by category and by township, with honest tests.

Definitions, so that a reader can check every number:

* **the holiday window** — the days off the ``holidays`` package lists for the holiday in that
  year and the days between them (no gap over :data:`GAP_DAYS` days): 春节 2026 is 16–23 February
  (除夕, 春节 and the 调休 days off), 国庆节 2025 is 1–8 October (国庆节 and 中秋节 together);
  the holiday is named as the package names it, in any of its languages (``春节``,
  ``Spring Festival``, ``Christmas``), for any country it knows;
* **last year** — the same holiday's window a year earlier, on its own dates (春节 follows the
  lunar calendar);
* **ordinary weeks** — the ``weeks`` whole weeks ending a week before the window (the week just
  before a holiday is not ordinary either); holidays inside them are named in a note;
* counts are compared **per day** (the windows differ in length) by
  :func:`zzanalytics.compare_periods` with a custom baseline: the dispersion-aware exact test
  (φ from the store's own monthly history), Benjamini–Hochberg across townships. A range the
  data do not cover is "no data", never 0.

Examples
--------
>>> w = holiday_window("春节", 2026)
>>> str(w.start.date()), str(w.end.date()), w.days, w.name("en")
('2026-02-16', '2026-02-23', 8, 'Chinese New Year (Spring Festival)')
>>> r = review(None, "春节", 2026)  # doctest: +SKIP
>>> show(render(r))  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from zzanalytics.errors import ReportError
from zzanalytics.report import blocks as B  # noqa: N812
from zzanalytics.report import text as tx
from zzanalytics.report.blocks import show
from zzanalytics.report.phrases import COMMON, Phrases, change_kind
from zzanalytics.schema import category_label, is_criminal

__all__ = ["GAP_DAYS", "PHRASES", "Review", "Window", "holiday_window", "render", "review", "show"]

GAP_DAYS = 3
"""Days off of one holiday are one window when no more than this many days apart."""
AFTER_DAYS = 14
"""Days after the window the day-by-day chart shows (3 weeks before it)."""
LANGUAGES = {"zh": ("zh_CN", "zh_TW"), "en": ("en_US", "en_GB", "en_CA")}

PHRASES = Phrases(
    {
        "title": (
            "{subject}{year}年{holiday}假期治安形势分析",
            "{holiday} {year}: public security in {subject}",
        ),
        "subtitle": ("(假期{span},共{days}天)", "The holiday: {span}, {days} days"),
        "h.categories": ("一、分类案件", "1. By category"),
        "h.townships": ("二、乡镇(街道)", "2. By township"),
        "h.days": ("逐日警情", "Day by day"),
        "h.notes": ("数据说明", "Data notes"),
        "lead.no_data": (
            "{holiday}假期({span},共{days}天)无{subject}刑事案件数据。",
            "There are no criminal-case data for {subject} for the {holiday} holiday ({span}, {days} days).",
        ),
        "lead": (
            "{holiday}假期({span},共{days}天),{subject}共发生刑事案件{n}起,日均{per_day}起;"
            "日均{vs_last};{vs_ordinary}。",
            "During the {holiday} holiday ({span}, {days} days) {subject} recorded {n} criminal cases, "
            "{per_day} a day: {vs_last}; {vs_ordinary}.",
        ),
        "vs_last": (
            "比去年{holiday}假期({span}){change}",
            "{change} on last year's {holiday} holiday ({span})",
        ),
        "vs_ordinary": (
            "比节前{weeks}周({span}){change}",
            "{change} on the {weeks} ordinary weeks before ({span})",
        ),
        "up": ("上升{pct}{qualifier}", "up {pct}{qualifier}"),
        "down": ("下降{pct}{qualifier}", "down {pct}{qualifier}"),
        "flat": ("持平", "unchanged"),
        "new": ("增加(对照期为0)", "up from none"),
        "zero": ("均为0", "none in either"),
        "no_data": ("无数据可比", "no data to compare"),
        "rises": ("与平常相比上升显著的有:{items}。", "Significantly up on ordinary weeks: {items}."),
        "falls": ("与平常相比下降显著的有:{items}。", "Significantly down on ordinary weeks: {items}."),
        "steady": (
            "各类警情与平常相比均在正常波动范围内。",
            "Every category stayed within normal variation of ordinary weeks.",
        ),
        "townships.up": (
            "与去年假期相比,{items}的刑事案件上升显著。",
            "Criminal cases rose significantly on last year's holiday in {items}.",
        ),
        "townships.none": (
            "与去年假期相比,各乡镇(街道)刑事案件均在正常波动范围内。",
            "No township's criminal cases changed beyond normal variation on last year's holiday.",
        ),
        "col.category": ("类别", "Category"),
        "col.township": ("乡镇(街道)", "Township"),
        "col.count": ("假期起数", "Holiday"),
        "col.per_day": ("日均", "Per day"),
        "col.last": ("去年假期日均", "Last year, per day"),
        "col.vs_last": ("比去年假期", "On last year"),
        "col.ordinary": ("平常日均", "Ordinary, per day"),
        "col.vs_ordinary": ("比平常", "On ordinary weeks"),
        "criminal": ("刑事案件合计", "All criminal cases"),
        "series.this": ("{year}年", "{year}"),
        "axis.day": ("距假期首日天数", "Days from the holiday's first day"),
        "note.window": (
            "假期为holidays程序包所列{holiday}放假日及其间的日子;平常为假期前一周之前的{weeks}个整周。"
            "增减按日均计算,检验采用按本区历史月度离散度校正的精确检验,乡镇间作错误发现率校正。",
            "The holiday is the days off the holidays package lists for {holiday} and the days between "
            "them; ordinary weeks are the {weeks} whole weeks ending a week before it. Changes are per "
            "day, tested by the exact test corrected for the dispersion of the district's own monthly "
            "history, with the false discovery rate controlled across townships.",
        ),
        "note.others": ("平常周内含节假日:{items}。", "Holidays inside the ordinary weeks: {items}."),
    },
    name="holiday",
)
"""Every sentence and label of the holiday report, Chinese and English."""


@dataclass(frozen=True)
class Window:
    """One holiday's days off: first and last day and the names the package gives them."""

    start: pd.Timestamp
    end: pd.Timestamp
    names: dict[str, str]

    @property
    def days(self) -> int:
        """Length in days."""
        return int((self.end - self.start).days) + 1

    def name(self, lang: str) -> str:
        """The holiday's name in ``lang`` (the package's, else the one asked for)."""
        return self.names.get(lang) or next(iter(self.names.values()))


def _calendar(country: str, years: list[int], language: str | None) -> dict[Any, str]:
    import holidays

    try:
        return dict(holidays.country_holidays(country, years=years, language=language))
    except NotImplementedError:
        raise ReportError(
            f"country {country!r}: the holidays package does not know it; use an ISO code such as CN, CA"
        ) from None


def holiday_window(holiday: str, year: int, country: str = "CN") -> Window:
    """The window of ``holiday`` in ``year`` (see the module docstring), or a :class:`ReportError`
    naming the holidays the package knows for that country and year.

    Examples
    --------
    >>> w = holiday_window("国庆", 2025)
    >>> str(w.start.date()), str(w.end.date()), w.name("zh")
    ('2025-10-01', '2025-10-08', '国庆节')
    >>> holiday_window("Christmas", 2021, "CA").days  # 25-27 December: Christmas, Sunday, observed
    3
    """
    import holidays

    cls = holidays.country_holidays(country) if country else None
    languages = [None, *getattr(cls, "supported_languages", ())]
    years = [year - 1, year, year + 1]
    key = str(holiday).strip().lower()
    for language in languages:
        cal = _calendar(country, years, language)
        core = sorted(
            pd.Timestamp(d) for d, n in cal.items() if key and key in str(n).lower() and d.year == year
        )
        if not core:
            continue
        days = sorted(pd.Timestamp(d) for d in cal)
        start = end = core[0]
        grown = True
        while grown:  # the days off within GAP_DAYS of the window join it
            grown = False
            for d in days:
                if start - pd.Timedelta(days=GAP_DAYS + 1) < d < start or end < d < end + pd.Timedelta(
                    days=GAP_DAYS + 1
                ):
                    start, end, grown = min(start, d), max(end, d), True
        names = {}
        for lang, codes in LANGUAGES.items():
            for code in codes:
                if code in languages:
                    names[lang] = _main_name(_calendar(country, years, code), core)
                    break
        asked = next((lang for lang, codes in LANGUAGES.items() if language in codes), "en")
        names.setdefault(asked, str(cal[core[0].date()]))
        return Window(start, end, names)
    known = sorted({str(n) for d, n in _calendar(country, [year], None).items()})
    raise ReportError(
        f"holiday {holiday!r}: no holiday of that name in {country} in {year}; "
        f"the holidays package lists: {', '.join(known)}"
    )


def _main_name(cal: dict[Any, str], core: list[pd.Timestamp]) -> str:
    """The most frequent name among the core days, the shortest of equals (``春节`` over
    ``春节（补假）``, ``Christmas Day`` over ``Christmas Day (observed)``)."""
    names = [str(cal.get(d.date(), "")) for d in core]
    return min(set(names), key=lambda n: (-names.count(n), len(n), n)) if names else ""


@dataclass
class Review:
    """Everything the holiday report shows, computed once (see :func:`review`)."""

    window: Window
    last: Window
    ordinary: tuple[pd.Timestamp, pd.Timestamp]
    others: list[str]
    subject: str
    lang: str
    weeks: int
    categories: pd.DataFrame  # category, label, count, per_day, last_per_day, vs_last..., vs_ordinary...
    townships: pd.DataFrame | None
    daily: pd.DataFrame  # offset, this, last
    names: dict[str, str]  # township code -> name


def _compare(
    frame: pd.DataFrame, window: Window, base: tuple[Any, Any], by: list[str], **kw: Any
) -> pd.DataFrame:
    from zzanalytics.models.compare import compare_periods

    return compare_periods(frame, window.start, window.end, baseline=base, by=by, **kw)


def review(
    store: Any,
    holiday: str = "春节",
    year: int | None = None,
    area: str | None = None,
    lang: str = "zh",
    *,
    country: str = "CN",
    weeks: int = 8,
) -> Review:
    """Compute the holiday report of ``holiday`` in ``year`` (default: the latest whose window the
    store's incidents reach) for the district or one township (``area``).

    Examples
    --------
    >>> r = review(None, "春节", 2026)  # doctest: +SKIP
    >>> r.categories.loc[r.categories["category"] == "fire", "direction_ordinary"].item()  # doctest: +SKIP
    'up'
    """
    from zzanalytics.report.briefing.period import (
        area_names,
        core_coverage,
        data_end,
        district_name,
        opened,
        resolve_area,
    )

    if not 1 <= int(weeks) <= 52:
        raise ReportError(f"weeks was {weeks!r}; give a number of ordinary weeks from 1 to 52, e.g. 8")
    with opened(store) as st:
        spans = core_coverage(st)  # criminal cases, which the report counts
    last_day = spans["end"].max().normalize() if spans is not None else data_end(store).normalize()
    if year is None:
        year = next(
            (
                y
                for y in range(last_day.year, last_day.year - 30, -1)
                if _ends_by(holiday, y, country, last_day)
            ),
            None,
        )
        if year is None:
            raise ReportError(
                f"holiday {holiday!r}: the store's incidents end {last_day.date()}, before any such holiday"
            )
    window = holiday_window(holiday, int(year), country)
    last = holiday_window(holiday, int(year) - 1, country)
    o_end = window.start - pd.Timedelta(days=8)
    ordinary = (o_end - pd.Timedelta(days=7 * int(weeks) - 1), o_end)
    with opened(store) as st:
        after = min(window.end + pd.Timedelta(days=AFTER_DAYS), last_day)  # the day-by-day chart's end
        inc = st.incidents(end=max(after, window.end).date().isoformat(), area_code=area)
        coverage = st.coverage()  # what the sources cover: outside it, no data (never 0)
    subject = resolve_area(store, area, lang) if area else district_name(store, lang)
    crim = inc[inc["category"].map(is_criminal)]  # their own categories: each one's coverage counts
    frames = []
    for frame, by in ((crim, []), (inc, ["category"])):
        vs_last = _compare(frame, window, (last.start, last.end), by, level=1, coverage=coverage)
        vs_ord = _compare(frame, window, ordinary, by, level=1, coverage=coverage)
        if not by:
            vs_last, vs_ord = vs_last.assign(category="criminal"), vs_ord.assign(category="criminal")
        frames.append(_category_rows(vs_last, vs_ord, window, last, ordinary, lang))
    rows = frames[1].assign(criminal=frames[1]["category"].map(is_criminal))
    rows = rows.sort_values(["criminal", "count"], ascending=False, kind="stable").drop(columns="criminal")
    categories = pd.concat([frames[0], rows], ignore_index=True)  # the total, crimes, then the rest
    townships = None
    if area is None and "area_code" in inc.columns and inc["area_code"].notna().any():
        located = crim[crim["area_code"].notna()]
        t = _compare(located, window, (last.start, last.end), ["area_code"], fdr=True, coverage=coverage)
        townships = t.assign(per_day=t["current"] / window.days, last_per_day=t["baseline"] / last.days)
    first_day = spans["start"].min().normalize() if spans is not None else None
    daily = _daily(crim, window, last, (first_day, last_day))
    cal = _calendar(country, [ordinary[0].year, ordinary[1].year], _language(country, lang))
    others = sorted({str(n) for d, n in cal.items() if ordinary[0] <= pd.Timestamp(d) <= ordinary[1]})
    names = area_names(store, lang) if townships is not None else {}
    return Review(
        window, last, ordinary, others, subject, lang, int(weeks), categories, townships, daily, names
    )


def _language(country: str, lang: str) -> str | None:
    """The holidays package's language for ``lang`` in ``country`` (its default when it has none)."""
    import holidays

    have = getattr(holidays.country_holidays(country), "supported_languages", ())
    return next((code for code in LANGUAGES[lang] if code in have), None)


def _ends_by(holiday: str, year: int, country: str, last_day: pd.Timestamp) -> bool:
    try:
        return holiday_window(holiday, year, country).end <= last_day
    except ReportError:
        return False


def _category_rows(
    vs_last: pd.DataFrame, vs_ord: pd.DataFrame, window: Window, last: Window, ordinary: Any, lang: str
) -> pd.DataFrame:
    o_days = (ordinary[1] - ordinary[0]).days + 1
    m = vs_last.merge(vs_ord, on="category", suffixes=("", "_ordinary"))
    return pd.DataFrame(
        {
            "category": m["category"],
            "label": [
                PHRASES.say("criminal", lang) if c == "criminal" else category_label(c, lang)
                for c in m["category"]
            ],
            "count": m["current"],
            "per_day": m["current"] / window.days,
            "last_per_day": m["baseline"] / last.days,
            "significant_last": m["significant"],
            "direction_last": m["direction"],
            "ordinary_per_day": m["baseline_ordinary"] / o_days,
            "significant_ordinary": m["significant_ordinary"],
            "direction_ordinary": m["direction_ordinary"],
            "method": m["method_ordinary"],
        }
    )


def _daily(crim: pd.DataFrame, window: Window, last: Window, covered: tuple[Any, Any]) -> pd.DataFrame:
    """Criminal cases per day from 3 weeks before to 2 weeks after each window, by offset; a day
    outside the criminal cases' coverage is NaN (no data), never 0."""
    offsets = np.arange(-21, window.days + AFTER_DAYS)
    out = {"offset": offsets}
    days = (
        pd.to_datetime(crim["occurred_at"]).dt.tz_localize(None).dt.normalize()
        if len(crim)
        else pd.Series([], dtype="datetime64[ns]")
    )
    per_day = days.value_counts()
    lo, hi = covered
    for key, w in (("this", window), ("last", last)):
        days_k = [w.start + pd.Timedelta(days=int(k)) for k in offsets]
        out[key] = [
            float(per_day.get(d, 0)) if (lo is None or d >= lo) and d <= hi else np.nan for d in days_k
        ]
    return pd.DataFrame(out)


# ------------------------------------------------------------------ wording


def _change(current_rate: float, base_rate: float, significant: bool, covered: bool, lang: str) -> str:
    if not covered:
        return PHRASES.say("no_data", lang)
    kind = change_kind(current_rate, base_rate)
    q = COMMON.say("qualifier.significant" if significant else "qualifier.normal", lang)
    if kind in ("up", "down"):
        return PHRASES.say(kind, lang, pct=tx.pct(abs(tx.pct_change(current_rate, base_rate))), qualifier=q)
    return PHRASES.say(kind if kind in ("flat", "new", "zero") else "no_data", lang)


def _span(a: Any, b: Any, lang: str) -> str:
    return tx.period_label(a, b, lang, with_year=True)


def render(r: Review) -> B.Html:
    """The report's blocks, in order (what the notebook shows)."""
    lang, w = r.lang, r.window
    holiday = w.name(lang)
    total = r.categories.iloc[0]
    o_span = _span(*r.ordinary, lang)
    values = {
        "holiday": holiday,
        "span": _span(w.start, w.end, lang),
        "days": w.days,
        "subject": r.subject,
        "year": w.start.year,
        "n": tx.number(total["count"]),
        "per_day": tx.number(total["per_day"], 1),
        "weeks": r.weeks,
    }
    covered = bool(np.isfinite(total["last_per_day"]))
    values["vs_last"] = PHRASES.say(
        "vs_last",
        lang,
        holiday=holiday,
        span=_span(r.last.start, r.last.end, lang),
        change=_change(total["per_day"], total["last_per_day"], total["significant_last"], covered, lang),
    )
    values["vs_ordinary"] = PHRASES.say(
        "vs_ordinary",
        lang,
        weeks=r.weeks,
        span=o_span,
        change=_change(
            total["per_day"],
            total["ordinary_per_day"],
            total["significant_ordinary"],
            bool(np.isfinite(total["ordinary_per_day"])),
            lang,
        ),
    )
    blocks = [B.title_block(PHRASES.say("title", lang, values), PHRASES.say("subtitle", lang, values))]
    covered_now = bool(np.isfinite(total["per_day"]))
    blocks.append(B.para(PHRASES.say("lead" if covered_now else "lead.no_data", lang, values)))
    cats = r.categories.iloc[1:]
    sep = COMMON.say("sep.enum", lang)
    ups = cats[cats["significant_ordinary"] & (cats["direction_ordinary"] == "up")]["label"].tolist()
    downs = cats[cats["significant_ordinary"] & (cats["direction_ordinary"] == "down")]["label"].tolist()
    said = [
        PHRASES.say("rises", lang, items=sep.join(ups)) if ups else "",
        PHRASES.say("falls", lang, items=sep.join(downs)) if downs else "",
    ]
    blocks += [
        B.heading(PHRASES.say("h.categories", lang)),
        B.para(*said) if any(said) else B.para(PHRASES.say("steady", lang)),
    ]
    blocks.append(B.table(_category_table(r.categories, lang)))
    if r.townships is not None and len(r.townships):
        blocks += [B.heading(PHRASES.say("h.townships", lang)), *_township_blocks(r, lang)]
    blocks += [B.heading(PHRASES.say("h.days", lang), level=3), B.figure(_daily_figure(r, lang))]
    notes = [PHRASES.say("note.window", lang, holiday=holiday, weeks=r.weeks)]
    if r.others:
        notes.append(PHRASES.say("note.others", lang, items=sep.join(r.others)))
    blocks += [B.heading(PHRASES.say("h.notes", lang), level=3), B.note(*notes)]
    return B.join(*blocks)


def _category_table(c: pd.DataFrame, lang: str) -> pd.DataFrame:
    say = PHRASES.say
    return pd.DataFrame(
        {
            say("col.category", lang): c["label"],
            say("col.count", lang): [tx.number(v) for v in c["count"]],
            say("col.per_day", lang): [tx.number(v, 1) for v in c["per_day"]],
            say("col.last", lang): [tx.number(v, 1) for v in c["last_per_day"]],
            say("col.vs_last", lang): [
                _change(a, b, s, bool(np.isfinite(b)), lang)
                for a, b, s in zip(c["per_day"], c["last_per_day"], c["significant_last"], strict=True)
            ],
            say("col.ordinary", lang): [tx.number(v, 1) for v in c["ordinary_per_day"]],
            say("col.vs_ordinary", lang): [
                _change(a, b, s, bool(np.isfinite(b)), lang)
                for a, b, s in zip(
                    c["per_day"], c["ordinary_per_day"], c["significant_ordinary"], strict=True
                )
            ],
        }
    )


def _township_blocks(r: Review, lang: str) -> list[Any]:
    t = r.townships.copy()
    t["name"] = [r.names.get(str(c), str(c)) for c in t["area_code"]]
    up = t[t["significant"] & (t["direction"] == "up")]["name"].tolist()
    sentence = (
        PHRASES.say("townships.up", lang, items=COMMON.say("sep.enum", lang).join(up))
        if up
        else PHRASES.say("townships.none", lang)
    )
    table = pd.DataFrame(
        {
            PHRASES.say("col.township", lang): t["name"],
            PHRASES.say("col.count", lang): [tx.number(v) for v in t["current"]],
            PHRASES.say("col.per_day", lang): [tx.number(v, 1) for v in t["per_day"]],
            PHRASES.say("col.last", lang): [tx.number(v, 1) for v in t["last_per_day"]],
            PHRASES.say("col.vs_last", lang): [
                _change(a, b, s, bool(np.isfinite(b)), lang)
                for a, b, s in zip(t["per_day"], t["last_per_day"], t["significant"], strict=True)
            ],
        }
    )
    return [B.para(sentence), B.table(table)]


def _daily_figure(r: Review, lang: str) -> Any:
    import plotly.graph_objects as go

    from zzanalytics.report import theme

    d = r.daily
    fig = go.Figure()
    fig.add_vrect(x0=-0.5, x1=r.window.days - 0.5, fillcolor="#f3d9d9", opacity=0.6, line_width=0)
    fig.add_trace(
        go.Scatter(
            x=d["offset"],
            y=d["last"],
            name=PHRASES.say("series.this", lang, year=r.last.start.year),
            mode="lines",
            line={"color": theme.GREY, "dash": "dot"},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=d["offset"],
            y=d["this"],
            name=PHRASES.say("series.this", lang, year=r.window.start.year),
            mode="lines+markers",
            line={"color": theme.BLUE},
        )
    )
    theme.apply(fig, height=300)
    fig.update_xaxes(title_text=PHRASES.say("axis.day", lang))
    fig.update_yaxes(rangemode="tozero")
    return fig
