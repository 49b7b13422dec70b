"""Where a notebook finds its data directory.

A notebook's ``data_dir`` parameter defaults to ``""``, meaning: the directory named by
the environment variable ``PARTNERSHIP_EVAL_DATA`` (tests point notebooks at small data
this way), else the nearest ``data/processed`` in the working directory or one of its
parents (so a notebook opened from ``notebooks/`` finds the project's data). The report
runner always passes ``data_dir`` explicitly.
"""

from __future__ import annotations

import os
from pathlib import Path

from partnership_eval.errors import PartnershipEvalError

DATA_ENV = "PARTNERSHIP_EVAL_DATA"
DEFAULT_DATA = Path("data") / "processed"


def find_data_dir(data_dir: str | Path = "") -> Path:
    """The data directory a notebook should read (see the module docstring)."""
    if str(data_dir):
        return Path(data_dir)
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV])
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / DEFAULT_DATA / "schools.parquet").exists():
            return folder / DEFAULT_DATA
    raise PartnershipEvalError(
        f"no data directory found: pass data_dir, set {DATA_ENV}, or build the demo data "
        "with `make data` (writes data/processed)"
    )
