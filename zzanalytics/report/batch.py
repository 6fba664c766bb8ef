"""Reports of several areas: the district and every township in parallel processes, and an index page.

Each area is rendered by :func:`zzanalytics.report.render.render_report` in a worker of
:func:`zzanalytics.execution.run_tasks` (process pool with a progress bar, or Dask given a
scheduler). An area that fails is recorded with its error and listed in ``index.html``; the
other areas are unaffected. Every file is written atomically, so re-running overwrites without
ever leaving a half-written file in ``reports/``. :func:`batch_briefings` is the briefing's batch.

Examples
--------
>>> res = batch_briefings(areas=["620102001"], period="2026-01-01:2026-06-30")  # doctest: +SKIP
>>> res.index.name, [r.ok for r in res.results]  # doctest: +SKIP
('index.html', [True])
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zzanalytics.clock import DEFAULT_TZ, now
from zzanalytics.config import reports_dir
from zzanalytics.errors import ReportError
from zzanalytics.outputs import write_atomic
from zzanalytics.report import text as tx
from zzanalytics.report.formats import check_formats
from zzanalytics.report.phrases import Phrases
from zzanalytics.report.pipeline import DISTRICT, briefing_notebook, default_lang, injected_names, render_area

INDEX = Phrases(
    {
        "briefings": ("综治信访维稳形势分析", "Public-security briefings"),
        "heading": ("{title} {period}", "{title}, {period}"),
        "html_lang": ("zh-CN", "en"),
        "col.area": ("区域", "Area"),
        "col.briefing": ("简报", "Briefing"),
        "col.report": ("报告", "Report"),
        "col.status": ("状态", "Status"),
        "written": ("已生成", "written"),
        "failed": ("失败:{error}", "failed: {error}"),
        "summary": (
            "共{n}个区域,生成{ok}个,失败{failed}个。",
            "{n} areas: {ok} written, {failed} failed.",
        ),
    },
    name="index",
)
"""Texts of the batch's ``index.html``."""


@dataclass
class AreaResult:
    """Outcome of one area's report: the files written, or the error."""

    area: str
    name: str
    paths: list[Path] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    title: str = ""

    @property
    def ok(self) -> bool:
        """True when the report was written."""
        return self.error is None


@dataclass
class BatchResult:
    """All areas' outcomes and the index page."""

    results: list[AreaResult]
    index: Path

    @property
    def failed(self) -> list[AreaResult]:
        """The areas whose report failed."""
        return [r for r in self.results if not r.ok]

    @property
    def paths(self) -> list[Path]:
        """Every file written, the index last."""
        return [p for r in self.results for p in r.paths] + [self.index]

    def raise_for_failures(self) -> None:
        """Raise one :class:`ReportError` listing the areas that failed (the others are written)."""
        if self.failed:
            lines = "; ".join(f"{r.area}: {r.error}" for r in self.failed)
            err = ReportError(
                f"{len(self.failed)} of {len(self.results)} reports failed ({lines}); "
                f"the others and {self.index} were written"
            )
            err.result = self  # type: ignore[attr-defined]
            raise err


def _render_task(task: dict[str, Any]) -> AreaResult:
    """Worker: render one area; every failure is caught and returned, never raised."""
    import time

    from zzanalytics.report.notebook import read_notebook

    t0 = time.perf_counter()
    try:
        kwargs = dict(task["kwargs"])
        notebook = Path(kwargs.pop("notebook"))
        formats = check_formats(kwargs.pop("formats"))
        paths = render_area(notebook, read_notebook(notebook), formats, **kwargs)
        found = re.search(r"<title>(.*?)</title>", paths[0].read_text(encoding="utf-8"), flags=re.S)
        title = html.unescape(found.group(1)) if found else ""
        return AreaResult(task["area"], task["name"], paths, None, time.perf_counter() - t0, title)
    except Exception as exc:  # isolate the failure of one area from the others
        message = f"{type(exc).__name__}: {exc}"
        return AreaResult(task["area"], task["name"], [], message, time.perf_counter() - t0)


def batch_reports(
    notebook: str | Path,
    *,
    parameters: dict[str, Any] | None = None,
    store: str | Path | None = None,
    period: str | tuple[Any, Any] | None = None,
    areas: str | Sequence[str] | None = "all",
    lang: str | None = None,
    formats: Sequence[str] = (),
    out: str | Path | None = None,
    name: str | None = None,
    title: str | None = None,
    timeout: int = 600,
    workers: int | None = None,
    scheduler: Any = None,
    progress: bool = True,
    cwd: str | Path | None = None,
    briefings: bool = False,
) -> BatchResult:
    """Render a notebook for several areas in parallel and write ``index.html`` linking them.

    Parameters
    ----------
    notebook : path
        A notebook whose ``parameters`` cell sets ``area``.
    areas : "all" or sequence of str
        ``"all"`` is the district followed by every township of the store; otherwise township
        codes or names (``"district"`` for the whole district). An unknown one fails alone.
    parameters, store, period, lang, formats, out, name, title, timeout, cwd
        As for :func:`~zzanalytics.report.render.render_report` (the same for every area).
    workers : int, optional
        Local processes; default the CPU count.
    scheduler : str, optional
        Dask scheduler address.
    progress : bool
        Show a progress bar.
    briefings : bool
        Title the index as an index of briefings (:func:`batch_briefings`).

    Returns
    -------
    BatchResult
        One :class:`AreaResult` per area (in the order given) and the index page.
    """
    from zzanalytics.report.briefing.period import (
        area_names,
        district_name,
        find_area,
        opened,
        parse_period,
    )
    from zzanalytics.report.notebook import check_parameters, first_heading, read_notebook
    from zzanalytics.schema import natural_key

    check_formats(formats)
    nb = read_notebook(notebook)
    check_parameters(nb, injected_names(dict(parameters or {}), store, period, "all", lang), notebook)
    store_path = str(Path(store).resolve()) if store is not None else None
    page_lang = lang or default_lang(nb)
    names = area_names(store_path, page_lang)  # also builds the default store once, before the fan-out
    if areas is None or isinstance(areas, str):
        areas = [DISTRICT, *sorted(names, key=natural_key)] if areas in (None, "all") else [areas]
    codes = []
    for a in areas:
        try:
            codes.append(DISTRICT if a in (DISTRICT, None, "") else find_area(store_path, str(a)))
        except ReportError:  # kept as given: its report fails alone, listed in the index
            codes.append(str(a))
    out_dir = Path(out) if out is not None else reports_dir()
    whole = district_name(store_path, page_lang)
    common = {
        "notebook": str(notebook),
        "parameters": dict(parameters or {}),
        "store": store_path,
        "period": period,
        "lang": lang,
        "formats": list(formats),
        "out": str(out_dir),
        "name": name,
        "title": title,
        "timeout": timeout,
        "cwd": None if cwd is None else str(cwd),
    }
    tasks = [
        {
            "area": code,
            "name": whole if code == DISTRICT else names.get(code, code),
            "kwargs": {**common, "area": code},
        }
        for code in codes
    ]
    results = run(tasks, workers=workers, scheduler=scheduler, progress=progress)
    with opened(store_path) as st:
        tz = getattr(st, "timezone", None)
    start, end = parse_period(period) if period is not None else (None, None)
    pages = [r.title for r in results if r.title]  # each page's own title, the district's first
    heading = (
        None if briefings else (title or first_heading(nb) or (pages[0] if pages else Path(notebook).stem))
    )
    index = write_index(results, out_dir, start, end, page_lang, tz=tz, title=heading)
    return BatchResult(results, index)


def batch_briefings(
    store: str | Path | None = None,
    *,
    period: str | tuple[Any, Any] | None = None,
    areas: str | Sequence[str] = "all",
    lang: str = "zh",
    pdf: bool = False,
    docx: bool = False,
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: Any = None,
    targets: dict[str, float] | None = None,
    notebook: str | Path | None = None,
    progress: bool = True,
    formats: Sequence[str] = (),
) -> BatchResult:
    """Render the briefings of several areas in parallel and write ``index.html`` linking them:
    the briefing notebook through :func:`batch_reports`, with the briefing's default period.

    Parameters
    ----------
    store : path, optional
        DuckDB store (opened read-only by every worker); default the sample store.
    period : "START:END", optional
        Same period for every area; default 1 January to the last complete month.
    areas : "all" or sequence of str
        ``"all"`` is the district followed by every township of the store; otherwise township
        codes (``"district"`` for the whole district).
    lang, pdf, docx, out, targets, notebook, formats
        As for :func:`~zzanalytics.report.render.render_briefing`.
    workers : int, optional
        Local processes; default the CPU count.
    scheduler : str, optional
        Dask scheduler address.
    progress : bool
        Show a progress bar.

    Returns
    -------
    BatchResult
        One :class:`AreaResult` per area (in the order given) and the index page.
    """
    from contextlib import ExitStack

    from zzanalytics.report.briefing.period import resolve_period

    store_path = str(Path(store).resolve()) if store is not None else None
    start, end = resolve_period(store_path, period)  # also builds the default store once, before the fan-out
    with ExitStack() as stack:
        path = Path(notebook) if notebook is not None else stack.enter_context(briefing_notebook())
        return batch_reports(
            path,
            parameters={"targets": dict(targets or {})},
            store=store,
            period=(start.date().isoformat(), end.date().isoformat()),
            areas=areas,
            lang=lang,
            formats=[*(["pdf"] if pdf else []), *(["docx"] if docx else []), *formats],
            out=out,
            name="briefing",
            title="",
            workers=workers,
            scheduler=scheduler,
            progress=progress,
            briefings=True,
        )


def run(
    tasks: list[dict[str, Any]], *, workers: int | None, scheduler: Any, progress: bool
) -> list[AreaResult]:
    """Fan the tasks out through :func:`zzanalytics.execution.run_tasks` (one area per task).

    Examples
    --------
    >>> run([{"area": "district", ...}], workers=1, scheduler=None, progress=False)  # doctest: +SKIP
    """
    from zzanalytics.execution import run_tasks

    return run_tasks(
        _render_task,
        tasks,
        workers=workers,
        scheduler=scheduler,
        progress=progress,
        desc="reports",
        chunksize=1,
    )


def write_index(
    results: Sequence[AreaResult],
    out_dir: Path,
    start: Any,
    end: Any,
    lang: str = "zh",
    tz: str | None = None,
    title: str | None = None,
) -> Path:
    """Write ``index.html`` (atomically) linking every report and listing every failure.

    ``title`` is the reports' title (the period follows it); ``None`` titles an index of briefings.

    Examples
    --------
    >>> import tempfile
    >>> r = AreaResult("620102001", "鼓楼街道", error="ReportError: x")
    >>> p = write_index([r], Path(tempfile.mkdtemp()), "2026-01-01", "2026-06-30")
    >>> "失败:ReportError: x" in p.read_text(encoding="utf-8")
    True
    """
    import pandas as pd

    briefing = title is None
    period = tx.period_label(start, end, lang, with_year=True) if start is not None else ""
    title = INDEX.say("briefings", lang) if title is None else title
    heading = tx.clean(INDEX.say("heading", lang, title=title, period=period) if period else title)
    suffixes = list(dict.fromkeys(p.suffix for r in results for p in r.paths)) or [".html"]
    first = INDEX.say("col.briefing" if briefing else "col.report", lang)
    head = [INDEX.say("col.area", lang), *(first if s == ".html" else s[1:].upper() for s in suffixes)]
    head.append(INDEX.say("col.status", lang))
    rows = []
    for r in results:
        links = {p.suffix: f'<a href="{html.escape(p.name)}">{html.escape(p.name)}</a>' for p in r.paths}
        status = (
            INDEX.say("written", lang)
            if r.ok
            else html.escape(INDEX.say("failed", lang, error=tx.mask_text(r.error or "")))
        )
        cls = "" if r.ok else ' class="failed"'
        cells = "".join(f"<td>{links.get(s, '')}</td>" for s in suffixes)
        rows.append(
            f"<tr{cls}><td>{tx.h(r.name)}{'' if r.area == DISTRICT else f' ({html.escape(r.area)})'}</td>"
            f"{cells}<td>{status}</td></tr>"
        )
    n_ok = sum(r.ok for r in results)
    summary = INDEX.say("summary", lang, n=len(results), ok=n_ok, failed=len(results) - n_ok)
    stamp = pd.Timestamp(now(tz or DEFAULT_TZ)).strftime("%Y-%m-%d %H:%M")  # on the store's clock
    code = INDEX.say("html_lang", lang)
    doc = f"""<!DOCTYPE html>
<html lang="{code}"><head><meta charset="utf-8"><title>{html.escape(heading)}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; margin: 2em auto;
        max-width: 900px; color: #1d1d1d; }}
h1 {{ color: #9b1c1c; font-size: 1.5rem; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #ccc; padding: 4px 8px; text-align: left; }}
th {{ background: #f0ece4; }}
tr.failed td {{ color: #9b1c1c; }}
</style></head><body>
<h1>{html.escape(heading)}</h1>
<p>{html.escape(summary)} <span style="color:#666">({html.escape(stamp)})</span></p>
<table><thead><tr>{"".join(f"<th>{h}</th>" for h in head)}</tr></thead>
<tbody>{"".join(rows)}</tbody></table>
</body></html>
"""
    return write_atomic(Path(out_dir) / "index.html", doc)
