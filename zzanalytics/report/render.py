"""Render a report: any notebook with a ``parameters`` cell, run by papermill in a warm kernel,
written by nbconvert as one offline HTML page, then in every further format asked for.

The pipeline, for one area (:func:`render_report`; ``--area all`` fans out through
:mod:`zzanalytics.report.batch`):

1. the notebook is read and every parameter to inject is checked against its ``parameters``
   cell (a missing one is one line naming the option and the fix);
2. the kernel starts at once (:mod:`zzanalytics.report.kernel`), importing what the notebook
   imports, while this process reads the store for the period and the area and loads
   nbconvert's template in a thread;
3. papermill runs the notebook; a failing cell is one :class:`ReportError` line naming the cell
   by number and first line, the error and where it was raised, and the executed notebook is
   kept in ``<out>/.failed/``; a briefing *section* that fails does not stop the notebook: it is a
   notice on the page, and its traceback is saved beside the page (``briefing-….failed.txt``)
   and raised once every file is written (:mod:`zzanalytics.report.briefing.failures`);
4. the ``zzbriefing`` template writes the page: code hidden, no require.js, no MathJax, no CDN,
   plotly.js inlined once, stderr dropped;
5. each further format (:data:`FORMATS`: ``pdf``, and whatever :func:`register_format` adds) is
   written from the page and the executed notebook by its writer.

Every file is written to a temporary name in the output folder and moved into place
(:func:`zzanalytics.outputs.write_atomic`), so ``reports/`` never holds a half-written report.
The briefing is one use of it (:func:`render_briefing`).

Examples
--------
>>> report_filename("theft_review", "620102001", "2026-01-01", "2026-06-30", lang="en")
'theft_review-620102001-2026-01-01_2026-06-30.en.html'
>>> briefing_filename("district", "2026-01-01", "2026-10-31")
'briefing-district-2026-01-01_2026-10-31.html'
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from zzanalytics.errors import ReportError
from zzanalytics.outputs import atomic_path, write_atomic
from zzanalytics.report.formats import (
    FORMATS,
    OutputFormat,
    Rendered,
    check_formats,
    notebook_to_html,
    register_format,
)
from zzanalytics.report.notebook import check_parameters, innermost_frame, preload_of, read_notebook
from zzanalytics.report.pipeline import (
    DISTRICT,
    FAILED_DIR,
    LANGS,
    briefing_filename,
    briefing_notebook,
    execute_notebook,
    injected_names,
    render_area,
    report_filename,
)
from zzanalytics.report.printer import CHROMIUM_FLAGS, find_chromium, print_pdf

__all__ = [
    "CHROMIUM_FLAGS",
    "DISTRICT",
    "FAILED_DIR",
    "FORMATS",
    "OutputFormat",
    "Rendered",
    "atomic_path",
    "briefing_filename",
    "check_formats",
    "execute_notebook",
    "find_chromium",
    "injected_names",
    "innermost_frame",
    "notebook_to_html",
    "print_pdf",
    "register_format",
    "render_briefing",
    "render_report",
    "report_filename",
    "write_atomic",
]


def render_report(
    notebook: str | Path,
    *,
    parameters: dict[str, Any] | None = None,
    store: str | Path | None = None,
    period: str | tuple[Any, Any] | None = None,
    area: str | Sequence[str] | None = None,
    lang: str | None = None,
    pdf: bool = False,
    formats: Sequence[str] = (),
    out: str | Path | None = None,
    name: str | None = None,
    title: str | None = None,
    timeout: int = 600,
    workers: int | None = None,
    scheduler: Any = None,
    progress: bool = False,
    cwd: str | Path | None = None,
    kernel: Any = None,
) -> list[Path]:
    """Render any notebook with a ``parameters`` cell through the house pipeline.

    Parameters
    ----------
    notebook : path
        The ``.ipynb`` file.
    parameters : dict, optional
        Parameters to inject (``-p NAME VALUE``); each must be set in the ``parameters`` cell.
    store : path, optional
        Injected as ``store`` (an absolute path).
    period : "START:END" or (start, end), optional
        Injected as ``start`` and ``end`` (ISO dates).
    area : str or sequence of str, optional
        Injected as ``area``: a township's code or name (its code is injected), ``"district"``
        (``None`` is injected), ``"all"`` (the district and every township: one report each and
        ``index.html``) or a list of them.
    lang : {"zh", "en"}, optional
        Injected as ``lang``; also the page's language. Default: the notebook's own ``lang``
        default, else ``zh``.
    pdf : bool
        Also an A4 PDF (``formats=["pdf"]``).
    formats : sequence of str
        Further formats of :data:`FORMATS`.
    out : path, optional
        Output folder; default ``reports/`` (``ZZ_REPORTS``).
    name : str, optional
        First part of the file names; default the notebook's file name without ``.ipynb``.
    title : str, optional
        The page's title before the area and the period; default the notebook's first heading.
    timeout : int
        Seconds allowed per cell.
    workers, scheduler, progress
        For several areas: local processes, a Dask scheduler, a progress bar
        (:func:`zzanalytics.report.batch.batch_reports`).
    cwd : path, optional
        The kernel's working folder; default the notebook's folder (as in Jupyter).
    kernel : Kernel, optional
        A started :class:`~zzanalytics.report.kernel.Kernel` to run in (left running).

    Returns
    -------
    list of Path
        The HTML page, then each further format; for several areas every file and the index
        (when an area fails, the others are written and a :class:`ReportError` lists the failures).

    Examples
    --------
    >>> paths = render_report("theft_review.ipynb", area="620102001", pdf=True)  # doctest: +SKIP
    >>> [p.suffix for p in paths]  # doctest: +SKIP
    ['.html', '.pdf']
    """
    parameters = dict(parameters or {})
    if lang is not None and lang not in LANGS:
        raise ReportError(f"lang was {lang!r} but is expected to be 'zh' or 'en'")
    notebook = Path(notebook)
    nb = read_notebook(notebook)
    check_parameters(nb, injected_names(parameters, store, period, area, lang), notebook)
    fmts = check_formats([*(["pdf"] if pdf else []), *formats])
    if not isinstance(area, str | type(None)) or area == "all":
        from zzanalytics.report.batch import batch_reports

        result = batch_reports(
            notebook,
            parameters=parameters,
            store=store,
            period=period,
            areas=area,
            lang=lang,
            formats=[f.name for f in fmts],
            out=out,
            name=name,
            title=title,
            timeout=timeout,
            workers=workers,
            scheduler=scheduler,
            progress=progress,
            cwd=cwd,
        )
        result.raise_for_failures()
        return result.paths
    return render_area(
        notebook,
        nb,
        fmts,
        parameters=parameters,
        store=store,
        period=period,
        area=area,
        lang=lang,
        out=out,
        name=name,
        title=title,
        timeout=timeout,
        cwd=cwd,
        kernel=kernel,
    )


def render_briefing(
    store: str | Path | None = None,
    *,
    period: str | tuple[Any, Any] | None = None,
    area: str | None = None,
    lang: str = "zh",
    pdf: bool = False,
    docx: bool = False,
    out: str | Path | None = None,
    targets: dict[str, float] | None = None,
    notebook: str | Path | None = None,
    parameters: dict[str, Any] | None = None,
    timeout: int = 600,
    formats: Sequence[str] = (),
    kernel: Any = None,
) -> list[Path]:
    """Render one briefing (district or one township) to HTML and optionally PDF: the package's
    briefing notebook through :func:`render_report`, with the briefing's period and names.

    Parameters
    ----------
    store : path, optional
        DuckDB store; default the sample district's store.
    period : "START:END" or (start, end), optional
        Default: the latest period the store's main sources cover
        (:func:`~zzanalytics.report.briefing.period.default_period`); a period no source reaches
        is refused, naming the coverage.
    area : str, optional
        Township code or name; ``None`` or ``"district"`` for the whole district.
    lang : {"zh", "en"}
    pdf : bool
        Also print an A4 PDF next to the HTML (needs Debian ``chromium``).
    docx : bool
        Also write an editable Word document next to the HTML (:mod:`zzanalytics.report.docx`;
        GB/T 9704-2012 in Chinese; charts drawn by the same ``chromium``).
    out : path, optional
        Output folder; default ``reports/`` (``ZZ_REPORTS``).
    targets : dict, optional
        Annual ceilings overriding the store's targets table, e.g. ``{"fire.count": 120}``.
    notebook : path, optional
        Notebook to run instead of the package's briefing notebook.
    parameters : dict, optional
        Extra papermill parameters.
    timeout : int
        Seconds allowed per cell.
    formats : sequence of str
        Further formats (:data:`FORMATS`).
    kernel : Kernel, optional
        A started :class:`~zzanalytics.report.kernel.Kernel` to run in (``zz briefing`` starts it
        before it checks its options); default a new one, started before the store is read.

    Returns
    -------
    list of Path
        The HTML file, then the PDF when ``pdf`` is true, then the ``.docx`` when ``docx`` is true,
        then each of ``formats``.

    Examples
    --------
    >>> paths = render_briefing(period="2026-01-01:2026-06-30", pdf=True)  # doctest: +SKIP
    >>> [p.name for p in paths]  # doctest: +SKIP
    ['briefing-district-2026-01-01_2026-06-30.html', 'briefing-district-2026-01-01_2026-06-30.pdf']
    """
    from contextlib import ExitStack

    from zzanalytics.report.kernel import Kernel

    if lang not in LANGS:
        raise ReportError(f"lang was {lang!r} but is expected to be 'zh' or 'en'")
    formats = [*(["pdf"] if pdf else []), *(["docx"] if docx else []), *formats]
    check_formats(formats)
    with ExitStack() as stack:
        path = Path(notebook) if notebook is not None else stack.enter_context(briefing_notebook())
        if kernel is None:  # first: it starts while the store is read for the period
            kernel = stack.enter_context(Kernel(preload=preload_of(path)))
        from zzanalytics.report.briefing.period import resolve_period

        start, end = resolve_period(str(Path(store).resolve()) if store is not None else None, period)
        return render_report(
            path,
            parameters={"targets": dict(targets or {}), **(parameters or {})},
            store=store,
            period=(start, end),
            area=area or DISTRICT,
            lang=lang,
            formats=formats,
            out=out,
            name="briefing",
            title="",
            timeout=timeout,
            kernel=kernel,
        )
