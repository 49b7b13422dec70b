"""Minimum detectable effect (MDE) of a difference-in-differences comparison of means.

Design. ``n_treated`` and ``n_control`` units are observed for ``n_pre`` periods before
and ``n_post`` after treatment; the estimate is the difference between the groups' mean
post-minus-pre changes. Its variance is ``(1/n_treated + 1/n_control) * V``, where ``V`` is
the variance of one unit's change ``c' Σ c`` (``c`` averages the post periods minus the
pre periods, ``Σ`` is the covariance of a unit's outcomes over time). The MDE at power
``1 − β`` and two-sided level ``α`` is ``(z_{1−α/2} + z_{1−β}) * sqrt(variance)``.

- From given parts (McKenzie 2012): ``Σ`` has variance ``sigma²`` and the same
  correlation ``rho`` between any two periods, so ``V = sigma² (1 − rho)(1/n_pre + 1/n_post)``.
- From a panel (serial-correlation-robust, in the spirit of Burlig, Preonas & Woerman
  2020): ``V`` is estimated directly as the variance across units of placebo changes —
  the mean of ``n_post`` periods minus the mean of the ``n_pre`` before them — in the
  untreated observations after removing period means, pooled over every placement of
  that window. This assumes only stationarity, so any pattern of serial correlation
  (e.g. decaying with the lag) is handled, not just the equal-correlation case; persistent
  school differences (unit effects) cancel within each change.

For school percentages (e.g. % meeting the expected standard) part of the year-to-year
noise is binomial: a year group of ``n`` pupils measures a school's underlying rate ``p``
with variance ``100² p(1 − p)/n``, so small schools' results are noisy and small-school
designs need larger effects to be detectable. Pass ``cohort_n`` to see how much of ``V``
that sampling noise explains.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from partnership_eval.errors import EstimationError, InputError
from partnership_eval.impact.panel_checks import (
    check_constant_within_unit,
    check_unique_unit_time,
    cohort_values,
    numeric_column,
    require_columns,
)
from partnership_eval.result import Result, exclusion_frame, tidy_frame

if TYPE_CHECKING:
    from matplotlib.axes import Axes


@dataclass(frozen=True)
class MdeSpec:
    """What an MDE was computed for: the test, the design and where the variance came from.

    ``source``: ``"parts"`` (sigma and rho given), ``"panel"`` (estimated from untreated
    observations), ``"estimate"`` (the standard error of an estimate as shown) or
    ``"simulation"`` (placebo assignments). ``df`` is None for normal quantiles, else the
    t distribution's degrees of freedom.
    """

    alpha: float
    power: float
    source: str
    outcome: str | None = None
    n_treated: int | None = None
    n_control: int | None = None
    n_pre: int | None = None
    n_post: int | None = None
    df: int | None = None
    estimate: str | None = None


def critical_values(alpha: float, power: float, df: int | None) -> tuple[float, float]:
    """Two-sided critical value at ``alpha`` and the ``power`` quantile (normal or t)."""
    dist = stats.norm if df is None else stats.t(df)
    return float(dist.ppf(1 - alpha / 2)), float(dist.ppf(power))


@dataclass(frozen=True)
class MdeResult(Result):
    """The minimum detectable effect of a DiD design and what it was computed from.

    ``mde`` is in the outcome's units; ``se`` is the standard error of the DiD estimate
    the design implies; ``spec`` the test and design (:class:`MdeSpec`); ``parts`` the
    variance parts (sigma, rho, var_change) and, from a panel, how they were estimated.
    ``inputs`` gives spec and parts as one dict.
    """

    mde: float
    se: float
    spec: MdeSpec
    parts: dict[str, object] = field(default_factory=dict)
    exclusions: pd.DataFrame = field(default_factory=exclusion_frame)
    headline_label: ClassVar[str] = "minimum detectable effect"
    title: ClassVar[str] = "Minimum detectable effect"

    @property
    def power(self) -> float:
        """Target power."""
        return self.spec.power

    @property
    def inputs(self) -> dict[str, object]:
        """The design (n_treated, n_control, n_pre, n_post, outcome) and the variance parts."""
        return {**asdict(self.spec), **self.parts}

    def power_at(self, effect: float) -> float:
        """Probability that a two-sided test at level ``alpha`` detects a true ``effect``."""
        dist = stats.norm if self.spec.df is None else stats.t(self.spec.df)
        z = dist.ppf(1 - self.alpha / 2)
        shift = abs(effect) / self.se
        return float(dist.sf(z - shift) + dist.cdf(-z - shift))

    def tidy(self) -> pd.DataFrame:
        """One row: the MDE (as ``estimate``) and the standard error it rests on."""
        return tidy_frame(
            [
                {
                    "term": self.headline_label,
                    "estimate": self.mde,
                    "se": self.se,
                    "n_treated": self.spec.n_treated,
                    "n_comparison": self.spec.n_control,
                    "power": self.power,
                    "source": self.spec.source,
                }
            ],
            alpha=self.alpha,
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """Power against the true effect, the MDE marked."""
        from partnership_eval.plots import new_axes

        ax = ax if ax is not None else new_axes()
        effects = np.linspace(0, 2.5 * self.mde, 101)
        ax.plot(effects, [self.power_at(e) for e in effects])
        ax.axhline(self.power, color="grey", linestyle=":", linewidth=1)
        ax.axvline(self.mde, color="grey", linestyle=":", linewidth=1)
        ax.set(
            xlabel="true effect",
            ylabel=f"power (two-sided test at {self.alpha:g})",
            title=f"Minimum detectable effect {self.mde:.3g}",
        )
        return ax

    def summary(self) -> str:
        """The MDE in plain words, with the design and variance parts behind it."""
        i = self.inputs
        unit_name = f"points of {i['outcome']}" if i.get("outcome") else "in the outcome's units"
        if self.spec.source in ("estimate", "simulation"):
            quantiles = "normal" if self.spec.df is None else f"t ({self.spec.df} df)"
            basis = (
                f"the standard error of the {self.spec.estimate} as estimated"
                if self.spec.source == "estimate"
                else f"the spread of {i.get('n_sims')} placebo estimates"
            )
            return (
                f"The smallest effect this estimate can detect with {self.power:.0%} power at "
                f"{self.alpha:.0%} significance is {self.mde:.3g} {unit_name}: "
                f"({quantiles} critical value + power quantile) × {self.se:.3g}, {basis}."
            )
        lines = [
            f"With {i['n_treated']} treated and {i['n_control']} comparison units, "
            f"{i['n_pre']} period(s) before and {i['n_post']} after, the smallest effect this "
            f"design can detect with {self.power:.0%} power at {self.alpha:.0%} significance "
            f"is {self.mde:.3g} {unit_name} (standard error of the estimate {self.se:.3g}).",
            f"A non-significant estimate therefore does not rule out effects smaller than about {self.mde:.2g}.",
            f"Outcome SD across units within a period {i['sigma']:.3g}; correlation of a unit's "
            f"outcomes one period apart {i['rho']:.2f}; variance of a unit's post-minus-pre "
            f"change {i['var_change']:.3g}.",
        ]
        if "sigma_residual" in i:
            lines.append(
                f"Estimated from {i['n_units_used']} units' untreated observations "
                f"({i['n_obs_used']} rows); residual SD after unit and period effects "
                f"{i['sigma_residual']:.3g}."
            )
        if "binomial_share" in i:
            lines.append(
                f"About {i['binomial_share']:.0%} of the variance of a unit's change is binomial "
                f"sampling noise from year groups of median size {i['median_cohort_n']:.0f}."
            )
        return "\n".join(lines)


FEW_CLUSTERS = 50
"""Below this many clusters the MDE of an estimate uses t quantiles (clusters − 1 df)."""


def mde_of_estimate(
    se: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    n_clusters: int | None = None,
    n_treated: int | None = None,
    n_control: int | None = None,
    outcome: str | None = None,
    estimate: str = "estimate",
) -> MdeResult:
    """MDE of an estimate from its own standard error: (critical value + power quantile) × se.

    With fewer than :data:`FEW_CLUSTERS` clusters the quantiles are t on (clusters − 1)
    degrees of freedom.
    """
    if not 0 < alpha < 1 or not 0 < power < 1:
        raise InputError(f"alpha={alpha} and power={power} must both lie strictly between 0 and 1")
    if not np.isfinite(se) or se <= 0:
        raise EstimationError(f"the {estimate} has no usable standard error ({se}) for an MDE")
    df = n_clusters - 1 if n_clusters is not None and 1 < n_clusters < FEW_CLUSTERS else None
    crit, quant = critical_values(alpha, power, df)
    spec = MdeSpec(
        alpha=alpha,
        power=power,
        source="estimate",
        outcome=outcome,
        n_treated=n_treated,
        n_control=n_control,
        df=df,
        estimate=estimate,
    )
    return MdeResult(mde=(crit + quant) * float(se), se=float(se), spec=spec)


def minimum_detectable_effect(
    df: pd.DataFrame | None = None,
    *,
    outcome: str | None = None,
    unit: str | None = None,
    time: str | None = None,
    cohort: str | None = None,
    n_treated: int | None = None,
    n_control: int | None = None,
    n_pre: int | None = None,
    n_post: int | None = None,
    sigma: float | None = None,
    rho: float | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
    cohort_n: str | None = None,
) -> MdeResult:
    """Minimum detectable effect of a DiD design, from a panel or from given parts.

    Parameters
    ----------
    df
        Long panel (one row per unit and period) to estimate the outcome's variance and
        serial correlation from; ``None`` to use ``sigma`` and ``rho``.
    outcome, unit, time
        Column names in ``df``.
    cohort
        First treated period column (0 or missing = never treated). Only untreated
        observations enter the variance; it also gives the default design: treated and
        never-treated unit counts, and the periods before and from the median cohort.
        Without it every row counts as untreated and the design must be given.
    n_treated, n_control, n_pre, n_post
        The design; each overrides the value taken from ``df``.
    sigma, rho
        Outcome standard deviation across units and the correlation between any two
        periods of one unit (equal-correlation model); required without ``df``.
    alpha, power
        Two-sided significance level and target power.
    cohort_n
        Column of pupils behind each percentage (e.g. ``cohort_n``), to report the share
        of noise that is binomial sampling noise.

    Examples
    --------
    >>> res = minimum_detectable_effect(n_treated=40, n_control=60, n_pre=3, n_post=2, sigma=10, rho=0.6)
    >>> round(res.mde, 2)
    3.3
    """
    who = "minimum_detectable_effect"
    if not 0 < alpha < 1 or not 0 < power < 1:
        raise InputError(
            f"{who}: alpha={alpha} and power={power} must both lie strictly between 0 and 1"
        )
    design = {"n_treated": n_treated, "n_control": n_control, "n_pre": n_pre, "n_post": n_post}
    if df is None:
        missing = [
            name for name, value in {**design, "sigma": sigma, "rho": rho}.items() if value is None
        ]
        if missing:
            raise InputError(
                f"{who}: without a data frame pass {', '.join(missing)} (or pass df to estimate them)"
            )
        if not -1 < rho < 1 or sigma <= 0:
            raise InputError(
                f"{who}: need sigma > 0 and -1 < rho < 1 (got sigma={sigma}, rho={rho})"
            )
        _check_design(design, who)
        parts: dict[str, object] = {
            "sigma": float(sigma),
            "rho": float(rho),
            "var_change": sigma**2 * (1 - rho) * (1 / n_pre + 1 / n_post),
        }
        source = "parts"
    elif sigma is not None or rho is not None:
        raise InputError(f"{who}: pass either df or sigma and rho, not both")
    else:
        design, parts = _from_panel(df, outcome, unit, time, cohort, design, cohort_n, who)
        source = "panel"
    se = float(np.sqrt((1 / design["n_treated"] + 1 / design["n_control"]) * parts["var_change"]))
    crit, quant = critical_values(alpha, power, None)
    spec = MdeSpec(alpha=alpha, power=power, source=source, outcome=outcome, **design)
    return MdeResult(mde=float((crit + quant) * se), se=se, spec=spec, parts=parts)


def _check_design(design: dict[str, int | None], who: str) -> None:
    bad = {name: value for name, value in design.items() if value is None or value < 1}
    if bad:
        raise InputError(
            f"{who}: the design needs at least one unit and period in each part; got {bad} — pass them explicitly"
        )


def _from_panel(
    df: pd.DataFrame,
    outcome: str | None,
    unit: str | None,
    time: str | None,
    cohort: str | None,
    design: dict[str, int | None],
    cohort_n: str | None,
    who: str,
) -> tuple[dict[str, int | None], dict[str, object]]:
    """Design and variance parts estimated from the untreated observations of a panel."""
    if outcome is None or unit is None or time is None:
        raise InputError(f"{who}: with a data frame, name its outcome, unit and time columns")
    require_columns(
        df,
        {"outcome": outcome, "unit": unit, "time": time, "cohort": cohort, "cohort_n": cohort_n},
        who=who,
    )
    check_unique_unit_time(df, unit, time, who=who)
    y = numeric_column(df, outcome, "outcome", who=who)
    times = numeric_column(df, time, "time", who=who)
    periods, time_codes = np.unique(times, return_inverse=True)
    unit_codes, units = pd.factorize(df[unit])
    untreated = ~np.isnan(y)
    if cohort is not None:
        cohorts = cohort_values(df, cohort, who=who)
        check_constant_within_unit(cohorts, unit_codes, cohort, who=who)
        untreated &= (cohorts == 0) | (times < cohorts)
        unit_cohort = pd.Series(cohorts).groupby(unit_codes).max().to_numpy()
        treated_cohorts = unit_cohort[unit_cohort > 0]
        if treated_cohorts.size:
            middle = np.median(treated_cohorts)
            defaults = {
                "n_treated": int(treated_cohorts.size),
                "n_control": int((unit_cohort == 0).sum()),
                "n_pre": int((periods < middle).sum()),
                "n_post": int((periods >= middle).sum()),
            }
            design = {
                name: value if value is not None else defaults[name]
                for name, value in design.items()
            }
    _check_design(design, who)

    wide = np.full((len(units), len(periods)), np.nan)
    wide[unit_codes[untreated], time_codes[untreated]] = y[untreated]
    wide -= np.nanmean(wide, axis=0)
    var_change = _placebo_change_variance(wide, design["n_pre"], design["n_post"], who)

    observed = ~np.isnan(wide)
    residual = wide - np.nanmean(wide, axis=1, keepdims=True)
    n_obs, n_used = int(observed.sum()), int(observed.any(axis=1).sum())
    consecutive = observed[:, 1:] & observed[:, :-1]
    parts: dict[str, object] = {
        "sigma": float(np.sqrt(np.nanmean(wide**2))),
        "rho": float(np.corrcoef(wide[:, :-1][consecutive], wide[:, 1:][consecutive])[0, 1]),
        "var_change": var_change,
        "sigma_residual": float(
            np.sqrt(np.nansum(residual**2) / (n_obs - n_used - len(periods) + 1))
        ),
        "n_obs_used": n_obs,
        "n_units_used": n_used,
    }
    if cohort_n is not None:
        parts |= _binomial_noise(df, cohort_n, y, untreated, design, var_change, who)
    return design, parts


def _placebo_change_variance(wide: np.ndarray, n_pre: int, n_post: int, who: str) -> float:
    """Variance across units of the post-minus-pre change, over every placement of the window.

    ``wide`` is units × periods (period means removed, NaN where unobserved or treated).
    Each placement of ``n_pre`` periods followed by ``n_post`` periods gives every unit
    observed throughout it one placebo change; unit effects cancel within each change.
    Stationarity lets the placements be pooled.
    """
    length = n_pre + n_post
    if length > wide.shape[1]:
        raise EstimationError(
            f"{who}: the panel has {wide.shape[1]} periods, too few for a window of "
            f"n_pre + n_post = {length}; pass sigma and rho instead of df, or shorten the design"
        )
    windows = np.lib.stride_tricks.sliding_window_view(wide, length, axis=1)
    changes = windows[..., n_pre:].mean(axis=-1) - windows[..., :n_pre].mean(axis=-1)
    counts = (~np.isnan(changes)).sum(axis=0)
    usable = counts > 1
    if not usable.any():
        raise EstimationError(
            f"{who}: no two units have {length} consecutive untreated periods to estimate the "
            "variance of a change; pass sigma and rho instead of df, or shorten the design"
        )
    variances = np.nanvar(changes[:, usable], axis=0, ddof=1)
    var_change = float(np.average(variances, weights=counts[usable] - 1))
    if not var_change > 0:
        raise EstimationError(
            f"{who}: the estimated variance of a unit's post-minus-pre change is {var_change:.3g}; "
            "the panel has too little untreated variation — pass sigma and rho instead"
        )
    return var_change


def _binomial_noise(
    df: pd.DataFrame,
    cohort_n: str,
    y: np.ndarray,
    untreated: np.ndarray,
    design: dict[str, int | None],
    var_change: float,
    who: str,
) -> dict[str, float]:
    pupils = numeric_column(df, cohort_n, "cohort_n", who=who)
    rows = untreated & (pupils > 0)
    share = y[rows] / 100
    if ((share < 0) | (share > 1)).any():
        raise EstimationError(
            f"{who}: cohort_n is only meaningful for a percentage outcome between 0 and 100; "
            "drop cohort_n for this outcome"
        )
    noise = float(np.mean(100**2 * share * (1 - share) / pupils[rows]))
    # Different pupils each year: the sampling noise is independent across periods.
    binomial_var_change = noise * (1 / design["n_pre"] + 1 / design["n_post"])
    return {
        "binomial_share": binomial_var_change / var_change,
        "median_cohort_n": float(np.median(pupils[rows])),
    }
