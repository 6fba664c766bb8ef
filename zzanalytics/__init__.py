"""zzanalytics: public-security analytics and briefings for a district's 综治委.

The public verbs follow the data flow, ingest → store → aggregate → models /
spatial → report. They are imported on first use, so ``import zzanalytics`` is
cheap and the command line starts fast.

Examples
--------
>>> import zzanalytics as zz
>>> "forecast" in zz.__all__ and "open_store" in zz.__all__
True
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from zzanalytics.errors import ZZError

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # ingest and store
    "read_mapping": "zzanalytics.ingest",
    "ingest_files": "zzanalytics.ingest",
    "open_store": "zzanalytics.workspace",
    "Store": "zzanalytics.store",
    "Coverage": "zzanalytics.store.coverage",
    "CoverageWarning": "zzanalytics.store.coverage",
    "to_wgs84": "zzanalytics.ingest.coords",
    # sample district
    "generate_sample": "zzanalytics.sample",
    "generate_province": "zzanalytics.sample.province",
    # aggregate
    "counts": "zzanalytics.aggregate",
    "rates": "zzanalytics.aggregate",
    "petition_counts": "zzanalytics.aggregate",
    "dispute_summary": "zzanalytics.aggregate",
    "peer_rank": "zzanalytics.aggregate",
    # models
    "compare_periods": "zzanalytics.models.compare",
    "change_test": "zzanalytics.models.compare",
    "month_on_month": "zzanalytics.models.compare",
    "rolling_28d": "zzanalytics.models.compare",
    "scorecard": "zzanalytics.models.compare",
    "decompose": "zzanalytics.models.trend",
    "trend_test": "zzanalytics.models.trend",
    "seasonal_profile": "zzanalytics.models.trend",
    "spring_festival_effect": "zzanalytics.models.trend",
    "forecast": "zzanalytics.models.forecast",
    "backtest": "zzanalytics.models.backtest",
    "target_breach": "zzanalytics.models.targets",
    # spatial
    "make_grid": "zzanalytics.spatial.grid",
    "cell_counts": "zzanalytics.spatial.grid",
    "kde": "zzanalytics.spatial.kde",
    "gi_star": "zzanalytics.spatial.hotspots",
    "local_moran": "zzanalytics.spatial.hotspots",
    "hotspots": "zzanalytics.spatial.hotspot_frame",
    "cube_counts": "zzanalytics.spatial.emerging",
    "emerging_hotspots": "zzanalytics.spatial.emerging",
    "near_repeat": "zzanalytics.spatial.near_repeat",
    "rhythm": "zzanalytics.spatial.rhythm",
    "risk_surface": "zzanalytics.spatial.risk",
    "fit_etas": "zzanalytics.spatial.etas",
    "pai": "zzanalytics.spatial.risk",
    "evaluate_risk": "zzanalytics.spatial.risk_eval",
    "pei": "zzanalytics.spatial.risk",
    "camera_coverage": "zzanalytics.spatial.coverage",
    "uncovered_segments": "zzanalytics.spatial.coverage",
    "site_cameras": "zzanalytics.spatial.coverage",
    # report
    "period_label": "zzanalytics.report.periods",
    "render_briefing": "zzanalytics.report.render",
    "render_report": "zzanalytics.report.render",
    "batch_briefings": "zzanalytics.report.batch",
    # execution and scale-out
    "run_tasks": "zzanalytics.execution",
    "export_partitions": "zzanalytics.store",
    "read_partitions": "zzanalytics.store",
}

__all__ = ["ZZError", "__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'zzanalytics' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
