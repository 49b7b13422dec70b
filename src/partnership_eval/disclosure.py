"""Small-number suppression for every table a report publishes.

Following DfE practice, a number that rests on 5 or fewer pupils is not published: a
pupil count of 1 to 5, and a percentage or average whose pupil base is 1 to 5, are shown
as ``c``. That alone is not enough when a table also shows totals: a single hidden cell
in a row (or column) that adds up to a shown total can be recovered by subtraction, so
the smallest other cell of that row (or column) is hidden too (secondary suppression),
repeated until no row or column with a total has exactly one hidden cell. A rate whose
pupil count is hidden is hidden with it. Counts of schools, and numbers that do not rest
on pupils, are published as they are.

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"pupils": [3, 40, 43], "rwm_exp": [66.7, 55.0, 55.8]},
...                  index=["cluster", "other", "total"])
>>> suppress(t, counts=["pupils"], rates={"rwm_exp": "pupils"}, total_row="total")
        pupils rwm_exp
cluster      c       c
other        c       c
total       43    55.8
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import pandas as pd

from partnership_eval.errors import PartnershipEvalError

SUPPRESSED = "c"
THRESHOLD = 5


def _primary(base: np.ndarray, threshold: int) -> np.ndarray:
    """Cells resting on between 1 and ``threshold`` pupils."""
    return (base > 0) & (base <= threshold)


def _protect(values: np.ndarray, hidden: np.ndarray, total_index: int | None, axis: int) -> bool:
    """Hide one more cell in every line (row for axis=1, column for axis=0) holding a
    total and exactly one hidden cell; return whether anything changed."""
    if total_index is None:
        return False
    lines_hidden = hidden.sum(axis=axis)
    lonely = np.flatnonzero(lines_hidden == 1)
    vals = values if axis == 1 else values.T
    mask = hidden if axis == 1 else hidden.T  # a view: marking it marks ``hidden``
    before = int(hidden.sum())
    for line in lonely:
        # prefer the smallest non-zero cell that is not the total itself; zeros next
        line_values = vals[line].astype("float64")
        candidates = np.where(mask[line] | np.isnan(line_values), np.inf, line_values)
        candidates[total_index] = np.inf
        candidates = np.where(candidates == 0, np.finfo("float64").max, candidates)
        # when only the total is left, hide the total
        pick = int(np.argmin(candidates)) if np.isfinite(candidates).any() else total_index
        mask[line, pick] = True
    return int(hidden.sum()) > before


def suppress(
    table: pd.DataFrame,
    *,
    counts: Sequence[Hashable] = (),
    rates: Mapping[Hashable, Hashable] | None = None,
    total_row: Hashable | None = None,
    total_col: Hashable | None = None,
    threshold: int = THRESHOLD,
    decimals: int = 1,
) -> pd.DataFrame:
    """Replace numbers resting on ``threshold`` or fewer pupils by ``"c"``.

    Parameters
    ----------
    table
        The table to publish.
    counts
        Columns holding numbers of pupils; each is its own base.
    rates
        Columns holding percentages or averages, mapped to the column holding the number
        of pupils each rests on (which need not be published itself).
    total_row
        Index label of a row holding the column totals of the ``counts`` columns.
    total_col
        A ``counts`` column holding the row totals of the other ``counts`` columns.
    threshold
        Largest base that is suppressed.
    decimals
        Rates are rounded to this many decimals.

    Returns
    -------
    DataFrame
        The table with ``counts`` and ``rates`` columns as object columns, suppressed
        cells as ``"c"`` and rates rounded; other columns unchanged.
    """
    rates = dict(rates or {})
    missing = [c for c in (*counts, *rates, *rates.values()) if c not in table.columns]
    if total_col is not None and total_col not in counts:
        missing.append(total_col)
    if total_row is not None and total_row not in table.index:
        missing.append(total_row)
    if missing:
        raise PartnershipEvalError(
            f"suppress: {', '.join(map(str, missing))} not found in the table "
            f"(columns: {', '.join(map(str, table.columns))}); total_col must be one of counts"
        )
    count_cols = list(counts)
    count_values = (
        table[count_cols].to_numpy(dtype="float64") if count_cols else np.empty((len(table), 0))
    )
    hidden_counts = _primary(count_values, threshold)
    row_total = table.index.get_loc(total_row) if total_row is not None else None
    col_total = count_cols.index(total_col) if total_col is not None else None
    changed = True
    while changed and count_cols:
        changed = _protect(count_values, hidden_counts, col_total, axis=1)
        changed = _protect(count_values, hidden_counts, row_total, axis=0) or changed

    out = table.copy()
    for j, col in enumerate(count_cols):
        out[col] = out[col].astype(object).where(~hidden_counts[:, j], SUPPRESSED)
    for col, base_col in rates.items():
        base = table[base_col].to_numpy(dtype="float64")
        hide = (base > 0) & (base <= threshold)
        if base_col in count_cols:  # a rate on a hidden count would reveal it
            hide |= hidden_counts[:, count_cols.index(base_col)]
        rounded = table[col].astype("float64").round(decimals)
        out[col] = rounded.astype(object).where(~hide, SUPPRESSED)
    return out
