"""``results.json``: the headline numbers a report notebook hands to the runner and index.

A notebook ends with one call::

    from partnership_eval.reporting import save_results
    save_results(report="01_cluster_impact", area=area, parameters={"area": area, ...},
                 synthetic=data.synthetic,
                 headline={"label": "ATT on KS2 RWM (pp)", "estimate": agg.att, "se": agg.se,
                           "ci_low": agg.ci_low, "ci_high": agg.ci_high, "truth": truth,
                           "n_treated": n_t, "n_comparison": n_c},
                 event_study=agg.table)          # any further sections, JSON-able or frames

Where it is written: the ``path`` argument if given, else the file named by the
environment variable ``PARTNERSHIP_EVAL_RESULTS`` (the report runner sets it to
``reports/<run>/<notebook>/<area>.results.json`` for each report), else nowhere — run
interactively or under nbval the call only checks the results. numpy scalars,
NaN (written as null) and timestamps are converted to plain JSON.

results.json is published beside the report, so a table in it must have been through
:func:`partnership_eval.disclosure.suppress` like every table the report shows: a
DataFrame without its mark is refused. Suppressed tables are written as lists of
records, one per row, with the index as leading fields and multi-level column labels
joined by spaces.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from partnership_eval.disclosure import DISCLOSURE_ATTR
from partnership_eval.errors import PartnershipEvalError

RESULTS_ENV = "PARTNERSHIP_EVAL_RESULTS"
HEADLINE_KEYS = (
    "label",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "truth",
    "n_treated",
    "n_comparison",
)


def _records(table: pd.DataFrame) -> list[dict[str, object]]:
    """Rows of a table as records, index first, column labels as text."""
    if not isinstance(table.index, pd.RangeIndex) or table.index.name is not None:
        table = table.reset_index()
    labels = [
        " ".join(str(part) for part in label if str(part))
        if isinstance(label, tuple)
        else str(label)
        for label in table.columns
    ]
    return [dict(zip(labels, row, strict=True)) for row in table.itertuples(index=False)]


def to_json_value(value: object) -> object:
    """``value`` as plain JSON types (NaN and NA become None; tables as records)."""
    if isinstance(value, pd.DataFrame):
        return [to_json_value(row) for row in _records(value)]
    if isinstance(value, pd.Series):
        return to_json_value(value.to_dict())
    if isinstance(value, Mapping):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [to_json_value(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, datetime | date | pd.Timestamp):
        return value.isoformat()
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bool | int | float | str):
        return value
    raise PartnershipEvalError(
        f"results: cannot store {type(value).__name__} value {value!r} in results.json; "
        "pass numbers, text, lists, dicts or DataFrames"
    )


def _check_disclosed(report: str, section: str, value: object) -> None:
    """Raise when ``value`` holds a DataFrame that has not been through ``suppress``."""
    if isinstance(value, pd.DataFrame):
        if DISCLOSURE_ATTR not in value.attrs:
            raise PartnershipEvalError(
                f"results of {report!r}: section {section!r} is a table that has not been "
                "through disclosure control; pass suppress(table, counts=[...], "
                "rates={...}) from partnership_eval.disclosure (suppress(table) for a "
                "table resting on no pupils)"
            )
    elif isinstance(value, Mapping):
        for item in value.values():
            _check_disclosed(report, section, item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_disclosed(report, section, item)


def build_results(
    *,
    report: str,
    area: str | None,
    parameters: Mapping[str, object],
    synthetic: bool,
    headline: Mapping[str, object],
    **sections: object,
) -> dict:
    """The results dictionary in the shape of ``results.json`` (see the module docstring).

    Raises :class:`PartnershipEvalError` naming the section when a table in ``sections``
    has not been through :func:`partnership_eval.disclosure.suppress`.
    """
    unknown = sorted(set(headline) - set(HEADLINE_KEYS))
    if unknown or "label" not in headline or "estimate" not in headline:
        raise PartnershipEvalError(
            f"results of {report!r}: headline needs 'label' and 'estimate' and may have "
            f"{', '.join(HEADLINE_KEYS)}; got {', '.join(sorted(headline))}"
        )
    for name, value in sections.items():
        _check_disclosed(report, name, value)
    keys = HEADLINE_KEYS if synthetic else tuple(k for k in HEADLINE_KEYS if k != "truth")
    results = {
        "report": report,
        "area": area,
        "parameters": dict(parameters),
        "synthetic": bool(synthetic),
        "headline": {key: headline.get(key) for key in keys},
        **sections,
    }
    return to_json_value(results)


def save_results(
    *,
    report: str,
    area: str | None,
    parameters: Mapping[str, object],
    synthetic: bool,
    headline: Mapping[str, object],
    path: str | Path | None = None,
    **sections: object,
) -> None:
    """Write a report's ``results.json`` where the runner expects it.

    Returns nothing, so that it can end a notebook cell without printing; use
    :func:`build_results` for the dictionary itself.

    Parameters
    ----------
    report, area, parameters, synthetic
        What was run: notebook name, area, parameter values, whether the data are synthetic.
    headline
        The one number a reader should take away: ``label`` and ``estimate``, and where
        they apply ``se``, ``ci_low``, ``ci_high``, ``truth`` (kept for synthetic data
        only), ``n_treated``, ``n_comparison``.
    path
        Where to write; default ``$PARTNERSHIP_EVAL_RESULTS``, and nowhere when unset.
    **sections
        Further named results: numbers, text, dicts, lists, or DataFrames returned by
        :func:`partnership_eval.disclosure.suppress` (any other DataFrame is refused).
    """
    results = build_results(
        report=report,
        area=area,
        parameters=parameters,
        synthetic=synthetic,
        headline=headline,
        **sections,
    )
    target = path if path is not None else os.environ.get(RESULTS_ENV)
    if target:
        Path(target).write_text(json.dumps(results, indent=2, allow_nan=False) + "\n")


def save_table(table: pd.DataFrame, name: str, *, path: str | Path | None = None) -> Path | None:
    """Write a published table as CSV beside the report (``<area>.<name>.csv``).

    Where: ``path`` if given, else beside ``$PARTNERSHIP_EVAL_RESULTS``, else nowhere
    (run interactively). The table must have been through
    :func:`partnership_eval.disclosure.suppress`. Returns the path written, or None.
    """
    _check_disclosed(name, name, table)
    results = os.environ.get(RESULTS_ENV)
    if path is None and not results:
        return None
    target = (
        Path(path)
        if path is not None
        else Path(results.removesuffix(".results.json") + f".{name}.csv")
    )
    table.to_csv(target, index=False)
    return target


def read_results(path: str | Path) -> dict | None:
    """A report's results, or None when the notebook wrote none."""
    path = Path(path)
    return json.loads(path.read_text()) if path.exists() else None
