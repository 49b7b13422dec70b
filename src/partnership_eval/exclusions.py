"""Counting excluded rows: every analysis step that drops rows reports what and why."""

from __future__ import annotations

import pandas as pd

EXCLUSION_COLUMNS = ("reason", "rows", "schools")


def exclusion(reason: str, frame: pd.DataFrame, mask: pd.Series, unit: str = "urn") -> dict:
    """One exclusion record: the reason, how many rows ``mask`` selects, and their schools."""
    return {
        "reason": reason,
        "rows": int(mask.sum()),
        "schools": int(frame.loc[mask, unit].nunique()),
    }


def exclusion_table(records: list[dict]) -> pd.DataFrame:
    """Exclusion records as a tidy table (reason, rows, schools, and any extra keys)."""
    table = pd.DataFrame(records)
    if table.empty:
        return pd.DataFrame(
            {c: pd.Series(dtype="int64" if c != "reason" else "str") for c in EXCLUSION_COLUMNS}
        )
    return table
