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

from zzanalytics.models.forecasters import nb_quantile

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
