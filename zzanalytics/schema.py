"""Canonical tables and the category taxonomy, declared once.

Every stage validates against these declarations: ingest maps source headers
onto :data:`TABLES`, the store creates its tables from them, and aggregation
rolls categories up through :func:`rollup`.

Examples
--------
>>> from zzanalytics.schema import TABLES, rollup, is_criminal
>>> TABLES["incidents"].required
('incident_id', 'occurred_at', 'category')
>>> rollup("theft.burglary", level=1)
'theft'
>>> is_criminal("fraud.telecom"), is_criminal("fire")
(True, False)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from zzanalytics.errors import SchemaError

# dtype vocabulary: str, timestamp (an instant, handed out in the store's zone), date, float, int, bool,
# geometry


@dataclass(frozen=True)
class Column:
    """One canonical column: name, logical dtype, whether required, meaning."""

    name: str
    dtype: str
    required: bool
    description: str


@dataclass(frozen=True)
class Table:
    """A canonical table: its name, key column and columns in order."""

    name: str
    key: str | None
    columns: tuple[Column, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """All column names, in canonical order."""
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        """Names of the columns a source must provide (or a mapping constant)."""
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        """Return the column called ``name`` or raise a :class:`SchemaError` listing all."""
        for c in self.columns:
            if c.name == name:
                return c
        raise SchemaError(f"table {self.name!r} has no column {name!r}; its columns are {list(self.names)}")


def _t(name: str, key: str | None, *cols: tuple[str, str, bool, str]) -> Table:
    return Table(name, key, tuple(Column(*c) for c in cols))


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        _t(
            "incidents",
            "incident_id",
            ("incident_id", "str", True, "unique case or event id"),
            ("occurred_at", "timestamp", True, "when it happened (tz-aware, in the store's zone)"),
            ("category", "str", True, "dotted category code, see CATEGORIES"),
            (
                "area_code",
                "str",
                False,
                "township / street office code: from the export, else the polygon holding the point, "
                "else missing (unassigned, still counted in the district)",
            ),
            ("lon", "float", False, "WGS-84 longitude; missing when unknown or invalid"),
            ("lat", "float", False, "WGS-84 latitude; missing when unknown or invalid"),
            ("occurred_from", "timestamp", False, "earliest time it can have happened (aoristic window)"),
            ("occurred_to", "timestamp", False, "latest time it can have happened (aoristic window)"),
            ("deaths", "int", False, "persons killed"),
            ("injuries", "int", False, "persons injured"),
            ("loss_yuan", "float", False, "direct economic loss in yuan"),
            ("cause", "str", False, "cause (drunk driving, truck, electrical ...)"),
            ("premises", "str", False, "kind of place (residence, rental, shop ...)"),
            ("reported_at", "timestamp", False, "when it was reported"),
            ("description", "str", False, "free text; may carry personal data, never reported raw"),
            ("source_file", "str", False, "file the record was ingested from"),
        ),
        _t(
            "petitions",
            "petition_id",
            ("petition_id", "str", True, "unique petition record (one batch, 批)"),
            ("received_on", "date", True, "date received"),
            ("level", "str", True, "capital | province | city | district"),
            ("form", "str", True, "individual | collective"),
            ("irregular", "bool", False, "非正常上访"),
            ("persons", "int", True, "persons in the batch (人次)"),
            ("area_code", "str", True, "township of origin"),
            ("issue", "str", False, "subject of the petition"),
            ("source_file", "str", False, "file the record was ingested from"),
        ),
        _t(
            "disputes",
            "dispute_id",
            ("dispute_id", "str", True, "unique dispute id"),
            ("found_on", "date", True, "date found by 排查"),
            ("area_code", "str", True, "township"),
            ("kind", "str", True, "kind of dispute (land, family, labour ...)"),
            ("resolved_on", "date", False, "date resolved (调处); missing while open"),
            ("source_file", "str", False, "file the record was ingested from"),
        ),
        _t(
            "cameras",
            "camera_id",
            ("camera_id", "str", True, "unique camera id"),
            ("kind", "str", True, "camera | checkpoint"),
            ("lon", "float", True, "WGS-84 longitude"),
            ("lat", "float", True, "WGS-84 latitude"),
            ("installed_on", "date", False, "installation date"),
            ("status", "str", False, "working | broken | planned"),
            ("source_file", "str", False, "file the record was ingested from"),
        ),
        _t(
            "areas",
            "area_code",
            ("area_code", "str", True, "township / street office code"),
            ("name", "str", True, "Chinese name"),
            ("name_en", "str", False, "English name"),
            ("population", "int", False, "resident population"),
            ("geometry", "geometry", True, "polygon, WGS-84"),
        ),
        _t(
            "streets",
            None,
            ("name", "str", True, "street name"),
            ("class", "str", True, "main | secondary"),
            ("geometry", "geometry", True, "line, WGS-84"),
        ),
        _t(
            "zones",
            None,
            ("zone_id", "str", True, "land-use zone id"),
            ("kind", "str", True, "rental_housing | commercial | industrial | village | ..."),
            ("name", "str", False, "name"),
            ("geometry", "geometry", True, "polygon, WGS-84"),
        ),
        _t(
            "peers",
            None,
            ("county", "str", True, "county / district name"),
            ("scope", "str", False, "province | city: the ranking the row belongs to"),
            ("period", "str", True, "period label, e.g. 2026Q1"),
            ("metric", "str", True, "metric name, e.g. petitions.irregular"),
            ("value", "float", True, "value of the metric"),
        ),
        _t(
            "targets",
            None,
            ("year", "int", True, "calendar year"),
            ("metric", "str", True, "fire.count | fire.loss_yuan | traffic.deaths | traffic.major"),
            ("ceiling", "float", True, "ceiling in the annual safety responsibility letter"),
        ),
    )
}

CATEGORIES: dict[str, tuple[str, str]] = {
    "theft": ("盗窃", "Theft"),
    "theft.burglary": ("入室盗窃", "Burglary"),
    "theft.vehicle": ("机动车盗窃", "Vehicle theft"),
    "theft.other": ("其他盗窃", "Other theft"),
    "fraud": ("诈骗", "Fraud"),
    "fraud.telecom": ("电信网络诈骗", "Telecom fraud"),
    "fraud.other": ("其他诈骗", "Other fraud"),
    "robbery": ("抢劫抢夺", "Robbery"),
    "assault": ("故意伤害", "Assault"),
    "other_criminal": ("其他刑事案件", "Other criminal"),
    "traffic": ("道路交通事故", "Traffic accident"),
    "traffic.major": ("重大道路交通事故", "Major traffic accident"),
    "fire": ("火灾", "Fire"),
    "other": ("其他", "Other"),
}
"""Every house category code with its Chinese and English label. Roll-up parents are included
(``other`` is the parent of a source's own categories that belong to no house group)."""

LEAF_CATEGORIES: tuple[str, ...] = (
    "theft.burglary",
    "theft.vehicle",
    "theft.other",
    "fraud.telecom",
    "fraud.other",
    "robbery",
    "assault",
    "other_criminal",
    "traffic",
    "traffic.major",
    "fire",
)
"""Codes an incident may carry."""

CRIMINAL_PREFIXES: tuple[str, ...] = ("theft", "fraud", "robbery", "assault", "other_criminal")
"""Prefixes of criminal cases (刑事案件); traffic and fire are safety incidents."""

GROUPS: tuple[str, ...] = (*CRIMINAL_PREFIXES, "traffic", "fire", "other")
"""First parts a category code may have: a source's own category lies below one of them."""

_OWN_PART = re.compile(r"\w+")  # letters, digits, _ of any script: one part of an own code

PETITION_LEVELS: tuple[str, ...] = ("capital", "province", "city", "district")
PETITION_FORMS: tuple[str, ...] = ("individual", "collective")
CAMERA_KINDS: tuple[str, ...] = ("camera", "checkpoint")
TARGET_METRICS: tuple[str, ...] = ("fire.count", "fire.loss_yuan", "traffic.deaths", "traffic.major")


def rollup(code: str, level: int | None = None) -> str:
    """Return ``code`` cut to its first ``level`` dotted parts.

    Parameters
    ----------
    code : str
        A category code such as ``"theft.burglary"``.
    level : int or None
        Number of parts to keep; ``None`` keeps the code whole.

    Returns
    -------
    str
        The rolled-up code.

    Examples
    --------
    >>> rollup("theft.burglary", 1), rollup("traffic.major", 2), rollup("fire", 1)
    ('theft', 'traffic.major', 'fire')
    """
    if level is None:
        return code
    if level < 1:
        raise SchemaError(f"level must be 1 or more, got {level}; use 1 for 'theft', 2 for 'theft.burglary'")
    return ".".join(code.split(".")[:level])


def matches(code: str, prefix: str) -> bool:
    """True when ``code`` is ``prefix`` or lies below it in the dotted hierarchy.

    Examples
    --------
    >>> matches("theft.burglary", "theft"), matches("theftx", "theft")
    (True, False)
    """
    return code == prefix or code.startswith(prefix + ".")


def is_criminal(code: str) -> bool:
    """True for criminal-case categories (刑事案件).

    Examples
    --------
    >>> is_criminal("robbery"), is_criminal("traffic.major")
    (True, False)
    """
    return any(matches(code, p) for p in CRIMINAL_PREFIXES)


def category_label(code: str, lang: str = "zh") -> str:
    """Human label of a category code in ``lang`` (``zh`` or ``en``).

    A source's own category (:func:`is_own`) prints as its last part, underscores as spaces
    (``traffic.serious`` → ``serious``, ``other.妨害公务`` → ``妨害公务``); anything else unchanged.

    Examples
    --------
    >>> category_label("fraud.telecom"), category_label("fraud.telecom", "en")
    ('电信网络诈骗', 'Telecom fraud')
    >>> category_label("other.other_offenses", "en"), category_label("other_criminal.杀人")
    ('other offenses', '杀人')
    """
    from zzanalytics.wording import LANGS, pick

    if lang not in LANGS:
        raise SchemaError(f"lang was {lang!r} but is expected to be 'zh' or 'en'")
    pair = CATEGORIES.get(code)
    if pair is None:
        return code.rsplit(".", 1)[-1].replace("_", " ") if is_own(code) else code
    return pick(pair, lang)


def parent(code: str) -> str | None:
    """The category ``code`` rolls up into (its code without the last part); None for a group.

    Examples
    --------
    >>> parent("traffic.serious"), parent("theft.burglary"), parent("fire")
    ('traffic', 'theft', None)
    """
    return code.rsplit(".", 1)[0] if "." in code else None


def is_own(code: str) -> bool:
    """True for a source's own category: a code that is not a house code but lies below a house group
    (:data:`GROUPS`), e.g. ``traffic.serious``, ``theft.bicycle``, ``other.vandalism``. It counts in every
    total of its parent (codes roll up by prefix) and is listed by ``zz info``.

    Examples
    --------
    >>> is_own("traffic.serious"), is_own("other.妨害公务"), is_own("theft.burglary"), is_own("theft")
    (True, True, False, False)
    >>> is_own("vandalism"), is_own("traffic..x")
    (False, False)
    """
    parts = str(code).split(".")
    return (
        code not in CATEGORIES
        and len(parts) >= 2
        and parts[0] in GROUPS
        and all(_OWN_PART.fullmatch(p) for p in parts[1:])
    )


def is_category(code: str) -> bool:
    """True when an incident may carry ``code``: a house code of :data:`LEAF_CATEGORIES` or a source's own
    category below a house group (:func:`is_own`).

    Examples
    --------
    >>> is_category("fire"), is_category("traffic.serious"), is_category("theft"), is_category("misc")
    (True, True, False, False)
    """
    return code in LEAF_CATEGORIES or is_own(code)


def natural_key(value: object) -> tuple:
    """Sort key putting codes in natural order: ``"2" < "10"``, ``"A9" < "A10"``; None last.

    Examples
    --------
    >>> sorted(["10", "9", "A10", "A9", "b"], key=natural_key)
    ['9', '10', 'A9', 'A10', 'b']
    """
    import re

    if value is None or (isinstance(value, float) and value != value):
        return ((2, ""),)
    parts = re.split(r"(\d+)", str(value))
    return tuple((0, int(p), p) if p.isdigit() else (1, p.casefold(), p) for p in parts if p != "")


def check_columns(frame_columns: Iterable[str], needed: Iterable[str], what: str) -> None:
    """Raise :class:`SchemaError` naming every missing column and listing those present.

    Examples
    --------
    >>> check_columns(["a", "b"], ["a"], "counts")
    >>> check_columns(["a"], ["a", "period"], "counts")
    Traceback (most recent call last):
    ...
    zzanalytics.errors.SchemaError: counts needs column(s) ['period'] which are missing; ...
    """
    have = list(frame_columns)
    missing = [c for c in needed if c not in have]
    if missing:
        raise SchemaError(f"{what} needs column(s) {missing} which are missing; columns present: {have}")
