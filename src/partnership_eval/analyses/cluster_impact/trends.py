"""Raw trends: the outcome of treated and comparison schools year by year, before any model.

The mean of school results (each school counts once, as in the estimate) among schools
with a published result; years without KS2 tests (2020, 2021) appear as rows with no
value, so lines break there rather than joining across the gap.
"""

from __future__ import annotations

import pandas as pd

from partnership_eval.analyses.cluster_impact.design import (
    COMPARISON,
    TREATED,
    ImpactDesign,
    all_schools_design,
)
from partnership_eval.data.schema import NO_TESTS

"""Academic years without KS2 tests."""

ALL_SCHOOLS = "all never-treated schools (any size)"


def _yearly(panel: pd.DataFrame, outcome: str, label_of: dict[str, str]) -> pd.DataFrame:
    known = panel[panel[outcome].notna()]
    out = (
        known.groupby(["group", "year"])
        .agg(mean=(outcome, "mean"), schools=("urn", "nunique"), pupils=("cohort_n", "sum"))
        .reset_index()
    )
    out["group"] = out["group"].map(label_of)
    return out


def raw_trends(design: ImpactDesign, outcome: str = "ks2_rwm_exp") -> pd.DataFrame:
    """Mean outcome per year for treated and comparison schools (and, when the design is
    limited to small schools, for every never-treated school as the naive comparison).

    Returns group, year, mean, schools, pupils; gap years present with missing values.
    """
    labels = {TREATED: "treated", COMPARISON: "comparison"}
    parts = [_yearly(design.panel, outcome, labels)]
    if design.options["size_threshold"]:
        naive = all_schools_design(design).panel
        naive = naive[naive["group"] == COMPARISON]
        parts.append(_yearly(naive, outcome, {COMPARISON: ALL_SCHOOLS}))
    table = pd.concat(parts, ignore_index=True)
    first, last = int(table["year"].min()), int(table["year"].max())
    gaps = [y for y in NO_TESTS if first < y < last and y not in set(table["year"])]
    if gaps:
        filler = pd.DataFrame(
            [(g, y) for g in table["group"].unique() for y in gaps], columns=["group", "year"]
        )
        table = pd.concat([table, filler], ignore_index=True)
    return table.sort_values(["group", "year"]).reset_index(drop=True)


def trend_table(trends: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Wide table for display, one row per year: mean and pupils per group, and the map
    of each mean column to the pupil count it rests on (``rates`` for disclosure)."""
    wide = trends.pivot(index="year", columns="group", values=["mean", "pupils"])
    wide.columns = [f"{stat} ({group})" for stat, group in wide.columns]
    groups = trends["group"].unique()
    return wide, {f"mean ({g})": f"pupils ({g})" for g in groups}
