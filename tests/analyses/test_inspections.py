"""Ofsted grade transitions: pairs, matrices, movement shares, tests and time to good."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from growth_factory import INSPECTED, inspection_tables

from partnership_eval.analyses.inspections.transitions import (
    distribution_test,
    grade_transitions,
    improvement_curves,
    inspection_pairs,
    member_on,
    movement_difference,
    movement_shares,
    pair_weights,
    spells_below_good,
    transition_counts,
)
from partnership_eval.data.store import read_tables
from partnership_eval.errors import PartnershipEvalError


@pytest.fixture(scope="module")
def tables():
    return inspection_tables()


@pytest.fixture(scope="module")
def pairs(tables):
    return inspection_pairs(tables.inspections, tables.memberships, tables.partnerships).table


def _school(frame: pd.DataFrame, letter: str) -> pd.DataFrame:
    return frame[frame["urn"] == INSPECTED[letter]]


def test_pairs_join_consecutive_graded_inspections(pairs):
    b = _school(pairs, "B")
    assert b[["prior_grade", "grade", "movement"]].values.tolist() == [
        [2, 2, "same"],
        [2, 1, "up"],
    ]
    assert _school(pairs, "F").empty


def test_group_is_membership_at_the_later_inspection(pairs):
    assert _school(pairs, "G")["group"].tolist() == ["comparison"]
    assert _school(pairs, "A")["group"].tolist() == ["partnership"]


def test_ungraded_inspections_are_dropped_and_counted(tables, pairs):
    assert len(_school(pairs, "E")) == 1
    _, excluded = inspection_pairs(tables.inspections, tables.memberships, tables.partnerships)
    assert excluded.to_dict("records") == [
        {
            "step": "inspection pairs",
            "reason": "inspection without a grade",
            "rows": 1,
            "schools": 1,
        }
    ]


def test_membership_ends_the_day_a_school_leaves(tables):
    memberships = tables.memberships.assign(left=pd.Timestamp("2016-01-15"))
    urns = pd.Series([INSPECTED["A"], INSPECTED["A"]])
    dates = pd.Series(pd.to_datetime(["2016-01-14", "2016-01-15"]))
    found = member_on(urns, dates, memberships, tables.partnerships, "mat")
    assert found.iloc[0] == "m"
    assert pd.isna(found.iloc[1])


def test_transition_rows_hold_counts_and_shares_with_intervals(pairs):
    counts = transition_counts(pairs)
    assert len(counts) == 2 * 4 * 4
    row = counts[(counts["group"] == "partnership") & (counts["prior_grade"] == 3)]
    assert row.set_index("grade")["n"].to_dict() == {1: 0, 2: 3, 3: 0, 4: 0}
    assert row["share"].sum() == pytest.approx(1.0)
    good = row.set_index("grade").loc[2]
    assert good["ci_low"] < good["share"] == 1.0 <= good["ci_high"]


def test_unmatched_difference_in_moving_up(pairs):
    diff = movement_difference(pairs).set_index("movement").loc["up"]
    assert diff["difference"] == pytest.approx(5 / 6 - 1 / 4)
    assert diff["ci_low"] < diff["difference"] < diff["ci_high"]


def test_matching_on_prior_grade_compares_like_with_like(pairs):
    diff = movement_difference(pairs, match_prior=True).set_index("movement").loc["up"]
    # Prior grades 2 and 3 (2 and 3 partnership pairs); grade 4 has no comparison pair.
    assert diff["partnership"] == pytest.approx(4 / 5)
    assert diff["comparison"] == pytest.approx(2 / 5 * 1 / 2 + 3 / 5 * 0)
    assert diff["n_partnership"] == 5


def test_matched_shares_use_the_same_pairs_as_the_difference(pairs):
    shares = movement_shares(pairs, match_prior=True).set_index(["group", "movement"])
    assert shares.loc[("partnership", "up"), "share"] == pytest.approx(4 / 5)
    assert shares.loc[("comparison", "up"), "share"] == pytest.approx(0.2)


def _synthetic_pairs(p_up_partnership: float, n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    group = np.repeat(["partnership", "comparison"], n)
    p_up = np.where(group == "partnership", p_up_partnership, 0.3)
    movement = np.where(
        rng.random(2 * n) < p_up, "up", np.where(rng.random(2 * n) < 0.5, "same", "down")
    )
    return pd.DataFrame(
        {
            "urn": np.arange(2 * n),
            "group": group,
            "movement": movement,
            "prior_grade": rng.integers(2, 4, 2 * n),
        }
    )


def test_distribution_test_detects_a_real_difference():
    assert distribution_test(_synthetic_pairs(0.6, 400, 1)).p_value < 0.001


def test_distribution_test_does_not_reject_equal_groups():
    result = distribution_test(_synthetic_pairs(0.3, 400, 2), match_prior=True)
    assert result.p_value > 0.05
    assert result.method.startswith("Wald test of the up and down shares, clustered by school")


def test_repeated_pairs_of_one_school_are_not_independent_evidence():
    once = _synthetic_pairs(0.4, 300, 4)
    four_times = pd.concat([once] * 4, ignore_index=True)
    single = movement_difference(once).set_index("movement").loc["up"]
    repeated = movement_difference(four_times).set_index("movement").loc["up"]
    assert repeated["difference"] == pytest.approx(single["difference"])
    assert repeated["se"] == pytest.approx(single["se"], rel=0.01)  # not halved
    assert distribution_test(four_times).statistic == pytest.approx(
        distribution_test(once).statistic, rel=0.01
    )


def test_difference_matches_a_linear_probability_model_with_school_clustered_errors():
    pairs = _synthetic_pairs(0.45, 200, 5)
    pairs["urn"] = pairs["urn"] // 3  # three pairs a school, some schools in both groups
    mine = movement_difference(pairs, match_prior=True).set_index("movement").loc["up"]
    weights = pair_weights(pairs, match_prior=True)
    design = sm.add_constant((pairs["group"] == "partnership").astype(float).to_numpy())
    fit = sm.WLS((pairs["movement"] == "up").astype(float).to_numpy(), design, weights=weights)
    fit = fit.fit(cov_type="cluster", cov_kwds={"groups": pairs["urn"].to_numpy()})
    assert mine["difference"] == pytest.approx(fit.params[1])
    n = len(pairs)
    assert mine["se"] == pytest.approx(fit.bse[1] * np.sqrt((n - 2) / (n - 1)), rel=1e-6)


def test_repeating_every_pair_of_a_school_does_not_narrow_cell_intervals(pairs):
    repeated = pd.concat([pairs] * 3, ignore_index=True)
    base = transition_counts(pairs).set_index(["group", "prior_grade", "grade"])
    wide = transition_counts(repeated).set_index(["group", "prior_grade", "grade"])
    for cell in [("partnership", 3, 2), ("comparison", 3, 3)]:
        assert wide.loc[cell, "share"] == base.loc[cell, "share"]
        assert wide.loc[cell, "ci_low"] == pytest.approx(base.loc[cell, "ci_low"])


def test_spells_run_from_the_fall_below_good_to_the_next_good_grade(tables):
    spells, _ = spells_below_good(tables.inspections, tables.memberships, tables.partnerships)
    h = _school(spells, "H").iloc[0]
    assert (h["start_grade"], h["improved"], h["group"]) == (3, True, "partnership")
    c = _school(spells, "C").iloc[0]  # a comparison school until it joined on 1 Sep 2014
    assert (c["start_grade"], c["improved"], c["joined_partnership"]) == (4, False, True)
    assert c["end"] == pd.Timestamp("2014-09-01")
    d = _school(spells, "D").iloc[0]
    assert (d["improved"], d["end"]) == (False, pd.Timestamp("2019-01-15"))


def test_open_spell_is_censored_when_the_school_closed(tables):
    schools = tables.schools.copy()
    schools.loc[schools["urn"] == INSPECTED["E"], "close_date"] = pd.Timestamp("2017-08-31")
    spells, _ = spells_below_good(
        tables.inspections, tables.memberships, tables.partnerships, schools=schools
    )
    e = _school(spells, "E").iloc[0]
    assert (e["improved"], e["end"]) == (False, pd.Timestamp("2017-08-31"))
    d = _school(spells, "D").iloc[0]
    assert d["end"] == pd.Timestamp("2019-01-15")  # open: the end of the data


def test_spell_group_is_membership_when_the_spell_starts(tables):
    spells, _ = spells_below_good(tables.inspections, tables.memberships, tables.partnerships)
    assert _school(spells, "A")["group"].tolist() == ["comparison"]
    assert _school(spells, "H")["group"].tolist() == ["partnership"]


def test_kaplan_meier_share_reaching_good():
    spells = pd.DataFrame(
        {
            "urn": [1, 2, 3, 4],
            "years": [3.0, 4.0, 5.0, 6.0],
            "improved": [True, False, True, False],
            "group": "comparison",
        }
    )
    curve = improvement_curves(spells)
    # A improves at 3.0 years (1 of 4); the third at 5.0 (1 of the 2 still at risk).
    assert curve["improved"].tolist() == pytest.approx([0.0, 0.25, 0.625])


def test_empty_group_is_a_clear_error(tables):
    with pytest.raises(PartnershipEvalError, match="no inspection pairs for one group"):
        grade_transitions(tables, years=(2015, 2015))


def test_matching_without_a_shared_prior_grade_is_a_clear_error(tables):
    with pytest.raises(PartnershipEvalError, match="use match_prior=False"):
        grade_transitions(tables, years=(2019, 2019))


def test_summary_and_plots_report_the_comparison(tables):
    result = grade_transitions(tables)
    text = result.summary()
    assert "moved up" in text and "Partnership schools moved up" in text
    assert result.matrix("partnership", "n").loc["Requires improvement", "Good"] == 3
    assert result.plot(group="comparison").get_title() == "Comparison schools"
    assert "95% intervals" in result.plot_movement().get_title()
    assert "90% intervals" in grade_transitions(tables, alpha=0.1).plot_time_to_good().get_title()
    assert result.tidy()["term"].iloc[0] == "moved up from requires improvement"


def test_synthetic_headline_matches_a_hand_count_of_moves_up_from_requires_improvement(
    small_data_dir,
):
    tables = read_tables(small_data_dir)
    headline = grade_transitions(tables, kind="mat").headline()
    pairs = inspection_pairs(
        tables.inspections, tables.memberships, tables.partnerships, kind="mat"
    ).table
    after_ri = pairs[pairs["prior_grade"] == 3]
    up = (after_ri["grade"] <= 2).groupby(after_ri["group"]).mean() * 100
    sizes = after_ri["group"].value_counts()
    assert headline["estimate"] == pytest.approx(up["partnership"] - up["comparison"])
    assert (headline["n_treated"], headline["n_comparison"]) == (
        sizes["partnership"],
        sizes["comparison"],
    )
    assert headline["ci_low"] < headline["estimate"] < headline["ci_high"]


def test_comparison_spell_is_censored_when_the_school_joins(tables):
    from partnership_eval.analyses.inspections.time_to_good import spells_below_good as spells_of

    members = tables.memberships.copy()
    d = INSPECTED["D"]
    members.loc[len(members)] = {
        "urn": d,
        "partnership_id": members["partnership_id"].iloc[0],
        "joined": pd.Timestamp("2017-01-01"),
        "left": pd.NaT,
    }
    spells, _ = spells_of(tables.inspections, members, tables.partnerships)
    row = _school(spells, "D").iloc[0]
    assert row["group"] == "comparison" and row["joined_partnership"]
    assert (row["improved"], row["end"]) == (False, pd.Timestamp("2017-01-01"))


def test_time_to_good_intervals_come_from_a_bootstrap_over_schools(tables):
    from partnership_eval.analyses.inspections.time_to_good import logrank_test

    spells, _ = spells_below_good(tables.inspections, tables.memberships, tables.partnerships)
    curve = improvement_curves(spells, n_boot=199)
    assert (curve["ci_low"] <= curve["improved"] + 1e-12).all()
    assert (curve["improved"] <= curve["ci_high"] + 1e-12).all()
    repeated = pd.concat([spells] * 3, ignore_index=True)  # same schools, thrice the spells
    once, thrice = logrank_test(spells), logrank_test(repeated)
    if once.computed:
        assert thrice.statistic == pytest.approx(once.statistic, rel=0.35)


def test_headline_is_by_earlier_grade(tables):
    result = grade_transitions(tables, match_prior=False)
    first = result.tidy().iloc[0]
    assert first["term"] == "moved up from requires improvement"
    assert set(result.by_prior["prior_grade"]) == {2, 3, 4}
    assert "requires improvement" in result.finding()
