"""The impact-evaluation library behind 01_cluster_impact, on small synthetic data and hand-made panels."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from partnership_eval.analyses.cluster_impact import (
    all_schools_design,
    below_floor,
    caveats,
    effect_sentence,
    estimate_impact,
    impact_design,
    interval_reading,
    match_comparison,
    raw_trends,
    robustness_checks,
)
from partnership_eval.analyses.cluster_impact.design import CENSORED, _selection, setting_weights
from partnership_eval.analyses.cluster_impact.heterogeneity import subgroup_effects
from partnership_eval.analyses.cluster_impact.sample import (
    cell_members,
    cell_pairs,
    estimation_sample,
)
from partnership_eval.analyses.cluster_impact.trends import trend_table
from partnership_eval.analyses.cluster_impact.truth import (
    cells_with_truth,
    truth_by_cell,
    truth_simple,
)
from partnership_eval.data.store import read_tables
from partnership_eval.disclosure import published
from partnership_eval.errors import PartnershipEvalError
from partnership_eval.panel import first_treated


@pytest.fixture(scope="module")
def tables(small_data_dir):
    return read_tables(small_data_dir)


@pytest.fixture(scope="module")
def devon(tables):
    return impact_design(tables, "Devon")


@pytest.fixture(scope="module")
def devon_estimate(devon):
    return estimate_impact(devon, n_boot=0)


@pytest.fixture(scope="module")
def robust(devon, devon_estimate):
    return robustness_checks(devon, devon_estimate)


# --- design -----------------------------------------------------------------------


def test_treated_schools_are_the_areas_cluster_members(devon, tables):
    s = devon.schools
    treated = s[s["group"] == "treated"]
    assert set(treated["la_name"]) == {"Devon"}
    assert (treated["first_treated"] > 0).all()
    members = tables.memberships[tables.memberships["partnership_id"].str.startswith("CL878")]
    assert set(treated["urn"]) <= set(members["urn"])


def test_comparison_pool_is_never_treated_small_schools_from_anywhere(devon):
    comp = devon.schools[devon.schools["group"] == "comparison"]
    assert (comp["first_treated"] == 0).all()
    assert (comp["base_pupils"] < 150).all()
    assert comp["la_name"].nunique() > 1


def test_size_is_measured_before_the_start_from_year_6_cohorts(devon):
    s = devon.schools
    # pupils on roll before the start: 7 year groups times the baseline Year 6 cohort
    assert (s["base_pupils"] == (7 * s["base_cohort_n"]).round()).all()
    table = devon.size_sources()
    assert table.to_numpy().sum() == devon.n_treated + devon.n_comparison


def test_pool_area_keeps_only_the_areas_own_comparison_schools(tables):
    design = impact_design(tables, "Devon", pool="area")
    comp = design.schools[design.schools["group"] == "comparison"]
    assert set(comp["la_name"]) <= {"Devon"}


def test_comparison_schools_that_join_later_count_until_they_join(tables, devon):
    panel = devon.panel
    comp = panel[panel["group"] == "comparison"]
    # schools of other kinds' partnerships and cluster schools of other LAs stay
    # comparison schools before they join, and none of their years from joining is kept
    later = comp[(comp["other_first_treated"] > 0) | comp["la_name"].isin(["Cumbria", "Norfolk"])]
    assert later["urn"].nunique() > 0
    assert (
        later["year"] < later["other_first_treated"].where(later["other_first_treated"] > 0, 9999)
    ).all()
    clusters = first_treated(tables.memberships, tables.partnerships, "cluster")
    elsewhere = clusters[clusters["urn"].isin(comp["urn"])].set_index("urn")["first_treated"]
    rows = comp[comp["urn"].isin(elsewhere.index)]
    assert len(rows) and (rows["year"] < rows["urn"].map(elsewhere) - 1).all()
    assert (rows["first_treated"] == 0).all()
    row = devon.exclusions[devon.exclusions["reason"] == CENSORED]
    assert row["rows"].iloc[0] > 0
    loose = impact_design(tables, "Devon", exclude_other_partnerships=False)
    assert len(loose.panel) > len(devon.panel)


def test_censoring_at_joining_keeps_the_years_before_by_hand() -> None:
    years = [2014, 2015, 2016, 2017]
    rows = [
        # urn, first_treated, other_first_treated, la_code
        (100001, 2016, 0, 878),  # treated in the area
        (100002, 0, 0, 909),  # never in any partnership
        (100003, 0, 2016, 909),  # joins a trust in 2016: 2014 kept (2015 may be its bad year)
        (100004, 2017, 0, 909),  # joins a cluster elsewhere in 2017: 2014-2015 kept
    ]
    panel = pd.DataFrame(
        [(u, y, g, o, la) for u, g, o, la in rows for y in years],
        columns=["urn", "year", "first_treated", "other_first_treated", "la_code"],
    ).assign(base_pupils=100, region="South West")
    kept, entries = _selection(panel, (878,), 150, "england", True)
    counts = kept.groupby("urn")["year"].max().to_dict()
    assert counts == {100001: 2017, 100002: 2017, 100003: 2014, 100004: 2015}
    assert kept.loc[kept["urn"] == 100004, "first_treated"].eq(0).all()
    (entry,) = entries
    assert (entry["reason"], entry["rows"], entry["schools"]) == (CENSORED, 5, 2)


def test_setting_weights_give_the_comparison_the_treated_mix() -> None:
    # treated: 3 rural, 1 urban; comparison: 2 rural, 6 urban, 1 unknown
    rural = [True] * 3 + [False] + [True] * 2 + [False] * 6 + [None]
    panel = pd.DataFrame(
        {
            "urn": range(100001, 100001 + len(rural)),
            "first_treated": [2016] * 4 + [0] * 9,
            "rural": pd.array(rural, dtype="boolean"),
        }
    )
    weight, entries = setting_weights(panel)
    comp = weight[panel["first_treated"] == 0]
    # rural: 0.75 / (2/9); urban: 0.25 / (6/9); unknown has no treated school
    assert comp.iloc[:2].tolist() == pytest.approx([0.75 * 9 / 2] * 2)
    assert comp.iloc[2:8].tolist() == pytest.approx([0.25 * 9 / 6] * 6)
    assert np.isnan(comp.iloc[8]) and weight[panel["first_treated"] > 0].eq(1).all()
    assert [e["schools"] for e in entries] == [1]
    shares = panel.assign(w=weight).dropna().query("first_treated == 0").groupby("rural")["w"].sum()
    assert shares[True] / shares.sum() == pytest.approx(0.75)


def test_design_comparison_has_the_treated_schools_rural_share(tables, devon):
    s = devon.schools
    rural = s["rural"].astype(float)
    treated = s["group"] == "treated"
    share_c = np.average(rural[~treated], weights=s.loc[~treated, "weight"])
    assert share_c == pytest.approx(rural[treated].mean())
    unweighted = impact_design(tables, "Devon", balance_setting=False)
    assert unweighted.panel["weight"].eq(1).all()


def test_joiners_table_counts_every_treated_school_once(devon):
    table = devon.joiners_table()
    assert table.loc["all years", "all schools"] == devon.n_treated
    assert list(table.index[:-1]) == [str(g) for g in devon.cohorts]


def test_unknown_pool_is_a_clear_error(tables):
    with pytest.raises(PartnershipEvalError, match="pool="):
        impact_design(tables, "Devon", pool="county")


def test_area_without_partnerships_of_the_kind_is_a_clear_error(tables):
    with pytest.raises(PartnershipEvalError, match="no schools in Shropshire joined"):
        impact_design(tables, "Shropshire")


def test_naive_design_compares_with_never_treated_schools_of_any_size(devon):
    naive = all_schools_design(devon)
    assert naive.n_treated == devon.n_treated
    comp = naive.schools[naive.schools["group"] == "comparison"]
    assert (comp["pupils"] >= 150).any()


def test_matching_keeps_every_treated_school_with_complete_baseline(devon):
    matched = match_comparison(devon)
    assert matched.design.n_comparison <= 2 * matched.design.n_treated
    assert {"SMD before", "SMD after"} <= set(matched.balance_table().columns)


# --- sample -----------------------------------------------------------------------


def _panel(rows):
    """Hand-made panel; every treated school gets a twin (urn + 100) so cohorts are usable."""
    df = pd.DataFrame(rows, columns=["urn", "year", "first_treated", "y"])
    twins = df[df["first_treated"] > 0].assign(urn=lambda d: d["urn"] + 100)
    df = pd.concat([df, twins], ignore_index=True)
    return df.assign(
        group=np.where(df["first_treated"] > 0, "treated", "comparison"),
        weight=1.0,
        partnership_id=None,
        la_code=100,
        cohort_n=20,
    )


def test_balanced_sample_drops_schools_missing_a_year_and_says_why():
    panel = _panel(
        [(1, 2010, 2012, 1.0), (1, 2011, 2012, 2.0), (1, 2012, 2012, 3.0)]
        + [(2, 2010, 0, 1.0), (2, 2011, 0, np.nan), (2, 2012, 0, 3.0)]
        + [(3, 2010, 0, 1.0), (3, 2011, 0, 1.0), (3, 2012, 0, 1.0)]
    )
    sample, exclusions = estimation_sample(panel, "y", balanced=True)
    assert set(sample["urn"]) == {1, 101, 3}
    assert exclusions["schools"].tolist() == [1, 1]
    assert "every one of the 3 years" in exclusions["reason"].iloc[1]


def test_unbalanced_sample_keeps_every_result_by_default():
    panel = _panel(
        [(1, 2010, 2011, 1.0), (1, 2011, 2011, 2.0), (2, 2010, 0, np.nan), (2, 2011, 0, 1.0)]
    )
    sample, _ = estimation_sample(panel, "y")
    assert len(sample) == 5


def test_cells_compare_post_years_with_the_last_year_before_the_start_across_gaps():
    pairs = cell_pairs([2018, 2019, 2022], [2022])
    assert pairs.values.tolist() == [[2022, 2019, 2018], [2022, 2022, 2019]]


def test_cell_members_are_the_treated_schools_with_results_in_both_years():
    panel = _panel(
        [(1, 2010, 2012, 1.0), (1, 2011, 2012, 1.0), (1, 2012, 2012, 1.0)]
        + [(2, 2010, 2012, 1.0), (2, 2012, 2012, 1.0), (3, 2011, 2012, 1.0)]
        + [(4, 2010, 0, 1.0), (4, 2011, 0, 1.0), (4, 2012, 0, 1.0)]
    )
    members = cell_members(panel[~panel["urn"].isin([102, 103])])
    post = members[members["time"] == 2012]
    assert set(post["urn"]) == {1, 101}  # 2 lacks 2011 (the base), 3 lacks 2012


def test_cohort_with_a_thin_comparison_is_left_out_and_counted():
    panel = _panel(
        [(1, 2010, 2012, 1.0), (1, 2011, 2012, 1.0), (1, 2012, 2012, 1.0)]
        + [(4, 2010, 0, 1.0), (4, 2011, 0, 1.0), (4, 2012, 0, 1.0)]
    )
    with pytest.raises(PartnershipEvalError, match="no treated school"):
        estimation_sample(panel, "y", min_cohort=3)


def test_schools_starting_in_the_outcomes_first_year_are_dropped():
    panel = _panel(
        [(1, 2016, 2016, 1.0), (1, 2017, 2016, 1.0)]
        + [(2, 2016, 2017, 1.0), (2, 2017, 2017, 1.0)]
        + [(3, 2016, 0, 1.0), (3, 2017, 0, 1.0)]
    )
    sample, exclusions = estimation_sample(panel, "y", balanced=True)
    assert not {1, 101} & set(sample["urn"])
    assert "first year" in exclusions["reason"].iloc[0]


def test_unknown_outcome_is_a_clear_error(devon):
    with pytest.raises(PartnershipEvalError, match="unknown outcome"):
        estimation_sample(devon.panel, "ks3_english")


# --- estimate and truth ------------------------------------------------------------


def test_estimate_reports_sample_sizes_and_planted_truth(devon_estimate):
    assert devon_estimate.n_treated > 20
    assert devon_estimate.n_comparison > 20
    assert 2.0 < devon_estimate.truth < 5.0


def test_estimate_is_within_three_standard_errors_of_the_planted_effect(devon_estimate):
    # one seed of a world with area-wide shocks: coverage is measured over seeds by
    # benchmarks/validate_cluster_impact.py; here only a gross bias can fail
    s = devon_estimate.simple
    assert abs(s.att - devon_estimate.truth) < 3 * devon_estimate.se


def test_truth_uses_partnership_rows_weighted_by_schools_in_the_sample():
    truth = pd.DataFrame(
        {
            "programme": "small_school_clusters",
            "cohort": 2012,
            "year": 2012,
            "effect": [1.0, 3.0, 9.0],
            "outcome": "ks2_rwm_exp",
            "partnership_id": ["A", "B", None],
            "la_code": pd.array([None, None, None], dtype="Int64"),
        }
    )
    members = pd.DataFrame(
        {"cohort": 2012, "time": 2012, "partnership_id": ["A", "B", "B", "B"], "la_code": 100}
    )
    cells = truth_by_cell(truth, ["cluster"], "ks2_rwm_exp", members)
    assert cells["truth"].iloc[0] == pytest.approx(2.5)


def test_truth_of_a_cell_uses_only_the_schools_that_cell_compared():
    truth = pd.DataFrame(
        {
            "programme": "small_school_clusters",
            "cohort": 2012,
            "year": [2012, 2013, 2012, 2013],
            "effect": [1.0, 1.0, 5.0, 5.0],
            "outcome": "ks2_rwm_exp",
            "partnership_id": ["A", "A", "B", "B"],
            "la_code": pd.array([None] * 4, dtype="Int64"),
        }
    )
    members = pd.DataFrame(
        {"cohort": 2012, "time": [2012, 2012, 2013], "partnership_id": ["A", "B", "A"]}
    ).assign(la_code=100)
    cells = truth_by_cell(truth, ["cluster"], "ks2_rwm_exp", members).set_index("time")
    assert cells.loc[2012, "truth"] == pytest.approx(3.0)
    assert cells.loc[2013, "truth"] == pytest.approx(1.0)


def test_truth_simple_weights_post_cells_by_cohort_size():
    att = pd.DataFrame(
        {
            "cohort": [2012, 2012, 2013],
            "time": [2011, 2012, 2013],
            "event_time": [-1, 0, 0],
            "n_treated": [10, 4, 30],  # per-cell counts differ from cohort sizes
            "post": [False, True, True],
        }
    )
    truth = pd.DataFrame({"cohort": [2012, 2013], "time": [2012, 2013], "truth": [1.0, 3.0]})
    sizes = pd.Series({2012: 10, 2013: 30})
    assert truth_simple(cells_with_truth(att, truth, sizes)) == pytest.approx(2.5)


def test_no_truth_for_kinds_without_a_planted_effect(tables, devon_estimate):
    members = cell_members(devon_estimate.sample).merge(
        devon_estimate.sample.drop_duplicates("urn")[["urn", "partnership_id", "la_code"]]
    )
    assert truth_by_cell(tables.truth, ["mat"], "ks2_rwm_exp", members) is None


def test_headline_uses_every_result_by_default(devon, devon_estimate):
    balanced = estimate_impact(devon, balanced=True, n_boot=0)
    assert not devon_estimate.balanced
    assert devon_estimate.did.spec.allow_unbalanced_panel
    assert devon_estimate.n_treated > balanced.n_treated


def test_schools_counted_in_the_estimate_are_those_in_some_cell(devon_estimate):
    sample = devon_estimate.sample
    in_sample = sample.loc[sample["group"] == "treated", "urn"].nunique()
    assert devon_estimate.n_treated <= in_sample
    assert (
        devon_estimate.n_treated
        == cell_members(devon_estimate.sample, devon_estimate.spec.anticipation)["urn"].nunique()
    )


def test_truth_cells_use_per_cell_membership(devon_estimate):
    cells = devon_estimate.truth_cells
    members = (
        cell_members(devon_estimate.sample, devon_estimate.spec.anticipation)
        .groupby(["cohort", "time"])
        .size()
    )
    assert (cells.set_index(["cohort", "time"])["n_treated"] == members).all()


def test_matching_happens_on_the_estimation_sample(devon):
    est = estimate_impact(devon, comparison="matched", n_boot=0)
    usable, _ = estimation_sample(devon.panel, "ks2_rwm_exp")
    matched = set(est.matched.match.matched_units["urn"])
    assert matched <= set(usable["urn"])
    assert set(est.sample["urn"]) <= matched
    assert est.sample["weight"].ne(1.0).any()


def test_subgroup_with_few_used_schools_is_marked_not_estimable(devon):
    result = subgroup_effects(devon, by=["size_band"], min_treated=60)
    small = result.table.set_index("subgroup").loc["under 75"]
    assert np.isnan(small["estimate"])
    assert small["note"].startswith("not estimable: only ")
    assert "treated schools with results" in small["note"]


def test_engine_failures_are_reported_in_plain_words(devon, monkeypatch):
    from partnership_eval.analyses.cluster_impact import estimate as module
    from partnership_eval.errors import EstimationError

    def fail(*args, **kwargs):
        raise EstimationError("ATT for cohort 2014, period 2012 cannot be estimated")

    monkeypatch.setattr(module, "staggered_did", fail)
    with pytest.raises(EstimationError) as caught:
        estimate_impact(devon, n_boot=0)
    note = module.not_estimable(caught.value)
    assert "cohort 2014" not in note and note.startswith("not estimable: in some start year")


def test_unknown_comparison_is_a_clear_error(devon):
    with pytest.raises(PartnershipEvalError, match="comparison="):
        estimate_impact(devon, comparison="synthetic", n_boot=0)


def test_progress_outcome_cannot_be_estimated_for_pre_2016_starts(devon):
    with pytest.raises(PartnershipEvalError):
        estimate_impact(devon, "read_prog", n_boot=0)


# --- words ------------------------------------------------------------------------


def test_effect_sentence_reads_as_points_with_interval():
    text = effect_sentence(2.14, 0.41, 3.77, "ks2_rwm_exp")
    assert text.startswith("+2.1 points (95% CI 0.4 to 3.8) on the share of pupils meeting")


def test_effect_sentence_uses_a_minus_sign_for_falls():
    assert effect_sentence(-1.26, -2.0, -0.5, "read_prog").startswith(
        "\u22121.3 points (95% CI \u22122.0 to \u22120.5)"
    )


def test_interval_including_zero_is_read_as_consistent_with_no_effect():
    text = interval_reading(-0.8, 4.9, mde=3.5)
    assert "consistent with no effect" in text
    assert "3.5" in text


# --- floor standard -----------------------------------------------------------------


def test_floor_standard_needs_low_attainment_and_a_weak_progress_score():
    rows = pd.DataFrame(
        {
            "year": [2017, 2017, 2017, 2017, 2015, 2017],
            "cohort_n": [20, 20, 20, 8, 20, 20],
            "ks2_rwm_exp": [60.0, 60.0, 70.0, 40.0, 40.0, 60.0],
            "read_prog": [-6.0, -4.0, -9.0, -9.0, -9.0, np.nan],
            "writ_prog": [0.0, -6.9, -9.0, -9.0, -9.0, -8.0],
            "mat_prog": [0.0, -4.9, -9.0, -9.0, -9.0, 0.0],
        }
    )
    assert below_floor(rows).tolist() == [True, False, False, pd.NA, pd.NA, True]


# --- trends and robustness ---------------------------------------------------------------


def test_raw_trends_leave_no_test_years_as_gaps(devon):
    trends = raw_trends(devon)
    gap = trends[trends["year"].isin([2020, 2021])]
    assert len(gap) > 0 and gap["mean"].isna().all()
    assert {"treated", "comparison"} <= set(trends["group"])


def test_trend_table_suppresses_means_resting_on_few_pupils_and_labels_no_test_years():
    trends = pd.DataFrame(
        {
            "group": ["treated"] * 3,
            "year": [2019, 2020, 2022],
            "mean": [50.0, np.nan, 60.0],
            "schools": [1, np.nan, 3],
            "pupils": [4, np.nan, 40],
        }
    )
    wide, rates = trend_table(trends)
    shown = published(wide, counts=["pupils (treated)"], rates=rates, year="index").data
    assert shown.loc[2019, "mean (treated)"] == "c"
    assert shown.loc[2020, "mean (treated)"] == "no tests"
    assert shown.loc[2022, "pupils (treated)"] == 40 and isinstance(
        shown.loc[2022, "pupils (treated)"], int
    )


def test_robustness_set_has_every_check_and_twfe(robust, devon_estimate):
    checks = " | ".join(robust.table["check"])
    for part in (
        "main",
        "not-yet-treated",
        "matched",
        "covariates",
        "naive",
        "TWFE",
        "placebo in space",
        "wild cluster bootstrap",
        "by school",
    ):
        assert part in checks
    assert robust.bacon is not None and robust.mde is not None
    assert "only schools with a result every year" in checks
    assert "repeated cross-sections" not in checks
    placebo = robust.table[robust.table["check"].str.startswith("placebo in space")].iloc[0]
    assert placebo["note"].startswith("p = ") and "comparison LAs" in placebo["note"]
    assert placebo["ci_low"] < placebo["ci_high"]
    assert robust.placebo.p_value == pytest.approx(
        (1 + (robust.placebo.placebo["estimate"].abs() >= abs(placebo["estimate"])).sum())
        / (1 + len(robust.placebo.placebo))
    )
    # small synthetic England has too few LAs to measure area-wide noise: the MDE is the
    # estimate's own, and the report says why the interval leaves area shocks out
    assert robust.mde.mde == pytest.approx(devon_estimate.did.mde().mde)
    assert "area-wide shocks not allowed for" in robust.notes["area"]


def test_each_robustness_row_carries_the_truth_of_its_own_sample(devon, robust):
    rows = robust.table.set_index("check")
    balanced = estimate_impact(devon, balanced=True, n_boot=0)
    assert rows.loc["only schools with a result every year", "truth"] == pytest.approx(
        balanced.truth
    )


def test_caveats_say_what_a_short_panel_cannot_show(tables):
    short = impact_design(tables, "Devon", years=(2011, 2013))
    est = estimate_impact(short, n_boot=0, anticipation=0)
    text = " ".join(caveats(short, est))
    assert "single year before the start" in text and "At most 2 year(s)" in text


# Checks that are unbiased for the planted effect under the synthetic design; the naive
# comparison (schools of any size) and TWFE are not, and the placebo has no SE of its own.
UNBIASED_CHECKS = (
    "main",
    "not-yet-treated",
    "matched",
    "covariates",
    "only schools with a result every year",
    "wild cluster bootstrap",
    "inference by school",
)


def test_unbiased_robustness_estimates_are_within_3_5_se_of_their_truth(robust):
    rows = robust.tidy().set_index("term")
    for check in UNBIASED_CHECKS:
        row = rows.loc[rows.index.str.startswith(check)].iloc[0]
        z = (row["estimate"] - row["truth"]) / row["se"]
        assert abs(z) < 3.5, f"{check}: estimate {row['estimate']:.2f}, truth {row['truth']:.2f}"


def test_naive_comparison_is_biased_upwards_by_the_small_school_trend(robust):
    rows = robust.tidy().set_index("term")
    naive = rows.loc[rows.index.str.contains("naive")].iloc[0]
    assert naive["estimate"] - naive["truth"] > 2 * naive["se"]


def test_robustness_has_a_placebo_outcome_near_zero_and_the_pupil_average(robust):
    table = robust.table.set_index("check")
    placebo = table.loc["placebo outcome: % of Year 6 pupils disadvantaged"]
    # nothing is planted on who is in Year 6: the planted truth is 0
    assert placebo["truth"] == 0.0
    assert abs(placebo["estimate"]) < 3.5 * placebo["se"]
    pupils = table.loc["schools weighted by their Year 6 pupils (pupil average)"]
    assert np.isfinite(pupils["estimate"]) and pupils["estimate"] != table.iloc[0]["estimate"]


def test_a_check_that_cannot_be_estimated_stays_in_the_table_saying_why(devon):
    # no school has a disadvantaged count in this copy: the placebo-outcome row says why
    blind = replace(devon, panel=devon.panel.assign(disadv_share=np.nan))
    table = robustness_checks(blind, estimate_impact(blind, n_boot=0)).table.set_index("check")
    row = table.loc["placebo outcome: % of Year 6 pupils disadvantaged"]
    assert np.isnan(row["estimate"]) and row["note"].startswith("not estimable")
