"""Areas at ingest: from the polygon holding the point, unassigned when none, stated areas win
(disagreements are findings), forgiving names with an exact mode and nearest candidates."""

from __future__ import annotations

from pathlib import Path

import pytest

from zzanalytics.ingest import ingest_files, read_mapping
from zzanalytics.ingest.areas import AreaIndex, loose_lookup, normalise_name
from zzanalytics.workspace import open_store

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"


def _store(tmp_path: Path) -> Path:
    store = tmp_path / "zz.duckdb"
    ingest_files([FIX / "areas.geojson"], FIX / "areas.toml", store=store)
    return store


def _points(store: Path) -> list[tuple[float, float]]:
    with open_store(store) as st:
        areas = st.areas().set_index("area_code")
    return [(p.x, p.y) for p in areas.geometry.representative_point()]


def test_area_from_point_unassigned_outside_and_without_polygons(tmp_path: Path) -> None:
    store = _store(tmp_path)
    (a, b) = _points(store)
    m = {"columns": {"occurred_at": "t", "lon": "x", "lat": "y"}, "constants": {"category": "fire"}}
    (tmp_path / "f.csv").write_text(
        f"t,x,y\n2025-01-01,{a[0]},{a[1]}\n2025-01-02,{b[0]},{b[1]}\n"
        f"2025-01-03,,\n2025-01-04,{a[0] + 5},{a[1]}\n"
    )
    rep = ingest_files([tmp_path / "f.csv"], m, store=store)
    assert (rep.read, rep.accepted, rep.quarantined) == (4, 4, 0)  # never quarantined for its area
    assert rep.files[0].area_from_point == 2 and rep.files[0].unassigned == 2
    with open_store(store) as st:
        inc = st.incidents().sort_values("occurred_at")
        codes = list(st.areas()["area_code"])
    assert inc["area_code"].tolist()[:2] == sorted(codes)[:2] or set(inc["area_code"].dropna()) == set(codes)
    assert inc["area_code"].isna().sum() == 2
    # a store without polygons: simply unassigned
    rep = ingest_files([tmp_path / "f.csv"], m, store=tmp_path / "bare.duckdb")
    assert rep.accepted == 4 and rep.files[0].unassigned == 4


def test_stated_area_wins_and_disagreement_is_a_finding(tmp_path: Path) -> None:
    store = _store(tmp_path)
    with open_store(store) as st:
        areas = st.areas().sort_values("area_code")
    codes = list(areas["area_code"])
    pts = [(p.x, p.y) for p in areas.geometry.representative_point()]
    m = {
        "columns": {"incident_id": "id", "occurred_at": "t", "area_code": "a", "lon": "x", "lat": "y"},
        "constants": {"category": "robbery"},
    }
    (tmp_path / "r.csv").write_text(
        "id,t,a,x,y\n"
        f"R1,2025-01-01,{codes[0]},{pts[0][0]},{pts[0][1]}\n"
        f"R2,2025-01-02,{codes[0]},{pts[1][0]},{pts[1][1]}\n"
    )
    rep = ingest_files([tmp_path / "r.csv"], m, store=store)
    assert rep.files[0].findings == {"area_disagrees_with_point": 1}
    assert "stated area differs from the polygon" in rep.render()
    with open_store(store) as st:
        inc = st.incidents().set_index("incident_id")
        f = st.con.execute('SELECT record_id, stated, found, "row" FROM ingest_findings').fetchall()
    assert inc.loc["R2", "area_code"] == codes[0]  # not silently changed
    assert f == [("R2", codes[0], codes[1], 3)]  # the line of the file


@pytest.mark.parametrize(
    ("label", "store_name"),
    [
        ("Annex", "Annex (95)"),
        ("O'Connor-Parkview", "OConnor Parkview (54)"),
        ("ＡＮＮＥＸ（９５）", "Annex (95)"),
        ("Yonge–St. Clair", "Yonge-St.Clair (97)"),
        ("城关镇", "城关街道办事处"),
        ("东岗 街道", "东岗街道"),
    ],
)
def test_normalised_names_match(label: str, store_name: str) -> None:
    assert normalise_name(label) == normalise_name(store_name)


def test_ambiguous_normalised_names_match_nothing() -> None:
    lk = loose_lookup([("城关镇", "1"), ("城关街道", "2"), ("Annex (95)", "95")])
    assert "城关" not in lk and lk["annex"] == "95"


def test_loose_names_in_ingest_exact_mode_and_nearest_candidates(tmp_path: Path) -> None:
    store = _store(tmp_path)
    with open_store(store) as st:
        names = dict(zip(st.areas()["name"], st.areas()["area_code"], strict=True))
    name = next(iter(names))
    m = {
        "columns": {"incident_id": "id", "occurred_at": "t", "area_code": "a"},
        "constants": {"category": "robbery"},
    }
    spaced = " ".join(name)  # "东 岗 街 道"
    (tmp_path / "n.csv").write_text(f"id,t,a\nN1,2025-01-01,{spaced}\nN2,2025-01-01,{name[:-1]}X\n")
    rep = ingest_files([tmp_path / "n.csv"], m, store=store)
    assert rep.accepted == 2 and not rep.reasons and rep.files[0].unassigned == 1  # kept, unassigned
    assert rep.files[0].candidates[f"{name[:-1]}X"]  # the nearest names are listed
    assert "nearest:" in rep.render()
    exact = read_mapping({**m, "source": {"area_names": "exact"}})
    rep = ingest_files([tmp_path / "n.csv"], exact, store=tmp_path / "exact.duckdb")
    assert rep.accepted == 2 and rep.files[0].unchecked_areas == {spaced: 1, f"{name[:-1]}X": 1}


def test_area_index_is_vectorised_and_exact() -> None:
    from shapely.geometry import box

    idx = AreaIndex(["a", "b"], [box(0, 0, 1, 1), box(1, 0, 2, 1)])
    import numpy as np

    rng = np.random.default_rng(0)
    x, y = rng.uniform(-0.5, 2.5, 100_000), rng.uniform(-0.5, 1.5, 100_000)
    got = idx.locate(x, y)
    want = np.where(
        (x >= 0) & (x <= 1) & (y >= 0) & (y <= 1),
        "a",
        np.where((x > 1) & (x <= 2) & (y >= 0) & (y <= 1), "b", None),
    )
    assert (got == want).all()


def test_a_code_or_name_not_in_the_areas_is_never_matched_to_another_polygon(tmp_path: Path) -> None:
    # loose name matching forgives spelling, never a code: "0620102001" or "<name> (031)" whose
    # bracketed code is no area's stay unknown (listed with their counts), not given a neighbour
    store = _store(tmp_path)
    with open_store(store) as st:
        code, name = st.areas().sort_values("area_code")[["area_code", "name"]].iloc[0]
    m = {
        "source": {"table": "incidents"},
        "columns": {"occurred_at": "t", "area_code": "a"},
        "constants": {"category": "fire"},
    }
    labels = [f" {name} ", f"0{code}", f"{name} (031)", f"{name}（{code}）"]
    (tmp_path / "c.csv").write_text(
        "t,a\n" + "".join(f"2025-01-0{k + 1},{lab}\n" for k, lab in enumerate(labels))
    )
    rep = ingest_files([tmp_path / "c.csv"], m, store=store)
    assert rep.accepted == 4 and not rep.reasons and rep.files[0].unassigned == 2  # kept, unassigned
    assert {lab for _, lab in rep.unknown_labels} == {f"0{code}", f"{name} (031)"}
    text = rep.render()
    assert f"1  [areas] '0{code}'" in text and "rows kept, unassigned" in text
    with open_store(store) as st:
        got = st.incidents()["area_code"]
    assert (got == code).sum() == 2 and got.isna().sum() == 2  # in the district's totals, in no area's


def test_a_store_without_areas_keeps_codes_as_stated_and_lists_them(tmp_path: Path) -> None:
    m = {"columns": {"occurred_at": "t", "area_code": "a"}, "constants": {"category": "fire"}}
    (tmp_path / "c.csv").write_text("t,a\n2025-01-01,B12\n2025-01-02,B12\n2025-01-03,C7\n2025-01-04,\n")
    rep = ingest_files([tmp_path / "c.csv"], m, store=tmp_path / "bare.duckdb")
    assert rep.accepted == 4 and rep.files[0].unchecked_areas == {"B12": 2, "C7": 1}
    assert "2 area code(s) were kept as stated, unchecked: 'B12' (2), 'C7' (1)" in rep.render()
    # with the mapping's [areas] (and still no areas in the store) a label it lacks is unassigned
    rep = ingest_files([tmp_path / "c.csv"], {**m, "areas": {"B12": "b12"}}, store=tmp_path / "m.duckdb")
    assert rep.accepted == 4 and rep.files[0].unassigned == 2  # C7 and the empty cell
    assert rep.unknown_labels == {("area_code", "C7"): 1}


_BOWTIE = [[[103.80, 36.03], [103.85, 36.07], [103.85, 36.03], [103.80, 36.07], [103.80, 36.03]]]


def test_invalid_polygons_are_repaired_and_later_ingests_work(tmp_path: Path) -> None:
    import json

    import shapely

    doc = json.loads((FIX / "areas.geojson").read_text(encoding="utf-8"))
    doc["features"][0]["geometry"] = {"type": "Polygon", "coordinates": _BOWTIE}  # a self-crossing ring
    (tmp_path / "bad.geojson").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    store = tmp_path / "zz.duckdb"
    rep = ingest_files([tmp_path / "bad.geojson"], FIX / "areas.toml", store=store)
    assert rep.accepted == len(doc["features"])
    assert any("feature 1 had an invalid geometry (Self-intersection" in n for n in rep.files[0].notes)
    with open_store(store) as st:
        geoms = st.areas().geometry
    assert shapely.is_valid(geoms.values).all() and geoms.iloc[0].area > 0
    # a store holding an invalid polygon (written before repairs) still takes files with points
    with open_store(store, read_only=False) as st:
        bad = shapely.to_wkb(shapely.Polygon(_BOWTIE[0]))
        st.con.execute("UPDATE areas SET geometry = ? WHERE area_code = '620102001'", [bad])
    m = {"columns": {"occurred_at": "t", "lon": "x", "lat": "y"}, "constants": {"category": "fire"}}
    (tmp_path / "p.csv").write_text("t,x,y\n2025-01-01,103.81,36.05\n2025-01-02,103.84,36.05\n")
    rep = ingest_files([tmp_path / "p.csv"], m, store=store)
    assert rep.accepted == 2 and rep.files[0].area_from_point == 2
