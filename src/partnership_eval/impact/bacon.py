"""Goodman-Bacon (2021) decomposition of the static TWFE difference-in-differences coefficient.

Estimand. In a balanced panel with staggered, absorbing treatment and no covariates, the
TWFE coefficient on "treated from the first treated period on" is exactly a weighted
average of every 2×2 DiD between two treatment-timing groups:

- *treated vs never treated* — a cohort against units untreated throughout the panel;
- *earlier vs later treated* — an earlier cohort, with a later cohort (not yet treated
  during the window) as control;
- *later vs earlier treated* — a later cohort with an *already treated* earlier cohort as
  control: the "forbidden" comparison. When effects change over time the control's own
  effect dynamics are subtracted, so these estimates can be far below — even of opposite
  sign to — every true effect;
- *later vs always treated* — a cohort against units treated before the panel starts
  (also already-treated controls).

Weights are products of group sizes and the variance of treatment within each pair; they
are non-negative, sum to one, and the weighted sum of the 2×2 estimates reproduces the TWFE
coefficient. The decomposition is a diagnostic of *which comparisons* drive TWFE; it makes
no identifying assumption of its own (each 2×2 is unbiased for an ATT only under parallel
trends, and the forbidden ones only if effects are constant over time).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

from partnership_eval.errors import EstimationError
from partnership_eval.impact.panel_checks import (
    check_constant_within_unit,
    check_unique_unit_time,
    cohort_values,
    numeric_column,
    require_columns,
)
from partnership_eval.plots import new_axes
from partnership_eval.result import Result, exclusion_frame, tidy_frame

COMPARISON_TYPES = (
    "treated_vs_never_treated",
    "earlier_vs_later_treated",
    "later_vs_earlier_treated",
    "later_vs_always_treated",
)
"""Comparison types, in the order tables and plots list them."""

FORBIDDEN = ("later_vs_earlier_treated", "later_vs_always_treated")
"""Comparisons whose controls are already treated."""


@dataclass(frozen=True)
class BaconSpec:
    """What was decomposed: the TWFE regression's columns."""

    outcome: str
    unit: str
    time: str
    cohort: str
    alpha: float = 0.05


@dataclass(frozen=True)
class BaconResult(Result):
    """Every 2×2 comparison behind a TWFE coefficient, with its estimate and weight.

    ``table`` has columns treated_cohort, control_cohort (0 = never treated),
    comparison_type, estimate, weight. ``twfe_estimate`` is the TWFE coefficient computed
    directly; ``(table.estimate * table.weight).sum()`` equals it.
    """

    table: pd.DataFrame
    twfe_estimate: float
    n_units: int
    n_periods: int
    spec: BaconSpec
    exclusions: pd.DataFrame = field(default_factory=exclusion_frame)
    headline_label: ClassVar[str] = "TWFE coefficient (sum of the 2×2 comparisons)"
    title: ClassVar[str] = "Goodman-Bacon decomposition"

    @property
    def inputs(self) -> dict[str, object]:
        """The settings as a dict (``spec`` is the frozen form)."""
        return asdict(self.spec)

    def tidy(self) -> pd.DataFrame:
        """The TWFE coefficient, then each comparison type's weighted estimate and weight."""
        rows = [{"term": "TWFE coefficient", "estimate": self.twfe_estimate, "weight": 1.0}]
        rows += [
            {
                "term": row.comparison_type.replace("_", " "),
                "estimate": row.estimate,
                "weight": row.weight,
                "contribution": row.contribution,
                "n_comparisons": row.n_comparisons,
            }
            for row in self.by_type().itertuples(index=False)
        ]
        return tidy_frame(rows, alpha=self.alpha)

    def by_type(self) -> pd.DataFrame:
        """Total weight, weighted-average estimate and contribution to TWFE per comparison type."""
        table = self.table.assign(contribution=self.table["estimate"] * self.table["weight"])
        grouped = table.groupby("comparison_type", observed=True)[["weight", "contribution"]].sum()
        grouped["estimate"] = grouped["contribution"] / grouped["weight"]
        grouped["n_comparisons"] = table.groupby("comparison_type", observed=True).size()
        order = [kind for kind in COMPARISON_TYPES if kind in grouped.index]
        return grouped.loc[
            order, ["n_comparisons", "weight", "estimate", "contribution"]
        ].reset_index()

    def summary(self) -> str:
        """Plain-text summary: the TWFE coefficient and what share each comparison type carries."""
        types = self.by_type()
        forbidden = types[types["comparison_type"].isin(FORBIDDEN)]
        lines = [
            f"Goodman-Bacon decomposition of the TWFE coefficient for {self.inputs['outcome']!r}: "
            f"{self.twfe_estimate:.4g}",
            f"{len(self.table)} two-group comparisons from {self.n_units} units over {self.n_periods} periods",
            types.to_string(index=False, float_format=lambda v: f"{v:.4g}"),
        ]
        if not forbidden.empty:
            lines.append(
                f"Comparisons that use already-treated units as controls carry "
                f"{forbidden['weight'].sum():.1%} of the weight and contribute "
                f"{forbidden['contribution'].sum():.4g} to the TWFE coefficient; if effects "
                "change over time these comparisons are biased (use staggered_did)."
            )
        return "\n".join(lines)

    def plot(self, ax: Axes | None = None, title: str | None = None) -> Axes:
        """Scatter of each comparison's estimate against its weight, coloured by type."""
        ax = ax if ax is not None else new_axes()
        table = self.table.assign(
            comparison_type=pd.Categorical(
                self.table["comparison_type"],
                categories=[c for c in COMPARISON_TYPES if c in set(self.table["comparison_type"])],
            )
        )
        sns.scatterplot(
            data=table,
            x="weight",
            y="estimate",
            hue="comparison_type",
            style="comparison_type",
            palette="colorblind",
            s=60,
            ax=ax,
        )
        ax.axhline(
            self.twfe_estimate,
            color="grey",
            ls="--",
            lw=0.8,
            label=f"TWFE = {self.twfe_estimate:.3g}",
        )
        ax.axhline(0.0, color="grey", lw=0.5)
        ax.set_xlabel("weight in the TWFE coefficient")
        ax.set_ylabel("2×2 DiD estimate")
        ax.set_title(title or f"Goodman-Bacon decomposition: {self.inputs['outcome']}")
        ax.legend(frameon=False)
        return ax


def _balanced_outcomes(
    df: pd.DataFrame, outcome: str, unit: str, time: str, cohort: str, who: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Outcome matrix (units × periods), each unit's cohort, and the sorted periods."""
    require_columns(df, {"outcome": outcome, "unit": unit, "time": time, "cohort": cohort}, who=who)
    check_unique_unit_time(df, unit, time, who=who)
    y = numeric_column(df, outcome, "outcome", who=who)
    times = numeric_column(df, time, "time", who=who)
    cohorts = cohort_values(df, cohort, who=who)
    unit_codes, units = pd.factorize(df[unit])
    check_constant_within_unit(cohorts, unit_codes, cohort, who=who)
    periods, time_codes = np.unique(times, return_inverse=True)

    matrix = np.full((len(units), len(periods)), np.nan)
    matrix[unit_codes, time_codes] = y
    incomplete = np.isnan(matrix).any(axis=1)
    if incomplete.any():
        raise EstimationError(
            f"{who}: the panel is unbalanced — {int(incomplete.sum())} of {len(units)} units lack "
            f"{outcome!r} in at least one of the {len(periods)} periods, and the decomposition "
            f"needs every unit in every period. Balance it first, e.g. "
            f"df[df.groupby({unit!r})[{outcome!r}].transform('count') == {len(periods)}], "
            "or use staggered_did, which handles unbalanced panels"
        )
    unit_cohort = np.zeros(len(units))
    unit_cohort[unit_codes] = cohorts
    return matrix, unit_cohort, periods


def _two_way_demean(matrix: np.ndarray) -> np.ndarray:
    return (
        matrix
        - matrix.mean(axis=1, keepdims=True)
        - matrix.mean(axis=0, keepdims=True)
        + matrix.mean()
    )


def bacon_decomposition(
    df: pd.DataFrame, outcome: str, unit: str, time: str, cohort: str
) -> BaconResult:
    """Decompose the static TWFE DiD coefficient into its 2×2 comparisons (Goodman-Bacon 2021).

    Parameters
    ----------
    df
        Balanced long panel, one row per unit and period.
    outcome, unit, time, cohort
        Column names; ``cohort`` is the first treated period, 0 or missing if never
        treated. Cohorts after the last period count as untreated in the panel, cohorts at
        or before the first period as always treated.

    Returns
    -------
    BaconResult
        ``table`` of comparisons, ``by_type()``, ``summary()``, ``plot()``.

    Examples
    --------
    >>> from partnership_eval.impact.simulate import simulate_staggered_panel
    >>> sim = simulate_staggered_panel(n_units=300, seed=1)
    >>> res = bacon_decomposition(sim.data, "y", "unit", "time", "cohort")
    >>> round(float(res.table["weight"].sum()), 10)
    1.0
    """
    who = "bacon_decomposition"
    matrix, unit_cohort, periods = _balanced_outcomes(df, outcome, unit, time, cohort, who)
    groups, group_codes = np.unique(unit_cohort, return_inverse=True)
    paths = ((groups[:, None] > 0) & (periods[None, :] >= groups[:, None])).astype("float64")
    if len({tuple(path) for path in paths}) < 2:
        raise EstimationError(
            f"{who}: every unit has the same treatment timing, so there is no comparison to "
            "decompose; the data need never-treated units or at least two treatment cohorts"
        )
    n_units = len(unit_cohort)
    share = np.bincount(group_codes) / n_units
    means = np.stack([np.bincount(group_codes, weights=col) for col in matrix.T], axis=1) / (
        share[:, None] * n_units
    )
    treated_share = paths.mean(axis=1)

    treatment = paths[group_codes]
    treatment_dm = _two_way_demean(treatment)
    variance_d = float((treatment_dm**2).mean())
    twfe = float((_two_way_demean(matrix) * treatment_dm).sum() / (treatment_dm**2).sum())

    rows = []
    for a in range(len(groups)):
        for b in range(a + 1, len(groups)):
            rows.extend(
                _pair_comparisons(a, b, groups, paths, treated_share, means, share, variance_d)
            )
    table = pd.DataFrame(
        rows, columns=["treated_cohort", "control_cohort", "comparison_type", "estimate", "weight"]
    )
    order = {kind: i for i, kind in enumerate(COMPARISON_TYPES)}
    table = table.sort_values(
        ["comparison_type", "treated_cohort", "control_cohort"],
        key=lambda s: s.map(order) if s.name == "comparison_type" else s,
    ).reset_index(drop=True)
    return BaconResult(
        table=table,
        twfe_estimate=twfe,
        n_units=n_units,
        n_periods=len(periods),
        spec=BaconSpec(outcome=outcome, unit=unit, time=time, cohort=cohort),
    )


def _pair_comparisons(
    a: int,
    b: int,
    groups: np.ndarray,
    paths: np.ndarray,
    treated_share: np.ndarray,
    means: np.ndarray,
    share: np.ndarray,
    variance_d: float,
) -> list[tuple[int, int, str, float, float]]:
    """The 2×2 comparison(s) between timing groups a and b, with their weights."""
    if treated_share[a] < treated_share[b]:
        a, b = b, a  # a is treated earlier (longer)
    constant_a = treated_share[a] == 1.0
    constant_b = treated_share[b] == 0.0
    if np.array_equal(paths[a], paths[b]) or (constant_a and constant_b):
        return []  # no variation in treatment between the two groups
    gap = means[a] - means[b]
    label_a, label_b = int(groups[a]), int(groups[b])
    if constant_a or constant_b:
        # One group is untreated (never) or treated (always) throughout: one 2×2 around the
        # other group's treatment date.
        timing = b if constant_a else a
        post = paths[timing] == 1
        sign = -1.0 if constant_a else 1.0
        estimate = sign * (gap[post].mean() - gap[~post].mean())
        d = treated_share[timing]
        weight = share[a] * share[b] * d * (1 - d) / variance_d
        if constant_a:
            return [(label_b, label_a, "later_vs_always_treated", estimate, weight)]
        return [(label_a, label_b, "treated_vs_never_treated", estimate, weight)]
    pre = paths[a] == 0
    mid = (paths[a] == 1) & (paths[b] == 0)
    post = paths[b] == 1
    d_a, d_b = treated_share[a], treated_share[b]
    pair = share[a] * share[b] * (d_a - d_b) / variance_d
    return [
        (
            label_a,
            label_b,
            "earlier_vs_later_treated",
            gap[mid].mean() - gap[pre].mean(),
            pair * (1 - d_a),
        ),
        (
            label_b,
            label_a,
            "later_vs_earlier_treated",
            gap[mid].mean() - gap[post].mean(),
            pair * d_b,
        ),
    ]
