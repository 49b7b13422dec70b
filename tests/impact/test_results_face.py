"""Every impact result shows the shared Result face; bad input is an InputError everywhere."""

from __future__ import annotations

import dataclasses

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes

from partnership_eval.errors import InputError
from partnership_eval.impact import (
    bacon_decomposition,
    matched_controls,
    minimum_detectable_effect,
    simulate_staggered_panel,
    staggered_did,
    twfe_did,
    twfe_event_study,
)
from partnership_eval.result import EXCLUSION_COLUMNS, HEADLINE_FIELDS, TIDY_COLUMNS, Result

ALPHA = 0.1


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return simulate_staggered_panel(n_units=200, periods=range(2010, 2017), cohorts=(2012, 2014),
                                    seed=4).data  # fmt: skip


def _results(data: pd.DataFrame) -> dict[str, Result]:
    did = staggered_did(data, "y", "unit", "time", "cohort", n_boot=99, alpha=ALPHA)
    units = data.drop_duplicates("unit").assign(treated=lambda d: d["cohort"] > 0)
    return {
        "att_gt": did,
        "simple": did.aggregate("simple"),
        "dynamic": did.aggregate("dynamic"),
        "group": did.aggregate("group"),
        "wild": did.wild_bootstrap(n_boot=99),
        "mde": did.mde(),
        "twfe": twfe_event_study(data, "y", "unit", "time", "cohort", alpha=ALPHA),
        "twfe_static": twfe_did(data, "y", "unit", "time", "cohort", alpha=ALPHA),
        "bacon": bacon_decomposition(data, "y", "unit", "time", "cohort"),
        "match": matched_controls(units, "unit", "treated", ["x"]),
        "mde_parts": minimum_detectable_effect(
            n_treated=40, n_control=60, n_pre=3, n_post=2, sigma=10, rho=0.6, alpha=ALPHA
        ),  # fmt: skip
    }


def test_every_result_has_the_shared_face(data: pd.DataFrame) -> None:
    for name, res in _results(data).items():
        assert isinstance(res, Result), name
        assert dataclasses.is_dataclass(res.spec) and res.spec.__dataclass_params__.frozen, name
        tidy = res.tidy()
        assert tuple(tidy.columns[: len(TIDY_COLUMNS)]) == TIDY_COLUMNS, name
        assert set(res.headline()) == set(HEADLINE_FIELDS), name
        assert tuple(res.exclusions.columns[:4]) == EXCLUSION_COLUMNS, name
        assert isinstance(res.summary(), str), name
        ax = res.plot()
        assert isinstance(ax, Axes), name
        plt.close(ax.figure)
        if name not in ("bacon", "match"):
            assert (tidy["level"] == 1 - ALPHA).all(), name


def test_interval_words_come_from_alpha(data: pd.DataFrame) -> None:
    did = staggered_did(data, "y", "unit", "time", "cohort", n_boot=99, alpha=ALPHA)
    assert "90% pointwise CI" in did.aggregate("simple").summary()
    assert "uniform 90% intervals" in did.aggregate("dynamic").summary()
    z = 1.6448536
    simple = did.aggregate("simple")
    assert simple.ci_high - simple.att == pytest.approx(z * simple.se, rel=1e-6)


def test_contract_names_still_work(data: pd.DataFrame) -> None:
    res = staggered_did(data, "y", "unit", "time", "cohort", n_boot=0)
    assert {"cohort", "time", "att", "se", "ci_low", "ci_high"} <= set(res.att_gt.columns)
    agg = res.aggregate("dynamic")
    assert np.isfinite([agg.att, agg.se, agg.ci_low, agg.ci_high]).all()
    assert "event_time" in agg.table


@pytest.mark.parametrize(
    "call",
    [
        lambda d: staggered_did(d, "y", "unit", "time", "cohort", cluster=["a", "b"]),
        lambda d: staggered_did(d, "y", "unit", "time", "cohort", method="ols"),
        lambda d: staggered_did(d, "nope", "unit", "time", "cohort"),
        lambda d: staggered_did(d, "y", "unit", "time", "cohort", n_boot=0).aggregate("x"),
        lambda d: staggered_did(d, "y", "unit", "time", "cohort", n_boot=0).pretest("x"),
        lambda d: twfe_event_study(d, "nope", "unit", "time", "cohort"),
        lambda d: twfe_event_study(d, "y", "unit", "time", "cohort", min_e=2, max_e=1),
        lambda d: twfe_did(d, "y", "unit", "time", "cohort", alpha=2.0),
        lambda d: bacon_decomposition(d, "y", "unit", "time", "nope"),
        lambda d: minimum_detectable_effect(n_treated=4),
        lambda d: matched_controls(d, "unit", "cohort", ["x"], method="magic"),
    ],
)
def test_bad_input_is_an_input_error(data: pd.DataFrame, call) -> None:
    with pytest.raises(InputError):
        call(data)
