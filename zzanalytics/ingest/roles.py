"""What each column of an export is, from its header and from all of its values (private to ingest;
``zz map`` uses it to draft a mapping).

Headers are matched against words in simplified and traditional Chinese and English
(:data:`HEADER_WORDS`, compared after :func:`zzanalytics.ingest.hanzi.simplified`); values are
profiled in one DuckDB query per column over every row of every file (:func:`profile`): the share
of values in each date form (ISO, ``Y/M/D``, ``M/D/Y`` or ``D/M/Y``, 年月日, 民國, eight digits, Excel
serials), times of day and slots, numbers, packed cells (``死亡1;受傷0``), addresses, and whether
the column restarts at 1 in each file (a row number, not an id).

Examples
--------
>>> header_roles("發生日期")[:1], header_roles("# Of Offenses")[:1], header_roles("經度")[:1]
(['occurred_at'], ['count'], ['lon'])
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from zzanalytics.ingest.forms import clock_sql, has_clock_sql, roc_like_sql, slot_sql
from zzanalytics.ingest.hanzi import simplified
from zzanalytics.sql import ident, literal

__all__ = ["HEADER_WORDS", "Profile", "date_format_of", "header_roles", "profile"]

HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "incident_id": (
        "案件编号",
        "警情编号",
        "编号",
        "案号",
        "事故编号",
        "流水号",
        "accnum",
        "incident id",
        "incident number",
        "case number",
        "case no",
        "report number",
        "event id",
        "record id",
        "occurrence number",
        "event unique id",
        "dr no",
        "incident num",
        "id",
    ),
    "occurred_at": (
        "发案时间",
        "发生时间",
        "发生日期",
        "案发时间",
        "案发日期",
        "发案日期",
        "事故时间",
        "事故日期",
        "起火时间",
        "发生",
        "日期",
        "时间",
        "date occurred",
        "occurred",
        "occurrence date",
        "offense date",
        "incident date",
        "crash date",
        "accident date",
        "occ date",
        "date time",
        "datetime",
        "date",
        "time",
    ),
    "time": (
        "发生时段",
        "时段",
        "发生时刻",
        "时刻",
        "时间",
        "hour",
        "time occurred",
        "occurrence hour",
        "time",
    ),
    "reported_at": (
        "报警时间",
        "报案时间",
        "受理时间",
        "接警时间",
        "报案日期",
        "reported",
        "report date",
        "date reported",
        "date rptd",
    ),
    "category": (
        "案件类别",
        "案件类型",
        "警情类别",
        "案类",
        "案由",
        "案件性质",
        "类别",
        "事故类型",
        "事故类别",
        "类型",
        "offense type",
        "offense",
        "offence",
        "crime type",
        "category",
        "primary type",
        "mci",
        "nibrs",
        "ucr",
        "crime",
        "incident type",
        "type",
    ),
    "area_code": (
        "所属街道",
        "乡镇街道",
        "街道",
        "乡镇",
        "辖区",
        "行政区",
        "乡镇市区",
        "区",
        "district",
        "neighbourhood",
        "neighborhood",
        "hood",
        "beat",
        "ward",
        "precinct",
        "division",
        "area",
        "township",
        "community",
    ),
    "address": (
        "发生地点",
        "案发地点",
        "发生地址",
        "地点",
        "地址",
        "事故地点",
        "address",
        "location",
        "block",
        "street",
    ),
    "lon": (
        "经度",
        "x坐标",
        "x座标",
        "横坐标",
        "坐标x",
        "lon",
        "lng",
        "long",
        "longitude",
        "x",
        "x coordinate",
        "point x",
        "x coord",
        "xcoord",
        "twd97x",
        "x 坐标",
        "easting",
        "east",
        "东坐标",
        "東距",
        "东距",
    ),
    "lat": (
        "纬度",
        "y坐标",
        "y座标",
        "纵坐标",
        "坐标y",
        "lat",
        "latitude",
        "y",
        "y coordinate",
        "point y",
        "y coord",
        "ycoord",
        "twd97y",
        "y 坐标",
        "northing",
        "north",
        "北坐标",
        "北距",
    ),
    "deaths": ("死亡人数", "死亡", "死亡数", "deaths", "killed", "fatalities", "fatal", "number killed"),
    "injuries": ("受伤人数", "受伤", "伤人", "injuries", "injured", "number injured"),
    "casualties": ("死亡受伤人数", "死伤人数", "死伤", "伤亡", "casualties"),
    "loss_yuan": ("直接经济损失", "经济损失", "损失", "金额", "loss", "damage"),
    "cause": ("起火原因", "事故原因", "原因", "cause"),
    "premises": ("场所", "处所", "发案场所", "premise", "premises", "location type", "place type"),
    "description": ("简要案情", "案情", "描述", "摘要", "description", "narrative", "summary"),
    "count": (
        "件数",
        "案件数",
        "起数",
        "数量",
        "笔数",
        "次数",
        "of offenses",
        "offenses",
        "offences",
        "number of offenses",
        "count",
        "num offenses",
        "n offenses",
    ),
    "party": (
        "当事者顺序",
        "当事人序号",
        "当事者",
        "当事人",
        "车种",
        "车辆",
        "party",
        "involvement",
        "person type",
        "unit",
        "vehicle",
    ),
    "severity": ("伤势", "受伤程度", "injury severity", "injury", "severity"),
}
"""Canonical role → header words (simplified Chinese, lower-case English), most specific first."""

_SPLIT = re.compile(r"[\W_]+", re.UNICODE)


def _words(header: str) -> str:
    return " " + _SPLIT.sub(" ", simplified(str(header)).casefold()).strip() + " "


def header_roles(header: str) -> list[str]:
    """Roles whose words the header holds, best first (an exact header before a word inside it; a
    longer word before a shorter one).

    Examples
    --------
    >>> header_roles("Offense Type"), header_roles("案類")
    (['category'], ['category'])
    """
    h = _words(header)
    scored = []
    for role, words in HEADER_WORDS.items():
        best = 0.0
        for w in words:
            if w.isascii():
                if f" {w} " in h:
                    best = max(best, len(w) + (100 if h.strip() == w else 0))
            elif w in h:
                best = max(best, 2 * len(w) + (100 if h.strip() == w else 0))
        if best:
            scored.append((-best, role))
    return [r for _, r in sorted(scored)]


@dataclass
class Profile:
    """What the values of one column look like (shares are of its non-empty values)."""

    name: str
    n: int = 0  # non-empty values
    rows: int = 0
    distinct: int = 0
    share: dict[str, float] = field(default_factory=dict)
    top: list[tuple[str, int]] = field(default_factory=list)  # most frequent values
    lo: float | None = None  # numbers: smallest, median, largest
    mid: float | None = None
    hi: float | None = None
    first_part_max: int = 0  # M/D/Y or D/M/Y: the largest first and second numbers
    second_part_max: int = 0
    restarts: bool = False  # 1, 2, 3 ... in every file: a row number
    adjacent_repeats: float = 0.0  # share of rows equal to the row before them


_FORMS = {
    "iso": r"\d{4}-\d{1,2}-\d{1,2}([ T].*)?",
    "ymd": r"\d{4}/\d{1,2}/\d{1,2}( .*)?",
    "dot": r"\d{4}\.\d{1,2}\.\d{1,2}( .*)?",
    "cn": r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日.*",
    "mdy": r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}( .*)?",
    "digits8": r"(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(\d{4}|\d{6})?",
    "serial": r"[2-6]\d{4}(\.\d+)?",
    "integer": r"[-+]?\d+",
    "packed": r"[^\d;,；，、/]+\s*[:：]?\s*\d+(\s*[;,；，、/ ]\s*[^\d;,；，、/]+\s*[:：]?\s*\d+)+",
    "address": r".*([路街巷弄號号段]|\d+\s+[A-Za-z].*\b(st|ave|rd|blvd|dr|street|avenue|road|way)\b).*",
    "cjk": r".*[\x{4e00}-\x{9fff}].*",
}


def profile(con: Any, source: str, name: str, files: str = "_file") -> Profile:
    """Profile column ``name`` of relation ``source`` (every value; ``files``: the column numbering the
    files, ``_rn`` the row in its file)."""
    c = f"trim(CAST({ident(name)} AS VARCHAR))"
    v = f"NULLIF({c}, '')"
    num = f"TRY_CAST(replace({v}, ',', '') AS DOUBLE)"
    parts = [f"count({v})", "count(*)", f"count(DISTINCT {v})"]
    for pattern in _FORMS.values():
        parts.append(f"count_if(regexp_full_match({v}, {literal(pattern)}))")
    parts += [
        f"count_if({roc_like_sql(v)} AND NOT regexp_matches({v}, '^\\d{{4}}[-/.年]'))",
        f"count_if({clock_sql(v)} IS NOT NULL)",
        f"count_if({slot_sql(v)} IS NOT NULL)",
        f"count_if({num} IS NOT NULL)",
        f"count_if({has_clock_sql(v)})",
        f"min({num})",
        f"median({num})",
        f"max({num})",
        f"max(TRY_CAST(regexp_extract({v}, '^(\\d{{1,2}})[/.-]\\d{{1,2}}[/.-]\\d{{2,4}}', 1) AS INTEGER))",
        f"max(TRY_CAST(regexp_extract({v}, '^\\d{{1,2}}[/.-](\\d{{1,2}})[/.-]\\d{{2,4}}', 1) AS INTEGER))",
    ]
    row = con.execute(f"SELECT {', '.join(parts)} FROM {source}").fetchall()[0]
    p = Profile(name, int(row[0]), int(row[1]), int(row[2]))
    n = max(p.n, 1)
    keys = [*_FORMS, "roc", "clock", "slot", "number", "has_clock"]
    for i, k in enumerate(keys):
        p.share[k] = float(row[3 + i] or 0) / n
    k = 3 + len(keys)
    p.lo, p.mid, p.hi = row[k], row[k + 1], row[k + 2]
    p.first_part_max, p.second_part_max = int(row[k + 3] or 0), int(row[k + 4] or 0)
    p.top = [
        (str(a), int(b))
        for a, b in con.execute(
            f"SELECT {v} AS x, count(*) AS n FROM {source} WHERE {v} IS NOT NULL GROUP BY 1 "
            "ORDER BY 2 DESC, 1 LIMIT 400"
        ).fetchall()
    ]
    if p.share["integer"] > 0.999:
        restart = con.execute(
            "SELECT bool_and(lo = 1 AND hi = cnt AND d = cnt) FROM "
            f"(SELECT min({num}) AS lo, max({num}) AS hi, count({v}) AS cnt, count(DISTINCT {v}) AS d "
            f"FROM {source} GROUP BY {files})"
        ).fetchall()[0][0]
        p.restarts = bool(restart)
    p.adjacent_repeats = float(
        con.execute(
            "SELECT avg(same) FROM (SELECT CASE WHEN x = lag(x) OVER (PARTITION BY f ORDER BY r) THEN 1.0 "
            f"ELSE 0.0 END AS same FROM (SELECT {v} AS x, {files} AS f, _rn AS r FROM {source}))"
        ).fetchall()[0][0]
        or 0.0
    )
    return p


def date_format_of(p: Profile) -> tuple[str | list[str], str, str]:
    """(``date_format`` to write, what was seen, how sure) for a date column in day/month/year text.

    ``M/D/Y`` against ``D/M/Y`` is decided on the whole column: a first number above 12 anywhere means
    day first, a second number above 12 month first; neither leaves it a guess (month first, the
    form of US exports).

    Examples
    --------
    >>> p = Profile("d", n=3, share={"mdy": 1.0}, top=[("7/19/2017 13:45", 1)], second_part_max=19)
    >>> date_format_of(p)
    (['%m/%d/%Y %H:%M', '%m/%d/%Y %H:%M:%S', '%m/%d/%Y %I:%M:%S %p', '%m/%d/%Y %I:%M %p', '%m/%d/%Y'], \
'month/day/year: a second number up to 19', 'sure')
    """
    sample = next((t for t, _ in p.top if re.match(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}", t)), "")
    sep = re.match(r"\d{1,2}([/.-])", sample).group(1) if sample else "/"
    year = "%Y" if re.match(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{4}", sample) else "%y"
    if p.first_part_max > 12 and p.second_part_max <= 12:
        order, said, sure = ("%d", "%m"), f"day/month/year: a first number up to {p.first_part_max}", "sure"
    elif p.second_part_max > 12 and p.first_part_max <= 12:
        order, said, sure = ("%m", "%d"), f"month/day/year: a second number up to {p.second_part_max}", "sure"
    else:
        order = ("%m", "%d")
        said, sure = "month/day/year or day/month/year: no number above 12 tells them apart", "guess"
    day = f"{order[0]}{sep}{order[1]}{sep}{year}"
    times = [" %H:%M", " %H:%M:%S", " %I:%M:%S %p", " %I:%M %p", ""]
    return [day + t for t in times], said, sure
