"""Self-exciting point process (ETAS) of incidents, estimated by EM, and its prospective surface.

The model (Mohler et al. 2011, "Self-exciting point process modeling of crime", JASA; in the
parametric form of Mohler et al. 2015 and of open_cp's ``seppexp``) gives the rate of incidents at
place ``x`` and day ``t`` as

    λ(t, x) = μ(x) + Σ_{t_j < t} θ · ω e^{−ω (t − t_j)} · φ_σ(x − x_j)

* ``μ(x)``, the **background**: constant within each background region (the grid's cells, or one
  region for a stationary constant), optionally smoothed between cells by a Gaussian kernel of
  ``bandwidth`` metres (Mohler's stationary kernel estimate of the background, at cell resolution);
* the **triggering kernel**: every incident raises the rate nearby for a while; ``θ`` is the
  expected number of incidents it triggers (the branching ratio, < 1), ``1/ω`` their mean delay in
  days and ``φ_σ`` an isotropic Gaussian of ``σ`` metres for where they fall. The kernel is cut at
  ``time_cutoff`` days and ``space_cutoff`` metres (its compensator is cut the same way, so the
  likelihood is exact for the cut kernel).

Estimation is EM over the branching structure (Veen & Schoenberg 2008; Mohler's stochastic
declustering with expectations instead of draws): the E-step gives every incident the probability
that it was a background event and that it was triggered by each earlier incident within the
cutoffs; the M-step updates the background regions' rates in closed form and ``(θ, ω, σ)`` by
maximising the expected complete-data log-likelihood (θ in closed form, ``ω`` and ``σ`` by a
two-dimensional search). Pairs within the cutoffs come from a KD-tree over (x, y, t) scaled to
the cutoffs (Chebyshev distance ≤ 1, then the disc). When there are more than ``max_events``
incidents, each EM step uses ``max_events`` of them, drawn at random once, as "children" (every
incident can be a parent); the final E-step over all incidents gives the background.

The prospective surface for ``(T, T + H]`` is the background integrated over the horizon plus the
expected offspring of the history (``θ (e^{−ω a_j} − e^{−ω (a_j + H)})`` for an incident ``a_j``
days before the end, spread by ``φ_σ``), and the offspring cascade of both (generation ``k``
weighted ``(θ f)^k``, ``f`` the share of a child falling inside the horizon).

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> t = np.sort(rng.uniform(0, 1000, 600))
>>> xy = rng.uniform(0, 5000, (600, 2))
>>> fit = fit_etas(t, xy, end=1000.0, region_area=np.array([25e6]))
>>> fit.theta < 0.1   # a Poisson process has (almost) nothing to trigger
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

__all__ = ["ETASFit", "etas_forecast", "fit_etas"]


@dataclass
class ETASFit:
    """A fitted ETAS model (see the module docstring).

    Attributes
    ----------
    mu : ndarray
        Background rate per region, in incidents per day per square metre.
    theta, omega, sigma : float
        Branching ratio, triggering decay (1/day) and spatial spread (metres).
    loglik : float
        Log-likelihood at the estimate (over the children used in the EM steps).
    iterations : int
        EM steps taken.
    converged : bool
        Whether the relative change of the log-likelihood fell below ``tol``.
    p_background : ndarray
        Per incident, the probability that it was a background event.
    n_events, n_used : int
        Incidents given, and children used per EM step (``≤ max_events``).
    """

    mu: np.ndarray
    theta: float
    omega: float
    sigma: float
    loglik: float
    iterations: int
    converged: bool
    p_background: np.ndarray
    n_events: int
    n_used: int
    time_cutoff: float
    space_cutoff: float
    end: float
    history: list = field(default_factory=list)

    def as_dict(self) -> dict:
        """Scalars for a result's ``attrs``."""
        return {
            "theta": self.theta,
            "omega": self.omega,
            "sigma": self.sigma,
            "loglik": self.loglik,
            "iterations": self.iterations,
            "converged": self.converged,
            "background_share": float(self.p_background.mean()) if len(self.p_background) else float("nan"),
            "n_used": self.n_used,
        }


def _pairs(
    t: np.ndarray, xy: np.ndarray, children: np.ndarray, tc: float, dc: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(child, parent, Δt, r²) for every parent earlier than its child within the cutoffs."""
    from scipy.spatial import cKDTree

    pts = np.column_stack([xy / dc, t / tc])
    tree = cKDTree(pts)
    sub = cKDTree(pts[children])
    D = sub.sparse_distance_matrix(tree, 1.0, p=np.inf, output_type="coo_matrix")
    ci, pj = children[D.row], D.col
    dt = t[ci] - t[pj]
    r2 = ((xy[ci] - xy[pj]) ** 2).sum(axis=1)
    ok = (dt > 0) & (dt <= tc) & (r2 <= dc * dc)
    return ci[ok], pj[ok], dt[ok], r2[ok]


def _trigger(dt: np.ndarray, r2: np.ndarray, theta: float, omega: float, sigma: float) -> np.ndarray:
    return theta * omega * np.exp(-omega * dt) * np.exp(-0.5 * r2 / sigma**2) / (2 * np.pi * sigma**2)


def _compensator(
    tau: np.ndarray, omega: float, sigma: float, dc: float, edge: np.ndarray | None = None
) -> float:
    """Σ_j of the cut kernel's mass over the observed window (without θ).

    ``edge``: ``(n, 4)`` distances of each event to the window's sides (x−x0, x1−x, y−y0, y1−y);
    the spatial mass is then the Gaussian's share inside the rectangle.
    """
    timemass = -np.expm1(-omega * tau)
    if edge is None:
        return float(timemass.sum() * -np.expm1(-0.5 * dc * dc / sigma**2))
    from scipy.special import ndtr

    z = edge / sigma
    space = (ndtr(z[:, 0]) + ndtr(z[:, 1]) - 1.0) * (ndtr(z[:, 2]) + ndtr(z[:, 3]) - 1.0)
    return float((timemass * space).sum())


def fit_etas(
    t: np.ndarray,
    xy: np.ndarray,
    *,
    end: float,
    start: float | None = None,
    region: np.ndarray | None = None,
    region_area: np.ndarray | None = None,
    smoother: sp.spmatrix | None = None,
    time_cutoff: float = 90.0,
    space_cutoff: float = 500.0,
    max_events: int = 20_000,
    max_iter: int = 200,
    tol: float = 1e-6,
    init: tuple[float, float, float] = (0.2, 0.1, 100.0),
    mu0: np.ndarray | None = None,
    min_sigma: float = 5.0,
    window: tuple[float, float, float, float] | None = None,
    seed: int = 0,
) -> ETASFit:
    """Fit the ETAS model of the module docstring by EM.

    Parameters
    ----------
    t : array of float
        Event times in days (any origin), within ``[start, end]``.
    xy : array (n, 2)
        Event coordinates in metres (a projected CRS).
    end, start : float
        The observed window; ``start`` defaults to the first event's time.
    region : array of int, optional
        Background region of each event (e.g. its grid cell); default one region.
    region_area : array of float, optional
        Area of each region in square metres (required).
    smoother : sparse matrix, optional
        Column-stochastic smoothing between regions applied to the background
        (e.g. :func:`zzanalytics.spatial.risk.smoothing_matrix`); ``None`` keeps it
        constant per region.
    time_cutoff, space_cutoff : float
        Support of the triggering kernel (days, metres).
    max_events : int
        Children per EM step (a random subset when there are more events).
    max_iter, tol : int, float
        EM stops after ``max_iter`` steps or when the log-likelihood changes by
        less than ``tol`` relatively.
    init : (θ, ω, σ)
        Starting values.
    mu0 : array, optional
        Starting background rate per region (default from the counts); with
        ``max_iter=0`` the fit is the log-likelihood at ``(mu0, init)``.
    min_sigma : float
        Lower bound of ``σ`` in metres (records snapped to the same address would
        otherwise shrink it to nothing).
    window : (x0, y0, x1, y1), optional
        A rectangular study window: the compensator then counts only the part of
        each incident's spatial kernel inside it (edge correction; the disc cut at
        ``space_cutoff`` is then not applied to the compensator, so keep the cutoff
        at 4σ or more).
    seed : int
        Seed of the children's subset.

    Returns
    -------
    ETASFit

    Examples
    --------
    >>> from zzanalytics.spatial._simulate import simulate_etas
    >>> t, xy, _ = simulate_etas(mu=2e-9, theta=0.5, omega=0.2, sigma=50.0,
    ...                          size=20_000.0, days=1000.0, seed=1)
    >>> fit = fit_etas(t, xy, start=0.0, end=1000.0, region_area=np.array([4e8]))
    >>> bool(abs(fit.theta - 0.5) < 0.1 and abs(fit.sigma - 50) < 10)
    True
    """
    from scipy.optimize import minimize

    t = np.asarray(t, dtype=float)
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    n = len(t)
    if region_area is None:
        raise ValueError("fit_etas: region_area (square metres per background region) is required")
    area = np.asarray(region_area, dtype=float)
    region = np.zeros(n, dtype=int) if region is None else np.asarray(region, dtype=int)
    start = float(t.min()) if start is None and n else float(start or 0.0)
    T = float(end) - start
    if n == 0 or T <= 0:
        return ETASFit(np.zeros(len(area)), 0.0, init[1], init[2], 0.0, 0, True, np.ones(n), n, 0,
                       time_cutoff, space_cutoff, float(end))  # fmt: skip
    rng = np.random.default_rng(seed)
    children = np.arange(n) if n <= max_events else np.sort(rng.choice(n, max_events, replace=False))
    scale = n / len(children)
    ci, _, dt, r2 = _pairs(t, xy, children, time_cutoff, space_cutoff)
    pos = np.full(n, -1)
    pos[children] = np.arange(len(children))
    row = pos[ci]
    tau = np.minimum(float(end) - t, time_cutoff)
    edge = None
    if window is not None:
        x0, y0, x1, y1 = window
        edge = np.column_stack([xy[:, 0] - x0, x1 - xy[:, 0], xy[:, 1] - y0, y1 - xy[:, 1]])
    theta, omega, sigma = init
    counts = np.bincount(region, minlength=len(area)).astype(float)
    mu = (
        np.asarray(mu0, dtype=float)
        if mu0 is not None
        else np.maximum(counts, 0.5) / (T * area) * (1 - theta)
    )

    def loglik() -> tuple[float, np.ndarray, np.ndarray]:
        g = _trigger(dt, r2, theta, omega, sigma)
        lam = mu[region[children]] + np.bincount(row, weights=g, minlength=len(children))
        comp = (mu * area).sum() * T + theta * _compensator(tau, omega, sigma, space_cutoff, edge)
        return float(np.log(lam).sum() * scale - comp), g, lam

    floor = 1e-3 * max(n, 1) / len(area)  # no region's background is exactly zero
    hist, converged, it = [], False, 0
    lo = np.log([1.0 / (50 * time_cutoff), min_sigma])
    hi = np.log([50.0, space_cutoff])
    for it in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        ll, g, lam = loglik()
        if hist and abs(ll - hist[-1]) <= tol * abs(ll):
            converged = True
            hist.append(ll)
            break
        hist.append(ll)
        # E-step: probabilities of being background (p0) and of each parent (pij)
        p0 = mu[region[children]] / lam
        pij = g / lam[row]
        P, Sdt, Sr2 = pij.sum() * scale, (pij * dt).sum() * scale, (pij * r2).sum() * scale
        # M-step: background per region (then smoothed between regions, if asked)
        w = np.bincount(region[children], weights=p0, minlength=len(area)) * scale
        mu = np.maximum((smoother @ w if smoother is not None else w), floor) / (T * area)
        if P <= 1e-9:
            theta = 0.0
            continue

        # M-step: triggering, θ profiled out (θ = P / C(ω, σ)); ω and σ on a log scale
        def neg_q(z: np.ndarray, P: float = P, Sdt: float = Sdt, Sr2: float = Sr2) -> float:
            om, sg = np.exp(z[0]), np.exp(z[1])
            C = _compensator(tau, om, sg, space_cutoff, edge)
            return -(P * np.log(P / C * om / (2 * np.pi * sg * sg)) - om * Sdt - Sr2 / (2 * sg * sg) - P)

        z0 = np.clip(np.log([omega, sigma]), lo, hi)
        res = minimize(neg_q, z0, method="L-BFGS-B", bounds=list(zip(lo, hi, strict=True)))
        omega, sigma = float(np.exp(res.x[0])), float(np.exp(res.x[1]))
        theta = min(P / _compensator(tau, omega, sigma, space_cutoff, edge), 0.99)
    ll, g, lam = loglik()
    # the background probability of every event (a final E-step over all of them when subsampled)
    if len(children) < n:
        p_bg = np.empty(n)
        for chunk in np.array_split(np.arange(n), max(1, n // max_events)):
            c2, _, d2, q2 = _pairs(t, xy, chunk, time_cutoff, space_cutoff)
            loc = np.searchsorted(chunk, c2)
            lb = mu[region[chunk]]
            lam2 = lb + np.bincount(loc, weights=_trigger(d2, q2, theta, omega, sigma), minlength=len(chunk))
            p_bg[chunk] = lb / lam2
    else:
        p_bg = mu[region] / lam
    return ETASFit(mu, float(theta), float(omega), float(sigma), ll, it, converged, p_bg,
                   n, len(children), time_cutoff, space_cutoff, float(end), hist)  # fmt: skip


def etas_forecast(
    fit: ETASFit,
    t: np.ndarray,
    cell: np.ndarray,
    cell_area: np.ndarray,
    region_of_cell: np.ndarray,
    spread: sp.spmatrix,
    horizon: float,
) -> np.ndarray:
    """Expected incidents per cell in ``(end, end + horizon]``.

    Parameters
    ----------
    fit : ETASFit
    t, cell : arrays
        The history's event times (days) and cell index.
    cell_area : array
        Square metres per cell.
    region_of_cell : array of int
        The background region of each cell (the cell itself for a cell-wise background).
    spread : sparse matrix
        Column-stochastic Gaussian spreading between cells at ``fit.sigma``
        (:func:`zzanalytics.spatial.risk.smoothing_matrix`).
    horizon : float
        Days.

    Returns
    -------
    ndarray
        One expected count per cell.

    Examples
    --------
    >>> f = ETASFit(np.array([1e-6]), 0.0, 0.1, 50.0, 0.0, 1, True, np.ones(0), 0, 0, 90.0, 500.0, 0.0)
    >>> etas_forecast(f, np.zeros(0), np.zeros(0, int), np.array([1e4, 2e4]), np.array([0, 0]),
    ...               sp.identity(2, format="csr"), 10.0).tolist()
    [0.1, 0.2]
    """
    n = len(cell_area)
    base = fit.mu[region_of_cell] * cell_area * horizon
    a = fit.end - np.asarray(t, dtype=float)
    live = a < fit.time_cutoff
    om, tc = fit.omega, fit.time_cutoff
    # offspring of the history within the horizon (the kernel is cut at tc days)
    w = fit.theta * (np.exp(-om * a[live]) - np.exp(-om * np.minimum(a[live] + horizon, tc)))
    direct = spread @ np.bincount(np.asarray(cell)[live], weights=w, minlength=n)
    f = 1.0 - (-np.expm1(-om * min(horizon, tc))) / (om * horizon)  # share of a child inside the horizon
    out = np.zeros(n)
    gen = base + direct
    for _ in range(50):
        out += gen
        if gen.sum() <= 1e-9 * max(out.sum(), 1e-300):
            break
        gen = fit.theta * f * (spread @ gen)
    return out


def etas_surface(
    age: np.ndarray,
    xy: np.ndarray,
    cell: np.ndarray,
    centroids: np.ndarray,
    cell_area: np.ndarray,
    horizon: float,
    smoothing: Callable[[np.ndarray, float], sp.spmatrix],
    *,
    bandwidth: float = 0.0,
    min_sigma: float | None = None,
    **options: float,
) -> tuple[np.ndarray, dict]:
    """ETAS fitted on a history (``age`` in days before the end) and its expected counts per cell.

    ``smoothing(centroids, bandwidth)`` builds a column-stochastic Gaussian spreading between
    cells (:func:`zzanalytics.spatial.risk.smoothing_matrix`); it spreads the offspring at ``σ``.
    The background is cell-wise, smoothed at ``bandwidth`` metres (0: not at all);
    ``σ`` is kept at half a cell or more (``min_sigma``; records snapped to the same address
    would otherwise make the triggering a point mass that only explains exact repeats);
    ``options`` go to :func:`fit_etas`. Returns the expected counts in the ``horizon`` days after
    the end and the fit's figures.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> cxy = np.array([[x, y] for x in (125.0, 375.0) for y in (125.0, 375.0)])
    >>> xy = rng.uniform(0, 250, (40, 2))   # every incident in the first cell
    >>> age, cell = rng.uniform(0, 700, 40), np.zeros(40, int)
    >>> from zzanalytics.spatial.risk import smoothing_matrix
    >>> s, info = etas_surface(age, xy, cell, cxy, np.full(4, 62500.0), 365.0, smoothing_matrix)
    >>> int(s.argmax()), round(float(s.sum()) / (40 / 700 * 365), 1)
    (0, 1.0)
    """
    t = -np.asarray(age, dtype=float)
    order = np.argsort(t, kind="stable")
    t, xy, cell = t[order], np.asarray(xy, dtype=float)[order], np.asarray(cell)[order]
    n = len(cell_area)
    smoother = smoothing(centroids, bandwidth) if bandwidth > 0 else None
    floor = min_sigma if min_sigma is not None else 0.5 * np.sqrt(np.median(cell_area))
    start = float(t.min()) if len(t) else 0.0
    fit = fit_etas(
        t, xy, end=0.0, start=start, region=cell, region_area=cell_area, smoother=smoother,
        min_sigma=floor, **options,
    )  # fmt: skip
    spread = smoothing(centroids, fit.sigma)
    pred = etas_forecast(fit, t, cell, cell_area, np.arange(n), spread, horizon)
    return pred, fit.as_dict()
