"""Negative-binomial regression (:class:`NBGLM`) and a group's seasonal profile from it.

:class:`NBGLM` is the GLM behind the ``glm``, ``pglm`` and ``sglm`` candidates;
:func:`group_profile` fits it to a group's aggregate (all townships of one category)
to give the log seasonal, holiday and exposure profile that ``pglm``, ``sglm`` and
``pses`` take as an offset.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> t = np.arange(72)
>>> agg = rng.poisson(50 * np.exp(0.5 * np.cos(2 * np.pi * t / 12))).astype(float)
>>> prof = group_profile(agg, 0, 60, np.zeros((84, 1)), 12)
>>> bool(prof[60] > prof[66])  # January (cos = 1) above July (cos = -1)
True
"""

from __future__ import annotations

import numpy as np

from zzanalytics.errors import ModelError
from zzanalytics.models.base import Forecaster, nb_sample


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

    def design(self, pos: np.ndarray, tr: np.ndarray, X: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
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
        P = np.diag(pen)
        for _ in range(self.max_iter):
            eta = np.clip(Xd @ beta + off, -30, 30)
            mu = np.exp(eta)
            W = w * mu / (1 + alpha * mu)
            z = eta - off + (y - mu) / np.maximum(mu, 1e-10)
            XWt = (Xd * W[:, None]).T
            new = np.linalg.solve(XWt @ Xd + P, XWt @ z)
            if np.max(np.abs(new - beta)) < 1e-6:
                beta = new
                break
            beta = new
        eta = np.clip(Xd @ beta + off, -30, 30)
        mu = np.exp(eta)
        W = w * mu / (1 + alpha * mu)
        A = (Xd * W[:, None]).T @ Xd + P
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
        Xd, off = self.design(pos, tr, Xs)
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
        return self.design(pos, tr, X)

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


def group_profile(agg: np.ndarray, start: int, cut: int, X: np.ndarray, m: int) -> np.ndarray | None:
    """Log seasonal + holiday + exposure profile of a group aggregate fitted on ``[start, cut)``.

    The profile covers ``start`` to the end of ``X`` (the forecast periods included), is
    NaN before ``start`` and is centred on the last season before ``cut``; ``None`` when
    the window is shorter than a season and a half or holds no event.
    """
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
    Xd, off = mod.design(pos - start, tr, X[start:])
    prof = np.full(X.shape[0], np.nan)
    prof[start:] = Xd @ beta + off
    prof[start:] -= np.mean(prof[max(start, cut - m) : cut])
    return prof
