"""Synthetic control for one treated area, with placebo-in-space inference.

Estimand: the treated area's outcome minus that of a weighted average of donor areas
(weights ≥ 0 summing to one, chosen to match its pre-period outcomes), averaged over the
post years. Identifying assumption: without the network the area would have followed
its synthetic control — the donors' mix that tracked it before keeps tracking it, and
no donor was touched by the network or a shock of its own after the start year.

Weights solve ``min ||y1 - Y0 w||²`` over the simplex (Abadie, Diamond & Hainmueller
2010, matching on every pre-year outcome with equal importance), by non-negative least
squares with the sum-to-one constraint as a heavily weighted extra row. pysyncon's
``Synth`` solves the same problem (SLSQP inside a Nelder–Mead search over predictor
importance, which with outcome-only predictors has nothing to choose) but needs a gapless
year index, raises bare ValueErrors and counts the treatment year twice in its placebo
p-value, so it does not earn a dependency here.

Inference (placebo in space): every donor in turn is treated as if it had joined, fitted
on the other donors (the treated area never serves as a donor to a placebo). Two
statistics are ranked, each counting the treated area once:

- the ratio of post- to pre-period root mean squared prediction error (RMSPE), Abadie
  et al.'s classic; with many more donors than pre-years many placebos fit their
  pre-years almost exactly, their ratios explode and the treated area's rank says
  little — it is shown, not used for the p-value;
- the absolute mean post-period gap, among placebos whose pre-period RMSPE is at most
  :data:`FIT_MULTIPLE` times the treated area's (placebos that never fitted say nothing
  about a gap). The permutation p-value is ``(1 + #placebos with |gap| ≥ |treated gap|)
  / (1 + placebos)``, at least ``1 / (1 + placebos)``; the interval inverts that test for
  a constant effect δ (the post gaps less δ) and is unbounded when
  ``1 + placebos < 1 / alpha``.

With a handful of pre-years such placebo tests over-reject under the null (Illenberger,
Small & Shaw 2020), and areas differ in how noisy their results are: read them as
descriptive.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import pandas as pd
from scipy.optimize import nnls

from partnership_eval.analyses.area_network.series import year_axis
from partnership_eval.errors import EstimationError, InputError
from partnership_eval.result import Result, exclusion_frame, level_label, tidy_frame

if TYPE_CHECKING:
    from matplotlib.axes import Axes

FIT_MULTIPLE = 5.0
"""Placebos whose pre-period RMSPE exceeds this multiple of the treated area's are left
out of the p-value (Abadie, Diamond & Hainmueller 2010 use 2, 5 and 20)."""

MIN_PRE_YEARS = 3
"""Fewest pre-years a synthetic control is fitted on: with two, a mix of two areas
matches any area exactly and the gap after says nothing."""

SUM_ROW_WEIGHT = 1e4
"""Weight of the sum-to-one row relative to the outcome scale in the NNLS problem."""


def simplex_weights(donors: np.ndarray, treated: np.ndarray) -> np.ndarray:
    """Weights ``w ≥ 0``, ``sum(w) = 1`` minimising ``||treated - donors @ w||²``.

    ``donors`` is (pre-years × donors), ``treated`` (pre-years,). Solved exactly by NNLS
    with ``SUM_ROW_WEIGHT × scale × (1 - sum w)`` as an extra residual, then renormalised.
    """
    donors = np.asarray(donors, float)
    treated = np.asarray(treated, float)
    if donors.ndim != 2 or treated.shape != (donors.shape[0],):
        raise InputError(
            f"donors {donors.shape} and treated {treated.shape} do not line up",
            fix="pass donors as years × areas and treated as one value per year",
        )
    if not (np.isfinite(donors).all() and np.isfinite(treated).all()):
        raise EstimationError("synthetic control weights need complete pre-period series")
    scale = SUM_ROW_WEIGHT * max(1.0, float(np.abs(donors).max()))
    a = np.vstack([donors, np.full((1, donors.shape[1]), scale)])
    b = np.append(treated, scale)
    w, _ = nnls(a, b, maxiter=50 * a.shape[1])
    return w / w.sum()


def _rmspe(gap: np.ndarray) -> float:
    return float(np.sqrt(np.mean(gap**2))) if gap.size else math.nan


@dataclass(frozen=True)
class SynthSpec:
    """Settings of a synthetic control: treated area, start year, donors, alpha."""

    treated: int
    start: int
    donors: tuple[int, ...]
    pre_years: tuple[int, ...]
    post_years: tuple[int, ...]
    outcome: str = "ks2_rwm_exp"
    alpha: float = 0.05


@dataclass(frozen=True)
class SynthResult(Result):
    """A synthetic control fit, its gaps and its placebo distribution.

    ``path``: year, treated, synthetic, gap (every analysis year). ``weights``: la_code,
    weight (donors with weight > 0.001). ``placebos``: la_code, pre_rmspe, post_rmspe,
    ratio, mean_gap, treated (bool), compared (in the p-value), ratio_rank (1 = largest
    ratio), rank (by absolute mean gap among those compared; 1 = largest). ``placebo_gaps``: years
    down, areas across.
    """

    spec: SynthSpec
    exclusions: pd.DataFrame
    path: pd.DataFrame
    weights: pd.DataFrame
    placebos: pd.DataFrame
    placebo_gaps: pd.DataFrame
    p_value: float
    ci_low: float
    ci_high: float
    title: ClassVar[str] = "Synthetic control"
    headline_label: ClassVar[str] = "synthetic control: average gap after the start year (pp)"

    @property
    def treated_row(self) -> pd.Series:
        """The treated area's row of ``placebos``."""
        return self.placebos[self.placebos["treated"]].iloc[0]

    @property
    def estimate(self) -> float:
        """Mean post-period gap (treated minus synthetic), pp."""
        return float(self.treated_row["mean_gap"])

    @property
    def pre_rmspe(self) -> float:
        """Root mean squared gap over the pre-years: how well the synthetic area fits."""
        return float(self.treated_row["pre_rmspe"])

    @property
    def rank(self) -> int:
        """Rank of the treated area's absolute mean gap among it and the placebos compared."""
        return int(self.treated_row["rank"])

    @property
    def n_compared(self) -> int:
        """The treated area and the placebos its p-value ranks it among."""
        return int(self.placebos["compared"].sum())

    @property
    def ratio_rank(self) -> int:
        """Rank of the treated area's post/pre RMSPE ratio among it and every placebo."""
        return int(self.treated_row["ratio_rank"])

    @property
    def smallest_p(self) -> float:
        """The smallest p-value the placebo test can give: 1 / (1 + placebos compared)."""
        return 1.0 / self.n_compared

    def tidy(self) -> pd.DataFrame:
        """The average post-period gap, with the permutation p-value, rank and fit."""
        return tidy_frame(
            [
                {
                    "term": "average gap after start",
                    "estimate": self.estimate,
                    "ci_low": self.ci_low,
                    "ci_high": self.ci_high,
                    "n_treated": 1,
                    "n_comparison": len(self.spec.donors),
                    "p_value": self.p_value,
                    "rank": self.rank,
                    "placebos": self.n_compared - 1,
                    "pre_rmspe": self.pre_rmspe,
                    "ratio": float(self.treated_row["ratio"]),
                    "ratio_rank": self.ratio_rank,
                }
            ],
            alpha=self.alpha,
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """The treated area and its synthetic control, year by year (gaps left as gaps)."""
        from partnership_eval.plots import new_axes

        ax = ax or new_axes()
        path = _with_gaps(self.path.set_index("year"))
        ax.plot(path.index, path["treated"], marker="o", label="the area")
        ax.plot(path.index, path["synthetic"], marker="o", ls="--", label="synthetic control")
        ax.axvline(self.spec.start - 0.5, color="grey", lw=1)
        year_axis(ax)
        ax.set_ylabel("% of pupils")
        ax.legend()
        return ax

    def gap_plot(self, ax: Axes | None = None) -> Axes:
        """The gap (area minus synthetic control) of the area and of every placebo."""
        from partnership_eval.plots import new_axes

        ax = ax or new_axes()
        gaps = _with_gaps(self.placebo_gaps)
        for code in gaps.columns:
            if code != self.spec.treated:
                ax.plot(gaps.index, gaps[code], color="0.8", lw=0.8)
        ax.plot(gaps.index, gaps[self.spec.treated], color="C0", marker="o", lw=2, label="the area")
        ax.axhline(0, color="black", lw=0.8)
        ax.axvline(self.spec.start - 0.5, color="grey", lw=1)
        year_axis(ax)
        ax.set_ylabel("gap to synthetic control (pp)")
        ax.legend()
        return ax

    def placebo_plot(self, ax: Axes | None = None) -> Axes:
        """Mean post-period gaps of the placebos compared, the treated area marked."""
        from partnership_eval.plots import new_axes

        ax = ax or new_axes()
        table = self.placebos[self.placebos["compared"]].sort_values("mean_gap")
        colours = np.where(table["treated"], "C3", "0.6")
        ax.barh(range(len(table)), table["mean_gap"], color=colours)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks([])
        ax.set_xlabel("average gap to synthetic control after the start year (pp; the area in red)")
        ax.set_title(
            f"rank {self.rank} of {len(table)}; permutation p = {self.p_value:.2f} "
            f"(smallest possible {self.smallest_p:.2f})"
        )
        return ax

    def summary(self, digits: int = 2) -> str:
        """Fit, gap, rank and p-value in words."""
        lo, hi = (
            f"{v:.{digits}f}" if np.isfinite(v) else "unbounded"
            for v in (self.ci_low, self.ci_high)
        )
        return (
            f"Synthetic control of LA {self.spec.treated} from {self.spec.start} "
            f"({len(self.spec.pre_years)} pre-years, {len(self.spec.donors)} donors): "
            f"pre-period RMSPE {self.pre_rmspe:.{digits}f} pp; average gap after start "
            f"{self.estimate:.{digits}f} pp, {level_label(self.alpha)} permutation interval "
            f"[{lo}, {hi}]; gap rank {self.rank} of {self.n_compared}, p = {self.p_value:.3f}; "
            f"post/pre RMSPE ratio rank {self.ratio_rank} of {len(self.placebos)}."
        )


def _with_gaps(frame: pd.DataFrame) -> pd.DataFrame:
    span = range(int(frame.index.min()), int(frame.index.max()) + 1)
    return frame.reindex(span)


def _gaps(
    wide: pd.DataFrame, pre: np.ndarray, unit: int, pool: list[int]
) -> tuple[np.ndarray, np.ndarray]:
    """Gap of ``unit`` to its synthetic control from ``pool`` (less itself), and the weights."""
    donors = [c for c in pool if c != unit]
    w = simplex_weights(wide.loc[pre, donors].to_numpy(), wide.loc[pre, unit].to_numpy())
    return wide[unit].to_numpy() - wide[donors].to_numpy() @ w, w


def inverted_interval(
    mean_gap: float, placebo_gaps: np.ndarray, alpha: float
) -> tuple[float, float]:
    """Constant effects δ a placebo-in-space test does not reject at ``alpha`` (closed form).

    δ is kept when ``1 + #{|placebo gap| ≥ |mean gap - δ|} > alpha (1 + J)``, i.e. when
    ``|mean gap - δ|`` is at most the m-th largest absolute placebo gap; unbounded when
    ``1 + J < 1 / alpha``.
    """
    j = len(placebo_gaps)
    m = math.floor(alpha * (1 + j) - 1) + 1
    if m <= 0:
        return -math.inf, math.inf
    critical = float(np.sort(np.abs(placebo_gaps))[::-1][m - 1])
    return mean_gap - critical, mean_gap + critical


def synthetic_control(
    wide: pd.DataFrame,
    treated: int,
    start: int,
    donors: list[int] | tuple[int, ...],
    *,
    outcome: str = "ks2_rwm_exp",
    alpha: float = 0.05,
) -> SynthResult:
    """Synthetic control of ``treated`` from ``start`` on, with placebos over ``donors``.

    ``wide`` is years × la_code (:func:`~.series.series_wide`); years the area has no
    result (the no-results years) are dropped, never filled, and donors missing a year
    the area has are left out (counted in ``exclusions``). Needs :data:`MIN_PRE_YEARS` pre-years and one post-year.
    """
    if not 0 < alpha < 1:
        raise InputError(f"alpha={alpha!r} must lie between 0 and 1")
    if treated not in wide.columns:
        raise EstimationError(f"LA {treated} has no area series")
    present = wide[treated].notna()
    frame = wide.loc[present]
    donors = [int(d) for d in donors if d != treated and d in frame.columns]
    complete = [d for d in donors if frame[d].notna().all()]
    records = []
    if len(complete) < len(donors):
        records.append(
            {
                "reason": "donor areas missing a year the area has",
                "rows": len(donors) - len(complete),
            }
        )
    if len(complete) < 2:
        raise EstimationError(
            f"synthetic control needs two or more donor areas, has {len(complete)}"
        )
    frame = frame[[treated, *complete]]
    pre = frame.index[frame.index < start].to_numpy()
    post = frame.index[frame.index >= start].to_numpy()
    if len(pre) < MIN_PRE_YEARS or len(post) < 1:
        raise EstimationError(
            f"synthetic control needs {MIN_PRE_YEARS} or more pre-years and one post-year; "
            f"has {len(pre)} before {start} and {len(post)} from it"
        )
    # The area's own fit uses every donor; each placebo the donors less itself, never the area.
    fits = {unit: _gaps(frame, pre, unit, complete) for unit in [treated, *complete]}
    gaps = pd.DataFrame({unit: fit[0] for unit, fit in fits.items()}, index=frame.index)
    w = fits[treated][1]
    is_pre = gaps.index < start
    table = pd.DataFrame(
        {
            "la_code": gaps.columns.astype(int),
            "pre_rmspe": [_rmspe(gaps.loc[is_pre, c].to_numpy()) for c in gaps.columns],
            "post_rmspe": [_rmspe(gaps.loc[~is_pre, c].to_numpy()) for c in gaps.columns],
            "mean_gap": gaps.loc[~is_pre].mean().to_numpy(),
        }
    )
    table["ratio"] = table["post_rmspe"] / table["pre_rmspe"].where(table["pre_rmspe"] > 0)
    table["treated"] = table["la_code"] == treated
    own = table[table["treated"]].iloc[0]
    table["compared"] = table["treated"] | (
        table["pre_rmspe"] <= FIT_MULTIPLE * float(own["pre_rmspe"])
    )
    table["ratio_rank"] = table["ratio"].rank(ascending=False, method="min").astype(int)
    compared = table[table["compared"]]
    table["rank"] = (
        compared["mean_gap"].abs().rank(ascending=False, method="min").reindex(table.index)
    ).astype("Int64")
    others = compared.loc[~compared["treated"], "mean_gap"].abs().to_numpy()
    p_value = (1 + np.sum(others >= abs(float(own["mean_gap"])))) / (1 + len(others))
    lo, hi = inverted_interval(float(own["mean_gap"]), others, alpha)
    if len(compared) < len(table):
        records.append(
            {
                "reason": f"placebos fitting their pre-years {FIT_MULTIPLE:g}× worse than the area",
                "rows": len(table) - len(compared),
            }
        )
    path = pd.DataFrame(
        {
            "year": frame.index.astype(int),
            "treated": frame[treated].to_numpy(),
            "synthetic": frame[treated].to_numpy() - gaps[treated].to_numpy(),
            "gap": gaps[treated].to_numpy(),
        }
    )
    weights = pd.DataFrame({"la_code": complete, "weight": w})
    weights = weights[weights["weight"] > 1e-3].sort_values("weight", ascending=False)
    spec = SynthSpec(
        treated=int(treated),
        start=int(start),
        donors=tuple(complete),
        pre_years=tuple(int(y) for y in pre),
        post_years=tuple(int(y) for y in post),
        outcome=outcome,
        alpha=alpha,
    )
    return SynthResult(
        spec=spec,
        exclusions=exclusion_frame(records, step="synthetic control"),
        path=path,
        weights=weights.reset_index(drop=True),
        placebos=table.sort_values(["rank", "ratio_rank"]).reset_index(drop=True),
        placebo_gaps=gaps,
        p_value=float(p_value),
        ci_low=lo,
        ci_high=hi,
    )
