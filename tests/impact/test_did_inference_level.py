"""Inference where treatment is assigned: clusters, wild bootstrap, placebo areas, MDEs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from partnership_eval.errors import EstimationError, InputError
from partnership_eval.impact import (
    mde_of_estimate,
    placebo_in_space,
    simulated_mde,
    staggered_did,
)
from partnership_eval.impact.did_inference import multiplier_matrix
from partnership_eval.result import Result


def _partnership_panel(n_treated: int, n_control: int = 20, seed: int = 0) -> pd.DataFrame:
    """Partnerships of 4 schools with partnership-year shocks; effect 1 from the start."""
    rng = np.random.default_rng(seed)
    n_clusters, periods = n_treated + n_control, np.arange(2012, 2020)
    cluster = np.repeat(np.arange(n_clusters), 4)
    start = np.where(np.arange(n_clusters) < n_treated, rng.choice([2015, 2017], n_clusters), 0)
    cohort = start[cluster]
    shock = rng.normal(size=(n_clusters, len(periods)))[cluster]
    treated = (cohort[:, None] > 0) & (periods[None, :] >= cohort[:, None])
    y = rng.normal(size=(len(cluster), 1)) + shock + rng.normal(size=shock.shape) + treated
    return pd.DataFrame({"urn": np.repeat(np.arange(len(cluster)), len(periods)),
                         "year": np.tile(periods, len(cluster)), "first": np.repeat(cohort, 8),
                         "partnership": np.repeat(cluster, 8), "y": y.ravel()})  # fmt: skip


@pytest.fixture(scope="module")
def clustered():
    data = _partnership_panel(6)
    return staggered_did(data, "y", "urn", "year", "first", cluster="partnership", n_boot=0)


def test_cluster_by_partnership_counts_partnerships(clustered) -> None:
    assert clustered.n_clusters == 26
    assert clustered.spec.cluster == "partnership"


def test_wild_bootstrap_is_wider_than_the_normal_interval(clustered) -> None:
    wild = clustered.wild_bootstrap(n_boot=499)
    simple = clustered.aggregate("simple")
    row = wild.tidy().iloc[0]
    assert isinstance(wild, Result)
    assert row["estimate"] == pytest.approx(simple.att)
    assert row["n_treated_clusters"] == 6 and row["multipliers"] == "rademacher"
    assert row["ci_high"] - row["ci_low"] > simple.ci_high - simple.ci_low
    assert 0 < row["p_value"] <= 1
    assert wild.headline()["ci_low"] == pytest.approx(row["ci_low"])


def test_wild_bootstrap_rejects_bad_multipliers(clustered) -> None:
    with pytest.raises(InputError, match="multipliers='gauss'"):
        clustered.wild_bootstrap(multipliers="gauss")


@pytest.mark.parametrize("kind", ["rademacher", "webb", "mammen"])
def test_multipliers_have_mean_zero_and_variance_one(kind: str) -> None:
    v = multiplier_matrix(np.random.default_rng(0), 4000, 50, kind)
    assert abs(v.mean()) < 0.01 and v.var() == pytest.approx(1, abs=0.02)


def test_mde_of_the_estimate_uses_its_se_and_t_with_few_clusters(clustered) -> None:
    mde = clustered.mde()
    se = clustered.aggregate("simple").se
    t = stats.t(25)
    assert mde.spec.df == 25
    assert mde.mde == pytest.approx((t.ppf(0.975) + t.ppf(0.8)) * se)
    assert mde.power_at(mde.mde) == pytest.approx(0.8, abs=0.01)
    assert mde.tidy()["estimate"].iloc[0] == mde.mde


def test_mde_with_many_clusters_uses_normal_quantiles() -> None:
    mde = mde_of_estimate(1.0, n_clusters=400)
    assert mde.spec.df is None
    assert mde.mde == pytest.approx(stats.norm.ppf(0.975) + stats.norm.ppf(0.8))
    with pytest.raises(EstimationError, match="no usable standard error"):
        mde_of_estimate(float("nan"))


def test_simulated_mde_from_placebo_programmes() -> None:
    untreated = _partnership_panel(0, n_control=30, seed=2)
    res = simulated_mde(untreated, outcome="y", unit="urn", time="year",
                        cohort_sizes={2016: 5}, cluster="partnership", n_sims=30, seed=1)  # fmt: skip
    assert res.spec.source == "simulation" and res.spec.n_treated == 5
    assert res.mde > 0 and abs(res.inputs["placebo_mean"]) < res.se
    assert "placebo estimates" in res.summary()
    with pytest.raises(EstimationError, match="leaving no comparison group"):
        simulated_mde(untreated, outcome="y", unit="urn", time="year",
                      cohort_sizes={2016: 30}, cluster="partnership", n_sims=20)  # fmt: skip


def test_placebo_in_space_p_value_and_interval() -> None:
    effects = {"A": 5.0, **{f"P{i}": float(i - 9.5) / 10 for i in range(20)}}

    def estimate(panel: pd.DataFrame, area: object) -> float:
        if area == "P3":
            raise EstimationError("too few schools")
        return effects[area]

    res = placebo_in_space(pd.DataFrame(), estimate, treated="A", areas=list(effects))
    assert res.p_value == pytest.approx(1 / 20)
    placebo = np.array([v for k, v in effects.items() if k not in ("A", "P3")])
    assert res.ci_low == pytest.approx(5 - np.quantile(placebo, 0.975))
    assert res.exclusions["reason"].str.contains("P3: too few schools").all()
    assert res.tidy()["term"].iloc[0] == "treated: A" and not res.few_areas
    ax = res.plot()  # the placebo strip, then the treated area's point
    assert [len(c.get_offsets()) for c in ax.collections] == [len(placebo), 1]
    small = placebo_in_space(pd.DataFrame(), estimate, treated="A", areas=["P0", "P1"])
    assert small.few_areas and "cannot fall below" in small.summary()


def test_multiplier_bootstrap_takes_rademacher_or_webb_weights() -> None:
    data = _partnership_panel(6)
    for kind in ("rademacher", "webb"):
        res = staggered_did(data, "y", "urn", "year", "first", cluster="partnership",
                            n_boot=199, multipliers=kind)  # fmt: skip
        assert res.spec.multipliers == kind and res.band == "uniform"
        assert np.isfinite(res.att_gt["se"]).all()
    with pytest.raises(InputError, match="multipliers='normal'"):
        staggered_did(data, "y", "urn", "year", "first", multipliers="normal")
