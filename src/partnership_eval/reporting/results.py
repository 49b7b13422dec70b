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
NaN (written as null), timestamps and DataFrames (written as lists of records) are
converted to plain JSON.
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


def to_json_value(value: object) -> object:
    """``value`` as plain JSON types (NaN and NA become None)."""
    if isinstance(value, pd.DataFrame):
        return [to_json_value(row) for row in value.to_dict(orient="records")]
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


def build_results(
    *,
    report: str,
    area: str | None,
    parameters: Mapping[str, object],
    synthetic: bool,
    headline: Mapping[str, object],
    **sections: object,
) -> dict:
    """The results dictionary in the shape of ``results.json`` (see the module docstring)."""
    unknown = sorted(set(headline) - set(HEADLINE_KEYS))
    if unknown or "label" not in headline or "estimate" not in headline:
        raise PartnershipEvalError(
            f"results of {report!r}: headline needs 'label' and 'estimate' and may have "
            f"{', '.join(HEADLINE_KEYS)}; got {', '.join(sorted(headline))}"
        )
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
        Further named results (numbers, dicts, lists or DataFrames).
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


def read_results(path: str | Path) -> dict | None:
    """A report's results, or None when the notebook wrote none."""
    path = Path(path)
    return json.loads(path.read_text()) if path.exists() else None
