"""Input checks shared by the TWFE, Bacon, matching and power modules.

Each check raises :class:`~partnership_eval.errors.InputError` (the data or an argument
cannot be used as given) with a message that names the column or parameter at fault and
says what to do; :func:`collinear_columns` only reports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.linalg import lapack

from partnership_eval.errors import InputError


def require_columns(df: pd.DataFrame, roles: Mapping[str, str | None], *, who: str) -> None:
    """Raise if a column named for a role (``{"outcome": "ks2_rwm_exp", ...}``) is absent."""
    missing = [
        f"{name!r} ({role})"
        for role, name in roles.items()
        if name is not None and name not in df.columns
    ]
    if missing:
        available = ", ".join(map(str, df.columns[:20]))
        raise InputError(
            f"{who}: column(s) {', '.join(missing)} not in the data frame",
            fix=f"pass the names of existing columns (available: {available})",
        )


def numeric_column(df: pd.DataFrame, column: str, role: str, *, who: str) -> np.ndarray:
    """A column as float64 with missing values as NaN, or a clear error if not numeric."""
    series = df[column]
    if pd.api.types.is_bool_dtype(series):
        series = series.astype("float64")
    if not pd.api.types.is_numeric_dtype(series):
        raise InputError(
            f"{who}: {role} column {column!r} has non-numeric type {series.dtype}",
            column=column,
            fix="convert it to numbers (e.g. pd.to_numeric) before estimating",
        )
    return series.to_numpy(dtype="float64", na_value=np.nan)


def cohort_values(df: pd.DataFrame, cohort: str, *, who: str) -> np.ndarray:
    """First treated period per row as float64, with never treated (0 or missing) as 0."""
    values = numeric_column(df, cohort, "cohort", who=who)
    return np.where(np.isnan(values), 0.0, values)


def check_unique_unit_time(
    df: pd.DataFrame, unit: str, time: str, *, who: str, within: Sequence[str] = ()
) -> None:
    """Raise if any unit has more than one row for the same period (and ``within`` groups)."""
    keys = [unit, time, *within]
    duplicated = df.duplicated(keys)
    if duplicated.any():
        first = df.loc[duplicated, keys].iloc[0]
        shown = ", ".join(f"{k}={first[k]}" for k in keys)
        raise InputError(
            f"{who}: {int(duplicated.sum())} duplicate {'×'.join(keys)} rows (first: {shown})",
            fix="keep one row per unit and period",
        )


def check_constant_within_unit(
    values: np.ndarray, unit_codes: np.ndarray, column: str, *, who: str
) -> None:
    """Raise if ``values`` (e.g. the cohort) change within a unit."""
    order = np.lexsort((values, unit_codes))
    same_unit = unit_codes[order][1:] == unit_codes[order][:-1]
    changes = same_unit & (values[order][1:] != values[order][:-1])
    if changes.any():
        n_units = int(np.unique(unit_codes[order][1:][changes]).size)
        raise InputError(
            f"{who}: column {column!r} varies within {n_units} unit(s)",
            column=column,
            fix="give one value per unit (the first treated period, 0 if never treated)",
        )


def missing_rows(df: pd.DataFrame, columns: Iterable[str | None]) -> dict[str, int]:
    """Number of rows with a missing value, per column (only columns with any)."""
    counts = {}
    for column in dict.fromkeys(c for c in columns if c is not None):
        n = int(df[column].isna().sum())
        if n:
            counts[f"missing {column}"] = n
    return counts


def collinear_columns(gram: np.ndarray, names: Sequence[str]) -> list[str]:
    """Names of regressors that are (numerically) linear combinations of the others.

    ``gram`` is the cross-product matrix ``X'X`` (or ``X'WX``). After scaling it to unit
    diagonal, a pivoted Cholesky factorisation stops where the remaining variance of every
    column left is below 1e-10 of its own — those columns are the redundant ones.
    """
    diagonal = np.diag(gram)
    if not (diagonal > 0).all():
        return [names[j] for j in np.flatnonzero(~(diagonal > 0))]
    scale = np.sqrt(diagonal)
    _, pivot, rank, _ = lapack.dpstrf(gram / np.outer(scale, scale), tol=1e-10)
    return [names[j - 1] for j in pivot[rank:]]  # LAPACK pivots count from 1
