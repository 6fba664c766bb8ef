"""A report's notebook as the pipeline reads it: its parameters, the modules it imports, and what a
failed run says.

* :func:`parse_value` reads a ``-p NAME VALUE`` value the way papermill's own ``-p`` does
  (``True``/``False``/``None``, integers, floats, else text);
* :func:`declared_parameters` lists the names the cell tagged ``parameters`` sets (papermill's
  :func:`papermill.inspect_notebook`), and :func:`check_parameters` refuses, in one line, a
  parameter the notebook does not declare;
* :func:`imported_modules` lists what the notebook imports at the top level of its code cells
  (and what its metadata asks for under ``zzanalytics.preload``), for the kernel to load while
  the command does its own work (:mod:`zzanalytics.report.kernel`);
* :func:`describe_failure` turns papermill's error into one line: the cell's number and the first
  line of its source, the error, and where in the library it was raised.

Examples
--------
>>> parse_value("3"), parse_value("2.5"), parse_value("None"), parse_value("620102001")
(3, 2.5, None, 620102001)
>>> parse_value("2026-06-30"), parse_value("True")
('2026-06-30', True)
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

from zzanalytics.errors import ReportError

__all__ = [
    "PRELOAD_KEY",
    "check_parameters",
    "declared_parameters",
    "describe_failure",
    "first_heading",
    "imported_modules",
    "innermost_frame",
    "masked_outputs",
    "parse_value",
    "preload_of",
    "read_notebook",
]

PRELOAD_KEY = "zzanalytics"
"""Notebook metadata key: ``{"zzanalytics": {"preload": ["module", ...]}}`` names modules the
kernel loads before the first cell (those imported inside functions, which no scan can see)."""


KERNELSPEC = {"name": "python3", "language": "python", "display_name": "Python 3"}


def parse_value(text: str) -> Any:
    """A ``-p NAME VALUE`` value, read as papermill's command line reads it.

    ``True``, ``False`` and ``None`` are those values; text that Python reads as an integer or a
    float is that number; anything else stays text. (``tests/test_report.py`` checks this against
    papermill's own parser.)

    Examples
    --------
    >>> parse_value("False"), parse_value("-4"), parse_value("1e3"), parse_value("金河区")
    (False, -4, 1000.0, '金河区')
    """
    if text == "True":
        return True
    if text == "False":
        return False
    if text == "None":
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def read_notebook(path: str | Path) -> Any:
    """The notebook at ``path`` (``nbformat`` v4), or a :class:`ReportError` saying what is wrong.

    Examples
    --------
    >>> read_notebook("no/such.ipynb")
    Traceback (most recent call last):
    ...
    zzanalytics.errors.ReportError: notebook no/such.ipynb does not exist; give the path of a .ipynb file
    """
    import warnings

    import nbformat
    from nbformat.corpus.words import generate_corpus_id

    path = Path(path)
    if not path.is_file():
        raise ReportError(f"notebook {path} does not exist; give the path of a .ipynb file")
    try:
        with warnings.catch_warnings():  # cells without ids (older writers): given one below
            warnings.simplefilter("ignore")
            nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            cell.setdefault("id", generate_corpus_id())
        return nb
    except Exception as exc:  # nbformat raises JSON, validation and encoding errors alike
        raise ReportError(
            f"notebook {path} cannot be read as a Jupyter notebook ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else ''}); save it from Jupyter as .ipynb"
        ) from None


def has_parameters_cell(nb: Any) -> bool:
    """Whether a code cell of ``nb`` is tagged ``parameters``.

    Examples
    --------
    >>> import nbformat
    >>> has_parameters_cell(nbformat.v4.new_notebook())
    False
    """
    return any(
        c.cell_type == "code" and "parameters" in c.get("metadata", {}).get("tags", []) for c in nb.cells
    )


def declared_parameters(nb: Any) -> dict[str, str]:
    """Name → default (as written) of every parameter the cell tagged ``parameters`` sets.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('area = None\\nlang = "zh"')])
    >>> nb.cells[0].metadata["tags"] = ["parameters"]
    >>> declared_parameters(nb)
    {'area': 'None', 'lang': '"zh"'}
    """
    if not has_parameters_cell(nb):
        return {}
    import copy

    import papermill as pm

    if not nb.metadata.get("kernelspec"):  # papermill reads the language from it; we run Python
        nb = copy.copy(nb)
        nb.metadata = {**nb.metadata, "kernelspec": KERNELSPEC}
    return {name: p["default"] for name, p in pm.inspect_notebook(nb).items()}


def check_parameters(nb: Any, names: dict[str, str], notebook: str | Path) -> dict[str, str]:
    """Refuse parameters the notebook does not declare; return what it declares.

    ``names`` maps each parameter to be injected to what asked for it (``"--area"``, ``"-p"``), so
    that the message names the option to drop or the line to add to the ``parameters`` cell.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("month = None")])
    >>> nb.cells[0].metadata["tags"] = ["parameters"]
    >>> check_parameters(nb, {"area": "--area"}, "theft.ipynb")
    Traceback (most recent call last):
    ...
    zzanalytics.errors.ReportError: --area: notebook theft.ipynb has no parameter 'area' ...
    """
    declared = declared_parameters(nb)
    name = Path(notebook).name
    if names and not has_parameters_cell(nb):
        first = next(iter(names.items()))
        raise ReportError(
            f"{first[1]}: notebook {name} has no cell tagged 'parameters', so {first[0]!r} cannot be "
            "set; tag the cell that sets its defaults 'parameters' (Jupyter: View > Cell toolbar > Tags)"
        )
    for param, option in names.items():
        if param not in declared:
            have = ", ".join(declared) or "none"
            raise ReportError(
                f"{option}: notebook {name} has no parameter {param!r} in its 'parameters' cell "
                f"(it has: {have}); leave {option} out, or add a line such as `{param} = None` to that cell"
            )
    return declared


_MAGIC = re.compile(r"^\s*[%!].*$", re.M)


def imported_modules(nb: Any) -> list[str]:
    """Modules imported at the top level of the notebook's code cells, then those its metadata
    names under ``zzanalytics.preload``; each once, in order.

    ``from a.b import c`` gives ``a.b`` and ``a.b.c`` (``c`` may be a module); a cell that is not
    Python (a magic, a syntax error) is skipped.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
    ...     "%matplotlib inline\\nimport pandas as pd\\nfrom zzanalytics.report import blocks")])
    >>> imported_modules(nb)
    ['pandas', 'zzanalytics.report', 'zzanalytics.report.blocks']
    """
    names: list[str] = []
    for cell in nb["cells"]:  # an nbformat node or the notebook's JSON (source as a list of lines)
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        try:
            tree = ast.parse(_MAGIC.sub("", source if isinstance(source, str) else "".join(source)))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                names += [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module != "__future__":
                names.append(node.module)
                names += [f"{node.module}.{a.name}" for a in node.names if a.name != "*"]
    extra = nb.get("metadata", {}).get(PRELOAD_KEY, {}).get("preload", [])
    names += [str(m) for m in extra if isinstance(m, str)]
    return list(dict.fromkeys(names))


def preload_of(path: str | Path) -> list[str]:
    """:func:`imported_modules` of the notebook at ``path``, read as plain JSON (fast: a kernel is
    started with it before anything else is loaded); ``[]`` when it cannot be read.

    Examples
    --------
    >>> preload_of("no/such.ipynb")
    []
    """
    import json

    try:
        return imported_modules(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, AttributeError, KeyError):
        return []


def first_heading(nb: Any) -> str | None:
    """The text of the first Markdown heading of a cell a reader sees (not tagged ``remove``).

    Examples
    --------
    >>> import nbformat
    >>> first_heading(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 月度盗窃分析\\n")]))
    '月度盗窃分析'
    """
    for cell in nb.cells:
        if cell.cell_type != "markdown" or "remove" in cell.get("metadata", {}).get("tags", []):
            continue
        m = re.search(r"^\s{0,3}#{1,3}\s+(.+?)\s*#*\s*$", cell.source, flags=re.M)
        if m:
            return re.sub(r"[*_`]", "", m.group(1)).strip() or None
    return None


# ------------------------------------------------------------------ a failed run

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_FRAME = re.compile(r"File (\S+?\.py):(\d+), in (\S+?)(?:\(|$)", re.M)
CAUSE = "The above exception was the direct cause of the following exception"


def innermost_frame(traceback: str) -> str | None:
    r"""``file.py:LINE in function`` of the innermost frame of the original exception in an
    IPython traceback (before any "direct cause" chaining), or ``None``.

    Examples
    --------
    >>> tb = "File /x/zzanalytics/a.py:3, in body(ctx)\nKeyError: 'x'\n"
    >>> innermost_frame(tb + CAUSE + "\nFile /x/b.py:9, in render")
    'zzanalytics/a.py:3 in body'
    """
    original = traceback.split(CAUSE)[0]
    frames = _FRAME.findall(original)
    if not frames:
        return None
    path, line, fn = frames[-1]
    parts = Path(path).parts
    short = "/".join(parts[parts.index("zzanalytics") :]) if "zzanalytics" in parts else Path(path).name
    return f"{short}:{line} in {fn}"


MARKER = "papermill-error-cell-tag"
"""Tag of the red notes papermill adds to a failed notebook (one at the top, one before the cell)."""


def cell_number(executed: Any, index: int) -> tuple[int, int, str]:
    """(number, count, source) of cell ``index`` of a run in the notebook as written: 1-based,
    not counting the cell papermill injected nor the notes it adds to a failed notebook
    (``index`` counts the injected cell, not the notes).

    Examples
    --------
    >>> import nbformat
    >>> cells = [nbformat.v4.new_code_cell(s) for s in ("a = 1", "a = 2", "b")]
    >>> cells[1].metadata["tags"] = ["injected-parameters"]
    >>> cell_number(nbformat.v4.new_notebook(cells=cells), 2)
    (2, 2, 'b')
    """

    def tags(c: Any) -> list[str]:
        return c.get("metadata", {}).get("tags", [])

    run = [c for c in executed.cells if MARKER not in tags(c)]
    injected = [i for i, c in enumerate(run) if "injected-parameters" in tags(c)]
    before = sum(1 for i in injected if i < index)
    source = run[index].source if 0 <= index < len(run) else ""
    return index + 1 - before, len(run) - len(injected), source


def first_line(source: str, width: int = 70) -> str:
    """The first line of a cell's source that is not blank or a comment, shortened to ``width``.

    Examples
    --------
    >>> first_line("# load\\n\\nframe = zz.counts(inc, freq='week', by=['category', 'area_code', 'cause'])")
    "frame = zz.counts(inc, freq='week', by=['category', 'area_code', 'cau…"
    """
    lines = [s.strip() for s in source.splitlines() if s.strip() and not s.strip().startswith("#")]
    line = lines[0] if lines else (source.strip().splitlines() or [""])[0]
    return line if len(line) <= width else line[: width - 1] + "…"


def describe_failure(notebook: Path, executed: Any, exc: Any, kept: Path | None) -> ReportError:
    """The one-line :class:`ReportError` of a notebook whose cell failed.

    ``exc`` is papermill's ``PapermillExecutionError``; the message names the notebook, the cell
    (its number as written and the first line of its source), the error and the innermost frame
    that raised it, and the executed notebook kept at ``kept``. The whole traceback is in the
    error's ``traceback`` attribute, the kept notebook in ``notebook``.

    Examples
    --------
    >>> import nbformat
    >>> from papermill.exceptions import PapermillExecutionError
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = load()\\nx['a']")])
    >>> tb = ["File /a/zzanalytics/b.py:7, in load(ctx)"]
    >>> exc = PapermillExecutionError(0, 1, "x = load()", "KeyError", "'a'", tb)
    >>> print(describe_failure(Path("t.ipynb"), nb, exc, None))
    notebook t.ipynb failed in cell 1 of 1 (x = load()): KeyError: 'a' (raised at zzanalytics/b.py:7 in load)
    """
    traceback = _ANSI.sub("", "\n".join(exc.traceback or []))
    where = innermost_frame(traceback)
    number, count, source = cell_number(executed, int(exc.cell_index))
    message = (
        f"notebook {notebook.name} failed in cell {number} of {count} ({first_line(source or exc.source)}): "
        f"{exc.ename}: {' '.join(str(exc.evalue).split())}"
        + (f" (raised at {where})" if where else "")
        + (f"; the executed notebook, with the traceback, is {kept}" if kept else "")
    )
    err = ReportError(message)
    err.traceback = traceback  # type: ignore[attr-defined]
    err.notebook = kept  # type: ignore[attr-defined]
    err.cell = number  # type: ignore[attr-defined]
    return err


def masked_outputs(nb: Any) -> str:
    """An executed notebook as JSON text with its error, stream and plain-text outputs masked
    (:func:`zzanalytics.privacy.mask_text`): a failure message may quote a value from data.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x")])
    >>> nb.cells[0].outputs = [nbformat.v4.new_output("error", ename="ValueError",
    ...     evalue="bad value '13812345678'", traceback=["ValueError: 13812345678"])]
    >>> "13812345678" in masked_outputs(nb), "138******78" in masked_outputs(nb)
    (False, True)
    """
    import copy

    import nbformat

    from zzanalytics.privacy import mask_text

    nb = copy.deepcopy(nb)
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
