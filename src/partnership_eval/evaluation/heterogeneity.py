"""Whether the effect differs by school size, rurality and disadvantage, and on other outcomes.

Each subgroup is estimated on its own: treated schools of the subgroup against comparison
schools of the same subgroup, so each row answers "for schools like these". Subgroups are
small, so intervals are wide; differences between rows are not tested here and should
not be read as established.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from partnership_eval.errors import PartnershipEvalError
from partnership_eval.evaluation.design import TREATED, ImpactDesign, setting
from partnership_eval.evaluation.estimate import estimate_impact, failed_row
from partnership_eval.evaluation.outcomes import OUTCOME_LABELS

DIMENSIONS = ("size_band", "rural", "fsm_band")

if TYPE_CHECKING:
    from partnership_eval.plots import ReportFigure


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
    raise PartnershipEvalError(f"unknown subgroup dimension {dimension!r}; use {DIMENSIONS}")


@dataclass(frozen=True)
class SubgroupResult:
    """Effects per subgroup (or per outcome): dimension, subgroup, estimate, interval, n, note."""

    table: pd.DataFrame

    def plot(self, *, title: str = "") -> ReportFigure:
        """Forest plot of the subgroup estimates."""
        from partnership_eval.evaluation.figures import forest_plot

        labelled = self.table.assign(label=self.table["dimension"] + ": " + self.table["subgroup"])
        return forest_plot(labelled, "label", title=title)


def subgroup_effects(
    design: ImpactDesign,
    outcome: str = "ks2_rwm_exp",
    *,
    by: Sequence[str] = DIMENSIONS,
    comparison: str = "never_treated",
    covariates: Sequence[str] = (),
    balanced: bool = True,
    min_treated: int = 10,
    n_boot: int = 0,
    seed: int = 0,
) -> SubgroupResult:
    """Overall effect within each subgroup of ``by`` (size band, rurality, FSM band).

    Subgroups with fewer than ``min_treated`` treated schools are listed without an
    estimate.
    """
    rows = []
    for dimension in by:
        groups = _groups(design, dimension)
        treated_counts = (
            design.panel.loc[design.panel["group"] == TREATED]
            .groupby(groups[design.panel["group"] == TREATED])["urn"]
            .nunique()
        )
        for value, n in treated_counts.items():
            head = {"dimension": dimension.replace("_", " "), "subgroup": str(value)}
            if n < min_treated:
                rows.append(
                    head
                    | failed_row("", PartnershipEvalError(f"only {n} treated schools"))
                    | {"n_treated": int(n)}
                )
                continue
            sub = design.subset(groups == value, "subgroup", f"not in {dimension} {value}")
            try:
                est = estimate_impact(
                    sub,
                    outcome,
                    comparison=comparison,
                    covariates=covariates,
                    balanced=balanced,
                    n_boot=n_boot,
                    seed=seed,
                )
                rows.append(head | est.row(""))
            except PartnershipEvalError as error:
                rows.append(head | failed_row("", error))
    table = pd.DataFrame(rows).drop(columns="check")
    return SubgroupResult(table)


def outcome_effects(
    design: ImpactDesign,
    outcomes: Sequence[str] = ("disadv_rwm_exp", "non_disadv_rwm_exp", "disadv_gap"),
    *,
    comparison: str = "never_treated",
    balanced: bool = False,
    n_boot: int = 0,
    seed: int = 0,
) -> SubgroupResult:
    """Overall effect on each of ``outcomes`` (default: the disadvantaged gap and its parts).

    Results for pupil groups are suppressed far more often than whole-cohort results, so
    by default every published result is used (repeated cross-sections, ``balanced=False``).
    """
    rows = []
    for outcome in outcomes:
        head = {"dimension": "outcome", "subgroup": OUTCOME_LABELS.get(outcome, outcome)}
        try:
            est = estimate_impact(
                design, outcome, comparison=comparison, balanced=balanced, n_boot=n_boot, seed=seed
            )
            rows.append(head | est.row(""))
        except PartnershipEvalError as error:
            rows.append(head | failed_row("", error))
    return SubgroupResult(pd.DataFrame(rows).drop(columns="check"))
