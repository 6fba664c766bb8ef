"""The coverage a briefing trusts: the store's, checked against the records themselves.

Ingest decides what each file covers and the store reads it as one value, ``zz.Coverage``
(``docs/coverage.md``); the briefing reads it once (:func:`briefing_coverage`) and asks it before
every figure. It trusts it with one exception: a span that ingest took from the records (not
declared in a mapping) is cut to the *dense* span of all the records of its source — the rule ingest
applies to each file (``zzanalytics.store.spans.dense_span``), applied to the source's files at
once. Monthly spreadsheets of one year that each carry a few late reports of earlier years make
every file look as if it covered those years; together, the earlier years are a thin tail of the
year's records and are no data, so no change is computed against them. No threshold on counts is
involved beyond ingest's own rule: a month counts as covered where the records say the source was
reporting in full. A store that records no coverage is covered where its records are (the store
infers it, and says so).

Examples
--------
>>> day = pd.to_datetime
>>> cov = Coverage.from_frame(pd.DataFrame({"category": ["theft.burglary", "fire"], "slack": [0, 4],
...     "start": day(["2014-01-01", "2011-01-01"]), "end": day(["2021-12-31"] * 2)}))
>>> cov.covers("2021-01-01", "2021-06-30", ["theft"]), slack_of(cov, "fire"), slack_of(cov, "fraud")
(True, 4, 0)
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from zzanalytics.schema import matches
from zzanalytics.store.coverage import Coverage

DAY = pd.Timedelta(days=1)
DATE_COLUMNS = {"incidents": "occurred_at", "petitions": "received_on", "disputes": "found_on"}
CUT = "cut to the dense span of the source's records (the briefing)"
"""Appended to the ``basis`` of a span the briefing cut."""


def slack_of(cov: Any, categories: Any = None, table: str = "incidents") -> int:
    """Days by which the wanted spans (categories or the table) may fall short of the real ones.

    Examples
    --------
    >>> slack_of(Coverage.complete(), "fire")
    0
    """
    s = cov.spans
    s = s[s["table"] == table]
    if table == "incidents" and categories is not None:
        wanted = [categories] if isinstance(categories, str) else list(categories)
        s = s[[any(matches(str(c), w) for w in wanted) for c in s["category"]]]
    return int(s["slack"].max()) if len(s) else 0


def dense_months(months: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """First and last day of the dense span of records counted per month (``month``, ``n``):
    ingest's rule (see the module), months without records counted as 0; None without records.

    Examples
    --------
    >>> months = ["2014-03-01"] + [f"2017-{k:02d}-01" for k in range(1, 13)]
    >>> m = pd.DataFrame({"month": pd.to_datetime(months), "n": [2] + [40] * 12})
    >>> [str(d.date()) for d in dense_months(m)]
    ['2017-01-01', '2017-12-31']
    """
    from zzanalytics.store.spans import dense_span

    m = months[months["n"] > 0]
    if m.empty:
        return None
    counts = m.groupby(pd.to_datetime(m["month"]).dt.to_period("M"))["n"].sum()
    full = pd.period_range(counts.index.min(), counts.index.max(), freq="M")
    counts = counts.reindex(full, fill_value=0)
    listed = [(p.start_time.date(), int(n)) for p, n in counts.items()]
    lo, hi = dense_span(listed)
    return pd.Timestamp(listed[lo][0]), pd.Timestamp(listed[hi][0]) + pd.offsets.MonthEnd(0)


def _day_sql(st: Any, table: str) -> str:
    from zzanalytics.sql import ident, literal

    col = ident(DATE_COLUMNS[table])
    if table == "incidents":
        return f"CAST(timezone({literal(st.timezone)}, {col}) AS DATE)"
    return f"CAST({col} AS DATE)"


def monthly_records(st: Any, table: str, key: str | None) -> pd.DataFrame:
    """Records of a store's dated ``table`` per ``key`` (``source_file`` or ``category``) and month
    (``month``, ``n``), plus each key's first and last day (``first``, ``last``), by SQL.

    Examples
    --------
    >>> with opened(None) as st:  # doctest: +SKIP
    ...     monthly_records(st, "petitions", "source_file").head(2)
    """
    from zzanalytics.sql import ident

    day = _day_sql(st, table)
    k = ident(key) if key else "NULL"
    try:
        sql = (
            "SELECT \"key\", date_trunc('month', d) AS month, count(*) AS n, min(d) AS first, max(d) AS last "
            f'FROM (SELECT {k} AS "key", {day} AS d FROM {ident(table)}) WHERE d IS NOT NULL GROUP BY 1, 2'
        )
        return st.con.execute(sql + " ORDER BY 1, 2").df()
    except Exception:
        return pd.DataFrame(columns=["key", "month", "n", "first", "last"])


def trimmed(cov: Coverage, by_file: pd.DataFrame, months: dict[str, pd.DataFrame]) -> Coverage:
    """``cov`` with each undeclared span cut to the dense span of all the records of its source
    (every file and category of it); a span outside it is dropped. ``by_file``: the store's
    coverage rows (which files make a source); ``months``: per table, records per ``key`` (source
    file) and ``month`` (:func:`monthly_records`).

    Twelve monthly files of one source, each with a late report of an earlier year: each file
    alone looks as if it covered 2014-2017; together the earlier years are a thin tail.

    Examples
    --------
    >>> files = [f"{k:02d}.xlsx" for k in range(1, 13)]
    >>> ends = pd.date_range("2017-01-01", periods=12, freq="MS") + pd.offsets.MonthEnd(0)
    >>> rows = pd.DataFrame({"table": "incidents", "category": "theft", "source": "police",
    ...                      "source_file": files, "first": pd.Timestamp("2014-01-01"), "last": ends})
    >>> cov = Coverage.from_frame(pd.DataFrame({"category": ["theft"], "source": ["police"],
    ...                                         "start": ["2014-01-01"], "end": ["2017-12-31"]}))
    >>> early = [pd.Timestamp(2014 + k % 3, 1 + k, 1) for k in range(12)]
    >>> late = pd.DataFrame({"key": files, "month": early, "n": 1})
    >>> full = pd.DataFrame({"key": files, "month": ends - pd.offsets.MonthBegin(1), "n": 90})
    >>> trimmed(cov, rows, {"incidents": pd.concat([late, full])}).span("theft")
    [(Timestamp('2017-01-01 00:00:00'), Timestamp('2017-12-31 00:00:00'))]
    """
    spans = cov.spans
    if spans.empty or by_file is None or by_file.empty:
        return cov
    files = by_file.assign(source=by_file.get("source"))
    for i, span in spans.iterrows():
        counted = months.get(str(span["table"]))
        if bool(span["declared"]) or counted is None or counted.empty:
            continue
        mine = files[files["table"] == span["table"]]
        if pd.notna(span["source"]):
            mine = mine[mine["source"] == span["source"]]
        else:  # a store that names no sources: the files holding this category
            mine = mine[mine["source"].isna() & (mine["category"].fillna("") == (span["category"] or ""))]
        dense = dense_months(counted[counted["key"].isin(set(mine["source_file"]))]) if len(mine) else None
        if dense is None:
            continue  # a span the store inferred from records it holds no file of
        lo, hi = max(span["start"], dense[0]), min(span["end"], dense[1])
        if (lo, hi) != (span["start"], span["end"]):
            spans.loc[i, ["start", "end", "basis"]] = [lo, hi, f"{span['basis']}; {CUT}"]
    return Coverage(spans[spans["start"] <= spans["end"]], cov.basis)


def briefing_coverage(st: Any) -> Coverage:
    """The coverage a briefing of store ``st`` trusts (see the module).

    Examples
    --------
    >>> with opened(None) as st:  # doctest: +SKIP
    ...     briefing_coverage(st).covers("2026-01-01", "2026-06-30", "fire")
    True
    """
    cov = st.coverage()
    months = {t: monthly_records(st, t, "source_file") for t in DATE_COLUMNS}
    return trimmed(cov, st.coverage(by_file=True), months)
