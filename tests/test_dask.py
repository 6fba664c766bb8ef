"""Distributed runs equal local runs: a 2-worker LocalCluster started inside the test session.

The cluster (two worker processes, one thread each, loopback, no dashboard) is
session-scoped; every test compares Dask results with the local dispatcher's,
exactly (forecasts: to 1e-12).
"""

from __future__ import annotations

import _tasks
import numpy as np
import pandas as pd
import pytest

from zzanalytics.execution import run_tasks

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="session")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
    )
    c = distributed.Client(cluster, set_as_default=False)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


def test_run_tasks_equal_local_and_ordered(client) -> None:
    items = list(range(-500, 500))
    local = run_tasks(_tasks.square, items, workers=2, progress=False)
    remote = run_tasks(_tasks.square, items, scheduler=client, progress=False)
    assert remote == local == [x * x for x in items]


def test_chunks_spread_over_both_workers(client) -> None:
    pids = run_tasks(_tasks.pid_of, range(64), scheduler=client, progress=False, chunksize=1)
    assert len(set(pids)) == 2


def test_address_string_and_shared_object(client) -> None:
    shared = {"factor": 0.5}  # a dict: scattered as one object, not per key
    got = run_tasks(
        _tasks.scaled,
        range(30),
        scheduler=client.scheduler.address,
        progress=True,
        shared=shared,
        desc="scaled",
    )
    assert got == run_tasks(_tasks.scaled, range(30), workers=1, progress=False, shared=shared)


def test_zz_scheduler_environment_reaches_the_cluster(client, monkeypatch) -> None:
    import os

    monkeypatch.setenv("ZZ_SCHEDULER", client.scheduler.address)
    pids = run_tasks(_tasks.pid_of, range(8), progress=False, chunksize=1)  # no scheduler argument
    workers = set(client.run(os.getpid).values())
    assert set(pids) <= workers and os.getpid() not in pids


def test_seeds_from_keys_not_workers(client) -> None:
    keys = [f"6201{c:02d}{t:03d}|fraud.telecom" for c in range(5) for t in range(20)]
    assert run_tasks(_tasks.seeded_draw, keys, scheduler=client, progress=False, chunksize=3) == run_tasks(
        _tasks.seeded_draw, keys, workers=1, progress=False
    )


def test_task_error_reaches_the_caller(client) -> None:
    with pytest.raises(ValueError, match="three"):
        run_tasks(_tasks.fail_on_three, range(6), scheduler=client, progress=False, chunksize=1)
    # the client is still usable afterwards
    assert run_tasks(_tasks.square, [4], scheduler=client, progress=False) == [16]


def _panel(n_series: int = 20, periods: int = 60, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    p = pd.date_range("2021-01-01", periods=periods, freq="MS")
    level = rng.gamma(2.0, 4.0, n_series)
    season = 1 + 0.3 * np.cos(2 * np.pi * np.arange(periods) / 12)
    rows = []
    for i in range(n_series):
        rows.append(
            pd.DataFrame(
                {
                    "category": "theft.burglary" if i % 2 else "fraud.telecom",
                    "area_code": f"620102{i // 2:03d}",
                    "period": p,
                    "count": rng.poisson(level[i] * season),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def test_forecast_distributed_equals_local(client) -> None:
    from zzanalytics.models.forecast import forecast

    counts = _panel()
    kw = {"horizon": 6, "by": ["category", "area_code"], "models": ["snaive", "glm", "glm+mean12"]}
    local = forecast(counts, workers=1, progress=False, **kw)  # in this process
    remote = forecast(counts, scheduler=client, progress=False, **kw)
    assert len(local) == (20 + 2) * 6  # 20 townships x category plus 2 district rows, 6 months
    pd.testing.assert_frame_equal(remote, local, check_exact=False, rtol=0, atol=1e-12)
    assert remote["model"].tolist() == local["model"].tolist()
