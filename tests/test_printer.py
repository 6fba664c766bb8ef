"""A killed or failed PDF print leaves no temporary file in --out and no Chromium behind: the printer
runs in a private folder as its own process group, is killed with its group in ``finally``, dies
with its parent (``kill -9``), and the next print reaps what a dead run left."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from zzanalytics.errors import ReportError
from zzanalytics.outputs import TEMP_TAG
from zzanalytics.report.printer import PRINTER_PREFIX, print_html, reap_printers
from zzanalytics.report.render import CHROMIUM_FLAGS, find_chromium


def _processes_naming(text: str) -> list[int]:
    """Live (non-zombie) processes whose command line contains ``text``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes()
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if text.encode() in cmd and not stat[stat.rfind(")") + 2 :].startswith("Z"):
            found.append(int(entry.name))
    return found


def _wait_gone(text: str, seconds: float = 15) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := _processes_naming(text)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith(TEMP_TAG) or p.suffix == ".tmp")


@pytest.fixture
def private_tmp(monkeypatch):
    """A system temporary folder of the test's own (short: Chromium puts a socket in it), so
    printer folders of other runs are not seen."""
    import shutil
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix="zzp-", dir="/tmp"))
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    yield tmp
    shutil.rmtree(tmp, ignore_errors=True)


def _fake_chromium(tmp_path: Path, body: str) -> str:
    """A stand-in browser: a shell script that starts helpers in its group, like Chromium does
    (``HELPER``: a process that sleeps, its command line naming the printer's private folder)."""
    helper = f"{sys.executable} -c 'import time; time.sleep(300)' \"$@\""
    script = tmp_path / "fake-chromium"
    script.write_text("#!/bin/sh\n" + textwrap.dedent(body).replace("HELPER", helper))
    script.chmod(0o755)
    return str(script)


def test_a_failed_print_leaves_nothing(tmp_path, private_tmp):
    out = tmp_path / "out"
    out.mkdir()
    (out / "b.pdf").write_bytes(b"%PDF old")
    html = tmp_path / "b.html"
    html.write_text("<p>x</p>")
    chromium = _fake_chromium(tmp_path, 'HELPER &\necho "boom: cannot print" >&2\nexit 3\n')
    with pytest.raises(ReportError, match=r"exit 3.*boom: cannot print"):
        print_html(html, out / "b.pdf", chromium=chromium)
    assert (out / "b.pdf").read_bytes() == b"%PDF old"  # the old PDF is left as it was
    assert _leftovers(out) == []
    assert list(private_tmp.glob(PRINTER_PREFIX + "*")) == []
    assert _wait_gone(str(private_tmp)) == []  # the helper the fake browser started is gone too


def test_a_hanging_print_is_killed_with_its_whole_group(tmp_path, private_tmp):
    out = tmp_path / "out"
    out.mkdir()
    html = tmp_path / "b.html"
    html.write_text("<p>x</p>")
    chromium = _fake_chromium(tmp_path, "HELPER &\nHELPER &\nHELPER\n")
    t0 = time.monotonic()
    with pytest.raises(ReportError, match="did not finish printing"):
        print_html(html, out / "b.pdf", chromium=chromium, timeout=1)
    assert time.monotonic() - t0 < 20
    assert _leftovers(out) == [] and not (out / "b.pdf").exists()
    assert list(private_tmp.glob(PRINTER_PREFIX + "*")) == []
    assert _wait_gone(str(private_tmp)) == []


@pytest.mark.browser
def test_a_real_print_succeeds_and_leaves_no_printer(tmp_path, private_tmp):
    out = tmp_path / "out"
    out.mkdir()
    html = tmp_path / "b.html"
    html.write_text("<html><body><h1>简报</h1><p>1,234起</p></body></html>", encoding="utf-8")
    pdf = print_html(html, out / "b.pdf", chromium=find_chromium(), flags=CHROMIUM_FLAGS, timeout=120)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert _leftovers(out) == []
    assert list(private_tmp.glob(PRINTER_PREFIX + "*")) == []
    assert _wait_gone(str(private_tmp)) == []


@pytest.mark.browser
def test_kill_9_during_a_real_print_leaves_no_chromium_and_the_next_print_cleans_up(tmp_path, private_tmp):
    out = tmp_path / "out"
    out.mkdir()
    html = tmp_path / "slow.html"
    # a page that keeps the renderer busy for a while, so the print is still running when we kill
    html.write_text(
        "<html><body>"
        + "<p>行</p>" * 5000
        + "<script>const t=Date.now();while(Date.now()-t<30000){}</script>"
        "</body></html>",
        encoding="utf-8",
    )
    code = textwrap.dedent(
        f"""
        from zzanalytics.report.printer import print_html
        from zzanalytics.report.render import CHROMIUM_FLAGS, find_chromium
        print_html({str(html)!r}, {str(out / "slow.pdf")!r}, chromium=find_chromium(),
                   flags=CHROMIUM_FLAGS, timeout=300)
        """
    )
    env = {**os.environ, "TMPDIR": str(private_tmp)}
    proc = subprocess.Popen([sys.executable, "-c", code], env=env)
    deadline = time.monotonic() + 60
    folder = None
    while time.monotonic() < deadline:
        folders = list(private_tmp.glob(PRINTER_PREFIX + "*"))
        if folders and (folders[0] / "owner.json").exists():
            owner = json.loads((folders[0] / "owner.json").read_text())
            if "pgid" in owner and len(_processes_naming(str(folders[0]))) >= 3:
                folder = folders[0]
                break
        time.sleep(0.2)
    assert folder is not None, "Chromium did not start"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert _wait_gone(str(folder)) == [], "Chromium outlived the process that started it"
    assert _leftovers(out) == [] and not (out / "slow.pdf").exists()
    assert folder.exists()  # what kill -9 could not clean ...
    assert reap_printers(private_tmp) == [folder]  # ... the next start does
    assert not folder.exists()


def test_reaper_kills_orphans_of_dead_owners_only(tmp_path, private_tmp):
    dead_pid = 2**30 - 1  # above any pid_max: a process that surely does not exist
    orphan_dir = private_tmp / (PRINTER_PREFIX + "orphan")
    orphan_dir.mkdir()
    (orphan_dir / "owner.json").write_text(json.dumps({"host": os.uname().nodename, "pid": dead_pid}))
    live_dir = private_tmp / (PRINTER_PREFIX + "live")
    live_dir.mkdir()
    (live_dir / "owner.json").write_text(json.dumps({"host": os.uname().nodename, "pid": os.getpid()}))
    sleeper = [sys.executable, "-c", "import time; time.sleep(300)"]
    orphan = subprocess.Popen([*sleeper, f"--user-data-dir={orphan_dir}"], start_new_session=True)
    live = subprocess.Popen([*sleeper, f"--user-data-dir={live_dir}"], start_new_session=True)
    try:
        # a process's command line shows in /proc a moment after it started: wait for both
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (
            _processes_naming(str(orphan_dir)) and _processes_naming(str(live_dir))
        ):
            time.sleep(0.05)
        assert reap_printers(private_tmp) == [orphan_dir]
        assert orphan.wait(timeout=10) == -signal.SIGKILL
        assert live.poll() is None and live_dir.exists()
    finally:
        live.kill()
        live.wait()
