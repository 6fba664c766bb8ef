"""Ingest of realistic dirty exports: encodings, date forms, quarantine, idempotency, transactions."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zzanalytics.errors import MappingError, SourceError, StoreError
from zzanalytics.ingest import ingest_files, read_mapping
from zzanalytics.ingest import locations as _locations
from zzanalytics.ingest import write as _write
from zzanalytics.ingest.coords import gcj02_to_wgs84
from zzanalytics.workspace import open_store

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"

# planted truths of incidents_gb18030.csv (see fixtures/ingest/make_fixtures.py)
EXPECTED_REASONS = {  # reason codes (zzanalytics.ingest.reasons), summed over columns
    "unknown_category": 2,
    "unparseable_date": 1,
    "missing_value": 2,  # occurred_at and incident_id
    "negative_number": 1,
    "date_in_future": 1,
    "date_before_floor": 1,
    "conflicting_duplicate": 1,
}
EXPECTED_LOCATION = {"impossible_coordinates": 1, "outside_district": 1, "unparseable_coordinates": 1}


def _with_areas(path: Path) -> Path:
    ingest_files([FIX / "areas.geojson"], FIX / "areas.toml", store=path)
    return path


def _tables(path: Path) -> dict[str, pd.DataFrame]:
    with open_store(path) as st:
        return {
            name: st.con.execute(f'SELECT * FROM "{name}" ORDER BY ALL').df()
            for name in ("incidents", "areas", "quarantine", "ingest_log", "location_log")
        }


def test_dirty_police_export(tmp_path: Path) -> None:
    store = _with_areas(tmp_path / "zz.duckdb")
    rep = ingest_files([FIX / "incidents_gb18030.csv"], FIX / "incidents.toml", store=store)
    f = rep.files[0]
    assert f.encoding == "gb18030"
    assert (rep.read, rep.accepted, rep.updated, rep.duplicate, rep.quarantined) == (54, 44, 0, 1, 9)
    assert rep.balanced and rep.read == rep.accepted + rep.updated + rep.duplicate + rep.quarantined
    assert rep.reasons == EXPECTED_REASONS
    assert f.location_reasons == EXPECTED_LOCATION and rep.location_cleared == 3
    assert rep.unknown_labels == {("category", "寻衅滋事"): 2, ("area_code", "<script>alert(1)</script>"): 1}
    text = rep.render()
    assert "寻衅滋事" in text and "[categories]" in text and "54" in text
    with open_store(store) as st:
        inc = st.incidents()
        q = st.quarantine()
        loc = st.location_log()
    assert len(inc) == 44 and inc["incident_id"].is_unique
    # quarantine keeps the file, the line of the file (the header is line 1), the reason and the raw row
    bad = q[q["reason"] == "unparseable_date"].iloc[0]
    assert bad["row"] > 1 and bad["raw"]
    # an area that is no area of the store: the record is kept, unassigned, and the label listed
    assert inc.set_index("incident_id").loc["B0008", "area_code"] is None
    assert f.unassigned == 1 and "area labels that are no area of the store" in text
    assert set(q["source_file"]) == {"incidents_gb18030.csv"}
    # cleared points: counted, without coordinates, and logged
    cleared = inc[inc["incident_id"].isin(["B0009", "B0010", "B0011"])]
    assert len(cleared) == 3 and cleared["lon"].isna().all() and cleared["lat"].isna().all()
    assert sorted(loc["record_id"]) == ["B0009", "B0010", "B0011"]
    # names resolved to codes through the store's areas; GCJ-02 converted to WGS-84
    assert set(inc["area_code"].dropna()) == {"620102001", "620102002"}
    raw = pd.read_csv(FIX / "incidents_gb18030.csv", encoding="gb18030", dtype=str).drop_duplicates(
        "案件编号"
    )
    raw = raw.set_index("案件编号").loc[inc["incident_id"].iloc[:5]]
    want_lon, _ = gcj02_to_wgs84(raw["经度"].astype(float).to_numpy(), raw["纬度"].astype(float).to_numpy())
    got = inc.set_index("incident_id").loc[raw.index, "lon"].to_numpy()
    np.testing.assert_allclose(got, want_lon, atol=1e-6)  # the promised accuracy (0.1 m)
    assert str(inc["occurred_at"].dt.tz) == "Asia/Shanghai"

    # second run: nothing new, store unchanged except the log
    before = _tables(store)
    rep2 = ingest_files([FIX / "incidents_gb18030.csv"], FIX / "incidents.toml", store=store)
    assert (rep2.accepted, rep2.updated, rep2.duplicate, rep2.quarantined) == (0, 0, 45, 9)
    after = _tables(store)
    pd.testing.assert_frame_equal(before["incidents"], after["incidents"])
    assert len(after["quarantine"]) == 9  # replaced, not doubled
    assert len(after["ingest_log"]) == len(before["ingest_log"]) + 1


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
@pytest.mark.parametrize("declared", ["auto", "given"])
def test_encodings(tmp_path: Path, encoding: str, declared: str) -> None:
    text = (FIX / "incidents_gb18030.csv").read_bytes().decode("gb18030")
    src = tmp_path / f"export_{encoding}.csv"
    src.write_bytes(text.encode(encoding))
    m = read_mapping(FIX / "incidents.toml")
    m.encoding = encoding if declared == "given" else "auto"
    rep = ingest_files([src], m, store=tmp_path / "zz.duckdb")
    assert (rep.read, rep.accepted + rep.duplicate, rep.balanced) == (54, 45, True)  # no areas: no area check
    assert rep.files[0].encoding == encoding
    with open_store(tmp_path / "zz.duckdb") as st:
        assert "入室盗窃" not in set(st.incidents()["category"])
        assert "theft.burglary" in set(st.incidents()["category"])


def test_gb18030_after_first_megabyte(tmp_path: Path) -> None:
    src = tmp_path / "long.csv"
    with open(src, "w", encoding="gb18030", newline="") as fh:
        fh.write("id,time,kind,area\n")
        for i in range(60_000):  # > 1 MB of ASCII before the first Chinese label
            fh.write(f"X{i},2025-03-01 10:00,robbery,620102001\n")
        fh.write("Y1,2025-03-02 10:00,入室盗窃,620102001\n")
    m = read_mapping(
        {
            "columns": {"incident_id": "id", "occurred_at": "time", "category": "kind", "area_code": "area"},
            "categories": {"入室盗窃": "theft.burglary"},
        }
    )
    rep = ingest_files([src], m, store=tmp_path / "zz.duckdb")
    assert rep.accepted == 60_001 and rep.files[0].encoding == "gb18030"


DATE_FORMS = {
    "2026/5/6 21:30": dt.datetime(2026, 5, 6, 21, 30),
    "2026-05-06T21:30:00+08:00": dt.datetime(2026, 5, 6, 21, 30),
    "2026-05-06T13:30:00Z": dt.datetime(2026, 5, 6, 21, 30),
    "2026-05-06 14:30:00+01:00": dt.datetime(2026, 5, 6, 21, 30),
    "20260506": dt.datetime(2026, 5, 6),
    "2026年5月6日": dt.datetime(2026, 5, 6),
    "2026年5月6日 21时30分": dt.datetime(2026, 5, 6, 21, 30),
    "2026-05-06 21:30:00": dt.datetime(2026, 5, 6, 21, 30),
    "2026-5-6": dt.datetime(2026, 5, 6),
    "46148.89583333": dt.datetime(2026, 5, 6, 21, 30),  # Excel serial day number
}


def _one_column_csv(path: Path, values: list[str]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["编号", "时间"])
        for i, v in enumerate(values):
            w.writerow([f"D{i}", v])


def _dates_mapping(**source: object) -> dict:
    return {
        "source": {"date_ceiling": "2027-01-01", **source},
        "columns": {"incident_id": "编号", "occurred_at": "时间"},
        "constants": {"category": "fire", "area_code": "620102001"},
    }


def test_every_date_form(tmp_path: Path) -> None:
    _one_column_csv(tmp_path / "d.csv", list(DATE_FORMS))
    rep = ingest_files([tmp_path / "d.csv"], _dates_mapping(), store=tmp_path / "zz.duckdb")
    assert rep.accepted == len(DATE_FORMS), rep.render()
    with open_store(tmp_path / "zz.duckdb") as st:
        got = st.incidents().set_index("incident_id")["occurred_at"].dt.tz_localize(None)
    for i, want in enumerate(DATE_FORMS.values()):
        assert got[f"D{i}"].to_pydatetime() == want, list(DATE_FORMS)[i]


def test_us_dates_need_date_format(tmp_path: Path) -> None:
    _one_column_csv(tmp_path / "us.csv", ["7/19/2017 13:45", "12/1/2017 08:05", "2017-07-19 13:45:00"])
    rep = ingest_files(
        [tmp_path / "us.csv"], _dates_mapping(date_format="%m/%d/%Y %H:%M"), store=tmp_path / "a"
    )
    assert rep.accepted == 3
    with open_store(tmp_path / "a") as st:
        got = sorted(st.incidents()["occurred_at"].dt.tz_localize(None))
    assert got[0] == pd.Timestamp("2017-07-19 13:45") and got[-1] == pd.Timestamp("2017-12-01 08:05")
    # without date_format, 7/19/2017 is not a date we guess at: quarantined, not misread
    rep = ingest_files([tmp_path / "us.csv"], _dates_mapping(), store=tmp_path / "b")
    assert rep.reasons == {"unparseable_date": 2}


def test_split_date_and_time_columns_and_title_row(tmp_path: Path) -> None:
    src = tmp_path / "split.csv"
    src.write_text(
        "2025年某分局警情导出\n编号,发案日期,发案时刻,类别\nS1,2025/3/4,21:05,抢劫\nS2,2025-03-05,,抢劫\n",
        encoding="gb18030",
    )
    m = {
        "source": {"skip": 1},
        "columns": {"incident_id": "编号", "occurred_at": ["发案日期", "发案时刻"], "category": "类别"},
        "constants": {"area_code": "620102001"},
        "categories": {"抢劫": "robbery"},
    }
    rep = ingest_files([src], m, store=tmp_path / "zz")
    assert rep.accepted == 2, rep.render()
    with open_store(tmp_path / "zz") as st:
        t = st.incidents().set_index("incident_id")["occurred_at"].dt.tz_localize(None)
    assert t["S1"] == pd.Timestamp("2025-03-04 21:05") and t["S2"] == pd.Timestamp("2025-03-05")


def test_naive_times_in_another_zone(tmp_path: Path) -> None:
    _one_column_csv(tmp_path / "d.csv", ["2026-05-06 15:30"])
    ingest_files([tmp_path / "d.csv"], _dates_mapping(timezone="Europe/Berlin"), store=tmp_path / "zz")
    with open_store(tmp_path / "zz") as st:
        t = st.incidents()["occurred_at"].iloc[0]
    assert t == pd.Timestamp("2026-05-06 15:30", tz="Europe/Berlin")


def test_xlsx_without_id_serials_units_and_traffic_bd09(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    store = _with_areas(tmp_path / "zz.duckdb")
    rep = ingest_files([FIX / "fires_noid.xlsx"], FIX / "fires.toml", store=store)
    # 14 rows: 12 fires, one exact repeat of the first (duplicate), one unparseable date
    assert (rep.read, rep.accepted, rep.duplicate, rep.quarantined) == (14, 12, 1, 1)
    assert rep.reasons == {"unparseable_date": 1}
    # independent truth: openpyxl's own reading (date cells) and the Excel serial arithmetic
    ws = load_workbook(FIX / "fires_noid.xlsx", read_only=True)["火灾"]
    want = []
    for row in list(ws.iter_rows(values_only=True))[2:14]:
        v = row[0]
        if isinstance(v, float):
            v = dt.datetime(1899, 12, 30) + dt.timedelta(seconds=round(v * 86400))
        want.append(v)
    with open_store(store) as st:
        fires = st.incidents(category="fire")
    assert sorted(fires["occurred_at"].dt.tz_localize(None).tolist()) == sorted(want)
    assert fires["loss_yuan"].sum() == pytest.approx(sum(0.5 * (i + 1) for i in range(12)) * 10_000)
    assert fires["incident_id"].str.len().eq(20).all() and (fires["source_file"] == "fires_noid.xlsx").all()
    # same workbook again: every id is derived from content, so all are duplicates
    again = ingest_files([FIX / "fires_noid.xlsx"], FIX / "fires.toml", store=store)
    assert (again.accepted, again.duplicate, again.quarantined) == (0, 13, 1)

    rep = ingest_files([FIX / "traffic_us.csv"], FIX / "traffic_us.toml", store=store)
    assert (rep.accepted, rep.quarantined, rep.location_cleared) == (10, 0, 0)
    with open_store(store) as st:
        t = st.incidents(category="traffic").sort_values("incident_id")
    assert (t["category"] == "traffic.major").sum() == 3 and set(t["area_code"]) == {"620102002"}
    np.testing.assert_allclose(t["lon"], 103.86 + 0.003 * np.arange(10), atol=2e-6)  # BD-09 rounded to 1e-6
    assert t["occurred_at"].iloc[0] == pd.Timestamp("2017-07-19 13:45", tz="Asia/Shanghai")


def test_parquet_and_sheet_errors(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "id": ["P1", "P2", "P3"],
            "when": pd.to_datetime(["2025-01-01 08:00", "2025-02-01 09:00", "2025-03-01 10:00"]).tz_localize(
                "Asia/Shanghai"
            ),
            "kind": ["fire", "robbery", "assault"],
            "area": ["620102001"] * 3,
            "x": [103.82, np.nan, 103.84],
            "y": [36.04, np.nan, 36.05],
        }
    )
    frame.to_parquet(tmp_path / "p.parquet")
    m = {
        "columns": {
            "incident_id": "id",
            "occurred_at": "when",
            "category": "kind",
            "area_code": "area",
            "lon": "x",
            "lat": "y",
        },
    }
    rep = ingest_files([tmp_path / "p.parquet"], m, store=tmp_path / "zz")
    assert rep.accepted == 3 and rep.location_cleared == 0
    with open_store(tmp_path / "zz") as st:
        inc = st.incidents().set_index("incident_id")
    assert inc.loc["P1", "occurred_at"] == pd.Timestamp("2025-01-01 08:00", tz="Asia/Shanghai")
    assert np.isnan(inc.loc["P2", "lon"]) and inc.loc["P3", "lat"] == 36.05
    bad = read_mapping(FIX / "fires.toml")
    bad.sheet = "火警"
    with pytest.raises(SourceError, match=r"no sheet '火警'.*\['说明', '火灾'\]"):
        ingest_files([FIX / "fires_noid.xlsx"], bad, store=tmp_path / "zz")


def test_missing_required_column_fails_whole_file(tmp_path: Path) -> None:
    m = read_mapping(FIX / "incidents.toml")
    m.columns["occurred_at"] = "发案日期"
    with pytest.raises(SourceError) as err:
        ingest_files([FIX / "incidents_gb18030.csv"], m, store=tmp_path / "zz")
    msg = str(err.value)
    assert "发案日期" in msg and "发案时间" in msg and "案件类别" in msg  # what is missing and what exists
    assert 'occurred_at = "发案日期"' in msg and "incidents.toml" in msg  # the mapping line to fix
    del m.columns["occurred_at"]
    with pytest.raises(SourceError, match=r"needs column\(s\) \['occurred_at'\].*\[columns\]"):
        ingest_files([FIX / "incidents_gb18030.csv"], m, store=tmp_path / "zz")
    with open_store(tmp_path / "zz") as st:
        assert len(st.incidents()) == 0 and len(st.ingest_log()) == 0


def test_mapping_errors() -> None:
    with pytest.raises(MappingError, match="unknown code"):
        read_mapping({"categories": {"盗窃": "theft"}})
    with pytest.raises(MappingError, match="unknown key"):
        read_mapping({"source": {"encodng": "gbk"}})
    with pytest.raises(MappingError, match="allowed values"):
        read_mapping({"source": {"table": "petitions"}, "values": {"level": {"进京": "beijing"}}})


def test_update_is_reported_and_applied(tmp_path: Path) -> None:
    store = _with_areas(tmp_path / "zz.duckdb")
    ingest_files([FIX / "incidents_gb18030.csv"], FIX / "incidents.toml", store=store)
    rows = list(csv.reader((FIX / "incidents_gb18030.csv").read_text(encoding="gb18030").splitlines()))
    for r in rows:
        if r[0] == "A0002":
            r[0] = "A0002X"  # a new record
        elif r[0] == "A0003":
            r[2] = "故意伤害"  # a corrected category: an update
    with open(tmp_path / "v2.csv", "w", encoding="gb18030", newline="") as fh:
        csv.writer(fh).writerows(rows)
    # from another file, the same id with another category is a collision: reported, not applied
    rep = ingest_files([tmp_path / "v2.csv"], FIX / "incidents.toml", store=store)
    assert (rep.accepted, rep.updated, rep.duplicate, rep.quarantined) == (1, 0, 43, 10)
    assert rep.reasons["id_collision"] == 1 and rep.files[0].merges["collision"] == 1
    with open_store(store) as st:
        assert st.incidents().set_index("incident_id").loc["A0003", "category"] != "assault"
    # the same file again with the correction (a corrected re-export), or --replace: an update
    rep = ingest_files([tmp_path / "v2.csv"], FIX / "incidents.toml", store=store, replace=True)
    assert (rep.accepted, rep.updated, rep.duplicate, rep.quarantined) == (0, 1, 44, 9)
    with open_store(store) as st:
        inc = st.incidents().set_index("incident_id")
    assert inc.loc["A0003", "category"] == "assault" and inc.loc["A0003", "source_file"] == "v2.csv"
    assert len(inc) == 45 - rep.retired


def test_failure_mid_file_leaves_store_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _with_areas(tmp_path / "zz.duckdb")
    ingest_files([FIX / "traffic_us.csv"], FIX / "traffic_us.toml", store=store)
    before = _tables(store)

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    # the failure strikes after the incidents and quarantine rows are inserted
    monkeypatch.setattr(_write, "write_log", boom)
    with pytest.raises(StoreError, match="nothing of this file was stored"):
        ingest_files([FIX / "incidents_gb18030.csv"], FIX / "incidents.toml", store=store)
    after = _tables(store)
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name])
    monkeypatch.undo()

    # a list of files stops at the bad one; the files before it stay stored
    shutil.copy(FIX / "incidents_gb18030.csv", tmp_path / "good.csv")
    (tmp_path / "bad.csv").write_text("完全,不同\n1,2\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"stay stored: \['good.csv'\]"):
        ingest_files([tmp_path / "good.csv", tmp_path / "bad.csv"], FIX / "incidents.toml", store=store)
    with open_store(store) as st:
        assert len(st.incidents()) == 10 + 44


_labels = st.sampled_from(["入室盗窃", "抢劫", "寻衅滋事", "", "fire", "<b>x</b>", "盗窃,机动车"])
_dates = st.one_of(
    st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2035, 1, 1)).map(lambda d: f"{d:%Y/%m/%d %H:%M}"),
    st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2035, 1, 1)).map(
        lambda d: f"{d.year}年{d.month}月{d.day}日"
    ),
    st.text(max_size=12),
)
_numbers = st.one_of(st.integers(-3, 50).map(str), st.just(""), st.text(max_size=4))
_rows = st.lists(
    st.tuples(
        st.sampled_from(["A1", "A2", "A3", "B1", ""]),
        _dates,
        _labels,
        st.sampled_from(["城关街道", "620102002", "某某乡", ""]),
        st.one_of(st.floats(-200, 200).map(str), st.just("nan"), st.just("")),
        _numbers,
    ),
    min_size=0,
    max_size=25,
)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=_rows)
def test_generated_rows_all_accounted_for(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple]
) -> None:
    d = tmp_path_factory.mktemp("hyp")
    with open(d / "x.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["编号", "时间", "类别", "街道", "经度", "死亡"])
        w.writerows(rows)
    n_lines = len(pd.read_csv(d / "x.csv", dtype=str, keep_default_na=False, skip_blank_lines=False))
    m = read_mapping(
        {
            "source": {"date_ceiling": "2030-01-01"},
            "columns": {
                "incident_id": "编号",
                "occurred_at": "时间",
                "category": "类别",
                "area_code": "街道",
                "lon": "经度",
                "deaths": "死亡",
            },
            "categories": {"入室盗窃": "theft.burglary", "抢劫": "robbery"},
            "areas": {"城关街道": "620102001", "620102002": "620102002"},
        }
    )
    with open_store(":memory:", read_only=False) as store:  # in memory: fast examples
        rep = ingest_files([d / "x.csv"], m, store=store)
        assert rep.balanced
        assert rep.read == n_lines
        again = ingest_files([d / "x.csv"], m, store=store)
        assert again.accepted == 0 and again.updated == 0 and again.quarantined == rep.quarantined
        assert len(store.incidents()) == rep.accepted
        assert len(store.quarantine()) == rep.quarantined
    shutil.rmtree(d)


@pytest.mark.parametrize("crs", ["gcj02", "wgs84"])
def test_sql_location_path_matches_numpy_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crs: str
) -> None:
    # GCJ-02/WGS-84 points are converted and checked in SQL (bbox pre-filter + shapely on the rest);
    # the numpy function path (still used for BD-09 and EPSG codes) must give the same store
    mapping = read_mapping(FIX / "incidents.toml")
    mapping.crs = crs
    fast = _with_areas(tmp_path / "sql.duckdb")
    rep_fast = ingest_files([FIX / "incidents_gb18030.csv"], mapping, store=fast)
    monkeypatch.setattr(_locations, "sql_crs", lambda crs: None)
    slow = _with_areas(tmp_path / "udf.duckdb")
    rep_slow = ingest_files([FIX / "incidents_gb18030.csv"], mapping, store=slow)
    assert rep_fast.files[0].location_reasons == rep_slow.files[0].location_reasons
    if crs == "gcj02":
        assert rep_fast.files[0].location_reasons == EXPECTED_LOCATION
    a, b = _tables(fast), _tables(slow)
    for name in ("incidents", "quarantine", "location_log"):
        x, y = a[name].drop(columns=["at"], errors="ignore"), b[name].drop(columns=["at"], errors="ignore")
        if name == "incidents":
            np.testing.assert_allclose(x["lon"], y["lon"], atol=1e-9)
            np.testing.assert_allclose(x["lat"], y["lat"], atol=1e-9)
            x, y = x.drop(columns=["lon", "lat"]), y.drop(columns=["lon", "lat"])
        pd.testing.assert_frame_equal(x, y)


def test_labels_a_star_takes_in_are_listed(tmp_path: Path) -> None:
    # [categories] "*" keeps every label not listed (none quarantined), and the report names each one
    (tmp_path / "s.csv").write_text(
        "t,c\n2025-01-01,盗窃\n2025-01-02,噪音\n2025-01-03,噪音\n2025-01-04,遗失\n2025-01-05,other.unlisted\n",
        encoding="utf-8",
    )
    m = {
        "columns": {"occurred_at": "t", "category": "c"},
        "categories": {"盗窃": "theft.other", "*": "other.unlisted"},
    }
    rep = ingest_files([tmp_path / "s.csv"], m, store=tmp_path / "zz.duckdb")
    assert rep.accepted == 5 and not rep.reasons
    assert rep.files[0].caught == {("category", "噪音"): 2, ("category", "遗失"): 1}  # not the code itself
    assert "2  [categories] '噪音' -> other.unlisted" in rep.render()
