"""The local dispatcher: order, chunking, shared objects, errors, process fan-out."""

from __future__ import annotations

import os
import sys

import _tasks
import pytest

from zzanalytics.errors import ZZError
from zzanalytics.execution import (
    SchedulerError,
    auto_chunksize,
    chunks,
    default_workers,
    run_tasks,
)


def test_inline_keeps_order() -> None:
    assert run_tasks(_tasks.square, range(10), workers=1, progress=False) == [x * x for x in range(10)]


@pytest.mark.parametrize("chunksize", [None, 1, 3, 1000])
def test_pool_keeps_order_whatever_the_chunks(chunksize: int | None) -> None:
    items = list(range(101))
    got = run_tasks(_tasks.square, items, workers=2, progress=False, chunksize=chunksize)
    assert got == [x * x for x in items]


def test_pool_really_uses_other_processes() -> None:
    pids = run_tasks(_tasks.pid_of, range(8), workers=2, progress=False, chunksize=1)
    assert os.getpid() not in pids


def test_shared_object_inline_and_pool() -> None:
    shared = {"factor": 2.5}
    want = [x * 2.5 for x in range(20)]
    assert run_tasks(_tasks.scaled, range(20), workers=1, progress=False, shared=shared) == want
    assert run_tasks(_tasks.scaled, range(20), workers=2, progress=False, shared=shared) == want


def test_results_do_not_depend_on_the_process() -> None:
    keys = [f"620102{i:03d}|theft.burglary" for i in range(40)]
    inline = run_tasks(_tasks.seeded_draw, keys, workers=1, progress=False)
    pooled = run_tasks(_tasks.seeded_draw, keys, workers=2, progress=False, chunksize=7)
    assert inline == pooled


def test_task_error_is_raised_unchanged() -> None:
    with pytest.raises(ValueError, match="three"):
        run_tasks(_tasks.fail_on_three, range(6), workers=2, progress=False, chunksize=2)


def test_empty_and_progress() -> None:
    assert run_tasks(_tasks.square, [], workers=2, progress=False) == []
    assert run_tasks(_tasks.square, [3], workers=2, progress=True, desc="one") == [9]


def test_chunking_helpers() -> None:
    assert chunks(list(range(7)), 3) == [[0, 1, 2], [3, 4, 5], [6]]
    assert auto_chunksize(20_000, 2) == 2500
    assert auto_chunksize(20_000, 200) == 25
    assert auto_chunksize(0, 4) == 1


def test_workers_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZZ_WORKERS", "3")
    assert default_workers() == 3
    monkeypatch.setenv("ZZ_WORKERS", "many")
    with pytest.raises(ZZError, match="ZZ_WORKERS='many'"):
        default_workers()


def test_unreachable_scheduler_names_the_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZZ_SCHEDULER_TIMEOUT", "1")
    with pytest.raises(SchedulerError) as err:
        run_tasks(_tasks.square, [1, 2], scheduler="tcp://127.0.0.1:9", progress=False)
    msg = str(err.value)
    assert "tcp://127.0.0.1:9" in msg and "dask scheduler" in msg and "ZZ_SCHEDULER" in msg
    assert isinstance(err.value, ZZError)


def test_zz_scheduler_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZZ_SCHEDULER", "tcp://127.0.0.1:9")
    monkeypatch.setenv("ZZ_SCHEDULER_TIMEOUT", "1")
    with pytest.raises(SchedulerError, match=r"127\.0\.0\.1:9"):
        run_tasks(_tasks.square, [1], progress=False)


def test_bad_scheduler_value() -> None:
    with pytest.raises(SchedulerError, match="scheduler=42"):
        run_tasks(_tasks.square, [1], scheduler=42, progress=False)


def test_core_does_not_import_dask() -> None:
    import subprocess

    code = (
        "import sys; from zzanalytics.execution import run_tasks; "
        "run_tasks(abs, [-1, -2], workers=1, progress=False); "
        "print('distributed' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
