"""Calibrated negative-binomial intervals from backtest errors (shared by the forecast engine).

The engine predicts a mean per period; the spread around it is a negative-binomial
(counts) or gamma (non-integer values) distribution whose dispersion is a moment
estimate from backtest errors (:func:`dispersion`), and whose nominal level is then
calibrated (:func:`calibrate`) so that held-out coverage matches the target.

Examples
--------
>>> import numpy as np
>>> iv = intervals(np.array([4.0]), np.array([0.0]), {95: 0.95}, integer=True)
>>> iv["lo95"].tolist(), iv["median"].tolist(), iv["hi95"].tolist()
([1.0], [4.0], [8.0])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from zzanalytics.models.base import nb_quantile

LEVEL_GRID = np.concatenate([np.arange(0.30, 0.99, 0.01), np.arange(0.99, 0.9995, 0.001)])
"""Nominal levels searched by :func:`calibrate`."""


def cdf_pair(y: np.ndarray, mu: np.ndarray, a: np.ndarray, integer: bool) -> tuple[np.ndarray, np.ndarray]:
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


def coverage_grid(
    y: np.ndarray, mu: np.ndarray, a: np.ndarray, grid: np.ndarray, integer: bool
) -> np.ndarray:
    """Empirical coverage of central intervals at each nominal level of ``grid``.

    ``y`` is inside ``[ppf(t), ppf(1-t)]`` iff ``F(y) >= t`` and ``F(y-1) < 1-t``.
    """
    f, fm = cdf_pair(y, mu, a, integer)
    tails = (1 - grid) / 2
    inside = (f[None, :] >= tails[:, None] - 1e-12) & (fm[None, :] < 1 - tails[:, None] + 1e-12)
    return inside.mean(axis=1)


def calibrate(
    y: np.ndarray, mu: np.ndarray, a: np.ndarray, targets: Sequence[int], integer: bool
) -> dict[int, float]:
    """Nominal level per target so that backtest coverage is closest to the target."""
    out = {}
    if len(y) < 20:
        return {t: t / 100 for t in targets}
    covs = coverage_grid(y, mu, a, LEVEL_GRID, integer)
    for t in targets:
        # aim half a point above the target: the dispersion was estimated on the same errors
        goal = min(t / 100 + 0.005, 0.995)
        err = np.abs(covs - goal)
        best = np.flatnonzero(err <= err.min() + 1e-12)
        # among ties prefer the level closest to nominal
        out[t] = float(LEVEL_GRID[best[np.argmin(np.abs(LEVEL_GRID[best] - goal))]])
    return out


def dispersion(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    """Sums (r, d) of the NB moment estimate ``alpha = r / d`` from errors of predictions ``p``."""
    ok = np.isfinite(y) & np.isfinite(p)
    y, p = y[ok], np.maximum(p[ok], 1e-6)
    return float(np.sum((y - p) ** 2 - p)), float(np.sum(p * p))


def intervals(
    mu: np.ndarray, a: np.ndarray, nominal: dict[int, float], integer: bool
) -> dict[str, np.ndarray]:
    """``mean`` (``mu``), ``median`` and ``lo<L>``/``hi<L>`` at the calibrated nominal levels."""
    out = {"mean": mu, "median": nb_quantile(0.5, mu, a, integer)}
    for lev, nom in nominal.items():
        tail = (1 - nom) / 2
        out[f"lo{lev}"] = nb_quantile(tail, mu, a, integer)
        out[f"hi{lev}"] = nb_quantile(1 - tail, mu, a, integer)
    return out


def pool_calibration(
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
