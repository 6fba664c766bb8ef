"""Probability of breaching the annual safety targets (安全生产目标责任书).

For each metric the year-end value is what has been observed up to ``as_of``
plus a simulated remainder of the year: monthly series are forecast with the
same procedure as :func:`zzanalytics.models.forecast.forecast` (trained on the
complete months before ``as_of``), and paths are drawn from its calibrated
predictive distribution (a shared level factor per path, so months are
correlated as backtest errors of yearly sums say they are). The month holding
``as_of`` contributes only its remaining days (binomial thinning).

Metrics: ``fire.count`` (fires), ``fire.loss_yuan`` (the simulated number of
fires times losses resampled from the empirical, heavy-tailed loss distribution
of recent fires), ``traffic.deaths`` (deaths in traffic accidents, a monthly
count series), ``traffic.major`` (major accidents). ``p_breach = P(year-end >
ceiling)`` and the intervals are quantiles of the simulated year-end values.

What the sources cover (``coverage=``, see ``docs/coverage.md``) decides what is known: a
metric whose categories are not covered from 1 January to ``as_of`` has no year-to-date, so
no year-end value and no probability (NaN, ``covered`` False), never a sum that takes the
uncovered months as zeros; each series trains on its covered months only (the last unbroken
run of them).

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> paths = rng.poisson(30, size=4000).astype(float)
>>> out = summarise_paths(paths, observed=50.0, ceiling=85.0)
>>> round(out["expected"]), bool(abs(out["p_breach"] - 0.157) < 0.02)  # P(Poisson(30) > 35)
(80, True)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from zzanalytics.clock import wall_day, wall_time
from zzanalytics.errors import ModelError, SchemaError
from zzanalytics.models.features import period_range
from zzanalytics.store.coverage import Coverage, coverage_for

METRICS: dict[str, tuple[str, str]] = {
    "fire.count": ("fire", "count"),
    "fire.loss_yuan": ("fire", "loss_yuan"),
    "traffic.deaths": ("traffic", "deaths"),
    "traffic.major": ("traffic.major", "count"),
}
"""Metric -> (category prefix, what is summed)."""

LOSS_HISTORY_YEARS = 3


def summarise_paths(totals: np.ndarray, observed: float, ceiling: float) -> dict[str, float]:
    """Expected value, 80/95 % intervals and ``P(observed + remainder > ceiling)`` of simulated remainders."""
    tot = observed + np.asarray(totals, dtype=float)
    q = np.quantile(tot, [0.1, 0.9, 0.025, 0.975])
    return {
        "observed_to_date": float(observed),
        "expected": float(np.mean(tot)),
        "lo80": float(q[0]),
        "hi80": float(q[1]),
        "lo95": float(q[2]),
        "hi95": float(q[3]),
        "p_breach": float(np.mean(tot > ceiling)) if np.isfinite(ceiling) else float("nan"),
    }


def _matches(cat: pd.Series, prefix: str) -> pd.Series:
    return (cat == prefix) | cat.str.startswith(prefix + ".")


def _monthly(inc: pd.DataFrame, prefix: str, what: str, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    sub = inc[_matches(inc["category"], prefix)]
    months = pd.date_range(start, end, freq="MS")
    if sub.empty:
        return pd.Series(0.0, index=months)
    # float64 even from the store's nullable Int64 columns: an empty month is filled with 0.0 below
    if what == "count":
        vals = pd.Series(1.0, index=sub.index)
    else:
        vals = pd.to_numeric(sub[what], errors="coerce").astype("float64")
    per = sub["_month"]
    return vals.fillna(0.0).groupby(per).sum().reindex(months, fill_value=0.0)


def _targets_table(targets: Any, year: int) -> dict[str, float]:
    if isinstance(targets, Mapping):
        return {str(k): float(v) for k, v in targets.items()}
    if not isinstance(targets, pd.DataFrame):
        raise SchemaError(
            f"targets must be a DataFrame[year, metric, ceiling] or a dict, got {type(targets).__name__}"
        )
    need = {"metric", "ceiling"}
    if not need <= set(targets.columns):
        raise SchemaError(f"targets needs columns {sorted(need)}; it has {list(targets.columns)}")
    t = targets
    if "year" in t.columns:
        t = t[t["year"].astype(int) == int(year)]
    return {str(r.metric): float(r.ceiling) for r in t.itertuples()}


def target_breach(
    incidents: pd.DataFrame,
    targets: pd.DataFrame | Mapping[str, float],
    *,
    year: int,
    as_of: str | pd.Timestamp,
    n_paths: int = 2000,
    seed: int = 0,
    workers: int | None = 1,
    coverage: Any = None,
) -> pd.DataFrame:
    """Expected year-end value, intervals and probability of breaching each annual ceiling.

    Parameters
    ----------
    incidents : DataFrame
        Canonical incidents (``occurred_at``, ``category``, and ``deaths`` / ``loss_yuan``
        for those metrics).
    targets : DataFrame[year, metric, ceiling] or dict metric -> ceiling
        The store's ``targets`` table, or ceilings for ``year``.
    year : int
    as_of : date
        Last day of observed data (inclusive).
    n_paths : int
        Simulated paths.
    seed : int
    coverage : Coverage, Store or None
        What the sources cover (``st.coverage()`` or ``st``). ``None``: inferred from the
        records with a :class:`zzanalytics.CoverageWarning` (see :func:`zzanalytics.counts`);
        ``Coverage.complete()``: absence is zero.

    Returns
    -------
    DataFrame
        ``[metric, year, ceiling, observed_to_date, expected, lo80, hi80, lo95, hi95, p_breach,
        covered, coverage]``, one row per metric that has a ceiling (every metric of
        :data:`METRICS` if ``targets`` is empty; ceiling NaN). ``covered`` False: the coverage
        does not hold the year to ``as_of`` (or no whole month before it) for the metric's
        categories, and its figures are NaN (no data); ``coverage`` is the coverage's basis.

    Examples
    --------
    >>> from zzanalytics import open_store
    >>> with open_store() as st:  # doctest: +SKIP
    ...     target_breach(st.incidents(), st.table("targets"), year=2026, as_of="2026-06-30")
    """
    from zzanalytics.models.engine import compute, sample_paths

    cols = [
        "metric",
        "year",
        "ceiling",
        "observed_to_date",
        "expected",
        "lo80",
        "hi80",
        "lo95",
        "hi95",
        "p_breach",
        "covered",
        "coverage",
    ]
    for c in ("occurred_at", "category"):
        if c not in incidents.columns:
            raise SchemaError(f"incidents need column {c!r}; columns are {list(incidents.columns)}")
    ceilings = _targets_table(targets, year)
    metrics = [m for m in METRICS if m in ceilings] or list(METRICS)
    unknown = sorted(set(ceilings) - set(METRICS))
    if unknown and not [m for m in METRICS if m in ceilings]:
        raise ModelError(f"no known target metric in {unknown}; known: {list(METRICS)}")
    as_of = wall_day(as_of, what="as_of")
    if as_of.year != int(year):
        raise ModelError(f"as_of={as_of.date()} is not in year {year}; give a date inside the target year")
    cov = coverage_for(coverage, incidents, table="incidents", call="target_breach()")
    inc = incidents.copy()
    occ = wall_time(inc["occurred_at"], what="occurred_at")
    inc["_day"] = occ.dt.normalize()
    inc["_month"] = occ.dt.to_period("M").dt.to_timestamp()
    inc["category"] = inc["category"].astype(str)
    inc = inc[inc["_day"] <= as_of]
    if inc.empty:
        raise ModelError(f"no incidents on or before {as_of.date()}")
    first = inc["_month"].min()
    month_of = as_of.to_period("M").to_timestamp()
    month_end = month_of + pd.offsets.MonthEnd(0)
    complete = as_of >= month_end
    last_train = month_of if complete else month_of - pd.offsets.MonthBegin(1)
    year_end = pd.Timestamp(int(year), 12, 1)
    horizon = (year_end.year - last_train.year) * 12 + year_end.month - last_train.month
    frac_left = 0.0 if complete else (month_end - as_of).days / month_end.day
    ystart = pd.Timestamp(int(year), 1, 1)
    rng = np.random.default_rng(seed)

    series = {}
    observed = {}
    for m in metrics:
        prefix, what = METRICS[m]
        if what != "count" and what not in inc.columns and m != "fire.loss_yuan":
            raise SchemaError(f"metric {m} needs incidents column {what!r}; columns are {list(inc.columns)}")
        base = "count" if m == "fire.loss_yuan" else what
        s = _covered_run(_monthly(inc, prefix, base, first, last_train), cov, prefix)
        if len(s) and cov.covers(ystart, as_of, prefix):
            series[m] = s
        in_year = inc[(inc["_day"] >= ystart) & _matches(inc["category"], prefix)]
        if what == "count":
            observed[m] = float(len(in_year))
        else:
            if what not in in_year.columns:
                raise SchemaError(f"metric {m} needs incidents column {what!r}")
            observed[m] = float(pd.to_numeric(in_year[what], errors="coerce").fillna(0).sum())

    rows = []
    if horizon > 0 and series:
        frame = pd.concat(
            [
                pd.DataFrame({"metric": k, "period": s.index, "count": s.to_numpy()})
                for k, s in series.items()
            ],
            ignore_index=True,
        )
        res = compute(
            frame,
            horizon=horizon,
            freq="month",
            by=["metric"],
            until=None,
            value="count",
            models="auto",
            levels=(80, 95),
            workers=workers,
            scheduler=None,
            progress=False,
            desc="targets",
        )
        paths = sample_paths(res, n_paths, rng)  # (n_series, n_paths, horizon)
        order = res.panel.key_frame["metric"].tolist()
        periods = period_range(res.panel.periods[-1], horizon + 1, "month")[1:]
    for m in metrics:
        ceiling = ceilings.get(m, float("nan"))
        if m not in series:  # the year to date is not covered: no data, not a sum of zeros
            nan = dict.fromkeys(cols[3:10], float("nan"))
            rows.append({"metric": m, "year": int(year), "ceiling": ceiling, **nan, "covered": False})
            continue
        if horizon > 0:
            p = paths[order.index(m)].copy()
            if not complete and len(periods) and periods[0] == month_of:
                p[:, 0] = rng.binomial(p[:, 0].astype(int), frac_left)
            remainder = p.sum(axis=1)
        else:
            remainder = np.zeros(n_paths)
        if m == "fire.loss_yuan":
            remainder = _simulate_losses(inc, remainder, as_of, rng)
        out = summarise_paths(remainder, observed[m], ceiling)
        rows.append({"metric": m, "year": int(year), "ceiling": ceiling, **out, "covered": True})
    return pd.DataFrame(rows, columns=cols).assign(coverage=cov.basis)


def _covered_run(s: pd.Series, cov: Coverage, prefix: str) -> pd.Series:
    """The monthly series cut to its last unbroken run of months the coverage wholly holds
    (empty when the last month is not covered)."""
    ok = cov.covered_periods(s.index, "month", prefix, partial=False)
    if not len(s) or not ok[-1]:
        return s.iloc[0:0]
    gaps = np.flatnonzero(~ok)
    return s.iloc[gaps[-1] + 1 :] if len(gaps) else s


def _simulate_losses(
    inc: pd.DataFrame, n_fires: np.ndarray, as_of: pd.Timestamp, rng: np.random.Generator
) -> np.ndarray:
    """Sum of ``n_fires[i]`` losses resampled from recent fires' empirical loss distribution."""
    if "loss_yuan" not in inc.columns:
        raise SchemaError("metric fire.loss_yuan needs incidents column 'loss_yuan'")
    fires = inc[_matches(inc["category"], "fire")]
    recent = fires[fires["_day"] > as_of - pd.DateOffset(years=LOSS_HISTORY_YEARS)]
    losses = pd.to_numeric(recent["loss_yuan"], errors="coerce").dropna().to_numpy(float)
    if len(losses) < 20:
        losses = pd.to_numeric(fires["loss_yuan"], errors="coerce").dropna().to_numpy(float)
    n = np.asarray(n_fires, dtype=int)
    if len(losses) == 0 or n.sum() == 0:
        return np.zeros(len(n))
    draws = rng.choice(losses, size=int(n.sum()), replace=True)
    idx = np.repeat(np.arange(len(n)), n)
    return np.bincount(idx, weights=draws, minlength=len(n))
