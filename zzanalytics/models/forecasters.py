"""Small forecasting models over numpy arrays (statsforecast style).

Every model has ``__init__(hyperparameters)``, ``fit(y, X=None) -> self``,
``predict(h, X=None, levels=(80, 95)) -> dict(mean, lo80, hi80, lo95, hi95)``
and ``sample_paths(h, n, rng, X=None) -> array (n, h)``. ``X`` holds exogenous
columns for the fitted periods (``fit``) or the forecast periods (``predict``),
as built by :func:`zzanalytics.models.features.exog_matrix`; models that do not
use regressors ignore it. Predictive distributions are negative binomial
(variance ``mu + alpha * mu**2``), so intervals are never negative and are
integers for counts (:mod:`~zzanalytics.models.base`). The orchestrator (:mod:`zzanalytics.models.forecast`)
re-calibrates interval widths from backtest errors; the intervals here are each
model's own.

Models: :class:`SeasonalNaive`, :class:`WindowAverage` (mean of the last 12),
:class:`~zzanalytics.models.glm.NBGLM` (negative-binomial regression with trend,
seasonality, Spring Festival and days-per-period exposure, fitted by penalised IRLS
with a fixed dispersion; in :mod:`~zzanalytics.models.glm`), :class:`LocalLevel`,
:class:`ETS` (statsmodels ``ETSModel``), :class:`StatsForecastModel`
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

from zzanalytics.errors import ModelError
from zzanalytics.models.base import (
    LEVELS,
    Forecaster,
    nb_intervals,
    nb_quantile,
    nb_sample,
    series_alpha,
)
from zzanalytics.models.glm import NBGLM

__all__ = [
    "ETS",
    "LEVELS",
    "NBGLM",
    "Combination",
    "Forecaster",
    "LocalLevel",
    "SeasonalNaive",
    "StatsForecastModel",
    "WindowAverage",
    "make_model",
    "model_names",
    "nb_intervals",
    "nb_quantile",
    "nb_sample",
    "series_alpha",
]


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
        # every smoothing weight at once (the same arithmetic per weight as a loop over them)
        a = np.asarray(self.alphas, dtype=float)
        lev = np.full(len(a), init)
        sse = np.zeros(len(a))
        for t in range(n):
            e = y[t] - lev * mult[t]
            sse += e * e
            lev = lev + a * (z[t] - lev)
        j = int(np.argmin(sse))  # the first of ties, as the loop took
        self.level_, self.smoothing_ = float(lev[j]), float(a[j])
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
