"""Prospective risk: the expected count per cell in the next period, and how to judge it.

Evaluation
----------
Cells are ranked by predicted density (``pred / area``) and the top cells are
taken until they cover ``a = frac · A`` of the total area ``A`` (the last cell, or
a group of cells tied on the prediction, counts in proportion to the area still
needed, which is the expectation under random tie-breaking):

* **PAI** (Chainey, Tompson & Uhlig 2008) ``= (n / N) / (a / A)``, where ``n`` is
  the number of held-out incidents in the selected cells and ``N`` all held-out
  incidents. 1 is no better than chance; at 1% of the area the maximum is 100.
* **PEI\\*** (Hunt 2016, "PEI*") ``= n / n*`` where ``n*`` is the most incidents
  that any cells of the same total area held (the cells ranked by the held-out
  counts themselves). 1 is perfect.

Model
-----
Up to half a year ahead, ``model="auto"`` is ``"backtest"``: the horizon-aware choice of
:mod:`zzanalytics.spatial.risk_select` among time-decayed KDE, the count baselines and their
blends, by PAI on the store's own rolling origins (a week or a month ahead, recent heat matters
more than years of counts; measured with :func:`zzanalytics.spatial.risk_eval.evaluate_risk` in
benchmarks/bench_risk.py).

Beyond half a year, ``model="auto"`` (whenever the history holds three horizons or more) is
``"glm+counts"``: a Poisson regression (``statsmodels`` GLM, log link) of each cell's
count in the last horizon on what was known one horizon earlier —

* the cell's own counts in the two horizons before (each ``log1p``),
* the counts of every *other* category there (``context``: busy places),
* the own and other counts of the ring of neighbouring cells (within 1.5 cells) and
  the own counts of the next ring (1.5–2.5 cells),
* the cell's risk terrain (:func:`zzanalytics.spatial.terrain.risk_terrain`: distance
  to and density of each kind of land-use zone, street class and cameras, as
  Caplan & Kennedy's RTM; ``log1p`` of each),

applied to the same features one horizon later; its normalised surface is added
to the normalised counts of the whole history (the better count baseline). The
regression shrinks noisy cells towards what their surroundings and other crimes
say and breaks the ties of sparse categories; the counts keep what the regression
misses. Chosen on held-out years by PAI (benchmarks/bench_spatial.py): on Toronto's
Major Crime Indicators (real, 5 categories, 3 training years each) it is +4% on the
better count baseline's PAI at 1% of the area in the tuning years 2017–18 and +1.6% in
the held-out 2019–21; on the sample district, with its land use, +7%; on Chicago's
shootings (held out, quarterly) it ties the counts (−1%).

``model="etas"`` is the self-exciting point process of
:mod:`zzanalytics.spatial.etas` (Mohler et al.'s ETAS by EM: a cell-wise background
plus an exponential-in-time, Gaussian-in-space triggering kernel, σ at least half a
cell), its surface the background over the horizon plus the expected offspring of the
history and their cascade; ``"etas+counts"`` adds it (normalised) to the normalised
counts. On Toronto the EM finds little triggering at the cell scale (θ 0.005–0.05) and
the surface is the declustered counts: it ties them (0.997, held out 0.994), as the
blends with counts or with the regression do (1.001; 1.016) — so neither is the default.

``model="select"`` is the earlier rolling-origin choice among smoothed counts:
:func:`risk_surface` scores a family of candidates on held-out data and keeps
the best:

* ``window(L)`` — plain counts of the last ``L`` days (``L`` = the horizon: "last
  period's counts"; ``L = ∞``: all history). These are the baselines.
* ``decay(H)`` — counts weighted by ``2^(−age / H)`` (exponential time decay,
  half-life ``H`` of 0.5, 1, 2 or 4 horizons).
* ``step(β)`` — the last horizon's counts plus ``β`` times the older counts
  (``β`` of 0.1, 0.25, 0.5, 0.75 or 1; 0 would be the last period only, 1 is all
  history).
* ``… + w · kde(b)`` — any of these blended with its Gaussian smoothing at
  bandwidth ``b`` (half a cell or one cell; mass-preserving cell-to-cell kernel),
  ``(1 − w) c + w K_b c`` with ``w`` 0.1 or 0.25 — a *small* share: a bare
  smoothing of the counts loses to the counts at 1% of the area.

Every candidate also carries a ``1e-6`` share of the smoothed surface, which only
breaks ties between cells with equal counts in favour of those with busier
surroundings.

Selection: rolling origins inside the training data — fold ``j`` (``j = 0..4``)
ends its training ``(1 + j/4)`` horizons before the end and predicts the next
horizon (quarterly-spaced origins, as many as the history allows). The score is the
mean PAI at ``frac/2``, ``frac`` and ``2·frac`` (weights 1:2:1); a baseline is kept
only if it scores strictly higher than every model.

Measured on the sample district (8 categories × 5 years; trained on three years,
PAI at 1% of the area on the following year, 250 m cells): mean PAI 29.6 against
28.7 for all-years counts and 25.6 for last-year counts; higher than both in 70%
of the 40 cases (the rest are near-ties at the top cells). The chosen candidate is then
refitted on all records, and scaled so that the surface sums to the expected
number of incidents in the next horizon (the count of the last horizon).

Examples
--------
>>> round(pai([5, 1, 0, 0], [3, 1, 0, 0], frac=0.25), 9)
3.0
>>> pei([5, 1, 0, 0], [1, 3, 0, 0], frac=0.25)
0.3333333333333333
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp

from zzanalytics.clock import wall_time
from zzanalytics.errors import ModelError, SchemaError
from zzanalytics.spatial._coverage import check_covered
from zzanalytics.store.coverage import Coverage, coverage_for

__all__ = ["hit_share", "pai", "pei", "risk_surface", "smoothing_matrix"]


# --------------------------------------------------------------------------- evaluation
def _take(order_key: np.ndarray, value: np.ndarray, area: np.ndarray, target: float) -> float:
    """Sum of ``value`` over the cells with the largest ``order_key`` covering ``target`` area.

    Groups of equal keys enter together; the group that crosses the target
    contributes in proportion to the area still needed.
    """
    key = np.asarray(order_key, dtype=float)
    order = np.argsort(-key, kind="stable")
    k, v, a = key[order], value[order], area[order]
    # group boundaries of equal keys
    new = np.ones(len(k), dtype=bool)
    new[1:] = k[1:] != k[:-1]
    gid = np.cumsum(new) - 1
    gv = np.bincount(gid, weights=v)
    ga = np.bincount(gid, weights=a)
    cum = np.cumsum(ga)
    full = cum <= target * (1 + 1e-12)
    got = gv[full].sum()
    nfull = int(full.sum())
    if nfull < len(ga):
        need = target - (cum[nfull - 1] if nfull else 0.0)
        if need > 0 and ga[nfull] > 0:
            got += gv[nfull] * need / ga[nfull]
    return float(got)


def _prep(pred: Any, actual: Any, area: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    p = np.asarray(pred, dtype=float)
    y = np.asarray(actual, dtype=float)
    a = np.ones_like(p) if area is None else np.asarray(area, dtype=float)
    if not (p.shape == y.shape == a.shape):
        raise SchemaError(
            f"pred, actual and area must have one value per cell: {p.shape}, {y.shape}, {a.shape}"
        )
    if (a <= 0).any() or not np.isfinite(p).all():
        raise SchemaError("areas must be positive and predictions finite")
    return p, y, a


def hit_share(pred: Any, actual: Any, area: Any = None, frac: float = 0.01) -> float:
    """``n / N``: share of held-out incidents in the top ``frac`` of the area by predicted density.

    Examples
    --------
    >>> hit_share([3, 2, 1, 0], [1, 1, 1, 1], frac=0.5)
    0.5
    """
    p, y, a = _prep(pred, actual, area)
    N = y.sum()
    if N <= 0:
        return float("nan")
    return float(_take(p / a, y, a, frac * a.sum()) / N)


def pai(pred: Any, actual: Any, area: Any = None, frac: float = 0.01) -> float:
    """Predictive Accuracy Index ``PAI = (n / N) / (a / A)`` at ``a = frac · A``.

    Parameters
    ----------
    pred : array
        Predicted counts per cell (ranked by ``pred / area``).
    actual : array
        Held-out counts per cell.
    area : array, optional
        Cell areas (default equal).
    frac : float
        Share of the total area flagged (0.01 = 1%).

    Examples
    --------
    Ten equal cells, 20 incidents, of which 6 fell in the cell ranked first:

    >>> round(pai([9, 8, 7, 6, 5, 4, 3, 2, 1, 0], [6, 2, 2, 2, 2, 2, 1, 1, 1, 1], frac=0.1), 9)
    3.0
    """
    return float(hit_share(pred, actual, area, frac) / frac)


def pei(pred: Any, actual: Any, area: Any = None, frac: float = 0.01) -> float:
    """PEI* ``= n / n*``: hits of the prediction over the most hits any cells of that area held.

    ``n*`` ranks the cells by the held-out density itself (for unequal areas this
    is the fractional optimum, an upper bound).

    Examples
    --------
    >>> pei([9, 8, 7, 6, 5, 4, 3, 2, 1, 0], [1, 6, 2, 2, 2, 2, 1, 1, 1, 1], frac=0.1)
    0.16666666666666666
    """
    p, y, a = _prep(pred, actual, area)
    target = frac * a.sum()
    best = _take(y / a, y, a, target)
    if best <= 0:
        return float("nan")
    return float(_take(p / a, y, a, target) / best)


# --------------------------------------------------------------------------- smoothing
def smoothing_matrix(xy: np.ndarray, bandwidth: float, cutoff: float = 3.0) -> sp.csr_matrix:
    """Mass-preserving Gaussian smoothing between cell centroids.

    ``K[i, j] ∝ exp(−d_ij² / 2b²)`` for ``d_ij <= cutoff · b``, columns normalised to
    1 so that ``K @ counts`` keeps the total. Bandwidths under a third of the
    centroid spacing leave counts (almost) unchanged.

    Examples
    --------
    >>> K = smoothing_matrix(np.array([[0.0, 0], [250, 0], [500, 0]]), 250)
    >>> np.allclose(np.asarray(K.sum(axis=0)).ravel(), 1)
    True
    """
    from scipy.spatial import cKDTree

    n = len(xy)
    tree = cKDTree(xy)
    D = tree.sparse_distance_matrix(tree, max_distance=cutoff * bandwidth, output_type="coo_matrix")
    i, j, d = D.row, D.col, D.data
    w = np.exp(-0.5 * (d / bandwidth) ** 2)
    diag = np.arange(n)
    K = sp.csr_matrix(
        (np.concatenate([w, np.ones(n)]), (np.concatenate([i, diag]), np.concatenate([j, diag]))),
        shape=(n, n),
    )
    colsum = np.asarray(K.sum(axis=0)).ravel()
    return sp.csr_matrix(K @ sp.diags(1.0 / colsum))


# --------------------------------------------------------------------------- candidates
@dataclass(frozen=True)
class _Candidate:
    kind: str  # "window" or "decay"
    span: float  # window length or half-life, in horizons (inf: all history)
    w: float = 0.0  # weight of the smoothed surface
    b: float = 0.0  # bandwidth in cells

    @property
    def name(self) -> str:
        s = "all" if not np.isfinite(self.span) else f"{self.span:g}" + ("" if self.kind == "step" else "h")
        base = f"{self.kind}({s})"
        return base if self.w == 0 else f"{base}+{self.w:g}*kde({self.b:g} cell)"

    @property
    def baseline(self) -> bool:
        return self.kind == "window"

    @property
    def memory(self) -> float:
        """Weight of records 1.5 horizons old relative to records 0.5 horizon old."""
        if self.kind == "decay":
            return float(2.0 ** (-1.0 / self.span))
        if self.kind == "step":
            return float(self.span)
        return 1.0 if not np.isfinite(self.span) else 0.0


def _candidates() -> list[_Candidate]:
    """The default family: 2 baselines, 20 decayed and 25 step-weighted surfaces."""
    smooth = ((0.0, 0.0), (0.1, 0.5), (0.25, 0.5), (0.1, 1.0), (0.25, 1.0))
    c = [_Candidate("window", 1.0), _Candidate("window", np.inf)]
    c += [_Candidate("decay", H, w, b) for H in (0.5, 1.0, 2.0, 4.0) for w, b in smooth]
    c += [_Candidate("step", beta, w, b) for beta in (0.25, 0.5, 0.75, 1.0) for w, b in smooth]
    c += [_Candidate("step", 0.1, w, b) for w, b in smooth]
    return c


def _base_counts(cand: _Candidate, cell: np.ndarray, age: np.ndarray, h: float, n: int) -> np.ndarray:
    """Per-cell score from events (cell index, age in days >= 0)."""
    if cand.kind == "window":
        keep = age < cand.span * h if np.isfinite(cand.span) else np.ones(len(age), dtype=bool)
        return np.bincount(cell[keep], minlength=n).astype(float)
    if cand.kind == "step":
        wts = np.where(age < h, 1.0, cand.span)
        return np.bincount(cell, weights=wts, minlength=n)
    wts = np.exp2(-age / (cand.span * h))
    return np.bincount(cell, weights=wts, minlength=n)


def _score(
    cand: _Candidate, base: np.ndarray, kernels: dict[float, sp.csr_matrix], tie: sp.csr_matrix
) -> np.ndarray:
    s = base
    if cand.w > 0:
        s = (1 - cand.w) * base + cand.w * (kernels[cand.b] @ base)
    return s + 1e-6 * (tie @ base)


def _score_pai(s: np.ndarray, y: np.ndarray, area: np.ndarray, frac: float) -> float:
    return (pai(s, y, area, frac / 2) + 2 * pai(s, y, area, frac) + pai(s, y, area, 2 * frac)) / 4


def _score_ll(s: np.ndarray, y: np.ndarray, area: np.ndarray, frac: float) -> float:
    mu = s / s.sum() * y.sum()
    mu = np.maximum(mu, 1e-3 * y.sum() / len(y))
    return float((y * np.log(mu) - mu).sum())


_SCORERS = {"pai": _score_pai, "loglik": _score_ll}
_ETAS: dict = {}  # options of etas_surface (fit_etas) for model="etas"
_ONE_SE = True


def _local_days(ts: pd.Series) -> np.ndarray:

    t = wall_time(ts)
    return (t - pd.Timestamp("1970-01-01")).dt.total_seconds().to_numpy() / 86400.0


def risk_surface(
    incidents: pd.DataFrame,
    grid: gpd.GeoDataFrame,
    *,
    end: Any = None,
    horizon: Any = None,
    frac: float = 0.01,
    folds: int = 5,
    fold_step: float = 0.25,
    candidates: list | None = None,
    ensemble: int = 1,
    score: str = "pai",
    model: str = "auto",
    context: pd.DataFrame | None = None,
    terrain: pd.DataFrame | None = None,
    coverage: Any = None,
) -> pd.DataFrame:
    """Expected incidents per cell in the ``horizon`` right after ``end``.

    Parameters
    ----------
    incidents : DataFrame
        Canonical incidents with ``occurred_at``, ``lon``, ``lat`` (the training
        records; rows after ``end`` are ignored).
    grid : GeoDataFrame
        Cells (:func:`~zzanalytics.spatial.grid.make_grid`).
    end : date-like, optional
        Last training day (inclusive); default the last record's day.
    horizon : Timedelta, str or number of days, optional
        Length of the predicted period; default one year when the history spans
        at least two years, else a third of the history.
    frac : float
        Area share at which candidates are compared by PAI (default 1%).
    folds : int
        Rolling validation origins (each target one horizon long).
    fold_step : float
        Spacing of the origins, in horizons.
    candidates : list, optional
        Override the candidate family (internal ``_Candidate`` objects).
    ensemble : int
        Average the (normalised) surfaces of this many best-validated models.
    score : {"pai", "loglik"}
        Validation score: mean PAI at ``frac/2, frac, 2·frac`` (weights 1:2:1), or the
        Poisson log-likelihood of the held-out counts.
    model : {"auto", "backtest", "glm+counts", "glm", "select", "counts", "last", "etas", "etas+counts"}
        ``"auto"``: ``"backtest"`` up to half a year, beyond it ``"glm+counts"`` when the history
        spans three horizons, else ``"select"`` (see the module docstring); ``"backtest"`` the
        horizon-aware choice of :func:`zzanalytics.spatial.risk_select.backtest_surface`
        (time-decayed KDE, count baselines and their blends, by PAI on the store's own rolling
        origins; ``attrs`` name the winner, its ``backtest_pai``, the ``baseline`` and its
        ``baseline_pai``, and their ``ratio``); ``"counts"`` and ``"last"`` are the two
        count baselines (all history, the last horizon); ``"etas"`` the self-exciting
        point process (:func:`zzanalytics.spatial.etas.fit_etas`), ``"etas+counts"`` its
        blend with the counts.
    context : DataFrame, optional
        Incidents of every category (e.g. ``store.incidents()``); those of the
        categories in ``incidents`` are left out, the rest tell busy places.
    terrain : DataFrame, optional
        :func:`zzanalytics.spatial.terrain.risk_terrain` of ``grid``.
    coverage : Coverage, Store or None
        What the sources cover (``st.coverage()`` or ``st``): the model trains on the covered
        stretch that holds the last training day (days before a source started, or across a
        gap, are not quiet days), and its history is that stretch's length; a last training
        day outside the coverage is a one-line :class:`SpatialError`. ``None``: inferred from
        the records with a :class:`zzanalytics.CoverageWarning`; ``Coverage.complete()``: the
        records' own span, as before.

    Returns
    -------
    DataFrame
        ``cell_id``, ``risk`` (expected count; sums to the expected total).
        ``attrs``: ``model`` (chosen candidate), ``validation`` (a frame of every
        candidate's fold scores), ``horizon_days``, ``end``; the regression's
        ``coefficients`` or the ETAS fit's ``theta``, ``omega``, ``sigma``,
        ``background_share`` and ``iterations``.

    Examples
    --------
    >>> from zzanalytics.spatial.grid import make_grid
    >>> g = make_grid((103.80, 36.05, 103.83, 36.08), cell=500)
    >>> rng = np.random.default_rng(1)
    >>> inc = pd.DataFrame({"lon": 103.815 + rng.normal(0, 0.003, 400),
    ...     "lat": 36.065 + rng.normal(0, 0.003, 400),
    ...     "occurred_at": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.uniform(0, 1095, 400), unit="D")})
    >>> from zzanalytics import Coverage
    >>> r = risk_surface(inc, g, coverage=Coverage.complete())
    >>> list(r.columns), r.attrs["horizon_days"]
    (['cell_id', 'risk'], 365.0)
    """
    from zzanalytics.spatial.grid import assign_cells, cell_centroids, projected

    if model not in _MODELS:
        raise ModelError(f'risk_surface: model was "{model}" but is expected to be one of {list(_MODELS)}')
    scorer = _SCORERS.get(score)
    if scorer is None:
        raise ModelError(f'risk_surface: score was "{score}" but is expected to be one of {sorted(_SCORERS)}')
    need = {"occurred_at"} - set(incidents.columns)
    if not ({"lon", "lat"} <= set(incidents.columns) or isinstance(incidents, gpd.GeoDataFrame)):
        need |= {"lon", "lat"}
    if need:
        raise SchemaError(
            f"risk_surface: incidents lack {sorted(need)}; columns are {list(incidents.columns)}"
        )
    ids = grid["cell_id"].to_numpy()
    n = len(ids)
    days = _local_days(incidents["occurred_at"]) if len(incidents) else np.array([])
    end_day = (
        (pd.Timestamp(end).normalize() - pd.Timestamp("1970-01-01")).total_seconds() / 86400.0 + 1.0
        if end is not None
        else (np.floor(days.max()) + 1.0 if len(days) else 0.0)
    )
    cov = coverage_for(coverage, incidents, table="incidents", call="risk_surface()")
    first_day = _covered_start(incidents, end_day, cov)
    keep = (days < end_day) & (days >= first_day)
    inc = incidents[keep]
    days = days[keep]
    cells = assign_cells(inc, grid) if len(inc) else pd.Series([], dtype=object)
    pos = pd.Series(np.arange(n), index=ids)
    ok = cells.notna().to_numpy()
    cell = pos.reindex(cells[ok].to_numpy()).to_numpy().astype(int)
    age = end_day - days[ok]
    span = float(age.max()) if len(age) else 0.0
    if np.isfinite(first_day):  # the covered history, not the oldest record's age
        span = max(span, end_day - first_day)
    if horizon is None:
        h = 365.0 if span >= 730 else max(1.0, np.ceil(span / 3.0))
    elif isinstance(horizon, int | float | np.integer | np.floating):
        h = float(horizon)
    else:
        h = pd.Timedelta(horizon).total_seconds() / 86400.0
    if h <= 0:
        raise ModelError(f"risk_surface: horizon must be positive, got {horizon!r}")
    area = projected(grid).area.to_numpy()
    xy = cell_centroids(grid)
    cellsize = float(grid.attrs.get("cell") or np.sqrt(np.median(area)))
    recent = age < h
    total = float(recent.sum()) if span >= h else (len(age) * h / max(span, 1.0))
    end_ts = pd.Timestamp("1970-01-01") + pd.Timedelta(days=end_day - 1)
    direct = _direct_model(
        model, span, h, n, cell, age, grid, ids, xy, cellsize, context, terrain, end_day, inc[ok]
    )
    if direct is not None:
        s, name, info = direct
        risk = s / s.sum() * total if s.sum() > 0 else np.zeros(n)
        out = pd.DataFrame({"cell_id": ids, "risk": risk})
        out.attrs.update(
            {
                "model": name,
                "validation": pd.DataFrame(columns=["fold", "model", "baseline", "pai", "score", "weight"]),
                "horizon_days": float(h),
                "end": end_ts,
                **info,
            }
        )
        return out
    cands = candidates or _candidates()
    kernels = {b: smoothing_matrix(xy, b * cellsize) for b in sorted({c.b for c in cands if c.w > 0})}
    tie = kernels.get(1.0) if 1.0 in kernels else smoothing_matrix(xy, cellsize)
    rows = []
    for j in range(folds):
        off = h * (1.0 + j * fold_step)  # the fold's origin is ``off`` days before ``end``
        train = age >= off
        val = (age >= off - h) & (age < off)
        if train.sum() == 0 or val.sum() == 0 or (age[train] - off).max() < h * 0.999:
            continue
        y = np.bincount(cell[val], minlength=n).astype(float)
        a_tr = age[train] - off
        for c in cands:
            s = _score(c, _base_counts(c, cell[train], a_tr, h, n), kernels, tie)
            sc = scorer(s, y, area, frac)
            rows.append(
                {
                    "fold": j,
                    "model": c.name,
                    "baseline": c.baseline,
                    "pai": pai(s, y, area, frac),
                    "score": sc,
                    "weight": 1.0,
                }
            )
    validation = pd.DataFrame(rows, columns=["fold", "model", "baseline", "pai", "score", "weight"])
    default = _Candidate("decay", 1.0, 0.1, 1.0)
    chosen = [default if default in cands else next(c for c in cands if not c.baseline)]
    if len(validation):
        v = validation.assign(ws=validation.score * validation.weight)
        agg = v.groupby("model").agg(ws=("ws", "sum"), w=("weight", "sum"), baseline=("baseline", "first"))
        agg["mean"] = agg.ws / agg.w
        models = agg[~agg.baseline]["mean"].sort_values(ascending=False, kind="stable")
        if _ONE_SE and len(models) > 1:
            wide = validation.pivot_table(index="fold", columns="model", values="score")
            diff = wide[[models.index[0]]].to_numpy() - wide[models.index].to_numpy()
            se = diff.std(axis=0, ddof=1) / np.sqrt(max(1, len(wide) - 1)) if len(wide) > 1 else 0 * diff[0]
            ok = diff.mean(axis=0) <= se + 1e-12
            mem = {c.name: c.memory for c in cands}
            near = [m for m, good in zip(models.index, ok, strict=True) if good]
            near.sort(key=lambda m: (-mem[m], -models[m]))
            models = models.reindex(near + [m for m in models.index if m not in near])
        picks = list(models.index[: max(1, ensemble)])
        best_base = agg[agg.baseline]["mean"].max() if agg.baseline.any() else -np.inf
        if best_base > models.max():
            picks = [agg[agg.baseline]["mean"].idxmax()]
        chosen = [next(c for c in cands if c.name == p) for p in picks]
    s = np.zeros(n)
    for c in chosen:
        sc = _score(c, _base_counts(c, cell, age, h, n), kernels, tie)
        s += sc / sc.sum() if sc.sum() > 0 else sc
    risk = s / s.sum() * total if s.sum() > 0 else np.zeros(n)
    out = pd.DataFrame({"cell_id": ids, "risk": risk})
    out.attrs.update(
        {
            "model": " | ".join(c.name for c in chosen),
            "validation": validation,
            "horizon_days": float(h),
            "end": end_ts,
        }
    )
    return out


def _covered_start(incidents: pd.DataFrame, end_day: float, cov: Coverage) -> float:
    """First day (days since 1970) of the covered stretch that holds the last training day;
    -inf for complete coverage."""
    if cov.basis == "complete":
        return -np.inf
    last = pd.Timestamp("1970-01-01") + pd.Timedelta(days=int(np.ceil(end_day)) - 1)
    check_covered(cov, incidents, last, last, "risk_surface")
    cats = sorted({str(c) for c in incidents["category"].dropna()}) if "category" in incidents else None
    starts = [a for a, _ in cov.span(cats or None) if a <= last]
    first = max(starts) if starts else last
    return (first - pd.Timestamp("1970-01-01")).total_seconds() / 86400.0


_MODELS = ("auto", "backtest", "glm+counts", "glm", "select", "counts", "last", "etas", "etas+counts")
_SHORT = 183.0  # "auto" chooses by backtest up to this horizon (days), above it "glm+counts"


def _direct_model(
    model: str,
    span: float,
    h: float,
    n: int,
    cell: np.ndarray,
    age: np.ndarray,
    grid: gpd.GeoDataFrame,
    ids: np.ndarray,
    xy: np.ndarray,
    cellsize: float,
    context: pd.DataFrame | None,
    terrain: pd.DataFrame | None,
    end_day: float,
    incidents: pd.DataFrame,
) -> tuple[np.ndarray, str, dict] | None:
    """The surface of a fixed model (None: run the rolling-origin selection instead)."""
    from zzanalytics.spatial.regression import glm_surface, rings, terrain_matrix
    from zzanalytics.spatial.risk_select import backtest_surface, glm_candidate

    if model == "backtest" or (model == "auto" and h <= _SHORT):
        from zzanalytics.spatial.grid import projected

        extra = None  # the regression competes when it has more to go on than the counts
        if context is not None or terrain is not None:
            ctx = _context_cells(context, incidents, grid, ids, end_day)
            extra = glm_candidate(h, n, ctx, rings(xy, cellsize), terrain_matrix(terrain, ids))
        area = projected(grid).area.to_numpy()
        s, info = backtest_surface(cell, age, n, h, xy, cellsize, smoothing_matrix, area=area, extra=extra)
        return s, str(info.pop("model")), info
    if model == "select" or (model == "auto" and span < 2.9 * h):
        return None
    counts = np.bincount(cell, minlength=n).astype(float)
    tie = 1e-6 * (smoothing_matrix(xy, cellsize) @ counts)
    if model == "counts":
        return counts + tie, "counts(all)", {}
    if model == "last":
        return np.bincount(cell[age < h], minlength=n).astype(float) + tie, "counts(last)", {}
    if model.startswith("etas"):
        from pyproj import Transformer

        from zzanalytics.spatial.etas import etas_surface
        from zzanalytics.spatial.grid import projected

        pg = projected(grid)
        if {"lon", "lat"} <= set(incidents.columns):
            tr = Transformer.from_crs(4326, pg.crs, always_xy=True)
            ex, ey = tr.transform(incidents["lon"].to_numpy(float), incidents["lat"].to_numpy(float))
        else:
            g = incidents.geometry.to_crs(pg.crs)
            ex, ey = g.x.to_numpy(), g.y.to_numpy()
        pxy = np.column_stack([ex, ey])
        pred, info = etas_surface(age, pxy, cell, xy, pg.area.to_numpy(), h, smoothing_matrix, **_ETAS)
        if model == "etas":
            return pred + tie, "etas", info
        s = pred / max(pred.sum(), 1e-300) + (counts / counts.sum() if counts.sum() > 0 else 0.0)
        return s + tie, "etas+counts", info
    ccell, cage = _context_cells(context, incidents, grid, ids, end_day)
    rings = rings(xy, cellsize)
    T = terrain_matrix(terrain, ids)
    fitted = glm_surface(h, n, (cell, age), (ccell, cage), rings, T)
    if fitted is None:
        if model == "auto":
            return None
        return counts + tie, "counts(all) (the regression could not be fitted)", {}
    pred, info = fitted
    if model == "glm":
        return pred + tie, "glm", info
    s = pred / pred.sum() + (counts / counts.sum() if counts.sum() > 0 else 0.0)
    return s + tie, "glm+counts", info


def _context_cells(
    context: pd.DataFrame | None, incidents: pd.DataFrame, grid: Any, ids: np.ndarray, end_day: float
) -> tuple[np.ndarray, np.ndarray]:
    """Cell index and age (days before ``end_day``) of the context's records of other categories."""
    from zzanalytics.spatial.grid import assign_cells

    if context is None or not len(context):
        return np.zeros(0, dtype=int), np.zeros(0)
    ctx = context
    if "category" in ctx.columns and "category" in incidents.columns:
        ctx = ctx[~ctx["category"].isin(set(incidents["category"]))]
    cd = _local_days(ctx["occurred_at"]) if len(ctx) else np.array([])
    keep = cd < end_day
    ctx = ctx[keep]
    cc = assign_cells(ctx, grid) if len(ctx) else pd.Series([], dtype=object)
    ok = cc.notna().to_numpy()
    pos = pd.Series(np.arange(len(ids)), index=ids)
    return pos.reindex(cc[ok].to_numpy()).to_numpy().astype(int), end_day - cd[keep][ok]
