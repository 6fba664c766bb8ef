"""The forecast engine: candidates, rolling-origin selection, calibration, the output frame.

:func:`compute` turns a long counts frame into a :class:`Result` (every candidate's
backtest and final means, the selected model per series, calibrated dispersions);
:func:`forecast_frame` writes the tidy forecast frame from it and :func:`sample_paths`
draws joint paths. :mod:`~zzanalytics.models.forecast`, :mod:`~zzanalytics.models.backtest`,
:mod:`~zzanalytics.models.reconcile` and :mod:`~zzanalytics.models.targets` build on these
public names; how a forecast is made is told in :mod:`zzanalytics.models.forecast`.

Every series is handled on its own span (a ragged panel's series start and end where
their sources' coverage does): its backtest origins are counted back from its own
last period and its forecast starts right after it.
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
from zzanalytics.models.forecasters import NBGLM, make_model, nb_sample
from zzanalytics.models.intervals import calibrate, dispersion, intervals
from zzanalytics.models.panel import Panel, fill_gaps, to_panel
from zzanalytics.models.robust import clean_spikes

BASE_MODELS: tuple[str, ...] = ("snaive", "mean12", "glm", "pglm", "sglm", "pses", "dotm")
COMBOS: tuple[str, ...] = (
    "glm+pglm",
    "glm+pses",
    "pglm+pses",
    "pglm+mean12",
    "sglm+mean12",
    "pses+mean12",
    "snaive+mean12",
    "snaive+pses",
    "dotm+glm",
    "dotm+sglm",
    "dotm+pglm",
    "dotm+mean12",
    "dotm+glm+pses",
    "dotm+pglm+pses",
    "dotm+sglm+pses",
    "snaive+dotm+glm+pses",
)
DEFAULT_MODELS = ("dotm+glm+pses", "dotm+pglm+pses", "dotm+sglm+pses")
FALLBACK_MODEL = "sglm+mean12"
PROFILE_MODELS = frozenset({"pglm", "pses", "sglm"})
"""Models fitted with the group's seasonal profile as offset."""
N_ORIGINS = 3
FEW_SERIES, FEW_ORIGINS = 10, 6
"""Panels of fewer series than this are backtested from more origins."""
SHRINK_ORIGINS = 6.0
"""Prior weight, in backtest origins, of the class's scores in a series' own selection."""
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

    Missing values (NaN) are left out of the mean.

    Examples
    --------
    >>> mase_scale(np.array([1., 2, 3, 4, 2, 3, 4, 5]), 4)
    1.0
    """
    y = np.asarray(y, dtype=float)
    for lag in (m, 1):
        if len(y) > lag:
            d = np.abs(y[lag:] - y[:-lag])
            d = d[np.isfinite(d)]
            s = float(np.mean(d)) if len(d) else 0.0
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
    """Backtest design: origins ``offsets`` periods before each series' end (0 = the final fit)."""

    freq: str
    m: int
    horizon: int
    h_bt: int
    step: int
    offsets: list[int]
    base: list[str]
    names: list[str]
    robust: bool = True

    @property
    def min_train(self) -> int:
        """Fewest training periods of a backtest origin (one season)."""
        return self.m


def make_plan(
    freq: str,
    horizon: int,
    models: Any,
    origins: int = N_ORIGINS,
    h_bt: int | None = None,
    step: int | None = None,
) -> Plan:
    m = SEASON_LENGTH[freq]
    h_bt = max(1, min(horizon, m)) if h_bt is None else h_bt
    step = max(1, (h_bt + 1) // 2) if step is None else max(1, int(step))
    offsets = [-h_bt - i * step for i in reversed(range(origins))] + [0]
    base, names = candidates(models)
    return Plan(freq, m, horizon, h_bt, step, offsets, base, names)


# ----------------------------------------------------------------------------- the task
def fit_predict(name: str, y: np.ndarray, Xfit: np.ndarray, Xfut: np.ndarray, h: int, m: int) -> np.ndarray:
    """Mean forecast of one model (never negative; the mean of ``y`` for very short series)."""
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
    """Backtest and final forecasts of every base model for a chunk of series (picklable).

    ``ys`` are the series over their own spans (NaN in gaps), ``starts`` their first
    global period index. Gaps are filled for fitting (never scored) and one-off spikes
    of each training window are replaced (:func:`zzanalytics.models.robust.clean_spikes`).
    """
    plan: Plan = task["plan"]
    X = task["exog"]
    out = []
    for y, s, profs in zip(task["ys"], task["starts"], task["profiles"], strict=True):
        res: dict[str, Any] = {"bt": {b: [] for b in plan.base}, "true": [], "scale": [], "final": {}}
        yf = fill_gaps(y)
        e = s + len(y)
        for j, off in enumerate(plan.offsets):
            final = j == len(plan.offsets) - 1
            cut_g = e + off
            cut = cut_g - s
            h = plan.horizon if final else plan.h_bt
            if not final and cut < plan.min_train:
                continue
            ytr = yf[:cut]
            if plan.robust:
                ytr = clean_spikes(ytr, plan.m)[0]
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
                xf, xu = (Pfit, Pfut) if b in PROFILE_MODELS else (Xfit, Xfut)
                pred = fit_predict(b, ytr, xf, xu, h, plan.m)
                if final:
                    res["final"][b] = pred
                else:
                    res["bt"][b].append(pred)
            if not final:
                res["true"].append(y[cut : cut + h])
                res["scale"].append(mase_scale(y[:cut], plan.m))
        out.append(res)
    return out


# ----------------------------------------------------------------------------- core
@dataclass
class Result:
    """Everything the engine knows about a panel's forecasts (used by backtest, reconcile, targets)."""

    panel: Panel
    plan: Plan
    future: pd.DatetimeIndex  # forecast periods of the series that end last
    means: dict[str, np.ndarray]  # candidate -> (n_series, horizon)
    bt: dict[str, np.ndarray]  # candidate -> (n_series, k, h_bt), NaN where no origin
    true: np.ndarray  # (n_series, k, h_bt)
    scale: np.ndarray  # (n_series, k)
    mase: pd.DataFrame  # n_series x candidates
    chosen: np.ndarray  # model name per series
    cls: np.ndarray  # selection class per series (sparse, small, large, short)
    alpha: np.ndarray  # predictive NB dispersion per series
    tau2: np.ndarray  # shared level-factor variance per series (paths)
    level_map: dict[str, dict[int, float]] = field(default_factory=dict)  # interval class -> nominal
    integer: bool = True
    icls: np.ndarray | None = None  # interval class per series (sparse, small, large)
    hfactor: dict[str, np.ndarray] = field(default_factory=dict)  # interval class -> dispersion by step
    fut: np.ndarray | None = None  # (n_series, horizon) forecast periods of each series

    def alpha_h(self, idx: np.ndarray | None = None) -> np.ndarray:
        """Predictive dispersion per series and step ahead, ``(len(idx), horizon)``."""
        idx = np.arange(len(self.alpha)) if idx is None else np.asarray(idx)
        h = self.plan.horizon
        out = np.repeat(np.asarray(self.alpha, float)[idx, None], h, axis=1)
        if self.icls is not None:
            for r, i in enumerate(idx):
                f = self.hfactor.get(str(self.icls[i]))
                if f is not None:
                    out[r] *= horizon_factor(f, h)
        return out


def horizon_factor(f: np.ndarray, h: int) -> np.ndarray:
    """Dispersion factors for steps ``1..h`` (the last backtest step carried on)."""
    f = np.asarray(f, float)
    return np.concatenate([f, np.full(max(0, h - len(f)), f[-1])])[:h] if len(f) else np.ones(h)


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


def combine(parts: dict[str, np.ndarray], name: str) -> np.ndarray:
    return np.mean([parts[p] for p in name.split("+")], axis=0)


def _floor(y: np.ndarray) -> float:
    """Least mean forecast of a series: half an event over its trailing run of zeros (0 if it never had one).

    A model fitted to a run of zeros forecasts 0, a mean that no count series with a
    history of events has; ``0.5 / (zeros + 1)`` is the rule-of-three style floor.
    """
    y = y[np.isfinite(y)]
    if not len(y) or not np.any(y > 0):
        return 0.0
    run = len(y) - 1 - int(np.flatnonzero(y > 0)[-1])
    return 0.5 / (run + 1) if run > 0 else 0.0


def _profiles(panel: Panel, plan: Plan, X: np.ndarray) -> list[list[np.ndarray | None] | None]:
    """The group's seasonal profile at each origin of each series (cached per group and cut)."""
    n = len(panel.key_frame)
    if not PROFILE_MODELS & set(plan.base):
        return [None] * n
    groups = group_ids(panel.key_frame, panel.keys)
    cache: dict[tuple[int, int], np.ndarray | None] = {}
    Y0 = np.nan_to_num(panel.Y)
    out: list[list[np.ndarray | None] | None] = []
    for i in range(n):
        profs = []
        for off in plan.offsets:
            c = int(panel.ends[i] + off)
            key = (int(groups[i]), c)
            if key not in cache:
                # members still observed at the cut (a series that stopped earlier would look like a drop)
                members = np.flatnonzero((groups == groups[i]) & (panel.ends >= c) & (panel.starts < c))
                if not len(members):
                    cache[key] = None
                else:
                    agg = Y0[members].sum(axis=0)
                    start = int(panel.starts[members].min())
                    cache[key] = group_profile(agg, start, c, X, plan.m) if c > start else None
            profs.append(cache[key])
        out.append(profs)
    return out


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
    origins: int | None = None,
    h_bt: int | None = None,
    step: int | None = None,
    desc: str = "forecast",
    robust: bool = True,
) -> Result:
    """Backtests, selection and calibration of every series of a counts frame (see :class:`Result`)."""
    from zzanalytics.execution import run_tasks

    freq = check_freq(freq)
    if int(horizon) < 1:
        raise ModelError(f"horizon={horizon}: forecast at least one period ahead")
    horizon = int(horizon)
    panel = to_panel(counts, by=None if by is None else list(by), value=value, freq=freq, until=until)
    T = len(panel.periods)
    n = len(panel.key_frame)
    if origins is None and n < FEW_SERIES:
        # few series: little to pool over, so more origins (a quarter of a horizon apart) per series
        plan = make_plan(
            freq, horizon, models, FEW_ORIGINS, h_bt, step=max(1, min(horizon, SEASON_LENGTH[freq]) // 4)
        )
    else:
        plan = make_plan(freq, horizon, models, origins or N_ORIGINS, h_bt, step)
    plan.robust = robust
    allp = panel.periods.append(period_range(panel.periods[-1], horizon + 1, freq)[1:])
    future = allp[T:]
    X = exog_matrix(allp, freq)
    finite = panel.Y[np.isfinite(panel.Y)]
    integer = bool(np.all(np.abs(finite - np.round(finite)) < 1e-9))
    fut = np.stack([allp.values[e : e + horizon] for e in panel.ends]) if n else np.zeros((0, horizon))

    # One item per series; the plan and the exogenous matrix go to each worker once (``shared``),
    # and the dispatcher sizes chunks from the real pool or cluster.
    profiles = _profiles(panel, plan, X)
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

    k = len(plan.offsets) - 1
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
    floor = np.array([_floor(panel.series(i)) for i in range(n)])
    means = {nm: np.maximum(combine(final_base, nm), floor[:, None]) for nm in plan.names}

    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        per_origin = {nm: np.nanmean(np.abs(bt[nm] - true), axis=2) / scale for nm in plan.names}
        mase = pd.DataFrame(
            {nm: np.nanmean(v, axis=1) if k else np.full(n, np.nan) for nm, v in per_origin.items()}
        )
        k_obs = np.sum(np.isfinite(next(iter(per_origin.values()))), axis=1) if k and n else np.zeros(n)
    cls = classify(panel)
    if len(plan.names) > 1:
        chosen = select(mase, cls, plan.names, k_obs)
    else:
        chosen = np.array([plan.names[0]] * n, object)
    icls = level_classes(panel)
    sel_bt = np.stack([bt[chosen[i]][i] for i in range(n)]) if n else np.zeros((0, k, hb))
    alpha, tau2, level_map, hfactor = _calibration(true, sel_bt, icls, levels, integer)
    return Result(
        panel, plan, future, means, bt, true, scale, mase, chosen, cls, alpha, tau2,
        level_map, integer, icls, hfactor, fut,
    )  # fmt: skip


def _calibration(
    true: np.ndarray, sel_bt: np.ndarray, icls: np.ndarray, levels: Sequence[int], integer: bool
) -> tuple[np.ndarray, np.ndarray, dict[str, dict[int, float]], dict[str, np.ndarray]]:
    """Dispersion per series, level-factor variance, nominal levels and step factors per interval class.

    Scale-free NB dispersions from the selected model's backtest errors: per series,
    shrunk to the pooled value of its interval class (series of similar level, long and
    short together, so a short series without backtests gets its class's), with a
    pooled factor per step ahead; the nominal levels are then calibrated on the
    class's backtest points.
    """
    n, _, hb = true.shape
    r_i, d_i = np.zeros(n), np.zeros(n)
    for i in range(n):
        r_i[i], d_i[i] = dispersion(true[i].ravel(), sel_bt[i].ravel())
    alpha, tau2 = np.zeros(n), np.zeros(n)
    level_map: dict[str, dict[int, float]] = {}
    hfactor: dict[str, np.ndarray] = {}
    for c in np.unique(icls):
        idx = np.flatnonzero(icls == c)
        if d_i[idx].sum() > 0:
            pooled = max(r_i[idx].sum() / d_i[idx].sum(), 0.0)
        elif d_i.sum() > 0:
            pooled = max(r_i.sum() / d_i.sum(), 0.0)
        else:
            pooled = 0.1
        d0 = float(np.median(d_i[idx])) if d_i[idx].any() else 1.0
        alpha[idx] = np.clip((r_i[idx] + d0 * pooled) / (d_i[idx] + d0), 0.0, 10.0)
        f = np.ones(hb)
        if pooled > 1e-6:
            for s in range(hb):
                rs, ds = dispersion(true[idx, :, s].ravel(), sel_bt[idx, :, s].ravel())
                f[s] = max(rs, 0.0) / ds / pooled if ds > 0 else 1.0
            f = np.maximum.accumulate(np.convolve(np.pad(f, 1, mode="edge"), np.ones(3) / 3, "valid"))
            f = np.clip(f / np.mean(f), 0.25, 4.0)
        hfactor[str(c)] = f
        yy, pp = true[idx].reshape(len(idx), -1), sel_bt[idx].reshape(len(idx), -1)
        aa = alpha[idx][:, None, None] * np.broadcast_to(f[None, None, :], true[idx].shape)
        aa = aa.reshape(len(idx), -1)
        ok = np.isfinite(yy) & np.isfinite(pp)
        level_map[str(c)] = calibrate(yy[ok], np.maximum(pp[ok], 0), aa[ok], levels, integer)
        # level-factor variance from errors of the horizon sums
        fin = np.isfinite(true[idx]) & np.isfinite(sel_bt[idx])
        S = np.sum(np.where(fin, true[idx], 0), axis=2)
        Sh = np.sum(np.where(fin, sel_bt[idx], 0), axis=2)
        indep = np.sum(np.where(fin, sel_bt[idx] + aa.reshape(true[idx].shape) * sel_bt[idx] ** 2, 0), axis=2)
        okS = Sh > 0
        if okS.any():
            t2 = np.sum(((S - Sh) ** 2 - indep)[okS]) / np.sum((Sh**2)[okS])
            tau2[idx] = float(np.clip(t2, 0.0, 1.0))
    return alpha, tau2, level_map, hfactor


def forecast_frame(res: Result, levels: Sequence[int]) -> pd.DataFrame:
    """Forecast frame: keys, ``period``, ``mean`` (predictive mean), ``median``, intervals, ``model``.

    Vectorised over series: one interval computation per interval class and one frame
    built from repeated keys (per-series frames cost most of the time on large panels).
    """
    panel = res.panel
    n, h = len(panel.key_frame), res.plan.horizon
    cols = [*panel.keys, "period", "mean", "median"]
    cols += [f"{s}{lv}" for lv in levels for s in ("lo", "hi")] + ["model"]
    if not n:
        return pd.DataFrame(columns=cols)
    mu = np.maximum(np.stack([res.means[res.chosen[i]][i] for i in range(n)]), 0.0)
    a = res.alpha_h()
    icls = np.asarray(res.icls if res.icls is not None else res.cls, dtype=object)
    out: dict[str, np.ndarray] = {}
    for c in pd.unique(icls):
        idx = np.flatnonzero(icls == c)
        iv = intervals(mu[idx], a[idx], res.level_map.get(c, {lv: lv / 100 for lv in levels}), res.integer)
        for key, v in iv.items():
            out.setdefault(key, np.empty((n, h)))[idx] = v
    frame = panel.key_frame[list(panel.keys)].iloc[np.repeat(np.arange(n), h)].reset_index(drop=True)
    fut = res.fut if res.fut is not None else np.tile(np.asarray(res.future), (n, 1))
    frame["period"] = pd.DatetimeIndex(fut.ravel())
    for key, v in out.items():
        frame[key] = v.ravel()
    frame["model"] = np.repeat(np.asarray(res.chosen, dtype=object), h)
    return frame[cols]


def sample_paths(res: Result, n_paths: int, rng: np.random.Generator) -> np.ndarray:
    """Simulated paths of every series, shape ``(n_series, n_paths, horizon)``.

    A shared gamma level factor per path (variance ``tau2`` from backtest errors of
    horizon sums) carries the correlation across months; NB noise around it.
    """
    n, h = len(res.panel.key_frame), res.plan.horizon
    out = np.zeros((n, n_paths, h))
    a_h = res.alpha_h()
    for i in range(n):
        mu = np.maximum(res.means[res.chosen[i]][i], 0.0)
        t2 = res.tau2[i]
        g = rng.gamma(1 / t2, t2, size=(n_paths, 1)) if t2 > 1e-8 else np.ones((n_paths, 1))
        a = np.maximum((a_h[i] - t2) / (1 + t2), 1e-8)
        out[i] = nb_sample(rng, mu[None, :] * g, a[None, :])
    return out


def district_frame(res: Result) -> pd.DataFrame:
    """Long frame of the district series (townships summed per the other keys, observed periods)."""
    panel = res.panel
    others = [k for k in panel.keys if k != AREA_KEY]
    long = pd.DataFrame(panel.Y, columns=panel.periods)
    long = pd.concat([panel.key_frame.reset_index(drop=True), long], axis=1)
    long = long.melt(id_vars=panel.keys, var_name="period", value_name=panel.value)
    long = long[long[panel.value].notna()]
    if others:
        return long.groupby([*others, "period"], as_index=False)[panel.value].sum()
    return long.groupby("period", as_index=False)[panel.value].sum()
