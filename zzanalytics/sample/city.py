"""A foreign sample city, published the way a North American open-data portal publishes it.

``generate_city`` writes *Lakeport*, a fictional city of 44 neighbourhoods on the clock of
America/Toronto (daylight saving time), with what such a city hands over:

``neighbourhoods.geojson.gz``      polygons; names carry a bracketed code (``Annex (95)``);
``police_incidents_2014-2021.csv.gz``  one row per offence, English headers, naive local times,
                                   neighbourhood names as the police system spells them (no code,
                                   apostrophes and hyphens dropped, upper case, a few blank),
                                   some rows whose stated neighbourhood disagrees with their point,
                                   times in the spring-forward gap and the autumn repeat;
``fire_incidents_2011-2022.csv.gz``    ISO times, points and no neighbourhood column at all;
``collisions_persons_2007-2019.zip``   one row per person involved (``KSI.csv`` inside a zip):
                                   a collision has 1-6 rows, deaths and injuries follow from each
                                   person's ``INJURY``;

plus ``mappings/*.toml``, ``sources.toml`` (with its ``[district]``) and ``manifest.json`` with
the planted truths. The sources cover different years on purpose. Same seed, same bytes.

Examples
--------
>>> s = generate_city("/tmp/zz_city_doc")  # doctest: +SKIP
>>> s.rows["police_incidents_2014-2021.csv.gz"] > 10_000  # doctest: +SKIP
True
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from zzanalytics.sample.exports import write_text
from zzanalytics.sample.generate import SampleSummary

__all__ = ["CITY", "generate_city"]

CITY = {
    "name": "Lakeport",
    "name_en": "City of Lakeport",
    "timezone": "America/Toronto",
    "currency": "CAD",
}
"""The city's identity (``[district]`` of its ``sources.toml``)."""

TZ = CITY["timezone"]
CENTRE = (-79.39, 43.70)
SIZE_KM = (22.0, 14.0)
N_AREAS = 44
COVER = {
    "police": (2014, 2021),
    "fire": (2011, 2022),
    "collisions": (2007, 2019),
}
BASE_NAMES = (
    "Annex",
    "O'Connor-Parkview",
    "Yonge-St.Clair",
    "Harbourfront",
    "Bay Street Corridor",
    "Moss Park",
    "Regent Park",
    "Cabbagetown-South St.James Town",
    "Church-Yonge Corridor",
    "Kensington-Chinatown",
    "Trinity-Bellwoods",
    "Little Portugal",
    "Dufferin Grove",
    "Roncesvalles",
    "High Park North",
    "Junction Area",
    "Weston-Pelham Park",
    "Rockcliffe-Smythe",
    "Mount Dennis",
    "Keelesdale-Eglinton West",
    "Forest Hill South",
    "Casa Loma",
    "Wychwood",
    "Humewood-Cedarvale",
    "Oakwood Village",
    "Lawrence Park South",
    "Mount Pleasant West",
    "Leaside-Bennington",
    "Thorncliffe Park",
    "Flemingdon Park",
    "Danforth East York",
    "Woodbine-Lumsden",
    "Playter Estates-Danforth",
    "North Riverdale",
    "South Riverdale",
    "Greenwood-Coxwell",
    "The Beaches",
    "East End-Danforth",
    "Birchcliffe-Cliffside",
    "Cliffcrest",
    "Scarborough Village",
    "Guildwood",
    "West Hill",
    "L'Amoreaux",
)
OFFENCES = {  # police label -> (category code, share)
    "Break and Enter - House": ("theft.burglary", 0.10),
    "Break and Enter - Apartment": ("theft.burglary", 0.06),
    "Theft Of Motor Vehicle": ("theft.vehicle", 0.09),
    "Theft Under $5000": ("theft.other", 0.22),
    "Theft From Motor Vehicle Under": ("theft.other", 0.10),
    "Fraud Under": ("fraud.other", 0.08),
    "Fraud - Phone/Internet": ("fraud.telecom", 0.07),
    "Robbery - Mugging": ("robbery", 0.05),
    "Robbery - Business": ("robbery", 0.02),
    "Assault": ("assault", 0.15),
    "Assault With Weapon": ("assault", 0.04),
    "Mischief": ("other_criminal", 0.02),
}
PER_MONTH = {"police": 260, "fire": 32, "collisions": 24}
INJURIES = ("Fatal", "Major", "Minor", "Minimal", "None")
INJURY_P = (0.03, 0.12, 0.25, 0.2, 0.4)


def _rng(seed: int, *key: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(7, *key))))


# -- geography ------------------------------------------------------------------------------------
def _geography(seed: int) -> tuple[list[str], list[str], list, object, np.ndarray]:
    """(codes, names with code suffix, polygons in lon/lat, city outline, populations)."""
    import shapely
    from shapely.geometry import box

    rng = _rng(seed, 1)
    kx = 1 / (111.32 * np.cos(np.radians(CENTRE[1])))
    ky = 1 / 110.57
    w, h = SIZE_KM[0] * kx, SIZE_KM[1] * ky
    frame = box(CENTRE[0] - w / 2, CENTRE[1] - h / 2, CENTRE[0] + w / 2, CENTRE[1] + h / 2)
    # a lake shore: the city's south-east corner is water
    lake = shapely.Polygon(
        [
            (CENTRE[0] - w / 2 - 0.01, CENTRE[1] - h / 2 - 0.01),
            (CENTRE[0] + w / 2 + 0.01, CENTRE[1] - h / 2 - 0.01),
            (CENTRE[0] + w / 2 + 0.01, CENTRE[1] - h * 0.05),
        ]
    )
    outline = frame.difference(lake)
    seeds = []
    while len(seeds) < N_AREAS:
        p = (rng.uniform(frame.bounds[0], frame.bounds[2]), rng.uniform(frame.bounds[1], frame.bounds[3]))
        if outline.contains(shapely.Point(p)):
            seeds.append(p)
    cells = shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=frame.buffer(0.05))
    polys = []
    for s in seeds:  # the cell of each seed, clipped to the city, in seed order
        pt = shapely.Point(s)
        cell = next(c for c in cells.geoms if c.contains(pt))
        polys.append(shapely.set_precision(cell.intersection(outline), 1e-6))
    order = np.lexsort((np.array([p.centroid.x for p in polys]), -np.round([p.centroid.y for p in polys], 2)))
    polys = [polys[i] for i in order]
    codes = [str(k) for k in rng.choice(np.arange(1, 175), size=N_AREAS, replace=False)]
    names = [f"{n} ({c})" for n, c in zip(BASE_NAMES, codes, strict=True)]
    pop = rng.integers(9_000, 38_000, size=N_AREAS)
    return codes, names, polys, outline, pop


def _points_in(rng: np.random.Generator, polys: list, weights: np.ndarray, n: int) -> tuple:
    """n points: an area by weight, then a uniform point inside it (rejection in its box)."""
    import shapely

    area = rng.choice(len(polys), size=n, p=weights / weights.sum())
    lon, lat = np.empty(n), np.empty(n)
    for k in np.unique(area):
        idx = np.flatnonzero(area == k)
        x0, y0, x1, y1 = polys[k].bounds
        got = np.empty((0, 2))
        while len(got) < len(idx):
            cand = np.column_stack([rng.uniform(x0, x1, 4 * len(idx)), rng.uniform(y0, y1, 4 * len(idx))])
            cand = np.round(cand, 6)  # as written: the point tested is the point published
            got = np.vstack([got, cand[shapely.contains_xy(polys[k], cand[:, 0], cand[:, 1])]])
        lon[idx], lat[idx] = got[: len(idx), 0], got[: len(idx), 1]
    return area, lon, lat


def _times(rng: np.random.Generator, first: int, last: int, per_month: float) -> pd.Series:
    """Naive local times, seasonal (summer high), a night-time hour profile, sorted."""
    months = pd.date_range(f"{first}-01-01", f"{last}-12-01", freq="MS")
    season = 1 + 0.25 * np.sin(2 * np.pi * (months.month - 4) / 12)
    counts = rng.poisson(per_month * season)
    hours = np.array([3, 2, 2, 1, 1, 1, 2, 3, 4, 4, 5, 5, 6, 6, 6, 6, 6, 7, 7, 7, 7, 6, 5, 4], dtype=float)
    out = []
    for m0, c in zip(months, counts, strict=True):
        days = rng.integers(0, m0.days_in_month, size=c)
        hr = rng.choice(24, size=c, p=hours / hours.sum())
        mins = rng.integers(0, 60, size=c)
        out.append(m0 + pd.to_timedelta(days, "D") + pd.to_timedelta(hr, "h") + pd.to_timedelta(mins, "min"))
    return pd.Series(np.sort(np.concatenate([o.values for o in out]))).astype("datetime64[ns]")


# -- writing --------------------------------------------------------------------------------------
def _gz(path: Path, data: bytes) -> int:
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as fh:
        fh.write(data)
    path.write_bytes(buf.getvalue())
    return path.stat().st_size


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def _police(seed: int, codes, names, polys, pop) -> tuple[pd.DataFrame, dict]:
    rng = _rng(seed, 2)
    t = _times(rng, *COVER["police"], PER_MONTH["police"])
    n = len(t)
    # a few rows on the clock's hard nights: the spring gap and the autumn repeat (naive local)
    special = pd.to_datetime(["2019-03-10 02:30", "2020-03-08 02:15", "2021-11-07 01:30", "2021-11-07 01:45"])
    t = (
        pd.concat([t, pd.Series(special)], ignore_index=True)
        .sort_values(kind="stable")
        .reset_index(drop=True)
    )
    n = len(t)
    labels = list(OFFENCES)
    share = np.array([v[1] for v in OFFENCES.values()])
    off = rng.choice(len(labels), size=n, p=share / share.sum())
    area, lon, lat = _points_in(rng, polys, pop.astype(float), n)
    stated = np.array([names[a] for a in area], dtype=object)
    how = rng.random(n)
    # how the police system spells neighbourhoods: without the code, some without apostrophes,
    # some upper case, some blank (the point then gives the area)
    base = np.array([nm.rsplit(" (", 1)[0] for nm in stated], dtype=object)
    spelled = np.where(how < 0.55, base, stated)
    spelled = np.where(
        (how >= 0.55) & (how < 0.7), [b.replace("'", "").replace("-", " ") for b in base], spelled
    )
    spelled = np.where((how >= 0.7) & (how < 0.8), [b.upper() for b in base], spelled)
    blank = how >= 0.985
    spelled = np.where(blank, "", spelled)
    # a stated neighbourhood that is not the one holding the point (a data-quality finding)
    disagree = (rng.random(n) < 0.004) & ~blank
    other = (area + 1 + rng.integers(0, N_AREAS - 1, size=n)) % N_AREAS
    spelled = np.where(disagree, [BASE_NAMES[k] for k in other], spelled)
    # unknown position written as 0,0 (cleared, still counted)
    zero = rng.random(n) < 0.01
    lon_s = np.where(zero, 0.0, lon)
    lat_s = np.where(zero, 0.0, lat)
    frame = pd.DataFrame(
        {
            "EVENT_UNIQUE_ID": [f"GO-{ts.year}{i:07d}" for i, ts in enumerate(t)],
            "OCC_DATE": t.dt.strftime("%Y-%m-%d %H:%M:%S"),
            "OFFENCE": [labels[k] for k in off],
            "NEIGHBOURHOOD": spelled,
            "LONG_WGS84": lon_s,
            "LAT_WGS84": lat_s,
        }
    )
    truth = {
        "rows": n,
        "by_category": {
            c: int(np.isin(off, [i for i, lab in enumerate(labels) if OFFENCES[lab][0] == c]).sum())
            for c in sorted({v[0] for v in OFFENCES.values()})
        },
        "blank_neighbourhood": int(blank.sum()),
        "stated_disagrees_with_point": int((disagree & ~zero).sum()),
        "zero_points": int(zero.sum()),
        "first": str(t.min()),
        "last": str(t.max()),
        "spring_gap_times": [str(x) for x in special[:2]],
        "autumn_repeat_times": [str(x) for x in special[2:]],
    }
    return frame, truth


def _fires(seed: int, codes, polys, outline) -> tuple[pd.DataFrame, dict]:
    import shapely

    rng = _rng(seed, 3)
    t = _times(rng, *COVER["fire"], PER_MONTH["fire"])
    n = len(t)
    weights = np.array([p.area for p in polys])
    area, lon, lat = _points_in(rng, polys, weights, n)
    # a few fires outside the city (mutual aid) and a few without a point
    out = rng.random(n) < 0.02
    lon = np.where(out, lon + 0.5, lon)
    none = rng.random(n) < 0.02
    area_truth = np.array([codes[a] for a in area], dtype=object)
    area_truth[out | none] = None
    inside = shapely.contains_xy(outline, lon, lat)
    area_truth[~inside] = None
    loss = np.round(np.exp(rng.normal(8.5, 1.6, size=n)), -1)
    frame = pd.DataFrame(
        {
            "Incident_Number": [f"F{ts.year % 100:02d}{i:06d}" for i, ts in enumerate(t)],
            "TFS_Alarm_Time": t.dt.strftime("%Y-%m-%dT%H:%M:%S"),
            "Latitude": np.where(none, np.nan, lat),
            "Longitude": np.where(none, np.nan, lon),
            "Estimated_Dollar_Loss": loss.astype(int),
            "Civilian_Casualties": rng.poisson(0.05, size=n),
            "Property_Use": rng.choice(["Detached Dwelling", "Apartment", "Restaurant", "Vehicle"], size=n),
        }
    )
    per_area = pd.Series(area_truth[area_truth != None]).value_counts().sort_index()  # noqa: E711
    truth = {
        "rows": n,
        "by_area": {str(k): int(v) for k, v in per_area.items()},
        "unassigned": int(sum(a is None for a in area_truth)),
        "first": str(t.min()),
        "last": str(t.max()),
        "loss": float(loss.sum()),
    }
    return frame, truth


def _collisions(seed: int, names, polys, pop) -> tuple[pd.DataFrame, dict]:
    rng = _rng(seed, 4)
    t = _times(rng, *COVER["collisions"], PER_MONTH["collisions"])
    n = len(t)
    area, lon, lat = _points_in(rng, polys, pop.astype(float), n)
    persons = rng.integers(1, 7, size=n)
    rows = []
    deaths = injuries = 0
    for i in range(n):
        acc = f"{t[i].year}{i:06d}"
        for k in range(persons[i]):
            inj = INJURIES[rng.choice(len(INJURIES), p=INJURY_P)]
            deaths += inj == "Fatal"
            injuries += inj in ("Major", "Minor", "Minimal")
            rows.append(
                {
                    "ACCNUM": acc,
                    "DATE": t[i].strftime("%Y-%m-%d"),
                    "TIME": t[i].strftime("%H%M"),
                    "LATITUDE": lat[i],
                    "LONGITUDE": lon[i],
                    "HOOD_NAME": names[area[i]],
                    "INVOLVEMENT": "Driver" if k == 0 else rng.choice(["Passenger", "Pedestrian", "Cyclist"]),
                    "INJURY": inj if inj != "None" else "",
                }
            )
    frame = pd.DataFrame(rows)
    truth = {
        "rows": len(frame),
        "collisions": n,
        "deaths": int(deaths),
        "injuries": int(injuries),
        "first": str(t.min()),
        "last": str(t.max()),
    }
    return frame, truth


def _mappings() -> dict[str, str]:
    cats = "\n".join(f'"{k}" = "{v[0]}"' for k, v in OFFENCES.items())
    return {
        "neighbourhoods.toml": """# Neighbourhood polygons (gzip GeoJSON, WGS-84)
[source]
table = "areas"

[columns]
area_code = "AREA_SHORT_CODE"
name = "AREA_NAME"
name_en = "AREA_NAME"
population = "POPULATION"
""",
        "police.toml": f"""# Police incident export: English headers, naive local times, no area codes
[source]
timezone = "America/Toronto"
crs = "wgs84"
date_floor = "2010-01-01"

[columns]
incident_id = "EVENT_UNIQUE_ID"
occurred_at = "OCC_DATE"
category = "OFFENCE"
area_code = "NEIGHBOURHOOD"   # names, spelled loosely: matched to the polygons' names
lon = "LONG_WGS84"
lat = "LAT_WGS84"

[categories]
{cats}
""",
        "fire.toml": """# Fire service export: points, no neighbourhood column (areas come from the polygons)
[source]
timezone = "America/Toronto"
date_floor = "2010-01-01"

[columns]
incident_id = "Incident_Number"
occurred_at = "TFS_Alarm_Time"
lon = "Longitude"
lat = "Latitude"
loss_yuan = "Estimated_Dollar_Loss"   # in the city's currency (CAD)
injuries = "Civilian_Casualties"
premises = "Property_Use"

[constants]
category = "fire"
""",
        "collisions.toml": """# Collisions, one row per person: rows with the same ACCNUM are one collision
[source]
timezone = "America/Toronto"
date_format = "%Y-%m-%d %H%M"
date_floor = "2005-01-01"

[columns]
incident_id = "ACCNUM"
occurred_at = ["DATE", "TIME"]
area_code = "HOOD_NAME"
lon = "LONGITUDE"
lat = "LATITUDE"

[constants]
category = "traffic"

[records]
by = ["ACCNUM"]
deaths = { count = "INJURY", where = ["Fatal"] }
injuries = { count = "INJURY", where = ["Major", "Minor", "Minimal"] }
""",
    }


SOURCES = """# Lakeport: what builds its store, in order (reference polygons first).

[district]
name = "Lakeport"
name_en = "City of Lakeport"
timezone = "America/Toronto"
currency = "CAD"
unit = "街区"
unit_en = "neighbourhood"

[[source]]
files = ["neighbourhoods.geojson.gz"]
mapping = "mappings/neighbourhoods.toml"

[[source]]
files = ["police_incidents_2014-2021.csv.gz"]
mapping = "mappings/police.toml"

[[source]]
files = ["fire_incidents_2011-2022.csv.gz"]
mapping = "mappings/fire.toml"

[[source]]
files = ["collisions_persons_2007-2019.zip"]
mapping = "mappings/collisions.toml"
"""


def generate_city(out: str | Path = "data/city", seed: int = 0) -> SampleSummary:
    """Write the foreign sample city (exports, mappings, ``sources.toml``, ``manifest.json``).

    Parameters
    ----------
    out : str or Path
        Output folder (created; generated files are overwritten, ``store/`` is left alone).
    seed : int
        Random seed: the same seed writes the same bytes.

    Returns
    -------
    SampleSummary
        Files, bytes and rows written.
    """
    out = Path(out)
    (out / "mappings").mkdir(parents=True, exist_ok=True)
    summary = SampleSummary(out=out, scale=1.0, seed=seed)
    codes, names, polys, outline, pop = _geography(seed)

    import shapely

    feats = []
    for c, nm, p, n in zip(codes, names, polys, pop, strict=True):
        props = {"AREA_ID": int(c) * 100 + 7, "AREA_SHORT_CODE": c, "AREA_NAME": nm, "POPULATION": int(n)}
        geom = json.loads(shapely.to_geojson(p))
        feats.append(
            json.dumps({"type": "Feature", "properties": props, "geometry": geom}, separators=(",", ":"))
        )
    doc = '{"type":"FeatureCollection","name":"Neighbourhoods","features":[\n' + ",\n".join(feats) + "\n]}\n"
    f = "neighbourhoods.geojson.gz"
    summary.bytes[f] = _gz(out / f, doc.encode("utf-8"))
    summary.rows[f] = len(feats)

    police, t_police = _police(seed, codes, names, polys, pop)
    f = "police_incidents_2014-2021.csv.gz"
    summary.bytes[f] = _gz(out / f, _csv_bytes(police))
    summary.rows[f] = len(police)

    fires, t_fire = _fires(seed, codes, polys, outline)
    f = "fire_incidents_2011-2022.csv.gz"
    summary.bytes[f] = _gz(out / f, _csv_bytes(fires))
    summary.rows[f] = len(fires)

    coll, t_coll = _collisions(seed, names, polys, pop)
    f = "collisions_persons_2007-2019.zip"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo("KSI.csv", date_time=(2020, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, _csv_bytes(coll))
        readme = zipfile.ZipInfo("README.txt", date_time=(2020, 1, 1, 0, 0, 0))
        zf.writestr(readme, "Killed or seriously injured: one row per person involved.\n")
    (out / f).write_bytes(buf.getvalue())
    summary.bytes[f] = len(buf.getvalue())
    summary.rows[f] = len(coll)

    for name, text in _mappings().items():
        write_text(out / "mappings" / name, text)
    write_text(out / "sources.toml", SOURCES)
    manifest = {
        "city": CITY,
        "seed": seed,
        "coverage_years": {k: list(v) for k, v in COVER.items()},
        "areas": {"count": N_AREAS, "codes": codes, "names": names},
        "police": t_police,
        "fire": t_fire,
        "collisions": t_coll,
    }
    write_text(out / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    write_text(
        out / "README.md",
        "# Lakeport — the foreign sample city\n\n"
        "Generated by `zz sample --city` (zzanalytics.sample.city); do not edit by hand.\n"
        "English headers, America/Toronto time, compressed exports, neighbourhood names with code\n"
        "suffixes, a fire export without an area column and a person-level collision export.\n"
        "`manifest.json` holds the planted truths.\n",
    )
    return summary
