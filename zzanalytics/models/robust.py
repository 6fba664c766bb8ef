"""One-off spikes and dips in a training window: detected and down-weighted before fitting.

A category that jumps to five or ten times its level for a few months (a campaign,
a data-entry batch, a lockdown dip) should neither lift the forecast nor widen its
interval. :func:`clean_spikes` finds such periods and replaces them with what the
rest of the series says they should have been:

1. counts are put on a square-root scale (Anscombe: Poisson noise has standard
   deviation about 1/2 there, whatever the level);
2. statsmodels' robust STL (seasonal-trend decomposition by LOESS with bisquare
   robustness weights) splits the series into trend, seasonality and remainder; the
   robustness weights keep a spike out of the trend and out of the seasonal profile,
   so a peak that comes back every year (a December shopping peak, an August
   carnival) is seasonality and is never flagged, and a level shift is followed by
   the trend (it is a new level, not a spike). Series shorter than two seasons use a
   running median instead;
3. a period whose remainder is more than ``z`` robust standard deviations (1.5 MAD,
   since the smoothers absorb part of the noise, floored at the Poisson 1/2) from
   zero is a spike (about 2 false flags in 1,000 periods of noise, where a flag only
   replaces a value by its fitted one); its value is replaced by trend +
   seasonality (weight 0 for every model fitted on the window). The last ``protect``
   periods are never replaced: they may be the start of a new level.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> y = rng.poisson(20, 60).astype(float)
>>> y[30:33] = [150, 180, 160]
>>> clean, flagged = clean_spikes(y, 12)
>>> flagged[30:33].tolist(), bool(clean[30:33].max() < 40)
([True, True, True], True)
>>> int(flagged.sum())
3
"""

from __future__ import annotations

import warnings

import numpy as np

Z_SPIKE = 4.5
"""Robust z of the square-root remainder beyond which a period is a spike."""


def _running_median(x: np.ndarray, half: int) -> np.ndarray:
    n = len(x)
    return np.array([np.median(x[max(0, t - half) : min(n, t + half + 1)]) for t in range(n)])


def clean_spikes(
    y: np.ndarray, m: int, z: float = Z_SPIKE, protect: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """``(cleaned copy of y, boolean mask of replaced periods)``; see the module docstring.

    Parameters
    ----------
    y : array
        Non-negative values (counts or amounts) without missing values.
    m : int
        Season length (12 for months, 52 for weeks).
    z : float
        Threshold in robust standard deviations of the square-root remainder.
    protect : int
        Trailing periods never replaced.
    """
    y = np.asarray(y, dtype=float)
    n = len(y)
    flags = np.zeros(n, dtype=bool)
    if n < 8 or not np.all(np.isfinite(y)) or np.ptp(y) == 0:
        return y, flags
    s = np.sqrt(np.maximum(y, 0.0) + 3.0 / 8.0)
    if m > 1 and n >= 2 * m + 1:
        from statsmodels.tsa.seasonal import STL

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = STL(s, period=m, robust=True).fit(inner_iter=1, outer_iter=2)
        level = fit.trend + fit.seasonal
    else:
        level = _running_median(s, 3)
    r = s - level
    # STL's remainder is smaller than the noise (the smoothers absorb some): MAD x 1.5
    mad = 1.4826 * float(np.median(np.abs(r - np.median(r))))
    scale = max(1.5 * mad, 0.5)
    out = np.abs(r) > z * scale
    if protect > 0:
        out[-protect:] = False
    if not out.any():
        return y, flags
    clean = y.copy()
    clean[out] = np.maximum(level[out] ** 2 - 3.0 / 8.0, 0.0)
    return clean, out
