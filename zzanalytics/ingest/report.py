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
    malformed: int = 0  # rows the CSV reader could not split (quarantined as malformed_row)
    area_from_point: int = 0  # counted rows whose area came from the polygon holding their point
    unassigned: int = 0  # counted rows (new or updated) without an area: still in the district's totals
    findings: dict[str, int] = field(default_factory=dict)  # kind -> rows (see ingest_findings)
    finding_examples: dict[str, list[str]] = field(default_factory=dict)  # kind -> a few examples
    candidates: dict[str, list[str]] = field(default_factory=dict)  # unknown area label -> nearest names
    unchecked_areas: dict[str, int] = field(default_factory=dict)  # store without areas: code -> rows
    caught: dict[tuple[str, str], int] = field(default_factory=dict)  # (column, label) a "*" took -> rows
    caught_into: dict[str, str] = field(default_factory=dict)  # column -> the value its "*" gives
    merges: dict[str, int] = field(default_factory=dict)  # fate -> rows taken for another row (ingest_merges)
    merge_examples: dict[str, list[str]] = field(default_factory=dict)  # fate -> a few of them

    @property
    def balanced(self) -> bool:
        """True when read == accepted + updated + duplicate + quarantined."""
        return self.read == self.accepted + self.updated + self.duplicate + self.quarantined


_MERGE_TEXT = {
    "repeat": "repeat an earlier row of the same file in every column (duplicates)",
    "duplicate": "are a record of another file or line, the same in every column they share (duplicates)",
    "update": "update a record that came from another row (same id, or a corrected re-export of the file)",
    "collision": "have the id of a record of another file with another date or category: quarantined as "
    "id_collision, the stored record kept (--replace if the files are a full re-export)",
}


@dataclass
class IngestReport:
    """The result of :func:`ingest_files`: per file and total counts, reasons, unknown labels.

    ``read == accepted + updated + duplicate + quarantined`` per file and in total;
    ``location_cleared`` counts accepted/updated rows whose point was cleared.
    """

    store: str
    files: list[FileReport] = field(default_factory=list)
    retired: int = 0  # records of the source missing from a full re-export (``replace=True``)
    retired_ids: list[str] = field(default_factory=list)

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
        lines += self._label_lines()
        from_point = sum(f.area_from_point for f in self.files)
        unassigned = sum(f.unassigned for f in self.files)
        if from_point or unassigned:
            lines.append(
                f"areas: {from_point:,} rows took the area holding their point; {unassigned:,} rows have "
                "no area (unassigned: counted in the district's totals, not in any area's)"
            )
        found: Counter = Counter()
        examples: dict[str, list[str]] = {}
        for f in self.files:
            found.update(f.findings)
            for k, v in f.finding_examples.items():
                examples.setdefault(k, []).extend(v)
        if found:
            lines.append(
                "data-quality findings (rows counted as stated; listed in the store's ingest_findings):"
            )
            for kind, n in found.most_common():
                eg = ", ".join(examples.get(kind, [])[:3])
                lines.append(f"  {n:>9,}  {reason_text(kind)}" + (f" (e.g. {eg})" if eg else ""))
        merged: Counter = Counter()
        merge_eg: dict[str, list[str]] = {}
        for f in self.files:
            merged.update(f.merges)
            for k, v in f.merge_examples.items():
                merge_eg.setdefault(k, []).extend(f"{Path(f.file).name} {e}" for e in v)
        if merged:
            lines.append("rows taken for another row (every one listed in the store's ingest_merges):")
            for fate, n in sorted(merged.items()):
                eg = "; ".join(merge_eg.get(fate, [])[:2])
                lines.append(f"  {n:>9,}  {_MERGE_TEXT[fate]}" + (f" (e.g. {eg})" if eg else ""))
        if self.retired:
            shown = ", ".join(self.retired_ids[:5]) + (" ..." if self.retired > 5 else "")
            lines.append(
                f"retired: {self.retired:,} records of this source are missing from the new export and were "
                f"removed (--replace; kept in the store's retired table): {shown}"
            )
        for f in self.files:
            for note in f.notes:
                lines.append(f"note: {Path(f.file).name}: {note}")
        return "\n".join(lines)

    def _label_lines(self) -> list[str]:
        """Labels the mapping does not know; area labels that are no area's (rows kept, unassigned);
        area codes kept unchecked in a store without areas."""
        lines: list[str] = []
        near: dict[str, list[str]] = {}
        for f in self.files:
            near.update(f.candidates)
        labels = {k: n for k, n in self.unknown_labels.items() if k[0] != "area_code"}
        if labels:
            lines.append("labels the mapping does not know (add them to the mapping file):")
            for (col, label), n in labels.items():
                section = {"category": "[categories]"}.get(col, f"[values.{col}]")
                lines.append(f"  {n:>9,}  {section} {label!r}")
        areas = {label: n for (col, label), n in self.unknown_labels.items() if col == "area_code"}
        if areas:
            lines.append(
                "area labels that are no area of the store (rows kept, unassigned: counted in the district's "
                "totals, not in any area's; add them to [areas] of the mapping to assign them):"
            )
            for label, n in areas.items():
                hint = f"  (nearest: {', '.join(repr(c) for c in near[label])})" if near.get(label) else ""
                lines.append(f"  {n:>9,}  [areas] {label!r}{hint}")
        caught: Counter = Counter()
        into: dict[str, str] = {}
        for f in self.files:
            caught.update(f.caught)
            into.update(f.caught_into)
        if caught:
            lines.append(
                'labels not listed in the mapping, kept under its "*" (list them to keep them apart):'
            )
            for (col, label), n in caught.most_common():
                section = {"category": "[categories]"}.get(col, f"[values.{col}]")
                lines.append(f"  {n:>9,}  {section} {label!r} -> {into.get(col, '')}")
        unchecked: Counter = Counter()
        for f in self.files:
            unchecked.update(f.unchecked_areas)
        if unchecked:
            shown = ", ".join(f"{code!r} ({n:,})" for code, n in unchecked.most_common(20))
            more = f" and {len(unchecked) - 20:,} more" if len(unchecked) > 20 else ""
            lines.append(
                f"areas: the store has no areas, so {len(unchecked):,} area code(s) were kept as stated, "
                f"unchecked: {shown}{more} (ingest the areas first to check them)"
            )
        return lines

    def __str__(self) -> str:
        return self.render()
