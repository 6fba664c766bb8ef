"""Small forecasting models over numpy arrays (statsforecast style).

Every model has ``__init__(hyperparameters)``, ``fit(y, X=None) -> self``,
``predict(h, X=None, levels=(80, 95)) -> dict(mean, lo80, hi80, lo95, hi95)``
and ``sample_paths(h, n, rng, X=None) -> array (n, h)``. ``X`` holds exogenous
columns for the fitted periods (``fit``) or the forecast periods (``predict``),
as built by :func:`zzanalytics.models.features.exog_matrix`; models that do not
use regressors ignore it. Predictive distributions are negative binomial
(variance ``mu + alpha * mu**2``), so intervals are never negative and are
integers for counts. The orchestrator (:mod:`zzanalytics.models.forecast`)
re-calibrates interval widths from backtest errors; the intervals here are each
model's own.

Models: :class:`SeasonalNaive`, :class:`WindowAverage` (mean of the last 12),
:class:`NBGLM` (negative-binomial regression with trend, seasonality, Spring
Festival and days-per-period exposure, fitted by penalised IRLS with a fixed
dispersion), :class:`ETS` (statsmodels ``ETSModel``), :class:`StatsForecastModel`
(statsforecast's AutoETS, AutoARIMA, CrostonSBA, TSB, ADIDA, ...) and
:class:`Combination` (mean of members). :func:`make_model` builds one by name.

Examples
--------
>>> import numpy as np
>>> y = np.array([3., 5, 4, 6, 3, 5, 4, 6])
>>> SeasonalNaive(4).fit(y).predict(2)["mean"].tolist()
[3.0, 5.0]
>>> out = WindowAverage(4).fit(y).predict(1)
>>> out["mean"].tolist(), bool(out["lo95"][0] >= 0)
([4.5], True)
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

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


class SeasonalNaive(Forecaster):
    """Same period last season (``y[t-m]``); the MASE scale."""

    alias = "snaive"
    needs_seasons = 1

    def __init__(self, season_length: int = 12) -> None:
        super().__init__()
        self.season_length = int(season_length)

    def fit(self, y: np.ndarray, X: np.ndarray | None = None) -> SeasonalNaive:
        y = self._store(y)
        m = self.season_length
        if len(y) > m + 2:
            d = y[m:] - y[:-m]
            mu = max(float(np.mean(y[-m:])), 1e-9)
            # var(y_t - y_{t-m}) = 2 var(y): the forecast carries one draw's noise
            self.alpha_ = float(np.clip((np.mean(d * d) - mu) / (mu * mu), 0.0, 10.0))
        else:
            self.alpha_ = 0.5
        return self

    def _mean(self, h: int, X: np.ndarray | None = None) -> np.ndarray:
        y = self._check_fitted()
        m = min(self.season_length, len(y))
        last = y[-m:]
        return np.array([last[i % m] for i in range(h)], dtype=float)


class WindowAverage(Forecaster):
    """Mean of the last ``window`` periods (the analyst's 'mean of the last 12 months')."""

    alias = "mean12"

    def __init__(self, window: int = 12) -> None:
        super().__init__()
        self.window = int(window)

    def _mean(self, h: int, X: np.ndarray | None = None) -> np.ndarray:
        y = self._check_fitted()
        return np.full(h, float(np.mean(y[-self.window :])))


class NBGLM(Forecaster):
    """Negative-binomial regression: log-linear trend, seasonality, holidays, exposure.

    ``log mu_t = b0 + b1 * trend_t + season_t + g' x_t + offset_t``. Seasonality is
    month (or week) dummies or Fourier terms, ridge-penalised toward none so that
    sparse series borrow nothing they cannot support; the trend is penalised too
    and damped when extrapolated. ``X`` columns: 0 is a log exposure (offset) if
    ``offset=True``, the others regressors (Spring Festival share, National Day
    share...). Fitted by penalised IRLS: a Poisson fit, a moment estimate of the
    dispersion, then one NB refit with the dispersion fixed. Parameter
    uncertainty widens the predictive dispersion (delta method).

    Parameters
    ----------
    season_length : int
        Periods per year (12 or 52).
    seasonal : {"dummies", "fourier", None}
    fourier_k : int
        Harmonics when ``seasonal="fourier"``.
    trend : bool
    ridge_season, ridge_trend, ridge_x : float
        Penalties (prior precisions on the log scale) of each block.
    damping : float
        Per-period damping of the extrapolated trend (1 = linear).
    halflife : float or None
        Recency weights' half-life in periods.
    window : int or None
        Use only the last ``window`` periods.
    robust : bool
        Down-weight outlying periods (Huber weights on Pearson residuals, cut-off
        ``huber``), so that a shock in the history does not distort the seasonal
        profile, level or dispersion.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> t = np.arange(96)
    >>> y = rng.poisson(30 * np.exp(0.4 * np.cos(2 * np.pi * t / 12))).astype(float)
    >>> m = NBGLM(12, trend=False).fit(y)
    >>> bool(abs(m.predict(12)["mean"][0] / (30 * np.exp(0.4)) - 1) < 0.15)
    True
    """

    alias = "glm"
    needs_seasons = 2

    def __init__(
        self,
        season_length: int = 12,
        seasonal: str | None = "dummies",
        fourier_k: int = 4,
        trend: bool = True,
        ridge_season: float = 2.0,
        ridge_trend: float = 4.0,
        ridge_x: float = 0.5,
        damping: float = 0.98,
        halflife: float | None = None,
        window: int | None = None,
        offset: bool = True,
        max_iter: int = 30,
        robust: bool = True,
        huber: float = 2.5,
    ) -> None:
        super().__init__()
        self.season_length = int(season_length)
        self.seasonal = seasonal
        self.fourier_k = int(fourier_k)
        self.trend = trend
        self.ridge_season, self.ridge_trend, self.ridge_x = ridge_season, ridge_trend, ridge_x
        self.damping = damping
        self.halflife = halflife
        self.window = window
        self.offset = offset
        self.max_iter = max_iter
        self.robust = robust
        self.huber = huber
        if seasonal not in ("dummies", "fourier", None):
            raise ModelError(f"NBGLM seasonal={seasonal!r}; use 'dummies', 'fourier' or None")

    # design -----------------------------------------------------------------
    def _season_cols(self, pos: np.ndarray) -> np.ndarray:
        m = self.season_length
        if self.seasonal == "dummies":
            s = pos % m
            return (s[:, None] == np.arange(1, m)[None, :]).astype(float)
        if self.seasonal == "fourier":
            k = min(self.fourier_k, m // 2)
            ang = 2 * np.pi * pos[:, None] * np.arange(1, k + 1)[None, :] / m
            return np.column_stack([np.sin(ang), np.cos(ang)])
        return np.zeros((len(pos), 0))

    def _design(self, pos: np.ndarray, tr: np.ndarray, X: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        cols = [np.ones((len(pos), 1))]
        if self.trend:
            cols.append(tr[:, None])
        cols.append(self._season_cols(pos))
        off = np.zeros(len(pos))
        if X is not None and X.shape[1]:
            if self.offset:
                off = X[:, 0]
                xr = X[:, 1:]
            else:
                xr = X
            keep = self.keep_x_ if hasattr(self, "keep_x_") else np.ptp(xr, axis=0) > 0
            cols.append(xr[:, keep])
        return np.column_stack(cols), off

    def _penalty(self, p: int, n_season: int) -> np.ndarray:
        pen = np.zeros(p)
        j = 1
        if self.trend:
            pen[j] = self.ridge_trend
            j += 1
        pen[j : j + n_season] = self.ridge_season
        pen[j + n_season :] = self.ridge_x
        return pen

    def _irls(self, Xd, y, off, w, pen, alpha, beta):
        for _ in range(self.max_iter):
            eta = np.clip(Xd @ beta + off, -30, 30)
            mu = np.exp(eta)
            W = w * mu / (1 + alpha * mu)
            z = eta - off + (y - mu) / np.maximum(mu, 1e-10)
            A = (Xd * W[:, None]).T @ Xd + np.diag(pen)
            new = np.linalg.solve(A, (Xd * W[:, None]).T @ z)
            if np.max(np.abs(new - beta)) < 1e-6:
                beta = new
                break
            beta = new
        eta = np.clip(Xd @ beta + off, -30, 30)
        mu = np.exp(eta)
        W = w * mu / (1 + alpha * mu)
        A = (Xd * W[:, None]).T @ Xd + np.diag(pen)
        return beta, mu, A

    def fit(self, y: np.ndarray, X: np.ndarray | None = None) -> NBGLM:
        y = self._store(y)
        n_all = len(y)
        X = None if X is None else np.asarray(X, dtype=float)[:n_all]
        start = 0 if self.window is None else max(0, n_all - self.window)
        yy = y[start:]
        n = len(yy)
        pos = np.arange(start, n_all)
        self.n_ = n_all
        tr = (pos - (n_all - 1)) / self.season_length
        Xs = None if X is None else X[start:]
        if Xs is not None and Xs.shape[1] > int(self.offset):
            xr = Xs[:, int(self.offset) :]
            self.keep_x_ = np.ptp(xr, axis=0) > 0
        elif Xs is not None:
            self.keep_x_ = np.zeros(0, dtype=bool)
        Xd, off = self._design(pos, tr, Xs)
        n_season = self._season_cols(pos[:1]).shape[1]
        pen = self._penalty(Xd.shape[1], n_season)
        w = np.ones(n) if self.halflife is None else 0.5 ** ((n - 1 - np.arange(n)) / self.halflife)
        self.zero_ = float(yy.sum()) <= 0
        if self.zero_:
            self.beta_ = np.zeros(Xd.shape[1])
            self.beta_[0] = np.log(0.5 / (n + 1))  # a rule-of-three style floor, not zero
            self.cov_ = np.zeros((Xd.shape[1], Xd.shape[1]))
            self.alpha_ = 0.0
            return self
        beta = np.zeros(Xd.shape[1])
        beta[0] = np.log(np.average(yy, weights=w) + 0.1) - float(np.mean(off))
        pen_eff = pen * 1.0
        beta, mu, _ = self._irls(Xd, yy, off, w, pen_eff, 0.0, beta)
        alpha = float(np.clip(np.sum(w * ((yy - mu) ** 2 - yy)) / max(np.sum(w * mu * mu), 1e-9), 0.0, 5.0))
        if alpha > 1e-6:
            beta, mu, A = self._irls(Xd, yy, off, w, pen_eff, alpha, beta)
        else:
            _, _, A = self._irls(Xd, yy, off, w, pen_eff, 0.0, beta)
        if self.robust:
            # Huber weights on Pearson residuals: a shock (a lockdown, a campaign) does not bend
            # the seasonal profile or the level; the dispersion is re-estimated on the same weights
            for _ in range(2):
                r = np.abs(yy - mu) / np.sqrt(mu + alpha * mu * mu + 1e-9)
                wr = w * np.minimum(1.0, self.huber / np.maximum(r, 1e-9))
                alpha = float(
                    np.clip(np.sum(wr * ((yy - mu) ** 2 - yy)) / max(np.sum(wr * mu * mu), 1e-9), 0.0, 5.0)
                )
                beta, mu, A = self._irls(Xd, yy, off, wr, pen_eff, alpha, beta)
        self.beta_ = beta
        self.alpha_ = alpha
        try:
            self.cov_ = np.linalg.inv(A)
        except np.linalg.LinAlgError:
            self.cov_ = np.zeros_like(A)
        self.fitted_ = mu
        return self

    def _future_design(self, h: int, X: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        n = self.n_
        pos = np.arange(n, n + h)
        steps = np.cumsum(self.damping ** np.arange(1, h + 1))
        tr = steps / self.season_length
        if X is not None:
            X = np.asarray(X, dtype=float)
            if X.shape[0] >= n + h:
                X = X[n : n + h]
            X = X[:h]
        return self._design(pos, tr, X)

    def _mean(self, h: int, X: np.ndarray | None = None) -> np.ndarray:
        self._check_fitted()
        Xd, off = self._future_design(h, X)
        return np.exp(np.clip(Xd @ self.beta_ + off, -30, 30))

    def _alpha_h(self, h: int, X: np.ndarray | None = None) -> np.ndarray:
        Xd, _ = self._future_design(h, X)
        v = np.einsum("ij,jk,ik->i", Xd, self.cov_, Xd)
        return self.alpha_ + np.expm1(np.clip(v, 0, 5)) * (1 + self.alpha_)

    def sample_paths(
        self, h: int, n: int, rng: np.random.Generator, X: np.ndarray | None = None
    ) -> np.ndarray:
        self._check_fitted()
        Xd, off = self._future_design(h, X)
        try:
            L = np.linalg.cholesky(self.cov_ + 1e-12 * np.eye(len(self.beta_)))
        except np.linalg.LinAlgError:
            L = np.zeros_like(self.cov_)
        betas = self.beta_[None, :] + rng.standard_normal((n, len(self.beta_))) @ L.T
        mu = np.exp(np.clip(betas @ Xd.T + off[None, :], -30, 30))
        return nb_sample(rng, mu, max(self.alpha_, 1e-10))

    def coef(self) -> dict[str, float]:
        """Named coefficients: intercept, trend (per year), season_j, x_j."""
        names = ["intercept"] + (["trend"] if self.trend else [])
        ns = self._season_cols(np.arange(1)).shape[1]
        names += [f"season_{j}" for j in range(ns)]
        names += [f"x_{j}" for j in np.flatnonzero(getattr(self, "keep_x_", np.zeros(0, bool)))]
        return dict(zip(names, self.beta_.tolist(), strict=False))


class LocalLevel(Forecaster):
    """Simple exponential smoothing of the level after dividing out a seasonal profile.

    ``X[:, 0]`` is a log profile (exposure + seasonality + holidays, e.g. the
    group's, from the orchestrator); the level of ``y / exp(profile)`` is smoothed
    with the weight in ``alphas`` that minimises one-step squared error, and the
    forecast is ``level * exp(profile)``. Without ``X`` it is plain SES.

    Examples
    --------
    >>> y = np.r_[np.full(24, 5.0), np.full(24, 10.0)]
    >>> round(float(LocalLevel().fit(y).predict(1)["mean"][0]), 1)
    10.0
    """

    alias = "pses"

    def __init__(self, alphas: Sequence[float] = (0.05, 0.1, 0.2, 0.3, 0.5)) -> None:
        super().__init__()
        self.alphas = tuple(alphas)

    def fit(self, y: np.ndarray, X: np.ndarray | None = None) -> LocalLevel:
        y = self._store(y)
        n = len(y)
        mult = np.ones(n) if X is None else np.exp(np.asarray(X, dtype=float)[:n, 0])
        z = y / mult
        init = float(np.mean(z[: min(n, 12)]))
        best = (np.inf, init, self.alphas[0])
        for a in self.alphas:
            lev = init
            sse = 0.0
            for t in range(n):
                e = y[t] - lev * mult[t]
                sse += e * e
                lev = lev + a * (z[t] - lev)
            if sse < best[0]:
                best = (sse, lev, a)
        self.level_, self.smoothing_ = best[1], best[2]
        self.alpha_ = series_alpha(y)
        return self

    def _mean(self, h: int, X: np.ndarray | None = None) -> np.ndarray:
        self._check_fitted()
        mult = np.ones(h) if X is None else np.exp(np.asarray(X, dtype=float)[:h, 0])
        return self.level_ * mult


class StatsForecastModel(Forecaster):
    """Any statsforecast model by class name (``AutoETS``, ``AutoARIMA``, ``CrostonSBA``, ``TSB``, ...).

    Examples
    --------
    >>> y = np.tile([2., 0, 1, 0], 6)
    >>> m = StatsForecastModel("CrostonSBA").fit(y)
    >>> bool(m.predict(3)["mean"][0] > 0)
    True
    """

    def __init__(self, name: str, **kwargs: Any) -> None:
        super().__init__()
        self.name = name
        self.kwargs = kwargs
        self.alias = name.lower()
        from statsforecast import models as sfm

        if not hasattr(sfm, name):
            raise ModelError(f"statsforecast has no model {name!r}; e.g. AutoETS, AutoARIMA, CrostonSBA, TSB")
        self._cls = getattr(sfm, name)

    def fit(self, y: np.ndarray, X: np.ndarray | None = None) -> StatsForecastModel:
        y = self._store(y)
        self.alpha_ = series_alpha(y)
        self._cache: dict[int, np.ndarray] = {}
        return self

    def _mean(self, h: int, X: np.ndarray | None = None) -> np.ndarray:
        y = self._check_fitted()
        if h not in self._cache:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    out = self._cls(**self.kwargs).forecast(y, h)["mean"]
                except Exception:  # statsforecast raises plain errors on degenerate series
                    out = np.full(h, float(np.mean(y[-12:])))
            self._cache[h] = np.nan_to_num(np.asarray(out, dtype=float), nan=float(np.mean(y)))
        return self._cache[h]


class ETS(Forecaster):
    """statsmodels ``ETSModel`` (additive error; trend and seasonality as given).

    Slower than statsforecast's AutoETS (0.1-0.2 s a fit), so it is a candidate on
    request (``models=["ets_sm", ...]``), not in the default set.
    """

    alias = "ets_sm"
    needs_seasons = 2

    def __init__(
        self,
        season_length: int = 12,
        trend: str | None = None,
        damped_trend: bool = False,
        seasonal: str | None = "add",
    ) -> None:
        super().__init__()
        self.season_length, self.trend, self.damped_trend, self.seasonal = (
            season_length,
            trend,
            damped_trend,
            seasonal,
        )

    def fit(self, y: np.ndarray, X: np.ndarray | None = None) -> ETS:
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        y = self._store(y)
        seasonal = self.seasonal if len(y) >= 2 * self.season_length + 2 else None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.res_ = ETSModel(
                y,
                error="add",
                trend=self.trend,
                damped_trend=self.damped_trend and bool(self.trend),
                seasonal=seasonal,
                seasonal_periods=self.season_length if seasonal else None,
            ).fit(disp=False)
        self.alpha_ = series_alpha(y)
        return self

    def _mean(self, h: int, X: np.ndarray | None = None) -> np.ndarray:
        self._check_fitted()
        return np.asarray(self.res_.forecast(h), dtype=float)


class Combination(Forecaster):
    """Equal-weight mean of member models' point forecasts; dispersion the members' mean."""

    def __init__(self, members: Sequence[Forecaster], alias: str = "combo") -> None:
        super().__init__()
        if not members:
            raise ModelError("Combination needs at least one member model")
        self.members = list(members)
        self.alias = alias

    def fit(self, y: np.ndarray, X: np.ndarray | None = None) -> Combination:
        y = self._store(y)
        for m in self.members:
            m.fit(y, X)
        self.alpha_ = float(np.mean([m.alpha_ for m in self.members]))
        return self

    def _mean(self, h: int, X: np.ndarray | None = None) -> np.ndarray:
        return np.mean([np.maximum(m._mean(h, X), 0.0) for m in self.members], axis=0)


# ----------------------------------------------------------------------------- registry
def _autoets(m: int) -> Forecaster:
    return StatsForecastModel("AutoETS", season_length=m, model="ANA")


_REGISTRY: dict[str, Any] = {
    "snaive": lambda m: SeasonalNaive(m),
    "mean12": lambda m: WindowAverage(12 if m == 12 else m),
    "glm": lambda m: NBGLM(m, seasonal="dummies" if m == 12 else "fourier", halflife=4 * m),
    "pglm": lambda m: NBGLM(m, seasonal=None, halflife=2 * m, ridge_trend=8.0),
    "sglm": lambda m: NBGLM(
        m, seasonal="dummies" if m == 12 else "fourier", halflife=4 * m, ridge_season=6.0
    ),
    "pses": lambda m: LocalLevel(),
    "autoets": _autoets,
    "autoets_full": lambda m: StatsForecastModel("AutoETS", season_length=m),
    "autoarima": lambda m: StatsForecastModel("AutoARIMA", season_length=m),
    "dotm": lambda m: StatsForecastModel("DynamicOptimizedTheta", season_length=m),
    "autotheta": lambda m: StatsForecastModel("AutoTheta", season_length=m),
    "damped": lambda m: StatsForecastModel("AutoETS", season_length=m, model="AAA", damped=True),
    "sba": lambda m: StatsForecastModel("CrostonSBA"),
    "tsb": lambda m: StatsForecastModel("TSB", alpha_d=0.1, alpha_p=0.1),
    "adida": lambda m: StatsForecastModel("ADIDA"),
    "ets_sm": lambda m: ETS(m),
}
"""Model name -> factory of season length."""


def model_names() -> list[str]:
    """Names :func:`make_model` accepts."""
    return sorted(_REGISTRY)


def make_model(name: str, season_length: int = 12) -> Forecaster:
    """Build a model by name; ``"a+b"`` is the equal-weight combination of ``a`` and ``b``.

    Examples
    --------
    >>> make_model("glm+autoets").alias
    'glm+autoets'
    """
    parts = name.split("+")
    unknown = [p for p in parts if p not in _REGISTRY]
    if unknown:
        raise ModelError(f"unknown model {unknown[0]!r}; known models: {model_names()} (combine with '+')")
    if len(parts) == 1:
        m = _REGISTRY[name](season_length)
        m.alias = name
        return m
    return Combination([make_model(p, season_length) for p in parts], alias=name)
