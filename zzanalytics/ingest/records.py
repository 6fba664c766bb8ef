"""Records made of several rows (``[records]``): a person-level export becomes one record per
collision (private to ingest).

Rows whose ``by`` columns are equal form one record; every source column keeps the value of the
record's first row (file order), and each rule adds a column ``_agg_<canonical column>``:
``count`` (rows, or rows whose column is one of ``where``, compared trimmed and case-folded),
``sum``, ``max``, ``min`` (of the column read as a number) or ``first``. Rows with an empty ``by``
value stay records of their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zzanalytics.errors import SourceError
from zzanalytics.ingest.mapping import Mapping
from zzanalytics.sql import ident, literal

__all__ = ["grouped_source"]


def grouped_source(m: Mapping, rel: Any, headers: list[str], path: Path) -> tuple[Any, list[str]]:
    """``[records]``: rows with equal ``by`` values become one row (first row's values, in file
    order), plus ``_agg_<column>`` for each rule (count where, sum, max, min, first); a relation
    over the relation of the file's rows ``rel``."""
    rec = m.records
    missing = [b for b in rec["by"] if b not in headers]
    for rule in rec["rules"].values():
        if rule["column"] != "*" and rule["column"] not in headers:
            missing.append(rule["column"])
    if missing:
        raise SourceError(
            f"{path}: has no column(s) {missing}, which {m.where} names under [records]; "
            f"the file's columns are {headers}; fix those lines to one of them"
        )
    by = [f"r.{ident(b)}" for b in rec["by"]]
    null = " OR ".join(f"{b} IS NULL" for b in by)
    group = (
        f"CASE WHEN {null} THEN chr(30) || CAST(r._rn AS VARCHAR) "
        f"ELSE concat_ws(chr(31), {', '.join(by)}) END"
    )
    firsts = [f"arg_min({ident(h)}, _rn) AS {ident(h)}" for h in headers if h != "geometry"]
    aggs = []
    for col, rule in rec["rules"].items():
        x = "NULL" if rule["column"] == "*" else ident(rule["column"])
        op = rule["op"]
        if op == "count":
            if rule["where"]:
                vals = ", ".join(literal(w.strip().lower()) for w in rule["where"])
                e = f"count(*) FILTER (WHERE lower(trim({x})) IN ({vals}))"
            else:
                e = "count(*)" if rule["column"] == "*" else f"count({x})"
        elif op == "first":
            e = f"arg_min({x}, _rn)"
        else:
            e = f"{op}(TRY_CAST({x} AS DOUBLE))"
        aggs.append(f"CAST({e} AS VARCHAR) AS {ident('_agg_' + col)}")
    # where the record starts in the file: its first row's line (a sheet), or order (a CSV: lines.py)
    where = ["min(_line) AS _line"] if "_line" in rel.columns else ["min(_rn) - 1 AS _ord"]
    sql = (
        f"SELECT {', '.join([*firsts, *aggs, *where])} FROM "
        f"(SELECT r.*, {group} AS _grp FROM (SELECT *, row_number() OVER () AS _rn FROM rows) r) "
        "GROUP BY _grp ORDER BY min(_rn)"
    )
    return rel.query("rows", sql), [*headers, *(f"_agg_{c}" for c in rec["rules"])]
