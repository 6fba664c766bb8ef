"""Simulated count panels with planted truth (tests and benchmarks; private).

Examples
--------
>>> df = simulate_panel(n_areas=2, n_categories=2, years=3, seed=0)
>>> sorted(df.columns)
['area_code', 'category', 'count', 'period']
>>> len(df)
144

With ``shift_share`` the same panel, where some series shift level for good (only those):

>>> a = simulate_panel(n_areas=3, n_categories=2, years=3, seed=1)
>>> b = simulate_panel(n_areas=3, n_categories=2, years=3, seed=1, shift_share=0.5)
>>> int((a["count"] != b["count"]).groupby([a["category"], a["area_code"]]).any().sum())
4
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzanalytics.models.features import exog_matrix


def simulate_panel(
    n_areas: int = 12,
    n_categories: int = 26,
    years: int = 7,
    start: str = "2019-01-01",
    seed: int = 0,
    sf_effect: float | None = None,
    level_range: tuple[float, float] = (0.3, 40.0),
    drift_sd: float = 0.06,
    freq: str = "month",
    amplitude: tuple[float, float] = (0.05, 0.35),
    shift_share: float = 0.0,
    shift_size: tuple[float, float] = (0.3, 0.9),
    shift_window: tuple[int, int] = (13, 36),
) -> pd.DataFrame:
    """NB counts per category x township with trend, seasonality, Spring Festival and drift.

    Each category has a seasonal profile and a Spring Festival effect shared by its
    townships; each series has its own level (log-uniform over ``level_range`` per
    month), trend, NB dispersion and a slowly drifting log level (AR(1), sd
    ``drift_sd``), so no candidate model is exactly right. A share ``shift_share`` of
    series gets a lasting level shift (a new recording rule, a closed market): the log
    level moves by ``±U(shift_size)`` from a period drawn ``shift_window`` periods
    before the end (none by default; the draws are only made when asked for).
    """
    rng = np.random.default_rng(seed)
    srng = np.random.default_rng([seed, 1])  # shifts from their own stream: the panel is the same otherwise
    per = 12 if freq == "month" else 52
    periods = pd.date_range(start, periods=years * per, freq="MS" if freq == "month" else "W-MON")
    X = exog_matrix(periods, freq)
    pos = np.arange(len(periods))
    rows = []
    for c in range(n_categories):
        amp = rng.uniform(*amplitude)
        phase = rng.uniform(0, 2 * np.pi)
        ang = 2 * np.pi * pos / per + phase
        season = amp * np.cos(ang) + 0.5 * amp * np.cos(2 * ang)
        sf = rng.uniform(-0.6, 0.3) if sf_effect is None else sf_effect
        for a in range(n_areas):
            level = np.exp(rng.uniform(np.log(level_range[0]), np.log(level_range[1])))
            trend = rng.normal(0, 0.08) * pos / per
            alpha = rng.uniform(0.02, 0.25)
            drift = np.zeros(len(pos))
            for t in range(1, len(pos)):
                drift[t] = 0.9 * drift[t - 1] + rng.normal(0, drift_sd)
            mu = level * np.exp(season + trend + sf * X[:, 1] + X[:, 0] + drift)
            lam = rng.gamma(1 / alpha, alpha * mu)
            y = rng.poisson(lam)
            if shift_share > 0:
                y = _shift(y, lam, srng, shift_share, shift_size, shift_window)
            rows.append(
                pd.DataFrame(
                    {"category": f"cat{c:02d}", "area_code": f"6201020{a:02d}", "period": periods, "count": y}
                )
            )
    return pd.concat(rows, ignore_index=True)


def _shift(y, lam, rng, share, size, window) -> np.ndarray:
    """Counts with a lasting level shift, drawn for every series so the same seed shifts the same ones.

    Down: binomial thinning of the counts from the shift on; up: extra Poisson counts
    on the same gamma-mixed rates (both keep the series' overdispersion).
    """
    u, back = rng.uniform(), int(rng.integers(window[0], window[1] + 1))
    jump = np.exp(rng.choice([-1.0, 1.0]) * rng.uniform(*size))
    if u >= share:
        return y
    y = y.copy()
    at = len(y) - back
    if jump < 1:
        y[at:] = rng.binomial(y[at:], jump)
    else:
        y[at:] += rng.poisson((jump - 1) * lam[at:])
    return y


def holdout_scores(
    train: pd.DataFrame, test: pd.DataFrame, fc: pd.DataFrame, keys: list[str], m: int = 12
) -> pd.DataFrame:
    """Per-series MASE of ``fc`` and of the hand benchmarks, and interval hits, on ``test``.

    Benchmarks: same period last year (``snaive``), mean of the last ``m`` (``mean12``),
    their average (``avg``). Scale: in-sample MAE of the seasonal naive.
    """
    out = []
    for key, tr in train.groupby(keys, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        sel = dict(zip(keys, key, strict=True))
        y = tr.sort_values("period")["count"].to_numpy(float)
        te = test
        f = fc
        for k, v in sel.items():
            te = te[te[k] == v]
            f = f[f[k] == v]
        te = te.sort_values("period")
        f = f.set_index("period").reindex(te["period"])
        yt = te["count"].to_numpy(float)
        scale = np.mean(np.abs(y[m:] - y[:-m]))
        if not scale > 0:
            continue
        h = len(yt)
        sn = np.array([y[-m + (i % m)] for i in range(h)])
        mn = np.full(h, y[-m:].mean())
        row = dict(sel)
        row.update(
            ours=np.mean(np.abs(yt - f["mean"].to_numpy())) / scale,
            snaive=np.mean(np.abs(yt - sn)) / scale,
            mean12=np.mean(np.abs(yt - mn)) / scale,
            avg=np.mean(np.abs(yt - (sn + mn) / 2)) / scale,
            cov80=np.mean((yt >= f["lo80"].to_numpy()) & (yt <= f["hi80"].to_numpy())),
            cov95=np.mean((yt >= f["lo95"].to_numpy()) & (yt <= f["hi95"].to_numpy())),
            n=h,
        )
        out.append(row)
    return pd.DataFrame(out)
