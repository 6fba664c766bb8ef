"""Forecast every series of a counts frame: selection, calibrated intervals, reconciliation.

This module is the one orchestrator: it turns the long frame into arrays, fans
chunks of series out through :func:`zzanalytics.execution.run_tasks`, selects a
model, calibrates intervals and reconciles townships with their district.

How a forecast is made
----------------------
1. **Candidates** (``models="auto"``): seasonal naive, mean of the last 12,
   ``glm`` (negative-binomial regression with a damped log-linear trend, ridge
   month effects, the Spring Festival share and days per month, recency
   weighted), ``pglm`` (level and trend only, with the *group's* seasonal and
   holiday profile as offset — the group is the series sharing every key but
   the most detailed one, e.g. all townships of one category — so a sparse
   township borrows its seasonality from the district), ``pses`` (exponential
   smoothing of the level after dividing out the group profile), statsforecast's
   ``AutoETS`` (additive seasonal, ``ANA``: the full ``ZZZ`` search costs 20x),
   ``TSB`` (intermittent demand), and equal-weight combinations of them. The
   statsmodels ``ETSModel`` (``ets_sm``), ``AutoARIMA``, ``CrostonSBA``, ``ADIDA``
   are available by name (``models=[...]``) but not in the default set: they
   cost 10-50x more per fit and did not win on simulated or sample panels.
2. **Selection** by rolling-origin backtest (3 origins half a horizon apart,
   horizon up to a year) on MASE scaled by the in-sample seasonal naive.
   Selection on a handful of origins per series is noisy, so the model is chosen
   per *class* of series (sparse < 2 a period, small < 20, large, short) on the
   class's mean MASE; the default combination — ``glm+pses+autoets`` (own
   seasonality) or ``pglm+pses+autoets`` (the group's), whichever has the lower
   backtest MASE over all series — must be beaten by ``15 % / sqrt(series in
   the class)``. Series too short to backtest fall back to ``pglm+mean12``.
3. **Intervals**: negative-binomial predictive distributions around the point
   forecast whose dispersion is estimated from the *backtest errors* of the
   selected model (per series, shrunk to its class); then the nominal level is
   calibrated on the class's backtest so that 80 % / 95 % intervals cover about
   80 % / 95 % of held-out periods (discreteness included). Integer for counts,
   never negative; gamma instead of NB for non-integer values (losses).
4. **Point forecast** (``point="auto"``): the predictive mean, except in sparse
   and small classes whose backtest MASE is lower with the predictive median
   (absolute-error scores reward the most likely value: for a township averaging
   0.4 a month that is 0); ``model`` then ends in ``@median``.
5. **Reconciliation** (``reconcile="bottom_up"``, when the keys include
   ``area_code``): rows with ``area_code="all"`` are added whose mean is the sum
   of the townships' means (every point is a mean then, so they add up) and stay
   non-negative; their intervals come from the backtest errors of those sums.
   Bottom-up is the method we recommend because township counts are small and
   MinT's covariance, estimated from a few dozen backtest errors, is noisy and
   can push small counts negative. ``reconcile="mint"`` forecasts the district
   series directly too and combines both by MinT (shrinkage covariance of
   backtest errors), clipping townships at zero and re-adding them. Reconciled
   townships carry means (medians do not add up), while absolute-error scores of
   sparse townships are better with medians (point 4): ``reconcile=None`` gives
   the series of the keys only, with ``point="auto"``. ``zz forecast`` writes the
   series of its ``--by`` keys (DESIGN's contract), i.e. ``reconcile=None``.

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> p = pd.date_range("2019-01-01", periods=60, freq="MS")
>>> df = pd.DataFrame({"category": "fire", "period": p, "count": rng.poisson(20, 60)})
>>> fc = forecast(df, horizon=3, workers=1, progress=False)
>>> list(fc.columns)
['category', 'period', 'mean', 'lo80', 'hi80', 'lo95', 'hi95', 'model']
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
    DEFAULT_MODELS,
    FALLBACK_MODEL,
    compute,
    district_frame,
    forecast_frame,
    mase_scale,
    sample_paths,
)
from zzanalytics.models.reconcile import add_district_rows

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
    point: str = "auto",
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
    point : {"auto", "mean", "median"}
        What the ``mean`` column holds. ``"mean"``: the predictive mean. ``"median"``:
        the predictive median. ``"auto"`` (default): the mean, except for classes of
        series (usually sparse ones, a few counts a period) whose backtest MASE is lower
        with the median — absolute-error scores reward the most likely value, which for
        a township averaging 0.4 a month is 0; ``model`` then ends in ``@median``. When
        district rows are added (``reconcile``) every point is a mean, so that townships
        add up to their district.

    Returns
    -------
    DataFrame
        ``[*by, period, mean, lo80, hi80, lo95, hi95, model]``; ``period`` is the first day
        of each forecast period.

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
    if point not in ("auto", "mean", "median"):
        raise ModelError(f"point={point!r}; use 'auto', 'mean' or 'median'")
    hierarchy = bool(reconcile) and AREA_KEY in res.panel.keys and res.panel.key_frame[AREA_KEY].nunique() > 1
    # medians do not add up: with district rows every point forecast is a mean
    fc = forecast_frame(res, levels, "mean" if hierarchy else point)
    if hierarchy:
        direct = None
        if reconcile == "mint":
            direct = compute(
                district_frame(res),
                horizon=horizon,
                freq=freq,
                by=[k for k in res.panel.keys if k != AREA_KEY],
                until=None,
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
