"""Date ranges for comparisons: same range last year (29 February, ISO weeks), k years back, 今年以来.

Private implementation; the public names live in :mod:`zzanalytics.models.compare`.

Examples
--------
>>> from zzanalytics.models._ranges import same_range_last_year
>>> [str(d.date()) for d in same_range_last_year("2024-02-29", "2024-02-29")]
['2023-02-28', '2023-02-28']
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from zzanalytics.clock import wall_day
from zzanalytics.errors import SchemaError

_DAY = pd.Timedelta(days=1)


# --------------------------------------------------------------------------- ranges


def _day(value: Any, what: str) -> pd.Timestamp:
    return wall_day(value, what=what)


def _is_month_end(ts: pd.Timestamp) -> bool:
    return (ts + _DAY).day == 1


def same_range_last_year(start: Any, end: Any, align: str = "auto") -> tuple[pd.Timestamp, pd.Timestamp]:
    """The same calendar range one year earlier (同期).

    29 February maps to 28 February; a range ending on a month's last day ends on that
    month's last day a year earlier (so February 2025 compares with 1-29 February 2024).
    Whole ISO weeks (Monday..Sunday) map to the same ISO week numbers of the previous ISO
    year when ``align`` is ``"iso_week"``, or ``"auto"`` and the range is not a whole calendar
    month range; week 53 maps to week 52 when last year had none.

    Examples
    --------
    >>> [str(d.date()) for d in same_range_last_year("2026-01-01", "2026-06-30")]
    ['2025-01-01', '2025-06-30']
    >>> [str(d.date()) for d in same_range_last_year("2025-02-01", "2025-02-28")]
    ['2024-02-01', '2024-02-29']
    >>> [str(d.date()) for d in same_range_last_year("2026-03-02", "2026-03-08")]  # ISO week 10
    ['2025-03-03', '2025-03-09']
    """
    s, e = _day(start, "start"), _day(end, "end")
    if align not in ("auto", "iso_week", "calendar"):
        raise SchemaError(f"align was {align!r} but is expected to be 'auto', 'iso_week' or 'calendar'")
    whole_weeks = s.dayofweek == 0 and e.dayofweek == 6
    whole_months = s.day == 1 and _is_month_end(e)
    if align == "iso_week" or (align == "auto" and whole_weeks and not whole_months):
        if not whole_weeks:
            raise SchemaError(f"align='iso_week' needs a Monday..Sunday range, got {s.date()}..{e.date()}")
        ys, ws, _ = s.isocalendar()
        ye, we, _ = e.isocalendar()

        def shift(year: int, week: int, day: int) -> pd.Timestamp:
            last_week = pd.Timestamp(year - 1, 12, 28).isocalendar()[1]
            return pd.Timestamp.fromisocalendar(year - 1, min(week, last_week), day)

        return shift(ys, ws, 1), shift(ye, we, 7)
    bs = s - pd.DateOffset(years=1)
    be = e - pd.DateOffset(years=1)
    if _is_month_end(e):
        be = (be + pd.offsets.MonthEnd(0)).normalize()
    return pd.Timestamp(bs), pd.Timestamp(be)


_LAST_YEARS = re.compile(r"^last_(\d+)_years$")


def _baseline_ranges(
    s: pd.Timestamp, e: pd.Timestamp, baseline: Any, align: str
) -> tuple[list[tuple[pd.Timestamp, pd.Timestamp]], bool]:
    """Baseline ranges and ``same_calendar`` (True → exposures are years, raw counts compared)."""
    if isinstance(baseline, str):
        if baseline == "last_year":
            return [same_range_last_year(s, e, align)], True
        many = _LAST_YEARS.match(baseline)
        if many and int(many.group(1)) >= 1:
            ranges, cs, ce = [], s, e
            for _ in range(int(many.group(1))):
                cs, ce = same_range_last_year(cs, ce, align)
                ranges.append((cs, ce))
            return ranges, True
        if baseline == "previous":
            length = e - s + _DAY
            return [(s - length, s - _DAY)], False
        raise SchemaError(
            f"baseline was {baseline!r} but is expected to be 'last_year', 'last_3_years' (any number), "
            "'previous' or (start, end)"
        )
    try:
        bs, be = baseline
    except (TypeError, ValueError):
        raise SchemaError(
            f"baseline was {baseline!r}; use 'last_year', 'last_3_years', 'previous' or a (start, end) pair"
        ) from None
    return [(_day(bs, "baseline start"), _day(be, "baseline end"))], False


def year_to_date(as_of: Any) -> tuple[pd.Timestamp, pd.Timestamp]:
    """(1 January of ``as_of``'s year, ``as_of``) — the 今年以来 range.

    Examples
    --------
    >>> [str(d.date()) for d in year_to_date("2026-06-30")]
    ['2026-01-01', '2026-06-30']
    """
    e = _day(as_of, "as_of")
    return pd.Timestamp(e.year, 1, 1), e
