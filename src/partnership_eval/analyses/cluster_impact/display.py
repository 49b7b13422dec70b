"""Tables as the impact report publishes them: disclosure control, then readable formatting.

Every table goes through :func:`partnership_eval.disclosure.suppress` (numbers resting on
5 or fewer pupils become ``c``); then counts show as whole numbers with thousands
separators, other numbers to a fixed number of decimals, years without KS2 tests as
"no tests", and a plain row-number index is hidden.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from partnership_eval.analyses.cluster_impact.trends import NO_TESTS
from partnership_eval.disclosure import suppress

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
