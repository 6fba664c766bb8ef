"""Offline maps and charts: built from tidy frames constructed here, no tiles, true shapes, zh/en labels."""

from __future__ import annotations

import json
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from shapely.geometry import LineString, MultiPolygon, box

from zzanalytics.errors import SpatialError
from zzanalytics.report import charts, maps
from zzanalytics.report.blocks import figure


@pytest.fixture(scope="module")
def areas():
    return gpd.GeoDataFrame(
        {
            "area_code": ["620102001", "620102002", "620102003"],
            "name": ["东关街道", "西关<script>alert(1)</script>街道", "南关街道"],
            "name_en": ["Dongguan", "Xiguan", "Nanguan"],
        },
        geometry=[
            box(103.80, 36.05, 103.82, 36.07),
            box(103.82, 36.05, 103.84, 36.07),
            MultiPolygon([box(103.80, 36.03, 103.81, 36.05), box(103.81, 36.03, 103.84, 36.05)]),
        ],
        crs="EPSG:4326",
    )


def _json(fig: go.Figure) -> str:
    return fig.to_json()


def test_choropleth_classes_and_true_shape(areas):
    fig = maps.choropleth(
        areas,
        {"620102001": 10.0, "620102002": 20.0},
        title="每万人刑事案件",
        unit="起/万人",
        highlight=["620102002"],
    )
    names = [t.name for t in fig.data if t.name]
    assert "无数据" in names  # the third township has no value
    assert "显著恶化" in names
    # y scaled by 1/cos(lat): one degree of latitude is longer on screen than one of longitude
    assert fig.layout.yaxis.scaleratio == pytest.approx(1 / math.cos(math.radians(36.05)), rel=1e-3)
    js = _json(fig)
    assert "mapbox" not in js and "tiles" not in js and "geo" not in fig.layout.to_plotly_json()
    # text from data is cleaned: no markup reaches the figure
    assert "<script" not in js and "alert(1)" in js


def test_choropleth_english_labels_and_fill_per_class(areas):
    fig = maps.choropleth(areas, pd.Series({"620102001": 1.0, "620102002": 2.0, "620102003": 3.0}), lang="en")
    text_trace = next(t for t in fig.data if t.mode == "text")
    assert list(text_trace.text) == ["Dongguan", "Xiguan", "Nanguan"]
    filled = [t for t in fig.data if t.fill == "toself"]
    assert len(filled) == 3  # three distinct values -> three classes
    assert len({t.fillcolor for t in filled}) == 3


def test_paths_separate_parts_with_none(areas):
    x, y = maps.paths(list(areas.geometry))
    assert x.count(None) == 4  # 1 + 1 + 2 rings
    assert len(x) == len(y)


def test_cell_map_draws_only_significant_classes(areas):
    cells = gpd.GeoDataFrame(
        {"hotspot": ["hot_99", "hot_95", "not_significant", "cold_90"]},
        geometry=[box(103.80 + i * 0.01, 36.05, 103.81 + i * 0.01, 36.06) for i in range(4)],
        crs="EPSG:4326",
    )
    fig = maps.cell_map(cells, areas=areas)
    names = [t.name for t in fig.data if t.fill == "toself"]
    assert names == ["热点(99%置信)", "热点(95%置信)", "冷点(90%置信)"]
    en = maps.cell_map(cells, lang="en")
    assert [t.name for t in en.data] == ["Hot spot, 99%", "Hot spot, 95%", "Cold spot, 90%"]


def test_cell_map_projected_input_is_reprojected():
    cells = gpd.GeoDataFrame({"hotspot": ["hot_99"]}, geometry=[box(0, 0, 1000, 1000)], crs="EPSG:32648")
    fig = maps.cell_map(cells)
    xs = [v for v in fig.data[0].x if v is not None]
    assert 100 < min(xs) < 110  # lon of UTM zone 48 near its false origin


def test_camera_map_layers(areas):
    streets = gpd.GeoDataFrame(
        {"name": ["解放路", "小巷"], "class": ["main", "secondary"]},
        geometry=[
            LineString([(103.80, 36.06), (103.84, 36.06)]),
            LineString([(103.81, 36.05), (103.81, 36.07)]),
        ],
        crs="EPSG:4326",
    )
    cams = pd.DataFrame(
        {
            "lon": [103.805, 103.83, np.nan],
            "lat": [36.06, 36.061, 36.0],
            "kind": ["camera", "checkpoint", "camera"],
        }
    )
    gaps = streets.iloc[[0]]
    sites = pd.DataFrame({"lon": [103.835], "lat": [36.06]})
    fig = maps.camera_map(cams, areas=areas, streets=streets, gaps=gaps, sites=sites, title="视频监控覆盖")
    names = [t.name for t in fig.data if t.showlegend is not False]
    assert names == ["次要街道", "主要街道", "未覆盖路段", "视频监控点 (1)", "智能卡口 (1)", "建议新增点位"]


def test_maps_refuse_empty_inputs():
    with pytest.raises(SpatialError, match="areas table is empty"):
        maps.choropleth(gpd.GeoDataFrame({"area_code": []}, geometry=[], crs="EPSG:4326"), {})
    with pytest.raises(SpatialError, match="neither"):
        maps.camera_map(pd.DataFrame({"lon": [], "lat": [], "kind": []}))


def test_charts_from_tidy_frames():
    months = pd.date_range("2025-01-01", "2026-10-01", freq="MS")
    monthly = pd.DataFrame({"period": months, "count": np.arange(len(months)) + 100})
    fig = charts.year_on_year(monthly, 2026, last_month=6)
    assert len(fig.data[1].x) == 6 and fig.data[1].text[0] == "112"
    fc = pd.DataFrame(
        {
            "period": pd.date_range("2026-11-01", periods=2, freq="MS"),
            "mean": [5.0, 6.0],
            "lo80": [4.0, 4.5],
            "hi80": [6.0, 7.5],
            "lo95": [-1.0, 3.0],
            "hi95": [7.0, 9.0],
        }
    )
    fan = charts.forecast_fan(monthly, fc, since="2026-01-01", lang="en")
    assert [t.name for t in fan.data] == ["95% interval", "80% interval", "Observed", "Forecast"]
    assert min(v for v in fan.data[0].y) >= 0  # a count interval never dips below zero
    breach = pd.DataFrame(
        {
            "metric": ["fire.count", "traffic.deaths"],
            "ceiling": [100.0, 20.0],
            "observed_to_date": [80.0, 10.0],
            "expected": [104.0, 14.0],
            "lo80": [96.0, 11.0],
            "hi80": [113.0, 17.0],
            "p_breach": [0.64, 0.004],
        }
    )
    g = charts.target_gauge(breach, labels={"fire.count": "火灾起数", "traffic.deaths": "交通事故死亡人数"})
    assert list(g.data[1].text) == ["超标概率<1%", "超标概率64%"]
    frag = figure(g, caption="目标")
    assert "Plotly.newPlot" in frag and "<script src" not in frag


def test_figure_json_is_escaped_against_script_injection(areas):
    fig = go.Figure(go.Bar(x=["</script><script>alert(1)</script>"], y=[1]))
    frag = figure(fig)
    assert "</script><script>alert(1)" not in frag
    json.loads(fig.to_json())
