"""The briefing's sections, in order: one entry per section drives the notebook, the headings and the tests.

A :class:`Section` names its key, its heading in both languages, the function that builds its
body, its phrase table and the data it needs. The briefing notebook renders
:func:`render_sections`; the tests read :data:`SECTIONS`. Headings are numbered in order
(``一、`` / ``1.``) among the sections shown. No section can sink the briefing: one that fails
is a visible notice (:mod:`~zzanalytics.report.briefing.failures`).

Adding a section
----------------
Write a module next to the others with a ``PHRASES`` table (every sentence as a ``(zh, en)``
template, see :mod:`zzanalytics.report.phrases`) and a ``body(ctx, ...)`` function whose
parameters after ``ctx`` name the shared results it uses (:mod:`~.results`), then add one
:class:`Section` line to :data:`SECTIONS`. Without the data it needs, a section says so in one
plain sentence (``ctx.data_gap(what, categories)``) instead of printing zeros, and its ``needs``
tell the closing note what it needs and what it does without it::

    Section("patrol", ("巡逻防控", "Patrols"), patrol.body, patrol.PHRASES, needs=patrol.needs)

Examples
--------
>>> [s.key for s in SECTIONS]
['overall', 'petitions', 'safety', 'disputes', 'forecast', 'hotspots', 'scorecard', 'notes']
>>> [s.key for s in enabled(maps=False)][4:]
['forecast', 'scorecard', 'notes']
>>> section("safety").title("zh", 3), section("notes").title("en")
('三、交通和消防安全', 'Data notes')
>>> section("scorecard").depends
('scorecard',)
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
from zzanalytics.report.briefing.failures import notice
from zzanalytics.report.briefing.results import FIELDS, depends, shared
from zzanalytics.report.briefing.scope import Need
from zzanalytics.report.briefing.words import WORDS
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
        ``body(ctx, **results) -> Html``: everything under the heading. Its parameters after
        ``ctx`` name the shared results it needs (:data:`~.results.FIELDS`, e.g.
        ``overall: Overall``); the registry passes ``ctx.results.<name>``.
    phrases : Phrases
        The section's sentences and labels.
    numbered : bool
        Numbered heading (``三、…``); the data notes are not numbered.
    option : str, optional
        Name of the notebook option that can turn the section off (``maps``, ``forecasts``).
    needs : callable, optional
        ``needs(ctx) -> list[Need]``: the data the section needs, whether the briefing has them
        and what the section says without them (the closing note lists them).
    """

    key: str
    heading: Pair
    body: Callable[..., B.Html]
    phrases: Phrases
    numbered: bool = True
    option: str | None = None
    needs: Callable[[Context], list[Need]] | None = None

    def __post_init__(self) -> None:
        unknown = [name for name in self.depends if name not in FIELDS]
        if unknown:
            raise ReportError(
                f"briefing section {self.key!r}: its body asks for {unknown}, which are not shared "
                f"results; the results are {sorted(FIELDS)}"
            )

    @property
    def depends(self) -> tuple[str, ...]:
        """The shared results the body asks for (its parameters after ``ctx``).

        Examples
        --------
        >>> section("overall").depends
        ('overall', 'scope', 'monthly_criminal')
        """
        return depends(self.body)

    def title(self, lang: str, number: int | None = None, words: Mapping[str, str] | None = None) -> str:
        """The heading in ``lang``, numbered when ``number`` is given and the section is numbered;
        ``words`` name the area unit (:meth:`Context.words`; neutral words when not given).

        Examples
        --------
        >>> section("disputes").title("zh", 4), section("notes").title("en", 8)
        ('四、矛盾纠纷排查化解', 'Data notes')
        >>> section("scorecard").title("zh", 7)
        '七、区域考核评估'
        """
        title = phrases.fill(self.heading, lang, words or unit_words(None, lang))
        if self.numbered and number is not None:
            return phrases.fill(
                COMMON["heading.numbered"], lang, number=phrases.numeral(number, lang), title=title
            )
        return title

    def render(self, ctx: Context, number: int | None = None, strict: bool = False) -> B.Html:
        """Heading and body. A body that fails (or a result it needs that fails) becomes a notice
        in the briefing and a record in ``ctx.failures`` (:func:`~.failures.notice`); with
        ``strict`` it raises :class:`ReportError` naming the section instead (the original
        exception chained as ``__cause__``).

        Examples
        --------
        >>> from zzanalytics.report.briefing.context import Context
        >>> "二、信访维稳形势" in section("petitions").render(Context.empty(), 2)
        True
        """
        title = self.title(ctx.lang, number, ctx.words())
        try:
            results = {name: getattr(ctx.results, name) for name in self.depends}
            body = self.body(ctx, **results)
        except Exception as exc:
            if strict:
                raise ReportError(
                    f"briefing section {self.key!r} ({title}) failed: {type(exc).__name__}: {exc}"
                ) from exc
            return notice(ctx, self.key, title, exc)
        return B.join(B.heading(title), body)


@shared("needs")
def needs_of(ctx: Context) -> list[tuple[Section, list[Need]]]:
    """Each shown section with the data it needs (for the closing note); a section whose needs
    cannot be told is left out (its own notice says why).

    Examples
    --------
    >>> from zzanalytics.report.briefing.context import Context
    >>> [s.key for s, _ in needs_of(Context.empty())][:2]
    ['overall', 'petitions']
    """
    out = []
    for s in enabled(sections_off(ctx), **ctx.options):
        if s.needs is None:
            continue
        try:
            out.append((s, list(s.needs(ctx))))
        except Exception:
            continue
    return out


SECTIONS: tuple[Section, ...] = (
    Section(
        "overall", ("总体治安形势", "Overall situation"), overall.body, overall.PHRASES, needs=overall.needs
    ),
    Section(
        "petitions",
        ("信访维稳形势", "Petitions and stability"),
        petitions.body,
        petitions.PHRASES,
        needs=petitions.needs,
    ),
    Section(
        "safety",
        ("交通和消防安全", "Traffic and fire safety"),
        safety.body,
        safety.PHRASES,
        needs=safety.needs,
    ),
    Section(
        "disputes",
        ("矛盾纠纷排查化解", "Dispute resolution"),
        disputes.body,
        disputes.PHRASES,
        needs=disputes.needs,
    ),
    Section(
        "forecast",
        ("年底预测与目标完成风险", "Forecasts to year end and target risk"),
        forecasts.body,
        forecasts.PHRASES,
        option="forecasts",
        needs=forecasts.needs,
    ),
    Section(
        "hotspots",
        ("治安热点与视频监控覆盖", "Hotspots and camera coverage"),
        hotspots.body,
        hotspots.PHRASES,
        option="maps",
        needs=hotspots.needs,
    ),
    Section(
        "scorecard",
        ("{area_unit}考核评估", "{area_unit!u} scorecard"),
        scorecard.body,
        scorecard.PHRASES,
        needs=scorecard.needs,
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


def sections_off(ctx: Context) -> tuple[str, ...]:
    """The sections the store's identity leaves out (``zz set sections_off=…``).

    Examples
    --------
    >>> from zzanalytics.report.briefing.context import Context
    >>> sections_off(Context.empty())
    ()
    """
    return tuple(ctx.identity.sections_off) if ctx.identity is not None else ()


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
    ctx.options = dict(options)
    for number, s in numbered(sections_off(ctx), **options):
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
    for number, s in numbered(sections_off(ctx), **options):
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
    """Title block: ``金河区综治信访维稳形势分析``, the period, the issuing unit and the meeting.

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
    ['briefing', 'common', 'disputes']
    """
    tables = {"common": COMMON, "briefing": WORDS, "title": TITLE}
    tables.update({s.key: s.phrases for s in SECTIONS})
    return tables
