"""The DuckDB store: one file holding every canonical table, quarantine and the ingest log.

A store is opened one way, :func:`open_store`: a path, or none for the configured default store
(``ZZ_STORE``, else the sample district's, see :mod:`zzanalytics.config`). Making the sample
district's store ready on first use belongs to :mod:`zzanalytics.workspace`, which registers
itself here (:func:`before_open`).

Besides the canonical tables of :data:`zzanalytics.schema.TABLES` the store has

``quarantine``    rows that could not be counted: source file, row, reason, column, value, raw row (JSON);
``ingest_log``    one line per ingested file: read, accepted, updated, duplicate, quarantined,
                  location_cleared;
``location_log``  accepted rows whose point was cleared (impossible or outside the district) and why;
``_meta``         key/value metadata: ``format``, and the district's identity when known (``district``,
                  ``timezone``, ``currency`` …, see :meth:`Store.identity`);
``coverage``      what each ingested file covers: table, category, first and last day (declared in
                  the mapping or taken from the data), see :meth:`Store.coverage`.

**The store's clock.** A store has one time zone (``_meta.timezone``; :attr:`Store.timezone`),
recorded when it is created (see :meth:`Store.claim_timezone`). Timestamps are kept as instants
(``TIMESTAMPTZ``) and handed out tz-aware in that zone, so every day, period and hour is cut on
the district's wall clock, and the autumn repeat of a daylight-saving zone stays two hours.

Reasons are codes (:mod:`zzanalytics.ingest.reasons`).

Each canonical table carries two hidden columns that make ingest idempotent:
``_hash`` (content fingerprint) and ``_key`` (the record id of tables without an
id column: natural key or content id; NULL where the id column is the key).
The accessors return canonical columns only.

Examples
--------
>>> from zzanalytics.store import open_store
>>> with open_store("zz.duckdb") as st:  # doctest: +SKIP
...     print(st.summary())
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from zzanalytics import clock, config
from zzanalytics.errors import StoreError
from zzanalytics.schema import TABLES
from zzanalytics.sql import ident
from zzanalytics.store.district import Identity
from zzanalytics.store.spans import (
    claim_timezone,
    coverage_lines,
    migrate_timestamps,
    own_category_lines,
    read_coverage,
)
from zzanalytics.store.tables import _SYSTEM_DDL, SQL_TYPES, STORE_FORMAT, create_schema

__all__ = [
    "SQL_TYPES",
    "STORE_FORMAT",
    "Store",
    "before_open",
    "canonical_types",
    "check_store_path",
    "create_schema",
    "open_store",
    "store_format",
]

GEO_TABLES = ("areas", "streets", "zones")
PLAIN_TABLES = ("petitions", "disputes", "cameras", "peers", "targets")


def _memory_limit(read_only: bool) -> str | None:
    """DuckDB memory limit: ``ZZ_DUCKDB_MEMORY``, else 1GB for writers (ingest spills beyond it to disk)."""
    return os.environ.get("ZZ_DUCKDB_MEMORY") or (None if read_only else "1GB")


class Store:
    """An open zzanalytics store (a DuckDB file). Use :func:`open_store` to get one.

    Attributes
    ----------
    path : pathlib.Path
        The DuckDB file.
    con : duckdb.DuckDBPyConnection
        The connection, for analysts who want SQL.
    read_only : bool
        Whether the store was opened read-only.
    """

    def __init__(self, path: Path, con: Any, read_only: bool) -> None:
        self.path = path
        self.con = con
        self.read_only = read_only
        self._district_cache: Any = None
        self._district_state: Any = None
        self._tz: str | None = None

    # -- context manager ------------------------------------------------------------------
    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (idempotent)."""
        if self.con is not None:
            self.con.close()
            self.con = None

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r}, read_only={self.read_only})"

    # -- reading -------------------------------------------------------------------------
    def _frame(
        self, table: str, where: str = "", params: list | None = None, order: str = ""
    ) -> pd.DataFrame:
        t = TABLES[table]
        have = {
            r[0]
            for r in self.con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ?",
                [table],
            ).fetchall()
        }
        # a store made before an optional column existed reads it as missing
        cols = ", ".join(ident(c) if c in have else f"NULL AS {ident(c)}" for c in t.names)
        sql = f"SELECT {cols} FROM {ident(table)} {where} {order}"
        df = self.con.execute(sql, params or []).df()
        return canonical_types(df, table, self.timezone)

    def incidents(
        self,
        start: str | pd.Timestamp | None = None,
        end: str | pd.Timestamp | None = None,
        category: str | None = None,
        area_code: str | None = None,
    ) -> pd.DataFrame:
        """Incidents with canonical columns, ``occurred_at`` tz-aware in the store's zone.

        What the sources cover is not on the frame: give :meth:`coverage` (or the store) to
        the functions that need it, ``zz.counts(inc, coverage=st)``.

        Parameters
        ----------
        start, end : str or Timestamp, optional
            Inclusive first and last day, on the store's clock.
        category : str, optional
            Code or prefix: ``"theft"`` selects every ``theft.*``.
        area_code : str, optional
            One township.

        Examples
        --------
        >>> with open_store() as st:  # doctest: +SKIP
        ...     st.incidents("2026-01-01", "2026-06-30", category="theft").shape
        """
        where, params = [], []
        tz = self.timezone
        if start is not None:
            where.append("occurred_at >= timezone(?, CAST(CAST(? AS DATE) AS TIMESTAMP))")
            params += [tz, str(clock.wall_day(start, tz, "start").date())]
        if end is not None:
            where.append("occurred_at < timezone(?, CAST(CAST(? AS DATE) + INTERVAL 1 DAY AS TIMESTAMP))")
            params += [tz, str(clock.wall_day(end, tz, "end").date())]
        if category:
            where.append("(category = ? OR starts_with(category, ?))")
            params += [category, category + "."]
        if area_code is not None:
            where.append("area_code = ?")
            params.append(str(area_code))
        clause = ("WHERE " + " AND ".join(where)) if where else ""
        return self._frame("incidents", clause, params, "ORDER BY occurred_at, incident_id")

    def table(self, name: str) -> pd.DataFrame:
        """One of ``petitions``, ``disputes``, ``cameras``, ``peers``, ``targets`` (canonical columns).

        Examples
        --------
        >>> with open_store() as st:  # doctest: +SKIP
        ...     list(st.table("targets").columns)
        ['year', 'metric', 'ceiling']
        """
        if name in GEO_TABLES:
            return getattr(self, name)()
        if name == "incidents":
            return self.incidents()
        if name not in PLAIN_TABLES:
            raise StoreError(f"no table {name!r}; tables are {['incidents', *PLAIN_TABLES, *GEO_TABLES]}")
        key = TABLES[name].key or TABLES[name].names[0]
        return self._frame(name, order=f"ORDER BY {ident(key)}, _key")

    def _geo(self, name: str) -> Any:
        import geopandas as gpd
        import shapely

        t = TABLES[name]
        cols = ", ".join(ident(c) for c in t.names)
        df = self.con.execute(
            f"SELECT {cols} FROM {ident(name)} ORDER BY {ident(t.key) if t.key else '_key'}"
        ).df()
        geom = shapely.from_wkb(df["geometry"].map(lambda b: None if b is None else bytes(b)).to_numpy())
        return gpd.GeoDataFrame(df.drop(columns="geometry"), geometry=geom, crs="EPSG:4326")

    def areas(self) -> Any:
        """Township polygons: ``area_code``, ``name``, ``name_en``, ``population``, geometry (EPSG:4326)."""
        return self._geo("areas")

    def streets(self) -> Any:
        """Street lines: ``name``, ``class``, geometry (EPSG:4326)."""
        return self._geo("streets")

    def zones(self) -> Any:
        """Land-use zones: ``zone_id``, ``kind``, ``name``, geometry (EPSG:4326)."""
        return self._geo("zones")

    def quarantine(self) -> pd.DataFrame:
        """Rows not counted: ``source_file``, ``row`` (1-based data row), ``reason``, ``column``, ``value``,
        ``raw`` (the source row as JSON; may hold any text, escape it before showing it in HTML)."""
        return self.con.execute(
            'SELECT source_file, "row", reason, "column", "value", raw, "table", "at" FROM quarantine '
            'ORDER BY source_file, "row"'
        ).df()

    def ingest_log(self) -> pd.DataFrame:
        """One line per ingested file: read, accepted, updated, duplicate, quarantined, location_cleared."""
        return self.con.execute(
            'SELECT file, "table", read, accepted, updated, duplicate, quarantined, location_cleared, "at" '
            'FROM ingest_log ORDER BY "at"'
        ).df()

    def location_log(self) -> pd.DataFrame:
        """Counted rows whose point was cleared: source_file, row, record_id, reason, raw lon/lat."""
        return self.con.execute(
            'SELECT source_file, "row", record_id, reason, lon, lat, "table", "at" FROM location_log '
            'ORDER BY source_file, "row"'
        ).df()

    def meta(self) -> dict[str, str]:
        """The store's metadata (``_meta``): ``format`` and, when recorded, the district's identity.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> with open_store(pathlib.Path(tempfile.mkdtemp()) / "m.duckdb", read_only=False) as st:
        ...     st.set_meta(district="金河区")
        ...     st.meta()["district"]
        '金河区'
        """
        return {k: v for k, v in self.con.execute("SELECT key, value FROM _meta ORDER BY key").fetchall()}

    @property
    def timezone(self) -> str:
        """The store's time zone (IANA name): every day, period and hour is cut on its clock.

        Recorded in ``_meta`` when the store gets its first dated records (see
        :meth:`claim_timezone`); :data:`zzanalytics.clock.DEFAULT_TZ` until then.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> with open_store(pathlib.Path(tempfile.mkdtemp()) / "t.duckdb", read_only=False) as st:
        ...     _ = st.claim_timezone("America/Toronto", "--timezone")
        ...     st.timezone
        'America/Toronto'
        """
        if self._tz is None:
            rows = self.con.execute("SELECT value FROM _meta WHERE key = 'timezone'").fetchall()
            self._tz = clock.check_tz(rows[0][0]) if rows else clock.DEFAULT_TZ
        return self._tz

    @property
    def currency(self) -> str:
        """ISO 4217 code of the unit of losses (``_meta.currency``; CNY when not recorded)."""
        return self.meta().get("currency") or "CNY"

    def identity(self) -> Identity:
        """The district's identity (name, issuer, meeting, area unit, currency, sections, targets).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> with open_store(pathlib.Path(tempfile.mkdtemp()) / "i.duckdb", read_only=False) as st:
        ...     st.set_meta(district="Lakeport", currency="CAD", area_unit_en="beat")
        ...     st.identity().units_en
        'beats'
        """
        return Identity.from_meta(self.meta(), self.timezone)

    def claim_timezone(self, tz: str | None, source: str) -> str:
        """Fix the store's zone on first use and return it (see :func:`.spans.claim_timezone`)."""
        self._tz = claim_timezone(self, tz, source)
        return self._tz

    def coverage(self, table: str | None = None, by_file: bool = False) -> Any:
        """What the store's sources cover: a :class:`~zzanalytics.store.coverage.Coverage`.

        Outside its coverage a category has **no data**, which is not zero. Give it to every
        function that turns absence into a number (``zz.counts(inc, coverage=cov)``, or
        ``coverage=st``); see :meth:`Coverage.from_store <zzanalytics.store.coverage.Coverage.from_store>`.
        ``table`` keeps one table; ``by_file=True`` gives instead the raw frame ingest recorded,
        one row per file and category (:func:`~zzanalytics.store.spans.read_coverage`).

        Examples
        --------
        >>> with open_store("zz.duckdb") as st:  # doctest: +SKIP
        ...     st.coverage().covers("2021-01-01", "2021-06-30", "theft")
        True
        """
        if by_file:
            return read_coverage(self.con, table, by_file)
        from zzanalytics.store.coverage import Coverage

        return Coverage.from_store(self, table)

    def set_meta(self, **values: str | None) -> None:
        """Record metadata keys (``None`` removes a key); one transaction."""
        if self.read_only:
            raise StoreError(f"store {self.path} is open read-only; metadata cannot be written")
        self.con.execute("BEGIN TRANSACTION")
        try:
            for k, v in values.items():
                self.con.execute("DELETE FROM _meta WHERE key = ?", [k])
                if v is not None:
                    self.con.execute("INSERT INTO _meta VALUES (?, ?)", [k, str(v)])
            self.con.execute("COMMIT")
        except Exception:
            self.con.execute("ROLLBACK")
            raise
        self._tz = None

    def summary(self) -> str:
        """The district's identity (:meth:`identity`), row counts per table, what each
        table and category covers, and what sits in quarantine."""
        who = self.identity()
        lines = [f"store {self.path}", *who.lines(), "  rows:"]
        lines[2:2] = [f"  time zone  {self.timezone}{'' if 'timezone' in who.recorded else ' (default)'}"]
        for t in TABLES:
            n = self.con.execute(f"SELECT count(*) FROM {ident(t)}").fetchall()[0][0]
            lines.append(f"    {t:<10} {n:>12,}")
        lines += coverage_lines(self.coverage().to_frame())
        # what ingest decided for each file, and why (declared, or the months its source's rate
        # makes plausible, with the records left outside)
        files = read_coverage(self.con, by_file=True)
        files = files[files["basis"].notna()].drop_duplicates(["source_path", "basis"])
        for row in files.head(12).itertuples(index=False):
            lines.append(f"    {row.source or '?'} / {row.source_file}: {row.basis}")
        if len(files) > 12:
            lines.append(f"    ... and {len(files) - 12:,} more files (Store.coverage(by_file=True))")
        lines += own_category_lines(self.con)
        lo, hi = self.con.execute(
            "SELECT min(timezone(?, occurred_at)), max(timezone(?, occurred_at)) FROM incidents",
            [self.timezone, self.timezone],
        ).fetchall()[0]
        if lo is not None:
            lines.append(f"  incidents from {lo:%Y-%m-%d} to {hi:%Y-%m-%d} ({self.timezone})")
        nq = self.con.execute("SELECT count(*) FROM quarantine").fetchall()[0][0]
        nl = self.con.execute("SELECT count(*) FROM location_log").fetchall()[0][0]
        lines.append(f"  quarantined {nq:,} rows; {nl:,} accepted rows had their point cleared")
        return "\n".join(lines)

    # -- helpers used by ingest ----------------------------------------------------------
    def area_names(self) -> pd.DataFrame:
        """``label`` → ``area_code`` for every code, Chinese name and English name in ``areas``."""
        return self.con.execute(
            "SELECT DISTINCT label, area_code FROM ("
            " SELECT area_code AS label, area_code FROM areas UNION ALL"
            " SELECT name, area_code FROM areas WHERE name IS NOT NULL UNION ALL"
            " SELECT name_en, area_code FROM areas WHERE name_en IS NOT NULL)"
        ).df()

    def district(self) -> Any:
        """Union of the areas' polygons grown by about 50 m (None when the store has no areas)."""
        # the cache follows the areas table itself: new or changed polygons give a new outline
        state = self.con.execute("SELECT count(*), sum(_hash) FROM areas").fetchall()[0]
        if self._district_cache is None or self._district_state != state:
            import shapely

            self._district_state = state
            self._district_cache = None
            rows = self.con.execute("SELECT geometry FROM areas WHERE geometry IS NOT NULL").fetchall()
            if not rows:
                return None
            geoms = shapely.from_wkb([bytes(r[0]) for r in rows])
            bad = ~shapely.is_valid(geoms)  # stored before ingest repaired polygons: never die in GEOS
            geoms[bad] = shapely.make_valid(geoms[bad], method="structure", keep_collapsed=False)
            union = shapely.union_all(geoms)
            # 50 m in degrees of longitude at the district's latitude (the larger of the two)
            lat = shapely.centroid(union).y
            tol = 50.0 / (111_320.0 * max(0.2, math.cos(math.radians(lat))))
            union = shapely.buffer(union, tol)
            shapely.prepare(union)
            self._district_cache = union
        return self._district_cache


def canonical_types(df: pd.DataFrame, table: str, tz: str = clock.DEFAULT_TZ) -> pd.DataFrame:
    """Give ``df``'s canonical columns the store's pandas types (in place; returns ``df``).

    Dates become naive ``datetime64[ns]``, timestamps tz-aware in the store's zone ``tz``
    (instants are converted; naive values, from stores of format 4 or older, are wall time of
    ``tz``), strings objects; columns the frame lacks are left alone. Shared by the store and
    the Parquet partitions.
    """
    for c in TABLES[table].columns:
        if c.name not in df.columns:
            continue
        if c.dtype == "date":
            df[c.name] = pd.to_datetime(df[c.name]).astype("datetime64[ns]")
        elif c.dtype == "timestamp":
            col = pd.to_datetime(df[c.name])
            if isinstance(col.dtype, pd.DatetimeTZDtype):
                col = col.dt.tz_convert(tz)
            else:
                col = col.dt.tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
            df[c.name] = col.astype(f"datetime64[ns, {tz}]")
        elif c.dtype == "str":
            df[c.name] = df[c.name].astype(object)
    return df


def _connect(path: Path, read_only: bool) -> Any:
    import duckdb

    cfg: dict[str, Any] = {}
    limit = _memory_limit(read_only)
    if limit:
        cfg["memory_limit"] = limit
    try:
        con = duckdb.connect(str(path), read_only=read_only, config=cfg)
        con.execute("SET TimeZone = 'UTC'")
    except duckdb.Error as exc:
        raise StoreError(
            f"cannot open store {path} ({'read-only' if read_only else 'read-write'}): {exc}; "
            "another process may hold it open for writing"
        ) from None
    # Inside a Jupyter kernel DuckDB refuses this setting unless ipywidgets is installed;
    # the progress bar is cosmetic, so a refusal is harmless.
    with contextlib.suppress(duckdb.Error):
        con.execute("SET enable_progress_bar = false")
    return con


_BEFORE_OPEN: list[Callable[[Path], None]] = []


def before_open(prepare: Callable[[Path], None]) -> Callable[[Path], None]:
    """Register ``prepare(path)``, called by :func:`open_store` before it opens a store.

    :mod:`zzanalytics.workspace` registers the builder of the sample district's store this way, so
    the store layer opens any store without knowing how the sample is made. Returns ``prepare``.

    Examples
    --------
    >>> seen = []
    >>> _ = before_open(seen.append)
    >>> _BEFORE_OPEN.remove(seen.append)
    """
    if prepare not in _BEFORE_OPEN:
        _BEFORE_OPEN.append(prepare)
    return prepare


def open_store(path: str | Path | None = None, *, read_only: bool = True) -> Store:
    """Open the DuckDB store at ``path``; with no path, the configured default store.

    The one way a store is opened (``zz.open_store`` is this function). ``None`` means
    :func:`zzanalytics.config.default_store_path` (``ZZ_STORE``, else the sample district's store,
    which :mod:`zzanalytics.workspace` builds on first use through :func:`before_open`).

    Parameters
    ----------
    path : str or Path, optional
        The DuckDB file.
    read_only : bool
        Open read-only (many processes may read at once). ``False`` creates the file if needed.

    Returns
    -------
    Store

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.duckdb"
    >>> with open_store(p, read_only=False) as st:
    ...     len(st.incidents())
    0
    """
    p = Path(path) if path is not None else config.default_store_path()
    for prepare in list(_BEFORE_OPEN):
        prepare(p)
    if read_only and not p.exists():
        raise StoreError(
            f"no store at {p}; create one with `zz ingest FILE... --mapping MAP.toml --store {p}` "
            "or open_store(path, read_only=False)"
        )
    check_store_path(p)
    if not read_only:
        p.parent.mkdir(parents=True, exist_ok=True)
    con = _connect(p, read_only)
    if not read_only:
        foreign = {r[0] for r in con.execute("SHOW TABLES").fetchall()} - {*TABLES, *_SYSTEM_DDL}
        if foreign and not {r[0] for r in con.execute("SHOW TABLES").fetchall()} & set(TABLES):
            con.close()
            raise StoreError(
                f"{p} is a DuckDB database but not a zzanalytics store (it holds {sorted(foreign)[:5]}); "
                "give --store a new path or a store made by zzanalytics"
            )
        create_schema(con)
        migrate_timestamps(con)
    else:
        missing = set(TABLES) - {r[0] for r in con.execute("SHOW TABLES").fetchall()}
        if missing:
            con.close()
            raise StoreError(f"{p} is not a zzanalytics store (tables {sorted(missing)} are missing)")
    return Store(p, con, read_only)


def check_store_path(path: Path) -> Path:
    """Raise :class:`StoreError` unless ``path`` is a DuckDB file or does not exist yet.

    A CSV, a folder or any other file given as the store is refused (DuckDB would otherwise
    refuse it with its own message, or a caller might fall back to an in-memory database).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "export.csv"
    >>> _ = f.write_text("a,b\\n1,2\\n")
    >>> check_store_path(f)
    Traceback (most recent call last):
    ...
    zzanalytics.errors.StoreError: --store ...: is not a zzanalytics store (not a DuckDB file); ...
    """
    if path.is_dir():
        raise StoreError(
            f"--store {path}: is a folder; give the store's file, e.g. {path / 'zz.duckdb'} "
            "(created if missing)"
        )
    if path.exists():
        with open(path, "rb") as fh:
            head = fh.read(12)
        if len(head) and head[8:12] != b"DUCK":
            raise StoreError(
                f"--store {path}: is not a zzanalytics store (not a DuckDB file); give --store a new path "
                "(e.g. zz.duckdb) or an existing store, never an export"
            )
    return path


def store_format(path: Path) -> str | None:
    """The ``format`` recorded in a store's metadata, or None when it cannot be read."""
    import duckdb

    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None
    try:
        rows = con.execute("SELECT value FROM _meta WHERE key = 'format'").fetchall()
        return rows[0][0] if rows else None
    except duckdb.Error:
        return None
    finally:
        con.close()


def now_local(tz: str = clock.DEFAULT_TZ) -> dt.datetime:
    """Current wall time in ``tz`` (a store's zone: :attr:`Store.timezone`), naive."""
    return clock.now(tz)
