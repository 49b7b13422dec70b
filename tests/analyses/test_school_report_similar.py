"""Similar schools: nearest on standardised context, past results only from before the year."""

import numpy as np
import pandas as pd
import pytest

from partnership_eval.analyses.school_report import similar_schools
from partnership_eval.analyses.school_report.similar import prior_window
from partnership_eval.errors import EstimationError, InputError

YEARS = [2016, 2017, 2018, 2019]


def _tables(n_far: int = 10):
    """School 100000 plus a twin (same context), a near one, and ``n_far`` far-away schools."""
    urns = [100000, 100001, 100002, *range(100010, 100010 + n_far)]
    pupils = [30, 31, 40, *[600] * n_far]
    fsm = [10.0, 10.0, 12.0, *[40.0] * n_far]
    rural = [True, True, True, *[False] * n_far]
    prior = [60.0, 60.0, 55.0, *[30.0] * n_far]
    schools = pd.DataFrame(
        {
            "urn": urns,
            "name": [f"School {u}" for u in urns],
            "la_code": 909,
            "la_name": "Cumbria",
            "phase": "Primary",
            "pupils": pupils,
            "rural": rural,
            "fsm_pct": fsm,
        }
    )
    rows = [(u, y, 10, p) for u, p in zip(urns, prior, strict=True) for y in YEARS]
    outcomes = pd.DataFrame(rows, columns=["urn", "year", "cohort_n", "ks2_rwm_exp"])
    return schools, outcomes


def test_nearest_schools_in_context_come_first():
    schools, outcomes = _tables()
    group = similar_schools(schools, outcomes, 100000, 2019, n=2)
    assert group.group["urn"].tolist() == [100001, 100002]
    assert group.group["distance"].iloc[0] == pytest.approx(0.0, abs=0.05)
    assert group.pool == len(schools) - 1


def test_the_school_itself_is_never_in_its_group():
    schools, outcomes = _tables()
    group = similar_schools(schools, outcomes, 100000, 2019, n=50)
    assert 100000 not in set(group.group["urn"])
    assert len(group.group) == len(schools) - 1  # fewer candidates than n: all of them


def test_the_outcome_compared_does_not_choose_the_group():
    schools, outcomes = _tables()
    before = similar_schools(schools, outcomes, 100000, 2019, n=2)
    moved = outcomes.copy()
    moved.loc[(moved["urn"] == 100001) & (moved["year"] == 2019), "ks2_rwm_exp"] = 0.0
    after = similar_schools(schools, moved, 100000, 2019, n=2)
    assert before.group["urn"].tolist() == after.group["urn"].tolist()
    assert 2019 not in after.prior_window


def test_past_results_come_from_the_years_before_the_one_compared():
    _, outcomes = _tables()
    assert prior_window(outcomes, 2019, 3) == (2016, 2017, 2018)
    assert prior_window(outcomes, 2018, 2) == (2016, 2017)


def test_past_results_change_the_choice():
    schools, outcomes = _tables()
    far = outcomes["urn"] == 100001
    outcomes.loc[far & (outcomes["year"] < 2019), "ks2_rwm_exp"] = 5.0
    group = similar_schools(schools, outcomes, 100000, 2019, n=1)
    assert group.group["urn"].tolist() == [100002]


def test_other_phases_and_missing_context_are_left_out_and_counted():
    schools, outcomes = _tables()
    schools.loc[schools["urn"] == 100001, "phase"] = "Secondary"
    schools.loc[schools["urn"] == 100002, "fsm_pct"] = np.nan
    group = similar_schools(schools, outcomes, 100000, 2019, n=3)
    assert not {100001, 100002} & set(group.group["urn"])
    reasons = dict(zip(group.exclusions["reason"], group.exclusions["schools"], strict=True))
    assert reasons == {"not a primary school": 1, "context not published": 1}


def test_a_measure_the_school_lacks_is_dropped_and_not_named():
    schools, outcomes = _tables()
    schools.loc[schools["urn"] == 100000, "fsm_pct"] = np.nan
    group = similar_schools(schools, outcomes, 100000, 2019, n=2)
    assert "fsm_pct" not in group.features
    assert "free school meals" not in group.method_sentence()


def test_method_sentence_names_group_size_where_from_and_years():
    schools, outcomes = _tables()
    sentence = similar_schools(schools, outcomes, 100000, 2019, n=2).method_sentence()
    assert "the 2 schools in Cumbria" in sentence
    assert "2016, 2017 and 2018" in sentence


def test_tidy_has_the_shared_columns_and_group_size():
    schools, outcomes = _tables()
    tidy = similar_schools(schools, outcomes, 100000, 2019, n=2).tidy()
    assert list(tidy.columns[:8]) == [
        "term",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "level",
        "n_treated",
        "n_comparison",
    ]
    assert (tidy["n_comparison"] == 2).all()


@pytest.mark.parametrize(("urn", "n", "column"), [(999999, 50, "urn"), (100000, 0, "n")])
def test_bad_urn_or_group_size_is_an_input_error(urn, n, column):
    schools, outcomes = _tables()
    with pytest.raises(InputError) as error:
        similar_schools(schools, outcomes, urn, 2019, n=n)
    assert error.value.column == column


def test_no_candidate_is_an_estimation_error_saying_why():
    schools, outcomes = _tables(n_far=0)
    outcomes = outcomes[outcomes["urn"] == 100000]
    with pytest.raises(EstimationError, match="no similar schools can be chosen"):
        similar_schools(schools, outcomes, 100000, 2019)
