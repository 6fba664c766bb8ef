"""A section that fails does not sink the briefing: it becomes a visible notice, and the command
that rendered it learns of it and exits non-zero.

Inside the notebook (a papermill kernel) :meth:`Section.render
<zzanalytics.report.briefing.registry.Section.render>` catches the failure, records it in
``ctx.failures`` and returns :func:`notice`: the heading, one sentence saying the section could not
be produced (no error text from data) and a marker ``<div class="zz-failed" data-section="…">``.
:func:`show` displays the notice with the failure (error and traceback, masked) in the output's
metadata, which nbconvert never prints. After the run, :func:`section_failures` reads them from
the executed notebook and :func:`record_failures` saves the tracebacks beside the briefing
(``briefing-….failed.txt``) and returns the error the command raises.

Examples
--------
>>> from zzanalytics.report.briefing.context import Context
>>> html = notice(Context.empty(lang="en"), "safety", "3. Traffic and fire safety", KeyError("label"))
>>> 'class="zz-failed" data-section="safety"' in html, "KeyError" in html
(True, True)
"""

from __future__ import annotations

import traceback as tb
from pathlib import Path
from typing import Any

from zzanalytics.errors import ReportError
from zzanalytics.report import blocks as B  # noqa: N812
from zzanalytics.report import text as tx

MARKER = "zz-failed"
"""CSS class of a failed section's notice (what tests and readers look for)."""
METADATA_KEY = "zzanalytics"
"""Key of the output metadata that carries a failure out of the kernel."""


class Notice(B.Html):
    """A failed section's HTML, carrying its failure for :func:`show`."""

    failure: dict[str, str]


def notice(ctx: Any, key: str, title: str, exc: BaseException) -> Notice:
    """The notice that stands in for a failed section, and its record in ``ctx.failures``.

    Only the exception's type is shown (a message may quote a value from data); the traceback is
    masked (:func:`zzanalytics.privacy.mask_text`) and kept for the sidecar file.

    Examples
    --------
    >>> from zzanalytics.report.briefing.context import Context
    >>> ctx = Context.empty()
    >>> html = notice(ctx, "overall", "一、总体治安形势", ValueError("13812345678"))
    >>> "本节生成失败(ValueError)" in html, "13812345678" in ctx.failures[0]["traceback"]
    (True, False)
    """
    from zzanalytics.privacy import mask_text
    from zzanalytics.report.briefing.words import WORDS

    cause = exc.__cause__ if isinstance(exc, ReportError) and exc.__cause__ is not None else exc
    failure = {
        "section": key,
        "title": title,
        "error": f"{type(cause).__name__}: {mask_text(str(cause))}",
        "where": _where(cause),
        "traceback": mask_text("".join(tb.format_exception(type(cause), cause, cause.__traceback__))),
    }
    ctx.failures.append(failure)
    sentence = ctx.say(WORDS["failed"], error=type(cause).__name__)
    html = Notice(
        B.join(
            B.heading(title),
            B.Html(f'<div class="{MARKER}" data-section="{tx.h(key)}">'),
            B.para(sentence, cls="note"),
            B.Html("</div>"),
        )
    )
    html.failure = failure
    return html


def _where(exc: BaseException) -> str:
    """``file.py:LINE in function`` of the innermost frame that raised ``exc``."""
    frames = tb.extract_tb(exc.__traceback__)
    if not frames:
        return ""
    f = frames[-1]
    parts = Path(f.filename).parts
    short = "/".join(parts[parts.index("zzanalytics") :]) if "zzanalytics" in parts else Path(f.filename).name
    return f"{short}:{f.lineno} in {f.name}"


def show(*blocks: Any) -> None:
    """Display blocks in a notebook as one ``text/html`` output (as
    :func:`zzanalytics.report.blocks.show`); the failures of notices among them travel in the
    output's metadata.

    Examples
    --------
    >>> show(B.heading("一、总体形势"))  # doctest: +SKIP
    """
    try:
        from IPython.display import HTML, display
    except ImportError:  # pragma: no cover - ipykernel is a dependency
        return
    failures = [b.failure for b in blocks if isinstance(b, Notice)]
    metadata = {METADATA_KEY: {"failures": failures}} if failures else None
    display(HTML(str(B.join(*blocks))), metadata=metadata)


def section_failures(nb: Any) -> list[dict[str, str]]:
    """The failures an executed briefing notebook reported, in order.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x")])
    >>> nb.cells[0].outputs = [nbformat.v4.new_output("display_data", data={"text/html": "<p/>"},
    ...     metadata={"zzanalytics": {"failures": [{"section": "overall", "error": "KeyError: 'x'"}]}})]
    >>> [f["section"] for f in section_failures(nb)]
    ['overall']
    """
    out: list[dict[str, str]] = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            meta = o.get("metadata", {}).get(METADATA_KEY, {})
            out.extend(dict(f) for f in meta.get("failures", []))
    return out


def failures_path(html_path: str | Path) -> Path:
    """Where the tracebacks of a briefing's failed sections are saved: beside it.

    Examples
    --------
    >>> failures_path("reports/briefing-district-2026-01-01_2026-06-30.html").name
    'briefing-district-2026-01-01_2026-06-30.failed.txt'
    """
    p = Path(html_path)
    return p.with_name(p.stem + ".failed.txt")


def record_failures(failures: list[dict[str, str]], html_path: str | Path) -> ReportError | None:
    """Save the tracebacks beside the briefing and return the error the command raises (None, and
    any stale file removed, when no section failed).

    Examples
    --------
    >>> import tempfile
    >>> html = Path(tempfile.mkdtemp()) / "briefing-district-2026-01-01_2026-06-30.html"
    >>> err = record_failures([{"section": "safety", "title": "三、交通和消防安全", "error": "KeyError: 'x'",
    ...                         "where": "a.py:1 in f", "traceback": "Traceback ..."}], html)
    >>> print(str(err).split(";")[0])
    briefing section 'safety' (三、交通和消防安全) failed: KeyError: 'x' (raised at a.py:1 in f)
    >>> failures_path(html).exists(), record_failures([], html), failures_path(html).exists()
    (True, None, False)
    """
    from zzanalytics.outputs import write_atomic

    path = failures_path(html_path)
    if not failures:
        path.unlink(missing_ok=True)
        return None
    text = "\n\n".join(
        f"section {f.get('section')!r} ({f.get('title', '')}): {f.get('error', '')}\n{f.get('traceback', '')}"
        for f in failures
    )
    write_atomic(path, text)
    lines = "; ".join(
        f"briefing section {f.get('section')!r} ({f.get('title', '')}) failed: {f.get('error', '')}"
        + (f" (raised at {f['where']})" if f.get("where") else "")
        for f in failures
    )
    err = ReportError(
        f"{lines}; the briefing {html_path} was written with a notice in its place, "
        f"the traceback is in {path}"
    )
    err.traceback = text  # type: ignore[attr-defined]
    err.failures = failures  # type: ignore[attr-defined]
    return err
