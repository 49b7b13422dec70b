"""Matched comparison groups: balance, calipers, exact strata, replacement and errors."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from partnership_eval.errors import EstimationError, InputError
from partnership_eval.impact import matching
from partnership_eval.impact.matching import matched_controls

COVARIATES = ["pupils", "rural", "fsm_pct", "prior_attainment", "prior_trend"]


def _schools(n: int = 3000, seed: int = 0) -> pd.DataFrame:
    """One row per school; small, rural, poorer, lower-attaining schools join more often."""
    rng = np.random.default_rng(seed)
    pupils = rng.lognormal(5.0, 0.5, n)
    rural = rng.random(n) < 0.2 + 0.3 * (pupils < 120)
    fsm = 100 * rng.beta(2, 8, n)
    prior = 65 - 0.3 * fsm + rng.normal(0, 8, n)
    trend = rng.normal(0, 1.5, n)
    logit = (
        -2.3
        + 0.8 * rural
        - 0.006 * (pupils - 150)
        + 0.03 * (fsm - 20)
        - 0.03 * (prior - 60)
        - 0.2 * trend
    )
    return pd.DataFrame(
        {
            "urn": np.arange(100_000, 100_000 + n),
            "partner": rng.random(n) < 1 / (1 + np.exp(-logit)),
            "pupils": pupils,
            "rural": rural,
            "fsm_pct": fsm,
            "prior_attainment": prior,
            "prior_trend": trend,
            "region": rng.choice(["North East", "South West", "London"], n),
        }
    )


@pytest.fixture(scope="module")
def schools() -> pd.DataFrame:
    return _schools()


@pytest.mark.parametrize("method", ["nearest", "propensity"])
def test_matching_improves_balance_below_a_tenth_of_a_standard_deviation(schools, method):
    balance = matched_controls(schools, "urn", "partner", COVARIATES, method=method).balance
    assert (balance["smd_before"].abs() > 0.1).sum() >= 3  # the simulation selects on them
    assert (balance["smd_after"].abs() < balance["smd_before"].abs()).all()
    assert (balance["smd_after"].abs() < 0.1).all()


def test_every_treated_unit_is_matched_once_without_replacement(schools):
    res = matched_controls(schools, "urn", "partner", COVARIATES)
    assert len(res.pairs) == schools["partner"].sum()
    assert res.pairs["control_unit"].is_unique
    assert not res.pairs["control_unit"].isin(schools.loc[schools["partner"], "urn"]).any()
    assert res.unmatched.empty


def test_caliper_exclusions_are_counted_not_dropped(schools):
    res = matched_controls(schools, "urn", "partner", COVARIATES, method="propensity", caliper=0.01)
    n_treated = int(schools["partner"].sum())
    assert 0 < len(res.unmatched) < n_treated
    assert set(res.unmatched["reason"]) == {"no control within caliper"}
    assert res.pairs["treated_unit"].nunique() + len(res.unmatched) == n_treated
    assert f"{len(res.unmatched)} treated units with no match" in res.summary()


def test_pairs_respect_the_caliper(schools):
    res = matched_controls(schools, "urn", "partner", COVARIATES, caliper=0.5, replace=True)
    assert res.pairs["distance"].max() <= 0.5
    assert len(res.unmatched) > 0


def test_exact_matching_pairs_only_within_a_stratum(schools):
    res = matched_controls(schools, "urn", "partner", COVARIATES, exact=["region"])
    region = schools.set_index("urn")["region"]
    assert (res.pairs["treated_unit"].map(region) == res.pairs["control_unit"].map(region)).all()


def test_treated_units_in_a_stratum_without_controls_are_reported(schools):
    df = schools[~((schools["region"] == "London") & ~schools["partner"])]
    res = matched_controls(df, "urn", "partner", COVARIATES, exact=["region"])
    london = df.loc[(df["region"] == "London") & df["partner"], "urn"]
    assert set(
        res.unmatched.loc[res.unmatched["reason"] == "no control in exact stratum", "treated_unit"]
    ) == set(london)


def test_ratio_two_gives_two_controls_each_weighted_one_half(schools):
    res = matched_controls(schools, "urn", "partner", COVARIATES, ratio=2)
    assert (res.pairs.groupby("treated_unit").size() == 2).all()
    controls = res.matched_units[~res.matched_units["treated"]]
    assert np.allclose(controls["weight"], 0.5)


def test_with_replacement_control_weights_count_reuse(schools):
    res = matched_controls(schools, "urn", "partner", COVARIATES, replace=True)
    uses = res.pairs["control_unit"].value_counts()
    assert uses.max() > 1
    weights = res.matched_units.set_index("urn")["weight"]
    assert (weights[uses.index] == uses).all()


def test_optimal_matching_total_distance_is_no_larger_than_greedy(schools, monkeypatch):
    optimal = matched_controls(schools, "urn", "partner", COVARIATES)
    monkeypatch.setattr(matching, "DENSE_ASSIGNMENT_LIMIT", 0)
    greedy = matched_controls(schools, "urn", "partner", COVARIATES)
    assert greedy.algorithm == "greedy nearest available"
    assert greedy.pairs["control_unit"].is_unique
    assert len(greedy.pairs) == len(optimal.pairs)
    assert optimal.pairs["distance"].sum() <= greedy.pairs["distance"].sum() + 1e-9


def test_units_with_missing_covariates_are_reported(schools):
    df = schools.copy()
    treated_urn = df.loc[df["partner"], "urn"].iloc[0]
    df.loc[df["urn"] == treated_urn, "fsm_pct"] = np.nan
    df.loc[~df["partner"], "prior_trend"] = df.loc[~df["partner"], "prior_trend"].mask(
        lambda s: s.index % 100 == 0
    )
    res = matched_controls(df, "urn", "partner", COVARIATES)
    assert res.unmatched.set_index("treated_unit").loc[treated_urn, "reason"] == "missing covariate"
    assert res.excluded_controls == int(((df.index % 100 == 0) & ~df["partner"]).sum())


def test_matched_panel_keeps_matched_units_with_weights(schools):
    res = matched_controls(schools, "urn", "partner", COVARIATES, replace=True)
    panel = schools[["urn"]].merge(pd.DataFrame({"year": [2015, 2016]}), how="cross")
    matched = res.matched_panel(panel)
    assert set(matched["urn"]) == set(res.matched_units["urn"])
    assert (
        matched.groupby("year")["match_weight"].sum().tolist()
        == [res.matched_units["weight"].sum()] * 2
    )


def test_love_plot_returns_axes(schools):
    ax = matched_controls(schools, "urn", "partner", COVARIATES).plot()
    assert [t.get_text() for t in ax.get_yticklabels()] == COVARIATES
    plt.close(ax.figure)


def test_repeated_units_are_an_error(schools):
    with pytest.raises(InputError, match="one row per unit"):
        matched_controls(pd.concat([schools, schools.head(2)]), "urn", "partner", COVARIATES)


def test_non_binary_treatment_is_an_error(schools):
    with pytest.raises(InputError, match="True/False or 1/0"):
        matched_controls(schools.assign(partner=2), "urn", "partner", COVARIATES)


def test_no_treated_units_is_an_error(schools):
    with pytest.raises(EstimationError, match="no treated units"):
        matched_controls(schools.assign(partner=False), "urn", "partner", COVARIATES)


def test_collinear_covariates_are_named(schools):
    df = schools.assign(fsm_share=schools["fsm_pct"] / 100)
    with pytest.raises(EstimationError, match="linear combinations"):
        matched_controls(df, "urn", "partner", [*COVARIATES, "fsm_share"])


def test_perfect_separation_in_the_propensity_model_is_an_error(schools):
    df = schools.assign(score=schools["partner"].astype(float) * 10 + schools["pupils"] / 1000)
    with pytest.raises(EstimationError, match="no overlap"):
        matched_controls(df, "urn", "partner", ["score", "pupils"], method="propensity")
