"""Other outcomes the programme claimed: floor-standard counts and Ofsted grades.

Descriptive before-and-after comparisons of treated and comparison schools — shares,
not causal estimates. "Before" is the years before the first start, "after" the years
from the last start on (the roll-out years between are left out of the summary). The
floor standard (see :func:`~partnership_eval.analyses.cluster_impact.outcomes.below_floor`) existed
only in 2016-2019, so for programmes that started earlier there is no "before".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from partnership_eval.analyses.cluster_impact.design import COMPARISON, TREATED, ImpactDesign
from partnership_eval.result import Result, exclusion_frame, tidy_frame

GOOD = (1, 2)
"""Ofsted grades counted as good or better."""

if TYPE_CHECKING:
    from matplotlib.axes import Axes


@dataclass(frozen=True)
class ClaimsSpec:
    """The claims' design: start years bounding before and after."""

    first_start: int
    last_start: int
    alpha: float = 0.05


def ofsted_by_year(design: ImpactDesign, inspections: pd.DataFrame) -> pd.DataFrame:
    """Each design school's latest Ofsted grade as at 31 August of each year.

    Returns urn, group, year, grade (missing before a school's first inspection),
    good (grade 1 or 2).
    """
    schools = design.schools[["urn", "group"]]
    years = np.arange(design.years[0], design.years[-1] + 1)
    grid = schools.merge(pd.DataFrame({"year": years}), how="cross")
    grid["date"] = pd.to_datetime(grid["year"].astype(str) + "-08-31").astype("datetime64[us]")
    graded = (
        inspections.loc[
            inspections["urn"].isin(schools["urn"]) & inspections["grade"].notna(),
            ["urn", "date", "grade"],
        ]
        .astype({"date": "datetime64[us]"})
        .sort_values("date")
    )
    merged = pd.merge_asof(
        grid.sort_values("date"), graded, on="date", by="urn", direction="backward"
    )
    merged["good"] = merged["grade"].isin(GOOD).astype("boolean").where(merged["grade"].notna())
    return merged.drop(columns="date").sort_values(["urn", "year"]).reset_index(drop=True)


def _period(design: ImpactDesign, years: pd.Series) -> pd.Series:
    cohorts = design.cohorts
    return pd.Series(
        np.select([years < cohorts[0], years >= cohorts[-1]], ["before", "after"], "roll-out"),
        index=years.index,
    )


def _shares(frame: pd.DataFrame, flag: str, by: list[str]) -> pd.DataFrame:
    known = frame[frame[flag].notna()]
    out = known.groupby(by, observed=True).agg(
        schools=("urn", "nunique"), school_years=(flag, "size"), hits=(flag, "sum")
    )
    out["share"] = 100 * out["hits"] / out["school_years"]
    return out.reset_index()


@dataclass(frozen=True)
class ClaimsResult(Result):
    """Floor-standard and Ofsted shares by group and year, before vs after, and per
    measure the difference in changes (``changes``: one row per measure). Descriptive:
    no standard errors."""

    spec: ClaimsSpec
    floor_by_year: pd.DataFrame
    ofsted_by_year: pd.DataFrame
    before_after: pd.DataFrame
    changes: pd.DataFrame
    exclusions: pd.DataFrame = field(default_factory=exclusion_frame)
    title = "Claimed outcomes"
    headline_label = "difference in change, % below floor standard (points)"

    def tidy(self) -> pd.DataFrame:
        """Per measure the difference in changes (treated minus comparison, points)."""
        return tidy_frame(
            pd.DataFrame(
                {"term": self.changes["measure"], "estimate": self.changes["difference_in_change"]}
            ),
            alpha=self.alpha,
        )

    def plot(self, ax: Axes | None = None, *, title: str = "") -> Axes:
        """% of school-years below the floor standard, by group and year."""
        from partnership_eval.analyses.cluster_impact.figures import claims_plot

        return claims_plot(self.floor_by_year, "% below floor standard", title=title, ax=ax)

    def plot_ofsted(self, ax: Axes | None = None, *, title: str = "") -> Axes:
        """% of schools good or better at Ofsted, by group and year."""
        from partnership_eval.analyses.cluster_impact.figures import claims_plot

        return claims_plot(self.ofsted_by_year, "% good or better (Ofsted)", title=title, ax=ax)


def claimed_outcomes(design: ImpactDesign, inspections: pd.DataFrame) -> ClaimsResult:
    """Floor-standard and good-or-better shares, treated vs comparison, before vs after.

    ``before_after`` has measure, group, period, schools, school_years, share;
    ``changes`` has per measure the change (after minus before, percentage points) of each
    group and the descriptive difference in changes (treated minus comparison), missing
    where a period has no data.
    """
    panel = design.panel
    floor = _shares(panel, "below_floor", ["group", "year"])
    ofsted = ofsted_by_year(design, inspections)
    good = _shares(ofsted, "good", ["group", "year"])
    parts = []
    for measure, frame, flag in (
        ("% below floor standard", panel, "below_floor"),
        ("% good or better (Ofsted)", ofsted, "good"),
    ):
        frame = frame.assign(period=_period(design, frame["year"]))
        shares = _shares(frame[frame["period"] != "roll-out"], flag, ["group", "period"])
        parts.append(shares.assign(measure=measure))
    before_after = pd.concat(parts, ignore_index=True)
    before_after = before_after[["measure", "group", "period", "schools", "school_years", "share"]]
    spec = ClaimsSpec(int(design.cohorts[0]), int(design.cohorts[-1]))
    return ClaimsResult(spec, floor, good, before_after, _changes(before_after))


def _changes(before_after: pd.DataFrame) -> pd.DataFrame:
    """One row per measure: each group's change and the difference in changes."""
    wide = before_after.pivot_table(
        index="measure", columns=["group", "period"], values="share", dropna=False
    )
    out = pd.DataFrame(index=before_after["measure"].unique())
    out.index.name = "measure"
    for group in (TREATED, COMPARISON):
        after = wide.get((group, "after"))
        before = wide.get((group, "before"))
        change = after - before if after is not None and before is not None else np.nan
        out[f"change ({group})"] = change
    out["difference_in_change"] = out[f"change ({TREATED})"] - out[f"change ({COMPARISON})"]
    return out.reset_index()
