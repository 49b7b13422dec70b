"""Robustness of the main estimate: other comparison groups, covariates, samples and models.

Each check re-estimates the overall effect under one changed choice and lands as one row
of a table; a check that cannot be made says why in its row instead of stopping the
report. Beside them: the pre-trend test, two-way fixed effects (TWFE) with its
Goodman-Bacon decomposition (which comparisons TWFE leans on), a placebo start date
(an "effect" before anyone joined should be about zero) and the minimum detectable effect,
so that an interval including zero can be read as informative or not.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import pandas as pd

from partnership_eval.analyses.cluster_impact.design import (
    TREATED,
    ImpactDesign,
    all_schools_design,
)
from partnership_eval.analyses.cluster_impact.estimate import (
    COMPARISONS,
    ImpactEstimate,
    estimate_impact,
    not_estimable,
)
from partnership_eval.analyses.cluster_impact.truth import PROGRAMME_OF_KIND
from partnership_eval.errors import EstimationError, PartnershipEvalError
from partnership_eval.exclusions import exclusion
from partnership_eval.impact.bacon import BaconResult, bacon_decomposition
from partnership_eval.impact.did_inference import WaldTest
from partnership_eval.impact.power import MdeResult, minimum_detectable_effect
from partnership_eval.impact.twfe import TwfeResult, twfe_event_study
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

ROBUSTNESS_COVARIATES = ("fsm_pct", "base_cohort_n")
"""Covariates added when the main estimate has none (FSM share, baseline Year 6 cohort)."""

SAMPLE_WORDS = {
    True: "only schools with a result every year",
    False: "every result (unbalanced panel)",
}
"""Robustness-row label of each sample choice (``balanced``)."""

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
    """Settings of the robustness set: the placebo shift and the re-estimates' inference."""

    placebo_shift: int
    n_boot: int
    seed: int
    alpha: float


@dataclass(frozen=True)
class RobustnessResult(Result):
    """The robustness set of one main estimate.

    ``checks`` maps each check's label to its result (the main estimate first; a check
    that could not be made is a :func:`~partnership_eval.result.not_estimated`); each
    row's truth is the planted effect for the schools that row used. ``twfe``/``bacon``
    are None when they could not be computed (``notes`` says why); ``exclusions`` is
    what the placebo's sample left out.
    """

    spec: RobustnessSpec
    checks: dict[str, Result]
    pretest: WaldTest | None
    twfe: TwfeResult | None
    bacon: BaconResult | None
    mde: MdeResult | None
    notes: dict[str, str]
    exclusions: pd.DataFrame = field(default_factory=exclusion_frame)
    title = "Robustness of the overall effect"
    headline_label = "main estimate"

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


def _attempt(check: str, make: Callable[[], Result], alpha: float) -> Result:
    try:
        return make()
    except PartnershipEvalError as error:
        return not_estimated(check, not_estimable(error), alpha)


def placebo_start(
    design: ImpactDesign,
    outcome: str,
    *,
    shift: int = 1,
    balanced: bool = False,
    n_boot: int = 0,
    seed: int = 0,
) -> tuple[SingleEstimate, pd.DataFrame]:
    """Pretend treated schools started ``shift`` years early, in the years before any start.

    Only years before the earliest real start are used, so no school is treated in
    them; in practice only the earliest start-year cohort has a pretend start inside
    that window with a year before it, so the placebo tests that cohort alone. The
    others are left out and counted. Returns the placebo estimate (target zero) and the
    placebo sample's exclusions.
    """
    panel = design.panel
    first_start = int(panel.loc[panel["group"] == TREATED, "first_treated"].min())
    window = panel[panel["year"] < first_start]
    pretend = window["first_treated"].where(
        window["first_treated"] == 0, window["first_treated"] - shift
    )
    years = window.loc[window[outcome].notna(), "year"]
    if years.nunique() < 2:
        raise EstimationError(
            f"fewer than two years of {outcome} results before the first start ({first_start}), "
            "so there is no room for a placebo start"
        )
    usable = (pretend == 0) | ((pretend > years.min()) & (pretend <= years.max()))
    outside = {
        "step": "placebo",
        **exclusion(
            f"started after {first_start}: the placebo uses only the years before "
            f"{first_start}, leaving no room for their pretend start",
            window,
            ~usable,
        ),
    }
    shifted = window.assign(first_treated=pretend)[usable]
    est = estimate_impact(
        replace(design, panel=shifted, truth=None),
        outcome,
        balanced=balanced,
        n_boot=n_boot,
        seed=seed,
    )
    cohorts = ", ".join(
        str(g + shift)
        for g in sorted(shifted.loc[shifted["first_treated"] > 0, "first_treated"].unique())
    )
    result = noted(
        est,
        f"start year {cohorts} only, years before {first_start}; target is zero",
        truth=0.0 if main_truth_known(design, outcome) else None,
    )
    exclusions = est.exclusions.iloc[len(design.exclusions) :]
    table = exclusion_frame(pd.concat([exclusion_frame([outside]), exclusions], ignore_index=True))
    return result, table[table["rows"] > 0].reset_index(drop=True)


def main_truth_known(design: ImpactDesign, outcome: str) -> bool:
    """Whether the data carry a planted effect for this design's kind and outcome."""
    kinds = design.options["kind"]
    return (
        design.truth is not None
        and len(kinds) == 1
        and kinds[0] in PROGRAMME_OF_KIND
        and outcome == "ks2_rwm_exp"
    )


def _specifications(
    design: ImpactDesign, main: ImpactEstimate, base: dict[str, object]
) -> dict[str, Result]:
    """The main estimate, then one per other comparison group, covariate set and sample."""
    alpha = main.alpha
    checks: dict[str, Result] = {f"main: {COMPARISON_WORDS[main.comparison]}": main}
    for c in COMPARISONS:
        if c != main.comparison:
            checks[COMPARISON_WORDS[c]] = _attempt(
                COMPARISON_WORDS[c],
                lambda c=c: estimate_impact(design, **{**base, "comparison": c}),
                alpha,
            )
    other_cov = () if main.covariates else ROBUSTNESS_COVARIATES
    checks[f"covariates: {', '.join(other_cov) or 'none'}"] = _attempt(
        "covariates", lambda: estimate_impact(design, **{**base, "covariates": other_cov}), alpha
    )
    checks[SAMPLE_WORDS[not main.balanced]] = _attempt(
        "sample", lambda: estimate_impact(design, **{**base, "balanced": not main.balanced}), alpha
    )
    if design.options["size_threshold"]:
        naive = _attempt(
            "naive", lambda: estimate_impact(all_schools_design(design), **base), alpha
        )
        checks["all never-treated schools of any size (naive)"] = (
            noted(naive, "ignores the small-school trend", truth=naive.truth)
            if isinstance(naive, ImpactEstimate)
            else naive
        )
    return checks


def _twfe(
    main: ImpactEstimate, notes: dict[str, str]
) -> tuple[TwfeResult | None, BaconResult | None, dict[str, Result]]:
    """TWFE on the main estimate's own sample (matching weights if matched); Bacon on
    its schools with a result every year (the decomposition needs a balanced panel)."""
    sample, outcome = main.sample, main.outcome
    weights = "match_weight" if main.comparison == "matched" else None
    try:
        twfe = twfe_event_study(
            sample, outcome, "urn", "year", "first_treated", weights=weights, alpha=main.alpha
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
    placebo_shift: int = 1,
    n_boot: int = 0,
    seed: int = 0,
) -> RobustnessResult:
    """Re-estimate ``main`` under each changed choice; add TWFE, Bacon, placebo and MDE.

    Parameters
    ----------
    design
        The design of ``main`` (before any matching).
    main
        The main estimate (:func:`estimate_impact`).
    placebo_shift
        Years by which the placebo start precedes the real one.
    n_boot, seed
        Inference for the re-estimates (0: analytic standard errors).
    """
    base = dict(
        outcome=main.outcome,
        comparison=main.comparison,
        covariates=main.covariates,
        balanced=main.balanced,
        n_boot=n_boot,
        seed=seed,
    )
    checks = _specifications(design, main, base)
    notes: dict[str, str] = {}
    twfe, bacon, twfe_checks = _twfe(main, notes)
    checks.update(twfe_checks)
    placebo_exclusions = exclusion_frame()  # stays empty when the placebo cannot run
    label = f"placebo: start {placebo_shift} year{'s' if placebo_shift > 1 else ''} early"
    try:
        checks[label], placebo_exclusions = placebo_start(
            design,
            main.outcome,
            shift=placebo_shift,
            balanced=main.balanced,
            n_boot=n_boot,
            seed=seed,
        )
    except PartnershipEvalError as error:
        checks["placebo"] = not_estimated("overall", not_estimable(error), main.alpha)
    pretest = None
    try:
        pretest = main.did.pretest()
    except PartnershipEvalError as error:
        notes["pretest"] = f"pre-trend test not possible: {error}"
    spec = RobustnessSpec(placebo_shift, n_boot, seed, main.alpha)
    return RobustnessResult(
        spec, checks, pretest, twfe, bacon, _mde(main, notes), notes, placebo_exclusions
    )


def _mde(main: ImpactEstimate, notes: dict[str, str]) -> MdeResult | None:
    try:
        with warnings.catch_warnings():
            # schools without a result in some years leave all-missing rows in the
            # power calculation's wide table; their mean is missing, as intended
            warnings.filterwarnings("ignore", "Mean of empty slice", RuntimeWarning)
            return minimum_detectable_effect(
                main.sample,
                outcome=main.outcome,
                unit="urn",
                time="year",
                cohort="first_treated",
                cohort_n="cohort_n",
            )
    except PartnershipEvalError as error:
        notes["mde"] = f"minimum detectable effect not computed: {error}"
        return None
