"""Planted patterns the forecast must recover, ragged panels, and the wrapped statsforecast models."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zzanalytics.models.backtest import backtest
from zzanalytics.models.engine import compute
from zzanalytics.models.forecast import forecast
from zzanalytics.models.forecasters import make_model

P = pd.date_range("2018-01-01", periods=84, freq="MS")


def _panel(ys: dict[str, np.ndarray], periods: pd.DatetimeIndex = P) -> pd.DataFrame:
    return pd.concat(
        [pd.DataFrame({"area_code": k, "period": periods[: len(y)], "count": y}) for k, y in ys.items()],
        ignore_index=True,
    )


def _fc(df: pd.DataFrame, **kw) -> pd.DataFrame:
    return forecast(df, horizon=12, by=["area_code"], workers=1, progress=False, reconcile=None, **kw)


@pytest.fixture(scope="module")
def planted():
    """Ten townships with the district's mild seasonality; three carry their own patterns."""
    rng = np.random.default_rng(3)
    t = np.arange(len(P))
    base = 1 + 0.15 * np.cos(2 * np.pi * (t - 6) / 12)  # summer high, December low
    ys = {f"t{i}": rng.poisson(25 * base).astype(float) for i in range(7)}
    ys["december"] = rng.poisson(25 * base * np.where(P.month == 12, 3.0, 1.0)).astype(float)
    ys["august"] = rng.poisson(25 * base * np.where(P.month == 8, 4.0, 1.0)).astype(float)
    spike = rng.poisson(25 * base).astype(float)
    spike[len(P) - 27 : len(P) - 24] *= 8  # three months at 8x, two years before the end
    ys["spike"] = spike
    ys["rising"] = rng.poisson(10 * np.exp(np.log(1.3) * t / 12)).astype(float)  # +30 % a year
    return ys, _fc(_panel(ys))


def test_a_series_with_its_own_december_peak_keeps_it(planted):
    _, fc = planted
    f = fc[fc["area_code"] == "december"].set_index("period")["mean"]
    dec = f[f.index.month == 12].iloc[0]
    assert dec > 2.0 * f[f.index.month != 12].mean()
    assert dec == f.max()


def test_an_august_spike_every_year_is_forecast(planted):
    _, fc = planted
    f = fc[fc["area_code"] == "august"].set_index("period")["mean"]
    assert f[f.index.month == 8].iloc[0] > 2.5 * f[f.index.month != 8].mean()


def test_a_one_off_spike_two_years_ago_lifts_neither_the_forecast_nor_the_interval(planted):
    _, fc = planted
    f = fc[fc["area_code"] == "spike"]
    normal = fc[fc["area_code"].str.match(r"t\d")].groupby("period")[["mean", "hi95"]].mean()
    ratio = f.set_index("period")[["mean", "hi95"]] / normal
    assert ratio["mean"].between(0.8, 1.25).all()
    assert ratio["hi95"].max() < 1.4  # not blown up (the 8x months would double it or more)


def test_a_rising_series_is_not_under_forecast(planted):
    ys, fc = planted
    y = ys["rising"]
    f = fc[fc["area_code"] == "rising"]["mean"].to_numpy()
    truth = 10 * np.exp(np.log(1.3) * np.arange(len(y), len(y) + 12) / 12)
    assert f.sum() > 1.1 * y[-12:].sum()  # above the last year's level
    assert abs(f.sum() / truth.sum() - 1) < 0.15


def test_sums_of_means_match_the_simulated_truth():
    """Forty sparse-to-small series: the summed 12-month mean forecast matches the truth's mean."""
    rng = np.random.default_rng(11)
    t = np.arange(96)
    mus = {f"a{i}": rng.uniform(0.3, 8) * (1 + 0.2 * np.cos(2 * np.pi * t / 12)) for i in range(40)}
    ys = {k: rng.poisson(mu[:84]).astype(float) for k, mu in mus.items()}
    fc = _fc(_panel(ys))
    total_truth = sum(mu[84:].sum() for mu in mus.values())
    assert abs(fc["mean"].sum() / total_truth - 1) < 0.05
    # the median is a different point: below the mean for small right-skewed counts
    assert fc["median"].sum() < fc["mean"].sum()
    assert (
        (fc["lo95"] >= 0).all() and (fc["lo95"] <= fc["median"]).all() and (fc["median"] <= fc["hi95"]).all()
    )


# ----------------------------------------------------------------------------- ragged panels
def _ragged():
    rng = np.random.default_rng(5)
    a = pd.DataFrame({"area_code": "A", "period": P, "count": rng.poisson(30, len(P)).astype(float)})
    # B's source covers 2020-06..2023-08 only: absent rows outside, never zeros
    pb = P[(P >= "2020-06-01") & (P <= "2023-08-01")]
    b = pd.DataFrame({"area_code": "B", "period": pb, "count": rng.poisson(30, len(pb)).astype(float)})
    return pd.concat([a, b], ignore_index=True)


def test_ragged_series_train_on_their_own_span_and_forecast_after_their_own_end():
    df = _ragged()
    fc = _fc(df)
    first = fc.groupby("area_code")["period"].min()
    assert first["A"] == pd.Timestamp("2025-01-01") and first["B"] == pd.Timestamp("2023-09-01")
    # B's leading and trailing absence does not make it look sparse: it forecasts its own level
    assert fc[fc["area_code"] == "B"]["mean"].between(22, 38).all()
    res = compute(
        df, horizon=3, freq="month", by=["area_code"], until=None, value="count", models="auto",
        levels=(80, 95), workers=1, scheduler=None, progress=False,
    )  # fmt: skip
    assert list(res.icls) == ["large", "large"]
    # until before B's end cuts it there; A too
    cut = _fc(df, until="2022-12-31").groupby("area_code")["period"].min()
    assert (cut == pd.Timestamp("2023-01-01")).all()


def test_a_nan_count_is_missing_not_zero():
    df = _ragged()
    holes = df.copy()
    idx = holes.index[(holes["area_code"] == "A") & holes["period"].dt.month.isin([3, 4])]
    holes.loc[idx, "count"] = np.nan
    dropped = holes.drop(index=idx)
    f_nan = _fc(holes, models=["glm", "mean12", "glm+mean12"])
    f_drop = _fc(dropped, models=["glm", "mean12", "glm+mean12"])
    pd.testing.assert_frame_equal(f_nan, f_drop)
    zeros = holes.fillna({"count": 0.0})
    f_zero = _fc(zeros, models=["glm", "mean12", "glm+mean12"])
    a = f_nan["area_code"] == "A"
    assert f_nan.loc[a, "mean"].mean() > 1.1 * f_zero.loc[a, "mean"].mean()  # zeros would drag it down


def test_backtest_counts_each_series_origins_from_its_own_end():
    bt = backtest(_ragged(), horizon=3, origins=2, models=["glm", "mean12"], workers=1, progress=False)
    sel = bt[bt["model"] == "selected"].set_index("area_code")
    assert sel.loc["B", "n_points"] == 6 and sel.loc["A", "n_points"] == 6
    assert sel["mase"].notna().all()


# ----------------------------------------------------------------------------- wrapped models
@pytest.mark.parametrize(
    "name, cls, kw",
    [
        ("dotm", "DynamicOptimizedTheta", {}),
        ("autotheta", "AutoTheta", {}),
        ("damped", "AutoETS", {"model": "AAA", "damped": True}),
    ],
)
def test_wrapped_statsforecast_models_give_statsforecasts_forecast(name, cls, kw):
    from statsforecast import models as sfm

    y = np.random.default_rng(0).poisson(40 * (1 + 0.3 * np.cos(np.arange(72) * np.pi / 6))).astype(float)
    ours = make_model(name, 12).fit(y).predict(6, levels=())["mean"]
    theirs = getattr(sfm, cls)(season_length=12, **kw).forecast(y, 6)["mean"]
    np.testing.assert_allclose(ours, np.maximum(theirs, 0), rtol=1e-10)
