"""``zz report`` (any notebook through the house pipeline) and ``zz briefing`` (the package's
briefing notebook through it), registered by :mod:`zzanalytics.cli`.

Both check every option before any work (one line naming the option and the fix, exit 2), print
the paths they write, one a line, and nothing else: the kernel's own messages go to its log
(:mod:`zzanalytics.report.kernel`). With ``--area all`` an area that fails is listed on stderr
and in ``index.html``, the others are written, and the exit code is 2.

Examples
--------
>>> from typer.testing import CliRunner
>>> from zzanalytics.cli import app
>>> CliRunner().invoke(app, ["report", "theft.ipynb", "-p", "month", "6"]).exit_code  # doctest: +SKIP
0
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from zzanalytics.cli.checks import check_area, check_choice, check_out_dir, check_period, check_workers
from zzanalytics.errors import ZZError

__all__ = ["ParametersCommand", "briefing_command", "report_command"]


class ParametersCommand(TyperCommand):
    """``zz report``'s command: ``-p NAME VALUE`` takes two values and may repeat (papermill's
    form), which typer cannot declare: each pair is joined into one value before parsing."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, pair_parameters(args))


SEP = "\x00"
"""Joins NAME and VALUE of one ``-p`` (no command-line argument can hold it)."""


def pair_parameters(args: list[str]) -> list[str]:
    r"""``-p NAME VALUE`` (or ``--parameter``) as one option value ``NAME<SEP>VALUE``.

    Examples
    --------
    >>> pair_parameters(["x.ipynb", "-p", "month", "6", "--pdf"])
    ['x.ipynb', '-p', 'month\x006', '--pdf']
    """
    out, i = [], 0
    while i < len(args):
        if args[i] == "--":
            return out + args[i:]
        if args[i] in ("-p", "--parameter") and i + 2 < len(args) and not args[i + 1].startswith("-"):
            out += [args[i], f"{args[i + 1]}{SEP}{args[i + 2]}"]
            i += 3
            continue
        out.append(args[i])
        i += 1
    return out


StoreOpt = Annotated[
    Path | None,
    typer.Option("--store", help="DuckDB store; default: the sample district's store (built on first use)."),
]
PeriodOpt = Annotated[
    str | None, typer.Option("--period", help="START:END dates, e.g. 2026-01-01:2026-06-30.")
]
PdfOpt = Annotated[bool, typer.Option("--pdf", help="Also print an A4 PDF through headless Chromium.")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Output folder; default reports/.")]
WorkersOpt = Annotated[
    int | None, typer.Option("--workers", help="Local worker processes for --area all; default: CPU count.")
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option("--scheduler", help="Dask scheduler address (or ZZ_SCHEDULER); default: local processes."),
]


def _echo_path(path: Any) -> None:
    """Print a path we wrote (its name is built from safe parts): printable, not masked."""
    typer.echo(re.sub(r"[\x00-\x1f\x7f]", "?", str(path)))


def _check_common(
    store: Path | None, period: str | None, area: str | None, lang: str | None, pdf: bool, out: Path | None
) -> tuple[Path | None, str | None, str | None]:
    """The options both commands share, checked before any work starts."""
    from zzanalytics.cli.checks import check_store_to_read

    if lang is not None:
        check_choice(lang, ("zh", "en"), "--lang")
    period = check_period(period)
    if period is not None:
        from zzanalytics.report.briefing import parse_period

        parse_period(period)
    if out is not None:
        check_out_dir(out)
    store = check_store_to_read(store)
    if pdf:
        from zzanalytics.report.render import check_formats

        check_formats(["pdf"])
    if area is not None:
        area = check_area(store, area)
    return store, period, area


def _early_kernel(notebook: Path, area: str | None, cwd: Path | None = None) -> Any:
    """The notebook's kernel, started before the options are checked and the store is read, so
    that its start (a Python process and the notebook's imports, seconds) runs beside them; ``None``
    for ``--area all``, whose workers start one per area."""
    if area is not None and area.strip() == "all":
        return None
    from zzanalytics.report.kernel import Kernel
    from zzanalytics.report.notebook import preload_of

    return Kernel(preload=preload_of(notebook), cwd=cwd).start()


def _finish(res: Any) -> None:
    """Print every file a batch wrote; its failures end as one error line (exit 2)."""
    for p in res.paths:
        _echo_path(p)
    res.raise_for_failures()


def report_command(
    notebook: Annotated[Path, typer.Argument(help="The notebook (.ipynb) with a cell tagged 'parameters'.")],
    parameter: Annotated[
        list[str] | None,
        typer.Option(
            "-p",
            "--parameter",
            metavar="NAME VALUE",
            help="Set a parameter of the notebook (repeatable); VALUE is read as papermill "
            "reads it: True/False/None, a number, else text.",
        ),
    ] = None,
    store: StoreOpt = None,
    period: Annotated[
        str | None,
        typer.Option("--period", help="START:END dates, injected as the parameters start and end."),
    ] = None,
    area: Annotated[
        str | None,
        typer.Option(
            "--area", help="Township code or name, 'district', or 'all' (one report each and index.html)."
        ),
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="zh | en, injected as the parameter lang.")
    ] = None,
    pdf: PdfOpt = False,
    out: OutOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    timeout: Annotated[int, typer.Option("--timeout", help="Seconds allowed per cell.")] = 600,
) -> None:
    """Run any notebook with a 'parameters' cell through the briefing's pipeline: parameters
    injected, code hidden, one offline HTML page (and an A4 PDF with --pdf) per area."""
    from zzanalytics.cli.checks import check_in_file, check_range
    from zzanalytics.report.notebook import check_parameters, parse_value, read_notebook
    from zzanalytics.report.render import injected_names, render_report

    check_in_file(notebook, "NOTEBOOK")
    if notebook.suffix.lower() != ".ipynb":
        raise ZZError(f"NOTEBOOK {notebook}: not a .ipynb file; give a Jupyter notebook")
    check_range(timeout, "--timeout", lo=1, hi=86_400, example=600)
    check_workers(workers)
    params: dict[str, Any] = {}
    for pair in parameter or ():
        name, sep, value = pair.partition(SEP)
        if not sep:
            raise ZZError(f"-p {name}: give a name and a value, e.g. -p month 6")
        if not name.isidentifier():
            raise ZZError(f"-p {name!r}: not a parameter name; use the name the 'parameters' cell sets")
        if name in params:
            raise ZZError(f"-p {name}: given twice; give each parameter once")
        params[name] = parse_value(value)
    nb = read_notebook(notebook)  # a parameter the notebook lacks is refused before the store is read
    check_parameters(nb, injected_names(params, store, period, area, lang), notebook)
    kernel = _early_kernel(notebook, area, cwd=notebook.resolve().parent)
    try:
        store, period, area = _check_common(store, period, area, lang, pdf, out)
        paths = render_report(
            notebook,
            parameters=params,
            store=store,
            period=period,
            area=area,
            lang=lang,
            pdf=pdf,
            out=out,
            timeout=timeout,
            workers=workers,
            scheduler=scheduler,
            progress=area == "all" and sys.stderr.isatty(),
            kernel=kernel,
        )
    except ZZError as exc:
        res = getattr(exc, "result", None)  # --area all: the areas written, then the failures
        for p in res.paths if res is not None else []:
            _echo_path(p)
        raise
    finally:
        if kernel is not None:
            kernel.close()
    for p in paths:
        _echo_path(p)


def briefing_command(
    store: StoreOpt = None,
    period: Annotated[
        str | None,
        typer.Option("--period", help="START:END dates; default the latest months the data cover."),
    ] = None,
    area: Annotated[
        str | None, typer.Option("--area", help="Township code or name, or 'all' for every township.")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="zh | en")] = "zh",
    pdf: PdfOpt = False,
    docx: Annotated[
        bool, typer.Option("--docx", help="Also write an editable Word document (zh: GB/T 9704-2012).")
    ] = False,
    out: OutOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
) -> None:
    """Render the plenary-meeting briefing (HTML, optionally PDF) for the district or townships:
    `zz report` of the package's briefing notebook."""
    from zzanalytics.report.pipeline import briefing_notebook
    from zzanalytics.report.render import render_briefing

    check_workers(workers)
    check_choice(lang, ("zh", "en"), "--lang")
    with briefing_notebook() as notebook:
        kernel = _early_kernel(notebook, area)
        try:
            store, period, area = _check_common(store, period, area, lang, pdf or docx, out)
            if period is None:
                from zzanalytics.report.briefing import announce_period

                period = announce_period(store)  # the default period, printed with why
            kwargs: dict[str, Any] = {"period": period, "lang": lang, "pdf": pdf, "docx": docx, "out": out}
            if area == "all":
                from zzanalytics.report.batch import batch_briefings

                progress = sys.stderr.isatty()  # a bar for a person, not for a log
                kw = {"workers": workers, "scheduler": scheduler, "progress": progress, **kwargs}
                _finish(batch_briefings(store, areas="all", **kw))
                return
            paths = render_briefing(store, area=area, kernel=kernel, **kwargs)
        finally:
            if kernel is not None:
                kernel.close()
    for p in paths:
        _echo_path(p)
