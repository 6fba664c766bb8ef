"""Known-truth tests of zzanalytics.models.compare: hand p-values, ranges, size and power by simulation.

Measured false-alarm rates (1-6月 vs last year's 1-6月, stable NB monthly series, mean 30/month,
φ = 4, α = 0.05, 12,000 series over four seeds): plain exact Poisson 0.328; deflated by φ̂ with
the t(df) correction (the default) 0.046; against the 3-year mean (scorecard default) 0.047.
Without the t(df) correction the deflated test ran at 0.058 (2,000 series). Power on a ×1.6
rise at that dispersion: 0.67 against last year, 0.82 against the 3-year mean."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from zzanalytics.errors import ModelError, SchemaError
from zzanalytics.models.compare import (
    _dispersion_fit,
    change_test,
    compare_periods,
    estimate_dispersion,
    month_on_month,
    rolling_28d,
    same_range_last_year,
    scorecard,
    year_to_date,
)
from zzanalytics.store.coverage import Coverage, CoverageWarning

COMPLETE = Coverage.complete()
"""Simulated and hand-built frames that stand for complete data say so (docs/coverage.md):
without it coverage is inferred from their records, and a few records on single days cover
only those days (no data between them), so nothing would be compared."""

ALPHA = 0.05
SEASON = 1 + 0.3 * np.cos(2 * np.pi * np.arange(12) / 12)


def _nb(rng: np.random.Generator, mu: np.ndarray, k: float) -> np.ndarray:
    return rng.negative_binomial(k, k / (k + mu))


def _records(monthly: np.ndarray, first: str, rng: np.random.Generator, **cols: str) -> pd.DataFrame:
    """Incidents spread uniformly inside their months from monthly counts."""
    starts = pd.date_range(first, periods=len(monthly), freq="MS")
    ends = starts + pd.offsets.MonthBegin(1)
    rep = np.repeat(np.arange(len(monthly)), monthly)
    span = (ends - starts).total_seconds().to_numpy()[rep]
    when = starts.to_numpy()[rep] + (rng.random(rep.size) * span * 1e9).astype("timedelta64[ns]")
    frame = pd.DataFrame({"occurred_at": pd.DatetimeIndex(when).tz_localize("Asia/Shanghai")})
    for k, v in cols.items():
        frame[k] = v
    return frame


# --------------------------------------------------------------------------- change_test by hand


def test_exact_p_values_match_scipy_and_hand():
    # 3 vs 0 with equal exposure: P(X=3)+P(X=0) under Bin(3, 1/2) = 1/8 + 1/8
    assert change_test(3, 0).p_value == pytest.approx(0.25)
    rng = np.random.default_rng(0)
    for _ in range(200):
        a, b = (int(x) for x in rng.integers(0, 300, 2))
        assert change_test(a, b).p_value == pytest.approx(stats.binomtest(a, a + b).pvalue if a + b else 1.0)
    for a, b, tc, tb in [(140, 100, 1, 1), (7, 19, 28, 31), (0, 5, 1, 1), (52, 50, 2, 1)]:
        r = change_test(a, b, tc, tb)
        ref = stats.binomtest(a, a + b, tc / (tc + tb)).pvalue
        assert r.p_value == pytest.approx(ref, rel=1e-12)
        assert r.method == "exact_poisson"


def test_rate_ratio_interval_is_clopper_pearson():
    a, b = 30, 18
    r = change_test(a, b, alpha=0.05)
    lo, hi = stats.binomtest(a, a + b).proportion_ci(0.95, method="exact")
    assert r.rate_ratio == pytest.approx(30 / 18)
    assert r.ci_low == pytest.approx(lo / (1 - lo))
    assert r.ci_high == pytest.approx(hi / (1 - hi))


def test_dispersion_deflates_to_the_binomial_of_a_over_phi():
    # φ = 2 turns 20 vs 10 into 10 of 15 trials: p = 2·P(X >= 10), X ~ Bin(15, 1/2)
    r = change_test(20, 10, dispersion=2.0)
    assert r.p_value == pytest.approx(2 * stats.binom.sf(9, 15, 0.5), rel=1e-9)
    assert r.method == "quasi_poisson"
    assert change_test(20, 10).p_value < r.p_value


def test_wheeler_z_by_hand_and_direction_words():
    r = change_test(49, 25)
    assert r.wheeler_z == pytest.approx(2 * (7 - 5))
    assert r.screen  # 4 / sqrt(2) = 2.83 > 1.96
    assert r.change == 24 and r.pct_change == pytest.approx(96.0)
    assert r.direction == "up"
    assert change_test(25, 49).direction == "down"
    small = change_test(11, 10)
    assert not small.significant and small.direction == "flat"  # 在正常波动范围内


def test_zero_base_never_inf_or_nan():
    r = change_test(12, 0)
    assert r.pct_change is None and r.rate_ratio is None and r.ci_high is None
    assert r.direction == "up"
    z = change_test(0, 0)
    assert z.p_value == 1.0 and z.direction == "flat" and z.pct_change is None
    for res in (r, z, change_test(0, 7)):
        for v in res.to_dict().values():
            assert not (isinstance(v, float) and (math.isinf(v) or math.isnan(v)))
    assert len(r.to_frame()) == 1


def test_bad_arguments_raise_model_error():
    with pytest.raises(ModelError):
        change_test(-1, 3)
    with pytest.raises(ModelError):
        change_test(1, 3, t_current=0)


# --------------------------------------------------------------------------- dispersion, size, power


def test_estimate_dispersion_recovers_phi():
    rng = np.random.default_rng(2)
    mu = np.tile(40 * SEASON, 8) * np.exp(np.log(1.1) * np.arange(96) / 12)  # trend is not noise
    est = [estimate_dispersion(rng.negative_binomial(mu / 4, 0.2)) for _ in range(40)]  # Var = 5μ
    assert np.median(est) == pytest.approx(5.0, rel=0.15)
    assert estimate_dispersion(np.ones(10)) is None  # too short
    assert estimate_dispersion(rng.poisson(mu)) < 1.6


def _false_alarms(rng: np.random.Generator, nsim: int, ratio: float = 1.0) -> tuple[float, float, float]:
    """Rates of "significant" for 1-6月 vs last year (plain, dispersion-aware) and vs the 3-year mean."""
    mu = np.tile(30 * SEASON, 8)
    mu[-12:] *= ratio
    plain = quasi = quasi3 = 0
    for _ in range(nsim):
        y = _nb(rng, mu, 10.0)  # φ = 4
        a, b = y[-12:-6].sum(), y[-24:-18].sum()  # 1-6月 vs last year's 1-6月
        b3 = sum(y[-12 * j - 12 : -12 * j - 6].sum() for j in (1, 2, 3))
        phi, df = _dispersion_fit(y[:-24])
        phi3, df3 = _dispersion_fit(y[:-48])
        plain += change_test(a, b).significant
        quasi += change_test(a, b, dispersion=phi, dispersion_df=df).significant
        quasi3 += change_test(a, b3, 1, 3, dispersion=phi3, dispersion_df=df3).significant
    return plain / nsim, quasi / nsim, quasi3 / nsim


def test_false_alarm_rate_plain_vs_dispersion_aware():
    nsim = 1500
    plain, quasi, quasi3 = _false_alarms(np.random.default_rng(11), nsim)
    se = math.sqrt(ALPHA * (1 - ALPHA) / nsim)
    print(f"false alarms (alpha={ALPHA}): plain {plain:.3f}, with phi {quasi:.3f}, 3-year {quasi3:.3f}")
    assert plain > 0.2  # the plain Poisson test cries wolf on overdispersed counts
    assert quasi <= ALPHA + 3 * se
    assert quasi3 <= ALPHA + 3 * se


def test_power_on_a_planted_rise():
    _, power, power3 = _false_alarms(np.random.default_rng(12), 400, ratio=1.6)
    print(f"power on x1.6 (phi=4, mean 30/month): last year {power:.3f}, 3-year mean {power3:.3f}")
    assert power >= 0.55
    assert power3 >= 0.7


def test_compare_periods_end_to_end_size_and_power():
    rng = np.random.default_rng(5)
    stable_flags, rise_flags, methods = 0, 0, set()
    n = 60
    for _ in range(n):
        mu = np.tile(25 * SEASON, 8)[:94]  # 2019-01 .. 2026-10
        flat = _records(_nb(rng, mu, 8.0), "2019-01-01", rng, category="theft.other", area_code="A")
        mu_up = mu.copy()
        mu_up[84:] *= 1.8
        up = _records(_nb(rng, mu_up, 8.0), "2019-01-01", rng, category="fraud.telecom", area_code="A")
        # complete by construction; inference would call the rare one-record month of an NB
        # series with phi = 4 a gap (2 of these 60 runs: no data there, never a zero)
        both = pd.concat([flat, up])
        r = compare_periods(both, "2026-01-01", "2026-06-30", by=["category"], level=1, coverage=COMPLETE)
        r = r.set_index("category")
        stable_flags += bool(r.loc["theft", "significant"])
        rise_flags += r.loc["fraud", "direction"] == "up"
        methods |= set(r["method"])
    assert methods == {"quasi_poisson"}
    assert stable_flags / n <= ALPHA + 3 * math.sqrt(ALPHA * (1 - ALPHA) / n)
    assert rise_flags / n >= 0.8


# --------------------------------------------------------------------------- compare_periods mechanics


def test_ranges_leap_day_iso_weeks_previous():
    assert same_range_last_year("2024-02-29", "2024-02-29") == (pd.Timestamp("2023-02-28"),) * 2
    assert same_range_last_year("2025-01-01", "2025-02-28")[1] == pd.Timestamp("2024-02-29")
    # ISO week 1 of 2026 is 2025-12-29 .. 2026-01-04; week 1 of 2025 is 2024-12-30 .. 2025-01-05
    assert same_range_last_year("2025-12-29", "2026-01-04") == (
        pd.Timestamp("2024-12-30"),
        pd.Timestamp("2025-01-05"),
    )
    # week 53 of 2020 maps to week 52 of 2019
    assert same_range_last_year("2020-12-28", "2021-01-03")[0] == pd.Timestamp("2019-12-23")
    # a whole calendar month that happens to run Monday..Sunday stays a calendar month
    assert same_range_last_year("2027-02-01", "2027-02-28") == (
        pd.Timestamp("2026-02-01"),
        pd.Timestamp("2026-02-28"),
    )
    assert year_to_date("2026-06-30") == (pd.Timestamp("2026-01-01"), pd.Timestamp("2026-06-30"))


def test_three_year_baseline_is_the_mean_of_three_same_ranges():
    when = ["2023-03-01"] * 6 + ["2024-02-29"] * 9 + ["2025-03-01"] * 12 + ["2026-03-01"] * 20
    when += ["2022-03-01"] * 50  # outside every range
    inc = pd.DataFrame({"occurred_at": pd.to_datetime(when)})
    r = compare_periods(
        inc, "2026-01-01", "2026-06-30", baseline="last_3_years", history=False, coverage=COMPLETE
    )
    assert r.loc[0, "baseline"] == pytest.approx(9.0) and r.loc[0, "baseline_years"] == 3
    assert r.loc[0, "pct_change"] == pytest.approx(100 * (20 - 9) / 9)
    assert r.loc[0, "p_value"] == pytest.approx(stats.binomtest(20, 47, 0.25).pvalue)
    assert (r.loc[0, "baseline_start"], r.loc[0, "baseline_end"]) == (
        pd.Timestamp("2023-01-01"),
        pd.Timestamp("2025-06-30"),
    )


def test_compare_periods_counts_keys_and_zero_rows():
    rows = (
        [("2025-03-05", "theft.burglary", "A")] * 4
        + [("2026-03-05", "theft.burglary", "A")] * 9
        + [("2026-04-01", "fire", "B")] * 3
        + [("2026-07-01", "fire", "B")] * 50  # outside both ranges
    )
    inc = pd.DataFrame(rows, columns=["occurred_at", "category", "area_code"])
    inc["occurred_at"] = pd.to_datetime(inc["occurred_at"]).dt.tz_localize("Asia/Shanghai")
    r = compare_periods(
        inc, "2026-01-01", "2026-06-30", by=["category", "area_code"], level=1, coverage=COMPLETE
    )
    assert len(r) == 4  # complete grid: {fire, theft} × {A, B}
    cell = r.set_index(["category", "area_code"])
    assert cell.loc[("theft", "A"), ["current", "baseline", "change"]].tolist() == [9, 4, 5]
    assert cell.loc[("theft", "A"), "pct_change"] == pytest.approx(125.0)
    assert cell.loc[("fire", "B"), "pct_change"] is None  # 去年同期为0
    assert cell.loc[("fire", "A"), ["current", "baseline"]].tolist() == [0, 0]
    assert (r["method"] == "exact_poisson").all()  # no history before 2025
    assert r["baseline_start"].iloc[0] == pd.Timestamp("2025-01-01")
    numeric = r.select_dtypes("number")
    assert not np.isinf(numeric.to_numpy(dtype=float)).any()
    expected = [
        "category", "area_code", "current", "baseline", "change", "pct_change", "p_value", "significant",
        "direction", "method", "current_start", "current_end", "baseline_start", "baseline_end",
    ]  # fmt: skip
    assert list(r.columns[: len(expected)]) == expected


def test_previous_month_on_month_and_rolling_use_day_exposures():
    inc = pd.DataFrame({"occurred_at": pd.to_datetime(["2026-02-10"] * 28 + ["2026-01-10"] * 31)})
    r = month_on_month(inc, "2026-02-15", history=False, coverage=COMPLETE)
    assert r.loc[0, "baseline_start"] == pd.Timestamp("2026-01-01")
    assert r.loc[0, "change"] == pytest.approx(0.0)  # 1 a day both months
    prev = compare_periods(
        inc, "2026-02-01", "2026-02-28", baseline="previous", history=False, coverage=COMPLETE
    )
    assert prev.loc[0, "baseline_start"] == pd.Timestamp("2026-01-04")
    roll = rolling_28d(inc, "2026-02-28", history=False, coverage=COMPLETE)
    assert roll.loc[0, "current_start"] == pd.Timestamp("2026-02-01")
    with pytest.raises(SchemaError, match="baseline"):
        compare_periods(inc, "2026-02-01", "2026-02-28", baseline="lastyear")


def test_empty_frames_and_history_sources():
    empty = pd.DataFrame(
        {"occurred_at": pd.Series([], dtype="datetime64[ns, Asia/Shanghai]"), "category": [], "area_code": []}
    )
    # an empty frame said to be complete: zeros; without coverage: nothing covers anything, no data
    r = compare_periods(empty, "2026-01-01", "2026-06-30", coverage=COMPLETE)
    assert r.loc[0, ["current", "baseline", "p_value", "direction"]].tolist() == [0, 0, 1.0, "flat"]
    with pytest.warns(CoverageWarning, match="compare_periods"):
        r = compare_periods(empty, "2026-01-01", "2026-06-30")
    assert r.loc[0, ["direction", "method", "coverage"]].tolist() == ["no_data", "no_data", "inferred"]
    assert np.isnan(r.loc[0, "current"]) and np.isnan(r.loc[0, "baseline"])
    assert compare_periods(
        empty, "2026-01-01", "2026-06-30", by=["category"], fdr=True, coverage=COMPLETE
    ).empty
    sc = scorecard(empty, "2026-01-01", "2026-06-30", areas=["A"], categories=("fire",), coverage=COMPLETE)
    assert sc[["area_code", "category", "current"]].values.tolist() == [["A", "fire", 0]]
    with pytest.warns(CoverageWarning, match="scorecard"):
        sc = scorecard(empty, "2026-01-01", "2026-06-30", areas=["A"], categories=("fire",))
    assert sc["direction"].tolist() == ["no_data"] and sc["current"].isna().all()
    rng = np.random.default_rng(0)
    days = pd.to_timedelta(rng.integers(0, 7 * 365, 3000), unit="D")
    inc = pd.DataFrame({"occurred_at": pd.Timestamp("2019-01-01") + days, "category": "fire"})
    from zzanalytics.aggregate import counts

    hist = counts(inc, by=("category",), end="2024-12-31")
    by_frame = compare_periods(inc, "2025-01-01", "2025-06-30", by=["category"], history=hist)
    assert by_frame.loc[0, "method"].startswith("quasi_poisson")
    fixed = compare_periods(inc, "2025-01-01", "2025-06-30", history=2.5)
    assert fixed.loc[0, "dispersion"] == 2.5 and fixed.loc[0, "method"] == "quasi_poisson"
    with pytest.raises(SchemaError, match="history"):
        compare_periods(inc, "2025-01-01", "2025-06-30", history="yes")


def test_petition_persons_are_tested_as_clustered():
    # Same batches both years; one collective batch of 50 persons drives the persons' rise.
    base = pd.DataFrame({"received_on": pd.to_datetime(["2025-02-01"] * 10), "persons": 1})
    cur = pd.DataFrame({"received_on": pd.to_datetime(["2026-02-01"] * 10), "persons": [1] * 9 + [50]})
    pet = pd.concat([base, cur], ignore_index=True)
    r = compare_periods(pet, "2026-01-01", "2026-06-30", weight="persons", history=False, coverage=COMPLETE)
    got = r.loc[0, ["current", "baseline", "current_batches", "baseline_batches"]].tolist()
    assert got == [59, 10, 10, 10]
    assert r.loc[0, "method"] == "compound_poisson"
    assert not r.loc[0, "significant"]  # a plain Poisson test would call 59 vs 10 a real rise
    assert change_test(59, 10).significant


def test_fdr_matches_statsmodels_bh():
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(3)
    rows = []
    for i in range(12):
        n_base, n_cur = 20, (60 if i == 0 else int(rng.poisson(20)))
        rows += [("2025-02-01", f"a{i:02d}")] * n_base + [("2026-02-01", f"a{i:02d}")] * n_cur
    inc = pd.DataFrame(rows, columns=["occurred_at", "area_code"])
    inc["occurred_at"] = pd.to_datetime(inc["occurred_at"])
    r = compare_periods(
        inc, "2026-01-01", "2026-06-30", by=["area_code"], fdr=True, history=False, coverage=COMPLETE
    )
    reject, q, _, _ = multipletests(r["p_value"], alpha=ALPHA, method="fdr_bh")
    assert np.allclose(r["q_value"], q) and (r["significant"] == reject).all()
    assert r.set_index("area_code").loc["a00", "direction"] == "up"


def test_scorecard_flags_the_planted_township_only():
    rng = np.random.default_rng(8)
    parts = []
    for i in range(8):
        area = f"62010200{i}"
        for cat, mean in (("theft.burglary", 10.0), ("fraud.telecom", 10.0), ("fire", 2.0)):
            mu = np.tile(mean * SEASON, 8)[:90]  # 2019-01 .. 2026-06
            if area == "620102003" and cat == "theft.burglary":
                mu[84:] *= 3.0  # 2026: 1-6月 burglary tripled in one township
            parts.append(_records(_nb(rng, mu, 6.0), "2019-01-01", rng, category=cat, area_code=area))
    inc = pd.concat(parts, ignore_index=True)
    # no coverage given: inferred from the records, which hold no robbery, assault or traffic
    # (the default categories): those cells are no data, not zero, and left out of the FDR
    with pytest.warns(CoverageWarning, match="scorecard"):
        sc = scorecard(inc, "2026-01-01", "2026-06-30", areas=["620102009"])
    assert set(sc["area_code"]) == {f"62010200{i}" for i in range(10)} - {"620102008"}
    assert len(sc) == 9 * 7
    absent = sc["category"].isin(["robbery", "assault", "traffic"])
    assert (sc.loc[absent, "direction"] == "no_data").all() and sc.loc[absent, "q_value"].isna().all()
    assert (sc.loc[~absent, "method"] != "no_data").all() and (sc["coverage"] == "inferred").all()
    flagged = sc[sc["significant"]]
    assert set(zip(flagged["area_code"], flagged["category"], strict=True)) <= {
        ("620102003", "theft.burglary"),
        ("620102003", "theft"),
    }
    assert ("620102003", "theft.burglary") in set(zip(flagged["area_code"], flagged["category"], strict=True))
    assert (flagged["direction"] == "up").all()
    tested = sc[~absent]
    assert (tested["q_value"] >= tested["p_value"] - 1e-12).all()


# --------------------------------------------------------------------------- the sample district


@pytest.fixture(scope="module")
def sample(sample_store):
    import json

    from zzanalytics.config import sample_dir

    manifest = json.loads((sample_dir() / "manifest.json").read_text(encoding="utf-8"))
    return sample_store.incidents(), sample_store.areas(), manifest, sample_store


def test_sample_scorecard_flags_the_planted_township_and_no_stable_series(sample):
    inc, areas, manifest, store = sample
    rising = manifest["rising"]
    year, first, last = rising["year"], *rising["months"].split("-")
    start, end = f"{year}-{first}-01", (pd.Timestamp(f"{year}-{last}-01") + pd.offsets.MonthEnd(0)).date()
    stable = {(s["area_code"], s["category"]) for s in manifest["stable_series"]}
    cats = ("theft", "fraud", "theft.burglary", "robbery", "assault", "traffic", "fire")
    cats += tuple(sorted({c for _, c in stable}))
    sc = scorecard(inc, start, end, areas=areas, categories=cats, coverage=store)
    assert len(sc) == len(areas) * len(cats)
    cell = sc.set_index(["area_code", "category"])
    planted = cell.loc[(rising["area_code"], rising["category"])]
    assert bool(planted["significant"]) and planted["direction"] == "up", planted
    for key in stable:
        assert not bool(cell.loc[key, "significant"]), cell.loc[key]
    # every flag is a rise the manifest planted: the burglary township, the emerging theft hot spot,
    # fraud growth (+25 %/year) and the 2026 fire surge
    flagged = sc[sc["significant"]]
    explained = {(rising["area_code"], "theft.burglary"), (rising["area_code"], "theft")}
    explained |= {(manifest["emerging_hotspot"]["area_code"], "theft")}
    for _, r in flagged.iterrows():
        assert (r["area_code"], r["category"]) in explained or r["category"] in ("fraud", "fire"), r
    assert (flagged["direction"] == "up").all()


def test_sample_same_period_comparisons(sample):
    inc, _, manifest, store = sample
    r = compare_periods(inc, "2026-01-01", "2026-10-31", by=["category"], level=1, coverage=store)
    r = r.set_index("category")
    assert (r["method"].str.startswith("quasi_poisson")).all()
    assert r.loc["fraud", "direction"] == "up" and r.loc["fire", "direction"] == "up"  # planted growth, surge
    for s in manifest["stable_series"]:
        sub = inc[(inc["category"] == s["category"]) & (inc["area_code"] == s["area_code"])]
        for baseline in ("last_year", "last_3_years"):
            one = compare_periods(sub, "2026-01-01", "2026-10-31", baseline=baseline, coverage=store)
            assert one.loc[0, "direction"] == "flat", (s, baseline, one.T)
