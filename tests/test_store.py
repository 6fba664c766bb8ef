"""The DuckDB store: accessors, reference tables, counts against an independent count, the sample store."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from typer.testing import CliRunner

from zzanalytics import config
from zzanalytics.cli import app
from zzanalytics.errors import StoreError
from zzanalytics.ingest import ingest_files, read_mapping
from zzanalytics.schema import TABLES
from zzanalytics.store import Store
from zzanalytics.workspace import open_store

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"


@pytest.fixture
def police_store(tmp_path: Path) -> Path:
    store = tmp_path / "zz.duckdb"
    ingest_files([FIX / "areas.geojson"], FIX / "areas.toml", store=store)
    ingest_files([FIX / "incidents_gb18030.csv"], FIX / "incidents.toml", store=store)
    return store


def test_missing_store_read_only(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store at"):
        open_store(tmp_path / "none.duckdb")


def test_empty_store_has_canonical_frames(tmp_store: Store) -> None:
    assert list(tmp_store.incidents().columns) == list(TABLES["incidents"].names)
    for name in ("petitions", "disputes", "cameras", "peers", "targets"):
        frame = tmp_store.table(name)
        assert list(frame.columns) == list(TABLES[name].names) and frame.empty
    areas = tmp_store.areas()
    assert isinstance(areas, gpd.GeoDataFrame) and areas.empty and areas.crs.to_epsg() == 4326
    assert list(tmp_store.quarantine().columns)[:6] == [
        "source_file",
        "row",
        "reason",
        "column",
        "value",
        "raw",
    ]
    assert "incidents" in tmp_store.summary()
    with pytest.raises(StoreError, match="no table"):
        tmp_store.table("crimes")


def test_incident_filters(police_store: Path) -> None:
    with open_store(police_store) as st:
        everything = st.incidents()
        theft = st.incidents(category="theft")
        assert set(theft["category"]) == {"theft.burglary", "theft.vehicle"}
        assert (
            len(st.incidents(category="theft.burglary")) == (everything["category"] == "theft.burglary").sum()
        )
        one_day = everything["occurred_at"].iloc[3]
        same_day = st.incidents(start=one_day.date(), end=one_day.date())
        assert len(same_day) >= 1 and (same_day["occurred_at"].dt.date == one_day.date()).all()
        jan = st.incidents("2025-01-01", "2025-01-31")
        assert jan["occurred_at"].dt.month.eq(1).all()
        assert len(jan) == (everything["occurred_at"].dt.strftime("%Y-%m") == "2025-01").sum()
        assert set(st.incidents(area_code="620102002")["area_code"]) == {"620102002"}
        areas = st.areas()
        assert sorted(areas["area_code"]) == ["620102001", "620102002"]
        assert areas.geometry.iloc[0].geom_type == "Polygon"
        log = st.ingest_log()
        assert (
            list(log["read"]) == [2, 54]
            and (log["read"] == log[["accepted", "updated", "duplicate", "quarantined"]].sum(axis=1)).all()
        )


def _independent_monthly_counts() -> pd.DataFrame:
    """Month x category counts of the fixture's countable rows, in pandas and plain Python only."""
    raw = pd.read_csv(FIX / "incidents_gb18030.csv", encoding="gb18030", dtype=str, keep_default_na=False)
    m = read_mapping(FIX / "incidents.toml")
    forms = ["%Y/%m/%d %H:%M", "%Y-%m-%dT%H:%M:%S%z", "%Y%m%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S"]

    def parse(text: str) -> dt.datetime | None:
        for f in forms:
            try:
                d = dt.datetime.strptime(text, f)
            except ValueError:
                continue
            return (
                d.replace(tzinfo=None)
                if d.tzinfo is None
                else d.astimezone(dt.timezone(dt.timedelta(hours=8))).replace(tzinfo=None)
            )
        return None

    raw["when"] = raw["发案时间"].map(parse)
    raw["code"] = raw["案件类别"].map(m.categories)
    ok = (
        raw["案件编号"].ne("")
        & raw["when"].notna()
        & raw["code"].notna()
        & (raw["死亡人数"].astype(float) >= 0)
    )
    ok &= raw["when"].map(lambda d: d is not None and dt.datetime(2010, 1, 1) <= d <= dt.datetime.now())
    good = raw[ok].drop_duplicates("案件编号", keep="first")
    good = good.assign(period=pd.to_datetime(good["when"]).dt.to_period("M").dt.to_timestamp())
    return good.groupby(["code", "period"]).size().rename("count").reset_index()


def test_zz_counts_month_by_category_matches_independent_count(police_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "counts.csv"
    result = CliRunner().invoke(
        app,
        ["counts", "--store", str(police_store), "--freq", "month", "--by", "category", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    ours = pd.read_csv(out, parse_dates=["period"])
    ours = ours[ours["count"] > 0].rename(columns={"category": "code"})
    want = _independent_monthly_counts()
    merged = want.merge(ours, on=["code", "period"], how="outer", suffixes=("_want", "_ours")).fillna(0)
    assert (merged["count_want"] == merged["count_ours"]).all(), merged[
        merged["count_want"] != merged["count_ours"]
    ]
    assert merged["count_ours"].sum() == 44  # a row whose area is no area's counts, unassigned


def test_ingest_and_quarantine_commands(tmp_path: Path) -> None:
    store = tmp_path / "cli.duckdb"
    run = CliRunner().invoke(
        app,
        [
            "ingest",
            str(FIX / "incidents_gb18030.csv"),
            "--mapping",
            str(FIX / "incidents.toml"),
            "--store",
            str(store),
        ],
    )
    assert run.exit_code == 0, run.output
    assert "54" in run.output and "read = accepted + updated + duplicate + quarantined: yes" in run.output
    q = CliRunner().invoke(app, ["quarantine", "--store", str(store), "--limit", "3"])
    assert q.exit_code == 0 and "quarantined rows" in q.output and "unparseable date" in q.output
    bad = CliRunner().invoke(
        app,
        [
            "ingest",
            str(FIX / "traffic_us.csv"),
            "--mapping",
            str(FIX / "incidents.toml"),
            "--store",
            str(store),
        ],
    )
    assert bad.exit_code == 2 and "Case No" in bad.output and "Traceback" not in bad.output


def test_reference_tables_natural_keys_and_cameras(tmp_path: Path) -> None:
    store = tmp_path / "ref.duckdb"
    ingest_files([FIX / "areas.geojson"], FIX / "areas.toml", store=store)
    (tmp_path / "targets.csv").write_text(
        "年度,指标,控制数\n2025,火灾起数,200\n2025,道路交通事故死亡人数,30\n", encoding="utf-8"
    )
    m = {
        "source": {"table": "targets"},
        "columns": {"year": "年度", "metric": "指标", "ceiling": "控制数"},
        "values": {"metric": {"火灾起数": "fire.count", "道路交通事故死亡人数": "traffic.deaths"}},
    }
    assert ingest_files([tmp_path / "targets.csv"], m, store=store).accepted == 2
    assert ingest_files([tmp_path / "targets.csv"], m, store=store).duplicate == 2
    (tmp_path / "targets.csv").write_text("年度,指标,控制数\n2025,火灾起数,180\n", encoding="utf-8")
    assert ingest_files([tmp_path / "targets.csv"], m, store=store).updated == 1
    cams = tmp_path / "cams.csv"
    cams.write_text(
        "编号,类型,经度,纬度,安装日期\nC1,视频监控,103.82,36.04,2020-01-01\nC2,智能卡口,103.86,36.05,2031-01-01\n"
        "C3,视频监控,,,2020-01-01\nC4,视频监控,104.9,36.05,2020-01-01\nC5,无人机,103.82,36.04,2020-01-01\n",
        encoding="utf-8",
    )
    cm = {
        "source": {"table": "cameras"},
        "columns": {
            "camera_id": "编号",
            "kind": "类型",
            "lon": "经度",
            "lat": "纬度",
            "installed_on": "安装日期",
        },
        "values": {"kind": {"视频监控": "camera", "智能卡口": "checkpoint"}},
    }
    rep = ingest_files([cams], cm, store=store)
    assert (rep.accepted, rep.quarantined) == (2, 3)
    assert rep.reasons == {"missing_location": 1, "outside_district": 1, "unknown_value": 1}
    assert rep.unknown_labels == {("kind", "无人机"): 1}
    with open_store(store) as st:
        t = st.table("targets").set_index("metric")
        cameras = st.table("cameras")
    assert t.loc["fire.count", "ceiling"] == 180 and t.loc["traffic.deaths", "ceiling"] == 30
    assert sorted(cameras["camera_id"]) == ["C1", "C2"]  # a planned camera may have a future date
    assert str(cameras["installed_on"].dtype) == "datetime64[ns]"


def test_sample_store_dirty_rows_as_planted(sample_store: Store) -> None:
    manifest = json.loads((config.sample_dir() / "manifest.json").read_text(encoding="utf-8"))
    q = sample_store.quarantine()
    loc = sample_store.location_log()
    log = sample_store.ingest_log()
    assert (log["read"] == log[["accepted", "updated", "duplicate", "quarantined"]].sum(axis=1)).all()
    for d in manifest["dirty"]:
        if d["outcome"] == "quarantined":
            hit = q[(q["source_file"] == d["file"]) & (q["row"] == d["line"])]
            assert list(hit["reason"]) == [d["reason"]], d
        elif d["outcome"] == "location_cleared":
            hit = loc[(loc["source_file"] == d["file"]) & (loc["row"] == d["line"])]
            assert list(hit["reason"]) == [d["reason"]], d
    assert len(q) == sum(d["outcome"] == "quarantined" for d in manifest["dirty"])


def test_sample_second_ingest_adds_nothing(sample_store: Store, tmp_path: Path) -> None:
    copy = tmp_path / "copy.duckdb"
    shutil.copy(sample_store.path, copy)
    sources = config.sample_dir()
    rep = ingest_files(
        [sources / "110警情_刑事案件_2019-2026.csv"], sources / "mappings" / "criminal.toml", store=copy
    )
    assert rep.accepted == 0 and rep.updated == 0 and rep.balanced
    assert rep.duplicate + rep.quarantined == rep.read


def test_default_store_built_and_rebuilt_from_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample = tmp_path / "sample"
    sample.mkdir()
    for name in ("areas.geojson", "areas.toml", "traffic_us.csv", "traffic_us.toml"):
        shutil.copy(FIX / name, sample / name)
    (sample / "sources.toml").write_text(
        '[[source]]\nfiles = ["areas.geojson"]\nmapping = "areas.toml"\n\n'
        '[[source]]\nfiles = ["traffic_*.csv"]\nmapping = "traffic_us.toml"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("ZZ_SAMPLE_DIR", str(sample))
    monkeypatch.delenv("ZZ_STORE", raising=False)
    with open_store() as st:
        assert len(st.incidents()) == 10 and len(st.areas()) == 2
    built = config.default_store_path().stat().st_mtime_ns
    with open_store() as st:  # fresh: not rebuilt
        assert len(st.incidents()) == 10
    assert config.default_store_path().stat().st_mtime_ns == built
    src = sample / "traffic_us.csv"
    src.write_text(
        src.read_text(encoding="utf-8").splitlines()[0]
        + "\n"
        + "\n".join(src.read_text(encoding="utf-8").splitlines()[1:6])
        + "\n",
        encoding="utf-8",
    )
    future = config.default_store_path().stat().st_mtime + 5
    os.utime(src, (future, future))
    with open_store() as st:  # a source is newer: rebuilt from scratch
        assert len(st.incidents()) == 5
