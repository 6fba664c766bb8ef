"""What a briefing's data can speak for: the criminal cases it counts, how long a history a series
has, and what each section needs (listed in the closing note).

A criminal-case total is the sum of the first-level categories whose data cover the whole period
(:class:`Scope`): a store of thefts only has no criminal total, it has thefts; a store without
fraud states a total "excluding fraud (no data)"; a fraud source that covers only part of the
period is left out of the total and named. Trends and forecasts need a history
(:func:`history`): the months the data cover without a break up to the period's end.

Examples
--------
>>> from zzanalytics.report.briefing.context import Context
>>> Scope.of(Context.empty()).counted
('theft', 'fraud', 'robbery', 'assault', 'other_criminal')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from zzanalytics.report.briefing.cover import slack_of
from zzanalytics.report.briefing.results import shared
from zzanalytics.report.phrases import Pair, Phrases
from zzanalytics.schema import CRIMINAL_PREFIXES

NOUNS = Phrases(
    {
        "criminal": ("刑事案件", "criminal cases"),
        "counted": ("已有数据的刑事案件", "criminal cases with data"),
    },
    name="briefing",
)


@dataclass(frozen=True)
class Scope:
    """The criminal cases a briefing counts.

    ``counted``: first-level criminal categories whose data cover the whole period (the total is
    their sum); ``partial``: held, but covering only part of it; ``absent``: no source holds them.
    """

    counted: tuple[str, ...]
    partial: tuple[str, ...]
    absent: tuple[str, ...]

    @classmethod
    def of(cls, ctx: Any) -> Scope:
        """The scope of a context's period and coverage.

        Examples
        --------
        >>> from dataclasses import replace
        >>> from zzanalytics.report.briefing.context import Context
        >>> from zzanalytics.store.coverage import Coverage
        >>> day = pd.to_datetime
        >>> cov = Coverage.from_frame(pd.DataFrame({"category": ["theft.other", "fraud.telecom"],
        ...     "start": day(["2019-01-01", "2026-03-01"]), "end": day(["2026-06-30"] * 2)}))
        >>> s = Scope.of(replace(Context.empty(), coverage=cov))
        >>> s.counted, s.partial, s.absent
        (('theft',), ('fraud',), ('robbery', 'assault', 'other_criminal'))
        """
        counted, partial, absent = [], [], []
        for p in CRIMINAL_PREFIXES:
            if not ctx.holds(p):
                absent.append(p)
            elif ctx.covers(p):
                counted.append(p)
            else:
                partial.append(p)
        return cls(tuple(counted), tuple(partial), tuple(absent))

    @property
    def total(self) -> bool:
        """Whether a criminal-case total is stated: two or more categories are counted.

        Examples
        --------
        >>> Scope(("theft",), (), ("fraud",)).total, Scope(("theft", "fraud"), (), ()).total
        (False, True)
        """
        return len(self.counted) >= 2

    @property
    def complete(self) -> bool:
        """Every criminal category is counted (the total is all criminal cases).

        Examples
        --------
        >>> Scope(CRIMINAL_PREFIXES, (), ()).complete
        True
        """
        return len(self.counted) == len(CRIMINAL_PREFIXES)

    @property
    def any(self) -> bool:
        """Some criminal category is counted."""
        return bool(self.counted)

    def noun(self, ctx: Any) -> str:
        """What the counted cases are called: 刑事案件, the one category counted, or 已有数据的刑事案件.

        Examples
        --------
        >>> from zzanalytics.report.briefing.context import Context
        >>> Scope(("theft",), (), ()).noun(Context.empty()), Scope(("theft", "fraud"), (), ("robbery",)).noun(
        ...     Context.empty(lang="en"))
        ('盗窃', 'criminal cases with data')
        """
        if len(self.counted) == 1:
            return ctx.label(self.counted[0])
        return ctx.say(NOUNS["criminal" if self.complete else "counted"])


@shared("scope")
def criminal_scope(ctx: Any) -> Scope:
    """The criminal cases a briefing counts (the shared result ``scope``).

    Examples
    --------
    >>> from zzanalytics.report.briefing.context import Context
    >>> criminal_scope(Context.empty()).complete
    True
    """
    return Scope.of(ctx)


def history(ctx: Any, categories: Any, table: str = "incidents") -> tuple[int, pd.Timestamp | None]:
    """Whole months the data of ``categories`` (every one of them) cover without a break up to the
    end of the period, and the first of them (``(0, None)`` when the period's end is not covered).

    Examples
    --------
    >>> from dataclasses import replace
    >>> from zzanalytics.report.briefing.context import Context
    >>> from zzanalytics.store.coverage import Coverage
    >>> cov = Coverage.from_frame(pd.DataFrame({"table": "incidents", "category": ["fraud.telecom"],
    ...     "start": pd.to_datetime(["2026-07-01"]), "end": pd.to_datetime(["2026-10-31"])}))
    >>> history(replace(Context.empty("2026-01-01", "2026-10-31"), coverage=cov), "fraud")
    (4, Timestamp('2026-07-01 00:00:00'))
    """
    wanted = [categories] if isinstance(categories, str) or categories is None else list(categories)
    end = pd.Timestamp(ctx.end)
    if ctx.coverage is None:
        return 10**6, None
    first = None
    for cat in wanted:
        spans = ctx.coverage.span(cat, table=table)
        slack = pd.Timedelta(days=slack_of(ctx.coverage, cat, table))
        hold = [(a, b) for a, b in spans if a - slack <= end <= b + slack]
        if not hold:
            return 0, None
        a = hold[0][0] - slack
        first = a if first is None else max(first, a)
    if first is None:
        return 0, None
    start = first if first.day == 1 else first + pd.offsets.MonthBegin(1)
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    return max(0, months), start


@dataclass(frozen=True)
class Need:
    """One kind of data a section needs, for the closing note: what it is, whether this briefing
    has it (``ok``), and what the section says or leaves out without it."""

    what: Pair
    ok: bool
    without: Pair
