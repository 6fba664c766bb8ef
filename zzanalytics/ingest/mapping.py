"""The mapping file: which source header is which canonical column, and how to read the values.

A mapping (TOML) describes one kind of export once; only the mapping changes from one system to
another. Every key is listed in ``docs/mapping.md`` (a test keeps that page and
:data:`SOURCE_KEYS` / :data:`SECTIONS` in step).

Examples
--------
>>> m = read_mapping({"source": {"table": "incidents", "crs": "gcj02"},
...                   "columns": {"incident_id": "案件编号"}})
>>> m.table, m.crs
('incidents', 'gcj02')
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zzanalytics.clock import DEFAULT_TZ
from zzanalytics.errors import MappingError
from zzanalytics.ingest.personal import personal_columns, read_personal
from zzanalytics.schema import (
    CAMERA_KINDS,
    LEAF_CATEGORIES,
    PETITION_FORMS,
    PETITION_LEVELS,
    TABLES,
    is_category,
)

__all__ = ["SECTIONS", "SOURCE_KEYS", "Mapping", "personal_columns", "read_mapping"]

SOURCE_KEYS = {
    "encoding": "auto",
    "timezone": DEFAULT_TZ,
    "crs": "wgs84",
    "table": "incidents",
    "date_format": "",
    "sheet": 0,
    "skip": 0,
    "date_floor": "2000-01-01",
    "date_ceiling": "",
    "delimiter": "",
    "member": "",
    "key": [],
    "name": "",
    "number_format": "1,234.5",
    "area_names": "loose",
    "repeats": "duplicate",
    "time_column": "",
    "coverage": [],
    "calendar": "gregorian",
    "count_column": "",
    "footer": "auto",
    "time_format": "",
}
"""Keys of ``[source]`` with their defaults."""

SECTIONS = (
    "source",
    "columns",
    "constants",
    "categories",
    "values",
    "units",
    "areas",
    "records",
    "limits",
    "personal",
    "headers",
)

NUMBER_FORMATS = ("1,234.5", "1.234,5", "1 234,5", "1'234.5")
"""``[source] number_format``: how the export writes one thousand two hundred and thirty-four and a half."""

AGGREGATES = ("count", "sum", "max", "min", "first")
"""How a canonical column follows from the rows of one record (``[records]``)."""

DEFAULT_LIMITS: dict[tuple[str, str], tuple[float, float]] = {
    ("incidents", "deaths"): (0, 1_000),
    ("incidents", "injuries"): (0, 10_000),
    ("incidents", "loss_yuan"): (0, 1e11),
    ("petitions", "persons"): (0, 100_000),
}
"""Plausible range of canonical numeric columns; values outside are quarantined (``implausible_number``).
``[limits]`` in a mapping changes them (``deaths = 50`` or ``loss_yuan = [0, 5e9]``)."""

DEFAULT_KEY: dict[str, tuple[str, ...]] = {
    "incidents": ("occurred_at", "category", "area_code", "lon", "lat"),
    "petitions": ("received_on", "level", "form", "area_code"),
    "disputes": ("found_on", "area_code", "kind"),
    "cameras": ("lon", "lat", "kind"),
}
"""Identity of a record when the export has no id column and ``[source] key`` is not given:
when, what and where. Rows of one file sharing it are told apart by their order among the
distinct rows with that identity, so a corrected re-export updates each record."""

VOCABULARIES: dict[tuple[str, str], tuple[str, ...]] = {
    ("petitions", "level"): PETITION_LEVELS,
    ("petitions", "form"): PETITION_FORMS,
    ("cameras", "kind"): CAMERA_KINDS,
    ("streets", "class"): ("main", "secondary"),
}
"""Enumerated columns: a source label must map (``[values.<col>]``) to one of these values."""

NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "zones": ("zone_id",),
    "peers": ("county", "scope", "period", "metric"),
    "targets": ("year", "metric"),
}
"""Record identity of tables without an id column; ``streets`` use a content id."""

TRUE_WORDS = ("true", "t", "yes", "y", "1", "是", "对", "真", "√")
FALSE_WORDS = ("false", "f", "no", "n", "0", "否", "不是", "假", "×")
FUTURE_OK = {("cameras", "installed_on")}


# -- mapping --------------------------------------------------------------------------------------
@dataclass
class Mapping:
    """A parsed mapping file. Build with :func:`read_mapping`."""

    table: str = "incidents"
    encoding: str = "auto"
    timezone: str = DEFAULT_TZ
    crs: str = "wgs84"
    date_format: str | list[str] = ""  # a strptime pattern, or patterns tried in order
    sheet: str | int = 0
    skip: int = 0
    date_floor: str = "2000-01-01"
    date_ceiling: str = ""
    delimiter: str = ""
    member: str = ""
    key: list[str] = field(default_factory=list)
    name: str = ""
    number_format: str = "1,234.5"
    area_names: str = "loose"
    repeats: str = "duplicate"
    time_column: str = ""
    calendar: str = "gregorian"
    count_column: str = ""
    time_format: str = ""  # how time_column writes times as whole numbers: hour, hhmm, hhmmss
    footer: int | None = None  # lines below the data that are not records; None: recognised by their words
    headers: dict[str, list[str]] = field(default_factory=dict)
    records: dict[str, Any] = field(default_factory=dict)
    limits: dict[str, tuple[float, float]] = field(default_factory=dict)
    coverage: tuple[str, str] | None = None
    timezone_declared: bool = False
    columns: dict[str, Any] = field(default_factory=dict)  # header, [headers] or a form table
    constants: dict[str, Any] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    units: dict[str, float] = field(default_factory=dict)
    areas: dict[str, str] = field(default_factory=dict)
    personal: list[str] = field(default_factory=list)
    path: Path | None = None

    @property
    def where(self) -> str:
        """The mapping's file name for messages."""
        return str(self.path) if self.path else "the mapping"

    @property
    def source_name(self) -> str:
        """The source's name (``[source] name``, else the mapping file's stem, else the table)."""
        return self.name or (self.path.stem if self.path else self.table)


def _mapping_error(where: str, msg: str) -> MappingError:
    return MappingError(f"{where}: {msg}")


def _coverage(where: str, value: Any) -> tuple[str, str] | None:
    """``[source] coverage``: two ISO days (``""`` for a side taken from the data), or None."""
    if value in ([], None, ""):
        return None
    fix = 'write it as coverage = ["2014-01-01", "2021-12-31"] (the days the export is complete for)'
    if not isinstance(value, list) or len(value) != 2 or not all(isinstance(v, str | dt.date) for v in value):
        raise _mapping_error(where, f"[source] coverage = {value!r}: {fix}")
    days = []
    for v in value:
        text = v.isoformat() if isinstance(v, dt.date) else v.strip()
        if text:
            try:
                text = dt.date.fromisoformat(text[:10]).isoformat()
            except ValueError:
                raise _mapping_error(where, f"[source] coverage has {v!r}, not a date; {fix}") from None
        days.append(text)
    if days[0] and days[1] and days[0] > days[1]:
        raise _mapping_error(where, f"[source] coverage starts {days[0]} after it ends {days[1]}; {fix}")
    return days[0], days[1]


def read_mapping(source: str | Path | dict | Mapping) -> Mapping:
    """Read and check a mapping file (TOML path, or an already parsed dict).

    Sections (all optional except what the table needs):

    ``[source]``     ``table`` (incidents, petitions, disputes, cameras, areas, streets, zones,
                     peers, targets; default incidents), ``encoding`` (auto: decided from every
                     line among UTF-8, GB18030 and Windows-1252, mixed files row by row; a declared
                     one is strict), ``timezone`` of the file's naive times (default: the
                     store's zone; a store gets its zone from ``zz ingest --timezone``, else the
                     first dated file's mapping, else Asia/Shanghai),
                     ``crs`` (wgs84, gcj02, bd09 or a projected ``EPSG:`` code), ``date_format``
                     (a strptime pattern, e.g. ``%m/%d/%Y %H:%M``; empty: the common forms),
                     ``sheet`` (Excel sheet name or 0-based index), ``skip`` (rows above the
                     header, e.g. a title row), ``date_floor`` (default 2000-01-01) and
                     ``date_ceiling`` (default: now + 1 day) bounding accepted dates, ``coverage``
                     (the first and last day the export is complete for, ``["2014-01-01",
                     "2021-12-31"]``; ``""`` for a side taken from the data; default: the span of
                     its records),
                     ``delimiter`` (CSV; default: the most frequent of ``, tab ; |`` in the
                     header), ``member`` (the file to read inside a ``.zip``), ``key`` (canonical
                     columns identifying a record of an export without ids; default when + what +
                     where, :data:`DEFAULT_KEY`), ``name`` (the source, for ``--replace``; default
                     the mapping file's stem), ``number_format`` (:data:`NUMBER_FORMATS`) and
                     ``area_names`` (``loose``: names matched after normalising; ``exact``) and
                     ``repeats`` (an export without ids: a row repeated whole in one file is a
                     ``duplicate``, or with ``records`` each repeat is a record of its own) and
                     ``time_column`` (the column holding the time of day of ``occurred_at``
                     when the export writes date and time apart: ``2130``, ``130``, ``21:30``,
                     a slot ``00~02``; ``time_format``: hour, hhmm, hhmmss), ``calendar`` (``roc``:
                     民國 years), ``footer`` (lines below the data that are not records: auto or a
                     number), ``count_column`` (records a row stands for);
    ``[columns]``    canonical name = source header, or a list of headers whose values are joined
                     with a space (a date and a time column: ``occurred_at = ["发案日期", "发案时刻"]``),
                     or ``{ column = "H", after = "死亡" }`` (a packed cell) or
                     ``{ column = "H", from = "address" }`` (the area an address names);
    ``[headers]``    header = [other spellings] (monthly files whose header changes);
                     a header already named like the canonical column needs no line;
    ``[constants]``  canonical name = one value for the whole file (``category = "fire"``);
    ``[categories]`` source label = category code; codes themselves are always accepted;
    ``[values.X]``   source label = canonical value for column X (``level``, ``form``, ``kind``,
                     ``irregular``, ``status``, ``metric`` ...);
    ``[units]``      column = factor (``loss_yuan = 10000`` for 万元);
    ``[areas]``      source township name = area code; names and codes of the store's ``areas``
                     table (``name``, ``name_en``) are matched without it;
    ``[records]``    ``by = ["HEADER"]``: rows with equal values form one record; per canonical
                     column ``{ count = "HEADER", where = [...] }``, ``{ sum = "HEADER" }``, ``max``,
                     ``min`` or ``first`` (a person-level collision export → one collision);
    ``[limits]``     column = maximum or [minimum, maximum]; values outside are quarantined
                     (:data:`DEFAULT_LIMITS`);
    ``[personal]``   ``columns = ["当事人", "住址"]``: source headers (or canonical names of
                     ``[columns]``) holding personal data; their values are masked before they
                     are stored or quarantined, and removed from the same row's free text.

    Parameters
    ----------
    source : str, Path, dict or Mapping
        The mapping file, or its content as a dict of sections.

    Returns
    -------
    Mapping

    Examples
    --------
    >>> m = read_mapping({"source": {"table": "incidents", "crs": "gcj02"},
    ...                   "columns": {"incident_id": "案件编号"},
    ...                   "categories": {"入室盗窃": "theft.burglary"}})
    >>> m.crs, m.columns["incident_id"], m.categories["入室盗窃"]
    ('gcj02', '案件编号', 'theft.burglary')
    >>> read_mapping({"columns": {"when": "时间"}})
    Traceback (most recent call last):
    ...
    zzanalytics.errors.MappingError: the mapping: [columns] has 'when' = "时间" but 'when' is not ...
    """
    if isinstance(source, Mapping):
        return source
    path: Path | None = None
    if isinstance(source, dict):
        doc = source
    else:
        path = Path(source)
        if path.is_dir():
            raise MappingError(f"mapping {path} is a folder; give the mapping file (.toml) itself")
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise MappingError(f"mapping file {path} does not exist") from None
        except OSError as exc:
            raise MappingError(f"mapping file {path} cannot be read: {exc.strerror}") from None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise MappingError(
                f"{path}: line {line} (byte {exc.start}) is not UTF-8 (the file looks saved as GBK or "
                "another code page); save the mapping file as UTF-8"
            ) from None
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise MappingError(f"{path}: is not valid TOML: {exc}") from None
    where = str(path) if path else "the mapping"
    unknown = [k for k in doc if k not in SECTIONS]
    if unknown:
        raise _mapping_error(where, f"unknown section(s) {unknown}; sections are {list(SECTIONS)}")
    src = dict(doc.get("source", {}))
    bad = [k for k in src if k not in SOURCE_KEYS]
    if bad:
        raise _mapping_error(where, f"[source] has unknown key(s) {bad}; keys are {list(SOURCE_KEYS)}")
    opts = {**SOURCE_KEYS, **src}
    table = str(opts["table"])
    if table not in TABLES:
        raise _mapping_error(where, f"[source] table = {table!r} is not a table; use one of {list(TABLES)}")
    tdef = TABLES[table]
    m = Mapping(
        table=table,
        encoding=str(opts["encoding"]),
        timezone=str(opts["timezone"]),
        crs=str(opts["crs"]),
        date_format=_date_format(where, opts["date_format"]),
        sheet=opts["sheet"],
        skip=_skip(where, opts["skip"]),
        date_floor=str(opts["date_floor"]),
        date_ceiling=str(opts["date_ceiling"]),
        delimiter=str(opts["delimiter"]),
        member=str(opts["member"]),
        name=str(opts["name"]),
        number_format=str(opts["number_format"]),
        area_names=str(opts["area_names"]),
        repeats=str(opts["repeats"]),
        time_column=str(opts["time_column"]),
        calendar=str(opts["calendar"]),
        count_column=str(opts["count_column"]),
        time_format=str(opts["time_format"]).lower(),
        footer=_footer(where, opts["footer"]),
        coverage=_coverage(where, opts["coverage"]),
        timezone_declared="timezone" in src,
        path=path,
    )
    _check_source(m, opts, tdef)
    for section in ("columns", "constants", "units"):
        entries = dict(doc.get(section, {}))
        for name, value in entries.items():
            if name not in tdef.names:
                shown = f'"{value}"' if isinstance(value, str) else repr(value)
                raise _mapping_error(
                    where,
                    f"[{section}] has {name!r} = {shown} but {name!r} is not a column of table {table!r}; "
                    f"its columns are {list(tdef.names)}",
                )
        setattr(m, section, entries)
    from zzanalytics.ingest.columns import check_column, check_headers

    m.columns = {name: check_column(where, name, value) for name, value in m.columns.items()}
    m.headers = check_headers(where, doc.get("headers", {}))
    for name, value in m.units.items():
        if not isinstance(value, int | float) or tdef.column(name).dtype not in ("float", "int"):
            raise _mapping_error(
                where, f"[units] {name} = {value!r}: units multiply numeric columns by a number"
            )
    cats = {str(k): str(v) for k, v in dict(doc.get("categories", {})).items()}
    bad_codes = sorted({v for v in cats.values() if not is_category(v)})
    if bad_codes:
        raise _mapping_error(
            where,
            f"[categories] maps to unknown code(s) {bad_codes}; codes are {list(LEAF_CATEGORIES)}, or a "
            "category of your own below one of the groups theft, fraud, robbery, assault, other_criminal, "
            "traffic, fire, other (e.g. traffic.serious, other.vandalism)",
        )
    m.categories = cats
    m.personal = read_personal(doc.get("personal", {}), where)
    if "category" in m.constants and not is_category(str(m.constants["category"])):
        raise _mapping_error(
            where,
            f"[constants] category = {m.constants['category']!r} is not a code; "
            f"use one of {list(LEAF_CATEGORIES)}",
        )
    values = dict(doc.get("values", {}))
    for col, table_map in values.items():
        tdef.column(col) if col in tdef.names else None
        if col not in tdef.names:
            raise _mapping_error(
                where,
                f"[values.{col}]: {col!r} is not a column of table {table!r}; "
                f"its columns are {list(tdef.names)}",
            )
        if not isinstance(table_map, dict):
            raise _mapping_error(where, f'[values.{col}] must be a table of "source label" = value')
        vocab = VOCABULARIES.get((table, col))
        if vocab:
            wrong = sorted({str(v) for v in table_map.values() if str(v) not in vocab})
            if wrong:
                raise _mapping_error(
                    where, f"[values.{col}] maps to {wrong}; allowed values are {list(vocab)}"
                )
    m.values = {c: {str(k): v for k, v in d.items()} for c, d in values.items()}
    m.areas = {str(k): str(v) for k, v in dict(doc.get("areas", {})).items()}
    m.records = _check_records(where, doc.get("records", {}), tdef)
    m.limits = _check_limits(where, doc.get("limits", {}), tdef)
    return m


def _footer(where: str, value: Any) -> int | None:
    """``[source] footer``: ``auto`` (footer lines recognised by their words) or a number of lines."""
    if value == "auto":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _mapping_error(
            where,
            f'[source] footer = {value!r}: write "auto" or the number of lines below the data e.g. 2',
        )
    return value


def _skip(where: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _mapping_error(
            where,
            f"[source] skip = {value!r}: write the number of lines above the header row, e.g. skip = 1",
        )
    return value


def _check_source(m: Mapping, opts: dict[str, Any], tdef: Any) -> None:
    """Every ``[source]`` value checked before any file is read: one line naming key, value and fix."""
    import codecs

    from zzanalytics.clock import check_tz
    from zzanalytics.errors import ZZError

    where = m.where
    try:
        check_tz(m.timezone)
    except ZZError:
        raise _mapping_error(
            where,
            f"[source] timezone = {m.timezone!r} is not a time zone; use an IANA name such as "
            "'Asia/Shanghai', 'America/Toronto' or 'Europe/London'",
        ) from None
    if m.encoding.strip().lower() != "auto":
        from zzanalytics.ingest.encoding import ALIASES

        try:
            codecs.lookup(ALIASES.get(m.encoding.strip().lower(), m.encoding.strip().lower()))
        except LookupError:
            raise _mapping_error(
                where,
                f"[source] encoding = {m.encoding!r} is unknown; "
                "use auto, utf-8, gb18030, cp1252, big5, utf-16",
            ) from None
    from zzanalytics.ingest.coords import check_crs

    try:
        check_crs(m.crs)
    except ZZError as exc:
        raise _mapping_error(where, f"[source] crs = {m.crs!r}: {exc}") from None
    for fmt in [m.date_format] if isinstance(m.date_format, str) else m.date_format:
        if fmt:
            _check_date_format(where, fmt)
    for key in ("date_floor", "date_ceiling"):
        value = getattr(m, key)
        if value:
            try:
                dt.datetime.fromisoformat(value)
            except ValueError:
                raise _mapping_error(
                    where, f"[source] {key} = {value!r} is not a date; write it like 2010-01-01"
                ) from None
    if not isinstance(opts["sheet"], int | str) or isinstance(opts["sheet"], bool):
        raise _mapping_error(
            where, f"[source] sheet = {opts['sheet']!r}: give a sheet name or a 0-based number"
        )
    if m.number_format not in NUMBER_FORMATS:
        raise _mapping_error(
            where, f"[source] number_format = {m.number_format!r}; use one of {list(NUMBER_FORMATS)}"
        )
    if m.area_names not in ("loose", "exact"):
        raise _mapping_error(where, f"[source] area_names = {m.area_names!r}; use 'loose' or 'exact'")
    from zzanalytics.ingest.dates import CALENDARS
    from zzanalytics.ingest.forms import TIME_FORMS

    if m.time_format not in TIME_FORMS:
        raise _mapping_error(
            where,
            f"[source] time_format = {m.time_format!r}; use one of {list(TIME_FORMS[1:])} or leave it out",
        )
    if m.calendar not in CALENDARS:
        raise _mapping_error(where, f"[source] calendar = {m.calendar!r}; use one of {list(CALENDARS)}")
    if m.repeats not in ("duplicate", "records"):
        raise _mapping_error(where, f"[source] repeats = {m.repeats!r}; use 'duplicate' or 'records'")
    if len(m.delimiter) > 1 and m.delimiter != "\\t":
        raise _mapping_error(where, f"[source] delimiter = {m.delimiter!r}: give one character, e.g. ';'")
    if m.delimiter == "\\t":
        m.delimiter = "\t"
    key = opts["key"]
    if isinstance(key, str):
        key = [key]
    if not isinstance(key, list) or not all(isinstance(k, str) for k in key):
        raise _mapping_error(
            where, f'[source] key = {key!r}: give canonical column names, e.g. ["occurred_at"]'
        )
    bad = [k for k in key if k not in tdef.names]
    if bad:
        raise _mapping_error(
            where,
            f"[source] key names {bad}, not columns of {tdef.name!r}; its columns are {list(tdef.names)}",
        )
    if key and tdef.key is None:
        raise _mapping_error(
            where, f"[source] key: table {tdef.name!r} has its own fixed identity; remove key"
        )
    m.key = list(key)


def _date_format(where: str, value: Any) -> str | list[str]:
    """``[source] date_format``: a pattern, or a list of patterns tried in order."""
    if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return list(value)
    if isinstance(value, str):
        return value
    raise _mapping_error(
        where, f'[source] date_format = {value!r}: give a pattern such as "%m/%d/%Y %H:%M", or a list of them'
    )


def _check_date_format(where: str, fmt: str) -> None:
    import duckdb

    if "%" not in fmt:
        raise _mapping_error(
            where, f"[source] date_format = {fmt!r} has no %-directive; write it like '%m/%d/%Y %H:%M'"
        )
    con = duckdb.connect()
    try:
        con.execute("SELECT try_strptime('2020-01-01', ?)", [fmt]).fetchall()
    except duckdb.Error as exc:
        msg = str(exc).splitlines()[0]
        raise _mapping_error(
            where,
            f"[source] date_format = {fmt!r} is not a valid pattern ({msg}); "
            "use strptime directives such as '%d/%m/%Y %H:%M'",
        ) from None
    finally:
        con.close()


def _check_records(where: str, records: Any, tdef: Any) -> dict[str, Any]:
    """``[records]``: ``by`` (source headers whose rows form one record) and per canonical column
    how it follows from the rows (``{count = "HEADER", where = [...]}``, ``{sum = "HEADER"}``, ...)."""
    if not records:
        return {}
    if not isinstance(records, dict):
        raise _mapping_error(where, "[records] must be a table with 'by' and column rules")
    by = records.get("by")
    if isinstance(by, str):
        by = [by]
    if not by or not isinstance(by, list) or not all(isinstance(b, str) for b in by):
        raise _mapping_error(
            where, '[records] by = ["HEADER"]: name the source column(s) whose equal values make one record'
        )
    rules: dict[str, dict[str, Any]] = {}
    for col, rule in records.items():
        if col == "by":
            continue
        if col not in tdef.names:
            raise _mapping_error(
                where,
                f"[records] {col!r} is not a column of {tdef.name!r}; its columns are {list(tdef.names)}",
            )
        if not isinstance(rule, dict):
            raise _mapping_error(
                where,
                f'[records] {col} must be a rule such as {{ count = "HEADER", where = ["Fatal"] }} '
                f'or {{ sum = "HEADER" }}',
            )
        ops = [k for k in rule if k in AGGREGATES]
        extra = [k for k in rule if k not in (*AGGREGATES, "where")]
        if len(ops) != 1 or extra:
            raise _mapping_error(
                where,
                f"[records] {col} = {rule!r}: give exactly one of {list(AGGREGATES)} (with an optional "
                "where list for count)",
            )
        op = ops[0]
        wanted = rule.get("where")
        if wanted is not None:
            if isinstance(wanted, str | int | float):
                wanted = [wanted]
            if op != "count" or not isinstance(wanted, list):
                raise _mapping_error(
                    where, f"[records] {col}: 'where' is a list of values and goes with count"
                )
        rules[col] = {"op": op, "column": str(rule[op]), "where": [str(w) for w in wanted or []]}
    return {"by": list(by), "rules": rules}


def _check_limits(where: str, limits: Any, tdef: Any) -> dict[str, tuple[float, float]]:
    out = {c: v for (t, c), v in DEFAULT_LIMITS.items() if t == tdef.name}
    if not isinstance(limits, dict):
        raise _mapping_error(where, "[limits] must be a table of column = maximum or [minimum, maximum]")
    for col, value in limits.items():
        if col not in tdef.names or tdef.column(col).dtype not in ("int", "float"):
            raise _mapping_error(where, f"[limits] {col!r} is not a numeric column of {tdef.name!r}")
        if isinstance(value, int | float) and not isinstance(value, bool):
            out[col] = (0.0, float(value))
        elif (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
            and value[0] <= value[1]
        ):
            out[col] = (float(value[0]), float(value[1]))
        else:
            raise _mapping_error(
                where, f"[limits] {col} = {value!r}: give a maximum or [minimum, maximum], e.g. {col} = 100"
            )
    return out
