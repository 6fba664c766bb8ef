"""The store stage: one DuckDB file holding every canonical table (:mod:`.core`), the district's
identity it records (:mod:`.district`), and its export to partitioned Parquet for workers that
share storage (:mod:`.partitions`).

Examples
--------
>>> from zzanalytics.store import Store, open_store
>>> Store.__name__
'Store'
"""

from zzanalytics.store.core import (
    SQL_TYPES,
    STORE_FORMAT,
    Store,
    before_open,
    canonical_types,
    check_store_path,
    create_schema,
    now_local,
    open_store,
    store_format,
)
from zzanalytics.store.district import KEYS, Identity, claim_identity, set_identity
from zzanalytics.store.partitions import export_partitions, list_partitions, read_partitions

__all__ = [
    "KEYS",
    "SQL_TYPES",
    "STORE_FORMAT",
    "Identity",
    "Store",
    "before_open",
    "canonical_types",
    "check_store_path",
    "claim_identity",
    "create_schema",
    "export_partitions",
    "list_partitions",
    "now_local",
    "open_store",
    "read_partitions",
    "set_identity",
    "store_format",
]
