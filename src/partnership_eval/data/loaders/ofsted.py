"""Ofsted inspection outcomes → ``inspections`` (grade 1 outstanding … 4 inadequate).

Two layouts: Ofsted's management-information spreadsheet (xlsx or csv, title rows above
the header, ``Overall effectiveness`` 1–4 with 9 or NULL for "not graded", and the
previous full inspection alongside the latest), and a plain history with ``URN, Rating,
Inspection Date`` (yyyymmdd) where ratings are words; "Satisfactory", the grade 3 of
inspections before September 2012, becomes 3 like "Requires improvement".
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from partnership_eval.data.loaders.codes import parse_dates, parse_int, raise_first
from partnership_eval.data.loaders.rawfile import RawTable

INSPECTION_KIND = "section5"
"""The graded (full, section 5) inspection; both layouts record these."""

RATINGS = {
    "outstanding": 1,
    "good": 2,
    "satisfactory": 3,
    "requires improvement": 3,
    "inadequate": 4,
    "serious weaknesses": 4,
    "special measures": 4,
    "1": 1,
    "2": 2,
    "3": 3,
    "4": 4,
}
"""Rating text (lower case) or digit → grade."""

NOT_GRADED = ("", "9", "null", "not judged", "not graded", "n/a", "na")

MI_DATES = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y")
PREVIOUS_GRADE = (
    "Previous full inspection overall effectiveness",
    "Previous overall effectiveness",
)
PREVIOUS_DATE = ("Previous inspection start date", "Previous inspection end date")


@dataclass
class Inspections:
    """Inspections of one file and the rows set aside."""

    inspections: pd.DataFrame
    excluded: pd.DataFrame
    """``row`` (file row number) and ``reason``."""


def _grades(raw: RawTable, column: str) -> tuple[pd.Series, pd.Series]:
    text = raw.text(column).str.lower().str.replace(r"\.0$", "", regex=True)
    grade = text.map(RATINGS).astype("Int64")
    not_graded = text.isin(NOT_GRADED)
    raise_first(
        raw,
        grade.isna() & ~not_graded,
        column,
        "{value!r} is not an inspection grade; {count} such cell(s)",
        "grades are 1–4 or Outstanding, Good, Satisfactory, Requires improvement, Inadequate",
    )
    return grade, not_graded


def _collect(
    raw: RawTable, urn: pd.Series, date: pd.Series, grade: pd.Series, not_graded: pd.Series
) -> Inspections:
    reason = pd.Series(None, index=urn.index, dtype="object")
    reason = reason.mask(date.isna(), "no_inspection_date").mask(not_graded, "not_graded")
    keep = reason.isna()
    rows = raw.rows.reindex(urn.index)
    table = pd.DataFrame(
        {
            "urn": urn[keep].astype("int64"),
            "date": date[keep],
            "grade": grade[keep],
            "kind": INSPECTION_KIND,
            "source": raw.path.name,
            "row": rows[keep],
        }
    )
    excluded = pd.DataFrame({"row": rows[~keep], "reason": reason[~keep]})
    return Inspections(table.reset_index(drop=True), excluded.reset_index(drop=True))


def load_history(raw: RawTable) -> Inspections:
    """Inspections of a plain ``URN, Rating, Inspection Date`` history."""
    urn = parse_int(raw, "URN", what="URN")
    raise_first(raw, urn.isna(), "URN", "URN is empty", "every inspection needs its school's URN")
    date = parse_dates(raw, "Inspection Date", ("%Y%m%d", "%Y-%m-%d", "%d/%m/%Y"))
    grade, not_graded = _grades(raw, "Rating")
    return _collect(raw, urn, date, grade, not_graded)


def _first(raw: RawTable, names: tuple[str, ...]) -> str | None:
    return next((n for n in names if raw.has(n)), None)


def load_management_information(raw: RawTable) -> Inspections:
    """Latest and previous graded inspections of an Ofsted management-information file."""
    urn = parse_int(raw, "URN", what="URN")
    raise_first(raw, urn.isna(), "URN", "URN is empty", "every inspection needs its school's URN")
    date_col = _first(raw, ("Inspection start date", "Inspection end date", "Publication date"))
    assert date_col is not None
    date = parse_dates(raw, date_col, MI_DATES)
    grade, not_graded = _grades(raw, "Overall effectiveness")
    latest = _collect(raw, urn, date, grade, not_graded)
    prev_grade_col = _first(raw, PREVIOUS_GRADE)
    prev_date_col = _first(raw, PREVIOUS_DATE)
    if prev_grade_col is None or prev_date_col is None:
        return latest
    prev_date = parse_dates(raw, prev_date_col, MI_DATES)
    prev_grade, prev_not_graded = _grades(raw, prev_grade_col)
    # A school never inspected before has neither: that is no inspection, not an exclusion.
    had_previous = prev_date.notna() | ~prev_not_graded
    previous = _collect(
        raw,
        urn[had_previous],
        prev_date[had_previous],
        prev_grade[had_previous],
        prev_not_graded[had_previous],
    )
    return Inspections(
        pd.concat([latest.inspections, previous.inspections], ignore_index=True),
        pd.concat([latest.excluded, previous.excluded], ignore_index=True),
    )


def load_school_details(raw: RawTable) -> pd.DataFrame:
    """Minimal schools rows (URN, name, LA, type, dates) from Ofsted's school details list.

    Used only for schools that no GIAS extract covers.
    """
    school_type = raw.text("Type") if raw.has("Type") else pd.Series("", index=raw.frame.index)
    out = pd.DataFrame(
        {
            "urn": parse_int(raw, "URN", what="URN"),
            "name": raw.text("Name"),
            "la_code": parse_int(raw, "Local Authority", what="LA code"),
            "school_type": school_type.where(school_type != ""),
            "is_academy": school_type.eq("Academy").where(school_type != "").astype("boolean"),
        }
    )
    for column, name in (("open_date", "Date Opened"), ("close_date", "Date Closed")):
        if raw.has(name):
            out[column] = parse_dates(raw, name, ("%Y%m%d", "%d/%m/%Y", "%Y-%m-%d"))
    return out.dropna(subset=["urn"]).astype({"urn": "int64"})
