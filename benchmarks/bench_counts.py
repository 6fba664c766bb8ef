"""Benchmark ``aggregate.counts`` against the obvious pandas path (groupby + reindex onto the full grid).

Goal (issue 4): at least 1M incidents per second for ``counts``. Both paths produce the same complete
grid (checked); the ratio is printed.

Run::

    .venv/bin/python benchmarks/bench_counts.py [--rows 2000000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from zzanalytics.aggregate import counts
from zzanalytics.schema import LEAF_CATEGORIES


def _incidents(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = pd.Timestamp("2019-01-01").value + rng.integers(0, 8 * 365 * 86400, n) * 10**9
    cats = np.array(LEAF_CATEGORIES, dtype=object)[rng.integers(0, len(LEAF_CATEGORIES), n)]
    areas = np.array([f"6201020{i:02d}" for i in range(12)], dtype=object)[rng.integers(0, 12, n)]
    return pd.DataFrame(
        {
            "occurred_at": pd.DatetimeIndex(t.astype("datetime64[ns]")).tz_localize("Asia/Shanghai"),
            "category": cats,
            "area_code": areas,
        }
    )


def _baseline(inc: pd.DataFrame, freq: str, by: list[str]) -> pd.DataFrame:
    """Textbook pandas: local period start, groupby size, reindex onto the cartesian grid."""
    local = inc["occurred_at"].dt.tz_localize(None)
    rule = {"day": "D", "week": "W-SUN", "month": "M"}[freq]
    period = local.dt.to_period(rule).dt.start_time
    sizes = inc.assign(period=period).groupby([*by, "period"]).size()
    full = pd.date_range(period.min(), period.max(), freq={"day": "D", "week": "W-MON", "month": "MS"}[freq])
    index = pd.MultiIndex.from_product([sorted(inc[b].unique()) for b in by] + [full], names=[*by, "period"])
    return sizes.reindex(index, fill_value=0).rename("count").reset_index()


def main() -> None:
    """Time both paths for day, week and month and print rows/s and the speed-up."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2_000_000)
    args = parser.parse_args()
    inc = _incidents(args.rows)
    by = ["category", "area_code"]
    print(f"{args.rows:,} incidents, by {by}")
    for freq in ("day", "week", "month"):
        t0 = time.perf_counter()
        ours = counts(inc, freq=freq, by=by)
        t_ours = time.perf_counter() - t0
        t0 = time.perf_counter()
        ref = _baseline(inc, freq, by)
        t_ref = time.perf_counter() - t0
        same = np.array_equal(ours["count"].to_numpy(), ref["count"].to_numpy()) and len(ours) == len(ref)
        print(
            f"{freq:>5}: counts {t_ours:6.3f} s ({args.rows / t_ours / 1e6:4.1f} M rows/s)   "
            f"pandas groupby+reindex {t_ref:6.3f} s   speed-up x{t_ref / t_ours:4.1f}   same grid: {same}"
        )


if __name__ == "__main__":
    main()
