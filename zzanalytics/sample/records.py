"""Incident records of the sample district, drawn month by month from the intensity model.

See :mod:`zzanalytics.sample.truth` for the model. This module turns it into
daily intensities (:class:`Calendar`, :func:`daily_intensity`), spatial pools
per category (:class:`SpacePool`) and monthly record frames
(:func:`month_records`), so that any scale streams to disk month by month.
"""

from __future__ import annotations

from dataclasses import dataclass

import holidays as _holidays
import numpy as np
import pandas as pd
import shapely

from zzanalytics.sample import truth as T  # noqa: N812
from zzanalytics.sample.geography import Geography, to_lonlat

POOL_SIZE = 40_000


@dataclass
class Calendar:
    """Days of the sample, their months, Spring Festival dates and snow days."""

    days: pd.DatetimeIndex
    months: pd.DatetimeIndex
    month_of_day: np.ndarray  # month index per day
    spring_festival: dict[int, pd.Timestamp]
    snow: np.ndarray  # bool per day

    @property
    def t_years(self) -> np.ndarray:
        """Years since the start, per day."""
        return (self.days - self.days[0]).days.to_numpy() / 365.25


def spring_festival_dates(years: range) -> dict[int, pd.Timestamp]:
    """Chinese New Year (正月初一) per year from the ``holidays`` package's China calendar.

    Examples
    --------
    >>> {y: d.strftime("%m-%d") for y, d in spring_festival_dates(range(2025, 2027)).items()}
    {2025: '01-29', 2026: '02-17'}
    """
    cal = _holidays.China(years=years, language="en_US")
    out: dict[int, pd.Timestamp] = {}
    for day, name in sorted(cal.items()):
        if "Spring Festival" in name and "observed" not in name and day.year not in out:
            out[day.year] = pd.Timestamp(day)
    return out


def build_calendar(rng: np.random.Generator) -> Calendar:
    """Days 2019-01-01 .. SAMPLE_END with Spring Festival dates and drawn snow days."""
    days = pd.date_range(T.SAMPLE_START, T.SAMPLE_END, freq="D")
    months = pd.date_range(T.SAMPLE_START, T.SAMPLE_END, freq="MS")
    month_of_day = ((days.year - 2019) * 12 + days.month - 1).to_numpy()
    winter = np.isin(days.month, [12, 1, 2])
    snow = winter & (rng.random(len(days)) < T.SNOW_DAY_PROBABILITY)
    return Calendar(days, months, month_of_day, spring_festival_dates(range(2019, 2028)), snow)


def _holiday_factor(cat: str, cal: Calendar) -> np.ndarray:
    f = np.ones(len(cal.days))
    days = cal.days
    h = T.HOLIDAYS.get(cat, {})
    for sf in cal.spring_festival.values():
        off = (days - sf).days.to_numpy()
        if cat == "fire":
            f[off == -1] *= h["spring_festival_eve"]
            f[off == 0] *= h["spring_festival_day"]
            f[(off >= 1) & (off <= 5)] *= h["days_2_to_6"]
            f[off == 14] *= h["lantern_festival"]
        elif cat == "theft.burglary":
            f[(off >= -10) & (off <= 7)] *= h["spring_festival_minus10_to_plus7"]
        elif cat.startswith("traffic"):
            f[(off >= -15) & (off <= 24)] *= h["chunyun_minus15_to_plus24"]
    if cat.startswith("traffic"):
        nd = (days.month == 10) & (days.day <= 7)
        f[nd] *= h["national_day_oct1_7"]
        f[cal.snow] *= h["snow_day"]
        f[np.isin(days.dayofweek, [4, 5])] *= h["friday_saturday"]
    return f


def daily_intensity(cat: str, cal: Calendar) -> np.ndarray:
    """Expected district count per day for ``cat`` (before township steps).

    Examples
    --------
    >>> cal = build_calendar(np.random.default_rng(0))
    >>> lam = daily_intensity("fraud.other", cal)
    >>> round(float(lam[:365].sum()))
    150
    """
    p = T.CATEGORIES[cat]
    t = cal.t_years
    doy = cal.days.dayofyear.to_numpy()
    peak = (p["peak_month"] - 0.5) * 365.25 / 12
    season = np.exp(p["amp"] * np.cos(2 * np.pi * (doy - peak) / 365.25))
    return p["base"] / 365.25 * (1 + p["growth"]) ** t * season * _holiday_factor(cat, cal)


@dataclass
class SpacePool:
    """Points drawn from one category's spatial mixture, grouped by township."""

    x: np.ndarray
    y: np.ndarray
    lon: np.ndarray  # WGS-84
    lat: np.ndarray
    area: np.ndarray  # township index
    street: np.ndarray  # street index or -1
    zone: np.ndarray  # zone index or -1
    by_area: list[np.ndarray]

    @property
    def shares(self) -> np.ndarray:
        """Share of the density per township."""
        n = np.array([len(ix) for ix in self.by_area], dtype="float64")
        return n / n.sum()


def _along(rng: np.random.Generator, lines: list, n: int, sd: float) -> tuple[np.ndarray, ...]:
    lengths = np.array([ln.length for ln in lines])
    which = rng.choice(len(lines), size=n, p=lengths / lengths.sum())
    x = np.empty(n)
    y = np.empty(n)
    for i, ln in enumerate(lines):
        sel = np.flatnonzero(which == i)
        if not len(sel):
            continue
        d = rng.uniform(0, ln.length, len(sel))
        p0 = shapely.get_coordinates(shapely.line_interpolate_point(ln, d))
        p1 = shapely.get_coordinates(shapely.line_interpolate_point(ln, np.minimum(d + 1.0, ln.length)))
        tx, ty = (p1 - p0).T
        norm = np.hypot(tx, ty)
        norm[norm == 0] = 1.0
        off = rng.normal(0, sd, len(sel))
        x[sel] = p0[:, 0] - ty / norm * off
        y[sel] = p0[:, 1] + tx / norm * off
    return x, y, which


def _in_polys(rng: np.random.Generator, polys: list, weights: np.ndarray, n: int) -> tuple[np.ndarray, ...]:
    which = rng.choice(len(polys), size=n, p=weights / weights.sum())
    x = np.empty(n)
    y = np.empty(n)
    for i, poly in enumerate(polys):
        sel = np.flatnonzero(which == i)
        got = 0
        minx, miny, maxx, maxy = poly.bounds
        while got < len(sel):
            m = (len(sel) - got) * 3 + 16
            cx = rng.uniform(minx, maxx, m)
            cy = rng.uniform(miny, maxy, m)
            ok = shapely.contains_xy(poly, cx, cy)
            take = min(int(ok.sum()), len(sel) - got)
            x[sel[got : got + take]] = cx[ok][:take]
            y[sel[got : got + take]] = cy[ok][:take]
            got += take
    return x, y, which


def _component(rng: np.random.Generator, geo: Geography, comp: str, n: int) -> tuple[np.ndarray, ...]:
    """Draw n points of one mixture component: x, y, street index, zone index."""
    none = np.full(n, -1)
    kind, _, arg = comp.partition(":")
    if kind == "pop":
        pops = np.array([a["population"] for a in geo.areas], dtype="float64")
        x, y, _ = _in_polys(rng, [a["geom"] for a in geo.areas], pops, n)
        return x, y, none, none
    if kind == "zone":
        idx = [i for i, z in enumerate(geo.zones) if z["kind"] == arg]
        polys = [geo.zones[i]["geom"] for i in idx]
        x, y, w = _in_polys(rng, polys, np.array([p.area for p in polys]), n)
        return x, y, none, np.array(idx)[w]
    if kind in ("main", "secondary", "roads"):
        if kind == "roads":
            sd_s, _, names = arg.partition(":")
            idx = [i for i, s in enumerate(geo.streets) if s["name"] in names.split(",")]
        else:
            sd_s = arg
            idx = [i for i, s in enumerate(geo.streets) if s["class"] == kind]
        x, y, w = _along(rng, [geo.streets[i]["geom"] for i in idx], n, float(sd_s))
        return x, y, np.array(idx)[w], none
    if kind == "hot":
        h = T.EMERGING if arg == T.EMERGING["id"] else T.HOTSPOTS[arg]
        cx, cy = h["xy"]
        return cx + rng.normal(0, h["sigma_m"], n), cy + rng.normal(0, h["sigma_m"], n), none, none
    raise ValueError(f"unknown spatial component {comp!r}")


def build_pool(
    rng: np.random.Generator, geo: Geography, mixture: list[tuple[str, float]], size: int = POOL_SIZE
) -> SpacePool:
    """Draw ``size`` points from a spatial mixture, keep those inside the district."""
    w = np.array([m[1] for m in mixture])
    counts = rng.multinomial(int(size * 1.05), w / w.sum())
    parts = [_component(rng, geo, comp, int(k)) for (comp, _), k in zip(mixture, counts, strict=True) if k]
    x, y, st, zo = (np.concatenate([p[i] for p in parts]) for i in range(4))
    area = geo.area_of_points(x, y)
    keep = area >= 0
    order = rng.permutation(int(keep.sum()))
    x, y, st, zo, area = (v[keep][order] for v in (x, y, st, zo, area))
    lon, lat = to_lonlat(x, y)
    by_area = [np.flatnonzero(area == i) for i in range(len(geo.areas))]
    return SpacePool(x, y, lon, lat, area, st, zo, by_area)


def category_mixtures(cat: str) -> list[tuple[str, list[tuple[str, float]]]]:
    """Spatial regimes of a category: [(start date, mixture)], the first from the sample start."""
    mix = list(T.CATEGORIES[cat]["space"])
    regimes = [(T.SAMPLE_START, mix)]
    if cat == T.EMERGING["category"]:
        s = T.EMERGING["share"]
        regimes.append((T.EMERGING["start"], [(c, w * (1 - s)) for c, w in mix] + [("hot:E1", s)]))
    return regimes


@dataclass
class CategoryModel:
    """Everything needed to draw one category's records for any month."""

    cat: str
    lam: np.ndarray  # daily district intensity
    regimes: list[tuple[pd.Timestamp, SpacePool]]
    steps: np.ndarray  # (months, areas) multiplier

    def pool_for(self, month: pd.Timestamp) -> SpacePool:
        """Spatial pool in force in ``month``."""
        pool = self.regimes[0][1]
        for start, p in self.regimes:
            if month >= start:
                pool = p
        return pool

    def expected(self, cal: Calendar) -> np.ndarray:
        """Expected counts per (month, township)."""
        n_m = len(cal.months)
        lam_m = np.bincount(cal.month_of_day, weights=self.lam, minlength=n_m)
        shares = np.vstack([self.pool_for(m).shares for m in cal.months])
        return lam_m[:, None] * shares * self.steps


def build_category(cat: str, cal: Calendar, geo: Geography, rng: np.random.Generator) -> CategoryModel:
    """Intensity, spatial pools and township steps of one category."""
    regimes = [(pd.Timestamp(start), build_pool(rng, geo, mix)) for start, mix in category_mixtures(cat)]
    steps = np.ones((len(cal.months), len(geo.areas)))
    if cat == T.RISING["category"]:
        a = geo.codes.index(T.RISING["area_code"])
        steps[cal.months >= pd.Timestamp(T.RISING["from"]), a] *= T.RISING["multiplier"]
    if cat == T.FIRE_SURGE["category"]:
        steps[cal.months >= pd.Timestamp(T.FIRE_SURGE["from"]), :] *= T.FIRE_SURGE["multiplier"]
    return CategoryModel(cat, daily_intensity(cat, cal), regimes, steps)


def negbin(rng: np.random.Generator, mu: np.ndarray, k: float) -> np.ndarray:
    """Negative-binomial draws with mean ``mu`` and size ``k`` (variance mu + mu^2/k)."""
    mu = np.asarray(mu, dtype="float64")
    out = np.zeros(mu.shape, dtype=np.int64)
    pos = mu > 0
    out[pos] = rng.negative_binomial(k, k / (k + mu[pos]))
    return out


def _chain_mean() -> float:
    lo, hi = T.NEAR_REPEAT["offspring"]
    return T.NEAR_REPEAT["share"] * (lo + hi) / 2


def _weekend_nights(
    day: np.ndarray, day_ix: np.ndarray, lam_days: np.ndarray, cal: Calendar, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """RHYTHM: move a share of the draws to Friday-Sunday nights; returns (day, hour in hours)."""
    r = T.RHYTHM
    n = len(day)
    hour = np.full(n, np.nan)
    wd = cal.days[day_ix].dayofweek.to_numpy()
    nights = np.isin(wd, r["days"])
    move = rng.random(n) < r["share"]
    if nights.any() and move.any():
        w = lam_days * nights
        day = day.copy()
        day[move] = rng.choice(day_ix, size=int(move.sum()), p=w / w.sum())
        hour[move] = r["first_hour"] + rng.uniform(0, r["hours"], int(move.sum()))
    return day, hour


def _chains(
    frame: pd.DataFrame, pool: SpacePool, rng: np.random.Generator, end: pd.Timestamp
) -> pd.DataFrame:
    """NEAR_REPEAT: follow-up burglaries near (pool points within distance_m) and soon after."""
    from scipy.spatial import cKDTree

    nr = T.NEAR_REPEAT
    parents = np.flatnonzero(rng.random(len(frame)) < nr["share"])
    if not len(parents):
        return frame
    lo, hi = nr["offspring"]
    k = rng.integers(lo, hi + 1, len(parents))
    src = np.repeat(parents, k)
    tree = getattr(pool, "_tree", None)
    if tree is None:
        tree = cKDTree(np.column_stack([pool.x, pool.y]))
        pool._tree = tree
    ppt = frame["pt"].to_numpy()[src]
    near = tree.query_ball_point(np.column_stack([pool.x[ppt], pool.y[ppt]]), r=nr["distance_m"])
    pt = np.array([c[int(rng.integers(0, len(c)))] for c in near], dtype=np.int64)
    days = np.minimum(rng.exponential(nr["mean_days"], len(src)), nr["max_days"])
    when = frame["occurred_at"].to_numpy()[src] + (days * 86400).astype("timedelta64[s]")
    kids = pd.DataFrame({"occurred_at": when, "area": pool.area[pt], "pt": pt})
    kids = kids[kids["occurred_at"] <= end]
    kids["occurred_at"] = kids["occurred_at"].dt.floor("min")
    return pd.concat([frame, kids], ignore_index=True)


def month_records(
    model: CategoryModel, cal: Calendar, m: int, rng: np.random.Generator, scale: float = 1.0
) -> pd.DataFrame:
    """Draw month ``m``'s records of one category.

    Returns a frame with ``occurred_at`` (naive local), ``area`` (township index),
    ``pt`` (index into the month's pool) and ``category``. Burglary carries the planted
    weekend-night rhythm (``truth.RHYTHM``) and near-repeat chains (``truth.NEAR_REPEAT``).
    """
    month = cal.months[m]
    pool = model.pool_for(month)
    day_ix = np.flatnonzero(cal.month_of_day == m)
    lam_days = model.lam[day_ix]
    mu = lam_days.sum() * pool.shares * model.steps[m] * scale
    chained = model.cat == T.NEAR_REPEAT["category"]
    if chained:
        mu = mu / (1.0 + _chain_mean())
    n_area = negbin(rng, mu, T.OVERDISPERSION_K)
    n = int(n_area.sum())
    area = np.repeat(np.arange(len(n_area)), n_area)
    day = rng.choice(day_ix, size=n, p=lam_days / lam_days.sum())
    hours = np.asarray(T.HOURS[T.CATEGORIES[model.cat]["hours"]], dtype="float64")
    hour = rng.choice(24, size=n, p=hours / hours.sum())
    minute = rng.integers(0, 60, n)
    pt = np.empty(n, dtype=np.int64)
    start = 0
    for a, k in enumerate(n_area):
        if k:
            pt[start : start + k] = pool.by_area[a][rng.integers(0, len(pool.by_area[a]), k)]
            start += k
    occurred = cal.days[day].to_numpy() + (hour * 60 + minute).astype("timedelta64[m]")
    if model.cat == T.RHYTHM["category"]:
        day, night = _weekend_nights(day, day_ix, lam_days, cal, rng)
        moved = np.isfinite(night)
        occurred[moved] = cal.days[day[moved]].to_numpy() + np.round(night[moved] * 60).astype(
            "timedelta64[m]"
        )
    # Spring Festival eve fires cluster around midnight fireworks
    if model.cat == "fire":
        eves = {sf - pd.Timedelta(days=1) for sf in cal.spring_festival.values()}
        on_eve = np.isin(cal.days[day], list(eves))
        late = rng.random(n) < 0.6
        sel = on_eve & late
        occurred[sel] = (
            cal.days[day][sel].to_numpy()
            + np.timedelta64(23, "h")
            + rng.integers(0, 60, int(sel.sum())).astype("timedelta64[m]")
        )
    frame = pd.DataFrame({"occurred_at": occurred, "area": area, "pt": pt})
    if chained:
        frame = _chains(frame, pool, rng, pd.Timestamp(T.SAMPLE_END) + pd.Timedelta(hours=23, minutes=59))
    frame["category"] = model.cat
    return frame
