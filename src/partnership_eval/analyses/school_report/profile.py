"""What a school is like: its context, academy history, partnerships and inspections.

Canonical tables carry a converted academy's whole history under its latest URN (ingest
follows GIAS predecessor links), so results from before the academy opened are its
predecessor's; :func:`academy_history` says so when it finds them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from partnership_eval.analyses.school_report.wording import (
    date_words,
    grade_words,
    kind_words,
    missing_sentence,
    year_words,
)
from partnership_eval.panel import exposure_year

PHONICS_PREFIX = "phonics"
"""Outcome columns starting with this hold the Year 1 phonics check (where published)."""


@dataclass(frozen=True)
class SchoolProfile:
    """One school's description, each item as plain text or a number (None if unknown)."""

    urn: int
    name: str
    la_code: int
    la_name: str
    region: str | None
    phase: str | None
    school_type: str | None
    is_academy: bool | None
    pupils: float | None
    fsm_pct: float | None
    setting: str | None
    open_date: pd.Timestamp | None
    close_date: pd.Timestamp | None


def _value(row: pd.Series, column: str) -> object:
    value = row.get(column)
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def school_profile(schools: pd.DataFrame, urn: int) -> SchoolProfile:
    """The school's row of the schools table as a :class:`SchoolProfile`."""
    row = schools.set_index("urn").loc[urn]
    setting = _value(row, "urban_rural")
    if setting is None and _value(row, "rural") is not None:
        setting = "rural" if bool(row["rural"]) else "urban"
    pupils, fsm = _value(row, "pupils"), _value(row, "fsm_pct")
    return SchoolProfile(
        urn=int(urn),
        name=str(_value(row, "name") or f"School {urn}"),
        la_code=int(row["la_code"]),
        la_name=str(row["la_name"]),
        region=_value(row, "region"),
        phase=_value(row, "phase"),
        school_type=_value(row, "school_type"),
        is_academy=None if _value(row, "is_academy") is None else bool(row["is_academy"]),
        pupils=None if pupils is None else float(pupils),
        fsm_pct=None if fsm is None else float(fsm),
        setting=setting,
        open_date=_value(row, "open_date"),
        close_date=_value(row, "close_date"),
    )


def partnerships_of(
    memberships: pd.DataFrame, partnerships: pd.DataFrame, urn: int
) -> pd.DataFrame:
    """The school's partnerships, earliest first: name, kind, what it is, joined, left."""
    mine = memberships[memberships["urn"] == urn].merge(
        partnerships[["partnership_id", "name", "kind"]], on="partnership_id", how="left"
    )
    mine = mine.sort_values(["joined", "partnership_id"])
    return pd.DataFrame(
        {
            "partnership": mine["name"].fillna(mine["partnership_id"]).to_numpy(),
            "kind": mine["kind"].to_numpy(),
            "what it is": [kind_words(k) for k in mine["kind"]],
            "member since": [date_words(d) for d in mine["joined"]],
            "left": ["still a member" if pd.isna(d) else date_words(d) for d in mine["left"]],
            "joined": mine["joined"].to_numpy(),
        }
    )


def inspection_history(inspections: pd.DataFrame, urn: int) -> pd.DataFrame:
    """Every inspection of the school, latest first: date, kind, grade number and words."""
    mine = inspections[inspections["urn"] == urn].sort_values("date", ascending=False)
    return pd.DataFrame(
        {
            "date": [date_words(d) for d in mine["date"]],
            "judgement": [
                grade_words(g, d) for g, d in zip(mine["grade"], mine["date"], strict=True)
            ],
            "grade": mine["grade"].to_numpy(),
            "kind": mine["kind"].fillna("").to_numpy(),
            "when": mine["date"].to_numpy(),
        }
    )


def academy_history(
    profile: SchoolProfile,
    outcomes: pd.DataFrame,
    memberships: pd.DataFrame,
    partnerships: pd.DataFrame,
) -> str | None:
    """A sentence on when the school became an academy, and whose results come before.

    Results from academic years before the academy opened are its predecessor's
    (joined across URNs at ingest); a synthetic academy that kept its URN is described
    by the trust it joined.
    """
    if not profile.is_academy:
        return None
    years = outcomes.loc[outcomes["urn"] == profile.urn, "year"]
    if profile.open_date is not None:
        opened = int(exposure_year(pd.Series([profile.open_date])).iloc[0])  # May tests
        earlier = sorted(int(y) for y in years if y < opened)
        if earlier:
            span = year_words(earlier[0]) + (
                f" to {year_words(earlier[-1])}" if len(earlier) > 1 else ""
            )
            return (
                f"The school became an academy on {date_words(profile.open_date)} and was "
                f"given a new school number (URN). Its results from before then ({span}) "
                "were published under its old number. We join the two using the "
                "government's links between old and new schools."
            )
    trusts = partnerships_of(memberships, partnerships, profile.urn)
    trusts = trusts[trusts["kind"].isin(["mat", "sat"])]
    if len(trusts):
        first = trusts.iloc[0]
        return (
            f"The school is an academy. It joined {first['partnership']} on "
            f"{first['member since']}; its results before then are from before it was an academy."
        )
    return "The school is an academy."


def measure_over_time(
    outcomes: pd.DataFrame, urn: int, measure: str, what: str, base: str = "cohort_n"
) -> pd.DataFrame:
    """One measure of the school per year: year, value, pupils (``base``), and why missing."""
    mine = outcomes[outcomes["urn"] == urn].sort_values("year")
    if measure not in mine:
        return pd.DataFrame(columns=["year", "value", "pupils", "missing"])
    reason = mine.get(f"{measure}_reason", pd.Series(None, index=mine.index))
    value = mine[measure].astype("float64")
    pupils = mine[base].astype("float64") if base in mine else pd.Series(np.nan, index=mine.index)
    return pd.DataFrame(
        {
            "year": mine["year"].astype("int64").to_numpy(),
            "value": value.to_numpy(),
            "pupils": pupils.to_numpy(),
            "missing": [
                "" if pd.notna(v) else missing_sentence(what, int(y), r)
                for y, v, r in zip(mine["year"], value, reason, strict=True)
            ],
        }
    )


def phonics_column(outcomes: pd.DataFrame) -> str | None:
    """The outcomes column holding the phonics pass rate, or None where not in the data
    (a ``phonics…`` column that is not a reason or a pupil count)."""
    found = [
        c
        for c in outcomes.columns
        if c.startswith(PHONICS_PREFIX) and not c.endswith(("_reason", "_n"))
    ]
    return found[0] if found else None
