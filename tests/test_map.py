"""``zz map`` on exports as agencies publish them, written here in each form: its draft says what it
found, and ingesting with the unedited draft gives the exact monthly totals (and deaths and injuries)
planted in the files."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from zzanalytics.ingest import ingest_files
from zzanalytics.ingest.draft import draft_mapping
from zzanalytics.workspace import open_store


def ingest_draft(files: list[Path], tmp: Path, **kw: object) -> tuple[object, dict, object, str]:
    """zz map, the draft written as it is, zz ingest with it: (report, draft dict, incidents, text)."""
    draft = draft_mapping(files)
    (tmp / "map.toml").write_text(draft.text, encoding="utf-8")
    rep = ingest_files(files, tmp / "map.toml", store=tmp / "zz.duckdb", **kw)
    assert rep.balanced
    with open_store(tmp / "zz.duckdb") as st:
        inc = st.incidents()
    return rep, tomllib.loads(draft.text), inc, draft.text


def months(inc: object) -> dict[str, int]:
    return dict(Counter(inc["occurred_at"].dt.strftime("%Y-%m")))


# -- Taipei's burglary points: Big5, a title row, a footer, 民國 dates, slots, addresses ---------------
def write_taipei(path: Path, year: int, rng: np.random.Generator, n: int) -> Counter:
    labels = ["住宅竊盜"] * 7 + ["汽車竊盜"] * 2 + ["機車竊盜", "自行車竊盜"]
    districts = ["大安區", "信義區", "中山區"]
    truth: Counter = Counter()
    lines = [f"臺北市{year - 1911}年竊盜點位資訊,,,,", "編號,案類,發生日期,發生時段,發生地點"]
    for i in range(1, n + 1):
        d = dt.date(year, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365)))
        slot = int(rng.integers(0, 12)) * 2
        addr = f"臺北市{districts[i % 3]}和平東路{rng.integers(1, 3)}段{rng.integers(1, 300)}號"
        lines.append(
            f"{i},{labels[i % len(labels)]},{d.year - 1911}{d:%m%d},{slot:02d}~{slot + 2:02d},{addr}"
        )
        truth[f"{d:%Y-%m}"] += 1
    same = lines[-1].split(",", 1)[1]
    lines.append(f"{n + 1},{same}")  # the same burglary data under the next number: a second record
    truth[f"{year}-{int(same.split(',')[1][3:5]):02d}"] += 1
    lines.append(f"資料提供日期：{year - 1911 + 1}年1月5日,,,,")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("big5"))
    return truth


def test_big5_roc_slots_addresses_title_and_footer(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    truth = write_taipei(tmp_path / "108年竊盜.csv", 2019, rng, 120) + write_taipei(
        tmp_path / "109年竊盜.csv", 2020, rng, 90
    )
    files = [tmp_path / "108年竊盜.csv", tmp_path / "109年竊盜.csv"]
    rep, doc, inc, text = ingest_draft(files, tmp_path)
    src, cols = doc["source"], doc["columns"]
    assert src["calendar"] == "roc" and src["time_column"] == "發生時段" and src["skip"] == 1
    assert cols["area_code"] == {"column": "發生地點", "from": "address"} and "incident_id" not in cols
    assert (
        doc["categories"]["住宅竊盜"] == "theft.burglary" and doc["categories"]["機車竊盜"] == "theft.vehicle"
    )
    assert "Big5" in text and "restarts at 1 in each file: a row number" in text and "footer" in text
    assert (rep.read, rep.accepted, rep.quarantined) == (212, 212, 0)  # footers are not rows
    assert any("footer line" in n for f in rep.files for n in f.notes)
    assert months(inc) == dict(truth)
    assert set(inc["area_code"]) == {"大安區", "信義區", "中山區"}
    window = (inc["occurred_to"] - inc["occurred_from"]).dt.total_seconds()
    assert (window == 7200).all() and (inc["occurred_at"] == inc["occurred_from"]).all()
    assert str(inc["occurred_at"].dt.tz) == "Asia/Taipei"


# -- a traffic export: UTF-16 (tab-separated), one row per party, casualties packed in one cell --------
def test_utf16_party_rows_and_packed_casualties(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    lines = ["發生時間\t發生地點\t死亡受傷人數\t車種\t經度\t緯度"]
    per_month: Counter = Counter()
    deaths = injuries = 0
    start = dt.datetime(2018, 1, 1, 5, 12)
    for k in range(60):
        t = start + dt.timedelta(hours=int(k * 131 + rng.integers(0, 60)), minutes=int(rng.integers(0, 60)))
        d, h = int(rng.integers(0, 3)), int(rng.integers(0, 4))
        deaths, injuries = deaths + d, injuries + h
        per_month[f"{t:%Y-%m}"] += 1
        when = f"{t.year - 1911}年{t:%m}月{t:%d}日 {t:%H}時{t:%M}分{t:%S}秒"
        lon, lat = 121.5 + rng.uniform(0, 0.05), 25.0 + rng.uniform(0, 0.05)
        for party in ["普通重型-機車", "自用-小客車", "行人"][: int(rng.integers(2, 4))]:
            lines.append(f"{when}\t臺北市大安區信義路{k}號\t死亡{d};受傷{h}\t{party}\t{lon:.6f}\t{lat:.6f}")
    path = tmp_path / "107年A1交通事故.txt"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-16"))
    rep, doc, inc, text = ingest_draft([path], tmp_path)
    assert doc["source"]["delimiter"] == "\\t" and doc["source"]["calendar"] == "roc"
    assert doc["columns"]["deaths"] == {"column": "死亡受傷人數", "after": "死亡"}
    assert doc["columns"]["injuries"] == {"column": "死亡受傷人數", "after": "受傷"}
    assert "發生時間" in doc["records"]["by"] and doc["constants"]["category"] == "traffic.fatal"
    assert "utf-16" in text and "one row per party" in text
    assert rep.accepted == 60 and months(inc) == dict(per_month)
    assert (int(inc["deaths"].sum()), int(inc["injuries"].sum())) == (deaths, injuries)
    assert inc["category"].eq("traffic.fatal").all() and inc["lon"].between(121.5, 121.56).all()


def test_party_rows_of_two_collisions_at_one_minute_in_one_district_stay_two(tmp_path: Path) -> None:
    lines = ["發生時間,區序,肇事地點,當事者順位,車種"]
    truth = 0
    for k in range(30):
        when = f"112年03月{1 + k % 28:02d}日 08時{k % 3:02d}分00秒"
        places = ["臺北市大安區基隆路3段", "臺北市大安區和平東路1段"][: 1 + (k % 5 == 0)]
        for place in places:  # every fifth minute: two collisions in 大安區 at once, at two crossings
            truth += 1
            lines += [f"{when},大安區,{place},{n},機車" for n in (1, 2)]
    (tmp_path / "a2.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, doc, inc, _ = ingest_draft([tmp_path / "a2.csv"], tmp_path)
    assert doc["records"]["by"] == ["發生時間", "區序", "肇事地點"] and len(inc) == truth == 36


# -- a mainland police export: GBK, title and footer lines, 24:00, a label of its own -----------------
def test_gbk_title_footer_24h_and_a_category_of_its_own(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    labels = ["入室盗窃", "盗窃机动车", "电信网络诈骗", "寻衅滋事"]
    rows = ["2019年城关区刑事案件统计表,,,,", "案件编号,发案时间,案件类别,所属街道,简要案情"]
    truth: Counter = Counter()
    for i in range(80):
        t = dt.datetime(2019, 1, 1) + dt.timedelta(minutes=int(rng.integers(0, 365 * 1440)))
        when = f"{t.year}/{t.month}/{t.day} {t.hour}:{t.minute:02d}"
        if i == 0:  # 24:00 is the next day's midnight: March 31 24:00 counts in April
            t, when = dt.datetime(2019, 4, 1), "2019/3/31 24:00"
        rows.append(f"A{i:04d},{when},{labels[i % 4]},{['东岗街道', '城关街道'][i % 2]},案情{i}")
        truth[f"{t:%Y-%m}"] += 1
    rows += ["合计,80件,,,", "制表人：王小明,,,,", "数据提供日期：2020年1月5日,,,,"]
    path = tmp_path / "刑事案件.csv"
    path.write_bytes(("\n".join(rows) + "\n").encode("gbk"))
    rep, doc, inc, text = ingest_draft([path], tmp_path)
    assert doc["columns"]["incident_id"] == "案件编号" and doc["columns"]["area_code"] == "所属街道"
    assert doc["categories"]["寻衅滋事"] == "other_criminal.寻衅滋事" and doc["source"]["skip"] == 1
    assert "gb18030" in text and "王小明" not in text  # the footer's name never reaches the draft
    assert (rep.read, rep.accepted) == (80, 80) and months(inc) == dict(truth)
    assert inc.loc[inc.incident_id == "A0000", "occurred_at"].astype(str).tolist() == [
        "2019-04-01 00:00:00+08:00"
    ]
    own = inc[inc.category == "other_criminal.寻衅滋事"]
    assert len(own) == 20 and not any("王小明" in n for f in rep.files for n in f.notes)


# -- a US city's monthly spreadsheets: .xls and .xlsx, title rows, a header that changes, counts --------
HOUSTON = ["Theft", "Burglary", "Auto Theft", "Aggravated Assault", "Robbery", "Murder", "Rape"]


def write_month(path: Path, month: int, rng: np.random.Generator, header: list[str], truth: Counter) -> None:
    rows: list[list[object]] = [
        ["Houston Police Department"],
        [f"Crime Statistics for 2017-{month:02d}"],
        header,
    ]
    for i in range(40):
        d = dt.date(2017, month, 1) + dt.timedelta(days=int(rng.integers(0, 28)))
        n = int(rng.choice([1, 1, 1, 2, 3]))
        if i == 0 and month == 1:
            d = dt.date(1996, 6, 15)  # a stray year: an old offence reported now
        rows.append([f"{d.month}/{d.day}/{d.year}", int(rng.integers(0, 24)), HOUSTON[i % 7], "1A10", n])
        truth[f"{d:%Y-%m}"] += n
    rows.append(rows[-1])  # two offences alike in day, hour, type and beat: two rows, both counted
    truth[f"{d:%Y-%m}"] += n
    rows.append(["1/3/2066", 3, "Theft", "1A10", 1])  # a typo far in the future: quarantined
    if month == 2:
        rows.append(["1/1/1900", 0, "Theft", "1A10", 1])  # a system's "no date": quarantined, not a year
    if path.suffix == ".xls":
        import xlwt

        wb = xlwt.Workbook()
        ws = wb.add_sheet("Sheet1")
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                ws.write(r, c, v)
        wb.save(str(path))
    else:
        from openpyxl import Workbook

        wb = Workbook()
        for row in rows:
            wb.active.append(row)
        wb.save(path)


def test_us_monthly_xls_header_change_counts_text_dates_and_stray_years(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    truth: Counter = Counter()
    old = ["Date", "Hour", "Offense Type", "Beat", "# Of Offenses"]
    new = ["Date", "Hour", "Offense Type", "Beat", "# offenses"]
    files = []
    for month, header, suffix in [(1, old, ".xls"), (2, old, ".xls"), (3, new, ".xlsx")]:
        files.append(tmp_path / f"jan{month}{suffix}")
        write_month(files[-1], month, rng, header, truth)
    rep, doc, inc, text = ingest_draft(files, tmp_path)
    src = doc["source"]
    assert src["count_column"] == "# Of Offenses" and doc["headers"] == {"# Of Offenses": ["# offenses"]}
    assert src["time_column"] == "Hour" and src["time_format"] == "hour" and src["skip"] == 2
    assert src["date_format"][0].startswith("%m/%d/%Y") and src["date_floor"] == "1996-01-01"
    assert doc["categories"]["Auto Theft"] == "theft.vehicle" and doc["categories"]["Murder"].startswith(
        "other_criminal."
    )
    assert "stray years" in text and "1996" in text
    assert "placeholder dates" in text and "1900-01-01 (1)" in text and src["repeats"] == "records"
    assert not any("民國" in n for f in rep.files for n in f.notes)  # 1/1/1900 is no 民國 year 1
    assert rep.reasons == {"date_in_future": 3, "date_before_floor": 1} and months(inc) == dict(truth)
    assert inc["incident_id"].isna().sum() == 0 and inc["occurred_from"].isna().all()  # hours: points


# -- points in a projected grid ----------------------------------------------------------------------
def test_projected_points_get_their_coordinate_system(tmp_path: Path) -> None:
    from pyproj import Transformer

    tr = Transformer.from_crs(4326, 3826, always_xy=True)
    rows = ["案件編號,發生時間,案類,X坐標,Y坐標"]
    for i in range(30):
        x, y = tr.transform(121.50 + 0.002 * i, 25.02 + 0.001 * i)
        rows.append(f"T{i},2019-03-{1 + i % 28:02d} 10:00,詐欺,{x:.1f},{y:.1f}")
    (tmp_path / "x.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    rep, doc, inc, text = ingest_draft([tmp_path / "x.csv"], tmp_path)
    assert doc["source"]["crs"] == "EPSG:3826" and "TWD97" in text
    assert (
        rep.accepted == 30
        and inc["lon"].between(121.49, 121.57).all()
        and inc["lat"].between(25.0, 25.06).all()
    )


def test_a_grid_many_systems_fit_is_decided_by_the_districts_polygons(tmp_path: Path) -> None:
    """Hong Kong 1980 Grid easting/northing also fall in US state plane systems (Connecticut ftUS):
    the points alone leave it a guess; the district's polygons (--areas, any coordinate system)
    decide it, give the time zone, and the areas (NAME_TC / NAME_EN only) ingest from their draft."""
    import json

    from pyproj import Transformer

    tr = Transformer.from_crs(4326, 2326, always_xy=True)
    rows = ["Serial No.,Date,Time,District,Easting,Northing,Severity"]
    for i in range(40):
        x, y = tr.transform(114.14 + 0.002 * i, 22.23 + 0.001 * i)
        rows.append(f"{i},{1 + i % 28:02d}/03/2022,{900 + i},CW,{x:.1f},{y:.1f},Slight")
    (tmp_path / "c.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    alone = tomllib.loads(draft_mapping([tmp_path / "c.csv"]).text)
    assert alone["source"]["crs"] != "EPSG:2326"  # the likeliest by points alone is elsewhere: a guess
    ring = [[114.1, 22.2], [114.3, 22.2], [114.3, 22.3], [114.1, 22.3], [114.1, 22.2]]
    x0, y0 = tr.transform(114.1, 22.2)
    x1, y1 = tr.transform(114.3, 22.3)
    grid = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    for name, coords, crs in (("deg", ring, None), ("grid", grid, "urn:ogc:def:crs:EPSG::2326")):
        fc = {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": {"type": "Polygon", "coordinates": [coords]},
                    "properties": {"DIST_CODE": "CW", "NAME_TC": "中西區", "NAME_EN": "Central and Western"},
                }
            ],
        }
        if crs:
            fc["crs"] = {"type": "name", "properties": {"name": crs}}
        (tmp_path / f"{name}.geojson").write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
        draft = draft_mapping([tmp_path / "c.csv"], areas=tmp_path / f"{name}.geojson")
        doc = tomllib.loads(draft.text)
        assert doc["source"]["crs"] == "EPSG:2326" and doc["source"]["timezone"] == "Asia/Hong_Kong"
        assert "lie on the district's polygons" in draft.text
    areas = draft_mapping([tmp_path / "deg.geojson"], table="areas")
    (tmp_path / "areas.toml").write_text(areas.text, encoding="utf-8")
    assert tomllib.loads(areas.text)["columns"]["name"] == "NAME_TC"
    ingest_files([tmp_path / "deg.geojson"], tmp_path / "areas.toml", store=tmp_path / "zz.duckdb")
    (tmp_path / "map.toml").write_text(draft.text, encoding="utf-8")
    rep = ingest_files([tmp_path / "c.csv"], tmp_path / "map.toml", store=tmp_path / "zz.duckdb")
    with open_store(tmp_path / "zz.duckdb") as st:
        inc = st.incidents()
        zone = st.identity().timezone
    assert rep.accepted == 40 and inc["lon"].between(114.13, 114.23).all() and zone == "Asia/Hong_Kong"


def test_zz_map_command_writes_a_draft_and_refuses_to_overwrite(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from zzanalytics.cli import app

    (tmp_path / "a.csv").write_text("id,date,offence\n1,2020-01-02,Burglary\n", encoding="utf-8")
    out = tmp_path / "m.toml"
    res = CliRunner().invoke(app, ["map", str(tmp_path / "a.csv"), "--out", str(out)])
    assert res.exit_code == 0 and tomllib.loads(out.read_text(encoding="utf-8"))["categories"]["Burglary"]
    res = CliRunner().invoke(app, ["map", str(tmp_path / "a.csv"), "--out", str(out)])
    assert res.exit_code == 2 and "exists already" in res.output


@pytest.mark.parametrize("code", ["traffic.serious", "other.noise"])
def test_a_category_of_its_own_counts_in_its_parents_totals(tmp_path: Path, code: str) -> None:
    from zzanalytics.aggregate import counts
    from zzanalytics.schema import category_label, is_criminal

    (tmp_path / "a.csv").write_text(
        "id,date,kind\n1,2020-01-02 10:00,Serious\n2,2020-01-03 10:00,Minor\n3,2020-02-03 10:00,Serious\n",
        encoding="utf-8",
    )
    group = code.split(".")[0]
    minor = group if group == "traffic" else "other.minor"
    m = {
        "columns": {"incident_id": "id", "occurred_at": "date", "category": "kind"},
        "categories": {"Serious": code, "Minor": minor},
    }
    rep = ingest_files([tmp_path / "a.csv"], m, store=tmp_path / "zz.duckdb")
    assert rep.accepted == 3
    with open_store(tmp_path / "zz.duckdb") as st:
        c = counts(st.incidents(), freq="month", by=["category"], level=1, coverage=st)
        summary = st.summary()
    assert c.loc[c.category == group, "count"].sum() == 3
    assert code in summary and f"under {group}" in summary
    assert not is_criminal(code) and category_label(code) == code.split(".")[1]
