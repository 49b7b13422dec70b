"""Whether the effect differs by school size, rurality and disadvantage, and on other outcomes.

Each subgroup is estimated on its own: treated schools of the subgroup against comparison
schools of the same subgroup, so each row answers "for schools like these". Subgroups are
small, so intervals are wide; differences between rows are not tested here and should
not be read as established.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from partnership_eval.analyses.cluster_impact.design import TREATED, ImpactDesign, setting
from partnership_eval.analyses.cluster_impact.estimate import estimate_impact, not_estimable
from partnership_eval.analyses.cluster_impact.outcomes import OUTCOME_LABELS
from partnership_eval.errors import InputError, PartnershipEvalError
from partnership_eval.result import (
    COMPARED_COLUMNS,
    Result,
    compare,
    compared_table,
    exclusion_frame,
    not_estimated,
)

DIMENSIONS = ("size_band", "rural", "fsm_band")
TABLE_COLUMNS = ("dimension", "subgroup", *COMPARED_COLUMNS)

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def fsm_bands(design: ImpactDesign) -> pd.Series:
    """Low / middle / high FSM band per panel row, cut at the treated schools' terciles."""
    treated = design.schools.loc[design.schools["group"] == TREATED, "fsm_pct"].dropna()
    low, high = np.quantile(treated, [1 / 3, 2 / 3]) if len(treated) else (np.nan, np.nan)
    fsm = design.panel["fsm_pct"]
    labels = np.select(
        [fsm < low, fsm < high, fsm >= high],
        [f"FSM under {low:.0f}%", f"FSM {low:.0f}-{high:.0f}%", f"FSM {high:.0f}% or more"],
        default="FSM unknown",
    )
    return pd.Series(labels, index=design.panel.index)


def _groups(design: ImpactDesign, dimension: str) -> pd.Series:
    panel = design.panel
    if dimension == "size_band":
        return panel["size_band"].astype("str").where(panel["size_band"].notna(), "size unknown")
    if dimension == "rural":
        return setting(panel["rural"])
    if dimension == "fsm_band":
        return fsm_bands(design)
    raise InputError(f"unknown subgroup dimension {dimension!r}", fix=f"use one of {DIMENSIONS}")


@dataclass(frozen=True)
class SubgroupSpec:
    """Settings shared by every subgroup estimate."""

    comparison: str
    covariates: tuple[str, ...]
    balanced: bool
    min_treated: int
    n_boot: int
    seed: int
    alpha: float


@dataclass(frozen=True)
class SubgroupResult(Result):
    """Effects per subgroup (or per outcome): ``estimates`` maps (dimension, subgroup)
    to its estimate, or to a not-estimated result saying why."""

    spec: SubgroupSpec
    estimates: dict[tuple[str, str], Result]
    exclusions: pd.DataFrame = field(default_factory=exclusion_frame)
    title = "Effect by subgroup"
    headline_label = "first subgroup"

    def tidy(self) -> pd.DataFrame:
        """One row per subgroup (``term`` is "dimension: subgroup"), overall effects only."""
        named = {f"{d}: {g}": r for (d, g), r in self.estimates.items()}
        table = compare(named, terms=["overall"]).tidy()
        keys = pd.DataFrame(list(self.estimates), columns=["dimension", "subgroup"])
        return table.assign(term=table["model"]).drop(columns="model").join(keys)

    @property
    def table(self) -> pd.DataFrame:
        """The subgroups as the report publishes them (dimension, subgroup, estimate, …)."""
        return compared_table(self.tidy(), TABLE_COLUMNS)

    def plot(self, ax: Axes | None = None, *, title: str = "") -> Axes:
        """Forest plot of the subgroup estimates."""
        from partnership_eval.analyses.cluster_impact.figures import forest_plot

        return forest_plot(self.tidy(), "term", title=title or self.title, level=self.level, ax=ax)


def _estimate_or_reason(make, alpha: float) -> Result:
    try:
        return make()
    except PartnershipEvalError as error:
        return not_estimated("overall", not_estimable(error), alpha)


MIN_COHORT = 3
"""Fewest schools a start-year cohort of a subgroup needs in each of its comparisons."""


def subgroup_effects(
    design: ImpactDesign,
    outcome: str = "ks2_rwm_exp",
    *,
    by: Sequence[str] = DIMENSIONS,
    comparison: str = "never_treated",
    covariates: Sequence[str] = (),
    balanced: bool = False,
    min_treated: int = 10,
    min_cohort: int = MIN_COHORT,
    n_boot: int = 0,
    seed: int = 0,
    alpha: float = 0.05,
    anticipation: int = 1,
) -> SubgroupResult:
    """Overall effect within each subgroup of ``by`` (size band, rurality, FSM band).

    A subgroup's estimate rests on the treated schools its sample actually uses: start
    years with fewer than ``min_cohort`` schools in a comparison are left out, and a
    subgroup with fewer than ``min_treated`` treated schools left is listed as "not
    estimable: only N treated schools with results".
    """
    spec = SubgroupSpec(comparison, tuple(covariates), balanced, min_treated, n_boot, seed, alpha)
    estimates: dict[tuple[str, str], Result] = {}
    for dimension in by:
        groups = _groups(design, dimension)
        treated = design.panel["group"] == TREATED
        for value in sorted(groups[treated].unique()):
            sub = design.subset(groups == value, "subgroup", f"not in {dimension} {value}")
            estimates[(dimension.replace("_", " "), str(value))] = _estimate_or_reason(
                lambda sub=sub: estimate_impact(
                    sub,
                    outcome,
                    comparison=comparison,
                    covariates=covariates,
                    balanced=balanced,
                    min_cohort=max(min_cohort, len(covariates) + 2),
                    min_treated=min_treated,
                    n_boot=n_boot,
                    seed=seed,
                    alpha=alpha,
                    anticipation=anticipation,
                ),
                alpha,
            )
    return SubgroupResult(spec, estimates)


def outcome_effects(
    design: ImpactDesign,
    outcomes: Sequence[str] = ("disadv_rwm_exp", "non_disadv_rwm_exp", "disadv_gap"),
    *,
    comparison: str = "never_treated",
    balanced: bool = False,
    min_treated: int = 10,
    n_boot: int = 0,
    seed: int = 0,
    alpha: float = 0.05,
    anticipation: int = 1,
) -> SubgroupResult:
    """Overall effect on each of ``outcomes`` (default: the disadvantaged gap and its parts).

    Results for pupil groups are suppressed far more often than whole-cohort results;
    start years with a comparison too few schools enter are left out, and an outcome
    with fewer than ``min_treated`` treated schools left is listed as not estimable.
    """
    spec = SubgroupSpec(comparison, (), balanced, min_treated, n_boot, seed, alpha)
    estimates = {
        ("outcome", OUTCOME_LABELS.get(outcome, outcome)): _estimate_or_reason(
            lambda outcome=outcome: estimate_impact(
                design,
                outcome,
                comparison=comparison,
                balanced=balanced,
                min_cohort=MIN_COHORT,
                min_treated=min_treated,
                n_boot=n_boot,
                seed=seed,
                alpha=alpha,
                anticipation=anticipation,
            ),
            alpha,
        )
        for outcome in outcomes
    }
    return SubgroupResult(spec, estimates)
