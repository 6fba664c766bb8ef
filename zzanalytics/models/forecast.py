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

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from zzanalytics.errors import ModelError
from zzanalytics.models.features import SEASON_LENGTH, check_freq, exog_matrix, period_range
from zzanalytics.models.forecasters import NBGLM, make_model, nb_quantile, nb_sample
from zzanalytics.models.panel import Panel, to_panel

BASE_MODELS: tuple[str, ...] = ("snaive", "mean12", "glm", "pglm", "pses", "autoets", "tsb")
COMBOS: tuple[str, ...] = (
    "glm+autoets",
    "pglm+autoets",
    "glm+pglm+autoets",
    "pglm+mean12",
    "glm+pglm",
    "pglm+pses",
    "pses+mean12",
    "pglm+pses+autoets",
    "glm+pses",
    "glm+pses+autoets",
    "snaive+mean12",
    "snaive+pses",
    "snaive+glm+pses+autoets",
)
DEFAULT_MODELS = ("glm+pses+autoets", "pglm+pses+autoets")
FALLBACK_MODEL = "pglm+mean12"
N_ORIGINS = 3
AREA_KEY = "area_code"
ALL_AREAS = "all"
_LEVEL_GRID = np.concatenate([np.arange(0.30, 0.99, 0.01), np.arange(0.99, 0.9995, 0.001)])


# ----------------------------------------------------------------------------- helpers
def _candidates(models: str | Sequence[str]) -> tuple[list[str], list[str]]:
    """(base models to fit, all candidate names including combinations)."""
    if models == "auto":
        names = [*BASE_MODELS, *COMBOS]
    elif isinstance(models, str):
        names = [models]
    else:
        names = list(models)
    base: list[str] = []
    for n in names:
        make_model(n)  # validates the name
        for p in n.split("+"):
            if p not in base:
                base.append(p)
    return base, names


def mase_scale(y: np.ndarray, m: int) -> float:
    """In-sample MAE of the seasonal naive (lag ``m``); lag 1 if that is 0; NaN if both are.

    Examples
    --------
    >>> mase_scale(np.array([1., 2, 3, 4, 2, 3, 4, 5]), 4)
    1.0
    """
    y = np.asarray(y, dtype=float)
    for lag in (m, 1):
        if len(y) > lag:
            s = float(np.mean(np.abs(y[lag:] - y[:-lag])))
            if s > 0:
                return s
    return float("nan")


def _group_ids(key_frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Series sharing every key except the most detailed one form a group."""
    if len(keys) <= 1 or key_frame.empty:
        return np.zeros(len(key_frame), dtype=int)
    detail = max(keys, key=lambda k: (key_frame[k].nunique(), k == AREA_KEY))
    rest = [k for k in keys if k != detail]
    return key_frame.groupby(rest, sort=False).ngroup().to_numpy()


def _profile(agg: np.ndarray, start: int, cut: int, X: np.ndarray, m: int) -> np.ndarray | None:
    """Log seasonal + holiday + exposure profile of a group aggregate fitted on ``[start, cut)``."""
    y = agg[start:cut]
    if len(y) < m + 6 or y.sum() <= 0:
        return None
    seasonal = "dummies" if m == 12 else "fourier"
    mod = NBGLM(m, seasonal=seasonal, trend=True, halflife=4 * m, ridge_season=1.0).fit(y, X[start:cut])
    if mod.zero_:
        return None
    beta = mod.beta_.copy()
    beta[0] = 0.0
    if mod.trend:
        beta[1] = 0.0
    pos = np.arange(start, X.shape[0])
    tr = np.zeros(len(pos))
    Xd, off = mod._design(pos - start, tr, X[start:])
    prof = np.full(X.shape[0], np.nan)
    prof[start:] = Xd @ beta + off
    prof[start:] -= np.mean(prof[max(start, cut - m) : cut])
    return prof


@dataclass
class _Plan:
    freq: str
    m: int
    horizon: int
    h_bt: int
    step: int
    cuts: list[int]  # global cut indices: origins then T
    base: list[str]
    names: list[str]


def _plan(
    T: int, freq: str, horizon: int, models: Any, origins: int = N_ORIGINS, h_bt: int | None = None
) -> _Plan:
    m = SEASON_LENGTH[freq]
    h_bt = max(1, min(horizon, m)) if h_bt is None else h_bt
    step = max(1, (h_bt + 1) // 2)
    cuts = [T - h_bt - i * step for i in reversed(range(origins))]
    cuts = [c for c in cuts if c > 0] + [T]
    base, names = _candidates(models)
    return _Plan(freq, m, horizon, h_bt, step, cuts, base, names)


# ----------------------------------------------------------------------------- the task
def _fit_predict(name: str, y: np.ndarray, Xfit: np.ndarray, Xfut: np.ndarray, h: int, m: int) -> np.ndarray:
    if len(y) < 3:
        return np.full(h, float(np.mean(y)) if len(y) else 0.0)
    mod = make_model(name, m)
    return np.maximum(mod.fit(y, Xfit).predict(h, Xfut, levels=())["mean"], 0.0)


def _run_series(item: tuple, shared: tuple) -> dict:
    """Backtest and final forecasts of one series; ``shared`` is ``(plan, exog)`` (picklable)."""
    plan, X = shared
    y, s, profs = item
    return _run_chunk({"plan": plan, "exog": X, "ys": [y], "starts": [s], "profiles": [profs]})[0]


def _run_chunk(task: dict) -> list[dict]:
    """Backtest and final forecasts of every base model for a chunk of series (picklable)."""
    plan: _Plan = task["plan"]
    X = task["exog"]
    out = []
    for y, s, profs in zip(task["ys"], task["starts"], task["profiles"], strict=True):
        res: dict[str, Any] = {"bt": {b: [] for b in plan.base}, "true": [], "scale": [], "final": {}}
        for j, cut_g in enumerate(plan.cuts):
            final = j == len(plan.cuts) - 1
            cut = cut_g - s
            h = plan.horizon if final else plan.h_bt
            if not final and cut < max(plan.m + 2, 8):
                continue
            ytr = y[:cut]
            Xs = X[s : cut_g + h]
            Xfit, Xfut = Xs[:cut], Xs[cut : cut + h]
            prof = profs[j] if profs is not None else None
            if prof is not None:  # the group's profile (exposure included) is the offset
                P = np.zeros_like(Xs)
                P[:, 0] = prof[s : cut_g + h]
                Pfit, Pfut = P[:cut], P[cut : cut + h]
            else:
                Pfit, Pfut = Xfit, Xfut
            for b in plan.base:
                xf, xu = (Pfit, Pfut) if b in ("pglm", "pses") else (Xfit, Xfut)
                pred = _fit_predict(b, ytr, xf, xu, h, plan.m)
                if final:
                    res["final"][b] = pred
                else:
                    res["bt"][b].append(pred)
            if not final:
                res["true"].append(y[cut : cut + h])
                res["scale"].append(mase_scale(ytr, plan.m))
        out.append(res)
    return out


# ----------------------------------------------------------------------------- core
@dataclass
class _Result:
    """Everything the orchestrator knows about a panel's forecasts (used by backtest and targets)."""

    panel: Panel
    plan: _Plan
    future: pd.DatetimeIndex
    means: dict[str, np.ndarray]  # candidate -> (n_series, horizon)
    bt: dict[str, np.ndarray]  # candidate -> (n_series, k, h_bt), NaN where no origin
    true: np.ndarray  # (n_series, k, h_bt)
    scale: np.ndarray  # (n_series, k)
    mase: pd.DataFrame  # n_series x candidates
    chosen: np.ndarray  # model name per series
    cls: np.ndarray  # class label per series
    alpha: np.ndarray  # predictive NB dispersion per series
    tau2: np.ndarray  # shared level-factor variance per series (paths)
    level_map: dict[str, dict[int, float]] = field(default_factory=dict)  # class -> target -> nominal
    integer: bool = True
    median_classes: set = field(default_factory=set)  # classes whose point forecast is the median


def _classes(panel: Panel) -> np.ndarray:
    lvl = np.array([np.mean(panel.series(i)[-2 * panel.m :]) for i in range(len(panel.key_frame))])
    short = np.array([len(panel.series(i)) for i in range(len(lvl))]) < 2 * panel.m + 6
    cls = np.where(lvl < 2, "sparse", np.where(lvl < 20, "small", "large")).astype(object)
    cls[short] = "short"
    return cls


def _cdf_pair(y: np.ndarray, mu: np.ndarray, a: np.ndarray, integer: bool) -> tuple[np.ndarray, np.ndarray]:
    """``F(y)`` and ``F(y-1)`` (``F(y)`` twice for continuous data) of the predictive distribution."""
    from scipy import stats

    mu = np.maximum(mu, 1e-9)
    a = np.maximum(a, 1e-8)
    if integer:
        nn = 1.0 / a
        pp = nn / (nn + mu)
        return stats.nbinom.cdf(y, nn, pp), stats.nbinom.cdf(y - 1, nn, pp)
    var = mu + a * mu * mu
    f = stats.gamma.cdf(y, mu * mu / var, scale=var / mu)
    return f, f


def _coverage_grid(
    y: np.ndarray, mu: np.ndarray, a: np.ndarray, grid: np.ndarray, integer: bool
) -> np.ndarray:
    """Empirical coverage of central intervals at each nominal level of ``grid``.

    ``y`` is inside ``[ppf(t), ppf(1-t)]`` iff ``F(y) >= t`` and ``F(y-1) < 1-t``.
    """
    f, fm = _cdf_pair(y, mu, a, integer)
    tails = (1 - grid) / 2
    inside = (f[None, :] >= tails[:, None] - 1e-12) & (fm[None, :] < 1 - tails[:, None] + 1e-12)
    return inside.mean(axis=1)


def _calibrate(
    y: np.ndarray, mu: np.ndarray, a: np.ndarray, targets: Sequence[int], integer: bool
) -> dict[int, float]:
    """Nominal level per target so that backtest coverage is closest to the target."""
    out = {}
    if len(y) < 20:
        return {t: t / 100 for t in targets}
    covs = _coverage_grid(y, mu, a, _LEVEL_GRID, integer)
    for t in targets:
        # aim half a point above the target: the dispersion was estimated on the same errors
        goal = min(t / 100 + 0.005, 0.995)
        err = np.abs(covs - goal)
        best = np.flatnonzero(err <= err.min() + 1e-12)
        # among ties prefer the level closest to nominal
        out[t] = float(_LEVEL_GRID[best[np.argmin(np.abs(_LEVEL_GRID[best] - goal))]])
    return out


def _dispersion(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    """Sums (r, d) of the NB moment estimate ``alpha = r / d`` from errors of predictions ``p``."""
    ok = np.isfinite(y) & np.isfinite(p)
    y, p = y[ok], np.maximum(p[ok], 1e-6)
    return float(np.sum((y - p) ** 2 - p)), float(np.sum(p * p))


def _select(mase: pd.DataFrame, cls: np.ndarray, names: list[str]) -> np.ndarray:
    chosen = np.empty(len(mase), dtype=object)
    overall = mase[names].mean(skipna=True)
    pair = [d for d in DEFAULT_MODELS if d in names]
    if pair:
        # own seasonality (glm) or the group's (pglm): decided once on every series' backtest
        default = min(pair, key=lambda d: (overall[d] if np.isfinite(overall[d]) else np.inf, pair.index(d)))
    else:  # the richest candidate given: a combination, else a model other than the naive ones
        ranked = sorted(names, key=lambda nm: (-nm.count("+"), nm in ("snaive", "mean12")))
        default = ranked[0]
    fallback = FALLBACK_MODEL if FALLBACK_MODEL in names else default
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
            score = overall
        best = str(score.idxmin())
        # a class mean MASE over few series and origins is noisy: the default combination
        # must be beaten clearly (by 15 % for one series, 1.5 % for a hundred)
        margin = 1.0 - 0.15 / np.sqrt(max(int(valid.sum()), 1))
        if default in score and score[best] > margin * score[default]:
            best = default
        chosen[idx] = best
    return chosen


def _combine(parts: dict[str, np.ndarray], name: str) -> np.ndarray:
    return np.mean([parts[p] for p in name.split("+")], axis=0)


def _compute(
    counts: pd.DataFrame,
    *,
    horizon: int,
    freq: str,
    by: Sequence[str] | None,
    until: Any,
    value: str,
    models: Any,
    levels: Sequence[int],
    workers: int | None,
    scheduler: Any,
    progress: bool,
    origins: int = N_ORIGINS,
    h_bt: int | None = None,
    desc: str = "forecast",
) -> _Result:
    from zzanalytics.execution import run_tasks

    freq = check_freq(freq)
    if int(horizon) < 1:
        raise ModelError(f"horizon={horizon}: forecast at least one period ahead")
    horizon = int(horizon)
    panel = to_panel(counts, by=None if by is None else list(by), value=value, freq=freq, until=until)
    T = len(panel.periods)
    plan = _plan(T, freq, horizon, models, origins, h_bt)
    future = period_range(panel.periods[-1], horizon + 1, freq)[1:]
    allp = panel.periods.append(future)
    X = exog_matrix(allp, freq)
    n = len(panel.key_frame)
    integer = bool(np.all(np.abs(np.nan_to_num(panel.Y) - np.round(np.nan_to_num(panel.Y))) < 1e-9))

    groups = _group_ids(panel.key_frame, panel.keys)
    profiles: list[list[np.ndarray | None] | None] = [None] * n
    if "pglm" in plan.base:
        agg_cache = {}
        for g in np.unique(groups):
            members = np.flatnonzero(groups == g)
            agg = np.nansum(panel.Y[members], axis=0)
            start = int(panel.starts[members].min())
            agg_cache[g] = [_profile(agg, start, c, X, plan.m) for c in plan.cuts]
        for i in range(n):
            profiles[i] = agg_cache[groups[i]]

    # One item per series; the plan and the exogenous matrix go to each worker once (``shared``),
    # and the dispatcher sizes chunks from the real pool or cluster.
    items = [(panel.series(i), int(panel.starts[i]), profiles[i]) for i in range(n)]
    results = run_tasks(
        _run_series,
        items,
        workers=workers,
        scheduler=scheduler,
        progress=progress,
        desc=desc,
        shared=(plan, X),
    )

    k = len(plan.cuts) - 1
    hb = plan.h_bt
    true = np.full((n, k, hb), np.nan)
    scale = np.full((n, k), np.nan)
    bt_base = {b: np.full((n, k, hb), np.nan) for b in plan.base}
    final_base = {b: np.zeros((n, horizon)) for b in plan.base}
    for i, r in enumerate(results):
        kk = len(r["true"])
        for j in range(kk):
            jj = k - kk + j
            tj = r["true"][j]
            true[i, jj, : len(tj)] = tj
            scale[i, jj] = r["scale"][j]
            for b in plan.base:
                bt_base[b][i, jj, : len(tj)] = r["bt"][b][j][: len(tj)]
        for b in plan.base:
            final_base[b][i] = r["final"][b]
    bt = {nm: _combine(bt_base, nm) for nm in plan.names}
    means = {nm: _combine(final_base, nm) for nm in plan.names}

    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mase = pd.DataFrame(
            {
                nm: np.nanmean(np.nanmean(np.abs(bt[nm] - true), axis=2) / scale, axis=1)
                if k
                else np.full(n, np.nan)
                for nm in plan.names
            }
        )
    cls = _classes(panel)
    chosen = _select(mase, cls, plan.names) if len(plan.names) > 1 else np.array([plan.names[0]] * n, object)

    # dispersion of the chosen model's backtest errors, shrunk to the class
    sel_bt = np.stack([bt[chosen[i]][i] for i in range(n)]) if n else np.zeros((0, k, hb))
    r_i = np.zeros(n)
    d_i = np.zeros(n)
    for i in range(n):
        r_i[i], d_i[i] = _dispersion(true[i].ravel(), sel_bt[i].ravel())
    alpha = np.zeros(n)
    tau2 = np.zeros(n)
    level_map: dict[str, dict[int, float]] = {}
    for c in np.unique(cls):
        idx = np.flatnonzero(cls == c)
        if d_i[idx].sum() > 0:
            pooled = max(r_i[idx].sum() / d_i[idx].sum(), 0.0)
        elif d_i.sum() > 0:
            pooled = max(r_i.sum() / d_i.sum(), 0.0)
        else:
            pooled = 0.1
        d0 = float(np.median(d_i[idx])) if d_i[idx].any() else 1.0
        alpha[idx] = np.clip((r_i[idx] + d0 * pooled) / (d_i[idx] + d0), 0.0, 10.0)
        yy, pp = true[idx].reshape(len(idx), -1), sel_bt[idx].reshape(len(idx), -1)
        aa = np.broadcast_to(alpha[idx][:, None], yy.shape)
        ok = np.isfinite(yy) & np.isfinite(pp)
        level_map[c] = _calibrate(yy[ok], np.maximum(pp[ok], 0), aa[ok], levels, integer)
        # level-factor variance from errors of the horizon sums
        S = np.nansum(np.where(np.isfinite(true[idx]), true[idx], 0), axis=2)
        Sh = np.nansum(np.where(np.isfinite(true[idx]), sel_bt[idx], 0), axis=2)
        indep = np.nansum(
            np.where(np.isfinite(true[idx]), sel_bt[idx] + alpha[idx][:, None, None] * sel_bt[idx] ** 2, 0),
            axis=2,
        )
        okS = Sh > 0
        if okS.any():
            t2 = np.sum(((S - Sh) ** 2 - indep)[okS]) / np.sum((Sh**2)[okS])
            tau2[idx] = float(np.clip(t2, 0.0, 1.0))
    # classes whose backtest MASE is lower with the predictive median than with the mean
    median_classes = set()
    for c in np.unique(cls):
        if c == "large":  # mean and median differ little there; keep the additive mean
            continue
        idx = np.flatnonzero(cls == c)
        pp = np.maximum(sel_bt[idx], 0)
        med = nb_quantile(0.5, pp, np.broadcast_to(alpha[idx][:, None, None], pp.shape), integer)
        with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            e_mean = np.nanmean(np.nanmean(np.abs(pp - true[idx]), axis=2) / scale[idx], axis=1)
            e_med = np.nanmean(np.nanmean(np.abs(med - true[idx]), axis=2) / scale[idx], axis=1)
        ok = np.isfinite(e_mean) & np.isfinite(e_med)
        if ok.sum() >= 3 and np.mean(e_med[ok]) < 0.99 * np.mean(e_mean[ok]):
            median_classes.add(str(c))
    return _Result(
        panel,
        plan,
        future,
        means,
        bt,
        true,
        scale,
        mase,
        chosen,
        cls,
        alpha,
        tau2,
        level_map,
        integer,
        median_classes,
    )


def _intervals(
    mu: np.ndarray, a: np.ndarray, nominal: dict[int, float], integer: bool
) -> dict[str, np.ndarray]:
    out = {"mean": mu}
    for lev, nom in nominal.items():
        tail = (1 - nom) / 2
        out[f"lo{lev}"] = nb_quantile(tail, mu, a, integer)
        out[f"hi{lev}"] = nb_quantile(1 - tail, mu, a, integer)
    return out


def _frame(res: _Result, levels: Sequence[int], point: str = "mean") -> pd.DataFrame:
    """Forecast frame; ``point="auto"`` puts the predictive median in ``mean`` for median classes.

    Vectorised over series: one interval computation per class of series and one frame
    built from repeated keys (per-series frames cost most of the time on large panels).
    """
    panel = res.panel
    n, h = len(panel.key_frame), res.plan.horizon
    cols = [*panel.keys, "period", "mean"] + [f"{s}{lv}" for lv in levels for s in ("lo", "hi")] + ["model"]
    if not n:
        return pd.DataFrame(columns=cols)
    mu = np.maximum(np.stack([res.means[res.chosen[i]][i] for i in range(n)]), 0.0)
    a = np.repeat(np.asarray(res.alpha, float)[:, None], h, axis=1)
    cls = np.asarray(res.cls, dtype=object)
    model = np.asarray(res.chosen, dtype=object).copy()
    out: dict[str, np.ndarray] = {}
    for c in pd.unique(cls):
        idx = np.flatnonzero(cls == c)
        iv = _intervals(mu[idx], a[idx], res.level_map.get(c, {lv: lv / 100 for lv in levels}), res.integer)
        if point == "median" or (point == "auto" and c in res.median_classes):
            iv["mean"] = nb_quantile(0.5, mu[idx], a[idx], res.integer)
            model[idx] = [f"{m}@median" for m in model[idx]]
        for k, v in iv.items():
            out.setdefault(k, np.empty((n, h)))[idx] = v
    frame = panel.key_frame[list(panel.keys)].iloc[np.repeat(np.arange(n), h)].reset_index(drop=True)
    frame["period"] = np.tile(np.asarray(res.future), n)
    for k, v in out.items():
        frame[k] = v.ravel()
    frame["model"] = np.repeat(model, h)
    return frame[cols]


def sample_paths(res: _Result, n_paths: int, rng: np.random.Generator) -> np.ndarray:
    """Simulated paths of every series, shape ``(n_series, n_paths, horizon)``.

    A shared gamma level factor per path (variance ``tau2`` from backtest errors of
    horizon sums) carries the correlation across months; NB noise around it.
    """
    n, h = len(res.panel.key_frame), res.plan.horizon
    out = np.zeros((n, n_paths, h))
    for i in range(n):
        mu = np.maximum(res.means[res.chosen[i]][i], 0.0)
        t2 = res.tau2[i]
        g = rng.gamma(1 / t2, t2, size=(n_paths, 1)) if t2 > 1e-8 else np.ones((n_paths, 1))
        a = max((res.alpha[i] - t2) / (1 + t2), 1e-8)
        out[i] = nb_sample(rng, mu[None, :] * g, a)
    return out


# ----------------------------------------------------------------------------- reconciliation
def _bottom_up(
    res: _Result, fc: pd.DataFrame, levels: Sequence[int], method: str | None, direct: _Result | None = None
) -> pd.DataFrame:
    from zzanalytics.models.reconcile import add_district_rows

    return add_district_rows(res, fc, levels, method=method or "bottom_up", direct=direct)


def _district_frame(res: _Result) -> pd.DataFrame:
    """Long frame of the district series (townships summed per the other keys)."""
    panel = res.panel
    others = [k for k in panel.keys if k != AREA_KEY]
    Y = np.nan_to_num(panel.Y)
    long = pd.DataFrame(Y, columns=panel.periods)
    long = pd.concat([panel.key_frame.reset_index(drop=True), long], axis=1)
    long = long.melt(id_vars=panel.keys, var_name="period", value_name=panel.value)
    if others:
        return long.groupby([*others, "period"], as_index=False)[panel.value].sum()
    return long.groupby("period", as_index=False)[panel.value].sum()


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
    res = _compute(
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
    fc = _frame(res, levels, "mean" if hierarchy else point)
    if hierarchy:
        direct = None
        if reconcile == "mint":
            direct = _compute(
                _district_frame(res),
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
        fc = _bottom_up(res, fc, levels, reconcile, direct)
    if return_paths:
        return fc, sample_paths(res, n_paths, np.random.default_rng(seed))
    return fc
