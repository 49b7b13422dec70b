"""The estimation sample of one outcome, and which schools each comparison of it uses.

Small schools' results are often suppressed (5 or fewer pupils), so a panel that keeps
only schools with a result in every year loses many of them. By default every result is
kept (an unbalanced panel): each start-year × year comparison then uses the schools with
a result in both years it compares. This module makes every step explicit — which
schools, how many, and why — before the estimator sees the data, and says which schools
each comparison uses, so the report can count them and the planted truth can be
computed for exactly those schools.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from partnership_eval.errors import EstimationError, InputError
from partnership_eval.exclusions import exclusion, exclusion_frame
from partnership_eval.labels import measure_label

NEEDED = ("urn", "year", "first_treated", "group", "weight", "partnership_id", "la_code")


def _entry(reason: str, frame: pd.DataFrame, mask: pd.Series) -> dict:
    return {"step": "sample", **exclusion(reason, frame, mask)}


def cell_pairs(years: Sequence[int], cohorts: Sequence[int], anticipation: int = 0) -> pd.DataFrame:
    """The comparisons of a staggered DiD with varying base period: cohort, time, base.

    As the engine plans them: a year from ``anticipation`` years before the start on is
    compared with the last year with results before that; an earlier year with the
    previous year with results. Cohorts without such a base year have none.
    """
    periods = np.sort(np.unique(np.asarray(years, dtype="int64")))
    rows = []
    for g in sorted({int(c) for c in cohorts if c > 0}):
        start = g - anticipation
        before = periods[periods < start]
        if len(before) == 0:
            continue
        for j in range(1, len(periods)):
            t = int(periods[j])
            rows.append((g, t, int(before[-1]) if t >= start else int(periods[j - 1])))
    return pd.DataFrame(rows, columns=["cohort", "time", "base"], dtype="int64")


def cell_members(sample: pd.DataFrame, anticipation: int = 0) -> pd.DataFrame:
    """Treated schools each comparison uses: cohort, time, urn (result in both its years)."""
    treated = sample.loc[sample["first_treated"] > 0, ["urn", "year", "first_treated"]]
    pairs = cell_pairs(sample["year"].unique(), treated["first_treated"].unique(), anticipation)
    seen = treated[["urn", "year"]]
    units = treated.drop_duplicates("urn")[["urn", "first_treated"]]
    grid = pairs.merge(units, left_on="cohort", right_on="first_treated")
    grid = grid.merge(seen.rename(columns={"year": "time"}), on=["urn", "time"])
    grid = grid.merge(seen.rename(columns={"year": "base"}), on=["urn", "base"])
    return grid[["cohort", "time", "urn"]].reset_index(drop=True)


def used_schools(sample: pd.DataFrame, anticipation: int = 0) -> tuple[int, int]:
    """Treated and comparison schools that enter at least one comparison of ``sample``."""
    members = cell_members(sample, anticipation)
    pairs = cell_pairs(sample["year"].unique(), sample["first_treated"].unique(), anticipation)
    pairs = pairs[["time", "base"]].drop_duplicates()
    comparison = sample.loc[sample["first_treated"] == 0, ["urn", "year"]]
    both = pairs.merge(comparison.rename(columns={"year": "time"}), on="time").merge(
        comparison.rename(columns={"year": "base"}), on=["urn", "base"]
    )
    return int(members["urn"].nunique()), int(both["urn"].nunique())


def _thin_cohorts(df: pd.DataFrame, need: int, anticipation: int) -> pd.Series:
    """Rows of cohorts with a comparison that fewer than ``need`` of its schools enter."""
    members = cell_members(df, anticipation)
    treated = df.loc[df["first_treated"] > 0, "first_treated"]
    pairs = cell_pairs(df["year"].unique(), treated, anticipation)
    counts = members.groupby(["cohort", "time"]).size()
    per_cell = pairs.set_index(["cohort", "time"]).index.map(counts).fillna(0)
    thin = pairs.loc[np.asarray(per_cell) < need, "cohort"].unique()
    return df["first_treated"].isin(thin) & (df["first_treated"] > 0)


def _missing_rows(
    panel: pd.DataFrame, df: pd.DataFrame, outcome: str, covariates: list[str]
) -> tuple[pd.Series, pd.Series, list[dict]]:
    entries = []
    missing = df[outcome].isna()
    reason_col = f"{outcome}_reason"
    if missing.any():
        reasons = (
            panel.loc[missing, reason_col].fillna("not given")
            if reason_col in panel.columns
            else pd.Series("not given", index=df.index[missing])
        )
        for reason, idx in reasons.groupby(reasons).groups.items():
            mask = pd.Series(df.index.isin(idx), df.index)
            entries.append(_entry(f"no {measure_label(outcome)} result ({reason})", df, mask))
    incomplete = ~missing & df[covariates].isna().any(axis=1) if covariates else missing & False
    if incomplete.any():
        entries.append(_entry("a covariate is missing", df, incomplete))
    return missing, incomplete, entries


def estimation_sample(
    panel: pd.DataFrame,
    outcome: str,
    covariates: Sequence[str] = (),
    *,
    balanced: bool = False,
    min_cohort: int | None = None,
    anticipation: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows usable for estimating the effect on ``outcome``, and what was left out
    (comparisons planned as the engine plans them with ``anticipation``).

    Drops rows with a missing outcome or covariate (by the source's reason where given),
    treated schools that started before the outcome's first year with results, — when
    ``balanced`` — schools without a result in every remaining year, and start-year
    cohorts with a comparison (start year × year) that fewer than ``min_cohort`` of their
    schools enter (default: the estimator's minimum, number of covariates + 2). Returns
    the sample and an exclusions table (step, reason, rows, schools).
    """
    if outcome not in panel.columns:
        raise InputError(
            f"unknown outcome {outcome!r}; use ks2_rwm_exp, read_prog, writ_prog, mat_prog, "
            "disadv_rwm_exp, non_disadv_rwm_exp, disadv_gap or disadv_share"
        )
    covariates = list(covariates)
    unknown = [c for c in covariates if c not in panel.columns]
    if unknown:
        raise InputError(
            f"unknown covariate(s) {unknown}; use baseline columns such as fsm_pct, "
            "base_cohort_n, rural, base_ks2_rwm_exp"
        )
    cols = list(dict.fromkeys([*NEEDED, outcome, *covariates, "cohort_n"]))
    df = panel[cols].copy()
    for c in [*covariates, outcome]:
        df[c] = df[c].astype("float64")
    missing, incomplete, entries = _missing_rows(panel, df, outcome, covariates)
    df = df[~missing & ~incomplete]
    if df.empty:
        raise EstimationError(f"no school has a {outcome} result in the years chosen")

    first = int(df["year"].min())
    early = (df["first_treated"] > 0) & (df["first_treated"] <= first)
    if early.any():
        entries.append(
            _entry(
                f"started in or before {first}, the first year with {outcome} results "
                "(no year before the start to compare with)",
                df,
                early,
            )
        )
        df = df[~early]
    if balanced:
        n_years = df["year"].nunique()
        gappy = df.groupby("urn")["year"].transform("size") < n_years
        if gappy.any():
            entries.append(
                _entry(
                    f"without a {outcome} result in every one of the {n_years} years "
                    "(only schools with a result every year; mostly suppressed small cohorts)",
                    df,
                    gappy,
                )
            )
            df = df[~gappy]
    need = min_cohort or len(covariates) + 2
    thin = _thin_cohorts(df, need, anticipation)
    if thin.any():
        entries.append(
            _entry(
                f"start-year cohort with a year where fewer than {need} of its schools have "
                f"{outcome} results in both years compared",
                df,
                thin,
            )
        )
        df = df[~thin]
    groups = df.groupby("group")["urn"].nunique()
    if groups.get("treated", 0) == 0 or groups.get("comparison", 0) == 0:
        who = "treated" if groups.get("treated", 0) == 0 else "comparison"
        raise EstimationError(
            f"no {who} school has enough results ({measure_label(outcome)}) to compare years"
            + (" in every year; try balanced=False" if balanced else "")
            + (
                f" (each start year needs at least {need} schools with results in both years "
                "of every comparison)"
                if who == "treated" and thin.any()
                else ""
            )
        )
    return df.reset_index(drop=True), exclusion_frame(entries)
