"""Counting excluded rows: every analysis step that drops rows reports what and why.

One schema everywhere, :data:`EXCLUSION_COLUMNS` (step, reason, rows, schools). A function
that drops rows returns :class:`Counted` — the table it kept and the exclusions table —
never a hidden ``DataFrame.attrs`` entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import pandas as pd

from partnership_eval.errors import InputError

EXCLUSION_COLUMNS = ("step", "reason", "rows", "schools")


def exclusion(reason: str, frame: pd.DataFrame, mask: pd.Series, unit: str = "urn") -> dict:
    """One exclusion record: the reason, how many rows ``mask`` selects, and their schools."""
    return {
        "reason": reason,
        "rows": int(mask.sum()),
        "schools": int(frame.loc[mask, unit].nunique()),
    }


def exclusion_frame(
    records: Iterable[Mapping[str, Any]] | pd.DataFrame | None = None, *, step: str | None = None
) -> pd.DataFrame:
    """Exclusion records as the one exclusions table (step, reason, rows, schools).

    Records without a ``step`` take ``step``; extra keys are kept as further columns.
    """
    if records is None:
        frame = pd.DataFrame()
    elif isinstance(records, pd.DataFrame):
        frame = records.copy()
    else:
        frame = pd.DataFrame(list(records))
    if frame.empty:
        return pd.DataFrame(
            {
                "step": pd.Series(dtype="str"),
                "reason": pd.Series(dtype="str"),
                "rows": pd.Series(dtype="int64"),
                "schools": pd.Series(dtype="int64"),
            }
        )
    if "step" not in frame:
        frame["step"] = step or ""
    elif step is not None:
        frame["step"] = frame["step"].fillna(step)
    missing = [c for c in ("reason", "rows") if c not in frame]
    if missing:
        raise InputError(
            f"exclusion records lack {', '.join(missing)}",
            fix="give every record a reason and a row count",
        )
    if "schools" not in frame:
        frame["schools"] = 0
    frame["rows"] = frame["rows"].astype("int64")
    frame["schools"] = frame["schools"].fillna(0).astype("int64")
    rest = [c for c in frame.columns if c not in EXCLUSION_COLUMNS]
    return frame[[*EXCLUSION_COLUMNS, *rest]].reset_index(drop=True)


def concat_exclusions(*tables: pd.DataFrame) -> pd.DataFrame:
    """Several exclusions tables as one, in order (empty tables add nothing)."""
    shown = [t for t in tables if t is not None and not t.empty]
    return exclusion_frame(pd.concat(shown, ignore_index=True) if shown else None)


class Counted(NamedTuple):
    """A table and the exclusions made on the way to it."""

    table: pd.DataFrame
    exclusions: pd.DataFrame
