"""What the read, plan and parse stages do for exports as agencies publish them (private to ingest):
footer lines set aside, headers that change between files read as one, a count of offences per row
made into that many records, time slots and dates without their time of day made into windows, and
a hint at 民國 years when dates do not read.

Examples
--------
>>> footer_count([["1", "a", "b", "c"], ["合计", "1", "", ""], ["制表人：王"]], None, 4)
2
>>> footer_count([["1", "a"]], 0, 2)
0
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zzanalytics.ingest.columns import column_headers, rename_headers
from zzanalytics.ingest.detect import footer_lines, is_footer_text, split_lines
from zzanalytics.sql import ident, literal

__all__ = [
    "Shaped",
    "address_areas",
    "counted_source",
    "date_hints",
    "footer_count",
    "footer_note",
    "renamed_source",
    "shaped_source",
    "trim_csv_footer",
    "window_sources",
]

_TAIL = 1 << 16
_CLOCKY = (
    r"(上午|下午|凌晨|晚上|[AaPp]\.?[Mm]\.?)?\s*\d{1,6}(\s*[:時时点點]\s*\d{0,2}(\s*[:分]\s*\d{0,2}(\.\d+)?)?)?"
    r"\s*[分秒]?\s*(上午|下午|凌晨|晚上|[AaPp]\.?[Mm]\.?)?|0?\.\d+"
)  # the shape of a time of day (21:30, 2130, 93000, 5時, 下午3:12, an Excel fraction), not of a slot


def footer_count(rows: list[list[Any]], declared: int | None, width: int) -> int:
    """Footer lines at the end of ``rows`` (cells): ``declared`` when the mapping gives it, else the rows
    that open with a footer word (a row with few cells filled stays a row: no record is dropped)."""
    if declared is not None:
        return min(declared, len(rows))
    n = 0
    for r in reversed(rows):
        cells = [str(c).strip() for c in r if c is not None and str(c).strip()]
        if not cells or is_footer_text(cells[0]):
            n += 1
            continue
        break
    return n


def footer_note(texts: list[str]) -> str:
    """The report's note on footer lines (their first words only: a signature's name is not shown)."""
    from zzanalytics.privacy import mask_text

    shown = [mask_text(t.split("：")[0].split(":")[0][:12]) for t in texts if t.strip()]
    return (
        f"{len(texts)} footer line(s) below the data are not records (set aside, not counted): "
        + ", ".join(repr(s) for s in shown[:5])
    )


def trim_csv_footer(
    target: Path, declared: int | None, delimiter: str, width: int, tmpdir: str
) -> tuple[Path, list[str]]:
    """The UTF-8 CSV ``target`` without its footer lines (the transcoded copy cut short, or a private copy
    of the data part), and the footer lines' text; the file itself when it has none. Only the file's
    last 64 KiB are read to find them."""
    from zzanalytics.ingest.encoding import open_bytes, open_private

    if declared == 0:
        return target, []
    with open(target, "rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    if gz:  # a gzip-compressed UTF-8 file: unpacked into the private folder first
        plain = Path(tmpdir) / (target.name.removesuffix(".gz") + ".plain.csv")
        with open_bytes(target) as src, open_private(plain) as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
        target = plain
    size = target.stat().st_size
    base = max(0, size - _TAIL)
    with open(target, "rb") as fh:
        fh.seek(base)
        tail = fh.read()
    lines = tail.splitlines(keepends=True)
    if base and lines:  # the first piece is the end of a longer line
        base += len(lines[0])
        lines = lines[1:]
    text = [ln.decode("utf-8", "replace").rstrip("\r\n") for ln in lines]
    most = len(lines) - (1 if base == 0 else 0)  # never the header line
    n = min(declared, most) if declared is not None else min(footer_lines(text, delimiter, width), most)
    foot = [t for t in text[len(text) - n :] if t.strip()] if n else []
    if not foot:
        return target, []
    start = base + sum(len(ln) for ln in lines[: len(lines) - n])
    if target.parent == Path(tmpdir):  # our own copy: cut it short
        os.truncate(target, start)
        out = target
    else:
        out = Path(tmpdir) / (target.name + ".body.csv")
        with open(target, "rb") as src, open_private(out) as dst:
            left = start
            while left > 0 and (chunk := src.read(min(1 << 20, left))):
                dst.write(chunk)
                left -= len(chunk)
    rows, _ = split_lines(foot, delimiter)
    return out, [" ".join(c for c in r if c.strip()) for r in rows]


def renamed_source(m: Any, rel: Any, headers: list[str]) -> tuple[Any, list[str], list[str]]:
    """The file's rows (relation ``rel``) with its headers renamed to the mapping's spelling
    (``[headers]``, or equal once case, spaces and punctuation are ignored); (relation, headers, notes)."""
    wanted: list[str] = []
    for v in m.columns.values():
        wanted += column_headers(v)
    wanted += [h for h in (m.time_column, m.count_column) if h]
    wanted += list((m.records or {}).get("by", []))
    wanted += [r["column"] for r in (m.records or {}).get("rules", {}).values()]
    wanted += list(m.personal)
    renames = rename_headers(headers, m.headers, wanted)
    if not renames:
        return rel, headers, []
    new = [renames.get(h, h) for h in headers]
    cols = ", ".join(f"{ident(a)} AS {ident(b)}" for a, b in renames.items())
    shown = ", ".join(f"{a!r} as {b!r}" for a, b in renames.items())
    return (
        rel.query("renamed", f"SELECT * RENAME ({cols}) FROM renamed"),
        new,
        [f"read the header(s) {shown}"],
    )


def counted_source(m: Any, rel: Any, headers: list[str], path: Path) -> tuple[Any, list[str]]:
    """``[source] count_column``: a row giving N offences becomes N rows (copy 1 … N in ``_copy``, file
    order kept, each copy at its row's ``_line``, or ``_ord``: the row's place in a CSV, whose lines are
    found later); a count that is empty, zero or not a whole number keeps its row once. Returns
    (relation, headers)."""
    from zzanalytics.errors import SourceError

    col = {h.strip(): h for h in headers}.get(m.count_column.strip())
    if col is None:
        raise SourceError(
            f"{path}: has no column {m.count_column!r}, which {m.where} names as [source] count_column; "
            f"the file's columns are {headers}; fix that line to one of them"
        )
    n = f"greatest(COALESCE(TRY_CAST(trim(CAST(r.{ident(col)} AS VARCHAR)) AS BIGINT), 1), 1)"
    where = "" if {"_line", "_ord"} & set(rel.columns) else ", r._zz_o - 1 AS _ord"
    sql = (
        f"SELECT r.* EXCLUDE (_zz_o), k AS _copy{where} FROM "
        "(SELECT *, row_number() OVER () AS _zz_o FROM counted) r, "
        f"unnest(range(1, {n} + 1)) t(k) ORDER BY r._zz_o, k"
    )
    return rel.query("counted", sql), [*headers, "_copy"]


def window_sources(m: Any, plan: dict[str, Any], headers: list[str]) -> None:
    """Set the plan's ``occurred_from``/``occurred_to`` (when the mapping leaves them out) for the rows
    whose time is a window: a date without its time of day (the whole day) or a time slot (``00~02``).
    Their raw value is the date's text (and the slot's, after a ``chr(31)``); the timestamp reader
    makes the window's ends of it (:func:`zzanalytics.ingest.dates.timestamp_sql`, ``window``), so a
    row with a time of day has none."""
    from zzanalytics.ingest.forms import has_clock_sql

    occ = plan.get("occurred_at")
    if occ is None or occ.src is None or "occurred_from" not in plan:
        return
    if "occurred_from" in m.columns or "occurred_to" in m.columns:
        return
    x = f"NULLIF(trim(CAST({occ.src} AS VARCHAR)), '')"
    tod = {h.strip(): h for h in headers}.get(m.time_column.strip()) if m.time_column else None
    if tod:
        t = f"NULLIF(trim(CAST(r.{ident(tod)} AS VARCHAR)), '')"
        src = (  # a time of day (by its shape: the time reader itself is large) makes a point, not a window
            f"CASE WHEN NOT ({has_clock_sql(x)}) "
            f"AND NOT COALESCE(regexp_full_match({t}, {literal(_CLOCKY)}), false) "
            f"THEN concat({x}, chr(31), COALESCE({t}, '')) END"
        )
    else:
        src = f"CASE WHEN NOT ({has_clock_sql(x)}) THEN {x} END"
    plan["occurred_from"].src = plan["occurred_to"].src = src


def date_hints(con: Any, staged: str, reasons: list[str], columns: list[str], calendar: str) -> list[str]:
    """A note when quarantined dates of the staged table ``staged`` look like 民國 years (``108/01/02``:
    year 108 is 2019): set ``[source] calendar = "roc"``; or, with it set, which 民國 dates name no
    real day."""
    from zzanalytics.ingest.forms import roc_like_sql, roc_sql

    codes = [
        i + 1
        for i, (r, c) in enumerate(zip(reasons, columns, strict=True))
        if r in ("unparseable_date", "date_before_floor") and c == "occurred_at"
    ]
    if not codes:
        return []
    x = "trim(_rval)"
    # read as 民國 a date must land in Taiwan's records (year 38 = 1949 on): '1/1/1900', a system's
    # "no date", is no 民國 year 1
    recent = (
        "" if calendar == "roc" else f" AND TRY_CAST({roc_sql(x)} AS TIMESTAMP) >= TIMESTAMP '1949-01-01'"
    )
    where = (
        f"_rc IN ({', '.join(map(str, codes))}) AND {roc_like_sql(x)} "
        f"AND NOT regexp_matches({x}, '^\\d{{4}}[-/.年]'){recent}"
    )
    rows = con.execute(f"SELECT {x}, {roc_sql(x)} FROM {staged} WHERE {where} LIMIT 3").fetchall()
    if not rows:
        return []
    n = con.execute(f"SELECT count(*) FROM {staged} WHERE {where}").fetchall()[0][0]
    shown = ", ".join(f"{raw!r} (民國: {iso})" for raw, iso in rows)
    if calendar == "roc":
        return [f"{n:,} 民國 date(s) name no real day and were quarantined, e.g. {shown}"]
    return [
        f"{n:,} date(s) look like 民國 (Republic of China) years and were quarantined, e.g. {shown}; "
        'set [source] calendar = "roc" in the mapping'
    ]


def address_areas(m: Any, st: Any) -> dict[str, str] | None:
    """Area name → code of the store (names, English names, ``[areas]``) when the mapping reads the area
    from an address; None otherwise or when the store has no areas."""
    spec = m.columns.get("area_code")
    if not isinstance(spec, dict) or spec.get("from") != "address":
        return None
    known = st.area_names()
    pairs = dict(m.areas)
    if len(known):
        pairs.update(zip(known["label"].astype(str), known["area_code"].astype(str), strict=True))
    return {k: v for k, v in pairs.items() if len(k) >= 2} or None


@dataclass
class Shaped:
    """A file's rows as the plan reads them: the relation, its headers, notes, and the file's own rows
    (``raw``, a relation) when records are made of several rows or one row is several."""

    rel: Any
    headers: list[str]
    notes: list[str] = field(default_factory=list)
    raw: Any = None
    how: str = ""

    def read_notes(self, records: int) -> list[str]:
        """The note on rows against records (``[records]``, ``count_column``)."""
        if self.raw is None:
            return []
        rows = self.raw.aggregate("count(*)").fetchall()[0][0]
        return [self.how.format(rows=f"{rows:,}", records=f"{records:,}")]


def shaped_source(m: Any, rel: Any, headers: list[str], path: Path) -> Shaped:
    """The read stage's rows (relation ``rel``) shaped for the plan: headers renamed (``[headers]``),
    rows grouped into records (``[records]``), rows of several offences made into that many
    (``count_column``)."""
    from zzanalytics.ingest.records import grouped_source

    raw = rel
    rel, headers, notes = renamed_source(m, rel, headers)
    out = Shaped(rel, headers, notes)
    if m.records:
        out.rel, out.headers = grouped_source(m, rel, headers, path)
        out.raw, out.how = raw, "{rows} rows formed {records} records ([records] by " + f"{m.records['by']})"
    if m.count_column:
        out.rel, out.headers = counted_source(m, out.rel, out.headers, path)
        out.raw, out.how = raw, "{rows} rows stood for {records} records (" + f"{m.count_column!r} per row)"
    return out
