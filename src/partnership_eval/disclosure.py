"""Small-number suppression for every table a report publishes.

Following DfE practice, a number that rests on 5 or fewer pupils is not published: a
pupil count of 1 to 5, and a percentage or average whose pupil base is 1 to 5, are shown
as ``c``. That alone is not enough when a table also shows totals: a single hidden cell
in a row (or column) that adds up to a shown total can be recovered by subtraction, so
the smallest other cell of that row (or column) is hidden too (secondary suppression),
repeated until no row or column with a total has exactly one hidden cell. A rate is
hidden with its pupil base, and with its numerator count when that is declared (a
percentage beside its base gives the numerator away). Every pupil column a rate names
must be declared in ``counts``. Counts of schools, and numbers that do not rest on
pupils, are published as they are.

The returned table carries ``attrs["disclosure"]`` (what was declared), which
:func:`partnership_eval.reporting.save_results` requires of every table it publishes.

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

import hashlib
from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from partnership_eval.data.schema import NO_TESTS
from partnership_eval.errors import InputError

SUPPRESSED = "c"
THRESHOLD = 5
DISCLOSURE_ATTR = "disclosure"
"""Key in ``DataFrame.attrs`` marking a table that went through :func:`suppress`."""

Rate = Hashable | tuple[Hashable, Hashable]
"""A rate's pupil base column, or its (numerator, base) count columns."""


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


def _rate_columns(
    table: pd.DataFrame, rate: Hashable, spec: Rate
) -> tuple[Hashable | None, Hashable]:
    """A rate's (numerator or None, base) columns from either form of ``rates``."""
    is_column = spec in table.columns
    pair = isinstance(spec, tuple) and len(spec) == 2
    pair_of_columns = pair and all(c in table.columns for c in spec)
    if is_column and pair_of_columns:
        raise InputError(
            f"suppress: rate {rate!r}: {spec!r} is both a column and a pair of columns; "
            "rename the columns so the base is unambiguous"
        )
    if is_column or not pair:
        return None, spec
    return spec


def _check_labels(
    table: pd.DataFrame,
    counts: Sequence[Hashable],
    rates: Mapping[Hashable, tuple[Hashable | None, Hashable]],
    total_row: Hashable | None,
    total_col: Hashable | None,
) -> None:
    """Raise naming every declared label the table lacks, holds twice or leaves undeclared."""
    named = [*counts, *rates, *(c for pair in rates.values() for c in pair if c is not None)]
    missing = list(dict.fromkeys(c for c in named if c not in table.columns))
    if total_col is not None and total_col not in counts:
        missing.append(total_col)
    if total_row is not None and total_row not in table.index:
        missing.append(total_row)
    if missing:
        raise InputError(
            f"suppress: {', '.join(map(str, missing))} not found in the table "
            f"(columns: {', '.join(map(str, table.columns))}); total_col must be one of counts"
        )
    twice = [c for c in dict.fromkeys(named) if (table.columns == c).sum() > 1]
    if total_row is not None and (table.index == total_row).sum() > 1:
        twice.append(total_row)
    if twice:
        raise InputError(
            f"suppress: label(s) {', '.join(map(repr, twice))} appear more than once in the "
            "table, so cells and totals cannot be matched; give each row and column a "
            "unique label"
        )
    undeclared = [
        f"{column!r} (of rate {rate!r})"
        for rate, pair in rates.items()
        for column in pair
        if column is not None and column not in counts
    ]
    if undeclared:
        raise InputError(
            f"suppress: pupil column(s) {', '.join(undeclared)} are in the table but not "
            "declared in counts, so they would be published unsuppressed; add them to "
            "counts (drop them from the result afterwards if they should not be shown)"
        )


def suppress(
    table: pd.DataFrame,
    *,
    counts: Sequence[Hashable] = (),
    rates: Mapping[Hashable, Rate] | None = None,
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
        Columns holding percentages or averages, each mapped to the ``counts`` column of
        pupils it rests on (``{"pct": "pupils"}``) or to its numerator and base
        ``counts`` columns (``{"pct": ("meeting", "pupils")}``); a rate is hidden when
        its base or numerator is.
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
        ``attrs["disclosure"]`` records the declaration.

    Raises
    ------
    InputError
        A named column or total is missing or appears twice, or a rate's pupil column is
        not declared in ``counts``.
    """
    pairs = {rate: _rate_columns(table, rate, spec) for rate, spec in (rates or {}).items()}
    count_cols = list(counts)
    _check_labels(table, count_cols, pairs, total_row, total_col)
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
    for col, pair in pairs.items():
        hide = np.zeros(len(table), dtype=bool)
        for source in pair:
            if source is not None:  # a rate beside a hidden count would reveal it
                hide |= hidden_counts[:, count_cols.index(source)]
        rounded = table[col].astype("float64").round(decimals)
        out[col] = rounded.astype(object).where(~hide, SUPPRESSED)
    out.attrs[DISCLOSURE_ATTR] = {
        "threshold": threshold,
        "counts": [str(c) for c in count_cols],
        "rates": {
            str(rate): [str(c) for c in pair if c is not None] for rate, pair in pairs.items()
        },
    }
    return out


NO_TESTS_TEXT = "no tests"


def _whole(value: object) -> object:
    if isinstance(value, float | np.floating) and np.isfinite(value) and float(value).is_integer():
        return int(value)
    return value


def published(
    table: pd.DataFrame,
    *,
    counts: Sequence[Hashable] = (),
    rates: Mapping[Hashable, Hashable] | None = None,
    whole: Sequence[Hashable] = (),
    total_row: Hashable | None = None,
    total_col: Hashable | None = None,
    decimals: int = 2,
    year: Hashable | None = None,
) -> Styler:
    """``table`` suppressed and formatted for the report.

    Parameters
    ----------
    table
        The table to publish.
    counts, rates, total_row, total_col
        Passed to :func:`~partnership_eval.disclosure.suppress`: pupil-count columns and
        rate columns mapped to their pupil counts.
    whole
        Further columns shown as whole numbers (counts of schools or rows).
    decimals
        Decimals of other numbers.
    year
        Column (or ``"index"``) holding academic years: rows of years without KS2 tests
        show "no tests" instead of values.
    """
    out = suppress(
        table,
        counts=counts,
        rates=rates,
        total_row=total_row,
        total_col=total_col,
        decimals=decimals,
    )
    for col in [*counts, *whole]:
        # built as an object Series: assigning ints with gaps would turn them back to floats
        out[col] = pd.Series([_whole(v) for v in out[col]], index=out.index, dtype=object)
    if year is not None:
        years = pd.Series(out.index if year == "index" else out[year], index=out.index)
        gap = years.isin(NO_TESTS).to_numpy()
        values = [c for c in out.columns if c != year]
        out[values] = out[values].astype(object)
        out.loc[gap, values] = NO_TESTS_TEXT
    styler = out.style.format(precision=decimals, thousands=",", na_rep="–")
    # pandas gives each Styler a random HTML id; one derived from the table keeps reports
    # byte-identical from run to run.
    styler = styler.set_uuid(hashlib.sha256(out.to_csv().encode()).hexdigest()[:10])
    if isinstance(out.index, pd.RangeIndex):
        styler = styler.hide(axis="index")
    return styler
