"""The foreign sample city (Lakeport): generated as published, ingested with its mappings only.

Compressed files, English headers, neighbourhood names spelled loosely, a fire export with points
and no area column, a person-level collision export; counts checked against the manifest's planted
truths and against independent pandas / geopandas counts of the raw files.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from zzanalytics.clock import wall_time
from zzanalytics.sample.city import generate_city

CITY = Path(__file__).resolve().parents[1] / "data" / "city"
MANIFEST = json.loads((CITY / "manifest.json").read_text(encoding="utf-8"))


def _files(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "store" not in p.relative_to(root).parts
    }


def test_committed_city_is_what_the_generator_writes(tmp_path: Path) -> None:
    generate_city(tmp_path / "c", seed=0)
    assert _files(tmp_path / "c") == _files(CITY)
    generate_city(tmp_path / "d", seed=1)
    assert _files(tmp_path / "d") != _files(CITY)  # the seed matters


def test_city_is_published_as_a_foreign_city_would() -> None:
    assert {p.name for p in CITY.iterdir() if p.suffix in (".gz", ".zip")} == {
        "neighbourhoods.geojson.gz",
        "police_incidents_2014-2021.csv.gz",
        "fire_incidents_2011-2022.csv.gz",
        "collisions_persons_2007-2019.zip",
    }
    fire = pd.read_csv(CITY / "fire_incidents_2011-2022.csv.gz", nrows=5)
    assert not any("neigh" in c.lower() or "area" in c.lower() for c in fire.columns)
    assert "[district]" in (CITY / "sources.toml").read_text() and MANIFEST["city"]["currency"] == "CAD"


def _ingest_log(store) -> pd.DataFrame:
    log = store.ingest_log()
    log["name"] = log["file"].map(lambda f: Path(f).name)
    return log.set_index("name")


def test_police_names_match_loosely_and_disagreements_are_findings(city_store) -> None:
    log = _ingest_log(city_store)
    row = log.loc["police_incidents_2014-2021.csv.gz"]
    assert row["read"] == MANIFEST["police"]["rows"] == row["accepted"]
    assert row["quarantined"] == 0  # every spelling of a neighbourhood found its polygon
    f = city_store.con.execute(
        "SELECT kind, count(*) FROM ingest_findings WHERE source_file = 'police_incidents_2014-2021.csv.gz' "
        "GROUP BY 1"
    ).fetchall()
    assert f == [("area_disagrees_with_point", MANIFEST["police"]["stated_disagrees_with_point"])]
    inc = city_store.incidents()
    police = inc[inc["source_file"] == "police_incidents_2014-2021.csv.gz"]
    # the stated neighbourhood wins where both exist (not silently changed to the point's)
    raw = pd.read_csv(CITY / "police_incidents_2014-2021.csv.gz", dtype=str, keep_default_na=False)
    assert (
        police["area_code"].isna().sum()
        == ((raw["NEIGHBOURHOOD"] == "") & (raw["LONG_WGS84"].astype(float) == 0)).sum()
    )


def test_police_monthly_counts_equal_pandas_in_the_city_clock(city_store) -> None:
    raw = pd.read_csv(CITY / "police_incidents_2014-2021.csv.gz", dtype=str)
    want = pd.to_datetime(raw["OCC_DATE"]).dt.to_period("M").value_counts().sort_index()
    inc = city_store.incidents()
    police = inc[inc["source_file"] == "police_incidents_2014-2021.csv.gz"]
    local = wall_time(police["occurred_at"], "America/Toronto")
    got = local.dt.to_period("M").value_counts().sort_index()
    pd.testing.assert_series_equal(got, want, check_names=False)
    cats = police["category"].value_counts().to_dict()
    assert cats == MANIFEST["police"]["by_category"]


def test_fires_take_their_area_from_their_point(city_store) -> None:
    log = _ingest_log(city_store)
    assert log.loc["fire_incidents_2011-2022.csv.gz", "read"] == MANIFEST["fire"]["rows"]
    assert log.loc["fire_incidents_2011-2022.csv.gz", "quarantined"] == 0
    inc = city_store.incidents(category="fire")
    got = inc["area_code"].value_counts().sort_index()
    # independent: geopandas sjoin of the raw points with the raw polygons
    raw = pd.read_csv(CITY / "fire_incidents_2011-2022.csv.gz")
    pts = gpd.GeoDataFrame(raw, geometry=gpd.points_from_xy(raw["Longitude"], raw["Latitude"]), crs=4326)
    polys = gpd.read_file(f"/vsigzip/{CITY / 'neighbourhoods.geojson.gz'}")
    joined = gpd.sjoin(pts, polys, predicate="within")
    want = joined["AREA_SHORT_CODE"].astype(str).value_counts().sort_index()
    pd.testing.assert_series_equal(got, want, check_names=False)
    assert got.to_dict() == MANIFEST["fire"]["by_area"]
    assert inc["area_code"].isna().sum() == MANIFEST["fire"]["unassigned"] == len(raw) - len(joined)
    assert inc["loss_yuan"].sum() == pytest.approx(MANIFEST["fire"]["loss"])


def test_person_rows_become_one_collision_each(city_store) -> None:
    with zipfile.ZipFile(CITY / "collisions_persons_2007-2019.zip") as zf:
        persons = pd.read_csv(zf.open("KSI.csv"), dtype=str, keep_default_na=False)
    inc = city_store.incidents(category="traffic")
    assert len(inc) == MANIFEST["collisions"]["collisions"] == persons["ACCNUM"].nunique()
    assert inc["incident_id"].is_unique
    assert (
        int(inc["deaths"].sum()) == MANIFEST["collisions"]["deaths"] == (persons["INJURY"] == "Fatal").sum()
    )
    hurt = persons["INJURY"].isin(["Major", "Minor", "Minimal"])
    assert int(inc["injuries"].sum()) == MANIFEST["collisions"]["injuries"] == hurt.sum()
    per = persons.assign(d=persons["INJURY"] == "Fatal").groupby("ACCNUM")["d"].sum()
    mine = inc.set_index("incident_id")["deaths"]
    assert (mine.loc[per.index].to_numpy() == per.to_numpy()).all()
    log = _ingest_log(city_store).loc["collisions_persons_2007-2019.zip"]
    assert log["read"] == log["accepted"] == len(per)


def test_sources_cover_different_years(city_store) -> None:
    inc = city_store.incidents()
    years = wall_time(inc["occurred_at"], "America/Toronto").dt.year
    span = inc.assign(y=years).groupby("source_file")["y"].agg(["min", "max"])
    assert tuple(span.loc["police_incidents_2014-2021.csv.gz"]) == (2014, 2021)
    assert tuple(span.loc["fire_incidents_2011-2022.csv.gz"]) == (2011, 2022)
    assert tuple(span.loc["collisions_persons_2007-2019.zip"]) == (2007, 2019)
    assert np.all(city_store.meta().get("timezone") == "America/Toronto")
