"""The store's own clock: one district zone, instants in the store, every period cut on its wall clock.

Known truth: naive times written by a city in a daylight-saving zone, counted by pandas on their
own wall clock (an independent count), and hand-written instants around the spring gap and the
autumn repeat.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from zzanalytics.aggregate import counts
from zzanalytics.cli import app
from zzanalytics.errors import StoreError
from zzanalytics.ingest import ingest_files
from zzanalytics.store import export_partitions, open_store, read_partitions

TZ = "America/Toronto"
runner = CliRunner()

MAPPING = {
    "source": {"table": "incidents", "timezone": TZ, "date_floor": "2010-01-01"},
    "columns": {
        "incident_id": "Event ID",
        "occurred_at": "Occurred",
        "category": "Offence",
        "area_code": "Hood",
    },
    "categories": {"Break and Enter": "theft.burglary", "Assault": "assault", "Robbery": "robbery"},
}

EDGES = {  # event id -> (naive text as published, expected wall time in the store)
    "gap": ("2021-03-14 02:30", "2021-03-14 03:30"),  # spring forward: 02:00-03:00 does not exist
    "before_gap": ("2021-03-14 01:59", "2021-03-14 01:59"),
    "after_gap": ("2021-03-14 03:00", "2021-03-14 03:00"),
    "repeat": ("2021-11-07 01:30", "2021-11-07 01:30"),  # fall back: 01:00-02:00 happens twice
    "year_end": ("2020-12-31 23:30", "2020-12-31 23:30"),
    "new_year": ("2021-01-01 00:10", "2021-01-01 00:10"),
    "month_end": ("2021-03-31 23:59", "2021-03-31 23:59"),
    "month_start": ("2021-04-01 00:00", "2021-04-01 00:00"),
}


def _export(path: Path, n: int = 4000, seed: int = 3) -> pd.DataFrame:
    """A police export in Toronto wall time: random times over 2019-2022 plus the edge cases."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2019-01-01").value // 10**9
    secs = rng.integers(0, 4 * 365 * 86400, n)
    naive = pd.to_datetime((start + secs) * 10**9).strftime("%Y-%m-%d %H:%M")
    offences = rng.choice(["Break and Enter", "Assault", "Robbery"], n, p=[0.5, 0.35, 0.15])
    df = pd.DataFrame(
        {
            "Event ID": [f"E{i}" for i in range(n)],
            "Occurred": naive,
            "Offence": offences,
            "Hood": rng.choice(["2", "10", "1"], n),
        }
    )
    edges = pd.DataFrame(
        {
            "Event ID": list(EDGES),
            "Occurred": [v[0] for v in EDGES.values()],
            "Offence": "Assault",
            "Hood": "1",
        }
    )
    df = pd.concat([df, edges], ignore_index=True)
    df.to_csv(path, index=False)
    return df


@pytest.fixture
def toronto(tmp_path: Path) -> tuple[Path, pd.DataFrame, object]:
    src = tmp_path / "police.csv"
    df = _export(src)
    store = tmp_path / "zz.duckdb"
    rep = ingest_files([src], MAPPING, store=store)
    return store, df, rep


def test_store_takes_the_first_dated_mapping_zone_and_hands_out_its_wall_clock(toronto) -> None:
    store, df, rep = toronto
    with open_store(store) as st:
        assert st.timezone == TZ and st.meta()["timezone"] == TZ
        inc = st.incidents().set_index("incident_id")
    assert str(inc["occurred_at"].dt.tz) == TZ
    wall = inc["occurred_at"].dt.tz_localize(None).dt.strftime("%Y-%m-%d %H:%M")
    for key, (_, expected) in EDGES.items():
        assert wall[key] == expected, key
    # the autumn repeat is read as its first occurrence (daylight time, PEP 495 fold=0)
    assert inc.loc["repeat", "occurred_at"].utcoffset() == pd.Timedelta(hours=-4)
    assert inc.loc["gap", "occurred_at"].utcoffset() == pd.Timedelta(hours=-4)
    # the gap is kept, and said
    assert rep.accepted == len(df) and rep.quarantined == 0
    notes = " ".join(rep.files[0].notes)
    assert "spring-forward gap" in notes and "on line" in notes


def test_daily_monthly_and_hourly_counts_equal_pandas_on_the_city_wall_clock(toronto) -> None:
    store, df, _ = toronto
    with open_store(store) as st:
        inc = st.incidents()
    # independent count: pandas on the published naive strings (a gap time stays on its day)
    naive = pd.to_datetime(df["Occurred"])
    cat = df["Offence"].map(MAPPING["categories"])
    for freq, rule in (("day", "D"), ("month", "M")):
        mine = counts(inc, freq=freq, by=("category",))
        mine = mine[mine["count"] > 0].set_index(["category", "period"])["count"].sort_index()
        truth = (
            pd.DataFrame({"category": cat, "period": naive.dt.to_period(rule).dt.start_time})
            .groupby(["category", "period"])
            .size()
            .sort_index()
        )
        truth.name = "count"
        pd.testing.assert_series_equal(mine, truth, check_names=False, check_index_type=False)
    # the events of 31 December stay in their year
    years = counts(inc, freq="year", by=())
    truth_years = naive.dt.year.value_counts().sort_index()
    assert years["count"].tolist() == truth_years.tolist()
    # hour of day on the city's clock (the gap time reads as 03:30)
    hours = inc["occurred_at"].dt.hour.value_counts().sort_index()
    shifted = naive.where(df["Event ID"] != "gap", naive + pd.Timedelta(hours=1))
    assert hours.tolist() == shifted.dt.hour.value_counts().sort_index().tolist()


def test_offsets_keep_the_autumn_repeat_two_distinct_hours(tmp_path: Path) -> None:
    src = tmp_path / "x.csv"
    pd.DataFrame(
        {
            "Event ID": ["a", "b", "c"],
            "Occurred": ["2021-11-07T01:30:00-04:00", "2021-11-07T01:30:00-05:00", "2021-11-07T06:15:00Z"],
            "Offence": "Assault",
            "Hood": "1",
        }
    ).to_csv(src, index=False)
    ingest_files([src], MAPPING, store=tmp_path / "zz.duckdb")
    with open_store(tmp_path / "zz.duckdb") as st:
        t = st.incidents().set_index("incident_id")["occurred_at"]
    assert t["b"] - t["a"] == pd.Timedelta(hours=1)  # two instants an hour apart ...
    assert t["a"].hour == t["b"].hour == 1  # ... both at 01:30 on the wall clock
    assert str(t["c"]) == "2021-11-07 01:15:00-05:00"


def test_sources_from_other_zones_are_converted_to_the_store_clock(toronto, tmp_path: Path) -> None:
    store, _, _ = toronto
    src = tmp_path / "utc.csv"
    pd.DataFrame(
        {"Event ID": ["u1"], "Occurred": ["2022-01-01 03:00"], "Offence": "Robbery", "Hood": "2"}
    ).to_csv(src, index=False)
    utc = {**MAPPING, "source": {**MAPPING["source"], "timezone": "UTC"}}
    rep = ingest_files([src], utc, store=store)
    assert any("converted to the store's clock, America/Toronto" in n for n in rep.files[0].notes)
    with open_store(store) as st:
        u1 = st.incidents().set_index("incident_id").loc["u1", "occurred_at"]
    assert str(u1) == "2021-12-31 22:00:00-05:00"  # New Year in UTC is still 2021 in Toronto


def test_a_mapping_without_timezone_reads_naive_times_on_the_store_clock(toronto, tmp_path: Path) -> None:
    store, _, _ = toronto
    src = tmp_path / "plain.csv"
    pd.DataFrame(
        {"Event ID": ["p1"], "Occurred": ["2022-07-01 12:00"], "Offence": "Robbery", "Hood": "2"}
    ).to_csv(src, index=False)
    plain = {**MAPPING, "source": {"table": "incidents"}}
    ingest_files([src], plain, store=store)
    with open_store(store) as st:
        p1 = st.incidents().set_index("incident_id").loc["p1", "occurred_at"]
    assert str(p1) == "2022-07-01 12:00:00-04:00"


def test_the_store_has_one_clock(toronto, tmp_path: Path) -> None:
    store, _, _ = toronto
    with pytest.raises(StoreError, match="keeps its days in America/Toronto"):
        ingest_files([tmp_path / "police.csv"], MAPPING, store=store, timezone="Asia/Shanghai")
    result = runner.invoke(
        app,
        [
            "ingest",
            str(tmp_path / "police.csv"),
            "--mapping",
            str(tmp_path / "none.toml"),
            "--store",
            str(store),
        ],
    )
    assert result.exit_code == 2 and "Traceback" not in result.output
    # --timezone on a new store wins over the mapping's zone
    fresh = tmp_path / "new.duckdb"
    ingest_files([tmp_path / "police.csv"], MAPPING, store=fresh, timezone="Europe/London")
    with open_store(fresh) as st:
        assert st.timezone == "Europe/London"
        t = st.incidents().set_index("incident_id").loc["new_year", "occurred_at"]
    assert str(t) == "2021-01-01 05:10:00+00:00"
    # an unknown zone is one clear line
    m = tmp_path / "m.toml"
    m.write_text('[source]\ntable = "incidents"\n', encoding="utf-8")
    result = runner.invoke(
        app, ["ingest", str(tmp_path / "police.csv"), "--mapping", str(m), "--timezone", "Mars/Olympus"]
    )
    assert result.exit_code == 2 and "Mars/Olympus" in result.output and "Traceback" not in result.output


def test_a_new_store_without_any_zone_is_asia_shanghai(tmp_path: Path) -> None:
    src = tmp_path / "p.csv"
    pd.DataFrame(
        {"Event ID": ["p1"], "Occurred": ["2022-07-01 12:00"], "Offence": "Robbery", "Hood": "2"}
    ).to_csv(src, index=False)
    ingest_files([src], {**MAPPING, "source": {"table": "incidents"}}, store=tmp_path / "zz.duckdb")
    with open_store(tmp_path / "zz.duckdb") as st:
        assert st.timezone == "Asia/Shanghai"
        assert str(st.incidents()["occurred_at"].iloc[0]) == "2022-07-01 12:00:00+08:00"


def test_day_filters_and_partitions_follow_the_store_clock(toronto, tmp_path: Path) -> None:
    store, _, _ = toronto
    with open_store(store) as st:
        day = st.incidents("2020-12-31", "2020-12-31")
        assert "year_end" in set(day["incident_id"]) and "new_year" not in set(day["incident_id"])
        assert (day["occurred_at"].dt.date.astype(str) == "2020-12-31").all()
        root = export_partitions(st, tmp_path / "parts")
    y2020 = read_partitions(root, years=[2020])
    assert "year_end" in set(y2020["incident_id"]) and str(y2020["occurred_at"].dt.tz) == TZ
    assert "new_year" in set(read_partitions(root, years=[2021])["incident_id"])


def test_an_older_store_of_naive_wall_times_is_read_and_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    with open_store(tmp_path / "tmpl.duckdb", read_only=False):
        pass
    con.execute("ATTACH ? AS t (READ_ONLY)", [str(tmp_path / "tmpl.duckdb")])
    con.execute("CREATE TABLE _meta AS SELECT * FROM t._meta")
    con.execute("UPDATE _meta SET value = '4' WHERE key = 'format'")
    for name in (
        "incidents",
        "petitions",
        "disputes",
        "cameras",
        "areas",
        "streets",
        "zones",
        "peers",
        "targets",
    ):
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM t.{name}")
    con.execute("ALTER TABLE incidents ALTER occurred_at TYPE TIMESTAMP")
    con.execute("ALTER TABLE incidents ALTER reported_at TYPE TIMESTAMP")
    con.execute(
        "INSERT INTO incidents (incident_id, occurred_at, category, area_code) "
        "VALUES ('a', TIMESTAMP '2026-01-01 07:30', 'fire', '1')"
    )
    con.execute("DETACH t")
    con.close()
    with open_store(path) as st:  # read-only: naive wall time of the default zone
        assert str(st.incidents()["occurred_at"].iloc[0]) == "2026-01-01 07:30:00+08:00"
        assert st.coverage(by_file=True).empty
    with open_store(path, read_only=False) as st:  # read-write: upgraded to instants
        types = dict(
            st.con.execute(
                "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'incidents'"
            ).fetchall()
        )
        assert types["occurred_at"] == "TIMESTAMP WITH TIME ZONE"
        assert str(st.incidents()["occurred_at"].iloc[0]) == "2026-01-01 07:30:00+08:00"


def test_date_and_time_of_day_in_two_columns(tmp_path: Path) -> None:
    """An export that writes the date and the time of day apart (``TIME OCC`` = 2130, 130, 21:30,
    an hour, or an offset-bearing midnight for the date as Toronto's MCI does): each row's instant
    is its date's wall clock at that time, in the source's zone (DST rules as for one column); a row
    without a readable time keeps its date, read as a date without its hour, and is counted."""
    rows = [  # id, date as published, time of day, expected wall time in the store (Toronto)
        ("a", "2021-07-01", "2130", "2021-07-01 21:30"),
        ("b", "2021-07-01", "130", "2021-07-01 01:30"),
        ("c", "2021-07-02", "21:30:00", "2021-07-02 21:30"),
        ("d", "2021/01/15 05:00:00+00", "8", "2021-01-15 08:00"),  # UTC midnight-of-the-day, MCI style
        ("e", "2021-03-14", "230", "2021-03-14 03:30"),  # the spring gap: shifted forward
        ("f", "2021-11-07", "0130", "2021-11-07 01:30"),  # the autumn repeat: first occurrence (EDT)
        ("g", "2021-07-03", "", "2021-07-03 00:00"),  # no time: the date stays
        ("h", "2021-07-04", "2460", "2021-07-04 00:00"),  # not a time of day
    ]
    pd.DataFrame(
        {"id": [r[0] for r in rows], "DATE OCC": [r[1] for r in rows], "TIME OCC": [r[2] for r in rows]}
    ).assign(kind="Assault", hood="1").to_csv(tmp_path / "la.csv", index=False)
    mapping = {
        "source": {"table": "incidents", "timezone": TZ, "time_column": "TIME OCC"},
        "columns": {"incident_id": "id", "occurred_at": "DATE OCC", "category": "kind", "area_code": "hood"},
        "categories": {"Assault": "assault"},
    }
    store = tmp_path / "zz.duckdb"
    rep = ingest_files([tmp_path / "la.csv"], mapping, store=store)
    assert (rep.accepted, rep.quarantined) == (8, 0)
    assert any(
        "2 rows (first on line 8) have no readable time of day in 'TIME OCC'" in n for n in rep.files[0].notes
    )
    with open_store(store) as st:
        got = st.incidents().set_index("incident_id")["occurred_at"]
    wall = got.dt.tz_convert(TZ).dt.strftime("%Y-%m-%d %H:%M")
    assert wall.to_dict() == {r[0]: r[3] for r in rows}
    assert got["f"] == pd.Timestamp("2021-11-07 05:30", tz="UTC")  # 01:30 EDT, not EST
    with pytest.raises(Exception, match="time_column"):
        ingest_files([tmp_path / "la.csv"], {**mapping, "source": {"time_column": "TIME"}}, store=store)
