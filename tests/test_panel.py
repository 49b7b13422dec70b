"""The analysis panel: treatment timing, areas, baselines and counted exclusions."""

from __future__ import annotations

import pandas as pd
import pytest
from tables_factory import tiny_tables

from partnership_eval.errors import PartnershipEvalError
from partnership_eval.panel import (
    academic_year,
    area_schools,
    build_panel,
    exposure_year,
    size_band,
)


def test_academic_year_starts_on_1_september():
    dates = pd.Series(pd.to_datetime(["2015-08-31", "2015-09-01", "2016-01-15"]))
    assert academic_year(dates).tolist() == [2015, 2016, 2016]


def test_joining_from_may_counts_from_the_next_years_results():
    dates = pd.Series(pd.to_datetime(["2015-09-01", "2016-04-30", "2016-05-01", "2016-08-31"]))
    assert exposure_year(dates).tolist() == [2016, 2016, 2017, 2017]


def test_reason_columns_travel_with_their_measures():
    tables = tiny_tables()
    tables.outcomes["ks2_rwm_exp_reason"] = pd.Series([None] * len(tables.outcomes), dtype="str")
    tables.outcomes.loc[0, ["ks2_rwm_exp", "ks2_rwm_exp_reason"]] = [float("nan"), "suppressed"]
    built = build_panel(tables, kind="cluster")
    panel = built.frame
    assert panel["ks2_rwm_exp_reason"].eq("suppressed").sum() == 1


def test_default_baseline_stops_before_the_first_cohort():
    tables = tiny_tables()
    tables.memberships.loc[0, "joined"] = pd.Timestamp("2014-10-01")  # first treated 2015
    built = build_panel(tables, kind="cluster")
    panel = built.frame
    assert built.baseline_years == (2014, 2014)
    assert panel["base_trend"].isna().all()


def test_first_treated_is_the_academic_year_of_joining_and_zero_for_never():
    built = build_panel(tiny_tables(), kind="cluster")
    panel = built.frame
    first = panel.groupby("urn")["first_treated"].first().to_dict()
    assert first == {100001: 2016, 100002: 2017, 100003: 0, 100004: 0, 100005: 0}


def test_treated_flag_switches_on_in_the_first_treated_year():
    built = build_panel(tiny_tables(), kind="cluster")
    panel = built.frame
    alpha = panel[panel["urn"] == 100001].set_index("year")["treated"]
    assert alpha.to_dict() == {2014: False, 2015: False, 2016: True, 2017: True, 2018: True}


def test_schools_in_another_kind_of_partnership_are_flagged():
    built = build_panel(tiny_tables(), kind="cluster")
    panel = built.frame
    flagged = set(panel.loc[panel["in_other_partnership"], "urn"])
    assert flagged == {100005}


def test_schools_treated_before_the_panel_starts_are_excluded_and_counted():
    built = build_panel(tiny_tables(), kind="mat")
    panel = built.frame
    assert 100005 not in set(panel["urn"])
    assert built.exclusions.to_dict("records") == [
        {
            "step": "panel",
            "reason": "treated in or before the first panel year (2014)",
            "rows": 5,
            "schools": 1,
        }
    ]


def test_area_filters_by_la_name_code_or_region():
    schools = tiny_tables().schools
    assert set(area_schools(schools, "Cumbria")["urn"]) == {100001, 100002, 100003}
    assert set(area_schools(schools, 936)["urn"]) == {100004, 100005}
    assert len(area_schools(schools, "South East")) == 2


def test_unknown_area_is_a_clear_error():
    with pytest.raises(PartnershipEvalError, match="unknown area 'Atlantis'"):
        build_panel(tiny_tables(), area="Atlantis")


def test_unknown_kind_is_a_clear_error():
    with pytest.raises(PartnershipEvalError, match="unknown partnership kind"):
        build_panel(tiny_tables(), kind="club")


def test_baseline_is_attainment_and_trend_before_the_first_cohort():
    built = build_panel(tiny_tables(), kind="cluster")
    panel = built.frame
    assert built.baseline_years == (2014, 2015)
    gamma = panel[panel["urn"] == 100003].iloc[0]
    assert gamma["base_ks2_rwm_exp"] == pytest.approx(51.0)
    assert gamma["base_trend"] == pytest.approx(2.0)


def test_size_bands_follow_pupil_numbers():
    bands = size_band(pd.Series([60, 75, 149, 150, 400])).astype(str).tolist()
    assert bands == ["under 75", "75-149", "75-149", "150-299", "300+"]
