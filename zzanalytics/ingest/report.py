"""What ingest did to each file: rows read, accepted, updated, duplicate and quarantined.

``read == accepted + updated + duplicate + quarantined`` holds per file and in total.
Quarantine and location reasons are codes (:mod:`zzanalytics.ingest.reasons`) with zh/en texts.

Examples
--------
>>> rep = IngestReport(store="zz.duckdb", files=[FileReport("a.csv", "incidents", read=3, accepted=2,
...                                                           quarantined=1)])
>>> rep.balanced, rep.read
(True, 3)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from zzanalytics.ingest.reasons import reason_text

__all__ = ["FileReport", "IngestReport"]


@dataclass
class FileReport:
    """What happened to one file."""

    file: str
    table: str
    read: int = 0
    accepted: int = 0
    updated: int = 0
    duplicate: int = 0
    quarantined: int = 0
    location_cleared: int = 0
    encoding: str = ""
    reasons: dict[str, int] = field(default_factory=dict)
    reason_columns: dict[tuple[str, str], int] = field(default_factory=dict)
    unknown_labels: dict[tuple[str, str], int] = field(default_factory=dict)
    location_reasons: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        """True when read == accepted + updated + duplicate + quarantined."""
        return self.read == self.accepted + self.updated + self.duplicate + self.quarantined


@dataclass
class IngestReport:
    """The result of :func:`ingest_files`: per file and total counts, reasons, unknown labels.

    ``read == accepted + updated + duplicate + quarantined`` per file and in total;
    ``location_cleared`` counts accepted/updated rows whose point was cleared.
    """

    store: str
    files: list[FileReport] = field(default_factory=list)

    def _sum(self, name: str) -> int:
        return sum(getattr(f, name) for f in self.files)

    @property
    def read(self) -> int:
        """Rows read."""
        return self._sum("read")

    @property
    def accepted(self) -> int:
        """New records stored."""
        return self._sum("accepted")

    @property
    def updated(self) -> int:
        """Records replaced with changed content."""
        return self._sum("updated")

    @property
    def duplicate(self) -> int:
        """Records already present with the same content (or repeated in the file)."""
        return self._sum("duplicate")

    @property
    def quarantined(self) -> int:
        """Rows not counted (see ``reasons``)."""
        return self._sum("quarantined")

    @property
    def location_cleared(self) -> int:
        """Counted rows whose point was cleared."""
        return self._sum("location_cleared")

    @property
    def reasons(self) -> dict[str, int]:
        """Quarantine reason code → rows, over all files (see :mod:`zzanalytics.ingest.reasons`)."""
        c: Counter = Counter()
        for f in self.files:
            c.update(f.reasons)
        return dict(c.most_common())

    @property
    def unknown_labels(self) -> dict[tuple[str, str], int]:
        """(column, source label) → rows, for labels the mapping does not know."""
        c: Counter = Counter()
        for f in self.files:
            c.update(f.unknown_labels)
        return dict(c.most_common())

    @property
    def balanced(self) -> bool:
        """True when every file's rows add up."""
        return all(f.balanced for f in self.files)

    def to_frame(self) -> pd.DataFrame:
        """One row per file: file, table and the counts (read ... location_cleared)."""
        cols = [
            "file",
            "table",
            "read",
            "accepted",
            "updated",
            "duplicate",
            "quarantined",
            "location_cleared",
        ]
        return pd.DataFrame([[getattr(f, c) for c in cols] for f in self.files], columns=cols)

    def render(self) -> str:
        """A plain-text table of the counts, the quarantine reasons and the unknown labels."""
        cols = ["read", "accepted", "updated", "duplicate", "quarantined"]
        names = [Path(f.file).name for f in self.files] + ["total"]
        width = max(12, *(len(n) for n in names))
        head = f"{'file':<{width}} " + " ".join(f"{c:>11}" for c in cols) + f" {'loc.cleared':>11}"
        lines = [f"store {self.store}", head, "-" * len(head)]
        for f, n in zip(self.files, names, strict=False):
            lines.append(
                f"{n:<{width}} "
                + " ".join(f"{getattr(f, c):>11,}" for c in cols)
                + f" {f.location_cleared:>11,}"
            )
        lines.append("-" * len(head))
        lines.append(
            f"{'total':<{width}} "
            + " ".join(f"{getattr(self, c):>11,}" for c in cols)
            + f" {self.location_cleared:>11,}"
        )
        ok = "yes" if self.balanced else "NO - please report this as a bug"
        lines.append(f"read = accepted + updated + duplicate + quarantined: {ok}")
        detail: Counter = Counter()
        for f in self.files:
            detail.update(f.reason_columns)
        if detail:
            lines.append("quarantine reasons:")
            lines += [
                f"  {n:>9,}  {reason_text(code, column=col)}" for (code, col), n in detail.most_common()
            ]
            lines.append("  (list them with `zz quarantine`)")
        loc: Counter = Counter()
        for f in self.files:
            loc.update(f.location_reasons)
        if loc:
            lines.append("points cleared (rows still counted):")
            lines += [f"  {n:>9,}  {reason_text(r)}" for r, n in loc.most_common()]
        if self.unknown_labels:
            lines.append("labels the mapping does not know (add them to the mapping file):")
            for (col, label), n in self.unknown_labels.items():
                section = {"category": "[categories]", "area_code": "[areas]"}.get(col, f"[values.{col}]")
                lines.append(f"  {n:>9,}  {section} {label!r}")
        for f in self.files:
            for note in f.notes:
                lines.append(f"note: {Path(f.file).name}: {note}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()
