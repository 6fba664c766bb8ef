"""The forecast engine: candidates, rolling-origin backtests, the output frame.

:func:`compute` turns a long counts frame into a :class:`Result` (every candidate's
backtest and final means, the selected model per series, calibrated dispersions:
selection in :mod:`~zzanalytics.models.selection`, calibration in
:mod:`~zzanalytics.models.intervals`);
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
from zzanalytics.models.base import nb_quantile, nb_sample
from zzanalytics.models.features import SEASON_LENGTH, check_freq, exog_matrix, period_range
from zzanalytics.models.forecasters import make_model
from zzanalytics.models.glm import group_profile
from zzanalytics.models.intervals import intervals, pool_calibration
from zzanalytics.models.panel import Panel, fill_gaps, to_panel
from zzanalytics.models.robust import clean_spikes
from zzanalytics.models.selection import (
    blend_point,
    classify,
    level_classes,
    point_scores,
    select,
    select_points,
)

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
PROFILE_MODELS = frozenset({"pglm", "pses", "sglm"})
"""Models fitted with the group's seasonal profile as offset."""
N_ORIGINS = 3
FEW_SERIES, FEW_ORIGINS = 10, 6
"""Panels of fewer series than this are backtested from more origins."""
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
    return mod.fit(y, Xfit).mean(h, Xfut)


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
    point_w: np.ndarray | None = None  # weight of the median in each series' point (0 = the mean)

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
    alpha, tau2, level_map, hfactor = pool_calibration(true, sel_bt, icls, levels, integer)
    # the point for absolute error: between the mean and the median, chosen on the same backtests
    a_bt = np.zeros((n, hb))
    for i in range(n):
        a_bt[i] = alpha[i] * horizon_factor(hfactor.get(str(icls[i]), np.ones(hb)), hb)
    med_bt = nb_quantile(0.5, sel_bt, np.broadcast_to(a_bt[:, None, :], sel_bt.shape), integer)
    point_w = select_points(point_scores(true, sel_bt, med_bt, scale), icls, k_obs)
    return Result(
        panel, plan, future, means, bt, true, scale, mase, chosen, cls, alpha, tau2,
        level_map, integer, icls, hfactor, fut, point_w,
    )  # fmt: skip


def forecast_frame(res: Result, levels: Sequence[int]) -> pd.DataFrame:
    """Forecast frame: keys, ``period``, ``mean``, ``median``, ``point``, intervals, ``model``.

    ``mean`` is the predictive mean, ``median`` the predictive median and ``point``
    the point the backtests prefer for absolute error (between the two, per series).

    Vectorised over series: one interval computation per interval class and one frame
    built from repeated keys (per-series frames cost most of the time on large panels).
    """
    panel = res.panel
    n, h = len(panel.key_frame), res.plan.horizon
    cols = [*panel.keys, "period", "mean", "median", "point"]
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
    w = res.point_w if res.point_w is not None else np.zeros(n)
    out["point"] = blend_point(out["mean"], out["median"], np.asarray(w, float)[:, None])
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
