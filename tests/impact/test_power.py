"""Minimum detectable effect: hand calculation, simulated power, panel estimation, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from partnership_eval.errors import EstimationError, InputError
from partnership_eval.impact.power import minimum_detectable_effect

DESIGN = {"n_treated": 40, "n_control": 60, "n_pre": 3, "n_post": 2}


def _exchangeable(
    rng: np.random.Generator, shape: tuple[int, ...], sigma: float, rho: float
) -> np.ndarray:
    """Outcomes with SD sigma and equal correlation rho between periods (unit effect + noise)."""
    unit = rng.normal(scale=sigma * np.sqrt(rho), size=shape[:-1])[..., None]
    return unit + rng.normal(scale=sigma * np.sqrt(1 - rho), size=shape)


def _ar1(rng: np.random.Generator, shape: tuple[int, ...], phi: float = 0.8) -> np.ndarray:
    """Unit effect (SD 2) plus stationary AR(1) noise (SD 3) with coefficient phi."""
    noise = np.empty(shape)
    noise[..., 0] = rng.normal(size=shape[:-1])
    for t in range(1, shape[-1]):
        noise[..., t] = phi * noise[..., t - 1] + np.sqrt(1 - phi**2) * rng.normal(size=shape[:-1])
    return 2 * rng.normal(size=shape[:-1])[..., None] + 3 * noise


def _rejection_rate(outcomes: np.ndarray, effect: float, n_treated: int, n_pre: int) -> float:
    """Share of simulated panels (reps × units × periods) where a DiD t-test rejects at 5%."""
    outcomes = outcomes.copy()
    outcomes[:, :n_treated, n_pre:] += effect
    change = outcomes[..., n_pre:].mean(axis=-1) - outcomes[..., :n_pre].mean(axis=-1)
    p_values = stats.ttest_ind(change[:, :n_treated], change[:, n_treated:], axis=1).pvalue
    return float((p_values < 0.05).mean())


def _long(outcomes: np.ndarray, start: int = 2010) -> pd.DataFrame:
    units, periods = outcomes.shape
    return pd.DataFrame(
        {
            "urn": np.repeat(np.arange(units), periods),
            "year": np.tile(np.arange(start, start + periods), units),
            "ks2": outcomes.ravel(),
        }
    )


def test_mde_from_given_parts_matches_the_hand_calculation():
    # se = sqrt((1/40 + 1/60) * 10² * (1 - 0.6) * (1/3 + 1/2)) = sqrt(1.388889) = 1.178511
    # mde = (1.959964 + 0.841621) * 1.178511 = 3.301700
    res = minimum_detectable_effect(**DESIGN, sigma=10.0, rho=0.6)
    assert res.se == pytest.approx(1.178511, rel=1e-6)
    assert res.mde == pytest.approx(3.301700, rel=1e-6)


def test_power_at_the_mde_is_the_target_power():
    res = minimum_detectable_effect(**DESIGN, sigma=10.0, rho=0.6)
    assert res.power_at(res.mde) == pytest.approx(0.8, abs=1e-3)
    assert res.power_at(0.0) == pytest.approx(0.05)


def test_simulated_power_at_the_mde_is_close_to_eighty_percent():
    res = minimum_detectable_effect(**DESIGN, sigma=10.0, rho=0.6)
    outcomes = _exchangeable(np.random.default_rng(1), (300, 100, 5), sigma=10.0, rho=0.6)
    assert _rejection_rate(outcomes, res.mde, n_treated=40, n_pre=3) == pytest.approx(0.8, abs=0.08)


def test_panel_estimate_handles_autocorrelated_noise_in_simulated_power():
    rng = np.random.default_rng(2)
    history = _long(_ar1(rng, (400, 8)))
    res = minimum_detectable_effect(history, outcome="ks2", unit="urn", time="year", **DESIGN)
    outcomes = _ar1(rng, (300, 100, 5))
    assert _rejection_rate(outcomes, res.mde, n_treated=40, n_pre=3) == pytest.approx(0.8, abs=0.08)


def test_panel_estimate_recovers_sigma_rho_and_the_formula_mde():
    panel = _long(_exchangeable(np.random.default_rng(3), (2000, 6), sigma=10.0, rho=0.6))
    res = minimum_detectable_effect(panel, outcome="ks2", unit="urn", time="year", **DESIGN)
    formula = minimum_detectable_effect(**DESIGN, sigma=10.0, rho=0.6)
    assert res.inputs["sigma"] == pytest.approx(10.0, rel=0.05)
    assert res.inputs["rho"] == pytest.approx(0.6, abs=0.05)
    assert res.mde == pytest.approx(formula.mde, rel=0.05)


def test_design_defaults_come_from_the_cohort_column():
    panel = _long(_exchangeable(np.random.default_rng(4), (100, 8), sigma=5.0, rho=0.5))
    panel["first_treated"] = np.where(panel["urn"] < 30, 2014 + (panel["urn"] % 2), 0)
    res = minimum_detectable_effect(
        panel, outcome="ks2", unit="urn", time="year", cohort="first_treated"
    )
    # cohorts 2014 and 2015 → median 2014.5; periods 2010-2017 → 5 before, 3 after
    assert {k: res.inputs[k] for k in DESIGN} == {
        "n_treated": 30,
        "n_control": 70,
        "n_pre": 5,
        "n_post": 3,
    }


def test_treated_observations_are_left_out_of_the_variance():
    panel = _long(_exchangeable(np.random.default_rng(5), (200, 8), sigma=5.0, rho=0.5))
    panel["first_treated"] = np.where(panel["urn"] < 50, 2014, 0)
    treated_rows = (panel["first_treated"] > 0) & (panel["year"] >= 2014)
    res = minimum_detectable_effect(
        panel, outcome="ks2", unit="urn", time="year", cohort="first_treated"
    )
    shifted = panel.assign(ks2=panel["ks2"] + 100 * treated_rows * panel["urn"])
    again = minimum_detectable_effect(
        shifted, outcome="ks2", unit="urn", time="year", cohort="first_treated"
    )
    assert res.inputs["n_obs_used"] == len(panel) - treated_rows.sum()
    assert again.mde == pytest.approx(res.mde, rel=1e-12)


def test_binomial_share_is_near_one_when_all_year_to_year_noise_is_sampling():
    rng = np.random.default_rng(6)
    units, periods, pupils = 500, 6, 15
    rate = rng.uniform(0.3, 0.9, size=units)
    percent = 100 * rng.binomial(pupils, np.repeat(rate, periods)) / pupils
    panel = _long(percent.reshape(units, periods)).assign(cohort_n=pupils)
    res = minimum_detectable_effect(
        panel, outcome="ks2", unit="urn", time="year", cohort_n="cohort_n", **DESIGN
    )
    assert res.inputs["binomial_share"] == pytest.approx(1.0, abs=0.12)
    assert "binomial sampling noise from year groups of median size 15" in res.summary()


def test_summary_states_the_mde_in_plain_words():
    text = minimum_detectable_effect(**DESIGN, sigma=10.0, rho=0.6, outcome="ks2_rwm_exp").summary()
    assert text.startswith("With 40 treated and 60 comparison units")
    assert "with 80% power at 5% significance is 3.3 points of ks2_rwm_exp" in text


def test_missing_parts_are_named():
    with pytest.raises(InputError, match="n_post, sigma, rho"):
        minimum_detectable_effect(n_treated=40, n_control=60, n_pre=3)


def test_a_panel_too_short_for_the_window_is_an_error():
    panel = _long(_exchangeable(np.random.default_rng(7), (50, 4), sigma=5.0, rho=0.5))
    with pytest.raises(EstimationError, match="too few for a window of n_pre \\+ n_post = 5"):
        minimum_detectable_effect(panel, outcome="ks2", unit="urn", time="year", **DESIGN)


def test_df_and_sigma_together_are_an_error():
    panel = _long(_exchangeable(np.random.default_rng(8), (50, 6), sigma=5.0, rho=0.5))
    with pytest.raises(InputError, match="either df or sigma and rho"):
        minimum_detectable_effect(
            panel, outcome="ks2", unit="urn", time="year", sigma=3.0, **DESIGN
        )


def test_cohort_n_with_a_non_percentage_outcome_is_an_error():
    panel = _long(_exchangeable(np.random.default_rng(9), (50, 6), sigma=500.0, rho=0.5)).assign(
        cohort_n=20
    )
    with pytest.raises(EstimationError, match="percentage outcome"):
        minimum_detectable_effect(
            panel, outcome="ks2", unit="urn", time="year", cohort_n="cohort_n", **DESIGN
        )
