"""Aggregate standard errors against the Monte Carlo spread, without the R references.

The analytic standard error of an aggregate (simple, dynamic, group) must match the
standard deviation of its estimate over repeated simulated panels. Cohort shares are
random in each panel and the cohorts' effects differ (0 and 4), so the term for the
estimated weights carries most of the variance: without it the standard errors fall
to about a quarter of the spread. With 200 panels the spread is known to about 5%
(sd / √(2·199)), so the band [0.8, 1.25] is four of those either side.
"""

from __future__ import annotations

import numpy as np
import pytest

from partnership_eval.impact.simulate import simulate_staggered_panel
from partnership_eval.impact.staggered import staggered_did

N_PANELS = 200
KINDS = ("simple", "dynamic", "group")


def _cohort_effect(cohort: np.ndarray, event_time: np.ndarray) -> np.ndarray:
    return np.where(cohort == cohort.min(), 0.0, 4.0) + 0.0 * event_time


@pytest.fixture(scope="module")
def monte_carlo() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(estimates, analytic standard errors) per kind over ``N_PANELS`` panels."""
    draws: dict[str, list[tuple[float, float]]] = {kind: [] for kind in KINDS}
    for seed in range(N_PANELS):
        sim = simulate_staggered_panel(
            n_units=200,
            periods=range(2010, 2015),
            cohorts=(2012, 2013),
            never_treated_share=0.3,
            effect=_cohort_effect,
            effect_heterogeneity=0.0,
            noise_sd=0.3,
            seed=seed,
        )
        res = staggered_did(sim.data, "y", "unit", "time", "cohort", n_boot=0)
        for kind in KINDS:
            agg = res.aggregate(kind)
            draws[kind].append((agg.att, agg.se))
    return {kind: tuple(np.array(d).T) for kind, d in draws.items()}


@pytest.mark.parametrize("kind", KINDS)
def test_analytic_se_matches_the_monte_carlo_spread(monte_carlo, kind: str) -> None:
    estimates, ses = monte_carlo[kind]
    ratio = ses.mean() / estimates.std(ddof=1)
    assert 0.8 < ratio < 1.25, f"{kind}: mean analytic SE / Monte Carlo SD = {ratio:.2f}"


@pytest.mark.parametrize("kind", KINDS)
def test_interval_covers_the_mean_estimate_at_its_level(monte_carlo, kind: str) -> None:
    estimates, ses = monte_carlo[kind]
    centre = estimates.mean()
    covered = np.mean(np.abs(estimates - centre) < 1.96 * ses)
    # 95% nominal; with 200 panels a binomial SE of 1.5 points.
    assert 0.9 < covered < 0.99, f"{kind}: coverage {covered:.2f}"
