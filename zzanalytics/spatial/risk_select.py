"""Horizon-aware risk: the surface that did best at this horizon on the store's own recent past.

At a week or a month the cells that will see incidents are often those that saw them lately, not
those that saw most over years; at a year the long memory wins. :func:`backtest_surface` lets
the data say which, per category and horizon, by replaying the forecast at ``inner`` rolling
origins before the last training day (``step`` days apart, ``clip(h, 14, 28)`` by default) and
pooling, over them, the held-out incidents caught in the cells ranked first (at ``frac / 2``,
``frac`` and ``2 · frac`` of the area, weights 1:2:1). The candidates:

* the **count baselines**: each cell's count in the last 365 (``prev_year``) and 1,095
  (``prev_3_years``) days;
* **time-decayed KDE** ``kde(T, b)``: records weighted by ``2^(−age / T)`` (half-life ``T`` of
  14, 30, 60, 180 or 365 days, the last three years), spread between cells by a Gaussian of
  bandwidth ``b`` (0, 1 or 2 cells; :func:`~zzanalytics.spatial.risk.smoothing_matrix`).
  This is also the functional form of a self-exciting point process's forecast (an exponential
  decay in time, a Gaussian in space), with its time and space scales chosen by backtest
  instead of by likelihood;
* **weighted combinations** ``½ · kde(T, b) + ½ · prev_3_years`` (each normalised to sum 1):
  recent heat on top of the long-term places;
* with ``context`` or ``terrain`` given to :func:`~zzanalytics.spatial.risk.risk_surface`, the
  regression ``glm+counts`` (:func:`glm_candidate`), refitted at every origin.

Every candidate but the baselines carries a ``1e-6`` share of the smoothed three-year counts,
which only breaks ties between cells with equal scores. The three-year counts are the incumbent (the
last year's replace them only if they do better, origin by origin, by more than one standard
error); the candidate with the best pooled score challenges the incumbent and wins only if its
gain, origin by origin, is more than one standard error above zero (with few incidents a week,
the best of 30 candidates on a dozen origins is partly luck). So on its own backtest the surface
is never below the better count baseline beyond that noise (it may *be*
that baseline, and says so). The result names the winner and its pooled PAI against the better
baseline's.

Examples
--------
>>> rng = np.random.default_rng(0)
>>> xy = np.array([[x, y] for x in range(0, 2500, 250) for y in range(0, 2500, 250)], float)
>>> cell = np.r_[rng.integers(0, 100, 6000), np.full(40, 7)]       # cell 7 turned hot lately
>>> age = np.r_[rng.uniform(0, 1100, 6000), rng.uniform(0, 150, 40)]
>>> from zzanalytics.spatial.risk import smoothing_matrix
>>> s, info = backtest_surface(cell, age, 100, 7.0, xy, 250.0, smoothing_matrix)
>>> int(s.argmax()), info["model"] not in ("prev_year", "prev_3_years")
(7, True)
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = ["backtest_surface", "glm_candidate"]

HALF_LIVES = (14.0, 30.0, 60.0, 180.0, 365.0)
BANDWIDTHS = (0.0, 1.0, 2.0)
ALPHAS = (0.5,)
BASELINES = {"prev_year": 365.0, "prev_3_years": 1095.0}
MEMORY = 1095.0  # days of history any candidate uses
_KERNELS: dict[tuple, sp.csr_matrix] = {}


Smoothing = Callable[[np.ndarray, float], sp.csr_matrix]


def _kernel(xy: np.ndarray, bandwidth: float, smoothing: Smoothing) -> sp.csr_matrix:
    """``smoothing(xy, bandwidth)``, kept for the next call on the same grid."""
    key = (hashlib.sha1(np.ascontiguousarray(xy).tobytes()).hexdigest(), float(bandwidth))
    if key not in _KERNELS:
        if len(_KERNELS) > 32:
            _KERNELS.clear()
        _KERNELS[key] = smoothing(xy, bandwidth)
    return _KERNELS[key]


def _hits(key: np.ndarray, y: np.ndarray, area: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Held-out incidents in the top cells by ``key`` covering each target area (ties share)."""
    order = np.argsort(-key, kind="stable")
    k, v, a = key[order], y[order], area[order]
    new = np.ones(len(k), dtype=bool)
    new[1:] = k[1:] != k[:-1]
    gid = np.cumsum(new) - 1
    gv, ga = np.bincount(gid, weights=v), np.bincount(gid, weights=a)
    cum_a, cum_v = np.cumsum(ga), np.cumsum(gv)
    j = np.searchsorted(cum_a, targets * (1 - 1e-12), side="left")  # the group that crosses
    j = np.minimum(j, len(ga) - 1)
    before_a = np.where(j > 0, cum_a[np.maximum(j - 1, 0)], 0.0)
    before_v = np.where(j > 0, cum_v[np.maximum(j - 1, 0)], 0.0)
    part = np.clip((targets - before_a) / ga[j], 0.0, 1.0)
    return before_v + gv[j] * part


def _candidates(
    cell: np.ndarray, age: np.ndarray, n: int, kernels: dict[float, sp.csr_matrix]
) -> dict[str, np.ndarray]:
    """Every candidate's score per cell from records ``cell`` at ``age`` days before the origin."""
    out: dict[str, np.ndarray] = {}
    for name, days in BASELINES.items():
        out[name] = np.bincount(cell[age < days], minlength=n).astype(float)
    long = out["prev_3_years"]
    tie = 1e-6 * (kernels[1.0] @ long)
    long_n = long / long.sum() if long.sum() > 0 else long
    keep = age < MEMORY
    c, a = cell[keep], age[keep]
    for T in HALF_LIVES:
        base = np.bincount(c, weights=np.exp2(-a / T), minlength=n)
        for b in BANDWIDTHS:
            s = base if b == 0 else kernels[b] @ base
            tot = s.sum()
            name = f"kde({T:g}d, {b:g} cell)"
            out[name] = s + tie * (tot / max(long.sum(), 1.0))
            if tot > 0:
                sn = s / tot
                for al in ALPHAS:
                    out[f"{al:g}*{name}+{1 - al:g}*prev_3_years"] = al * sn + (1 - al) * long_n + 1e-6 * tie
    return out


Extra = Callable[[np.ndarray, np.ndarray, float], dict[str, np.ndarray]]


def glm_candidate(h: float, n: int, ctx: tuple, rings: tuple, terrain: np.ndarray) -> Extra:
    """``glm+counts`` (:mod:`zzanalytics.spatial.regression`) as a candidate at any origin ``off``
    days back: the regression refitted on what was known then, plus the counts of all history."""
    from zzanalytics.spatial.regression import glm_surface

    ccell, cage = ctx
    last: dict[str, np.ndarray] = {}  # the previous origin's coefficients start the next fit

    def candidate(cell: np.ndarray, age: np.ndarray, off: float) -> dict[str, np.ndarray]:
        m = cage >= off
        own, other = (cell, age), (ccell[m], cage[m] - off)
        fitted = glm_surface(h, n, own, other, rings, terrain, start=last.get("b"))
        counts = np.bincount(cell, minlength=n).astype(float)
        if fitted is None or counts.sum() <= 0 or not fitted[0].sum() > 0:
            return {}
        last["b"] = np.asarray(fitted[1]["coefficients"])
        return {"glm+counts": fitted[0] / fitted[0].sum() + counts / counts.sum()}

    return candidate


def _beats(challenger: np.ndarray, incumbent: np.ndarray) -> bool:
    """The challenger's gain, origin by origin, is more than one standard error above zero."""
    d = challenger - incumbent
    if len(d) < 2:
        return False
    return bool(d.mean() > d.std(ddof=1) / np.sqrt(len(d)))


def backtest_surface(
    cell: np.ndarray,
    age: np.ndarray,
    n: int,
    h: float,
    xy: np.ndarray,
    cellsize: float,
    smoothing: Smoothing,
    *,
    area: np.ndarray | None = None,
    frac: float = 0.01,
    inner: int = 13,
    step: float | None = None,
    extra: Extra | None = None,
) -> tuple[np.ndarray, dict[str, Any]]:
    """The chosen candidate's score per cell at the origin, and what the backtest found.

    Parameters
    ----------
    cell, age : arrays
        The training records' cell index and age in days before the origin (``>= 0``).
    n : int
        Number of cells.
    h : float
        Horizon in days.
    xy : array (n, 2)
        Cell centroids in metres.
    cellsize : float
        Cell side in metres (bandwidths are in cells).
    smoothing : callable
        ``smoothing(xy, bandwidth)``: the column-stochastic Gaussian spreading between cells
        (:func:`zzanalytics.spatial.risk.smoothing_matrix`).
    area : array, optional
        Cell areas (default equal).
    frac : float
        Share of the area the choice is made at (with its half and double).
    inner : int
        Rolling origins of the backtest.
    step : float, optional
        Days between them (default ``clip(h, 14, 28)``).
    extra : callable, optional
        More candidates: ``extra(cell, age, off)`` gives named scores from the records known
        ``off`` days before the origin (ages counted from then); see :func:`glm_candidate`.

    Returns
    -------
    (array, dict)
        Scores per cell (not scaled), and ``model`` (the winner's name), ``backtest_pai`` (its
        pooled PAI at ``frac``), ``baseline`` and ``baseline_pai`` (the better count
        baseline's), ``ratio`` and ``validation`` (every candidate's pooled figures).
    """
    cell = np.asarray(cell, dtype=int)
    age = np.asarray(age, dtype=float)
    area = np.ones(n) if area is None else np.asarray(area, dtype=float)
    step = float(np.clip(h, 14.0, 28.0)) if step is None else float(step)
    kernels = {b: _kernel(xy, b * cellsize, smoothing) for b in BANDWIDTHS if b > 0}
    fracs = np.array([frac / 2, frac, 2 * frac])
    wts = np.array([1.0, 2.0, 1.0])
    targets = fracs * area.sum()
    per: dict[str, list[float]] = {}  # each candidate's weighted hits per inner origin
    at_frac: dict[str, float] = {}
    total = 0.0
    for k in range(inner):
        off = h + k * step  # the inner origin is ``off`` days before the real one
        val = (age >= off - h) & (age < off)
        train = age >= off
        if not val.any() or (age[train] - off).max(initial=0.0) < h:
            continue
        y = np.bincount(cell[val], minlength=n).astype(float)
        cands = _candidates(cell[train], age[train] - off, n, kernels)
        if extra is not None:
            cands.update(extra(cell[train], age[train] - off, off))
        for name, s in cands.items():
            got = _hits(s / area, y, area, targets)
            per.setdefault(name, []).append(float((got * wts).sum() / wts.sum()))
            at_frac[name] = at_frac.get(name, 0.0) + float(got[1])
        total += y.sum()
    used = len(per["prev_3_years"]) if per else 0
    per = {m: v for m, v in per.items() if len(v) == used}  # an extra that failed somewhere is out
    now = _candidates(cell, age, n, kernels)
    if extra is not None:
        now.update(extra(cell, age, 0.0))
    per = {m: v for m, v in per.items() if m in now}
    if not used or total <= 0:
        name = "prev_3_years"
        return now[name], {
            "model": f"{name} (no backtest: too little history)",
            "backtest_pai": np.nan,
            "baseline": name,
            "baseline_pai": np.nan,
            "ratio": np.nan,
            "origins": used,
            "validation": pd.DataFrame(columns=["fold", "model", "baseline", "pai", "score", "weight"]),
        }
    names = list(per)
    H = np.array([per[m] for m in names])  # candidates x origins
    score = H.sum(axis=1) / total
    pai = np.array([at_frac[m] / total / frac for m in names])
    is_base = np.array([m in BASELINES for m in names])
    b = names.index("prev_3_years")
    if _beats(H[names.index("prev_year")], H[b]):
        b = names.index("prev_year")
    o = int(np.flatnonzero(~is_base)[np.argmax(score[~is_base])])
    win = o if _beats(H[o], H[b]) else b
    validation = pd.DataFrame(
        {
            "fold": "pooled",
            "model": names,
            "baseline": is_base,
            "pai": pai,
            "score": score,
            "weight": float(used),
        }
    ).sort_values("score", ascending=False, kind="stable")
    return now[names[win]], {
        "model": names[win],
        "backtest_pai": float(pai[win]),
        "baseline": names[b],
        "baseline_pai": float(pai[b]),
        "ratio": float(pai[win] / pai[b]) if pai[b] > 0 else np.nan,
        "origins": used,
        "validation": validation.reset_index(drop=True),
    }
