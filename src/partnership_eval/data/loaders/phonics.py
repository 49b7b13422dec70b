"""DfE phonics screening check files (Explore Education Statistics layout) → ``outcomes``.

DfE publishes the Year 1 phonics screening check in the open-data layout of Explore
Education Statistics: one row per ``time_period`` (``201819`` = 2018/19) and
``geographic_level`` (National, Regional, Local authority, School), identified by
``school_urn`` on school rows, with ``t_phonics_y1_eligible_pupils`` and
``pt_phonics_y1_met_expected_standard``. One file may hold several years. School rows
become outcomes (``phonics_n``, ``phonics_pass``); other levels and pupil-group
breakdowns (a ``gender`` or ``breakdown`` other than Total) are set aside as reference
totals. Explore Education Statistics writes ``c`` for a suppressed number, ``x`` for one
not available, ``z`` for not applicable and ``u``/``low`` for one not published as
reliable; DfE performance-table codes (``SUPP``, ``NE``…) are read too.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from partnership_eval.data.loaders.codes import (
    parse_measure,
    raise_first,
    require_counts,
    require_percentages,
)
from partnership_eval.data.loaders.detect import normalise
from partnership_eval.data.loaders.rawfile import RawTable

MEASURES: dict[str, tuple[str, ...]] = {
    "phonics_n": ("t_phonics_y1_eligible_pupils", "t_phonics_y1_eligible"),
    "phonics_pass": ("pt_phonics_y1_met_expected_standard", "pt_phonics_y1_met"),
}
"""Canonical measure → column names it has been published under (any case)."""

EES_CODES = {"c": "SUPP", "x": "UNAVAIL", ":": "UNAVAIL", "z": "NA", "u": "NP", "low": "NP"}
"""Explore Education Statistics symbols → the DfE codes with the same meaning."""

BREAKDOWN_COLUMNS = ("gender", "breakdown", "characteristic", "school_type")
TOTALS = ("total", "all pupils", "state-funded schools and alternative provision", "")


@dataclass
class PhonicsTable:
    """What one phonics file yields."""

    outcomes: pd.DataFrame
    """School rows: urn, year, phonics_n, phonics_pass (+ reasons), source, row."""
    reference: pd.DataFrame
    """National, regional, LA rows and breakdowns: year, level, measures."""
    excluded: pd.DataFrame
    """Rows not kept: ``row`` (file row number) and ``reason``."""


def _column(raw: RawTable, names: tuple[str, ...]) -> str | None:
    lookup = {normalise(c): c for c in raw.columns}
    return next((lookup[normalise(n)] for n in names if normalise(n) in lookup), None)


def _year(raw: RawTable) -> pd.Series:
    """Academic year named by the year it ends, from ``time_period`` (``201819`` → 2019)."""
    text = raw.text("time_period")
    digits = text.where(text.str.fullmatch(r"20\d{4}"), "000000")
    start, end = digits.str[:4].astype(int), digits.str[4:].astype(int)
    raise_first(
        raw,
        (start == 0) | ((start + 1) % 100 != end),
        "time_period",
        "{value!r} is not an academic year written like 201819; {count} such cell(s)",
        "use the file as published by DfE",
    )
    return (start + 1).astype("int64")


def _measure(raw: RawTable, names: tuple[str, ...]) -> tuple[pd.Series, pd.Series, str | None]:
    column = _column(raw, names)
    if column is None:
        missing = pd.Series(np.nan, index=raw.frame.index)
        return missing, pd.Series(None, index=raw.frame.index, dtype="object"), None
    text = raw.text(column)
    mapped = text.str.lower().map(EES_CODES).fillna(text)
    values, reasons = parse_measure(
        dataclasses.replace(raw, frame=raw.frame.assign(**{column: mapped})), column
    )
    return values, reasons, column


def load_phonics(raw: RawTable, *, source: str = "") -> PhonicsTable:
    """Outcomes, reference totals and exclusions of one phonics screening check file.

    Raises
    ------
    InputError
        A year, URN, pupil count or percentage cannot be read; the message names the row.
    """
    year = _year(raw)
    level = raw.text("geographic_level").str.lower()
    breakdown = pd.Series(False, index=raw.frame.index)
    for name in BREAKDOWN_COLUMNS:
        column = _column(raw, (name,))
        if column is not None:
            breakdown |= ~raw.text(column).str.lower().isin(TOTALS)
    out = {}
    for measure, names in MEASURES.items():
        values, reasons, column = _measure(raw, names)
        if column is not None and measure == "phonics_pass":
            values = require_percentages(raw, values, column)
        if column is not None and measure == "phonics_n":
            values = require_counts(raw, values, column)
        out[measure] = values
        out[f"{measure}_reason"] = reasons
    measures = pd.DataFrame(out)
    school = level.eq("school") & ~breakdown
    urn_column = _column(raw, ("school_urn", "urn"))
    urn_text = raw.text(urn_column) if urn_column else pd.Series("", index=raw.frame.index)
    urn = pd.to_numeric(urn_text.where(urn_text != ""), errors="coerce")
    raise_first(
        raw,
        school & (urn_text != "") & (urn.isna() | (urn % 1 != 0)),
        urn_column or "school_urn",
        "{value!r} is not a URN",
        "URNs are six-digit numbers; use the file as published",
    )
    keep = school & urn.notna()
    outcomes = measures.loc[keep].copy()
    outcomes.insert(0, "urn", urn[keep].astype("int64"))
    outcomes.insert(1, "year", year[keep])
    outcomes["source"] = source or raw.path.name
    outcomes["row"] = raw.rows[keep]
    reference = measures.loc[~school].copy()
    reference.insert(0, "year", year[~school])
    reference.insert(1, "level", level[~school].where(~breakdown[~school], "breakdown"))
    reference["source"] = source or raw.path.name
    missing_urn = school & urn.isna()
    excluded = pd.DataFrame({"row": raw.rows[missing_urn], "reason": "missing_urn"})
    return PhonicsTable(
        outcomes=outcomes.reset_index(drop=True),
        reference=reference.reset_index(drop=True),
        excluded=excluded.reset_index(drop=True),
    )
