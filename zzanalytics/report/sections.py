"""The sections of the briefing, one call each, in DESIGN.md's order (used by ``notebooks/briefing.ipynb``).

>>> from zzanalytics.report import sections as S
>>> ctx = S.load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
>>> S.show(S.overall(ctx))  # doctest: +SKIP
"""

from zzanalytics.report.blocks import show
from zzanalytics.report.context import HEADINGS, Context, load
from zzanalytics.report.outlook import (
    crime_rates,
    emerging_cells,
    forecasts,
    hotspot_cells,
    hotspots_section,
    notes,
    scorecard_section,
    targets_breach,
    title,
    township_scorecard,
    worse_areas,
    year_end_forecast,
)
from zzanalytics.report.situation import (
    disputes,
    notable_incidents,
    overall,
    petition_rows,
    petitions,
    safety,
)

__all__ = [
    "HEADINGS",
    "Context",
    "crime_rates",
    "disputes",
    "emerging_cells",
    "forecasts",
    "hotspot_cells",
    "hotspots_section",
    "load",
    "notable_incidents",
    "notes",
    "overall",
    "petition_rows",
    "petitions",
    "safety",
    "scorecard_section",
    "show",
    "targets_breach",
    "title",
    "township_scorecard",
    "worse_areas",
    "year_end_forecast",
]
