"""SQL expressions for the written forms of dates, times and packed cells that exports use
(private to ingest). Each is one vectorised DuckDB expression over a text column: no Python per row.

* **民國 (Republic of China) years** (:func:`roc_sql`): ``108年01月02日``, ``民國108年1月2日``,
  ``108/01/02``, ``108.1.2``, ``108-01-02``, ``1080102`` (YYYMMDD), ``990102`` (YYMMDD, years 1–99),
  with a time of day after the date (``107年01月01日 05時12分00秒``, ``108/01/02 09:30``,
  ``1080102093000``). Year *y* of 民國 is *y* + 1911; a four-digit year is Gregorian as it is. The
  result is ISO text (``2019-01-02 09:30:00``) that the common date reader then checks, so
  ``108/02/29`` (2019 has no 29 February) is an unparseable date like any other.
* **Times of day** (:func:`clock_sql`): ``21:30``, ``21:30:00``, ``2130``, ``130`` (HHMM without its
  leading zero), ``93000`` (HHMMSS without its leading zero: 09:30:00), ``8`` (an hour),
  ``05時12分00秒``, ``5時``, ``下午 3:12``, ``3:12 PM``, an Excel fraction of a day (``0.8958``), and
  ``24:00`` / ``2400`` / ``24`` (midnight at the end of the day: 86,400 seconds, never "no time").
* **Time slots** (:func:`slot_sql`): ``00~02``, ``22-24``, ``0時~2時``, ``08:00-10:00``, ``22~02``
  (across midnight) → the window's first and last second of the day.
* **Packed cells** (:func:`packed_sql`): ``死亡1;受傷0`` → the number after ``死亡``.
* **Areas named in an address** (:func:`address_area_sql`): ``臺北市大安區和平東路…`` → ``大安區``,
  ``兰州市城关区东岗街道…`` → ``东岗街道``.

Examples
--------
>>> import duckdb
>>> def run(sql, *vals):
...     rows = ", ".join(f"({v!r})" for v in vals)
...     return [r[0] for r in duckdb.sql(f"SELECT {sql} FROM (VALUES {rows}) t(x)").fetchall()]
>>> run(roc_sql("x"), "108年01月02日", "1080102", "107年01月01日 05時12分00秒", "2019-01-02")
['2019-01-02', '2019-01-02', '2018-01-01 05:12:00', None]
>>> run(clock_sql("x"), "93000", "2130", "24:00", "下午 3:12", "25:00")
[34200, 77400, 86400, 54720, None]
>>> run(slot_sql("x"), "00~02", "22~24", "22-02")
[[0, 7200], [79200, 86400], [79200, 93600]]
>>> run(packed_sql("x", "受傷"), "死亡1;受傷2", "死亡0")
['2', None]
"""

from __future__ import annotations

import re

from zzanalytics.sql import literal

__all__ = [
    "ROC_OFFSET",
    "ROC_PATTERNS",
    "TIME_FORMS",
    "address_area_sql",
    "clock_sql",
    "has_clock_sql",
    "packed_sql",
    "roc_like_sql",
    "roc_sql",
    "roc_timestamp_sql",
    "slot_sql",
]

ROC_OFFSET = 1911
"""民國 year 1 is 1912."""

_FULL = "０１２３４５６７８９：／．－～"
_HALF = "0123456789:/.-~"
_ROC = "(?:民國|民国|民)?"
# a date with separators: 108年01月02日, 108/1/2, 108.01.02, 108-01-02, then anything (a time of day)
_ROC_SEP = (
    rf"^{_ROC}\s*(\d{{1,3}})\s*(?:年|/|\.|-)\s*(\d{{1,2}})\s*(?:月|/|\.|-)"
    r"\s*(\d{1,2})\s*日?()\s*T?(.*)$"
)
# compact digits: YYMMDD, YYYMMDD (a real month and day, so 20190102 is never one), optionally
# followed by HHMM or HHMMSS (glued) or a time after a space
_ROC_DIG = rf"^{_ROC}\s*(\d{{2,3}})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(\d{{4}}|\d{{6}})?(?:\s+(.*))?$"
ROC_PATTERNS = (_ROC_SEP, _ROC_DIG)
"""Regular expressions of the 民國 forms (separated; compact digits)."""
_CLOCK_WORDS = "時时点點分"
TIME_FORMS = ("", "hour", "hhmm", "hhmmss")
"""``[source] time_format``: how a time column writes times as whole numbers (empty: by their length)."""


def _let(value: str, name: str, body: str) -> str:
    """SQL: ``body`` with ``name`` bound to ``value`` once (a one-element lambda: no subquery, so the
    expression stays small and plans fast however often ``body`` names it)."""
    return f"list_transform([{value}], lambda {name}: {body})[1]"


def _norm(x: str) -> str:
    """Trimmed text of ``x`` with full-width digits and separators made half-width."""
    v = f"CAST({x} AS VARCHAR)"
    wide = f"regexp_matches({v}, '[０-９：／．－～]')"  # translate() walks every string: only where needed
    return f"trim(CASE WHEN {wide} THEN translate({v}, {literal(_FULL)}, {literal(_HALF)}) ELSE {v} END)"


def clock_sql(x: str, form: str = "") -> str:
    """SQL: seconds since midnight (INTEGER, 0–86,400) of the time-of-day text in ``x``; NULL when it is
    not one (empty, a slot, hours past 24, minutes or seconds past 59).

    ``24:00`` (``2400``, ``24``, ``24時``) is midnight at the end of the day: 86,400, so that a date
    plus it is the next day's 00:00. ``form`` (:data:`TIME_FORMS`) is how a column writes its times as
    whole numbers, decided on the whole column: ``hhmmss`` (``7`` is 00:00:07, ``93000`` 09:30:00),
    ``hhmm`` (``5`` is 00:05), ``hour`` (``5`` is 05:00); empty: by each value's length (1–2 digits an
    hour, 3–4 HHMM, 5–6 HHMMSS).

    Examples
    --------
    >>> import duckdb
    >>> sql = clock_sql("x")
    >>> [r[0] for r in duckdb.sql(f"SELECT {sql} FROM (VALUES ('8'), ('130'), ('093000'), ('05時12分00秒'),"
    ...     " ('12:05 AM'), ('0.5'), ('2460'), ('')) t(x)").fetchall()]
    [28800, 5400, 34200, 18720, 300, 43200, None, None]
    """
    t = _norm(x)
    ampm = r"(上午|下午|凌晨|晚上|[AaPp]\.?[Mm]\.?)"
    # each step is bound once (nested subqueries), so the SQL stays small however often it is used
    # 05時12分00秒 -> 05:12:00, 5時 -> 5, 21時30分 -> 21:30
    bare = f"trim(regexp_replace(_ct, {literal(ampm)}, '', 'g'))"
    colon = f"rtrim(replace(regexp_replace({bare}, '\\s*[{_CLOCK_WORDS}]\\s*', ':', 'g'), '秒', ''), ': ')"
    c = "_cc"
    digits = {"hour": "", "hhmm": "4", "hhmmss": "6"}.get(form, "")
    if digits:  # the column's own form: every whole number is padded to it (5 = 00:05 in HHMM)
        pad = f"lpad({c}, {digits}, '0')"
        parts = f"CASE WHEN regexp_full_match({c}, '\\d{{1,{digits}}}') THEN " + (
            f"[TRY_CAST(left({pad}, 2) AS INTEGER), TRY_CAST(right({pad}, 2) AS INTEGER), 0] "
            if digits == "4"
            else f"[TRY_CAST(left({pad}, 2) AS INTEGER), TRY_CAST(substr({pad}, 3, 2) AS INTEGER), "
            f"TRY_CAST(right({pad}, 2) AS INTEGER)] "
        )
    elif form == "hour":
        parts = f"CASE WHEN regexp_full_match({c}, '\\d{{1,2}}') THEN [TRY_CAST({c} AS INTEGER), 0, 0] "
    else:
        parts = (
            f"CASE WHEN regexp_full_match({c}, '\\d{{1,2}}') THEN [TRY_CAST({c} AS INTEGER), 0, 0] "
            f"WHEN regexp_full_match({c}, '\\d{{3,4}}') "
            f"THEN [TRY_CAST(left(lpad({c}, 4, '0'), 2) AS INTEGER), TRY_CAST(right({c}, 2) AS INTEGER), 0] "
            f"WHEN regexp_full_match({c}, '\\d{{5,6}}') "
            f"THEN [TRY_CAST(left(lpad({c}, 6, '0'), 2) AS INTEGER), "
            f"TRY_CAST(substr(lpad({c}, 6, '0'), 3, 2) AS INTEGER), TRY_CAST(right({c}, 2) AS INTEGER)] "
        )
    day = f"CAST(round(TRY_CAST({c} AS DOUBLE) * 86400) AS INTEGER)"
    parts += (
        f"WHEN regexp_full_match({c}, '\\d{{1,2}}:\\d{{1,2}}(:\\d{{1,2}}(\\.\\d+)?)?') "
        f"THEN [TRY_CAST(split_part({c}, ':', 1) AS INTEGER), TRY_CAST(split_part({c}, ':', 2) AS INTEGER), "
        f"COALESCE(TRY_CAST(floor(TRY_CAST(NULLIF(split_part({c}, ':', 3), '') AS DOUBLE)) AS INTEGER), 0)] "
        f"WHEN regexp_full_match({c}, '0?\\.\\d+') AND _ch = '' "
        f"THEN [{day} // 3600, {day} // 60 % 60, {day} % 60] END"
    )
    # 12 小时制: 下午/PM adds 12 to 1-11, 上午/AM makes 12 into 0 (12:05 AM is five past midnight)
    pm = "(_ch IN ('下午', '晚上') OR upper(replace(_ch, '.', '')) = 'PM')"
    am = "(_ch IN ('上午', '凌晨') OR upper(replace(_ch, '.', '')) = 'AM')"
    hour = (
        "CASE WHEN _ch = '' THEN _ck[1] WHEN _ck[1] NOT BETWEEN 1 AND 12 THEN NULL "
        f"WHEN {pm} THEN _ck[1] % 12 + 12 WHEN {am} THEN _ck[1] % 12 END"
    )
    final = (
        "CASE WHEN _ckh BETWEEN 0 AND 23 AND _ck[2] BETWEEN 0 AND 59 AND _ck[3] BETWEEN 0 AND 59 "
        "THEN _ckh * 3600 + _ck[2] * 60 + _ck[3] WHEN _ckh = 24 AND _ck[2] = 0 AND _ck[3] = 0 THEN 86400 END"
    )
    body = _let(parts, "_ck", _let(hour, "_ckh", final))
    body = _let(colon, "_cc", body)
    body = _let(f"regexp_extract(_ct, {literal(ampm)}, 1)", "_ch", body)
    return _let(t, "_ct", body)


def has_clock_sql(x: str) -> str:
    """SQL condition: the date text in ``x`` also writes a time of day (``21:30``, ``21时``, ``T09``,
    ``202601021530``, an Excel serial with a fraction). A date without one is a whole day.

    Examples
    --------
    >>> import duckdb
    >>> sql = has_clock_sql("x")
    >>> [r[0] for r in duckdb.sql(f"SELECT {sql} FROM (VALUES ('2026-01-02'), ('2026/1/2 0:00'),"
    ...     " ('108年1月2日 5時'), ('20260102'), ('202601020930'), ('46000.5'), ('46000')) t(x)").fetchall()]
    [False, True, True, False, True, True, False]
    """
    body = (
        f"regexp_matches(_hc, '\\d\\s*[:{_CLOCK_WORDS}]|[Tt ]\\d{{1,2}}$|[AaPp]\\.?[Mm]\\.?$|上午|下午') "
        "OR regexp_full_match(_hc, '(民國|民国)?\\d{10,14}') "
        "OR regexp_full_match(_hc, '\\d{5}\\.\\d*[1-9]\\d*')"
    )
    return _let(_norm(x), "_hc", body)


def roc_sql(x: str) -> str:
    """SQL: the ISO text (``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM:SS``) of a 民國 date in ``x``; NULL when the
    text is not a 民國 form (a Gregorian date, a four-digit year, an empty cell) or its time of day is
    unreadable. The date itself is not checked here: ``108/02/30`` gives ``2019-02-30``, which the date
    reader refuses.

    Examples
    --------
    >>> import duckdb
    >>> sql = roc_sql("x")
    >>> [r[0] for r in duckdb.sql(f"SELECT {sql} FROM (VALUES ('民國99年12月31日'), ('990102'), ('1/2/3'),"
    ...     " ('108/1/2 24:00'), ('1080102 0930'), ('108年1月2日 上午10時'), ('0年1月1日')) t(x)").fetchall()]
    ['2010-12-31', '2010-01-02', '1912-02-03', '2019-01-02 24:00:00', '2019-01-02 09:30:00', \
'2019-01-02 10:00:00', None]
    """
    t = "_rt0"
    sep = f"regexp_extract({t}, {literal(_ROC_SEP)}, ['y', 'm', 'd', 'hm', 'rest'])"
    dig = f"regexp_extract({t}, {literal(_ROC_DIG)}, ['y', 'm', 'd', 'hm', 'rest'])"
    pick = (
        f"CASE WHEN regexp_matches({t}, {literal(_ROC_SEP)}) THEN {sep} "
        f"WHEN regexp_matches({t}, {literal(_ROC_DIG)}) THEN {dig} END"
    )
    rest = "trim(concat(_rp.hm, ' ', _rp.rest))"
    clock = _let(
        clock_sql(rest),
        "_rs",
        f"CASE WHEN {rest} = '' THEN '' WHEN _rs IS NULL THEN NULL "
        "ELSE ' ' || printf('%02d:%02d:%02d', _rs // 3600, _rs // 60 % 60, _rs % 60) END",
    )
    day = (
        "printf('%04d-%02d-%02d', TRY_CAST(_rp.y AS INTEGER) + "
        f"{ROC_OFFSET}, TRY_CAST(_rp.m AS INTEGER), TRY_CAST(_rp.d AS INTEGER))"
    )
    body = f"CASE WHEN _rp IS NOT NULL AND TRY_CAST(_rp.y AS INTEGER) >= 1 THEN {day} || ({clock}) END"
    return _let(_norm(x), t, _let(pick, "_rp", body))


def roc_timestamp_sql(x: str) -> str:
    """SQL: the naive ``TIMESTAMP`` of a 民國 date in ``x`` (:func:`roc_sql`), NULL when it is not one or
    names no real day (``108/02/29``); ``24:00`` is the next day's midnight.

    Examples
    --------
    >>> import duckdb
    >>> sql = roc_timestamp_sql("x")
    >>> [str(r[0]) for r in duckdb.sql(f"SELECT {sql} FROM (VALUES ('109/02/29'), ('108/02/29'),"
    ...     " ('108/12/31 24:00')) t(x)").fetchall()]
    ['2020-02-29 00:00:00', 'None', '2020-01-01 00:00:00']
    """
    body = (
        "CASE WHEN _rt LIKE '% 24:00:00' THEN TRY_CAST(left(_rt, 10) AS TIMESTAMP) + INTERVAL 1 DAY "
        "ELSE TRY_CAST(_rt AS TIMESTAMP) END"
    )
    return _let(roc_sql(x), "_rt", body)


def roc_like_sql(x: str) -> str:
    """SQL condition: the text in ``x`` has a 民國 form (:data:`ROC_PATTERNS`).

    Examples
    --------
    >>> import duckdb
    >>> duckdb.sql(f"SELECT {roc_like_sql(repr('108/1/2'))}, {roc_like_sql(repr('2019/1/2'))}").fetchall()
    [(True, False)]
    """
    t = f"trim(CAST({x} AS VARCHAR))"
    return " OR ".join(f"regexp_matches({t}, {literal(p)})" for p in ROC_PATTERNS).join("()")


def slot_sql(x: str) -> str:
    """SQL: ``[first, last]`` seconds of the day of a time slot in ``x`` (``00~02``, ``22-24``,
    ``0時~2時``, ``08:00-10:00``); a slot ending at or before its start runs past midnight (``22~02``:
    ``[79200, 93600]``). NULL when ``x`` is not a slot.

    Examples
    --------
    >>> import duckdb
    >>> sql = slot_sql("x")
    >>> rows = "('0時~2時'), ('08:00-10:30'), ('0800'), ('a~b')"
    >>> [r[0] for r in duckdb.sql(f"SELECT {sql} FROM (VALUES {rows}) t(x)").fetchall()]
    [[0, 7200], [28800, 37800], None, None]
    """
    hm = f"(\\d{{1,2}}(?:[:{_CLOCK_WORDS}]?\\d{{2}})?)\\s*[{_CLOCK_WORDS}]?"
    pattern = f"^{hm}\\s*(?:~|〜|-|—|–|至|到)\\s*{hm}$"
    a = clock_sql(f"regexp_extract(_st, {literal(pattern)}, 1)")
    b = clock_sql(f"regexp_extract(_st, {literal(pattern)}, 2)")
    body = (
        "CASE WHEN _sa IS NOT NULL AND _sb IS NOT NULL AND _sa < 86400 "
        "THEN [_sa, CASE WHEN _sb <= _sa THEN _sb + 86400 ELSE _sb END] END"
    )
    # only text shaped like a slot is read (the clock readers are not tried on every value)
    return _let(
        _norm(x),
        "_st",
        f"CASE WHEN regexp_full_match(_st, {literal(pattern)}) "
        f"THEN {_let(a, '_sa', _let(b, '_sb', body))} END",
    )


def packed_sql(x: str, after: str = "", before: str = "") -> str:
    """SQL: the whole number written right after the word ``after`` (``死亡1;受傷0``, ``死亡：1``) or right
    before the word ``before`` (``1死2傷``) in the text ``x``, as text; NULL when the word is not there.

    Examples
    --------
    >>> import duckdb
    >>> sql = packed_sql("x", before="傷")
    >>> rows = "('1死2傷'), ('１死１２傷'), ('無')"
    >>> [r[0] for r in duckdb.sql(f"SELECT {sql} FROM (VALUES {rows}) t(x)").fetchall()]
    ['2', '12', None]
    """
    t = _norm(x)
    if after:
        pattern = re.escape(after) + r"\s*[:：=]?\s*(\d+)"
    else:
        pattern = r"(\d+)\s*(?:人|名)?\s*" + re.escape(before)
    return f"NULLIF(regexp_extract({t}, {literal(pattern)}, 1), '')"


# the parts of a Chinese address that name an area, most specific first
_TOWNSHIP = r"([^\s\d省市县縣区區路街巷弄号號道]{2,8}?街道)"
_PROVINCE = r"^(?:[^\s\d區区鄉乡鎮镇]{1,6}?省)?"
_CITY = r"(?:[^\s\d區区鄉乡鎮镇]{1,6}?[市縣县州盟])?"
_DISTRICT = _PROVINCE + _CITY + r"([^\s\d區区市縣县]{1,5}?[區区旗])"
_RURAL = _PROVINCE + _CITY + r"([^\s\d區区市縣县]{1,5}?[鄉乡鎮镇])"
_COUNTY_CITY = _PROVINCE + r"[^\s\d區区鄉乡鎮镇]{1,6}?[縣县]([^\s\d區区縣县]{1,5}?市)"


def address_area_sql(x: str, names: dict[str, str] | None = None) -> str:
    """SQL: the area an address in ``x`` names.

    With ``names`` (area name → code, longest first wins), the code of the first name the address holds
    (``臺北市大安區…`` holds ``大安區``). Without, the name itself, read from the address's own structure:
    a township (``…街道``), else a district (``…區``/``…区``/``…旗``), else a rural township
    (``…鄉``/``…鎮``), else a county-level city (``…縣…市``).

    Examples
    --------
    >>> import duckdb
    >>> sql = address_area_sql("x")
    >>> rows = ["臺北市大安區和平東路二段", "兰州市城关区东岗街道1号", "宜蘭縣礁溪鄉中山路",
    ...         "花蓮縣花蓮市中正路", "和平東路"]
    >>> values = ", ".join(f"('{r}')" for r in rows)
    >>> [r[0] for r in duckdb.sql(f"SELECT {sql} FROM (VALUES {values}) t(x)").fetchall()]
    ['大安區', '东岗街道', '礁溪鄉', '花蓮市', None]
    >>> duckdb.sql(f"SELECT {address_area_sql(repr('臺北市大安區'), {'大安區': '63000020'})}").fetchall()
    [('63000020',)]
    """
    t = f"trim(CAST({x} AS VARCHAR))"
    if names:
        ordered = sorted(names.items(), key=lambda kv: (-len(kv[0]), kv[0]))
        whens = " ".join(f"WHEN contains({t}, {literal(k)}) THEN {literal(v)}" for k, v in ordered if k)
        return f"CASE {whens} END"
    parts = [f"NULLIF(regexp_extract({t}, {literal(p)}, 1), '')" for p in (_TOWNSHIP, _DISTRICT, _RURAL)]
    parts.append(f"NULLIF(regexp_extract({t}, {literal(_COUNTY_CITY)}, 1), '')")
    return "COALESCE(" + ", ".join(parts) + ")"
