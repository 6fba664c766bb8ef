"""Exceptions raised by zzanalytics.

Every error a user can cause derives from :class:`ZZError`, so a batch run can
catch one type. Messages name the file, row, column and value involved, what
exists instead, and how to fix it.

Examples
--------
>>> from zzanalytics.errors import MappingError, ZZError
>>> issubclass(MappingError, ZZError)
True
"""

from __future__ import annotations


class ZZError(Exception):
    """Root of every zzanalytics error."""


class MappingError(ZZError):
    """A mapping file is malformed or does not fit the source it describes."""


class SourceError(ZZError):
    """A source file cannot be read (encoding, format, missing required column)."""


class SchemaError(ZZError):
    """A frame does not have the columns or types a function needs."""


class StoreError(ZZError):
    """The DuckDB store is missing, locked or inconsistent."""


class ModelError(ZZError):
    """A model cannot be fitted or used (too little data, bad parameters)."""


class SpatialError(ZZError):
    """Geometry or coordinates are unusable for the requested operation."""


class ReportError(ZZError):
    """A briefing could not be executed or rendered."""


class DependencyMissingError(ZZError):
    """An optional program or package is missing; the message says how to install it."""


class SchedulerError(ZZError):
    """The Dask scheduler cannot be reached, or its workers cannot run zzanalytics tasks."""


class OutputError(ZZError):
    """An output cannot be written where it was asked for (outside ``--out``, not writable)."""
