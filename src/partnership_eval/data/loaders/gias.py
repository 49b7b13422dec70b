"""GIAS establishments (``edubasealldata*.csv`` and LA extracts) → ``schools`` rows."""

from __future__ import annotations

import pandas as pd

from partnership_eval.data.geography import region_of
from partnership_eval.data.loaders.codes import (
    parse_dates,
    parse_int,
    raise_first,
    without_thousands_separators,
)
from partnership_eval.data.loaders.rawfile import RawTable
from partnership_eval.data.schema import REGIONS

GIAS_DATES = ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d")
"""GIAS writes dd-mm-yyyy; re-saved copies use dd/mm/yyyy or ISO dates."""

ACADEMY_GROUPS = ("Academies", "Free Schools")


def _optional_text(raw: RawTable, column: str) -> pd.Series:
    if not raw.has(column):
        return pd.Series(None, index=raw.frame.index, dtype="object")
    text = raw.text(column)
    return text.where(text != "")


def _optional_float(raw: RawTable, column: str) -> pd.Series:
    if not raw.has(column):
        return pd.Series(float("nan"), index=raw.frame.index)
    text = raw.text(column)
    values = pd.to_numeric(without_thousands_separators(text).where(text != ""), errors="coerce")
    raise_first(
        raw,
        values.isna() & (text != ""),
        column,
        "{value!r} is not a number; {count} such cell(s)",
        "use the file as published by GIAS",
    )
    return values.astype("float64")


def _is_academy(raw: RawTable, school_type: pd.Series) -> pd.Series:
    if raw.has("EstablishmentTypeGroup (name)"):
        group = raw.text("EstablishmentTypeGroup (name)")
        return group.isin(ACADEMY_GROUPS).where(group != "")
    lowered = school_type.fillna("").str.lower()
    return lowered.str.startswith(("academy", "free school")).where(school_type.notna())


def load_establishments(raw: RawTable) -> pd.DataFrame:
    """Schools-table rows of a GIAS establishments file, one per URN.

    ``last_changed`` (GIAS ``LastChangedDate``) is kept so that, across several
    extracts, the most recently changed record of a school can win; ``row`` is the file
    row number.

    Examples
    --------
    >>> kind, raw = read_known("data/raw/edubasealldata20220420.csv")  # doctest: +SKIP
    >>> load_establishments(raw)[["urn", "name", "la_code", "is_academy"]]  # doctest: +SKIP
    """
    la_code = parse_int(raw, "LA (code)", what="LA code")
    school_type = _optional_text(raw, "TypeOfEstablishment (name)")
    urban_rural = _optional_text(raw, "UrbanRural (name)").str.replace(
        r"^\(England/Wales\)\s*", "", regex=True
    )
    region = region_of(la_code.astype("float64"))
    if raw.has("GOR (name)"):
        gor = raw.text("GOR (name)")
        region = region.fillna(gor.where(gor.isin(REGIONS)))
    pupils = (
        parse_int(raw, "NumberOfPupils", what="pupil number")
        if raw.has("NumberOfPupils")
        else pd.Series(pd.NA, index=raw.frame.index, dtype="Int64")
    )
    out = pd.DataFrame(
        {
            "urn": parse_int(raw, "URN", what="URN"),
            "name": _optional_text(raw, "EstablishmentName"),
            "la_code": la_code,
            "la_name": _optional_text(raw, "LA (name)"),
            "region": region.astype("object"),
            "phase": _optional_text(raw, "PhaseOfEducation (name)"),
            "school_type": school_type,
            "is_academy": _is_academy(raw, school_type).astype("boolean"),
            "pupils": pupils,
            "rural": urban_rural.str.startswith("Rural")
            .where(urban_rural.notna())
            .astype("boolean"),
            "urban_rural": urban_rural,
            "fsm_pct": _optional_float(raw, "PercentageFSM"),
            "open_date": parse_dates(raw, "OpenDate", GIAS_DATES),
            "close_date": parse_dates(raw, "CloseDate", GIAS_DATES),
            "status": _optional_text(raw, "EstablishmentStatus (name)"),
            "easting": _optional_float(raw, "Easting"),
            "northing": _optional_float(raw, "Northing"),
        }
    )
    out["row"] = raw.rows
    out["last_changed"] = (
        parse_dates(raw, "LastChangedDate", GIAS_DATES)
        if raw.has("LastChangedDate")
        else pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    )
    raise_first(
        raw,
        out["urn"].isna(),
        "URN",
        "URN is empty; {count} such row(s)",
        "use the file as published by GIAS",
    )
    raise_first(
        raw,
        out["la_code"].isna(),
        "LA (code)",
        "LA code is empty; {count} such row(s)",
        "use the file as published by GIAS",
    )
    out["urn"] = out["urn"].astype("int64")
    out["la_code"] = out["la_code"].astype("int64")
    return out
