"""The district's identity: who the reports speak for, set once and recorded in the store.

Its name (Chinese and English), the issuing unit (发文机关), the meeting the briefing is for, what
an area unit is called (乡镇(街道), 街道, 派出所辖区, beat, neighbourhood …), the currency of losses
and the unit amounts are written in, the briefing sections left out and the standing annual
targets. It is set in a ``sources.toml``'s ``[district]`` table, by ``zz ingest --district NAME
--currency CODE --set KEY=VALUE`` on a new store, or by ``zz set KEY=VALUE...``; kept in the
store's ``_meta`` table; read as one frozen :class:`Identity` (:meth:`Store.identity
<zzanalytics.store.Store.identity>`); shown by ``zz info``; and worded by every report.

:data:`KEYS` lists every key with its ``_meta`` name and meaning (``docs/mapping.md`` too).
Unset keys are ``None``: the reports then use neutral words (the store's own name when it has
one, never a district it is not).

Examples
--------
>>> ident = Identity.from_meta({"district": "Lakeport", "currency": "CAD", "area_unit_en": "beat"})
>>> ident.name, ident.currency, ident.unit_en, ident.units_en
('Lakeport', 'CAD', 'beat', 'beats')
>>> identity_meta({"currency": "hkd", "targets": {"fire.count": 120}})
{'currency': 'HKD', 'target.fire.count': '120'}
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from zzanalytics import clock
from zzanalytics.errors import StoreError

__all__ = ["KEYS", "Identity", "Key", "claim_identity", "identity_meta", "parse_assignments", "set_identity"]


@dataclass(frozen=True)
class Key:
    """One key of the identity: its name (``sources.toml`` ``[district]``, ``zz set``), its
    ``_meta`` key and what it means."""

    name: str
    meta: str
    help: str


KEYS: tuple[Key, ...] = (
    Key("name", "district", "the district's name, as titles and sentences say it (金河区, Lakeport)"),
    Key("name_en", "district_en", "its English name (Jinhe District, City of Lakeport)"),
    Key("timezone", "timezone", "the store's clock, an IANA zone (Asia/Shanghai, America/Toronto)"),
    Key("currency", "currency", "ISO 4217 code of losses (CNY, HKD, TWD, CAD)"),
    Key("money_unit", "money_unit", "unit amounts are written in, in Chinese (万元, 萬元, 万港元, 元)"),
    Key("money_unit_en", "money_unit_en", "the same in English (HK$, NT$, US$, CAD)"),
    Key("unit", "area_unit", "what one area is called, in Chinese (乡镇(街道), 街道, 派出所辖区)"),
    Key("unit_en", "area_unit_en", "the same in English, singular (township, beat, neighbourhood)"),
    Key("units_en", "area_units_en", "its English plural (default: unit_en + s)"),
    Key("issuer", "issuer", "the issuing unit, 发文机关 (金河区综治委办公室)"),
    Key("issuer_en", "issuer_en", "the issuing unit in English"),
    Key("meeting", "meeting", "the meeting the briefing is for (金河区综治委全体(扩大)会议)"),
    Key("meeting_en", "meeting_en", "the meeting in English"),
    Key("meeting_date", "meeting_date", "the meeting's date (2026-11-05)"),
    Key("sections_off", "sections_off", "briefing sections left out, comma-separated (petitions,hotspots)"),
    Key("target.METRIC", "target.METRIC", "a standing annual ceiling (target.fire.count=120)"),
)
"""Every identity key: ``sources.toml`` / ``zz set`` name, ``_meta`` key, meaning."""

_BY_NAME = {k.name: k for k in KEYS}
_TEXT_MAX = 120
_SECTION = re.compile(r"^[a-z][a-z0-9_]*$")
_METRIC = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
TARGET = "target."


def _plural(word: str) -> str:
    """English plural of an area unit's last word (beat → beats, county → counties).

    Examples
    --------
    >>> [_plural(w) for w in ("beat", "county", "police district", "parish", "day")]
    ['beats', 'counties', 'police districts', 'parishes', 'days']
    """
    if word.endswith("y") and word[-2:-1] not in tuple("aeiou"):
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


@dataclass(frozen=True)
class Identity:
    """The district's identity as recorded in a store; ``None`` where a key is not set.

    ``currency`` is ``CNY`` and ``timezone`` :data:`zzanalytics.clock.DEFAULT_TZ` when not
    recorded (``recorded`` names the keys that are). ``units_en`` is the English plural, given or
    made from ``unit_en``. ``targets`` are ``(metric, ceiling)`` pairs (:attr:`ceilings` as a dict).

    Examples
    --------
    >>> Identity().name is None, Identity().currency, Identity(unit_en="county").units_en
    (True, 'CNY', 'counties')
    """

    name: str | None = None
    name_en: str | None = None
    timezone: str = clock.DEFAULT_TZ
    currency: str = "CNY"
    money_unit: str | None = None
    money_unit_en: str | None = None
    unit: str | None = None
    unit_en: str | None = None
    units_en: str | None = None
    issuer: str | None = None
    issuer_en: str | None = None
    meeting: str | None = None
    meeting_en: str | None = None
    meeting_date: str | None = None
    sections_off: tuple[str, ...] = ()
    targets: tuple[tuple[str, float], ...] = ()
    recorded: frozenset[str] = field(default=frozenset(), compare=False)

    def __post_init__(self) -> None:
        if self.unit_en and not self.units_en:
            object.__setattr__(self, "units_en", _plural(self.unit_en))

    @classmethod
    def from_meta(cls, meta: Mapping[str, str], timezone: str | None = None) -> Identity:
        """The identity held in a store's ``_meta`` (key → text).

        Examples
        --------
        >>> Identity.from_meta({"district": "金河区", "sections_off": "petitions,hotspots",
        ...                     "target.fire.count": "120"}).sections_off
        ('petitions', 'hotspots')
        """
        values: dict[str, Any] = {}
        for k in KEYS:
            v = meta.get(k.meta)
            if v not in (None, "") and k.name not in ("sections_off", "target.METRIC"):
                values[k.name] = str(v)
        values["sections_off"] = tuple(s for s in str(meta.get("sections_off") or "").split(",") if s)
        values["targets"] = tuple(
            sorted((k[len(TARGET) :], float(v)) for k, v in meta.items() if k.startswith(TARGET))
        )
        if timezone:
            values["timezone"] = timezone
        names = {k.name for k in KEYS if meta.get(k.meta) not in (None, "")}
        names |= {k for k in meta if k.startswith(TARGET)}
        return cls(**values, recorded=frozenset(names))

    @property
    def ceilings(self) -> dict[str, float]:
        """The standing annual targets, metric → ceiling.

        Examples
        --------
        >>> Identity(targets=(("fire.count", 120.0),)).ceilings
        {'fire.count': 120.0}
        """
        return dict(self.targets)

    def lines(self) -> list[str]:
        """The identity as ``zz info`` prints it (keys not set are left out or marked).

        Examples
        --------
        >>> who = Identity(name="Lakeport", currency="CAD", unit_en="beat", recorded=frozenset({"currency"}))
        >>> who.lines()
        ['  district   Lakeport', '  currency   CAD', '  area unit  beat, beats']
        """
        name = (
            " / ".join(n for n in (self.name, self.name_en) if n) or "(no name recorded; `zz set name=...`)"
        )
        money = " / ".join(u for u in (self.money_unit, self.money_unit_en) if u)
        lines = [
            f"  district   {name}",
            f"  currency   {self.currency}{'' if 'currency' in self.recorded else ' (default)'}"
            + (f", written in {money}" if money else ""),
        ]
        unit = " / ".join(u for u in (self.unit, self.unit_en and f"{self.unit_en}, {self.units_en}") if u)
        optional = {
            "area unit": unit,
            "issuer": " / ".join(u for u in (self.issuer, self.issuer_en) if u),
            "meeting": " / ".join(u for u in (self.meeting, self.meeting_en, self.meeting_date) if u),
            "sections": self.sections_off and "left out: " + ", ".join(self.sections_off),
            "targets": ", ".join(f"{m} {c:g}" for m, c in self.targets),
        }
        lines += [f"  {label:<10} {text}" for label, text in optional.items() if text]
        return lines


def _text(key: str, value: Any) -> str:
    text = str(value).strip()
    if len(text) > _TEXT_MAX or re.search(r"[\x00-\x1f\x7f<>]", text):
        raise StoreError(
            f"{key}={value!r}: write one line of plain text of at most {_TEXT_MAX} characters "
            "(no control characters, no < or >)"
        )
    return text


def check_value(key: str, value: Any) -> str | None:
    """The ``_meta`` text of one identity value (``None`` or ``""`` removes the key), or a
    :class:`StoreError` naming the key, the value and the fix.

    Examples
    --------
    >>> check_value("currency", "cad"), check_value("meeting_date", "2026-11-05"), check_value("unit", "")
    ('CAD', '2026-11-05', None)
    >>> check_value("currency", "dollars")
    Traceback (most recent call last):
    ...
    zzanalytics.errors.StoreError: currency='dollars': write the ISO 4217 code of the unit of losses, ...
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if key.startswith(TARGET):
        metric = key[len(TARGET) :]
        try:
            ceiling = float(value)
        except (TypeError, ValueError):
            ceiling = math.nan
        if not _METRIC.match(metric) or not math.isfinite(ceiling) or ceiling < 0:
            raise StoreError(
                f"{key}={value!r}: a target is target.METRIC=CEILING with a dotted metric and a number "
                "at least 0, e.g. target.fire.count=120 or target.traffic.deaths=8"
            )
        return f"{ceiling:g}"
    if key not in _BY_NAME or key == "target.METRIC":
        raise StoreError(
            f"{key!r} is not an identity key; keys are {', '.join(k.name for k in KEYS)} "
            "(see `zz set` with no arguments)"
        )
    if key == "currency":
        code = str(value).strip().upper()
        if not (len(code) == 3 and code.isascii() and code.isalpha()):
            raise StoreError(
                f"currency={value!r}: write the ISO 4217 code of the unit of losses, e.g. CNY, HKD or CAD"
            )
        return code
    if key == "timezone":
        return clock.check_tz(str(value).strip())
    if key == "meeting_date":
        import datetime as dt

        try:
            return dt.date.fromisoformat(str(value).strip()[:10]).isoformat()
        except ValueError:
            raise StoreError(f"meeting_date={value!r}: write the date like 2026-11-05") from None
    if key == "sections_off":
        items = value if isinstance(value, list | tuple) else str(value).split(",")
        names = [str(s).strip() for s in items if str(s).strip()]
        bad = [s for s in names if not _SECTION.match(s)]
        if bad:
            raise StoreError(f"sections_off={value!r}: {bad} are not section keys (e.g. petitions,hotspots)")
        return ",".join(dict.fromkeys(names))
    return _text(key, value)


def identity_meta(values: Mapping[str, Any]) -> dict[str, str | None]:
    """Identity values by key name (``sources.toml`` / ``zz set``) as ``_meta`` keys and texts,
    checked; ``targets`` may be a table ``{metric: ceiling}``; ``None`` removes a key.

    Examples
    --------
    >>> identity_meta({"name": "金河区", "unit": "乡镇(街道)", "unit_en": "township"})
    {'district': '金河区', 'area_unit': '乡镇(街道)', 'area_unit_en': 'township'}
    """
    out: dict[str, str | None] = {}
    for key, value in values.items():
        if key == "targets":
            if not isinstance(value, Mapping):
                raise StoreError(
                    f"targets={value!r}: a table of metric = ceiling, e.g. {{ fire.count = 120 }}"
                )
            out.update(identity_meta({TARGET + str(m): c for m, c in _flat(value)}))
            continue
        meta = key if key.startswith(TARGET) else _BY_NAME[key].meta if key in _BY_NAME else key
        out[meta] = check_value(key, value)
    return out


def _flat(table: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, Any]]:
    """``{fire = {count = 120}}`` (TOML's reading of ``fire.count = 120``) as ``("fire.count", 120)``."""
    for k, v in table.items():
        if isinstance(v, Mapping):
            yield from _flat(v, f"{prefix}{k}.")
        else:
            yield f"{prefix}{k}", v


def parse_assignments(items: Iterable[str], option: str = "KEY=VALUE") -> dict[str, str]:
    """``["name=金河区", "unit_en=beat"]`` as a dict; a malformed item is a :class:`StoreError`.

    Examples
    --------
    >>> parse_assignments(["name=Lakeport", "unit_en = beat", "issuer="])
    {'name': 'Lakeport', 'unit_en': 'beat', 'issuer': ''}
    """
    out = {}
    for item in items:
        key, sep, value = str(item).partition("=")
        if not sep or not key.strip():
            raise StoreError(
                f"{option} {item!r}: write KEY=VALUE, e.g. name=金河区 or currency=HKD (KEY= removes a key)"
            )
        out[key.strip()] = value.strip()
    return out


def _has_dated_records(store: Any) -> bool:
    return bool(store.con.execute("SELECT count(*) FROM (SELECT 1 FROM incidents LIMIT 1)").fetchone()[0])


def set_identity(store: Any, values: Mapping[str, Any]) -> Identity:
    """Record identity values (checked; ``None`` or ``""`` removes a key) and return the identity.

    The time zone cuts every stored day, so it may change only while the store holds no incidents.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from zzanalytics.store import open_store
    >>> with open_store(pathlib.Path(tempfile.mkdtemp()) / "s.duckdb", read_only=False) as st:
    ...     set_identity(st, {"name": "Lakeport", "currency": "CAD", "unit_en": "beat"}).units_en
    'beats'
    """
    meta = identity_meta(values)
    have = store.meta()
    tz = meta.get("timezone")
    if tz and have.get("timezone") not in (None, tz) and _has_dated_records(store):
        raise StoreError(
            f"timezone={tz}: the store {store.path} keeps its days in {have['timezone']} and holds records "
            "cut on that clock; a store has one clock: build a new store for another zone"
        )
    store.set_meta(**meta)
    return store.identity()


def claim_identity(store: Any, values: Mapping[str, Any], option: str = "zz ingest") -> Identity:
    """Record identity values a store does not have yet (``zz ingest --district … --currency …``).

    A value the store already records differently is refused, naming ``zz set`` to change it;
    the same value again is fine (re-running an ingest).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from zzanalytics.store import open_store
    >>> with open_store(pathlib.Path(tempfile.mkdtemp()) / "c.duckdb", read_only=False) as st:
    ...     _ = claim_identity(st, {"name": "Lakeport"})
    ...     claim_identity(st, {"name": "Harbour City"})
    Traceback (most recent call last):
    ...
    zzanalytics.errors.StoreError: zz ingest: the store ... already records 'Lakeport' for the key name, ...
    """
    meta = identity_meta({k: v for k, v in values.items() if v not in (None, "")})
    have = store.meta()
    by_meta = {k.meta: k.name for k in KEYS}
    for key, value in meta.items():
        if have.get(key) not in (None, value):
            name = by_meta.get(key, key)
            raise StoreError(
                f"{option}: the store {store.path} already records {have[key]!r} for the key {name}, "
                f"not {value!r}; the identity is set once: change it with `zz set {name}=VALUE --store "
                f"{store.path}`"
            )
    new = {k: v for k, v in meta.items() if have.get(k) is None}
    if new:
        store.set_meta(**new)
    return store.identity()
