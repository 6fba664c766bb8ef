"""Benchmark of the spatial stage against esda, and of the risk surface against count baselines.

Run: ``.venv/bin/python benchmarks/bench_spatial.py [--quick]``

1. Gi* with 999 permutations on 10,000 cells (a 100 x 100 grid, queen neighbours):
   ours (:func:`zzanalytics.spatial.hotspots.gi_star`) vs esda ``G_Local(star=True)``.
2. Emerging hot spot analysis of 10,000 cells x 24 periods (999 permutations):
   ours (shared weights and permutation indices, vectorised over periods, Mann-Kendall,
   17 classes) vs 24 bare esda ``G_Local`` runs, one per period.
3. PAI and PEI* at 1% of the area on simulated 4-year point sets (train 3 years, test the
   4th, 250 m cells): risk surface vs last-year counts vs all-years counts; and on the
   sample district (every category, each of the last years).
"""

from __future__ import annotations

import sys
import time
import warnings

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")


def _lattice(side: int):
    from libpysal.weights import lat2W

    return lat2W(side, side, rook=False)


def bench_gi(side: int = 100, permutations: int = 999) -> None:
    import esda

    from zzanalytics.spatial.hotspots import gi_star

    w = _lattice(side)
    y = np.random.default_rng(0).poisson(2.0, side * side).astype(float)
    t = time.perf_counter()
    ref = esda.G_Local(y, w, transform="B", star=True, permutations=permutations, seed=1, n_jobs=1)
    t_esda = time.perf_counter() - t
    t = time.perf_counter()
    ours = gi_star(y, w.sparse, permutations=permutations, seed=1)
    t_ours = time.perf_counter() - t
    dz = np.abs(ours.z - ref.Zs).max()
    dp = np.abs(ours.p_sim - ref.p_sim).max()
    print(f"Gi* {side * side:,} cells, {permutations} permutations")
    print(f"  esda G_Local   {t_esda:7.2f} s")
    print(f"  ours gi_star   {t_ours:7.2f} s   ratio esda/ours = {t_esda / t_ours:.2f}")
    print(f"  max |z - esda.Zs| = {dz:.1e}; max |p_sim - esda.p_sim| = {dp:.1e}")


def bench_ehsa(side: int = 100, periods: int = 24, permutations: int = 999) -> None:
    import esda

    from zzanalytics.spatial.emerging import classify_emerging, mann_kendall
    from zzanalytics.spatial.hotspots import gi_star

    w = _lattice(side)
    n = side * side
    rng = np.random.default_rng(1)
    Y = rng.poisson(1.5, (n, periods)).astype(float)
    Y[:50, periods // 2 :] += 4  # something to find
    t = time.perf_counter()
    for k in range(periods):
        esda.G_Local(Y[:, k], w, transform="B", star=True, permutations=permutations, seed=1, n_jobs=1)
    t_esda = time.perf_counter() - t
    t = time.perf_counter()
    cube = gi_star(Y, w.sparse, permutations=permutations, seed=1)
    mann_kendall(cube.z)
    classes = classify_emerging(cube.z, cube.q)
    t_ours = time.perf_counter() - t
    print(f"EHSA {n:,} cells x {periods} periods, {permutations} permutations")
    print(f"  24 bare esda G_Local runs       {t_esda:7.2f} s")
    print(f"  ours (Gi* cube + MK + classes)  {t_ours:7.2f} s   ratio esda/ours = {t_esda / t_ours:.2f}")
    print(f"  classes found: {pd.Series(classes).value_counts().to_dict()}")


def _eval_sim(seeds: range, drift: float, scale: float) -> pd.DataFrame:
    from zzanalytics.spatial._simulate import simulate_incidents
    from zzanalytics.spatial.grid import cell_counts, make_grid, projected
    from zzanalytics.spatial.risk import pai, pei, risk_surface

    rows = []
    for seed in seeds:
        inc, truth = simulate_incidents(years=4, seed=seed, drift=drift, scale=scale)
        grid = make_grid(truth["bbox"], cell=250)
        area = projected(grid).area.to_numpy()
        end = truth["start"] + pd.DateOffset(years=3) - pd.Timedelta(days=1)
        train = inc[inc.occurred_at.dt.tz_localize(None) < end + pd.Timedelta(days=1)]
        y = cell_counts(inc, grid, start=end + pd.Timedelta(days=1), end=end + pd.Timedelta(days=365))
        y = y["count"].to_numpy()
        last = cell_counts(inc, grid, start=end - pd.Timedelta(days=364), end=end)["count"].to_numpy()
        every = cell_counts(train, grid)["count"].to_numpy()
        risk = risk_surface(train, grid, end=end)
        for name, s in (("risk", risk["risk"].to_numpy()), ("last year", last), ("all years", every)):
            rows.append(
                {
                    "seed": seed,
                    "drift": drift,
                    "scale": scale,
                    "surface": name,
                    "PAI": pai(s, y, area),
                    "PEI*": pei(s, y, area),
                }
            )
    return pd.DataFrame(rows)


def _summary(df: pd.DataFrame, keys: list[str]) -> None:
    wide = df.pivot_table(index=keys, columns="surface", values="PAI")
    both = ((wide["risk"] > wide["last year"]) & (wide["risk"] > wide["all years"])).mean()
    print(df.groupby("surface")[["PAI", "PEI*"]].mean().round(3).to_string())
    print(f"  risk beats both baselines in {both:.0%} of {len(wide)} cases")


def bench_risk(quick: bool) -> None:
    seeds = range(3) if quick else range(6)
    print("Risk at 1% of the area, simulated (train 3 years, test the 4th, 250 m cells)")
    for drift, scale in ((0.0, 1.0), (0.5, 1.0), (0.5, 0.3)):
        df = _eval_sim(seeds, drift, scale)
        print(f" drift {drift}, scale {scale}:")
        _summary(df, ["seed"])


def bench_sample() -> None:
    from zzanalytics.spatial.grid import cell_counts, make_grid, projected
    from zzanalytics.spatial.risk import pai, pei, risk_surface
    from zzanalytics.workspace import open_store

    try:
        with open_store() as st:
            areas, allinc = st.areas(), st.incidents()
    except Exception as exc:  # the sample store is optional here
        print(f"sample store unavailable: {exc}")
        return
    grid = make_grid(areas, cell=250)
    area = projected(grid).area.to_numpy()
    rows = []
    for cat in ("theft", "theft.other", "theft.burglary", "fraud", "robbery", "assault", "traffic", "fire"):
        inc = allinc[allinc.category.str.startswith(cat)]
        when = inc.occurred_at.dt.tz_localize(None)
        for test_end in ("2022-12-31", "2023-12-31", "2024-12-31", "2025-10-31", "2026-10-31"):
            te = pd.Timestamp(test_end)
            end = te - pd.DateOffset(years=1)
            start = end - pd.DateOffset(years=3) + pd.Timedelta(days=1)
            train = inc[((when >= start) & (when < end + pd.Timedelta(days=1))).to_numpy()]
            y = cell_counts(inc, grid, start=end + pd.Timedelta(days=1), end=te)["count"].to_numpy()
            first = end - pd.DateOffset(years=1) + pd.Timedelta(days=1)
            last = cell_counts(train, grid, start=first, end=end)
            every = cell_counts(train, grid)["count"].to_numpy()
            risk = risk_surface(train, grid, end=end, horizon=365)["risk"].to_numpy()
            for name, s in (("risk", risk), ("last year", last["count"].to_numpy()), ("all years", every)):
                rows.append(
                    {
                        "category": cat,
                        "end": test_end,
                        "surface": name,
                        "PAI": pai(s, y, area),
                        "PEI*": pei(s, y, area),
                    }
                )
    df = pd.DataFrame(rows)
    print("Risk at 1% of the area, sample district (8 categories x 5 test years, 250 m cells)")
    _summary(df, ["category", "end"])
    final = df[df.end == "2026-10-31"]
    last_year = final.pivot_table(index="category", columns="surface", values=["PAI", "PEI*"])
    print(" test year 2025-11..2026-10:")
    print(last_year.round(2).to_string())


def main() -> None:
    quick = "--quick" in sys.argv
    side = 50 if quick else 100
    bench_gi(side)
    print()
    bench_ehsa(side)
    print()
    bench_risk(quick)
    print()
    bench_sample()


if __name__ == "__main__":
    main()
