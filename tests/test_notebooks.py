"""The analysts' notebooks run top to bottom on the sample, and are stored without outputs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill as pm
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
ANALYST = ("01_ingest_quality.ipynb", "02_trends_forecasts.ipynb", "03_hotspots_coverage.ipynb")


@pytest.mark.parametrize("name", ANALYST)
def test_analyst_notebook_runs_on_the_sample(name, tmp_path):
    out = tmp_path / name
    pm.execute_notebook(
        str(NOTEBOOKS / name),
        str(out),
        kernel_name="python3",
        language="python",
        progress_bar=False,
        log_output=False,
        cwd=str(tmp_path),
    )
    nb = nbformat.read(out, as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    assert sum(bool(c.get("outputs")) for c in nb.cells if c.cell_type == "code") >= 5


@pytest.mark.parametrize("name", ANALYST)
def test_notebooks_are_stored_clean_with_a_parameters_cell(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "store = None" in tagged[0].source
