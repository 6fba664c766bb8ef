"""The briefing's context: data loaded once from the store, its wording helpers, and the
selections every section shares.

:func:`load` reads everything a briefing needs (read-only) into a :class:`Context`. Sections
word numbers through the context (``ctx.count(n)`` is ``1,234起`` in Chinese and ``1,234`` in
English) and sentences through their phrase tables (``ctx.say(P["lead"], w)``), so no section
branches on the language.

Examples
--------
>>> ctx = Context.empty(lang="en")
>>> ctx.count(1234), ctx.money(563_000), ctx.change({"current": 11, "baseline": 10, "significant": False})
('1,234', 'CNY 563,000', 'up 10.0% (within normal variation)')
>>> Context.empty().change({"current": 11, "baseline": 10, "significant": True}, what=COMMON["what.count"])
'同比起数上升10.0%(显著)'
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from zzanalytics.clock import wall_time
from zzanalytics.errors import ReportError
from zzanalytics.report import phrases
from zzanalytics.report import text as tx
from zzanalytics.report.district import identity_words, unit_words
from zzanalytics.report.phrases import COMMON, Pair, Phrases
from zzanalytics.schema import category_label, is_criminal, matches, rollup
from zzanalytics.store.coverage import Coverage
from zzanalytics.store.district import Identity

INDENT = "\u3000\u3000"
"""Indent of sub-items in tables (ideographic spaces survive HTML whitespace collapsing)."""


@dataclass
class Context:
    """Everything a briefing needs, loaded once from the store (read-only), and its wording."""

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
    cache: dict[str, Any] = field(default_factory=dict)
    district: str | None = None
    currency: str = "CNY"
    coverage: Coverage | None = None
    identity: Identity | None = None

    @classmethod
    def empty(cls, start: Any = "2026-01-01", end: Any = "2026-06-30", lang: str = "zh") -> Context:
        """A context without data (for wording examples and tests).

        Examples
        --------
        >>> Context.empty(lang="en").period
        'H1'
        """
        tables = {name: pd.DataFrame() for name in ("petitions", "disputes", "cameras", "peers", "targets")}
        return cls(pd.Timestamp(start), pd.Timestamp(end), None, lang, pd.DataFrame(), None, {}, tables)

    @property
    def cov(self) -> Coverage:
        """The store's coverage to give the analysis functions (complete for a context without one)."""
        return self.coverage if self.coverage is not None else Coverage.complete()

    # -------------------------------------------------------------- who and when

    @property
    def subject(self) -> str:
        """Who the sentences are about: the township's name, or the district as it speaks of itself
        (:func:`zzanalytics.report.district.whole`: ``全区`` / ``全县`` …, in English its name).

        Examples
        --------
        >>> from dataclasses import replace
        >>> Context.empty().subject, Context.empty(lang="en").subject
        ('全区', 'the district')
        >>> [replace(Context.empty(), district=n).subject for n in ("金河区", "永登县", "Lakeport")]
        ['全区', '全县', 'Lakeport']
        >>> replace(Context.empty(lang="en"), district="City of Lakeport").subject
        'City of Lakeport'
        """
        if self.area is not None:
            return self.names.get(self.area, self.area)
        return self.words()["subject"]

    @property
    def name(self) -> str:
        """The title's name: the township's, else the district's (``""``: the store records none).

        Examples
        --------
        >>> from dataclasses import replace
        >>> replace(Context.empty(), district="金河区").name, Context.empty(lang="en").name
        ('金河区', '')
        """
        if self.area is not None:
            return self.names.get(self.area, self.area)
        return self.words()["name"]

    def words(self) -> dict[str, str]:
        """The identity in words (:mod:`zzanalytics.report.district`; every sentence may use them).

        >>> Context.empty().words()["area_unit"], Context.empty(lang="en").words()["whole"]
        ('区域', 'the district')
        """
        ident = self.identity or Identity(name=self.district, currency=self.currency)
        return {**identity_words(ident, self.lang), **unit_words(ident, self.lang)}

    def covers(self, categories: Any = None, table: str = "incidents", whole: bool = True) -> bool:
        """Whether the store's data cover the briefing period for these categories (or table).

        ``categories``: a prefix (``"traffic"``), a list of codes, or None (the table as a whole).
        ``whole=False`` asks whether the coverage reaches the period at all. A store without
        recorded coverage covers everything.

        Examples
        --------
        >>> from dataclasses import replace
        >>> day = pd.to_datetime
        >>> cov = pd.DataFrame({"table": "incidents", "category": ["traffic"], "slack": 0,
        ...                     "start": day(["2007-01-01"]), "end": day(["2019-12-31"])})
        >>> ctx = replace(Context.empty("2021-01-01", "2021-12-31"), coverage=Coverage.from_frame(cov))
        >>> ctx.covers("traffic"), ctx.covers("traffic", whole=False), ctx.covers("fire")  # no fire source
        (False, False, False)
        """
        from zzanalytics.aggregate import range_covered

        cov = None if self.coverage is None else self.coverage.to_frame()
        if cov is None or len(cov) == 0:
            return True
        cov = cov[cov["table"] == table] if "table" in cov.columns else cov
        if len(cov) == 0:
            return table == "incidents"  # an incidents store without coverage; other tables: no data
        cats = None
        if table == "incidents" and categories is not None:
            wanted = [categories] if isinstance(categories, str) else list(categories)
            cats = [c for c in cov["category"].dropna().unique() if any(matches(c, w) for w in wanted)]
            if not cats:
                return False
        if whole:
            return range_covered(cov, cats, self.start, self.end)
        mine = cov if cats is None else cov[cov["category"].isin(cats)]
        return bool(((mine["start"] <= self.end) & (mine["end"] >= self.start)).any())

    def coverage_span(self, categories: Any = None, table: str = "incidents") -> str:
        """The days the data of these categories (or table) cover, worded (``2007年1月1日至2019年12月31日``).

        Examples
        --------
        >>> from dataclasses import replace
        >>> day = pd.to_datetime
        >>> cov = pd.DataFrame({"table": "incidents", "category": ["traffic"], "slack": 0,
        ...                     "start": day(["2007-01-01"]), "end": day(["2019-12-31"])})
        >>> replace(Context.empty(lang="en"), coverage=Coverage.from_frame(cov)).coverage_span("traffic")
        '1 January 2007 – 31 December 2019'
        """
        cov = None if self.coverage is None else self.coverage.to_frame()
        if cov is None or len(cov) == 0:
            return tx.MISSING
        cov = cov[cov["table"] == table] if "table" in cov.columns else cov
        if table == "incidents" and categories is not None:
            wanted = [categories] if isinstance(categories, str) else list(categories)
            cov = cov[[any(matches(str(c), w) for w in wanted) for c in cov["category"]]]
        if len(cov) == 0:
            return tx.MISSING
        spans = sorted(
            {(pd.Timestamp(a), pd.Timestamp(b)) for a, b in zip(cov["start"], cov["end"], strict=True)}
        )
        return self.join(tx.day_span(a, b, self.lang) for a, b in spans)

    @property
    def period(self) -> str:
        """``1–10月`` (en ``January–October``), ``上半年`` (``H1``), ``三季度`` (``Q3``) … as it is said.

        Examples
        --------
        >>> Context.empty(end="2026-10-31").period
        '1–10月'
        """
        return tx.period_label(self.start, self.end, self.lang)

    def basics(self) -> dict[str, str]:
        """The worded values every sentence may use: ``period``, ``subject``, ``end_date``.

        Examples
        --------
        >>> Context.empty(lang="en").basics()
        {'period': 'H1', 'subject': 'the district', 'end_date': '30 Jun'}
        """
        return {"period": self.period, "subject": self.subject, "end_date": self.date(self.end)}

    # -------------------------------------------------------------- sentences

    def say(self, pair: Pair, values: Mapping[str, Any] | None = None, **more: Any) -> str:
        """Fill a ``(zh, en)`` phrase in the briefing's language from worded values.

        Examples
        --------
        >>> pair = ("{subject}发生{n}", "{subject!u} recorded {n}")
        >>> Context.empty(lang="en").say(pair, subject="the district", n="3")
        'The district recorded 3'
        """
        units = unit_words(self.identity or Identity(name=self.district), self.lang)
        return phrases.fill(pair, self.lang, {**units, **(values or {})}, **more)

    def join(self, items: Iterable[str], sep: str = "enum") -> str:
        """Join worded items: ``sep`` is ``enum`` (、/, ), ``clause`` (;/; ) or ``series`` (、/; ).

        Examples
        --------
        >>> Context.empty().join(["甲", "乙"]), Context.empty(lang="en").join(["a", "b"], "clause")
        ('甲、乙', 'a; b')
        """
        return self.say(COMMON[f"sep.{sep}"]).join(items)

    def label(self, code: str) -> str:
        """Category label in the briefing's language.

        Examples
        --------
        >>> Context.empty().label("theft.burglary"), Context.empty(lang="en").label("fire")
        ('入室盗窃', 'Fire')
        """
        return category_label(code, self.lang)

    # -------------------------------------------------------------- numbers

    def number(self, x: Any, decimals: int = 0) -> str:
        """:func:`~zzanalytics.report.text.number` (the same in both languages).

        Examples
        --------
        >>> Context.empty().number(1234.56, 1)
        '1,234.6'
        """
        return tx.number(x, decimals)

    def count(self, n: Any, unit: str = "起", noun: tuple[str, str] | None = None) -> str:
        """``1,234起`` (zh) / ``1,234`` (en); ``unit`` is the Chinese measure word, ``noun`` the
        English singular and plural (``("death", "deaths")``: ``1 death``, ``22 deaths``).

        Examples
        --------
        >>> Context.empty().count(3, "人"), Context.empty(lang="en").count(1, "人", ("death", "deaths"))
        ('3人', '1 death')
        """
        return tx.count(n, unit, self.lang, noun)

    def plural(self, phrases: Phrases, key: str, n: Any) -> Pair:
        """The phrase ``key + ".one"`` when ``n`` is 1 and the table has it, else ``key`` (English
        agreement: "1 unit worsened" / "3 units worsened").

        Examples
        --------
        >>> P = Phrases({"n": ("{n}个单位", "{n} units"), "n.one": ("{n}个单位", "{n} unit")})
        >>> Context.empty(lang="en").say(Context.empty(lang="en").plural(P, "n", 1), n="1")
        '1 unit'
        """
        one = f"{key}.one"
        return phrases[one] if one in phrases and not tx.is_missing(n) and float(n) == 1 else phrases[key]

    def pct(self, x: Any, signed: bool = False) -> str:
        """A percentage with one decimal (given in percent).

        Examples
        --------
        >>> Context.empty().pct(5.26, signed=True)
        '+5.3%'
        """
        return tx.pct(x, signed)

    def money(self, amount: Any) -> str:
        """A loss in the store's currency: ``56.3万元`` (zh, CNY) / ``CNY 563,000`` (en); see
        :func:`zzanalytics.report.text.money`.

        Examples
        --------
        >>> Context.empty().money(563_000), Context.empty(lang="en").money(563_000)
        ('56.3万元', 'CNY 563,000')
        """
        return tx.money(amount, self.lang, self.currency, self.words()["money_unit"])

    def date(self, d: Any) -> str:
        """``5月6日`` (zh) / ``6 May`` (en).

        Examples
        --------
        >>> Context.empty().date("2026-05-06"), Context.empty(lang="en").date("2026-05-06")
        ('5月6日', '6 May')
        """
        return tx.date(d, self.lang)

    def probability(self, p: Any) -> str:
        """``73%``, ``<1%``, ``>99%``.

        Examples
        --------
        >>> Context.empty().probability(0.996)
        '>99%'
        """
        return tx.probability(p, self.lang)

    def change(self, r: Mapping[str, Any], lead: str = "later", what: Pair | None = None) -> str:
        """The change of a comparison row (``current``, ``baseline``, ``significant``), worded by
        :func:`zzanalytics.report.phrases.change`.

        Examples
        --------
        >>> r = {"current": 48, "baseline": 21, "significant": True}
        >>> Context.empty().change(r, "compared", COMMON["what.batches"])
        '与去年同期相比批数上升128.6%(显著)'
        """
        if tx.is_missing(r["current"]):  # no source holds it: no data, in this period too
            return self.say(COMMON["change.no_data"])
        return phrases.change(r["current"], r["baseline"], r.get("significant"), self.lang, lead, what)

    def no_data(self, what: Pair, kind: str = "none_in_period") -> str:
        """``本期无{what}数据。`` / ``No {what} data for this period.`` (``kind="not_ingested"``:
        ``未导入{what}数据。``).

        Examples
        --------
        >>> what = ("交通事故", "traffic")
        >>> Context.empty().no_data(what), Context.empty(lang="en").no_data(what)
        ('本期无交通事故数据。', 'No traffic data for this period.')
        """
        return self.say(COMMON[f"data.{kind}"], what=self.say(what))

    def data_gap(self, what: Pair, categories: Any = None, table: str = "incidents") -> str | None:
        """Why the period has no figures for these categories (or table), or ``None`` when the data
        cover the whole period: not ingested, none for this period, or only part of it (with the
        span the data do cover).

        Examples
        --------
        >>> from dataclasses import replace
        >>> day = pd.to_datetime
        >>> cov = pd.DataFrame({"table": "incidents", "category": ["traffic"], "slack": 0,
        ...                     "start": day(["2007-01-01"]), "end": day(["2019-12-31"])})
        >>> ctx = replace(Context.empty("2021-01-01", "2021-12-31"), coverage=Coverage.from_frame(cov))
        >>> ctx.data_gap(("交通事故", "traffic"), "traffic")
        '本期无交通事故数据(现有交通事故数据的时间范围为2007年1月1日至2019年12月31日)。'
        >>> replace(ctx, lang="en").data_gap(("火灾", "fire"), "fire")
        'No fire records were ingested.'
        """
        if self.covers(categories, table):
            return None
        span = self.coverage_span(categories, table)
        if span == tx.MISSING:
            return self.no_data(what, "not_ingested")
        kind = "partial" if self.covers(categories, table, whole=False) else "none_in_period.span"
        return self.say(COMMON[f"data.{kind}"], what=self.say(what), span=span)


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

    Incidents are loaded up to ``end`` (the training data of the forecasts never sees later
    records), for the whole district (the scorecard compares townships) — sections filter to
    ``area`` themselves. The district's name, currency and the data's coverage come from the
    store; a period its criminal cases do not cover is refused
    (:func:`~zzanalytics.report.briefing.period.check_period`); ``area`` is a code or a name.

    Examples
    --------
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> ctx.period, ctx.subject  # doctest: +SKIP
    ('上半年', '全区')
    """
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
        coverage = st.coverage() if hasattr(st, "coverage") else None
        areas = st.areas()
        streets = st.streets()
        tables = {name: st.table(name) for name in ("petitions", "disputes", "cameras", "peers", "targets")}
        log = st.ingest_log()
        quarantine = st.quarantine()
        path = str(st.path)
        county = county or meta.get("district")
        identity = st.identity() if hasattr(st, "identity") else None
    district = meta.get(phrases.fill(("district", "district_en"), lang)) or meta.get("district")
    names = {}
    if areas is not None and len(areas):
        col = tx.name_column(areas.columns, lang)
        names = {str(c): tx.clean(n) or str(c) for c, n in zip(areas["area_code"], areas[col], strict=False)}
    elif "area_code" in incidents.columns:  # no polygons: the townships the records name
        names = {str(c): tx.clean(str(c)) for c in incidents["area_code"].dropna().unique()}
    if area not in (None, "", "district") and str(area) not in names:
        raise ReportError(f"area {area!r} is not a township of the store; townships: {sorted(names)}")
    area = None if area in (None, "", "district") else str(area)
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
    )


# ------------------------------------------------------------------ selections


def local(ctx: Context, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of the briefing's area (all rows for the district).

    Examples
    --------
    >>> ctx = Context.empty()
    >>> ctx.area = "a"
    >>> len(local(ctx, pd.DataFrame({"area_code": ["a", "b", "a"]})))
    2
    """
    if ctx.area is None or "area_code" not in frame.columns:
        return frame
    return frame[frame["area_code"].astype(str) == ctx.area]


def criminal(frame: pd.DataFrame) -> pd.DataFrame:
    """Criminal cases (刑事案件) of an incidents frame.

    Examples
    --------
    >>> frame = pd.DataFrame({"category": ["theft.burglary", "traffic", "fraud.telecom"]})
    >>> criminal(frame)["category"].tolist()
    ['theft.burglary', 'fraud.telecom']
    """
    return _keep(frame, is_criminal)


def with_prefix(frame: pd.DataFrame, prefix: str) -> pd.DataFrame:
    """Incidents whose category is ``prefix`` or below it (``theft`` holds ``theft.burglary``).

    Examples
    --------
    >>> frame = pd.DataFrame({"category": ["theft.burglary", "theft", "traffic"]})
    >>> with_prefix(frame, "theft")["category"].tolist()
    ['theft.burglary', 'theft']
    """
    return _keep(frame, lambda code: matches(code, prefix))


def _keep(frame: pd.DataFrame, test: Any) -> pd.DataFrame:
    codes, uniques = pd.factorize(frame["category"])
    keep = np.array([test(str(u)) for u in uniques] + [False])[codes]
    return frame[keep]


def within(frame: pd.DataFrame, col: str, start: Any, end: Any) -> pd.DataFrame:
    """Rows whose ``col`` (wall time) falls on a day from ``start`` to ``end`` inclusive.

    Examples
    --------
    >>> d = pd.DataFrame({"on": pd.to_datetime(["2025-12-31 23:00", "2026-01-01 08:00", "2026-06-30 23:59"])})
    >>> len(within(d, "on", "2026-01-01", "2026-06-30"))
    2
    """
    d = wall_time(frame[col], what=col)
    return frame[(d >= pd.Timestamp(start)) & (d < pd.Timestamp(end) + pd.Timedelta(days=1))]


def area_polygons(ctx: Context) -> Any:
    """The briefing area's polygons (every township for the district).

    Examples
    --------
    >>> area_polygons(Context.empty()) is None
    True
    """
    if ctx.areas is None or len(ctx.areas) == 0 or ctx.area is None:
        return ctx.areas
    return ctx.areas[ctx.areas["area_code"].astype(str) == ctx.area]


def located(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows with a point (``lon`` and ``lat``).

    Examples
    --------
    >>> len(located(pd.DataFrame({"lon": [103.8, None], "lat": [36.0, 36.1]})))
    1
    """
    if "lon" not in frame.columns:
        return frame.iloc[0:0]
    return frame[frame["lon"].notna() & frame["lat"].notna()]


def total(frame: pd.DataFrame, col: str) -> float:
    """Sum of a numeric column (0 when the column is absent).

    Examples
    --------
    >>> total(pd.DataFrame({"deaths": [1, None, 2]}), "deaths"), total(pd.DataFrame(), "deaths")
    (3.0, 0.0)
    """
    return float(pd.to_numeric(frame[col], errors="coerce").fillna(0).sum()) if col in frame.columns else 0.0


# ------------------------------------------------------------------ comparisons


def compare(ctx: Context, frame: pd.DataFrame, **kwargs: Any) -> pd.DataFrame:
    """:func:`zzanalytics.compare_periods` against last year's period under the coverage (see :func:`row`).

    Examples
    --------
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> compare(ctx, criminal(ctx.incidents))[["current", "baseline", "significant"]]  # doctest: +SKIP
    """
    from zzanalytics.models.compare import compare_periods

    cov = ctx.cov
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = compare_periods(frame, ctx.start, ctx.end, baseline="last_year", coverage=cov, **kwargs)
    if "category" in kwargs.get("by", ()) and "occurred_at" in frame.columns and cov.basis != "complete":
        last = (ctx.start - pd.DateOffset(years=1), ctx.end - pd.DateOffset(years=1))
        for key in sorted({rollup(c, kwargs.get("level")) for c in cov.categories()} - set(out["category"])):
            ok = cov.covers(ctx.start, ctx.end, key) and cov.covers(*last, key)
            pad = dict(NO_DATA, current=0, baseline=0, direction="flat") if ok else NO_DATA
            out = pd.concat([out, pd.DataFrame([{"category": key, **pad}])], ignore_index=True)
    return out


NO_DATA = {"current": np.nan, "baseline": np.nan, "significant": False, "direction": "no_data"}
"""The comparison of a category no source of the store holds: unknown, not zero."""


def row(result: pd.DataFrame, **match: Any) -> dict[str, Any]:
    """The comparison row matching ``match`` as a dict.

    An absent row is zeros (nothing happened, not significant), except for a category: :func:`compare`
    gives a row to every category the store holds, so an absent one has no data.

    Examples
    --------
    >>> result = pd.DataFrame({"category": ["theft"], "current": [5], "baseline": [4], "coverage": "store"})
    >>> row(result, category="fraud")["direction"], row(result)["current"], row(result.iloc[0:0])["current"]
    ('no_data', 5, 0)
    """
    sel = result
    for k, v in match.items():
        sel = sel[sel[k] == v]
    if sel.empty:
        if isinstance(match.get("category"), str) and set(result.get("coverage", [])) - {"complete"}:
            return dict(NO_DATA)
        return {"current": 0, "baseline": 0, "significant": False, "direction": "flat"}
    return sel.iloc[0].to_dict()


def change_table(ctx: Context, rows: list[tuple[str, dict[str, Any]]], unit: str = "起") -> pd.DataFrame:
    """Worded comparison table: item, this period, same period last year, change, test.

    A hidden ``_flag`` column marks significant rises (printed in the alert colour).

    Examples
    --------
    >>> r = {"current": 12, "baseline": 10, "significant": False}
    >>> change_table(Context.empty(), [("盗窃", r)]).iloc[0, :5].tolist()
    ['盗窃', '12起', '10起', '+20.0%', '正常波动']
    """
    out = []
    for label, r in rows:
        p = tx.pct_change(r["current"], r["baseline"])
        sig = bool(r.get("significant"))
        if np.isfinite(p):
            word = ctx.pct(p, signed=True)
            verdict = ctx.say(COMMON["test.significant" if sig else "test.normal"])
        elif tx.is_missing(r["current"]):
            word, verdict = ctx.say(COMMON["change.no_data"]), tx.MISSING
        elif tx.is_missing(r["baseline"]):
            word, verdict = ctx.say(COMMON["test.no_data"]), tx.MISSING
        else:
            word = ctx.say(COMMON["test.new"]) if r["baseline"] == 0 and r["current"] else tx.MISSING
            verdict = tx.MISSING
        out.append(
            {
                ctx.say(COMMON["col.item"]): label,
                ctx.say(COMMON["col.current"]): ctx.count(r["current"], unit),
                ctx.say(COMMON["col.baseline"]): ctx.count(r["baseline"], unit),
                ctx.say(COMMON["col.change"]): word,
                ctx.say(COMMON["col.test"]): verdict,
                "_flag": sig and np.isfinite(p) and p > 0,
            }
        )
    return pd.DataFrame(out)


def monthly(ctx: Context, frame: pd.DataFrame, value: str = "count") -> pd.DataFrame:
    """Monthly counts from January of last year to the period's end (for year-on-year charts).

    Examples
    --------
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> monthly(ctx, criminal(ctx.incidents))["period"].min()  # doctest: +SKIP
    Timestamp('2025-01-01 00:00:00')
    """
    from zzanalytics.aggregate import counts

    first = pd.Timestamp(ctx.end.year - 1, 1, 1)
    return counts(frame, freq="month", by=(), start=first, end=ctx.end, value=value, coverage=ctx.cov)
