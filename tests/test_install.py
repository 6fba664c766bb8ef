"""Installed, not just checked out: the wheel, in a fresh virtual environment, from an empty folder.

Builds the wheel of this checkout, installs it (with its dependencies) into a new venv, and in an
empty folder, with a fresh per-user data folder (``ZZ_HOME``):

- ``zz briefing`` generates the sample district there, builds its store and writes the briefing;
- ``zz notebooks`` hands out the analyst notebooks, and papermill runs one of them;
- the installed package never looks into the checkout (``data/sample`` or ``notebooks/``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _run(args: list[str], cwd: Path, env: dict[str, str], timeout: int = 900) -> subprocess.CompletedProcess:
    res = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert res.returncode == 0, f"{args}\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    assert "Traceback" not in res.stderr
    return res


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    base = tmp_path_factory.mktemp("install")
    dist = base / "dist"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZZ_", "PYTHON", "VIRTUAL_ENV"))}
    # sdist, then the wheel from the unpacked sdist: what a user would install, and no build/ in the checkout
    _run([sys.executable, "-m", "build", "-o", str(dist), str(ROOT)], cwd=base, env=env)
    wheels = list(dist.glob("zzanalytics-*.whl"))
    assert len(wheels) == 1
    target = base / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(target)
    _run([str(target / "bin" / "python"), "-m", "pip", "install", "-q", str(wheels[0])], cwd=base, env=env)
    env["PATH"] = f"{target / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["ZZ_HOME"] = str(base / "home")
    env["ZZ_WORKERS"] = "2"
    return target, env


def test_briefing_from_an_empty_folder(installed: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    target, env = installed
    empty = tmp_path / "empty"
    empty.mkdir()
    res = _run([str(target / "bin" / "zz"), "briefing"], cwd=empty, env=env)
    written = [Path(line) for line in res.stdout.split() if line.endswith(".html")]
    assert len(written) == 1
    html = (empty / written[0]) if not written[0].is_absolute() else written[0]
    assert html.parent.resolve() == (empty / "reports").resolve()
    text = html.read_text(encoding="utf-8")
    assert "刑事案件" in text and "Traceback" not in text and len(text) > 100_000  # plotly.js embedded
    home = Path(env["ZZ_HOME"])
    assert (home / "sample" / "sources.toml").exists() and (home / "sample" / "store" / "zz.duckdb").exists()
    # the installed package does not run from this checkout
    probe = "import zzanalytics, zzanalytics.config as c; print(zzanalytics.__file__); print(c.sample_dir())"
    out = _run([str(target / "bin" / "python"), "-c", probe], cwd=empty, env=env).stdout.splitlines()
    assert str(ROOT) not in out[0] and Path(out[1]) == home / "sample"


def test_analyst_notebook_runs_from_the_installed_package(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    target, env = installed
    _run([str(target / "bin" / "zz"), "notebooks", "--out", "nb"], cwd=tmp_path, env=env)
    names = sorted(p.name for p in (tmp_path / "nb").glob("*.ipynb"))
    analyst = ["01_ingest_quality.ipynb", "02_trends_forecasts.ipynb", "03_hotspots_coverage.ipynb"]
    assert names == [*analyst, "briefing.ipynb", "holiday_review.ipynb"]  # and the report notebooks
    _run(
        [str(target / "bin" / "papermill"), "--no-progress-bar", "nb/01_ingest_quality.ipynb", "out.ipynb"],
        cwd=tmp_path,
        env=env,
    )
    assert (tmp_path / "out.ipynb").stat().st_size > (
        tmp_path / "nb" / "01_ingest_quality.ipynb"
    ).stat().st_size
