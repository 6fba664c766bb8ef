"""Geography of the sample district: outline, townships, streets, land-use zones.

The district (金河区, *Jinhe District*) is fictional. It sits in a river valley of
a prefecture-level city in Gansu, around lon 103.80, lat 36.05, where the real
valley cities of the province lie: a dense urban core of six street offices (街道)
along the river and six suburban towns and townships (镇/乡) around it.

Everything is built in metres (UTM zone 48N, EPSG:32648) and converted to WGS-84
at the end; the exports convert once more to GCJ-02, as Chinese map services give
coordinates. Townships are the Voronoi cells of their seats clipped to the
district outline, so they tile it exactly.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, MultiPoint, Point, Polygon
from shapely.ops import unary_union

CENTRE_LONLAT = (103.80, 36.05)
"""WGS-84 centre of the district."""

UTM = "EPSG:32648"
_TO_UTM = Transformer.from_crs("EPSG:4326", UTM, always_xy=True)
_TO_WGS = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)
_X0, _Y0 = _TO_UTM.transform(*CENTRE_LONLAT)

DISTRICT = {
    "name": "金河区",
    "name_en": "Jinhe District",
    "code": "620102",
    "city": "陇原市",
    "city_en": "Longyuan City",
    "province": "甘肃省",
    "note": "fictional district; names, codes and numbers are synthetic",
}

# code, Chinese name, pinyin name, kind, seat (x, y metres from the centre), population
TOWNSHIPS: tuple[tuple[str, str, str, str, tuple[float, float], int], ...] = (
    ("620102001", "鼓楼街道", "Gulou Subdistrict", "street", (-600.0, 900.0), 61_400),
    ("620102002", "新华街道", "Xinhua Subdistrict", "street", (1_900.0, 1_300.0), 54_800),
    ("620102003", "南关街道", "Nanguan Subdistrict", "street", (300.0, -1_600.0), 57_300),
    ("620102004", "站前街道", "Zhanqian Subdistrict", "street", (4_200.0, -300.0), 49_600),
    ("620102005", "滨河街道", "Binhe Subdistrict", "street", (-3_300.0, -500.0), 52_100),
    ("620102006", "金河路街道", "Jinhelu Subdistrict", "street", (-2_800.0, 2_300.0), 46_900),
    ("620102100", "新城镇", "Xincheng Town", "town", (7_600.0, 2_600.0), 29_800),
    ("620102101", "柳泉镇", "Liuquan Town", "town", (-8_600.0, 1_200.0), 21_300),
    ("620102102", "东川镇", "Dongchuan Town", "town", (10_400.0, -2_600.0), 18_700),
    ("620102103", "红柳镇", "Hongliu Town", "town", (-7_300.0, -3_900.0), 16_200),
    ("620102200", "杏园乡", "Xingyuan Township", "township", (2_600.0, -5_300.0), 11_900),
    ("620102201", "石岭乡", "Shiling Township", "township", (1_200.0, 5_200.0), 9_800),
)

# name, class, control points (metres), wiggle amplitude
STREETS: tuple[tuple[str, str, tuple[tuple[float, float], ...], float], ...] = (
    (
        "滨河路",
        "main",
        ((-13_500, -900), (-7_000, -1_200), (-2_000, -300), (3_000, -700), (8_000, -1_300), (13_500, -1_800)),
        120.0,
    ),
    ("金河大道", "main", ((-6_500, 1_500), (-2_000, 1_700), (2_500, 1_500), (6_500, 1_100)), 60.0),
    ("南山路", "main", ((-5_500, -2_600), (-1_000, -2_300), (3_500, -2_500), (7_500, -3_000)), 60.0),
    ("鼓楼大街", "main", ((-800, -3_600), (-600, 0), (-700, 3_400)), 40.0),
    ("新华路", "main", ((2_000, -3_400), (1_900, 0), (2_200, 3_800)), 40.0),
    ("站前路", "main", ((4_600, -3_200), (4_300, -800), (4_500, 2_000)), 40.0),
    ("金柳公路", "main", ((-5_500, 1_500), (-8_500, 1_000), (-12_000, 1_900)), 150.0),
    ("金石公路", "main", ((1_900, 3_800), (1_400, 5_500), (800, 7_000)), 120.0),
    ("东川公路", "main", ((6_500, 1_100), (9_000, -500), (10_800, -2_800), (12_800, -4_200)), 150.0),
    (
        "金河绕城高速",
        "main",
        ((-14_000, 3_600), (-6_000, 4_200), (2_000, 4_300), (8_000, 3_900), (14_000, 2_600)),
        200.0,
    ),
    # secondary: urban grid and village roads
    ("解放路", "secondary", ((-4_500, 600), (-1_500, 600), (1_500, 500), (5_000, 300)), 30.0),
    ("人民路", "secondary", ((-4_000, -1_400), (-1_000, -1_300), (3_000, -1_600), (6_000, -1_900)), 30.0),
    ("建设路", "secondary", ((-5_000, 2_700), (-1_000, 2_800), (3_000, 2_600)), 30.0),
    ("文化街", "secondary", ((-2_400, -2_800), (-2_300, 0), (-2_500, 3_200)), 25.0),
    ("和平路", "secondary", ((800, -3_000), (700, 0), (900, 3_000)), 25.0),
    ("胜利街", "secondary", ((3_200, -2_800), (3_100, 0), (3_300, 2_900)), 25.0),
    ("团结路", "secondary", ((-4_300, -2_500), (-4_100, 0), (-4_400, 2_600)), 25.0),
    ("迎宾路", "secondary", ((5_800, -2_700), (5_600, 0), (5_900, 2_400)), 25.0),
    ("新城大道", "secondary", ((6_500, 2_200), (8_200, 2_700), (10_000, 2_500)), 40.0),
    ("柳泉街", "secondary", ((-9_800, -500), (-8_700, 1_100), (-8_400, 2_800)), 60.0),
    ("红柳路", "secondary", ((-5_500, -2_600), (-7_300, -3_800), (-9_500, -4_800)), 80.0),
    ("杏园路", "secondary", ((1_000, -2_400), (2_500, -4_500), (3_000, -6_200)), 80.0),
    ("东川街", "secondary", ((9_400, -1_800), (10_600, -2_500), (11_300, -3_600)), 50.0),
    ("石岭路", "secondary", ((-200, 3_500), (500, 5_200), (2_600, 6_000)), 80.0),
)

# zone id, kind, Chinese name, centre (metres), radius (metres)
ZONES: tuple[tuple[str, str, str, tuple[float, float], float], ...] = (
    ("R01", "rental_housing", "南关城中村", (-200.0, -2_000.0), 420.0),
    ("R02", "rental_housing", "滨河城中村", (-3_600.0, -1_100.0), 480.0),
    ("R03", "rental_housing", "站前出租屋集中区", (3_900.0, -1_200.0), 380.0),
    ("R04", "rental_housing", "金河路城中村", (-3_000.0, 2_800.0), 360.0),
    ("R05", "rental_housing", "新城出租屋集中区", (6_800.0, 2_000.0), 400.0),
    ("C01", "commercial", "鼓楼商圈", (-500.0, 700.0), 450.0),
    ("C02", "commercial", "站前商贸区", (4_400.0, -200.0), 380.0),
    ("C03", "commercial", "新城奥特莱斯", (8_300.0, 2_800.0), 300.0),
    ("I01", "industrial", "东川工业园", (10_600.0, -3_200.0), 900.0),
    ("I02", "industrial", "红柳物流园", (-7_000.0, -4_300.0), 700.0),
    ("V01", "village", "柳泉村", (-8_700.0, 1_400.0), 300.0),
    ("V02", "village", "上柳村", (-10_800.0, 2_200.0), 260.0),
    ("V03", "village", "下柳村", (-9_900.0, -400.0), 240.0),
    ("V04", "village", "红柳村", (-7_600.0, -3_500.0), 280.0),
    ("V05", "village", "沙沟村", (-9_600.0, -4_900.0), 240.0),
    ("V06", "village", "杏园村", (2_600.0, -5_200.0), 300.0),
    ("V07", "village", "杏林村", (4_300.0, -6_000.0), 230.0),
    ("V08", "village", "石岭村", (1_200.0, 5_300.0), 260.0),
    ("V09", "village", "石门村", (-1_800.0, 6_000.0), 220.0),
    ("V10", "village", "东川村", (11_600.0, -1_600.0), 280.0),
    ("V11", "village", "川口村", (12_600.0, -3_900.0), 230.0),
    ("V12", "village", "新城村", (9_400.0, 3_400.0), 260.0),
)


@dataclass
class Geography:
    """The district in metres (UTM 48N): outline, township cells, streets, zones."""

    outline: Polygon
    areas: list[dict] = field(default_factory=list)  # code, name, name_en, kind, population, geom
    streets: list[dict] = field(default_factory=list)  # name, class, geom
    zones: list[dict] = field(default_factory=list)  # zone_id, kind, name, geom

    @property
    def codes(self) -> list[str]:
        """Township codes in order."""
        return [a["area_code"] for a in self.areas]

    def main_streets(self) -> list[dict]:
        """Streets of class ``main``."""
        return [s for s in self.streets if s["class"] == "main"]

    def area_of_points(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Index of the township containing each point (-1 outside the district)."""
        out = np.full(len(x), -1, dtype=np.int64)
        for i, a in enumerate(self.areas):
            inside = shapely.contains_xy(a["geom"], x, y) & (out < 0)
            out[inside] = i
        return out


def to_lonlat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local metres (from the district centre) to WGS-84 lon/lat."""
    return _TO_WGS.transform(np.asarray(x, dtype="float64") + _X0, np.asarray(y, dtype="float64") + _Y0)


def to_metres(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 lon/lat to local metres from the district centre."""
    x, y = _TO_UTM.transform(np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64"))
    return x - _X0, y - _Y0


def _blob(rng: np.random.Generator, cx: float, cy: float, r: float, n: int = 28) -> Polygon:
    theta = np.linspace(0, 2 * np.pi, n, endpoint=False)
    k = rng.uniform(0, 2 * np.pi, 2)
    rr = r * (1 + 0.18 * np.sin(2 * theta + k[0]) + 0.1 * np.sin(3 * theta + k[1]))
    return Polygon(np.column_stack([cx + rr * np.cos(theta), cy + rr * 0.8 * np.sin(theta)])).buffer(0)


def _outline(rng: np.random.Generator) -> Polygon:
    theta = np.linspace(0, 2 * np.pi, 96, endpoint=False)
    ph = rng.uniform(0, 2 * np.pi, 3)
    wobble = (
        1
        + 0.07 * np.sin(3 * theta + ph[0])
        + 0.05 * np.sin(5 * theta + ph[1])
        + 0.03 * np.sin(9 * theta + ph[2])
    )
    x = 13_600 * np.cos(theta) * wobble
    y = 6_900 * np.sin(theta) * wobble - 300
    return Polygon(np.column_stack([np.round(x, 1), np.round(y, 1)])).buffer(0)


def _wiggle(rng: np.random.Generator, pts: tuple[tuple[float, float], ...], amp: float) -> LineString:
    out = []
    for (x0, y0), (x1, y1) in itertools.pairwise(pts):
        seg = np.hypot(x1 - x0, y1 - y0)
        n = max(2, int(seg // 400))
        t = np.linspace(0, 1, n, endpoint=False)
        nx, ny = -(y1 - y0) / seg, (x1 - x0) / seg
        off = amp * np.sin(np.pi * t * rng.uniform(1, 3) + rng.uniform(0, 2 * np.pi)) * np.sin(np.pi * t)
        out += list(zip(x0 + t * (x1 - x0) + off * nx, y0 + t * (y1 - y0) + off * ny, strict=True))
    out.append(pts[-1])
    return LineString(np.round(np.asarray(out, dtype="float64"), 1))


def build_geography(rng: np.random.Generator) -> Geography:
    """Build the district deterministically from ``rng``.

    Examples
    --------
    >>> g = build_geography(np.random.default_rng(0))
    >>> len(g.areas), round(sum(a["geom"].area for a in g.areas) / g.outline.area, 6)
    (12, 1.0)
    """
    outline = _outline(rng)
    seats = MultiPoint([t[4] for t in TOWNSHIPS])
    cells = shapely.voronoi_polygons(seats, extend_to=outline.buffer(5_000))
    geo = Geography(outline=outline)
    cell_list = list(cells.geoms)
    for code, name, name_en, kind, seat, pop in TOWNSHIPS:
        cell = next(c for c in cell_list if c.contains(Point(seat)))
        geom = shapely.set_precision(cell.intersection(outline), 0.1)
        geo.areas.append(
            {
                "area_code": code,
                "name": name,
                "name_en": name_en,
                "kind": kind,
                "population": pop,
                "geom": geom,
            }
        )
    for name, cls, pts, amp in STREETS:
        line = _wiggle(rng, pts, amp).intersection(outline)
        if line.geom_type == "MultiLineString":
            line = max(line.geoms, key=lambda g: g.length)
        geo.streets.append({"name": name, "class": cls, "geom": line})
    for zid, kind, name, (cx, cy), r in ZONES:
        geo.zones.append(
            {"zone_id": zid, "kind": kind, "name": name, "geom": _blob(rng, cx, cy, r).intersection(outline)}
        )
    return geo


def union_of(geoms: list) -> object:
    """Union of shapely geometries (helper for zone masks)."""
    return unary_union(geoms)
