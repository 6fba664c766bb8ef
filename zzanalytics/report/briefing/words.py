"""How a briefing words its numbers and sentences: the wording half of its context.

:class:`Wording` is mixed into :class:`~zzanalytics.report.briefing.context.Context`. Sections word
numbers through it (``ctx.count(n)`` is ``1,234起`` in Chinese and ``1,234`` in English) and
sentences through their phrase tables (``ctx.say(P["lead"], w)``), so no section branches on the
language. :data:`WORDS` holds the phrases the briefing's sections share beyond
:data:`~zzanalytics.report.phrases.COMMON` (what data are missing, and why).

Examples
--------
>>> from zzanalytics.report.briefing.context import Context
>>> ctx = Context.empty(lang="en")
>>> ctx.count(1234), ctx.money(563_000), ctx.change({"current": 11, "baseline": 10, "significant": False})
('1,234', 'CNY 563,000', 'up 10.0% (within normal variation)')
>>> Context.empty().change({"current": 11, "baseline": 10, "significant": True}, what=COMMON["what.count"])
'同比起数上升10.0%(显著)'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from zzanalytics.report import phrases
from zzanalytics.report import text as tx
from zzanalytics.report.district import identity_words, unit_words
from zzanalytics.report.phrases import COMMON, Pair, Phrases
from zzanalytics.schema import category_label
from zzanalytics.store.district import Identity

WORDS = Phrases(
    {
        "no_baseline": (
            "去年同期无{what}数据,不作同比",
            "there are no {what} data for the same period last year to compare with",
        ),
        "failed": (
            "本节生成失败({error}),未给出数据;错误详情已保存在报告旁的错误记录中。",
            "This section could not be produced ({error}); the error was saved beside the briefing.",
        ),
        "unassigned": (
            "另有{n}未标明{area_unit},计入{whole}合计,不列入各{area_unit}。",
            "{n} more have no {area_unit}: they count in the total of {whole}, not in any {area_unit}.",
        ),
        "history.short": (
            "{what}数据仅覆盖{months}个月(自{since}起),不足{need}个月,{consequence}",
            "The {what} data cover only {months} months (since {since}), under the {need} needed; "
            "{consequence}",
        ),
        "history.short.one": (
            "{what}数据仅覆盖{months}个月(自{since}起),不足{need}个月,{consequence}",
            "The {what} data cover only {months} month ({since}), under the {need} needed; {consequence}",
        ),
        "lower": ("{what}", "{what!l}"),
    },
    name="briefing",
)
"""Phrases shared by the briefing's sections (see the module docstring)."""


class Wording:
    """The wording helpers of a briefing context (needs ``lang``, ``area``, ``names``, ``district``,
    ``currency``, ``identity``, ``start`` and ``end``)."""

    lang: str
    area: str | None
    names: dict[str, str]
    district: str | None
    currency: str
    identity: Identity | None
    start: pd.Timestamp
    end: pd.Timestamp

    # -------------------------------------------------------------- who and when

    @property
    def subject(self) -> str:
        """Who the sentences are about: the township's name, or the district as it speaks of itself
        (:func:`zzanalytics.report.district.whole`: ``全区`` / ``全县`` …, in English its name).

        Examples
        --------
        >>> from dataclasses import replace
        >>> from zzanalytics.report.briefing.context import Context
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
        >>> from zzanalytics.report.briefing.context import Context
        >>> replace(Context.empty(), district="金河区").name, Context.empty(lang="en").name
        ('金河区', '')
        """
        if self.area is not None:
            return self.names.get(self.area, self.area)
        return self.words()["name"]

    def words(self) -> dict[str, str]:
        """The identity in words (:mod:`zzanalytics.report.district`; every sentence may use them).

        >>> from zzanalytics.report.briefing.context import Context
        >>> Context.empty().words()["area_unit"], Context.empty(lang="en").words()["whole"]
        ('区域', 'the district')
        """
        ident = self.identity or Identity(name=self.district, currency=self.currency)
        return {**identity_words(ident, self.lang), **unit_words(ident, self.lang)}

    @property
    def period(self) -> str:
        """``1–10月`` (en ``January–October``), ``上半年`` (``H1``), ``三季度`` (``Q3``) … as it is said.

        Examples
        --------
        >>> from zzanalytics.report.briefing.context import Context
        >>> Context.empty(end="2026-10-31").period
        '1–10月'
        """
        return tx.period_label(self.start, self.end, self.lang)

    def basics(self) -> dict[str, str]:
        """The worded values every sentence may use: ``period``, ``subject``, ``end_date``.

        Examples
        --------
        >>> from zzanalytics.report.briefing.context import Context
        >>> Context.empty(lang="en").basics()
        {'period': 'H1', 'subject': 'the district', 'end_date': '30 Jun'}
        """
        return {"period": self.period, "subject": self.subject, "end_date": self.date(self.end)}

    # -------------------------------------------------------------- sentences

    def say(self, pair: Pair, values: Mapping[str, Any] | None = None, **more: Any) -> str:
        """Fill a ``(zh, en)`` phrase in the briefing's language from worded values.

        Examples
        --------
        >>> from zzanalytics.report.briefing.context import Context
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
        >>> from zzanalytics.report.briefing.context import Context
        >>> Context.empty().join(["甲", "乙"]), Context.empty(lang="en").join(["a", "b"], "clause")
        ('甲、乙', 'a; b')
        """
        return self.say(COMMON[f"sep.{sep}"]).join(items)

    def sentence(self, text: str) -> str:
        """``text`` ended as a sentence (``。`` / ``.``) unless it already is.

        Examples
        --------
        >>> from zzanalytics.report.briefing.context import Context
        >>> Context.empty().sentence("无数据"), Context.empty(lang="en").sentence("No data.")
        ('无数据。', 'No data.')
        """
        end = self.say(COMMON["sep.sentence_end"])
        return text if not text or text.endswith(("。", ".", ")", "）")) else text + end

    def label(self, code: str) -> str:
        """Category label in the briefing's language.

        Examples
        --------
        >>> from zzanalytics.report.briefing.context import Context
        >>> Context.empty().label("theft.burglary"), Context.empty(lang="en").label("fire")
        ('入室盗窃', 'Fire')
        """
        return category_label(code, self.lang)

    # -------------------------------------------------------------- numbers

    def number(self, x: Any, decimals: int = 0) -> str:
        """:func:`~zzanalytics.report.text.number` (the same in both languages).

        Examples
        --------
        >>> from zzanalytics.report.briefing.context import Context
        >>> Context.empty().number(1234.56, 1)
        '1,234.6'
        """
        return tx.number(x, decimals)

    def count(self, n: Any, unit: str = "起", noun: tuple[str, str] | None = None) -> str:
        """``1,234起`` (zh) / ``1,234`` (en); ``unit`` is the Chinese measure word, ``noun`` the
        English singular and plural (``("death", "deaths")``: ``1 death``, ``22 deaths``).

        Examples
        --------
        >>> from zzanalytics.report.briefing.context import Context
        >>> Context.empty().count(3, "人"), Context.empty(lang="en").count(1, "人", ("death", "deaths"))
        ('3人', '1 death')
        """
        return tx.count(n, unit, self.lang, noun)

    def plural(self, table: Phrases, key: str, n: Any) -> Pair:
        """The phrase ``key + ".one"`` when ``n`` is 1 and the table has it, else ``key`` (English
        agreement: "1 unit worsened" / "3 units worsened").

        Examples
        --------
        >>> from zzanalytics.report.briefing.context import Context
        >>> P = Phrases({"n": ("{n}个单位", "{n} units"), "n.one": ("{n}个单位", "{n} unit")})
        >>> Context.empty(lang="en").say(Context.empty(lang="en").plural(P, "n", 1), n="1")
        '1 unit'
        """
        one = f"{key}.one"
        return table[one] if one in table and not tx.is_missing(n) and float(n) == 1 else table[key]

    def pct(self, x: Any, signed: bool = False) -> str:
        """A percentage with one decimal (given in percent).

        Examples
        --------
        >>> from zzanalytics.report.briefing.context import Context
        >>> Context.empty().pct(5.26, signed=True)
        '+5.3%'
        """
        return tx.pct(x, signed)

    def money(self, amount: Any) -> str:
        """A loss in the store's currency: ``56.3万元`` (zh, CNY) / ``CNY 563,000`` (en); see
        :func:`zzanalytics.report.text.money`.

        Examples
        --------
        >>> from zzanalytics.report.briefing.context import Context
        >>> Context.empty().money(563_000), Context.empty(lang="en").money(563_000)
        ('56.3万元', 'CNY 563,000')
        """
        return tx.money(amount, self.lang, self.currency, self.words()["money_unit"])

    def date(self, d: Any) -> str:
        """``5月6日`` (zh) / ``6 May`` (en).

        Examples
        --------
        >>> from zzanalytics.report.briefing.context import Context
        >>> Context.empty().date("2026-05-06"), Context.empty(lang="en").date("2026-05-06")
        ('5月6日', '6 May')
        """
        return tx.date(d, self.lang)

    def probability(self, p: Any) -> str:
        """``73%``, ``<1%``, ``>99%``.

        Examples
        --------
        >>> from zzanalytics.report.briefing.context import Context
        >>> Context.empty().probability(0.996)
        '>99%'
        """
        return tx.probability(p, self.lang)

    def change(self, r: Mapping[str, Any], lead: str = "later", what: Pair | None = None) -> str:
        """The change of a comparison row (``current``, ``baseline``, ``significant``), worded by
        :func:`zzanalytics.report.phrases.change`.

        Examples
        --------
        >>> from zzanalytics.report.briefing.context import Context
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
        >>> from zzanalytics.report.briefing.context import Context
        >>> what = ("交通事故", "traffic")
        >>> Context.empty().no_data(what), Context.empty(lang="en").no_data(what)
        ('本期无交通事故数据。', 'No traffic data for this period.')
        """
        return self.say(COMMON[f"data.{kind}"], what=self.say(what))
