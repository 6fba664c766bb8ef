"""Which columns of a file hold personal data (``[personal]``), and which hold free text (private to ingest).

Examples
--------
>>> read_personal({"columns": ["当事人", "住址"]}, "x.toml")
['当事人', '住址']
"""

from __future__ import annotations

from typing import Any

from zzanalytics.errors import MappingError
from zzanalytics.ingest.columns import column_headers
from zzanalytics.schema import TABLES

__all__ = ["FREE_TEXT", "personal_columns", "read_personal"]


def read_personal(section: Any, where: str) -> list[str]:
    """``[personal] columns = [...]``: a list of header names."""
    example = '[personal] columns = ["当事人", "联系电话", "住址"]'
    if not isinstance(section, dict) or set(section) - {"columns"}:
        raise MappingError(f"{where}: [personal] takes one key, columns; write it like {example}")
    cols = section.get("columns", [])
    if not isinstance(cols, list) or not all(isinstance(c, str) and c.strip() for c in cols):
        raise MappingError(f"{where}: [personal] columns must be a list of header names, like {example}")
    return list(dict.fromkeys(cols))


FREE_TEXT = {"cause", "premises", "description", "issue", "kind"}
"""Canonical text columns that are free text (personal values of the same row are masked in them)."""


def personal_columns(m: Any, headers: list[str], path: Any = None) -> tuple[list[str], list[str]]:
    """(personal headers, free-text headers) of a source file under mapping ``m``.

    Personal headers are the ``[personal] columns`` (a source header, or a canonical name
    mapped in ``[columns]``); free-text headers are every other header except those mapped to
    ids, dates, numbers, categories, areas and enumerated values (so a name written into the
    cause, or into an unmapped remark kept with a quarantined row, is found).

    Examples
    --------
    >>> from zzanalytics.ingest.mapping import read_mapping
    >>> m = read_mapping({"columns": {"incident_id": "编号", "cause": "原因"},
    ...                   "personal": {"columns": ["当事人"]}})
    >>> personal_columns(m, ["编号", "原因", "当事人", "备注"])
    (['当事人'], ['原因', '备注'])
    """
    from zzanalytics.errors import SourceError

    if not m.personal:
        return [], []
    stripped = {h.strip(): h for h in headers}
    mapped: dict[str, str] = {}  # header -> canonical name
    for name, wanted in m.columns.items():
        for h in column_headers(wanted):
            actual = h if h in headers else stripped.get(h.strip())
            if actual is not None:
                mapped[actual] = name
    for h in headers:
        if h.strip() in TABLES[m.table].names and h not in mapped:
            mapped[h] = h.strip()
    personal = []
    for p in m.personal:
        names = column_headers(m.columns[p]) if p in m.columns else [p]  # a canonical name, or a header
        for h in names:
            actual = h if h in headers else stripped.get(h.strip())
            if actual is None:
                raise SourceError(
                    f"{path or 'the file'}: has no column {h!r}, which {m.where} declares personal "
                    f"([personal] columns); the file's columns are {headers}; fix or remove that name"
                )
            personal.append(actual)
    free = [
        h
        for h in headers
        if h not in personal and h != "geometry" and (h not in mapped or mapped[h] in FREE_TEXT)
    ]
    return list(dict.fromkeys(personal)), free
