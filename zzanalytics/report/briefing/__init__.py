"""The briefing: its sections (a registry), their data and wording, and the notebook that shows them.

The notebook ``briefing.ipynb`` (package data, see :func:`notebook_path`) loads a
:class:`Context` once and renders every section of :data:`SECTIONS` in order. Each section lives
in a module of this package with a ``PHRASES`` table — every sentence as a ``(zh, en)`` template
(:mod:`zzanalytics.report.phrases`) — and a ``body(ctx, ...)`` function whose parameters name the
shared results it needs (:mod:`~zzanalytics.report.briefing.results`); the registry
(:mod:`~zzanalytics.report.briefing.registry`) gives it its key and heading. What the data cover
decides what a section may say (:mod:`~zzanalytics.report.briefing.cover`); a section that fails is
a notice in the briefing and an error of the command (:mod:`~zzanalytics.report.briefing.failures`).

Examples
--------
>>> from zzanalytics.report import briefing as B
>>> [s.title("zh", i + 1) for i, s in enumerate(B.SECTIONS[:2])]
['一、总体治安形势', '二、信访维稳形势']
>>> B.notebook_path().name
'briefing.ipynb'
>>> ctx = B.load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
>>> B.show(B.render_section("overall", ctx))  # doctest: +SKIP
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from zzanalytics.report.briefing.context import Context, load
from zzanalytics.report.briefing.failures import record_failures, section_failures, show
from zzanalytics.report.briefing.hotspots import crime_rates, emerging_cells, hotspot_cells
from zzanalytics.report.briefing.period import (
    DISTRICT,
    Chosen,
    announce_period,
    area_names,
    check_period,
    data_end,
    default_period,
    find_area,
    last_complete_period,
    parse_period,
    resolve_area,
    resolve_period,
    store_path_of,
)
from zzanalytics.report.briefing.petitions import petition_rows
from zzanalytics.report.briefing.registry import (
    SECTIONS,
    Section,
    all_phrases,
    enabled,
    render_section,
    render_sections,
    section,
    title,
)
from zzanalytics.report.briefing.results import Results
from zzanalytics.report.briefing.safety import notable_incidents
from zzanalytics.report.briefing.scorecard import township_scorecard, worse_areas

NOTEBOOK_NAME = "briefing.ipynb"


def notebook_path() -> Path:
    """Path of the briefing notebook shipped inside the package (works from a wheel).

    Examples
    --------
    >>> notebook_path().exists()
    True
    """
    return Path(str(resources.files(__name__).joinpath(NOTEBOOK_NAME)))


__all__ = [
    "DISTRICT",
    "NOTEBOOK_NAME",
    "SECTIONS",
    "Chosen",
    "Context",
    "Results",
    "Section",
    "all_phrases",
    "announce_period",
    "area_names",
    "check_period",
    "crime_rates",
    "data_end",
    "default_period",
    "emerging_cells",
    "enabled",
    "find_area",
    "hotspot_cells",
    "last_complete_period",
    "load",
    "notable_incidents",
    "notebook_path",
    "parse_period",
    "petition_rows",
    "record_failures",
    "render_section",
    "render_sections",
    "resolve_area",
    "resolve_period",
    "section",
    "section_failures",
    "show",
    "store_path_of",
    "title",
    "township_scorecard",
    "worse_areas",
]
