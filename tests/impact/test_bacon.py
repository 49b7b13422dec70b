"""Goodman-Bacon decomposition: a hand-derived example, exactness, forbidden comparisons, errors."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from partnership_eval.errors import EstimationError, InputError
from partnership_eval.impact.bacon import bacon_decomposition
from partnership_eval.impact.simulate import simulate_staggered_panel
from partnership_eval.impact.twfe import twfe_did


@pytest.fixture(scope="module")
def three_groups() -> pd.DataFrame:
    """Periods 1-4; two units each treated from 2 (early), from 4 (late), never.

    The early cohort's effect grows 1, 2, 3 in periods 2-4; the late cohort's is 1 in
    period 4. Unit and period effects are added; there is no noise. By hand (unit shares
    1/3, treated shares D_early = 3/4, D_late = 1/4):

    - early vs never: post mean 2 − pre 0 = 2, weight ∝ (1/9)(3/4)(1/4) = 1/48
    - late vs never: 1 − 0 = 1, weight ∝ 1/48
    - early vs late (periods 1-3): mid (2, 3) mean 1.5 − pre 0 = 1.5, weight ∝ (1/9)(1/2)(1/4) = 1/72
    - late vs early (periods 2-4): late gains 1 − early gains 3 − 1.5 = −0.5, weight ∝ (1/9)(1/2)(1/4) = 1/72

    The weights normalise to 0.3, 0.3, 0.2, 0.2, so TWFE = 0.6 + 0.3 + 0.3 − 0.1 = 1.1,
    below every planted effect's average (1.75).
    """
    effect = {2: [0, 1, 2, 3], 4: [0, 0, 0, 1], 0: [0, 0, 0, 0]}
    rows = []
    for unit, cohort in enumerate([2, 2, 4, 4, 0, 0]):
        for t in range(1, 5):
            rows.append((unit, t, cohort, 10 * unit + 0.7 * t**2 + effect[cohort][t - 1]))
    return pd.DataFrame(rows, columns=["unit", "time", "cohort", "y"])


def test_three_group_example_matches_the_hand_derivation(three_groups):
    table = bacon_decomposition(three_groups, "y", "unit", "time", "cohort").table
    expected = pd.DataFrame(
        {
            "treated_cohort": [2, 4, 2, 4],
            "control_cohort": [0, 0, 4, 2],
            "comparison_type": [
                "treated_vs_never_treated",
                "treated_vs_never_treated",
                "earlier_vs_later_treated",
                "later_vs_earlier_treated",
            ],
            "estimate": [2.0, 1.0, 1.5, -0.5],
            "weight": [0.3, 0.3, 0.2, 0.2],
        }
    )
    pd.testing.assert_frame_equal(table, expected, check_dtype=False, atol=1e-12)


def test_three_group_twfe_coefficient_is_the_hand_value(three_groups):
    assert bacon_decomposition(
        three_groups, "y", "unit", "time", "cohort"
    ).twfe_estimate == pytest.approx(1.1, abs=1e-12)
    assert twfe_did(three_groups, "y", "unit", "time", "cohort").estimate == pytest.approx(
        1.1, abs=1e-10
    )


@pytest.fixture(scope="module")
def staggered_with_always_and_late() -> pd.DataFrame:
    """Cohorts before the panel (always treated), inside it, and after it (untreated in it)."""
    sim = simulate_staggered_panel(n_units=800, cohorts=(2008, 2013, 2015, 2017, 2022), seed=21)
    return sim.data


def test_weights_sum_to_one(staggered_with_always_and_late):
    res = bacon_decomposition(staggered_with_always_and_late, "y", "unit", "time", "cohort")
    assert res.table["weight"].sum() == pytest.approx(1.0, abs=1e-12)
    assert (res.table["weight"] > 0).all()


def test_weighted_comparisons_reproduce_the_twfe_coefficient(staggered_with_always_and_late):
    df = staggered_with_always_and_late
    res = bacon_decomposition(df, "y", "unit", "time", "cohort")
    twfe = twfe_did(df, "y", "unit", "time", "cohort").estimate
    assert (res.table["estimate"] * res.table["weight"]).sum() == pytest.approx(twfe, abs=1e-8)


def test_always_treated_units_are_already_treated_controls(staggered_with_always_and_late):
    table = bacon_decomposition(staggered_with_always_and_late, "y", "unit", "time", "cohort").table
    always = table[table["control_cohort"] == 2008]
    assert set(always["comparison_type"]) == {"later_vs_always_treated"}
    assert sorted(always["treated_cohort"]) == [2013, 2015, 2017]


def test_forbidden_comparisons_fall_below_every_planted_effect_under_dynamic_effects():
    sim = simulate_staggered_panel(n_units=2000, seed=22)
    res = bacon_decomposition(sim.data, "y", "unit", "time", "cohort")
    forbidden = res.table[res.table["comparison_type"] == "later_vs_earlier_treated"]
    assert len(forbidden) == 3
    assert (forbidden["estimate"] < sim.truth["att"].min()).all()
    contribution = (
        res.by_type().set_index("comparison_type").loc["later_vs_earlier_treated", "contribution"]
    )
    assert contribution < 0


def test_timing_comparisons_alone_decompose_twfe_without_never_treated_units():
    df = simulate_staggered_panel(n_units=600, seed=23).data
    df = df[df["cohort"] > 0]
    res = bacon_decomposition(df, "y", "unit", "time", "cohort")
    assert set(res.table["comparison_type"]) == {
        "earlier_vs_later_treated",
        "later_vs_earlier_treated",
    }
    assert (res.table["estimate"] * res.table["weight"]).sum() == pytest.approx(
        twfe_did(df, "y", "unit", "time", "cohort").estimate, abs=1e-8
    )


def test_unbalanced_panel_error_says_how_to_balance():
    df = simulate_staggered_panel(n_units=100, seed=24).data.drop(index=[5, 17])
    with pytest.raises(
        EstimationError, match=r"unbalanced — 2 of 100 units.*transform\('count'\) == 10"
    ):
        bacon_decomposition(df, "y", "unit", "time", "cohort")


def test_missing_outcome_counts_as_unbalanced():
    df = simulate_staggered_panel(n_units=100, seed=24).data
    df.loc[3, "y"] = np.nan
    with pytest.raises(EstimationError, match="unbalanced — 1 of 100"):
        bacon_decomposition(df, "y", "unit", "time", "cohort")


def test_a_single_timing_group_without_never_treated_is_an_error():
    df = simulate_staggered_panel(n_units=100, cohorts=(2014,), seed=25).data
    df = df[df["cohort"] > 0]
    with pytest.raises(EstimationError, match="same treatment timing"):
        bacon_decomposition(df, "y", "unit", "time", "cohort")


def test_missing_column_is_named():
    df = simulate_staggered_panel(n_units=50, seed=26).data
    with pytest.raises(InputError, match="'first_treated' \\(cohort\\)"):
        bacon_decomposition(df, "y", "unit", "time", "first_treated")


def test_summary_reports_the_forbidden_weight_and_plot_returns_axes(three_groups):
    res = bacon_decomposition(three_groups, "y", "unit", "time", "cohort")
    assert "carry 20.0% of the weight" in res.summary()
    ax = res.plot()
    assert ax.get_xlabel() == "weight in the TWFE coefficient"
    plt.close(ax.figure)
