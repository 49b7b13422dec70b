"""Aggregates of six hand-made ATT(g, t) cells, every number worked out by hand.

Four units: two of cohort 2, one of cohort 3, one never treated, each of weight 1, so the
cohort shares are 1/2 and 1/4. Cells (cohort, time): ATT
(2, 1) 0.1, (2, 2) 1, (2, 3) 2, (3, 1) 0.2, (3, 2) -0.1, (3, 3) 4. The post-treatment
cells (2, 2), (2, 3) and (3, 3) have the influence functions of units 1, 2 and 3 alone.
"""

from __future__ import annotations

import numpy as np
import pytest

from partnership_eval.errors import EstimationError, InputError
from partnership_eval.impact.did_aggregate import aggregate, cell_window
from partnership_eval.impact.did_estimators import GroupTimeEstimates

UNIT_COHORT = np.array([2.0, 2.0, 3.0, 0.0])
UNIT_WEIGHT = np.ones(4)


def _cells(att: list[float] | None = None) -> GroupTimeEstimates:
    cohort = np.array([2.0, 2, 2, 3, 3, 3])
    time = np.array([1.0, 2, 3, 1, 2, 3])
    influence = np.zeros((4, 6))
    influence[0, 1] = influence[1, 2] = influence[2, 5] = 1.0
    influence[3, [0, 3, 4]] = 0.5  # pre-treatment cells
    return GroupTimeEstimates(
        cohort=cohort,
        time=time,
        base_time=time - 1,
        att=np.array(att or [0.1, 1.0, 2.0, 0.2, -0.1, 4.0]),
        influence=influence,
        n_treated=np.array([2, 2, 2, 1, 1, 1]),
        n_control=np.ones(6),
        skipped_cohorts=(),
    )


def _aggregate(kind: str, est: GroupTimeEstimates | None = None, **window):
    return aggregate(est or _cells(), UNIT_COHORT, UNIT_WEIGHT, kind, **window)


def test_simple_weights_post_cells_by_cohort_share_and_adds_the_weight_term():
    agg = _aggregate("simple")
    # weights 1/2, 1/2, 1/4 over 5/4: 0.4, 0.4, 0.2
    assert agg.overall_att == pytest.approx(0.4 * 1 + 0.4 * 2 + 0.2 * 4)
    # weight term of unit 1 (cohort 2): shares (1/2, 1/2, -1/4) / (5/4) - (3/4) p / (5/4)^2
    # = (0.16, 0.16, -0.32), times the ATTs: -0.8; unit 3: (-0.32, -0.32, 0.64): 1.6
    weight_term = np.array([-0.8, -0.8, 1.6, 0.0])
    assert agg.overall_influence == pytest.approx(np.array([0.4, 0.4, 0.2, 0]) + weight_term)
    assert agg.kind == "simple" and agg.labels.size == 0 and agg.att.size == 0
    assert agg.influence.shape == (4, 0) and agg.n_skipped == 0


def test_group_averages_each_cohort_and_weights_cohorts_by_size():
    agg = _aggregate("group")
    assert agg.kind == "group" and agg.labels.tolist() == [2, 3]
    assert agg.att == pytest.approx([1.5, 4.0])
    assert agg.influence == pytest.approx(np.array([[0.5, 0], [0.5, 0], [0, 1], [0, 0]]))
    assert agg.overall_att == pytest.approx(1.5 * 2 / 3 + 4 * 1 / 3)
    # weight term over cohorts (1/2, 1/4): unit 1 (4/9, -4/9) . (1.5, 4) = -10/9,
    # unit 3 (-8/9, 8/9) . (1.5, 4) = 20/9
    expected = np.array([1 / 3 - 10 / 9, 1 / 3 - 10 / 9, 1 / 3 + 20 / 9, 0])
    assert agg.overall_influence == pytest.approx(expected)


def test_dynamic_averages_cells_by_event_time_and_the_overall_from_event_time_zero():
    agg = _aggregate("dynamic")
    assert agg.kind == "dynamic" and agg.labels.tolist() == [-2, -1, 0, 1]
    assert agg.att == pytest.approx([0.2, (0.5 * 0.1 - 0.25 * 0.1) / 0.75, 2.0, 2.0])
    assert agg.overall_att == pytest.approx(2.0)
    # event time 0: cells (2, 2) and (3, 3) weighted 2/3, 1/3, weight term -4/3 and 8/3;
    # event time 1 is one cell, whose weight is not estimated
    at_zero = np.array([2 / 3 - 4 / 3, -4 / 3, 1 / 3 + 8 / 3, 0])
    assert agg.influence[:, 2] == pytest.approx(at_zero)
    assert agg.influence[:, 3] == pytest.approx([0, 1, 0, 0])
    assert agg.influence[:, 0] == pytest.approx([0, 0, 0, 0.5])
    assert agg.overall_influence == pytest.approx((at_zero + np.array([0, 1, 0, 0])) / 2)


def test_calendar_averages_the_post_cells_of_each_period():
    agg = _aggregate("calendar")
    assert agg.kind == "calendar" and agg.labels.tolist() == [2, 3]
    assert agg.att == pytest.approx([1.0, (0.5 * 2 + 0.25 * 4) / 0.75])
    # period 3: cells (2, 3) and (3, 3) weighted 2/3, 1/3; weight term -8/9 (cohort 2), 16/9
    at_three = np.array([-8 / 9, 2 / 3 - 8 / 9, 1 / 3 + 16 / 9, 0])
    assert agg.influence[:, 1] == pytest.approx(at_three)
    assert agg.overall_att == pytest.approx((1.0 + 8 / 3) / 2)
    assert agg.overall_influence == pytest.approx((np.array([1, 0, 0, 0]) + at_three) / 2)


def test_cells_without_an_estimate_are_left_out_and_counted():
    post_missing = _cells([0.1, 1.0, np.nan, 0.2, -0.1, 4.0])
    simple = _aggregate("simple", post_missing)
    assert simple.n_skipped == 1 and _aggregate("group", post_missing).n_skipped == 1
    assert simple.overall_att == pytest.approx((0.5 * 1 + 0.25 * 4) / 0.75)
    pre_missing = _cells([0.1, 1.0, 2.0, np.nan, -0.1, 4.0])
    assert _aggregate("simple", pre_missing).n_skipped == 0  # not a cell it would use
    dynamic = _aggregate("dynamic", pre_missing)
    assert dynamic.n_skipped == 1 and dynamic.labels.tolist() == [-1, 0, 1]


def test_doubling_every_weight_changes_nothing():
    est = _cells()
    for kind in ("simple", "group", "dynamic", "calendar"):
        once = aggregate(est, UNIT_COHORT, UNIT_WEIGHT, kind)
        twice = aggregate(est, UNIT_COHORT, 2 * UNIT_WEIGHT, kind)
        assert twice.overall_att == pytest.approx(once.overall_att)
        assert twice.overall_influence == pytest.approx(once.overall_influence)


def test_no_post_treatment_cell_is_an_estimation_error():
    with pytest.raises(EstimationError) as error:
        _aggregate("simple", max_e=-1)
    assert str(error.value) == (  # no cell was left out, so none is said to be
        "no estimated post-treatment ATT(g, t) to aggregate; widen min_e/max_e or check the "
        "cells' reasons in att_gt"
    )
    none_estimated = _cells([0.1, np.nan, np.nan, 0.2, -0.1, np.nan])
    with pytest.raises(EstimationError, match=r"\(3 cell\(s\) could not be estimated\)"):
        _aggregate("group", none_estimated)
    with pytest.raises(InputError, match="kind='cohort'.*pass 'dynamic'"):
        _aggregate("cohort")


def test_the_event_time_window_and_balance():
    est = _cells()
    assert cell_window(est).all()
    assert cell_window(est, min_e=0).tolist() == [False, True, True, False, False, True]
    assert cell_window(est, max_e=0).tolist() == [True, True, False, True, True, True]
    # balanced on one period after treatment: only cohort 2 is seen at event time 1
    assert cell_window(est, balance_e=1).tolist() == [True, True, True, False, False, False]
    assert cell_window(est, balance_e=0).tolist() == [True, True, False, True, True, True]
    both = cell_window(est, balance_e=1, min_e=0, max_e=0)  # the window narrows the balance
    assert both.tolist() == [False, True, False, False, False, False]
    group = _aggregate("group", min_e=1)
    assert group.labels.tolist() == [2] and group.att == pytest.approx([2.0])
