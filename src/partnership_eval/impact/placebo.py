"""Placebo-in-space inference for one treated area (Conley & Taber 2011 in spirit).

With one treated area (an LA whose schools all joined), standard errors from the
schools understate the uncertainty: area-wide shocks hit every treated school at once.
Re-running the same estimate with each comparison area in turn labelled "treated"
gives the distribution of estimates that area-level noise alone produces. Under a
constant effect ``a`` the treated estimate is ``a`` plus one draw from that noise, so

- the p-value of "no effect" is the share of areas (the treated one included) whose
  estimate is at least as far from 0 as the treated one's;
- the interval is ``[θ̂ − q_{1−α/2}, θ̂ − q_{α/2}]``, ``q`` the quantiles of the
  placebo estimates (Conley–Taber), which needs the placebo areas to be exchangeable
  with the treated one (similar size and composition).

With fewer than ``1 / alpha − 1`` placebo areas the p-value cannot fall below ``alpha``
and the interval ends are the extreme placebo estimates: the result says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import pandas as pd

from partnership_eval.errors import EstimationError, InputError, PartnershipEvalError
from partnership_eval.result import Result, exclusion_frame, tidy_frame

if TYPE_CHECKING:
    from matplotlib.axes import Axes


@dataclass(frozen=True)
class PlaceboSpec:
    """Settings of a placebo-in-space analysis."""

    treated: object
    areas: tuple[object, ...]
    alpha: float = 0.05


@dataclass(frozen=True)
class PlaceboResult(Result):
    """The treated area's estimate against the placebo areas' estimates.

    ``placebo`` has one row per placebo area (area, estimate); ``p_value`` and the
    interval are as in the module docstring; ``few_areas`` is True when there are too
    few placebo areas for the p-value to reach ``alpha``.
    """

    estimate: float
    placebo: pd.DataFrame
    p_value: float
    ci_low: float
    ci_high: float
    spec: PlaceboSpec
    n_treated: int | None = None
    n_comparison: int | None = None
    exclusions: pd.DataFrame = field(default_factory=exclusion_frame)
    title: ClassVar[str] = "Placebo in space"

    @property
    def headline_label(self) -> str:  # type: ignore[override]
        return f"estimate for {self.spec.treated}, placebo-in-space interval"

    @property
    def few_areas(self) -> bool:
        """Too few placebo areas for a p-value below ``alpha``."""
        return len(self.placebo) < 1 / self.alpha - 1 - 1e-9

    def tidy(self) -> pd.DataFrame:
        """The treated area's row (interval and p-value), then one row per placebo area."""
        rows = [
            {
                "term": f"treated: {self.spec.treated}",
                "estimate": self.estimate,
                "ci_low": self.ci_low,
                "ci_high": self.ci_high,
                "n_treated": self.n_treated,
                "n_comparison": self.n_comparison,
                "p_value": self.p_value,
                "placebo_areas": len(self.placebo),
            }
        ]
        rows += [
            {"term": f"placebo: {row.area}", "estimate": row.estimate}
            for row in self.placebo.itertuples(index=False)
        ]
        return tidy_frame(rows, alpha=self.alpha)

    def summary(self) -> str:
        """The estimate, its placebo p-value and interval in words."""
        text = (
            f"Estimate for {self.spec.treated}: {self.estimate:.3g}; {len(self.placebo)} placebo "
            f"areas give p = {self.p_value:.3f} and a {self.level} interval "
            f"[{self.ci_low:.3g}, {self.ci_high:.3g}]."
        )
        if self.few_areas:
            text += (
                f" With so few placebo areas the p-value cannot fall below {self.alpha:g}: "
                "the interval ends are the extreme placebo estimates."
            )
        return text

    def plot(self, ax: Axes | None = None) -> Axes:
        """Placebo estimates as a strip, the treated estimate marked."""
        from partnership_eval.plots import strip_plot

        ax = strip_plot(
            self.placebo["estimate"].to_numpy(),
            label="placebo areas",
            xlabel="estimate",
            title=f"Placebo in space (p = {self.p_value:.3f})",
            ax=ax,
        )
        ax.scatter([self.estimate], [0], color="C3", s=60, zorder=3, label=str(self.spec.treated))
        ax.legend(frameon=False)
        return ax


def placebo_in_space(
    panel: pd.DataFrame,
    estimate_fn: Callable[[pd.DataFrame, object], float],
    *,
    treated: object,
    areas: Sequence[object],
    alpha: float = 0.05,
    n_treated: int | None = None,
    n_comparison: int | None = None,
) -> PlaceboResult:
    """Compare the treated area's estimate with the same estimate for each placebo area.

    ``estimate_fn(panel, area)`` returns the estimate when ``area`` is the treated area
    (the caller decides how: e.g. recode the area's schools as treated from the same
    year and drop the truly treated area). ``areas`` are the placebo areas (the treated
    one is left out if listed). Areas whose estimate fails with a package error are
    left out and counted in ``exclusions``.
    """
    if not 0 < alpha < 1:
        raise InputError(f"parameter alpha={alpha!r} must lie strictly between 0 and 1")
    if not callable(estimate_fn):
        raise InputError("estimate_fn must be a function (panel, area) -> estimate")
    placebo_areas = tuple(a for a in dict.fromkeys(areas) if a != treated)
    if not placebo_areas:
        raise InputError("no placebo areas given", fix="pass the comparison areas as areas=[...]")
    estimate = float(estimate_fn(panel, treated))
    rows, failed = [], []
    for area in placebo_areas:
        try:
            rows.append({"area": area, "estimate": float(estimate_fn(panel, area))})
        except PartnershipEvalError as err:
            failed.append({"reason": f"placebo area {area}: {err}", "rows": 0})
    placebo = pd.DataFrame(rows, columns=["area", "estimate"])
    placebo = placebo[np.isfinite(placebo["estimate"])]
    if len(placebo) < 1 or not np.isfinite(estimate):
        raise EstimationError("no placebo area (or the treated area) gave an estimate")
    values = placebo["estimate"].to_numpy()
    p_value = (1 + np.sum(np.abs(values) >= abs(estimate))) / (1 + len(values))
    q_low, q_high = np.quantile(values, [alpha / 2, 1 - alpha / 2])
    return PlaceboResult(
        estimate=estimate,
        placebo=placebo.reset_index(drop=True),
        p_value=float(p_value),
        ci_low=float(estimate - q_high),
        ci_high=float(estimate - q_low),
        spec=PlaceboSpec(treated=treated, areas=placebo_areas, alpha=alpha),
        n_treated=n_treated,
        n_comparison=n_comparison,
        exclusions=exclusion_frame(failed, step="placebo_in_space"),
    )
