"""Robustness of the main estimate: other comparison groups, covariates, samples and models.

Each check re-estimates the overall effect under one changed choice and lands as one row
of a table; a check that cannot be made says why in its row instead of stopping the
report. Beside them: the pre-trend test, two-way fixed effects (TWFE) with its
Goodman-Bacon decomposition (which comparisons TWFE leans on), the interval from a wild
cluster bootstrap by partnership and from school-level inference, a placebo in space (the
same design on comparison LAs given pretend clusters: what area-wide noise alone
produces) and the minimum detectable effect of the estimate, so that an interval
including zero can be read as informative or not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from partnership_eval.analyses.cluster_impact.area_noise import (
    AreaNoise,
    area_noise,
    with_area_noise,
)
from partnership_eval.analyses.cluster_impact.design import (
    ImpactDesign,
    all_schools_design,
    baseline_covariates,
)
from partnership_eval.analyses.cluster_impact.estimate import (
    COMPARISONS,
    ImpactEstimate,
    estimate_impact,
    not_estimable,
)
from partnership_eval.analyses.cluster_impact.placebo_areas import area_placebo
from partnership_eval.errors import PartnershipEvalError
from partnership_eval.impact.bacon import BaconResult, bacon_decomposition
from partnership_eval.impact.did_inference import WaldTest
from partnership_eval.impact.placebo import PlaceboResult
from partnership_eval.impact.power import MdeResult
from partnership_eval.impact.twfe import TwfeResult, twfe_event_study
from partnership_eval.labels import column_label, measure_label
from partnership_eval.result import (
    COMPARED_COLUMNS,
    EstimateSpec,
    Result,
    SingleEstimate,
    compare,
    compared_table,
    exclusion_frame,
    not_estimated,
    noted,
)

ROBUSTNESS_COVARIATES = ("base_disadv_pct", "base_cohort_n")
"""Covariates added when the main estimate has none (baseline share disadvantaged — or
the FSM share where the source has no counts — and baseline Year 6 cohort)."""

SAMPLE_WORDS = {
    True: "only schools with a result every year",
    False: "every result (unbalanced panel)",
}
"""Robustness-row label of each sample choice (``balanced``)."""

PLACEBO_OUTCOME = "disadv_share"
"""An outcome the partnership should not move: the share of Year 6 pupils disadvantaged."""

ESTIMAND_WORDS = {
    "schools": "each school counted once (school average)",
    "pupils": "schools weighted by their Year 6 pupils (pupil average)",
}
"""Robustness-row label of each estimand."""

COMPARISON_WORDS = {
    "never_treated": "never-treated comparison schools",
    "not_yet_treated": "not-yet-treated and never-treated schools",
    "matched": "matched never-treated schools",
}

if TYPE_CHECKING:
    from matplotlib.axes import Axes

TABLE_COLUMNS = ("check", *COMPARED_COLUMNS)


@dataclass(frozen=True)
class RobustnessSpec:
    """Settings of the robustness set: the re-estimates' inference."""

    n_boot: int
    seed: int
    alpha: float


@dataclass(frozen=True)
class RobustnessResult(Result):
    """The robustness set of one main estimate.

    ``checks`` maps each check's label to its result (the main estimate first; a check
    that could not be made is a :func:`~partnership_eval.result.not_estimated`); each
    row's truth is the planted effect for the schools that row used. ``twfe``/``bacon``
    are None when they could not be computed (``notes`` says why); ``placebo`` is the
    placebo-in-space result over comparison LAs (None when too few LAs have enough
    comparison schools) and ``exclusions`` what it left out; ``area_noise`` the
    area-level noise added to the main estimate's interval (None when not measurable,
    ``notes`` says why).
    """

    spec: RobustnessSpec
    checks: dict[str, Result]
    pretest: WaldTest | None
    twfe: TwfeResult | None
    bacon: BaconResult | None
    mde: MdeResult | None
    notes: dict[str, str]
    placebo: PlaceboResult | None = None
    area_noise: AreaNoise | None = None
    exclusions: pd.DataFrame = field(default_factory=exclusion_frame)
    title = "Robustness of the overall effect"
    headline_label = "main estimate"

    @property
    def main(self) -> ImpactEstimate:
        """The main estimate, its interval allowing for area-wide shocks where measured."""
        return next(iter(self.checks.values()))  # type: ignore[return-value]

    def tidy(self) -> pd.DataFrame:
        """One row per check (``term`` is its label), overall effects only."""
        table = compare(self.checks, terms=["overall"]).tidy()
        return table.assign(term=table["model"]).drop(columns="model")

    @property
    def table(self) -> pd.DataFrame:
        """The checks as the report publishes them (check, estimate, …, truth, note)."""
        return compared_table(self.tidy().rename(columns={"term": "check"}), TABLE_COLUMNS)

    def summary(self) -> str:
        """The checks as text, with the pre-test, MDE and Bacon shares."""
        lines = [self.table.to_string(index=False, float_format=lambda v: f"{v:.2f}")]
        if self.pretest is not None:
            lines.append(f"Pre-trend test: p = {self.pretest.p_value:.3f} (df {self.pretest.df})")
        if self.mde is not None:
            lines.append(f"Minimum detectable effect (80% power, 5% level): {self.mde.mde:.2f}")
        if self.bacon is not None:
            lines.append(self.bacon.by_type().to_string(index=False))
        lines += [f"{k}: {v}" for k, v in self.notes.items()]
        return "\n".join(lines)

    def plot(self, ax: Axes | None = None, *, title: str = "") -> Axes:
        """Forest plot of every check's estimate and interval, with planted truth."""
        from partnership_eval.analyses.cluster_impact.figures import forest_plot

        return forest_plot(self.table, "check", title=title or self.title, level=self.level, ax=ax)


def _attempt(
    make: Callable[[], ImpactEstimate], alpha: float, note: str = "", truth: float | None = None
) -> Result:
    """``make()`` — as a row carrying ``note`` and ``truth`` (default: its own) when a note
    is given — or, when it cannot be estimated, a row saying why."""
    try:
        result = make()
    except PartnershipEvalError as error:
        return not_estimated("overall", not_estimable(error), alpha)
    if not note:
        return result
    return noted(result, note, truth=result.truth if truth is None else truth)


def _specifications(
    design: ImpactDesign, main: ImpactEstimate, base: dict[str, object]
) -> dict[str, Result]:
    """The main estimate, then one per other comparison group, covariate set and sample."""
    alpha = main.alpha
    checks: dict[str, Result] = {f"main: {COMPARISON_WORDS[main.comparison]}": main}
    for c in COMPARISONS:
        if c != main.comparison:
            checks[COMPARISON_WORDS[c]] = _attempt(
                lambda c=c: estimate_impact(design, **{**base, "comparison": c}),
                alpha,
            )
    other_cov = () if main.covariates else baseline_covariates(design, ROBUSTNESS_COVARIATES)
    checks[f"covariates: {', '.join(map(column_label, other_cov)) or 'none'}"] = _attempt(
        lambda: estimate_impact(design, **{**base, "covariates": other_cov}), alpha
    )
    checks[SAMPLE_WORDS[not main.balanced]] = _attempt(
        lambda: estimate_impact(design, **{**base, "balanced": not main.balanced}), alpha
    )
    other = "pupils" if main.estimand == "schools" else "schools"
    checks[ESTIMAND_WORDS[other]] = _attempt(
        lambda: estimate_impact(design, **{**base, "estimand": other}), alpha
    )
    checks[f"placebo outcome: {measure_label(PLACEBO_OUTCOME)}"] = _attempt(
        lambda: estimate_impact(design, **{**base, "outcome": PLACEBO_OUTCOME}),
        alpha,
        "should be zero: joining should not change who is in Year 6",
        truth=0.0 if design.synthetic else None,
    )
    if design.options["size_threshold"]:
        checks["all never-treated schools of any size (naive)"] = _attempt(
            lambda: estimate_impact(all_schools_design(design), **base),
            alpha,
            "ignores the small-school trend",
        )
    return checks


def _twfe(
    main: ImpactEstimate, notes: dict[str, str]
) -> tuple[TwfeResult | None, BaconResult | None, dict[str, Result]]:
    """TWFE on the main estimate's own sample and weights; Bacon on
    its schools with a result every year (the decomposition needs a balanced panel)."""
    sample, outcome = main.sample, main.outcome
    try:
        twfe = twfe_event_study(
            sample, outcome, "urn", "year", "first_treated", weights="weight", alpha=main.alpha
        )
    except PartnershipEvalError as error:
        notes["twfe"] = f"TWFE {not_estimable(error)}"
        return None, None, {}
    s = twfe.static
    check = SingleEstimate(
        term="overall",
        estimate=s.estimate,
        se=s.se,
        ci_low=s.ci_low,
        ci_high=s.ci_high,
        n_treated=main.n_treated,
        n_comparison=main.n_comparison,
        truth=main.truth,
        note="weights cells by treatment variance, not cohort size",
        spec=EstimateSpec(main.alpha),
    )
    full = sample.groupby("urn")["year"].transform("size") == sample["year"].nunique()
    try:
        bacon = bacon_decomposition(sample[full], outcome, "urn", "year", "first_treated")
    except PartnershipEvalError as error:
        notes["bacon"] = f"Goodman-Bacon decomposition {not_estimable(error)}"
        bacon = None
    return twfe, bacon, {"two-way fixed effects (TWFE), same schools": check}


def robustness_checks(
    design: ImpactDesign,
    main: ImpactEstimate,
    *,
    n_boot: int = 0,
    seed: int = 0,
) -> RobustnessResult:
    """Re-estimate ``main`` under each changed choice; add inference at the partnership
    level (wild cluster bootstrap), placebo in space, school-level inference, TWFE,
    Bacon and the MDE of the estimate.

    The other LAs' yearly results also measure the area-level noise of ``main``
    (:func:`~partnership_eval.analyses.cluster_impact.area_noise.area_noise`); the
    result's :attr:`RobustnessResult.main` is ``main`` with it in its interval (the
    headline).

    Parameters
    ----------
    design
        The design of ``main`` (before any matching).
    main
        The main estimate (:func:`estimate_impact`).
    n_boot, seed
        Inference for the re-estimates (0: analytic standard errors).
    """
    base = dict(
        outcome=main.outcome,
        comparison=main.comparison,
        covariates=main.covariates,
        balanced=main.balanced,
        estimand=main.estimand,
        cluster=main.spec.cluster,
        anticipation=main.spec.anticipation,
        n_boot=n_boot,
        seed=seed,
    )
    notes: dict[str, str] = {}
    noise = None
    try:
        noise = area_noise(design, main)
        main = with_area_noise(main, noise)
    except PartnershipEvalError as error:
        notes["area"] = f"area-wide shocks not allowed for in the interval: {error}"
    placebo = None
    try:
        placebo = area_placebo(design, main, seed=seed)
    except PartnershipEvalError as error:
        notes["placebo"] = f"placebo in space not possible: {error}"
    checks = _specifications(design, main, base)
    checks.update(_inference_checks(design, main, base, notes))
    twfe, bacon, twfe_checks = _twfe(main, notes)
    checks.update(twfe_checks)
    if placebo is not None:
        checks["placebo in space: the same design on comparison LAs"] = _placebo_check(
            placebo, main
        )
    pretest = None
    try:
        pretest = main.did.pretest()
    except PartnershipEvalError as error:
        notes["pretest"] = f"pre-trend test not possible: {error}"
    spec = RobustnessSpec(n_boot, seed, main.alpha)
    exclusions = placebo.exclusions if placebo is not None else exclusion_frame()
    return RobustnessResult(
        spec, checks, pretest, twfe, bacon, _mde(main, notes), notes, placebo, noise, exclusions
    )


def _inference_checks(
    design: ImpactDesign, main: ImpactEstimate, base: dict[str, object], notes: dict[str, str]
) -> dict[str, Result]:
    """The main estimate's interval from a wild cluster bootstrap by partnership, and with
    inference by school (what the partnership level replaces)."""
    checks: dict[str, Result] = {}
    if main.spec.cluster is not None:
        try:
            wild = main.did.wild_bootstrap("simple", seed=main.spec.seed)
            checks["wild cluster bootstrap by partnership"] = noted(
                wild, "same estimate; interval for few treated partnerships", truth=main.truth
            )
        except PartnershipEvalError as error:
            notes["wild"] = f"wild cluster bootstrap not possible: {error}"
        checks["inference by school (ignores shared partnership shocks)"] = _attempt(
            lambda: estimate_impact(design, **{**base, "cluster": None}),
            main.alpha,
            "too narrow when a partnership's schools share shocks",
        )
    return checks


def _placebo_check(placebo: PlaceboResult, main: ImpactEstimate) -> SingleEstimate:
    """The placebo-in-space interval of the main estimate as a robustness row."""
    few = " (too few areas for p below the level)" if placebo.few_areas else ""
    return SingleEstimate(
        term="overall",
        estimate=placebo.estimate,
        ci_low=placebo.ci_low,
        ci_high=placebo.ci_high,
        n_treated=main.n_treated,
        n_comparison=main.n_comparison,
        truth=main.truth,
        note=f"p = {placebo.p_value:.3f} over {len(placebo.placebo)} comparison LAs{few}",
        spec=EstimateSpec(main.alpha),
    )


def _mde(main: ImpactEstimate, notes: dict[str, str]) -> MdeResult | None:
    """The minimum detectable effect of the estimate the report shows (its own SE)."""
    try:
        return main.mde()
    except PartnershipEvalError as error:
        notes["mde"] = f"minimum detectable effect not computed: {error}"
        return None
