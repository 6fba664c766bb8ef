"""The briefing's context: the data loaded once from the store, what they cover, the wording, and
the typed results the sections share.

:func:`load` reads everything a briefing needs (read-only) into a :class:`Context`: the period and
area, the records, the reference tables, and the coverage the briefing trusts
(:mod:`~zzanalytics.report.briefing.cover`). Sections word numbers and sentences through the
context (:class:`~zzanalytics.report.briefing.words.Wording`) and ask it before every figure
(``ctx.covers("traffic")``). What sections compute is in ``ctx.results``
(:class:`~zzanalytics.report.briefing.results.Results`): named, typed fields computed once, free of
language, so ``ctx.in_lang("en")`` words the same numbers in English without computing them again.

Examples
--------
>>> ctx = Context.empty(lang="en")
>>> ctx.count(1234), ctx.period, ctx.covers("fire")
('1,234', 'H1', True)
>>> ctx.in_lang("zh").period
'上半年'
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from zzanalytics.errors import ReportError
from zzanalytics.report import phrases
from zzanalytics.report import text as tx
from zzanalytics.report.briefing.results import Results
from zzanalytics.report.briefing.words import WORDS, Wording
from zzanalytics.report.phrases import COMMON, Pair
from zzanalytics.store.coverage import Coverage
from zzanalytics.store.district import Identity

__all__ = ["INDENT", "WORDS", "Context", "load"]

INDENT = "\u3000\u3000"
"""Indent of sub-items in tables (ideographic spaces survive HTML whitespace collapsing)."""


@dataclass
class Context(Wording):
    """Everything a briefing needs, loaded once from the store (read-only), and its wording.

    ``coverage`` is what the data cover (``zz.Coverage``, see :mod:`~zzanalytics.report.briefing.cover`; None
    for a context without a store, which then counts as covered); ``results`` the typed results the
    sections share (computed on first use; ``dataclasses.replace`` makes a context with results of
    its own, :meth:`in_lang` shares them); ``failures`` the sections that failed in this rendering.
    """

    start: pd.Timestamp
    end: pd.Timestamp
    area: str | None
    lang: str
    incidents: pd.DataFrame
    areas: Any
    names: dict[str, str]
    tables: dict[str, pd.DataFrame]
    targets: dict[str, float] = field(default_factory=dict)
    store_path: str | None = None
    county: str | None = None
    streets: Any = None
    ingest_log: pd.DataFrame | None = None
    quarantine: pd.DataFrame | None = None
    district: str | None = None
    currency: str = "CNY"
    coverage: Any = None
    identity: Identity | None = None
    meta: dict[str, str] = field(default_factory=dict)
    all_names: dict[str, dict[str, str]] = field(default_factory=dict)
    options: dict[str, bool] = field(default_factory=dict)
    results: Any = field(default=None, init=False, repr=False, compare=False)
    failures: list[dict[str, str]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if self.results is None:
            self.results = Results(self)

    @classmethod
    def empty(cls, start: Any = "2026-01-01", end: Any = "2026-06-30", lang: str = "zh") -> Context:
        """A context without data (for wording examples and tests).

        Examples
        --------
        >>> Context.empty(lang="en").period
        'H1'
        """
        tables = {name: pd.DataFrame() for name in ("petitions", "disputes", "cameras", "peers", "targets")}
        empty = pd.DataFrame(
            {
                "incident_id": pd.Series(dtype=object),
                "occurred_at": pd.Series(dtype="datetime64[ns, Asia/Shanghai]"),
                "category": pd.Series(dtype=object),
                "area_code": pd.Series(dtype=object),
            }
        )
        return cls(pd.Timestamp(start), pd.Timestamp(end), None, lang, empty, None, {}, tables)

    def in_lang(self, lang: str) -> Context:
        """The same briefing in another language: the same data and the same computed results.

        Examples
        --------
        >>> Context.empty().in_lang("en").subject
        'the district'
        """
        phrases.lang_index(lang)
        names = self.all_names.get(lang, self.names)
        key = phrases.fill(("district", "district_en"), lang)
        district = self.meta.get(key) or self.meta.get("district") or self.district
        other = replace(self, lang=lang, names=names, district=district, failures=[])
        other.results = self.results  # the same numbers, worded in another language
        return other

    # -------------------------------------------------------------- coverage

    @property
    def cov(self) -> Coverage:
        """The coverage to give the analysis functions (``coverage=``): the one the briefing trusts,
        complete for a context without a store.

        Examples
        --------
        >>> Context.empty().cov.basis
        'complete'
        """
        return self.coverage if self.coverage is not None else Coverage.complete()

    def covers(
        self,
        categories: Any = None,
        table: str = "incidents",
        whole: bool = True,
        start: Any = None,
        end: Any = None,
    ) -> bool:
        """Whether the data cover the briefing period (or ``start..end``) for these categories.

        ``categories``: a prefix (``"traffic"``), a list of prefixes, or None (a table without
        categories). ``whole=False`` asks whether the coverage reaches the period at all. A category
        no source holds covers nothing; a context without coverage (no store) covers everything.

        Examples
        --------
        >>> from zzanalytics.store.coverage import Coverage
        >>> day = pd.to_datetime
        >>> cov = Coverage.from_frame(pd.DataFrame({"table": "incidents", "category": ["traffic"],
        ...                           "start": day(["2007-01-01"]), "end": day(["2019-12-31"])}))
        >>> ctx = replace(Context.empty("2021-01-01", "2021-12-31"), coverage=cov)
        >>> ctx.covers("traffic"), ctx.covers("traffic", whole=False), ctx.covers("fire")  # no fire source
        (False, False, False)
        >>> ctx.covers("traffic", start="2019-01-01", end="2019-06-30")
        True
        """
        if self.coverage is None:
            return True
        lo = self.start if start is None else pd.Timestamp(start)
        hi = self.end if end is None else pd.Timestamp(end)
        return bool(self.coverage.covers(lo, hi, categories, table=table, whole=whole))

    def covers_baseline(self, categories: Any = None, table: str = "incidents") -> bool:
        """Whether the data cover the same period last year (what a 同比 needs).

        Examples
        --------
        >>> Context.empty().covers_baseline("fire")
        True
        """
        return self.covers(
            categories,
            table,
            start=self.start - pd.DateOffset(years=1),
            end=self.end - pd.DateOffset(years=1),
        )

    def holds(self, category: Any = None, table: str = "incidents") -> bool:
        """Whether any source of the store holds this category (one of several) or table at all.

        Examples
        --------
        >>> Context.empty().holds("fraud")
        True
        """
        if self.coverage is None:
            return True
        wanted = [category] if category is None or isinstance(category, str) else list(category)
        return any(bool(self.coverage.holds(c, table=table)) for c in wanted)

    def spans(
        self, categories: Any = None, table: str = "incidents"
    ) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
        """The ``(start, end)`` days the data of these categories (or table) cover.

        Examples
        --------
        >>> Context.empty().spans("fire")
        []
        """
        return [] if self.coverage is None else list(self.coverage.span(categories, table=table))

    def coverage_span(self, categories: Any = None, table: str = "incidents") -> str:
        """The days the data of these categories (or table) cover, worded (``2007年1月1日至2019年12月31日``).

        Examples
        --------
        >>> from zzanalytics.store.coverage import Coverage
        >>> day = pd.to_datetime
        >>> cov = Coverage.from_frame(pd.DataFrame({"table": "incidents", "category": ["traffic"],
        ...                           "start": day(["2007-01-01"]), "end": day(["2019-12-31"])}))
        >>> replace(Context.empty(lang="en"), coverage=cov).coverage_span("traffic")
        '1 January 2007 – 31 December 2019'
        """
        spans = self.spans(categories, table)
        if not spans:
            return tx.MISSING
        return self.join(tx.day_span(a, b, self.lang) for a, b in spans)

    def data_gap(self, what: Pair, categories: Any = None, table: str = "incidents") -> str | None:
        """Why the period has no figures for these categories (or table), or ``None`` when the data
        cover the whole period: not ingested, none for this period, or only part of it (with the
        span the data do cover).

        Examples
        --------
        >>> from zzanalytics.store.coverage import Coverage
        >>> day = pd.to_datetime
        >>> cov = Coverage.from_frame(pd.DataFrame({"table": "incidents", "category": ["traffic"],
        ...                           "start": day(["2007-01-01"]), "end": day(["2019-12-31"])}))
        >>> ctx = replace(Context.empty("2021-01-01", "2021-12-31"), coverage=cov)
        >>> ctx.data_gap(("交通事故", "traffic"), "traffic")
        '本期无交通事故数据(现有交通事故数据的时间范围为2007年1月1日至2019年12月31日)。'
        >>> replace(ctx, lang="en").data_gap(("火灾", "fire"), "fire")
        'No fire records were ingested.'
        """
        if self.covers(categories, table):
            return None
        if not self.holds(categories, table) or not self.spans(categories, table):
            return self.no_data(what, "not_ingested")
        span = self.coverage_span(categories, table)
        kind = "partial" if self.covers(categories, table, whole=False) else "none_in_period.span"
        return self.say(COMMON[f"data.{kind}"], what=self.say(what), span=span)

    def baseline_gap(self, what: Pair, categories: Any = None, table: str = "incidents") -> str | None:
        """``去年同期无{what}数据,不作同比`` when the data do not cover the same period last year.

        Examples
        --------
        >>> Context.empty().baseline_gap(("火灾", "fire"), "fire") is None
        True
        """
        if self.covers_baseline(categories, table):
            return None
        return self.say(WORDS["no_baseline"], what=self.say(what))


def load(
    store: Any = None,
    start: Any = None,
    end: Any = None,
    area: str | None = None,
    lang: str = "zh",
    targets: dict[str, float] | None = None,
    county: str | None = None,
) -> Context:
    """Load the briefing's data from a store (path, open Store or ``None`` for the sample).

    Records are loaded up to ``end`` (the training data of the forecasts never sees later
    records), for the whole district (the scorecard compares townships) — sections filter to
    ``area`` themselves. The district's name, currency and the data's coverage come from the
    store; without ``start``/``end`` the period is the default
    (:func:`~zzanalytics.report.briefing.period.default_period`), and a period no data of the
    store reach is refused (:func:`~zzanalytics.report.briefing.period.check_period`); ``area`` is
    a code or a name.

    Examples
    --------
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> ctx.period, ctx.subject  # doctest: +SKIP
    ('上半年', '全区')
    """
    from zzanalytics.report.briefing.cover import briefing_coverage
    from zzanalytics.report.briefing.period import check_period, find_area, opened, resolve_period

    phrases.lang_index(lang)
    with opened(store) as st:
        if start is None or end is None:
            start, end = resolve_period(st, None)
        else:
            check_period(st, start, end)
        start, end = pd.Timestamp(start), pd.Timestamp(end)
        if area not in (None, "", "district"):
            area = find_area(st, str(area))
        incidents = st.incidents(end=end)
        meta = st.meta()
        areas = st.areas()
        streets = st.streets()
        tables = {name: st.table(name) for name in ("petitions", "disputes", "cameras", "peers", "targets")}
        coverage = briefing_coverage(st)
        log = st.ingest_log()
        quarantine = st.quarantine()
        path = str(st.path)
        county = county or meta.get("district")
        identity = st.identity() if hasattr(st, "identity") else None
    all_names = {lang_: township_names(areas, incidents, lang_) for lang_ in phrases.LANGS}
    names = all_names[lang]
    if area not in (None, "", "district") and str(area) not in names:
        raise ReportError(f"area {area!r} is not a township of the store; townships: {sorted(names)}")
    area = None if area in (None, "", "district") else str(area)
    district = meta.get(phrases.fill(("district", "district_en"), lang)) or meta.get("district")
    return Context(
        start=start,
        end=end,
        area=area,
        lang=lang,
        incidents=incidents,
        areas=areas,
        names=names,
        tables=tables,
        targets={**(identity.ceilings if identity is not None else {}), **dict(targets or {})},
        store_path=path,
        county=county,
        streets=streets,
        ingest_log=log,
        quarantine=quarantine,
        district=district or None,
        currency=meta.get("currency") or "CNY",
        coverage=coverage,
        identity=identity,
        meta=dict(meta),
        all_names=all_names,
    )


def township_names(areas: Any, incidents: pd.DataFrame, lang: str) -> dict[str, str]:
    """``area_code -> name`` in ``lang`` from the polygons; without polygons the codes the records
    name (their own names).

    Examples
    --------
    >>> township_names(None, pd.DataFrame({"area_code": ["Annex", None]}), "en")
    {'Annex': 'Annex'}
    """
    if areas is not None and len(areas):
        col = tx.name_column(areas.columns, lang)
        return {str(c): tx.clean(n) or str(c) for c, n in zip(areas["area_code"], areas[col], strict=False)}
    if "area_code" in incidents.columns:
        return {str(c): tx.clean(str(c)) for c in incidents["area_code"].dropna().unique()}
    return {}
