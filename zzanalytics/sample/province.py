"""A fictional province for scale tests: 100 counties, their townships, tens of millions of incidents.

The province reuses the sample district's intensity model (:mod:`zzanalytics.sample.truth`,
:func:`~zzanalytics.sample.records.daily_intensity`, the calendar with its Spring Festival
dates and the negative-binomial draws of :func:`~zzanalytics.sample.records.negbin`):
each county is a district of its own size, with its own growth per category and its
own townships (12-24, shares proportional to their population). Records are drawn
county by county and written one Parquet (or CSV) file per county, so memory stays
at one county's records (~ 300 MB at the default size) whatever the number of
counties.

Codes follow the administrative division pattern: county ``62PPCC`` (prefecture
``PP``, county ``CC``), township ``62PPCCTTT``. Points are WGS-84 around each
township's seat. Output::

    OUT/
      incidents/620201.parquet ...   incident_id, occurred_at (naive local), category,
                                     area_code, lon, lat
      townships.csv                  area_code, county, name, population, lon, lat
      mappings/incidents.toml        the mapping that ingests the files
      sources.toml                   [[source]] incidents/*.parquet with that mapping
      province.json                  parameters, expected and written rows per county

Examples
--------
>>> import tempfile
>>> s = generate_province(tempfile.mkdtemp(), counties=2, scale=0.01, progress=False)
>>> s.counties, s.rows > 0, s.series > 0
(2, True, True)
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from zzanalytics.errors import ZZError
from zzanalytics.sample import truth as T  # noqa: N812
from zzanalytics.sample.records import build_calendar, daily_intensity, negbin

__all__ = ["ProvinceSummary", "expected_rows", "generate_province", "province_plan"]

PROVINCE = {"name": "陇原省 (fictional)", "code": "62", "lon": (93.0, 108.0), "lat": (33.0, 42.0)}
COUNTY_SIZE = 2.1
"""Mean county size relative to the sample district at ``scale=1`` (~ 100k records each, ~10M in all)."""

_MIN_TOWNSHIPS, _MAX_TOWNSHIPS = 12, 24
_JITTER_DEG = 0.02  # ~2 km spread of points around a township seat


@dataclass
class ProvinceSummary:
    """What :func:`generate_province` wrote."""

    out: Path
    counties: int
    townships: int
    series: int
    rows: int
    bytes: int
    seconds: float
    files: list[Path] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"province written to {self.out}: {self.counties} counties, {self.townships:,} townships, "
            f"{self.series:,} series (township x category), {self.rows:,} incidents, "
            f"{self.bytes / 1e6:,.0f} MB in {self.seconds:.0f} s"
        )


def _rng(seed: int, *key: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(7, *key))))


def province_plan(counties: int = 100, seed: int = 0) -> pd.DataFrame:
    """Townships of the province: ``area_code``, ``county``, ``name``, ``population``, ``lon``, ``lat``.

    Deterministic in ``seed``; county ``i`` depends only on ``(seed, i)``.

    Examples
    --------
    >>> p = province_plan(3)
    >>> p["county"].nunique(), bool(p["area_code"].str.fullmatch(r"62\\d{7}").all())
    (3, True)
    """
    if counties < 1 or counties > 99 * 14:
        raise ZZError(f"counties={counties}: give between 1 and {99 * 14}")
    rows = []
    for i in range(counties):
        rng = _rng(seed, 1, i)
        county = f"62{i // 8 + 1:02d}{i % 8 + 21:02d}"
        clon = rng.uniform(*PROVINCE["lon"])
        clat = rng.uniform(*PROVINCE["lat"])
        n = int(rng.integers(_MIN_TOWNSHIPS, _MAX_TOWNSHIPS + 1))
        pop = np.round(rng.lognormal(np.log(18_000), 0.6, n), -2).astype(int)
        for t in range(n):
            rows.append(
                {
                    "area_code": f"{county}{t + 1:03d}",
                    "county": county,
                    "name": f"县{i + 1:03d}乡镇{t + 1:02d}",
                    "population": int(pop[t]),
                    "lon": round(clon + rng.normal(0, 0.12), 5),
                    "lat": round(clat + rng.normal(0, 0.10), 5),
                }
            )
    return pd.DataFrame(rows)


def _county_size(pop: int) -> float:
    """Intensity multiplier of a county relative to the sample district (population ~ 430k)."""
    return COUNTY_SIZE * pop / (18_000 * 18)


def expected_rows(counties: int = 100, scale: float = 1.0, seed: int = 0) -> float:
    """Expected number of incidents the generator writes (before random variation).

    Examples
    --------
    >>> round(expected_rows(100) / 1e6)  # about ten million at scale 1
    10
    """
    cal = build_calendar(_rng(seed, 0))
    per_district = sum(float(daily_intensity(c, cal).sum()) for c in T.CATEGORIES)
    plan = province_plan(counties, seed)
    pops = plan.groupby("county")["population"].sum()
    return float(sum(_county_size(int(p)) for p in pops) * per_district * scale)


def _county_records(
    towns: pd.DataFrame,
    lam: dict[str, np.ndarray],
    cal,
    m_days: np.ndarray,
    rng: np.random.Generator,
    size: float,
) -> pd.DataFrame:
    """All records of one county (every category, every month), sorted by time."""
    n_months = len(cal.months)
    share = towns["population"].to_numpy(dtype="float64")
    share = share / share.sum()
    t_years = cal.t_years
    day0 = cal.days.to_numpy()
    parts = []
    for ci, (cat, p) in enumerate(T.CATEGORIES.items()):
        # the county's own growth: the district's rate plus a county effect
        g = (1 + p["growth"] + rng.normal(0, 0.04)) / (1 + p["growth"])
        lam_d = lam[cat] * g**t_years * size
        lam_m = np.bincount(cal.month_of_day, weights=lam_d, minlength=n_months)
        mu = lam_m[:, None] * share[None, :]
        n = negbin(rng, mu, T.OVERDISPERSION_K)  # (month, township)
        total = int(n.sum())
        if not total:
            continue
        month = np.repeat(np.repeat(np.arange(n_months), n.shape[1]), n.ravel())
        town = np.repeat(np.tile(np.arange(n.shape[1]), n_months), n.ravel())
        # day within the month in proportion to the daily intensity (inverse CDF)
        cum = np.cumsum(lam_d)
        lo = np.concatenate([[0.0], cum])[m_days[month]]
        hi = cum[m_days[month + 1] - 1]
        day = np.searchsorted(cum, lo + rng.random(total) * (hi - lo), side="right")
        day = np.minimum(day, m_days[month + 1] - 1)
        hours = np.asarray(T.HOURS[p["hours"]], dtype="float64")
        hour = rng.choice(24, size=total, p=hours / hours.sum())
        minute = rng.integers(0, 60, total)
        occurred = day0[day] + (hour * 60 + minute).astype("timedelta64[m]")
        parts.append(
            pd.DataFrame(
                {
                    "occurred_at": occurred,
                    "category": pd.Categorical.from_codes(np.full(total, ci), list(T.CATEGORIES)),
                    "town": town,
                    "lon": towns["lon"].to_numpy()[town] + rng.normal(0, _JITTER_DEG, total),
                    "lat": towns["lat"].to_numpy()[town] + rng.normal(0, _JITTER_DEG * 0.8, total),
                }
            )
        )
    fr = pd.concat(parts, ignore_index=True).sort_values(["occurred_at", "town"], kind="stable")
    county = towns["county"].iloc[0]
    codes = towns["area_code"].to_numpy()
    seq = np.char.zfill(np.arange(1, len(fr) + 1).astype(str), 8)
    return pd.DataFrame(
        {
            "incident_id": np.char.add(f"P{county}-", seq).astype(object),
            "occurred_at": fr["occurred_at"].to_numpy(),
            "category": fr["category"].astype(str).to_numpy(),
            "area_code": codes[fr["town"].to_numpy()],
            "lon": np.round(fr["lon"].to_numpy(), 6),
            "lat": np.round(fr["lat"].to_numpy(), 6),
        }
    )


_MAPPING = """# zzanalytics mapping of the province's incident files (already canonical)
[source]
table = "incidents"
timezone = "Asia/Shanghai"
crs = "wgs84"
date_floor = "2018-01-01"

[columns]
incident_id = "incident_id"
occurred_at = "occurred_at"
category = "category"
area_code = "area_code"
lon = "lon"
lat = "lat"
"""


def generate_province(
    out: str | Path = "data/province",
    *,
    counties: int = 100,
    scale: float = 1.0,
    seed: int = 0,
    fmt: str = "parquet",
    rows: int | None = None,
    progress: bool = True,
) -> ProvinceSummary:
    """Write a province of ``counties`` counties, one incidents file per county.

    Parameters
    ----------
    out : path
        Output folder (``incidents/``, ``townships.csv``, ``mappings/``, ``sources.toml``,
        ``province.json``).
    counties : int
        Number of counties (each 12-24 townships; 100 counties ~ 1,800 townships,
        ~ 20,000 township x category series).
    scale : float
        Multiplies every intensity; 1.0 gives about ten million incidents for 100 counties.
    seed : int
        Random seed; a county depends only on ``(seed, its index)``, so adding counties
        does not change the earlier ones.
    fmt : {"parquet", "csv"}
        File format of the incident files (CSV: UTF-8, ISO times).
    rows : int, optional
        Target number of incidents; overrides ``scale`` (``scale = rows / expected``).
    progress : bool
        Show a progress bar over counties.

    Returns
    -------
    ProvinceSummary

    Examples
    --------
    >>> generate_province("data/province", rows=10_000_000)  # doctest: +SKIP
    """
    if fmt not in ("parquet", "csv"):
        raise ZZError(f"fmt={fmt!r}: use 'parquet' or 'csv'")
    t0 = time.perf_counter()
    out = Path(out)
    if rows is not None:
        scale = float(rows) / expected_rows(counties, 1.0, seed)
    if scale <= 0:
        raise ZZError(f"scale={scale}: give a positive number")
    (out / "incidents").mkdir(parents=True, exist_ok=True)
    (out / "mappings").mkdir(exist_ok=True)
    plan = province_plan(counties, seed)
    cal = build_calendar(_rng(seed, 0))
    lam = {c: daily_intensity(c, cal) for c in T.CATEGORIES}
    # first day index of every month, plus the end
    m_days = np.searchsorted(cal.month_of_day, np.arange(len(cal.months) + 1))
    written, n_rows, n_bytes, per_county = [], 0, 0, {}
    groups = list(plan.groupby("county", sort=True))
    it = groups
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(groups, desc="counties", leave=False)
    for i, (county, towns) in enumerate(it):
        towns = towns.reset_index(drop=True)
        size = _county_size(int(towns["population"].sum())) * scale
        fr = _county_records(towns, lam, cal, m_days, _rng(seed, 2, i), size)
        path = out / "incidents" / f"{county}.{fmt}"
        tmp = path.with_name(path.name + ".tmp")
        if fmt == "parquet":
            fr.to_parquet(tmp, index=False, compression="zstd", row_group_size=250_000)
        else:
            fr.assign(occurred_at=fr["occurred_at"].dt.strftime("%Y-%m-%d %H:%M")).to_csv(
                tmp, index=False, encoding="utf-8"
            )
        tmp.replace(path)
        written.append(path)
        n_rows += len(fr)
        n_bytes += path.stat().st_size
        per_county[county] = len(fr)
        del fr
    plan.to_csv(out / "townships.csv", index=False, encoding="utf-8")
    (out / "mappings" / "incidents.toml").write_text(_MAPPING, encoding="utf-8")
    (out / "sources.toml").write_text(
        f'[[source]]\nfiles = ["incidents/*.{fmt}"]\nmapping = "mappings/incidents.toml"\n', encoding="utf-8"
    )
    meta = {
        "province": PROVINCE["name"],
        "counties": counties,
        "townships": len(plan),
        "series": len(plan) * len(T.CATEGORIES),
        "scale": scale,
        "seed": seed,
        "format": fmt,
        "period": [T.SAMPLE_START, T.SAMPLE_END],
        "rows": n_rows,
        "rows_per_county": per_county,
    }
    (out / "province.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False), encoding="utf-8")
    return ProvinceSummary(
        out,
        counties,
        len(plan),
        len(plan) * len(T.CATEGORIES),
        n_rows,
        n_bytes,
        time.perf_counter() - t0,
        written,
    )
