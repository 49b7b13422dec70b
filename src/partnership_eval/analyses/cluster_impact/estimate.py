"""The main estimate: staggered difference-in-differences of a design's outcome.

Estimand: the average effect on the treated schools of having joined, ATT(g, t) per
start year g and year t (Callaway & Sant'Anna 2021), summarised as the simple average
over every post-start cell (weighted by cohort size) and by years since the start.
Identifying assumption: without the partnership, the treated schools' results would have
moved like the comparison schools' (parallel trends), and schools did not change course
in anticipation of joining. The pre-trend test and the event study before the start
probe the first; nothing in the data can prove it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from partnership_eval.analyses.cluster_impact.design import (
    TREATED,
    UNMATCHED,
    ImpactDesign,
    MatchedDesign,
    match_comparison,
)
from partnership_eval.analyses.cluster_impact.outcomes import OUTCOME_LABELS, effect_sentence
from partnership_eval.analyses.cluster_impact.sample import (
    cell_members,
    estimation_sample,
    used_schools,
)
from partnership_eval.analyses.cluster_impact.truth import (
    cells_with_truth,
    truth_by_cell,
    truth_dynamic,
    truth_simple,
)
from partnership_eval.errors import EstimationError, InputError, PartnershipEvalError
from partnership_eval.exclusions import exclusion
from partnership_eval.impact.did_results import AggregateResult, AttGtResult
from partnership_eval.impact.power import MdeResult, mde_of_estimate
from partnership_eval.impact.staggered import staggered_did
from partnership_eval.labels import axis_label, column_label
from partnership_eval.plots import event_study_plot
from partnership_eval.result import Result, exclusion_frame, level_label, tidy_frame

COMPARISONS = ("never_treated", "not_yet_treated", "matched")
ESTIMANDS = ("schools", "pupils")
TRUTH_COLOUR = "#D55E00"

if TYPE_CHECKING:
    from matplotlib.axes import Axes


@dataclass(frozen=True)
class ImpactSpec:
    """What an impact estimate estimated: outcome, comparison, covariates, sample, inference."""

    outcome: str
    comparison: str
    covariates: tuple[str, ...]
    balanced: bool
    estimand: str
    cluster: str | None
    anticipation: int
    method: str
    n_boot: int
    seed: int
    alpha: float


@dataclass(frozen=True)
class ImpactEstimate(Result):
    """One staggered DiD estimate of a design, with the sample it rests on.

    Attributes
    ----------
    did
        The group-time result (``att_gt``, ``aggregate``, ``pretest``).
    simple, dynamic
        Overall (simple) and by-event-time aggregates.
    sample
        The rows estimated from; ``exclusions`` what was left out on the way.
    n_treated, n_comparison
        Schools of each group that enter at least one start-year × year comparison.
    truth_cells
        ``att_gt`` with the planted ``truth`` for the schools each cell used (synthetic
        data), else None.
    matched
        The matching behind ``comparison="matched"`` (done on the estimation sample).
    area_sd, n_areas
        SD of the error that shocks hitting the whole area add to the overall effect,
        measured on ``n_areas`` other LAs (:mod:`~partnership_eval.analyses.cluster_impact.area_noise`);
        None until measured. Once set, the overall effect's standard error and interval
        include it (t on ``n_areas − 1`` degrees of freedom).
    """

    did: AttGtResult
    simple: AggregateResult
    dynamic: AggregateResult
    outcome: str
    comparison: str
    covariates: tuple[str, ...]
    balanced: bool
    sample: pd.DataFrame
    exclusions: pd.DataFrame
    n_treated: int
    n_comparison: int
    truth_cells: pd.DataFrame | None
    matched: MatchedDesign | None = None
    estimand: str = "schools"
    area_sd: float | None = None
    n_areas: int = 0
    title = "Staggered DiD"

    @property
    def spec(self) -> ImpactSpec:  # type: ignore[override]
        """The settings of this estimate."""
        did = self.did.spec
        return ImpactSpec(
            outcome=self.outcome,
            comparison=self.comparison,
            covariates=self.covariates,
            balanced=self.balanced,
            estimand=self.estimand,
            cluster=did.cluster,
            anticipation=did.anticipation,
            method=did.method,
            n_boot=did.n_boot,
            seed=did.seed,
            alpha=did.alpha,
        )

    @property
    def headline_label(self) -> str:  # type: ignore[override]
        return (
            f"Effect on {OUTCOME_LABELS.get(self.outcome, self.outcome)} (points), simple aggregate"
        )

    def tidy(self) -> pd.DataFrame:
        """The overall effect (first row), then the effect by years since the start;
        ``truth`` is the planted effect for the schools used (synthetic data)."""
        low, high = self.interval
        overall = {
            "term": "overall",
            "estimate": self.simple.att,
            "se": self.se,
            "ci_low": low,
            "ci_high": high,
            "n_treated": self.n_treated,
            "n_comparison": self.n_comparison,
            "truth": self.truth,
            "event_time": np.nan,
        }
        dynamic = self.event_study().rename(columns={"att": "estimate"})
        dynamic = dynamic.assign(term="event time " + dynamic["event_time"].astype(str))
        return tidy_frame(
            pd.concat([pd.DataFrame([overall]), dynamic], ignore_index=True), alpha=self.alpha
        )

    def headline(self) -> dict[str, object]:
        """The results.json headline: the simple aggregate, with the planted truth."""
        return {**super().headline(), "truth": self.truth}

    @property
    def se(self) -> float:
        """Standard error of the overall effect: its own, plus area-level noise if measured."""
        return float(np.hypot(self.simple.se, self.area_sd or 0.0))

    @property
    def interval(self) -> tuple[float, float]:
        """Interval of the overall effect at the estimate's level (see ``area_sd``)."""
        if self.area_sd is None:
            return float(self.simple.ci_low), float(self.simple.ci_high)
        crit = float(stats.t.ppf(1 - self.alpha / 2, df=max(self.n_areas - 1, 1)))
        return self.simple.att - crit * self.se, self.simple.att + crit * self.se

    @property
    def inference_words(self) -> str:
        """What the overall interval allows for, in words."""
        cluster = self.spec.cluster
        own = {
            None: "each school's own ups and downs",
            "partnership_id": "shocks shared by the schools of one partnership",
        }.get(cluster, f"shocks shared by schools with the same {column_label(cluster)}")
        if self.area_sd is None:
            return f"{own} (not shocks that hit the whole area)"
        return (
            f"{own} and shocks that hit the whole area (measured on the yearly results "
            f"of {self.n_areas} other LAs)"
        )

    def mde(self, power: float = 0.8) -> MdeResult:
        """Minimum detectable effect of the overall estimate, from its standard error."""
        did = self.did
        return mde_of_estimate(
            self.se,
            alpha=self.alpha,
            power=power,
            n_clusters=None if self.area_sd is not None else did.n_clusters,
            n_treated=self.simple.n_treated,
            n_control=self.simple.n_comparison,
            outcome=self.outcome,
            estimate="overall effect",
        )

    @property
    def population(self) -> str:
        """Which treated schools the estimate speaks for, in words (after their count)."""
        if self.balanced:
            return "treated schools with a result in every year"
        return (
            "treated schools with results in both years of at least one comparison "
            "(every published result used)"
        )

    @property
    def truth(self) -> float | None:
        """Planted value of the simple aggregate (synthetic data), else None."""
        return None if self.truth_cells is None else truth_simple(self.truth_cells)

    @property
    def pretest_p(self) -> float | None:
        """p-value of the Wald test that every pre-start ATT(g, t) is zero (None if untestable)."""
        try:
            return float(self.did.pretest().p_value)
        except PartnershipEvalError:
            return None

    def sentence(self) -> str:
        """The overall effect in plain words."""
        return effect_sentence(
            self.simple.att,
            *self.interval,
            self.outcome,
            level=1 - self.did.spec.alpha,
        )

    def event_study(self) -> pd.DataFrame:
        """Effect by years since the start (uniform band with the bootstrap), with truth."""
        table = self.dynamic.table.copy()
        if self.truth_cells is not None:
            table = table.merge(truth_dynamic(self.truth_cells), on="event_time", how="left")
        return table

    def summary(self) -> str:
        """What was estimated, on how many schools, the overall effect and the pre-test."""
        p = self.pretest_p
        lines = [
            f"Staggered DiD (Callaway & Sant'Anna) of {OUTCOME_LABELS.get(self.outcome, self.outcome)}: "
            f"{self.comparison.replace('_', '-')} comparison, covariates "
            f"{', '.join(self.covariates) or 'none'}, "
            f"{'only schools with a result every year' if self.balanced else 'every result (unbalanced panel)'}",
            f"{self.n_treated} treated and {self.n_comparison} comparison schools",
            f"Overall: {self.sentence()}",
            f"The interval allows for {self.inference_words}.",
            "Pre-trend test: " + (f"p = {p:.3f}" if p is not None else "not possible"),
        ]
        if self.truth is not None:
            lines.append(f"Planted effect (synthetic data): {self.truth:.2f}")
        return "\n".join(lines)

    def plot(self, ax: Axes | None = None, *, title: str = "") -> Axes:
        """Event study: effect by years since the start with its band (and planted truth)."""
        table = self.event_study().rename(columns={"att": "estimate"})
        band = "uniform" if self.did.spec.n_boot else "pointwise"
        ax = event_study_plot(
            table,
            ax=ax,
            label="staggered DiD",
            band_label=f"{level_label(self.alpha)} {band} band",
            ylabel=axis_label(f"effect on {OUTCOME_LABELS.get(self.outcome, self.outcome)}"),
            xlabel="years since the school joined (0 = first year)",
            title=title,
        )
        if "truth" in table.columns and table["truth"].notna().any():
            ax.plot(
                table["event_time"],
                table["truth"],
                color=TRUTH_COLOUR,
                linestyle="-.",
                label="planted effect",
            )
            ax.legend(frameon=False, fontsize="small")
        return ax


def estimate_impact(
    design: ImpactDesign,
    outcome: str = "ks2_rwm_exp",
    *,
    comparison: str = "never_treated",
    covariates: Sequence[str] = (),
    balanced: bool = False,
    estimand: str = "schools",
    min_cohort: int | None = None,
    min_treated: int = 1,
    cluster: str | None = "partnership_id",
    anticipation: int = 1,
    method: str = "dr",
    n_boot: int = 999,
    seed: int = 0,
    alpha: float = 0.05,
) -> ImpactEstimate:
    """Staggered DiD estimate of the effect of joining on ``outcome``.

    Parameters
    ----------
    design
        Treated and comparison schools (:func:`impact_design`).
    outcome
        Outcome column, e.g. ``ks2_rwm_exp``, ``read_prog``, ``disadv_gap``.
    comparison
        ``"never_treated"``, ``"not_yet_treated"`` (later joiners until they join, and
        the never treated) or ``"matched"`` (never-treated schools of the estimation
        sample matched on baseline characteristics, :func:`match_comparison`).
    covariates
        Baseline covariates for the doubly robust estimator (conditional parallel trends).
    balanced
        Keep only schools with a result every year; ``False`` (default) keeps every
        result as an unbalanced panel, each comparison using the schools with results in
        both of its years.
    estimand
        ``"schools"`` (default): the average effect over treated schools, each counting
        once; ``"pupils"``: each school weighted by its mean Year 6 cohort in the sample,
        the effect on the average pupil.
    min_cohort
        Fewest schools a start-year cohort needs in each of its comparisons
        (:func:`~partnership_eval.analyses.cluster_impact.sample.estimation_sample`).
    min_treated
        Fewest treated schools the estimate may rest on; fewer raise
        :class:`EstimationError` ("only N treated schools with results").
    anticipation
        Years before the start left out of every comparison (default 1): schools and
        clusters are often chosen after a bad year, so the year before the start is
        unusually low and a comparison with it credits the bounce-back (mean reversion)
        to the partnership; 1 compares with the year before that, as R ``did``'s
        ``anticipation`` does.
    cluster
        Level of inference: ``"partnership_id"`` (default) lets the schools of one
        partnership share shocks (treatment is assigned to partnerships, not schools);
        comparison schools in no partnership are their own clusters. ``None``: by school.
    method, n_boot, seed, alpha
        Passed to :func:`~partnership_eval.impact.staggered.staggered_did`.

    Examples
    --------
    >>> est = estimate_impact(design, n_boot=0)  # doctest: +SKIP
    >>> est.sentence()  # doctest: +SKIP
    '+3.4 points (95% CI 1.2 to 5.6) on the share of pupils meeting the expected standard ...'
    """
    if estimand not in ESTIMANDS:
        raise InputError(
            f"estimand={estimand!r} is not one of {ESTIMANDS}",
            fix="use 'schools' (each school once) or 'pupils' (weighted by Year 6 cohort)",
        )
    if comparison not in COMPARISONS:
        raise InputError(
            f"comparison={comparison!r} is not one of {COMPARISONS}",
            fix="use 'never_treated', 'not_yet_treated' or 'matched'",
        )
    sample, exclusions = estimation_sample(
        design.panel,
        outcome,
        covariates,
        balanced=balanced,
        min_cohort=min_cohort,
        anticipation=anticipation,
    )
    matched = None
    if comparison == "matched":
        matched = match_comparison(design, sample=sample, seed=seed)
        weights = matched.match.matched_units.set_index("urn")["weight"]
        out = ~sample["urn"].isin(weights.index)
        if out.any():
            entry = exclusion_frame([exclusion(UNMATCHED, sample, out)], step="matched")
            exclusions = pd.concat([exclusions, entry], ignore_index=True)
        sample = sample[~out].assign(weight=lambda d: d["urn"].map(weights).astype(float))
    if estimand == "pupils":
        pupils = sample.groupby("urn")["cohort_n"].transform("mean").astype("float64")
        sample = sample.assign(weight=sample["weight"] * pupils)
    n_treated, n_comparison = used_schools(sample, anticipation)
    if n_treated < min_treated:
        raise EstimationError(
            f"only {n_treated} treated schools with results (at least {min_treated} needed)"
        )
    try:
        did = staggered_did(
            sample,
            outcome,
            "urn",
            "year",
            "first_treated",
            covariates=list(covariates) or None,
            control_group="not_yet_treated" if comparison == "not_yet_treated" else "never_treated",
            method=method,
            weights="weight",
            allow_unbalanced_panel=not balanced,
            cluster=cluster,
            anticipation=anticipation,
            n_boot=n_boot,
            alpha=alpha,
            seed=seed,
        )
    except EstimationError as error:
        raise EstimationError(CELL_FAILURE) from error
    return ImpactEstimate(
        did=did,
        simple=did.aggregate("simple"),
        dynamic=did.aggregate("dynamic"),
        outcome=outcome,
        comparison=comparison,
        covariates=tuple(covariates),
        balanced=balanced,
        sample=sample,
        exclusions=exclusion_frame(pd.concat([design.exclusions, exclusions], ignore_index=True)),
        n_treated=n_treated,
        n_comparison=n_comparison,
        truth_cells=_truth_cells(design, outcome, sample, did, anticipation),
        matched=matched,
        estimand=estimand,
    )


def _truth_cells(
    design: ImpactDesign, outcome: str, sample: pd.DataFrame, did: AttGtResult, anticipation: int
) -> pd.DataFrame | None:
    """``att_gt`` with the planted effect for the treated schools each cell used."""
    if design.truth is None:
        return None
    members = cell_members(sample, anticipation).merge(
        sample.drop_duplicates("urn")[["urn", "partnership_id", "la_code", "weight"]], on="urn"
    )
    truth = truth_by_cell(design.truth, list(design.options["kind"]), outcome, members)
    if truth is None:
        return None
    treated = sample[sample["group"] == TREATED].drop_duplicates("urn")
    return cells_with_truth(did.att_gt, truth, treated.groupby("first_treated")["weight"].sum())


CELL_FAILURE = (
    "in some start year × year comparison too few schools have results (or the groups "
    "do not overlap) for the estimator to fit"
)
"""What an engine failure means for a report reader (no engine internals)."""


def not_estimable(error: Exception) -> str:
    """Why an estimate could not be made, in the report's words."""
    return f"not estimable: {error}"


MIN_TREATED = 20
"""Fewer treated schools than this and the report warns that the estimate is fragile."""


def caveats(design: ImpactDesign, estimate: ImpactEstimate) -> list[str]:
    """What the data can and cannot show for this estimate, most serious first."""
    notes = []
    if estimate.n_treated < MIN_TREATED:
        notes.append(
            f"Only {estimate.n_treated} treated schools are in the estimate: its interval "
            "rests on very few schools and can be far too narrow. Treat it as anecdote."
        )
    years = sorted(estimate.sample["year"].unique())
    cohorts = estimate.did.att_gt["cohort"].unique()
    base = estimate.spec.anticipation  # years before the start left out of comparisons
    pre = [sum(y < g - base for y in years) for g in cohorts]
    post = max(sum(y >= g for y in years) for g in cohorts)
    if min(pre) < 2:
        notes.append(
            f"With results for {years[0]}-{years[-1]} only, some start years have a single "
            "year before the start: their pre-trends cannot be checked at all, and the "
            "pre-trend test rests on the few cohorts with two or more."
        )
    if post <= 2:
        notes.append(
            f"At most {post} year(s) of results after joining are observed: only "
            "short-run effects can be seen; effects that take longer to show would be missed, "
            "and an early dip would look like failure."
        )
    if estimate.pretest_p is None:
        notes.append("No pre-trend test is possible: parallel trends are assumed, not checked.")
    return notes
