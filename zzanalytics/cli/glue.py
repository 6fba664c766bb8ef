"""Glue between the store and the models for ``zz forecast`` and ``zz backtest``: the counts to model,
from a published counts file or from the store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zzanalytics.cli.checks import STORE_KEYS, check_by

__all__ = ["load_counts"]


def load_counts(
    store: Any, counts_file: Path | None, freq: str, by: list[str], level: int | None
) -> tuple[Any, list[str], str]:
    """Counts to model, from a published counts file or from the store: (frame, keys, value column).

    ``by`` is checked against what the source has; a counts file's own key columns are used
    when ``by`` is empty; counts from the store are :func:`zzanalytics.aggregate.model_counts`
    (complete periods inside each category's coverage: ragged series, never zeros outside it).
    """
    if counts_file is not None:
        from zzanalytics.models.panel import read_counts_file

        frame, keys, value = read_counts_file(counts_file)
        if by:
            check_by(by, keys, str(counts_file))
            frame = frame.groupby([*by, "period"], as_index=False)[value].sum()
            keys = list(by)
        return frame, keys, value
    from zzanalytics.aggregate import model_counts
    from zzanalytics.workspace import open_store

    keys = check_by(by, STORE_KEYS, "the store's incidents") if by else ["category"]
    with open_store(store) as st:
        inc, cov = st.incidents(), st.coverage()
    return model_counts(inc, freq=freq, by=keys, level=level, coverage=cov), keys, "count"
