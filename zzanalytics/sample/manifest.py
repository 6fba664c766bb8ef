"""``manifest.json``: the planted truths of the sample, machine-readable, in WGS-84.

Top-level keys
--------------
``about``             what the file is and how the records were drawn (the model in words)
``seed``, ``scale``, ``start``, ``end``   generation parameters; records run start..end inclusive
``crs``               truths are WGS-84 (EPSG:4326); every export carries GCJ-02
``district``          name, code, city, province, population, bbox (WGS-84)
``areas``             townships: area_code, name, name_en, kind (street/town/township), population
``overdispersion``    negative-binomial size K of counts per category x township x month
``categories``        per category code: base (2019 level), growth (true annual growth rate), log_slope
                      (= ln(1 + growth) per year), seasonal_amplitude (log scale; peak/trough = exp(2A)),
                      peak_month, spatial mixture, expected counts per year (model), township shares
``spring_festival``   per year: date of 正月初一 and its month (1 or 2), from the ``holidays`` package
``holidays``          holiday and weather multipliers per category; ``snow_days`` the drawn snow/ice days
``hotspots``          stable hotspots: id, category, name, lon, lat, sigma_m, share
``emerging_hotspot``  category, lon, lat, sigma_m, share, start (first month it exists)
``rising``            township whose burglary rose: area_code, year, months, multiplier, expected counts
                      Jan-Oct of the year before and of the year, and their ratio
``fire_surge``        district-wide 2026 step of fires
``near_repeat``       burglary chains: share of burglaries starting one, follow-ups, distance_m, mean/max days
``rhythm``            burglary's weekend nights: weekdays (0 = Monday), first_hour, hours, share
``time_windows``      burglaries recorded with a time window (发案起始/终止时间): share, length range in hours
``stable_series``     category x township with no trend, no seasonality, no step, no planted hotspot
``zones``             rental_housing_area_share (of the district) and burglary share inside rental zones
``vehicle_theft``     expected share of vehicle thefts within 100 m of a main street
``cameras``           counts, gaps (uncovered main-street stretches, WGS-84 end points), broken
``petitions``, ``disputes``  generation parameters and counts
``targets``           the ceilings written to the targets export
``notable``           the accidents the speech names
``files``             rows per export
``dirty``             every planted dirty row: file, row (1-based data row), line (header = 1), kind,
                      id, outcome (quarantined | duplicate | location_cleared | accepted),
                      reason, detail
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from zzanalytics.sample import truth as T  # noqa: N812
from zzanalytics.sample.geography import DISTRICT, to_lonlat


def _ll(xy: tuple[float, float]) -> tuple[float, float]:
    lon, lat = to_lonlat(np.array([xy[0]]), np.array([xy[1]]))
    return round(float(lon[0]), 6), round(float(lat[0]), 6)


def _r(v: float, d: int = 4) -> float:
    return round(float(v), d)


def build_manifest(*, geo, cal, models, expected, cams, pet, targets, dirt, files, seed, scale) -> dict:
    """Assemble the manifest dictionary (see the module docstring for the keys)."""
    years = cal.months.year
    minx, miny, maxx, maxy = geo.outline.bounds
    lo0, la0 = _ll((minx, miny))
    lo1, la1 = _ll((maxx, maxy))
    cats = {}
    for c, p in T.CATEGORIES.items():
        e = expected[c]
        cats[c] = {
            "base": p["base"],
            "growth": p["growth"],
            "log_slope": _r(np.log1p(p["growth"]), 6),
            "seasonal_amplitude": p["amp"],
            "peak_month": p["peak_month"],
            "space": [{"component": k, "weight": w} for k, w in p["space"]],
            "missing_location_share": p["missing_xy"],
            "expected_per_year": {str(y): _r(e[years == y].sum(), 1) for y in range(2019, 2027)},
            "expected_per_month": [_r(v, 3) for v in e.sum(axis=1)],
            "area_share": {
                code: _r(s) for code, s in zip(geo.codes, models[c].regimes[0][1].shares, strict=True)
            },
        }
    hot = [
        {
            "id": k,
            "category": h["category"],
            "name": h["name"],
            "lon": _ll(h["xy"])[0],
            "lat": _ll(h["xy"])[1],
            "sigma_m": h["sigma_m"],
            "share": h["share"],
        }
        for k, h in T.HOTSPOTS.items()
    ]
    em = T.EMERGING
    a_em = int(geo.area_of_points(np.array([em["xy"][0]]), np.array([em["xy"][1]]))[0])
    rising_a = geo.codes.index(T.RISING["area_code"])
    e_b = expected[T.RISING["category"]][:, rising_a]
    jan_oct = cal.months.month <= 10
    e25 = float(e_b[(years == 2025) & jan_oct].sum())
    e26 = float(e_b[(years == 2026) & jan_oct].sum())
    rental = [z["geom"] for z in geo.zones if z["kind"] == "rental_housing"]
    rental_u = shapely.union_all(rental)
    pool_b = models["theft.burglary"].regimes[0][1]
    in_rental = shapely.contains_xy(rental_u, pool_b.x, pool_b.y).mean()
    mains = shapely.union_all([s["geom"] for s in geo.main_streets()]).buffer(100)
    pool_v = models["theft.vehicle"].regimes[0][1]
    near_main = shapely.contains_xy(mains, pool_v.x, pool_v.y).mean()
    gaps = []
    for name, a, b in T.CAMERAS["gaps"]:
        ln = next(s["geom"] for s in geo.streets if s["name"] == name)
        p0, p1 = ln.interpolate(a, normalized=True), ln.interpolate(b, normalized=True)
        gaps.append(
            {
                "street": name,
                "from": _ll((p0.x, p0.y)),
                "to": _ll((p1.x, p1.y)),
                "length_m": round(ln.length * (b - a)),
            }
        )
    sf = {
        str(y): {"date": d.strftime("%Y-%m-%d"), "month": int(d.month)}
        for y, d in cal.spring_festival.items()
        if y <= 2026
    }
    pet_y = pet.assign(y=pet["received_on"].dt.year)
    return {
        "about": (
            "Planted truths of the fictional sample district (zzanalytics issue 3). Records are drawn "
            "from an explicit intensity model: log-mean = level + trend*t + seasonal cosine + holiday and "
            "weather effects + township shares, with negative-binomial noise per category x township x "
            "month; events are placed by category-specific spatial mixtures. See "
            "zzanalytics/sample/truth.py and zzanalytics/sample/manifest.py for every key."
        ),
        "seed": seed,
        "scale": scale,
        "start": T.SAMPLE_START,
        "end": T.SAMPLE_END,
        "crs": {"truths": "WGS-84 (EPSG:4326)", "exports": "GCJ-02"},
        "district": {
            **DISTRICT,
            "population": int(sum(a["population"] for a in geo.areas)),
            "area_km2": _r(geo.outline.area / 1e6, 1),
            "bbox": [lo0, la0, lo1, la1],
        },
        "areas": [
            {k: a[k] for k in ("area_code", "name", "name_en", "kind", "population")} for a in geo.areas
        ],
        "overdispersion": {
            "k": T.OVERDISPERSION_K,
            "unit": "category x township x month",
            "variance": "mu + mu^2 / k",
        },
        "categories": cats,
        "spring_festival": sf,
        "holidays": {
            **T.HOLIDAYS,
            "snow_day_probability": T.SNOW_DAY_PROBABILITY,
            "snow_days": [d.strftime("%Y-%m-%d") for d in cal.days[cal.snow]],
        },
        "hotspots": hot,
        "emerging_hotspot": {
            "id": em["id"],
            "category": em["category"],
            "name": em["name"],
            "lon": _ll(em["xy"])[0],
            "lat": _ll(em["xy"])[1],
            "sigma_m": em["sigma_m"],
            "share": em["share"],
            "start": em["start"][:7],
            "area_code": geo.codes[a_em],
            "note": em["note"],
        },
        "rising": {
            "category": T.RISING["category"],
            "area_code": T.RISING["area_code"],
            "name": geo.areas[rising_a]["name"],
            "year": 2026,
            "months": "01-10",
            "multiplier": T.RISING["multiplier"],
            "expected_2025_jan_oct": _r(e25, 2),
            "expected_2026_jan_oct": _r(e26, 2),
            "ratio": _r(e26 / e25),
            "note": T.RISING["note"],
        },
        "fire_surge": {k: v for k, v in T.FIRE_SURGE.items()},
        "near_repeat": {**T.NEAR_REPEAT, "offspring": list(T.NEAR_REPEAT["offspring"])},
        "rhythm": T.RHYTHM,
        "time_windows": {**T.WINDOWS, "hours": list(T.WINDOWS["hours"])},
        "stable_series": T.STABLE_SERIES,
        "zones": {
            "rental_housing_area_share": _r(rental_u.area / geo.outline.area),
            "burglary_share_in_rental": _r(in_rental),
        },
        "vehicle_theft": {"share_within_100m_of_main": _r(near_main)},
        "cameras": {
            "cameras": int((cams["kind"] == "camera").sum()),
            "checkpoints": int((cams["kind"] == "checkpoint").sum()),
            "broken": int((cams["status"] == "broken").sum()),
            "main_street_share": T.CAMERAS["main_street_share"],
            "gaps": gaps,
        },
        "petitions": {
            **{k: v for k, v in T.PETITIONS.items()},
            "batches_per_year": {str(y): int(n) for y, n in pet_y.groupby("y").size().items()},
            "persons_per_year": {str(y): int(n) for y, n in pet_y.groupby("y")["persons"].sum().items()},
        },
        "disputes": T.DISPUTES,
        "targets": [
            {"year": int(r.year), "metric": r.metric, "ceiling": float(r.ceiling)}
            for r in targets.itertuples()
        ],
        "notable": T.NOTABLE,
        "traffic_major": T.TRAFFIC_MAJOR,
        "fire_loss": T.FIRE_LOSS,
        "files": {k: int(v) for k, v in sorted(files.items())},
        "dirty": dirt.records,
        "months": [m.strftime("%Y-%m") for m in pd.DatetimeIndex(cal.months)],
    }
