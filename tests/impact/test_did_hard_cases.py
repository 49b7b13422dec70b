"""staggered_did on the cases real school data produce, treated as R `did` treats them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from partnership_eval.errors import EstimationError, InputError
from partnership_eval.impact.simulate import simulate_staggered_panel
from partnership_eval.impact.staggered import staggered_did


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    sim = simulate_staggered_panel(n_units=240, periods=range(2010, 2016), cohorts=(2012, 2014),
                                   seed=11)  # fmt: skip
    return sim.data.assign(la=lambda d: d["unit"] % 9, wt=1.0)


def _fit(data: pd.DataFrame, **kwargs: object):
    return staggered_did(data, "y", "unit", "time", "cohort", n_boot=0, **kwargs)


def _reasons(res) -> str:
    return " | ".join(res.exclusions["reason"])


def test_cohort_inside_the_anticipation_window_is_not_a_control() -> None:
    rng = np.random.default_rng(0)
    n, periods, anticipation = 300, np.arange(1, 6), 2
    cohort = np.repeat([0, 4, 6], n)
    unit = np.arange(len(cohort))
    reacts = (cohort[:, None] > 0) & (periods[None, :] >= cohort[:, None] - anticipation)
    y = rng.normal(size=(len(cohort), 1)) + periods + 1.0 * reacts
    y = y + rng.normal(scale=0.1, size=y.shape)
    data = pd.DataFrame({"unit": np.repeat(unit, 5), "time": np.tile(periods, len(cohort)),
                         "cohort": np.repeat(cohort, 5), "y": y.ravel()})  # fmt: skip
    res = _fit(data, anticipation=anticipation)
    cell = res.att_gt.query("cohort == 4 and time == 4")
    assert cell["att"].item() == pytest.approx(1.0, abs=0.05)
    assert cell["n_control"].item() == n  # only the never treated
    assert 6 in set(res.att_gt["cohort"])


@pytest.mark.parametrize("column", ["y", "wt", "x"])
def test_infinite_values_are_dropped_and_counted(panel: pd.DataFrame, column: str) -> None:
    bad = panel.copy()
    bad.loc[3, column] = np.inf
    res = _fit(bad, weights="wt", covariates=["x"])
    assert np.isfinite(res.att_gt["att"]).all()
    row = res.exclusions[res.exclusions["reason"].str.startswith("infinite")]
    assert row[["rows", "schools"]].values.tolist() == [[1, 1]]
    assert "not observed in every period" in _reasons(res)  # its unit is then unbalanced


def test_negative_weights_are_refused(panel: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="'wt'.*non-negative"):
        _fit(panel.assign(wt=np.where(panel["unit"] == 5, -1.0, 1.0)), weights="wt")


def test_all_zero_weights_are_refused(panel: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="every weight is 0"):
        _fit(panel.assign(wt=0.0), weights="wt")


def test_weights_varying_within_a_unit_are_refused(panel: pd.DataFrame) -> None:
    varying = panel.assign(wt=np.where(panel.index == 1, 2.0, 1.0))
    with pytest.raises(InputError, match="weight must be the same in every period.*first period"):
        _fit(varying, weights="wt")


def test_cells_without_comparison_units_are_na_and_the_rest_estimated(
    panel: pd.DataFrame,
) -> None:
    holes = panel[~((panel["cohort"] == 0) & (panel["time"] == 2015))]
    res = _fit(holes, allow_unbalanced_panel=True)
    na = res.att_gt[res.att_gt["att"].isna()]
    assert set(na["time"]) == {2015}
    assert na["reason"].str.contains("no treated or no comparison units").all()
    assert np.isfinite(res.att_gt.loc[res.att_gt["time"] < 2015, "att"]).all()
    simple = res.aggregate("simple")
    assert np.isfinite(simple.att) and simple.n_skipped == len(na)
    assert f"{len(na)} group-time cell(s) could not be estimated" in simple.summary()
    assert res.aggregate("dynamic").n_skipped == len(na)
    with pytest.raises(EstimationError, match="cohort 2012, period 2015 cannot be estimated"):
        _fit(holes, allow_unbalanced_panel=True, strict=True)


def test_always_treated_units_are_dropped_and_counted(panel: pd.DataFrame) -> None:
    early = panel.assign(cohort=np.where(panel["unit"] <= 5, 2010, panel["cohort"]))
    res = _fit(early)
    row = res.exclusions[res.exclusions["reason"].str.contains("always treated")]
    assert row[["rows", "schools"]].values.tolist() == [[5 * 6, 5]]
    assert 2010 not in set(res.att_gt["cohort"])


def test_missing_cohort_counts_as_never_treated(panel: pd.DataFrame) -> None:
    blank = panel.assign(cohort=panel["cohort"].where(panel["cohort"] > 0))
    res = _fit(blank)
    pd.testing.assert_frame_equal(res.att_gt, _fit(panel).att_gt)
    assert "first treated period missing: counted as never treated" in _reasons(res)


def test_propensity_scores_are_trimmed_not_fatal(panel: pd.DataFrame) -> None:
    rng = np.random.default_rng(1)
    units = panel.drop_duplicates("unit")
    z = np.where(units["cohort"] > 0, 3.0, 0.0) + rng.normal(size=len(units))
    z[np.flatnonzero(units["cohort"].to_numpy() == 0)[:4]] = 8.0  # controls that look treated
    res = _fit(panel.assign(z=panel["unit"].map(pd.Series(z, index=units["unit"]))),
               covariates=["z"])  # fmt: skip
    assert (res.att_gt["n_trimmed"] == 4).all()
    assert np.isfinite(res.att_gt["att"]).all()
    assert "comparison units trimmed (weight 0) in 10 group-time cell(s)" in _reasons(res)


def test_cluster_takes_the_unit_and_one_more_variable(panel: pd.DataFrame) -> None:
    by_la = _fit(panel, cluster="la").att_gt
    pd.testing.assert_frame_equal(_fit(panel, cluster=["unit", "la"]).att_gt, by_la)
    with pytest.raises(InputError, match="at most one more variable"):
        _fit(panel.assign(b=panel["la"] % 2), cluster=["la", "b"])
    with pytest.raises(InputError, match="cluster=3 must be a column name"):
        _fit(panel, cluster=3)


def test_duplicate_ids_refused_for_repeated_cross_sections(panel: pd.DataFrame) -> None:
    doubled = pd.concat([panel, panel.iloc[[4]]], ignore_index=True)
    with pytest.raises(InputError, match=r"share a \(unit, time\) pair"):
        _fit(doubled, panel=False)


def test_negative_cohorts_are_refused(panel: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="'cohort'.*found -1"):
        _fit(panel.assign(cohort=np.where(panel["unit"] == 2, -1, panel["cohort"])))


def test_boolean_outcomes_are_used_as_zero_one(panel: pd.DataFrame) -> None:
    flag = panel.assign(y=panel["y"] > 0)
    expected = _fit(flag.assign(y=flag["y"].astype(float))).att_gt
    pd.testing.assert_frame_equal(_fit(flag).att_gt, expected)


def test_quasi_separation_in_the_propensity_model_does_not_abort(panel: pd.DataFrame) -> None:
    units = panel.drop_duplicates("unit")
    # treated units all have z ≥ 0 and comparison units z ≤ 0, touching at 0
    rng = np.random.default_rng(2)
    z = np.where(units["cohort"] > 0, 1, -1) * np.abs(rng.normal(size=len(units)))
    z[:3] = 0.0
    res = _fit(panel.assign(z=panel["unit"].map(pd.Series(z, index=units["unit"]))),
               covariates=["z"])  # fmt: skip
    cells = res.att_gt
    assert (np.isfinite(cells["att"]) | (cells["reason"] != "")).all()
