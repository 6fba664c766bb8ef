"""Personal data never reaches an output: one masking policy (zzanalytics.privacy), property-tested
on generated variants of ID card and phone numbers, and applied to the store's way in ([personal]
columns), the quarantine listing and its --out, CSV exports and error messages.

The briefing itself (HTML and the PDF's text) is checked on a hostile store in
``tests/test_hostile_briefing.py``.
"""

from __future__ import annotations

import json
import unicodedata

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from zzanalytics.cli import app
from zzanalytics.privacy import (
    is_personal_header,
    mask_frame,
    mask_json,
    mask_text,
    mask_value,
    mask_value_sql,
    masked_source_sql,
    scrub,
)

runner = CliRunner()

# ------------------------------------------------------------------ generated variants

_CN = "〇一二三四五六七八九"
_FIN = "零壹贰叁肆伍陆柒捌玖"
_STYLES = (
    lambda d: d,  # ASCII
    lambda d: chr(0xFF10 + int(d)),  # full-width
    lambda d: _CN[int(d)],  # Chinese numerals
    lambda d: _FIN[int(d)],  # financial numerals
    lambda d: chr(0x1D7CE + int(d)),  # mathematical bold
    lambda d: chr(0x0660 + int(d)),  # Arabic-Indic
)
SEPARATORS = (
    " ",
    "  ",
    "-",
    " - ",
    ".",
    "·",
    "/",
    "_",
    "\u3000",
    "\u00a0",
    "\u200b",
    "－",
    "—",
    "\t",
    "(",
    ")",
)
LEFT = (
    "",
    "ID",
    "id:",
    "身份证号",
    "身份证号码:",
    "公民身份号码",
    "电话",
    "手机:",
    "Tel.",
    "联系方式 ",
    "abc",
)
LEFT += ("A", "编号", "号码是", "2026年5月6日 ", "事故致2人受伤,", "<b>", "张某某,")
RIGHT = ("", "号", ",", "。", " 3人受伤", "abc", "</b>", "的车辆", ";电话", " x", "x", "X号", "xyz")


def id_check(body17: str) -> str:
    """ISO 7064 MOD 11-2 check character of a Chinese resident ID."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(c) * w for c, w in zip(body17, weights, strict=True)) % 11]


@st.composite
def id_numbers(draw) -> str:
    region = draw(st.integers(110000, 659999))
    birth = draw(
        st.dates(min_value=pd.Timestamp("1930-01-01").date(), max_value=pd.Timestamp("2020-12-31").date())
    )
    seq = draw(st.integers(0, 999))
    if draw(st.booleans()):  # the old 15-digit form: 2-digit year, no check character
        return f"{region}{birth:%y%m%d}{seq:03d}"
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + id_check(body)


@st.composite
def mobiles(draw) -> str:
    return (
        "1"
        + draw(st.sampled_from("3456789"))
        + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=9, max_size=9)))
    )


@st.composite
def written(draw, number: str, prefixes: tuple[str, ...] = ("",)) -> str:
    """``number`` as a person might write it: digit styles, groups, separators, prefix, context."""
    style = draw(st.sampled_from(_STYLES))
    mixed = draw(st.booleans())
    chars = []
    for ch in number:
        if ch == "X":
            chars.append(draw(st.sampled_from(("X", "x", "Ｘ", "ｘ"))))
        else:
            chars.append((draw(st.sampled_from(_STYLES)) if mixed else style)(ch))
    cuts = sorted(draw(st.sets(st.integers(1, len(chars) - 1), max_size=4)))
    out, last = [], 0
    for c in cuts:
        out.append("".join(chars[last:c]))
        out.append(draw(st.sampled_from(SEPARATORS)))
        last = c
    out.append("".join(chars[last:]))
    body = draw(st.sampled_from(prefixes)) + "".join(out)
    return draw(st.sampled_from(LEFT)) + body + draw(st.sampled_from(RIGHT))


PHONE_PREFIXES = ("", "+86", "+86 ", "+86-", "0086", "0086 ", "86-", "(+86)", "（+86）", "+８６ ")


def digit_stream(text: str) -> str:
    """Every digit of ``text`` in order (any script, Chinese numerals too) and X, nothing else:
    a number survives masking if its digits appear here in a row, whatever stood between them."""
    out = []
    for ch in unicodedata.normalize("NFKC", text):
        if ch in _CN:
            out.append(str(_CN.index(ch)))
        elif ch in _FIN:
            out.append(str(_FIN.index(ch)))
        elif unicodedata.digit(ch, None) is not None:
            out.append(str(unicodedata.digit(ch)))
        elif ch in "Xx":
            out.append("X")
    return "".join(out)


def survives(number: str, text: str) -> bool:
    """True when the digits of ``number`` (an ID or phone) can be read from ``text``."""
    return number.upper() in digit_stream(text)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_no_written_form_of_an_id_number_survives(data):
    number = data.draw(id_numbers())
    text = data.draw(written(number))
    masked = mask_text(text)
    assert not survives(number, masked), (text, masked)
    assert mask_text(masked) == masked  # idempotent


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_no_written_form_of_a_mobile_number_survives(data):
    number = data.draw(mobiles())
    text = data.draw(written(number, PHONE_PREFIXES))
    masked = mask_text(text)
    assert not survives(number, masked), (text, masked)
    assert mask_text(masked) == masked


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_several_numbers_in_one_text_are_all_masked(data):
    numbers = [data.draw(id_numbers()), data.draw(mobiles()), data.draw(mobiles())]
    parts = [data.draw(written(n, PHONE_PREFIXES if len(n) == 11 else ("",))) for n in numbers]
    glue = data.draw(st.sampled_from((",", " ", ";", "\n", " 和 ", "、")))
    masked = mask_text(glue.join(parts))
    for n in numbers:
        assert not survives(n, masked), (parts, masked)


@pytest.mark.parametrize(
    "text",
    [
        "1-10月,全区发生各类刑事案件1,234起,比去年同期上升5.2%(显著)",
        "直接经济损失56.3万元,赴省进京非正常上访12批35人次",
        "2026-05-06 10:30 发生火灾,损失120000元",
        "案件编号A2026000123,街道620102001",
        "超速行驶,追尾,3车相撞,2人死亡5人受伤",
        "电气线路故障",
        "当事人和解,驾驶员酒后驾驶,司机疲劳驾驶",
        "Driver fatigue on G30, 3 injured",
        "导出文件 export_20260101_20261031.csv",  # dates in a file name are not an ID
        "2026-01-01 2026-10-31 20260506103000",
    ],
)
def test_ordinary_text_and_official_numbers_are_left_alone(text):
    assert mask_text(text) == text


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("驾驶员王小明醉酒驾驶", "王小明"),
        ("报警人：李建国称其被骗", "李建国"),
        ('{"当事人":"欧阳娜娜"}', "欧阳娜娜"),
        ("driver: John Smith", "John Smith"),
        ("车牌甘A·12345的货车起火", "12345"),
        ("联系邮箱 zhang.san@example.com", "zhang.san"),
        ("住幸福路3单元401室", "401"),
        ("座机 0931 8123456", "8123456"),
        ("QQ 123456789", "123456789"),
        ("银行卡 6222 0212 3456 7890 123", "3456"),
    ],
)
def test_names_plates_mail_and_house_numbers(text, hidden):
    assert hidden not in mask_text(text)


def test_declared_personal_values_are_masked_whole_and_removed_from_free_text():
    assert mask_value("张三丰") == "张**" and mask_value(None) == "" and mask_value("  ") == ""
    assert scrub("王小明酒驾,王小明受伤", ["王小明"]) == "王**酒驾,王**受伤"
    assert is_personal_header("当事人姓名") and is_personal_header("联系电话")
    assert not is_personal_header("街道名称") and not is_personal_header("category")
    raw = json.dumps(
        {"姓名": "王小明", "原因": "王小明吸烟", "手机": 13812345678, "死亡": 1}, ensure_ascii=False
    )
    masked = json.loads(mask_json(raw))
    assert masked == {"姓名": "王**", "原因": "王**吸烟", "手机": "1**********", "死亡": 1}
    df = pd.DataFrame({"当事人": ["李建国"], "cause": ["李建国酒驾 13812345678"], "deaths": [2]})
    out = mask_frame(df)
    assert out.to_dict("records") == [{"当事人": "李**", "cause": "李**酒驾 138******78", "deaths": 2}]


_CON: list = []


def _con() -> duckdb.DuckDBPyConnection:
    if not _CON:
        _CON.append(duckdb.connect())
        _CON[0].execute("CREATE TABLE t (n VARCHAR, c VARCHAR)")
    return _CON[0]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.text(alphabet="王李张欧阳小明建国 娜abcXY'\"%_", min_size=0, max_size=6),
    text=st.text(alphabet="王李张欧阳小明建国 娜酒驾abc'\"%_", max_size=20),
)
def test_sql_masking_agrees_with_python(name, text):
    con = _con()
    con.execute("DELETE FROM t")
    con.execute("INSERT INTO t VALUES (?, ?)", [name, text])
    got = con.execute(f"SELECT * FROM {masked_source_sql('t', ['n', 'c'], ['n'], ['c'])}").fetchall()[0]
    assert got[0] == mask_value(name) if name.strip() else got[0] == name.strip()
    expected = scrub(text, [name.strip()]) if len(name.strip()) >= 2 else text
    assert got[1] == expected
    assert con.execute("SELECT " + mask_value_sql("NULL")).fetchall()[0][0] is None


# ------------------------------------------------------------------ through ingest, store and CLI

PLANTED_ID = "11010119900307451X"
PLANTED_PHONE = "13812345678"
PLANTED_NAME = "王小明"


def _hostile_source(tmp_path):
    """Rows whose cause, remark and name carry personal data in hostile forms; one is quarantined."""
    rows = [
        ("A1", "2026-03-01 10:00", "王小明在家吸烟 电话138.1234.5678", "王小明", "ID11010119900307451X"),
        ("A2", "2026-13-01 10:00", "身份证 110101 19900307 451X 酒驾", "王小明", "+86 138-1234-5678"),
        ("A3", "2026-03-05 11:00", "=cmd|' /C calc'!A0", "李建国", "１３８１２３４５６７８"),
        ("A4", "bad", "@SUM(1+1) 一三八一二三四五六七八", "李建国", "找李建国"),
    ]
    src = tmp_path / "inc.csv"
    pd.DataFrame(rows, columns=["编号", "时间", "原因", "当事人", "备注"]).assign(
        类别="fire", 街道="620102001"
    ).to_csv(src, index=False)
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        '[source]\ntable = "incidents"\n[columns]\nincident_id = "编号"\noccurred_at = "时间"\n'
        'category = "类别"\narea_code = "街道"\ncause = "原因"\n[personal]\ncolumns = ["当事人"]\n',
        encoding="utf-8",
    )
    store = tmp_path / "s.duckdb"
    result = runner.invoke(app, ["ingest", str(src), "--mapping", str(mapping), "--store", str(store)])
    assert result.exit_code == 0, result.output
    return store, result.output


def _assert_clean(text: str, where: str) -> None:
    for number in (PLANTED_ID, PLANTED_PHONE):
        assert not survives(number, text), (where, number, text[:2000])
    assert PLANTED_NAME not in text and "李建国" not in text, (where, text[:2000])


def test_personal_columns_never_reach_the_store_or_the_quarantine(tmp_path):
    store, output = _hostile_source(tmp_path)
    _assert_clean(output, "ingest output")
    con = duckdb.connect(str(store), read_only=True)
    causes = " ".join(r[0] for r in con.execute("SELECT cause FROM incidents").fetchall())
    raws = " ".join(r[0] for r in con.execute("SELECT raw FROM quarantine").fetchall())
    con.close()
    assert PLANTED_NAME not in causes and "王**在家吸烟" in causes  # the name, declared personal, is gone
    assert PLANTED_NAME not in raws and "李建国" not in raws  # also from the quarantined raw rows


def test_quarantine_listing_and_its_csv_and_parquet_are_masked(tmp_path):
    store, _ = _hostile_source(tmp_path)
    listing = runner.invoke(app, ["quarantine", "--store", str(store), "--limit", "0"])
    assert listing.exit_code == 0 and "2 quarantined rows" in listing.output, listing.output
    _assert_clean(listing.output, "zz quarantine")
    for suffix in (".csv", ".parquet"):
        out = tmp_path / f"q{suffix}"
        result = runner.invoke(app, ["quarantine", "--store", str(store), "--out", str(out)])
        assert result.exit_code == 0, result.output
        frame = pd.read_parquet(out) if suffix == ".parquet" else pd.read_csv(out, dtype=str)
        assert len(frame) == 2
        _assert_clean(frame.to_csv(index=False), f"zz quarantine --out {suffix}")
        assert frame["raw"].str.contains("王\\*\\*", regex=True).any()  # masked, not dropped


def test_csv_exports_of_free_text_keys_are_masked(tmp_path):
    store, _ = _hostile_source(tmp_path)
    out = tmp_path / "c.csv"
    result = runner.invoke(
        app, ["counts", "--store", str(store), "--by", "cause", "--freq", "month", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    _assert_clean(text, "zz counts --by cause")
    assert pd.read_csv(out)["count"].sum() == 2  # two rows accepted, both counted


def test_error_messages_are_masked(tmp_path):
    out = tmp_path / "h.geojson"
    args = [
        "hotspots",
        "--category",
        f"theft {PLANTED_PHONE}",
        "--start",
        "2026-01-01",
        "--end",
        "2026-02-01",
    ]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 2 and "not a category" in result.output
    _assert_clean(result.output, "error message")
    assert not out.exists()
