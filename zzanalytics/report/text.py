"""Number wording for briefings, in the register of an official document (zh) and in English.

One style throughout: counts ``1,234起``, percentages with one decimal
``5.2%``, money in 万元 with one decimal ``56.3万元`` (or the store's own unit), petitions ``12批35人次``,
ranks ``排全省82个县市的第5位``. Missing numbers print as ``—``, never as ``nan``.
Changes against last year are worded by :func:`zzanalytics.report.phrases.change`, which
only calls a change a rise or a fall together with its test: ``上升5.2%(显著)`` or
``上升5.2%(在正常波动范围内)``.

Text that comes from data goes through :func:`h` before it reaches HTML
(markup stripped, identifiers masked, HTML-escaped); detail lists go through
:func:`mask_frame`.

Examples
--------
>>> count(1234)
'1,234起'
>>> pct(5.23)
'5.2%'
>>> money(563_000)
'56.3万元'
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

from zzanalytics import privacy
from zzanalytics.errors import ReportError
from zzanalytics.report import periods
from zzanalytics.wording import Phrases, fill, pick

LANGS = ("zh", "en")
MISSING = "—"

NUMBERS = Phrases(
    {
        "count": ("{n}{unit}", "{n}{unit}"),
        "money": ("{amount}{unit}", "{unit}{amount}"),
        "million": ("{n}", "{n} million"),
        "batches": ("{batches}{b}{persons}{p}", "{batches} {b} ({persons} {p})"),
        "rank.province": (
            "排全省{total}个县市的第{position}位",
            "ranked {position} of {total} counties in the province",
        ),
        "rank.city": ("在全市排第{position}位", "ranked {position} in the city"),
        "date": ("{month}{day}日", "{day} {month}"),
    },
    name="numbers",
)
"""How numbers are said (the wording of counts, money, petitions, ranks and dates)."""

BATCH_WORDS = ((("批", "批"), ("人次", "人次")), (("batch", "batches"), ("person", "persons")))
"""Measure words of petitions: ``((batch one, many), (person one, many))`` per language."""

MONTH_ABBR = (periods.MONTH_NAMES[0], tuple(m[:3] for m in periods.MONTH_NAMES[1]))


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ReportError(f"lang was {lang!r} but is expected to be one of {list(LANGS)}")


def is_missing(x: Any) -> bool:
    """True for None, NA, NaT, NaN and infinities (printed as ``—``).

    Examples
    --------
    >>> is_missing(None), is_missing(float("inf")), is_missing(0), is_missing("x")
    (True, True, False, False)
    """
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    try:
        return not math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def number(x: Any, decimals: int = 0) -> str:
    """Format a number with thousands separators and a fixed number of decimals.

    Examples
    --------
    >>> number(1234), number(1234.56, 1), number(float("nan")), number(None)
    ('1,234', '1,234.6', '—', '—')
    """
    if is_missing(x):
        return MISSING
    value = round(float(x), decimals)
    if value == 0:
        value = 0.0  # no "-0"
    return f"{value:,.{decimals}f}"


def count(n: Any, unit: str = "起", lang: str = "zh", noun: tuple[str, str] | None = None) -> str:
    """A count with its measure word: ``1,234起`` (zh) or ``1,234`` (en).

    ``unit`` is the Chinese measure word (起, 人, 批, 人次, 件, 个); English has none, unless
    ``noun`` gives its singular and plural (``("death", "deaths")``: ``1 death``, ``22 deaths``).

    Examples
    --------
    >>> count(1234), count(3, "人"), count(1234, lang="en"), count(None)
    ('1,234起', '3人', '1,234', '—')
    >>> count(1, "人", "en", ("death", "deaths")), count(22, "人", "en", ("death", "deaths"))
    ('1 death', '22 deaths')
    """
    _check_lang(lang)
    if is_missing(n):
        return MISSING
    word = "" if noun is None else " " + noun[0 if float(n) == 1 else 1]
    return NUMBERS.say("count", lang, n=number(n), unit=pick((unit, word), lang))


AREA_NAME_COLUMNS = {"zh": "name", "en": "name_en"}
"""Column of an area's name in each language (Chinese names when ``name_en`` is absent)."""


def name_column(columns: Iterable[str], lang: str) -> str:
    """The column of area names to show in ``lang``.

    Examples
    --------
    >>> name_column(["area_code", "name", "name_en"], "en"), name_column(["area_code", "name"], "en")
    ('name_en', 'name')
    """
    _check_lang(lang)
    col = AREA_NAME_COLUMNS[lang]
    return col if col in set(columns) else "name"


def pct(x: Any, signed: bool = False) -> str:
    """A percentage (given in percent) with one decimal: ``5.2%``.

    Examples
    --------
    >>> pct(5.23), pct(-3.14), pct(-3.14, signed=True), pct(12345.6), pct(float("inf"))
    ('5.2%', '-3.1%', '-3.1%', '12,345.6%', '—')
    """
    if is_missing(x):
        return MISSING
    s = number(x, 1)
    if signed and float(x) > 0 and s != "0.0":
        s = "+" + s
    return s + "%"


CURRENCY_ZH: dict[str, str] = {
    "CNY": "元",
    "HKD": "港元",
    "MOP": "澳门元",
    "TWD": "新台币",
    "USD": "美元",
    "EUR": "欧元",
    "GBP": "英镑",
    "JPY": "日元",
    "KRW": "韩元",
    "CAD": "加元",
    "AUD": "澳元",
    "NZD": "新西兰元",
    "SGD": "新加坡元",
    "CHF": "瑞士法郎",
    "SEK": "瑞典克朗",
    "NOK": "挪威克朗",
    "DKK": "丹麦克朗",
    "RUB": "卢布",
    "INR": "印度卢比",
    "THB": "泰铢",
    "MYR": "林吉特",
    "BRL": "巴西雷亚尔",
    "MXN": "墨西哥比索",
    "ZAR": "南非兰特",
}
"""Chinese names of currencies (ISO 4217 code → 元, 加元, 美元 …), as amounts are written in Chinese
(``3,028.6万加元``); a code not listed is written after the amount (``3,028.6万 XYZ``)."""


def money_unit(currency: str = "CNY", lang: str = "zh", unit: str | None = None) -> str:
    """The unit amounts are written in: ``unit`` when given (the store's identity,
    ``money_unit`` / ``money_unit_en``), else ``万`` and the currency's Chinese name (``万元``,
    ``万港元``; ``万 XYZ`` for a code not listed) and in English the ISO code.

    Examples
    --------
    >>> money_unit("HKD"), money_unit("HKD", "en"), money_unit("TWD", "zh", "萬元"), money_unit("XYZ")
    ('万港元', 'HKD', '萬元', '万 XYZ')
    """
    _check_lang(lang)
    if unit:
        return str(unit)
    code = str(currency or "CNY").upper()
    name = CURRENCY_ZH.get(code)
    return pick(("万" + name if name else "万 " + code, code), lang)


MONEY_SCALES = {"万": 1e4, "萬": 1e4, "亿": 1e8, "億": 1e8}
"""The first character of a Chinese money unit that scales the amount (``万元``: in 10,000s)."""


def money(amount: Any, lang: str = "zh", currency: str = "CNY", unit: str | None = None) -> str:
    """An amount of money as an official document writes it, in the store's currency.

    Chinese: with one decimal in the unit's scale (``56.3万元``, ``3,028.6万加元``; a unit that does
    not start with 万 or 亿, such as ``元``, takes whole amounts). English: the unit (the ISO code,
    or a symbol such as ``HK$``), then whole hundreds below a million (``CNY 563,000``) or millions
    with one decimal from a million (``CAD 30.3 million``). ``unit`` is the identity's
    ``money_unit`` in that language (see :func:`money_unit`).

    Examples
    --------
    >>> money(563_000), money(1_234_567), money(4_000), money(0), money(563_000, lang="en")
    ('56.3万元', '123.5万元', '0.4万元', '0.0万元', 'CNY 563,000')
    >>> money(30_286_400, "zh", "CAD"), money(30_286_400, "en", "CAD"), money(3_000, "zh", "XYZ")
    ('3,028.6万加元', 'CAD 30.3 million', '0.3万 XYZ')
    >>> money(563_000, "zh", "TWD", "萬元"), money(563_000, "en", "HKD", "HK$"), money(5_630, "zh", unit="元")
    ('56.3萬元', 'HK$563,000', '5,630元')
    """
    _check_lang(lang)
    if is_missing(amount):
        return MISSING
    word = money_unit(currency, lang, unit)
    value = float(amount)
    scale = MONEY_SCALES.get(word[:1])
    zh = number(value / scale, 1) if scale else number(value)
    big = abs(value) >= 1_000_000
    en = fill(NUMBERS["million"], lang, n=number(value / 1_000_000, 1)) if big else number(round(value, -2))
    spaced = word + " " if word[-1:].isalpha() else word
    return NUMBERS.say("money", lang, amount=pick((zh, en), lang), unit=pick((word, spaced), lang))


def day_span(start: Any, end: Any, lang: str = "zh") -> str:
    """Two days with their years: ``2007年1月1日至2019年12月31日`` / ``1 January 2007 – 31 December 2019``
    (:func:`zzanalytics.report.periods.day_span`).

    Examples
    --------
    >>> day_span("2007-01-01", "2019-12-31"), day_span("2007-01-01", "2019-12-31", "en")
    ('2007年1月1日至2019年12月31日', '1 January 2007 – 31 December 2019')
    """
    _check_lang(lang)
    return periods.day_span(start, end, lang)


def pct_change(current: Any, baseline: Any) -> float:
    """Percentage change from ``baseline`` to ``current``; NaN when the baseline is 0 or missing.

    Examples
    --------
    >>> pct_change(1298, 1234)
    5.186385737439222
    >>> math.isnan(pct_change(5, 0))
    True
    """
    if is_missing(current) or is_missing(baseline) or float(baseline) == 0:
        return float("nan")
    return (float(current) - float(baseline)) / float(baseline) * 100.0


def batches(n_batches: Any, persons: Any, lang: str = "zh") -> str:
    """Petition batches and persons: ``12批35人次``.

    Examples
    --------
    >>> batches(12, 35), batches(1, 1, lang="en"), batches(3, 40, lang="en")
    ('12批35人次', '1 batch (1 person)', '3 batches (40 persons)')
    """
    _check_lang(lang)
    (b_one, b_many), (p_one, p_many) = pick(BATCH_WORDS, lang)
    return NUMBERS.say(
        "batches",
        lang,
        batches=number(n_batches),
        persons=number(persons),
        b=b_one if n_batches == 1 else b_many,
        p=p_one if persons == 1 else p_many,
    )


def ordinal(n: int) -> str:
    """English ordinal: 1st, 2nd, 3rd, 11th.

    Examples
    --------
    >>> [ordinal(i) for i in (1, 2, 3, 4, 11, 12, 21, 102)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '21st', '102nd']
    """
    n = int(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


_CARDINALS_ZH = ("零", "一", "两", "三", "四", "五", "六", "七", "八", "九", "十")


def cardinal(n: int, lang: str = "zh") -> str:
    """A small whole number as a Chinese document writes it before a measure word (``前三年``,
    ``两年``), digits beyond ten and in English.

    Examples
    --------
    >>> cardinal(3), cardinal(2), cardinal(12), cardinal(3, "en")
    ('三', '两', '12', '3')
    """
    _check_lang(lang)
    n = int(n)
    words = pick((_CARDINALS_ZH, ()), lang)
    return words[n] if 0 <= n < len(words) else number(n)


def rank(position: Any, total: Any, scope: str = "province", lang: str = "zh") -> str:
    """A rank among peer counties, as the speech words it.

    Examples
    --------
    >>> rank(5, 82), rank(3, 9, "city")
    ('排全省82个县市的第5位', '在全市排第3位')
    >>> rank(5, 82, lang="en"), rank(3, 9, "city", lang="en")
    ('ranked 5th of 82 counties in the province', 'ranked 3rd in the city')
    """
    _check_lang(lang)
    if is_missing(position) or is_missing(total):
        return ""
    p, t = int(position), int(total)
    if scope not in ("province", "city"):
        raise ReportError(f"scope was {scope!r} but is expected to be 'province' or 'city'")
    return NUMBERS.say(f"rank.{scope}", lang, total=t, position=pick((str(p), ordinal(p)), lang))


def period_label(start: Any, end: Any, lang: str = "zh", with_year: bool = False) -> str:
    """Name a reporting period as it is said (:func:`zzanalytics.report.periods.period_label`).

    Examples
    --------
    >>> period_label("2026-01-01", "2026-09-30"), period_label("2026-01-01", "2026-10-31", with_year=True)
    ('1–9月', '2026年1–10月')
    >>> period_label("2026-03-01", "2026-03-31"), period_label("2026-03-05", "2026-06-30")
    ('3月', '3月5日至6月30日')
    >>> period_label("2025-11-01", "2026-02-28"), period_label("2026-01-01", "2026-06-30")
    ('2025年11月至2026年2月', '上半年')
    >>> period_label("2026-01-01", "2026-10-31", lang="en", with_year=True)
    'January–October 2026'
    """
    _check_lang(lang)
    return periods.period_label(start, end, lang, with_year)


def date(d: Any, lang: str = "zh") -> str:
    """A date as an official document writes it: ``5月6日`` (zh), ``6 May`` (en).

    Examples
    --------
    >>> date("2026-05-06"), date("2026-06-30", lang="en"), date(None)
    ('5月6日', '30 Jun', '—')
    """
    _check_lang(lang)
    if is_missing(d):
        return MISSING
    t = pd.Timestamp(d)
    return NUMBERS.say("date", lang, month=pick(MONTH_ABBR, lang)[t.month - 1], day=t.day)


def probability(p: Any, lang: str = "zh") -> str:
    """A probability as a whole percentage, with bounds instead of 0% or 100%.

    Examples
    --------
    >>> probability(0.734), probability(0.0001), probability(0.9999), probability(None)
    ('73%', '<1%', '>99%', '—')
    """
    _check_lang(lang)
    if is_missing(p):
        return MISSING
    x = float(p) * 100
    if x < 1:
        return "<1%"
    if x > 99:
        return ">99%"
    return f"{x:.0f}%"


# ---------------------------------------------------------------- personal data and escaping

_TAG = re.compile(r"<\s*/?\s*[A-Za-z!?][^<>]*>|<\s*/?\s*[A-Za-z!?][^<>]*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def mask_text(s: Any) -> str:
    """Identifying numbers (ID card, phone, bank card in any written form), names after a role
    word, plates, e-mail and house numbers masked: :func:`zzanalytics.privacy.mask_text`, the one
    masking policy of every output.

    Examples
    --------
    >>> mask_text("身份证110101199003074518,电话138.1234.5678")
    '身份证110*************18,电话138******78'
    >>> mask_text("案件编号A2026000123")
    '案件编号A2026000123'
    """
    return privacy.mask_text(s)


def mask_name(s: Any) -> str:
    """Mask a person's name, keeping the surname: ``张三丰`` -> ``张**``.

    Examples
    --------
    >>> mask_name("张三丰"), mask_name("李四"), mask_name("John Smith"), mask_name(None)
    ('张**', '李*', 'J*********', '')
    """
    return privacy.mask_name(s)


def clean(s: Any) -> str:
    """Text from data made fit to show: markup and control characters removed, identifiers masked.

    Examples
    --------
    >>> clean("东关<script>alert(1)</script>街道 13812345678")
    '东关alert(1)街道 138******78'
    """
    if is_missing(s):
        return ""
    text = _CONTROL.sub("", str(s))
    prev = None
    while prev != text:  # nested or broken tags
        prev, text = text, _TAG.sub("", text)
    return mask_text(text)


def h(s: Any) -> str:
    """:func:`clean` and then HTML-escape: use for every string from data that goes into HTML.

    Examples
    --------
    >>> h('A & B <img src=x onerror="y">')
    'A &amp; B '
    >>> h("a<b")
    'a'
    >>> h("5 > 3 < 4")
    '5 &gt; 3 &lt; 4'
    """
    return html.escape(clean(s), quote=True)


NAME_COLUMNS = ("name", "person", "victim", "suspect", "driver", "reporter", "contact", "姓名", "当事人")
"""Columns treated as person names by :func:`mask_frame` (names of people, never of places)."""


def mask_frame(frame: pd.DataFrame, name_columns: Iterable[str] = NAME_COLUMNS) -> pd.DataFrame:
    """Copy of a detail list fit for a report: names (and columns whose header says they are
    personal) masked whole and removed from the row's free text, every other text column through
    :func:`clean` (:func:`zzanalytics.privacy.mask_frame`).

    Examples
    --------
    >>> df = pd.DataFrame({"driver": ["王小明"], "cause": ["王小明醉驾,电话13912345678"], "deaths": [1]})
    >>> mask_frame(df).to_dict("records")
    [{'driver': '王**', 'cause': '王**醉驾,电话139******78', 'deaths': 1}]
    """
    names = set(name_columns)
    out = privacy.mask_frame(frame, names, columns=False)
    for col in out.columns:
        if col in names or privacy.is_personal_header(col):
            continue
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(clean)
    return out
