"""Benchmark the briefing: one district briefing (HTML + PDF), and ``--area all`` with 1 vs 2 workers.

Goals (issue 6): one briefing in under 20 s, HTML under 8 MB, and 2 workers at least 1.6x faster
than 1 on ``--area all``. The 1-worker batch is the baseline of the 2-worker batch in the same run.

Run::

    .venv/bin/python benchmarks/bench_briefing.py            # everything (several minutes)
    .venv/bin/python benchmarks/bench_briefing.py --quick    # one briefing and 4 areas per batch

Outputs go to ``benchmarks/out/`` (ignored by git).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import time
from pathlib import Path

from zzanalytics.report.batch import batch_briefings
from zzanalytics.report.briefing import area_names
from zzanalytics.report.render import render_briefing
from zzanalytics.workspace import open_store

OUT = Path(__file__).resolve().parent / "out" / "briefing"


def _mb(path: Path) -> float:
    return path.stat().st_size / 1e6


def _cpu() -> float:
    """CPU seconds of this process and of every finished descendant (kernels, Chromium, pool workers).

    On a shared machine wall time depends on the other tenants; CPU time does not.
    """
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def one_briefing() -> dict:
    out = OUT / "one"
    shutil.rmtree(out, ignore_errors=True)
    c0, t0 = _cpu(), time.perf_counter()
    html, pdf = render_briefing(pdf=True, out=out)
    t_total, c_total = time.perf_counter() - t0, _cpu() - c0
    c1, t1 = _cpu(), time.perf_counter()
    render_briefing(out=out)
    t_html, c_html = time.perf_counter() - t1, _cpu() - c1
    return {
        "seconds_html_pdf": t_total,
        "seconds_html": t_html,
        "cpu_html_pdf": c_total,
        "cpu_html": c_html,
        "html_mb": _mb(html),
        "pdf_mb": _mb(pdf),
    }


def batch(workers: int, areas: list[str] | str) -> dict:
    out = OUT / f"all-{workers}"
    shutil.rmtree(out, ignore_errors=True)
    c0, t0 = _cpu(), time.perf_counter()
    res = batch_briefings(areas=areas, out=out, workers=workers, progress=False)
    return {
        "seconds": time.perf_counter() - t0,
        "cpu": _cpu() - c0,
        "ok": sum(r.ok for r in res.results),
        "n": len(res.results),
        "failed": [f"{r.area}: {r.error}" for r in res.failed],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="4 areas per batch instead of all")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with open_store() as st:  # build the sample store once, outside the timings
        print(st.summary().splitlines()[0])
    print(
        f"cpus: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.1f} "
        "(wall times are only meaningful on an otherwise idle machine)"
    )

    one = one_briefing()
    met = one["seconds_html_pdf"] < 20 and one["html_mb"] < 8
    print(
        f"one district briefing: {one['seconds_html_pdf']:.1f} s wall ({one['cpu_html_pdf']:.1f} s CPU) "
        "with PDF, "
        f"{one['seconds_html']:.1f} s wall ({one['cpu_html']:.1f} s CPU) HTML only; "
        f"HTML {one['html_mb']:.2f} MB, PDF {one['pdf_mb']:.2f} MB "
        f"(goal < 20 s, HTML < 8 MB: {'met' if met else 'NOT met'} on wall time)"
    )

    areas: list[str] | str = "all"
    if args.quick:
        areas = ["district", *sorted(area_names(None))[:3]]
    n = len(areas) if isinstance(areas, list) else 1 + len(area_names(None))
    b1 = batch(1, areas)
    print(
        f"--area all, 1 worker : {b1['seconds']:.1f} s wall, {b1['cpu']:.1f} s CPU for "
        f"{b1['ok']}/{b1['n']} briefings ({b1['seconds'] / n:.1f} s each)"
    )
    b2 = batch(2, areas)
    print(
        f"--area all, 2 workers: {b2['seconds']:.1f} s wall, {b2['cpu']:.1f} s CPU for "
        f"{b2['ok']}/{b2['n']} briefings"
    )
    ratio = b1["seconds"] / b2["seconds"]
    print(f"speed-up 2 vs 1 workers: {ratio:.2f}x (goal >= 1.6x: {'met' if ratio >= 1.6 else 'NOT met'})")
    for f in b1["failed"] + b2["failed"]:
        print("failed:", f)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
