"""Partition exports: same rows and types as the store, pruning by folder, atomic replacement."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from zzanalytics.errors import StoreError
from zzanalytics.store.partitions import MANIFEST, export_partitions, list_partitions, read_partitions


@pytest.fixture(scope="module")
def parts(sample_store, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("parts") / "sample"
    return export_partitions(sample_store, out, tables=("incidents", "petitions", "targets"))


def test_whole_export_equals_the_store(sample_store, parts: Path) -> None:
    want = sample_store.incidents()
    got = read_partitions(parts)
    assert len(got) == len(want) > 10_000
    pd.testing.assert_frame_equal(got, want)
    man = json.loads((parts / MANIFEST).read_text())
    assert man["tables"]["incidents"]["rows"] == len(want)
    assert man["tables"]["targets"]["partition_by"] == []  # no date, no area: one file


def test_one_area_one_year_equals_the_store(sample_store, parts: Path) -> None:
    code = sorted(sample_store.incidents()["area_code"].unique())[3]
    want = sample_store.incidents("2025-01-01", "2025-12-31", area_code=code)
    got = read_partitions(parts, area_codes=[code], years=[2025])
    assert len(got) > 50
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True))
    cols = read_partitions(parts, area_codes=[code], years=[2025], columns=["category", "occurred_at"])
    assert list(cols.columns) == ["category", "occurred_at"]
    assert str(cols["occurred_at"].dt.tz) == "Asia/Shanghai"


def test_other_tables(sample_store, parts: Path) -> None:
    pd.testing.assert_frame_equal(
        read_partitions(parts, table="petitions").sort_values("petition_id").reset_index(drop=True),
        sample_store.table("petitions").sort_values("petition_id").reset_index(drop=True),
    )
    assert len(read_partitions(parts, table="targets")) == len(sample_store.table("targets"))


def test_layout_and_pruning(parts: Path, tmp_path: Path) -> None:
    files = list_partitions(parts)
    assert {"year", "area_code", "path", "rows"} <= set(files.columns)
    assert files["year"].min() == 2019 and files["year"].max() == 2026
    assert files["area_code"].str.fullmatch(r"\d{9}").all()  # codes stay text in folder names
    # break every file outside one (area, year): a pruned read never opens them
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(parts, copy)
    keep_area, keep_year = files["area_code"].iloc[0], 2024
    for f in list_partitions(copy).itertuples():
        if not (f.area_code == keep_area and f.year == keep_year):
            Path(f.path).write_bytes(b"not parquet")
    got = read_partitions(copy, area_codes=[keep_area], years=[keep_year])
    assert len(got) > 0 and (got["area_code"] == keep_area).all()
    assert (got["occurred_at"].dt.year == keep_year).all()
    with pytest.raises(StoreError):
        read_partitions(copy)  # reading everything does hit the broken files


def test_county_partitions_and_replacement(sample_store, tmp_path: Path) -> None:
    out = tmp_path / "parts"
    export_partitions(sample_store, out, partition_by=("year", "county"))
    files = list_partitions(out)
    assert set(files["county"]) == {"620102"}
    code = "620102001"
    n1 = len(read_partitions(out, area_codes=[code]))
    assert n1 == len(sample_store.incidents(area_code=code))
    # a second export replaces the first whole: no files of the old layout remain
    export_partitions(sample_store, out, partition_by=("year", "area_code"))
    assert "county" not in list_partitions(out).columns
    assert not any(p.name.startswith(".parts.") for p in tmp_path.iterdir())
    assert len(read_partitions(out, area_codes=[code])) == n1


def test_refuses_a_foreign_folder_and_unknown_keys(sample_store, tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(StoreError, match="not an earlier partition export"):
        export_partitions(sample_store, tmp_path / "mine")
    assert (tmp_path / "mine" / "notes.txt").exists()
    with pytest.raises(StoreError, match="partition key 'weekday'"):
        export_partitions(sample_store, tmp_path / "x", partition_by=("weekday",))
    with pytest.raises(StoreError, match="not a partition export"):
        read_partitions(tmp_path / "mine")


def test_empty_filter_and_bad_columns(parts: Path) -> None:
    with pytest.raises(StoreError, match=r"\['nope'\] are not columns of incidents"):
        read_partitions(parts, columns=["nope"])
    with pytest.raises(StoreError, match="has no 'disputes'"):
        read_partitions(parts, table="disputes")
    assert read_partitions(parts, area_codes=[]).empty
    assert read_partitions(parts, area_codes=["999999999"]).empty


def test_province_ingests_and_partitions_by_county(tmp_path: Path) -> None:
    from zzanalytics.ingest import ingest_files
    from zzanalytics.sample.province import expected_rows, generate_province, province_plan
    from zzanalytics.workspace import open_store

    s = generate_province(tmp_path / "prov", counties=3, scale=0.05, progress=False)
    assert s.counties == 3 and len(s.files) == 3
    plan = province_plan(3)
    assert s.townships == len(plan) and plan["area_code"].is_unique
    assert 0.8 < s.rows / expected_rows(3, 0.05) < 1.2
    # county i depends on (seed, i) only: a larger province starts with the same counties
    assert province_plan(5).iloc[: len(plan)].equals(plan)
    again = generate_province(tmp_path / "again", counties=2, scale=0.05, progress=False)
    assert again.files[0].read_bytes() == s.files[0].read_bytes()

    store = tmp_path / "prov.duckdb"
    rep = ingest_files(s.files, tmp_path / "prov" / "mappings" / "incidents.toml", store=store)
    assert rep.read == rep.accepted == s.rows
    with open_store(store) as st:
        root = export_partitions(st, tmp_path / "parts", partition_by=("year", "county"))
        county = plan["county"].iloc[-1]
        codes = plan.loc[plan["county"] == county, "area_code"].tolist()
        got = read_partitions(root, area_codes=codes, years=[2026])
        want = st.con.execute(
            "SELECT count(*) FROM incidents WHERE substr(area_code, 1, 6) = ? AND year(occurred_at) = 2026",
            [county],
        ).fetchone()[0]
    assert len(got) == want > 0
    assert set(list_partitions(root)["county"]) == set(plan["county"])
