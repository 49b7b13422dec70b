"""Comparative interrupted time series, and the "improving faster than England" test.

Both work on the gap ``d_t`` between the area and a comparison (its statistical
neighbours pooled, or the rest of England), one value per year with results.

Comparative interrupted time series (CITS)::

    d_t = a + b (t - start) + L post_t + S post_t (t - start) + e_t

estimates the level change ``L`` at the start year, the change in yearly trend ``S``,
and the average effect over the post years ``L + S × mean(t - start | post)``, under the
assumption that without the network the gap would have kept its pre-period line.
Calendar years are the time scale, so the 2020-2021 gap is a gap, not two missing points.

Standard errors are classical OLS ones with Student-t intervals on ``n - 4`` degrees of
freedom: with a dozen yearly points, HAC (Newey–West) corrections estimate the
autocorrelation from too few lags and are anti-conservative; the t reference with few
degrees of freedom is the honest small-sample choice when errors are roughly
independent from year to year (they are not if area shocks persist).

"Improving faster than England": the yearly trend of the gap over the post years,
``d_t = c + g (t - start)``, with a t interval on ``n_post - 2`` degrees of freedom; the
claim holds at ``alpha`` when the interval lies above zero. It does not say why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from partnership_eval.analyses.area_network.series import year_axis
from partnership_eval.errors import EstimationError, InputError
from partnership_eval.result import Result, exclusion_frame, tidy_frame

if TYPE_CHECKING:
    from matplotlib.axes import Axes


@dataclass(frozen=True)
class OlsFit:
    """Coefficients, classical standard errors and residual degrees of freedom."""

    coef: np.ndarray
    cov: np.ndarray
    df: int


def ols(x: np.ndarray, y: np.ndarray) -> OlsFit:
    """OLS with classical (homoskedastic) covariance; error when no degrees of freedom."""
    n, k = x.shape
    if n - k < 1 or np.linalg.matrix_rank(x) < k:
        raise EstimationError(
            f"{n} yearly points cannot estimate {k} coefficients with any degrees of freedom left"
        )
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ coef
    sigma2 = float(resid @ resid) / (n - k)
    return OlsFit(coef=coef, cov=sigma2 * np.linalg.inv(x.T @ x), df=n - k)


def reader_table(estimates: pd.DataFrame, level: str, digits: int = 2) -> pd.DataFrame:
    """Estimates in words: term, estimate, standard error, interval, degrees of freedom."""
    return pd.DataFrame(
        {
            "": estimates["term"],
            "estimate (pp)": estimates["estimate"].round(digits),
            "standard error": estimates["se"].round(digits),
            f"{level} interval from": estimates["ci_low"].round(digits),
            f"{level} interval to": estimates["ci_high"].round(digits),
            "degrees of freedom": estimates["df"].astype(int),
        }
    )


def _row(term: str, fit: OlsFit, contrast: np.ndarray, alpha: float) -> dict:
    estimate = float(contrast @ fit.coef)
    se = float(np.sqrt(contrast @ fit.cov @ contrast))
    q = stats.t.ppf(1 - alpha / 2, fit.df)
    p = float(2 * stats.t.sf(abs(estimate) / se, fit.df)) if se > 0 else np.nan
    return {
        "term": term,
        "estimate": estimate,
        "se": se,
        "ci_low": estimate - q * se,
        "ci_high": estimate + q * se,
        "df": fit.df,
        "p_value": p,
    }


def gap_series(area: pd.DataFrame, comparison: pd.DataFrame) -> pd.DataFrame:
    """Area minus comparison per year both have (columns year, area, comparison, gap)."""
    merged = area[["year", "value"]].merge(
        comparison[["year", "value"]], on="year", suffixes=("_area", "_comparison")
    )
    merged = merged.dropna().sort_values("year")
    return pd.DataFrame(
        {
            "year": merged["year"].astype(int).to_numpy(),
            "area": merged["value_area"].to_numpy(),
            "comparison": merged["value_comparison"].to_numpy(),
            "gap": (merged["value_area"] - merged["value_comparison"]).to_numpy(),
        }
    )


@dataclass(frozen=True)
class CitsSpec:
    """Settings of a comparative interrupted time series."""

    start: int
    comparison: str
    alpha: float = 0.05


@dataclass(frozen=True)
class CitsResult(Result):
    """Level change, trend change and average post-period effect against one comparison."""

    spec: CitsSpec
    exclusions: pd.DataFrame
    gaps: pd.DataFrame
    estimates: pd.DataFrame
    fitted: np.ndarray
    title: ClassVar[str] = "Comparative interrupted time series"
    headline_label: ClassVar[str] = "interrupted time series: average effect after start (pp)"

    def tidy(self) -> pd.DataFrame:
        """Average effect after start first, then the level and trend changes."""
        return tidy_frame(
            self.estimates.assign(n_treated=1, comparison=self.spec.comparison),
            alpha=self.alpha,
        )

    def table(self) -> pd.DataFrame:
        """The estimates in words."""
        return reader_table(self.estimates, self.level)

    def plot(self, ax: Axes | None = None) -> Axes:
        """The gap by year, the fitted pre- and post-period lines and the start year."""
        from partnership_eval.plots import new_axes

        ax = ax or new_axes()
        years = self.gaps["year"].to_numpy()
        ax.plot(years, self.gaps["gap"], "o", label=f"area minus {self.spec.comparison}")
        pre = years < self.spec.start
        ax.plot(years[pre], self.fitted[pre], color="C1", label="fitted lines")
        ax.plot(years[~pre], self.fitted[~pre], color="C1")
        ax.axvline(self.spec.start - 0.5, color="grey", lw=1)
        ax.axhline(0, color="black", lw=0.8)
        year_axis(ax)
        ax.set_ylabel("gap (pp)")
        ax.legend()
        return ax


def comparative_its(
    gaps: pd.DataFrame, start: int, *, comparison: str, alpha: float = 0.05
) -> CitsResult:
    """Level and trend change of the gap at ``start`` (see the module docstring).

    ``gaps`` is :func:`gap_series`. Needs two or more years on each side and five in all.
    """
    if not 0 < alpha < 1:
        raise InputError(f"alpha={alpha!r} must lie between 0 and 1")
    t = gaps["year"].to_numpy() - start
    post = (t >= 0).astype(float)
    n_pre, n_post = int((post == 0).sum()), int(post.sum())
    if n_pre < 2 or n_post < 2 or len(t) < 5:
        raise EstimationError(
            f"an interrupted time series needs two or more years on each side of {start} and "
            f"five in all; has {n_pre} before and {n_post} from it"
        )
    x = np.column_stack([np.ones_like(t, float), t, post, post * t])
    fit = ols(x, gaps["gap"].to_numpy())
    mean_post_t = float(t[post == 1].mean())
    rows = [
        _row("average effect after start", fit, np.array([0, 0, 1, mean_post_t]), alpha),
        _row("level change at start", fit, np.array([0, 0, 1, 0.0]), alpha),
        _row("trend change per year", fit, np.array([0, 0, 0, 1.0]), alpha),
        _row("trend before start per year", fit, np.array([0, 1, 0, 0.0]), alpha),
    ]
    return CitsResult(
        spec=CitsSpec(start=int(start), comparison=comparison, alpha=alpha),
        exclusions=exclusion_frame(),
        gaps=gaps.reset_index(drop=True),
        estimates=pd.DataFrame(rows),
        fitted=x @ fit.coef,
    )


@dataclass(frozen=True)
class TrendSpec:
    """Settings of the "improving faster" test."""

    start: int
    comparison: str
    alpha: float = 0.05


@dataclass(frozen=True)
class TrendResult(Result):
    """Yearly trend of the gap since the start year (positive: catching up / pulling away)."""

    spec: TrendSpec
    exclusions: pd.DataFrame
    gaps: pd.DataFrame
    estimates: pd.DataFrame
    title: ClassVar[str] = "Improving faster than England?"
    headline_label: ClassVar[str] = "yearly gain relative to England since start (pp a year)"

    @property
    def rejects(self) -> bool:
        """Whether the interval of the post-period gap trend lies wholly above zero."""
        return bool(self.estimates["ci_low"].iloc[0] > 0)

    def tidy(self) -> pd.DataFrame:
        """The post-period difference in trends (and the pre-period one where estimable)."""
        return tidy_frame(
            self.estimates.assign(n_treated=1, comparison=self.spec.comparison),
            alpha=self.alpha,
        )

    def table(self) -> pd.DataFrame:
        """The estimates in words."""
        return reader_table(self.estimates, self.level)

    def plot(self, ax: Axes | None = None) -> Axes:
        """The area and the comparison, year by year, the start year marked."""
        from partnership_eval.plots import new_axes

        ax = ax or new_axes()
        span = range(int(self.gaps["year"].min()), int(self.gaps["year"].max()) + 1)
        frame = self.gaps.set_index("year").reindex(span)
        ax.plot(frame.index, frame["area"], marker="o", label="the area")
        ax.plot(frame.index, frame["comparison"], marker="o", label=self.spec.comparison)
        ax.axvline(self.spec.start - 0.5, color="grey", lw=1)
        year_axis(ax)
        ax.set_ylabel("% of pupils")
        ax.legend()
        return ax


def improving_faster(
    gaps: pd.DataFrame, start: int, *, comparison: str = "rest of England", alpha: float = 0.05
) -> TrendResult:
    """Difference in yearly trends, area minus ``comparison``, from ``start`` on.

    Needs three or more post years (one degree of freedom); the pre-period difference in
    trends is added where three or more pre years allow it.
    """
    if not 0 < alpha < 1:
        raise InputError(f"alpha={alpha!r} must lie between 0 and 1")
    rows = []
    for term, part in (
        ("difference in yearly trend since start", gaps[gaps["year"] >= start]),
        ("difference in yearly trend before start", gaps[gaps["year"] < start]),
    ):
        if len(part) < 3:
            if not rows:
                raise EstimationError(
                    f"a trend with an interval needs three or more years from {start}; "
                    f"has {len(part)}"
                )
            continue
        t = part["year"].to_numpy() - start
        fit = ols(np.column_stack([np.ones_like(t, float), t]), part["gap"].to_numpy())
        rows.append(_row(term, fit, np.array([0, 1.0]), alpha))
    return TrendResult(
        spec=TrendSpec(start=int(start), comparison=comparison, alpha=alpha),
        exclusions=exclusion_frame(),
        gaps=gaps.reset_index(drop=True),
        estimates=pd.DataFrame(rows),
    )
