"""Phrase books: every sentence and label of a briefing, Chinese and English side by side.

A :class:`~zzanalytics.wording.Phrases` table (the package's one phrase facility,
:mod:`zzanalytics.wording`) maps a phrase id to its ``(zh, en)`` templates. Templates are
:meth:`str.format` strings whose placeholders name *worded* values (``"1,234起"``,
``"上升5.2%(显著)"``) that a section puts into one dict, so the wording of a number lives in
:mod:`~zzanalytics.report.text` and the wording of a sentence lives here — never in
branches on the language. Both languages of a phrase must exist and use the same
placeholders; a table that breaks this rule fails when it is built (at import).

:data:`COMMON` holds the phrases every section shares: the wording of a change against the same
period last year (:func:`change`), the qualifiers of a test, separators of lists and the labels
of comparison tables. Each section of the briefing keeps its own table next to its code (see
:mod:`zzanalytics.report.briefing.registry`).

Examples
--------
>>> P = Phrases({"lead": ("{period},{subject}发生案件{n}。", "In {period}, {subject} recorded {n} cases.")})
>>> P.say("lead", "zh", {"period": "1–6月", "subject": "全区", "n": "1,234起"})
'1–6月,全区发生案件1,234起。'
>>> P.say("lead", "en", period="January–June", subject="the district", n="1,234")
'In January–June, the district recorded 1,234 cases.'
>>> change(1298, 1234, True, "zh", lead="later", what=COMMON["what.batches"])
'同比批数上升5.2%(显著)'
"""

from __future__ import annotations

from typing import Any

from zzanalytics.errors import ReportError
from zzanalytics.report.text import is_missing, pct, pct_change
from zzanalytics.wording import LANGS, PARTICLES, Pair, Phrases, fill, lang_index, pick, placeholders

__all__ = [
    "CHANGE_LEADS",
    "COMMON",
    "LANGS",
    "PARTICLES",
    "Pair",
    "Phrases",
    "change",
    "change_kind",
    "fill",
    "lang_index",
    "numeral",
    "pick",
    "placeholders",
]


# ------------------------------------------------------------------ shared phrases

COMMON = Phrases(
    {
        # a change against the same period last year, by kind (see text.change_kind)
        "change.up": ("{lead}上升{pct}{qualifier}", "up {pct}{lead}{qualifier}"),
        "change.down": ("{lead}下降{pct}{qualifier}", "down {pct}{lead}{qualifier}"),
        "change.flat": ("与去年同期持平", "unchanged on the same period last year"),
        "change.new": ("去年同期为0", "none in the same period last year"),
        "change.zero": ("与去年同期均为0", "none in this or the same period last year"),
        "change.no_baseline": ("去年同期无数据", "no data for the same period last year"),
        "change.no_data": ("无数据", "no data"),
        # the same, naming what changed ("批数上升…" / "batches up …")
        "change.up.what": ("{lead}{what}上升{pct}{qualifier}", "{what} up {pct}{lead}{qualifier}"),
        "change.down.what": ("{lead}{what}下降{pct}{qualifier}", "{what} down {pct}{lead}{qualifier}"),
        "change.flat.what": ("{what}与去年同期持平", "{what} unchanged on the same period last year"),
        "change.new.what": ("去年同期{what}为0", "{what} none in the same period last year"),
        "change.zero.what": ("{what}与去年同期均为0", "{what} none in this or the same period last year"),
        "change.no_baseline.what": ("去年同期无数据", "no data for the same period last year"),
        "qualifier.significant": ("(显著)", " (significant)"),
        "qualifier.normal": ("(在正常波动范围内)", " (within normal variation)"),
        # how the comparison is named: Chinese before the verb, English after the number
        "lead.first": ("比去年同期", " on the same period last year"),
        "lead.later": ("同比", ""),
        "lead.compared": ("与去年同期相比", ""),
        "lead.none": ("", ""),
        # what changed
        "what.batches": ("批数", "batches"),
        "what.persons": ("人数", "persons"),
        "what.count": ("起数", "the number"),
        "what.loss": ("损失", "the loss"),
        # separators of lists
        "sep.enum": ("、", ", "),
        "sep.clause": (";", "; "),
        "sep.series": ("、", "; "),
        "sep.sentence_end": ("。", "."),
        # comparison tables (item, this period, last year, change, test)
        "col.item": ("项目", "Item"),
        "col.current": ("本期", "This period"),
        "col.baseline": ("去年同期", "Last year"),
        "col.change": ("增减幅度", "Change"),
        "col.test": ("检验结论", "Test"),
        "col.township": ("{area_unit}", "{area_unit!u}"),
        "test.significant": ("显著", "significant"),
        "test.normal": ("正常波动", "normal variation"),
        "test.new": ("去年同期为0", "none last year"),
        "test.no_data": ("去年同期无数据", "no data last year"),
        # sections whose data are missing
        "data.not_ingested": ("未导入{what}数据。", "No {what} records were ingested."),
        "data.none_in_period": ("本期无{what}数据。", "No {what} data for this period."),
        "data.none_in_period.span": (
            "本期无{what}数据(现有{what}数据的时间范围为{span})。",
            "No {what} data for this period (the {what} data cover {span}).",
        ),
        "data.partial": (
            "现有{what}数据只覆盖本期的一部分(时间范围为{span}),本期不作{what}统计。",
            "The {what} data cover only part of this period ({span}); no {what} figures are given.",
        ),
        # headings
        "heading.numbered": ("{number}、{title}", "{number}. {title}"),
    },
    name="common",
)
"""Phrases shared by every section (changes, qualifiers, separators, table labels, no-data notes)."""

ZH_NUMERALS = (
    "一",
    "二",
    "三",
    "四",
    "五",
    "六",
    "七",
    "八",
    "九",
    "十",
    "十一",
    "十二",
    "十三",
    "十四",
    "十五",
)


def numeral(n: int, lang: str) -> str:
    """Section number in the style of an official document: ``三`` (zh) or ``3`` (en).

    Examples
    --------
    >>> numeral(3, "zh"), numeral(3, "en"), numeral(11, "zh")
    ('三', '3', '十一')
    """
    if lang_index(lang) == 0:
        if not 1 <= n <= len(ZH_NUMERALS):
            raise ReportError(f"section number {n} is outside 1..{len(ZH_NUMERALS)}")
        return ZH_NUMERALS[n - 1]
    return str(n)


CHANGE_LEADS = ("first", "later", "compared", "none")
"""How a change is introduced: on first mention (比去年同期 / "on the same period last year"),
later (同比), after the comparison was named (与去年同期相比), or bare."""


def change_kind(current: Any, baseline: Any) -> str:
    """Kind of a change: ``up``, ``down``, ``flat`` (rounds to 0.0%), ``new`` (nothing last year),
    ``zero`` (nothing in either), ``no_baseline`` (no data for last year: outside the data's
    coverage, never worded as 0) or ``missing`` (no current value).

    Examples
    --------
    >>> [change_kind(*cb) for cb in [(11, 10), (9, 10), (10001, 10000), (3, 0), (0, 0), (3, None), (None, 1)]]
    ['up', 'down', 'flat', 'new', 'zero', 'no_baseline', 'missing']
    """
    if is_missing(current):
        return "missing"
    if is_missing(baseline):
        return "no_baseline"
    cur, base = float(current), float(baseline)
    if base == 0:
        return "zero" if cur == 0 else "new"
    p = (cur - base) / base * 100.0
    if round(p, 1) == 0:
        return "flat"
    return "up" if p > 0 else "down"


def change(
    current: Any,
    baseline: Any,
    significant: bool | None,
    lang: str = "zh",
    lead: str = "first",
    what: Pair | None = None,
) -> str:
    """Word the change of a count against the same period last year (the structured wording).

    A rise or a fall always carries the test's qualifier, ``(显著)`` or ``(在正常波动范围内)``
    (``significant=None``, no test, is worded as not significant). ``lead`` is one of
    :data:`CHANGE_LEADS`; ``what`` a ``(zh, en)`` pair naming the measure (``COMMON["what.batches"]``).

    Examples
    --------
    >>> change(1298, 1234, True)
    '比去年同期上升5.2%(显著)'
    >>> change(1298, 1234, False, "en")
    'up 5.2% on the same period last year (within normal variation)'
    >>> change(3, 0, False, "zh", "later", COMMON["what.count"]), change(0, 0, None, "en", "later")
    ('去年同期起数为0', 'none in this or the same period last year')
    """
    if lead not in CHANGE_LEADS:
        raise ReportError(f"lead was {lead!r} but is expected to be one of {list(CHANGE_LEADS)}")
    kind = change_kind(current, baseline)
    if kind == "missing":
        return ""
    values = {
        "lead": COMMON.say(f"lead.{lead}", lang),
        "what": fill(what, lang) if what else "",
        "pct": pct(abs(pct_change(current, baseline))) if kind in ("up", "down") else "",
        "qualifier": COMMON.say("qualifier.significant" if significant else "qualifier.normal", lang),
    }
    return COMMON.say(f"change.{kind}.what" if what else f"change.{kind}", lang, values)
