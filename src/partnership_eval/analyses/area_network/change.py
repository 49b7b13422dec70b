"""The change in an area's gap to England, set against the same change in every other area.

Estimand (descriptive): the area's mean gap to the rest of England over the post years
minus its mean gap over the pre years — a difference in differences of area means, the
one comparison even one pre-year and one post-year allow. Placebo in space: the same
change for every other area (its gap to England before and after the same start year)
shows how much areas' gaps move anyway; the p-value is
``(1 + #areas with |change| ≥ |the area's change|) / (1 + areas)`` and the interval inverts
that test for a constant effect. Identifying assumption, were it read causally: the area's
gap to England would have stayed as it was, and areas' gaps move alike — with one area
and few years neither can be checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import pandas as pd

from partnership_eval.analyses.area_network.synth import inverted_interval
from partnership_eval.errors import EstimationError, InputError
from partnership_eval.result import Result, exclusion_frame, tidy_frame

if TYPE_CHECKING:
    from matplotlib.axes import Axes


@dataclass(frozen=True)
class GapChangeSpec:
    """Settings of the gap-change comparison."""

    la_code: int
    start: int
    years: tuple[int, ...]
    alpha: float = 0.05


@dataclass(frozen=True)
class GapChangeResult(Result):
    """The area's change in its gap to England and every other area's (``changes``:
    la_code, change, treated)."""

    spec: GapChangeSpec
    exclusions: pd.DataFrame
    changes: pd.DataFrame
    p_value: float
    ci_low: float
    ci_high: float
    title: ClassVar[str] = "Change in the gap to England"
    headline_label: ClassVar[str] = "change in the gap to England after the start year (pp)"

    @property
    def estimate(self) -> float:
        """The area's change in its gap to England (pp)."""
        return float(self.changes.loc[self.changes["treated"], "change"].iloc[0])

    def tidy(self) -> pd.DataFrame:
        """The change with its placebo interval and p-value."""
        others = self.changes[~self.changes["treated"]]
        return tidy_frame(
            [
                {
                    "term": "change in the gap to England",
                    "estimate": self.estimate,
                    "ci_low": self.ci_low,
                    "ci_high": self.ci_high,
                    "n_treated": 1,
                    "n_comparison": len(others),
                    "p_value": self.p_value,
                    "middle_95_low": float(others["change"].quantile(0.025)),
                    "middle_95_high": float(others["change"].quantile(0.975)),
                }
            ],
            alpha=self.alpha,
        )

    def summary(self, digits: int = 1) -> str:
        """The change in words, against the spread of other areas' changes."""
        row = self.tidy().iloc[0]
        return (
            f"From before {self.spec.start} to after, the area's gap to the rest of England "
            f"changed by {row['estimate']:+.{digits}f} pp; the middle 95% of the "
            f"{int(row['n_comparison'])} other areas' gaps changed by between "
            f"{row['middle_95_low']:+.{digits}f} and {row['middle_95_high']:+.{digits}f} pp "
            f"over the same years (permutation p = {self.p_value:.2f})."
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """Every area's change in its gap to England, the area marked."""
        from partnership_eval.plots import new_axes

        ax = ax or new_axes()
        others = self.changes.loc[~self.changes["treated"], "change"]
        ax.hist(others, bins=30, color="0.7", label="other areas")
        ax.axvline(self.estimate, color="C3", lw=2, label="the area")
        ax.set_xlabel("change in the gap to England, after minus before (pp)")
        ax.set_ylabel("areas")
        ax.legend()
        return ax


def gap_change(
    wide: pd.DataFrame, england: pd.Series, la_code: int, start: int, *, alpha: float = 0.05
) -> GapChangeResult:
    """The change in ``la_code``'s gap to ``england`` from before ``start`` to after, and
    every other area's (see the module docstring).

    ``wide`` is years × la_code (:func:`~.series.series_wide`), ``england`` the England
    value by year; years either lacks, and areas missing a year the area has, are left out.
    """
    if not 0 < alpha < 1:
        raise InputError(f"alpha={alpha!r} must lie between 0 and 1")
    if la_code not in wide.columns:
        raise EstimationError(f"LA {la_code} has no area series")
    frame = wide.loc[wide.index.isin(england.index) & wide[la_code].notna()]
    complete = frame.columns[frame.notna().all()]
    dropped = len(frame.columns) - len(complete)
    gaps = frame[complete].sub(england.reindex(frame.index), axis=0)
    post = gaps.index >= start
    if post.all() or not post.any():
        raise EstimationError(f"a change needs a year with results before {start} and one from it")
    change = gaps[post].mean() - gaps[~post].mean()
    changes = pd.DataFrame(
        {"la_code": change.index.astype(int), "change": change.to_numpy()}
    ).assign(treated=lambda d: d["la_code"] == la_code)
    own = float(change[la_code])
    others = changes.loc[~changes["treated"], "change"].abs().to_numpy()
    p_value = (1 + np.sum(others >= abs(own))) / (1 + len(others))
    lo, hi = inverted_interval(own, others, alpha)
    records = [{"reason": "areas missing a year the area has", "rows": dropped}] if dropped else []
    return GapChangeResult(
        spec=GapChangeSpec(
            la_code=int(la_code),
            start=int(start),
            years=tuple(int(y) for y in gaps.index),
            alpha=alpha,
        ),
        exclusions=exclusion_frame(records, step="gap change"),
        changes=changes,
        p_value=float(p_value),
        ci_low=lo,
        ci_high=hi,
    )
