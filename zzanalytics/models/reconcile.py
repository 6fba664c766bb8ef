"""Township forecasts that add up to the district's.

Two methods, both giving non-negative, coherent forecasts:

* **bottom-up** (the default): the district's mean is the sum of the townships'
  means. Township counts are small and overdispersed; bottom-up keeps every
  township forecast as its own selected model made it and needs no covariance.
  The district's interval is calibrated from the backtest errors of the summed
  township forecasts, so it is neither the (too wide) sum of township intervals
  nor a naive independent sum.
* **MinT** (shrinkage): forecasts the district series directly too (same
  selection and calibration) and combines the levels with weights from the
  shrunk covariance of backtest errors (Wickramasuriya, Athanasopoulos &
  Hyndman 2019; Schäfer-Strimmer shrinkage toward the diagonal).
  MinT can push small township counts below zero; they are clipped at zero and
  the district is re-added, which keeps coherence and non-negativity.

Examples
--------
>>> import numpy as np
>>> S = summing_matrix(2)
>>> S.tolist()
[[1.0, 1.0], [1.0, 0.0], [0.0, 1.0]]
>>> bottom_up(np.array([[2.0, 3.0], [1.0, 1.0]])).tolist()
[[5.0, 2.0, 3.0], [2.0, 1.0, 1.0]]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from zzanalytics.errors import ModelError
from zzanalytics.models.base import nb_quantile
from zzanalytics.models.engine import ALL_AREAS, AREA_KEY, Result
from zzanalytics.models.intervals import calibrate, dispersion, intervals
from zzanalytics.models.selection import blend_point, point_scores, select_points


def summing_matrix(n_bottom: int) -> np.ndarray:
    """``S`` of a two-level hierarchy: the total on top of ``n_bottom`` series."""
    return np.vstack([np.ones((1, n_bottom)), np.eye(n_bottom)])


def bottom_up(bottom: np.ndarray) -> np.ndarray:
    """Rows ``(h, n_bottom)`` → coherent ``(h, 1 + n_bottom)`` with the total first."""
    bottom = np.atleast_2d(np.asarray(bottom, dtype=float))
    return np.column_stack([bottom.sum(axis=1), bottom])


def shrink_covariance(errors: np.ndarray) -> np.ndarray:
    """Schäfer-Strimmer shrinkage of the error covariance toward its diagonal.

    ``errors`` is ``(n_points, n_series)``; rows with missing values are dropped.
    """
    e = np.asarray(errors, dtype=float)
    e = e[np.all(np.isfinite(e), axis=1)]
    n, p = e.shape
    if n < 3:
        return np.eye(p)
    e = e - e.mean(axis=0)
    cov = e.T @ e / n
    sd = np.sqrt(np.maximum(np.diag(cov), 1e-12))
    z = e / sd
    corr = z.T @ z / n
    w = (z[:, :, None] * z[:, None, :] - corr[None]) ** 2
    var_r = w.sum(axis=0) * n / (n - 1) ** 3
    off = ~np.eye(p, dtype=bool)
    denom = float(np.sum(corr[off] ** 2))
    lam = 1.0 if denom <= 0 else float(np.clip(np.sum(var_r[off]) / denom, 0.0, 1.0))
    shrunk = corr * (1 - lam)
    np.fill_diagonal(shrunk, 1.0)
    return shrunk * np.outer(sd, sd) + 1e-9 * np.eye(p)


def mint(base: np.ndarray, errors: np.ndarray) -> np.ndarray:
    """MinT-shrink reconciliation of a two-level hierarchy, kept non-negative.

    Parameters
    ----------
    base : array (h, 1 + n_bottom)
        Base forecasts, the total first.
    errors : array (n_points, 1 + n_bottom)
        Backtest errors in the same column order.

    Returns
    -------
    array (h, 1 + n_bottom)
        Coherent forecasts (total = sum of bottom), bottom clipped at zero.

    Examples
    --------
    >>> base = np.array([[10.0, 4.0, 4.0]])
    >>> rec = mint(base, np.random.default_rng(0).normal(size=(50, 3)))
    >>> bool(abs(rec[0, 0] - rec[0, 1:].sum()) < 1e-9)
    True
    """
    base = np.atleast_2d(np.asarray(base, dtype=float))
    nb = base.shape[1] - 1
    if nb < 1:
        raise ModelError("mint needs at least one bottom series")
    S = summing_matrix(nb)
    W = shrink_covariance(errors)
    Wi = np.linalg.pinv(W)
    G = np.linalg.solve(S.T @ Wi @ S, S.T @ Wi)
    bottom = np.maximum(base @ G.T, 0.0)
    return bottom_up(bottom)


def add_district_rows(
    res: Result,
    fc: pd.DataFrame,
    levels: Sequence[int],
    method: str = "bottom_up",
    direct: Result | None = None,
) -> pd.DataFrame:
    """Append ``area_code="all"`` rows per group of the other keys and reconcile the townships.

    ``direct`` (for ``method="mint"``) holds the district series' own forecasts, in the
    order of the groups of the other keys.
    """
    panel = res.panel
    kf = panel.key_frame
    others = [k for k in panel.keys if k != AREA_KEY]
    groups = kf.groupby(others, sort=False).indices if others else {(): np.arange(len(kf))}
    # a district total over townships observed to different periods would mix periods with and
    # without data: such groups get no district rows
    groups = {g: idx for g, idx in groups.items() if len(np.unique(panel.ends[np.asarray(idx)])) == 1}
    n, h = len(kf), res.plan.horizon
    a_h = res.alpha_h()
    chosen_means = np.stack([np.maximum(res.means[res.chosen[i]][i], 0.0) for i in range(n)])
    sel_bt = np.stack([res.bt[res.chosen[i]][i] for i in range(n)])
    # pooled calibration of the sums' intervals
    per_group: list[tuple[Any, np.ndarray, np.ndarray, np.ndarray]] = []
    ys, ps = [], []
    r_sum = d_sum = 0.0
    for g, idx in groups.items():
        idx = np.asarray(idx)
        tsum = res.true[idx].sum(axis=0)  # NaN if any member lacks the origin
        psum = sel_bt[idx].sum(axis=0)
        r, d = dispersion(tsum.ravel(), psum.ravel())
        r_sum, d_sum = r_sum + r, d_sum + d
        per_group.append((g, idx, tsum, psum))
        ok = np.isfinite(tsum) & np.isfinite(psum)
        ys.append(tsum[ok])
        ps.append(psum[ok])
    pooled = max(r_sum / d_sum, 0.0) if d_sum > 0 else 0.05
    # each group's dispersion: its own moment estimate, shrunk half-way to the pooled one
    disp = []
    for _g, _idx, tsum, psum in per_group:
        r, d = dispersion(tsum.ravel(), psum.ravel())
        disp.append(float(np.clip(0.5 * max(r / d, 0.0) + 0.5 * pooled, 0.0, 10.0)) if d > 0 else pooled)
    point_w = _district_points(per_group, disp, res.integer)
    fc = fc.copy()
    new_rows = []
    mean_cols = ["mean", "median", "point"] + [f"{s}{lv}" for lv in levels for s in ("lo", "hi")]
    w_series = res.point_w if res.point_w is not None else np.zeros(n)
    for gi, (_g, idx, tsum, psum) in enumerate(per_group):
        a = disp[gi]
        top = chosen_means[idx].sum(axis=0)
        model = "bottom_up"
        if method == "mint":
            errs_b = (sel_bt[idx] - res.true[idx]).reshape(len(idx), -1).T
            errs_t = (psum - tsum).ravel()[:, None]
            if direct is not None:
                j = _direct_index(direct, kf.iloc[idx[0]], others)
                top = np.maximum(direct.means[direct.chosen[j]][j], 0.0)
                errs_t = (direct.bt[direct.chosen[j]][j] - direct.true[j]).ravel()[:, None]
            base = np.column_stack([top, chosen_means[idx].T])
            rec = mint(base, np.column_stack([errs_t, errs_b]))
            top = rec[:, 0]
            for j, i in enumerate(idx):
                mu = rec[:, 1 + j]
                iv = intervals(
                    mu,
                    a_h[i],
                    res.level_map.get(res.icls[i], {lv: lv / 100 for lv in levels}),
                    res.integer,
                )
                iv["point"] = blend_point(iv["mean"], iv["median"], w_series[i])
                rows = np.flatnonzero(_match(fc, kf.iloc[i], panel.keys))
                for c in mean_cols:
                    fc.loc[fc.index[rows], c] = iv[c]
            model = "mint"
        yy = np.concatenate(ys) if ys else np.zeros(0)
        pp = np.concatenate(ps) if ps else np.zeros(0)
        nominal = calibrate(yy, np.maximum(pp, 0), np.full(len(yy), pooled), levels, res.integer)
        iv = intervals(top, np.full(h, a), nominal, res.integer)
        iv["point"] = blend_point(iv["mean"], iv["median"], point_w[gi])
        d_row = {k: kf.iloc[idx[0]][k] for k in others}
        d_row[AREA_KEY] = ALL_AREAS
        d_row.update({"period": pd.DatetimeIndex(res.fut[idx[0]]), **iv, "model": model})
        new_rows.append(pd.DataFrame(d_row))
    return pd.concat([fc, *new_rows], ignore_index=True)[fc.columns]


def _district_points(per_group: list, disp: list[float], integer: bool) -> np.ndarray:
    """Weight of the median in each district row's point, from the backtests of the summed forecasts."""
    if not per_group:
        return np.zeros(0)
    true = np.stack([t for _g, _i, t, _p in per_group])
    bt = np.stack([p for _g, _i, _t, p in per_group])
    a = np.broadcast_to(np.asarray(disp, float)[:, None, None], bt.shape)
    med = nb_quantile(0.5, bt, a, integer)
    with np.errstate(invalid="ignore", divide="ignore"):
        # scale-free by each group's mean level (the district series' own naive scale is not kept)
        lvl = np.nanmean(np.where(np.isfinite(true), np.abs(true), np.nan), axis=(1, 2))
    scale = np.broadcast_to(np.where(lvl > 0, lvl, np.nan)[:, None], true.shape[:2])
    k_obs = np.sum(np.any(np.isfinite(true) & np.isfinite(bt), axis=2), axis=1)
    return select_points(point_scores(true, bt, med, scale), np.zeros(len(true)), k_obs)


def _direct_index(direct: Result, keyrow: pd.Series, others: list[str]) -> int:
    if not others:
        return 0
    kf = direct.panel.key_frame
    mask = np.ones(len(kf), dtype=bool)
    for k in others:
        mask &= (kf[k].astype(str) == str(keyrow[k])).to_numpy()
    hits = np.flatnonzero(mask)
    if not len(hits):
        raise ModelError(f"no district forecast for {dict(keyrow[others])}")
    return int(hits[0])


def _match(fc: pd.DataFrame, keyrow: pd.Series, keys: list[str]) -> np.ndarray:
    mask = np.ones(len(fc), dtype=bool)
    for k in keys:
        mask &= (fc[k] == keyrow[k]).to_numpy()
    return mask
