"""Calendar and holiday regressors for monthly and weekly count models.

The Spring Festival (春节) moves between late January and mid February, so a
monthly model with month dummies alone smears its effect over both months. The
regressor :func:`spring_festival_share` is the share of the seven-day holiday
(New Year's day and the six days after it, dates from the ``holidays``
package's China calendar) that falls in each period: 1.0 in February 2026, split
between January and February in years like 2028. National Day's golden week
(1-7 October) is a fixed-date share, useful for weekly series (in monthly series
it coincides with October). ``days`` is the number of days per period, used as
a log exposure so that February's three missing days are not read as a seasonal
dip.

Examples
--------
>>> import pandas as pd
>>> p = pd.date_range("2026-01-01", periods=3, freq="MS")
>>> spring_festival_share(p, "month").round(2).tolist()
[0.0, 1.0, 0.0]
>>> spring_festival_day(2028)
Timestamp('2028-01-26 00:00:00')
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from zzanalytics.clock import wall_time
from zzanalytics.errors import ModelError

SEASON_LENGTH = {"month": 12, "week": 52}
"""Periods per year for each supported frequency."""

_SF_DAYS = 7
_ND_DAYS = 7


def check_freq(freq: str) -> str:
    """Return ``freq`` normalised to ``"month"`` or ``"week"`` or raise :class:`ModelError`."""
    f = str(freq).lower().strip()
    aliases = {
        "month": "month",
        "m": "month",
        "ms": "month",
        "monthly": "month",
        "week": "week",
        "w": "week",
        "weekly": "week",
        "w-mon": "week",
    }
    if f not in aliases:
        raise ModelError(f"freq={freq!r} is not supported for forecasting; use 'month' or 'week'")
    return aliases[f]


def period_start(dates: pd.Series | pd.DatetimeIndex, freq: str) -> pd.DatetimeIndex:
    """First day of the month, or Monday of the ISO week, of each date (naive)."""
    idx = pd.DatetimeIndex(wall_time(pd.Series(dates))).normalize()
    if check_freq(freq) == "month":
        return pd.DatetimeIndex(idx.to_period("M").to_timestamp())
    return pd.DatetimeIndex(idx - pd.to_timedelta(idx.dayofweek, unit="D"))


def period_range(start: pd.Timestamp, periods: int, freq: str) -> pd.DatetimeIndex:
    """``periods`` consecutive period starts from ``start``."""
    rule = "MS" if check_freq(freq) == "month" else "W-MON"
    return pd.date_range(pd.Timestamp(start), periods=periods, freq=rule)


@lru_cache(maxsize=256)
def spring_festival_day(year: int) -> pd.Timestamp:
    """Chinese New Year's day (春节, 正月初一) of ``year`` from the ``holidays`` China calendar.

    Examples
    --------
    >>> spring_festival_day(2026)
    Timestamp('2026-02-17 00:00:00')
    """
    import holidays

    cal = holidays.China(years=year, language="en_US")
    days = sorted(d for d, name in cal.items() if "Spring Festival" in name and "observed" not in name)
    if not days:
        raise ModelError(f"the holidays package has no Spring Festival date for {year}")
    return pd.Timestamp(days[0])


def _window_share(periods: pd.DatetimeIndex, freq: str, starts: list[pd.Timestamp], ndays: int) -> np.ndarray:
    """Share of each ``ndays``-day window (beginning at ``starts``) inside each period."""
    freq = check_freq(freq)
    ends = periods + (pd.offsets.MonthBegin(1) if freq == "month" else pd.Timedelta(days=7))
    p0 = periods.values.astype("datetime64[D]").astype(np.int64)
    p1 = pd.DatetimeIndex(ends).values.astype("datetime64[D]").astype(np.int64)
    out = np.zeros(len(periods))
    for s in starts:
        w0 = np.datetime64(s.date(), "D").astype(np.int64)
        w1 = w0 + ndays
        out += np.clip(np.minimum(p1, w1) - np.maximum(p0, w0), 0, None) / ndays
    return out


def spring_festival_share(periods: pd.DatetimeIndex, freq: str = "month") -> np.ndarray:
    """Share of the seven-day Spring Festival holiday (New Year's day + 6) in each period."""
    periods = pd.DatetimeIndex(periods)
    if len(periods) == 0:
        return np.zeros(0)
    years = range(periods.min().year - 1, periods.max().year + 2)
    return _window_share(periods, freq, [spring_festival_day(y) for y in years], _SF_DAYS)


def national_day_share(periods: pd.DatetimeIndex, freq: str = "month") -> np.ndarray:
    """Share of the National Day golden week (1-7 October) in each period."""
    periods = pd.DatetimeIndex(periods)
    if len(periods) == 0:
        return np.zeros(0)
    years = range(periods.min().year - 1, periods.max().year + 2)
    return _window_share(periods, freq, [pd.Timestamp(y, 10, 1) for y in years], _ND_DAYS)


def days_in_period(periods: pd.DatetimeIndex, freq: str = "month") -> np.ndarray:
    """Days per period: 28-31 for months, 7 for weeks."""
    periods = pd.DatetimeIndex(periods)
    if check_freq(freq) == "month":
        return periods.days_in_month.to_numpy(dtype=float)
    return np.full(len(periods), 7.0)


def season_index(periods: pd.DatetimeIndex, freq: str = "month") -> np.ndarray:
    """Position in the year: month 0-11, or ISO week 0-51 (week 53 folded into 52)."""
    periods = pd.DatetimeIndex(periods)
    if check_freq(freq) == "month":
        return periods.month.to_numpy() - 1
    return np.minimum(periods.isocalendar().week.to_numpy(dtype=int), 52) - 1


def fourier(periods: pd.DatetimeIndex, freq: str = "month", k: int = 3) -> np.ndarray:
    """``2k`` Fourier terms of the annual cycle (day-of-year based, so weeks and months agree)."""
    periods = pd.DatetimeIndex(periods)
    mid = periods + pd.Timedelta(days=3 if check_freq(freq) == "week" else 14)
    frac = (mid.dayofyear.to_numpy() - 1) / 365.25
    cols = []
    for j in range(1, k + 1):
        cols += [np.sin(2 * np.pi * j * frac), np.cos(2 * np.pi * j * frac)]
    return np.column_stack(cols) if cols else np.zeros((len(periods), 0))


def calendar_frame(periods: pd.DatetimeIndex, freq: str = "month") -> pd.DataFrame:
    """All calendar regressors as a tidy frame: period, days, season, spring_festival, national_day.

    Examples
    --------
    >>> p = pd.date_range("2028-01-01", periods=2, freq="MS")
    >>> calendar_frame(p)[["period", "days", "spring_festival"]].round(3)
          period  days  spring_festival
    0 2028-01-01  31.0            0.857
    1 2028-02-01  29.0            0.143
    """
    periods = pd.DatetimeIndex(periods)
    return pd.DataFrame(
        {
            "period": periods,
            "days": days_in_period(periods, freq),
            "season": season_index(periods, freq),
            "spring_festival": spring_festival_share(periods, freq),
            "national_day": national_day_share(periods, freq),
        }
    )


def exog_matrix(periods: pd.DatetimeIndex, freq: str = "month") -> np.ndarray:
    """Exogenous columns the count regression uses: ``[log(days / mean days), sf, nd]``.

    Column 0 is a log exposure (an offset); for monthly data the National Day
    column duplicates October and is kept at zero.
    """
    periods = pd.DatetimeIndex(periods)
    freq = check_freq(freq)
    days = days_in_period(periods, freq)
    mean_days = 365.25 / SEASON_LENGTH[freq]
    nd = national_day_share(periods, freq) if freq == "week" else np.zeros(len(periods))
    return np.column_stack([np.log(days / mean_days), spring_festival_share(periods, freq), nd])
