"""Scale: a province on one machine and on a Dask cluster, with the same functions.

    .venv/bin/python benchmarks/bench_scale.py                        # full: 10M rows, 1k/5k/20k series
    .venv/bin/python benchmarks/bench_scale.py --quick                # 1M rows, 500/1k/2k series
    .venv/bin/python benchmarks/bench_scale.py --series 1000,5000,20000 --rows 10000000 --models glm
    .venv/bin/python benchmarks/bench_scale.py --scheduler tcp://10.0.0.5:8786   # an existing cluster

Steps (each timed):

1. ``generate_province`` (100 counties, ~1,800 townships, ~20,000 township x category
   series) with ``--rows`` incidents, one Parquet file per county.
2. Ingest: ``ingest_files`` of every county file into a fresh store, in a child process
   (wall time and peak RSS); baseline: DuckDB ``CREATE TABLE AS SELECT * FROM
   read_parquet(...)`` of the same files (no mapping, validation or idempotency).
3. ``export_partitions`` by (year, county); then monthly counts per county computed *on
   the workers* (:func:`zzanalytics.aggregate.partition_counts`: each task is a path and
   a county's township codes), locally and on Dask: equal.
4. Forecast the first N series (N in ``--series``) with ``forecast(..., models=--models)``
   locally (``--workers`` processes) and on the Dask cluster (a 2-worker ``LocalCluster``
   on loopback unless ``--scheduler``): results equal (max |diff| printed), times, the
   ratio Dask/local, and the time spent inside ``run_tasks`` (the parallel part) vs the
   orchestrator around it (serial, in the client).
5. Linear fit of time vs N: slope (s per series), intercept, R^2 for each backend, and the
   projection for a 100-worker cluster from that slope (serial part kept, parallel part
   divided by 100 / workers).

Results are printed and written to ``benchmarks/out/scale.json``. Timing on a shared
machine is noisy: rerun on a quiet one for the figures that matter.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from zzanalytics import execution  # noqa: E402
from zzanalytics.sample import truth  # noqa: E402

_INGEST_CHILD = r"""
import json, resource, sys, time
from zzanalytics.ingest import ingest_files
files, mapping, store = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
t = time.perf_counter()
rep = ingest_files(files, mapping, store=store)
dt = time.perf_counter() - t
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": dt, "read": rep.read, "accepted": rep.accepted, "quarantined": rep.quarantined,
                  "cpu_seconds": ru.ru_utime + ru.ru_stime, "peak_rss_mb": ru.ru_maxrss / 1024}))
"""

_DUCKDB_CHILD = r"""
import json, resource, sys, time, duckdb
files, store = json.loads(sys.argv[1]), sys.argv[2]
t = time.perf_counter()
con = duckdb.connect(store)
con.execute("CREATE TABLE incidents AS SELECT * FROM read_parquet(?)", [files])
n = con.execute("SELECT count(*) FROM incidents").fetchone()[0]
con.execute("CHECKPOINT"); con.close()
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": time.perf_counter() - t, "rows": n, "cpu_seconds": ru.ru_utime + ru.ru_stime,
                  "peak_rss_mb": ru.ru_maxrss / 1024}))
"""


def _child(code: str, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if out.returncode:
        raise SystemExit(f"child failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


class _Timer:
    """Wraps execution.run_tasks to measure the parallel part of a call."""

    def __init__(self) -> None:
        self.inside = 0.0
        self._orig = execution.run_tasks

    def __enter__(self) -> _Timer:
        def timed(*a, **k):
            t = time.perf_counter()
            try:
                return self._orig(*a, **k)
            finally:
                self.inside += time.perf_counter() - t

        execution.run_tasks = timed
        return self

    def __exit__(self, *exc) -> None:
        execution.run_tasks = self._orig


def _fit(ns: list[int], ts: list[float]) -> dict:
    x, y = np.asarray(ns, float), np.asarray(ts, float)
    if len(x) < 2:
        return {"slope": float(y[0] / x[0]), "intercept": 0.0, "r2": float("nan")}
    b, a = np.polyfit(x, y, 1)
    pred = a + b * x
    ss = float(np.sum((y - y.mean()) ** 2))
    r2 = 1 - float(np.sum((y - pred) ** 2)) / ss if ss > 0 else float("nan")
    return {"slope": float(b), "intercept": float(a), "r2": r2}


def _compare(a: pd.DataFrame, b: pd.DataFrame) -> float:
    """Max absolute difference of numeric columns; raises if keys, shape or text differ."""
    pd.testing.assert_frame_equal(a.select_dtypes(exclude="number"), b.select_dtypes(exclude="number"))
    num = a.select_dtypes("number").columns
    if not len(num):
        return 0.0
    return float(np.nanmax(np.abs(a[num].to_numpy(float) - b[num].to_numpy(float))))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--series", default="1000,5000,20000", help="series counts to forecast (comma list)")
    ap.add_argument("--rows", type=int, default=10_000_000, help="incidents of the generated province")
    ap.add_argument("--counties", type=int, default=100)
    ap.add_argument("--models", default="glm", help="forecast candidates ('auto' costs ~10x 'glm')")
    ap.add_argument("--horizon", type=int, default=12)
    ap.add_argument("--workers", type=int, default=2, help="local processes and LocalCluster workers")
    ap.add_argument("--scheduler", default=None, help="an existing Dask scheduler instead of a LocalCluster")
    ap.add_argument("--quick", action="store_true", help="1M rows, series 500,1000,2000")
    ap.add_argument(
        "--skip-ingest",
        action="store_true",
        help="no ingest measurement (the store is loaded by DuckDB directly)",
    )
    ap.add_argument("--data", default=None, help="working folder (default: a temporary one)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "out" / "scale.json"))
    args = ap.parse_args()
    if args.quick:
        args.rows, args.series = 1_000_000, "500,1000,2000"
    series = sorted({int(s) for s in args.series.split(",") if s.strip()})
    models = args.models.split(",") if "," in args.models else args.models
    work = Path(args.data) if args.data else Path(tempfile.mkdtemp(prefix="zz-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    res: dict = {
        "rows_target": args.rows,
        "series": series,
        "models": args.models,
        "workers": args.workers,
        "cpu_count": os.cpu_count(),
        "load_avg_start": os.getloadavg(),
    }
    print(f"working folder {work}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    # 1. province
    from zzanalytics.sample.province import generate_province

    t = time.perf_counter()
    prov = generate_province(work / "province", counties=args.counties, rows=args.rows, progress=False)
    res["generate"] = {
        "seconds": time.perf_counter() - t,
        "rows": prov.rows,
        "bytes": prov.bytes,
        "townships": prov.townships,
        "series": prov.series,
    }
    print(f"1. {prov}")
    files = json.dumps([str(f) for f in prov.files])

    # 2. ingest vs DuckDB raw load
    store = work / "province.duckdb"
    for p in (store, Path(str(store) + ".wal"), work / "raw.duckdb"):
        p.unlink(missing_ok=True)
    if args.skip_ingest:
        import duckdb

        from zzanalytics.store import create_schema

        con = duckdb.connect(str(store))
        create_schema(con)
        con.execute(
            "INSERT INTO incidents (incident_id, occurred_at, category, area_code, lon, lat) "
            "SELECT incident_id, occurred_at, category, area_code, lon, lat FROM read_parquet(?)",
            [[str(f) for f in prov.files]],
        )
        con.close()
    else:
        mapping = str(work / "province" / "mappings" / "incidents.toml")
        ours = _child(_INGEST_CHILD, files, mapping, str(store))
        raw = _child(_DUCKDB_CHILD, files, str(work / "raw.duckdb"))
        ratio = raw["seconds"] / ours["seconds"]
        res["ingest"] = {"ours": ours, "duckdb_raw": raw, "ratio_raw_over_ours": ratio}
        rate = ours["read"] / ours["seconds"]
        print(
            f"2. ingest {ours['read']:,} rows: {ours['seconds']:.1f} s ({rate:,.0f} rows/s), "
            f"peak RSS {ours['peak_rss_mb']:,.0f} MB; DuckDB raw load {raw['seconds']:.1f} s "
            f"(peak {raw['peak_rss_mb']:,.0f} MB); ratio raw/ours {raw['seconds'] / ours['seconds']:.2f}; "
            f"CPU time ours {ours['cpu_seconds']:.1f} s, raw {raw['cpu_seconds']:.1f} s"
        )

    # 3. partitions and counts on the workers
    from zzanalytics.aggregate import partition_counts
    from zzanalytics.store import export_partitions
    from zzanalytics.workspace import open_store

    t = time.perf_counter()
    with open_store(store) as st:
        root = export_partitions(st, work / "parts", partition_by=("year", "county"))
    res["export_partitions_seconds"] = time.perf_counter() - t
    print(f"3. export_partitions (year, county): {res['export_partitions_seconds']:.1f} s")
    towns = pd.read_csv(work / "province" / "townships.csv", dtype=str)
    tasks = [
        {
            "root": str(root),
            "area_codes": g["area_code"].tolist(),
            "start": truth.SAMPLE_START,
            "end": truth.SAMPLE_END,
            "categories": list(truth.CATEGORIES),
        }
        for _, g in towns.groupby("county")
    ]
    task_bytes = len(json.dumps(tasks[0]))

    client = cluster = None
    if args.scheduler:
        from distributed import Client

        client = Client(args.scheduler)
    else:
        from distributed import Client, LocalCluster

        t = time.perf_counter()
        cluster = LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
        )
        client = Client(cluster)
        res["cluster_start_seconds"] = time.perf_counter() - t
    n_dask = sum(w["nthreads"] for w in client.scheduler_info()["workers"].values())
    try:
        t = time.perf_counter()
        local_counts = execution.run_tasks(
            partition_counts, tasks, workers=args.workers, progress=False, chunksize=1
        )
        t_local = time.perf_counter() - t
        t = time.perf_counter()
        dask_counts = execution.run_tasks(
            partition_counts, tasks, scheduler=client, progress=False, chunksize=1
        )
        t_dask = time.perf_counter() - t
        lc = pd.concat(local_counts, ignore_index=True)
        dc = pd.concat(dask_counts, ignore_index=True)
        pd.testing.assert_frame_equal(lc, dc)
        res["counts"] = {
            "local_seconds": t_local,
            "dask_seconds": t_dask,
            "tasks": len(tasks),
            "task_bytes": task_bytes,
            "rows": len(lc),
        }
        n_series = lc.groupby(["category", "area_code"]).ngroups
        print(
            f"   counts of {len(tasks)} counties on the workers (task = {task_bytes} bytes: path + codes): "
            f"local {t_local:.1f} s, Dask {t_dask:.1f} s, equal; {n_series:,} series"
        )

        # 4. forecasts
        keys = lc[["category", "area_code"]].drop_duplicates().sort_values(["area_code", "category"])
        from zzanalytics.models.forecast import forecast

        # warm up both backends (imports, numba compilation in long-lived Dask workers)
        warm = lc.merge(keys.iloc[:40], on=["category", "area_code"])
        wkw = {
            "horizon": args.horizon,
            "by": ["category", "area_code"],
            "models": models,
            "reconcile": None,
            "progress": False,
        }
        forecast(warm, workers=args.workers, **wkw)
        forecast(warm, scheduler=client, **wkw)
        runs = []
        for n in series:
            if n > len(keys):
                print(f"   skip N={n}: only {len(keys)} series")
                continue
            sub = lc.merge(keys.iloc[:n], on=["category", "area_code"])
            kw = wkw
            with _Timer() as tm:
                t = time.perf_counter()
                f_local = forecast(sub, workers=args.workers, **kw)
                tl = time.perf_counter() - t
            par_local = tm.inside
            with _Timer() as tm:
                t = time.perf_counter()
                f_dask = forecast(sub, scheduler=client, **kw)
                td = time.perf_counter() - t
            par_dask = tm.inside
            diff = _compare(f_local, f_dask)
            runs.append(
                {
                    "n": n,
                    "local_seconds": tl,
                    "dask_seconds": td,
                    "local_parallel_seconds": par_local,
                    "dask_parallel_seconds": par_dask,
                    "max_abs_diff": diff,
                    "rows": len(f_local),
                }
            )
            print(
                f"4. N={n:>6,}: local {tl:7.1f} s ({tl / n * 1e3:5.1f} ms/series; "
                f"run_tasks {par_local:6.1f} s) | Dask {td:7.1f} s ({td / n * 1e3:5.1f} ms/series; "
                f"run_tasks {par_dask:6.1f} s)"
                f" | Dask/local {td / tl:.2f} | max |diff| {diff:.1e}"
            )
        res["forecast"] = runs
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

    # 5. linearity and the 100-worker projection
    if runs:
        ns = [r["n"] for r in runs]
        fits = {b: _fit(ns, [r[f"{b}_seconds"] for r in runs]) for b in ("local", "dask")}
        par = _fit(ns, [r["dask_parallel_seconds"] for r in runs])
        ser = _fit(ns, [r["dask_seconds"] - r["dask_parallel_seconds"] for r in runs])
        res["fit"] = {**fits, "dask_parallel": par, "dask_serial": ser}
        for b, f in fits.items():
            print(
                f"5. {b:>5}: time = {f['intercept']:.2f} s + {f['slope'] * 1e3:.2f} ms x N "
                f"(R^2 {f['r2']:.4f})"
            )
        print(
            f"   Dask parallel part {par['slope'] * 1e3:.2f} ms/series (R^2 {par['r2']:.4f}); serial "
            f"orchestrator part {ser['slope'] * 1e3:.2f} ms/series (R^2 {ser['r2']:.4f})"
        )
        proj = {}
        for n in sorted({20_000, 200_000, *ns}):
            p_time = max(par["intercept"], 0) + max(par["slope"], 0) * n * n_dask / 100
            s_time = max(ser["intercept"], 0) + max(ser["slope"], 0) * n
            here = fits["dask"]["intercept"] + fits["dask"]["slope"] * n
            proj[n] = {
                "100_workers_seconds": p_time + s_time,
                "parallel": p_time,
                "serial": s_time,
                f"{n_dask}_workers_fitted_seconds": here,
            }
            print(
                f"   projection N={n:>7,}: 100 workers ~ {p_time + s_time:7.1f} s "
                f"(parallel {p_time:.1f} s + serial orchestrator {s_time:.1f} s); "
                f"{n_dask} workers by the fit {here:.1f} s"
            )
        res["projection"] = proj
    res["load_avg_end"] = os.getloadavg()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=1, default=str), encoding="utf-8")
    print(f"results written to {out}")


if __name__ == "__main__":
    main()
