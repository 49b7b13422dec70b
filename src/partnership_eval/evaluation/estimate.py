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

from partnership_eval.errors import PartnershipEvalError
from partnership_eval.evaluation.design import (
    TREATED,
    ImpactDesign,
    match_comparison,
)
from partnership_eval.evaluation.outcomes import OUTCOME_LABELS, effect_sentence
from partnership_eval.evaluation.sample import estimation_sample
from partnership_eval.evaluation.truth import (
    cells_with_truth,
    truth_by_cell,
    truth_dynamic,
    truth_simple,
)
from partnership_eval.impact.did_results import AggregateResult, AttGtResult
from partnership_eval.impact.staggered import staggered_did

COMPARISONS = ("never_treated", "not_yet_treated", "matched")

if TYPE_CHECKING:
    from partnership_eval.plots import ReportFigure


@dataclass(frozen=True)
class ImpactEstimate:
    """One staggered DiD estimate of a design, with the sample it rests on.

    Attributes
    ----------
    did
        The group-time result (``att_gt``, ``aggregate``, ``pretest``).
    simple, dynamic
        Overall (simple) and by-event-time aggregates.
    sample
        The rows estimated from; ``exclusions`` what was left out on the way.
    truth_cells
        ``att_gt`` with the planted ``truth`` (synthetic data), else None.
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
    truth_cells: pd.DataFrame | None

    @property
    def n_treated(self) -> int:
        """Treated schools in the estimation sample."""
        return int(self.sample.loc[self.sample["group"] == TREATED, "urn"].nunique())

    @property
    def n_comparison(self) -> int:
        """Comparison schools in the estimation sample."""
        return int(self.sample.loc[self.sample["group"] != TREATED, "urn"].nunique())

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
            self.simple.ci_low,
            self.simple.ci_high,
            self.outcome,
            level=1 - self.did.spec.alpha,
        )

    def event_study(self) -> pd.DataFrame:
        """Effect by years since the start (uniform band with the bootstrap), with truth."""
        table = self.dynamic.table.copy()
        if self.truth_cells is not None:
            table = table.merge(truth_dynamic(self.truth_cells), on="event_time", how="left")
        return table

    def row(self, check: str) -> dict[str, object]:
        """This estimate as one row of a comparison table."""
        return {
            "check": check,
            "estimate": self.simple.att,
            "se": self.simple.se,
            "ci_low": self.simple.ci_low,
            "ci_high": self.simple.ci_high,
            "n_treated": self.n_treated,
            "n_comparison": self.n_comparison,
            "truth": self.truth,
            "note": "",
        }

    def summary(self) -> str:
        """What was estimated, on how many schools, the overall effect and the pre-test."""
        p = self.pretest_p
        lines = [
            f"Staggered DiD (Callaway & Sant'Anna) of {OUTCOME_LABELS.get(self.outcome, self.outcome)}: "
            f"{self.comparison.replace('_', '-')} comparison, covariates "
            f"{', '.join(self.covariates) or 'none'}, "
            f"{'balanced panel' if self.balanced else 'repeated cross-sections'}",
            f"{self.n_treated} treated and {self.n_comparison} comparison schools",
            f"Overall: {self.sentence()}",
            "Pre-trend test: " + (f"p = {p:.3f}" if p is not None else "not possible"),
        ]
        if self.truth is not None:
            lines.append(f"Planted effect (synthetic data): {self.truth:.2f}")
        return "\n".join(lines)

    def plot(self, *, title: str = "") -> ReportFigure:
        """Event-study figure: effect by years since the start with its band."""
        from partnership_eval.evaluation.figures import event_study_plot

        return event_study_plot(self.event_study(), self.outcome, title=title)


def estimate_impact(
    design: ImpactDesign,
    outcome: str = "ks2_rwm_exp",
    *,
    comparison: str = "never_treated",
    covariates: Sequence[str] = (),
    balanced: bool = True,
    method: str = "dr",
    n_boot: int = 199,
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
        the never treated) or ``"matched"`` (never-treated schools matched on baseline
        characteristics, :func:`match_comparison`).
    covariates
        Baseline covariates for the doubly robust estimator (conditional parallel trends).
    balanced
        Keep only schools with a result every year (a panel); ``False`` uses every result
        as repeated cross-sections, standard errors clustered by school.
    method, n_boot, seed, alpha
        Passed to :func:`~partnership_eval.impact.staggered.staggered_did`.

    Examples
    --------
    >>> est = estimate_impact(design, n_boot=0)  # doctest: +SKIP
    >>> est.sentence()  # doctest: +SKIP
    '+3.4 points (95% CI 1.2 to 5.6) on the share of pupils meeting the expected standard ...'
    """
    if comparison not in COMPARISONS:
        raise PartnershipEvalError(
            f"comparison={comparison!r} is not one of {COMPARISONS}; use 'never_treated'"
        )
    if comparison == "matched":
        design = match_comparison(design, seed=seed).design
    sample, exclusions = estimation_sample(design.panel, outcome, covariates, balanced=balanced)
    did = staggered_did(
        sample,
        outcome,
        "urn",
        "year",
        "first_treated",
        covariates=list(covariates) or None,
        control_group="not_yet_treated" if comparison == "not_yet_treated" else "never_treated",
        method=method,
        weights="match_weight" if comparison == "matched" else None,
        cluster=None if balanced else "urn",
        panel=balanced,
        n_boot=n_boot,
        alpha=alpha,
        seed=seed,
    )
    treated = sample[sample["group"] == TREATED].drop_duplicates("urn")
    truth = truth_by_cell(design.truth, list(design.options["kind"]), outcome, treated)
    cells = None if truth is None else cells_with_truth(did.att_gt, truth)
    return ImpactEstimate(
        did=did,
        simple=did.aggregate("simple"),
        dynamic=did.aggregate("dynamic"),
        outcome=outcome,
        comparison=comparison,
        covariates=tuple(covariates),
        balanced=balanced,
        sample=sample,
        exclusions=pd.concat([design.exclusions, exclusions], ignore_index=True),
        truth_cells=cells,
    )


def failed_row(check: str, error: Exception) -> dict[str, object]:
    """A comparison-table row for an estimate that could not be made, saying why."""
    return {
        "check": check,
        "estimate": np.nan,
        "se": np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "n_treated": 0,
        "n_comparison": 0,
        "truth": None,
        "note": f"not estimable: {error}",
    }


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
    pre = [sum(y < g for y in years) for g in cohorts]
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
