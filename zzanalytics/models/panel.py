"""Counts frames ↔ arrays, and reading published counts files (private).

:func:`read_counts_file` accepts what statistics offices publish, read by ingest's own reader
(:func:`zzanalytics.ingest.readers.read_rows`: CSV in any encoding ingest decides, Excel,
Parquet, each also compressed), any key columns, a period column in any
common form (``2026-05``, ``2026/5``, ``2026年5月``, ``202605``, dates, ISO weeks
``2026-W05``) and a value column named ``count`` (or 数量/案件数/起数...) or the
single numeric column. Wide files (one column per month) are melted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from zzanalytics.clock import wall_stamp, wall_time
from zzanalytics.errors import SchemaError, SourceError
from zzanalytics.models.features import SEASON_LENGTH, check_freq, period_range, period_start

PERIOD_NAMES = (
    "period",
    "ds",
    "date",
    "month",
    "week",
    "time",
    "月份",
    "日期",
    "时间",
    "统计月份",
    "统计时间",
    "年月",
    "期间",
    "周",
)
VALUE_NAMES = (
    "count",
    "y",
    "value",
    "n",
    "cases",
    "数量",
    "案件数",
    "起数",
    "发案数",
    "件数",
    "次数",
    "数值",
)


@dataclass
class Panel:
    """Series of a counts frame as one array: ``Y[i, t]``, NaN where series ``i`` has no data.

    Each series spans its own observed periods, ``starts[i]`` to ``ends[i]`` (exclusive):
    a ragged panel's series start and end where their sources' coverage does. Periods
    absent from the frame (or with a NaN value) are missing, never zeros; inside a
    series' span they are gaps (see :func:`fill_gaps`).
    """

    keys: list[str]
    key_frame: pd.DataFrame
    periods: pd.DatetimeIndex
    Y: np.ndarray
    starts: np.ndarray
    freq: str
    value: str
    ends: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.ends is None:
            self.ends = np.full(len(self.starts), self.Y.shape[1], dtype=int)

    @property
    def m(self) -> int:
        return SEASON_LENGTH[self.freq]

    def series(self, i: int) -> np.ndarray:
        """Values of series ``i`` over its own span (NaN in its gaps)."""
        return self.Y[i, self.starts[i] : self.ends[i]]


def fill_gaps(y: np.ndarray, window: int = 6) -> np.ndarray:
    """Missing values inside a series replaced by the mean of the observed ones within ``window``.

    Models need complete series; the filled values are used for fitting only, never
    scored.

    Examples
    --------
    >>> fill_gaps(np.array([2.0, np.nan, 4.0, 6.0]), window=1).tolist()
    [2.0, 3.0, 4.0, 6.0]
    """
    y = np.asarray(y, dtype=float)
    bad = ~np.isfinite(y)
    if not bad.any():
        return y
    ok = ~bad
    if not ok.any():
        return np.zeros_like(y)
    c = np.concatenate([[0.0], np.cumsum(np.where(ok, y, 0.0))])
    k = np.concatenate([[0], np.cumsum(ok)])
    idx = np.flatnonzero(bad)
    lo, hi = np.maximum(idx - window, 0), np.minimum(idx + window + 1, len(y))
    num, den = c[hi] - c[lo], k[hi] - k[lo]
    out = y.copy()
    out[idx] = np.where(den > 0, num / np.maximum(den, 1), float(np.mean(y[ok])))
    return out


_ZH = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月?\s*(?:(\d{1,2})\s*日)?\s*$")
_YM = re.compile(r"^\s*(\d{4})\s*[-/.年_ ]\s*(\d{1,2})\s*$")
_YM6 = re.compile(r"^\s*(\d{4})(\d{2})\s*$")
_YMM = re.compile(r"^\s*(\d{4})\s*[mM]\s*(\d{1,2})\s*$")
_WEEK = re.compile(r"^\s*(\d{4})\s*-?\s*[wW]\s*(\d{1,2})(?:-\d)?\s*$")


def _parse_one(label: str) -> pd.Timestamp | None:
    rules = (
        (_ZH, lambda g: pd.Timestamp(int(g[0]), int(g[1]), int(g[2]) if g[2] else 1)),
        (_YM, lambda g: pd.Timestamp(int(g[0]), int(g[1]), 1)),
        (_YM6, lambda g: pd.Timestamp(int(g[0]), int(g[1]), 1)),
        (_YMM, lambda g: pd.Timestamp(int(g[0]), int(g[1]), 1)),
        (_WEEK, lambda g: pd.Timestamp.fromisocalendar(int(g[0]), int(g[1]), 1)),
    )
    for rx, fn in rules:
        m = rx.match(label)
        if m:
            try:
                return fn(m.groups())
            except ValueError:
                return None
    try:
        ts = pd.Timestamp(label)
    except (ValueError, TypeError, OverflowError):
        return None
    if pd.isna(ts):
        return None
    return wall_stamp(ts)


def parse_periods(values: pd.Series, what: str = "period") -> pd.DatetimeIndex:
    """Parse period labels in any common form to timestamps (first day, or the date given).

    Examples
    --------
    >>> parse_periods(pd.Series(["2026-05", "2026/6", "2026年7月", "202608"])).strftime("%Y-%m").tolist()
    ['2026-05', '2026-06', '2026-07', '2026-08']
    """
    s = pd.Series(values)
    if pd.api.types.is_datetime64_any_dtype(s):
        idx = pd.DatetimeIndex(s)
        return pd.DatetimeIndex(wall_time(idx))
    if isinstance(s.dtype, pd.PeriodDtype):
        return pd.DatetimeIndex(s.dt.to_timestamp())
    text = s.astype(str).str.strip()
    uniq = pd.unique(text[s.notna()])
    parsed = {u: _parse_one(u) for u in uniq}
    out = pd.to_datetime(text.map(parsed), errors="coerce")
    out[s.isna()] = pd.NaT
    bad = out.isna() & s.notna()
    if bad.any():
        ex = text[bad].head(3).tolist()
        raise SchemaError(
            f"column {what!r}: {int(bad.sum())} values are not periods, e.g. {ex}; "
            "use forms like 2026-05, 2026/5, 2026年5月, 2026-05-01 or 2026-W05"
        )
    idx = pd.DatetimeIndex(out)
    return pd.DatetimeIndex(wall_time(idx))


def _read_any(path: Path) -> pd.DataFrame:
    """The counts file's rows, read by ingest's reader (every encoding, workbook and archive it reads)."""
    from zzanalytics.ingest.readers import read_rows

    if not path.exists():
        raise SourceError(f"counts file {path} does not exist")
    return read_rows(path)


def _looks_numeric(col: pd.Series) -> bool:
    if pd.api.types.is_numeric_dtype(col):
        return True
    v = pd.to_numeric(col.astype(str).str.replace(",", "").str.strip(), errors="coerce")
    return bool(v.notna().mean() > 0.95) and col.notna().any()


def _period_like(col: pd.Series) -> bool:
    try:
        parse_periods(col.dropna().head(50))
    except (SchemaError, ValueError, TypeError, OverflowError):
        return False
    return True


_KEYISH = re.compile(r"(code|_id$|^id$|编码|代码|编号|区划|序号|年份?$|^year$)", re.IGNORECASE)
YEAR_NAMES = ("year", "yr", "年", "年份", "年度")
MONTH_NAMES = ("month", "mon", "月", "月份")


def _yyyymm(col: pd.Series) -> bool:
    """Integers like 202605 (year and month run together)."""
    v = pd.to_numeric(col, errors="coerce")
    if v.isna().any() or len(v) == 0:
        return False
    v = v.astype(float)
    return bool(((v % 1 == 0) & (v >= 190001) & (v <= 210012) & (v % 100 >= 1) & (v % 100 <= 12)).all())


def _join_year_month(df: pd.DataFrame) -> pd.DataFrame:
    """Separate year and month-number columns become one ``period`` column."""
    lower = {c.lower(): c for c in df.columns}
    ycol = next((lower[n] for n in YEAR_NAMES if n in lower), None)
    mcol = next((lower[n] for n in MONTH_NAMES if n in lower), None)
    if ycol is None or mcol is None:
        return df
    y = pd.to_numeric(df[ycol].astype(str).str.replace("年", "").str.strip(), errors="coerce")
    m = pd.to_numeric(df[mcol].astype(str).str.replace("月", "").str.strip(), errors="coerce")
    if y.isna().any() or m.isna().any() or not m.between(1, 12).all():
        return df
    out = df.drop(columns=[ycol, mcol])
    out.insert(0, "period", pd.to_datetime({"year": y.astype(int), "month": m.astype(int), "day": 1}))
    return out


def normalise_counts(
    frame: pd.DataFrame, value: str | None = None, source: str = "counts"
) -> tuple[pd.DataFrame, list[str], str]:
    """Find the period, value and key columns of a counts frame; return (frame, keys, value).

    The result has the key columns (as strings), ``period`` (timestamps) and the value column.
    """
    df = frame.copy()
    df.columns = [str(c).strip() for c in df.columns]
    df = _join_year_month(df)
    cols = list(df.columns)
    lower = {c.lower(): c for c in cols}
    pcol = next((lower[n] for n in PERIOD_NAMES if n in lower), None)
    if pcol is None:
        cand = [c for c in cols if (not _looks_numeric(df[c]) or _yyyymm(df[c])) and _period_like(df[c])]
        cand += [c for c in cols if pd.api.types.is_datetime64_any_dtype(df[c]) and c not in cand]
        pcol = cand[0] if cand else None
    if pcol is None:
        wide = [c for c in cols if _period_like(pd.Series([c]))]
        if len(wide) >= 3:
            ids = [c for c in cols if c not in wide]
            df = df.melt(id_vars=ids, value_vars=wide, var_name="period", value_name="count")
            return normalise_counts(df, "count", source)
        raise SchemaError(
            f"{source}: no period column; columns are {cols}. Name it 'period' (values like 2026-05) "
            "or give one column per month"
        )
    if value is None or value not in df.columns:
        vcol = next((lower[n] for n in VALUE_NAMES if n in lower and lower[n] != pcol), None)
        if vcol is None:
            nums = [c for c in cols if c != pcol and _looks_numeric(df[c])]
            if len(nums) > 1:  # drop numeric codes and ids
                nums = [c for c in nums if not _KEYISH.search(c)] or nums
            if len(nums) != 1:
                raise SchemaError(
                    f"{source}: cannot tell the value column; columns are {cols}, numeric ones {nums}. "
                    "Name the value column 'count'"
                )
            vcol = nums[0]
    else:
        vcol = value
    keys = [c for c in cols if c not in (pcol, vcol)]
    out = pd.DataFrame({k: df[k].astype(str).str.strip() for k in keys})
    out["period"] = parse_periods(df[pcol], pcol)
    vals = df[vcol]
    if not pd.api.types.is_numeric_dtype(vals):
        vals = pd.to_numeric(vals.astype(str).str.replace(",", "").str.strip(), errors="coerce")
    out[vcol] = vals.astype(float).to_numpy()
    return out, keys, vcol


def to_panel(
    counts: pd.DataFrame,
    *,
    by: list[str] | None,
    value: str,
    freq: str,
    until: str | pd.Timestamp | None = None,
) -> Panel:
    """Long counts frame → :class:`Panel` on a complete period grid (missing periods are zeros)."""
    freq = check_freq(freq)
    if not isinstance(counts, pd.DataFrame):
        raise SchemaError(f"counts must be a DataFrame, got {type(counts).__name__}")
    if "period" not in counts.columns:
        raise SchemaError(f"counts frame has no 'period' column; columns are {list(counts.columns)}")
    if value not in counts.columns:
        raise SchemaError(f"counts frame has no value column {value!r}; columns are {list(counts.columns)}")
    keys = [c for c in counts.columns if c not in ("period", value)] if by is None else list(by)
    missing = [k for k in keys if k not in counts.columns]
    if missing:
        raise SchemaError(
            f"--by key(s) {missing} not in the counts frame; columns are {list(counts.columns)}"
        )
    df = counts[[*keys, "period", value]].copy()
    raw = parse_periods(df["period"])
    df["period"] = period_start(raw, freq)
    # a NaN value is a missing period, never a zero
    df[value] = pd.to_numeric(df[value], errors="coerce").astype(float)
    fine = np.asarray(raw != pd.DatetimeIndex(df["period"]))
    if fine.any() and until is None:
        # dated rows (e.g. daily counts): a last period that the data do not reach the end of is partial
        last_raw = raw.max()
        last = period_start(pd.DatetimeIndex([last_raw]), freq)[0]
        if last_raw < period_range(last, 2, freq)[1] - pd.Timedelta(days=1):
            df = df[df["period"] < last]
    if until is not None:
        cut = pd.Timestamp(until)
        df = df[df["period"] <= cut]
        # a period is complete only if `until` reaches its last day
        last = period_start(pd.DatetimeIndex([cut]), freq)[0]
        nxt = period_range(last, 2, freq)[1]
        if cut < nxt - pd.Timedelta(days=1):
            df = df[df["period"] < last]
    df = df[df[value].notna()]
    if df.empty:
        raise SchemaError(
            "no counts to forecast (empty frame, only missing values, or nothing before --until)"
        )
    g = (
        df.groupby([*keys, "period"], sort=True, dropna=False)[value].sum().reset_index()
        if keys
        else df.groupby("period")[value].sum().reset_index()
    )
    first, last = g["period"].min(), g["period"].max()
    periods = pd.date_range(first, last, freq="MS" if freq == "month" else "W-MON")
    if keys:
        key_frame = g[keys].drop_duplicates().sort_values(keys).reset_index(drop=True)
        sid = g[keys].merge(key_frame.reset_index(), on=keys, how="left")["index"].to_numpy()
    else:
        key_frame = pd.DataFrame(index=[0])
        sid = np.zeros(len(g), dtype=int)
    tix = periods.get_indexer(g["period"])
    T = len(periods)
    Y = np.full((len(key_frame), T), np.nan)
    Y[sid, tix] = g[value].to_numpy()
    seen = np.isfinite(Y)
    starts = seen.argmax(axis=1)
    ends = T - seen[:, ::-1].argmax(axis=1)
    return Panel(keys, key_frame, periods, Y, starts, freq, value, ends)


def panel_frame(panel: Panel, cuts: np.ndarray | None = None) -> pd.DataFrame:
    """Long frame (keys, ``period``, value) of a panel's observed values, series ``i`` before ``cuts[i]``.

    The inverse of :func:`to_panel` (missing periods stay absent rows); ``cuts`` are
    period indices, one per series (default: every series' end).
    """
    T = panel.Y.shape[1]
    cuts = panel.ends if cuts is None else np.asarray(cuts)
    keep = np.isfinite(panel.Y) & (np.arange(T)[None, :] < cuts[:, None])
    si, ti = np.nonzero(keep)
    out = panel.key_frame[list(panel.keys)].iloc[si].reset_index(drop=True)
    out["period"] = panel.periods[ti]
    out[panel.value] = panel.Y[si, ti]
    return out


def read_counts_file(path: str | Path) -> tuple[pd.DataFrame, list[str], str]:
    """Read a published counts file: (frame with keys, period, value; keys; value column)."""
    path = Path(path)
    return normalise_counts(_read_any(path), source=str(path))
