"""The Poisson regression behind :func:`zzanalytics.spatial.risk.risk_surface`'s ``glm+counts``.

Features of a cell known ``origin`` days before the end of the history: its own counts in the two
horizons before, the other categories' counts, both summed over the ring of neighbouring cells,
the next ring's own counts, and the cell's risk terrain; a ``statsmodels`` Poisson GLM fitted on
the last horizon with the features one horizon earlier, applied at the end.

Examples
--------
>>> import numpy as np
>>> R1, R2 = rings(np.array([[0.0, 0], [250, 0], [500, 0]]), 250.0)
>>> R1.toarray().astype(int).tolist(), R2.toarray().astype(int).tolist()[0]
([[0, 1, 0], [1, 0, 1], [0, 1, 0]], [0, 0, 1])
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = ["design", "glm_surface", "rings", "terrain_matrix"]


def rings(xy: np.ndarray, cellsize: float) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Binary neighbour matrices: ring 1 (centroids within 1.5 cells) and ring 2 (1.5–2.5 cells)."""
    from scipy.spatial import cKDTree

    n = len(xy)
    tree = cKDTree(xy)
    D = tree.sparse_distance_matrix(tree, 2.5 * cellsize, output_type="coo_matrix")
    off = D.row != D.col
    r, c, d = D.row[off], D.col[off], D.data[off]
    one = d <= 1.5 * cellsize
    R1 = sp.csr_matrix((np.ones(int(one.sum())), (r[one], c[one])), shape=(n, n))
    R2 = sp.csr_matrix((np.ones(int((~one).sum())), (r[~one], c[~one])), shape=(n, n))
    return R1, R2


def terrain_matrix(terrain: pd.DataFrame | None, ids: np.ndarray) -> np.ndarray:
    """``log1p`` of the terrain covariates in grid order, standardised; constant columns dropped."""
    if terrain is None or len(terrain.columns) <= 1:
        return np.zeros((len(ids), 0))
    t = terrain.set_index("cell_id").reindex(ids)
    X = np.log1p(np.clip(t.to_numpy(dtype=float), 0, None))
    X = np.where(np.isfinite(X), X, np.nanmean(np.where(np.isfinite(X), X, np.nan), axis=0))
    sd = X.std(axis=0)
    keep = sd > 1e-9
    return (X[:, keep] - X[:, keep].mean(axis=0)) / sd[keep]


def design(
    origin: float,
    h: float,
    n: int,
    own: tuple[np.ndarray, np.ndarray],
    ctx: tuple[np.ndarray, np.ndarray],
    rings: tuple[sp.csr_matrix, sp.csr_matrix],
    terrain: np.ndarray,
) -> np.ndarray:
    """Features known at ``origin`` days before the end: own counts of the two horizons before it,
    other categories' counts, the rings' counts, and the terrain."""
    cell, age = own
    ccell, cage = ctx
    w1 = (age >= origin) & (age < origin + h)
    w2 = (age >= origin + h) & (age < origin + 2 * h)
    own1 = np.bincount(cell[w1], minlength=n).astype(float)
    own2 = np.bincount(cell[w2], minlength=n).astype(float)
    cw = (cage >= origin) & (cage < origin + 2 * h)
    other = np.bincount(ccell[cw], minlength=n).astype(float)
    R1, R2 = rings
    both = own1 + own2
    cols = [
        np.ones(n),
        np.log1p(own1),
        np.log1p(own2),
        np.log1p(other),
        np.log1p(R1 @ both),
        np.log1p(R1 @ other),
        np.log1p(R2 @ both),
    ]
    return np.column_stack([*cols, terrain])


def glm_surface(
    h: float,
    n: int,
    own: tuple[np.ndarray, np.ndarray],
    ctx: tuple[np.ndarray, np.ndarray],
    rings: tuple[sp.csr_matrix, sp.csr_matrix],
    terrain: np.ndarray,
    start: np.ndarray | None = None,
) -> tuple[np.ndarray, dict] | None:
    """Poisson GLM fitted on the last horizon (features one horizon earlier), applied at the end;
    ``start``: coefficients to start the iterations from (a fit on nearby data), when they fit."""
    import warnings

    import statsmodels.api as sm

    cell, age = own
    y = np.bincount(cell[age < h], minlength=n).astype(float)
    if y.sum() < 1:
        return None
    Xf = design(h, h, n, own, ctx, rings, terrain)
    Xp = design(0.0, h, n, own, ctx, rings, terrain)
    keep = np.r_[True, Xf[:, 1:].std(axis=0) > 1e-12]
    Xf, Xp = Xf[:, keep], Xp[:, keep]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sp0 = start if start is not None and len(start) == Xf.shape[1] else None
            fit = sm.GLM(y, Xf, family=sm.families.Poisson()).fit(maxiter=100, start_params=sp0)
    except Exception:  # perfect separation, singular design: fall back to counts
        return None
    b = np.asarray(fit.params, dtype=float)
    if not np.all(np.isfinite(b)):
        return None
    eta = Xp @ b
    eta = np.minimum(eta, float((Xf @ b).max()) + 1.0)  # no extrapolation beyond the fitted range
    pred = np.exp(eta)
    if not np.all(np.isfinite(pred)) or pred.sum() <= 0:
        return None
    return pred, {"coefficients": b.tolist(), "deviance": float(fit.deviance)}
