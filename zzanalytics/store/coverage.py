"""What the data can speak for: :class:`Coverage`, one immutable value (see ``docs/coverage.md``).

Inside a category's coverage a period without records is a real **zero**; outside it there is
**no data**, which is not zero. Every function that turns absence into a number takes a
``coverage=`` argument (a :class:`Coverage` or a store); nothing rides on ``DataFrame.attrs``,
which ``merge`` drops and ``concat`` keeps only when its inputs agree.

Examples
--------
>>> import pandas as pd
>>> inc = pd.DataFrame({"occurred_at": pd.date_range("2024-01-01", "2024-12-31", freq="6h"),
...                     "category": "theft.burglary"})
>>> cov = Coverage.infer(inc)
>>> cov.covers("2024-03-01", "2024-03-31", "theft"), cov.covers("2023-03-01", "2023-03-31", "theft")
(True, False)
>>> cov.holds("fraud")
False
"""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import numpy as np
import pandas as pd

from zzanalytics.clock import wall_day, wall_time
from zzanalytics.errors import SchemaError
from zzanalytics.schema import category_label, matches
from zzanalytics.store.spans import (
    DATE_COLUMNS,
    _intersect,
    _merge,
    _spans_from_days,
    _unrecorded,
    covered,
    hole_days,
    read_coverage,
    record_runs,
)
from zzanalytics.wording import Phrases

__all__ = ["BASES", "DATE_COLUMNS", "Coverage", "CoverageWarning", "coverage_for", "covered"]


BASES = ("store", "inferred", "frame", "complete")
"""How a :class:`Coverage` was obtained (its :attr:`Coverage.basis`)."""

COLUMNS = ["table", "category", "source", "start", "end", "slack", "declared", "rows", "outside", "basis"]

_DAY = pd.Timedelta(days=1)


WORDS = Phrases(
    {
        "complete": ("数据视为完整：无记录即为零", "data taken as complete: absence is zero"),
        "head.store": (
            "数据覆盖范围（数据库记录）；范围之外为无数据，不是零",
            "coverage (as the store records it); outside it there is no data, which is not zero",
        ),
        "head.inferred": (
            "数据覆盖范围（由记录推断）；范围之外为无数据，不是零",
            "coverage (inferred from the records); outside it there is no data, which is not zero",
        ),
        "head.frame": (
            "数据覆盖范围（给定）；范围之外为无数据，不是零",
            "coverage (as given); outside it there is no data, which is not zero",
        ),
        "none": ("  无", "  none: no source holds any data"),
        "span": ("{start}至{end}", "{start} to {end}"),
        "all": ("(全部)", "(all)"),
        "unnamed": ("(未命名)", "(unnamed)"),
        "line": ("  {table} {spans}：{names}", "  {table} {spans}: {names}"),
        "source": ("  来源 {name}：{basis}", "  source {name}: {basis}"),
    },
    name="coverage",
)
"""How :meth:`Coverage.describe` words coverage, Chinese and English."""


class CoverageWarning(UserWarning):
    """A function was given records without their coverage and inferred it from them."""


def _frame(rows: Any = None) -> pd.DataFrame:
    """A spans frame with the columns and types of :attr:`Coverage.spans`."""
    f = pd.DataFrame(rows if rows is not None else [], columns=COLUMNS)
    for c in ("start", "end"):
        f[c] = pd.to_datetime(f[c]).astype("datetime64[ns]")
    for c in ("slack", "rows", "outside"):
        f[c] = pd.to_numeric(f[c]).fillna(0).astype(np.int64)
    f["declared"] = f["declared"].fillna(False).astype(bool)
    for c in ("table", "category", "source", "basis"):
        f[c] = f[c].astype(object).where(f[c].notna(), None)
    return f.sort_values(["table", "category", "start"], key=_nulls_first, kind="stable").reset_index(
        drop=True
    )


def _nulls_first(col: pd.Series) -> pd.Series:
    return col.fillna("") if col.dtype == object else col


class Coverage:
    """What the data cover, per table × category × source: an immutable value.

    Build it with :meth:`from_store` (``st.coverage()``), :meth:`infer`, :meth:`from_frame` or
    :meth:`complete`; give it to every function that turns absence into a number
    (``coverage=cov``, or ``coverage=st``).

    Attributes
    ----------
    spans : DataFrame
        ``table, category, source, start, end, slack, declared, rows, outside, basis``: one row
        per merged span of a source (a copy; the value itself never changes).
    basis : str
        ``"store"``, ``"inferred"``, ``"frame"`` or ``"complete"``: how the value was obtained.

    Examples
    --------
    >>> spans = pd.DataFrame({"table": "incidents", "category": ["fire"],
    ...                       "start": pd.to_datetime(["2020-01-01"]), "end": pd.to_datetime(["2021-12-31"])})
    >>> cov = Coverage.from_frame(spans)
    >>> cov.covers("2021-01-01", "2021-06-30", "fire"), cov.holds("theft")
    (True, False)
    >>> cov
    Coverage(basis='frame', 1 span)
      incidents  2020-01-01 to 2021-12-31: fire
    """

    __slots__ = ("_basis", "_spans")

    def __init__(self, spans: pd.DataFrame, basis: str) -> None:
        if basis not in BASES:
            raise SchemaError(f"basis was {basis!r} but is expected to be one of {list(BASES)}")
        object.__setattr__(self, "_spans", _frame(spans[COLUMNS].to_dict("records")))
        object.__setattr__(self, "_basis", basis)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Coverage is immutable; build a new one (clip, table, from_frame)")

    # ------------------------------------------------------------------ constructors

    @classmethod
    def from_store(cls, store: Any, table: str | None = None) -> Coverage:
        """What a store's sources cover, as ingest recorded it (its ``coverage`` table).

        Spans of one source, table and category merge where they touch; a gap between them is a
        known gap. A category the store holds records of but records no coverage for (a store
        built before coverage was recorded, or rows written by hand) is inferred from its
        records, and its ``basis`` says so. ``table`` keeps one table.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from zzanalytics.store import open_store
        >>> with open_store(pathlib.Path(tempfile.mkdtemp()) / "c.duckdb", read_only=False) as st:
        ...     Coverage.from_store(st).basis, len(st.coverage().spans)
        ('store', 0)
        """
        con = getattr(store, "con", store)
        files = read_coverage(con, table, by_file=True)
        rows: list[dict[str, Any]] = []
        keys = (
            files[["table", "category", "source"]]
            .astype(object)
            .where(files[["table", "category", "source"]].notna(), "")
        )
        for _, g in files.groupby([keys["table"], keys["category"], keys["source"]], sort=True):
            first = g.iloc[0]
            ivals = _merge(zip(g["first"], g["last"], g["slack"], strict=True))
            for a, b, k in ivals:
                inside = g[(g["first"] <= b) & (g["last"] >= a)]
                texts = [t for t in inside["basis"].dropna().unique() if t]
                if not texts:
                    texts = ["declared in the mapping" if inside["declared"].any() else "from the records"]
                rows.append(
                    {"table": first["table"], "category": first["category"], "source": first["source"]}
                    | {"start": a, "end": b, "slack": k, "declared": bool(inside["declared"].all())}
                    | {"rows": int(inside["rows"].sum()), "outside": int(inside["outside"].sum())}
                    | {"basis": "; ".join(texts)}
                )
        rows += _unrecorded(store, con, files, table)
        return cls(_frame(rows), "store")

    @classmethod
    def infer(cls, frame: pd.DataFrame, table: str | None = None, tz: str | None = None) -> Coverage:
        """Conservative coverage from a frame's own records (basis ``"inferred"``).

        Per category present (incidents) or for the table: the dense span of its records, with
        the rule and the slack ingest uses (``zzanalytics.store.spans.dense_span``,
        ``slack_days``), split where a run without records is longer than chance explains
        (``hole_days``). A category the frame lacks is not held: it has no data, never zeros.

        Parameters
        ----------
        frame : DataFrame
            Records with the table's date column (``occurred_at``, ``received_on``, ``found_on``).
        table : str, optional
            ``incidents``, ``petitions`` or ``disputes``; default: from the date column present.
        tz : str, optional
            Zone whose wall clock cuts days (as in :func:`zzanalytics.counts`); default: the
            zone the dates carry.

        Examples
        --------
        >>> inc = pd.DataFrame({"occurred_at": pd.date_range("2024-01-01", "2024-06-30", freq="8h"),
        ...                     "category": "fire"})
        >>> Coverage.infer(inc).span("fire")
        [(Timestamp('2024-01-01 00:00:00'), Timestamp('2024-06-30 00:00:00'))]
        """
        table = table or _table_of(frame)
        col = DATE_COLUMNS[table]
        if col not in frame.columns:
            raise SchemaError(
                f"Coverage.infer: no {col!r} column for {table}; columns: {list(frame.columns)}"
            )
        days = wall_time(frame[col], tz, what=col).dt.normalize()
        rows: list[dict[str, Any]] = []
        if table == "incidents" and "category" in frame.columns:
            for cat, d in days.groupby(frame["category"].to_numpy(), sort=True):
                if isinstance(cat, str):
                    rows += _spans_from_days(d, table, cat, None, "the frame's records")
        else:
            rows += _spans_from_days(days, table, None, None, "the frame's records")
        return cls(_frame(rows), "inferred")

    @classmethod
    def from_frame(cls, spans: pd.DataFrame) -> Coverage:
        """Coverage from a spans frame built by hand or saved (``cov.spans.to_parquet(...)``).

        Needs ``start``, ``end``; ``table`` defaults to incidents, ``category`` to None, the
        other columns of :attr:`spans` to their empty values. Basis ``"frame"``.

        Examples
        --------
        >>> s = pd.DataFrame({"category": ["fire"], "start": ["2020-01-01"], "end": ["2020-12-31"]})
        >>> Coverage.from_frame(s).categories()
        ['fire']
        """
        if not isinstance(spans, pd.DataFrame):
            raise SchemaError(f"Coverage.from_frame takes a spans frame, not {type(spans).__name__}")
        missing = [c for c in ("start", "end") if c not in spans.columns]
        if missing:
            raise SchemaError(
                f"Coverage.from_frame: the spans frame lacks {missing}; columns: {list(spans.columns)}"
            )
        f = spans.copy()
        defaults = {"table": "incidents", "category": None, "source": None, "slack": 0}
        defaults |= {"declared": False, "rows": 0, "outside": 0, "basis": "given as a frame"}
        for c, v in defaults.items():
            if c not in f.columns:
                f[c] = v
        f["start"], f["end"] = (
            pd.to_datetime(f["start"]).dt.normalize(),
            pd.to_datetime(f["end"]).dt.normalize(),
        )
        return cls(_frame(f[COLUMNS].to_dict("records")), "frame")

    @classmethod
    def complete(cls) -> Coverage:
        """ "These data are complete: absence is zero" — for every table, category and day.

        Examples
        --------
        >>> Coverage.complete().covers("1990-01-01", "2090-12-31", "anything")
        True
        """
        return cls(_frame(), "complete")

    # ------------------------------------------------------------------ reading

    @property
    def spans(self) -> pd.DataFrame:
        """One row per merged span of a source (a copy)."""
        return self._spans.copy()

    @property
    def basis(self) -> str:
        """``"store"``, ``"inferred"``, ``"frame"`` or ``"complete"``."""
        return self._basis

    def to_frame(self) -> pd.DataFrame:
        """Spans merged per table and category over sources: ``table, category, start, end, slack``.

        Examples
        --------
        >>> Coverage.complete().to_frame().columns.tolist()
        ['table', 'category', 'start', 'end', 'slack']
        """
        rows = []
        s = self._spans
        keys = s[["table", "category"]].fillna("")
        for (t, c), g in s.groupby([keys["table"], keys["category"]], sort=True):
            for a, b, k in _merge(zip(g["start"], g["end"], g["slack"], strict=True)):
                rows.append((t, c or None, a, b, k))
        out = pd.DataFrame(rows, columns=["table", "category", "start", "end", "slack"])
        out["category"] = out["category"].astype(object).where(out["category"].notna(), None)
        for c in ("start", "end"):
            out[c] = pd.to_datetime(out[c]).astype("datetime64[ns]")
        out["slack"] = out["slack"].astype(np.int64)
        return out

    def table(self, name: str) -> Coverage:
        """The coverage of one table (``incidents``, ``petitions``, ``disputes``).

        Examples
        --------
        >>> Coverage.complete().table("petitions").basis
        'complete'
        """
        return Coverage(self._spans[self._spans["table"] == name], self._basis)

    def categories(self, table: str = "incidents") -> list[str]:
        """The categories some source holds (sorted).

        Examples
        --------
        >>> Coverage.from_frame(pd.DataFrame({"category": ["b", "a"], "start": ["2020-01-01"] * 2,
        ...                                   "end": ["2020-12-31"] * 2})).categories()
        ['a', 'b']
        """
        s = self._spans
        return sorted({str(c) for c in s.loc[s["table"] == table, "category"].dropna()})

    def holds(self, category: str | None = None, table: str = "incidents") -> bool:
        """Whether any source holds the category or one below it (``"theft"`` holds ``theft.burglary``);
        ``category`` None: whether any source holds the table. ``complete`` holds everything.

        Examples
        --------
        >>> cov = Coverage.from_frame(pd.DataFrame({"category": ["theft.burglary"],
        ...                                         "start": ["2020-01-01"], "end": ["2020-12-31"]}))
        >>> cov.holds("theft"), cov.holds("theft.burglary"), cov.holds("fraud")
        (True, True, False)
        """
        if self._basis == "complete":
            return True
        if category is None or table != "incidents":
            return bool((self._spans["table"] == table).any())
        return any(matches(c, category) for c in self.categories(table))

    def _members(self, wanted: Any, table: str, exact: bool = False) -> list[str] | None:
        """Held categories below each wanted prefix (``exact``: of that very name); None: the table
        as a whole; [] stands for a wanted category no source holds."""
        if wanted is None or table != "incidents":
            return None
        wanted = [wanted] if isinstance(wanted, str) else [str(w) for w in wanted]
        held = self.categories(table)
        out: list[str] = []
        for w in wanted:
            found = [c for c in held if (c == w if exact else matches(c, w))]
            if not found:
                return []
            out += found
        return sorted(set(out))

    def _intervals(self, categories: Any, table: str, exact: bool = False) -> list[tuple[Any, Any, int]]:
        """Covered (start, end, slack) of the categories (all of them) or the table (any source)."""
        s = self._spans[self._spans["table"] == table]
        members = self._members(categories, table, exact)
        if members is None:
            return _merge(zip(s["start"], s["end"], s["slack"], strict=True))
        if not members:
            return []
        out: list[tuple[Any, Any, int]] | None = None
        for c in members:
            g = s[s["category"] == c]
            mine = _merge(zip(g["start"], g["end"], g["slack"], strict=True))
            out = mine if out is None else _intersect(out, mine)
        return out or []

    def covers(
        self,
        start: Any,
        end: Any,
        categories: Any = None,
        table: str = "incidents",
        whole: bool = True,
        exact: bool = False,
    ) -> bool:
        """Whether every wanted category covers every day from ``start`` to ``end`` (each within its
        span widened by its slack). ``categories``: a prefix, a list, or None (some source of the
        table covers every day); ``exact``: category names, not prefixes (``"traffic"`` then
        leaves out ``traffic.major``). ``whole=False``: whether the range touches coverage at all.
        A category no source holds covers nothing.

        Examples
        --------
        >>> cov = Coverage.from_frame(pd.DataFrame({"category": ["fire", "assault"],
        ...     "start": ["2011-01-01", "2014-01-01"], "end": ["2022-12-31", "2021-12-31"]}))
        >>> cov.covers("2012-01-01", "2012-06-30", "fire"), cov.covers("2013-01-01", "2013-06-30")
        (True, True)
        >>> cov.covers("2013-01-01", "2013-06-30", ["fire", "assault"]), cov.covers("2015", "2015", "fraud")
        (False, False)
        """
        if self._basis == "complete":
            return True
        lo, hi = wall_day(start, what="start"), wall_day(end, what="end")
        if not whole:
            s = self._spans[self._spans["table"] == table]
            members = self._members(categories, table, exact)
            if members is not None:
                s = s[s["category"].isin(members)]
            return bool(((s["start"] <= hi) & (s["end"] >= lo)).any())
        pad = [
            (a - pd.Timedelta(days=k), b + pd.Timedelta(days=k))
            for a, b, k in self._intervals(categories, table, exact)
        ]
        return any(a <= lo and hi <= b for a, b in pad)

    def covered_periods(
        self,
        periods: Any,
        freq: str,
        categories: Any = None,
        table: str = "incidents",
        partial: bool = False,
        exact: bool = False,
    ) -> np.ndarray:
        """Bool mask of the periods (first days) that every wanted category covers (see :func:`covered`).

        Each category is asked on its own and the answers are and-ed: with ``partial=True`` a
        period is covered when every category reaches into it, even on different days (the
        count of a rolled-up category then covers part of the period, as ``partial`` says).
        ``exact`` as in :meth:`covers`.

        Examples
        --------
        >>> cov = Coverage.from_frame(pd.DataFrame({"category": ["fire", "theft"], "start": ["2020-01-10",
        ...                                         "2020-01-01"], "end": ["2020-03-31", "2020-01-05"]}))
        >>> cov.covered_periods(pd.to_datetime(["2020-01-01", "2020-02-01"]), "month", "fire").tolist()
        [False, True]
        >>> jan = pd.to_datetime(["2020-01-01"])
        >>> cov.covered_periods(jan, "month", ["fire", "theft"], partial=True).tolist()
        [True]
        """
        if self._basis == "complete":
            return np.ones(len(periods), dtype=bool)
        members = self._members(categories, table, exact)
        if members is None:
            return covered(periods, freq, self._intervals(None, table), partial)
        ok = np.full(len(periods), bool(members))
        for m in members:
            ok &= covered(periods, freq, self._intervals([m], table, exact=True), partial)
        return ok

    def span(
        self, categories: Any = None, table: str = "incidents"
    ) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
        """The (start, end) day ranges that every wanted category (or some source of the table) covers.

        Examples
        --------
        >>> cov = Coverage.from_frame(pd.DataFrame({"category": ["a", "b"],
        ...     "start": ["2020-01-01", "2020-06-01"], "end": ["2020-12-31", "2021-06-30"]}))
        >>> [(str(a.date()), str(b.date())) for a, b in cov.span(["a", "b"])]
        [('2020-06-01', '2020-12-31')]
        """
        return [(a, b) for a, b, _ in self._intervals(categories, table)]

    def gaps(
        self, categories: Any = None, table: str = "incidents"
    ) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
        """Known gaps: the days between covered ranges of :meth:`span`.

        Examples
        --------
        >>> cov = Coverage.from_frame(pd.DataFrame({"category": ["fire"] * 2,
        ...     "start": ["2020-01-01", "2021-01-01"], "end": ["2020-06-30", "2021-12-31"]}))
        >>> [(str(a.date()), str(b.date())) for a, b in cov.gaps("fire")]
        [('2020-07-01', '2020-12-31')]
        """
        s = self.span(categories, table)
        return [(b + _DAY, a2 - _DAY) for (_, b), (a2, _) in itertools.pairwise(s)]

    def clip(self, start: Any = None, end: Any = None) -> Coverage:
        """The coverage cut to the days ``start``..``end`` (either may be None).

        Examples
        --------
        >>> cov = Coverage.from_frame(pd.DataFrame({"category": ["fire"], "start": ["2020-01-01"],
        ...                                         "end": ["2020-12-31"]}))
        >>> cov.clip(end="2020-06-30").span("fire")[0][1]
        Timestamp('2020-06-30 00:00:00')
        """
        if self._basis == "complete":
            return self
        s = self._spans.copy()
        if start is not None:
            s["start"] = s["start"].clip(lower=wall_day(start, what="start"))
        if end is not None:
            s["end"] = s["end"].clip(upper=wall_day(end, what="end"))
        return Coverage(s[s["start"] <= s["end"]], self._basis)

    def within_records(self, frame: pd.DataFrame, table: str, tz: str | None = None) -> Coverage:
        """The coverage cut to the stretches of days the frame's records hold, taken **as a whole**
        (every category together) and split where more days pass without any record than their
        rate explains (:func:`hole_days`): a frame cut in time is no data where it was cut, one
        category's lull while others go on stays a real zero; each stretch reaches ``3 / rate``
        days past its records (docs/coverage.md, "Record stretches").

        Examples
        --------
        >>> cov = Coverage.from_frame(pd.DataFrame({"category": ["fire"], "start": ["2020-01-01"],
        ...                                         "end": ["2021-12-31"]}))
        >>> inc = pd.DataFrame({"occurred_at": pd.date_range("2021-01-03", "2021-12-31", freq="4h")})
        >>> cov.within_records(inc, "incidents").span("fire")  # 2020 is cut; 3 / rate = 1 day of slack
        [(Timestamp('2021-01-02 00:00:00'), Timestamp('2021-12-31 00:00:00'))]
        """
        col = DATE_COLUMNS.get(table)
        if self._basis == "complete" or col not in frame.columns or frame[col].notna().sum() == 1:
            return self  # complete, or one record: nothing shows where a frame was cut
        days = wall_time(frame[col], tz, what=col).to_numpy(dtype="datetime64[ns]")
        d = days[~np.isnat(days)]
        gap = (np.ptp(d) // np.timedelta64(1, "D") + 1) / max(d.size - 1, 1) if d.size else 1.0
        hole = hole_days(d.size, int(np.ceil(gap * d.size)))  # at the records' own rate
        runs = record_runs(days, hole)
        pad = pd.Timedelta(days=min(hole, int(np.ceil(3.0 * gap))))
        parts = [self._spans.iloc[0:0]]
        for a, b in runs:
            s = self._spans.copy()
            s["start"], s["end"] = s["start"].clip(lower=a - pad), s["end"].clip(upper=b + pad)
            parts.append(s[s["start"] <= s["end"]])
        return Coverage(pd.concat(parts, ignore_index=True), self._basis)

    # ------------------------------------------------------------------ for people

    def describe(self, lang: str = "en") -> list[str]:
        """Lines for people (``zz info``, the briefing's data note): spans per table and categories,
        then each source's basis.

        Examples
        --------
        >>> cov = Coverage.from_frame(pd.DataFrame({"category": ["fire"], "start": ["2020-01-01"],
        ...                                         "end": ["2020-12-31"]}))
        >>> cov.describe("zh")[1]
        '  incidents  2020-01-01至2020-12-31：fire 火灾'
        """
        if self._basis == "complete":
            return [WORDS.say("complete", lang)]
        return [WORDS.say(f"head.{self._basis}", lang), *self._lines(lang, labels=True)]

    def _lines(self, lang: str, labels: bool) -> list[str]:
        """A line per table and set of spans, with its categories; then each source's basis."""
        if self._spans.empty:
            return [WORDS.say("none", lang)]
        groups: dict[tuple[str, str], list[str]] = {}
        merged = self.to_frame()
        for (t, c), g in merged.groupby(["table", merged["category"].fillna("")], sort=True):
            pairs = zip(g["start"], g["end"], strict=True)
            text = ", ".join(
                WORDS.say("span", lang, start=f"{a:%Y-%m-%d}", end=f"{b:%Y-%m-%d}") for a, b in pairs
            )
            name = c or WORDS.say("all", lang)
            if c and labels:
                name = f"{c} {category_label(c, lang)}"
            groups.setdefault((t, text), []).append(name)
        out = [
            WORDS.say("line", lang, table=f"{t:<10}", spans=text, names=", ".join(n))
            for (t, text), n in groups.items()
        ]
        if labels:
            src = self._spans["source"].fillna("")
            for (name, basis), _ in self._spans.groupby([src, "basis"], sort=True):
                out.append(WORDS.say("source", lang, name=name or WORDS.say("unnamed", lang), basis=basis))
        return out

    def __repr__(self) -> str:
        n = len(self._spans)
        head = f"Coverage(basis={self._basis!r}, {n} span{'' if n == 1 else 's'})"
        return "\n".join([head, *([] if self._basis == "complete" else self._lines("en", labels=False))])

    def __reduce__(self) -> tuple[Any, ...]:
        return (Coverage, (self._spans, self._basis))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Coverage):
            return NotImplemented
        return self._basis == other._basis and self._spans.equals(other._spans)

    __hash__ = None  # type: ignore[assignment]


def _table_of(frame: pd.DataFrame) -> str:
    for t, c in DATE_COLUMNS.items():
        if c in frame.columns:
            return t
    raise SchemaError(
        f"no date column of a dated table ({list(DATE_COLUMNS.values())}); columns: {list(frame.columns)}"
    )


def coverage_for(
    coverage: Any,
    frame: pd.DataFrame,
    *,
    table: str = "incidents",
    call: str = "this function",
    tz: str | None = None,
    stacklevel: int = 3,
) -> Coverage:
    """The :class:`Coverage` a function works with, from its ``coverage=`` argument and its records.

    ``coverage``: a :class:`Coverage`, a store (its :meth:`Coverage.from_store`), or None — then it
    is inferred from ``frame`` (:meth:`Coverage.infer`) with a :class:`CoverageWarning` naming
    ``call`` and how to pass the store's. Except for :meth:`Coverage.complete`, the result is cut
    to the runs of days ``frame``'s records hold (:meth:`Coverage.within_records`), so a frame cut
    in time never counts the days it was cut from as zeros. ``tz``: the zone whose wall clock
    cuts days, as the calling function's; ``stacklevel`` points the warning at the analyst's call.

    Examples
    --------
    >>> inc = pd.DataFrame({"occurred_at": pd.to_datetime(["2024-01-01"]), "category": "fire"})
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     coverage_for(None, inc, call="counts()").basis, w[0].category.__name__
    ('inferred', 'CoverageWarning')
    """
    if coverage is None:
        name = call.split("(")[0]
        warnings.warn(
            f"{call}: no coverage given, so it was inferred from the frame's own records (each category's "
            f"dense span; categories it lacks have no data). Pass the store's: {name}(..., coverage=st) "
            "or coverage=st.coverage()",
            CoverageWarning,
            stacklevel=stacklevel,
        )
        cov = Coverage.infer(frame, table, tz)
    elif isinstance(coverage, Coverage):
        cov = coverage
    elif isinstance(coverage, bool):
        raise SchemaError(
            f"{call}: coverage={coverage} is not a coverage; pass coverage=st (the store), "
            "st.coverage(), or zz.Coverage.complete() to say the data are complete (absence is zero)"
        )
    elif hasattr(coverage, "coverage") and hasattr(coverage, "con"):
        cov = coverage.coverage()
    elif isinstance(coverage, pd.DataFrame):
        raise SchemaError(
            f"{call}: coverage= was a frame; pass coverage=st (the store), st.coverage(), "
            "or wrap the spans: zz.Coverage.from_frame(spans)"
        )
    else:
        raise SchemaError(
            f"{call}: coverage= was {type(coverage).__name__}; pass coverage=st (the store) or a zz.Coverage"
        )
    return cov.within_records(frame, table, tz)
