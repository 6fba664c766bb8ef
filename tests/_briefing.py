"""Render the sample district's briefing ONCE per test session, shared by every xdist worker.

Papermill runs are slow, so ``test_render`` and ``test_browser`` assert many things on one
rendering (HTML + PDF) of the default briefing. The first worker to arrive renders under a file
lock in the session's shared temporary folder; the others wait and reuse the files.
"""

from __future__ import annotations

import fcntl
import json
import re
import subprocess
from pathlib import Path

from zzanalytics.config import sample_dir


def shared_root(tmp_path_factory, worker_id: str) -> Path:
    """Temporary folder shared by all xdist workers of this session (the session's own without xdist)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if worker_id != "master" else base


def district_briefing(root: Path) -> dict[str, Path]:
    """Render (once) the default district briefing with its PDF; returns {'html', 'pdf', 'dir'}."""
    from zzanalytics.report.render import render_briefing

    out = root / "zz-district-briefing"
    out.mkdir(parents=True, exist_ok=True)
    done = out / "done.json"
    with open(out / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            paths = render_briefing(pdf=True, out=out / "reports")
            done.write_text(json.dumps([str(p) for p in paths]))
        fcntl.flock(lock, fcntl.LOCK_UN)
    html, pdf = (Path(p) for p in json.loads(done.read_text()))
    return {"html": html, "pdf": pdf, "dir": html.parent}


def pdf_text(pdf: Path) -> str:
    """Text of a PDF through poppler's pdftotext."""
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def dirty_values() -> dict[str, str]:
    """The sample's planted personal data and markup that must never reach a report."""
    manifest = json.loads((sample_dir() / "manifest.json").read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for row in manifest["dirty"]:
        detail = row.get("detail") or ""
        if row["kind"] == "personal_data":
            out["id_card"] = re.search(r"\d{17}[\dXx]", detail).group(0)
            out["phone"] = re.search(r"1[3-9]\d{9}", detail).group(0)
    out["script"] = "<script>alert(1)</script>"
    return out
