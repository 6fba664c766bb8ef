"""Trends and seasonality: STL/MSTL decomposition, a trend test fit for "呈上升态势", seasonal profiles.

* :func:`decompose` — STL (one season) or MSTL (several) from statsmodels, robust by default.
* :func:`trend_test` — is there a monotonic trend, and how steep (% per year, with interval)?
  The default for monthly (quarterly) data is the **correlated seasonal Mann–Kendall test**
  (Hirsch & Slack 1984, ``pymannkendall.correlated_seasonal_test``): Kendall's S summed over the
  12 calendar months, with a variance that includes the covariance between months, so
  serial correlation and year-level shocks do not masquerade as a trend. The slope is the
  seasonal Sen slope of ``log(count + 0.5)`` (rank tests are unchanged by that monotone
  transform), so ``pct_per_year = exp(slope) − 1``; its interval is Gilbert's (1987)
  order-statistic interval with the test's variance.

  Why this one (measured on simulated stable overdispersed series, 7 years of months,
  NB with φ ≈ 4, AR(1) log-rate; 500 series each, level 0.05; see ``tests/test_trend.py``):

  ============================== ========= ========== ========================
  test                            ρ = 0     ρ = 0.5    ρ = 0.7 (sd 0.15)
  ============================== ========= ========== ========================
  seasonal MK (Hirsch 1982)       0.050     0.040      0.130
  quasi-Poisson GLM slope         0.060     0.062      0.166
  Poisson GLM, HAC (Newey–West)   0.082     0.084      0.142
  correlated seasonal MK          0.030     0.034      0.050
  ============================== ========= ========== ========================

  Only the correlated seasonal MK keeps its size when months are autocorrelated; its power
  on a +10 %/year trend was 0.82 (seasonal MK 0.98, at the price of 13 % false alarms).
  With fewer than three full years, or ``seasonal=False``, the Hamed–Rao autocorrelation-
  corrected MK test runs on the series instead.
* :func:`seasonal_profile` and :func:`spring_festival_effect` — which month peaks, and
  whether the Spring Festival (春节) effect moves with the lunar calendar.

A series is consecutive periods, zeros included. Given **records** (a frame with a date column
and no ``period``), :func:`decompose` and :func:`trend_test` count them per ``freq`` under their
coverage (``coverage=``, docs/coverage.md): only whole periods the coverage holds, and a series
with a period of no data inside is refused, never joined across it or filled with zeros.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from zzanalytics.models.trend import trend_test
>>> rng = np.random.default_rng(0)
>>> months = pd.date_range("2019-01-01", periods=84, freq="MS")
>>> y = rng.poisson(40 * 1.15 ** (np.arange(84) / 12))   # +15 % per year
>>> r = trend_test(pd.Series(y, index=months))
>>> r.direction, r.ci_low < 15 < r.ci_high
('up', True)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from zzanalytics.errors import ModelError, SchemaError
from zzanalytics.store.coverage import DATE_COLUMNS, coverage_for

__all__ = [
    "TrendResult",
    "decompose",
    "seasonal_profile",
    "spring_festival_dates",
    "spring_festival_effect",
    "trend_test",
]

_PER_YEAR = {"MS": 12, "M": 12, "ME": 12, "QS": 4, "Q": 4, "W": 52, "D": 365}


# --------------------------------------------------------------------------- input handling


def _as_series(series: Any, value: str | None = None) -> pd.Series:
    """One series with a DatetimeIndex from a Series, array or counts frame (``period`` + value)."""
    if isinstance(series, pd.DataFrame):
        if "period" not in series.columns:
            raise SchemaError(
                f"a counts frame needs a 'period' column; columns present: {list(series.columns)}"
            )
        numeric = [c for c in series.columns if c != "period" and pd.api.types.is_numeric_dtype(series[c])]
        if value is None:
            value = "count" if "count" in numeric else (numeric[0] if len(numeric) == 1 else None)
        if value is None or value not in series.columns:
            raise SchemaError(f"pass value=...; numeric columns in the frame: {numeric}")
        keys = [c for c in series.columns if c not in ("period", value) and c not in numeric]
        multi = [k for k in keys if series[k].nunique(dropna=False) > 1]
        if multi:
            raise SchemaError(
                f"the frame holds several series (keys {multi} vary); select one, "
                f"e.g. frame[frame['{multi[0]}'] == {series[multi[0]].iloc[0]!r}]"
            )
        s = series.set_index(pd.DatetimeIndex(series["period"]))[value].sort_index()
        _check_consecutive(s)
        return s.astype(float)
    if isinstance(series, pd.Series):
        if not isinstance(series.index, pd.DatetimeIndex):
            return series
        _check_consecutive(series.sort_index())
        return series.astype(float).sort_index()
    return pd.Series(np.asarray(series, dtype=float))


_STEPS = {12: "MS", 4: "QS", 52: "W-MON", 365: "D"}


def _check_consecutive(s: pd.Series) -> None:
    """Refuse a counts series with periods missing inside it: they have no data (outside the
    coverage), and joining across them would make a trend of the gap."""
    if len(s) < 3:
        return
    step = float(np.median(np.diff(s.index.values).astype("timedelta64[D]").astype(float)))
    rule = "YS" if step > 200 else _STEPS[_periods_per_year(s)]
    full = pd.date_range(s.index[0], s.index[-1], freq=rule)
    missing = full.difference(s.index)
    if len(missing) and s.index.isin(full).all():  # periods of another alignment: not counts
        raise ModelError(
            f"the series has no data for {len(missing)} period(s) inside it ({missing[0].date()} "
            f"to {missing[-1].date()}): they lie outside the coverage; pass one covered stretch, "
            f"e.g. series[series['period'] > '{missing[-1].date()}']"
        )


def _from_records(series: Any, freq: str, coverage: Any, call: str) -> Any:
    """Records (a date column, no ``period``) become their counts per ``freq`` under coverage:
    whole covered periods only (:func:`zzanalytics.aggregate.model_counts`)."""
    if not isinstance(series, pd.DataFrame) or "period" in series.columns:
        return series
    col = next((c for c in DATE_COLUMNS.values() if c in series.columns), None)
    if col is None:
        return series
    from zzanalytics.aggregate import model_counts, petition_counts

    table = next(t for t, c in DATE_COLUMNS.items() if c == col)
    cov = coverage_for(coverage, series, table=table, call=call, stacklevel=4)
    if table == "incidents":
        return model_counts(series, freq=freq, by=(), coverage=cov)
    if table == "petitions":
        return petition_counts(series, freq=freq, by=(), coverage=cov)[["period", "batches"]]
    raise SchemaError(f"{call}: count {table} first (a counts frame with 'period'); records of {col!r} given")


def _periods_per_year(s: pd.Series, default: int = 12) -> int:
    if isinstance(s.index, pd.DatetimeIndex) and len(s) >= 3:
        freq = pd.infer_freq(s.index)
        if freq:
            base = freq.split("-")[0]
            for key, n in _PER_YEAR.items():
                if base.startswith(key):
                    return n
        step = float(np.median(np.diff(s.index.values).astype("timedelta64[D]").astype(float)))
        if step >= 80:
            return 4
        if step >= 27:
            return 12
        if step >= 6:
            return 52
        return 365
    return default


# --------------------------------------------------------------------------- decomposition


def decompose(
    series: Any,
    period: int | Sequence[int] = 12,
    method: str = "stl",
    robust: bool = True,
    value: str | None = None,
    *,
    freq: str = "month",
    coverage: Any = None,
) -> pd.DataFrame:
    """Trend, seasonal and remainder components (STL or MSTL, statsmodels).

    Parameters
    ----------
    series : counts frame of one series (``period`` + value), Series with DatetimeIndex, array, or records
        Consecutive periods, zeros included (use :func:`zzanalytics.aggregate.counts`); a
        counts frame with a period missing inside is refused (no data there). Records
        (incidents or petitions) are counted per ``freq`` under ``coverage``.
    period : int or sequence of int
        Season length(s): 12 for months; ``(7, 365)`` for days with ``method="mstl"``.
    method : {"stl", "mstl"}
        ``stl`` uses ``statsmodels.tsa.seasonal.STL(period=..., robust=...)``; ``mstl`` uses
        ``MSTL(periods=..., stl_kwargs={"robust": ...})`` and sums its seasonal components.
    robust : bool
        Robust LOESS (outlier months do not bend the trend).
    value : str, optional
        Value column of a counts frame (default ``count``).
    freq, coverage
        For records only: the period, and what their sources cover (``st.coverage()`` or
        ``st``; ``None``: inferred, with a :class:`zzanalytics.CoverageWarning`).

    Returns
    -------
    DataFrame
        ``[period, observed, trend, seasonal, resid]`` (``observed = trend + seasonal + resid``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> idx = pd.date_range("2019-01-01", periods=72, freq="MS")
    >>> y = pd.Series(50 + 10 * np.sin(2 * np.pi * np.arange(72) / 12), index=idx)
    >>> d = decompose(y)
    >>> round(float(d["seasonal"].max() - d["seasonal"].min()), 1)
    20.0
    """
    from statsmodels.tsa.seasonal import MSTL, STL

    s = _as_series(_from_records(series, freq, coverage, "decompose()"), value)
    periods = [period] if isinstance(period, int) else list(period)
    if not periods or any(p < 2 for p in periods):
        raise ModelError(f"period must be an integer >= 2 (or several), got {period!r}")
    if s.isna().any():
        raise ModelError("the series has missing values; build it with counts() so empty periods are 0")
    if len(s) < 2 * max(periods):
        raise ModelError(
            f"decomposition needs at least two full seasons ({2 * max(periods)} periods), got {len(s)}"
        )
    y = s.to_numpy(dtype=float)
    if method == "stl":
        if len(periods) != 1:
            raise ModelError(f"method='stl' takes one period, got {periods}; use method='mstl'")
        res = STL(y, period=periods[0], robust=robust).fit()
        seasonal = np.asarray(res.seasonal)
    elif method == "mstl":
        res = MSTL(y, periods=periods, stl_kwargs={"robust": robust}).fit()
        seas = np.asarray(res.seasonal)
        seasonal = seas.sum(axis=1) if seas.ndim == 2 else seas
    else:
        raise ModelError(f"method was {method!r} but is expected to be 'stl' or 'mstl'")
    index = s.index if isinstance(s.index, pd.DatetimeIndex) else pd.RangeIndex(len(s))
    return pd.DataFrame(
        {
            "period": np.asarray(index),
            "observed": y,
            "trend": np.asarray(res.trend),
            "seasonal": seasonal,
            "resid": np.asarray(res.resid),
        }
    )


# --------------------------------------------------------------------------- trend test


@dataclass(frozen=True)
class TrendResult:
    """Result of :func:`trend_test`.

    Attributes
    ----------
    slope_per_year : float
        Seasonal Sen slope of the counts, in counts per period per year (e.g. +3 cases per
        month each year).
    pct_per_year : float
        Relative trend in percent per year, ``100·(exp(slope of log(count + 0.5)) − 1)``.
    ci_low, ci_high : float
        ``1 − α`` interval of ``pct_per_year`` (percent).
    p_value : float
        Two-sided p-value of the trend test.
    direction : {"up", "down", "flat"}
        "up" = 呈上升态势 (significant rise), "down" = 呈下降态势, "flat" = no significant trend.
    method : str
        ``correlated_seasonal_mk`` or ``hamed_rao_mk``.
    n : int
        Number of periods used.
    alpha : float
        Level.
    """

    slope_per_year: float
    pct_per_year: float
    ci_low: float
    ci_high: float
    p_value: float
    direction: str
    method: str
    n: int
    alpha: float

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict."""
        return asdict(self)

    def to_frame(self) -> pd.DataFrame:
        """One-row frame of the fields."""
        return pd.DataFrame([self.to_dict()])


def _pairwise_slopes(x: np.ndarray, period: int) -> np.ndarray:
    """All within-season pairwise slopes, per cycle (per year for monthly data)."""
    out = []
    for s in range(period):
        v = x[s::period]
        ok = np.flatnonzero(~np.isnan(v))
        if ok.size < 2:
            continue
        i, j = np.triu_indices(ok.size, 1)
        out.append((v[ok[j]] - v[ok[i]]) / (ok[j] - ok[i]))
    return np.concatenate(out) if out else np.zeros(0)


def _slopes_1d(x: np.ndarray, per_year: int) -> np.ndarray:
    ok = np.flatnonzero(~np.isnan(x))
    i, j = np.triu_indices(ok.size, 1)
    return (x[ok[j]] - x[ok[i]]) / (ok[j] - ok[i]) * per_year


def _sen_interval(slopes: np.ndarray, var_s: float, alpha: float) -> tuple[float, float]:
    """Gilbert's (1987) order-statistic interval of a Sen slope, given Var(S)."""
    d = np.sort(slopes[np.isfinite(slopes)])
    n = d.size
    if n == 0:
        return float("nan"), float("nan")
    c = float(stats.norm.ppf(1 - alpha / 2)) * np.sqrt(max(var_s, 0.0))
    m1 = int(np.floor((n - c) / 2))
    m2 = int(np.ceil((n + c) / 2))
    return float(d[min(max(m1 - 1, 0), n - 1)]), float(d[min(max(m2, 0), n - 1)])


def _effective_var(s_stat: float, z: float, var_s: float) -> float:
    """Var(S) implied by a test's z (covers the tests that correct the variance internally)."""
    if abs(z) > 1e-12 and abs(s_stat) > 1:
        return ((abs(s_stat) - 1) / abs(z)) ** 2
    return float(var_s)


def trend_test(
    series: Any,
    alpha: float = 0.05,
    seasonal: bool = True,
    period: int | None = None,
    value: str | None = None,
    *,
    freq: str = "month",
    coverage: Any = None,
) -> TrendResult:
    """Test for a monotonic trend ("呈上升态势") and estimate it in % per year with an interval.

    Parameters
    ----------
    series : counts frame of one series, Series with DatetimeIndex, array, or records
        Consecutive periods, zeros included; records are counted per ``freq`` under
        ``coverage`` (as in :func:`decompose`).
    alpha : float
        Level of the test and of the interval.
    seasonal : bool
        Use the correlated seasonal Mann–Kendall test (default; needs three full seasons);
        ``False`` runs the Hamed–Rao autocorrelation-corrected MK test on the series.
    period : int, optional
        Season length; default from the dates (12 for months, 4 quarters, 52 weeks, 7 days;
        12 for a plain array).
    value : str, optional
        Value column of a counts frame.
    freq, coverage
        For records only (see :func:`decompose`).

    Returns
    -------
    TrendResult

    Examples
    --------
    >>> import numpy as np
    >>> r = trend_test(np.random.default_rng(3).poisson(30, size=84))
    >>> r.direction, r.method
    ('flat', 'correlated_seasonal_mk')
    """
    import pymannkendall as mk

    if not 0 < alpha < 1:
        raise ModelError(f"alpha must lie in (0, 1), got {alpha!r}")
    s = _as_series(_from_records(series, freq, coverage, "trend_test()"), value)
    per_year = _periods_per_year(s)
    if period is None:
        period = {12: 12, 4: 4, 52: 52, 365: 7}[per_year]
    y = s.to_numpy(dtype=float)
    if np.isnan(y).any():
        raise ModelError("the series has missing values; build it with counts() so empty periods are 0")
    n = y.size
    if n < 8:
        raise ModelError(f"a trend test needs at least 8 periods, got {n}")
    logy = np.log(y + 0.5)
    if np.ptp(y) == 0:
        return TrendResult(0.0, 0.0, 0.0, 0.0, 1.0, "flat", "constant", n, alpha)
    use_seasonal = seasonal and period > 1 and n >= 3 * period and per_year in (12, 4)
    if use_seasonal:
        res = mk.correlated_seasonal_test(logy, period=period, alpha=alpha)
        cycles_per_year = per_year / period
        slopes_log = _pairwise_slopes(logy, period) * cycles_per_year
        slopes_raw = _pairwise_slopes(y, period) * cycles_per_year
        method = "correlated_seasonal_mk"
    else:
        res = mk.hamed_rao_modification_test(logy, alpha=alpha)
        slopes_log = _slopes_1d(logy, per_year)
        slopes_raw = _slopes_1d(y, per_year)
        method = "hamed_rao_mk"
    var_s = _effective_var(float(res.s), float(res.z), float(res.var_s))
    lo, hi = _sen_interval(slopes_log, var_s, alpha)
    slope_log = float(np.median(slopes_log)) if slopes_log.size else 0.0
    slope_raw = float(np.median(slopes_raw)) if slopes_raw.size else 0.0
    p = float(res.p)
    significant = p < alpha
    direction = ("up" if res.s > 0 else "down" if res.s < 0 else "flat") if significant else "flat"
    return TrendResult(
        slope_per_year=slope_raw,
        pct_per_year=100 * float(np.expm1(slope_log)),
        ci_low=100 * float(np.expm1(lo)),
        ci_high=100 * float(np.expm1(hi)),
        p_value=p,
        direction=direction,
        method=method,
        n=n,
        alpha=alpha,
    )


# --------------------------------------------------------------------------- seasonality


def seasonal_profile(counts_frame: Any, value: str | None = None) -> pd.DataFrame:
    """Average seasonal index per calendar month (1.0 = an average month) and the peak month.

    Each complete calendar year's months are divided by that year's monthly mean, so a
    trend does not leak into the profile; the index is the mean over years.

    Parameters
    ----------
    counts_frame : monthly counts frame of one series, or Series with DatetimeIndex
    value : str, optional
        Value column (default ``count``).

    Returns
    -------
    DataFrame
        ``[month, seasonal_index, years, peak]``; ``peak`` is True on the peak month, also
        in ``frame.attrs["peak_month"]``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> idx = pd.date_range("2020-01-01", periods=36, freq="MS")
    >>> prof = seasonal_profile(pd.Series(np.where(idx.month == 7, 20.0, 10.0), index=idx))
    >>> prof.attrs["peak_month"], round(float(prof["seasonal_index"].max()), 3)
    (7, 1.846)
    """
    s = _as_series(series=counts_frame, value=value)
    if not isinstance(s.index, pd.DatetimeIndex):
        raise SchemaError("seasonal_profile needs dates: a counts frame with 'period' or a Series with dates")
    df = pd.DataFrame({"year": s.index.year, "month": s.index.month, "y": s.to_numpy(dtype=float)})
    per_year = df.groupby("year")["month"].nunique()
    full = per_year[per_year == 12].index
    df = df[df["year"].isin(full)]
    if df.empty:
        raise ModelError("seasonal_profile needs at least one complete calendar year of monthly counts")
    mean = df.groupby("year")["y"].transform("mean")
    df["ratio"] = np.where(mean > 0, df["y"] / mean.where(mean > 0, 1.0), np.nan)
    prof = df.groupby("month")["ratio"].agg(seasonal_index="mean", years="count").reset_index()
    peak = int(prof.loc[prof["seasonal_index"].idxmax(), "month"])
    prof["peak"] = prof["month"] == peak
    prof.attrs["peak_month"] = peak
    return prof


def spring_festival_dates(years: Iterable[int]) -> dict[int, pd.Timestamp]:
    """First day of the Spring Festival (春节, Chinese New Year) per year, from ``holidays``.

    Examples
    --------
    >>> {y: str(d.date()) for y, d in spring_festival_dates([2025, 2026]).items()}
    {2025: '2025-01-29', 2026: '2026-02-17'}
    """
    import holidays

    out = {}
    for y in years:
        cal = holidays.China(years=int(y))
        days = [d for d, name in cal.items() if name == "Chinese New Year (Spring Festival)"]
        if not days:
            raise ModelError(f"the holidays package has no Spring Festival for {y}; upgrade holidays")
        out[int(y)] = pd.Timestamp(min(days))
    return out


def spring_festival_effect(
    counts_frame: Any, years: Iterable[int] | None = None, value: str | None = None, effect: str = "bump"
) -> pd.DataFrame:
    """Per year: the Spring Festival month, its count against its neighbours, and where the bump lands.

    The Spring Festival (正月初一, from ``holidays``) falls in January or February, so its effect
    moves between the two months from year to year. For each year:

    * ``ratio`` = the festival month's count / the mean of the months before and after it;
    * ``jan_feb`` = ``log((Jan + 0.5) / (Feb + 0.5))``, and ``excess`` = ``jan_feb`` minus its
      normal level, estimated **leaving the year out** as the midpoint of the mean ``jan_feb``
      of January-festival years and of February-festival years (the median of all years when
      one kind is missing). A positive excess puts the bump in January, a negative one in
      February (the other way round for ``effect="dip"``).

    Parameters
    ----------
    counts_frame : monthly counts frame of one series, or Series with DatetimeIndex
    years : iterable of int, optional
        Years to report (default: every year with January and February counts).
    value : str, optional
        Value column.
    effect : {"bump", "dip"}
        Whether the festival raises (fires, fireworks) or lowers counts.

    Returns
    -------
    DataFrame
        ``[year, sf_date, sf_month, count, neighbours_mean, ratio, jan_feb, excess, bump_month,
        lands]``; ``lands`` is True when ``bump_month == sf_month``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> idx = pd.date_range("2019-01-01", periods=96, freq="MS")
    >>> sf = spring_festival_dates(range(2019, 2027))
    >>> bump = [1.5 if (d.month == sf[d.year].month) else 1.0 for d in idx]
    >>> eff = spring_festival_effect(pd.Series(100 * np.array(bump), index=idx))
    >>> eff[["year", "sf_month", "bump_month", "lands"]].head(3)
       year  sf_month  bump_month  lands
    0  2019         2           2   True
    1  2020         1           1   True
    2  2021         2           2   True
    """
    if effect not in ("bump", "dip"):
        raise SchemaError(f"effect was {effect!r} but is expected to be 'bump' or 'dip'")
    s = _as_series(counts_frame, value)
    if not isinstance(s.index, pd.DatetimeIndex):
        raise SchemaError(
            "spring_festival_effect needs dates: a counts frame with 'period' or a dated Series"
        )
    s = s.copy()
    s.index = s.index.to_period("M")
    s = s.groupby(level=0).sum()

    def at(y: int, m: int) -> float:
        p = pd.Period(year=y, month=m, freq="M")
        return float(s[p]) if p in s.index else np.nan

    have = sorted({p.year for p in s.index})
    cand = [y for y in have if np.isfinite(at(y, 1)) and np.isfinite(at(y, 2))]
    wanted = cand if years is None else [int(y) for y in years]
    sf = spring_festival_dates(sorted(set(cand) | set(wanted)))
    d = {y: float(np.log((at(y, 1) + 0.5) / (at(y, 2) + 0.5))) for y in cand}

    def normal(skip: int) -> float:
        jan = [d[y] for y in cand if y != skip and sf[y].month == 1]
        feb = [d[y] for y in cand if y != skip and sf[y].month == 2]
        if jan and feb:
            return (float(np.mean(jan)) + float(np.mean(feb))) / 2
        rest = [d[y] for y in cand if y != skip]
        return float(np.median(rest)) if rest else np.nan

    rows = []
    for y in wanted:
        month = sf[y].month
        c = at(y, month)
        before = at(y - 1, 12) if month == 1 else at(y, 1)
        after = at(y, month + 1)
        neigh = (before + after) / 2
        excess = d[y] - normal(y) if y in d else np.nan
        if np.isfinite(excess) and excess != 0:
            jan_side = excess > 0 if effect == "bump" else excess < 0
            bump: int | None = 1 if jan_side else 2
        else:
            bump = None
        rows.append(
            {
                "year": y,
                "sf_date": sf[y],
                "sf_month": month,
                "count": c,
                "neighbours_mean": neigh,
                "ratio": (c + 0.5) / (neigh + 0.5) if np.isfinite(neigh) else np.nan,
                "jan_feb": d.get(y, np.nan),
                "excess": excess,
                "bump_month": bump,
                "lands": bump == month,
            }
        )
    return pd.DataFrame(rows)
