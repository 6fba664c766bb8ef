"""Files as published: .gz and .zip of every format, old .xls through python-calamine, folders refused."""

from __future__ import annotations

import gzip
import io
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from zzanalytics.errors import SourceError
from zzanalytics.ingest import ingest_files, read_mapping
from zzanalytics.workspace import open_store

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"

MAP = {
    "columns": {"incident_id": "id", "occurred_at": "time", "category": "kind", "area_code": "area"},
    "categories": {"入室盗窃": "theft.burglary"},
}
CSV = "id,time,kind,area\nA1,2025-03-01 10:00,入室盗窃,620102001\nA2,2025-03-02 11:00,robbery,620102002\n"


def _gz(path: Path, data: bytes) -> Path:
    with gzip.open(path, "wb") as fh:
        fh.write(data)
    return path


def _ids(store: Path) -> list[str]:
    with open_store(store) as st:
        return sorted(st.incidents()["incident_id"])


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_csv_gz_is_read_as_published(tmp_path: Path, encoding: str) -> None:
    src = _gz(tmp_path / "export.csv.gz", CSV.encode(encoding))
    rep = ingest_files([src], MAP, store=tmp_path / "zz.duckdb")
    assert (rep.read, rep.accepted, rep.files[0].encoding) == (2, 2, encoding)
    assert _ids(tmp_path / "zz.duckdb") == ["A1", "A2"]
    with open_store(tmp_path / "zz.duckdb") as st:
        assert set(st.incidents()["category"]) == {"theft.burglary", "robbery"}


def test_geojson_gz_xlsx_gz_and_parquet_in_zip(tmp_path: Path) -> None:
    store = tmp_path / "zz.duckdb"
    areas = _gz(tmp_path / "areas.geojson.gz", (FIX / "areas.geojson").read_bytes())
    rep = ingest_files([areas], FIX / "areas.toml", store=store)
    assert rep.accepted == 2
    frame = pd.DataFrame({"id": ["P1", "P2"], "time": ["2025-03-01 10:00"] * 2, "kind": ["robbery"] * 2})
    frame["area"] = "620102001"
    buf = io.BytesIO()
    frame.to_parquet(buf)
    with zipfile.ZipFile(tmp_path / "export.zip", "w") as zf:
        zf.writestr("data/export.parquet", buf.getvalue())
        zf.writestr("__MACOSX/._export.parquet", b"junk")
        zf.writestr("README.txt", "about this export")
    rep = ingest_files([tmp_path / "export.zip"], MAP, store=store)
    assert rep.accepted == 2 and "read data/export.parquet from export.zip" in rep.files[0].notes
    xlsx = tmp_path / "x.xlsx"
    frame.assign(id=["X1", "X2"]).to_excel(xlsx, index=False)
    rep = ingest_files([_gz(tmp_path / "x.xlsx.gz", xlsx.read_bytes())], MAP, store=store)
    assert rep.accepted == 2
    assert _ids(store) == ["P1", "P2", "X1", "X2"]


def test_zip_with_several_data_files_names_them_and_member_chooses(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "two.zip", "w") as zf:
        zf.writestr("a.csv", CSV)
        zf.writestr("b.csv", CSV.replace("A1", "B1").replace("A2", "B2"))
    with pytest.raises(SourceError, match=r"holds 2 data files \['a.csv', 'b.csv'\].*member"):
        ingest_files([tmp_path / "two.zip"], MAP, store=tmp_path / "zz.duckdb")
    m = read_mapping({**MAP, "source": {"member": "b.csv"}})
    assert ingest_files([tmp_path / "two.zip"], m, store=tmp_path / "zz.duckdb").accepted == 2
    assert _ids(tmp_path / "zz.duckdb") == ["B1", "B2"]


def test_damaged_gzip_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "cut.csv.gz"
    bad.write_bytes(gzip.compress(CSV.encode())[:20])
    with pytest.raises(SourceError, match=r"cut\.csv\.gz"):
        ingest_files([bad], MAP, store=tmp_path / "zz.duckdb")
    with open_store(tmp_path / "zz.duckdb") as st:
        assert len(st.incidents()) == 0


def test_old_xls_through_calamine_keeps_19_digit_ids(tmp_path: Path) -> None:
    m = {
        "source": {"sheet": "火灾"},
        "columns": {
            "occurred_at": "起火时间",
            "area_code": "乡镇街道",
            "loss_yuan": "直接经济损失(万元)",
            "injuries": "受伤人数",
            "incident_id": "系统编号",
        },
        "constants": {"category": "fire"},
        "units": {"loss_yuan": 10000},
    }
    rep = ingest_files([FIX / "fires_old.xls"], m, store=tmp_path / "zz.duckdb")
    # two number cells 1234567890123456789 and ...790 are the same double in the workbook: Excel has
    # already merged them; the second is quarantined as a conflicting id, and the note says why
    assert (rep.read, rep.accepted, rep.quarantined) == (3, 2, 1)
    assert rep.reasons == {"conflicting_duplicate": 1}
    with open_store(tmp_path / "zz.duckdb") as st:
        inc = st.incidents()
    ids = sorted(inc["incident_id"])
    assert not any("e+" in i.lower() for i in ids)  # never 1.234567890123457e+18
    assert "1234567890123456791" in ids  # a text cell keeps every digit
    assert all(len(i) == 19 for i in ids)
    assert any("15 significant digits" in n for n in rep.files[0].notes)  # number cells: Excel's limit said
    assert sorted(inc["loss_yuan"]) == [15000.0, 120000.0]
    assert str(inc["occurred_at"].min())[:16] == "2025-01-28 21:30"


def test_folder_as_input_or_mapping_is_refused_before_work(tmp_path: Path) -> None:
    (tmp_path / "exports").mkdir()
    with pytest.raises(SourceError, match="is a folder"):
        ingest_files([tmp_path / "exports"], MAP, store=tmp_path / "zz.duckdb")
    from zzanalytics.errors import MappingError

    with pytest.raises(MappingError, match="is a folder"):
        ingest_files([tmp_path / "x.csv"], tmp_path / "exports", store=tmp_path / "zz.duckdb")
    assert not (tmp_path / "zz.duckdb").exists()


def test_unknown_file_type_lists_what_is_read(tmp_path: Path) -> None:
    shutil.copy(FIX / "areas.geojson", tmp_path / "areas.kml")
    with pytest.raises(SourceError, match=r"unknown file type '.kml'.*\.xls.*\.gz or inside a \.zip"):
        ingest_files([tmp_path / "areas.kml"], MAP, store=tmp_path / "zz.duckdb")


def test_zipped_shapefile_and_projected_geojson_become_wgs84_areas(tmp_path: Path) -> None:
    import json

    import geopandas as gpd
    from shapely.geometry import box

    polys = gpd.GeoDataFrame(
        {"CODE": ["95", "54"], "NAME": ["Annex (95)", "O'Connor-Parkview (54)"], "POP": [30526, 18675]},
        geometry=[box(-79.42, 43.66, -79.39, 43.68), box(-79.32, 43.70, -79.29, 43.72)],
        crs=4326,
    ).to_crs(2952)  # NAD83(CSRS) / MTM zone 10, as a city GIS office publishes
    shp = tmp_path / "shp"
    shp.mkdir()
    polys.to_file(shp / "Neighbourhoods.shp")
    with zipfile.ZipFile(tmp_path / "Neighbourhoods.zip", "w") as zf:
        for p in sorted(shp.iterdir()):
            zf.write(p, p.name)
    m = {"source": {"table": "areas"}, "columns": {"area_code": "CODE", "name": "NAME", "population": "POP"}}
    rep = ingest_files([tmp_path / "Neighbourhoods.zip"], m, store=tmp_path / "zz.duckdb")
    assert rep.accepted == 2
    with open_store(tmp_path / "zz.duckdb") as st:
        areas = st.areas().set_index("area_code")
    assert areas.loc["95"].geometry.bounds == pytest.approx((-79.42, 43.66, -79.39, 43.68), abs=1e-6)
    # an old-style GeoJSON naming its projected system in a "crs" member
    doc = json.loads(polys.to_json())
    doc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2952"}}
    (tmp_path / "n.geojson").write_text(json.dumps(doc))
    ingest_files([tmp_path / "n.geojson"], m, store=tmp_path / "g.duckdb")
    with open_store(tmp_path / "g.duckdb") as st:
        areas = st.areas().set_index("area_code")
    assert areas.loc["54"].geometry.bounds == pytest.approx((-79.32, 43.70, -79.29, 43.72), abs=1e-6)


def test_a_web_page_saved_as_xls_and_a_workbook_named_csv_are_read_as_what_they_are(tmp_path: Path) -> None:
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body>'
        "<table><tr><td colspan=4>火灾统计</td></tr>"
        "<tr><th>编号</th><th>时间</th><th>类别</th><th>街道</th></tr>"
        "<tr><td>H1</td><td>2025-03-01 10:00</td><td>入室盗窃</td><td>620102001</td></tr>"
        "<tr><td>H2</td><td>2025-03-02&nbsp;11:00</td><td>robbery</td><td>620102002</td></tr>"
        "</table></body></html>"
    )
    (tmp_path / "export.xls").write_bytes(page.encode("gb18030"))
    m = {
        **MAP,
        "columns": {"incident_id": "编号", "occurred_at": "时间", "category": "类别", "area_code": "街道"},
        "source": {"skip": 1},
    }
    rep = ingest_files([tmp_path / "export.xls"], m, store=tmp_path / "zz.duckdb")
    assert (rep.read, rep.accepted) == (2, 2)
    assert any("HTML table" in n for n in rep.files[0].notes)
    with open_store(tmp_path / "zz.duckdb") as st:
        assert set(st.incidents()["category"]) == {"theft.burglary", "robbery"}
    frame = pd.DataFrame(
        {"id": ["W1"], "time": ["2025-03-01 10:00"], "kind": ["robbery"], "area": ["620102001"]}
    )
    frame.to_excel(tmp_path / "real.xlsx", index=False)
    shutil.copy(tmp_path / "real.xlsx", tmp_path / "named.csv")
    rep = ingest_files([tmp_path / "named.csv"], MAP, store=tmp_path / "zz.duckdb")
    assert rep.accepted == 1 and "Excel workbook" in rep.files[0].notes[0]
