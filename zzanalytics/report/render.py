"""Render a briefing: papermill executes the notebook, nbconvert writes one offline HTML page,
headless Chromium prints it to an A4 PDF.

The HTML is self-contained: the ``zzbriefing`` template (``report/templates/``)
loads neither require.js nor MathJax, inlines plotly.js exactly once, hides all
code and drops stderr. Every file is written to a temporary name in the output
folder and moved into place with :func:`os.replace`, so ``reports/`` never holds
a half-written briefing, and re-running overwrites atomically.

A briefing whose notebook fails leaves the executed notebook, with the failing cell's
traceback, in ``<out>/.failed/`` (``reports/.failed/briefing-district-….ipynb``) and raises a
:class:`~zzanalytics.errors.ReportError` that names the section, the error, where it was raised
and that notebook, with the traceback in its ``traceback`` attribute.

Examples
--------
>>> briefing_filename("district", "2026-01-01", "2026-10-31")
'briefing-district-2026-01-01_2026-10-31.html'
>>> briefing_filename("620102001", "2026-01-01", "2026-06-30", lang="en", suffix=".pdf")
'briefing-620102001-2026-01-01_2026-06-30.en.pdf'
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from importlib import import_module, resources
from pathlib import Path
from typing import Any

import pandas as pd

from zzanalytics.config import reports_dir
from zzanalytics.errors import DependencyMissingError, ReportError
from zzanalytics.outputs import atomic_path, inside, safe_component, write_atomic
from zzanalytics.wording import pick

__all__ = ["atomic_path", "briefing_filename", "print_pdf", "render_briefing", "write_atomic"]

PACKAGE_TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "zzbriefing"
FAILED_DIR = ".failed"
"""Folder inside the output folder where the executed notebook of a failed briefing is kept."""

PAGE_LABELS = (("第 ", " 页,共 ", " 页"), ("Page ", " of ", ""))
"""Page numbers of the printed PDF (prefix, between, suffix), Chinese and English."""

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = (
    "install it with: sudo apt-get install chromium fonts-noto-cjk (or set ZZ_CHROMIUM=/path/to/chrome)"
)


def briefing_filename(area: str | None, start: Any, end: Any, lang: str = "zh", suffix: str = ".html") -> str:
    """File name of a briefing: ``briefing-<area|district>-<start>_<end>[.en].html``.

    The area code comes from data, so it goes through :func:`zzanalytics.outputs.safe_component`:
    ``x/../../NAME`` becomes one harmless part of the name.

    Examples
    --------
    >>> briefing_filename("x/../../../NAME", "2026-01-01", "2026-06-30")
    'briefing-x_NAME-699bf819-2026-01-01_2026-06-30.html'
    """
    s, e = pd.Timestamp(start).date().isoformat(), pd.Timestamp(end).date().isoformat()
    tag = pick(("", f".{safe_component(lang)}"), lang)
    if not re.fullmatch(r"\.[A-Za-z0-9]{1,10}", suffix):
        raise ReportError(f"suffix {suffix!r}: expected a file extension such as '.html'")
    return f"briefing-{safe_component(area or 'district')}-{s}_{e}{tag}{suffix}"


# ------------------------------------------------------------------ notebook → HTML


def _ipc_kernel_manager() -> type:
    """A kernel manager talking to the kernel over local IPC sockets instead of TCP ports on localhost."""
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class IPCKernelManager(AsyncKernelManager):
        @default("transport")
        def _default_transport(self) -> str:
            return "ipc"

    return IPCKernelManager


def execute_notebook(
    notebook: str | Path,
    parameters: dict[str, Any],
    *,
    timeout: int = 600,
    workdir: Path | None = None,
    keep_failed: str | Path | None = None,
) -> Any:
    """Run ``notebook`` with papermill and return the executed ``nbformat`` node.

    A failing cell raises :class:`ReportError` naming the notebook, the cell, the error and the
    innermost frame that raised it; its ``traceback`` attribute holds the whole traceback and the
    papermill error is chained as ``__cause__``. With ``keep_failed``, the executed notebook (with
    the traceback in the failing cell) is written there, and the error's ``notebook`` attribute
    names it.

    Examples
    --------
    >>> from zzanalytics.report.briefing import notebook_path
    >>> nb = execute_notebook(notebook_path(), {"start": "2026-01-01", "end": "2026-06-30"})  # doctest: +SKIP
    >>> len(nb.cells)  # doctest: +SKIP
    4
    """
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    notebook = Path(notebook)
    if not notebook.exists():
        raise ReportError(f"notebook {notebook} does not exist; give the path of a .ipynb file")
    with tempfile.TemporaryDirectory(prefix="zzbrief-") as tmpdir:
        out = Path(tmpdir) / notebook.name
        try:
            pm.execute_notebook(
                str(notebook),
                str(out),
                parameters=parameters,
                kernel_name="python3",
                language="python",
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=False,
                execution_timeout=timeout,
                cwd=str(workdir or tmpdir),
                kernel_manager_class=_ipc_kernel_manager(),
            )
        except PapermillExecutionError as exc:
            kept = None
            if keep_failed and out.exists():
                kept = write_atomic(Path(keep_failed), masked_outputs(out))
            raise failure(notebook, parameters, exc, kept) from exc
        return nbformat.read(out, as_version=4)


def masked_outputs(path: Path) -> str:
    """An executed notebook with its error, stream and plain-text outputs masked
    (:func:`zzanalytics.privacy.mask_text`): a failure message may quote a value from data.

    Examples
    --------
    >>> import nbformat, tempfile
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x")])
    >>> nb.cells[0].outputs = [nbformat.v4.new_output("error", ename="ValueError",
    ...     evalue="bad value '13812345678'", traceback=["ValueError: 13812345678"])]
    >>> p = Path(tempfile.mkdtemp()) / "nb.ipynb"
    >>> nbformat.write(nb, p)
    >>> "13812345678" in masked_outputs(p), "138******78" in masked_outputs(p)
    (False, True)
    """
    import nbformat

    from zzanalytics.privacy import mask_text

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                o["evalue"] = mask_text(o.get("evalue"))
                o["traceback"] = [mask_text(t) for t in o.get("traceback", [])]
            elif o.get("output_type") == "stream":
                o["text"] = mask_text(o.get("text"))
            elif "text/plain" in o.get("data", {}):
                o["data"]["text/plain"] = mask_text(o["data"]["text/plain"])
    return nbformat.writes(nb)


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_FRAME = re.compile(r"File (\S+?\.py):(\d+), in (\S+?)(?:\(|$)", re.M)
_CAUSE = "The above exception was the direct cause of the following exception"


def innermost_frame(traceback: str) -> str | None:
    r"""``file.py:LINE in function`` of the innermost frame of the original exception in an
    IPython traceback (before any "direct cause" chaining), or ``None``.

    Examples
    --------
    >>> tb = "File /x/zzanalytics/a.py:3, in body(ctx)\nKeyError: 'x'\n"
    >>> innermost_frame(tb + _CAUSE + "\nFile /x/b.py:9, in render")
    'zzanalytics/a.py:3 in body'
    """
    original = traceback.split(_CAUSE)[0]
    frames = _FRAME.findall(original)
    if not frames:
        return None
    path, line, fn = frames[-1]
    parts = Path(path).parts
    short = "/".join(parts[parts.index("zzanalytics") :]) if "zzanalytics" in parts else Path(path).name
    return f"{short}:{line} in {fn}"


def failure(notebook: Path, parameters: dict[str, Any], exc: Any, kept: Path | None) -> ReportError:
    """The :class:`ReportError` of a failed notebook run (see :func:`execute_notebook`).

    Examples
    --------
    >>> from papermill.exceptions import PapermillExecutionError
    >>> tb = ["File /a/zzanalytics/b.py:7, in body(ctx)"]
    >>> exc = PapermillExecutionError(3, 3, "x", "KeyError", "'x'", tb)
    >>> print(failure(Path("briefing.ipynb"), {}, exc, None))
    notebook briefing.ipynb failed in cell 3 ...: KeyError: 'x' (raised at zzanalytics/b.py:7 in body)
    """
    traceback = _ANSI.sub("", "\n".join(exc.traceback or []))
    where = innermost_frame(traceback)
    message = (
        f"notebook {notebook.name} failed in cell {exc.exec_count} with parameters {parameters}: "
        f"{exc.ename}: {exc.evalue}"
        + (f" (raised at {where})" if where else "")
        + (f"; the executed notebook with the traceback is {kept}" if kept else "")
    )
    err = ReportError(message)
    err.traceback = traceback  # type: ignore[attr-defined]
    err.notebook = kept  # type: ignore[attr-defined]
    return err


def notebook_to_html(nb: Any, title: str = "briefing", lang: str = "zh") -> str:
    """Convert an executed notebook to one self-contained HTML page with the ``zzbriefing`` template.

    Examples
    --------
    >>> import nbformat
    >>> "<html" in notebook_to_html(nbformat.v4.new_notebook())
    True
    """
    from nbconvert import HTMLExporter
    from plotly.offline import get_plotlyjs

    exporter = HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(PACKAGE_TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        language_code=lang,
    )
    labels = pick(PAGE_LABELS, lang)
    resources = {
        "plotly_js": get_plotlyjs(),
        "briefing_title": title,
        "page_label_prefix": labels[0],
        "page_label_middle": labels[1],
        "page_label_suffix": labels[2],
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


# ------------------------------------------------------------------ HTML → PDF


def find_chromium() -> str:
    """Path of a Chromium/Chrome executable (``ZZ_CHROMIUM`` first) or :class:`DependencyMissingError`.

    Examples
    --------
    >>> find_chromium()  # doctest: +SKIP
    '/usr/bin/chromium'
    """
    env = os.environ.get("ZZ_CHROMIUM")
    if env:
        if Path(env).exists() or shutil.which(env):
            return shutil.which(env) or env
        raise DependencyMissingError(f"ZZ_CHROMIUM={env} does not exist; {INSTALL_HINT}")
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise DependencyMissingError(
        f"printing the PDF needs headless Chromium, and none of {list(CHROMIUM_CANDIDATES)} is on PATH; "
        f"{INSTALL_HINT}"
    )


CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--no-pdf-header-footer",
    "--run-all-compositor-stages-before-draw",
    "--virtual-time-budget=15000",
)
"""Offline, stateless printing: no network, no extensions, no header/footer of Chromium's own
(page numbers come from the page's ``@page`` margin boxes)."""


def print_pdf(html_path: str | Path, pdf_path: str | Path, *, timeout: int = 120) -> Path:
    """Print an HTML file to an A4 PDF with headless Chromium, atomically.

    Page size, margins and page numbers come from the page's print CSS (``@page``).
    Raises :class:`DependencyMissingError` (with the install command) when Chromium is missing.
    The printer is always reaped, even when killed (:mod:`zzanalytics.report.printer`).

    Examples
    --------
    >>> print_pdf("reports/briefing.html", "reports/briefing.pdf")  # doctest: +SKIP
    PosixPath('reports/briefing.pdf')
    """
    from zzanalytics.report.printer import print_html

    return print_html(html_path, pdf_path, chromium=find_chromium(), flags=CHROMIUM_FLAGS, timeout=timeout)


# ------------------------------------------------------------------ the briefing


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
) -> list[Path]:
    """Render one briefing (district or one township) to HTML and optionally PDF.

    Parameters
    ----------
    store : path, optional
        DuckDB store; default the sample district's store.
    period : "START:END" or (start, end), optional
        Default: 1 January to the end of the last complete month in the data.
    area : str, optional
        Township code; ``None`` or ``"district"`` for the whole district.
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

    Returns
    -------
    list of Path
        The HTML file, then the PDF when ``pdf`` is true, then the ``.docx`` when ``docx`` is true.

    Examples
    --------
    >>> paths = render_briefing(period="2026-01-01:2026-06-30", pdf=True)  # doctest: +SKIP
    >>> [p.name for p in paths]  # doctest: +SKIP
    ['briefing-district-2026-01-01_2026-06-30.html', 'briefing-district-2026-01-01_2026-06-30.pdf']
    """
    from zzanalytics.report.briefing import find_area, resolve_area, resolve_period

    if lang not in ("zh", "en"):
        raise ReportError(f"lang was {lang!r} but is expected to be 'zh' or 'en'")
    area = None if area in (None, "", "district") else str(area)
    store_path = str(Path(store).resolve()) if store is not None else None
    start, end = resolve_period(store_path, period)
    if area is not None:
        area = find_area(store_path, area)
    area_name = resolve_area(store_path, area, lang)
    out_dir = Path(out) if out is not None else reports_dir()
    params = {
        "store": store_path,
        "start": start.date().isoformat(),
        "end": end.date().isoformat(),
        "area": area,
        "lang": lang,
        "targets": dict(targets or {}),
    }
    params.update(parameters or {})
    failed = inside(out_dir / FAILED_DIR, briefing_filename(area, start, end, lang, suffix=".ipynb"))
    with contextlib.ExitStack() as stack:
        if notebook is None:
            package = resources.files("zzanalytics.report.briefing").joinpath("briefing.ipynb")
            notebook = stack.enter_context(resources.as_file(package))
        nb = execute_notebook(notebook, params, timeout=timeout, keep_failed=failed)
    failed.unlink(missing_ok=True)  # a stale failure of an earlier run
    from zzanalytics.report import text as tx

    title = f"{area_name} {tx.period_label(start, end, lang, with_year=True)}"
    html_doc = notebook_to_html(nb, title=tx.clean(title), lang=lang)
    html_path = write_atomic(inside(out_dir, briefing_filename(area, start, end, lang)), html_doc)
    paths = [html_path]
    if pdf:
        paths.append(print_pdf(html_path, html_path.with_suffix(".pdf")))
    if docx:  # a further format, imported by name when asked for (it draws charts with find_chromium)
        docx_module = import_module("zzanalytics.report.docx")
        issuer, date = docx_module.signature(store_path, lang)  # the store's identity closes it
        paths.append(
            docx_module.write_docx(nb, html_path.with_suffix(".docx"), lang=lang, issuer=issuer, date=date)
        )
    return paths
