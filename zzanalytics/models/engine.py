"""The forecast engine: candidates, rolling-origin selection, calibration, the output frame.

:func:`compute` turns a long counts frame into a :class:`Result` (every candidate's
backtest and final means, the selected model per series, calibrated dispersions);
:func:`forecast_frame` writes the tidy forecast frame from it and :func:`sample_paths`
draws joint paths. :mod:`~zzanalytics.models.forecast`, :mod:`~zzanalytics.models.backtest`,
:mod:`~zzanalytics.models.reconcile` and :mod:`~zzanalytics.models.targets` build on these
public names; how a forecast is made is told in :mod:`zzanalytics.models.forecast`.
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
from zzanalytics.models.intervals import calibrate, dispersion, intervals
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


# ----------------------------------------------------------------------------- helpers
def candidates(models: str | Sequence[str]) -> tuple[list[str], list[str]]:
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


def group_ids(key_frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Series sharing every key except the most detailed one form a group."""
    if len(keys) <= 1 or key_frame.empty:
        return np.zeros(len(key_frame), dtype=int)
    detail = max(keys, key=lambda k: (key_frame[k].nunique(), k == AREA_KEY))
    rest = [k for k in keys if k != detail]
    return key_frame.groupby(rest, sort=False).ngroup().to_numpy()


def group_profile(agg: np.ndarray, start: int, cut: int, X: np.ndarray, m: int) -> np.ndarray | None:
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
class Plan:
    freq: str
    m: int
    horizon: int
    h_bt: int
    step: int
    cuts: list[int]  # global cut indices: origins then T
    base: list[str]
    names: list[str]


def make_plan(
    T: int, freq: str, horizon: int, models: Any, origins: int = N_ORIGINS, h_bt: int | None = None
) -> Plan:
    m = SEASON_LENGTH[freq]
    h_bt = max(1, min(horizon, m)) if h_bt is None else h_bt
    step = max(1, (h_bt + 1) // 2)
    cuts = [T - h_bt - i * step for i in reversed(range(origins))]
    cuts = [c for c in cuts if c > 0] + [T]
    base, names = candidates(models)
    return Plan(freq, m, horizon, h_bt, step, cuts, base, names)


# ----------------------------------------------------------------------------- the task
def fit_predict(name: str, y: np.ndarray, Xfit: np.ndarray, Xfut: np.ndarray, h: int, m: int) -> np.ndarray:
    if len(y) < 3:
        return np.full(h, float(np.mean(y)) if len(y) else 0.0)
    mod = make_model(name, m)
    return np.maximum(mod.fit(y, Xfit).predict(h, Xfut, levels=())["mean"], 0.0)


def run_series(item: tuple, shared: tuple) -> dict:
    """Backtest and final forecasts of one series; ``shared`` is ``(plan, exog)`` (picklable)."""
    plan, X = shared
    y, s, profs = item
    return run_chunk({"plan": plan, "exog": X, "ys": [y], "starts": [s], "profiles": [profs]})[0]


def run_chunk(task: dict) -> list[dict]:
    """Backtest and final forecasts of every base model for a chunk of series (picklable)."""
    plan: Plan = task["plan"]
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
                pred = fit_predict(b, ytr, xf, xu, h, plan.m)
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
class Result:
    """Everything the orchestrator knows about a panel's forecasts (used by backtest and targets)."""

    panel: Panel
    plan: Plan
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


def classify(panel: Panel) -> np.ndarray:
    lvl = np.array([np.mean(panel.series(i)[-2 * panel.m :]) for i in range(len(panel.key_frame))])
    short = np.array([len(panel.series(i)) for i in range(len(lvl))]) < 2 * panel.m + 6
    cls = np.where(lvl < 2, "sparse", np.where(lvl < 20, "small", "large")).astype(object)
    cls[short] = "short"
    return cls


def select(mase: pd.DataFrame, cls: np.ndarray, names: list[str]) -> np.ndarray:
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


def combine(parts: dict[str, np.ndarray], name: str) -> np.ndarray:
    return np.mean([parts[p] for p in name.split("+")], axis=0)


def compute(
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
) -> Result:
    from zzanalytics.execution import run_tasks

    freq = check_freq(freq)
    if int(horizon) < 1:
        raise ModelError(f"horizon={horizon}: forecast at least one period ahead")
    horizon = int(horizon)
    panel = to_panel(counts, by=None if by is None else list(by), value=value, freq=freq, until=until)
    T = len(panel.periods)
    plan = make_plan(T, freq, horizon, models, origins, h_bt)
    future = period_range(panel.periods[-1], horizon + 1, freq)[1:]
    allp = panel.periods.append(future)
    X = exog_matrix(allp, freq)
    n = len(panel.key_frame)
    integer = bool(np.all(np.abs(np.nan_to_num(panel.Y) - np.round(np.nan_to_num(panel.Y))) < 1e-9))

    groups = group_ids(panel.key_frame, panel.keys)
    profiles: list[list[np.ndarray | None] | None] = [None] * n
    if "pglm" in plan.base:
        agg_cache = {}
        for g in np.unique(groups):
            members = np.flatnonzero(groups == g)
            agg = np.nansum(panel.Y[members], axis=0)
            start = int(panel.starts[members].min())
            agg_cache[g] = [group_profile(agg, start, c, X, plan.m) for c in plan.cuts]
        for i in range(n):
            profiles[i] = agg_cache[groups[i]]

    # One item per series; the plan and the exogenous matrix go to each worker once (``shared``),
    # and the dispatcher sizes chunks from the real pool or cluster.
    items = [(panel.series(i), int(panel.starts[i]), profiles[i]) for i in range(n)]
    results = run_tasks(
        run_series,
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
    bt = {nm: combine(bt_base, nm) for nm in plan.names}
    means = {nm: combine(final_base, nm) for nm in plan.names}

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
    cls = classify(panel)
    chosen = select(mase, cls, plan.names) if len(plan.names) > 1 else np.array([plan.names[0]] * n, object)

    # dispersion of the chosen model's backtest errors, shrunk to the class
    sel_bt = np.stack([bt[chosen[i]][i] for i in range(n)]) if n else np.zeros((0, k, hb))
    r_i = np.zeros(n)
    d_i = np.zeros(n)
    for i in range(n):
        r_i[i], d_i[i] = dispersion(true[i].ravel(), sel_bt[i].ravel())
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
        level_map[c] = calibrate(yy[ok], np.maximum(pp[ok], 0), aa[ok], levels, integer)
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
    return Result(
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


def forecast_frame(res: Result, levels: Sequence[int], point: str = "mean") -> pd.DataFrame:
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
        iv = intervals(mu[idx], a[idx], res.level_map.get(c, {lv: lv / 100 for lv in levels}), res.integer)
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


def sample_paths(res: Result, n_paths: int, rng: np.random.Generator) -> np.ndarray:
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


def district_frame(res: Result) -> pd.DataFrame:
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
