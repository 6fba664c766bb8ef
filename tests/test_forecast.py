"""Known truth for the forecast orchestrator: accuracy, calibration, reconciliation, files, CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from zzanalytics.errors import ModelError, SchemaError
from zzanalytics.models._simulate import holdout_scores, simulate_panel
from zzanalytics.models.forecast import forecast, mase_scale

COLS = ["period", "mean", "median", "point", "lo80", "hi80", "lo95", "hi95", "model"]


@pytest.fixture(scope="module")
def panel_split():
    df = simulate_panel(
        n_areas=5,
        n_categories=4,
        years=7,
        seed=11,
        level_range=(0.3, 40.0),
        amplitude=(0.2, 0.45),
        sf_effect=-0.5,
        drift_sd=0.04,
    )
    cut = df["period"].max() - pd.DateOffset(months=12)
    return df[df["period"] <= cut], df[df["period"] > cut]


@pytest.fixture(scope="module")
def panel_forecast(panel_split):
    train, _ = panel_split
    return forecast(train, horizon=12, workers=1, progress=False, reconcile=None)


def test_selected_forecast_beats_seasonal_naive_and_mean12_on_held_out_data(panel_split, panel_forecast):
    train, test = panel_split
    sc = holdout_scores(train, test, panel_forecast, ["category", "area_code"])
    assert len(sc) == 20
    assert sc["ours"].mean() < 0.97 * sc["snaive"].mean()
    assert sc["ours"].mean() < 0.97 * sc["mean12"].mean()
    assert sc["ours"].mean() < 0.97 * sc["avg"].mean()


def test_intervals_are_calibrated_on_held_out_data_and_never_negative(panel_split, panel_forecast):
    train, test = panel_split
    fc = panel_forecast
    sc = holdout_scores(train, test, fc, ["category", "area_code"])
    cov95 = np.average(sc["cov95"], weights=sc["n"])
    cov80 = np.average(sc["cov80"], weights=sc["n"])
    assert 0.90 <= cov95 <= 0.98
    assert 0.70 <= cov80 <= 0.90
    for c in ("mean", "lo80", "hi80", "lo95", "hi95"):
        assert (fc[c] >= 0).all()
    assert (fc["lo95"] <= fc["lo80"]).all() and (fc["hi80"] <= fc["hi95"]).all()
    assert np.allclose(fc["hi95"], np.round(fc["hi95"]))  # integer-aware


def test_output_contract_and_until(panel_split):
    train, _ = panel_split
    one = train[(train["category"] == "cat00")]
    fc = forecast(
        one,
        horizon=3,
        by=["category", "area_code"],
        until="2024-06-30",
        workers=1,
        progress=False,
        models=["glm", "mean12"],
        reconcile=None,
    )
    assert list(fc.columns) == ["category", "area_code", *COLS]
    assert fc["period"].min() == pd.Timestamp("2024-07-01")
    assert fc.groupby("area_code").size().eq(3).all()
    # until in the middle of a month: that month is incomplete and not used
    fc2 = forecast(
        one,
        horizon=1,
        by=["category", "area_code"],
        until="2024-06-15",
        workers=1,
        progress=False,
        models="mean12",
        reconcile=None,
    )
    assert fc2["period"].min() == pd.Timestamp("2024-06-01")


def test_bottom_up_townships_add_up_to_the_district(panel_split):
    train, _ = panel_split
    sub = train[train["category"].isin(["cat00", "cat01"])]
    fc = forecast(
        sub, horizon=4, workers=1, progress=False, models=["glm", "pses", "glm+pses"], reconcile="bottom_up"
    )
    district = fc[fc["area_code"] == "all"].set_index(["category", "period"])
    towns = fc[fc["area_code"] != "all"].groupby(["category", "period"])["mean"].sum()
    assert len(district) == 8
    assert np.allclose(district["mean"], towns.reindex(district.index))
    assert (district["model"] == "bottom_up").all()
    assert (fc["lo95"] >= 0).all()
    # every row's point lies between its mean and its median (the district's mean is a sum, not its point)
    lo, hi = np.minimum(fc["mean"], fc["median"]), np.maximum(fc["mean"], fc["median"])
    assert ((fc["point"] >= lo - 1e-9) & (fc["point"] <= hi + 1e-9)).all()
    # the district's interval is narrower than the sum of the township intervals
    width = district["hi95"] - district["lo95"]
    tw = (
        fc[fc["area_code"] != "all"]
        .assign(w=lambda d: d["hi95"] - d["lo95"])
        .groupby(["category", "period"])["w"]
        .sum()
    )
    assert (width <= tw.reindex(district.index)).all()
    mint = forecast(sub, horizon=4, workers=1, progress=False, models=["glm", "pses"], reconcile="mint")
    d2 = mint[mint["area_code"] == "all"].set_index(["category", "period"])["mean"]
    t2 = mint[mint["area_code"] != "all"].groupby(["category", "period"])["mean"].sum()
    assert np.allclose(d2, t2.reindex(d2.index)) and (mint["mean"] >= 0).all()
    lo, hi = np.minimum(mint["mean"], mint["median"]), np.maximum(mint["mean"], mint["median"])
    assert ((mint["point"] >= lo - 1e-9) & (mint["point"] <= hi + 1e-9)).all()


def test_sparse_series_mean_is_a_mean_and_median_beats_mean12_on_absolute_error():
    df = simulate_panel(n_areas=12, n_categories=1, years=7, seed=5, level_range=(0.15, 1.0))
    cut = df["period"].max() - pd.DateOffset(months=12)
    train, test = df[df["period"] <= cut], df[df["period"] > cut]
    fc = forecast(
        train.drop(columns="category"),
        horizon=12,
        workers=1,
        progress=False,
        models=["mean12", "pses", "glm"],
        reconcile=None,
    )
    # the mean column is the predictive mean: never 0 for a series that has counts
    assert (fc["mean"] > 0).all() and not fc["model"].str.contains("@").any()
    assert (fc["median"] < fc["mean"]).mean() > 0.5  # right-skewed small counts
    sc = holdout_scores(train.drop(columns="category"), test, fc.assign(mean=fc["median"]), ["area_code"])
    assert sc["ours"].mean() < sc["mean12"].mean() and sc["ours"].mean() < sc["snaive"].mean()


@pytest.mark.parametrize(
    ("level_range", "seed"), [((0.15, 1.0), 5), ((0.15, 1.0), 6), ((60.0, 200.0), 5), ((60.0, 200.0), 6)]
)
def test_point_beats_the_mean_on_absolute_error_for_sparse_series_and_is_near_it_for_large_ones(
    level_range, seed
):
    df = simulate_panel(n_areas=12, n_categories=2, years=6, seed=seed, level_range=level_range)
    cut = df["period"].max() - pd.DateOffset(months=12)
    train, test = df[df["period"] <= cut], df[df["period"] > cut]
    fc = forecast(
        train, horizon=12, workers=1, progress=False, models=["mean12", "pses", "glm"], reconcile=None
    )
    lo, hi = np.minimum(fc["mean"], fc["median"]), np.maximum(fc["mean"], fc["median"])
    assert ((fc["point"] >= lo - 1e-9) & (fc["point"] <= hi + 1e-9)).all()  # between mean and median
    m = fc.merge(test, on=["category", "area_code", "period"])
    mae = {c: float(np.abs(m[c] - m["count"]).mean()) for c in ("mean", "point")}
    rel = float((np.abs(fc["point"] - fc["mean"]) / fc["mean"]).mean())
    if level_range[1] <= 1.0:
        # 0.15-1 a month: the absolute error is won by a median-like point (0), not the mean
        assert mae["point"] < 0.9 * mae["mean"] and rel > 0.3
    else:
        # 60-200 a month: the point is within a few per cent of the mean and no worse
        assert rel < 0.08 and mae["point"] < 1.01 * mae["mean"]


def test_point_choice_by_hand():
    from zzanalytics.models.selection import point_scores, select_points

    # two origins of one step: truth 0 and 0; mean forecasts 0.4, median 0 -> the median wins
    true = np.zeros((4, 2, 1))
    bt = np.full((4, 2, 1), 0.4)
    med = np.zeros((4, 2, 1))
    scale = np.ones((4, 2))
    sc = point_scores(true, bt, med, scale)
    assert sc[0].tolist() == pytest.approx([0.4, 0.3, 0.2, 0.1, 0.0])
    # a fourth series whose truth is 1 each time prefers the mean on its own, but two
    # origins of its own weigh less than the class's six
    true[3] = 1.0
    sc = point_scores(true, bt, med, scale)
    assert select_points(sc, np.array(["sparse"] * 4), np.full(4, 2)).tolist() == [1.0] * 4
    assert select_points(sc, np.array(["sparse"] * 4), np.array([2, 2, 2, 60]))[3] == 0.0


def test_mase_scale_by_hand():
    y = np.array([3.0, 1, 4, 1, 5, 9, 2, 6])
    assert mase_scale(y, 4) == pytest.approx(np.mean(np.abs([5 - 3, 9 - 1, 2 - 4, 6 - 1])))
    assert np.isnan(mase_scale(np.zeros(30), 12))


def test_weekly_forecast_runs_with_iso_weeks():
    rng = np.random.default_rng(0)
    p = pd.date_range("2022-01-03", periods=160, freq="W-MON")
    df = pd.DataFrame({"period": p, "count": rng.poisson(8, len(p))})
    fc = forecast(df, horizon=4, freq="week", workers=1, progress=False, models=["snaive", "glm", "pses"])
    assert (fc["period"].dt.dayofweek == 0).all() and len(fc) == 4
    assert fc["mean"].between(4, 12).all()


def test_bad_inputs_raise_readable_errors():
    df = pd.DataFrame({"period": pd.date_range("2020-01-01", periods=30, freq="MS"), "count": 1})
    with pytest.raises(ModelError, match="freq"):
        forecast(df, horizon=2, freq="day", progress=False)
    with pytest.raises(SchemaError, match="columns are"):
        forecast(df, horizon=2, by=["area_code"], progress=False)
    with pytest.raises(ModelError, match="known models"):
        forecast(df, horizon=2, models=["prophet"], progress=False)


def _odd_file(tmp_path, encoding="gb18030"):
    rng = np.random.default_rng(1)
    months = pd.date_range("2020-01-01", periods=48, freq="MS")
    rows = []
    for town in ("城关镇", "东岗街道"):
        for i, m in enumerate(months):
            label = f"{m.year}年{m.month}月" if i % 2 else f"{m.year}/{m.month}"
            rows.append({"街道": town, "统计月份": label, "发案数": int(rng.poisson(12))})
    path = tmp_path / "published.csv"
    pd.DataFrame(rows).to_csv(path, index=False, encoding=encoding)
    return path


def test_counts_file_with_publisher_labels_and_period_forms(tmp_path):
    from zzanalytics.cli import load_counts

    path = _odd_file(tmp_path)
    frame, keys, value = load_counts(None, path, "month", [], None)
    fc = forecast(
        frame, horizon=6, freq="month", by=keys, value=value, reconcile=None, workers=1, progress=False
    )
    assert list(fc.columns) == ["街道", *COLS]
    assert set(fc["街道"]) == {"城关镇", "东岗街道"}
    assert fc["period"].min() == pd.Timestamp("2024-01-01") and len(fc) == 12


def test_cli_forecast_counts_file_writes_the_contract_columns(tmp_path):
    from zzanalytics.cli import app

    src = tmp_path / "c.csv"
    p = pd.date_range("2021-01-01", periods=40, freq="MS")
    pd.DataFrame(
        {"category": "fire", "period": p.strftime("%Y-%m"), "count": np.random.default_rng(0).poisson(9, 40)}
    ).to_csv(src, index=False)
    out = tmp_path / "fc.csv"
    res = CliRunner().invoke(
        app, ["forecast", "--counts", str(src), "--horizon", "6", "--out", str(out), "--workers", "1"]
    )
    assert res.exit_code == 0, res.output
    fc = pd.read_csv(out)
    assert list(fc.columns) == ["category", *COLS]
    assert len(fc) == 6


def test_sample_district_fraud_forecast_rises_with_its_planted_growth(sample_store):
    from zzanalytics.aggregate import counts

    c = counts(sample_store.incidents(category="fraud"), freq="month", by=("category",), level=1)
    fc = forecast(c, horizon=12, by=["category"], workers=1, progress=False)
    last12 = c.sort_values("period")["count"].tail(12).mean()
    assert fc["mean"].mean() > 1.05 * last12  # fraud.telecom grows 25 % a year in the sample
    assert (fc["lo95"] <= fc["mean"]).all() and (fc["mean"] <= fc["hi95"]).all()


@pytest.mark.parametrize(
    "frame, keys, value",
    [
        (
            pd.DataFrame({"area": ["X", "X"], "yyyymm": [202501, 202502], "n_crimes": [5, 6]}),
            ["area"],
            "n_crimes",
        ),
        (
            pd.DataFrame(
                {"Year": [2025, 2025], "Month": [1, 2], "area_code": [620102001] * 2, "crimes": [5, 6]}
            ),
            ["area_code"],
            "crimes",
        ),
        (
            pd.DataFrame({"区域": ["甲"], "2025年1月": [5], "2025年2月": [6], "2025年3月": [7]}),
            ["区域"],
            "count",
        ),
        (
            pd.DataFrame(
                {"Borough": ["X", "X"], "Month": ["Jan 2025", "Feb 2025"], "Incidents": ["1,234", "5"]}
            ),
            ["Borough"],
            "Incidents",
        ),
    ],
)
def test_counts_files_in_publishers_shapes(tmp_path, frame, keys, value):
    from zzanalytics.models.panel import read_counts_file

    path = tmp_path / "f.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    got, k, v = read_counts_file(path)
    assert k == keys and v == value
    assert got["period"].min() == pd.Timestamp("2025-01-01")
    assert got[v].iloc[0] in (5.0, 1234.0)
