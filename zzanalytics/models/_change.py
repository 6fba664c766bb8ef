"""The two-count test behind every comparison: exact conditional Poisson, and its dispersion-aware form.

Private implementation; the public names are :func:`zzanalytics.models.compare.change_test`,
:class:`~zzanalytics.models.compare.ChangeResult` and
:func:`~zzanalytics.models.compare.estimate_dispersion` (see that module for the story).

Examples
--------
>>> from zzanalytics.models._change import change_test
>>> change_test(49, 25).wheeler_z
4.0
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from zzanalytics.errors import ModelError, SchemaError

MIN_HISTORY_MONTHS = 24
"""Months of history needed before a dispersion is estimated (else the plain exact test is used)."""
WHEELER_NULL_SD = math.sqrt(2.0)
"""Null SD of Wheeler's z = 2(√a − √b): each 2√X has variance ≈ 1, the difference ≈ 2."""


# --------------------------------------------------------------------------- the test


@dataclass(frozen=True)
class ChangeResult:
    """Result of :func:`change_test`: counts, change and the test of a real change.

    Attributes
    ----------
    current, baseline : float
        The two counts (``a``, ``b``).
    t_current, t_baseline : float
        Exposures (e.g. days); equal exposures compare raw counts.
    dispersion : float
        φ used (1 = plain Poisson).
    change : float
        ``a − b·t_current/t_baseline`` (``a − b`` for equal exposures).
    pct_change : float or None
        ``100·change / (b·t_current/t_baseline)``; ``None`` when the baseline is 0.
    rate_ratio, ci_low, ci_high : float or None
        ``(a/t_a)/(b/t_b)`` and its ``1 − α`` interval (Clopper–Pearson on the deflated
        counts). ``None`` where infinite (baseline 0).
    p_value : float
        Two-sided p-value of the (deflated) exact conditional test.
    wheeler_z : float
        ``2(√a − √(b·t_a/t_b))``; its null SD is ≈ √2 (√(2φ) when overdispersed).
    screen : bool
        Wheeler's quick screen: ``|z| / √(2φ) > z_{1−α/2}``.
    significant : bool
        ``p_value < alpha``.
    direction : {"up", "down", "flat"}
        "up"/"down" only when significant; "flat" means 在正常波动范围内.
    method : str
        ``"exact_poisson"`` or ``"quasi_poisson"``.
    alpha : float
        Level used.
    """

    current: float
    baseline: float
    t_current: float
    t_baseline: float
    dispersion: float
    change: float
    pct_change: float | None
    rate_ratio: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float
    wheeler_z: float
    screen: bool
    significant: bool
    direction: str
    method: str
    alpha: float

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict."""
        return asdict(self)

    def to_frame(self) -> pd.DataFrame:
        """One-row frame of the fields."""
        return pd.DataFrame([self.to_dict()])


def _binom_two_sided(k: float, n: float, p0: float) -> float:
    """Two-sided p of ``k`` successes in ``n`` (real-valued) trials: 2·min(tail), capped at 1."""
    if n <= 0:
        return 1.0
    k = min(max(k, 0.0), n)
    lower = 1.0 if k >= n else float(special.betainc(n - k, k + 1.0, 1.0 - p0))  # P(X <= k)
    upper = 1.0 if k <= 0 else float(special.betainc(k, n - k + 1.0, p0))  # P(X >= k)
    return min(1.0, 2.0 * min(lower, upper))


def _binom_minlike(k: int, n: int, p0: float) -> float:
    """Exact two-sided binomial p-value, "minlike" (as ``scipy.stats.binomtest``), vectorised.

    Sums the probabilities of all outcomes no more likely than ``k`` (relative tolerance
    1e-7, as scipy does). Equal to ``binomtest(k, n, p0).pvalue`` and ~50× faster, which
    matters in the scorecard and in the size simulations.
    """
    if n == 0:
        return 1.0
    i = np.arange(n + 1)
    logpmf = (
        special.gammaln(n + 1)
        - special.gammaln(i + 1)
        - special.gammaln(n - i + 1)
        + special.xlogy(i, p0)
        + special.xlog1py(n - i, -p0)
    )
    pmf = np.exp(logpmf)
    p = float(pmf[pmf <= pmf[k] * (1 + 1e-7)].sum())
    return min(1.0, p)


def _cp_interval(k: float, n: float, alpha: float) -> tuple[float, float]:
    """Clopper–Pearson interval of a binomial proportion, for real ``k`` and ``n``."""
    lo = 0.0 if k <= 0 else float(special.betaincinv(k, n - k + 1, alpha / 2))
    hi = 1.0 if k >= n else float(special.betaincinv(k + 1, n - k, 1 - alpha / 2))
    return lo, hi


def change_test(
    current: float,
    baseline: float,
    t_current: float = 1.0,
    t_baseline: float = 1.0,
    dispersion: float = 1.0,
    alpha: float = 0.05,
    dispersion_df: float | None = None,
) -> ChangeResult:
    """Test whether ``current`` differs from ``baseline`` more than count noise allows.

    Under "same rate", ``a | a + b ~ Binomial(a + b, t_a / (t_a + t_b))``. With
    ``dispersion = 1`` the two-sided p-value is the exact one of ``scipy.stats.binomtest``
    (same "minlike" rule, computed vectorised); with
    ``dispersion = φ > 1`` both counts are divided by φ (quasi-Poisson) and the same
    binomial law is evaluated through its continuous extension (incomplete beta), p =
    2·min(lower tail, upper tail).

    Parameters
    ----------
    current, baseline : float
        Counts of the current and the baseline period (non-negative).
    t_current, t_baseline : float
        Exposures (period lengths, populations); default equal.
    dispersion : float
        φ ≥ 1; see :func:`estimate_dispersion`. Values below 1 are treated as 1.
    alpha : float
        Significance level.
    dispersion_df : float, optional
        Residual degrees of freedom of an *estimated* φ. The deflated test's p-value is then
        referred to Student's t with that many df (``p = 2·t_df.sf(Φ⁻¹(1 − p/2))``), which
        accounts for the noise in φ̂ — without it the test runs slightly above α.

    Returns
    -------
    ChangeResult

    Examples
    --------
    >>> r = change_test(12, 0)
    >>> r.pct_change is None, r.rate_ratio is None, r.direction
    (True, True, 'up')
    >>> round(change_test(30, 20).wheeler_z, 4)  # 2 * (sqrt(30) - sqrt(20))
    2.0102
    """
    a, b = float(current), float(baseline)
    if not (math.isfinite(a) and math.isfinite(b)) or a < 0 or b < 0:
        raise ModelError(
            f"counts must be finite and non-negative, got current={current!r}, baseline={baseline!r}"
        )
    if not (t_current > 0 and t_baseline > 0):
        raise ModelError(
            f"exposures must be positive, got t_current={t_current!r}, t_baseline={t_baseline!r}"
        )
    if not 0 < alpha < 1:
        raise ModelError(f"alpha must lie in (0, 1), got {alpha!r}")
    phi = max(1.0, float(dispersion)) if math.isfinite(dispersion) else 1.0
    p0 = t_current / (t_current + t_baseline)
    expected = b * t_current / t_baseline
    change = a - expected
    pct = 100.0 * change / expected if expected > 0 else None
    n = a + b
    plain = phi == 1.0 and a.is_integer() and b.is_integer()
    if n == 0:
        p_value = 1.0
    elif plain:
        p_value = _binom_minlike(int(a), int(n), p0)
    else:
        p_value = _binom_two_sided(a / phi, n / phi, p0)
    if dispersion_df is not None and n > 0 and p_value < 1.0:
        z_equiv = -float(special.ndtri(p_value / 2))
        p_value = float(min(1.0, 2 * special.stdtr(dispersion_df, -z_equiv)))
    scale = t_baseline / t_current
    if b > 0 and n > 0:
        lo, hi = _cp_interval(a / phi, n / phi, alpha)
        rr = (a / t_current) / (b / t_baseline)
        ci_low = lo / (1 - lo) * scale
        ci_high = hi / (1 - hi) * scale if hi < 1 else None
    else:
        rr = ci_low = ci_high = None
        if n > 0:  # baseline 0: lower bound only
            lo, _ = _cp_interval(a / phi, n / phi, alpha)
            ci_low = lo / (1 - lo) * scale if lo < 1 else None
    z = 2.0 * (math.sqrt(a) - math.sqrt(expected))
    crit = -float(special.ndtri(alpha / 2))
    significant = bool(p_value < alpha)
    direction = ("up" if change > 0 else "down" if change < 0 else "flat") if significant else "flat"
    return ChangeResult(
        current=a,
        baseline=b,
        t_current=float(t_current),
        t_baseline=float(t_baseline),
        dispersion=phi,
        change=change,
        pct_change=pct,
        rate_ratio=rr,
        ci_low=ci_low,
        ci_high=ci_high,
        p_value=p_value,
        wheeler_z=z,
        screen=bool(abs(z) / math.sqrt(2.0 * phi) > crit),
        significant=significant,
        direction=direction,
        method="exact_poisson" if phi == 1.0 and dispersion_df is None else "quasi_poisson",
        alpha=alpha,
    )


# --------------------------------------------------------------------------- dispersion


def _poisson_irls(y: np.ndarray, X: np.ndarray, iters: int = 30) -> np.ndarray:
    """Fitted means of a log-linear Poisson GLM (IRLS with a tiny ridge for empty seasons)."""
    mu = y + 0.5
    eta = np.log(mu)
    ridge = 1e-6 * np.eye(X.shape[1])
    beta = np.zeros(X.shape[1])
    for _ in range(iters):
        z = eta + (y - mu) / mu
        w = mu
        xtw = X.T * w
        new = np.linalg.solve(xtw @ X + ridge, xtw @ z)
        eta = np.clip(X @ new, -30, 30)
        mu = np.exp(eta)
        if np.max(np.abs(new - beta)) < 1e-8:
            break
        beta = new
    return mu


def estimate_dispersion(
    monthly: Any, period: int = 12, trend: bool = True, min_months: int = MIN_HISTORY_MONTHS
) -> float | None:
    """Quasi-Poisson dispersion φ of a monthly count series, floored at 1.

    Fits ``log μ_t = α + s_{month(t)} + β·t`` (Poisson GLM) and returns Pearson
    χ² / residual df. Overdispersion measured on monthly counts carries over to sums of
    months (for negative-binomial months, φ of a sum of independent months equals the
    monthly φ at equal means), so the φ deflates a 1-6月 total honestly.

    Parameters
    ----------
    monthly : array-like, Series or counts frame (``period`` + one value column)
        Consecutive monthly counts, oldest first, zeros included.
    period : int
        Season length (12 for months).
    trend : bool
        Include the linear trend (a real trend is not counted as noise).
    min_months : int
        Fewer observations return ``None`` (not enough history).

    Returns
    -------
    float or None

    Examples
    --------
    >>> import numpy as np
    >>> y = np.random.default_rng(1).negative_binomial(5, 5 / (5 + 40), size=60)  # mean 40, φ = 9
    >>> 5 < estimate_dispersion(y) < 15
    True
    >>> estimate_dispersion(np.random.default_rng(1).poisson(40, size=60))
    1.0
    """
    fit = _dispersion_fit(monthly, period, trend, min_months)
    return None if fit is None else fit[0]


def _dispersion_fit(
    monthly: Any, period: int = 12, trend: bool = True, min_months: int = MIN_HISTORY_MONTHS
) -> tuple[float, float] | None:
    """(φ floored at 1, residual df) or None; see :func:`estimate_dispersion`."""
    if isinstance(monthly, pd.DataFrame):
        values = [c for c in monthly.columns if c != "period" and pd.api.types.is_numeric_dtype(monthly[c])]
        if len(values) != 1:
            raise SchemaError(
                f"estimate_dispersion needs one value column besides 'period'; numeric columns: {values}"
            )
        y = monthly.sort_values("period")[values[0]].to_numpy(dtype=float)
    else:
        y = np.asarray(monthly, dtype=float)
    y = y[np.isfinite(y)]
    n = y.size
    if n < min_months:
        return None
    if y.sum() == 0:
        return 1.0, float(n - period - int(trend))
    cols = [np.ones(n)]
    season = np.arange(n) % period
    cols += [(season == s).astype(float) for s in range(1, period)]
    if trend:
        cols.append((np.arange(n) - (n - 1) / 2) / period)
    X = np.column_stack(cols)
    df = n - X.shape[1]
    if df < 6:
        return None
    mu = _poisson_irls(y, X)
    pearson = float(np.sum((y - mu) ** 2 / np.maximum(mu, 1e-12)))
    return max(1.0, pearson / df), float(df)
