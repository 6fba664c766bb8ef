"""Benchmark the briefing against the pipeline's floor, in the same run, as a user runs it.

Each measurement is a fresh ``zz`` process, timed from start to exit (wall and CPU of the process
and its children: kernel, Chromium):

* **floor** — ``zz report`` of an empty notebook with one parameter: Python, the CLI, papermill,
  a kernel, nbconvert and the page, with nothing computed;
* **briefing** — ``zz briefing`` of the sample district (HTML), and with ``--pdf``.

Goals (issue 22): the briefing's HTML within 2x the floor measured in the same run, the PDF adding
at most 4 s. Rounds alternate floor, briefing and briefing with PDF, so that load from other
tenants of the machine falls on all three alike; the median of the rounds is reported, and the
load average before and after. ``--batch`` also times ``--area all`` with 1 and 2 workers (issue 6:
2 workers at least 1.6x faster than 1).

Run::

    .venv/bin/python benchmarks/bench_briefing.py              # 5 rounds (about 2 minutes)
    .venv/bin/python benchmarks/bench_briefing.py --rounds 3 --batch

Outputs go to ``benchmarks/out/`` (ignored by git).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import nbformat

OUT = Path(__file__).resolve().parent / "out" / "briefing"
ZZ = str(Path(sys.executable).with_name("zz"))


def empty_notebook(path: Path) -> Path:
    """A notebook with one parameter and nothing else: what the pipeline costs by itself."""
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}
    )
    cell = nbformat.v4.new_code_cell("x = 1")
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nbformat.write(nb, path)
    return path


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and its children) of one command, which must succeed."""
    before = os.times()
    t0 = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = os.times()
    # the one line zz briefing says on purpose: the default period it chose and why (issue 19)
    noise = [ln for ln in res.stderr.splitlines() if ln.strip() and not ln.startswith("period ")]
    if res.returncode != 0 or noise:
        raise SystemExit(f"{' '.join(cmd)} failed or was noisy ({res.returncode}): {' | '.join(noise)}")
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu


def rounds(n: int) -> dict[str, list[tuple[float, float]]]:
    out = OUT / "one"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    notebook = empty_notebook(OUT / "empty.ipynb")
    commands = {
        "floor": [ZZ, "report", str(notebook), "-p", "x", "2", "--out", str(out)],
        "briefing": [ZZ, "briefing", "--out", str(out)],
        "briefing_pdf": [ZZ, "briefing", "--pdf", "--out", str(out)],
    }
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in commands}
    timed(commands["floor"])  # a first run of each warms the disk cache, not counted
    timed(commands["briefing"])
    for _ in range(n):
        for name, cmd in commands.items():
            times[name].append(timed(cmd))
    return times


def batch(workers: int) -> tuple[float, float]:
    out = OUT / f"all-{workers}"
    shutil.rmtree(out, ignore_errors=True)
    return timed([ZZ, "briefing", "--area", "all", "--out", str(out), "--workers", str(workers)])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5, help="rounds of floor, briefing, briefing --pdf")
    ap.add_argument("--batch", action="store_true", help="also --area all with 1 and 2 workers")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    subprocess.run([ZZ, "info"], capture_output=True, check=True)  # builds the sample store once
    print(f"cpus: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.1f}")
    times = rounds(args.rounds)
    med = {k: statistics.median(w for w, _ in v) for k, v in times.items()}
    cpu = {k: statistics.median(c for _, c in v) for k, v in times.items()}
    for k in times:
        walls = ", ".join(f"{w:.1f}" for w, _ in times[k])
        print(f"{k:13s} median {med[k]:5.2f} s wall, {cpu[k]:5.2f} s CPU   (rounds: {walls})")
    ratio = med["briefing"] / med["floor"]
    pdf = med["briefing_pdf"] - med["briefing"]
    print(
        f"briefing HTML / floor: {ratio:.2f}x (goal <= 2x: {'met' if ratio <= 2 else 'NOT met'}); "
        f"CPU {cpu['briefing'] / cpu['floor']:.2f}x"
    )
    print(f"PDF adds {pdf:.2f} s (goal <= 4 s: {'met' if pdf <= 4 else 'NOT met'})")
    if args.batch:
        w1, c1 = batch(1)
        w2, c2 = batch(2)
        print(f"--area all: 1 worker {w1:.1f} s ({c1:.1f} s CPU), 2 workers {w2:.1f} s ({c2:.1f} s CPU)")
        met = "met" if w1 / w2 >= 1.6 else "NOT met"
        print(f"speed-up 2 vs 1 workers: {w1 / w2:.2f}x (goal >= 1.6x: {met})")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
