"""The one place per language: ``(zh, en)`` phrase tables, for every stage of the package.

A :class:`Phrases` table maps a phrase id to its ``(zh, en)`` templates. Templates are
:meth:`str.format` strings whose placeholders name *worded* values, so a sentence exists in both
languages side by side and code never branches on the language: it fills a pair
(:func:`fill`) or picks one of two values that are not sentences (:func:`pick`). Both languages
of a phrase must exist and use the same placeholders; a table that breaks this rule fails when it
is built (at import). ``tests/test_phrases.py`` checks every table of the package and that no
module (nor notebook) branches on the language.

This is a foundation module (no import but :mod:`zzanalytics.errors`), so the ingest, model and
spatial stages word their few labels here too; the briefing's phrase books build on it
(:mod:`zzanalytics.report.phrases`).

Examples
--------
>>> P = Phrases({"lead": ("{period},{subject}发生案件{n}。", "In {period}, {subject} recorded {n} cases.")})
>>> P.say("lead", "zh", {"period": "1–6月", "subject": "全区", "n": "1,234起"})
'1–6月,全区发生案件1,234起。'
>>> P.say("lead", "en", period="January–June", subject="the district", n="1,234")
'In January–June, the district recorded 1,234 cases.'
>>> pick(("乡镇", "township"), "en")
'township'
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

from zzanalytics.errors import ReportError

__all__ = ["LANGS", "PARTICLES", "Pair", "Phrases", "fill", "lang_index", "pick", "placeholders"]

LANGS = ("zh", "en")
"""Languages of every phrase, in the order of the ``(zh, en)`` pairs."""

Pair = tuple[str, str]

PARTICLES = ("lead.",)
"""Phrase ids that may be empty in one language (a word one language needs and the other has not)."""

T = TypeVar("T")


def placeholders(template: str) -> set[str]:
    """Names of the ``{placeholders}`` of a template.

    Examples
    --------
    >>> sorted(placeholders("{a}发生{b}起,{a}"))
    ['a', 'b']
    """
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def lang_index(lang: str) -> int:
    """0 for Chinese, 1 for English; :class:`ReportError` for any other language.

    Examples
    --------
    >>> lang_index("en")
    1
    """
    if lang not in LANGS:
        raise ReportError(f"lang was {lang!r} but is expected to be one of {list(LANGS)}")
    return LANGS.index(lang)


def pick(pair: tuple[T, T], lang: str) -> T:
    """The ``lang`` member of a ``(zh, en)`` pair of anything (words, lists, columns).

    Examples
    --------
    >>> pick(("name", "name_en"), "en"), pick((("一", "二"), ("1", "2")), "zh")
    ('name_en', ('一', '二'))
    """
    return pair[lang_index(lang)]


class Phrases(Mapping[str, Pair]):
    """A table of phrase id → ``(zh, en)`` templates, checked when built.

    Parameters
    ----------
    table : mapping of str to (str, str)
        Phrase id → Chinese and English template. Both must be non-empty (except the grammatical
        particles of :data:`PARTICLES`, which one language may not need) and use the same
        placeholders.
    name : str
        Name of the table in error messages (the section key).

    Examples
    --------
    >>> Phrases({"x": ("{n}起", "{n} cases")}, name="demo")["x"]
    ('{n}起', '{n} cases')
    >>> Phrases({"x": ("{n}起", "cases")}, name="demo")
    Traceback (most recent call last):
    ...
    zzanalytics.errors.ReportError: phrase demo.x: zh has placeholders ['n'] but en has []; ...
    """

    def __init__(self, table: Mapping[str, Pair], name: str = "") -> None:
        self.name = name
        self._table: dict[str, Pair] = {}
        for key, pair in table.items():
            where = f"{name}.{key}" if name else key
            if not (isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(s, str) for s in pair)):
                raise ReportError(f"phrase {where}: expected a (zh, en) pair of strings, got {pair!r}")
            zh, en = pair
            if (not zh or not en) and not key.startswith(PARTICLES):
                raise ReportError(f"phrase {where}: a language is empty ({pair!r}); write both languages")
            pz, pe = placeholders(zh), placeholders(en)
            if pz != pe:
                raise ReportError(
                    f"phrase {where}: zh has placeholders {sorted(pz)} but en has {sorted(pe)}; "
                    "both languages must word the same values"
                )
            self._table[key] = (zh, en)

    def __getitem__(self, key: str) -> Pair:
        try:
            return self._table[key]
        except KeyError:
            where = f"table {self.name!r}" if self.name else "the table"
            raise KeyError(f"no phrase {key!r} in {where}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)

    def text(self, key: str, lang: str) -> str:
        """The raw template of ``key`` in ``lang``.

        Examples
        --------
        >>> Phrases({"x": ("比去年同期", " on last year")}).text("x", "zh")
        '比去年同期'
        """
        return self[key][lang_index(lang)]

    def say(self, key: str, lang: str, values: Mapping[str, Any] | None = None, **more: Any) -> str:
        """Fill the template of ``key`` in ``lang`` from ``values`` (extra keys are ignored).

        Examples
        --------
        >>> Phrases({"n": ("共{n}起", "{n} in all")}).say("n", "zh", {"n": "3", "unused": 1})
        '共3起'
        """
        return fill(self[key], lang, values, **more)

    def __or__(self, other: Mapping[str, Pair]) -> Phrases:
        merged = dict(self._table)
        for key, pair in other.items():
            if key in merged and merged[key] != pair:
                raise ReportError(f"phrase {key!r} is defined twice with different texts")
            merged[key] = pair
        return Phrases(merged, name=self.name)


class _Formatter(string.Formatter):
    """:meth:`str.format` with two more conversions for English: ``!u`` upper-cases the first
    letter (``{subject!u}`` starts a sentence with "The district"), ``!l`` lower-cases the first
    letter (a category label inside a sentence). Chinese text is unchanged by both."""

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion in ("u", "l"):
            text = str(value)
            head = text[:1].upper() if conversion == "u" else text[:1].lower()
            return head + text[1:]
        return super().convert_field(value, conversion)


_FORMATTER = _Formatter()


def fill(pair: Pair, lang: str, values: Mapping[str, Any] | None = None, **more: Any) -> str:
    """Fill one ``(zh, en)`` pair in ``lang``; a missing value is a :class:`ReportError`.

    Examples
    --------
    >>> fill(("{n}起", "{n}"), "zh", n="1,234")
    '1,234起'
    >>> fill(("{who}有{n}个", "{who!u} has {n}"), "en", who="the district", n="3")
    'The district has 3'
    """
    template = pair[lang_index(lang)]
    data = dict(values or {}, **more)
    try:
        return _FORMATTER.vformat(template, (), data)
    except KeyError as exc:
        raise ReportError(f"phrase {template!r} needs a value for {exc.args[0]!r}") from None
