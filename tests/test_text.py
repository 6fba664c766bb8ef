"""Number wording and masking of briefings: one official style, zh and en, table-driven.

The wording of changes (上升5.2%(显著)) is tested in ``test_phrases.py``.
"""

from __future__ import annotations

import math

import pytest

from zzanalytics.errors import ReportError
from zzanalytics.report import text as tx
from zzanalytics.report.blocks import heading, para, table


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        ((1234,), {}, "1,234起"),
        ((0,), {}, "0起"),
        ((1234567,), {}, "1,234,567起"),
        ((3, "人"), {}, "3人"),
        ((12, "批"), {}, "12批"),
        ((1234,), {"lang": "en"}, "1,234"),
        ((float("nan"),), {}, "—"),
        ((None,), {}, "—"),
        ((math.inf,), {}, "—"),
    ],
)
def test_count(args, kwargs, expected):
    assert tx.count(*args, **kwargs) == expected


@pytest.mark.parametrize(
    ("yuan", "lang", "expected"),
    [
        (563_000, "zh", "56.3万元"),
        (1_234_567, "zh", "123.5万元"),
        (50_000, "zh", "5.0万元"),
        (563_000, "en", "CNY 563,000"),
        (float("nan"), "zh", "—"),
    ],
)
def test_money(yuan, lang, expected):
    assert tx.money(yuan, lang) == expected


@pytest.mark.parametrize(
    ("x", "expected"), [(5.23, "5.2%"), (5.25, "5.2%"), (5.26, "5.3%"), (-0.04, "0.0%"), (100, "100.0%")]
)
def test_pct(x, expected):
    assert tx.pct(x) == expected


@pytest.mark.parametrize(
    ("start", "end", "lang", "with_year", "expected"),
    [
        ("2026-01-01", "2026-06-30", "zh", False, "上半年"),
        ("2026-01-01", "2026-10-31", "zh", False, "1–10月"),
        ("2026-01-01", "2026-10-31", "zh", True, "2026年1–10月"),
        ("2026-01-01", "2026-01-31", "zh", False, "1月"),
        ("2026-02-01", "2026-02-28", "zh", True, "2026年2月"),
        ("2026-01-05", "2026-06-30", "zh", False, "1月5日至6月30日"),
        ("2025-07-01", "2026-06-30", "zh", False, "2025年7月至2026年6月"),
        ("2026-01-01", "2026-06-30", "en", False, "H1"),
        ("2026-01-01", "2026-10-31", "en", True, "January–October 2026"),
    ],
)
def test_period_label(start, end, lang, with_year, expected):
    assert tx.period_label(start, end, lang, with_year=with_year) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((5, 82, "province", "zh"), "排全省82个县市的第5位"),
        ((3, 9, "city", "zh"), "在全市排第3位"),
        ((1, 82, "province", "en"), "ranked 1st of 82 counties in the province"),
        ((22, 82, "province", "en"), "ranked 22nd of 82 counties in the province"),
        ((None, 82, "province", "zh"), ""),
    ],
)
def test_rank(args, expected):
    assert tx.rank(*args) == expected


def test_rank_rejects_unknown_scope():
    with pytest.raises(ReportError, match="'province' or 'city'"):
        tx.rank(1, 2, "nation")


def test_cardinal():
    assert [tx.cardinal(n) for n in (1, 2, 3, 10, 11)] == ["一", "两", "三", "十", "11"]
    assert tx.cardinal(3, "en") == "3"


def test_batches_and_probability():
    assert tx.batches(12, 35) == "12批35人次"
    assert tx.batches(1234, 5678) == "1,234批5,678人次"
    assert tx.batches(2, 1, lang="en") == "2 batches (1 person)"
    assert [tx.probability(p) for p in (0.0, 0.004, 0.5, 0.996, 1.0)] == ["<1%", "<1%", "50%", ">99%", ">99%"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("身份证号110101199003074518", "身份证号110*************18"),
        ("证件11010119900307451X。", "证件110*************1X。"),
        ("联系电话13812345678", "联系电话138******78"),
        ("电话 +86 138-1234-5678", "电话 +86 138******78"),
        ("座机010-12345678", "座机010******78"),  # a landline with its area code is a phone too
        ("编号A2026000123456789012", "编号A202**************12"),  # 21 digits in a row: masked whole
        ("案件编号A2026000123", "案件编号A2026000123"),  # a short code stays
        ("", ""),
    ],
)
def test_mask_text(raw, expected):
    assert tx.mask_text(raw) == expected


def test_mask_name_and_frame():
    import pandas as pd

    df = pd.DataFrame(
        {
            "name": ["张三丰", None],
            "cause": ["醉驾 110101199003074518", "超载"],
            "deaths": [1, 0],
        }
    )
    out = tx.mask_frame(df)
    assert out["name"].tolist() == ["张**", ""]
    assert "110101199003074518" not in out.to_string()
    assert out["deaths"].tolist() == [1, 0]


def test_escaping_of_text_from_data():
    evil = '东关<script>alert("x")</script>街道'
    assert "<script" not in tx.h(evil) and "&lt;script" not in tx.h(evil)
    assert tx.h("A&B") == "A&amp;B"
    assert "<script" not in para(evil) and "<script" not in heading(evil)
    t = table(pd_frame({"乡镇": [evil], "电话": ["13812345678"]}))
    assert "<script" not in t and "13812345678" not in t and "138******78" in t


def pd_frame(d):
    import pandas as pd

    return pd.DataFrame(d)


def test_unknown_language_is_an_error():
    with pytest.raises(ReportError, match="'zh', 'en'"):
        tx.count(1, lang="fr")
