"""One area's report, step by step: the parameters to inject, the kernel, papermill, the page and
each further format (:func:`render_area`); :func:`zzanalytics.report.render.render_report` and
the batch (:mod:`zzanalytics.report.batch`) call it.

Examples
--------
>>> report_filename("theft_review", "620102001", "2026-01-01", "2026-06-30", lang="en")
'theft_review-620102001-2026-01-01_2026-06-30.en.html'
>>> briefing_filename("district", "2026-01-01", "2026-10-31")
'briefing-district-2026-01-01_2026-10-31.html'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from zzanalytics.config import reports_dir
from zzanalytics.errors import ReportError
from zzanalytics.outputs import inside, safe_component, write_atomic
from zzanalytics.report.formats import OutputFormat, Rendered, notebook_to_html, prepare_export
from zzanalytics.report.notebook import (
    describe_failure,
    first_heading,
    imported_modules,
    masked_outputs,
    read_notebook,
)
from zzanalytics.wording import pick

__all__ = [
    "DISTRICT",
    "FAILED_DIR",
    "Job",
    "briefing_filename",
    "briefing_notebook",
    "default_lang",
    "execute_notebook",
    "injected_names",
    "render_area",
    "report_filename",
    "report_notebooks",
    "resolve_job",
    "write_outputs",
]

FAILED_DIR = ".failed"
"""Folder inside the output folder where the executed notebook of a failed run is kept."""
LANGS = ("zh", "en")
DISTRICT = "district"


# ------------------------------------------------------------------ file names


def report_filename(
    name: str,
    area: str | None = None,
    start: Any = None,
    end: Any = None,
    lang: str = "zh",
    suffix: str = ".html",
) -> str:
    """File name of a report: ``<name>[-<area>][-<start>_<end>][.<lang>]<suffix>``.

    The area part is left out when ``area`` is ``None``, the period when ``start`` is; the
    language tag when it is ``zh``. Parts that come from data go through
    :func:`zzanalytics.outputs.safe_component`: ``x/../../NAME`` becomes one harmless part.

    Examples
    --------
    >>> report_filename("holiday_review"), report_filename("t", "x/../../../NAME", suffix=".pdf")
    ('holiday_review.html', 't-x_NAME-699bf819.pdf')
    """
    import pandas as pd

    if not re.fullmatch(r"\.[A-Za-z0-9]{1,10}", suffix):
        raise ReportError(f"suffix {suffix!r}: expected a file extension such as '.html'")
    parts = [safe_component(name)]
    if area is not None:
        parts.append(safe_component(area))
    if start is not None:
        s, e = (pd.Timestamp(d).date().isoformat() for d in (start, end if end is not None else start))
        parts.append(f"{s}_{e}")
    tag = pick(("", f".{safe_component(lang)}"), lang)
    return "-".join(parts) + tag + suffix


def briefing_filename(area: str | None, start: Any, end: Any, lang: str = "zh", suffix: str = ".html") -> str:
    """File name of a briefing: ``briefing-<area|district>-<start>_<end>[.en].html``.

    Examples
    --------
    >>> briefing_filename("x/../../../NAME", "2026-01-01", "2026-06-30")
    'briefing-x_NAME-699bf819-2026-01-01_2026-06-30.html'
    >>> briefing_filename("620102001", "2026-01-01", "2026-06-30", lang="en", suffix=".pdf")
    'briefing-620102001-2026-01-01_2026-06-30.en.pdf'
    """
    return report_filename("briefing", area or DISTRICT, start, end, lang, suffix)


# ------------------------------------------------------------------ notebook → executed notebook


def execute_notebook(
    notebook: str | Path | Any,
    parameters: dict[str, Any],
    *,
    timeout: int = 600,
    workdir: str | Path | None = None,
    keep_failed: str | Path | None = None,
    kernel: Any = None,
    name: str | Path | None = None,
) -> Any:
    """Run a notebook (a path or an ``nbformat`` node) with papermill; return the executed node.

    The kernel is ``kernel`` (a started :class:`~zzanalytics.report.kernel.Kernel`, left running)
    or a new one, closed afterwards. A failing cell raises the :class:`ReportError` of
    :func:`zzanalytics.report.notebook.describe_failure`, with papermill's error chained as
    ``__cause__``; with ``keep_failed`` the executed notebook (outputs masked) is written there.
    A cell running longer than ``timeout`` seconds, or a kernel that dies, is a
    :class:`ReportError` too.

    Examples
    --------
    >>> from zzanalytics.report.briefing import notebook_path
    >>> nb = execute_notebook(notebook_path(), {"start": "2026-01-01", "end": "2026-06-30"})  # doctest: +SKIP
    >>> len(nb.cells)  # doctest: +SKIP
    5
    """
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    from zzanalytics.report.kernel import Kernel

    if isinstance(notebook, str | Path):
        label = Path(name or notebook)
        notebook = read_notebook(notebook)
    else:
        label = Path(name or "notebook.ipynb")
    owned = kernel is None
    if owned:
        kernel = Kernel(preload=imported_modules(notebook), cwd=workdir).start()
    state: dict[str, Any] = {}

    def executed() -> Any:
        return state.get("nb") or notebook

    try:
        state["nb"] = pm.execute_notebook(
            notebook,
            None,
            parameters=parameters,
            kernel_name="python3",
            language="python",
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
            execution_timeout=timeout,
            start_timeout=180,
            km=kernel.manager,
            on_notebook_start=lambda notebook: state.update(nb=notebook),  # the node papermill runs
        )
        return state["nb"]
    except PapermillExecutionError as exc:
        kept = _keep(keep_failed, executed())
        raise describe_failure(label, executed(), exc, kept) from exc
    except CellTimeoutError as exc:
        kept = _keep(keep_failed, executed())
        raise ReportError(
            f"notebook {label.name}: a cell ran longer than {timeout:g} s and was stopped"
            + (f"; the executed notebook is {kept}" if kept else "")
        ) from exc
    except DeadKernelError as exc:
        tail = kernel.log_tail()
        raise ReportError(
            f"notebook {label.name}: the kernel died while it ran (out of memory?)"
            + (f"; it said: {tail}" if tail else "")
        ) from exc
    finally:
        if owned:
            kernel.close()


def _keep(path: str | Path | None, nb: Any) -> Path | None:
    """Write the executed notebook of a failed run (outputs masked) to ``path``, if given."""
    return write_atomic(Path(path), masked_outputs(nb)) if path else None


# ------------------------------------------------------------------ any notebook


@dataclass
class Job:
    """One area's render, resolved: parameters to inject, names, where the files go."""

    parameters: dict[str, Any]
    name: str
    area: str | None
    start: Any
    end: Any
    lang: str
    title: str | None  # None: the page's own first heading, else the notebook's title or name
    out: Path

    def path(self, suffix: str) -> Path:
        name = report_filename(self.name, self.area, self.start, self.end, self.lang, suffix)
        return inside(self.out, name)


def injected_names(
    parameters: dict[str, Any], store: Any, period: Any, area: Any, lang: Any
) -> dict[str, str]:
    """Parameter → the option that injects it (``--store``, ``--period``, ``--area``, ``--lang``,
    ``-p``); a parameter given twice is refused.

    Examples
    --------
    >>> injected_names({"month": 6}, None, "2026-01-01:2026-06-30", None, "en")
    {'start': '--period', 'end': '--period', 'lang': '--lang', 'month': '-p'}
    """
    names: dict[str, str] = {}
    for param, option, value in (
        ("store", "--store", store),
        ("start", "--period", period),
        ("end", "--period", period),
        ("area", "--area", area),
        ("lang", "--lang", lang),
    ):
        if value is not None:
            names[param] = option
    for param in parameters:
        if param in names:
            raise ReportError(
                f"-p {param}: {names[param]} sets {param!r} already; give it once, by {names[param]} or by -p"
            )
        names[param] = "-p"
    return names


def render_area(
    notebook: Path,
    nb: Any,
    formats: Sequence[OutputFormat],
    *,
    parameters: dict[str, Any],
    store: Any,
    period: Any,
    area: str | None,
    lang: str | None,
    out: Any,
    name: str | None,
    title: str | None,
    timeout: int,
    cwd: str | Path | None,
    kernel: Any = None,
) -> list[Path]:
    """Render one area's report from a checked notebook (``nb``, read from ``notebook``): the
    kernel starts first, then the store is read and the exporter built while it warms up, then
    papermill runs the notebook and the page and every format are written. A briefing section
    that failed (a notice on the page, :mod:`zzanalytics.report.briefing.failures`) has its
    traceback saved beside the page and raises its :class:`ReportError` once every file is written.

    Returns the page's path, then each format's.
    """
    own = kernel is None
    if own:
        kernel = _kernel_for(nb, cwd if cwd is not None else notebook.resolve().parent)
    try:
        page_lang = lang or default_lang(nb)
        export = prepare_export(page_lang)
        job = resolve_job(nb, notebook, parameters, store, period, area, lang, page_lang, out, name, title)
        failed = inside(job.out / FAILED_DIR, job.path(".ipynb").name)
        executed = execute_notebook(
            nb, job.parameters, timeout=timeout, keep_failed=failed, kernel=kernel, name=notebook
        )
    finally:
        if own:
            kernel.close()
    failed.unlink(missing_ok=True)  # a stale failure of an earlier run
    export.join()
    paths = write_outputs(executed, job, formats)
    from zzanalytics.report.briefing.failures import record_failures, section_failures

    failed_sections = record_failures(section_failures(executed), paths[0])  # tracebacks beside the page
    if failed_sections is not None:
        raise failed_sections
    return paths


def _kernel_for(nb: Any, cwd: str | Path | None) -> Any:
    from zzanalytics.report.kernel import Kernel

    return Kernel(preload=imported_modules(nb), cwd=cwd).start()


def default_lang(nb: Any) -> str:
    """The language of a notebook's page when ``--lang`` is not given: its ``lang`` parameter's
    default when that is ``"zh"`` or ``"en"``, else ``zh``.

    Examples
    --------
    >>> import nbformat
    >>> default_lang(nbformat.v4.new_notebook())
    'zh'
    """
    from zzanalytics.report.notebook import declared_parameters

    default = declared_parameters(nb).get("lang", "").strip().strip("'\"")
    return default if default in LANGS else "zh"


def resolve_job(
    nb: Any,
    notebook: Path,
    parameters: dict[str, Any],
    store: Any,
    period: Any,
    area: str | None,
    lang: str | None,
    page_lang: str,
    out: Any,
    name: str | None,
    title: str | None,
) -> Job:
    """The parameters to inject, the file names and the title of one area's report.

    Reads the store (the area's code and name, the district's name) only when an area is given.
    """
    from zzanalytics.report import text as tx

    params: dict[str, Any] = {}
    store_path = str(Path(store).resolve()) if store is not None else None
    if store_path is not None:
        params["store"] = store_path
    start = end = None
    if period is not None:
        from zzanalytics.report.briefing.period import parse_period

        start, end = parse_period(period)
        params["start"], params["end"] = start.date().isoformat(), end.date().isoformat()
    code, where = None, ""
    if area is not None:
        from zzanalytics.report.briefing.period import find_area, resolve_area

        code = None if area in ("", DISTRICT) else find_area(store_path, str(area))
        params["area"] = code
        where = resolve_area(store_path, code, page_lang)
    if lang is not None:
        params["lang"] = lang
    params.update(parameters)
    base = first_heading(nb) if title is None else title
    when = tx.period_label(start, end, page_lang, with_year=True) if start is not None else ""
    return Job(
        parameters=params,
        name=name or notebook.stem,
        area=(code or DISTRICT) if area is not None else None,
        start=start,
        end=end,
        lang=page_lang,
        title=tx.clean(" ".join(p for p in (base, where, when) if p)) if base is not None else None,
        out=Path(out) if out is not None else reports_dir(),
    )


def page_heading(executed: Any) -> str | None:
    """The text of the first ``<h1>`` among the notebook's HTML outputs (a report's own title).

    Examples
    --------
    >>> import nbformat
    >>> c = nbformat.v4.new_code_cell("x")
    >>> title = {"text/html": "<h1>金河区 <b>春节</b></h1>"}
    >>> c.outputs = [nbformat.v4.new_output("display_data", data=title)]
    >>> page_heading(nbformat.v4.new_notebook(cells=[c]))
    '金河区 春节'
    """
    import html as _html

    for cell in executed.cells:
        for o in cell.get("outputs", []):
            m = re.search(r"<h1[^>]*>(.*?)</h1>", str(o.get("data", {}).get("text/html", "")), flags=re.S)
            if m:
                return " ".join(_html.unescape(re.sub(r"<[^>]+>", "", m.group(1))).split()) or None
    return None


def write_outputs(executed: Any, job: Job, formats: Sequence[OutputFormat]) -> list[Path]:
    """Write the page, then each further format; return the paths in that order."""
    title = job.title or page_heading(executed) or executed.metadata.get("title") or job.name
    html_doc = notebook_to_html(executed, title=title, lang=job.lang)
    html_path = write_atomic(job.path(".html"), html_doc)
    rendered = Rendered(executed, html_doc, html_path, title, job.lang, job.parameters)
    return [html_path, *(fmt.write(rendered, job.path(fmt.suffix)) for fmt in formats)]


def report_notebooks() -> list[Path]:
    """The report notebooks shipped in the package: the briefing and the holiday-period report,
    which ``zz report`` runs (``zz notebooks`` copies them for an office to adapt).

    Examples
    --------
    >>> [p.name for p in report_notebooks()]
    ['briefing.ipynb', 'holiday_review.ipynb']
    """
    folder = Path(str(resources.files("zzanalytics.report").joinpath("briefing")))
    return [folder / name for name in ("briefing.ipynb", "holiday_review.ipynb")]


def briefing_notebook() -> Any:
    """A context manager giving the path of the briefing notebook shipped in the package (found
    without importing the briefing, which loads pandas and plotly)."""
    package = resources.files("zzanalytics.report").joinpath("briefing", "briefing.ipynb")
    return resources.as_file(package)
