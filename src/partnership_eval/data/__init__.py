"""Data: canonical table schema, storage, loaders for DfE/GIAS/Ofsted files, synthetic England."""

from partnership_eval.data.schema import CANONICAL, PARTNERSHIP_KINDS, TABLES, validate
from partnership_eval.data.store import (
    DataTables,
    read_table,
    read_tables,
    write_table,
    write_tables,
)

__all__ = [
    "CANONICAL",
    "PARTNERSHIP_KINDS",
    "TABLES",
    "DataTables",
    "read_table",
    "read_tables",
    "validate",
    "write_table",
    "write_tables",
]
