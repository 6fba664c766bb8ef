"""Forecast every series of a counts frame: selection, calibrated intervals, reconciliation.

This module is the one orchestrator: it turns the long frame into arrays, fans
chunks of series out through :func:`zzanalytics.execution.run_tasks`, selects a
model, calibrates intervals and reconciles townships with their district.

How a forecast is made
----------------------
0. **Each series on its own span**: a counts frame may be ragged (series start and
   end where their sources' coverage does). Periods absent from the frame, or with a
   NaN value, are missing, never zeros; every series is trained on its own periods
   and its forecast starts right after its own last one (``until`` cuts earlier).
   Gaps inside a span are filled for fitting only and never scored.
1. **Robust training windows**: in every training window one-off spikes and dips
   are detected on the square-root scale by statsmodels' robust STL (remainder
   beyond 4.5 robust standard deviations, never in the last three periods) and
   replaced by trend + seasonality, so they lift neither the forecast nor the
   interval (:mod:`zzanalytics.models.robust`); a level shift is followed by STL's
   trend (it is a new level), and the local-level candidates adapt to it.
2. **Candidates** (``models="auto"``): seasonal naive, mean of the last 12,
   ``glm`` (negative-binomial regression with its *own* ridge month effects, a
   damped log-linear trend, the Spring Festival share and days per month, recency
   weighted, Huber-robust), ``pglm`` (level and trend only, with the *group's*
   seasonal and holiday profile as offset — the group is the series sharing every
   key but the most detailed one, e.g. all townships of one category), ``sglm``
   (the shrunk mix: own month effects ridge-penalised toward the group's profile),
   ``pses`` (exponential smoothing of the level after dividing out the group
   profile), statsforecast's ``DynamicOptimizedTheta`` (``dotm``: theta with drift
   and a tested multiplicative seasonality), and equal-weight combinations.
   statsforecast's ``AutoETS`` (``autoets``: additive seasonal ``ANA``), damped
   ``AAdA`` (``damped``), ``AutoTheta``, ``AutoARIMA``,
   statsmodels' ``ETSModel`` (``ets_sm``), ``TSB``, ``CrostonSBA`` and ``ADIDA`` are
   there by name (``models=[...]``) but not in the default set: the first cost 2-200x
   more per fit, the intermittent-demand ones forecast flat lines, and none won on the
   simulated or sample panels.
3. **Selection** by rolling-origin backtest (3 origins half a horizon apart, or 6 a
   quarter apart when a panel has fewer than 10 series; horizon up to a year) on
   MASE scaled by the in-sample seasonal naive. Each *class* of series (sparse < 2 a
   period, small < 20, large, short) gets the candidate with the lowest class mean
   MASE, where the default combination (theta + the own, pooled or shrunk
   seasonality GLM + the pooled level) must be beaten by ``15 % / sqrt(series)``;
   then each series scores the candidates on its own origins *shrunk toward its
   class's scores* (six origins' weight for the class) and takes its own winner
   when that is 3 % better: a long series with its own December peak or trend gets
   its own model, a short or noisy one keeps its class's. Classes of fewer than
   three series only choose among the default combinations.
4. **Intervals**: negative-binomial predictive distributions around the mean whose
   scale-free dispersion comes from the selected model's *backtest errors* — per
   series, shrunk to the pool of series of similar level (sparse, small, large;
   long and short together, so a series with little or no backtest of its own gets
   the pool's), with a pooled factor per step ahead — then the nominal level is
   calibrated on the pool's backtest points so that 80 % / 95 % intervals cover
   about 80 % / 95 % of held-out periods (discreteness included). Integer for
   counts, never negative; gamma instead of NB for non-integer values (losses).
5. **Points**: ``mean`` is always the predictive mean (so forecasts add up over
   series and districts; a series with events in its history never gets exactly 0),
   ``median`` the predictive median beside it, and ``point`` the point the backtests
   prefer for absolute error (what MASE rewards): the mean moved 0, 1/4, 1/2, 3/4 or
   all of the way to the median, scored on the selected model's backtest points
   (medians from the calibrated dispersion), chosen per level class and then per
   series shrunk toward it, as the model is. For a township averaging 0.4 a month
   it is usually the median (0); for large series it is close to the mean.
6. **Reconciliation** (``reconcile="bottom_up"``, when the keys include
   ``area_code``): rows with ``area_code="all"`` are added whose mean is the sum
   of the townships' means and whose intervals come from the backtest errors of
   those sums. ``reconcile="mint"`` forecasts the district series directly too and
   combines both by MinT (shrinkage covariance of backtest errors), clipping
   townships at zero and re-adding them. Townships observed to different last
   periods get no district rows (their total would mix months with and without
   data). ``zz forecast`` writes the series of its ``--by`` keys (``reconcile=None``).

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> p = pd.date_range("2019-01-01", periods=60, freq="MS")
>>> df = pd.DataFrame({"category": "fire", "period": p, "count": rng.poisson(20, 60)})
>>> fc = forecast(df, horizon=3, workers=1, progress=False)
>>> list(fc.columns)
['category', 'period', 'mean', 'median', 'point', 'lo80', 'hi80', 'lo95', 'hi95', 'model']
>>> bool((fc["lo95"] >= 0).all() and (fc["lo95"] <= fc["mean"]).all())
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from zzanalytics.errors import ModelError
from zzanalytics.models.engine import (
    AREA_KEY,
    BASE_MODELS,
    COMBOS,
    compute,
    district_frame,
    forecast_frame,
    mase_scale,
    sample_paths,
)
from zzanalytics.models.reconcile import add_district_rows
from zzanalytics.models.selection import DEFAULT_MODELS, FALLBACK_MODEL

__all__ = ["BASE_MODELS", "COMBOS", "DEFAULT_MODELS", "FALLBACK_MODEL", "forecast", "mase_scale"]


# ----------------------------------------------------------------------------- public
def forecast(
    counts: pd.DataFrame,
    *,
    horizon: int,
    freq: str = "month",
    by: Sequence[str] | None = None,
    until: str | pd.Timestamp | None = None,
    value: str = "count",
    models: str | Sequence[str] = "auto",
    levels: Sequence[int] = (80, 95),
    reconcile: str | None = "bottom_up",
    workers: int | None = None,
    scheduler: Any = None,
    progress: bool = True,
    return_paths: bool = False,
    n_paths: int = 1000,
    seed: int = 0,
) -> pd.DataFrame | tuple[pd.DataFrame, np.ndarray]:
    """Forecast every series of a long counts frame with calibrated intervals.

    Parameters
    ----------
    counts : DataFrame
        Long frame: the key columns, ``period`` and the value column.
    horizon : int
        Periods ahead.
    freq : {"month", "week"}
    by : sequence of str, optional
        Key columns; default every column except ``period`` and ``value``.
    until : date, optional
        Last date of the training data; the forecast starts at the next period.
    value : str
        Value column (``count``, ``deaths``, ``loss_yuan`` ...).
    models : "auto", str or list of str
        Candidates (see :func:`zzanalytics.models.forecasters.model_names`; ``"a+b"``
        combines). One name skips selection.
    levels : sequence of int
        Central interval levels.
    reconcile : {"bottom_up", "mint", None}
        When the keys include ``area_code``, add district rows (``area_code="all"``)
        that the townships add up to (their points are then means). ``None``: only the
        series of the keys. See the module docstring for why bottom-up.
    workers, scheduler, progress
        Passed to :func:`zzanalytics.execution.run_tasks`.
    return_paths : bool
        Also return simulated paths ``(n_series, n_paths, horizon)`` in the order of
        the frame's series.
    n_paths, seed : int
        Number of paths and their random seed.
    Returns
    -------
    DataFrame
        ``[*by, period, mean, median, point, lo80, hi80, lo95, hi95, model]``. ``period``
        is the first day of each forecast period: each series' forecast starts right after
        its own last observed period (or at ``until``). ``mean`` is always the predictive
        mean (forecasts add up across series; district rows are sums of means), ``median``
        the predictive median, ``point`` the point the backtests prefer for absolute error
        (between the two; 0 for most months of a township averaging 0.4 a month).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> p = pd.date_range("2020-01-01", periods=48, freq="MS")
    >>> df = pd.DataFrame({"period": p, "count": rng.poisson(5, 48)})
    >>> fc = forecast(df, horizon=2, workers=1, progress=False)
    >>> fc["period"].dt.strftime("%Y-%m").tolist()
    ['2024-01', '2024-02']
    """
    if reconcile not in ("bottom_up", "mint", None):
        raise ModelError(f"reconcile={reconcile!r}; use 'bottom_up', 'mint' or None")
    res = compute(
        counts,
        horizon=horizon,
        freq=freq,
        by=by,
        until=until,
        value=value,
        models=models,
        levels=levels,
        workers=workers,
        scheduler=scheduler,
        progress=progress,
    )
    hierarchy = bool(reconcile) and AREA_KEY in res.panel.keys and res.panel.key_frame[AREA_KEY].nunique() > 1
    fc = forecast_frame(res, levels)
    if hierarchy:
        direct = None
        if reconcile == "mint":
            direct = compute(
                district_frame(res),
                horizon=horizon,
                freq=freq,
                by=[k for k in res.panel.keys if k != AREA_KEY],
                until=None,
                origins=len(res.plan.offsets) - 1,
                h_bt=res.plan.h_bt,
                step=res.plan.step,
                value=res.panel.value,
                models=models,
                levels=levels,
                workers=workers,
                scheduler=scheduler,
                progress=False,
            )
        fc = add_district_rows(res, fc, levels, method=reconcile or "bottom_up", direct=direct)
    if return_paths:
        return fc, sample_paths(res, n_paths, np.random.default_rng(seed))
    return fc
