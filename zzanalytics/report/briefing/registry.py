"""The briefing's sections, in order: one entry per section drives the notebook, the headings and the tests.

A :class:`Section` names its key, its heading in both languages, the function that builds its
body from a :class:`~zzanalytics.report.briefing.context.Context`, and its phrase table. The
briefing notebook renders :func:`render_sections`; the tests read :data:`SECTIONS`. Headings are
numbered in order (``一、`` / ``1.``) among the sections shown.

Adding a section
----------------
Write a module next to the others with a ``PHRASES`` table (every sentence as a ``(zh, en)``
template, see :mod:`zzanalytics.report.phrases`) and a ``body(ctx)`` function, then add one
:class:`Section` line to :data:`SECTIONS`. A section whose source table is empty says so in a
note instead of printing zeros when it declares ``needs`` and ``data``::

    Section("patrol", ("巡逻防控", "Patrols"), patrol.body, patrol.PHRASES,
            needs=("incidents",), data=("巡逻", "patrol"))

Examples
--------
>>> [s.key for s in SECTIONS]
['overall', 'petitions', 'safety', 'disputes', 'forecast', 'hotspots', 'scorecard', 'notes']
>>> [s.key for s in enabled(maps=False)][4:]
['forecast', 'scorecard', 'notes']
>>> section("safety").title("zh", 3), section("notes").title("en")
('三、交通和消防安全', 'Data notes')
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from zzanalytics.errors import ReportError
from zzanalytics.report import blocks as B  # noqa: N812
from zzanalytics.report import phrases
from zzanalytics.report import text as tx
from zzanalytics.report.briefing import (
    disputes,
    forecasts,
    hotspots,
    notes,
    overall,
    petitions,
    safety,
    scorecard,
)
from zzanalytics.report.briefing.context import Context
from zzanalytics.report.district import unit_words
from zzanalytics.report.periods import baseline_note
from zzanalytics.report.phrases import COMMON, Pair, Phrases


@dataclass(frozen=True)
class Section:
    """One section of the briefing.

    Parameters
    ----------
    key : str
        Stable identifier (``"overall"``); prefix of the section's phrase ids in messages.
    heading : (str, str)
        Heading in Chinese and English, without its number.
    body : callable
        ``body(ctx) -> Html``: everything under the heading.
    phrases : Phrases
        The section's sentences and labels.
    numbered : bool
        Numbered heading (``三、…``); the data notes are not numbered.
    option : str, optional
        Name of the notebook option that can turn the section off (``maps``, ``forecasts``).
    needs : tuple of str
        Tables (``ctx.tables`` keys, or ``"incidents"``) without which the section has nothing to
        say; when one is empty the body is a note naming ``data`` (``未导入信访登记数据。``).
    data : (str, str), optional
        What the section's data are called in that note (``("信访登记", "petition")``).
    """

    key: str
    heading: Pair
    body: Callable[[Context], B.Html]
    phrases: Phrases
    numbered: bool = True
    option: str | None = None
    needs: tuple[str, ...] = ()
    data: Pair | None = None

    def title(self, lang: str, number: int | None = None, words: Mapping[str, str] | None = None) -> str:
        """The heading in ``lang``, numbered when ``number`` is given and the section is numbered;
        ``words`` name the area unit (:meth:`Context.words`; neutral words when not given).

        Examples
        --------
        >>> from zzanalytics.report.briefing.context import Context
        >>> "综治信访维稳形势分析" in title(Context.empty())
        True
        """
        title = phrases.fill(self.heading, lang, words or unit_words(None, lang))
        if self.numbered and number is not None:
            return phrases.fill(
                COMMON["heading.numbered"], lang, number=phrases.numeral(number, lang), title=title
            )
        return title

    def missing(self, ctx: Context) -> str | None:
        """The first table of ``needs`` that is empty in ``ctx``, or ``None``.

        Examples
        --------
        >>> from zzanalytics.report.briefing.context import Context
        >>> section("petitions").missing(Context.empty())
        'petitions'
        """
        for name in self.needs:
            frame = ctx.incidents if name == "incidents" else ctx.tables.get(name)
            if frame is None or len(frame) == 0:
                return name
        return None

    def render(self, ctx: Context, number: int | None = None) -> B.Html:
        """Heading and body; a failing body raises :class:`ReportError` naming the section (the
        original exception and its traceback are chained as ``__cause__``).

        Examples
        --------
        >>> from zzanalytics.report.briefing.context import Context
        >>> "未导入信访登记数据。" in section("petitions").render(Context.empty(), 2)
        True
        """
        heading = B.heading(self.title(ctx.lang, number, ctx.words()))
        if self.missing(ctx) is not None:
            what = self.data or (self.key, self.key)
            return B.join(heading, B.para(ctx.no_data(what, "not_ingested"), cls="note"))
        try:
            body = self.body(ctx)
        except Exception as exc:
            raise ReportError(
                f"briefing section {self.key!r} ({self.title(ctx.lang, number)}) failed: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        return B.join(heading, body)


SECTIONS: tuple[Section, ...] = (
    Section("overall", ("总体治安形势", "Overall situation"), overall.body, overall.PHRASES),
    Section(
        "petitions",
        ("信访维稳形势", "Petitions and stability"),
        petitions.body,
        petitions.PHRASES,
        needs=("petitions",),
        data=("信访登记", "petition"),
    ),
    Section("safety", ("交通和消防安全", "Traffic and fire safety"), safety.body, safety.PHRASES),
    Section("disputes", ("矛盾纠纷排查化解", "Dispute resolution"), disputes.body, disputes.PHRASES),
    Section(
        "forecast",
        ("年底预测与目标完成风险", "Forecasts to year end and target risk"),
        forecasts.body,
        forecasts.PHRASES,
        option="forecasts",
    ),
    Section(
        "hotspots",
        ("治安热点与视频监控覆盖", "Hotspots and camera coverage"),
        hotspots.body,
        hotspots.PHRASES,
        option="maps",
    ),
    Section(
        "scorecard", ("{area_unit}考核评估", "{area_unit!u} scorecard"), scorecard.body, scorecard.PHRASES
    ),
    Section("notes", ("数据说明", "Data notes"), notes.body, notes.PHRASES, numbered=False),
)
"""The sections of the briefing, in the order of DESIGN.md's table."""


def section(key: str) -> Section:
    """The section registered under ``key``.

    Examples
    --------
    >>> section("overall").heading
    ('总体治安形势', 'Overall situation')
    """
    for s in SECTIONS:
        if s.key == key:
            return s
    raise ReportError(f"no briefing section {key!r}; sections are {[s.key for s in SECTIONS]}")


def enabled(off: Iterable[str] = (), **options: bool) -> list[Section]:
    """The sections shown with these notebook options (``maps=False`` drops the hotspot section),
    less the sections ``off`` (the store's identity, ``zz set sections_off=…``).

    Examples
    --------
    >>> [s.key for s in enabled(forecasts=False)][3:5]
    ['disputes', 'hotspots']
    """
    known = {s.option for s in SECTIONS if s.option}
    unknown = set(options) - known
    if unknown:
        raise ReportError(f"unknown briefing option(s) {sorted(unknown)}; options are {sorted(known)}")
    keys = [s.key for s in SECTIONS]
    wrong = [k for k in off if k not in keys]
    if wrong:
        raise ReportError(
            f"the store's sections_off names {wrong}, not sections of the briefing ({', '.join(keys)}); "
            "fix it with `zz set sections_off=...`"
        )
    return [s for s in SECTIONS if (s.option is None or options.get(s.option, True)) and s.key not in off]


def numbered(off: Iterable[str] = (), **options: bool) -> list[tuple[int | None, Section]]:
    """``(number, section)`` of the sections shown; numbers count the numbered sections shown.

    Examples
    --------
    >>> [(n, s.key) for n, s in numbered(maps=False)][-2:]
    [(6, 'scorecard'), (None, 'notes')]
    """
    out, n = [], 0
    for s in enabled(off, **options):
        if s.numbered:
            n += 1
        out.append((n if s.numbered else None, s))
    return out


def render_sections(ctx: Context, **options: bool) -> Iterator[B.Html]:
    """Render every section shown, in order (what the briefing notebook displays).

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> html = "".join(render_sections(ctx, maps=False))  # doctest: +SKIP
    """
    off = ctx.identity.sections_off if ctx.identity is not None else ()
    for number, s in numbered(off, **options):
        yield s.render(ctx, number)


def render_section(key: str, ctx: Context, **options: bool) -> B.Html:
    """Render one section, numbered as in the whole briefing (for an analyst's notebook).

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> render_section("disputes", ctx)[:40]  # doctest: +SKIP
    '<h2 class="zz-section">四、矛盾纠纷排查化解</h2>'
    """
    for number, s in numbered(**options):
        if s.key == key:
            return s.render(ctx, number)
    return section(key).render(ctx)


TITLE = Phrases(
    {
        "title": ("{subject}综治信访维稳形势分析", "Public security and stability briefing — {subject}"),
        "title.unnamed": ("综治信访维稳形势分析", "Public security and stability briefing"),
        "subtitle": ("({period}{baseline})", "{period}{baseline}"),
        "baseline": (";{note}", "; {note}"),
        "issuer": ("{issuer}", "{issuer}"),
        "meeting": ("{meeting}", "{meeting}"),
        "meeting.date": ("{meeting}({date})", "{meeting}, {date}"),
        "date": ("{date}", "{date}"),
    },
    name="title",
)


def title(ctx: Context) -> B.Html:
    """Title block: ``全区综治信访维稳形势分析`` and the period.

    Examples
    --------
    >>> from zzanalytics.report.briefing.context import Context
    >>> "综治信访维稳形势分析" in title(Context.empty())
    True
    """
    note = baseline_note(ctx.start, ctx.end, ctx.lang)
    w = {
        "subject": ctx.name,
        "period": tx.period_label(ctx.start, ctx.end, ctx.lang, with_year=True),
        "baseline": ctx.say(TITLE["baseline"], note=note) if note else "",
    }
    head = ctx.say(TITLE["title" if ctx.name else "title.unnamed"], w)
    who = ctx.words()
    meeting = (
        "meeting.date" if who["meeting"] and who["meeting_date"] else "meeting" if who["meeting"] else "date"
    )
    lines = [ctx.say(TITLE["issuer"], who)] if who["issuer"] else []
    lines += (
        [ctx.say(TITLE[meeting], who, date=who["meeting_date"])]
        if who["meeting"] or who["meeting_date"]
        else []
    )
    return B.title_block(head, ctx.say(TITLE["subtitle"], w), lines)


def all_phrases() -> dict[str, Phrases]:
    """Every phrase table of the briefing by name (common, title and each section).

    Examples
    --------
    >>> sorted(all_phrases())[:3]
    ['common', 'disputes', 'forecast']
    """
    tables = {"common": COMMON, "title": TITLE}
    tables.update({s.key: s.phrases for s in SECTIONS})
    return tables
