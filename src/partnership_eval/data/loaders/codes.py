"""DfE special codes and the parsing of numeric cells that may hold them.

Performance-table cells hold a number (possibly with a ``%`` sign or thousands
separators, as in ``"600,000"`` on national rows) or a code explaining why there is none. Every code becomes a missing value with its reason from
:data:`~partnership_eval.data.schema.MISSING_REASONS` kept beside it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from partnership_eval.data.loaders.rawfile import RawTable
from partnership_eval.errors import InputError

SPECIAL_CODES: dict[str, str] = {
    "SUPP": "suppressed",
    "NE": "no_entries",
    "NA": "not_applicable",
    "NP": "not_published",
    "LOWCOV": "low_coverage",
    "SP": "small_cohort",
    "RE": "results_withheld",
    "NEW": "new_school",
    "UNAVAIL": "unavailable",
    "": "blank",
}
"""DfE code (upper case) → reason; an empty cell is the reason ``blank``."""

_GROUPED_NUMBER = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"


def without_thousands_separators(text: pd.Series) -> pd.Series:
    """Text with the commas taken out of numbers written like ``600,000`` (others unchanged)."""
    grouped = text.str.fullmatch(_GROUPED_NUMBER).fillna(False).astype(bool)
    return text.where(~grouped, text.str.replace(",", "", regex=False))


def raise_first(raw: RawTable, bad: pd.Series, column: str, message: str, fix: str) -> None:
    """Raise :class:`InputError` at the first row where ``bad`` holds, if any.

    ``message`` may use ``{value}`` (the cell's text) and ``{count}`` (how many rows are bad).
    """
    if not bad.any():
        return
    i = int(np.flatnonzero(bad.to_numpy())[0])
    value = raw.text(column).iloc[i] if raw.has(column) else ""
    raise InputError(
        message.format(value=value, count=int(bad.sum())),
        path=raw.path,
        row=int(raw.rows.iloc[i]),
        column=column,
        fix=fix,
    )


def parse_measure(raw: RawTable, column: str) -> tuple[pd.Series, pd.Series]:
    """Values (float, NaN where missing) and reasons (None where a value exists) of a column.

    Raises
    ------
    InputError
        A cell is neither a number nor a known DfE code; the message names its row.
    """
    text = without_thousands_separators(raw.text(column).str.removesuffix("%").str.strip())
    reasons = text.str.upper().map(SPECIAL_CODES)
    values = pd.to_numeric(text.where(reasons.isna()), errors="coerce")
    raise_first(
        raw,
        reasons.isna() & values.isna(),
        column,
        "{value!r} is neither a number nor a DfE code "
        f"({', '.join(c for c in SPECIAL_CODES if c)}); {{count}} such cell(s)",
        "use the file as published by DfE",
    )
    return values.astype("float64"), reasons.astype("object").where(reasons.notna(), None)


def require_percentages(raw: RawTable, values: pd.Series, column: str) -> pd.Series:
    """``values`` of a percentage column; an error naming the row unless all lie in 0–100."""
    raise_first(
        raw,
        (values < 0) | (values > 100),
        column,
        "{value!r} is not a percentage between 0 and 100; {count} such cell(s)",
        "use the file as published by DfE",
    )
    return values


def require_counts(raw: RawTable, values: pd.Series, column: str) -> pd.Series:
    """``values`` of a pupil-count column as whole numbers; an error naming the row for a
    negative or fractional count."""
    raise_first(
        raw,
        (values < 0) | (values.notna() & (values % 1 != 0)),
        column,
        "{value!r} is not a pupil count; {count} such cell(s)",
        "use the file as published by DfE",
    )
    return values.astype("Int64")


def parse_int(raw: RawTable, column: str, *, what: str) -> pd.Series:
    """Whole numbers of a column (nullable Int64; empty cells missing).

    Raises
    ------
    InputError
        A non-empty cell is not a whole number; the message names its row.
    """
    text = raw.text(column)
    values = pd.to_numeric(without_thousands_separators(text).where(text != ""), errors="coerce")
    raise_first(
        raw,
        (text != "") & (values.isna() | (values % 1 != 0)),
        column,
        f"{{value!r}} is not a valid {what}; {{count}} such cell(s)",
        f"every {what} must be a whole number",
    )
    return values.astype("Int64")


def parse_dates(raw: RawTable, column: str, formats: tuple[str, ...]) -> pd.Series:
    """Dates of a column tried against each format in turn; empty cells are missing.

    ``01-01-1900`` / ``1900-01-01`` (how GIAS writes "not recorded") is missing too.

    Raises
    ------
    InputError
        A non-empty cell matches none of the formats; the message names its row.
    """
    text = raw.text(column).str.replace(r" 00:00:00$", "", regex=True)
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    for fmt in formats:
        todo = out.isna() & (text != "")
        if not todo.any():
            break
        out = out.where(~todo, pd.to_datetime(text.where(todo), format=fmt, errors="coerce"))
    shown = " or ".join(
        f.replace("%d", "dd").replace("%m", "mm").replace("%Y", "yyyy") for f in formats
    )
    raise_first(
        raw,
        out.isna() & (text != ""),
        column,
        f"{{value!r}} is not a date ({shown}); {{count}} such cell(s)",
        "use the file as published",
    )
    return out.where(out.dt.year != 1900)
