"""A small synthetic briefing context, built in memory: a few hundred incidents, petitions and
disputes over three townships, with planted facts the section tests check by hand.

Planted (in the period 2026-01-01..2026-06-30 unless said otherwise):

- telecom fraud in township ``A`` rises from ~1 to ~9 a month (a significant rise);
- a deadly fire in ``B`` on 5 March (1 death, loss 250,000 yuan, a phone number in the cause);
- a major traffic accident in ``C`` on 6 May (2 deaths, 3 injuries);
- the peers table ranks ``本区`` 2nd of 4 in the province and 1st of 2 in the city (2026Q2);
- the fire ceiling of 2026 is 1 fire (already breached), the traffic-death ceiling 500;
- quarantine reason codes (``zzanalytics.ingest.reasons``), three of them ``negative_number``.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import LineString, box

from zzanalytics.report.briefing import Context
from zzanalytics.store.coverage import Coverage

START, END = pd.Timestamp("2026-01-01"), pd.Timestamp("2026-06-30")
FIRST = pd.Timestamp("2023-01-01")
TZ = "Asia/Shanghai"
AREAS = {
    # code: (name, name_en, population, box)
    "A": ("甲街道", "Jia Subdistrict", 40_000, (103.80, 36.05, 103.82, 36.07)),
    "B": ("乙镇", "Yi Town", 25_000, (103.82, 36.05, 103.84, 36.07)),
    "C": ("丙乡", "Bing Township", 10_000, (103.80, 36.03, 103.84, 36.05)),
}
RATES = {  # incidents per township per month
    "theft.burglary": 0.8,
    "theft.vehicle": 0.3,
    "theft.other": 0.8,
    "fraud.telecom": 1.0,
    "fraud.other": 0.2,
    "robbery": 0.1,
    "assault": 0.3,
    "other_criminal": 0.3,
    "traffic": 1.0,
    "traffic.major": 0.05,
    "fire": 0.3,
}
PHONE = "13812345678"
QUARANTINE_REASONS = (
    "unparseable_date",
    "unparseable_date",
    "negative_number",
    "negative_number",
    "negative_number",
    "outside_district",
    "missing_value",
    "unknown_value",
)


def _point(rng: np.random.Generator, code: str) -> tuple[float, float]:
    x0, y0, x1, y1 = AREAS[code][3]
    return float(rng.uniform(x0 + 0.001, x1 - 0.001)), float(rng.uniform(y0 + 0.001, y1 - 0.001))


def _moment(rng: np.random.Generator, month: pd.Timestamp) -> pd.Timestamp:
    day = int(rng.integers(0, month.days_in_month))
    return month + pd.Timedelta(days=day, minutes=int(rng.integers(0, 24 * 60)))


def incidents(seed: int = 0) -> pd.DataFrame:
    """Monthly Poisson incidents 2023-01..2026-06 per township and category, plus the planted ones."""
    rng = np.random.default_rng(seed)
    rows = []
    for month in pd.date_range(FIRST, END, freq="MS"):
        for code in AREAS:
            for cat, rate in RATES.items():
                extra = 8 if (cat == "fraud.telecom" and code == "A" and month >= START) else 0
                # a traffic accident every month: models.targets fails on an Int64 month gap (reported)
                extra += int(cat == "traffic" and code == "C")
                for _ in range(int(rng.poisson(rate)) + extra):
                    lon, lat = _point(rng, code)
                    rows.append(
                        {
                            "occurred_at": _moment(rng, month),
                            "category": cat,
                            "area_code": code,
                            "lon": lon,
                            "lat": lat,
                            "deaths": int(cat == "traffic.major"),
                            "injuries": int(rng.integers(0, 3)) if cat.startswith("traffic") else 0,
                            "loss_yuan": float(rng.integers(1, 50) * 100) if cat == "fire" else np.nan,
                            "cause": "speeding" if cat.startswith("traffic") else None,
                        }
                    )
    planted = [
        ("2026-03-05 14:00", "fire", "B", 1, 0, 250_000.0, f"electrical fault, reported by {PHONE}"),
        ("2026-05-06 22:30", "traffic.major", "C", 2, 3, np.nan, "drunk driving"),
    ]
    for when, cat, code, deaths, injuries, loss, cause in planted:
        lon, lat = _point(rng, code)
        rows.append(
            {
                "occurred_at": pd.Timestamp(when),
                "category": cat,
                "area_code": code,
                "lon": lon,
                "lat": lat,
                "deaths": deaths,
                "injuries": injuries,
                "loss_yuan": loss,
                "cause": cause,
            }
        )
    frame = pd.DataFrame(rows).sort_values("occurred_at", kind="stable").reset_index(drop=True)
    frame.insert(0, "incident_id", [f"S{i:05d}" for i in range(len(frame))])
    frame["occurred_at"] = frame["occurred_at"].dt.tz_localize(TZ)
    frame["deaths"] = frame["deaths"].astype("Int64")
    frame["injuries"] = frame["injuries"].astype("Int64")
    return frame


def petitions(seed: int = 1) -> pd.DataFrame:
    """About eight petitions a month at every level."""
    rng = np.random.default_rng(seed)
    rows = []
    for month in pd.date_range(FIRST, END, freq="MS"):
        for _ in range(int(rng.poisson(8))):
            level = str(rng.choice(["district", "district", "city", "province", "capital"]))
            rows.append(
                {
                    "received_on": _moment(rng, month).normalize(),
                    "level": level,
                    "form": str(rng.choice(["individual", "collective"])),
                    "irregular": bool(level in ("province", "capital") and rng.random() < 0.6),
                    "persons": int(rng.integers(1, 12)),
                    "area_code": str(rng.choice(list(AREAS))),
                    "issue": "land",
                }
            )
    frame = pd.DataFrame(rows)
    frame.insert(0, "petition_id", [f"P{i:05d}" for i in range(len(frame))])
    return frame


def disputes(seed: int = 2) -> pd.DataFrame:
    """About six disputes a month; most resolved within a month, some still open."""
    rng = np.random.default_rng(seed)
    rows = []
    for month in pd.date_range(FIRST, END, freq="MS"):
        for _ in range(int(rng.poisson(6))):
            found = _moment(rng, month).normalize()
            resolved = found + pd.Timedelta(days=int(rng.integers(1, 30))) if rng.random() < 0.85 else pd.NaT
            rows.append(
                {
                    "found_on": found,
                    "area_code": str(rng.choice(list(AREAS))),
                    "kind": "neighbours",
                    "resolved_on": resolved,
                }
            )
    frame = pd.DataFrame(rows)
    frame.insert(0, "dispute_id", [f"D{i:05d}" for i in range(len(frame))])
    return frame


def areas() -> gpd.GeoDataFrame:
    """Three townships side by side."""
    return gpd.GeoDataFrame(
        {
            "area_code": list(AREAS),
            "name": [v[0] for v in AREAS.values()],
            "name_en": [v[1] for v in AREAS.values()],
            "population": [v[2] for v in AREAS.values()],
        },
        geometry=[box(*v[3]) for v in AREAS.values()],
        crs="EPSG:4326",
    )


def streets() -> gpd.GeoDataFrame:
    """Two main streets across the district."""
    return gpd.GeoDataFrame(
        {"name": ["East Road", "North Road"], "class": ["main", "main"]},
        geometry=[
            LineString([(103.801, 36.06), (103.839, 36.06)]),
            LineString([(103.83, 36.031), (103.83, 36.069)]),
        ],
        crs="EPSG:4326",
    )


def cameras(seed: int = 3) -> pd.DataFrame:
    """Twelve cameras and two checkpoints along the streets."""
    rng = np.random.default_rng(seed)
    lon = np.r_[rng.uniform(103.80, 103.82, 12), [103.83, 103.81]]
    lat = np.r_[np.full(12, 36.0601), [36.04, 36.06]]
    return pd.DataFrame(
        {
            "camera_id": [f"C{i}" for i in range(14)],
            "kind": ["camera"] * 12 + ["checkpoint"] * 2,
            "lon": lon,
            "lat": lat,
            "installed_on": pd.Timestamp("2024-01-01"),
            "status": "working",
        }
    )


def peers() -> pd.DataFrame:
    """Irregular petitions of four counties: 本区 2nd of 4 in the province, 1st of 2 in the city."""
    rows = []
    for period in ("2026Q1", "2026Q2"):
        for county, value in (("本区", 30), ("甲县", 40), ("乙县", 20), ("丙县", 10)):
            rows.append(("province", county, period, value))
        for county, value in (("本区", 30), ("乙县", 20)):
            rows.append(("city", county, period, value))
    frame = pd.DataFrame(rows, columns=["scope", "county", "period", "value"])
    return frame.assign(metric="petitions.irregular")[["county", "scope", "period", "metric", "value"]]


def targets() -> pd.DataFrame:
    """Annual ceilings of 2026: 1 fire (already breached), 500 traffic deaths."""
    return pd.DataFrame(
        {"year": [2026, 2026], "metric": ["fire.count", "traffic.deaths"], "ceiling": [1.0, 500.0]}
    )


def quarantine() -> pd.DataFrame:
    """Quarantined rows with their reason codes."""
    n = len(QUARANTINE_REASONS)
    return pd.DataFrame(
        {
            "source_file": "incidents.csv",
            "row": range(1, n + 1),
            "reason": list(QUARANTINE_REASONS),
            "column": "x",
            "value": "",
            "raw": "{}",
            "table": "incidents",
        }
    )


def coverage(inc: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> Coverage:
    """What the synthetic sources cover: each category and table from 2023-01-01 to the period's end
    (a table given empty is not held at all)."""
    rows = [("incidents", c) for c in sorted(inc["category"].unique())]
    rows += [(t, None) for t in ("petitions", "disputes") if len(tables[t])]
    frame = pd.DataFrame(rows, columns=["table", "category"]).assign(start=FIRST, end=END)
    return Coverage.from_frame(frame)


def context(lang: str = "zh", area: str | None = None, **tables: pd.DataFrame) -> Context:
    """The synthetic briefing context of the period 2026-01-01..2026-06-30; ``tables`` replace
    the defaults (``petitions=pd.DataFrame()`` for a district without petition records)."""
    inc = incidents()
    tabs = {
        "petitions": petitions(),
        "disputes": disputes(),
        "cameras": cameras(),
        "peers": peers(),
        "targets": targets(),
    }
    tabs.update(tables)
    polys = areas()
    col = "name_en" if lang == "en" else "name"
    log = pd.DataFrame(
        {
            "file": ["incidents.csv"],
            "table": ["incidents"],
            "read": [len(inc) + len(QUARANTINE_REASONS) + 5],
            "accepted": [len(inc)],
            "updated": [0],
            "duplicate": [5],
            "quarantined": [len(QUARANTINE_REASONS)],
        }
    )
    return Context(
        start=START,
        end=END,
        area=area,
        lang=lang,
        incidents=inc,
        areas=polys,
        names=dict(zip(polys["area_code"], polys[col], strict=True)),
        tables=tabs,
        streets=streets(),
        ingest_log=log,
        quarantine=quarantine(),
        coverage=coverage(inc, tabs),
        all_names={
            "zh": dict(zip(polys["area_code"], polys["name"], strict=True)),
            "en": dict(zip(polys["area_code"], polys["name_en"], strict=True)),
        },
    )
