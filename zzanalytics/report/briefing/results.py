"""The results the briefing's sections share: named, typed, computed once.

A result is a function registered under its name (:func:`shared`): ``scope(ctx) -> Scope``,
``overall(ctx, scope: Scope) -> Overall`` … Its parameters after ``ctx`` name the results it needs,
and a section's body declares its own the same way — ``body(ctx, overall: Overall, scope: Scope)``
— so every dependency is visible in a signature, and the registry hands the body
``ctx.results.overall`` and ``ctx.results.scope``
(:meth:`~zzanalytics.report.briefing.registry.Section.render`). Each result is computed on first
use from the context's data and coverage, never from its language, so the Chinese and the English
briefing share one computation (``ctx.in_lang("en")``). A result that fails raises again wherever
it is asked for, and each section asking for it becomes a visible notice.

The section modules register their results when the package is imported; the names are
:data:`FIELDS`.

Examples
--------
>>> from zzanalytics.report.briefing.context import Context
>>> Context.empty().results.scope.total
True
>>> FIELDS["overall"].__name__, FIELDS["overall"].__module__
('compute', 'zzanalytics.report.briefing.overall')
>>> depends(FIELDS["overall"])
('scope',)
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from zzanalytics.errors import ReportError

FIELDS: dict[str, Callable[..., Any]] = {}
"""Name → the function computing that shared result (filled by :func:`shared`)."""


def shared(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn(ctx, **results)`` as the shared result ``name`` (a decorator).

    Examples
    --------
    >>> @shared("answer")
    ... def answer(ctx) -> int:
    ...     return 42
    >>> from zzanalytics.report.briefing.context import Context
    >>> Context.empty().results.answer
    42
    >>> _ = FIELDS.pop("answer")
    """

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        if name in FIELDS and FIELDS[name] is not fn:
            raise ReportError(f"shared result {name!r} is registered twice ({FIELDS[name].__module__})")
        FIELDS[name] = fn
        return fn

    return register


def depends(fn: Callable[..., Any]) -> tuple[str, ...]:
    """The results a function asks for: its parameters after ``ctx``.

    Examples
    --------
    >>> depends(lambda ctx, scope, overall, months=12: None)
    ('scope', 'overall')
    """
    params = list(inspect.signature(fn).parameters.values())[1:]
    return tuple(p.name for p in params if p.default is inspect.Parameter.empty)


class Results:
    """The shared results of one briefing: ``results.<name>`` computes :data:`FIELDS` ``[name]``
    once, with the results it asks for."""

    def __init__(self, ctx: Any) -> None:
        self._ctx = ctx
        self._values: dict[str, Any] = {}
        self._busy: list[str] = []

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in FIELDS:
            raise AttributeError(f"no shared result {name!r}; the results are {sorted(FIELDS)}")
        if name not in self._values:
            if name in self._busy:
                raise ReportError(f"shared results depend on each other in a circle: {[*self._busy, name]}")
            self._busy.append(name)
            try:
                fn = FIELDS[name]
                self._values[name] = fn(self._ctx, **{d: getattr(self, d) for d in depends(fn)})
            finally:
                self._busy.remove(name)
        return self._values[name]

    def __dir__(self) -> list[str]:
        return sorted(FIELDS)
