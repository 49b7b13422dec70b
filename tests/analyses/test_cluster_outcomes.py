"""Floor standard over several rows at once, derived outcomes, and the effect wording
(survivors of benchmarks/mutation_score.py on analyses/cluster_impact/outcomes.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from partnership_eval.analyses.cluster_impact.outcomes import (
    add_derived_outcomes,
    below_floor,
    effect_sentence,
    interval_reading,
)


def _rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": [2017] * 4,
            "cohort_n": [20] * 4,
            "ks2_rwm_exp": [60.0, 60.0, 60.0, 70.0],
            "read_prog": [-6.0, 0.0, np.nan, -9.0],
            "writ_prog": [0.0, 0.0, 0.0, -9.0],
            "mat_prog": [0.0, 0.0, 0.0, -9.0],
            "disadv_rwm_exp": [50.0, 70.0, 40.0, 60.0],
            "non_disadv_rwm_exp": [65.0, 60.0, 40.0, 75.0],
        }
    )


def test_each_row_is_judged_on_its_own_progress_scores():
    # One weak row must not make its neighbours weak, nor one unknown score theirs unknown.
    assert below_floor(_rows()).tolist() == [True, False, pd.NA, False]


def test_derived_outcomes_are_the_gap_and_the_floor_flag():
    derived = add_derived_outcomes(_rows())
    assert derived["disadv_gap"].tolist() == [15.0, -10.0, 0.0, 15.0]  # other minus disadvantaged
    assert derived["below_floor"].tolist() == [True, False, pd.NA, False]


def test_effect_sentence_without_an_estimate_says_so():
    assert effect_sentence(np.nan, np.nan, np.nan, "read_prog") == (
        "no estimate on the KS2 reading progress score"
    )


def test_an_effect_that_rounds_to_zero_has_no_sign():
    assert effect_sentence(0.04, -0.5, 0.6, "mat_prog").startswith(
        "0.0 points (95% CI −0.5 to 0.6)"
    )
    assert effect_sentence(-0.04, -0.5, 0.6, "mat_prog").startswith("0.0 points")


def test_effect_sentence_states_its_level():
    assert "(90% CI 0.4 to 3.8)" in effect_sentence(2.1, 0.41, 3.77, "ks2_rwm_exp", level=0.9)


def test_interval_readings_above_below_and_missing():
    above = interval_reading(0.4, 3.8)
    assert above.startswith("The interval lies above zero") and "from 0.4 to 3.8 points" in above
    below = interval_reading(-3.8, -0.4)
    assert below.startswith("The interval lies below zero") and "between 0.4 and 3.8" in below
    assert interval_reading(np.nan, 1.0) == "There is no interval to read."
    assert "detect" not in interval_reading(-1.0, 1.0, mde=np.nan)
    assert interval_reading(0.0, 1.0).startswith("The interval includes zero")
    assert interval_reading(-1.0, 0.0).startswith("The interval includes zero")


def test_small_rises_keep_their_plus_and_unknown_outcomes_their_name():
    assert effect_sentence(0.3, -0.5, 1.1, "mat_prog").startswith("+0.3 points")
    assert effect_sentence(0.3, -0.5, 1.1, "attendance").endswith("on attendance")
    assert effect_sentence(np.nan, np.nan, np.nan, "attendance") == "no estimate on attendance"
