"""Intake dip: existing schools of a chain around its first heavy intake."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from growth_factory import DIP, dip_tables, dip_truth

from partnership_eval.analyses.chain_growth.intake_dip import (
    intake_dip,
    intake_dip_stacks,
    intake_dip_truth,
)
from partnership_eval.data.store import read_tables
from partnership_eval.errors import EstimationError, PartnershipEvalError


@pytest.fixture(scope="module")
def tables():
    return dip_tables()


@pytest.fixture(scope="module")
def dip(tables):
    return intake_dip(tables)


def test_estimate_recovers_the_planted_dip(dip):
    head = dip.headline()
    assert head["estimate"] == pytest.approx(DIP, abs=0.3)
    assert head["ci_low"] <= DIP <= head["ci_high"]


def test_treated_are_the_existing_schools_of_the_surging_chain(dip):
    head, details = dip.headline(), dip.details
    assert (head["n_treated"], head["n_comparison"], details["n_chains"]) == (4, 20, 1)
    assert details["mean_dose"] == pytest.approx(1.0)


def test_chains_that_surge_after_the_window_are_not_yet_surged_controls(dip):
    # ``late`` surges in 2017, after the 2015 stack's window (2012-2016): its two
    # existing schools compare; the six calm chains never surge (3 schools each).
    assert (dip.details["n_not_yet"], dip.details["n_never"]) == (2, 18)
    controls = dip.controls()
    row = controls.loc[2015]
    assert (row["chains, surging"], row["schools, surging"]) == (1, 4)
    assert (row["chains, not yet surged"], row["schools, not yet surged"]) == (1, 2)
    assert (row["chains, never surges"], row["schools, never surges"]) == (6, 18)
    assert controls.loc["all stacks"].equals(row.rename("all stacks"))
    late = dip.stacks[dip.stacks["partnership_id"] == "late"]
    assert (late["role"] == "not yet surged").all() and late["dose"].isna().all()


def test_a_chain_surging_inside_the_window_is_no_control(tables):
    # with a two-year window after the surge, ``late`` (2017) surges inside it
    result = intake_dip(tables, post=2)
    assert "late" not in set(result.stacks["partnership_id"])
    assert result.details["n_not_yet"] == 0


def test_joining_after_the_may_tests_counts_from_the_next_year(tables):
    # The four joiners of ``surge`` moved from October 2014 to June 2014: they join in
    # 2015 by the panel's rule, so the surge (and its dose 4 / 4) is still in 2015 ...
    moved = tables.memberships.copy()
    joiners = (moved["partnership_id"] == "surge") & (moved["joined"] == "2014-10-01")
    moved.loc[joiners, "joined"] = pd.Timestamp("2014-06-01")
    result = intake_dip(replace(tables, memberships=moved))
    assert result.surges.set_index("partnership_id").loc["surge", "year"] == 2015
    # ... and in April 2014 they join in 2014, which moves the surge a year earlier.
    moved.loc[joiners, "joined"] = pd.Timestamp("2014-04-01")
    early = intake_dip(replace(tables, memberships=moved))
    assert early.surges.set_index("partnership_id").loc["surge", "year"] == 2014


def test_joiners_of_the_surging_chain_are_left_out_and_counted(dip):
    reasons = dict(zip(dip.exclusions["reason"], dip.exclusions["schools"], strict=True))
    assert reasons["school that joined a surging chain in or after its surge (not existing)"] == 7


def test_surge_without_results_in_its_base_year_is_left_out_and_counted(dip):
    surges = dip.surges.set_index("partnership_id")
    assert not surges.loc["late", "used"]
    assert surges.loc["surge", "used"]
    reasons = list(dip.exclusions["reason"])
    assert any(r.startswith("chain whose first heavy intake has no results") for r in reasons)


def test_rows_are_member_years_inside_the_event_window(tables):
    stacks, _, _ = intake_dip_stacks(tables, pre=2, post=1)
    assert stacks["event_time"].between(-2, 1).all()
    assert (stacks["year"] >= stacks["join_year"]).all()


def test_existing_schools_that_leave_at_the_surge_stay_in_the_study(tables):
    leavers = tables.memberships.copy()
    # One existing school of the surging chain and one of a calm chain leave in 2015.
    for urn in (700000, 700008):
        leavers.loc[leavers["urn"] == urn, "left"] = pd.Timestamp("2015-01-05")
    result = intake_dip(replace(tables, memberships=leavers))
    kept = result.stacks[result.stacks["urn"].isin([700000, 700008])]
    assert set(kept["event_time"]) == {-3, -2, -1, 0}  # 2016 (event time 1) has no results
    assert result.headline()["n_treated"] == 4
    assert result.headline()["n_comparison"] == 20
    assert result.details["n_treated_leavers"] == 1


def test_a_school_that_left_before_the_base_year_is_not_existing(tables):
    leavers = tables.memberships.copy()
    leavers.loc[leavers["urn"] == 700000, "left"] = pd.Timestamp("2013-10-01")
    result = intake_dip(replace(tables, memberships=leavers))
    assert 700000 not in set(result.stacks["urn"])
    assert result.headline()["n_treated"] == 3


def test_no_pre_placebo_effect_where_none_was_planted(dip):
    placebos = dip.placebos().set_index("event_time")
    assert list(placebos.index) == [-3, -2]  # three years before the surge by default
    assert (placebos["ci_low"] <= 0).all() and (placebos["ci_high"] >= 0).all()


def test_estimate_by_dose_band_counts_its_chains(dip):
    bands = dip.by_dose
    assert bands.loc["1+", "n_chains"] == 1
    assert bands.loc["0.5-1", "n_chains"] == 0
    assert np.isnan(bands.loc["0.5-1", "estimate"])


def test_truth_from_per_partnership_rows(dip):
    truth = intake_dip_truth(dip_truth(), dip.stacks)
    assert truth == pytest.approx({"planted_dip": DIP, "target": DIP})


def test_truth_is_missing_without_per_partnership_rows(dip):
    assert intake_dip_truth(dip_truth().drop(columns="partnership_id"), dip.stacks) is None


def test_no_heavy_intake_is_a_clear_error(tables):
    with pytest.raises(EstimationError, match="lower min_dose or min_joiners"):
        intake_dip(tables, min_joiners=10)


def test_bad_window_is_a_clear_error(tables):
    with pytest.raises(PartnershipEvalError, match="pre >= 1"):
        intake_dip(tables, pre=0)


def test_summary_and_plot(dip):
    assert "existing schools changed by" in dip.summary()
    assert dip.plot().get_xlabel().startswith("years since the heavy intake")
    assert dip.plot_by_dose().get_title().startswith("By dose")
    assert dip.tidy()["term"].iloc[0] == "event time 0"


def test_runs_on_synthetic_data(small_data_dir):
    result = intake_dip(read_tables(small_data_dir))
    head = result.headline()
    assert head["ci_low"] < head["estimate"] < head["ci_high"]
    assert head["n_treated"] > 0 and head["n_comparison"] > 0


def test_a_failing_placebo_is_flagged_first(dip):
    from dataclasses import replace
    from types import SimpleNamespace

    table = dip.event_study.table.copy()
    early = table["event_time"] == -2
    passing = table.assign(
        ci_low=table["ci_low"].mask(early, -1.0), ci_high=table["ci_high"].mask(early, 1.0)
    )
    failing = passing.assign(
        ci_low=passing["ci_low"].mask(early, 0.2), ci_high=passing["ci_high"].mask(early, 3.0)
    )
    ok = replace(dip, event_study=SimpleNamespace(table=passing))
    bad = replace(dip, event_study=SimpleNamespace(table=failing))
    assert ok.warning() is None and not ok.summary().startswith("**Warning")
    assert bad.summary().startswith("**Warning: the placebo check fails (2 years before")
