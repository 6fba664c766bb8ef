"""The written forms of dates and times that exports use, read in DuckDB: 民國 years in every form
(hypothesis round trips against Python's own calendar, leap days, years 1 and 200, invalid days),
times of day without their leading zero, 24:00, time slots, packed cells and areas named in
addresses."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zzanalytics.ingest.dates import naive_sql
from zzanalytics.ingest.forms import address_area_sql, clock_sql, packed_sql, slot_sql

FIRST, LAST = dt.datetime(1912, 1, 1), dt.datetime(2111, 12, 31, 23, 59, 59)  # 民國 1 to 200

FORMS = [  # every way an export writes 民國 y/m/d (and a time of day)
    lambda d, y: f"{y}年{d.month:02d}月{d.day:02d}日",
    lambda d, y: f"{y}年{d.month}月{d.day}日",
    lambda d, y: f"民國{y}年{d.month}月{d.day}日",
    lambda d, y: f"{y}/{d.month:02d}/{d.day:02d}",
    lambda d, y: f"{y}/{d.month}/{d.day}",
    lambda d, y: f"{y}.{d.month:02d}.{d.day:02d}",
    lambda d, y: f"{y}-{d.month:02d}-{d.day:02d}",
    lambda d, y: f"{y:03d}{d.month:02d}{d.day:02d}",
    lambda d, y: f"{y}{d.month:02d}{d.day:02d}",
]
TIMED = [
    lambda d, y: f"{y}年{d.month:02d}月{d.day:02d}日 {d.hour:02d}時{d.minute:02d}分{d.second:02d}秒",
    lambda d, y: f"{y}年{d.month}月{d.day}日{d.hour}時{d.minute}分{d.second}秒",
    lambda d, y: f"{y}/{d.month:02d}/{d.day:02d} {d.hour:02d}:{d.minute:02d}:{d.second:02d}",
    lambda d, y: f"{y:03d}{d.month:02d}{d.day:02d}{d.hour:02d}{d.minute:02d}{d.second:02d}",
    lambda d, y: f"{y:03d}{d.month:02d}{d.day:02d} {d.hour:02d}:{d.minute:02d}:{d.second:02d}",
]


CON = duckdb.connect()


def _run(values: list[str], sql: str) -> list:
    import pyarrow as pa

    CON.register("t", pa.table({"i": list(range(len(values))), "x": pa.array(values, pa.string())}))
    try:
        return [r[0] for r in CON.execute(f"SELECT {sql} FROM t ORDER BY i").fetchall()]
    finally:
        CON.unregister("t")


def read(values: list[str], calendar: str = "roc", fmt: str = "") -> list[dt.datetime | None]:
    return _run(values, naive_sql("x", fmt, calendar))


@settings(max_examples=15, deadline=None)
@given(st.lists(st.datetimes(min_value=FIRST, max_value=LAST), min_size=1, max_size=60))
def test_roc_dates_round_trip_in_every_written_form(days: list[dt.datetime]) -> None:
    values, want = [], []
    for d in days:
        y = d.year - 1911
        for f in FORMS:
            text = f(d, y)
            if text.isdigit() and len(text) != (7 if y >= 100 else 6) and f is FORMS[-1]:
                continue  # unpadded digits: YYMMDD for years 10-99, YYYMMDD from 100 (90101 is no date)
            values.append(text)
            want.append(dt.datetime(d.year, d.month, d.day))
        for f in TIMED:
            values.append(f(d, y))
            want.append(d.replace(microsecond=0))
    assert read(values) == want


def test_roc_boundaries_leap_days_and_days_that_do_not_exist() -> None:
    got = read(
        ["1/1/1", "200/12/31", "民國1年1月1日", "109/02/29", "89/02/29", "189/02/29", "108/02/29",
         "108/13/01", "108/04/31", "0/01/01", "1090229", "1080229", "108/12/31 24:00", "108年12月31日 24時",
         "2019/01/02"]
    )  # fmt: skip
    assert got == [
        dt.datetime(1912, 1, 1), dt.datetime(2111, 12, 31), dt.datetime(1912, 1, 1),
        dt.datetime(2020, 2, 29), dt.datetime(2000, 2, 29), None, None, None, None, None,
        dt.datetime(2020, 2, 29), None, dt.datetime(2020, 1, 1), dt.datetime(2020, 1, 1),
        dt.datetime(2019, 1, 2),
    ]  # fmt: skip


def test_gregorian_forms_are_not_read_as_roc_and_roc_needs_the_key() -> None:
    assert read(["20190102", "2019-01-02 09:30", "201901020930"]) == [
        dt.datetime(2019, 1, 2), dt.datetime(2019, 1, 2, 9, 30), dt.datetime(2019, 1, 2, 9, 30)
    ]  # fmt: skip
    assert read(["108/01/02"], calendar="gregorian") == [dt.datetime(108, 1, 2)]  # year 108 without the key


def _clock(values: list[str], sql=clock_sql) -> list:
    return _run(values, sql("x"))


def test_every_time_of_day_without_its_leading_zero_reads_right() -> None:
    secs = list(range(0, 86400, 7))
    unpadded = [str(int(f"{s // 3600:02d}{s // 60 % 60:02d}{s % 60:02d}")) for s in secs]  # 93000 = 09:30:00
    padded = [f"{s // 3600:02d}{s // 60 % 60:02d}{s % 60:02d}" for s in secs]
    colons = [f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" for s in secs]
    zh = [f"{s // 3600}時{s // 60 % 60}分{s % 60}秒" for s in secs]
    assert _clock(unpadded, lambda x: clock_sql(x, "hhmmss")) == secs  # the column's form: HHMMSS
    assert _clock(padded) == secs and _clock(colons) == secs and _clock(zh) == secs
    got = _clock(["93000", "2400", "24:00", "24", "24時", "2401", "2460", "9:60", "上午12:05", "下午12:05"])
    assert got == [34200, 86400, 86400, 86400, 86400, None, None, None, 300, 43500]
    assert _clock(["5", "130", "2400"], lambda x: clock_sql(x, "hhmm")) == [300, 5400, 86400]  # 5 = 00:05
    assert _clock(["5", "23", "24"], lambda x: clock_sql(x, "hour")) == [18000, 82800, 86400]


def test_slots_are_windows_and_packed_cells_give_their_numbers() -> None:
    assert _clock(["00~02", "22~24", "22-02", "0時~2時", "08:00-10:30", "2", "a~b"], slot_sql) == [
        [0, 7200], [79200, 86400], [79200, 93600], [0, 7200], [28800, 37800], None, None
    ]  # fmt: skip
    cells = ["死亡1;受傷0", "死亡0;受傷12", "受傷3", "死亡：2、受傷：１", ""]
    assert _clock(cells, lambda x: packed_sql(x, after="死亡")) == ["1", "0", None, "2", None]
    assert _clock(cells, lambda x: packed_sql(x, after="受傷")) == ["0", "12", "3", "1", None]


@pytest.mark.parametrize(
    ("address", "area"),
    [
        ("臺北市大安區和平東路二段1號", "大安區"),
        ("高雄市前鎮區中華五路", "前鎮區"),
        ("新北市板橋區", "板橋區"),
        ("兰州市城关区东岗街道雁滩路3号", "东岗街道"),
        ("宜蘭縣礁溪鄉中山路", "礁溪鄉"),
        ("花蓮縣花蓮市中正路", "花蓮市"),
        ("和平東路二段", None),
    ],
)
def test_the_area_an_address_names(address: str, area: str | None) -> None:
    assert _clock([address], address_area_sql) == [area]
