"""Robustness of the main estimate: other comparison groups, covariates, samples and models.

Each check re-estimates the overall effect under one changed choice and lands as one row
of a table; a check that cannot be made says why in its row instead of stopping the
report. Beside them: the pre-trend test, two-way fixed effects (TWFE) with its
Goodman-Bacon decomposition (which comparisons TWFE leans on), a placebo start date
(an "effect" before anyone joined should be about zero) and the minimum detectable effect,
so that an interval including zero can be read as informative or not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from partnership_eval.errors import PartnershipEvalError
from partnership_eval.evaluation.design import TREATED, ImpactDesign, all_schools_design
from partnership_eval.evaluation.estimate import ImpactEstimate, estimate_impact, failed_row
from partnership_eval.evaluation.sample import estimation_sample
from partnership_eval.evaluation.truth import PROGRAMME_OF_KIND
from partnership_eval.impact.bacon import BaconResult, bacon_decomposition
from partnership_eval.impact.did_inference import WaldTest
from partnership_eval.impact.power import MdeResult, minimum_detectable_effect
from partnership_eval.impact.staggered import staggered_did
from partnership_eval.impact.twfe import TwfeResult, twfe_event_study

ROBUSTNESS_COVARIATES = ("fsm_pct", "pupils")
"""Baseline covariates added when the main estimate has none."""

COMPARISON_WORDS = {
    "never_treated": "never-treated comparison schools",
    "not_yet_treated": "not-yet-treated and never-treated schools",
    "matched": "matched never-treated schools",
}

if TYPE_CHECKING:
    from partnership_eval.plots import ReportFigure


@dataclass(frozen=True)
class RobustnessResult:
    """The robustness set of one main estimate.

    ``table``: check, estimate, se, ci_low, ci_high, n_treated, n_comparison, truth, note
    — the first row is the main estimate. ``twfe``/``bacon`` are None when they could not
    be computed (``notes`` says why).
    """

    table: pd.DataFrame
    pretest: WaldTest | None
    twfe: TwfeResult | None
    bacon: BaconResult | None
    mde: MdeResult | None
    notes: dict[str, str]

    def event_studies(self, main: ImpactEstimate) -> pd.DataFrame:
        """Staggered DiD and TWFE effects by event time side by side (with truth if known)."""
        cs = main.event_study().rename(
            columns={"att": "staggered_did", "ci_low": "did_low", "ci_high": "did_high"}
        )
        cs = cs.drop(columns=["se"])
        if self.twfe is None:
            return cs
        tw = self.twfe.table[["event_time", "estimate", "ci_low", "ci_high"]].rename(
            columns={"estimate": "twfe", "ci_low": "twfe_low", "ci_high": "twfe_high"}
        )
        return cs.merge(tw, on="event_time", how="outer").sort_values("event_time")

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

    def plot(self, *, title: str = "") -> ReportFigure:
        """Forest plot of every check's estimate and interval."""
        from partnership_eval.evaluation.figures import forest_plot

        return forest_plot(self.table, "check", title=title or "Robustness of the overall effect")


def _attempt(check: str, make: Callable[[], dict[str, object]]) -> dict[str, object]:
    try:
        return make()
    except PartnershipEvalError as error:
        return failed_row(check, error)


def placebo_start(
    design: ImpactDesign,
    outcome: str,
    *,
    shift: int = 1,
    balanced: bool = True,
    n_boot: int = 0,
    seed: int = 0,
) -> dict[str, object]:
    """Pretend treated schools started ``shift`` years early, in the years before any start.

    Only years before the earliest real start are used, so no school is treated in
    them; treated schools whose pretend start falls outside that window (or in its first
    year, leaving nothing to compare with) are left out. The target is zero.
    """
    check = f"placebo: start {shift} year{'s' if shift > 1 else ''} early"
    panel = design.panel
    treated = panel["group"] == TREATED
    first_start = int(panel.loc[treated, "first_treated"].min())
    window = panel[panel["year"] < first_start]
    pretend = window["first_treated"].where(
        window["first_treated"] == 0, window["first_treated"] - shift
    )
    years = window.loc[window[outcome].notna(), "year"]
    if years.nunique() < 2:
        raise PartnershipEvalError(
            f"fewer than two years of {outcome} results before the first start ({first_start}), "
            "so there is no room for a placebo start"
        )
    usable = (pretend == 0) | ((pretend > years.min()) & (pretend <= years.max()))
    sample, _ = estimation_sample(
        window.assign(first_treated=pretend)[usable], outcome, balanced=balanced
    )
    did = staggered_did(
        sample,
        outcome,
        "urn",
        "year",
        "first_treated",
        cluster=None if balanced else "urn",
        panel=balanced,
        n_boot=n_boot,
        seed=seed,
    )
    agg = did.aggregate("simple")
    return {
        "check": check,
        "estimate": agg.att,
        "se": agg.se,
        "ci_low": agg.ci_low,
        "ci_high": agg.ci_high,
        "n_treated": int(sample.loc[sample["group"] == TREATED, "urn"].nunique()),
        "n_comparison": int(sample.loc[sample["group"] != TREATED, "urn"].nunique()),
        "truth": 0.0 if main_truth_known(design, outcome) else None,
        "note": f"years before {first_start} only; target is zero",
    }


def main_truth_known(design: ImpactDesign, outcome: str) -> bool:
    """Whether the data carry a planted effect for this design's kind and outcome."""
    kinds = design.options["kind"]
    return (
        design.truth is not None
        and len(kinds) == 1
        and kinds[0] in PROGRAMME_OF_KIND
        and outcome == "ks2_rwm_exp"
    )


def _balanced(main: ImpactEstimate, design: ImpactDesign) -> pd.DataFrame:
    if main.balanced:
        return main.sample
    return estimation_sample(design.panel, main.outcome, balanced=True)[0]


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
    outcome, base = (
        main.outcome,
        dict(
            outcome=main.outcome,
            comparison=main.comparison,
            covariates=main.covariates,
            balanced=main.balanced,
            n_boot=n_boot,
            seed=seed,
        ),
    )
    rows = [main.row(f"main: {COMPARISON_WORDS[main.comparison]}")]
    for comparison in ("never_treated", "not_yet_treated", "matched"):
        if comparison != main.comparison:
            rows.append(
                _attempt(
                    COMPARISON_WORDS[comparison],
                    lambda c=comparison: estimate_impact(design, **{**base, "comparison": c}).row(
                        COMPARISON_WORDS[c]
                    ),
                )
            )
    other_cov = () if main.covariates else ROBUSTNESS_COVARIATES
    label = f"covariates: {', '.join(other_cov) or 'none'}"
    rows.append(
        _attempt(
            label,
            lambda: estimate_impact(design, **{**base, "covariates": other_cov}).row(label),
        )
    )
    label = "every result (repeated cross-sections)" if main.balanced else "balanced panel only"
    rows.append(
        _attempt(
            label,
            lambda: estimate_impact(design, **{**base, "balanced": not main.balanced}).row(label),
        )
    )
    if design.options["size_threshold"]:
        label = "all never-treated schools of any size (naive)"
        rows.append(
            _attempt(
                label,
                lambda: (
                    estimate_impact(all_schools_design(design), **base).row(label)
                    | {"note": "ignores the small-school trend"}
                ),
            )
        )
    notes: dict[str, str] = {}
    balanced = _balanced(main, design)
    twfe = bacon = None
    try:
        twfe = twfe_event_study(balanced, outcome, "urn", "year", "first_treated")
        s = twfe.static
        rows.append(
            {
                "check": "two-way fixed effects (TWFE), same schools",
                "estimate": s.estimate,
                "se": s.se,
                "ci_low": s.ci_low,
                "ci_high": s.ci_high,
                "n_treated": int(balanced.loc[balanced["group"] == TREATED, "urn"].nunique()),
                "n_comparison": int(balanced.loc[balanced["group"] != TREATED, "urn"].nunique()),
                "truth": main.truth if main.balanced else None,
                "note": "weights cells by treatment variance, not cohort size",
            }
        )
        bacon = bacon_decomposition(balanced, outcome, "urn", "year", "first_treated")
    except PartnershipEvalError as error:
        notes["twfe"] = f"TWFE not estimable: {error}"
    rows.append(
        _attempt(
            "placebo",
            lambda: placebo_start(
                design,
                outcome,
                shift=placebo_shift,
                balanced=main.balanced,
                n_boot=n_boot,
                seed=seed,
            ),
        )
    )
    pretest = None
    try:
        pretest = main.did.pretest()
    except PartnershipEvalError as error:
        notes["pretest"] = f"pre-trend test not possible: {error}"
    mde = None
    try:
        mde = minimum_detectable_effect(
            main.sample,
            outcome=outcome,
            unit="urn",
            time="year",
            cohort="first_treated",
            cohort_n="cohort_n",
        )
    except PartnershipEvalError as error:
        notes["mde"] = f"minimum detectable effect not computed: {error}"
    table = pd.DataFrame(rows)
    table["truth"] = pd.to_numeric(table["truth"], errors="coerce")
    return RobustnessResult(table, pretest, twfe, bacon, mde, notes)
