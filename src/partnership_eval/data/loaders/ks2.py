"""DfE KS2 performance tables (``england_ks2final.csv``, LA extracts) → ``outcomes``.

One file holds one academic year. School rows (RECTYPE 1 mainstream, 2 special) become
outcomes; LA and national summary rows (RECTYPE 3, 4, 5) are set aside as reference
totals.

Column names drift between years. A column is mapped to a canonical measure by its name
in the table of known aliases (:data:`MEASURES`) or, failing that, by what DfE's own
metadata file for that year (``ks2_meta_YYYY-YYYY.csv``, any year's when that year's is
absent) says the column holds (:data:`MEASURE_LABELS`). A measure no column maps to is
missing with the reason ``not_in_file``, and the file's notes name it together with the
columns that could be it: those the metadata does not describe, or whose names are close
to one of its aliases. Nothing is dropped without a line in the ingest summary.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

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
from partnership_eval.errors import InputError

MEASURES: dict[str, tuple[str, ...]] = {
    "cohort_n": ("TELIG",),
    "ks2_rwm_exp": ("PTRWM_EXP",),
    "ks2_rwm_high": ("PTRWM_HIGH",),
    "read_prog": ("READPROG",),
    "writ_prog": ("WRITPROG",),
    "mat_prog": ("MATPROG",),
    "disadv_rwm_exp": ("PTRWM_EXP_FSM6CLA1A", "PTFSM6CLA1ARWM_EXP", "PTRWM_EXP_FSMCLA"),
    "non_disadv_rwm_exp": (
        "PTRWM_EXP_NOTFSM6CLA1A",
        "PTNOTFSM6CLA1ARWM_EXP",
        "PTRWM_EXP_NOTFSMCLA",
    ),
    "disadv_n": ("TFSM6CLA1A", "TFSMCLA"),
}
"""Canonical measure → DfE column names it has been published under (any case)."""

MEASURE_LABELS: dict[str, tuple[str, ...]] = {
    "cohort_n": ("published eligible pupil number",),
    "ks2_rwm_exp": (
        "percentage of pupils reaching the expected standard in reading, writing and maths",
    ),
    "ks2_rwm_high": (
        "percentage of pupils achieving a high score in reading and maths and working at "
        "greater depth in writing",
    ),
    "read_prog": ("reading progress measure",),
    "writ_prog": ("writing progress measure",),
    "mat_prog": ("maths progress measure", "mathematics progress measure"),
    "disadv_rwm_exp": (
        "percentage of disadvantaged pupils reaching the expected standard in reading, "
        "writing and maths",
    ),
    "non_disadv_rwm_exp": (
        "percentage of non-disadvantaged pupils reaching the expected standard in reading, "
        "writing and maths",
    ),
    "disadv_n": ("number of key stage 2 disadvantaged pupils",),
}
"""Canonical measure → DfE metadata descriptions of its column (lower case, no brackets)."""

IDENTIFIERS = ("RECTYPE", "ALPHAIND", "LEA", "ESTAB", "URN", "SCHNAME", "NFTYPE")
"""Columns that identify a row rather than measure anything."""

PERCENTAGES = ("ks2_rwm_exp", "ks2_rwm_high", "disadv_rwm_exp", "non_disadv_rwm_exp")
COUNTS = ("cohort_n", "disadv_n")

SCHOOL_RECTYPES = ("1", "2")
SUMMARY_RECTYPES = {"3": "la", "4": "national_all", "5": "national_state_funded"}

NFTYPE_NAMES = {
    "CY": "Community school",
    "VA": "Voluntary aided school",
    "VC": "Voluntary controlled school",
    "FD": "Foundation school",
    "AC": "Academy sponsor led",
    "ACC": "Academy converter",
    "F": "Free schools",
    "CYS": "Community special school",
    "FDS": "Foundation special school",
    "ACS": "Academy special sponsor led",
    "ACCS": "Academy special converter",
    "FS": "Free schools special",
}
"""DfE ``NFTYPE`` codes → GIAS ``TypeOfEstablishment`` names."""
ACADEMY_NFTYPES = ("AC", "ACC", "F", "ACS", "ACCS", "FS")

_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d\d)[-_ ]?(20\d\d|\d\d)(?!\d)")
_PREVIOUS_YEAR_COLUMN = re.compile(r"^PTRWM_EXP_(\d\d)$", re.IGNORECASE)


@dataclass
class Ks2Table:
    """What one KS2 file yields."""

    year: int
    outcomes: pd.DataFrame
    schools: pd.DataFrame
    """Minimal school rows from the file's own fields (URN, name, LA, type)."""
    reference: pd.DataFrame
    """LA and national summary rows (RECTYPE 3–5)."""
    excluded: pd.DataFrame
    """Rows not kept: ``row`` (file row number) and ``reason``."""
    measures_found: int
    """How many of :data:`MEASURES` the file has (richer files win ties between files)."""
    notes: list[str] = field(default_factory=list)
    """Measures not found and columns that could not be mapped, for the ingest summary."""


def _label(description: str) -> str:
    text = " ".join(str(description).lower().split())
    return re.sub(r"\s*\(.*\)\s*$", "", text).strip()


_BY_LABEL = {label: m for m, labels in MEASURE_LABELS.items() for label in labels}
_BY_ALIAS = {normalise(n): m for m, names in MEASURES.items() for n in names}


def load_ks2_meta(raw: RawTable) -> pd.DataFrame:
    """DfE's KS2 column definitions: ``year`` (None if the name gives none), ``field``
    (normalised column name) and ``description``."""
    described = [c for c in raw.columns if "label" in c.lower() or "description" in c.lower()]
    description = raw.text(described[0]) if described else pd.Series("", index=raw.frame.index)
    return pd.DataFrame(
        {
            "year": _year_from_name(raw.path, None),
            "field": raw.text("FieldName").map(normalise),
            "description": description,
        }
    )


class Ks2Dictionary:
    """Column name → canonical measure for a KS2 file of a given year.

    Built from the rows of :func:`load_ks2_meta` (several years; may be none).
    """

    def __init__(self, meta: pd.DataFrame | None = None) -> None:
        meta = meta if meta is not None else pd.DataFrame(columns=["year", "field", "description"])
        self._meta = meta.assign(label=meta["description"].map(_label))

    @property
    def has_metadata(self) -> bool:
        """Whether any DfE metadata file was read."""
        return len(self._meta) > 0

    def _described(self, year: int) -> dict[str, str]:
        """Normalised field → label, this year's metadata winning over other years'."""
        same = self._meta["year"] == year
        ordered = pd.concat([self._meta.loc[~same], self._meta.loc[same]])
        return dict(zip(ordered["field"], ordered["label"], strict=True))

    def mapping(self, columns: list[str], year: int) -> tuple[dict[str, str], list[str]]:
        """Measure → column of the file, and the columns neither aliases nor metadata know.

        An alias beats a description; among aliases, the earlier-listed name wins.
        """
        described = self._described(year)
        found: dict[str, tuple[int, str]] = {}
        unknown = []
        for column in columns:
            key = normalise(column)
            if key in _BY_ALIAS:
                measure = _BY_ALIAS[key]
                rank = MEASURES[measure].index(
                    next(n for n in MEASURES[measure] if normalise(n) == key)
                )
            elif _BY_LABEL.get(described.get(key, "")):
                measure, rank = _BY_LABEL[described[key]], len(MEASURES[_BY_LABEL[described[key]]])
            else:
                if self.has_metadata and key not in described and column not in IDENTIFIERS:
                    unknown.append(column)
                continue
            if measure not in found or rank < found[measure][0]:
                found[measure] = (rank, column)
        return {m: col for m, (_, col) in found.items()}, unknown


def _shown(columns: list[str], limit: int = 8) -> str:
    more = f" and {len(columns) - limit} more" if len(columns) > limit else ""
    return ", ".join(columns[:limit]) + more


def _notes(found: dict[str, str], unknown: list[str], columns: list[str]) -> list[str]:
    """Summary lines for measures not found and columns no metadata or alias describes."""
    notes = []
    missing = [m for m in MEASURES if m not in found]
    if missing:
        unmapped = sorted(set(columns) - set(found.values()) - set(IDENTIFIERS))
        close = sorted(
            {
                c
                for m in missing
                for alias in MEASURES[m]
                for c in difflib.get_close_matches(alias, unmapped, n=3, cutoff=0.8)
            }
        )
        text = f"measures not in this file: {', '.join(missing)}"
        if close:
            text += (
                f"; columns with similar names: {_shown(close)} (add that year's ks2_meta "
                "file to the raw folder, or the name to ks2.MEASURES)"
            )
        notes.append(text)
    if unknown:
        notes.append(
            f"{len(unknown)} column(s) described by no DfE metadata file, not read: "
            f"{_shown(unknown)}"
        )
    return notes


def _year_from_name(path: Path, root: Path | None) -> int | None:
    parts = [path.name]
    parent = path.parent
    while root is not None and parent != root and root in parent.parents:
        parts.append(parent.name)
        parent = parent.parent
    for part in parts:
        for first, second in _YEAR_IN_NAME.findall(part):
            end = int(second) if len(second) == 4 else int(first[:2] + second)
            if end == int(first) + 1:
                return end
    return None


def _year_from_columns(columns: list[str]) -> int | None:
    previous = [int(m.group(1)) for c in columns if (m := _PREVIOUS_YEAR_COLUMN.match(c))]
    return 2000 + max(previous) + 1 if previous else None


def academic_year(raw: RawTable, root: Path | None = None) -> int:
    """Academic year (named by the year it ends) of a KS2 file.

    Taken from the file or folder name (``2016-2017``, ``201617``, ``2016-17``) or, failing
    that, from the file's previous-year columns (``PTRWM_EXP_17`` in the 2019 file).

    Raises
    ------
    InputError
        The year cannot be told, or the name and the columns disagree.
    """
    by_name = _year_from_name(raw.path, root)
    by_columns = _year_from_columns(raw.columns)
    if by_name and by_columns and by_name != by_columns:
        raise InputError(
            f"the name says academic year {by_name - 1}/{by_name} but the previous-year "
            f"columns say {by_columns - 1}/{by_columns}",
            path=raw.path,
            fix="rename the file or its folder to the year it holds",
        )
    year = by_name or by_columns
    if year is None:
        raise InputError(
            "cannot tell which academic year this KS2 file holds",
            path=raw.path,
            fix="put it in a folder named for its year, e.g. 2016-2017/england_ks2final.csv",
        )
    return year


def _measures(raw: RawTable, found: dict[str, str]) -> pd.DataFrame:
    out: dict[str, pd.Series] = {}
    for measure in MEASURES:
        column = found.get(measure)
        if column is None:
            dtype = "Int64" if measure in COUNTS else "float64"
            out[measure] = pd.Series(None, index=raw.frame.index, dtype=dtype)
            out[f"{measure}_reason"] = pd.Series("not_in_file", index=raw.frame.index)
            continue
        values, reasons = parse_measure(raw, column)
        if measure in PERCENTAGES:
            values = require_percentages(raw, values, column)
        if measure in COUNTS:
            values = require_counts(raw, values, column)
        out[measure] = values
        out[f"{measure}_reason"] = reasons
    return pd.DataFrame(out)


def _record_types(raw: RawTable) -> pd.Series:
    if raw.has("RECTYPE"):
        return raw.text("RECTYPE")
    return pd.Series("1", index=raw.frame.index)


def load_ks2(
    raw: RawTable,
    *,
    root: Path | None = None,
    source: str = "",
    dictionary: Ks2Dictionary | None = None,
) -> Ks2Table:
    """Outcomes, minimal school rows, reference totals and exclusions of one KS2 file.

    ``outcomes`` carries the canonical columns plus ``source`` and ``row`` (file row number).

    Parameters
    ----------
    raw
        The file as read by :func:`~partnership_eval.data.loaders.detect.read_known`.
    root
        The raw-data folder; folder names between it and the file may give the year.
    source
        Label stored in the ``source`` column (usually the path relative to ``root``).
    dictionary
        DfE's column definitions (from ``ks2_meta`` files) to map drifted names.

    Examples
    --------
    >>> kind, raw = read_known("data/raw/2018-2019/england_ks2final.csv")  # doctest: +SKIP
    >>> load_ks2(raw).outcomes[["urn", "year", "ks2_rwm_exp"]]  # doctest: +SKIP
    """
    year = academic_year(raw, root)
    found, unknown = (dictionary or Ks2Dictionary()).mapping(raw.columns, year)
    measures = _measures(raw, found)
    rectype = _record_types(raw)
    urn_text = raw.text("URN")
    urn = pd.to_numeric(urn_text.where(urn_text != ""), errors="coerce")
    is_school = rectype.isin(SCHOOL_RECTYPES)
    raise_first(
        raw,
        is_school & (urn_text != "") & (urn.isna() | (urn % 1 != 0)),
        "URN",
        "{value!r} is not a URN",
        "URNs are six-digit numbers; use the file as published",
    )
    keep = is_school & urn.notna()
    summary = rectype.isin(list(SUMMARY_RECTYPES))
    reason = pd.Series(None, index=raw.frame.index, dtype="object")
    reason = reason.mask(is_school & urn.isna(), "missing_urn")
    reason = reason.mask(~is_school & ~summary, "unknown_record_type")

    outcomes = measures.loc[keep].copy()
    outcomes.insert(0, "urn", urn[keep].astype("int64"))
    outcomes.insert(1, "year", np.int64(year))
    outcomes["source"] = source or raw.path.name
    outcomes["row"] = raw.rows[keep]

    la = raw.text("LEA") if raw.has("LEA") else pd.Series("", index=raw.frame.index)
    la_code = pd.to_numeric(la.where(la != ""), errors="coerce").astype("Int64")
    schools = pd.DataFrame({"urn": outcomes["urn"], "la_code": la_code[keep]})
    schools["name"] = raw.text("SCHNAME")[keep] if raw.has("SCHNAME") else None
    if raw.has("NFTYPE"):
        nftype = raw.text("NFTYPE")[keep]
        schools["school_type"] = nftype.map(NFTYPE_NAMES).fillna(nftype.where(nftype != ""))
        schools["is_academy"] = nftype.isin(ACADEMY_NFTYPES).where(nftype != "")
    reference = measures.loc[summary].copy()
    reference.insert(0, "year", np.int64(year))
    reference.insert(1, "level", rectype[summary].map(SUMMARY_RECTYPES))
    reference.insert(2, "la_code", la_code[summary])
    reference["source"] = source or raw.path.name
    excluded = pd.DataFrame({"row": raw.rows[reason.notna()], "reason": reason.dropna()})
    return Ks2Table(
        year=year,
        outcomes=outcomes.reset_index(drop=True),
        schools=schools.reset_index(drop=True),
        reference=reference.reset_index(drop=True),
        excluded=excluded.reset_index(drop=True),
        measures_found=len(found),
        notes=_notes(found, unknown, raw.columns),
    )
