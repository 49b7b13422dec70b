"""AttGtResult and AggregateResult: tables, aggregations, options, text and plots."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from partnership_eval.errors import EstimationError, InputError
from partnership_eval.impact.did_results import AggregateResult, AttGtResult
from partnership_eval.impact.simulate import simulate_staggered_panel
from partnership_eval.impact.staggered import staggered_did

PERIODS = range(2010, 2018)
COHORTS = (2013, 2015)


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return simulate_staggered_panel(n_units=400, periods=PERIODS, cohorts=COHORTS, seed=11).data


@pytest.fixture(scope="module")
def result(data: pd.DataFrame) -> AttGtResult:
    return staggered_did(data, "y", "unit", "time", "cohort", n_boot=0)


def test_att_gt_has_one_row_per_cohort_and_period(result: AttGtResult) -> None:
    table = result.att_gt
    assert list(table.columns) == [
        "cohort", "time", "event_time", "att", "se", "ci_low", "ci_high",
        "n_treated", "n_control", "post", "reason", "n_trimmed",
    ]  # fmt: skip
    assert len(table) == len(COHORTS) * (len(PERIODS) - 1)
    assert (table["event_time"] == table["time"] - table["cohort"]).all()
    assert (table["post"] == (table["time"] >= table["cohort"])).all()
    assert table["time"].dtype == np.int64


def test_pointwise_intervals_use_the_normal_quantile(result: AttGtResult) -> None:
    table = result.att_gt
    np.testing.assert_allclose(table["ci_high"] - table["att"], 1.959964 * table["se"], rtol=1e-6)
    assert result.band == "pointwise"


def test_simple_aggregate_weights_post_cells_by_cohort_size(result: AttGtResult) -> None:
    post = result.att_gt[result.att_gt["post"]]
    expected = np.average(post["att"], weights=post["n_treated"])
    agg = result.aggregate("simple")
    assert isinstance(agg, AggregateResult)
    assert agg.att == pytest.approx(expected)
    assert agg.table.empty
    assert agg.ci_low < agg.att < agg.ci_high


def test_group_aggregate_averages_each_cohorts_post_cells(result: AttGtResult) -> None:
    agg = result.aggregate("group")
    post = result.att_gt[result.att_gt["post"]]
    expected = post.groupby("cohort")["att"].mean()
    np.testing.assert_allclose(agg.table["att"], expected.to_numpy())
    assert list(agg.table["cohort"]) == list(COHORTS)


def test_calendar_aggregate_covers_periods_from_first_cohort(result: AttGtResult) -> None:
    agg = result.aggregate("calendar")
    assert list(agg.table["time"]) == list(range(COHORTS[0], PERIODS[-1] + 1))
    assert agg.att == pytest.approx(agg.table["att"].mean())


def test_dynamic_overall_averages_non_negative_event_times(result: AttGtResult) -> None:
    agg = result.aggregate("dynamic")
    post = agg.table[agg.table["event_time"] >= 0]
    assert agg.att == pytest.approx(post["att"].mean())
    assert agg.table["event_time"].min() == PERIODS[0] + 1 - COHORTS[-1]


def test_min_and_max_event_time_trim_the_event_study(result: AttGtResult) -> None:
    agg = result.aggregate("dynamic", min_e=-2, max_e=3)
    assert list(agg.table["event_time"]) == [-2, -1, 0, 1, 2, 3]
    assert agg.options == {"min_e": -2, "max_e": 3}


def test_balance_e_keeps_only_cohorts_observed_that_long(result: AttGtResult) -> None:
    # only the 2013 cohort is seen 4 periods after treatment (2017)
    agg = result.aggregate("dynamic", balance_e=4)
    cohort_2013 = result.att_gt[result.att_gt["cohort"] == 2013].set_index("event_time")["att"]
    np.testing.assert_allclose(agg.table["att"], cohort_2013.loc[agg.table["event_time"]])
    assert agg.table["event_time"].max() == 4


def test_event_time_window_selects_the_same_cells_for_every_kind(result: AttGtResult) -> None:
    cells = result.att_gt.query("post and event_time <= 1")
    simple = result.aggregate("simple", max_e=1)
    dynamic = result.aggregate("dynamic", min_e=0, max_e=1)
    group = result.aggregate("group", max_e=1)
    assert simple.options == {"max_e": 1}
    assert set(dynamic.table["event_time"]) == set(cells["event_time"])
    for g, rows in cells.groupby("cohort"):
        assert group.table.set_index("cohort").loc[g, "att"] == pytest.approx(rows["att"].mean())
    calendar = result.aggregate("calendar", max_e=1)
    assert set(calendar.table["time"]) == set(cells["time"])


def test_unknown_aggregation_kind(result: AttGtResult) -> None:
    with pytest.raises(InputError, match="kind='cohort' is not one of"):
        result.aggregate("cohort")


def test_pretest_counts_pre_treatment_cells(result: AttGtResult) -> None:
    n_pre = int((~result.att_gt["post"]).sum())
    for method in ("chi2", "hotelling"):
        test = result.pretest(method)
        assert test.df == n_pre and test.method == method
        assert 0 <= test.p_value <= 1


def test_default_pretest_is_the_average_pre_period_effect(result: AttGtResult) -> None:
    test = result.pretest()
    pre = result.aggregate("dynamic").table.query("event_time < 0")
    assert test.method == "average" and test.df == 1
    assert test.estimate == pytest.approx(pre["att"].mean())
    assert test.df_denominator == result.n_clusters - 1
    assert "mean pre-treatment effect" in test.describe()


def test_unknown_pretest_method(result: AttGtResult) -> None:
    with pytest.raises(InputError, match="method='f' is not one of"):
        result.pretest("f")


def test_pretest_needs_pre_treatment_cells() -> None:
    sim = simulate_staggered_panel(n_units=200, periods=range(2010, 2013), cohorts=(2011,), seed=1)
    res = staggered_did(sim.data, "y", "unit", "time", "cohort", n_boot=0)
    with pytest.raises(EstimationError, match="no pre-treatment"):
        res.pretest()


def test_bootstrap_gives_uniform_bands_wider_than_pointwise(data: pd.DataFrame) -> None:
    res = staggered_did(data, "y", "unit", "time", "cohort", n_boot=499, seed=2)
    assert res.band == "uniform"
    assert res.critical_value > 1.96
    table = res.att_gt
    np.testing.assert_allclose(table["ci_high"] - table["att"], res.critical_value * table["se"])


def test_bootstrap_is_reproducible_with_a_seed(data: pd.DataFrame) -> None:
    a = staggered_did(data, "y", "unit", "time", "cohort", n_boot=199, seed=5)
    b = staggered_did(data, "y", "unit", "time", "cohort", n_boot=199, seed=5)
    c = staggered_did(data, "y", "unit", "time", "cohort", n_boot=199, seed=6)
    pd.testing.assert_frame_equal(a.att_gt, b.att_gt)
    assert not np.allclose(a.att_gt["se"], c.att_gt["se"])


def test_unbalanced_units_are_dropped_and_counted(data: pd.DataFrame) -> None:
    holes = data.drop(index=data.index[(data["unit"] <= 3) & (data["time"] == 2012)])
    res = staggered_did(holes, "y", "unit", "time", "cohort", n_boot=0)
    assert res.n_units == 397
    row = res.exclusions.iloc[0]
    assert (row["rows"], row["schools"]) == (3 * (len(PERIODS) - 1), 3)
    assert "not observed in every period" in row["reason"]
    assert "excluded: 21 rows / 3 units" in res.summary()


def test_missing_outcomes_are_counted(data: pd.DataFrame) -> None:
    gaps = data.assign(y=data["y"].mask(data.index < 2))
    res = staggered_did(gaps, "y", "unit", "time", "cohort", n_boot=0)
    assert res.exclusions["reason"].tolist()[0] == "missing outcome, weight or covariate"
    assert res.exclusions["rows"].tolist()[0] == 2


def test_results_remember_what_was_estimated(result: AttGtResult) -> None:
    assert (result.spec.outcome, result.spec.method) == ("y", "dr")
    assert result.spec.control_group == "never_treated"
    assert result.n_units == 400
    assert result.exclusions.empty


def test_summary_states_settings_table_and_pretest(result: AttGtResult) -> None:
    text = result.summary()
    assert "outcome: y   method: dr   comparison: never-treated" in text
    assert "units used: 400" in text
    assert "pre-trend test: mean pre-treatment effect" in text
    assert text.count("\n") > len(result.att_gt)


def test_aggregate_summary_shows_overall_and_table(result: AttGtResult) -> None:
    text = result.aggregate("dynamic").summary()
    assert text.startswith("Aggregated ATT (dynamic) of y")
    assert "by event_time (pointwise 95% intervals)" in text


def test_att_gt_plot_is_the_event_study(result: AttGtResult) -> None:
    ax = result.plot()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["95% pointwise band", "ATT"]
    assert "event time" in ax.get_xlabel()


def test_event_study_plot_draws_band_over_event_times(result: AttGtResult) -> None:
    agg = result.aggregate("dynamic")
    ax = agg.plot()
    try:
        line = ax.get_lines()[0]
        np.testing.assert_array_equal(line.get_xdata(), agg.table["event_time"])
        np.testing.assert_allclose(line.get_ydata(), agg.table["att"])
        assert len(ax.collections) == 1  # the confidence band
    finally:
        plt.close(ax.figure)


def test_simple_aggregate_plots_its_one_pointwise_interval(result: AttGtResult) -> None:
    simple = result.aggregate("simple")
    ax = simple.plot()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["overall (simple)"]
    assert simple.tidy()["interval"].tolist() == ["pointwise"]


def test_universal_base_period_reports_zero_reference_cell(data: pd.DataFrame) -> None:
    res = staggered_did(data, "y", "unit", "time", "cohort", base_period="universal", n_boot=0)
    ref = res.att_gt[res.att_gt["event_time"] == -1]
    assert (ref["att"] == 0).all()
    assert ref["se"].isna().all()
    assert len(res.att_gt) == len(COHORTS) * len(PERIODS)


def test_anticipation_moves_the_base_period(data: pd.DataFrame) -> None:
    res = staggered_did(data, "y", "unit", "time", "cohort", anticipation=1, n_boot=0)
    base = staggered_did(data, "y", "unit", "time", "cohort", n_boot=0)
    post = res.att_gt["post"]
    assert not np.allclose(res.att_gt.loc[post, "att"], base.att_gt.loc[post, "att"])
    pre = ~post
    np.testing.assert_allclose(res.att_gt.loc[pre, "att"], base.att_gt.loc[pre, "att"])


def test_not_yet_treated_without_never_treated_uses_last_cohort(data: pd.DataFrame) -> None:
    treated_only = data[data["cohort"] > 0]
    res = staggered_did(
        treated_only, "y", "unit", "time", "cohort", control_group="not_yet_treated", n_boot=0
    )
    assert set(res.att_gt["cohort"]) == {2013}
    assert res.att_gt["time"].max() == 2014
    assert "cohort 2015 used as not-yet-treated comparison" in res.exclusions["reason"].iloc[0]
