"""The verdict: what one area and few pre-years can support, in words."""

import math

from partnership_eval.analyses.area_network import DesignSummary, verdict

BASE = dict(area="Plymouth", start=2017, post_years=6, alpha=0.05, skipped={})


def test_verdict_says_descriptive_first():
    text = verdict(pre_years=7, donors=150, designs=[], **BASE)
    assert text.startswith("**What this can support: a description, not a causal estimate.**")


def test_few_pre_years_make_placebo_results_descriptive_and_cite_the_reason():
    text = verdict(pre_years=4, donors=150, designs=[], placebo_p=0.01, **BASE)
    assert "4 years of results before 2017" in text
    assert "Illenberger, Small & Shaw 2020" in text
    assert "descriptive" in text


def test_one_pre_year_cannot_separate_a_change_from_a_trend():
    text = verdict(pre_years=1, donors=150, designs=[], **BASE)
    assert "With 1 year of results before 2017, no design can separate" in text


def test_few_donors_state_the_smallest_attainable_p_value():
    text = verdict(pre_years=7, donors=5, designs=[], **BASE)
    assert "cannot give a p-value below 0.17" in text


def test_designs_agreement_and_intervals_excluding_zero_are_named():
    designs = [
        DesignSummary("synthetic control", 2.0, 0.5, 3.5),
        DesignSummary("school-level DiD", 1.0, -0.5, 2.5),
    ]
    text = verdict(pre_years=7, donors=150, designs=designs, **BASE)
    assert "point the same way" in text
    assert "the interval of synthetic control excludes zero" in text


def test_unbounded_intervals_are_said_so():
    designs = [DesignSummary("synthetic control", 2.0, -math.inf, math.inf)]
    assert "no bounded interval" in verdict(pre_years=7, donors=5, designs=designs, **BASE)


def test_improving_faster_claim_holds_only_with_an_interval_above_zero():
    up = DesignSummary("trend", 0.3, 0.1, 0.5)
    flat = DesignSummary("trend", 0.3, -0.1, 0.7)
    assert "it did improve faster than England" in verdict(
        pre_years=7, donors=150, designs=[], improving=up, **BASE
    )
    assert "do not show it improving faster" in verdict(
        pre_years=7, donors=150, designs=[], improving=flat, **BASE
    )


def test_skipped_designs_are_listed_with_their_reason():
    text = verdict(
        pre_years=1,
        donors=0,
        designs=[],
        **{**BASE, "skipped": {"synthetic control": "too few years"}},
    )
    assert "Not estimated — synthetic control: too few years." in text


def test_a_single_design_is_not_said_to_agree_with_itself():
    designs = [DesignSummary("change in the gap to England", -1.5, -5.8, 2.8)]
    text = verdict(pre_years=1, donors=0, designs=designs, **BASE)
    assert "One design could run (change in the gap to England -1.5 pp [-5.8, +2.8]" in text
    assert "point the same way" not in text
