"""ETAS by EM: planted parameters recovered, the likelihood against an independent implementation,
the forecast by hand, and the risk surface's etas models."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from zzanalytics.spatial._simulate import simulate_etas
from zzanalytics.spatial.etas import ETASFit, etas_forecast, fit_etas

TRUE = {"theta": 0.5, "omega": 0.2, "sigma": 60.0}


def _fit(seed: int, **kw):
    t, xy, parent = simulate_etas(mu=1.5e-9, size=20_000.0, days=1000.0, seed=seed, **TRUE)
    return fit_etas(t, xy, start=0.0, end=1000.0, region_area=np.array([4e8]), **kw), t, xy, parent


def test_planted_parameters_recovered_within_sampling_error():
    """Eight independent realisations (~1,200 incidents each): every estimate's mean is within
    3 standard errors of the truth (the SE from the spread over realisations), and each single
    fit within 25%."""
    est = np.array([[f.theta, f.omega, f.sigma, f.mu[0] * 1e9] for f, *_ in map(_fit, range(8))])
    truth = np.array([TRUE["theta"], TRUE["omega"], TRUE["sigma"], 1.5])
    se = est.std(axis=0, ddof=1) / np.sqrt(len(est))
    assert (np.abs(est.mean(axis=0) - truth) < 3 * se + 1e-9).all(), (est.mean(axis=0), se)
    assert (np.abs(est / truth - 1) < 0.25).all()


def test_background_probabilities_find_the_planted_branching():
    fit, _, _, parent = _fit(11)
    bg = parent < 0
    # incidents the simulation drew as background get a higher background probability
    assert fit.p_background[bg].mean() > fit.p_background[~bg].mean() + 0.4
    assert fit.p_background.mean() == pytest.approx(bg.mean(), abs=0.05)
    assert fit.converged and np.all(np.diff(fit.history) > -1e-6 * np.abs(fit.history[1:]))  # EM ascends


def test_cell_background_recovers_a_planted_hotspot():
    """A cell-wise background: the cell of a planted background hotspot gets its rate back."""
    size, cell = 10_000.0, 1000.0
    t, xy, _ = simulate_etas(
        mu=1e-9, size=size, days=1500.0, hotspots=[(5000.0, 5000.0, 1000.0, 0.4)], seed=3, **TRUE
    )
    col, row = (xy // cell).astype(int).T
    region = row * 10 + col
    fit = fit_etas(t, xy, start=0.0, end=1500.0, region=region, region_area=np.full(100, cell * cell))
    hot = 5 * 10 + 5
    planted = 0.4 / (cell * cell) + 1e-9
    assert fit.mu[hot] == pytest.approx(planted, rel=0.15)
    others = np.delete(fit.mu, hot)
    assert np.median(others) == pytest.approx(1e-9, rel=0.35)
    assert fit.theta == pytest.approx(0.5, abs=0.1) and fit.sigma == pytest.approx(60, rel=0.2)


def test_em_estimate_is_a_maximum_of_the_likelihood():
    fit, t, xy, _ = _fit(5, tol=1e-10)

    def ll(mu, th, om, sg):
        f = fit_etas(t, xy, start=0.0, end=1000.0, region_area=np.array([4e8]), init=(th, om, sg),
                     mu0=np.array([mu]), max_iter=0)  # fmt: skip
        return f.loglik

    best = ll(fit.mu[0], fit.theta, fit.omega, fit.sigma)
    assert best == pytest.approx(fit.loglik)
    base = np.array([fit.mu[0], fit.theta, fit.omega, fit.sigma])
    for k in range(4):
        for step in (0.97, 1.03):
            p = base.copy()
            p[k] *= step
            assert ll(*p) < best


def test_capped_events_per_em_step_give_the_same_estimate():
    t, xy, _ = simulate_etas(mu=3e-9, size=20_000.0, days=1000.0, seed=2, **TRUE)
    full = fit_etas(t, xy, start=0.0, end=1000.0, region_area=np.array([4e8]))
    capped = fit_etas(t, xy, start=0.0, end=1000.0, region_area=np.array([4e8]), max_events=len(t) // 3)
    assert capped.n_used == len(t) // 3 and full.n_used == len(t)
    assert capped.theta == pytest.approx(full.theta, abs=0.08)
    assert capped.sigma == pytest.approx(full.sigma, rel=0.15)
    assert capped.p_background.shape == (len(t),) and np.isfinite(capped.p_background).all()


def test_poisson_data_has_no_triggering():
    rng = np.random.default_rng(0)
    t = np.sort(rng.uniform(0, 1000, 2000))
    xy = rng.uniform(0, 20_000, (2000, 2))
    fit = fit_etas(t, xy, start=0.0, end=1000.0, region_area=np.array([4e8]))
    assert fit.theta < 0.03 and fit.p_background.mean() > 0.97


def test_forecast_by_hand():
    """One region, two cells; one incident 10 days before the end in cell 0; no spreading."""
    theta, omega, mu = 0.4, 0.1, 1e-6
    fit = ETASFit(np.array([mu]), theta, omega, 50.0, 0.0, 1, True, np.ones(1), 1, 1, 90.0, 500.0, 0.0)
    area, H = np.array([1e4, 1e4]), 30.0
    got = etas_forecast(fit, np.array([-10.0]), np.array([0]), area, np.array([0, 0]), sp.identity(2), H)
    base = mu * 1e4 * H  # 0.3 per cell
    direct = theta * (np.exp(-omega * 10) - np.exp(-omega * 40))
    f = 1 - (1 - np.exp(-omega * H)) / (omega * H)  # share of a child born in the horizon inside it
    geo = 1 / (1 - theta * f)  # the cascade without spreading is geometric
    assert got[0] == pytest.approx((base + direct) * geo, rel=1e-9)
    assert got[1] == pytest.approx(base * geo, rel=1e-9)


@pytest.mark.slow
def test_likelihood_equals_hawkes_package():
    """The log-likelihood of our cut-free kernel with the rectangle's edge correction equals the
    independent ``the-hawkes-package`` (quadrature over the domain, 128 nodes per axis) at our
    estimate and elsewhere (with its default 32 nodes it is off by up to 0.04 at σ ≈ 0.4)."""
    hp = pytest.importorskip("hawkes_package.inference")
    from hawkes_package.spatio_temporal import Rectangle

    t, xy, _ = simulate_etas(mu=0.3, theta=0.5, omega=0.5, sigma=0.5, size=10.0, days=2.0, seed=0)
    kw = {"start": 0.0, "end": 2.0, "region_area": np.array([100.0]), "time_cutoff": 2.0,
          "space_cutoff": 100.0, "window": (0.0, 0.0, 10.0, 10.0), "min_sigma": 1e-3}  # fmt: skip
    fit = fit_etas(t, xy, init=(0.3, 1.0, 1.0), **kw)
    box = Rectangle(10.0, 10.0, origin=[0.0, 0.0])
    model = hp.spatio_temporal_model(box, edge_correction="none", n_quad=128)  # fine enough for σ ≈ 0.4
    ll = hp.SpatioTemporalLogLikelihood(model)
    h = hp.History(t, xy.T, 0.0, end=2.0)
    for mu, th, om, sg in [(fit.mu[0], fit.theta, fit.omega, fit.sigma), (0.8, 0.3, 1.5, 0.7)]:
        ours = fit_etas(t, xy, init=(th, om, sg), mu0=np.array([mu]), max_iter=0, **kw).loglik
        with warnings.catch_warnings():  # it may say that the edge makes the spatial mass vary by event
            warnings.simplefilter("ignore")
            theirs = ll.total(np.array([mu, th * om, om, sg]), h)
        assert ours == pytest.approx(theirs, rel=1e-8)


def test_risk_surface_etas_models():
    from zzanalytics.spatial._simulate import simulate_incidents
    from zzanalytics.spatial.grid import cell_counts, make_grid
    from zzanalytics.spatial.risk import risk_surface

    inc, truth = simulate_incidents(years=3, seed=4, scale=0.3)
    grid = make_grid(truth["bbox"], cell=250)
    end = truth["start"] + pd.DateOffset(years=3) - pd.Timedelta(days=1)
    r = risk_surface(inc, grid, end=end, horizon=365, model="etas")
    last = cell_counts(inc, grid, start=end - pd.Timedelta(days=364), end=end)["count"].sum()
    assert r.attrs["model"] == "etas" and r.risk.sum() == pytest.approx(last)
    assert 0 <= r.attrs["theta"] < 0.2  # the simulated city has no triggering
    counts = cell_counts(inc, grid)["count"].to_numpy()
    assert np.corrcoef(r.risk, counts)[0, 1] > 0.95  # so its background is the counts
    b = risk_surface(inc, grid, end=end, horizon=365, model="etas+counts")
    assert b.attrs["model"] == "etas+counts"
