"""Wall-clock time: the one place where zoned times become the naive local times stages count in.

Every stage cuts periods, days and hours on the *wall clock of the data*: a tz-aware
timestamp is read in its own zone (the store hands out ``occurred_at`` in the district's
zone), or in ``tz`` when one is given; a naive timestamp is already wall time. No stage
assumes a particular zone.

Examples
--------
>>> import pandas as pd
>>> from zzanalytics.clock import wall_time, wall_day
>>> t = pd.Series(pd.to_datetime(["2026-03-08 09:30"]).tz_localize("UTC"))
>>> str(wall_time(t).iloc[0]), str(wall_time(t, "America/Toronto").iloc[0])
('2026-03-08 09:30:00', '2026-03-08 05:30:00')
>>> str(wall_day("2026-06-30T23:30:00+00:00", "Asia/Shanghai").date())
'2026-07-01'
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from zzanalytics.errors import SchemaError

DEFAULT_TZ = "Asia/Shanghai"
"""Zone of a store created without one (the sample district's)."""

__all__ = ["DEFAULT_TZ", "check_tz", "now", "wall_day", "wall_stamp", "wall_time"]


def check_tz(tz: str) -> str:
    """Return ``tz`` if it is an IANA time zone, else raise a :class:`SchemaError` with the fix.

    Examples
    --------
    >>> check_tz("Europe/London")
    'Europe/London'
    """
    try:
        ZoneInfo(str(tz))
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise SchemaError(
            f"time zone {tz!r} is unknown; use an IANA name such as 'Asia/Shanghai' or 'America/Toronto'"
        ) from None
    return str(tz)


def wall_time(values: Any, tz: str | None = None, what: str = "time") -> pd.Series:
    """``values`` as naive wall-clock ``datetime64[ns]`` (a Series, index kept when given one).

    Parameters
    ----------
    values : Series, Index or array-like of datetimes or date strings
    tz : str, optional
        Zone to read tz-aware values in; default: each value's own zone.
    what : str
        Name used in the error message when the values are not dates.

    Examples
    --------
    >>> str(wall_time(["2026-01-01 08:00+08:00"], "UTC").iloc[0])
    '2026-01-01 00:00:00'
    """
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if not pd.api.types.is_datetime64_any_dtype(s.dtype):
        try:
            s = pd.to_datetime(s)
        except (ValueError, TypeError) as exc:
            raise SchemaError(
                f"column {what!r} cannot be read as dates ({exc}); pass datetimes or ISO date strings"
            ) from None
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        if tz is not None:
            s = s.dt.tz_convert(tz)
        s = s.dt.tz_localize(None)
    return s.astype("datetime64[ns]")


def wall_stamp(value: Any, tz: str | None = None, what: str = "date") -> pd.Timestamp:
    """One timestamp as naive wall time (see :func:`wall_time`).

    Examples
    --------
    >>> str(wall_stamp("2026-05-06 21:30"))
    '2026-05-06 21:30:00'
    """
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise SchemaError(f"{what} was {value!r}, not a date ({exc}); use e.g. '2026-06-30'") from None
    if pd.isna(ts):
        raise SchemaError(f"{what} is missing; give a date such as '2026-06-30'")
    if ts.tzinfo is not None:
        if tz is not None:
            ts = ts.tz_convert(tz)
        ts = ts.tz_localize(None)
    return ts


def wall_day(value: Any, tz: str | None = None, what: str = "date") -> pd.Timestamp:
    """The wall-clock day (midnight, naive) of one timestamp.

    Examples
    --------
    >>> str(wall_day("2026-05-06 21:30").date())
    '2026-05-06'
    """
    return wall_stamp(value, tz, what).normalize()


def now(tz: str = DEFAULT_TZ) -> dt.datetime:
    """Current wall time in ``tz``, naive.

    Examples
    --------
    >>> now("UTC").tzinfo is None
    True
    """
    return dt.datetime.now(ZoneInfo(check_tz(tz))).replace(tzinfo=None)
