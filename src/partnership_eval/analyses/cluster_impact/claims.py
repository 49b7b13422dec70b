"""Other outcomes the programme claimed: Ofsted grades and the KS2 floor standard, event-based.

Each design school is seen twice around its start: its last graded Ofsted inspection
before the start and its first graded inspection after it; its last KS2 floor-standard
result before the start and its first one after. Only schools seen both times enter — the
same schools before and after — and the others are counted in ``exclusions``.

Start of a comparison school. Comparison schools never start, so each gets a pretend one
(:func:`~partnership_eval.analyses.cluster_impact.claim_events.claim_starts`): with a matched design, the start year of the treated school(s) it
was matched to; otherwise every treated start year, weighted by that year's share of the
treated schools, so the comparison's mix of start years is the treated one's (a stacked
comparison; the rows of one school share its cluster). A comparison school that later
joins a partnership itself is seen only until it joins.

Timing. Start year ``g`` (named by the academic year it ends) begins on 1 September of
``g - 1``. "Before" is an inspection before 1 September of ``g - 1 - anticipation``, or
a KS2 result of a year before ``g - anticipation``; "after" an inspection from the start
to the end of the design's last year (31 August), or a KS2 result from year ``g`` on. A
graded inspection is one with a grade (short inspections that confirm a grade count).

Measures and inference. Per group: the mean before, after and the mean change of its
schools; then the difference in changes (partnership minus comparison), a linear
probability difference-in-differences with school fixed effects — on two periods of the
same schools, the weighted regression of each school's change on a partnership indicator
(statsmodels WLS). Intervals are cluster-robust with t critical values on clusters − 1
degrees of freedom: partnership schools clustered by partnership (its schools share
shocks and the decision to join) unless ``cluster="school"``, comparison schools each
their own cluster.

Reading. Descriptive with intervals, not a causal estimate: Ofsted inspects on a schedule
set by the last grade (weaker schools sooner; outstanding schools were exempt from
routine inspection 2012-2020), so which schools have an "after" inspection and how long
after differs by their "before" grade, and schools are often chosen for a partnership
after a bad result, from which they would partly recover anyway. The floor standard
(:func:`~partnership_eval.analyses.cluster_impact.outcomes.below_floor`) existed only in
2016-2019, so programmes that started earlier have no "before" for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import statsmodels.api as sm

from partnership_eval.analyses.cluster_impact.claim_events import (
    GROUP_WORDS,
    OBSERVATION,
    censor_joiners,
    claim_starts,
    floor_events,
    missing_events,
    ofsted_events,
)
from partnership_eval.analyses.cluster_impact.design import (
    COMPARISON,
    TREATED,
    ImpactDesign,
    MatchedDesign,
)
from partnership_eval.analyses.cluster_impact.outcomes import FLOOR_YEARS
from partnership_eval.errors import InputError
from partnership_eval.labels import estimate_words, number
from partnership_eval.result import Result, concat_exclusions, exclusion_frame, tidy_frame

if TYPE_CHECKING:
    from matplotlib.axes import Axes

GOOD = (1, 2)
"""Ofsted grades counted as good or better."""

MEASURES = ("good", "below_floor", "grade")
"""Measures in the order of the tidy table (the first is the headline)."""

CLAIM_LABELS = {
    "good": "% good or better at Ofsted",
    "below_floor": "% below the KS2 floor standard",
    "grade": "mean Ofsted grade (1 outstanding, 4 inadequate)",
}
UNITS = {"good": "percentage points", "below_floor": "percentage points", "grade": "grades"}
DIGITS = {"good": 0, "below_floor": 0, "grade": 2}
SUFFIX = {"good": "%", "below_floor": "%", "grade": ""}
"""Decimals and unit sign of each measure's levels in words."""
SOURCE = {"good": "Ofsted", "grade": "Ofsted", "below_floor": "floor standard"}
CLUSTERS = ("partnership", "school")
INSPECTION_COLUMNS = ("urn", "date", "grade")


@dataclass(frozen=True)
class ClaimsSpec:
    """How the claims were compared: start years, timing and clustering."""

    starts: tuple[int, ...]
    last_year: int
    anticipation: int = 0
    comparison_starts: str = "every treated start year, weighted by its share of treated schools"
    cluster: str = "partnership"
    method: str = (
        "same schools before and after; difference in changes by weighted least squares of "
        "each school's change on a partnership indicator, cluster-robust intervals"
    )
    alpha: float = 0.05


@dataclass(frozen=True)
class ClaimsResult(Result):
    """Ofsted and floor-standard claims, same schools before and after their start.

    Attributes
    ----------
    schools
        One row per school and (pretend) start seen both times, per measure: measure,
        urn, group, start, weight, partnership and school (the two clusterings), before,
        after, change, years_apart.
    before_after
        measure, group, schools, before, after, change, years_apart (weighted means).
    estimates
        The tidy rows: per measure the difference in changes, then each group's before,
        after and change, with cluster-robust intervals.
    notes
        measure → why it could not be estimated.
    """

    spec: ClaimsSpec
    schools: pd.DataFrame
    before_after: pd.DataFrame
    estimates: pd.DataFrame
    notes: dict[str, str] = field(default_factory=dict)
    exclusions: pd.DataFrame = field(default_factory=exclusion_frame)
    title = "Claimed outcomes (same schools before and after the start)"
    headline_label = "difference in changes, % good or better at Ofsted (points)"

    def tidy(self) -> pd.DataFrame:
        """Per measure the difference in changes, then each group's before, after, change."""
        return tidy_frame(self.estimates, alpha=self.alpha)

    def estimated(self, measure: str) -> bool:
        """Whether ``measure`` has a difference in changes."""
        return measure not in self.notes

    def differences(self) -> pd.DataFrame:
        """Reader table: per measure the schools compared, each group's change and the
        difference in changes with its interval, or why there is none."""
        rows = self.estimates[self.estimates["statistic"] == "difference in changes"]
        change = self.estimates[self.estimates["statistic"] == "change"].pivot(
            index="measure", columns="group", values="estimate"
        )
        out = pd.DataFrame(
            {
                "outcome": rows["measure"].map(CLAIM_LABELS),
                "n_treated": rows["n_treated"],
                "n_comparison": rows["n_comparison"],
                "change, partnership schools": rows["measure"].map(change.get(TREATED, {})),
                "change, comparison schools": rows["measure"].map(change.get(COMPARISON, {})),
                "difference in changes": rows["estimate"],
                "ci_low": rows["ci_low"],
                "ci_high": rows["ci_high"],
                "note": rows["note"],
            }
        )
        return out.set_index("outcome")

    def table(self) -> pd.DataFrame:
        """Reader table: per measure and group the schools, before, after and change."""
        t = self.before_after
        out = pd.DataFrame(
            {
                "outcome": t["measure"].map(CLAIM_LABELS),
                "group": t["group"].map(GROUP_WORDS),
                "schools": t["schools"],
                "before the start": t["before"],
                "after the start": t["after"],
                "change": t["change"],
                "years between before and after": t["years_apart"],
            }
        )
        return out.set_index(["outcome", "group"])

    def reading(self) -> str:
        """The claims in words: first why they are not a causal estimate, then per measure
        each group's before and after and the difference in changes with its interval."""
        ba = self.before_after.set_index(["measure", "group"])
        rows = self.estimates.set_index(["measure", "statistic", "group"])
        parts = [
            "Not a causal estimate: these compare the same schools before and after their "
            "start, but Ofsted inspects weaker schools sooner, so which schools have an "
            "inspection after the start, and how long after, depends on the grade before; "
            "and schools are often chosen for a partnership after a bad result they would "
            "partly recover from anyway."
        ]
        for measure in MEASURES:
            label = CLAIM_LABELS[measure][0].upper() + CLAIM_LABELS[measure][1:]
            if not self.estimated(measure):
                parts.append(f"- {label}: no comparison — {self.notes[measure]}.")
                continue
            groups, digits, unit = [], DIGITS[measure], SUFFIX[measure]
            for group in (TREATED, COMPARISON):
                r = ba.loc[(measure, group)]
                groups.append(
                    f"{int(r['schools']):,} {GROUP_WORDS[group]} went from "
                    f"{number(r['before'], digits)}{unit} to {number(r['after'], digits)}{unit}"
                )
            did = rows.loc[(measure, "difference in changes", "partnership minus comparison")]
            ci = (None, None) if pd.isna(did["ci_low"]) else (did["ci_low"], did["ci_high"])
            parts.append(
                f"- {label}: {groups[0]}; {groups[1]}. Difference in changes: "
                f"{estimate_words(did['estimate'], *ci, self.level, UNITS[measure])}."
            )
        return "\n".join(parts[:1] + [""] + parts[1:])

    def summary(self) -> str:
        """The comparison in words, with intervals and what it cannot show."""
        lines = [self.title, self.reading()]
        if not self.exclusions.empty:
            lines.append("left out:")
            for row in self.exclusions.itertuples(index=False):
                lines.append(f"  {row.step}: {row.reason} — {row.schools} schools")
        return "\n".join(lines)

    def plot(self, ax: Axes | None = None, *, measure: str = "good", title: str = "") -> Axes:
        """Each group's mean before and after the start (same schools), with intervals."""
        from partnership_eval.analyses.cluster_impact.figures import before_after_plot

        if measure not in MEASURES:
            raise InputError(f"measure={measure!r} is not one of {MEASURES}", fix="use 'good'")
        rows = self.estimates[
            (self.estimates["measure"] == measure)
            & self.estimates["statistic"].isin(["before", "after"])
        ]
        return before_after_plot(
            rows.assign(group=rows["group"].map(GROUP_WORDS)),
            CLAIM_LABELS[measure],
            note=self.notes.get(measure, ""),
            title=title,
            ax=ax,
        )


def claimed_outcomes(
    design: ImpactDesign,
    inspections: pd.DataFrame,
    *,
    matched: MatchedDesign | None = None,
    anticipation: int = 0,
    cluster: str = "partnership",
    alpha: float = 0.05,
) -> ClaimsResult:
    """Good-or-better at Ofsted, mean grade and below-floor share: the same schools before
    and after their start, partnership against comparison schools.

    Parameters
    ----------
    design
        The impact design (its treated and comparison schools and their KS2 panel).
    inspections
        Ofsted inspections: urn, date, grade (missing: ungraded).
    matched
        A matched design: its comparison schools, each given the start of the treated
        schools it was matched to (default: every comparison school, every start year).
    anticipation
        Years before the start left out of "before" (as in the main estimate).
    cluster
        ``"partnership"`` (partnership schools clustered by partnership) or ``"school"``.
    alpha
        1 − the interval level.

    Raises
    ------
    InputError
        Inspections without urn, date or grade; an unknown ``cluster``; a negative
        ``anticipation``; ``alpha`` outside (0, 1).
    """
    _check(inspections, cluster, anticipation, alpha)
    if matched is not None:
        design = matched.design
    starts = claim_starts(design, matched)
    last_year = int(design.years[-1])
    starts, early = censor_joiners(starts)
    observed = {
        "Ofsted": ofsted_events(starts, inspections, anticipation, last_year),
        "floor standard": floor_events(starts, design.panel, anticipation, last_year),
    }
    frames, exclusions, notes = [], [early], {}
    for source, events in observed.items():
        exclusions.append(missing_events(events, source))
        seen = events.dropna(subset=["before", "after"])
        for measure in [m for m in MEASURES if SOURCE[m] == source]:
            frames.append(_measure_frame(seen, measure))
    schools = pd.concat(frames, ignore_index=True)
    estimates = []
    for measure in MEASURES:
        rows = schools[schools["measure"] == measure]
        note = _not_estimable(rows, measure, starts, anticipation)
        if note:
            notes[measure] = note
        estimates.append(_estimate(rows, measure, cluster, alpha, note))
    spec = ClaimsSpec(
        starts=tuple(design.cohorts),
        last_year=last_year,
        anticipation=anticipation,
        comparison_starts="the start year of the treated schools each was matched to"
        if matched is not None
        else ClaimsSpec.comparison_starts,
        cluster=cluster,
        alpha=alpha,
    )
    estimates = pd.concat(estimates, ignore_index=True)
    order = {"difference in changes": 0}
    estimates = estimates.sort_values(
        "statistic", key=lambda s: s.map(order).fillna(1), kind="stable"
    ).reset_index(drop=True)
    return ClaimsResult(
        spec=spec,
        schools=schools,
        before_after=_before_after(schools),
        estimates=estimates,
        notes=notes,
        exclusions=concat_exclusions(*exclusions),
    )


def _check(inspections: pd.DataFrame, cluster: str, anticipation: int, alpha: float) -> None:
    if not isinstance(inspections, pd.DataFrame):
        raise InputError(
            f"inspections must be a DataFrame, not {type(inspections).__name__}",
            fix="pass the canonical inspections table (data.inspections)",
        )
    missing = [c for c in INSPECTION_COLUMNS if c not in inspections]
    if missing:
        raise InputError(
            f"inspections lack {', '.join(missing)}",
            column=missing[0],
            fix="pass the canonical inspections table (urn, date, grade)",
        )
    if cluster not in CLUSTERS:
        raise InputError(f"cluster={cluster!r} is not one of {CLUSTERS}", fix="use 'partnership'")
    if anticipation < 0:
        raise InputError(f"anticipation={anticipation} is negative", fix="use 0 or more years")
    if not 0 < alpha < 1:
        raise InputError(f"alpha={alpha} is not between 0 and 1", fix="use e.g. 0.05")


def _measure_frame(seen: pd.DataFrame, measure: str) -> pd.DataFrame:
    """The before/after values of one measure (shares in %, grades as they are)."""
    if measure == "good":
        before, after = 100.0 * seen["before"].isin(GOOD), 100.0 * seen["after"].isin(GOOD)
    elif measure == "below_floor":
        before, after = 100.0 * seen["before"], 100.0 * seen["after"]
    else:
        before, after = seen["before"], seen["after"]
    out = seen[["urn", "group", "start", "weight", "partnership", "school", "years_apart"]]
    out = out.assign(measure=measure, before=before, after=after, change=after - before)
    cols = ["measure", "urn", "group", "start", "weight", "partnership", "school"]
    return out[[*cols, "before", "after", "change", "years_apart"]].reset_index(drop=True)


def _not_estimable(
    rows: pd.DataFrame, measure: str, starts: pd.DataFrame, anticipation: int
) -> str:
    """Why ``measure`` has no difference in changes ("" when it has one)."""
    if measure == "below_floor":
        treated = starts.loc[starts["group"] == TREATED, "start"]
        first, last = min(FLOOR_YEARS), max(FLOOR_YEARS)
        if len(treated) and (treated - anticipation).max() <= first:
            return (
                f"the floor standard applied only in {first}-{last}; every start here "
                f"({', '.join(map(str, sorted(treated.unique())))}) is too early for a "
                "floor-standard result before it"
            )
        if len(treated) and treated.min() > last:
            return f"the floor standard applied only in {first}-{last}, before every start here"
    missing = [GROUP_WORDS[g] for g in (TREATED, COMPARISON) if not (rows["group"] == g).any()]
    if missing:
        what = OBSERVATION[SOURCE[measure]]
        return f"no {' and no '.join(missing)} with a {what} both before and after the start"
    return ""


def _estimate(
    rows: pd.DataFrame, measure: str, cluster: str, alpha: float, note: str
) -> pd.DataFrame:
    """The tidy rows of one measure: the difference in changes, then each group's
    before, after and change, each with a cluster-robust interval."""
    label = CLAIM_LABELS[measure]
    counts = {
        f"n_{key}": rows.loc[rows["group"] == group, "urn"].nunique()
        for key, group in (("treated", TREATED), ("comparison", COMPARISON))
    }
    did = {
        "term": f"{label}: difference in changes",
        "measure": measure,
        "group": "partnership minus comparison",
        "statistic": "difference in changes",
        **counts,
        "note": note,
    }
    if note:
        return pd.DataFrame([did])
    treated = (rows["group"] == TREATED).astype(float).to_numpy()
    groups = pd.factorize(rows[cluster])[0]
    few = [g for g in (TREATED, COMPARISON) if rows.loc[rows["group"] == g, cluster].nunique() < 2]
    design = np.column_stack([np.ones(len(rows)), treated])
    fit = _fit(rows["change"], design, rows["weight"], groups, alpha)
    did.update(_row(fit, 1, hide=bool(few)))
    if few:
        did["note"] = f"one cluster of {' and of '.join(GROUP_WORDS[g] for g in few)}: no interval"
    out = [did]
    by_group = np.column_stack([1.0 - treated, treated])
    for statistic in ("before", "after", "change"):
        fit = _fit(rows[statistic], by_group, rows["weight"], groups, alpha)
        for column, group in enumerate((COMPARISON, TREATED)):
            mine = rows["group"] == group
            out.append(
                {
                    "term": f"{label}: {statistic} ({GROUP_WORDS[group]})",
                    "measure": measure,
                    "group": group,
                    "statistic": statistic,
                    **_row(fit, column, hide=group in few),
                    "n_treated": counts["n_treated"] if group == TREATED else 0,
                    "n_comparison": counts["n_comparison"] if group == COMPARISON else 0,
                    "note": "",
                    "years_apart": np.average(
                        rows.loc[mine, "years_apart"], weights=rows.loc[mine, "weight"]
                    ),
                }
            )
    return pd.DataFrame(out)


def _fit(y: pd.Series, x: np.ndarray, w: pd.Series, groups: np.ndarray, alpha: float) -> dict:
    """Weighted least squares with cluster-robust covariance (t on clusters − 1 df)."""
    fit = sm.WLS(y.to_numpy(float), x, weights=w.to_numpy(float)).fit(
        cov_type="cluster", cov_kwds={"groups": groups}, use_t=True
    )
    return {"params": fit.params, "bse": fit.bse, "ci": fit.conf_int(alpha)}


def _row(fit: dict, column: int, *, hide: bool) -> dict:
    """One coefficient of a fit as estimate, se, ci_low, ci_high (no interval if ``hide``)."""
    out = {"estimate": float(fit["params"][column])}
    spread = (np.nan, np.nan, np.nan) if hide else (fit["bse"][column], *fit["ci"][column])
    out.update(dict(zip(("se", "ci_low", "ci_high"), map(float, spread), strict=True)))
    return out


def _before_after(schools: pd.DataFrame) -> pd.DataFrame:
    """Per measure and group: schools and the weighted mean before, after, change, gap."""
    frame = schools.assign(
        **{c: schools[c] * schools["weight"] for c in ("before", "after", "change", "years_apart")}
    )
    grouped = frame.groupby(["measure", "group"], sort=False)
    sums = grouped[["before", "after", "change", "years_apart", "weight"]].sum()
    out = sums[["before", "after", "change", "years_apart"]].div(sums["weight"], axis=0)
    out.insert(0, "schools", grouped["urn"].nunique())
    return out.reset_index()
