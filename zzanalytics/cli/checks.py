"""Checks of the ``zz`` options, done before any work starts: each refuses a bad value with one line
naming the option, the value and the fix (a :class:`~zzanalytics.errors.ZZError`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zzanalytics.errors import ZZError

__all__ = [
    "FREQS",
    "MODEL_FREQS",
    "STORE_KEYS",
    "check_area",
    "check_by",
    "check_category",
    "check_choice",
    "check_date",
    "check_in_file",
    "check_model_options",
    "check_out_dir",
    "check_out_file",
    "check_period",
    "check_range",
    "check_store_to_read",
    "check_workers",
]


STORE_KEYS = ("category", "area_code", "premises", "cause")
"""Incident columns ``--by`` may name when counting from a store."""


def check_by(by: list[str], allowed: list[str] | tuple[str, ...], where: str) -> list[str]:
    """Raise a :class:`ZZError` naming every ``--by`` key that ``where`` does not have."""
    bad = [b for b in by if b not in allowed]
    if bad:
        raise ZZError(f"--by {','.join(bad)}: not a key of {where}; its keys are {', '.join(allowed)}")
    if len(set(by)) < len(by):
        raise ZZError(f"--by {','.join(by)}: a key is repeated; name each once")
    return by


def check_date(value: str | None, option: str) -> str | None:
    """A date option (``--until``, ``--start``) as ISO text, or a :class:`ZZError` with the fix."""
    if value is None:
        return None
    import pandas as pd

    text = str(value).strip()
    try:
        ts = pd.Timestamp(text) if text else pd.NaT
    except (ValueError, TypeError, OverflowError):
        ts = pd.NaT
    if pd.isna(ts) or not 1900 <= ts.year <= 2200:
        raise ZZError(f"{option} {value!r}: not a date; write it like 2026-06-30")
    return ts.date().isoformat()


def check_period(period: str | None) -> str | None:
    """``--period START:END``: two dates, START not after END; ``None`` stays ``None``."""
    if period is None:
        return None
    parts = str(period).split(":")
    example = "write it like 2026-01-01:2026-06-30"
    if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
        raise ZZError(f"--period {period!r}: give a start and an end date separated by ':'; {example}")
    start = check_date(parts[0], "--period start")
    end = check_date(parts[1], "--period end")
    if start > end:
        raise ZZError(f"--period {period!r}: starts {start}, after it ends {end}; swap the two dates")
    return f"{start}:{end}"


def check_choice(value: Any, allowed: tuple[Any, ...] | list[Any], option: str) -> Any:
    """``value`` when it is one of ``allowed``, else a :class:`ZZError` listing them."""
    if value not in allowed:
        raise ZZError(f"{option} {value!r}: use one of {', '.join(str(a) for a in allowed)}")
    return value


def check_range(
    value: Any, option: str, lo: float | None = None, hi: float | None = None, example: Any = None
) -> Any:
    """A finite number within ``lo``..``hi`` (inclusive), else a :class:`ZZError` with the range."""
    import math

    if value is None:
        return None
    ok = isinstance(value, int | float) and math.isfinite(value)
    ok = ok and (lo is None or value >= lo) and (hi is None or value <= hi)
    if not ok:
        bounds = (
            f"from {lo:g} to {hi:g}"
            if lo is not None and hi is not None
            else (f"at least {lo:g}" if lo is not None else f"at most {hi:g}")
        )
        tail = f", e.g. {example}" if example is not None else ""
        raise ZZError(f"{option} {value!r}: must be a number {bounds}{tail}")
    return value


def check_in_file(path: Path, option: str) -> Path:
    """An input file: it exists, is a regular file (not a folder) and can be read."""
    if not path.exists():
        raise ZZError(f"{option} {path}: no such file; check the path (working directory {Path.cwd()})")
    if path.is_dir():
        raise ZZError(f"{option} {path}: is a folder; give a file in it")
    try:
        with open(path, "rb") as fh:
            fh.read(1)
    except OSError as exc:
        raise ZZError(f"{option} {path}: cannot be read ({exc.strerror}); check its permissions") from None
    return path


def check_store_to_read(store: Path | None) -> Path | None:
    """``--store`` of a command that only reads: an existing file (the default store is built)."""
    if store is None:
        return None
    if not store.exists():
        raise ZZError(
            f"--store {store}: no such store; give the .duckdb file written by zz ingest "
            "(or leave --store out for the sample district)"
        )
    return check_in_file(store, "--store")


def check_category(code: str) -> str:
    """A category code or prefix of the taxonomy (``theft``, ``theft.burglary``)."""
    from zzanalytics.schema import LEAF_CATEGORIES

    code = str(code).strip()
    parts = [c.split(".") for c in LEAF_CATEGORIES]
    known = sorted({".".join(p[: i + 1]) for p in parts for i in range(len(p))})
    if code not in known:
        raise ZZError(f"--category {code!r}: not a category; use one of {', '.join(known)}")
    return code


def check_workers(workers: int | None) -> int | None:
    """``--workers``: at least one process."""
    return check_range(workers, "--workers", lo=1, hi=1024, example=2)


def check_out_file(out: Path, suffixes: tuple[str, ...]) -> Path:
    """``--out FILE``: a known suffix, not a folder nor a device, in a folder we can write in."""
    if out.is_dir():
        raise ZZError(f"--out {out}: is a folder; give a file name such as {out / ('result' + suffixes[0])}")
    if out.exists() and not out.is_file():
        raise ZZError(f"--out {out}: is not a regular file (a device or a pipe); give a file name")
    suffix = out.suffix.lower()
    if suffix not in suffixes:
        raise ZZError(f"--out {out}: unknown file type {suffix or '(none)'!r}; use {' or '.join(suffixes)}")
    _writable_folder(out.parent, f"--out {out}")
    return out


def check_out_dir(out: Path) -> Path:
    """``--out DIR``: a folder that exists or can be made, and that we may write in."""
    if out.exists() and not out.is_dir():
        raise ZZError(f"--out {out}: is a file, not a folder; give a folder (it is created if missing)")
    _writable_folder(out, f"--out {out}")
    return out


def _writable_folder(folder: Path, what: str) -> None:
    """Refuse a folder that cannot be made or written in: probed by making (and removing) a
    folder in it or in its nearest existing parent, so that it also holds for root and for
    read-only file systems."""
    import shutil
    import tempfile

    probe = folder if str(folder) else Path(".")
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise ZZError(
            f"{what}: {probe} is a file, so the folder {folder} cannot be made; choose another place"
        )
    try:
        made = tempfile.mkdtemp(prefix=".zz-probe-", dir=probe)
    except OSError as exc:
        raise ZZError(
            f"{what}: cannot write in {probe} ({(exc.strerror or 'refused').lower()}); "
            "choose a folder you can write to"
        ) from None
    shutil.rmtree(made, ignore_errors=True)


FREQS = ("day", "week", "month", "quarter", "year")
MODEL_FREQS = ("month", "week")


def check_model_options(
    freq: str, level: int | None, horizon: int, workers: int | None, counts_file: Path | None, store: Any
) -> None:
    """The options ``zz forecast`` and ``zz backtest`` share, checked before any work."""
    check_choice(freq, MODEL_FREQS, "--freq")
    check_range(level, "--level", lo=1, hi=3, example=1)
    check_range(horizon, "--horizon", lo=1, hi=120, example=6)
    check_workers(workers)
    if counts_file is not None:
        check_in_file(counts_file, "--counts")
    else:
        check_store_to_read(store)


def check_area(store: Any, area: str) -> str:
    """``--area``: ``all``, ``district`` or a township's code or name (spelling forgiven) in the store."""
    text = str(area).strip()
    if text in ("all", "district"):
        return text
    if not text:
        raise ZZError("--area '': give a township code, 'district' or 'all'")
    from zzanalytics.report.briefing import find_area

    return find_area(store, text)  # a code or a name; an unknown one names the closest and the count
