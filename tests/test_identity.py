"""The district's identity from the store, not the code: name, currency, cell size, areas by name or
code in natural order, and maps that stay legible with many areas."""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box
from typer.testing import CliRunner

from zzanalytics.aggregate import counts
from zzanalytics.cli import app
from zzanalytics.errors import ReportError
from zzanalytics.report import labels, maps
from zzanalytics.report import text as tx
from zzanalytics.report.briefing import find_area, load
from zzanalytics.report.briefing.context import Context
from zzanalytics.report.briefing.hotspots import rates_blocks
from zzanalytics.schema import natural_key
from zzanalytics.spatial.grid import cell_for

runner = CliRunner()


@pytest.mark.parametrize(
    "amount,lang,currency,want",
    [
        (563_000, "zh", "CNY", "56.3万元"),
        (563_000, "en", "CNY", "CNY 563,000"),
        (30_286_400, "zh", "CAD", "3,028.6万加元"),
        (30_286_400, "en", "CAD", "CAD 30.3 million"),
        (1_250_000, "zh", "USD", "125.0万美元"),
        (980_000, "en", "EUR", "EUR 980,000"),
        (50_000, "zh", "XYZ", "5.0万 XYZ"),
    ],
)
def test_losses_are_worded_in_the_store_currency(amount, lang, currency, want) -> None:
    assert tx.money(amount, lang, currency) == want


def test_the_briefing_context_carries_the_store_identity(city_store) -> None:
    zh, en = load(city_store, lang="zh"), load(city_store, lang="en")
    assert (zh.subject, en.subject) == ("Lakeport", "City of Lakeport")
    assert zh.currency == en.currency == "CAD"
    assert zh.money(1_000_000) == "100.0万加元" and en.money(2_500_000) == "CAD 2.5 million"
    assert Context.empty().subject == "全区"  # a store without a name


def test_area_by_code_or_name_and_errors_that_help(city_store) -> None:
    assert find_area(city_store, "111") == "111"
    assert find_area(city_store, "Harbourfront (111)") == "111"
    assert find_area(city_store, "harbourfront") == "111"  # spelling forgiven as at ingest
    with pytest.raises(ReportError) as err:
        find_area(city_store, "Harbour Front Park")
    msg = str(err.value)
    assert "Harbourfront (111)" in msg and "44 townships" in msg and "zz info --areas" in msg
    result = runner.invoke(app, ["briefing", "--store", str(city_store.path), "--area", "Nowhere"])
    assert result.exit_code == 2 and "Traceback" not in result.output and "44 townships" in result.output
    listing = runner.invoke(app, ["info", "--store", str(city_store.path), "--areas"])
    assert listing.exit_code == 0 and listing.output.count("\n") >= 45
    codes = [line.split()[0] for line in listing.output.splitlines()[2:]]
    assert codes == sorted(codes, key=natural_key) and codes[:3] == ["1", "3", "5"]


def test_codes_sort_in_natural_order(city_store) -> None:
    c = counts(city_store.incidents(category="fire"), freq="year", by=("area_code",))
    codes = list(dict.fromkeys(c["area_code"]))
    assert codes == sorted(codes, key=natural_key) and codes[:2] == ["1", "3"]


def test_hotspot_cells_follow_the_district_size(city_store, sample_store) -> None:
    assert cell_for(city_store.areas()) == cell_for(sample_store.areas()) == 400.0
    small = city_store.areas().iloc[:3]
    assert cell_for(small) < 400.0


def test_no_population_no_rate_ranking(city_store) -> None:
    ctx = load(city_store, lang="en")
    ctx = replace(ctx, areas=ctx.areas.assign(population=np.nan))
    html = "".join(str(b) for b in rates_blocks(ctx))
    assert "no population figures" in html and "Highest rates of" not in html


def _many_areas(n_side: int = 12) -> gpd.GeoDataFrame:
    """140-odd neighbourhoods: a few large ones with short names, many small ones with long names."""
    geoms, names = [], []
    for i in range(n_side):
        for j in range(n_side):
            k = i * n_side + j
            big = (i + j) % 7 == 0
            w = 0.058 if big else 0.006
            x, y = -79.5 + i * 0.06, 43.6 + j * 0.02
            geoms.append(box(x, y, x + w, y + 0.018))
            names.append(f"Ward {k} ({k})" if big else f"Neighbourhood Number {k} ({k})")
    return gpd.GeoDataFrame(
        {"area_code": [str(k) for k in range(len(geoms))], "name": names}, geometry=geoms, crs="EPSG:4326"
    )


def _label_boxes(fig, size: float) -> list[tuple[float, float, float, float, str]]:
    sx, sy, _ = labels._page_scale(fig)
    t = fig.data[-1]
    out = []
    for x, y, s in zip(t.x, t.y, t.text, strict=True):
        if s:
            w = labels.text_width(s, size) / sx / 2
            h = size * 0.6 / sy
            out.append((x - w, y - h, x + w, y + h, s))
    return out


def test_maps_with_many_areas_stay_legible() -> None:
    areas = _many_areas()
    fig = maps.choropleth(areas, {c: float(i) for i, c in enumerate(areas["area_code"])}, lang="en")
    boxes = _label_boxes(fig, 11)
    names = [b for b in boxes if not b[4].isdigit()]
    numbers = [b for b in boxes if b[4].isdigit()]
    assert 0 < len(names) < len(areas) and len(names) + len(numbers) == len(areas)
    for i, a in enumerate(names):  # no written name overlaps another
        for b in names[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a[4], b[4])
    x0, x1 = fig.layout.xaxis.range
    y0, y1 = fig.layout.yaxis.range
    for b in boxes:  # nothing cut at the frame
        assert x0 <= b[0] and b[2] <= x1 and y0 <= b[1] and b[3] <= y1, b
    key = fig.layout.annotations[0].text
    assert key.count(" · ") + key.count("<br>") + 1 == len(numbers)
    # the same township has the same number on every map, whatever its font
    other = maps.cell_map(
        gpd.GeoDataFrame({"hotspot": ["hot99"]}, geometry=[areas.geometry.iloc[0]], crs=4326), areas=areas
    )
    first = {b[4]: b[:2] for b in _label_boxes(fig, 11) if b[4].isdigit()}
    again = {b[4]: b[:2] for b in _label_boxes(other, 10) if b[4].isdigit()}
    shared = set(first) & set(again)
    assert shared and all(abs(first[k][0] - again[k][0]) < 0.01 for k in shared)
    # beyond MAX_KEYED small areas, no numbers: the hover names them
    many = _many_areas(16)
    crowded = maps.choropleth(many, {}, lang="en")
    shown = [s for s in crowded.data[-1].text if s]
    assert not any(s.isdigit() for s in shown) and len(crowded.layout.annotations) == 0
    assert list(crowded.data[-1].hovertext)[5].startswith("Neighbourhood Number 5 (5)")
    assert pd.Series(shown).is_unique


def test_sources_toml_identity_is_checked(tmp_path) -> None:
    from zzanalytics.errors import StoreError
    from zzanalytics.ingest.sources import read_sources

    for bad, fragment in (('timezone = "Mars/Olympus"', "Mars/Olympus"), ('currency = "加元"', "ISO 4217")):
        f = tmp_path / "sources.toml"
        f.write_text(f'[district]\nname = "X"\n{bad}\n', encoding="utf-8")
        with pytest.raises(StoreError, match=fragment):
            read_sources(f)


def test_area_by_name_without_polygons(tmp_path) -> None:
    """A police export that names its neighbourhoods but comes without polygons: --area takes
    those names (spelling forgiven) and the township briefing is cut to them."""
    from zzanalytics.ingest import ingest_files

    rng = np.random.default_rng(5)
    n = 600
    when = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 730 * 86400, n), unit="s")
    hood = rng.choice(["Annex", "Moss Park", "Regent Park"], n)
    pd.DataFrame({"when": when.strftime("%Y-%m-%d %H:%M:%S"), "hood": hood, "what": "Assault"}).to_csv(
        tmp_path / "police.csv", index=False
    )
    mapping = {
        "source": {"timezone": "America/Toronto"},
        "columns": {"occurred_at": "when", "area_code": "hood", "category": "what"},
        "categories": {"Assault": "assault"},
    }
    store = tmp_path / "zz.duckdb"
    ingest_files([tmp_path / "police.csv"], mapping, store=store)
    assert find_area(store, "moss  park") == "Moss Park"
    with pytest.raises(ReportError, match=r"its townships are: Annex, Moss Park, Regent Park$"):
        find_area(store, "Nowhere")
    ctx = load(store, "2021-01-01", "2021-12-31", area="annex")
    assert ctx.area == "Annex" and ctx.names["Annex"] == "Annex"
