"""Print HTML to PDF with headless Chromium, and always reap the printer.

Chromium runs in a private folder (``<tmp>/zzchrome-…``: its profile, its PDF, its log, and an
``owner.json`` naming this process) as the leader of its own process group. Whatever happens —
success, a failed print, a timeout, an exception, Ctrl-C — the whole group is killed and the
folder removed in ``finally``; on Linux the browser also gets ``SIGKILL`` the moment the
process that started it dies (``setpriv --pdeathsig``), so even ``kill -9`` of ``zz`` leaves no
Chromium behind. The next print removes what such a run left: private folders whose owner is
gone, after killing any process still running from them. The PDF reaches the output folder only
when complete, through :func:`zzanalytics.outputs.atomic_path`, so ``--out`` never holds a
printer's temporary file.

Examples
--------
>>> print_html("reports/b.html", "reports/b.pdf", chromium="/usr/bin/chromium")  # doctest: +SKIP
PosixPath('reports/b.pdf')
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from zzanalytics.errors import DependencyMissingError, ReportError

__all__ = [
    "CHROMIUM_FLAGS",
    "PRINTER_PREFIX",
    "claim_folder",
    "deathsig",
    "find_chromium",
    "print_html",
    "print_pdf",
    "reap_folders",
    "reap_printers",
]

PRINTER_PREFIX = "zzchrome-"
"""Private folders of printers start with this, in the system's temporary folder."""
OWNER = "owner.json"
STALE_SECONDS = 24 * 3600
"""A printer folder without a readable owner is removed once it is this old."""
_HOST = socket.gethostname()
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = (
    "install it with: sudo apt-get install chromium fonts-noto-cjk (or set ZZ_CHROMIUM=/path/to/chrome)"
)


def deathsig() -> list[str]:
    """``setpriv --pdeathsig KILL --`` where util-linux has it: a child started through it (the
    browser, a notebook's kernel) dies with the thread that started it.

    Examples
    --------
    >>> deathsig()[1:] if deathsig() else ["--pdeathsig", "KILL", "--"]
    ['--pdeathsig', 'KILL', '--']
    """
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "KILL", "--"] if setpriv else []


def _alive(pid: int) -> bool:
    """:func:`zzanalytics.outputs.process_alive`, without loading pandas before a kernel starts."""
    from zzanalytics.outputs import process_alive

    return process_alive(pid)


def _group_exists(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _pids_using(folder: Path) -> list[int]:
    """Processes whose command line names ``folder`` (the printer's profile), from ``/proc``."""
    needle = str(folder).encode()
    pids = []
    proc = Path("/proc")
    if not proc.is_dir():
        return pids
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "cmdline").read_bytes():
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def _kill_group(pgid: int, leader: subprocess.Popen | None = None, wait: float = 5.0) -> None:
    """SIGKILL the printer's process group and wait (bounded) until it is gone."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if (leader is not None and leader.poll() is None) or _group_exists(pgid):
            os.killpg(pgid, signal.SIGKILL)
    if leader is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            leader.wait(timeout=wait)
    deadline = time.monotonic() + wait
    while _group_exists(pgid) and time.monotonic() < deadline:
        if not [p for p in _group_members(pgid) if not _zombie(p)]:
            break  # only zombies left, for init to reap
        time.sleep(0.05)


def _group_members(pgid: int) -> list[int]:
    out = []
    proc = Path("/proc")
    if not proc.is_dir():
        return out
    for entry in proc.iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rfind(")") + 2 :].split()
            if len(fields) > 2 and int(fields[2]) == pgid:
                out.append(int(entry.name))
    return out


def _zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat[stat.rfind(")") + 2 :].startswith("Z")


def claim_folder(prefix: str) -> Path:
    """A new private folder ``<tmp>/<prefix>…`` with an ``owner.json`` naming this host and
    process, so that :func:`reap_folders` can tell when its owner is gone.

    Examples
    --------
    >>> folder = claim_folder("zzdoc-")
    >>> sorted(p.name for p in folder.iterdir())
    ['owner.json']
    >>> shutil.rmtree(folder)
    """
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    (folder / OWNER).write_text(json.dumps({"host": _HOST, "pid": os.getpid()}), encoding="utf-8")
    return folder


def reap_folders(prefix: str, tmpdir: str | Path | None = None) -> list[Path]:
    """Remove the private folders ``<tmp>/<prefix>…`` whose owner died (this host), killing first
    every process still running from them; folders of owners still alive are left alone.

    Returns the folders removed.
    """
    base = Path(tmpdir or tempfile.gettempdir())
    removed: list[Path] = []
    for folder in base.glob(prefix + "*"):
        if not folder.is_dir() or folder.is_symlink():
            continue
        try:
            owner = json.loads((folder / OWNER).read_text(encoding="utf-8"))
            mine = owner.get("host") == _HOST
            dead = mine and not _alive(int(owner["pid"]))
        except (OSError, ValueError, KeyError, TypeError):
            try:
                dead = time.time() - folder.stat().st_mtime > STALE_SECONDS
            except OSError:
                continue
        if not dead:
            continue
        for pid in _pids_using(folder):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def reap_printers(tmpdir: str | Path | None = None) -> list[Path]:
    """Remove the private folders of printers whose owner died (see :func:`reap_folders`)."""
    return reap_folders(PRINTER_PREFIX, tmpdir)


def print_html(
    html_path: str | Path,
    pdf_path: str | Path,
    *,
    chromium: str,
    flags: Sequence[str] = (),
    timeout: float = 120,
) -> Path:
    """Print ``html_path`` to ``pdf_path`` with ``chromium`` (headless ``flags``), atomically;
    the printer is always reaped (see the module docstring).

    Raises :class:`~zzanalytics.errors.ReportError` when Chromium fails, prints nothing, or
    takes longer than ``timeout`` seconds; ``pdf_path`` is then left as it was.
    """
    reap_printers()
    html_path, pdf_path = Path(html_path).resolve(), Path(pdf_path)
    private = claim_folder(PRINTER_PREFIX)
    leader: subprocess.Popen | None = None
    try:
        owner = {"host": _HOST, "pid": os.getpid()}
        out = private / "print.pdf"
        cmd = [
            *deathsig(),
            chromium,
            *flags,
            f"--user-data-dir={private / 'profile'}",
            f"--print-to-pdf={out}",
            html_path.as_uri(),
        ]
        env = dict(os.environ)
        if len(str(private)) < 60:  # Chromium's own temporary files (and socket) go there too
            env["TMPDIR"] = str(private)
        with open(private / "chromium.log", "wb") as log:
            leader = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
                cwd=private,
                env=env,
            )
        (private / OWNER).write_text(json.dumps({**owner, "pgid": leader.pid}), encoding="utf-8")
        try:
            code = leader.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ReportError(f"Chromium did not finish printing {html_path} within {timeout:g} s") from None
        if code != 0 or not out.exists() or out.stat().st_size == 0:
            tail = (private / "chromium.log").read_text(encoding="utf-8", errors="replace").strip()
            raise ReportError(
                f"Chromium ({chromium}) failed to print {html_path} (exit {code}): "
                f"{' | '.join(tail.splitlines()[-3:])}"
            )
        _kill_group(leader.pid, leader)  # helpers of a finished browser, if any linger
        from zzanalytics.outputs import atomic_path  # (outputs loads pandas: not before it is needed)

        with atomic_path(pdf_path) as tmp:
            shutil.copyfile(out, tmp)
        return pdf_path
    finally:
        if leader is not None:
            _kill_group(leader.pid, leader)
        shutil.rmtree(private, ignore_errors=True)


def find_chromium() -> str:
    """Path of a Chromium/Chrome executable (``ZZ_CHROMIUM`` first) or :class:`DependencyMissingError`.

    Examples
    --------
    >>> find_chromium()  # doctest: +SKIP
    '/usr/bin/chromium'
    """
    env = os.environ.get("ZZ_CHROMIUM")
    if env:
        if Path(env).exists() or shutil.which(env):
            return shutil.which(env) or env
        raise DependencyMissingError(f"ZZ_CHROMIUM={env} does not exist; {INSTALL_HINT}")
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise DependencyMissingError(
        f"printing the PDF needs headless Chromium, and none of {list(CHROMIUM_CANDIDATES)} is on PATH; "
        f"{INSTALL_HINT}"
    )


CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--no-pdf-header-footer",
    "--run-all-compositor-stages-before-draw",
    "--virtual-time-budget=15000",
)
"""Offline, stateless printing: no network, no extensions, no header/footer of Chromium's own
(page numbers come from the page's ``@page`` margin boxes)."""


def print_pdf(html_path: str | Path, pdf_path: str | Path, *, timeout: int = 120) -> Path:
    """Print an HTML file to an A4 PDF with headless Chromium, atomically.

    Page size, margins and page numbers come from the page's print CSS (``@page``).
    Raises :class:`DependencyMissingError` (with the install command) when Chromium is missing.
    The printer is always reaped, even when killed (:mod:`zzanalytics.report.printer`).

    Examples
    --------
    >>> print_pdf("reports/briefing.html", "reports/briefing.pdf")  # doctest: +SKIP
    PosixPath('reports/briefing.pdf')
    """
    return print_html(html_path, pdf_path, chromium=find_chromium(), flags=CHROMIUM_FLAGS, timeout=timeout)
