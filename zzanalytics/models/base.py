"""The predictive distribution of every forecaster, and their base class.

Predictive distributions are negative binomial (variance ``mu + alpha * mu**2``) for
counts, Poisson when ``alpha`` is ~0, and gamma with the same mean and variance for
non-integer values, so intervals are never negative and are integers for counts.
:class:`Forecaster` puts such a distribution around a model's mean forecast; the
models themselves live in :mod:`~zzanalytics.models.forecasters` and
:mod:`~zzanalytics.models.glm`.

Examples
--------
>>> import numpy as np
>>> nb_intervals(np.array([4.0]), 0.0, levels=(95,))["hi95"].tolist()
[8.0]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats

from zzanalytics.errors import ModelError

LEVELS = (80, 95)


# ----------------------------------------------------------------------------- distributions
def nb_quantile(q: float | np.ndarray, mu: np.ndarray, alpha: float | np.ndarray, integer: bool = True):
    """Quantile ``q`` of the count distribution with mean ``mu`` and variance ``mu + alpha mu^2``.

    Negative binomial for integer data (Poisson when ``alpha`` is ~0), gamma with the
    same mean and variance for non-integer data. Never negative.

    Examples
    --------
    >>> nb_quantile(0.975, np.array([4.0]), 0.0).tolist()
    [8.0]
    """
    mu = np.maximum(np.asarray(mu, dtype=float), 0.0)
    alpha = np.broadcast_to(np.maximum(np.asarray(alpha, dtype=float), 0.0), mu.shape)
    q = np.broadcast_to(np.asarray(q, dtype=float), mu.shape)
    out = np.zeros_like(mu)
    pos = mu > 1e-12
    if not pos.any():
        return out
    m, a, qq = mu[pos], alpha[pos], q[pos]
    if integer:
        pois = a < 1e-8
        res = np.empty_like(m)
        if pois.any():
            res[pois] = stats.poisson.ppf(qq[pois], m[pois])
        nb = ~pois
        if nb.any():
            n = 1.0 / a[nb]
            res[nb] = stats.nbinom.ppf(qq[nb], n, n / (n + m[nb]))
        out[pos] = res
    else:
        var = m + a * m * m
        shape = m * m / var
        out[pos] = stats.gamma.ppf(qq, shape, scale=var / m)
    return np.nan_to_num(out, nan=0.0, posinf=0.0)


def nb_intervals(
    mu: np.ndarray, alpha: float | np.ndarray, levels: Sequence[int] = LEVELS, integer: bool = True
) -> dict[str, np.ndarray]:
    """``dict(mean, lo<L>, hi<L>)`` of central intervals from :func:`nb_quantile`."""
    mu = np.maximum(np.asarray(mu, dtype=float), 0.0)
    out = {"mean": mu}
    for lev in levels:
        tail = (1 - lev / 100) / 2
        out[f"lo{lev}"] = nb_quantile(tail, mu, alpha, integer)
        out[f"hi{lev}"] = nb_quantile(1 - tail, mu, alpha, integer)
    return out


def nb_sample(rng: np.random.Generator, mu: np.ndarray, alpha: float | np.ndarray) -> np.ndarray:
    """Draws with mean ``mu`` and variance ``mu + alpha mu^2`` (gamma-Poisson mixture)."""
    mu = np.maximum(np.asarray(mu, dtype=float), 0.0)
    alpha = np.broadcast_to(np.maximum(np.asarray(alpha, dtype=float), 1e-10), mu.shape)
    lam = rng.gamma(1.0 / alpha, alpha * mu)
    return rng.poisson(lam).astype(float)


def series_alpha(y: np.ndarray, fitted: np.ndarray | None = None, window: int = 12) -> float:
    """Moment estimate of the NB dispersion of ``y`` around ``fitted`` (default: trailing mean).

    Examples
    --------
    >>> y = np.random.default_rng(0).poisson(20, 240).astype(float)
    >>> series_alpha(y) < 0.02
    True
    """
    y = np.asarray(y, dtype=float)
    if fitted is None:
        if len(y) <= window + 2:
            return 0.1
        c = np.concatenate([[0.0], np.cumsum(y)])
        fitted = (c[window:-1] - c[: -window - 1]) / window
        y = y[window:]
        # the trailing mean is itself noisy: remove its sampling variance
        noise = fitted / window
    else:
        noise = 0.0
    f = np.maximum(np.asarray(fitted, dtype=float), 1e-9)
    den = np.sum(f * f)
    if den <= 0:
        return 0.0
    return float(np.clip(np.sum((y - f) ** 2 - f - noise) / den, 0.0, 10.0))


def _is_integer(y: np.ndarray) -> bool:
    y = y[np.isfinite(y)]
    return bool(np.all(np.abs(y - np.round(y)) < 1e-9))


# ----------------------------------------------------------------------------- base
class Forecaster:
    """Base class: NB predictive distribution around ``_mean(h, X)`` with dispersion ``alpha_``."""

    alias = "base"
    needs_seasons = 0  # full seasons of history the model needs

    def __init__(self) -> None:
        self.y_: np.ndarray | None = None
        self.alpha_: float = 0.0
        self.integer_: bool = True

    def _check_fitted(self) -> np.ndarray:
        if self.y_ is None:
            raise ModelError(f"{type(self).__name__} is not fitted: call .fit(y) before .predict(h)")
        return self.y_

    def _store(self, y: np.ndarray) -> np.ndarray:
        y = np.asarray(y, dtype=float)
        if y.ndim != 1 or len(y) == 0:
            raise ModelError(f"{type(self).__name__}.fit needs a non-empty 1-D array, got shape {y.shape}")
        if not np.all(np.isfinite(y)):
            bad = int((~np.isfinite(y)).sum())
            raise ModelError(f"{type(self).__name__}.fit: y has {bad} missing values; fill or drop them")
        self.y_ = y
        self.integer_ = _is_integer(y)
        return y

    def fit(self, y: np.ndarray, X: np.ndarray | None = None) -> Forecaster:
        y = self._store(y)
        self.alpha_ = series_alpha(y)
        return self

    def _mean(self, h: int, X: np.ndarray | None = None) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _alpha_h(self, h: int, X: np.ndarray | None = None) -> np.ndarray:
        return np.full(h, self.alpha_)

    def mean(self, h: int, X: np.ndarray | None = None) -> np.ndarray:
        """Mean forecast for ``h`` periods ahead (never negative), without intervals.

        Examples
        --------
        >>> class Flat(Forecaster):
        ...     def _mean(self, h, X=None):
        ...         return np.full(h, -1.0 + self.y_.mean())
        >>> Flat().fit(np.array([1.0, 2.0, 3.0])).mean(2).tolist()
        [1.0, 1.0]
        """
        self._check_fitted()
        return np.maximum(self._mean(h, X), 0.0)

    def predict(self, h: int, X: np.ndarray | None = None, levels: Sequence[int] = LEVELS) -> dict:
        """Point forecast and central intervals for ``h`` periods ahead."""
        self._check_fitted()
        mu = np.maximum(self._mean(h, X), 0.0)
        return nb_intervals(mu, self._alpha_h(h, X), levels, self.integer_)

    def sample_paths(
        self, h: int, n: int, rng: np.random.Generator, X: np.ndarray | None = None
    ) -> np.ndarray:
        """``n`` simulated future paths, shape ``(n, h)``."""
        self._check_fitted()
        mu = np.maximum(self._mean(h, X), 0.0)
        return nb_sample(rng, np.broadcast_to(mu, (n, h)), self._alpha_h(h, X))
