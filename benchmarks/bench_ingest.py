"""Ingest throughput: our whole ingest vs DuckDB's raw ``read_csv`` of the same file.

    .venv/bin/python benchmarks/bench_ingest.py                 # 1M rows
    .venv/bin/python benchmarks/bench_ingest.py --rows 10000000  # + peak memory of the ingest

The generated CSV looks like a police export: Chinese headers, GCJ-02 points,
mixed date forms (``2026/5/6 21:30``, ISO with offset, ``20260506``, ``2026年5月6日``),
township names to resolve, ~0.5 % dirty rows. The baseline materialises the file
with ``CREATE TABLE AS SELECT * FROM read_csv(...)`` (types auto-detected) into a
fresh DuckDB file; ours maps, validates, parses dates, converts coordinates,
checks idempotency and writes the store (``ingest_files``). Goal: ratio >= 0.5,
peak RSS < 2 GB for 10M rows.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MAPPING = {
    "source": {"table": "incidents", "crs": "gcj02", "date_floor": "2010-01-01"},
    "columns": {
        "incident_id": "案件编号",
        "occurred_at": "发案时间",
        "category": "案件类别",
        "area_code": "所属街道",
        "lon": "经度",
        "lat": "纬度",
        "deaths": "死亡人数",
        "injuries": "受伤人数",
        "loss_yuan": "损失(元)",
    },
    "categories": {
        "入室盗窃": "theft.burglary",
        "盗窃机动车": "theft.vehicle",
        "其他盗窃": "theft.other",
        "电信网络诈骗": "fraud.telecom",
        "其他诈骗": "fraud.other",
        "抢劫": "robbery",
        "故意伤害": "assault",
        "其他刑事": "other_criminal",
        "交通事故": "traffic",
        "火灾": "fire",
    },
    "areas": {f"第{i}街道": f"6201020{i:02d}" for i in range(1, 21)},
}


def generate(path: Path, rows: int, seed: int = 0, chunk: int = 1_000_000) -> None:
    """Write a ``rows``-line export in chunks (bounded memory)."""
    from zzanalytics.coords import wgs84_to_gcj02

    rng = np.random.default_rng(seed)
    labels = np.array([*MAPPING["categories"], "寻衅滋事"])
    streets = np.array(list(MAPPING["areas"]))
    start = np.datetime64("2015-01-01T00:00")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(MAPPING["columns"].values()) + "\n")
        for lo in range(0, rows, chunk):
            n = min(chunk, rows - lo)
            minutes = rng.integers(0, 11 * 365 * 24 * 60, n)
            t = pd.DatetimeIndex(start + minutes.astype("timedelta64[m]"))
            form = rng.integers(0, 4, n)
            dates = np.where(
                form == 0,
                t.strftime("%Y/%-m/%-d %-H:%M"),
                np.where(
                    form == 1,
                    t.strftime("%Y-%m-%dT%H:%M:%S+08:00"),
                    np.where(form == 2, t.strftime("%Y%m%d"), t.strftime("%Y年%-m月%-d日")),
                ),
            )
            lab = labels[rng.integers(0, len(labels) - 1, n)]
            lab[rng.random(n) < 0.002] = labels[-1]  # unknown label: quarantined
            dates[rng.random(n) < 0.002] = "不详"  # unparseable date: quarantined
            lon, lat = wgs84_to_gcj02(103.7 + 0.3 * rng.random(n), 36.0 + 0.1 * rng.random(n))
            frame = pd.DataFrame(
                {
                    "id": np.char.add("J", (lo + np.arange(n)).astype(str)),
                    "t": dates,
                    "c": lab,
                    "a": streets[rng.integers(0, len(streets), n)],
                    "x": np.round(lon, 6),
                    "y": np.round(lat, 6),
                    "d": rng.integers(0, 2, n) * (rng.random(n) < 0.01),
                    "i": rng.integers(0, 3, n) * (rng.random(n) < 0.05),
                    "l": np.round(rng.gamma(1.0, 3000.0, n), 0),
                }
            )
            frame.to_csv(fh, header=False, index=False)


def bench_duckdb(csv: Path, workdir: Path) -> float:
    import duckdb

    db = workdir / "raw.duckdb"
    con = duckdb.connect(str(db))
    t0 = time.perf_counter()
    con.execute(f"CREATE TABLE raw AS SELECT * FROM read_csv('{csv}')")
    con.execute("CHECKPOINT")
    elapsed = time.perf_counter() - t0
    con.close()
    return elapsed


def bench_ours(csv: Path, workdir: Path) -> tuple[float, object]:
    from zzanalytics.ingest import ingest_files

    store = workdir / "zz.duckdb"
    t0 = time.perf_counter()
    rep = ingest_files([csv], MAPPING, store=store)
    elapsed = time.perf_counter() - t0
    return elapsed, rep


def child_ingest(csv: str, store: str) -> None:
    """Run in a subprocess so the parent can read its peak RSS."""
    from zzanalytics.ingest import ingest_files

    t0 = time.perf_counter()
    rep = ingest_files([Path(csv)], MAPPING, store=Path(store))
    print(f"child: {rep.read:,} rows in {time.perf_counter() - t0:.1f} s; balanced={rep.balanced}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--keep", type=Path, default=None, help="folder to keep the generated CSV in")
    ap.add_argument("--child", nargs=2, metavar=("CSV", "STORE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child_ingest(*args.child)
        return

    with tempfile.TemporaryDirectory(prefix="zz-bench-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        csv = work / f"export_{args.rows}.csv"
        if not csv.exists():
            t0 = time.perf_counter()
            generate(csv, args.rows)
            print(
                f"generated {args.rows:,} rows ({csv.stat().st_size / 1e6:.0f} MB) "
                f"in {time.perf_counter() - t0:.1f} s"
            )
        for f in (work / "raw.duckdb", work / "zz.duckdb"):
            f.unlink(missing_ok=True)
        t_raw = bench_duckdb(csv, work)
        t_ours, rep = bench_ours(csv, work)
        print(rep.render())
        r_raw, r_ours = args.rows / t_raw, args.rows / t_ours
        print(f"duckdb read_csv (raw, CREATE TABLE AS): {t_raw:7.2f} s  {r_raw:12,.0f} rows/s")
        print(f"zzanalytics ingest_files (everything):  {t_ours:7.2f} s  {r_ours:12,.0f} rows/s")
        print(f"ratio ours/raw: {r_ours / r_raw:.2f}  (goal >= 0.5)")
        if args.rows >= 5_000_000:
            (work / "zz.duckdb").unlink(missing_ok=True)
            env = dict(os.environ)
            subprocess.run(
                [sys.executable, __file__, "--child", str(csv), str(work / "zz.duckdb")], check=True, env=env
            )
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB -> MiB on Linux
            print(f"peak RSS of the ingest ({args.rows:,} rows): {peak:,.0f} MiB  (goal < 2048 MiB)")


if __name__ == "__main__":
    main()
