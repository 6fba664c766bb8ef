"""Grids: square cells tile the district, H3 hexagons cover it, counts are complete."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Polygon

from zzanalytics.errors import SpatialError
from zzanalytics.spatial.grid import (
    assign_cells,
    cell_counts,
    local_crs,
    make_grid,
    projected,
)

# an irregular "district" of two townships, ~5 x 4 km, in Lanzhou's UTM zone 48N
A = Polygon([(103.80, 36.04), (103.83, 36.04), (103.83, 36.07), (103.80, 36.075)])
B = Polygon([(103.83, 36.04), (103.855, 36.045), (103.85, 36.07), (103.83, 36.07)])
AREAS = gpd.GeoDataFrame({"area_code": ["1", "2"]}, geometry=[A, B], crs=4326)


def test_local_crs_is_utm_zone():
    assert local_crs(AREAS).to_epsg() == 32648
    assert local_crs((-74.0, 40.7)).to_epsg() == 32618
    assert local_crs((151.2, -33.9)).to_epsg() == 32756


@pytest.mark.parametrize("cell", [250, 400])
def test_square_cells_tile_the_district(cell):
    g = make_grid(AREAS, cell=cell)
    assert g.crs.to_epsg() == 4326 and list(g.columns) == ["cell_id", "geometry"]
    assert g["cell_id"].is_unique
    pg, pa = projected(g), projected(AREAS, g.attrs["crs"])
    district = pa.union_all()
    assert pg.area.sum() == pytest.approx(district.area, rel=1e-6)
    # no overlaps: the union has the same area as the sum
    assert pg.union_all().area == pytest.approx(pg.area.sum(), rel=1e-6)
    # interior cells are full squares of cell x cell metres
    assert np.isclose(pg.area.max(), cell * cell, rtol=1e-6)


def test_unclipped_square_ids_are_stable_and_snapped():
    g1 = make_grid(AREAS, cell=500, clip=False)
    g2 = make_grid(AREAS.iloc[:1], cell=500, clip=False)
    assert set(g2.cell_id) <= set(g1.cell_id)
    b = projected(g1).geometry.bounds
    for v in (b.minx, b.miny):
        off = (v + 250) % 500 - 250  # signed distance to the nearest multiple of 500 m
        assert np.abs(off).max() < 1e-3


def test_h3_hexagons_cover_the_district():
    g = make_grid(AREAS, cell=250, kind="hex", clip=False)
    assert g.attrs["h3_resolution"] == 9
    district = projected(AREAS, g.attrs["crs"]).union_all()
    hexes = projected(g).union_all()
    assert district.difference(hexes).area / district.area < 1e-6
    clipped = make_grid(AREAS, kind="hex", h3_resolution=8)
    assert projected(clipped).area.sum() == pytest.approx(district.area, rel=1e-6)


def test_grid_from_points_extent_and_bad_inputs():
    pts = pd.DataFrame({"lon": [103.80, 103.82, np.nan], "lat": [36.05, 36.06, 36.0]})
    g = make_grid(pts, cell=500)
    assert len(g) > 0
    with pytest.raises(SpatialError, match="kind"):
        make_grid(AREAS, kind="triangle")
    with pytest.raises(SpatialError):
        make_grid(AREAS, cell=0)


def test_assign_and_counts_complete_with_zeros():
    g = make_grid(AREAS, cell=500)
    rng = np.random.default_rng(0)
    n = 300
    inc = pd.DataFrame(
        {
            "lon": rng.uniform(103.80, 103.85, n),
            "lat": rng.uniform(36.045, 36.065, n),
            "occurred_at": pd.Timestamp("2026-01-01", tz="Asia/Shanghai")
            + pd.to_timedelta(rng.uniform(0, 90, n), unit="D"),
        }
    )
    inc.loc[0, ["lon", "lat"]] = np.nan
    cells = assign_cells(inc, g)
    assert cells.isna().iloc[0] and cells.iloc[1:].notna().all()
    # every assigned point lies in its cell
    geo = g.set_index("cell_id").geometry
    pts = gpd.points_from_xy(inc.lon[1:], inc.lat[1:])
    assert all(geo[c].buffer(1e-9).contains(p) for c, p in zip(cells.iloc[1:], pts, strict=True))
    total = cell_counts(inc, g)
    assert len(total) == len(g) and total["count"].sum() == n - 1
    monthly = cell_counts(inc, g, freq="month")
    assert len(monthly) == 3 * len(g)
    per_cell = monthly.groupby("cell_id")["count"].sum().reindex(total.cell_id)
    assert per_cell.tolist() == total["count"].tolist()
    jan = cell_counts(inc, g, start="2026-01-01", end="2026-01-31")["count"].sum()
    assert jan == monthly[monthly.period == pd.Timestamp("2026-01-01")]["count"].sum()


def test_grid_from_points_covers_their_hull_not_their_box():
    """Records of a city on a lake shore (a triangle of points): the grid covers the hull with whole
    cells and leaves out the empty half of the box, which would be all cold spots."""
    rng = np.random.default_rng(3)
    u, v = rng.uniform(0, 1, (2, 4000))
    inside = u + v <= 1  # the triangle (0,0), (1,0), (0,1) of a 0.1-degree box
    pts = pd.DataFrame({"lon": 103.8 + 0.1 * u[inside], "lat": 36.0 + 0.1 * v[inside]})
    g = make_grid(pts, cell=500)
    box = make_grid((103.8, 36.0, 103.9, 36.1), cell=500)
    assert 0.45 < len(g) / len(box) < 0.62  # about half the box, plus the cells along the diagonal
    cells = projected(g).area
    assert cells.min() == pytest.approx(500 * 500, rel=1e-6)  # whole cells: the hull is no boundary
    assert assign_cells(pts, g).notna().all()  # every record falls in a cell
    assert len(make_grid(pts.iloc[:2], cell=500)) > 0  # two points: their box
