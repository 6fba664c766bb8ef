"""Camera coverage on a hand geometry, uncovered segments, greedy siting."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from shapely.geometry import LineString

from zzanalytics.spatial.coverage import camera_coverage, site_cameras, uncovered_segments

UTM = 32648
X0, Y0 = 300_000.0, 3_990_000.0
to_ll = Transformer.from_crs(UTM, 4326, always_xy=True)


def ll(x, y):
    lon, lat = to_ll.transform(np.asarray(x, float) + X0, np.asarray(y, float) + Y0)
    return np.atleast_1d(lon), np.atleast_1d(lat)


def line(x0, y0, x1, y1):
    (a, b), (c, d) = [ll(x, y) for x, y in ((x0, y0), (x1, y1))]
    return LineString([(a[0], b[0]), (c[0], d[0])])


# a 2,000 m main street along y = 0 and a secondary street that must be ignored
STREETS = gpd.GeoDataFrame(
    {"name": ["Main", "Side"], "class": ["main", "secondary"]},
    geometry=[line(0, 0, 2000, 0), line(0, 500, 2000, 500)],
    crs=4326,
)


def cams():
    x = [500, 1000, 1500, 1200]
    y = [0, 50, 0, 0]
    lon, lat = ll(x, y)
    return pd.DataFrame(
        {
            "camera_id": ["on", "offset", "broken", "late"],
            "kind": ["camera", "checkpoint", "camera", "camera"],
            "lon": lon,
            "lat": lat,
            "installed_on": pd.to_datetime(["2020-01-01", "2020-01-01", "2020-01-01", "2026-06-01"]),
            "status": ["working", "working", "broken", "working"],
        }
    )


def incidents():
    x = [480, 520, 560, 1490, 1510, 1800, 1810, 1790, 1805, 1795, 300]
    y = [10, -20, 30, 5, -5, 10, -10, 0, 20, -20, 0]
    lon, lat = ll(x, y)
    return pd.DataFrame({"lon": lon, "lat": lat})


def test_coverage_by_hand():
    r = camera_coverage(cams(), STREETS, incidents(), radius=100, date="2026-01-01")
    covered = 200 + 2 * np.sqrt(100**2 - 50**2)  # the camera on the street + the one 50 m off it
    assert r.cameras == 2  # broken and not-yet-installed cameras do not count
    assert r.street_length_m == pytest.approx(2000, rel=1e-3)
    assert r.covered_length_m == pytest.approx(covered, rel=5e-3)
    assert r.street_share == pytest.approx(covered / 2000, rel=5e-3)
    assert (r.incidents, r.covered_incidents) == (11, 3)
    assert r.incident_share == pytest.approx(3 / 11)
    frame = r.to_frame()
    assert frame.loc[0, "street_share"] == pytest.approx(r.street_share)


def test_installation_date_and_uncovered_segments():
    later = camera_coverage(cams(), STREETS, incidents(), radius=100)  # no date: the late one counts
    assert later.cameras == 3 and later.covered_length_m > 500
    gaps = uncovered_segments(cams(), STREETS, radius=100, date="2026-01-01")
    assert gaps.crs.to_epsg() == 4326 and (gaps["name"] == "Main").all()
    assert len(gaps) == 3  # 0-400, 600-913, 1087-2000
    assert gaps.length_m.sum() == pytest.approx(2000 - 200 - 2 * np.sqrt(100**2 - 50**2), rel=5e-3)


def test_greedy_siting_picks_obvious_site_first_and_is_monotone():
    r = site_cameras(cams(), STREETS, incidents(), k=3, radius=100, date="2026-01-01")
    s = r.sites
    assert list(s["rank"]) == [1, 2, 3] and s.crs.to_epsg() == 4326
    # five incidents around x = 1800 m: the first site goes there and covers all five
    assert s["new_incidents"].iloc[0] == 5
    first = gpd.GeoSeries([s.geometry.iloc[0]], crs=4326).to_crs(UTM).iloc[0]
    assert abs(first.x - X0 - 1800) <= 60 and abs(first.y - Y0) < 1
    assert (np.diff(s["incident_share"]) >= 0).all() and (np.diff(s["street_share"]) >= 0).all()
    assert (s["new_incidents"].diff().dropna() <= 0).all()  # greedy gains never increase
    assert r.before["incident_share"] == pytest.approx(3 / 11)
    assert r.after["incident_share"] == pytest.approx(1.0)  # + 5 at 1800 m, + 2 at 1500 m, + 1 at 300 m
    assert s["new_incidents"].tolist() == [5, 2, 1]
    assert r.after["street_share"] > r.before["street_share"]


def test_siting_by_street_length_when_no_incident_left():
    r = site_cameras(cams(), STREETS, incidents().iloc[:0], k=2, radius=100, length_weight=1.0)
    assert len(r.sites) == 2
    assert r.sites["new_length_m"].iloc[0] == pytest.approx(200, rel=0.1)


def test_sample_planted_camera_gaps_are_uncovered(sample_store):
    import json

    from shapely.geometry import Point
    from shapely.ops import substring

    m = json.loads((sample_store.path.parent.parent / "manifest.json").read_text(encoding="utf-8"))
    streets = sample_store.streets()
    r = camera_coverage(sample_store.table("cameras"), streets, radius=100, date=m["end"])
    assert 0 < r.street_share < 1
    crs = r.crs
    gaps_p = r.uncovered.to_crs(crs)
    for gap in m["cameras"]["gaps"]:
        line = streets[streets["name"] == gap["street"]].to_crs(crs).geometry.union_all()
        ends = gpd.GeoSeries([Point(gap["from"]), Point(gap["to"])], crs=4326).to_crs(crs)
        d0, d1 = sorted(line.project(p) for p in ends)
        stretch = substring(line, d0, d1)
        unc = stretch.intersection(gaps_p[gaps_p["name"] == gap["street"]].geometry.union_all().buffer(1))
        assert unc.length >= 0.9 * stretch.length, gap["street"]
