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
    """Render (once) the default district briefing with its PDF and Word document; returns
    {'html', 'pdf', 'docx', 'dir'}."""
    from zzanalytics.report.render import render_briefing

    out = root / "zz-district-briefing"
    out.mkdir(parents=True, exist_ok=True)
    done = out / "done.json"
    with open(out / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            paths = render_briefing(pdf=True, docx=True, out=out / "reports")
            done.write_text(json.dumps([str(p) for p in paths]))
        fcntl.flock(lock, fcntl.LOCK_UN)
    html, pdf, docx = (Path(p) for p in json.loads(done.read_text()))
    return {"html": html, "pdf": pdf, "docx": docx, "dir": html.parent}


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


def visible_text(doc: str) -> str:
    """The text a reader sees: scripts, styles and tags removed, whitespace collapsed, entities decoded."""
    import html

    doc = re.sub(r"<script.*?</script>", " ", doc, flags=re.S)
    doc = re.sub(r"<style.*?</style>", " ", doc, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", doc)))


ZH_CHANGE = re.compile(r"(上升|下降)[\d,]+\.\d%")
EN_CHANGE = re.compile(r"(?<!make )\b(up|down) [\d,]+\.\d%(?: on the same period last year)?")
ZH_TESTS = ("(显著)", "(在正常波动范围内)")
EN_TESTS = (" (significant)", " (within normal variation)")
ZH_LIST_TESTED = "上升显著"  # a sentence listing significant rises states the test once, at its end
EN_LIST_TESTED = ("worsened significantly", "rose significantly")


def unqualified_changes(text: str) -> list[str]:
    """Every rise or fall worded with a percentage whose test result does not follow it.

    A change must be followed by ``(显著)`` / ``(在正常波动范围内)`` (``(significant)`` /
    ``(within normal variation)``), unless its sentence lists significant rises and says so
    (``…等6个单位案件上升显著`` / ``… worsened significantly``). Returns the offending snippets.
    """
    bad = []
    for sentence in re.split(r"(?<=。)|(?<=\.\s)", text):
        for m in ZH_CHANGE.finditer(sentence):
            if not sentence[m.end() :].startswith(ZH_TESTS) and ZH_LIST_TESTED not in sentence:
                bad.append(sentence[m.start() : m.end() + 12])
        for m in EN_CHANGE.finditer(sentence):
            if not sentence[m.end() :].startswith(EN_TESTS) and not any(
                w in sentence for w in EN_LIST_TESTED
            ):
                bad.append(sentence[m.start() : m.end() + 24])
    return bad


def failing_body(ctx):
    """A section body that fails the way a real bug does (used by the failing-render tests)."""
    return {}["x"]
