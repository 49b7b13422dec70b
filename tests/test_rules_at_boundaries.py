"""Every rule a report states, tested at its boundary with answers written out by hand.

A rule that moves by one step (``<`` for ``<=``, 11 pupils for 10, May for April) must
fail here: these are the values a report's sentences rest on.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tables_factory import tiny_tables

from partnership_eval.analyses.chain_growth.growth import classify_pace
from partnership_eval.analyses.cluster_impact.outcomes import add_derived_outcomes, below_floor
from partnership_eval.data.loaders.codes import parse_measure
from partnership_eval.data.loaders.ofsted import _grades
from partnership_eval.data.loaders.rawfile import RawTable
from partnership_eval.disclosure import suppress
from partnership_eval.errors import InputError
from partnership_eval.panel import build_panel

NA = pd.NA


def _floor(year, cohort, rwm, read=np.nan, writ=np.nan, mat=np.nan):
    return {
        "year": year,
        "cohort_n": cohort,
        "ks2_rwm_exp": rwm,
        "read_prog": read,
        "writ_prog": writ,
        "mat_prog": mat,
    }


FLOOR_CASES = [
    # (row, below the floor?) — 2016-2019 definition
    (_floor(2017, 30, 64.9, -5.1, 0, 0), True),  # under 65% and reading below -5
    (_floor(2017, 30, 65.0, -9.0, -9.0, -9.0), False),  # exactly 65%: above, whatever progress
    (_floor(2017, 30, 64.0, -5.0, -7.0, -5.0), False),  # exactly -5/-7/-5 is sufficient
    (_floor(2017, 30, 64.0, 0.0, -7.1, 0.0), True),  # writing below -7
    (_floor(2017, 30, 64.0, 0.0, 0.0, -5.01), True),  # maths below -5
    (_floor(2017, 10, 10.0, -9.0, -9.0, -9.0), NA),  # cohort of 10: rule does not apply
    (_floor(2017, 11, 10.0, -9.0, -9.0, -9.0), True),  # cohort of 11: it does
    (_floor(2015, 30, 10.0, -9.0, -9.0, -9.0), NA),  # before 2016: no such floor
    (_floor(2016, 30, 10.0, -9.0, -9.0, -9.0), True),
    (_floor(2019, 30, 10.0, -9.0, -9.0, -9.0), True),
    (_floor(2020, 30, 10.0, -9.0, -9.0, -9.0), NA),  # no tests, no floor
    (_floor(2017, 30, 60.0), NA),  # low attainment, progress unknown: undecided
    (_floor(2017, 30, 70.0), False),  # high attainment decides without progress
    (_floor(2017, 30, 60.0, np.nan, -8.0, np.nan), True),  # one known weak score is enough
]


@pytest.mark.parametrize(("row", "expected"), FLOOR_CASES)
def test_floor_standard_at_its_boundaries(row, expected):
    got = below_floor(pd.DataFrame([row])).iloc[0]
    assert (got is NA and expected is NA) or bool(got) == expected


def test_disadvantage_gap_is_other_pupils_minus_disadvantaged():
    panel = pd.DataFrame(
        [_floor(2017, 30, 60.0) | {"non_disadv_rwm_exp": 70.0, "disadv_rwm_exp": 52.5}]
    )
    assert add_derived_outcomes(panel)["disadv_gap"].iloc[0] == pytest.approx(17.5)


@pytest.mark.parametrize(
    ("joined", "first_treated"),
    [
        ("2016-04-30", 2016),  # before the May tests: that summer's results count
        ("2016-05-01", 2017),  # from May: next year's
        ("2016-08-31", 2017),
        ("2016-09-01", 2017),  # the first day of academic year 2017
        ("2015-09-01", 2016),
    ],
)
def test_joining_counts_from_the_first_may_tests_after_it(joined, first_treated):
    tables = tiny_tables()
    tables.memberships.loc[0, "joined"] = pd.Timestamp(joined)
    panel = build_panel(tables, kind="cluster").frame
    assert panel.loc[panel["urn"] == 100001, "first_treated"].iloc[0] == first_treated


def _sizes(joiners: list[int]) -> pd.DataFrame:
    """One chain's sizes: founded with joiners[0] schools, then joiners a year."""
    size = np.cumsum(joiners)
    return pd.DataFrame(
        {
            "partnership_id": "c",
            "year": 2011 + np.arange(len(joiners)),
            "chain_age": 1 + np.arange(len(joiners)),
            "joiners": joiners,
            "leavers": 0,
            "size_start": np.r_[0, size[:-1]],
            "size": size,
        }
    )


def test_pace_is_aggressive_exactly_at_the_threshold_and_not_above():
    sizes = _sizes([2, 4, 5, 6, 1])
    rate_low = classify_pace(sizes, window=3)["rate_low"].iloc[0]
    at = classify_pace(sizes, window=3, aggressive_from=rate_low)["pace"].iloc[0]
    above = classify_pace(sizes, window=3, aggressive_from=rate_low * (1 + 1e-9))["pace"].iloc[0]
    assert at == "aggressive" and above != "aggressive"


def test_pace_is_steady_exactly_at_its_share_of_the_benchmark():
    sizes = _sizes([1, 1, 1, 1, 1])
    share = classify_pace(sizes)["vs_benchmark"].iloc[0]
    assert classify_pace(sizes, steady_share=share)["pace"].iloc[0] == "steady"
    assert classify_pace(sizes, steady_share=share * (1 + 1e-9))["pace"].iloc[0] == "measured"


def test_default_steady_pace_is_four_fifths_of_the_us_charter_chains():
    # The US chains add one school a year at ages 2-6: 3 joiners in ages 2-5 is 0.75 of
    # them (measured), 4 in ages 2-6 is 0.8 (steady).
    assert classify_pace(_sizes([1, 1, 1, 1, 0]))["pace"].iloc[0] == "measured"
    assert classify_pace(_sizes([1, 1, 1, 1, 1, 0]))["pace"].iloc[0] == "steady"


def test_default_aggressive_pace_needs_15_joiners_in_three_years():
    assert classify_pace(_sizes([1, 5, 5, 5]))["pace"].iloc[0] == "aggressive"
    assert classify_pace(_sizes([1, 5, 5, 4]))["pace"].iloc[0] != "aggressive"


def test_a_chain_with_no_joiners_has_a_zero_lower_bound():
    pace = classify_pace(_sizes([2, 0, 0, 0]))
    assert pace["rate_low"].iloc[0] == 0.0 and pace["pace"].iloc[0] == "measured"


@pytest.mark.parametrize(
    "option", [{"steady_share": 0.0}, {"confidence": 0.0}, {"confidence": 1.0}, {"window": 0}]
)
def test_pace_options_outside_their_range_are_clear_errors(option):
    with pytest.raises(InputError, match=next(iter(option))):
        classify_pace(_sizes([1, 1, 1]), **option)


def test_pace_thresholds_below_one_school_a_year_are_allowed():
    assert classify_pace(_sizes([1, 1, 1]), aggressive_from=0.5, window=None)["pace"].notna().all()


def _raw(values: list[str]) -> RawTable:
    frame = pd.DataFrame({"cell": values})
    return RawTable(Path("ks2.csv"), frame, 1, "utf-8", rows=pd.Series(range(2, len(values) + 2)))


def test_each_dfe_code_becomes_its_reason():
    codes = ["SUPP", "NE", "NA", "NP", "LOWCOV", "SP", "RE", "NEW", "supp", "67%", "1,234"]
    values, reasons = parse_measure(_raw(codes), "cell")
    assert reasons.tolist() == [
        "suppressed",
        "no_entries",
        "not_applicable",
        "not_published",
        "low_coverage",
        "small_cohort",
        "results_withheld",
        "new_school",
        "suppressed",
        None,
        None,
    ]
    assert values.iloc[:9].isna().all()
    assert values.iloc[9:].tolist() == [67.0, 1234.0]


def test_disclosure_hides_five_pupils_and_shows_six():
    table = pd.DataFrame({"pupils": [5, 6], "rwm": [40.0, 50.0]}, index=["a", "b"])
    out = suppress(table, counts=["pupils"], rates={"rwm": "pupils"})
    assert out.loc["a"].tolist() == ["c", "c"]
    assert out.loc["b"].tolist() == [6, 50.0]


def test_inspection_grades_map_words_and_numbers():
    words = [
        "1",
        "2",
        "3",
        "4",
        "Outstanding",
        "Good",
        "Satisfactory",
        "Requires improvement",
        "Inadequate",
        "Special measures",
        "9",
        "",
    ]
    grade, not_graded = _grades(_raw(words), "cell")
    assert grade.tolist()[:10] == [1, 2, 3, 4, 1, 2, 3, 3, 4, 4]
    assert not_graded.tolist() == [False] * 10 + [True, True]
