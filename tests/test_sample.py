"""The sample district: byte-identical regeneration, and its planted truths measured from the default store.

Every pattern is measured on the store built from ``data/sample/sources.toml`` (the ``sample_store``
fixture) and compared with ``data/sample/manifest.json``, within sampling error of the negative-binomial
model the generator draws from.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from scipy import stats

from zzanalytics.ingest.coords import gcj02_to_wgs84
from zzanalytics.sample import SAMPLE_END, generate_sample
from zzanalytics.sample.records import spring_festival_dates

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
MANIFEST = json.loads((SAMPLE / "manifest.json").read_text(encoding="utf-8"))
MONTHS = pd.date_range("2019-01-01", SAMPLE_END, freq="MS")
UTM = "EPSG:32648"


def _files(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "store" not in p.relative_to(root).parts
    }


def test_committed_sample_is_what_the_generator_writes(tmp_path: Path) -> None:
    summary = generate_sample(tmp_path / "s", seed=0)
    assert _files(tmp_path / "s") == _files(SAMPLE)
    assert sum(summary.bytes.values()) < 6_000_000


@pytest.fixture(scope="module")
def inc(sample_store) -> pd.DataFrame:
    frame = sample_store.incidents()
    frame["month"] = frame["occurred_at"].dt.tz_localize(None).dt.to_period("M").dt.to_timestamp()
    return frame


def _monthly(inc: pd.DataFrame, prefix: str, area: str | None = None) -> pd.Series:
    d = inc[(inc["category"] == prefix) | inc["category"].str.startswith(prefix + ".")]
    if area is not None:
        d = d[d["area_code"] == area]
    return d.groupby("month").size().reindex(MONTHS, fill_value=0)


def _log_slope(y: pd.Series, stop: str | None = None) -> tuple[float, float]:
    """Negative-binomial GLM of monthly counts on time (years) and an annual cosine/sine: slope, SE."""
    import statsmodels.api as sm

    if stop is not None:
        y = y[y.index <= stop]
    k = np.arange(len(y))
    X = np.column_stack([np.ones(len(y)), k / 12, np.cos(2 * np.pi * k / 12), np.sin(2 * np.pi * k / 12)])
    alpha = 1 / MANIFEST["overdispersion"]["k"]
    fit = sm.GLM(y.to_numpy(), X, family=sm.families.NegativeBinomial(alpha=alpha)).fit()
    return float(fit.params[1]), float(fit.bse[1])


def test_geography_tiles_and_is_plausible(sample_store) -> None:
    areas = sample_store.areas().to_crs(UTM)
    assert len(areas) == 12 and areas["area_code"].str.fullmatch(r"\d{9}").all()
    union = shapely.union_all(areas.geometry.to_numpy())
    assert abs(areas.area.sum() - union.area) / union.area < 1e-6  # no overlaps
    assert shapely.get_num_geometries(union) == 1 and shapely.get_num_interior_rings(union) == 0  # no gaps
    assert 300_000 <= areas["population"].sum() <= 500_000
    lon, lat = sample_store.areas().union_all().centroid.coords[0]
    assert 103.6 < lon < 104.0 and 35.9 < lat < 36.2
    streets = sample_store.streets()
    assert set(streets["class"]) == {"main", "secondary"}
    assert {"rental_housing", "commercial", "industrial", "village"} <= set(sample_store.zones()["kind"])


def test_exports_carry_gcj02(sample_store) -> None:
    raw = pd.read_csv(SAMPLE / "视频监控点位.csv", dtype={"点位编号": str})
    cams = sample_store.table("cameras").set_index("camera_id").loc[raw["点位编号"]]
    wlon, wlat = gcj02_to_wgs84(raw["经度"].to_numpy(), raw["纬度"].to_numpy())
    assert np.allclose(wlon, cams["lon"], atol=2e-6) and np.allclose(wlat, cams["lat"], atol=2e-6)
    assert np.abs(raw["经度"].to_numpy() - cams["lon"].to_numpy()).min() > 1e-3  # GCJ offset, not WGS


def test_volumes_match_the_model(inc: pd.DataFrame) -> None:
    k = MANIFEST["overdispersion"]["k"]
    for cat, truth in MANIFEST["categories"].items():
        obs = inc[inc["category"] == cat].groupby(inc["occurred_at"].dt.year).size()
        share2 = sum(s * s for s in truth["area_share"].values())
        monthly = np.array(truth["expected_per_month"])
        for y in range(2019, 2026):
            exp = truth["expected_per_year"][str(y)]
            var = exp + (monthly[(MONTHS.year == y)] ** 2).sum() * share2 / k
            assert abs(obs.get(y, 0) - exp) < 4 * np.sqrt(var) + 3, (cat, y, obs.get(y, 0), exp)
    per_year = inc.groupby(inc["occurred_at"].dt.year).size()
    assert 4_500 < per_year.loc[2019:2025].mean() < 7_500


def test_theft_peaks_in_summer_and_declines(inc: pd.DataFrame) -> None:
    theft = _monthly(inc, "theft")
    summer = theft[theft.index.month.isin([6, 7, 8])].sum()
    winter = theft[theft.index.month.isin([12, 1, 2])].sum()
    assert summer / winter > 1.2
    slope, se = _log_slope(_monthly(inc, "theft.other"))
    truth = MANIFEST["categories"]["theft.other"]["log_slope"]
    assert slope < 0 and abs(slope - truth) < 3 * se


def test_telecom_fraud_grows_at_the_planted_rate(inc: pd.DataFrame) -> None:
    slope, se = _log_slope(_monthly(inc, "fraud.telecom"))
    truth = MANIFEST["categories"]["fraud.telecom"]["log_slope"]
    assert truth > 0.2 and abs(slope - truth) < 3 * se


def test_stable_series_has_no_trend(inc: pd.DataFrame) -> None:
    for s in MANIFEST["stable_series"]:
        slope, se = _log_slope(_monthly(inc, s["category"], s["area_code"]))
        assert MANIFEST["categories"][s["category"]]["growth"] == 0
        assert abs(slope) < 3 * se, s


def test_fires_peak_in_the_spring_festival_month(inc: pd.DataFrame) -> None:
    fire = _monthly(inc, "fire")
    sf = spring_festival_dates(range(2019, 2027))
    for year, info in MANIFEST["spring_festival"].items():
        month = pd.Timestamp(int(year), info["month"], 1)
        assert info["month"] in (1, 2) and sf[int(year)].month == info["month"]
        around = (month - pd.DateOffset(months=1), month + pd.DateOffset(months=1))
        neighbours = [m for m in around if m in fire]
        assert all(fire[month] > fire[m] for m in neighbours), (year, fire[month], [fire[m] for m in around])
    assert {v["month"] for v in MANIFEST["spring_festival"].values()} == {1, 2}
    slope, se = _log_slope(fire, stop="2025-12-01")  # before the planted 2026 surge
    winter = fire[fire.index.month.isin([12, 1, 2])].sum()
    summer = fire[fire.index.month.isin([6, 7, 8])].sum()
    assert winter / summer > 1.5 and abs(slope - MANIFEST["categories"]["fire"]["log_slope"]) < 3 * se


def test_speech_numbers_make_sense(inc: pd.DataFrame) -> None:
    def h1(prefix: str, year: int) -> int:
        d = inc[inc["category"].str.match(prefix)]
        return int(((d["occurred_at"].dt.year == year) & (d["occurred_at"].dt.month <= 6)).sum())

    criminal = r"theft|fraud|robbery|assault|other_criminal"
    assert h1(criminal, 2026) > h1(criminal, 2025)
    assert h1("fire", 2026) > 1.3 * h1("fire", 2025)
    major = inc[(inc["category"] == "traffic.major") & (inc["occurred_at"].dt.year == 2026)]
    days = set(major.loc[major["deaths"] > 0, "occurred_at"].dt.strftime("%m-%d"))
    assert {"05-06", "05-18"} <= days


def _points(inc: pd.DataFrame, cat: str):
    import geopandas as gpd

    d = inc[(inc["category"] == cat) & inc["lon"].notna()]
    return gpd.GeoSeries(gpd.points_from_xy(d["lon"], d["lat"]), crs=4326, index=d.index).to_crs(UTM)


def test_burglary_concentrates_in_rental_housing(sample_store, inc: pd.DataFrame) -> None:
    zones = sample_store.zones().to_crs(UTM)
    rental = shapely.union_all(zones.loc[zones["kind"] == "rental_housing", "geometry"].to_numpy())
    share = _points(inc, "theft.burglary").within(rental).mean()
    truth = MANIFEST["zones"]
    assert share > 30 * truth["rental_housing_area_share"]
    assert abs(share - truth["burglary_share_in_rental"]) < 0.05


def test_vehicle_theft_lies_along_main_streets(sample_store, inc: pd.DataFrame) -> None:
    streets = sample_store.streets().to_crs(UTM)
    mains = shapely.union_all(streets.loc[streets["class"] == "main", "geometry"].to_numpy())
    near = (_points(inc, "theft.vehicle").distance(mains) <= 100).mean()
    assert abs(near - MANIFEST["vehicle_theft"]["share_within_100m_of_main"]) < 0.05
    assert (_points(inc, "fraud.telecom").distance(mains) <= 100).mean() < near / 2


def test_rising_township_and_emerging_hotspot(inc: pd.DataFrame) -> None:
    r = MANIFEST["rising"]
    b = inc[(inc["category"] == r["category"]) & (inc["occurred_at"].dt.month <= 10)]
    by = b.groupby([b["area_code"], b["occurred_at"].dt.year]).size().unstack(fill_value=0)
    n25, n26 = by.loc[r["area_code"], 2025], by.loc[r["area_code"], 2026]
    # conditional binomial test of the 2026 share, made conservative for overdispersion (variance x 1.5)
    z = (n26 - (n25 + n26) / 2) / np.sqrt((n25 + n26) / 4 * 1.5)
    assert r["ratio"] > 1.8 and n26 / n25 > 1.4 and stats.norm.sf(z) < 0.01
    ratios = (by[2026] + 1) / (by[2025] + 1)
    assert ratios[by[2025] >= 20].idxmax() == r["area_code"]
    e = MANIFEST["emerging_hotspot"]
    import geopandas as gpd

    centre = gpd.GeoSeries(gpd.points_from_xy([e["lon"]], [e["lat"]]), crs=4326).to_crs(UTM).iloc[0]
    pts = _points(inc, e["category"])
    when = inc.loc[pts.index, "occurred_at"].dt.tz_localize(None)
    near = pts.distance(centre) < 2 * e["sigma_m"]
    start = pd.Timestamp(e["start"] + "-01")
    after = (near & (when >= start)).sum()
    before = (near & (when >= start - pd.DateOffset(years=1)) & (when < start)).sum()
    assert after >= 60 and after > 8 * max(before, 1)


def test_cameras(sample_store) -> None:
    cams = sample_store.table("cameras")
    assert (cams["kind"] == "camera").sum() == 480 and (cams["kind"] == "checkpoint").sum() == 5
    assert cams["installed_on"].min() >= pd.Timestamp("2019-01-01")
    assert cams["installed_on"].max() <= pd.Timestamp(SAMPLE_END)
    assert (cams["status"] == "broken").sum() == MANIFEST["cameras"]["broken"] > 0


def test_dirty_rows_end_where_the_manifest_says(sample_store) -> None:
    dirty = pd.DataFrame(MANIFEST["dirty"])
    q = sample_store.quarantine()
    q = set(zip(q["source_file"].map(lambda p: Path(p).name), q["row"], q["reason"], strict=True))
    expected_q = dirty[dirty["outcome"] == "quarantined"]
    assert set(zip(expected_q["file"], expected_q["line"], expected_q["reason"], strict=True)) == q
    loc = sample_store.con.execute('SELECT source_file, "row", reason FROM location_log').df()
    loc = set(zip(loc["source_file"].map(lambda p: Path(p).name), loc["row"], loc["reason"], strict=True))
    expected_l = dirty[dirty["outcome"] == "location_cleared"]
    assert set(zip(expected_l["file"], expected_l["line"], expected_l["reason"], strict=True)) == loc
    log = sample_store.con.execute('SELECT file, "duplicate" FROM ingest_log').df()
    dup = log.assign(file=log["file"].map(lambda p: Path(p).name)).groupby("file")["duplicate"].sum()
    for file, n in dirty[dirty["outcome"] == "duplicate"].groupby("file").size().items():
        assert dup[file] == n
    pii = dirty[dirty["kind"] == "personal_data"].iloc[0]
    desc = sample_store.incidents().set_index("incident_id").loc[pii["id"], "description"]
    assert "身份证号" in desc  # stored raw, only in the free-text column
