"""Known truth for the small forecasting models and calendar regressors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from zzanalytics.errors import ModelError
from zzanalytics.models.features import exog_matrix, spring_festival_day, spring_festival_share
from zzanalytics.models.forecasters import (
    NBGLM,
    LocalLevel,
    SeasonalNaive,
    StatsForecastModel,
    WindowAverage,
    make_model,
    nb_quantile,
)


def test_spring_festival_dates_and_shares_move_between_january_and_february():
    assert spring_festival_day(2023) == pd.Timestamp("2023-01-22")
    assert spring_festival_day(2024) == pd.Timestamp("2024-02-10")
    p = pd.date_range("2023-01-01", "2024-12-01", freq="MS")
    sf = spring_festival_share(p, "month")
    assert sf[0] == pytest.approx(1.0)  # 22-28 January 2023
    assert sf[1] == 0.0
    assert sf[12] == 0.0 and sf[13] == pytest.approx(1.0)  # 10-16 February 2024
    assert sf.sum() == pytest.approx(2.0)
    w = spring_festival_share(pd.date_range("2024-01-01", "2024-12-31", freq="W-MON"), "week")
    assert w.sum() == pytest.approx(1.0) and w.max() < 1.0  # 10-16 Feb spans two ISO weeks


def test_nbglm_recovers_planted_spring_festival_effect_and_lands_it_in_the_right_month():
    rng = np.random.default_rng(3)
    p = pd.date_range("2015-01-01", periods=132, freq="MS")
    X = exog_matrix(p, "month")
    t = np.arange(len(p))
    season = 0.25 * np.cos(2 * np.pi * t / 12)
    mu = 60 * np.exp(season + 0.6 * X[:, 1] + X[:, 0] + 0.03 * t / 12)
    y = rng.negative_binomial(1 / 0.01, 1 / (1 + 0.01 * mu)).astype(float)
    m = NBGLM(12, seasonal="dummies", ridge_season=0.1, ridge_x=0.01, ridge_trend=0.1).fit(y, X)
    coef = m.coef()
    assert coef["x_0"] == pytest.approx(0.6, abs=0.1)
    # forecast 2026-2028: Spring Festival is 17 Feb 2026, 6 Feb 2027, 26 Jan 2028
    fut = pd.date_range("2026-01-01", periods=36, freq="MS")
    allx = exog_matrix(p.append(fut), "month")
    f = m.predict(36, allx[len(p) :])["mean"]
    jan = f[[0, 12, 24]]
    feb = f[[1, 13, 25]]
    assert jan[2] > 1.3 * jan[1]  # 2028: the festival is in January
    assert feb[0] > 1.3 * feb[2]  # 2026: the festival is in February


def test_naive_models_by_hand():
    y = np.array([1.0, 2, 3, 4, 5, 6, 7, 8])
    assert SeasonalNaive(4).fit(y).predict(6)["mean"].tolist() == [5, 6, 7, 8, 5, 6]
    assert WindowAverage(3).fit(y).predict(2)["mean"].tolist() == [7, 7]
    out = WindowAverage(3).fit(y).predict(2)
    for k in ("lo80", "hi80", "lo95", "hi95"):
        assert (out[k] >= 0).all() and np.allclose(out[k], np.round(out[k]))


def test_nb_quantile_matches_scipy():
    mu = np.array([0.3, 4.0, 40.0])
    assert nb_quantile(0.9, mu, 0.0).tolist() == stats.poisson.ppf(0.9, mu).tolist()
    n = 1 / 0.2
    assert nb_quantile(0.9, mu, 0.2).tolist() == stats.nbinom.ppf(0.9, n, n / (n + mu)).tolist()
    assert nb_quantile(0.5, np.array([0.0]), 0.2).tolist() == [0.0]


def test_intervals_never_negative_and_paths_have_the_forecast_mean():
    rng = np.random.default_rng(0)
    y = rng.poisson(0.4, 60).astype(float)
    X = exog_matrix(pd.date_range("2020-01-01", periods=72, freq="MS"))
    for name in ("glm", "pses", "snaive", "mean12", "tsb", "glm+pses"):
        out = make_model(name).fit(y, X[:60]).predict(12, X[60:])
        assert all((out[k] >= 0).all() for k in out), name
        assert (out["lo95"] <= out["hi95"]).all()
    m = NBGLM(12).fit(rng.poisson(10, 60).astype(float))
    paths = m.sample_paths(6, 4000, np.random.default_rng(1))
    assert paths.shape == (4000, 6)
    assert paths.mean(axis=0) == pytest.approx(m.predict(6)["mean"], rel=0.05)


def test_local_level_follows_a_level_shift_and_statsforecast_wrapper_matches_statsforecast():
    y = np.r_[np.full(30, 4.0), np.full(30, 12.0)]
    assert LocalLevel().fit(y).predict(1)["mean"][0] == pytest.approx(12.0, rel=0.02)
    from statsforecast.models import AutoETS

    z = np.random.default_rng(2).poisson(20, 48).astype(float)
    ours = StatsForecastModel("AutoETS", season_length=12, model="ANA").fit(z).predict(3)["mean"]
    ref = AutoETS(season_length=12, model="ANA").forecast(z, 3)["mean"]
    assert np.allclose(np.maximum(ref, 0), ours)


def test_unknown_model_and_unfitted_model_raise_model_error():
    with pytest.raises(ModelError, match="known models"):
        make_model("prophet")
    with pytest.raises(ModelError, match="not fitted"):
        SeasonalNaive(12).predict(3)


def test_statsmodels_ets_and_intermittent_models_are_candidates_by_name():
    rng = np.random.default_rng(5)
    t = np.arange(60)
    y = rng.poisson(30 * np.exp(0.3 * np.cos(2 * np.pi * t / 12))).astype(float)
    ets = make_model("ets_sm").fit(y).predict(12)
    assert np.corrcoef(ets["mean"], 30 * np.exp(0.3 * np.cos(2 * np.pi * np.arange(60, 72) / 12)))[0, 1] > 0.8
    sparse = rng.poisson(0.3, 60).astype(float)
    for name in ("sba", "adida", "tsb"):
        out = make_model(name).fit(sparse).predict(3)
        assert 0 < out["mean"][0] < 1.5 and (out["lo95"] >= 0).all()
