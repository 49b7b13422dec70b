"""Read and write the canonical parquet tables, with schema checks and a hash manifest.

A data directory (``data/processed`` by default) holds one parquet file per canonical
table plus ``data_manifest.json`` recording each file's SHA-256, row count and whether the
data are synthetic. Reports copy those hashes into their own manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from partnership_eval.data.schema import CANONICAL, TABLES, validate
from partnership_eval.errors import InputError, PartnershipEvalError, SchemaError

METADATA_KEY = b"partnership_eval"
MANIFEST_NAME = "data_manifest.json"
REBUILD = (
    "rebuild the folder with `partnership-eval ingest RAW_DIR --out DIR` or "
    "`partnership-eval demo-data --out DIR`; do not copy tables between data folders"
)


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


def _unreadable(path: Path, exc: Exception) -> InputError:
    return InputError(
        f"cannot read as a parquet table ({' '.join(str(exc).split())[:200]}); "
        "the file is truncated or damaged",
        path=path,
        fix=REBUILD,
    )


def table_metadata(path: str | Path) -> dict:
    """The partnership_eval metadata stored in a canonical parquet file."""
    try:
        meta = pq.read_schema(path).metadata or {}
    except (pa.ArrowException, OSError) as exc:
        raise _unreadable(Path(path), exc) from exc
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
    try:
        df = pd.read_parquet(path)
    except (pa.ArrowException, OSError) as exc:
        raise _unreadable(path, exc) from exc
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


def check_manifest(data_dir: str | Path) -> None:
    """Raise :class:`InputError` when the tables of ``data_dir`` are not those its manifest lists.

    Every table file listed must be present with the recorded SHA-256, and every table
    file present must be listed (a ``truth.parquet`` left from an earlier demo run is
    not). A folder without a manifest passes.
    """
    data_dir = Path(data_dir)
    path = data_dir / MANIFEST_NAME
    if not path.exists():
        return
    try:
        listed = {
            name: (str(entry["file"]), str(entry["sha256"]))
            for name, entry in json.loads(path.read_text())["tables"].items()
        }
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
        raise InputError(f"not a data manifest ({exc!r})", path=path, fix=REBUILD) from exc
    for file, sha256 in listed.values():
        table = data_dir / file
        if not table.exists():
            raise InputError(f"table listed in {MANIFEST_NAME} is missing", path=table, fix=REBUILD)
        if sha256_file(table) != sha256:
            raise InputError(
                f"contents differ from those recorded in {MANIFEST_NAME} (changed, truncated "
                "or left from another run)",
                path=table,
                fix=REBUILD,
            )
    for name in TABLES:
        table = _table_path(data_dir, name)
        if table.exists() and name not in listed:
            raise InputError(
                f"not listed in {MANIFEST_NAME}: left from an earlier run of another kind",
                path=table,
                fix=f"delete it, or {REBUILD}",
            )


def read_tables(data_dir: str | Path) -> DataTables:
    """Read every canonical table of ``data_dir`` (and ``truth``, ``reviews`` when present).

    Raises
    ------
    InputError
        The folder's tables disagree with its manifest (:func:`check_manifest`) or a
        table cannot be read.
    """
    data_dir = Path(data_dir)
    check_manifest(data_dir)
    frames = {name: read_table(name, data_dir) for name in CANONICAL}
    synthetic = any(df.attrs.get("synthetic", False) for df in frames.values())
    optional = {
        name: read_table(name, data_dir) if _table_path(data_dir, name).exists() else None
        for name in ("truth", "reviews")
    }
    return DataTables(**frames, **optional, synthetic=synthetic, source=str(data_dir))


def _own_files(also: Iterable[str]) -> set[str]:
    return {MANIFEST_NAME, *(f"{name}.parquet" for name in TABLES), *also}


def replace_dir(out: Path, write: Callable[[Path], None], *, also: Iterable[str] = ()) -> Path:
    """Write a data folder atomically: ``write`` fills a temporary folder, which replaces ``out``.

    The temporary folder is read back with :func:`read_tables` before the swap; on any
    failure it is removed and ``out`` is untouched. ``out`` may hold only data-folder
    files (tables, the manifest, and the names in ``also``), since all of them go.
    Returns the path of the new manifest.

    Raises
    ------
    InputError
        ``out`` is a file, or holds files a data folder does not.
    """
    own = _own_files(also)
    if out.exists() and not out.is_dir():
        raise InputError("is a file, not a folder", path=out, fix="give a folder for the tables")
    if out.is_dir():
        foreign = sorted(p.name for p in out.iterdir() if p.name not in own)
        if foreign:
            raise InputError(
                f"holds files that are not data tables ({', '.join(foreign[:3])}"
                f"{', …' if len(foreign) > 3 else ''}); writing would replace the folder",
                path=out,
                fix="give an empty folder, or one written by ingest or demo-data",
            )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.writing-", dir=out.parent))
    try:
        tmp.chmod(0o755)
        write(tmp)
        read_tables(tmp)
        if out.is_dir():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            os.replace(out, old)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out / MANIFEST_NAME
