"""Conditional permutation inference for local statistics, written once and shared.

This is esda's ``crand`` scheme (Anselin 1995; Rey & Anselin's PySAL
implementation) restated in vectorised numpy so that one set of permutation
indices serves *several* variables at once — the time steps of a space-time
cube — and the weights are prepared once:

* site ``i`` keeps its own value; its ``k_i`` neighbours are replaced by values
  drawn without replacement from the other ``n - 1`` sites;
* the draws are a single ``(permutations, max_k)`` table of indices into the
  ``n - 1`` other sites, shared by every site (esda's ``vec_permutations``, drawn as it
  draws them, so with the same ``seed`` the draws are esda's);
* the folded pseudo p-value is esda's ``directed`` one:
  ``p_sim = (min(M, R - M) + 1) / (R + 1)`` where ``M`` counts simulated statistics
  ``>=`` the observed one and ``R`` is the number of permutations.

The statistic here is any local *weighted sum* ``s_i = w_ii y_i + sum_j w_ij y_j``
(Gi*, Gi and the local lag of Moran's I are affine functions of it with site-wide
constants), so comparisons are done on the sums: with integer counts and binary
weights they are exact and ties behave as in esda.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from zzanalytics.errors import SpatialError

__all__ = [
    "EXACT_BUDGET",
    "PermutationMoments",
    "exact_p_columns",
    "exact_sum_p",
    "permutation_ids",
    "permute_local_sums",
    "randomisation_pmf",
]


def permutation_ids(max_card: int, n: int, permutations: int, seed: int) -> np.ndarray:
    """``(permutations, max_card)`` indices drawn without replacement from ``range(n - 1)``.

    Drawn as esda's ``crand.vec_permutations`` draws them: NumPy's legacy generator seeded with
    ``seed`` (a ``RandomState``), one ``choice(n - 1, max_card, replace=False)`` per permutation,
    so the same seed gives esda's draws (``tests/test_hotspots.py`` compares them). esda is not
    imported for it: loading it loads libpysal, scikit-learn and Dask, half a second per process.

    Examples
    --------
    >>> ids = permutation_ids(3, 10, 5, seed=1)
    >>> ids.shape, bool((ids < 9).all())
    ((5, 3), True)
    """
    if max_card <= 0:
        return np.zeros((permutations, 0), dtype=np.int64)
    if max_card > n - 1:
        raise SpatialError(f"a site has {max_card} neighbours but there are only {n - 1} other sites")
    rng = np.random.RandomState(int(seed))
    out = np.empty((int(permutations), int(max_card)), dtype=np.int64)
    for k in range(int(permutations)):
        out[k] = rng.choice(int(n) - 1, size=int(max_card), replace=False)
    return out


@dataclass
class PermutationMoments:
    """What the permutations say about each site (and variable).

    Attributes
    ----------
    larger : ndarray (n, T)
        Number of simulated sums ``>=`` the observed sum.
    smaller : ndarray (n, T)
        Number of simulated sums ``<=`` the observed sum.
    mean, std : ndarray (n, T)
        Mean and standard deviation (ddof 0, as esda) of the simulated sums.
    permutations : int
    """

    larger: np.ndarray
    smaller: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    permutations: int

    @property
    def p_sim(self) -> np.ndarray:
        """Folded pseudo p-value, esda's ``directed`` alternative."""
        r = self.permutations
        m = np.minimum(self.larger, r - self.larger)
        return (m + 1.0) / (r + 1.0)

    @property
    def p_two_sided(self) -> np.ndarray:
        """Tie-aware two-sided pseudo p: ``min(1, 2 · (min(#≥, #≤) + 1) / (R + 1))``.

        Unlike the folded p, a site whose sum ties with most simulated sums (e.g. an
        all-zero neighbourhood in sparse counts) is not called extreme.
        """
        m = np.minimum(self.larger, self.smaller)
        return np.minimum(1.0, 2 * (m + 1.0) / (self.permutations + 1.0))


def permute_local_sums(
    Y: np.ndarray,
    W: sp.spmatrix,
    permutations: int = 999,
    seed: int = 12345,
    *,
    block_bytes: int = 32_000_000,
) -> PermutationMoments:
    """Conditional randomisation of local weighted sums for one or many variables.

    Parameters
    ----------
    Y : ndarray (n,) or (n, T)
        Values per site (and per time step); every column is permuted with the
        *same* indices, as if each were analysed alone with the same seed.
    W : sparse (n, n)
        Weights; the diagonal is the self-weight (1 for Gi*, 0 for Gi / Moran).
    permutations : int
    seed : int

    Returns
    -------
    PermutationMoments
        Counts, mean and std of the simulated sums ``w_ii y_i + sum_k w_ik y_perm``.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> W = sp.csr_matrix(np.array([[1, 1, 0], [1, 1, 1], [0, 1, 1]], dtype=float))
    >>> pm = permute_local_sums(np.array([5.0, 1.0, 0.0]), W, permutations=9, seed=0)
    >>> pm.larger.shape
    (3, 1)
    """
    Y = np.asarray(Y, dtype=float)
    if Y.ndim == 1:
        Y = Y[:, None]
    n, T = Y.shape
    W = sp.csr_matrix(W, dtype=float)
    if W.shape != (n, n):
        raise SpatialError(f"weights are {W.shape} but there are {n} sites")
    self_w = W.diagonal()
    off = sp.csr_matrix(W - sp.diags(self_w))  # the neighbours' weights, the diagonal left out
    off.eliminate_zeros()
    off.sort_indices()
    card = np.diff(off.indptr)
    observed = np.asarray(W @ Y)
    larger = np.zeros((n, T))
    smaller = np.zeros((n, T))
    mean = np.zeros((n, T))
    std = np.zeros((n, T))
    max_card = int(card.max()) if n else 0
    P = permutation_ids(max_card, n, permutations, seed)
    R = permutations
    for k in np.unique(card):
        sites = np.flatnonzero(card == k)
        if k == 0:
            base = self_w[sites, None] * Y[sites]
            larger[sites] = np.where(base >= observed[sites], R, 0)
            smaller[sites] = np.where(base <= observed[sites], R, 0)
            mean[sites] = base
            continue
        Pk = P[:, :k]
        wk = np.stack([off.data[off.indptr[i] : off.indptr[i + 1]] for i in sites])
        uniform = bool(np.all(wk == wk[:, :1]))
        B = max(1, int(block_bytes // (R * k * T * 8)))
        for s0 in range(0, len(sites), B):
            blk = sites[s0 : s0 + B]
            idx = Pk[None, :, :] + (Pk[None, :, :] >= blk[:, None, None])
            g = Y[idx]  # (B, R, k, T)
            if uniform:
                rs = g.sum(axis=2) * wk[s0 : s0 + B, 0][:, None, None]
            else:
                rs = np.einsum("bk,brkt->brt", wk[s0 : s0 + B], g)
            rs += (self_w[blk, None] * Y[blk])[:, None, :]
            obs = observed[blk][:, None, :]
            larger[blk] = (rs >= obs).sum(axis=1)
            smaller[blk] = (rs <= obs).sum(axis=1)
            mean[blk] = rs.mean(axis=1)
            std[blk] = rs.std(axis=1)
    return PermutationMoments(larger=larger, smaller=smaller, mean=mean, std=std, permutations=R)


# --------------------------------------------------------------------------- exact randomisation
EXACT_BUDGET = 4e8
"""Largest ``(distinct values + draws) · (k + 1) · (largest sum + 1)`` the exact recursion runs."""


def _lattice(values: np.ndarray) -> float | None:
    """Step ``δ`` with ``values / δ`` integers (``1``, ``0.1``, ``0.01``, ``0.001``), or None."""
    for d in range(4):
        s = values * 10.0**d
        if np.all(np.abs(s - np.round(s)) <= 1e-9 * np.maximum(1.0, np.abs(s))):
            return 10.0**-d
    return None


def randomisation_pmf(values: np.ndarray, kmax: int, budget: float = EXACT_BUDGET) -> np.ndarray | None:
    """Exact distribution of the sum of ``k`` values drawn without replacement, for every ``k <= kmax``.

    Under *total randomisation* a neighbourhood of ``k`` sites holds ``k`` of the map's
    ``n`` values drawn without replacement. For non-negative integer values the sum's
    distribution follows from the multiset ``{v: m_v}`` by one recursion over the
    distinct values ``v`` (multivariate hypergeometric): after the values seen so far
    (``M`` sites), ``f[j, s]`` is the probability that ``j`` random sites among them sum
    to ``s``, and adding value ``v`` with multiplicity ``m``

        f'[j, s] = Σ_c  C(m, c) C(M, j − c) / C(M + m, j) · f[j − c, s − c v],

    which costs ``O((D + Σ_v min(m_v, k)) · k · S)`` for ``D`` distinct values and sums
    up to ``S``. Nothing is approximated: the result is exact up to floating point.

    Parameters
    ----------
    values : array (n,)
        Non-negative integers (counts).
    kmax : int
        Largest neighbourhood size needed.
    budget : float
        Work limit; beyond it ``None`` is returned (the caller falls back).

    Returns
    -------
    ndarray (kmax + 1, S + 1) or None
        ``pmf[k, s] = P(sum of k random sites = s)``.

    Examples
    --------
    Two sites of four with values 0, 0, 1, 3: the six pairs sum to 0, 1, 3, 1, 3, 4.

    >>> pmf = randomisation_pmf(np.array([0, 0, 1, 3]), 2)
    >>> (pmf[2] * 6).round(6).tolist()
    [1.0, 2.0, 0.0, 2.0, 1.0]
    """
    from scipy.special import gammaln

    v = np.asarray(values)
    n = len(v)
    if n == 0 or kmax > n or (v < 0).any():
        return None
    uniq, mult = np.unique(v.astype(np.int64), return_counts=True)
    kmax = int(kmax)
    top = np.sort(v)[::-1][:kmax]
    S = int(top.sum())
    cost = (len(uniq) + np.minimum(mult, kmax).sum()) * (kmax + 1) * (S + 1)
    if cost > budget:
        return None

    def lnc(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            out = gammaln(a + 1) - gammaln(b + 1) - gammaln(a - b + 1)
        return np.where((b < 0) | (b > a), -np.inf, out)

    f = np.zeros((kmax + 1, S + 1))
    f[0, 0] = 1.0
    M = 0
    j = np.arange(kmax + 1, dtype=float)
    for val, m in zip(uniq.tolist(), mult.tolist(), strict=True):
        new = np.zeros_like(f)
        for c in range(min(m, kmax) + 1):
            # weight of drawing c of the m sites with value val among j draws, per j >= c
            jj = j[c:]
            with np.errstate(invalid="ignore"):
                a = lnc(float(m), float(c)) + lnc(float(M), jj - c) - lnc(float(M + m), jj)
            h = np.where(np.isfinite(a), np.exp(np.where(np.isfinite(a), a, 0.0)), 0.0)
            shift = c * val
            if shift > S:
                break
            new[c:, shift:] += h[:, None] * f[: kmax + 1 - c, : S + 1 - shift]
        f = new
        M += m
    return f


def exact_sum_p(values: np.ndarray, sums: np.ndarray, sizes: np.ndarray) -> np.ndarray | None:
    """Two-sided p of neighbourhood sums under total randomisation, exactly.

    ``p = min(1, 2 · min(P(S ≥ s), P(S ≤ s)))`` with ``S`` the sum of ``size`` values
    drawn without replacement from ``values`` (see :func:`randomisation_pmf`); values
    on a decimal lattice (0.1, 0.01, 0.001) are scaled to integers first. Returns
    ``None`` when the values are negative, off such a lattice, or the recursion would
    exceed :data:`EXACT_BUDGET`.

    Examples
    --------
    >>> vals = np.array([0, 0, 0, 0, 0, 0, 0, 1, 2, 9])
    >>> exact_sum_p(vals, np.array([11, 0]), np.array([2, 2])).round(4).tolist()
    [0.0444, 0.9333]
    """
    values = np.asarray(values, dtype=float)
    sums = np.asarray(sums, dtype=float)
    sizes = np.asarray(sizes).astype(int)
    if len(values) == 0 or (values < 0).any():
        return None
    step = _lattice(values)
    if step is None:
        return None
    iv = np.round(values / step).astype(np.int64)
    pmf = randomisation_pmf(iv, int(sizes.max()))
    if pmf is None:
        return None
    upper = np.cumsum(pmf[:, ::-1], axis=1)[:, ::-1]  # P(S >= s)
    lower = np.cumsum(pmf, axis=1)  # P(S <= s)
    s = np.clip(np.round(sums / step).astype(np.int64), 0, pmf.shape[1] - 1)
    above = np.round(sums / step) > pmf.shape[1] - 1
    pu = np.where(above, 0.0, upper[sizes, s])
    pl = np.where(above, 1.0, lower[sizes, s])
    return np.minimum(1.0, 2 * np.minimum(pu, pl))


def exact_p_columns(
    Y: np.ndarray, num: np.ndarray, card: np.ndarray, fallback: np.ndarray
) -> tuple[np.ndarray, list[str]]:
    """Exact randomisation p per map (column of ``Y``); ``fallback`` where the recursion does not apply.

    Returns the p-values and, per map, ``"exact"`` or ``"pearson3"``.
    """
    p = fallback.copy()
    methods = []
    sizes = np.broadcast_to(card, (num.shape[0], 1))[:, 0].astype(int)
    for t in range(Y.shape[1]):
        pt = exact_sum_p(Y[:, t], num[:, t], sizes)
        if pt is None:
            methods.append("pearson3")
        else:
            p[:, t] = pt
            methods.append("exact")
    return p, methods
