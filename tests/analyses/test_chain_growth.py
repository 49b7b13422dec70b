"""Chain growth: sizes from joins and leaves, growth by age, pace, spread, chain results."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from growth_factory import chain_tables, paced_sizes, poisson_chains
from scipy import stats

from partnership_eval.analyses.chain_growth.growth import (
    chain_growth,
    chain_memberships,
    chain_performance,
    chain_sizes,
    classify_pace,
    cmo_benchmark,
    count_interval,
    full_years_in_chain,
    geographic_spread,
    growth_by_age,
    heavy_intakes,
    pace_confusion,
    pace_detection,
    planted_pace,
)
from partnership_eval.data.store import read_tables
from partnership_eval.errors import PartnershipEvalError


@pytest.fixture(scope="module")
def tables():
    return chain_tables()


@pytest.fixture(scope="module")
def sizes(tables):
    return chain_sizes(tables.memberships, tables.partnerships).table


def _chain(sizes: pd.DataFrame, chain: str) -> pd.DataFrame:
    return sizes[sizes["partnership_id"] == chain].set_index("year")


def test_size_follows_joins_and_leaves_by_academic_year(sizes):
    slow = _chain(sizes, "slow")
    assert slow["size"].to_dict() == {2010: 2, 2011: 3, 2012: 4, 2013: 5, 2014: 5, 2015: 6}


def test_a_leaver_counts_in_the_academic_year_of_its_leaving_date(sizes):
    slow = _chain(sizes, "slow")
    assert slow.loc[2014, ["joiners", "leavers"]].tolist() == [1, 1]


def test_joining_or_leaving_after_the_may_tests_counts_from_the_next_year(tables):
    # the panel's rule (partnership_eval.panel.exposure_year), not the academic year
    moved = tables.memberships.copy()
    moved.loc[moved["urn"] == 200006, "joined"] = pd.Timestamp("2014-05-01")
    moved.loc[moved["urn"] == 200003, "left"] = pd.Timestamp("2014-06-30")
    slow = _chain(chain_sizes(moved, tables.partnerships).table, "slow")
    assert slow.loc[2014, ["joiners", "leavers"]].tolist() == [0, 0]
    assert slow.loc[2015, ["joiners", "leavers"]].tolist() == [2, 1]
    rows = chain_memberships(moved, tables.partnerships).table.set_index("urn")
    assert rows.loc[200006, "join_year"] == 2015 and rows.loc[200003, "leave_year"] == 2015


def test_chain_age_is_one_in_the_first_year_with_a_school(sizes):
    fast = _chain(sizes, "fast")
    assert fast["chain_age"].to_dict() == {2012: 1, 2013: 2, 2014: 3, 2015: 4}


def test_dose_is_joiners_per_school_already_in_the_chain(sizes):
    fast = _chain(sizes, "fast")
    assert np.isnan(fast.loc[2012, "dose"])
    assert fast.loc[2013:2015, "dose"].tolist() == pytest.approx([4.0, 1.0, 0.3])


def test_only_chains_of_the_chosen_kind_are_counted(sizes):
    assert set(sizes["partnership_id"]) == {"slow", "fast", "lone"}


def test_membership_that_leaves_before_it_joins_is_dropped_and_counted(tables):
    bad = tables.memberships.copy()
    bad.loc[0, "left"] = pd.Timestamp("2000-01-01")
    rows, excluded = chain_memberships(bad, tables.partnerships)
    assert len(rows) == len(tables.memberships) - 2 - 1  # federation rows and the bad one
    assert excluded.to_dict("records") == [
        {
            "step": "memberships",
            "reason": "membership left before it joined",
            "rows": 1,
            "schools": 1,
        }
    ]


def test_count_interval_is_the_exact_poisson_interval_and_never_negative():
    low, high = count_interval(np.array([0, 3, 30]), 1.0, 0.05)
    assert low[0] == 0.0 and high[0] == pytest.approx(3.689, abs=1e-3)  # Garwood, 0 events
    assert (low[1], high[1]) == pytest.approx((0.619, 8.767), abs=1e-3)
    assert (low >= 0).all()
    wide_low, wide_high = count_interval(np.array([30]), 1.0, 0.05, dispersion=4.0)
    assert wide_low[0] < low[2] and wide_high[0] > high[2]  # overdispersion widens it
    one_sided = count_interval(np.array([15]), 3.0, 0.05, sided="lower")[0][0]
    assert one_sided == pytest.approx(stats.chi2.ppf(0.05, 30) / 2 / 3)


def test_growth_by_age_intervals_stay_at_or_above_zero_with_rare_joiners():
    sizes = paced_sizes({f"c{i}": [1, int(i == 0), 0] for i in range(8)})
    table = growth_by_age(sizes).set_index("chain_age")
    assert table.loc[2, "ci_low"] >= 0 and table.loc[3, "ci_low"] == 0.0
    assert table.loc[3, "ci_high"] > 0  # no joiner seen is not proof of none


def test_steady_comes_with_an_interval_and_says_how_sure():
    pace = _pace(
        {"sure": [1, 2, 2, 2, 2, 2, 2], "unsure": [1, 1, 0, 1], "slow": [1, 0, 0, 0, 0, 0, 0]}
    )
    assert pace.loc["sure", "pace"] == "steady" and pace.loc["sure", "sure"]
    assert pace.loc["unsure", "pace"] == "measured" and not pace.loc["unsure", "sure"]
    assert pace.loc["slow", "pace"] == "measured" and pace.loc["slow", "sure"]
    row = pace.loc["sure"]
    assert row["vs_benchmark_low"] > 0.8 and row["vs_benchmark"] == pytest.approx(2.0)
    low, high = count_interval(12, 6, 0.05)
    assert (row["vs_benchmark_low"], row["vs_benchmark_high"]) == pytest.approx((low, high))


def test_class_words_say_what_the_classes_detect(tables):
    growth = chain_growth(tables)
    detection = growth.detection(n_sims=400)
    words = growth.class_words(detection)
    four = detection.loc[(3, 4.0), "aggressive"]
    assert f"truly adding 4 a year for 3 years {four:.0f}% of the time" in words
    assert "at least 3 new schools a year at 95% confidence" in words
    assert "steady" in growth.steady_words()


def test_benchmark_reaches_thirteen_schools_after_ten_years():
    bench = cmo_benchmark(10)
    assert bench["added"].tolist() == [1] * 7 + [2] * 3
    assert bench["size"].iloc[-1] == 13


def test_growth_by_age_averages_joiners_over_chains_of_that_age(sizes):
    two = sizes[sizes["partnership_id"].isin(["slow", "fast"])]
    table = growth_by_age(two).set_index("chain_age")
    assert table.loc[2, "mean"] == pytest.approx((1 + 4) / 2)
    assert table.loc[5, "n_chains"] == 1
    assert table.loc[2, "ci_low"] < table.loc[2, "mean"] < table.loc[2, "ci_high"]
    assert table.loc[3, "cmo_size"] == 3


def _pace(joiners: dict[str, list[int]], **options) -> pd.DataFrame:
    return classify_pace(paced_sizes(joiners), **options).set_index("partnership_id")


def test_a_spell_confidently_above_three_a_year_is_aggressive():
    pace = _pace({"spree": [10, 7, 7, 7, 2]}).loc["spree"]
    assert pace["pace"] == "aggressive"
    assert (pace["spell_joiners"], pace["rate"]) == (21, 7.0)
    assert pace["rate_low"] == pytest.approx(stats.chi2.ppf(0.05, 42) / 2 / 3)


def test_twelve_joiners_in_three_years_is_not_enough_evidence_of_aggressive_pace():
    pace = _pace({"busy": [1, 4, 4, 4]}).loc["busy"]
    assert pace["rate"] == 4.0
    assert pace["rate_low"] < 3.0
    assert pace["pace"] == "steady"


def test_keeping_up_with_the_us_path_is_steady_and_slower_is_measured():
    pace = _pace({"us": [1, 1, 1, 1, 1, 1, 1, 2, 2], "slow": [1, 1, 0, 1, 0, 0, 1, 1, 1]})
    assert pace.loc["us", "vs_benchmark"] == pytest.approx(1.0)
    assert pace.loc["us", "pace"] == "steady"
    assert pace.loc["slow", "vs_benchmark"] == pytest.approx(5 / 10)
    assert pace.loc["slow", "pace"] == "measured"


def test_pace_thresholds_are_parameters():
    pace = _pace({"busy": [1, 4, 4, 4]}, aggressive_from=2.0)
    assert pace.loc["busy", "pace"] == "aggressive"
    pace = _pace({"busy": [1, 4, 4, 4]}, steady_share=5.0)
    assert pace.loc["busy", "pace"] == "measured"


def test_a_spell_cut_short_by_the_first_year_shown_does_not_count():
    sizes = paced_sizes({"early": [10, 7, 7, 7, 1, 1, 1, 1]})
    pace = classify_pace(sizes[sizes["year"] >= 2013]).set_index("partnership_id")
    assert pace.loc["early", "spell_joiners"] == 9  # 2013-2015, not 2011-2013
    assert pace.loc["early", "pace"] != "aggressive"


def test_a_chain_younger_than_the_window_is_judged_on_all_its_years():
    pace = _pace({"young": [1, 12, 11]}).loc["young"]
    assert (pace["spell_years"], pace["spell_joiners"]) == (2, 23)
    assert pace["pace"] == "aggressive"


def test_pace_classes_recover_planted_paces_of_poisson_growing_chains():
    sizes, planted = poisson_chains(400, 40, seed=3)
    pace = classify_pace(sizes).set_index("partnership_id")["pace"]
    flagged = pace == "aggressive"
    aggressive = planted["pace"] == "aggressive"
    assert (flagged & aggressive).sum() / flagged.sum() >= 0.9  # precision
    fast = planted["rate"] >= 7
    assert flagged[fast].mean() >= 0.85  # fast growers are caught
    assert flagged[aggressive & (planted["rate"] < 4)].mean() <= 0.5  # slow ones mostly not
    regular = ~aggressive
    assert (pace[regular] == planted.loc[regular, "pace"]).mean() >= 0.7


def test_detection_of_one_spell_is_the_poisson_chance_of_fifteen_joiners_in_three_years():
    # With the default rules a 3-year spell is aggressive from 15 joiners (see
    # test_rules_at_boundaries): the chance is P(Poisson(3 * pace) >= 15).
    detection = pace_detection((2, 4, 7), years=3, n_sims=4000, seed=1)
    for rate in (2, 4, 7):
        exact = stats.poisson.sf(14, 3 * rate)
        assert detection.loc[rate, "aggressive"] == pytest.approx(exact, abs=0.025)
    assert np.allclose(detection.sum(axis=1), 1.0)


def test_longer_growth_gives_more_chances_to_be_called_aggressive():
    short = pace_detection((4,), years=3, n_sims=1000)
    long = pace_detection((4,), years=10, n_sims=1000)
    assert long.loc[4, "aggressive"] > short.loc[4, "aggressive"] + 0.2


def test_pace_uses_the_fastest_spell_of_the_window(sizes):
    pace = classify_pace(sizes, window=1).set_index("partnership_id")
    assert pace.loc["fast", "rate"] == 5.0
    assert pace.loc["fast", "peak_year"] == 2014


def test_founders_do_not_count_as_growth(sizes):
    pace = classify_pace(sizes).set_index("partnership_id")
    assert pace.loc["slow", "founders"] == 2
    assert pace.loc["slow", "mean_rate"] == pytest.approx(1.0)


def test_chain_with_no_year_after_founding_is_too_new(tables):
    young = chain_sizes(tables.memberships, tables.partnerships, last_year=2012).table
    pace = classify_pace(young).set_index("partnership_id")
    assert pace.loc["fast", "pace"] == "too new"


def test_non_positive_pace_thresholds_are_a_clear_error(sizes):
    with pytest.raises(PartnershipEvalError, match="pace thresholds must be positive"):
        classify_pace(sizes, aggressive_from=0)


def test_spread_counts_las_and_main_la(tables):
    spread = geographic_spread(tables.memberships, tables.partnerships, tables.schools).table
    fast = spread.set_index("partnership_id").loc["fast"]
    assert (fast["n_schools"], fast["n_las"], fast["n_regions"]) == (13, 3, 1)
    assert fast["main_la"] == "Hampshire"
    assert fast["main_la_share"] == pytest.approx(6 / 13)


def test_full_years_count_the_joining_year_only_from_1_september():
    joined = pd.Series(pd.to_datetime(["2012-09-01", "2012-09-02", "2013-08-31"]))
    assert full_years_in_chain(joined, pd.Series([2015] * 3)).tolist() == [3, 2, 2]


def test_chain_results_weight_by_cohort_and_capped_years(tables):
    table, _ = chain_performance(
        tables.memberships, tables.partnerships, tables.outcomes, measures=("ks2_rwm_exp",)
    )
    row = table.set_index("partnership_id").loc["slow"]
    assert row["n_schools"] == 3
    assert row["n_pupils"] == 60
    assert row["ks2_rwm_exp"] == pytest.approx((10 * 40 + 20 * 70 + 30 * 60) / 60)


def test_chain_results_leave_out_schools_under_three_years_and_count_them(tables):
    _, excluded = chain_performance(
        tables.memberships, tables.partnerships, tables.outcomes, measures=("ks2_rwm_exp",)
    )
    reasons = dict(zip(excluded["reason"], excluded["rows"], strict=True))
    assert reasons["school-year in the chain fewer than 3 full years"] == 3


def test_chain_results_need_three_eligible_schools(tables):
    table, excluded = chain_performance(
        tables.memberships,
        tables.partnerships,
        tables.outcomes,
        measures=("ks2_rwm_exp",),
        min_schools=4,
    )
    assert table.empty
    assert excluded["reason"].iloc[-1] == "chain-year with fewer than 4 eligible schools"


def test_unknown_measure_is_a_clear_error(tables):
    with pytest.raises(PartnershipEvalError, match="'measures'"):
        chain_performance(
            tables.memberships, tables.partnerships, tables.outcomes, measures=("ks4_p8",)
        )


def test_min_size_keeps_chains_by_founding_size_not_later_growth(tables):
    growth = chain_growth(tables, min_size=2)
    # slow was founded with 2 schools; fast (1 founder, 13 schools later) and lone are out.
    assert set(growth.pace["partnership_id"]) == {"slow"}
    assert {
        "step": "chains",
        "reason": "chain founded with fewer than 2 schools (rows = chains)",
        "rows": 2,
        "schools": 14,
    } in growth.exclusions.to_dict("records")


def test_a_chain_whose_schools_all_left_counts_with_size_zero(tables):
    emptied = tables.memberships.copy()
    emptied.loc[emptied["partnership_id"] == "lone", "left"] = pd.Timestamp("2014-01-01")
    growth = chain_growth(replace(tables, memberships=emptied))
    assert growth.size_distribution().loc["0", "n_chains"] == 1


def test_area_keeps_chains_with_a_school_there(tables):
    growth = chain_growth(tables, area="Hampshire")
    assert set(growth.pace["partnership_id"]) == {"fast"}


def test_unknown_kind_is_a_clear_error(tables):
    with pytest.raises(PartnershipEvalError, match="unknown partnership kind"):
        chain_growth(tables, kind="club")


def test_heavy_intake_needs_enough_joiners_and_dose(sizes):
    heavy = heavy_intakes(sizes, min_dose=0.5, min_joiners=3)
    assert heavy[["partnership_id", "year", "first"]].values.tolist() == [
        ["fast", 2013, True],
        ["fast", 2014, False],
    ]


def test_summary_and_plots_describe_the_growth(tables):
    growth = chain_growth(tables)
    assert "3 chains (multi-academy trusts)" in growth.summary()
    assert growth.plot().get_title() == "Chain size by age"
    assert growth.plot_added().get_ylabel() == "schools added"
    assert len(growth.plot_fastest(2).get_legend().get_texts()) == 2
    assert "95% CI" in growth.summary()
    assert "90% CI" in chain_growth(tables, alpha=0.1).summary()


@pytest.fixture(scope="module")
def small_growth(small_data_dir):
    tables = read_tables(small_data_dir)
    return tables, chain_growth(tables, min_size=1)


def test_growth_by_age_recovers_the_planted_joiners_on_synthetic_data(small_growth):
    tables, growth = small_growth
    planted = tables.truth[tables.truth["programme"] == "mat_growth"]
    expected = planted.assign(chain_age=planted["year"] - planted["cohort"] + 1)
    expected = expected.groupby("chain_age")["effect"].mean()
    table = growth.by_age.set_index("chain_age")
    table = table[table["n_chains"] >= 5]
    covered = (table["ci_low"] <= expected[table.index]) & (
        expected[table.index] <= table["ci_high"]
    )
    assert covered.mean() >= 0.8


def test_only_planted_aggressive_chains_are_flagged_and_fast_ones_are_caught(small_growth):
    tables, growth = small_growth
    planted = planted_pace(tables.truth)
    pace = growth.pace.set_index("partnership_id")["pace"]
    flagged = pace.index[pace == "aggressive"]
    assert (planted.loc[flagged, "planted"] == "aggressive").all()
    fast = planted.index[planted["rate"] >= 7]
    assert (pace.reindex(fast) == "aggressive").all()
    confusion = pace_confusion(growth.pace, tables.truth)
    assert confusion["aggressive"].sum() == confusion.loc["aggressive", "aggressive"]


def test_pace_confusion_crosses_planted_and_classified_classes():
    pace = pd.DataFrame(
        {"partnership_id": ["a", "b", "c"], "pace": ["steady", "steady", "measured"]}
    )
    truth = pd.DataFrame(
        {
            "programme": "mat_growth",
            "partnership_id": ["a", "a", "b", "b", "c", "c", "c"],
            "cohort": [2010, 2010, 2010, 2010, 2010, 2010, 2010],
            "year": [2010, 2011, 2010, 2011, 2010, 2011, 2012],
            "effect": [1.0, 1.0, 1.0, 0.6, 1.0, 0.6, 5.0],
            "description": [
                "steady",
                "steady",
                "measured",
                "measured",
                "measured",
                "measured",
                "measured",
            ],
        }
    )
    confusion = pace_confusion(pace, truth)
    assert confusion.loc["measured", "steady"] == 1
    assert confusion.loc["steady", "steady"] == 1
    assert confusion.loc["measured", "measured"] == 1
    assert confusion.to_numpy().sum() == 3
    # by planted rate: the fastest 2-year mean of planted joiners after founding
    by_rate = pace_confusion(pace, truth, rate_bands=(0, 1, 2), window=2)
    assert by_rate.loc["0 to 1", "steady"] == 1  # b: 0.6 a year
    assert by_rate.loc["1 to 2", "steady"] == 1  # a: 1 a year
    assert by_rate.loc["2+", "measured"] == 1  # c: (0.6 + 5) / 2 = 2.8 a year
    assert planted_pace(truth, window=2).loc["c", "rate"] == pytest.approx(2.8)


def test_pace_confusion_needs_planted_growth():
    with pytest.raises(PartnershipEvalError, match="no planted chain growth"):
        pace_confusion(pd.DataFrame({"partnership_id": [], "pace": []}), None)


def test_pace_table_has_whole_numbers_with_gaps_and_every_class_in_order():
    sizes = paced_sizes({"a": [3, 1, 2, 0], "b": [2, 5, 5, 5], "c": [4]})
    sizes = sizes[(sizes["partnership_id"] != "b") | (sizes["year"] >= 2011)]  # b's founding
    out = classify_pace(sizes).set_index("partnership_id")
    assert out["founders"].dtype == "Int64" and out["founders"].tolist()[::2] == [3, 4]
    assert out.loc["b", "founders"] is pd.NA  # its founding year is not in the table
    for column in ("peak_year", "spell_years", "spell_joiners"):
        assert out[column].dtype == "Int64"
    assert out.loc["c", "pace"] == "too new" and out.loc["c", "spell_years"] is pd.NA
    assert list(out["pace"].cat.categories) == ["measured", "steady", "aggressive", "too new"]
