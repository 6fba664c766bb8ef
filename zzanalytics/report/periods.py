"""How periods are said: ``一季度``, ``1–9月``, ``上半年``, ``2025年``, ``Q3 2025``, ``January–September
2025``, and any range of days, across a year boundary too (``2025年11月至2026年2月``).

:func:`period_label` names a reporting range (a briefing's period) the way an official document
says it; :func:`period_name` names one period of a counts grid (``zz counts --freq quarter``);
:func:`baseline_note` says which days "the same period last year" is when that is not evident
(a range that is not whole months). Every wording is a ``(zh, en)`` pair of :data:`PERIODS`.

Examples
--------
>>> period_label("2025-07-01", "2025-09-30"), period_label("2025-07-01", "2025-09-30", "en", with_year=True)
('三季度', 'Q3 2025')
>>> period_label("2025-01-01", "2025-09-30"), period_label("2025-01-01", "2025-09-30", "en", with_year=True)
('1–9月', 'January–September 2025')
>>> period_label("2025-11-01", "2026-02-28")
'2025年11月至2026年2月'
>>> period_name("2025-04-01", "quarter"), period_name("2025-04-01", "quarter", "en")
('2025年二季度', 'Q2 2025')
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from zzanalytics.wording import Phrases, pick

__all__ = ["PERIODS", "baseline_note", "day_span", "period_label", "period_name", "whole_months"]

MONTH_NAMES = (
    tuple(f"{m}月" for m in range(1, 13)),
    (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
)
"""Names of the months, ``(zh, en)``."""

QUARTERS = (("一季度", "二季度", "三季度", "四季度"), ("Q1", "Q2", "Q3", "Q4"))
HALVES = (("上半年", "下半年"), ("H1", "H2"))

PERIODS = Phrases(
    {
        # {y} is the year where it is said ("2025年" / " 2025"), or nothing
        "year": ("{year}年", "{year}"),
        "half": ("{y}{half}", "{half}{y}"),
        "quarter": ("{y}{quarter}", "{quarter}{y}"),
        "month": ("{y}{month}", "{month}{y}"),
        "months": ("{y}{first}–{last}月", "{first}–{last}{y}"),
        "months.span": ("{year1}年{first}至{year2}年{last}", "{first} {year1} – {last} {year2}"),
        "day": ("{y}{month}{day}日", "{day} {month}{y}"),
        "days": ("{y}{month1}{day1}日至{month2}{day2}日", "{day1} {month1} – {day2} {month2}{y}"),
        "days.month": ("{y}{month1}{day1}日至{day2}日", "{day1}–{day2} {month1}{y}"),
        "days.span": (
            "{year1}年{month1}{day1}日至{year2}年{month2}{day2}日",
            "{day1} {month1} {year1} – {day2} {month2} {year2}",
        ),
        "y": ("{year}年", " {year}"),
        "week": ("{year}年第{week}周", "week {week} of {year}"),
        "baseline": ("去年同期为{range}", "the same period last year is {range}"),
    },
    name="periods",
)
"""How periods are said, Chinese and English."""


def _month(m: int, lang: str) -> str:
    return pick(MONTH_NAMES, lang)[m - 1]


def _year(year: int, lang: str, with_year: bool) -> str:
    return PERIODS.say("y", lang, year=year) if with_year else ""


def whole_months(start: Any, end: Any) -> bool:
    """Whether ``start``..``end`` is made of whole calendar months.

    Examples
    --------
    >>> whole_months("2026-01-01", "2026-02-28"), whole_months("2026-01-05", "2026-02-28")
    (True, False)
    """
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    return s.day == 1 and e.is_month_end


def period_label(start: Any, end: Any, lang: str = "zh", with_year: bool = False) -> str:
    """Name a reporting range as it is said: a year, a half, a quarter, months, or days.

    Whole months of one year: the whole year (``2025年`` / ``2025``), a half (``上半年`` /
    ``H1``), a quarter (``三季度`` / ``Q3``), one month (``3月`` / ``March``) or a month range
    (``1–9月`` / ``January–September``); whole months across years name both years
    (``2025年11月至2026年2月`` / ``November 2025 – February 2026``); other ranges are days. The year
    is said when ``with_year`` (a title) or when the range crosses a year boundary.

    Examples
    --------
    >>> [period_label(a, b) for a, b in [("2026-01-01", "2026-06-30"), ("2026-01-01", "2026-12-31"),
    ...                                  ("2026-03-01", "2026-03-31"), ("2026-03-01", "2026-05-31")]]
    ['上半年', '2026年', '3月', '3–5月']
    >>> period_label("2026-01-01", "2026-03-31", "zh", True), period_label("2026-07-01", "2026-12-31", "en")
    ('2026年一季度', 'H2')
    >>> period_label("2026-03-05", "2026-06-30"), period_label("2026-03-05", "2026-06-30", "en", True)
    ('3月5日至6月30日', '5 March – 30 June 2026')
    >>> period_label("2025-12-20", "2026-01-10", "en")
    '20 December 2025 – 10 January 2026'
    """
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    y = _year(s.year, lang, with_year)
    if whole_months(s, e) and s.year == e.year:
        if s.month == 1 and e.month == 12:
            return PERIODS.say("year", lang, year=s.year)
        if (s.month, e.month) in ((1, 6), (7, 12)):
            return PERIODS.say("half", lang, y=y, half=pick(HALVES, lang)[s.month // 7])
        if s.month % 3 == 1 and e.month == s.month + 2:
            return PERIODS.say("quarter", lang, y=y, quarter=pick(QUARTERS, lang)[s.month // 3])
        if s.month == e.month:
            return PERIODS.say("month", lang, y=y, month=_month(s.month, lang))
        first, last = pick(((s.month, e.month), (_month(s.month, lang), _month(e.month, lang))), lang)
        return PERIODS.say("months", lang, y=y, first=first, last=last)
    if whole_months(s, e):
        first, last = _month(s.month, lang), _month(e.month, lang)
        return PERIODS.say("months.span", lang, year1=s.year, year2=e.year, first=first, last=last)
    return day_span(s, e, lang, with_year)


def day_span(start: Any, end: Any, lang: str = "zh", with_year: bool = True) -> str:
    """A range of days: ``2007年1月1日至2019年12月31日`` / ``1 January 2007 – 31 December 2019``; one
    day is one date; the year is said once for a range inside one year, both across years.

    Examples
    --------
    >>> day_span("2007-01-01", "2019-12-31"), day_span("2026-05-06", "2026-05-06", "en")
    ('2007年1月1日至2019年12月31日', '6 May 2026')
    >>> day_span("2026-03-05", "2026-06-30", "zh", with_year=False)
    '3月5日至6月30日'
    """
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    days = {"day1": s.day, "day2": e.day, "month1": _month(s.month, lang), "month2": _month(e.month, lang)}
    if s.year != e.year:
        return PERIODS.say("days.span", lang, days, year1=s.year, year2=e.year)
    y = _year(s.year, lang, with_year)
    if s.normalize() == e.normalize():
        return PERIODS.say("day", lang, y=y, month=days["month1"], day=s.day)
    return PERIODS.say("days.month" if s.month == e.month else "days", lang, days, y=y)


def period_name(start: Any, freq: str, lang: str = "zh") -> str:
    """The name of one period of a counts grid (``period`` is its first day).

    Examples
    --------
    >>> [period_name("2025-07-01", f) for f in ("day", "week", "month", "quarter", "year")]
    ['2025年7月1日', '2025年第27周', '2025年7月', '2025年三季度', '2025年']
    >>> [period_name("2025-07-01", f, "en") for f in ("day", "week", "month", "quarter", "year")]
    ['1 July 2025', 'week 27 of 2025', 'July 2025', 'Q3 2025', '2025']
    """
    t = pd.Timestamp(start)
    if freq == "week":
        iso = t.isocalendar()
        return PERIODS.say("week", lang, year=iso[0], week=iso[1])
    ends = {"day": t, "month": t + pd.offsets.MonthEnd(0), "quarter": t + pd.offsets.QuarterEnd(0)}
    if freq == "year":
        return PERIODS.say("year", lang, year=t.year)
    if freq not in ends:
        from zzanalytics.errors import ReportError

        raise ReportError(f"freq was {freq!r} but is expected to be one of day, week, month, quarter, year")
    if freq == "day":
        return day_span(t, t, lang)
    if freq == "month":
        return PERIODS.say("month", lang, y=_year(t.year, lang, True), month=_month(t.month, lang))
    return period_label(t, ends[freq], lang, with_year=True)


def period_names(periods: Iterable[Any], freq: str, lang: str = "zh") -> list[str]:
    """:func:`period_name` of each period start (a counts frame's ``period`` column).

    Examples
    --------
    >>> period_names(pd.to_datetime(["2025-01-01", "2026-01-01"]), "year", "en")
    ['2025', '2026']
    """
    return [period_name(p, freq, lang) for p in periods]


def baseline_note(start: Any, end: Any, lang: str = "zh") -> str:
    """Which days "the same period last year" is, for a range that is not whole months (else ``""``:
    the same months of last year go without saying).

    Examples
    --------
    >>> baseline_note("2026-03-05", "2026-06-30"), baseline_note("2026-01-01", "2026-06-30")
    ('去年同期为2025年3月5日至6月30日', '')
    >>> baseline_note("2024-02-10", "2024-02-29", "en")
    'the same period last year is 10–28 February 2023'
    """
    if whole_months(start, end):
        return ""
    from zzanalytics.models.compare import same_range_last_year

    bs, be = same_range_last_year(start, end, align="calendar")
    return PERIODS.say("baseline", lang, range=day_span(bs, be, lang))
