"""The sample district: a fictional district's exports with planted, known truths.

Every demo, notebook, test and benchmark of zzanalytics runs on it. ``generate_sample``
writes the exports as the offices hand them over (Chinese headers, GB18030 and UTF-8
CSV, XLSX, GCJ-02 coordinates, some dirty rows), the mapping files that ingest
them, ``sources.toml`` and ``manifest.json`` with the truths (WGS-84).

Examples
--------
>>> from zzanalytics.sample import SAMPLE_END
>>> SAMPLE_END
'2026-10-31'
"""

from zzanalytics.sample.generate import SampleSummary, generate_sample
from zzanalytics.sample.truth import SAMPLE_END, SAMPLE_START

__all__ = ["SAMPLE_END", "SAMPLE_START", "SampleSummary", "generate_sample"]
