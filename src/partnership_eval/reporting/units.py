"""The units a batch runs a notebook for: every LA, region or school in the data.

``--where`` narrows them with a pandas query over the schools table (its columns: urn,
name, la_code, la_name, region, phase, school_type, is_academy, pupils, rural,
urban_rural, fsm_pct, open_date, close_date): an LA or region is kept when at least one
of its schools matches, a school when it matches.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from partnership_eval.data.geography import la_table
from partnership_eval.errors import InputError
from partnership_eval.reporting.data_check import read_checked


def select_schools(schools: pd.DataFrame, where: str | None) -> pd.DataFrame:
    """The schools matching ``where`` (all when None); an error naming the expression."""
    if not where:
        return schools
    try:
        chosen = schools.query(where)
    except Exception as exc:  # pandas raises many types for a bad expression
        raise InputError(
            f"--where {where!r} cannot be evaluated ({type(exc).__name__}: {exc})",
            fix="write a pandas query over the schools table, e.g. \"region == 'North West'\" "
            f"or 'rural and pupils < 150'; columns: {', '.join(schools.columns)}",
        ) from None
    if not isinstance(chosen, pd.DataFrame) or len(chosen.columns) != len(schools.columns):
        raise InputError(f"--where {where!r} is not a condition on the schools table's rows")
    return chosen


def batch_units(by: str, data_dir: Path, where: str | None = None) -> list[str | int]:
    """LA names, region names or school URNs (for ``by`` = la, region, school) that
    have schools in ``data_dir`` matching ``where``, in code, name or URN order."""
    schools = select_schools(read_checked("schools", data_dir), where)
    if schools.empty:
        raise InputError(
            f"no schools in {data_dir}" + (f" match --where {where!r}" if where else ""),
            fix="loosen --where, or check --data",
        )
    if by == "school":
        return sorted(int(u) for u in schools["urn"].unique())
    if by == "region":
        return sorted(str(r) for r in schools["region"].dropna().unique())
    known = la_table().set_index("la_code")["la_name"]
    codes = sorted(int(c) for c in schools["la_code"].unique() if int(c) in known.index)
    return [str(known[c]) for c in codes]
