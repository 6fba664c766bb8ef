"""Emerging hot spot analysis (EHSA) on grid cells or polygons.

A space-time cube (cells × periods of counts) is analysed in three steps, as in
ArcGIS Pro's *Emerging Hot Spot Analysis* ("How Emerging Hot Spot Analysis works"):

1. Gi* per bin (cell × time step), Benjamini–Hochberg FDR within each time step; a
   bin is *hot* (*cold*) when its FDR-adjusted p is below ``alpha`` (default 0.10,
   i.e. at least 90% confidence, ArcGIS's lowest class) and z > 0 (< 0). The
   p-values are exact under randomisation (see :mod:`zzanalytics.spatial.hotspots`).

   *Space-time neighbourhood* (default, ``time_step=1``), as ArcGIS's
   "Neighborhood Time Step" and sfdep's ``k``: a bin's neighbours are the bins of
   its spatial neighbourhood (and itself) in its own time step and the
   ``time_step`` steps before it (fewer at the start of the cube); the Gi* of every
   bin is computed over the whole cube (ArcGIS's default global window, *entire
   cube*: one mean and variance of all bins) with these space-time weights
   (:func:`spacetime_weights`), so it equals esda's ``G_Local`` on the flattened cube.
   *Spatial only* (``time_step=0``): each time step is its own map with its own
   mean and variance (the weights and one set of permutation indices shared by
   all steps, vectorised over periods).
2. A Mann-Kendall trend test on each cell's series of Gi* z-scores (two-sided,
   level ``trend_alpha``, default 0.05; tie-corrected variance).
3. Each cell is placed in one of 17 classes. With ``T`` time steps, "90%" means
   ``hot bins / T >= 0.9``; *final* is the last step:

``new hot spot``
    Significant hot spot in the final step and never a significant hot spot before.
    (Our precise reading: no significant bin of either sign before the final step;
    a cell with earlier cold bins is *oscillating*.)
``consecutive hot spot``
    A single uninterrupted run of at least two significant hot bins ending in the
    final step; never a significant hot spot before that run (again: no significant
    bin of either sign before it); fewer than 90% of all bins hot.
``intensifying hot spot``
    Hot in at least 90% of the steps, including the final one, and the intensity of
    clustering (Gi* z) increases over time: Mann-Kendall trend up and significant.
``persistent hot spot``
    Hot in at least 90% of the steps (our reading: including the final one,
    otherwise it is *historical*), with no significant trend.
``diminishing hot spot``
    Hot in at least 90% of the steps, including the final one, and the intensity
    decreases: Mann-Kendall trend down and significant.
``sporadic hot spot``
    Hot in the final step with an on-and-off history of being hot: fewer than 90%
    of the steps hot, some hot bin before the final run of hot bins, and never a
    significant cold spot.
``oscillating hot spot``
    Hot in the final step, a significant cold spot in some earlier step, fewer than
    90% of the steps hot.
``historical hot spot``
    Not hot in the final step but hot in at least 90% of the steps. (Our reading: the
    final step is not significant; if it is cold, the cold classes apply, which
    makes the classes disjoint.)
``new/consecutive/intensifying/persistent/diminishing/sporadic/oscillating/historical cold spot``
    The same definitions with hot and cold exchanged (intensifying cold: z trending
    *down*, diminishing cold: z trending *up*).
``no pattern``
    None of the above.

The 17 predicates are mutually exclusive; :func:`ehsa_matches` lists all that hold
for a cell (always exactly one) and :func:`classify_emerging` returns it.

Examples
--------
>>> z = np.array([[0.0] * 9 + [3.0]])
>>> classify_emerging(z, 2 * stats.norm.sf(np.abs(z))).tolist()
['new hot spot']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats

from zzanalytics.clock import wall_time
from zzanalytics.errors import SchemaError, SpatialError

__all__ = [
    "CLASSES",
    "EmergingResult",
    "classify_emerging",
    "cube_counts",
    "ehsa_matches",
    "emerging_hotspots",
    "mann_kendall",
    "spacetime_weights",
]

_KINDS = (
    "new",
    "consecutive",
    "intensifying",
    "persistent",
    "diminishing",
    "sporadic",
    "oscillating",
    "historical",
)
CLASSES: tuple[str, ...] = (
    *(f"{k} hot spot" for k in _KINDS),
    *(f"{k} cold spot" for k in _KINDS),
    "no pattern",
)
"""The 17 EHSA classes, hot first, then cold, then ``no pattern``."""


def mann_kendall(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mann-Kendall trend test on every row of ``x`` (vectorised).

    ``S = Σ_{i<j} sign(x_j − x_i)``; ``Var S = [T(T−1)(2T+5) − Σ_g t_g(t_g−1)(2t_g+5)] / 18``
    over groups of tied values; ``z = (S − sign S) / √Var S``; two-sided ``p``; Kendall's
    ``tau = S / (T(T−1)/2)``. Same results as ``pymannkendall.original_test``.

    Returns
    -------
    tau, z, p : ndarray (rows,)

    Examples
    --------
    >>> tau, z, p = mann_kendall(np.array([[1.0, 2, 3, 4, 5, 6, 7, 8]]))
    >>> float(tau[0]), bool(p[0] < 0.01)
    (1.0, True)
    """
    x = np.atleast_2d(np.asarray(x, dtype=float))
    m, T = x.shape
    iu, ju = np.triu_indices(T, k=1)
    S = np.sign(x[:, ju] - x[:, iu]).sum(axis=1)
    var = np.full(m, T * (T - 1) * (2 * T + 5), dtype=float)
    xs = np.sort(x, axis=1)
    has_ties = (np.diff(xs, axis=1) == 0).any(axis=1)
    for r in np.flatnonzero(has_ties):
        _, t = np.unique(xs[r], return_counts=True)
        t = t[t > 1]
        var[r] -= (t * (t - 1) * (2 * t + 5)).sum()
    var /= 18.0
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(S > 0, (S - 1) / np.sqrt(var), np.where(S < 0, (S + 1) / np.sqrt(var), 0.0))
    z = np.where(np.isfinite(z), z, 0.0)
    p = 2 * stats.norm.sf(np.abs(z))
    tau = S / (T * (T - 1) / 2)
    return tau, z, p


def _final_run(sig: np.ndarray) -> np.ndarray:
    """Length of the run of True ending at the last column, per row."""
    rev = sig[:, ::-1]
    notsig = ~rev
    first_false = np.where(notsig.any(axis=1), notsig.argmax(axis=1), sig.shape[1])
    return first_false


def _predicates(codes: np.ndarray, trend_z: np.ndarray, trend_p: np.ndarray, trend_alpha: float) -> dict:
    """Boolean array per class; hot predicates for sign=+1, cold ones mirror them."""
    T = codes.shape[1]
    out: dict[str, np.ndarray] = {}
    up = (trend_p < trend_alpha) & (trend_z > 0)
    down = (trend_p < trend_alpha) & (trend_z < 0)
    for sign, word in ((1, "hot"), (-1, "cold")):
        this = codes == sign
        other = codes == -sign
        sig = codes != 0
        final = this[:, -1]
        share = this.sum(axis=1) / T
        many = share >= 0.9 - 1e-12
        run = _final_run(this)
        before_run = np.array([sig[i, : T - run[i]].any() for i in range(len(codes))], dtype=bool)
        this_before_run = np.array([this[i, : T - run[i]].any() for i in range(len(codes))], dtype=bool)
        other_before = other[:, :-1].any(axis=1)
        stronger = up if sign == 1 else down
        weaker = down if sign == 1 else up
        out[f"new {word} spot"] = final & (run == 1) & ~before_run
        out[f"consecutive {word} spot"] = final & (run >= 2) & ~before_run & ~many
        out[f"intensifying {word} spot"] = final & many & stronger
        out[f"persistent {word} spot"] = final & many & ~stronger & ~weaker
        out[f"diminishing {word} spot"] = final & many & weaker
        out[f"sporadic {word} spot"] = final & ~many & this_before_run & ~other.any(axis=1)
        out[f"oscillating {word} spot"] = final & ~many & other_before
        out[f"historical {word} spot"] = (codes[:, -1] == 0) & many
    anyc = np.zeros(len(codes), dtype=bool)
    for v in out.values():
        anyc |= v
    out["no pattern"] = ~anyc
    return {c: out[c] for c in CLASSES}


def _codes(z: np.ndarray, q: np.ndarray, alpha: float) -> np.ndarray:
    z = np.atleast_2d(np.asarray(z, dtype=float))
    q = np.atleast_2d(np.asarray(q, dtype=float))
    return np.where(np.isfinite(q) & (q < alpha), np.sign(z), 0).astype(int)


def ehsa_matches(
    z: np.ndarray, q: np.ndarray, alpha: float = 0.10, trend_alpha: float = 0.05
) -> list[list[str]]:
    """Every EHSA class whose definition holds, per cell (always exactly one).

    Parameters
    ----------
    z, q : ndarray (cells, T)
        Gi* z-scores and the (FDR-adjusted) p-values that decide significance.

    Examples
    --------
    >>> z = np.array([[3.0] * 10])
    >>> ehsa_matches(z, np.full((1, 10), 0.001))
    [['persistent hot spot']]
    """
    codes = _codes(z, q, alpha)
    _, tz, tp = mann_kendall(np.atleast_2d(z))
    pred = _predicates(codes, tz, tp, trend_alpha)
    n = codes.shape[0]
    return [[c for c in CLASSES if pred[c][i]] for i in range(n)]


def classify_emerging(
    z: np.ndarray, q: np.ndarray, alpha: float = 0.10, trend_alpha: float = 0.05
) -> np.ndarray:
    """EHSA class per cell from its z-series and FDR-adjusted p-series.

    Parameters
    ----------
    z, q : ndarray (cells, T)
    alpha : float
        Level at which a bin is a significant hot/cold spot.
    trend_alpha : float
        Level of the Mann-Kendall test on the z-series.

    Returns
    -------
    ndarray of str
        One of :data:`CLASSES` per cell.

    Examples
    --------
    >>> z = np.array([[0.0] * 7 + [3.0] * 3, [3.0] * 9 + [0.0]])
    >>> classify_emerging(z, 2 * stats.norm.sf(np.abs(z))).tolist()
    ['consecutive hot spot', 'historical hot spot']
    """
    z = np.atleast_2d(np.asarray(z, dtype=float))
    codes = _codes(z, q, alpha)
    _, tz, tp = mann_kendall(z)
    pred = _predicates(codes, tz, tp, trend_alpha)
    out = np.full(len(codes), "no pattern", dtype=object)
    for c in CLASSES[:-1]:
        out[pred[c]] = c
    return out


def cube_counts(
    incidents: pd.DataFrame, grid: gpd.GeoDataFrame, end: Any, steps: int, months: int = 1
) -> pd.DataFrame:
    """A space-time cube of ``steps`` windows of ``months`` months each, the last ending on ``end``.

    Calendar periods (``cell_counts(freq="month")``) cut a year in January; windows
    aligned on ``end`` put the most recent ``months`` months in the final step,
    e.g. ``months=12`` gives years ending on ``end``.

    Returns
    -------
    DataFrame
        ``cell_id``, ``period`` (first day of each window), ``count``.

    Examples
    --------
    >>> from zzanalytics.spatial.grid import make_grid
    >>> g = make_grid((103.80, 36.05, 103.82, 36.06), cell=1000)
    >>> inc = pd.DataFrame({"lon": [103.805], "lat": [36.055], "occurred_at": [pd.Timestamp("2026-10-01")]})
    >>> c = cube_counts(inc, g, "2026-10-31", steps=3, months=12)
    >>> sorted(c.period.dt.date.astype(str).unique()), int(c["count"].sum())
    (['2023-11-01', '2024-11-01', '2025-11-01'], 1)
    """
    from zzanalytics.spatial.grid import assign_cells

    if steps < 1 or months < 1:
        raise SpatialError(f"cube_counts: steps and months must be positive, got {steps}, {months}")
    e = pd.Timestamp(end).normalize() + pd.Timedelta(days=1)
    edges = pd.DatetimeIndex([e - pd.DateOffset(months=months * k) for k in range(steps, -1, -1)])
    when = wall_time(incidents["occurred_at"]) if len(incidents) else pd.Series([], dtype="datetime64[ns]")
    inside = ((when >= edges[0]) & (when < edges[-1])).to_numpy()
    inc = incidents[inside]
    step = np.searchsorted(edges.to_numpy(), when[inside].to_numpy(), side="right") - 1
    cells = assign_cells(inc, grid) if len(inc) else pd.Series([], dtype=object)
    ids = grid["cell_id"].to_numpy()
    pos = pd.Series(np.arange(len(ids)), index=ids)
    ok = cells.notna().to_numpy()
    ci = pos.reindex(cells[ok].to_numpy()).to_numpy().astype(int)
    tab = np.zeros((len(ids), steps), dtype=np.int64)
    np.add.at(tab, (ci, step[ok]), 1)
    return pd.DataFrame(
        {
            "cell_id": np.repeat(ids, steps),
            "period": np.tile(edges[:-1].to_numpy().astype("datetime64[ns]"), len(ids)),
            "count": tab.ravel(),
        }
    )


def spacetime_weights(W: Any, T: int, time_step: int = 1) -> sp.csr_matrix:
    """Binary space-time weights of a cube with ``T`` steps (bins ordered cell-major, ``i·T + t``).

    Bin ``(i, t)`` neighbours bin ``(j, s)`` when ``j`` is ``i`` or a spatial neighbour
    of ``i`` and ``t − time_step <= s <= t`` — the Kronecker product of ``W + I`` and
    a lower band of width ``time_step``. The diagonal (the bin itself) is included.

    Parameters
    ----------
    W : scipy sparse or libpysal W
        Spatial neighbours of the ``n`` cells (binary; the diagonal is ignored).
    T : int
        Time steps.
    time_step : int
        Previous steps in the neighbourhood (ArcGIS's "Neighborhood Time Step").

    Examples
    --------
    Three cells in a row, two steps, one previous step:

    >>> W = sp.csr_matrix(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]]))
    >>> Wst = spacetime_weights(W, 2, 1)
    >>> Wst.shape, int(Wst[1 * 2 + 1].sum()), int(Wst[1 * 2 + 0].sum())
    ((6, 6), 6, 3)
    """
    if hasattr(W, "sparse"):
        W = W.sparse
    if time_step < 0 or T < 1:
        raise SpatialError(f"spacetime_weights: need T >= 1 and time_step >= 0, got {T}, {time_step}")
    S = sp.csr_matrix(W, dtype=float)
    S.data[:] = 1.0
    S = sp.csr_matrix(S.tolil())
    S.setdiag(1.0)
    S.eliminate_zeros()
    band = sp.diags(
        [np.ones(T - d) for d in range(min(time_step, T - 1) + 1)],
        [-d for d in range(min(time_step, T - 1) + 1)],
        shape=(T, T),
    )
    out = sp.csr_matrix(sp.kron(S, sp.csr_matrix(band)))
    out.eliminate_zeros()
    out.data[:] = 1.0
    return out


def _gi_spacetime(Y: np.ndarray, W: Any, time_step: int, ids: Any, periods: Any, **kwargs: Any) -> Any:
    """Gi* of a cube with a space-time neighbourhood; arrays reshaped to ``(n, T)``, FDR per step."""
    from zzanalytics.spatial.hotspots import GiStarResult, fdr, gi_star

    n, T = Y.shape
    Wst = spacetime_weights(W, T, time_step)
    g = gi_star(Y.ravel(), Wst, **kwargs)
    shape = (n, T)
    p = g.p.reshape(shape)
    q = np.column_stack([fdr(p[:, t]) for t in range(T)])
    if Y.sum() == 0:
        q[:] = 1.0
    return GiStarResult(
        y=Y,
        W=Wst,
        G=g.G.reshape(shape),
        EG=g.EG.reshape(shape),
        VG=g.VG.reshape(shape),
        z=g.z.reshape(shape),
        p_norm=g.p_norm.reshape(shape),
        z_sim=g.z_sim.reshape(shape),
        p_z_sim=g.p_z_sim.reshape(shape),
        p_sim=g.p_sim.reshape(shape),
        p=p,
        q=q,
        permutations=g.permutations,
        seed=g.seed,
        inference=g.inference,
        ids=None if ids is None else np.asarray(ids),
        periods=periods,
        extra={**g.extra, "time_step": time_step, "window": "entire cube"},
    )


@dataclass
class EmergingResult:
    """Result of :func:`emerging_hotspots`.

    Attributes
    ----------
    ids : ndarray
        Cell ids.
    periods : ndarray
        Time steps (first day of each period).
    gi : GiStarResult
        Gi* of the cube (arrays ``(cells, T)``).
    pattern : ndarray
        EHSA class per cell.
    trend_tau, trend_z, trend_p : ndarray
        Mann-Kendall of each cell's z-series.
    n_hot, n_cold : ndarray
        Significant hot / cold bins per cell.
    alpha, trend_alpha : float
    """

    ids: np.ndarray
    periods: np.ndarray
    gi: Any
    pattern: np.ndarray
    trend_tau: np.ndarray
    trend_z: np.ndarray
    trend_p: np.ndarray
    n_hot: np.ndarray
    n_cold: np.ndarray
    alpha: float
    trend_alpha: float

    def to_frame(self) -> pd.DataFrame:
        """One row per cell: ``cell_id, pattern, trend_tau, trend_z, trend_p, n_hot, n_cold,
        final_z, final_class``."""
        z = np.atleast_2d(self.gi.z)
        q = np.atleast_2d(self.gi.q)
        from zzanalytics.spatial.hotspots import classify

        return pd.DataFrame(
            {
                "cell_id": self.ids,
                "pattern": self.pattern,
                "trend_tau": self.trend_tau,
                "trend_z": self.trend_z,
                "trend_p": self.trend_p,
                "n_hot": self.n_hot,
                "n_cold": self.n_cold,
                "final_z": z[:, -1],
                "final_class": classify(z[:, -1], q[:, -1]),
            }
        )

    def bins(self) -> pd.DataFrame:
        """One row per cell and period: the cube's Gi* (see ``GiStarResult.to_frame``)."""
        return self.gi.to_frame()


def emerging_hotspots(
    counts: pd.DataFrame,
    grid: gpd.GeoDataFrame,
    *,
    alpha: float = 0.10,
    trend_alpha: float = 0.05,
    permutations: int = 199,
    seed: int = 12345,
    ring: int = 1,
    inference: str = "exact",
    W: Any = None,
    time_step: int = 1,
    coverage: Any = None,
    categories: Any = None,
) -> EmergingResult:
    """Emerging hot spot analysis of a ``[cell_id, period, count]`` cube.

    Parameters
    ----------
    counts : DataFrame
        Long counts per cell and period (e.g. ``cell_counts(incidents, grid, freq="month")``);
        missing combinations count as zero.
    grid : GeoDataFrame
        Cells (``cell_id``); any polygons work when ``W`` is given or libpysal Queen applies.
    alpha, trend_alpha : float
        Bin significance (FDR-adjusted, per time step) and Mann-Kendall level.
    permutations, seed, ring, inference
        Passed to :func:`~zzanalytics.spatial.hotspots.gi_star`.
    W : sparse matrix or libpysal W, optional
        Neighbours; default :func:`~zzanalytics.spatial.hotspots.grid_weights`.
    time_step : int
        Previous time steps in each bin's neighbourhood (ArcGIS's "Neighborhood Time
        Step", default 1, Gi* over the entire cube); 0 analyses each step as its own
        map (spatial neighbourhood only).
    coverage : Coverage or Store
        What the sources of the counted records cover (``st.coverage()`` or ``st``;
        ``zz.Coverage.complete()`` when the cube's zeros are all real). Required: a cube of
        counts cannot show it, and a period outside it would be a map of zeros, read as a
        cold past that makes every busy cell "new". Every period (from its first day to the
        next period's) must be covered, else a one-line :class:`SpatialError` names them.
    categories : str or list of str, optional
        The categories (prefixes) the cube counts; default: the incidents table as a whole.

    Returns
    -------
    EmergingResult

    Examples
    --------
    >>> from zzanalytics.spatial.grid import make_grid
    >>> g = make_grid((103.80, 36.05, 103.86, 36.10), cell=500, clip=False)
    >>> T = 12; rng = np.random.default_rng(0)
    >>> c = pd.DataFrame({"cell_id": np.repeat(g.cell_id, T), "period": np.tile(np.arange(T), len(g)),
    ...     "count": rng.poisson(1, len(g) * T)})
    >>> from zzanalytics import Coverage
    >>> r = emerging_hotspots(c, g, permutations=0, coverage=Coverage.complete())
    >>> set(r.to_frame().pattern) <= set(CLASSES)
    True
    """
    from zzanalytics.spatial.hotspots import gi_star, grid_weights

    missing = {"cell_id", "period", "count"} - set(counts.columns)
    if missing:
        raise SchemaError(
            f"emerging_hotspots: counts lack {sorted(missing)}; columns are {list(counts.columns)}"
        )
    _check_cube_coverage(counts["period"], coverage, categories)
    wide = counts.pivot_table(index="cell_id", columns="period", values="count", aggfunc="sum", fill_value=0)
    ids = grid["cell_id"].to_numpy()
    wide = wide.reindex(ids, fill_value=0)
    T = wide.shape[1]
    if T < 4:
        raise SpatialError(f"emerging_hotspots: need at least 4 periods for a trend test, got {T}")
    if W is None:
        W = grid_weights(grid, ring=ring)
    if time_step < 0:
        raise SpatialError(f"emerging_hotspots: time_step must be 0 or more steps, got {time_step}")
    opts = {"permutations": permutations, "seed": seed, "inference": inference}
    if time_step:
        gi = _gi_spacetime(wide.to_numpy(float), W, int(time_step), ids, wide.columns.to_numpy(), **opts)
    else:
        gi = gi_star(wide.to_numpy(float), W, ids=ids, periods=wide.columns.to_numpy(), **opts)
    z = np.atleast_2d(gi.z)
    codes = _codes(z, gi.q, alpha)
    tau, tz, tp = mann_kendall(z)
    pred = _predicates(codes, tz, tp, trend_alpha)
    pattern = np.full(len(ids), "no pattern", dtype=object)
    for c in CLASSES[:-1]:
        pattern[pred[c]] = c
    return EmergingResult(
        ids=ids,
        periods=wide.columns.to_numpy(),
        gi=gi,
        pattern=pattern,
        trend_tau=tau,
        trend_z=tz,
        trend_p=tp,
        n_hot=(codes == 1).sum(axis=1),
        n_cold=(codes == -1).sum(axis=1),
        alpha=alpha,
        trend_alpha=trend_alpha,
    )


def _check_cube_coverage(periods: pd.Series, coverage: Any, categories: Any) -> None:
    """Refuse a cube without its coverage, or with periods the coverage does not wholly hold."""
    from zzanalytics.store.coverage import coverage_for

    if coverage is None or isinstance(coverage, bool | pd.DataFrame):
        raise SchemaError(
            "emerging_hotspots: a cube of counts cannot show what its sources covered, and a period "
            "outside it would count as zeros; pass coverage=st (or st.coverage()), or "
            "zz.Coverage.complete() when every zero in the cube is real"
        )
    cov = coverage_for(coverage, pd.DataFrame(), call="emerging_hotspots()")
    if cov.basis == "complete":
        return
    firsts = pd.DatetimeIndex(pd.to_datetime(pd.Series(periods).drop_duplicates()).sort_values())
    if firsts.empty:
        return
    step = firsts[-1] - firsts[-2] if len(firsts) > 1 else pd.Timedelta(days=1)
    freq = pd.infer_freq(firsts) if len(firsts) > 2 else None  # months differ in length: "MS", not 31 days
    after = firsts[-1] + pd.tseries.frequencies.to_offset(freq) if freq else firsts[-1] + step
    lasts = [*(firsts[1:] - pd.Timedelta(days=1)), after - pd.Timedelta(days=1)]
    bad = [a for a, b in zip(firsts, lasts, strict=True) if not cov.covers(a, b, categories)]
    if bad:
        held = ", ".join(f"{a:%Y-%m-%d} to {b:%Y-%m-%d}" for a, b in cov.span(categories)) or "nothing"
        raise SpatialError(
            f"emerging_hotspots: {len(bad)} of {len(firsts)} periods "
            f"({bad[0]:%Y-%m-%d} to {bad[-1]:%Y-%m-%d}) lie outside the coverage ({held}): "
            "their zeros are no data; build the cube inside it"
        )
