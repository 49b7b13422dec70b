"""staggered_did turns unusable input into one clear, actionable error."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from partnership_eval.errors import EstimationError, InputError
from partnership_eval.impact.simulate import simulate_staggered_panel
from partnership_eval.impact.staggered import staggered_did


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return simulate_staggered_panel(n_units=200, periods=range(2010, 2016),
                                    cohorts=(2012, 2014), seed=3).data  # fmt: skip


def _fit(data: pd.DataFrame, **kwargs: object):
    return staggered_did(data, "y", "unit", "time", "cohort", n_boot=0, **kwargs)


def test_no_never_treated_units_with_never_treated_controls(panel: pd.DataFrame) -> None:
    treated_only = panel[panel["cohort"] > 0]
    with pytest.raises(EstimationError, match="no never-treated units.*not_yet_treated"):
        _fit(treated_only)


def test_cohort_with_too_few_units(panel: pd.DataFrame) -> None:
    lone = panel.assign(cohort=np.where(panel["unit"] == 1, 2015, panel["cohort"]))
    with pytest.raises(EstimationError, match=r"cohort\(s\) too small.*2015 \(1 units\)"):
        _fit(lone)


def test_no_overlap_names_cohort_and_time(panel: pd.DataFrame) -> None:
    # the covariate is 1 for every 2012-cohort unit and 0 for everyone else
    separated = panel.assign(z=(panel["cohort"] == 2012).astype(float))
    with pytest.raises(EstimationError, match=r"cohort 2012, periods 2011, .*singular"):
        _fit(separated, covariates=["z"], strict=True)


def test_singular_propensity_model_names_cohort_and_time(panel: pd.DataFrame) -> None:
    collinear = panel.assign(x2=2 * panel["x"])
    with pytest.raises(EstimationError, match=r"cohort 2012, periods 2011, .*singular"):
        _fit(collinear, covariates=["x", "x2"], strict=True)


def test_every_treated_unit_treated_in_first_period(panel: pd.DataFrame) -> None:
    early = panel.assign(cohort=np.where(panel["cohort"] > 0, 2010, 0))
    with pytest.raises(EstimationError, match="every treated unit is treated from the first"):
        _fit(early)


def test_non_numeric_outcome(panel: pd.DataFrame) -> None:
    text = panel.assign(y=panel["y"].round(2).astype(str))
    with pytest.raises(InputError, match="'y'.*outcome must be numeric.*to_numeric"):
        _fit(text)


def test_duplicate_unit_time_rows(panel: pd.DataFrame) -> None:
    doubled = pd.concat([panel, panel.iloc[[7]]], ignore_index=True)
    with pytest.raises(InputError, match=r"2 rows share a \(unit, time\) pair"):
        _fit(doubled)


def test_unknown_column_names(panel: pd.DataFrame) -> None:
    with pytest.raises(InputError, match=r"unknown column\(s\): covariates\[0\]='fsm'"):
        _fit(panel, covariates=["fsm"])


def test_unknown_method_names_the_parameter(panel: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="method='ols' is not one of"):
        _fit(panel, method="ols")


def test_cohort_changing_within_unit(panel: pd.DataFrame) -> None:
    moved = panel.assign(cohort=np.where(panel.index == 0, 2014, panel["cohort"]))
    with pytest.raises(InputError, match="unit 1 has several"):
        _fit(moved)
