"""Period arithmetic of :mod:`zzanalytics.aggregate`: the first day of the period holding a time.

Periods are labelled by their first day as a naive ``datetime64[ns]`` (local dates); weeks are
ISO weeks starting on Monday. Integer arithmetic (no per-value Python), so a million times take
milliseconds.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from zzanalytics.clock import wall_day
from zzanalytics.errors import SchemaError

FREQS: dict[str, str] = {"day": "D", "week": "W-MON", "month": "MS", "quarter": "QS", "year": "YS"}
"""Supported ``freq`` values and the pandas frequency of their period starts."""

_DAY = np.timedelta64(1, "D")

__all__ = ["FREQS", "partial_periods", "period_start"]


def _check_freq(freq: str) -> None:
    if freq not in FREQS:
        raise SchemaError(f"freq was {freq!r} but is expected to be one of {list(FREQS)}")


def _as_day(value: Any, what: str) -> np.datetime64 | None:
    """A user-given date (str, date, Timestamp) as a naive ``datetime64[ns]`` day, or None."""
    if value is None:
        return None
    return np.datetime64(wall_day(value, what=what).to_datetime64(), "ns")


def period_start(times: Any, freq: str = "month") -> np.ndarray:
    """First day of the period containing each time (naive ``datetime64[ns]``).

    Weeks are ISO weeks (Monday first); quarters start in January, April, July
    and October.

    Parameters
    ----------
    times : array-like of datetime64
        Naive local times.
    freq : {"day", "week", "month", "quarter", "year"}

    Returns
    -------
    numpy.ndarray
        ``datetime64[ns]`` period starts.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array(["2025-12-31T23:00", "2026-01-01", "2026-01-04"], dtype="datetime64[ns]")
    >>> [str(x)[:10] for x in period_start(t, "week")]
    ['2025-12-29', '2025-12-29', '2025-12-29']
    >>> [str(x)[:10] for x in period_start(t, "quarter")]
    ['2025-10-01', '2026-01-01', '2026-01-01']
    """
    _check_freq(freq)
    t = np.asarray(times, dtype="datetime64[ns]")
    out = np.full(t.shape, np.datetime64("NaT"), dtype="datetime64[ns]")
    ok = ~np.isnat(t)
    out[ok] = _code_start(_period_code(t[ok], freq), freq)
    return out


_NS_PER_DAY = 86_400_000_000_000


def _civil(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(year, month) of days since 1970-01-01 — integer arithmetic (H. Hinnant's civil_from_days)."""
    z = days + 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    return year, month


def _period_code(t: np.ndarray, freq: str) -> np.ndarray:
    """Integer period number of each (non-NaT) time: consecutive periods get consecutive codes."""
    days = t.view("int64") // _NS_PER_DAY
    if freq == "day":
        return days
    if freq == "week":
        return (days + 3) // 7  # 1970-01-01 was a Thursday; weeks start on Monday
    year, month = _civil(days)
    months = (year - 1970) * 12 + (month - 1)
    if freq == "month":
        return months
    if freq == "quarter":
        return months // 3
    return year - 1970


def _code_start(code: np.ndarray, freq: str) -> np.ndarray:
    """First day (datetime64[ns]) of the periods numbered ``code``."""
    code = np.asarray(code, dtype=np.int64)
    if freq == "day":
        return code.astype("datetime64[D]").astype("datetime64[ns]")
    if freq == "week":
        return (code * 7 - 3).astype("datetime64[D]").astype("datetime64[ns]")
    if freq == "month":
        return code.astype("datetime64[M]").astype("datetime64[ns]")
    if freq == "quarter":
        return (code * 3).astype("datetime64[M]").astype("datetime64[ns]")
    return code.astype("datetime64[Y]").astype("datetime64[ns]")


def partial_periods(start: Any, end: Any, freq: str = "month") -> list[str]:
    """Notes on the first and last period of a span that the span covers only in part.

    A year of counts from data ending on 31 October counts ten months: ``zz counts --freq year``
    says so instead of letting it pass for a whole year.

    Examples
    --------
    >>> partial_periods("2019-01-01", "2026-10-31", "year")
    ['note: the year from 2026-01-01 is covered only to 2026-10-31: its count is partial']
    >>> partial_periods("2019-01-01", "2026-09-30", "quarter"), partial_periods(None, None, "month")
    ([], [])
    """
    if start is None or end is None or freq == "day":
        return []
    _check_freq(freq)
    first, last = _as_day(start, "start"), _as_day(end, "end")
    out, say = [], "note: the {} from {} is covered only {} {}: its count is partial"
    code = _period_code(np.array([first]), freq)[0]
    lo = _code_start(np.array([code]), freq)[0]
    if first != lo:
        out.append(say.format(freq, str(lo)[:10], "from", str(first)[:10]))
    code = _period_code(np.array([last]), freq)[0]
    hi = _code_start(np.array([code + 1]), freq)[0] - _DAY
    if last != hi:
        lo = _code_start(np.array([code]), freq)[0]
        out.append(say.format(freq, str(lo)[:10], "to", str(last)[:10]))
    return out
