"""What a ``[columns]`` entry may say, and how files whose headers differ are read as one (private to ingest).

A canonical column comes from

* ``"HEADER"``: one source column;
* ``["DATE", "TIME"]``: several, joined with a space;
* ``{ column = "死亡受傷人數", after = "死亡" }``: the number written right after a word in a packed
  cell (``死亡1;受傷0``), or ``before = "傷"`` right before it (``1死2傷``);
* ``{ column = "發生地點", from = "address" }``: the area an address names (``臺北市大安區…`` →
  the store's area 大安區, or the name itself when the store has no areas).

``[headers]`` lists other spellings of a header, for monthly files whose header changes:
``"# Of Offenses" = ["# offenses", "Offenses"]``; the mapping then names one spelling. Without it a
header still matches regardless of case, spaces and punctuation (``Offense Type`` = ``OffenseType``).

Examples
--------
>>> check_column("x.toml", "deaths", {"column": "死傷", "after": "死亡"})
{'column': '死傷', 'after': '死亡'}
>>> column_headers({"column": "發生地點", "from": "address"}), column_headers(["DATE", "TIME"])
(['發生地點'], ['DATE', 'TIME'])
>>> rename_headers(["Date", "# offenses", "OffenseType"], {"# Of Offenses": ["# offenses"]},
...                wanted=["Offense Type", "# Of Offenses"])
{'# offenses': '# Of Offenses', 'OffenseType': 'Offense Type'}
"""

from __future__ import annotations

import re
from typing import Any

from zzanalytics.errors import MappingError
from zzanalytics.ingest.forms import address_area_sql, packed_sql
from zzanalytics.sql import ident

__all__ = ["check_column", "check_headers", "column_headers", "column_sql", "loose", "rename_headers"]

FORM_KEYS = ("column", "after", "before", "from")
_EXAMPLE = (
    'deaths = { column = "死亡受傷人數", after = "死亡" } or '
    'area_code = { column = "發生地點", from = "address" }'
)


def check_column(where: str, name: str, value: Any) -> Any:
    """A ``[columns]`` value checked: a header, a list of headers, or a form table (see the module)."""
    if isinstance(value, str) or (
        isinstance(value, list) and value and all(isinstance(v, str) for v in value)
    ):
        return value
    if isinstance(value, dict):
        extra = [k for k in value if k not in FORM_KEYS]
        col = value.get("column")
        forms = [k for k in ("after", "before", "from") if k in value]
        if extra or not isinstance(col, str) or len(forms) != 1:
            raise MappingError(
                f"{where}: [columns] {name} = {value!r}: give a column and one of after, before or from, "
                f"e.g. {_EXAMPLE}"
            )
        form = forms[0]
        if form == "from" and (value["from"] != "address" or name != "area_code"):
            raise MappingError(
                f'{where}: [columns] {name}: from = "address" is the only source of that kind, for area_code'
            )
        if form in ("after", "before") and not (isinstance(value[form], str) and value[form].strip()):
            raise MappingError(f"{where}: [columns] {name}: {form} must be the word next to the number")
        return dict(value)
    raise MappingError(
        f'{where}: [columns] {name} must be a source header in quotes, e.g. {name} = "…", '
        f'a list of headers joined with a space, e.g. {name} = ["发案日期", "发案时刻"], or {_EXAMPLE}'
    )


def column_headers(value: Any) -> list[str]:
    """The source headers a ``[columns]`` value reads."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [value["column"]]
    return list(value)


def column_sql(value: Any, actual: list[str], areas: dict[str, str] | None = None) -> str:
    """SQL (over the source row ``r``) of a ``[columns]`` value whose headers are ``actual`` in the file.

    ``areas``: area name → code of the store, for an address (longest name found in it wins).
    """
    parts = [f"r.{ident(h)}" for h in actual]
    if isinstance(value, dict):
        if "after" in value or "before" in value:
            return packed_sql(parts[0], after=value.get("after", ""), before=value.get("before", ""))
        own = address_area_sql(parts[0])
        return f"COALESCE({address_area_sql(parts[0], areas)}, {own})" if areas else own
    if len(parts) == 1:
        return parts[0]
    return "NULLIF(concat_ws(' ', " + ", ".join(parts) + "), '')"


def check_headers(where: str, section: Any) -> dict[str, list[str]]:
    """``[headers]``: header = [other spellings]."""
    if not isinstance(section, dict):
        raise MappingError(f'{where}: [headers] must be a table of "HEADER" = ["other spelling", ...]')
    out: dict[str, list[str]] = {}
    for k, v in section.items():
        names = [v] if isinstance(v, str) else v
        if not isinstance(names, list) or not all(isinstance(x, str) and x.strip() for x in names):
            raise MappingError(
                f'{where}: [headers] {k!r} = {v!r}: give the other spellings, e.g. "{k}" = ["{k.lower()}"]'
            )
        out[str(k)] = list(names)
    return out


def loose(header: str) -> str:
    """A header folded for matching: lower case, without spaces and punctuation (``# Of Offenses`` →
    ``ofoffenses``)."""
    return re.sub(r"[\W_]+", "", str(header).casefold())


def rename_headers(headers: list[str], synonyms: dict[str, list[str]], wanted: list[str]) -> dict[str, str]:
    """{file header: the mapping's spelling} for the headers of one file: the spellings ``[headers]``
    lists, then any ``wanted`` header the file lacks but has once case, spaces and punctuation are
    ignored (only when exactly one file header matches). Headers the file has as written stay."""
    have = set(headers)
    out: dict[str, str] = {}
    for target, others in synonyms.items():
        if target in have:
            continue
        for o in others:
            hit = o if o in have else next((h for h in headers if h.strip() == o.strip()), None)
            if hit is not None and hit not in out:
                out[hit] = target
                break
    taken = set(out.values()) | have
    for w in wanted:
        if w in taken or w.strip() in {h.strip() for h in headers}:
            continue
        key = loose(w)
        hits = [h for h in headers if h not in out and loose(h) == key and key]
        if len(hits) == 1:
            out[hits[0]] = w
            taken.add(w)
    return out
