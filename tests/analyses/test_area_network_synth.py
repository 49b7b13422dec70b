"""Synthetic control weights and placebo inference, checked against cases done by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from partnership_eval.analyses.area_network import simplex_weights, synthetic_control
from partnership_eval.errors import EstimationError, InputError


def test_weights_of_a_point_between_two_donors_are_its_position_between_them():
    donors = np.array([[0.0, 2.0], [0.0, 2.0], [0.0, 2.0]])
    w = simplex_weights(donors, np.array([1.5, 1.5, 1.5]))
    np.testing.assert_allclose(w, [0.25, 0.75], atol=1e-6)


def test_weights_recover_an_exact_convex_combination():
    rng = np.random.default_rng(1)
    donors = rng.normal(50, 5, (6, 3))
    w = simplex_weights(donors, donors @ np.array([0.2, 0.5, 0.3]))
    np.testing.assert_allclose(w, [0.2, 0.5, 0.3], atol=1e-5)


def test_a_point_above_every_donor_takes_the_highest_donor_alone():
    donors = np.array([[40.0, 45.0, 50.0], [41.0, 46.0, 51.0]])
    np.testing.assert_allclose(
        simplex_weights(donors, np.array([60.0, 61.0])), [0, 0, 1], atol=1e-6
    )


def test_misshapen_weights_input_is_an_input_error():
    with pytest.raises(InputError, match="do not line up"):
        simplex_weights(np.ones((3, 2)), np.ones(4))


def _wide(effect: float, n_donors: int = 19, seed: int = 0) -> pd.DataFrame:
    """Donors flat at distinct levels with small noise; area 1 sits among them and jumps."""
    rng = np.random.default_rng(seed)
    years = [2013, 2014, 2015, 2016, 2017, 2018, 2019, 2022]
    levels = np.linspace(40, 60, n_donors + 1)
    values = levels[None, :] + rng.normal(0, 0.5, (len(years), n_donors + 1))
    values[np.array(years) >= 2017, 0] += effect
    return pd.DataFrame(values, index=years, columns=range(1, n_donors + 2))


def test_treated_area_with_the_largest_gap_gets_the_smallest_p_value_counted_once():
    res = synthetic_control(_wide(effect=10.0), treated=1, start=2017, donors=range(2, 21))
    assert res.rank == 1
    assert res.p_value == pytest.approx(1 / 20)  # (1 + 0) / (1 + 19): the area counted once
    assert res.smallest_p == pytest.approx(1 / 20)


def test_p_value_counts_placebos_with_a_gap_at_least_as_large():
    res = synthetic_control(_wide(effect=0.0, seed=3), treated=1, start=2017, donors=range(2, 21))
    others = res.placebos[~res.placebos["treated"] & res.placebos["compared"]]
    larger = int((others["mean_gap"].abs() >= abs(res.estimate)).sum())
    assert res.p_value == pytest.approx((1 + larger) / (1 + len(others)))


def test_interval_is_the_mean_gap_plus_minus_the_critical_placebo_gap():
    res = synthetic_control(
        _wide(effect=3.0), treated=1, start=2017, donors=range(2, 21), alpha=0.1
    )
    gaps = np.sort(res.placebos.loc[~res.placebos["treated"], "mean_gap"].abs().to_numpy())[::-1]
    m = math.floor(0.1 * 20 - 1) + 1  # keep δ while 1 + #{|gap| ≥ |ḡ - δ|} > alpha (1 + J)
    assert res.ci_low == pytest.approx(res.estimate - gaps[m - 1])
    assert res.ci_high == pytest.approx(res.estimate + gaps[m - 1])
    assert "90%" in res.summary()


def test_too_few_donors_for_alpha_give_an_unbounded_interval():
    res = synthetic_control(
        _wide(effect=3.0, n_donors=5), treated=1, start=2017, donors=range(2, 7)
    )
    assert res.ci_low == -math.inf and res.ci_high == math.inf
    assert res.smallest_p == pytest.approx(1 / 6)


def test_no_results_years_are_dropped_not_filled():
    wide = _wide(effect=3.0).reindex([2013, 2014, 2015, 2016, 2017, 2018, 2019, 2020, 2021, 2022])
    res = synthetic_control(wide, treated=1, start=2017, donors=range(2, 21))
    assert list(res.path["year"]) == [2013, 2014, 2015, 2016, 2017, 2018, 2019, 2022]


def test_two_pre_years_cannot_fit_a_synthetic_control():
    wide = _wide(effect=3.0).loc[2015:]
    with pytest.raises(EstimationError, match="3 or more pre-years"):
        synthetic_control(wide, treated=1, start=2017, donors=range(2, 21))
