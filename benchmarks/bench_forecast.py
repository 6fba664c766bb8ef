"""Benchmark: forecasting 300+ township x category series, ours vs the baselines, in one run.

Builds 12 townships x 26 categories = 312 monthly series over 7 years (negative
binomial counts with category seasonality, Spring Festival effects, trends,
drifting levels; levels from 0.3 to 40 a month, so many are sparse), holds out
the last 12 months and prints:

* wall time of our full ``forecast`` (candidates, rolling-origin selection,
  calibrated intervals, bottom-up district rows) and of statsforecast's AutoETS
  alone (``StatsForecast(models=[AutoETS(season_length=12)], n_jobs=2)``);
* mean MASE (scale: in-sample seasonal naive) of ours, seasonal naive, mean of
  the last 12 months, their average and AutoETS; the ratio of ours to each;
* pooled 80 % / 95 % coverage of ours and of AutoETS's (normal) intervals.

Ours is run twice: as ``zz forecast`` does (``reconcile=None``: the series of
the keys; ``point="auto"``: sparse classes get the predictive median when their
backtest MASE favours it) and as ``forecast`` does by default with township keys
(``reconcile="bottom_up"``: district rows added, every point a mean so that
townships add up).

Run: ``.venv/bin/python benchmarks/bench_forecast.py [--workers 2] [--seed 0]``
"""

from __future__ import annotations

import argparse
import os
import resource
import time
import warnings

import numpy as np
import pandas as pd


def _cpu() -> float:
    """CPU seconds of this process and its finished children (worker pools)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _autoets(train: pd.DataFrame, workers: int) -> tuple[pd.DataFrame, float]:
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS

    df = train.assign(unique_id=train["category"] + "|" + train["area_code"]).rename(
        columns={"period": "ds", "count": "y"}
    )[["unique_id", "ds", "y"]]
    df["y"] = df["y"].astype(float)
    c0 = _cpu()
    t0 = time.perf_counter()
    sf = StatsForecast(models=[AutoETS(season_length=12)], freq="MS", n_jobs=workers)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fc = sf.forecast(df=df, h=12, level=[80, 95])
    dt = time.perf_counter() - t0
    fc.attrs["cpu"] = _cpu() - c0
    fc = fc.reset_index() if "unique_id" not in fc.columns else fc
    out = fc["unique_id"].str.split("|", expand=True)
    fc = fc.assign(category=out[0], area_code=out[1], period=fc["ds"])
    ren = {
        "AutoETS": "mean",
        "AutoETS-lo-80": "lo80",
        "AutoETS-hi-80": "hi80",
        "AutoETS-lo-95": "lo95",
        "AutoETS-hi-95": "hi95",
    }
    fc = fc.rename(columns=ren)
    for c in ren.values():
        fc[c] = fc[c].clip(lower=0)
    return fc, dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--areas", type=int, default=12)
    ap.add_argument("--categories", type=int, default=26)
    args = ap.parse_args()

    from zzanalytics.models._simulate import holdout_scores, simulate_panel
    from zzanalytics.models.forecast import forecast

    df = simulate_panel(n_areas=args.areas, n_categories=args.categories, years=7, seed=args.seed)
    cut = df["period"].max() - pd.DateOffset(months=12)
    train, test = df[df["period"] <= cut], df[df["period"] > cut]
    n_series = df.groupby(["category", "area_code"]).ngroups
    print(
        f"{n_series} series x {train['period'].nunique()} training months, 12 held out; "
        f"workers={args.workers}"
    )
    # warm the numba caches of statsforecast once so that neither side pays the JIT
    from statsforecast.models import AutoETS

    AutoETS(season_length=12).forecast(np.random.default_rng(0).poisson(5, 48).astype(float), 2)

    keys = ["category", "area_code"]
    c0, t0 = _cpu(), time.perf_counter()
    ours = forecast(train, horizon=12, workers=args.workers, progress=True, reconcile=None)
    t_ours, c_ours = time.perf_counter() - t0, _cpu() - c0
    c0, t0 = _cpu(), time.perf_counter()
    rec = forecast(train, horizon=12, workers=args.workers, progress=False, reconcile="bottom_up")
    t_rec, c_rec = time.perf_counter() - t0, _cpu() - c0
    c0 = _cpu()
    ets, t_ets = _autoets(train, args.workers)
    c_ets = _cpu() - c0

    s = holdout_scores(train, test, ours, keys)
    s_rec = holdout_scores(train, test, rec[rec["area_code"] != "all"], keys)
    s_ets = holdout_scores(train, test, ets, keys)
    rows = [
        (
            "ours (zz forecast: reconcile=None)",
            s["ours"].mean(),
            s["cov80"].mean(),
            s["cov95"].mean(),
            t_ours,
        ),
        (
            "ours (forecast default: bottom_up)",
            s_rec["ours"].mean(),
            s_rec["cov80"].mean(),
            s_rec["cov95"].mean(),
            t_rec,
        ),
        (
            "statsforecast AutoETS alone",
            s_ets["ours"].mean(),
            s_ets["cov80"].mean(),
            s_ets["cov95"].mean(),
            t_ets,
        ),
        ("seasonal naive (same month last year)", s["snaive"].mean(), np.nan, np.nan, np.nan),
        ("mean of the last 12 months", s["mean12"].mean(), np.nan, np.nan, np.nan),
        ("average of the two", s["avg"].mean(), np.nan, np.nan, np.nan),
    ]
    table = pd.DataFrame(rows, columns=["forecast", "mean_MASE", "cov80", "cov95", "wall_s"])
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    baselines = (
        ("snaive", s["snaive"].mean()),
        ("mean12", s["mean12"].mean()),
        ("avg", s["avg"].mean()),
        ("AutoETS", s_ets["ours"].mean()),
    )
    for label, value in (("reconcile=None", s["ours"].mean()), ("bottom_up", s_rec["ours"].mean())):
        ratios = ", ".join(f"{n} {value / v:.3f}" for n, v in baselines)
        print(f"ratios, ours ({label}) / baseline: {ratios}")
    print(
        f"wall time: ours {t_ours:.1f} s vs AutoETS alone {t_ets:.1f} s (ratio {t_ours / t_ets:.2f}); "
        f"goal < 60 s: {'met' if t_ours < 60 else 'NOT met'}"
    )
    load = os.getloadavg()[0]
    print(
        f"CPU time (all processes): ours {c_ours:.1f} s, ours bottom_up {c_rec:.1f} s, "
        f"AutoETS {c_ets:.1f} s; "
        f"on {args.workers} idle cores ours needs about {c_ours / args.workers:.1f} s "
        f"(load average now {load:.1f})"
    )
    print("models chosen:", ours.drop_duplicates(keys)["model"].value_counts().to_dict())


if __name__ == "__main__":
    main()
