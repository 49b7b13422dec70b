"""An area at a glance: its schools, partnership coverage over time and KS2 trends.

The library behind the ``00_overview`` report. Every function takes canonical tables
(already narrowed to an area with :func:`partnership_eval.panel.area_schools`) and
returns a tidy DataFrame; figures are in :mod:`.figures`, the result in :mod:`.report`. Descriptive only:
partnership schools and others differ before any partnership (small rural schools join
clusters), so a gap between the KS2 lines is not an effect.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from partnership_eval.data.schema import PARTNERSHIP_KINDS
from partnership_eval.errors import InputError
from partnership_eval.panel import (
    SIZE_BANDS,
    academic_year,
    first_treated,
    size_band,
)

ANY_KIND = "any partnership"
KINDS = ("cluster", "federation", "umbrella_trust", "mat", "collaborative", "triad")
"""Kinds counted as partnerships by default (single-academy trusts and sponsor groups
are not partnerships of schools)."""
GROUPS = ("partnership schools", "other schools")


def years_shown(outcomes: pd.DataFrame, first_year: int = 0, last_year: int = 0) -> range:
    """Academic years ``first_year`` to ``last_year``, where 0 means the first (last)
    year with results in ``outcomes``; a clear error when they are out of order."""
    known = outcomes["year"].dropna()
    if known.empty and not (first_year and last_year):
        raise InputError(
            "the data hold no KS2 results, so first_year and last_year cannot default to "
            "their years; give both"
        )
    first = int(first_year or known.min())
    last = int(last_year or known.max())
    if first > last:
        raise InputError(
            f"first_year {first} is after last_year {last}"
            + ("" if last_year else " (the last year with results)")
            + "; give first_year no later than last_year"
        )
    return range(first, last + 1)


def _check_years(years: Sequence[int]) -> np.ndarray:
    """``years`` as an array; an error unless they are given and increase."""
    years = np.asarray(years, dtype="int64")
    if years.size == 0 or (np.diff(years) <= 0).any():
        raise InputError(
            f"years must be one or more academic years in increasing order, got "
            f"{years.tolist()}; e.g. range(first_year, last_year + 1) with "
            "first_year <= last_year"
        )
    return years


def _check_kinds(kinds: Sequence[str]) -> list[str]:
    unknown = sorted(set(kinds) - set(PARTNERSHIP_KINDS))
    if unknown or not kinds:
        raise InputError(
            f"partnership kinds {unknown or '(none)'} not known; choose from "
            f"{', '.join(PARTNERSHIP_KINDS)}"
        )
    return list(kinds)


def open_schools(schools: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """Number of schools open in each academic year (open at any time during it).

    Returns columns year, schools.
    """
    years = _check_years(years)
    opened = academic_year(schools["open_date"]).fillna(years.min()).to_numpy(dtype="int64")
    closed = academic_year(schools["close_date"]).fillna(years.max()).to_numpy(dtype="int64")
    is_open = (opened[:, None] <= years[None, :]) & (closed[:, None] >= years[None, :])
    return pd.DataFrame({"year": years, "schools": is_open.sum(axis=0)})


def schools_by_size_and_setting(schools: pd.DataFrame) -> pd.DataFrame:
    """Schools without a closing date by size band and rural/urban setting.

    Returns one row per size band and setting (zeros included): size_band (ordered),
    setting ("rural" | "urban"), schools, pupils.
    """
    current = schools[schools["close_date"].isna()]
    frame = pd.DataFrame(
        {
            "size_band": size_band(current["pupils"]),
            "setting": np.where(current["rural"].fillna(False), "rural", "urban"),
            "pupils": current["pupils"],
        }
    )
    table = frame.groupby(["size_band", "setting"], observed=False).agg(
        schools=("pupils", "size"), pupils=("pupils", "sum")
    )
    full = pd.MultiIndex.from_product(
        [list(SIZE_BANDS), ["rural", "urban"]], names=table.index.names
    )
    table = table.reindex(full, fill_value=0).reset_index()
    table["size_band"] = pd.Categorical(table["size_band"], categories=SIZE_BANDS, ordered=True)
    return table.astype({"schools": "int64", "pupils": "int64"})


def partnership_coverage(
    schools: pd.DataFrame,
    memberships: pd.DataFrame,
    partnerships: pd.DataFrame,
    years: Sequence[int],
    kinds: Sequence[str] = KINDS,
) -> pd.DataFrame:
    """How many of the area's schools belong to a partnership in each year, by kind.

    A school counts in academic year Y for a kind if it was a member of a partnership of
    that kind at any time during Y (joined by 31 August of Y and not left before
    1 September of Y-1).

    Returns
    -------
    DataFrame
        One row per year and kind (plus kind ``"any partnership"``: any of ``kinds``):
        year, kind, schools (members), open_schools, share (% of open schools).
    """
    kinds = _check_kinds(kinds)
    years = _check_years(years)
    members = memberships[memberships["urn"].isin(schools["urn"])].merge(
        partnerships[["partnership_id", "kind"]], on="partnership_id", how="left"
    )
    members = members[members["kind"].isin(kinds)]
    joined = academic_year(members["joined"]).to_numpy(dtype="int64")
    left = academic_year(members["left"]).fillna(years.max()).to_numpy(dtype="int64")
    row, col = np.nonzero((joined[:, None] <= years[None, :]) & (left[:, None] >= years[None, :]))
    spells = pd.DataFrame(
        {
            "urn": members["urn"].to_numpy()[row],
            "kind": members["kind"].to_numpy()[row],
            "year": years[col],
        }
    )
    by_kind = spells.drop_duplicates().groupby(["year", "kind"]).size()
    any_kind = spells.drop_duplicates(["urn", "year"]).groupby("year").size()
    any_kind.index = pd.MultiIndex.from_arrays(
        [any_kind.index, [ANY_KIND] * len(any_kind)], names=["year", "kind"]
    )
    full = pd.MultiIndex.from_product([years, [*kinds, ANY_KIND]], names=["year", "kind"])
    table = pd.concat([by_kind, any_kind]).reindex(full, fill_value=0).rename("schools")
    table = table.reset_index().merge(
        open_schools(schools, years).rename(columns={"schools": "open_schools"}), on="year"
    )
    table["share"] = 100 * table["schools"] / table["open_schools"].where(table["open_schools"] > 0)
    return table.astype({"year": "int64", "schools": "int64", "kind": "str"})


def ks2_trends(
    schools: pd.DataFrame,
    outcomes: pd.DataFrame,
    memberships: pd.DataFrame,
    partnerships: pd.DataFrame,
    years: Sequence[int],
    kinds: Sequence[str] = KINDS,
) -> pd.DataFrame:
    """KS2 attainment each year for schools that ever joined a partnership and for others.

    Groups are fixed over time: "partnership schools" joined a partnership of ``kinds``
    by the last of ``years``. The measure is the pupil-weighted % of pupils meeting the
    expected standard in reading, writing and maths (``ks2_rwm_exp``), over schools with
    a published figure. Years without results (2020, 2021) appear with no values.

    Returns
    -------
    DataFrame
        One row per year and group: year, group, ks2_rwm_exp, pupils (the base),
        schools (with a published figure).
    """
    kinds = _check_kinds(kinds)
    years = _check_years(years)
    joins = first_treated(memberships, partnerships, kinds)
    members = joins.loc[joins["first_treated"] <= years.max(), "urn"]
    rows = outcomes[
        outcomes["urn"].isin(schools["urn"])
        & outcomes["year"].isin(years)
        & outcomes["ks2_rwm_exp"].notna()
        & (outcomes["cohort_n"] > 0)
    ]
    frame = pd.DataFrame(
        {
            "year": rows["year"],
            "group": np.where(rows["urn"].isin(members), GROUPS[0], GROUPS[1]),
            "pupils": rows["cohort_n"],
            "meeting": rows["cohort_n"] * rows["ks2_rwm_exp"] / 100,
        }
    )
    sums = frame.groupby(["year", "group"]).agg(
        pupils=("pupils", "sum"), meeting=("meeting", "sum"), schools=("pupils", "size")
    )
    full = pd.MultiIndex.from_product([years, list(GROUPS)], names=["year", "group"])
    sums = sums.reindex(full)
    sums["ks2_rwm_exp"] = 100 * sums["meeting"] / sums["pupils"]
    table = sums.reset_index()[["year", "group", "ks2_rwm_exp", "pupils", "schools"]]
    return table.astype({"year": "int64", "group": "str", "pupils": "Int64", "schools": "Int64"})


def size_table(by_size: pd.DataFrame) -> pd.DataFrame:
    """Schools and pupils per size band (rows, plus ``"all schools"``), rural and urban.

    ``by_size`` as returned by :func:`schools_by_size_and_setting`. Columns: rural
    schools, urban schools, rural pupils, urban pupils.
    """
    wide = by_size.pivot_table(
        index="size_band", columns="setting", values=["schools", "pupils"], observed=False
    )
    wide.columns = [f"{setting} {what}" for what, setting in wide.columns]
    wide = wide[["rural schools", "urban schools", "rural pupils", "urban pupils"]].astype("int64")
    wide.index = wide.index.astype("str")
    wide.loc["all schools"] = wide.sum()
    return wide.rename_axis("pupils on roll")


def coverage_table(coverage: pd.DataFrame) -> pd.DataFrame:
    """Member schools per year (rows) and partnership kind (columns), with open schools.

    ``coverage`` as returned by :func:`partnership_coverage`; kinds without any member
    in any year are left out.
    """
    kinds = list(dict.fromkeys(coverage["kind"]))
    wide = coverage.pivot(index="year", columns="kind", values="schools")[kinds]
    wide = wide.loc[:, wide.max() > 0]
    wide["open schools"] = coverage.groupby("year")["open_schools"].first()
    return wide.rename_axis(columns=None)


def ks2_trend_table(trends: pd.DataFrame) -> pd.DataFrame:
    """% meeting the KS2 standard and pupils per year (rows) and group (columns).

    ``trends`` as returned by :func:`ks2_trends`; years without results are left out.
    Columns are pairs (measure, group) with measure ``"% RWM"`` or ``"pupils"``.
    """
    wide = trends.dropna(subset=["ks2_rwm_exp"]).pivot(
        index="year", columns="group", values=["ks2_rwm_exp", "pupils"]
    )
    wide = wide.rename(columns={"ks2_rwm_exp": "% RWM"}, level=0)
    order = [(measure, group) for measure in ("% RWM", "pupils") for group in GROUPS]
    return wide.reindex(columns=pd.MultiIndex.from_tuples(order))
