"""Model selection: series classes and the per-series choice shrunk toward the class's.

The engine (:mod:`~zzanalytics.models.engine`) scores every candidate on rolling-origin
backtests (MASE per series); :func:`select` turns those scores into one model per
series: each class of series (:func:`classify`: sparse, small, large, short) gets its
best candidate, and a series with enough backtest evidence of its own may differ.

Examples
--------
>>> import numpy as np, pandas as pd
>>> mase = pd.DataFrame({"a": [1.2, 1.2, 1.2, 0.2], "b": [0.8, 0.8, 0.8, 0.8]})
>>> select(mase, np.array(["small"] * 4, object), ["a", "b"], np.array([3, 3, 3, 30])).tolist()
['b', 'b', 'b', 'a']
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from zzanalytics.models.panel import Panel

DEFAULT_MODELS = ("dotm+glm+pses", "dotm+pglm+pses", "dotm+sglm+pses")
"""The default combinations (theta + own, pooled or shrunk seasonality GLM + pooled level)."""
FALLBACK_MODEL = "sglm+mean12"
"""Model of short series without enough backtests to choose."""
SHRINK_ORIGINS = 6.0
"""Prior weight, in backtest origins, of the class's scores in a series' own selection."""


def level_classes(panel: Panel) -> np.ndarray:
    """sparse (< 2 a period over the last two seasons), small (< 20) or large, per series."""
    lvl = np.array([np.nanmean(panel.series(i)[-2 * panel.m :]) for i in range(len(panel.key_frame))])
    return np.where(lvl < 2, "sparse", np.where(lvl < 20, "small", "large")).astype(object)


def classify(panel: Panel) -> np.ndarray:
    """Selection class: the level class, or ``short`` under two seasons and a half of history."""
    cls = level_classes(panel)
    short = np.array([len(panel.series(i)) for i in range(len(cls))]) < 2 * panel.m + 6
    cls[short] = "short"
    return cls


def select(
    mase: pd.DataFrame, cls: np.ndarray, names: list[str], k_obs: np.ndarray | None = None
) -> np.ndarray:
    """Model per series: the class's choice, unless the series' own backtest, shrunk to it, says otherwise.

    The class's choice is the candidate with the lowest mean MASE over the class; the
    default combination must be beaten clearly (by 15 % for one series, 1.5 % for a
    hundred). A series then scores each candidate by ``(k * own + K0 * class) / (k + K0)``
    (``k`` its backtest origins, ``K0`` = :data:`SHRINK_ORIGINS`): a short or noisy
    series keeps its class's model, a long one whose own seasonality or trend clearly
    wins gets its own.
    """
    n = len(mase)
    chosen = np.empty(n, dtype=object)
    overall = mase[names].mean(skipna=True)
    pair = [d for d in DEFAULT_MODELS if d in names]
    if pair:
        # own seasonality (glm), the group's (pglm) or the shrunk mix (sglm): decided on every series
        default = min(pair, key=lambda d: (overall[d] if np.isfinite(overall[d]) else np.inf, pair.index(d)))
    else:  # the richest candidate given: a combination, else a model other than the naive ones
        ranked = sorted(names, key=lambda nm: (-nm.count("+"), nm in ("snaive", "mean12")))
        default = ranked[0]
    fallback = FALLBACK_MODEL if FALLBACK_MODEL in names else default
    k_obs = np.zeros(n) if k_obs is None else np.asarray(k_obs, float)
    M = mase[names].to_numpy(float)
    for c in np.unique(cls):
        idx = np.flatnonzero(cls == c)
        sub = mase.iloc[idx][names]
        valid = sub.notna().all(axis=1)
        if valid.sum() >= 3:
            score = sub[valid].mean()
        elif c == "short" or overall.isna().all():
            chosen[idx] = fallback
            continue
        else:
            # too few series to choose among many candidates (one series' backtest would pick
            # a noisy winner): only the default combinations compete, on every series' score
            chosen[idx] = default
            continue
        best = str(score.idxmin())
        margin = 1.0 - 0.15 / np.sqrt(max(int(valid.sum()), 1))
        if default in score and score[best] > margin * score[default]:
            best = default
        chosen[idx] = best
        if len(names) < 2 or SHRINK_ORIGINS <= 0:
            continue
        prior = score.reindex(names).to_numpy(float)
        jb = names.index(best)
        for i in idx:
            own = M[i]
            if k_obs[i] <= 0 or not np.all(np.isfinite(own)) or not np.all(np.isfinite(prior)):
                continue
            shr = (k_obs[i] * own + SHRINK_ORIGINS * prior) / (k_obs[i] + SHRINK_ORIGINS)
            j = int(np.argmin(shr))
            if shr[j] < 0.97 * shr[jb]:
                chosen[i] = names[j]
    return chosen


# ----------------------------------------------------------------------------- the point
POINT_WEIGHTS: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)
"""Candidate points: the predictive mean moved this share of the way to the predictive median."""


def blend_point(mean: np.ndarray, median: np.ndarray, w: np.ndarray | float) -> np.ndarray:
    """``mean + w (median - mean)``: 0 is the mean, 1 the median.

    Examples
    --------
    >>> blend_point(np.array([0.4, 10.2]), np.array([0.0, 10.0]), 0.5).tolist()
    [0.2, 10.1]
    """
    w = np.asarray(w, dtype=float)
    return mean + w * (median - mean)


def point_scores(
    true: np.ndarray, bt: np.ndarray, median: np.ndarray, scale: np.ndarray, weights=POINT_WEIGHTS
) -> np.ndarray:
    """MASE of each candidate point per series, ``(n_series, len(weights))``, NaN without backtests.

    ``true``, ``bt`` (backtest means) and ``median`` (backtest medians) are
    ``(n_series, origins, steps)``; ``scale`` ``(n_series, origins)`` is each origin's
    in-sample MAE of the seasonal naive. The per-series figure is the mean over origins,
    as for the models' MASE.
    """
    n = true.shape[0]
    out = np.full((n, len(weights)), np.nan)
    if true.size == 0:
        return out
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for j, w in enumerate(weights):
            err = np.nanmean(np.abs(blend_point(bt, median, w) - true), axis=2) / scale
            out[:, j] = np.nanmean(err, axis=1)
    return out


def select_points(
    scores: np.ndarray, cls: np.ndarray, k_obs: np.ndarray, weights=POINT_WEIGHTS
) -> np.ndarray:
    """Weight of the median in each series' point, chosen like the model (see :func:`select`).

    Each class takes the candidate with the lowest mean MASE over its series (the pooled
    choice of all series when a class has fewer than three scored ones; the mean when
    nothing was scored); a series then scores the candidates on its own origins shrunk
    toward its class's (``SHRINK_ORIGINS`` origins' weight) and takes its own winner
    when that is 3 % better.

    Examples
    --------
    >>> s = np.array([[1.0, 0.8, 0.7, 0.65, 0.6]] * 3 + [[0.5, 0.6, 0.7, 0.8, 0.9]])
    >>> select_points(s, np.array(["sparse"] * 4), np.array([3, 3, 3, 40])).tolist()
    [1.0, 1.0, 1.0, 0.0]
    """
    n = len(scores)
    wts = np.asarray(weights, dtype=float)
    out = np.zeros(n)
    if not n:
        return out
    valid = np.all(np.isfinite(scores), axis=1)
    overall = scores[valid].mean(axis=0) if valid.sum() >= 3 else None
    k_obs = np.asarray(k_obs, dtype=float)
    for c in np.unique(cls):
        idx = np.flatnonzero(cls == c)
        ok = idx[valid[idx]]
        prior = scores[ok].mean(axis=0) if len(ok) >= 3 else overall
        if prior is None:
            continue
        jc = int(np.argmin(prior))
        out[idx] = wts[jc]
        for i in ok:
            shr = (k_obs[i] * scores[i] + SHRINK_ORIGINS * prior) / (k_obs[i] + SHRINK_ORIGINS)
            j = int(np.argmin(shr))
            if shr[j] < 0.97 * shr[jc]:
                out[i] = wts[j]
    return out
