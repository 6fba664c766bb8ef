"""What a render writes: the HTML page and every further format.

* :func:`notebook_to_html` turns an executed notebook into one self-contained page with the
  ``zzbriefing`` template (``report/templates/``): code hidden, no require.js, no MathJax, no CDN,
  stderr dropped, plotly.js inlined once when a figure needs it — the house figures'
  ``Plotly.newPlot`` calls and figures shown with ``fig.show()`` alike (:func:`plotly_figure`).
  The exporter is built once per process, and :func:`prepare_export` builds it in a thread while
  the notebook runs.
* :data:`FORMATS` holds the formats beyond HTML. Each is an :class:`OutputFormat`: a suffix, a
  writer that gets the :class:`Rendered` report (the executed notebook, its page, the page's
  path, title, language and parameters) and a target path, and an optional pre-flight check run
  before any work. ``pdf`` (headless Chromium) and ``docx`` (:mod:`zzanalytics.report.docx`) are
  registered here; another format is one call::

      register_format("odt", ".odt", "zzanalytics.report.odt:write_odt")

Examples
--------
>>> sorted(FORMATS)
['docx', 'pdf']
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from zzanalytics.errors import ReportError
from zzanalytics.report.printer import find_chromium, print_pdf
from zzanalytics.wording import pick

__all__ = [
    "FORMATS",
    "PLOTLY_MIME",
    "OutputFormat",
    "Rendered",
    "check_formats",
    "notebook_to_html",
    "plotly_figure",
    "prepare_export",
    "register_format",
]

PACKAGE_TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "zzbriefing"
PAGE_LABELS = (("第 ", " 页,共 ", " 页"), ("Page ", " of ", ""))
"""Page numbers of the printed PDF (prefix, between, suffix), Chinese and English."""

PLOTLY_MIME = "application/vnd.plotly.v1+json"


@lru_cache(maxsize=2)
def _exporter(lang: str) -> Any:
    """The ``zzbriefing`` HTML exporter for ``lang``, built once per process (nbconvert's import
    and the template's compilation cost half a second)."""
    from nbconvert import HTMLExporter
    from nbconvert.utils.base import NbConvertBase
    from traitlets.config import Config

    priority = [PLOTLY_MIME, *NbConvertBase().display_data_priority]
    exporter = HTMLExporter(
        config=Config({"NbConvertBase": {"display_data_priority": priority}}),
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(PACKAGE_TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        language_code=lang,
    )
    exporter.register_filter("plotly_figure", plotly_figure)
    exporter.environment.get_template(exporter.template_file)  # compiled now, not on first use
    return exporter


def plotly_figure(fig: dict[str, Any]) -> str:
    """A figure of the plotly mimetype (``fig.show()`` in a papermill kernel) as a ``div`` and one
    ``Plotly.newPlot`` call, without plotly.js; laid out at the page's width unless it sets one.

    Examples
    --------
    >>> fig = {"data": [{"type": "bar", "x": ["a"], "y": [1]}], "layout": {"title": "</script>"}}
    >>> frag = plotly_figure(fig)
    >>> frag.count("<script") == frag.count("</script>") == 1 and "Plotly.newPlot" in frag
    True
    """
    import hashlib
    import json

    from zzanalytics.report.theme import FIG_HEIGHT, FIG_WIDTH, PLOT_CONFIG

    layout = dict(fig.get("layout") or {})
    layout.setdefault("width", FIG_WIDTH)
    layout.setdefault("height", FIG_HEIGHT)
    data = json.dumps(fig.get("data") or [], ensure_ascii=False)
    lay = json.dumps(layout, ensure_ascii=False)
    conf = json.dumps(PLOT_CONFIG)
    div = "zzplotly-" + hashlib.sha1((data + lay).encode("utf-8")).hexdigest()[:12] + f"-{next(_DIVS)}"
    code = f'Plotly.newPlot("{div}", {data}, {lay}, {conf});'.replace("</", "<\\/")
    return (
        f'<div class="zz-figure"><div id="{div}" class="plotly-graph-div" '
        f'style="height:{int(layout["height"])}px; width:{int(layout["width"])}px;"></div>'
        f'<script type="text/javascript">{code}</script></div>'
    )


_DIVS = itertools.count(1)


@lru_cache(maxsize=1)
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def prepare_export(lang: str) -> threading.Thread:
    """Build the exporter and read plotly.js in a thread (while the notebook runs)."""

    def work() -> None:
        try:
            _exporter(lang)
            _plotly_js()
        except Exception:
            pass

    thread = threading.Thread(target=work, name="zz-export", daemon=True)
    thread.start()
    return thread


def notebook_to_html(nb: Any, title: str = "briefing", lang: str = "zh") -> str:
    """Convert an executed notebook to one self-contained HTML page with the ``zzbriefing`` template.

    plotly.js is inlined once, in the head, when a figure needs it: a ``text/html`` output that
    calls ``Plotly.newPlot`` (the house figures) or a plotly figure shown with ``fig.show()``.

    Examples
    --------
    >>> import nbformat
    >>> "<html" in notebook_to_html(nbformat.v4.new_notebook())
    True
    """
    labels = pick(PAGE_LABELS, lang)
    resources = {
        "plotly_js": _plotly_js() if _needs_plotly(nb) else "",
        "briefing_title": title,
        "page_label_prefix": labels[0],
        "page_label_middle": labels[1],
        "page_label_suffix": labels[2],
    }
    body, _ = _exporter(lang).from_notebook_node(nb, resources=resources)
    return body


def _needs_plotly(nb: Any) -> bool:
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if PLOTLY_MIME in data or "Plotly.newPlot" in str(data.get("text/html", "")):
                return True
    return False


# ------------------------------------------------------------------ further formats


@dataclass(frozen=True)
class Rendered:
    """What a format's writer gets: the executed notebook, its page, and how it was asked for.

    Attributes
    ----------
    notebook : nbformat.NotebookNode
        The executed notebook (its ``text/html`` outputs are the report's blocks, in order).
    html : str
        The page.
    html_path : Path
        Where the page was written (the PDF printer reads it from there).
    title : str
    lang : str
    parameters : dict
        The parameters the notebook ran with.
    """

    notebook: Any
    html: str
    html_path: Path
    title: str
    lang: str
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OutputFormat:
    """A further format: its name (``--pdf``), file suffix, writer and optional pre-flight check.

    ``writer(rendered, target) -> Path`` writes ``target`` (atomically, e.g. through
    :func:`zzanalytics.outputs.atomic_path`); it may be given as ``"module:function"`` so that
    its module is imported only when the format is asked for. ``check()`` runs before any work
    and raises (e.g. :class:`~zzanalytics.errors.DependencyMissingError`) when the format cannot
    be written here.
    """

    name: str
    suffix: str
    writer: Callable[[Rendered, Path], Path] | str
    check: Callable[[], Any] | str | None = None

    def write(self, rendered: Rendered, target: Path) -> Path:
        """Write ``target`` from ``rendered``."""
        return Path(_resolve(self.writer)(rendered, target))


FORMATS: dict[str, OutputFormat] = {}
"""Formats beyond HTML, by name, in the order they were registered."""


def register_format(
    name: str,
    suffix: str,
    writer: Callable[[Rendered, Path], Path] | str,
    check: Callable[[], Any] | str | None = None,
) -> OutputFormat:
    """Add an output format (one call per format; see :class:`OutputFormat`).

    Examples
    --------
    >>> fmt = register_format("txt", ".txt", lambda r, t: write_atomic(t, r.title))
    >>> fmt.suffix, "txt" in FORMATS
    ('.txt', True)
    >>> del FORMATS["txt"]
    """
    if not re.fullmatch(r"[a-z][a-z0-9]*", name):
        raise ReportError(f"format name {name!r}: use lower-case letters and digits, e.g. 'docx'")
    fmt = OutputFormat(name, suffix, writer, check)
    FORMATS[name] = fmt
    return fmt


def check_formats(formats: Sequence[str]) -> list[OutputFormat]:
    """The registered formats named (an unknown one is refused), each pre-flight checked.

    Examples
    --------
    >>> check_formats(["odt"])
    Traceback (most recent call last):
    ...
    zzanalytics.errors.ReportError: format 'odt' is not known; formats are: pdf, docx
    """
    out = []
    for name in dict.fromkeys(formats):
        if name == "html":
            continue
        if name not in FORMATS:
            raise ReportError(f"format {name!r} is not known; formats are: {', '.join(FORMATS)}")
        fmt = FORMATS[name]
        if fmt.check is not None:
            _resolve(fmt.check)()
        out.append(fmt)
    return out


def _resolve(obj: Any) -> Any:
    if isinstance(obj, str):
        from importlib import import_module

        module, _, attr = obj.partition(":")
        return getattr(import_module(module), attr)
    return obj


def _write_pdf(rendered: Rendered, target: Path) -> Path:
    return print_pdf(rendered.html_path, target)


register_format("pdf", ".pdf", _write_pdf, check=find_chromium)
register_format(
    "docx", ".docx", "zzanalytics.report.docx:write_docx", check=find_chromium
)  # charts: Chromium
