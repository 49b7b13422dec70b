"""Wording rules of the school report: cautions, missing results, grades, likely ranges."""

import numpy as np
import pandas as pd
import pytest

from partnership_eval.analyses.school_report import SMALL_COHORT, cohort_caution, wilson_interval
from partnership_eval.analyses.school_report.profile import academy_history, school_profile
from partnership_eval.analyses.school_report.wording import (
    REASONS,
    compare_words,
    grade_words,
    missing_sentence,
    missing_years_sentence,
    year_words,
)
from partnership_eval.data.schema import MISSING_REASONS


def test_a_cohort_of_14_says_one_pupil_is_7_points():
    text = cohort_caution(14)
    assert "only 14 pupils" in text
    assert "one pupil is 7 percentage points" in text


@pytest.mark.parametrize("pupils", [SMALL_COHORT, 30, 0, None, np.nan])
def test_no_caution_from_15_pupils_or_without_pupils(pupils):
    assert cohort_caution(pupils) is None


@pytest.mark.parametrize("pupils", [1, 3, 5])
def test_no_caution_that_would_publish_a_count_of_5_or_fewer(pupils):
    assert cohort_caution(pupils) is None


def test_six_pupils_is_the_smallest_caution():
    assert "one pupil is 17 percentage points" in cohort_caution(6)


def test_every_missing_reason_of_the_schema_has_words():
    assert set(MISSING_REASONS) <= set(REASONS)


def test_suppressed_result_says_why():
    text = missing_sentence("The result", 2019, "suppressed")
    assert text == (
        "The result for 2018/19 is not published, because 5 or fewer pupils took part "
        "and they could be identified."
    )


def test_covid_years_say_there_were_no_tests_whatever_the_code():
    assert "no tests that year" in missing_sentence("The result", 2020, "blank")


def test_missing_years_are_grouped_by_reason():
    text = missing_years_sentence([2022, 2023, 2024], ["suppressed", "suppressed", None])
    assert text[0].startswith("Results for 2021/22 and 2022/23 are not published")
    assert text[1] == "The result for 2023/24 is not in these data."


def test_grade_three_was_satisfactory_before_september_2012():
    assert grade_words(3, pd.Timestamp("2011-05-01")) == "Satisfactory"
    assert grade_words(3, pd.Timestamp("2013-05-01")) == "Requires improvement"
    assert grade_words(None) == "no grade given"


def test_year_words_and_comparisons():
    assert year_words(2019) == "2018/19"
    assert compare_words(60.4, 60.0) == "about the same as"
    assert compare_words(67.0, 60.0) == "7 percentage points above"
    assert compare_words(59.0, 60.0) == "1 percentage point below"


def test_wilson_interval_matches_the_formula_and_stays_in_0_100():
    low, high = wilson_interval(np.array([50.0, 100.0, 0.0]), np.array([14, 6, 20]))
    assert low[0] == pytest.approx(26.80, abs=0.01) and high[0] == pytest.approx(73.20, abs=0.01)
    assert high[1] == pytest.approx(100.0) and low[1] == pytest.approx(60.97, abs=0.01)
    assert low[2] == pytest.approx(0.0)
    assert (high - low)[0] > wilson_interval(50.0, 140)[1] - wilson_interval(50.0, 140)[0]


def test_wilson_interval_follows_alpha():
    narrow = np.subtract(*wilson_interval(50.0, 20, alpha=0.1)[::-1])
    wide = np.subtract(*wilson_interval(50.0, 20, alpha=0.05)[::-1])
    assert narrow < wide


def test_wilson_interval_is_missing_without_pupils():
    low, high = wilson_interval(np.array([50.0, np.nan]), np.array([0, 10]))
    assert np.isnan(low).all() and np.isnan(high).all()


def test_converted_academy_results_before_opening_are_the_predecessors():
    schools = pd.DataFrame(
        {
            "urn": [140001],
            "name": ["Hill Academy"],
            "la_code": [936],
            "la_name": ["Surrey"],
            "is_academy": [True],
            "open_date": [pd.Timestamp("2017-04-01")],
        }
    )
    outcomes = pd.DataFrame({"urn": [140001] * 3, "year": [2016, 2017, 2018]})
    empty = pd.DataFrame(columns=["urn", "partnership_id", "joined", "left"])
    text = academy_history(
        school_profile(schools, 140001),
        outcomes,
        empty,
        pd.DataFrame(columns=["partnership_id", "name", "kind"]),
    )
    assert "became an academy on 1 April 2017" in text
    assert "(2015/16)" in text  # the May 2017 tests were the academy's


def test_phonics_is_found_when_a_phonics_rate_column_exists():
    from partnership_eval.analyses.school_report.profile import phonics_column

    columns = ["urn", "year", "phonics_n", "phonics_pass", "phonics_pass_reason"]
    assert phonics_column(pd.DataFrame(columns=columns)) == "phonics_pass"
    assert phonics_column(pd.DataFrame(columns=["urn", "year"])) is None
