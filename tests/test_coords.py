"""Coordinate conversions against published reference pairs, round trips and pyproj."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zzanalytics.errors import SpatialError
from zzanalytics.ingest.coords import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    to_wgs84,
    valid_lonlat,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

# (wgs_lat, wgs_lon, gcj_lat, gcj_lon) from the test suite of googollee/eviltransform
# (python/test.py: shanghai, shenzhen, beijing), the reference implementation of GCJ-02.
EVILTRANSFORM = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
]


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), EVILTRANSFORM)
def test_wgs_to_gcj_matches_eviltransform(wlat: float, wlon: float, glat: float, glon: float) -> None:
    lon, lat = wgs84_to_gcj02(wlon, wlat)
    assert abs(lon - glon) < 1e-9 and abs(lat - glat) < 1e-9


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), EVILTRANSFORM)
def test_gcj_to_wgs_inverse_within_1e_6(wlat: float, wlon: float, glat: float, glon: float) -> None:
    lon, lat = gcj02_to_wgs84(glon, glat)
    # iterative inverse: far below the 1e-6 degree (0.1 m) we promise
    assert abs(lon - wlon) < 1e-8 and abs(lat - wlat) < 1e-8


def test_gcj_to_wgs_matches_gcoord() -> None:
    # hujiulong/gcoord test/unit/crs/GCJ02.spec.js: GCJ02 -> WGS84 of [123, 45], 5 decimals
    lon, lat = gcj02_to_wgs84(123.0, 45.0)
    assert round(float(lon), 5) == round(122.99395597, 5)
    assert round(float(lat), 5) == round(44.99804071, 5)
    # same file: GCJ02 -> BD09 of [123, 45]
    blon, blat = gcj02_to_bd09(123.0, 45.0)
    assert abs(blon - 123.00636499) < 1e-8 and abs(blat - 45.00636899) < 1e-8


def test_gcj_bd_match_coordtransform() -> None:
    # wandergis/coordtransform values, as asserted in hutool's CoordinateUtilTest
    lon, lat = gcj02_to_bd09(116.404, 39.915)
    assert abs(lon - 116.41036949371029) < 1e-12 and abs(lat - 39.92133699351021) < 1e-12
    # coordtransform's bd09togcj02 is Baidu's one-step approximation; ours iterates to the exact
    # inverse of gcj02_to_bd09, which stays within 1e-5 degree (~1 m) of the one-step value
    glon, glat = bd09_to_gcj02(116.404, 39.915)
    assert abs(glon - 116.39762729119315) < 1e-5
    # and our inverse is exact for the forward transform
    blon, blat = gcj02_to_bd09(glon, glat)
    assert abs(blon - 116.404) < 1e-9 and abs(blat - 39.915) < 1e-9


def test_beijing_railway_station_published_pair() -> None:
    # Beijing railway station as published by Gaode (GCJ-02) and Baidu (BD-09), 5-6 decimals,
    # quoted in the R package 'geoChina' (bd2gcj example)
    glon, glat = bd09_to_gcj02(116.43351, 39.90851)
    assert abs(glon - 116.42703) < 2e-5 and abs(glat - 39.90245) < 2e-5


def test_outside_china_is_identity() -> None:
    lon, lat = wgs84_to_gcj02([2.35, -74.0], [48.85, 40.7])
    np.testing.assert_array_equal(lon, [2.35, -74.0])
    np.testing.assert_array_equal(lat, [48.85, 40.7])
    lon, lat = gcj02_to_wgs84([2.35], [48.85])
    np.testing.assert_array_equal(lon, [2.35])


def test_vectorised_with_nan() -> None:
    lon, _ = gcj02_to_wgs84(np.array([103.8, np.nan]), np.array([36.06, 36.0]))
    assert np.isfinite(lon[0]) and np.isnan(lon[1])


@settings(max_examples=100, deadline=None)
@given(st.floats(73.0, 135.0), st.floats(18.0, 53.0))
def test_round_trips(lon: float, lat: float) -> None:
    for fwd, inv in ((wgs84_to_gcj02, gcj02_to_wgs84), (wgs84_to_bd09, bd09_to_wgs84)):
        x, y = inv(*fwd(lon, lat))
        assert abs(x - lon) < 1e-7 and abs(y - lat) < 1e-7


def test_fixed_steps_accuracy_over_china() -> None:
    # ingest's bulk path: 2 steps must stay inside the promised 1e-6 degree everywhere in China
    rng = np.random.default_rng(0)
    lon, lat = rng.uniform(73.0, 135.0, 100_000), rng.uniform(18.0, 53.0, 100_000)
    g = wgs84_to_gcj02(lon, lat)
    for steps, bound in ((2, 1e-6), (3, 1e-8)):
        w = gcj02_to_wgs84(*g, steps=steps)
        assert np.abs(w[0] - lon).max() < bound and np.abs(w[1] - lat).max() < bound
        b = to_wgs84(*wgs84_to_bd09(lon[:1000], lat[:1000]), "bd09", steps=steps)
        assert np.abs(b[0] - lon[:1000]).max() < bound


def test_to_wgs84_dispatch_and_projected() -> None:
    g = wgs84_to_gcj02(103.83, 36.06)
    lon, lat = to_wgs84(*g, "GCJ-02")
    assert abs(lon - 103.83) < 1e-8
    b = wgs84_to_bd09(103.83, 36.06)
    lon, lat = to_wgs84(*b, "bd09")
    assert abs(lat - 36.06) < 1e-8
    # UTM zone 50N: easting 500 km is the central meridian 117E exactly
    lon, lat = to_wgs84([500000.0], [4_000_000.0], "EPSG:32650")
    assert abs(lon[0] - 117.0) < 1e-9
    # a CGCS2000 3-degree Gauss-Kruger zone (EPSG:4543): round trip through pyproj
    from pyproj import Transformer

    x, y = Transformer.from_crs("EPSG:4326", "EPSG:4543", always_xy=True).transform(103.83, 36.06)
    lon, lat = to_wgs84(x, y, "EPSG:4543")
    assert abs(lon - 103.83) < 1e-6 and abs(lat - 36.06) < 1e-6
    with pytest.raises(SpatialError, match="not known"):
        to_wgs84(1.0, 2.0, "mars2")
    with pytest.raises(SpatialError, match="pyproj"):
        to_wgs84(1.0, 2.0, "EPSG:999999")


def test_valid_lonlat() -> None:
    ok = valid_lonlat([103.8, 0.0, 181.0, 103.8, np.nan], [36.0, 0.0, 36.0, -91.0, 36.0])
    assert ok.tolist() == [True, False, False, False, False]


def test_gcj02_to_wgs84_sql_matches_numpy_over_china() -> None:
    import duckdb

    from zzanalytics.ingest.coords import gcj02_to_wgs84_sql

    rng = np.random.default_rng(7)
    n = 100_000
    gx, gy = rng.uniform(72.1, 137.7, n), rng.uniform(0.9, 55.7, n)
    # plus points outside China (identity), NULLs, and the box's edges
    gx = np.concatenate([gx, [2.35, -74.0, np.nan, 103.8, 72.004, 137.8347]])
    gy = np.concatenate([gy, [48.85, 40.7, 36.0, np.nan, 0.8293, 55.8271]])
    con = duckdb.connect()
    con.execute("CREATE TABLE pts AS SELECT * FROM (SELECT unnest(?) AS x, unnest(?) AS y)", [gx, gy])
    con.execute("UPDATE pts SET x = NULL WHERE isnan(x)")
    con.execute("UPDATE pts SET y = NULL WHERE isnan(y)")
    for steps in (1, 2, 3):
        q = gcj02_to_wgs84_sql("pts", "x", "y", "lon", "lat", steps=steps)
        got = con.execute(f"SELECT lon, lat, x, y FROM ({q})").fetchnumpy()
        x, y = got["x"].astype("float64"), got["y"].astype("float64")
        want = gcj02_to_wgs84(x, y, steps=steps)
        lon, lat = got["lon"].astype("float64"), got["lat"].astype("float64")
        np.testing.assert_array_equal(np.isnan(lon), np.isnan(want[0]))
        assert np.nanmax(np.abs(lon - want[0])) < 1e-9 and np.nanmax(np.abs(lat - want[1])) < 1e-9
    # only the two output columns are added, and the reference pairs still hold through SQL
    assert [c[0] for c in con.execute(f"DESCRIBE ({q})").fetchall()] == ["x", "y", "lon", "lat"]
    pairs = np.array(EVILTRANSFORM)
    q = gcj02_to_wgs84_sql("(SELECT unnest(?) AS x, unnest(?) AS y)", "x", "y", "lon", "lat", steps=5)
    lon, lat = np.array(con.execute(f"SELECT lon, lat FROM ({q})", [pairs[:, 3], pairs[:, 2]]).fetchall()).T
    assert np.abs(lon - pairs[:, 1]).max() < 1e-8 and np.abs(lat - pairs[:, 0]).max() < 1e-8
    with pytest.raises(SpatialError, match="at least one step"):
        gcj02_to_wgs84_sql("pts", "x", "y", "lon", "lat", steps=0)
