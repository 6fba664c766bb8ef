"""Rolling-origin backtests: MASE per model and series, and interval coverage.

For each origin (the last ``origins`` periods that leave ``horizon`` periods of
actuals, ``step`` periods apart, counted back from each series' own last observed
period, so that a ragged panel's series are each scored on their own span) the whole forecasting procedure of
:func:`zzanalytics.models.forecast.forecast` runs on the data up to the origin —
its own inner selection and calibration included — so the row ``model="selected"``
measures what a user actually gets (its ``mean`` column; ``"selected point"`` scores its
``point`` column, with the same intervals). Every candidate model is scored on the same
origins. MASE divides the mean absolute error by the in-sample mean absolute
error of the seasonal naive (lag 12 or 52) up to the origin; the per-series
figure is the mean over origins. Coverage is the share of actual values inside
the 80 % / 95 % intervals (candidates: negative-binomial intervals with the
dispersion of their own backtest errors; ``selected``: the calibrated intervals).

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> p = pd.date_range("2019-01-01", periods=60, freq="MS")
>>> df = pd.DataFrame({"category": "fire", "period": p, "count": rng.poisson(20, 60)})
>>> bt = backtest(df, horizon=3, origins=2, models=["snaive", "mean12"], workers=1, progress=False)
>>> sorted(bt["model"].unique())
['mean12', 'selected', 'selected point', 'snaive']
>>> list(bt.columns)
['category', 'model', 'mase', 'coverage80', 'coverage95', 'n_points']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from zzanalytics.errors import ModelError
from zzanalytics.models.engine import compute, forecast_frame, mase_scale
from zzanalytics.models.features import check_freq
from zzanalytics.models.forecasters import nb_quantile
from zzanalytics.models.intervals import dispersion
from zzanalytics.models.panel import panel_frame, to_panel


def backtest(
    counts: pd.DataFrame,
    *,
    horizon: int = 6,
    origins: int = 6,
    freq: str = "month",
    models: str | Sequence[str] = "auto",
    by: Sequence[str] | None = None,
    value: str = "count",
    levels: Sequence[int] = (80, 95),
    step: int = 1,
    workers: int | None = None,
    scheduler: Any = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Rolling-origin backtest of every candidate and of the selected forecast.

    Parameters
    ----------
    counts : DataFrame
        Long counts frame (keys, ``period``, value).
    horizon : int
        Periods ahead scored from each origin.
    origins : int
        Number of forecast origins, ``step`` periods apart, the last one ``horizon``
        periods before the end of the data.
    freq, models, by, value, levels
        As in :func:`zzanalytics.models.forecast.forecast`.

    Returns
    -------
    DataFrame
        ``[*keys, model, mase, coverage80, coverage95, n_points]``, one row per series and
        model (``selected`` is the full procedure scored on its ``mean``, ``selected point``
        on its ``point``). ``frame.attrs["summary"]`` holds
        :func:`summarise` of it.
    """
    freq = check_freq(freq)
    if origins < 1 or horizon < 1:
        raise ModelError(f"backtest needs origins >= 1 and horizon >= 1, got {origins} and {horizon}")
    panel = to_panel(counts, by=None if by is None else list(by), value=value, freq=freq)
    keys = panel.keys
    # each series' origins are counted back from its own last observed period
    offsets = [horizon + i * step for i in reversed(range(origins))]
    min_train = 12
    if not any(np.any(panel.ends - off - panel.starts >= min_train) for off in offsets):
        raise ModelError(f"{len(panel.periods)} periods are too few for a backtest with horizon {horizon}")
    kf = panel.key_frame.copy()
    kf["_sid"] = np.arange(len(kf))
    n = len(kf)
    acc: dict[str, dict[str, list]] = {}

    def add(model: str, i: int, err: float, hit80: np.ndarray, hit95: np.ndarray) -> None:
        d = acc.setdefault(
            model,
            {"mase": [[] for _ in range(n)], "h80": [[] for _ in range(n)], "h95": [[] for _ in range(n)]},
        )
        if np.isfinite(err):
            d["mase"][i].append(err)
        d["h80"][i].extend(hit80.tolist())
        d["h95"][i].extend(hit95.tolist())

    for off in offsets:
        cuts = panel.ends - off
        cuts = np.where(cuts - panel.starts >= min_train, cuts, -1)
        frame = panel_frame(panel, cuts)
        if frame.empty:
            continue
        last = panel.periods[int(cuts.max()) - 1]
        res = compute(
            frame,
            horizon=horizon,
            freq=freq,
            by=keys,
            until=None,
            value=panel.value,
            models=models,
            levels=levels,
            workers=workers,
            scheduler=scheduler,
            progress=progress,
            desc=f"backtest origin {off} periods before the end ({last:%Y-%m})",
        )
        fc = forecast_frame(res, levels)
        sub = res.panel.key_frame.copy()
        sid = sub.merge(kf, on=keys, how="left")["_sid"].to_numpy() if keys else np.zeros(len(sub), int)
        h = res.plan.horizon
        for r in range(len(sub)):
            i = int(sid[r])
            yt = np.full(horizon, np.nan)
            y = panel.Y[i, cuts[i] : cuts[i] + horizon]
            yt[: len(y)] = y
            ok = np.isfinite(yt)
            if not ok.any():
                continue
            sc = mase_scale(res.panel.series(r), res.plan.m)
            rows = fc.iloc[r * h : (r + 1) * h]
            hit80 = ((yt >= rows["lo80"].to_numpy()) & (yt <= rows["hi80"].to_numpy()))[ok]
            hit95 = ((yt >= rows["lo95"].to_numpy()) & (yt <= rows["hi95"].to_numpy()))[ok]
            for label, col in (("selected", "mean"), ("selected point", "point")):
                err = float(np.mean(np.abs(yt[ok] - rows[col].to_numpy()[ok])) / sc)
                add(label, i, err, hit80, hit95)
            if len(res.plan.names) < 2:
                continue
            for nm in res.plan.names:
                mu = res.means[nm][r]
                rr, dd = dispersion(res.true[r].ravel(), res.bt[nm][r].ravel())
                a = float(np.clip(rr / dd, 0, 10)) if dd > 0 else 0.1
                hits = {}
                for lv in (80, 95):
                    t = (1 - lv / 100) / 2
                    lo, hi = nb_quantile(t, mu, a, res.integer), nb_quantile(1 - t, mu, a, res.integer)
                    hits[lv] = (yt >= lo) & (yt <= hi)
                add(nm, i, float(np.mean(np.abs(yt[ok] - mu[ok])) / sc), hits[80][ok], hits[95][ok])
    out = []
    for model, d in acc.items():
        for i in range(n):
            row = {k: kf.iloc[i][k] for k in keys}
            row.update(
                model=model,
                mase=float(np.mean(d["mase"][i])) if d["mase"][i] else np.nan,
                coverage80=float(np.mean(d["h80"][i])) if d["h80"][i] else np.nan,
                coverage95=float(np.mean(d["h95"][i])) if d["h95"][i] else np.nan,
                n_points=len(d["h95"][i]),
            )
            out.append(row)
    result = pd.DataFrame(out, columns=[*keys, "model", "mase", "coverage80", "coverage95", "n_points"])
    result.attrs["summary"] = summarise(result)
    return result


def summarise(frame: pd.DataFrame) -> pd.DataFrame:
    """Per model: mean and median MASE, relative MASE to seasonal naive, pooled coverage, series.

    Coverage is pooled over points (weighted by ``n_points``); ``vs_snaive`` is the
    model's mean MASE divided by the seasonal naive's on the same series.
    """
    g = frame.dropna(subset=["mase"])
    if g.empty:
        return pd.DataFrame(
            columns=["model", "mean_mase", "median_mase", "vs_snaive", "coverage80", "coverage95", "series"]
        )
    w = frame.assign(c80=frame["coverage80"] * frame["n_points"], c95=frame["coverage95"] * frame["n_points"])
    cov = w.groupby("model")[["c80", "c95", "n_points"]].sum()
    s = g.groupby("model")["mase"].agg(mean_mase="mean", median_mase="median", series="count")
    s["coverage80"] = cov["c80"] / cov["n_points"]
    s["coverage95"] = cov["c95"] / cov["n_points"]
    snaive = s["mean_mase"].get("snaive", np.nan)
    s["vs_snaive"] = s["mean_mase"] / snaive if np.isfinite(snaive) else np.nan
    s = s.reset_index().sort_values("mean_mase")
    return s[["model", "mean_mase", "median_mase", "vs_snaive", "coverage80", "coverage95", "series"]]
