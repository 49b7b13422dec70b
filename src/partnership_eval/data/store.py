"""Read and write the canonical parquet tables, with schema checks and a hash manifest.

A data directory (``data/processed`` by default) holds one parquet file per canonical
table plus ``data_manifest.json`` recording each file's SHA-256, row count and whether the
data are synthetic. Reports copy those hashes into their own manifest.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from partnership_eval.data.schema import CANONICAL, TABLES, validate
from partnership_eval.errors import PartnershipEvalError, SchemaError

METADATA_KEY = b"partnership_eval"
MANIFEST_NAME = "data_manifest.json"


@dataclass
class DataTables:
    """The canonical tables of one data directory."""

    schools: pd.DataFrame
    outcomes: pd.DataFrame
    memberships: pd.DataFrame
    partnerships: pd.DataFrame
    inspections: pd.DataFrame
    truth: pd.DataFrame | None = None
    reviews: pd.DataFrame | None = None
    synthetic: bool = False
    source: str = ""


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _table_path(data_dir: Path, table: str) -> Path:
    return Path(data_dir) / f"{table}.parquet"


def write_table(
    df: pd.DataFrame,
    table: str,
    out_dir: str | Path,
    *,
    synthetic: bool,
    provenance: dict | None = None,
) -> Path:
    """Validate ``df`` against the ``table`` schema and write it as parquet.

    The parquet file's metadata records the table name, whether it is synthetic and the
    provenance (generator and seed, or source files).
    """
    validate(df, table)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    arrow = pa.Table.from_pandas(df.reset_index(drop=True), preserve_index=False)
    meta = dict(arrow.schema.metadata or {})
    meta[METADATA_KEY] = json.dumps(
        {"table": table, "synthetic": bool(synthetic), "provenance": provenance or {}},
        sort_keys=True,
    ).encode()
    arrow = arrow.replace_schema_metadata(meta)
    path = _table_path(out, table)
    pq.write_table(arrow, path)
    return path


def table_metadata(path: str | Path) -> dict:
    """The partnership_eval metadata stored in a canonical parquet file."""
    meta = pq.read_schema(path).metadata or {}
    if METADATA_KEY not in meta:
        raise SchemaError(
            f"{path}: not a partnership_eval table (no {METADATA_KEY.decode()} metadata)"
        )
    return json.loads(meta[METADATA_KEY])


def read_table(table: str, data_dir: str | Path) -> pd.DataFrame:
    """Read one canonical table and check it; ``df.attrs`` carries its metadata."""
    path = _table_path(Path(data_dir), table)
    if not path.exists():
        raise PartnershipEvalError(
            f"{path}: table {table!r} not found; build data with "
            "`partnership-eval demo-data` or `partnership-eval ingest RAW_DIR`"
        )
    meta = table_metadata(path)
    df = pd.read_parquet(path)
    validate(df, table, source=str(path))
    df.attrs.update(meta)
    return df


def write_tables(
    tables: dict[str, pd.DataFrame],
    out_dir: str | Path,
    *,
    synthetic: bool,
    provenance: dict | None = None,
) -> Path:
    """Write several canonical tables and the directory's hash manifest; return its path."""
    out = Path(out_dir)
    missing = [t for t in CANONICAL if t not in tables]
    if missing:
        raise SchemaError(f"cannot write {out}: missing table(s) {', '.join(missing)}")
    for name, df in tables.items():
        if name not in TABLES:
            raise SchemaError(f"unknown table {name!r}; known are {', '.join(TABLES)}")
        write_table(df, name, out, synthetic=synthetic, provenance=provenance)
    return write_manifest(out, synthetic=synthetic, provenance=provenance)


def write_manifest(
    data_dir: str | Path, *, synthetic: bool, provenance: dict | None = None
) -> Path:
    """Record hash and row count of every canonical table in ``data_manifest.json``."""
    data_dir = Path(data_dir)
    entries = {}
    for name in TABLES:
        path = _table_path(data_dir, name)
        if path.exists():
            entries[name] = {
                "file": path.name,
                "sha256": sha256_file(path),
                "rows": pq.read_metadata(path).num_rows,
            }
    manifest = {"synthetic": bool(synthetic), "provenance": provenance or {}, "tables": entries}
    path = data_dir / MANIFEST_NAME
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return path


def data_hashes(data_dir: str | Path) -> dict[str, str]:
    """SHA-256 of every canonical table file present in ``data_dir``."""
    data_dir = Path(data_dir)
    return {
        p.name: sha256_file(p) for name in TABLES if (p := _table_path(data_dir, name)).exists()
    }


def read_tables(data_dir: str | Path) -> DataTables:
    """Read every canonical table of ``data_dir`` (and ``truth``, ``reviews`` when present)."""
    data_dir = Path(data_dir)
    frames = {name: read_table(name, data_dir) for name in CANONICAL}
    synthetic = any(df.attrs.get("synthetic", False) for df in frames.values())
    optional = {
        name: read_table(name, data_dir) if _table_path(data_dir, name).exists() else None
        for name in ("truth", "reviews")
    }
    return DataTables(**frames, **optional, synthetic=synthetic, source=str(data_dir))
