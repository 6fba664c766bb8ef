"""Batch briefings: the district and every township in parallel processes, plus an index page.

Each area is rendered by :func:`zzanalytics.report.render.render_briefing` in a
worker of :func:`zzanalytics.execution.run_tasks` (process pool with a progress
bar, or Dask given a scheduler). An area that fails is recorded with its error
and listed in ``index.html``; the other areas are unaffected. Every file is
written atomically, so re-running overwrites without ever leaving a half-written
file in ``reports/``.

Examples
--------
>>> res = batch_briefings(areas=["620102001"], period="2026-01-01:2026-06-30")  # doctest: +SKIP
>>> res.index.name, [r.ok for r in res.results]  # doctest: +SKIP
('index.html', [True])
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from zzanalytics.clock import DEFAULT_TZ, now
from zzanalytics.config import reports_dir
from zzanalytics.report import text as tx
from zzanalytics.report.briefing.period import (
    DISTRICT,
    area_names,
    district_name,
    find_area,
    opened,
    resolve_period,
    store_path_of,
)
from zzanalytics.report.phrases import Phrases
from zzanalytics.report.render import render_briefing, write_atomic
from zzanalytics.schema import natural_key

INDEX = Phrases(
    {
        "title": ("综治信访维稳形势分析 {period}", "Public-security briefings, {period}"),
        "html_lang": ("zh-CN", "en"),
        "col.area": ("区域", "Area"),
        "col.briefing": ("简报", "Briefing"),
        "col.pdf": ("PDF", "PDF"),
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
    """Outcome of one area's briefing: the files written, or the error."""

    area: str
    name: str
    paths: list[Path] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when the briefing was written."""
        return self.error is None


@dataclass
class BatchResult:
    """All areas' outcomes and the index page."""

    results: list[AreaResult]
    index: Path

    @property
    def failed(self) -> list[AreaResult]:
        """The areas whose briefing failed."""
        return [r for r in self.results if not r.ok]

    @property
    def paths(self) -> list[Path]:
        """Every file written, the index last."""
        return [p for r in self.results for p in r.paths] + [self.index]


def _render_task(task: dict[str, Any]) -> AreaResult:
    """Worker: render one area; every failure is caught and returned, never raised."""
    import time

    t0 = time.perf_counter()
    area = task["area"]
    try:
        paths = render_briefing(
            task["store"],
            period=task["period"],
            area=None if area == DISTRICT else area,
            lang=task["lang"],
            pdf=task["pdf"],
            docx=task.get("docx", False),
            out=task["out"],
            targets=task["targets"],
            notebook=task["notebook"],
        )
        return AreaResult(area, task["name"], paths, None, time.perf_counter() - t0)
    except Exception as exc:  # isolate the failure of one area from the others
        return AreaResult(area, task["name"], [], f"{type(exc).__name__}: {exc}", time.perf_counter() - t0)


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
) -> BatchResult:
    """Render the briefings of several areas in parallel and write ``index.html`` linking them.

    Parameters
    ----------
    store : path, optional
        DuckDB store (opened read-only by every worker); default the sample store.
    period : "START:END", optional
        Same period for every area; default 1 January to the last complete month.
    areas : "all" or sequence of str
        ``"all"`` is the district followed by every township of the store; otherwise township
        codes (``"district"`` for the whole district).
    lang, pdf, docx, out, targets, notebook
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
    store_path = store_path_of(store)
    start, end = resolve_period(store_path, period)  # also builds the default store once, before the fan-out
    names = area_names(store_path, lang)
    if isinstance(areas, str):
        areas = [areas] if areas != "all" else [DISTRICT, *sorted(names, key=natural_key)]
    areas = [a if a in (DISTRICT, None, "") else _code(store_path, str(a)) for a in areas]
    out_dir = Path(out) if out is not None else reports_dir()
    whole = district_name(store_path, lang)
    tasks = [
        {
            "store": store_path,
            "period": (start.date().isoformat(), end.date().isoformat()),
            "area": str(a),
            "name": whole if a == DISTRICT else names.get(str(a), str(a)),
            "lang": lang,
            "pdf": pdf,
            "docx": docx,
            "out": str(out_dir),
            "targets": dict(targets or {}),
            "notebook": None if notebook is None else str(notebook),
        }
        for a in areas
    ]
    results = run(tasks, workers=workers, scheduler=scheduler, progress=progress)
    with opened(store_path) as st:
        tz = getattr(st, "timezone", None)
    index = write_index(results, out_dir, start, end, lang, tz=tz)
    return BatchResult(results, index)


def _code(store: Any, area: str) -> str:
    """The code of a township named by code or name; an unknown one is kept as given, so that its
    briefing fails alone (and is listed in the index) while the others are written."""
    from zzanalytics.errors import ReportError

    try:
        return find_area(store, area)
    except ReportError:
        return area


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
        desc="briefings",
        chunksize=1,
    )


def write_index(
    results: Sequence[AreaResult],
    out_dir: Path,
    start: Any,
    end: Any,
    lang: str = "zh",
    tz: str | None = None,
) -> Path:
    """Write ``index.html`` (atomically) linking every briefing and listing every failure.

    Examples
    --------
    >>> import tempfile
    >>> r = AreaResult("620102001", "鼓楼街道", error="ReportError: x")
    >>> p = write_index([r], Path(tempfile.mkdtemp()), "2026-01-01", "2026-06-30")
    >>> "失败:ReportError: x" in p.read_text(encoding="utf-8")
    True
    """
    period = tx.period_label(start, end, lang, with_year=True)
    title = INDEX.say("title", lang, period=period)
    head = [INDEX.say(f"col.{c}", lang) for c in ("area", "briefing", "pdf", "status")]
    rows = []
    for r in results:

        def link(suffix: str, r: AreaResult = r) -> str:
            for p in r.paths:
                if p.suffix == suffix:
                    return f'<a href="{html.escape(p.name)}">{html.escape(p.name)}</a>'
            return ""

        status = (
            INDEX.say("written", lang)
            if r.ok
            else html.escape(INDEX.say("failed", lang, error=tx.mask_text(r.error or "")))
        )
        cls = "" if r.ok else ' class="failed"'
        rows.append(
            f"<tr{cls}><td>{tx.h(r.name)}{'' if r.area == DISTRICT else f' ({html.escape(r.area)})'}</td>"
            f"<td>{link('.html')}</td>"
            f"<td>{link('.pdf')}</td><td>{status}</td></tr>"
        )
    n_ok = sum(r.ok for r in results)
    summary = INDEX.say("summary", lang, n=len(results), ok=n_ok, failed=len(results) - n_ok)
    stamp = pd.Timestamp(now(tz or DEFAULT_TZ)).strftime("%Y-%m-%d %H:%M")  # on the store's clock
    code = INDEX.say("html_lang", lang)
    doc = f"""<!DOCTYPE html>
<html lang="{code}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; margin: 2em auto;
        max-width: 900px; color: #1d1d1d; }}
h1 {{ color: #9b1c1c; font-size: 1.5rem; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #ccc; padding: 4px 8px; text-align: left; }}
th {{ background: #f0ece4; }}
tr.failed td {{ color: #9b1c1c; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p>{html.escape(summary)} <span style="color:#666">({html.escape(stamp)})</span></p>
<table><thead><tr>{"".join(f"<th>{h}</th>" for h in head)}</tr></thead>
<tbody>{"".join(rows)}</tbody></table>
</body></html>
"""
    return write_atomic(Path(out_dir) / "index.html", doc)
