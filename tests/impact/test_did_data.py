"""The input of staggered_did: row order and id types do not change results; bad ids fail."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from partnership_eval.errors import InputError
from partnership_eval.impact.simulate import simulate_staggered_panel
from partnership_eval.impact.staggered import staggered_did


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    sim = simulate_staggered_panel(n_units=300, periods=range(2010, 2016), cohorts=(2012, 2014),
                                   seed=5)  # fmt: skip
    return sim.data.assign(la=lambda d: d["unit"] % 7)


def _fit(data: pd.DataFrame, unit: str = "unit", **kwargs: object) -> pd.DataFrame:
    res = staggered_did(data, "y", unit, "time", "cohort", covariates=["x"], n_boot=0, **kwargs)
    return res.att_gt


@pytest.mark.parametrize("unbalanced", [False, True])
def test_row_order_does_not_change_estimates(panel: pd.DataFrame, unbalanced: bool) -> None:
    data = panel.iloc[::3] if unbalanced else panel
    shuffled = data.sample(frac=1.0, random_state=1)
    kwargs = {"allow_unbalanced_panel": unbalanced}
    pd.testing.assert_frame_equal(_fit(shuffled, **kwargs), _fit(data, **kwargs), rtol=1e-12)


def test_text_and_sparse_integer_unit_ids_give_the_same_estimates(panel: pd.DataFrame) -> None:
    ids = panel.assign(
        urn=panel["unit"] * 1_000_003, name=panel["unit"].map("school {:05d}".format)
    )
    expected = _fit(panel)
    pd.testing.assert_frame_equal(_fit(ids, unit="urn"), expected, rtol=1e-12)
    pd.testing.assert_frame_equal(_fit(ids, unit="name"), expected, rtol=1e-12)


def test_missing_cluster_of_a_treated_unit_is_an_input_error(panel: pd.DataFrame) -> None:
    row = int(np.flatnonzero(panel["cohort"] > 0)[0])
    holes = panel.assign(la=panel["la"].where(panel.index != row))
    with pytest.raises(InputError, match="the cluster is missing for a treated unit"):
        _fit(holes, cluster="la")


def test_never_treated_units_without_a_cluster_are_their_own(panel: pd.DataFrame) -> None:
    never = panel["cohort"] == 0
    partnership = panel.assign(p=(panel["unit"] // 4).where(~never))
    own = partnership.assign(p=partnership["p"].fillna(-panel["unit"]))
    res = staggered_did(partnership, "y", "unit", "time", "cohort", covariates=["x"], n_boot=0,
                        cluster="p")  # fmt: skip
    pd.testing.assert_frame_equal(res.att_gt, _fit(own, cluster="p"))
    assert "never treated without a p: each its own cluster" in res.exclusions["reason"].tolist()


def test_clustered_standard_errors_ignore_cluster_labels(panel: pd.DataFrame) -> None:
    relabelled = panel.assign(la=np.array(list("abcdefg"))[panel["la"]])
    expected = _fit(panel, cluster="la")
    pd.testing.assert_frame_equal(_fit(relabelled, cluster="la"), expected, rtol=1e-12)
