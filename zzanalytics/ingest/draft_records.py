"""One row per party: the ``[records]`` group of a drafted incidents mapping (private to ``zz map``)."""

from __future__ import annotations

import re
from typing import Any

from zzanalytics.ingest.roles import Profile
from zzanalytics.sql import ident

_DEATH = re.compile(r"死|亡|fatal|kill|death|dead", re.I)
_HURT = re.compile(r"伤|傷|injur|hurt|wound", re.I)


def _first(con: Any, sql: str) -> Any:
    return con.execute(sql).fetchall()[0]


def _has(roles: list[str], role: str, top: int = 1) -> bool:
    return role in roles[:top]


def records_by(
    con: Any,
    src: str,
    canon: list[str],
    P: dict[str, Profile],
    roles: dict[str, list[str]],
    cols: dict[str, Any],
    used: set[str],
    doc: dict[str, dict[str, Any]],
    notes: Any,
    key: str | None,
) -> None:
    """One row per party: rows repeating an incident's id (or its when and where) next to each other."""
    party = [
        h for h in canon if h not in used and (_has(roles[h], "party", 2) or _has(roles[h], "severity", 2))
    ]
    if key is None:
        if not party:
            return
        by = [c for c in ("occurred_at",) if isinstance(cols.get(c), str)]
        by += [doc["source"]["time_column"]] if doc["source"].get("time_column") else []
        for c in ("lon", "lat"):
            if isinstance(cols.get(c), str):
                by.append(cols[c])
        ac = cols.get("area_code")
        by.append(ac["column"] if isinstance(ac, dict) else ac) if ac else None
        by += [h for h in canon if h not in by and _has(roles[h], "address")]  # two at one minute apart
        by = [cols[b] if b in cols and isinstance(cols[b], str) else b for b in by]
        if len(by) < 2:
            return
    else:
        by = [key]
    keys = ", ".join(ident(b) for b in by)
    n, groups, adjacent = _first(
        con,
        "SELECT count(*), count(DISTINCT g), avg(adj) FROM (SELECT g, CASE WHEN g = lag(g) OVER w "
        "OR g = lead(g) OVER w THEN 1.0 ELSE 0.0 END AS adj "
        f"FROM (SELECT ({keys}) AS g, _file, _rn FROM {src}) WINDOW w AS (PARTITION BY _file ORDER BY _rn))",
    )
    if not groups or n < 1.15 * groups or (adjacent or 0) < 0.2:
        if key is not None:
            notes.add("columns", "incident_id", f"{key!r} looks like an id but repeats; not mapped", "guess")
        return
    rec: dict[str, Any] = {"by": by}
    sev = next((h for h in party if _has(roles[h], "severity", 2)), None)
    if sev:
        vals = [t for t, _ in P[sev].top]
        dead = [v for v in vals if _DEATH.search(v)]
        hurt = [v for v in vals if _HURT.search(v) or v.lower() in ("major", "minor", "minimal")]
        if dead:
            rec["deaths"] = {"count": sev, "where": dead}
        if hurt:
            rec["injuries"] = {"count": sev, "where": hurt}
        for c in ("deaths", "injuries"):
            if c in rec and isinstance(cols.get(c), str):
                del cols[c]
    if key is not None:
        cols["incident_id"] = key
    doc["records"] = rec
    notes.add(
        "records",
        "",
        f"{n:,} rows are {groups:,} incidents: rows sharing {by} stand next to each other and differ in "
        f"{party or 'other columns'} (one row per party); each incident counts once",
        "likely",
    )
