"""Similar schools: the schools closest to one school in context, chosen from all the data.

Following the idea of DfE's "similar schools" (about 50 per school), a school's
comparison group is its ``n`` nearest neighbours on standardised context: size
(log of pupils on roll), disadvantage (% of pupils eligible for free school meals),
setting (rural or urban) and prior attainment (the pupil-weighted % meeting the KS2
expected standard over the ``prior_years`` result years *before* the year compared,
never that year's result itself, so the group is not chosen on the outcome it is
compared on). Candidates are schools of the same phase with KS2 pupils in the year
compared and every context measure the school itself has; a measure the school lacks
is left out and said so. Distances are Euclidean on z-scores (each measure weighs the
same); the choice is one vectorised pass, no loop over schools.

It describes, it does not estimate an effect: alike schools can differ in ways the
data do not show.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from partnership_eval.errors import EstimationError, InputError
from partnership_eval.plots import new_axes
from partnership_eval.result import Result, exclusion_frame, tidy_frame

FEATURES = {
    "log_pupils": "number of pupils",
    "fsm_pct": "share of pupils on free school meals",
    "rural": "rural or urban setting",
    "prior_rwm": "past results",
}
"""Context measures, in the order used, with their plain names."""

N_SIMILAR = 50
PRIOR_YEARS = 3
ENGLAND_LAS = 100
"""A pool spanning at least this many LAs is described as "across England"."""


@dataclass(frozen=True)
class SimilarSpec:
    """Settings of a similar-schools choice."""

    urn: int
    year: int
    n: int = N_SIMILAR
    prior_years: int = PRIOR_YEARS
    alpha: float = 0.05


@dataclass(frozen=True)
class SimilarSchools(Result):
    """A school's similar-schools group.

    ``group`` has one row per chosen school (urn, name, la_name, distance and the
    context measures), nearest first; ``school`` the school's own measures;
    ``features`` the measures used; ``pool`` how many candidates there were;
    ``pool_las`` the LAs they came from; ``prior_window`` the years of past results.
    """

    spec: SimilarSpec
    exclusions: pd.DataFrame
    group: pd.DataFrame
    school: pd.Series
    features: tuple[str, ...]
    pool: int
    pool_las: tuple[str, ...]
    prior_window: tuple[int, ...]

    title = "Similar schools"
    headline_label = "schools in the similar-schools group"

    def tidy(self) -> pd.DataFrame:
        """One row per context measure: the group's mean (estimate) and range, the school's value."""
        rows = []
        for feature in self.features:
            values = self.group[feature].astype("float64")
            rows.append(
                {
                    "term": FEATURES[feature],
                    "estimate": values.mean(),
                    "ci_low": values.min(),
                    "ci_high": values.max(),
                    "n_comparison": len(values),
                    "school": float(self.school[feature]),
                }
            )
        return tidy_frame(rows, alpha=self.alpha)

    def plot(self, ax=None):
        """The school beside its group on each measure (z-scores, the school in colour)."""
        ax = ax if ax is not None else new_axes((7.5, 2.5))
        means = self.group[list(self.features)].astype("float64")
        centre, scale = means.mean(), means.std(ddof=0).replace(0, 1)
        for i, feature in enumerate(self.features):
            z = (means[feature] - centre[feature]) / scale[feature]
            ax.plot(z, np.full(len(z), i), "o", color="#999999", alpha=0.5)
            ax.plot(
                (self.school[feature] - centre[feature]) / scale[feature], i, "D", color="#0072B2"
            )
        ax.set_yticks(range(len(self.features)), [FEATURES[f] for f in self.features])
        ax.set_xlabel("distance from the group's middle (standard units)")
        return ax

    def where(self) -> str:
        """Where the candidates came from: "across England" or the LAs named."""
        if len(self.pool_las) >= ENGLAND_LAS:
            return "across England"
        if len(self.pool_las) <= 3:
            return "in " + " and ".join(self.pool_las)
        return f"in the {len(self.pool_las)} council areas in these data"

    def method_sentence(self) -> str:
        """How the group was chosen, in a few short sentences a parent can follow."""
        words = [FEATURES[f] for f in self.features]
        listed = ", ".join(words[:-1]) + f" and {words[-1]}" if len(words) > 1 else words[0]
        text = (
            f"We compare the school with the {len(self.group)} schools {self.where()} that are "
            f"most like it. They are closest to it in {listed}."
        )
        if "prior_rwm" in self.features and self.prior_window:
            text += (
                f" Past results are from {_years(self.prior_window)}, before the year we compare."
            )
        elif self.prior_window:
            text += " The school's past results are not published, so they were not used."
        return text + f" We chose them from {self.pool:,} schools with results that year."


def _years(years: tuple[int, ...]) -> str:
    return (
        ", ".join(map(str, years[:-1])) + f" and {years[-1]}" if len(years) > 1 else str(years[0])
    )


def prior_window(
    outcomes: pd.DataFrame, year: int, prior_years: int = PRIOR_YEARS
) -> tuple[int, ...]:
    """The last ``prior_years`` years before ``year`` with any KS2 results in the data."""
    with_results = outcomes.loc[outcomes["ks2_rwm_exp"].notna(), "year"]
    years = sorted(int(y) for y in with_results.unique() if y < year)
    return tuple(years[-prior_years:])


def context_measures(
    schools: pd.DataFrame, outcomes: pd.DataFrame, window: tuple[int, ...]
) -> pd.DataFrame:
    """The context measures of every school (index urn), NaN where not published."""
    past = outcomes[outcomes["year"].isin(window) & outcomes["ks2_rwm_exp"].notna()]
    weight = past["cohort_n"].astype("float64").fillna(0)
    sums = (
        pd.DataFrame({"urn": past["urn"], "w": weight, "wy": weight * past["ks2_rwm_exp"]})
        .groupby("urn")
        .sum()
    )
    prior = (sums["wy"] / sums["w"]).where(sums["w"] > 0)
    frame = schools.set_index("urn")
    pupils = frame["pupils"].astype("float64")
    return pd.DataFrame(
        {
            "log_pupils": np.log(pupils.where(pupils > 0)),
            "fsm_pct": frame["fsm_pct"].astype("float64"),
            "rural": frame["rural"].astype("float64"),
            "prior_rwm": prior.reindex(frame.index),
        },
        index=frame.index,
    )


def similar_schools(
    schools: pd.DataFrame,
    outcomes: pd.DataFrame,
    urn: int,
    year: int,
    *,
    n: int = N_SIMILAR,
    prior_years: int = PRIOR_YEARS,
    alpha: float = 0.05,
) -> SimilarSchools:
    """The ``n`` schools most like ``urn`` in context, for comparing results in ``year``.

    Parameters
    ----------
    schools, outcomes
        Canonical tables (all of them: the group is chosen from the whole data).
    urn
        The school.
    year
        The year whose results are compared; past results come from years before it.
    n
        Group size (DfE's similar schools use about 50).
    prior_years
        How many result years before ``year`` measure past results.

    Raises
    ------
    InputError
        ``urn`` is not in ``schools``, ``n`` is below 1, or the school has no context
        measure at all.
    EstimationError
        No candidate school has that year's pupils and the school's context measures.

    Examples
    --------
    >>> group = similar_schools(data.schools, data.outcomes, 118076, 2019)  # doctest: +SKIP
    >>> group.method_sentence()  # doctest: +SKIP
    """
    if n < 1:
        raise InputError(f"n = {n}", column="n", fix="ask for at least one similar school")
    if urn not in set(schools["urn"]):
        raise InputError(
            f"URN {urn} is not in the schools table",
            column="urn",
            fix="give the URN of a school in the data",
        )
    window = prior_window(outcomes, year, prior_years)
    measures = context_measures(schools, outcomes, window)
    own = measures.loc[urn]
    features = tuple(f for f in FEATURES if pd.notna(own[f]))
    if not features:
        raise InputError(
            f"URN {urn} has no published context (pupils, free school meals, setting, "
            "past results)",
            column="urn",
            fix="choose a school with a GIAS record",
        )
    phase = schools.set_index("urn")["phase"]
    this_year = outcomes[(outcomes["year"] == year) & (outcomes["cohort_n"].fillna(0) > 0)]
    candidates = pd.Index(this_year["urn"].unique()).difference([urn])
    records: list[dict] = []

    def drop(reason: str, count: int) -> None:  # one row per candidate school
        if count:
            records.append({"reason": reason, "rows": count, "schools": count})

    known = candidates.intersection(measures.index)
    drop("results but no school record", len(candidates) - len(known))
    if pd.notna(phase.get(urn)):
        same = (phase.reindex(known) == phase[urn]).to_numpy()
        drop(f"not a {str(phase[urn]).lower()} school", int((~same).sum()))
        known = known[same]
    pool = measures.loc[known, list(features)]
    complete = pool.notna().all(axis=1)
    drop("context not published", int((~complete).sum()))
    pool = pool[complete]
    if pool.empty:
        raise EstimationError(
            f"no other school has KS2 pupils in {year} and the context measures of URN {urn}, "
            "so no similar schools can be chosen"
        )
    values = pool.to_numpy()
    everyone = np.vstack([values, own[list(features)].to_numpy(dtype="float64")])
    centre, scale = everyone.mean(axis=0), everyone.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    z = (values - centre) / scale
    z_own = (own[list(features)].to_numpy(dtype="float64") - centre) / scale
    distance = np.sqrt(((z - z_own) ** 2).sum(axis=1))
    k = min(n, len(distance))
    nearest = np.argsort(distance, kind="stable")[:k]
    info = schools.set_index("urn")[["name", "la_name", "pupils"]]
    group = pool.iloc[nearest].assign(distance=distance[nearest])
    group = info.reindex(group.index).join(group).reset_index()
    pool_las = tuple(sorted(info.loc[pool.index, "la_name"].dropna().unique()))
    return SimilarSchools(
        spec=SimilarSpec(urn=urn, year=year, n=n, prior_years=prior_years, alpha=alpha),
        exclusions=exclusion_frame(records, step="similar schools"),
        group=group,
        school=own[list(features)],
        features=features,
        pool=len(pool),
        pool_las=pool_las,
        prior_window=window,
    )
