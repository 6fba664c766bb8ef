"""Backtest: MASE against a hand computation, coverage columns, the printable table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zzanalytics.models.backtest import backtest


@pytest.fixture(scope="module")
def two_series():
    rng = np.random.default_rng(4)
    p = pd.date_range("2019-01-01", periods=60, freq="MS")
    t = np.arange(60)
    rows = [
        pd.DataFrame(
            {"category": c, "period": p, "count": rng.poisson(lvl * np.exp(0.3 * np.cos(2 * np.pi * t / 12)))}
        )
        for c, lvl in (("fire", 25), ("theft", 6))
    ]
    return pd.concat(rows, ignore_index=True)


def test_backtest_mase_of_seasonal_naive_matches_a_hand_computation(two_series):
    bt = backtest(two_series, horizon=3, origins=2, models=["snaive", "mean12"], workers=1, progress=False)
    assert list(bt.columns) == ["category", "model", "mase", "coverage80", "coverage95", "n_points"]
    y = two_series[two_series["category"] == "fire"]["count"].to_numpy(float)
    hand = []
    for cut in (56, 57):  # origins: T - horizon - 1, T - horizon
        tr, te = y[:cut], y[cut : cut + 3]
        scale = np.mean(np.abs(tr[12:] - tr[:-12]))
        fc = tr[cut - 12 : cut - 12 + 3]
        hand.append(np.mean(np.abs(te - fc)) / scale)
    got = bt[(bt["category"] == "fire") & (bt["model"] == "snaive")]
    assert got["mase"].iloc[0] == pytest.approx(np.mean(hand))
    assert got["n_points"].iloc[0] == 6
    sel = bt[bt["model"] == "selected"]
    assert sel["coverage95"].between(0, 1).all() and len(sel) == 2
    # the same runs scored on their point column: same intervals, its own error
    pt = bt[bt["model"] == "selected point"]
    assert len(pt) == 2 and np.allclose(pt["coverage95"], sel["coverage95"]) and pt["mase"].notna().all()
    summary = bt.attrs["summary"]
    assert summary.loc[summary["model"] == "snaive", "vs_snaive"].iloc[0] == pytest.approx(1.0)


def test_backtest_command_prints_a_table_and_writes_the_frame(two_series, tmp_path):
    from typer.testing import CliRunner

    from zzanalytics.cli import app

    path, out = tmp_path / "c.csv", tmp_path / "bt.csv"
    two_series.assign(period=two_series["period"].dt.strftime("%Y年%m月")).to_csv(path, index=False)
    args = ["backtest", "--counts", str(path), "--horizon", "3", "--origins", "2", "--workers", "1"]
    res = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert res.exit_code == 0, res.output
    table = res.output
    assert "selected" in table and "mean_mase" in table and "coverage95" in table
    frame = pd.read_csv(out)
    assert set(frame["model"]) >= {"selected", "snaive", "mean12", "glm"}
