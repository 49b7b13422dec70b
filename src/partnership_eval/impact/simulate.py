"""Simulated staggered-adoption panels with planted, known treatment effects.

Used to check estimators against known truth: effects may be dynamic (growing with
exposure), differ between cohorts and between units, and treatment may be selected on a
covariate that also shifts outcome trends — the case where unconditional parallel trends
fail but parallel trends conditional on the covariate hold.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

EffectFn = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""Maps (cohort, event time ≥ 0) arrays to the average planted effect."""


def dynamic_effect(base: float = 1.0, slope: float = 0.5) -> EffectFn:
    """Effect ``base + slope * event_time``, larger for earlier cohorts (by rank)."""

    def effect(cohort: np.ndarray, event_time: np.ndarray) -> np.ndarray:
        order = np.unique(cohort)
        rank = np.searchsorted(order, cohort)
        return (base + slope * event_time) * (1.0 + 0.25 * (len(order) - 1 - rank))

    return effect


def constant_effect(size: float = 1.0) -> EffectFn:
    """The same effect in every treated cell."""

    def effect(cohort: np.ndarray, event_time: np.ndarray) -> np.ndarray:
        return np.full(np.shape(cohort), float(size))

    return effect


@dataclass(frozen=True)
class SimulatedPanel:
    """A simulated balanced panel and its planted group-time effects.

    ``data`` has columns unit, time, cohort (0 = never treated), x, y.
    ``truth`` has columns cohort, time, att: the mean planted effect over the cohort's
    units in that period (the Callaway–Sant'Anna ATT(g, t) target), for t ≥ cohort.
    """

    data: pd.DataFrame
    truth: pd.DataFrame


def simulate_staggered_panel(
    n_units: int = 2000,
    periods: Sequence[int] = tuple(range(2010, 2020)),
    cohorts: Sequence[int] = (2013, 2015, 2017),
    never_treated_share: float = 0.4,
    effect: EffectFn | None = None,
    effect_heterogeneity: float = 0.5,
    selection: float = 0.0,
    covariate_trend: float = 0.0,
    noise_sd: float = 1.0,
    seed: int = 0,
) -> SimulatedPanel:
    """Simulate a staggered-adoption panel with known effects.

    Parameters
    ----------
    n_units, periods
        Panel dimensions (balanced).
    cohorts
        First treated periods; units are spread over them and the never treated.
    never_treated_share
        Expected share of never-treated units when ``selection`` is 0.
    effect
        Average effect by cohort and event time (default :func:`dynamic_effect`).
    effect_heterogeneity
        Unit effects are ``effect * (1 + effect_heterogeneity * u)`` with ``u`` uniform
        on [-1, 1], so group-time ATTs are means over heterogeneous units.
    selection
        Log-odds shift of being treated per unit of the covariate ``x``.
    covariate_trend
        Per-period trend in ``y`` per unit of ``x``: with ``selection`` ≠ 0 this breaks
        unconditional parallel trends but not parallel trends given ``x``.
    noise_sd, seed
        Idiosyncratic noise and the random seed.

    Examples
    --------
    >>> sim = simulate_staggered_panel(n_units=200, seed=1)
    >>> sorted(sim.data["cohort"].unique().tolist())
    [0, 2013, 2015, 2017]
    """
    rng = np.random.default_rng(seed)
    periods = np.asarray(periods, dtype=np.int64)
    cohorts_arr = np.asarray(cohorts, dtype=np.int64)
    effect = effect or dynamic_effect()
    x = rng.normal(size=n_units)

    treated_logit = np.log((1 - never_treated_share) / never_treated_share) + selection * x
    treated = rng.random(n_units) < 1.0 / (1.0 + np.exp(-treated_logit))
    cohort = np.where(treated, rng.choice(cohorts_arr, size=n_units), 0)
    unit_scale = 1.0 + effect_heterogeneity * rng.uniform(-1.0, 1.0, size=n_units)
    unit_level = rng.normal(size=n_units) + 0.5 * x

    n_t = len(periods)
    unit_idx = np.repeat(np.arange(n_units), n_t)
    time = np.tile(periods, n_units)
    g = cohort[unit_idx]
    event_time = time - g
    is_treated = (g > 0) & (event_time >= 0)
    tau = np.zeros(len(time))
    tau[is_treated] = (
        effect(g[is_treated], event_time[is_treated]) * unit_scale[unit_idx][is_treated]
    )
    period_effect = rng.normal(scale=0.5, size=n_t)[np.tile(np.arange(n_t), n_units)]
    trend = covariate_trend * x[unit_idx] * (time - periods[0])
    y = (
        unit_level[unit_idx]
        + period_effect
        + trend
        + tau
        + rng.normal(scale=noise_sd, size=len(time))
    )

    data = pd.DataFrame({"unit": unit_idx + 1, "time": time, "cohort": g, "x": x[unit_idx], "y": y})
    truth = (
        pd.DataFrame({"cohort": g[is_treated], "time": time[is_treated], "att": tau[is_treated]})
        .groupby(["cohort", "time"], as_index=False)["att"]
        .mean()
    )
    return SimulatedPanel(data=data, truth=truth)
