"""The kernel a report's notebook runs in: started at once, warm, quiet, and never left behind.

* **Started at once.** :class:`Kernel` launches the kernel the moment a render begins, so that its
  start — a Python process, ipykernel, and the modules the notebook imports (pandas, plotly, the
  briefing's models) — runs on the other core while the command checks its options, reads the
  store for the period and the area and loads nbconvert's template.
* **Warm.** Before it answers, the kernel imports the modules of
  :func:`zzanalytics.report.notebook.imported_modules` (from a script in its private folder, so
  nothing lands in the notebook's namespace); a module that fails to import is skipped, and the
  notebook's own import then reports it.
* **Quiet.** The kernel's own stdout and stderr go to ``kernel.log`` in its private folder (the
  last lines join the error when it dies); no interrupt is sent at shutdown (jupyter_client 8
  interrupts a kernel before shutting it down, and ipykernel then logged
  ``KeyboardInterrupt caught in kernel`` on every successful run); history stays in memory.
* **This Python.** The kernel is ``sys.executable -m ipykernel_launcher``, whatever kernel
  specs the user has installed, and talks over IPC sockets in its private folder, not TCP ports.
* **Never left behind.** Once the notebook has run, every output is in the executed notebook, so
  the kernel is killed, not asked to finish (which took half a second), with its process group;
  on Linux it also dies with the process that started it (``setpriv --pdeathsig``), and its
  folder is removed — or, after a ``kill -9``, by the next render
  (:func:`zzanalytics.report.printer.reap_folders`).

Examples
--------
>>> with Kernel(preload=["json"]) as k:  # doctest: +SKIP
...     nb = papermill.execute_notebook(..., km=k.manager)
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["KERNEL_PREFIX", "Kernel"]

KERNEL_PREFIX = "zzkernel-"
"""Private folders of kernels start with this, in the system's temporary folder."""

PRELOAD_SCRIPT = """\
import importlib
for name in {names!r}:
    try:
        importlib.import_module(name)
    except Exception:  # the notebook's own import reports it
        pass
"""


def _manager_class() -> type:
    """The kernel manager: this Python, IPC sockets, and no interrupt at shutdown."""
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    from zzanalytics.report.printer import deathsig

    class QuietKernelManager(AsyncKernelManager):
        @default("transport")
        def _default_transport(self) -> str:
            return "ipc"

        @property
        def kernel_spec(self) -> KernelSpec:
            argv = [*deathsig(), sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
            return KernelSpec(argv=argv, display_name="Python 3", language="python", metadata={})

        async def _async_interrupt_kernel(self) -> None:
            if self.shutting_down:  # shutting down: nothing to interrupt, and ipykernel logs it
                return
            await super()._async_interrupt_kernel()

    return QuietKernelManager


class Kernel:
    """An IPython kernel for one notebook run (see the module docstring).

    Parameters
    ----------
    preload : sequence of str
        Modules the kernel imports before it answers.
    cwd : path, optional
        The kernel's working folder; default its private folder.

    Attributes
    ----------
    manager : jupyter_client.AsyncKernelManager
        Pass it to papermill (``km=``); papermill then neither starts nor stops the kernel.
    folder : Path
        The private folder: connection file, sockets, ``kernel.log``, the preload script.
    """

    def __init__(self, *, preload: Sequence[str] = (), cwd: str | Path | None = None) -> None:
        from zzanalytics.report.printer import claim_folder, reap_folders

        reap_folders(KERNEL_PREFIX)  # what a killed run left
        self.folder = claim_folder(KERNEL_PREFIX)
        self.preload = list(preload)
        self.cwd = Path(cwd) if cwd is not None else self.folder
        self.manager: Any = None

    def start(self) -> Kernel:
        """Launch the kernel (returns at once; the kernel answers when its preload is done)."""
        from jupyter_core.utils import run_sync

        args = ["--HistoryManager.hist_file=:memory:"]
        if self.preload:
            script = self.folder / "preload.py"
            script.write_text(PRELOAD_SCRIPT.format(names=self.preload), encoding="utf-8")
            args.append(f"--IPKernelApp.exec_lines=import runpy; runpy.run_path({str(script)!r}); del runpy")
        self.manager = _manager_class()(connection_file=str(self.folder / "kernel.json"))
        try:
            with open(self.folder / "kernel.log", "wb") as log:
                run_sync(self.manager.start_kernel)(
                    extra_arguments=args, stdin=subprocess.DEVNULL, stdout=log, stderr=log, cwd=str(self.cwd)
                )
        except BaseException:  # nothing left behind: no process, no folder
            self.close()
            raise
        return self

    def log_tail(self, lines: int = 3) -> str:
        """The last lines the kernel wrote to its stdout or stderr (its own, not the notebook's)."""
        try:
            text = (self.folder / "kernel.log").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return " | ".join(s.strip() for s in text.strip().splitlines()[-lines:] if s.strip())

    def close(self) -> None:
        """Kill the kernel and its process group, and remove its folder (safe to call twice)."""
        from jupyter_core.utils import run_sync

        km, self.manager = self.manager, None
        try:
            if km is not None and km.has_kernel:
                with contextlib.suppress(Exception):  # already dead: nothing to kill
                    run_sync(km.shutdown_kernel)(now=True)
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Kernel:
        return self.start() if self.manager is None else self

    def __exit__(self, *exc: object) -> None:
        self.close()
