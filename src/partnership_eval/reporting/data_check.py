"""Check a data directory before any kernel starts: every table readable, named when not.

A parquet file cut short (a copy interrupted, a full disk) fails deep inside pyarrow in
every report that reads it; checking each file's footer once, before the run, turns that
into one error naming the file and the fix.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from partnership_eval.data.schema import TABLES
from partnership_eval.data.store import read_table
from partnership_eval.errors import InputError

REBUILD = (
    "rebuild the folder with `partnership-eval demo-data --out DIR` or "
    "`partnership-eval ingest RAW_DIR --out DIR`"
)


def _damaged(path: Path, exc: Exception) -> InputError:
    return InputError(
        f"not a readable parquet file, probably truncated or damaged ({exc})",
        path=path,
        fix=REBUILD,
    )


def check_data_dir(data_dir: Path) -> None:
    """Raise :class:`InputError` naming the first canonical table file that cannot be
    opened as parquet (its footer and schema are read, not its rows)."""
    for name in TABLES:
        path = data_dir / f"{name}.parquet"
        if path.exists():
            try:
                pq.read_metadata(path)
            except (pa.ArrowException, OSError) as exc:
                raise _damaged(path, exc) from None


def read_checked(table: str, data_dir: Path) -> pd.DataFrame:
    """One canonical table, with a damaged file named as such."""
    try:
        return read_table(table, data_dir)
    except (pa.ArrowException, OSError) as exc:
        raise _damaged(data_dir / f"{table}.parquet", exc) from None
