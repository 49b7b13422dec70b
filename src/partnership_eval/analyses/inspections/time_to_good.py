"""Time back to good: spells below good, survival curves and the log-rank test.

A spell starts at an inspection graded requires improvement or inadequate that follows a
good-or-better grade (or no grade) and ends at the next inspection graded good or better.
A spell still open is censored when the school closed, at the end of the inspection
data, or — for a spell of a comparison school — on the day the school joins a
partnership of the kind compared: from then on it is no longer a comparison school, and
counting its later improvement for the comparison group would credit the partnership's
work to the others. The group is membership when the spell starts.

Kaplan–Meier curves and the log-rank test come from statsmodels' duration module; a
school can have several spells, so their intervals come from a bootstrap over schools
(every draw resamples schools with all their spells), and the log-rank statistic's
variance is taken from the same draws.

Read against the schedule: from 2012 a school judged requires improvement is normally
re-inspected within about 30 months, and an inadequate school monitored and re-inspected
sooner, so the steps of these curves follow the inspection calendar — the earliest a
school *could* be found good again — as much as the speed of improvement.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from partnership_eval.analyses.inspections.history import GROUPS, graded_inspections, member_on
from partnership_eval.errors import InputError
from partnership_eval.exclusions import Counted, exclusion, exclusion_frame
from partnership_eval.panel import Area, academic_year, area_schools, memberships_of_kind
from partnership_eval.result import HypothesisTest

REINSPECTION_MONTHS = 30
"""Months within which a school judged requires improvement is normally re-inspected."""


def first_join_after(
    urns: pd.Series,
    dates: pd.Series,
    memberships: pd.DataFrame,
    partnerships: pd.DataFrame,
    kind: str | Sequence[str],
) -> pd.Series:
    """The first date after each (school, date) on which the school joined a partnership
    of ``kind`` (NaT when it never did)."""
    joins = memberships_of_kind(memberships, partnerships, kind)[["urn", "joined"]]
    rows = pd.DataFrame(
        {"urn": urns.to_numpy(), "date": dates.to_numpy(), "row": np.arange(len(urns))}
    )
    hits = rows.merge(joins, on="urn")
    hits = hits[hits["joined"] > hits["date"]]
    first = hits.groupby("row")["joined"].min()
    return pd.Series(first.reindex(np.arange(len(urns))).to_numpy(), index=urns.index)


def spells_below_good(
    inspections: pd.DataFrame,
    memberships: pd.DataFrame,
    partnerships: pd.DataFrame,
    kind: str | Sequence[str] = "mat",
    *,
    schools: pd.DataFrame | None = None,
    area: Area = None,
    years: tuple[int, int] | None = None,
    censor_date: pd.Timestamp | None = None,
) -> Counted:
    """Spells below good and how long each took to reach good or better.

    Returns urn, start,
    start_grade, end, years, improved, joined_partnership (a comparison spell censored on
    joining), partnership_id and group, with the exclusions.
    """
    exclusions: list[dict] = []
    graded = graded_inspections(inspections, exclusions)
    if censor_date is None:
        censor_date = graded["date"].max()
    if area is not None:
        if schools is None:
            raise InputError(
                "an area needs the schools table", column="schools", fix="pass schools=data.schools"
            )
        graded = graded[graded["urn"].isin(area_schools(schools, area)["urn"])]
    below = graded["grade"] >= 3
    previous_below = below.groupby(graded["urn"]).shift(1, fill_value=False).astype(bool)
    starts = below & ~previous_below
    # The first good-or-better inspection at or after each row, within the school.
    next_good = graded["date"].where(~below).groupby(graded["urn"]).bfill()
    spells = graded.loc[starts, ["urn", "date", "grade"]].rename(
        columns={"date": "start", "grade": "start_grade"}
    )
    closed = (
        spells["urn"].map(schools.drop_duplicates("urn").set_index("urn")["close_date"])
        if schools is not None
        else pd.Series(pd.NaT, index=spells.index)
    )
    censor = pd.to_datetime(closed).where(closed < censor_date, censor_date)
    spells["partnership_id"] = member_on(
        spells["urn"], spells["start"], memberships, partnerships, kind
    )
    spells["group"] = np.where(spells["partnership_id"].notna(), GROUPS[0], GROUPS[1])
    joins = first_join_after(spells["urn"], spells["start"], memberships, partnerships, kind)
    joins_first = (spells["group"] == GROUPS[1]) & joins.notna() & (joins < censor)
    censor = censor.where(~joins_first, joins)
    good = next_good[starts]
    spells["improved"] = (good.notna() & (good <= censor)).to_numpy()
    spells["end"] = good.where(spells["improved"], censor).to_numpy()
    spells["joined_partnership"] = (joins_first & ~spells["improved"]).to_numpy()
    late = spells["start"] > censor
    if late.any():
        exclusions.append(
            exclusion(
                "spell below good starting after the school closed or the end of follow-up",
                spells,
                late,
            )
        )
    spells = spells[~late]
    if years is not None:
        spells = spells[academic_year(spells["start"]).between(*years)]
    spells["years"] = (spells["end"] - spells["start"]).dt.days / 365.25
    columns = [
        "urn",
        "start",
        "start_grade",
        "end",
        "years",
        "improved",
        "joined_partnership",
        "partnership_id",
        "group",
    ]
    out = spells[columns].reset_index(drop=True)
    return Counted(out, exclusion_frame(exclusions, step="spells below good"))


def _school_draws(urns: np.ndarray, n_boot: int, seed: int) -> np.ndarray:
    """Bootstrap weights (draws × spells): each draw resamples schools with their spells."""
    codes, schools = pd.factorize(urns)
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(len(schools), np.full(len(schools), 1 / len(schools)), size=n_boot)
    return counts[:, codes].astype(float)


def _event_matrices(
    times: np.ndarray, events: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct improvement times, and per time which spells are at risk and which improve."""
    uniq = np.unique(times[events])
    risk = times[None, :] >= uniq[:, None]
    hit = events[None, :] & (times[None, :] == uniq[:, None])
    return uniq, risk, hit


def _weighted_km(
    times: np.ndarray, events: np.ndarray, weights: np.ndarray, grid: np.ndarray
) -> np.ndarray:
    """Kaplan–Meier survival at ``grid`` for each row of ``weights`` (draws × spells)."""
    uniq, risk, hit = _event_matrices(times, events)
    if not len(uniq):
        return np.ones((weights.shape[0], len(grid)))
    at_risk, improved = weights @ risk.T, weights @ hit.T
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(at_risk > 0, improved / at_risk, 0.0)
    surv = np.cumprod(1 - hazard, axis=1)
    index = np.searchsorted(uniq, grid, side="right") - 1
    return np.where(index >= 0, surv[:, np.clip(index, 0, None)], 1.0)


def improvement_curves(
    spells: pd.DataFrame, *, alpha: float = 0.05, n_boot: int = 199, seed: int = 0
) -> pd.DataFrame:
    """Kaplan–Meier share of spells that reached good, by group, with intervals from a
    bootstrap over schools (percentile, pointwise).

    Returns group, years, improved (1 − survival), ci_low, ci_high, at_risk; the first
    row of each group is time 0.
    """
    parts = []
    for group in GROUPS:
        mine = spells[spells["group"] == group]
        if mine.empty:
            continue
        times = mine["years"].to_numpy(float)
        events = mine["improved"].to_numpy(bool)
        fit = SurvfuncRight(times, events.astype(int))
        grid = np.r_[0.0, fit.surv_times]
        draws = _weighted_km(
            times, events, _school_draws(mine["urn"].to_numpy(), n_boot, seed), grid
        )
        low, high = np.quantile(1 - draws, [alpha / 2, 1 - alpha / 2], axis=0)
        parts.append(
            pd.DataFrame(
                {
                    "group": group,
                    "years": grid,
                    "improved": np.r_[0.0, 1 - fit.surv_prob],
                    "ci_low": low,
                    "ci_high": high,
                    "at_risk": np.r_[len(mine), fit.n_risk],
                }
            )
        )
    columns = ["group", "years", "improved", "ci_low", "ci_high", "at_risk"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def improvement_summary(
    spells: pd.DataFrame, curves: pd.DataFrame, *, horizons: Sequence[float] = (2.0, 3.0)
) -> pd.DataFrame:
    """Per group: spells, how many improved, censored on joining, median years to good and
    the share back to good by each horizon."""
    rows = []
    for group in GROUPS:
        mine = spells[spells["group"] == group]
        curve = curves[curves["group"] == group]
        row: dict = {
            "group": group,
            "spells": len(mine),
            "improved": int(mine["improved"].sum()),
            "censored_on_joining": int(mine["joined_partnership"].sum()),
        }
        reached = curve.loc[curve["improved"] >= 0.5, "years"]
        row["median_years"] = float(reached.iloc[0]) if len(reached) else np.nan
        for h in horizons:
            upto = curve[curve["years"] <= h]
            row[f"improved_by_{h:g}y"] = float(upto["improved"].iloc[-1]) if len(upto) else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def logrank_test(spells: pd.DataFrame, *, n_boot: int = 199, seed: int = 0) -> HypothesisTest:
    """Log-rank test of equal time to good between the groups, clustered by school.

    The observed-minus-expected improvements of the partnership group (statsmodels'
    ``survdiff`` gives the unclustered statistic) divided by its standard deviation over
    a bootstrap over schools; chi-square on 1 df. Not computable (NaN) with fewer than
    two groups or no overlap in time.
    """
    method = "log-rank test of equal time to good, variance from a bootstrap over schools"
    failed = HypothesisTest(np.nan, 0, np.nan, method, len(spells))
    if spells["group"].nunique() < 2:
        return failed
    try:
        survdiff(
            spells["years"].to_numpy(),
            spells["improved"].astype(int).to_numpy(),
            spells["group"].to_numpy(),
        )
    except np.linalg.LinAlgError:  # no spell at risk in one group when the other improves
        return failed
    weights = _school_draws(spells["urn"].to_numpy(), n_boot, seed)
    observed = _o_minus_e(spells, np.ones((1, len(spells))))[0]
    spread = _o_minus_e(spells, weights).std(ddof=1)
    if not spread > 0:
        return failed
    statistic = float((observed / spread) ** 2)
    n_schools = int(spells["urn"].nunique())
    return HypothesisTest(
        statistic, 1, float(stats.chi2.sf(statistic, 1)), method, len(spells), n_schools
    )


def _o_minus_e(spells: pd.DataFrame, weights: np.ndarray) -> np.ndarray:
    """Observed minus expected improvements of the partnership group, per weight row."""
    times = spells["years"].to_numpy(float)
    events = spells["improved"].to_numpy(bool)
    member = (spells["group"] == GROUPS[0]).to_numpy()
    _, risk, hit = _event_matrices(times, events)
    n = weights @ risk.T
    n1 = (weights * member) @ risk.T
    d = weights @ hit.T
    d1 = (weights * member) @ hit.T
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.where(n > 0, d * n1 / n, 0.0)
    return (d1 - expected).sum(axis=1)
