"""TWFE DiD and event study: dummy-regression equivalence, bias under staggering, errors."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from partnership_eval.errors import EstimationError, InputError
from partnership_eval.impact.simulate import constant_effect, simulate_staggered_panel
from partnership_eval.impact.twfe import twfe_did, twfe_event_study


def _overall_att(sim) -> float:
    """Mean planted effect over treated unit-periods (the 'simple' aggregation)."""
    sizes = sim.data.drop_duplicates("unit")["cohort"].value_counts()
    weights = sim.truth["cohort"].map(sizes)
    return float(np.average(sim.truth["att"], weights=weights))


@pytest.fixture(scope="module")
def small_unbalanced() -> pd.DataFrame:
    sim = simulate_staggered_panel(
        n_units=60, periods=range(2010, 2016), cohorts=(2012, 2014), seed=3
    )
    rng = np.random.default_rng(3)
    df = (
        sim.data.sample(frac=0.9, random_state=3)
        .sort_values(["unit", "time"])
        .reset_index(drop=True)
    )
    df["z"] = rng.normal(size=len(df))
    df["w"] = rng.uniform(0.5, 2.0, size=len(df))
    df["region"] = df["unit"] % 7
    return df


@pytest.mark.parametrize("cluster", [None, "region"])
def test_within_estimator_matches_dummy_variable_regression(small_unbalanced, cluster):
    df = small_unbalanced
    res = twfe_did(
        df, "y", "unit", "time", "cohort", covariates=["z"], weights="w", cluster=cluster
    )

    treated = ((df["cohort"] > 0) & (df["time"] >= df["cohort"])).astype(float)
    dummies = pd.get_dummies(df["unit"], dtype=float).join(
        pd.get_dummies(df["time"], dtype=float, drop_first=True)
    )
    design = pd.concat([treated.rename("treated"), df["z"], dummies], axis=1)
    groups = pd.factorize(df[cluster or "unit"])[0]
    reference = sm.WLS(df["y"], design, weights=df["w"]).fit(
        cov_type="cluster", cov_kwds={"groups": groups}
    )

    assert res.estimate == pytest.approx(reference.params["treated"], abs=1e-10)
    assert res.se == pytest.approx(reference.bse["treated"], rel=1e-8)


def test_static_twfe_is_biased_under_staggered_dynamic_heterogeneous_effects():
    sim = simulate_staggered_panel(n_units=2000, seed=11)
    res = twfe_did(sim.data, "y", "unit", "time", "cohort")
    truth = _overall_att(sim)
    assert truth - res.estimate > 0.5
    assert truth - res.estimate > 8 * res.se


def test_static_twfe_recovers_a_homogeneous_constant_effect():
    sim = simulate_staggered_panel(
        n_units=2000, effect=constant_effect(1.5), effect_heterogeneity=0.0, seed=12
    )
    res = twfe_did(sim.data, "y", "unit", "time", "cohort")
    assert abs(res.estimate - 1.5) < 3 * res.se
    assert res.ci_low < 1.5 < res.ci_high


def test_event_study_recovers_constant_effect_with_flat_pre_trends():
    sim = simulate_staggered_panel(
        n_units=2000, effect=constant_effect(1.5), effect_heterogeneity=0.0, seed=13
    )
    table = twfe_event_study(sim.data, "y", "unit", "time", "cohort", min_e=-4, max_e=4).table
    estimated = table[table["event_time"] != -1]
    truth = np.where(estimated["event_time"] >= 0, 1.5, 0.0)
    z = (estimated["estimate"] - truth) / estimated["se"]
    assert (z.abs() < 4).all()


def test_event_study_leads_are_contaminated_under_heterogeneous_dynamic_effects():
    sim = simulate_staggered_panel(n_units=2000, seed=14)
    table = twfe_event_study(sim.data, "y", "unit", "time", "cohort").table
    leads = table[table["event_time"] <= -4]
    # No anticipation was planted, yet the TWFE leads are clearly non-zero (Sun & Abraham 2021).
    assert ((leads["estimate"] / leads["se"]).abs() > 3).any()


def test_endpoints_are_binned_into_the_window_edges():
    sim = simulate_staggered_panel(n_units=300, seed=15)
    res = twfe_event_study(sim.data, "y", "unit", "time", "cohort", min_e=-3, max_e=2)
    treated = sim.data[sim.data["cohort"] > 0]
    event = treated["time"] - treated["cohort"]
    assert res.table["event_time"].tolist() == [-3, -2, -1, 0, 1, 2]
    assert res.table["n"].iloc[0] == (event <= -3).sum()
    assert res.table["n"].iloc[-1] == (event >= 2).sum()
    assert res.binned == (-3, 2)


def test_unbinned_window_excludes_and_counts_rows_outside_it():
    sim = simulate_staggered_panel(n_units=300, seed=16)
    res = twfe_event_study(
        sim.data, "y", "unit", "time", "cohort", min_e=-3, max_e=2, bin_endpoints=False
    )
    treated = sim.data[sim.data["cohort"] > 0]
    event = treated["time"] - treated["cohort"]
    outside = int(((event < -3) | (event > 2)).sum())
    assert res.excluded == {"event time outside [min_e, max_e]": outside}
    assert res.static.n_obs == len(sim.data) - outside


def test_rows_with_missing_outcome_are_excluded_and_counted():
    df = simulate_staggered_panel(n_units=200, seed=17).data
    df.loc[[3, 50, 77], "y"] = np.nan
    res = twfe_event_study(df, "y", "unit", "time", "cohort", min_e=-3, max_e=3)
    assert res.excluded == {"missing y": 3}
    assert res.static.n_obs == len(df) - 3
    assert "missing y: 3" in res.summary()


def test_reference_row_is_zero_without_standard_error():
    res = twfe_event_study(
        simulate_staggered_panel(n_units=200, seed=18).data,
        "y",
        "unit",
        "time",
        "cohort",
        reference=-2,
        min_e=-4,
        max_e=3,
    )
    row = res.table.set_index("event_time").loc[-2]
    assert row["estimate"] == 0.0
    assert np.isnan(row["se"])


def test_plot_marks_the_reference_period():
    res = twfe_event_study(
        simulate_staggered_panel(n_units=200, seed=19).data,
        "y",
        "unit",
        "time",
        "cohort",
        min_e=-3,
        max_e=3,
    )
    ax = res.plot()
    labels = ax.get_legend_handles_labels()[1]
    assert "reference (-1)" in labels
    plt.close(ax.figure)


def test_missing_column_is_named():
    df = simulate_staggered_panel(n_units=50, seed=1).data
    with pytest.raises(InputError, match="'urn' \\(unit\\)"):
        twfe_did(df, "y", "urn", "time", "cohort")


def test_no_treated_units_is_an_error():
    df = simulate_staggered_panel(n_units=50, seed=1).data.assign(cohort=0)
    with pytest.raises(EstimationError, match="no treated units"):
        twfe_did(df, "y", "unit", "time", "cohort")


def test_duplicate_unit_time_rows_are_an_error():
    df = simulate_staggered_panel(n_units=50, seed=1).data
    with pytest.raises(InputError, match="duplicate"):
        twfe_did(pd.concat([df, df.head(1)]), "y", "unit", "time", "cohort")


def test_fully_dynamic_model_without_never_treated_is_reported_as_singular():
    df = simulate_staggered_panel(n_units=300, never_treated_share=0.001, seed=2).data
    df = df[df["cohort"] > 0]
    with pytest.raises(EstimationError, match="singular design.*bin_endpoints"):
        twfe_event_study(df, "y", "unit", "time", "cohort")


def test_time_invariant_covariate_is_reported_as_absorbed():
    df = simulate_staggered_panel(n_units=100, seed=2).data
    with pytest.raises(EstimationError, match=r"\['x'\] do not vary within units"):
        twfe_did(df, "y", "unit", "time", "cohort", covariates=["x"])


def test_unobserved_reference_event_time_is_an_error():
    df = simulate_staggered_panel(n_units=100, seed=2).data
    with pytest.raises(EstimationError, match="reference event time -20"):
        twfe_event_study(df, "y", "unit", "time", "cohort", reference=-20)


def _stacked(seed: int = 0) -> pd.DataFrame:
    """Two stacks (2014, 2016): own treated schools, the same comparison schools in both."""
    rng = np.random.default_rng(seed)
    frames = []
    controls = np.arange(40)
    for k, stack in enumerate((2014, 2016)):
        treated = 100 + 10 * k + np.arange(10)
        for urns, is_treated in ((controls, False), (treated, True)):
            years = np.arange(stack - 2, stack + 2)
            frames.append(pd.DataFrame({
                "urn": np.repeat(urns, len(years)), "year": np.tile(years, len(urns)),
                "stack": stack, "treated": is_treated,
            }))  # fmt: skip
    data = pd.concat(frames, ignore_index=True)
    data["y"] = (rng.normal(size=len(data)) + 0.1 * data["urn"]
                 + 1.5 * (data["treated"] & (data["year"] >= data["stack"])))  # fmt: skip
    data["unit"] = data["urn"] + 1_000_000 * data["treated"]
    data["cohort"] = np.where(data["treated"], data["stack"], 0)
    return data


def test_absorbed_stack_by_year_effects_match_coded_periods():
    data = _stacked()
    absorbed = twfe_event_study(data, "y", "unit", "year", "cohort", absorb=[("stack", "year")],
                                cluster="urn")  # fmt: skip
    coded = data.assign(period=data["stack"] * 10_000 + data["year"],
                        cohort=np.where(data["treated"], data["stack"] * 10_001, 0))  # fmt: skip
    expected = twfe_event_study(coded, "y", "unit", "period", "cohort", cluster="urn")
    pd.testing.assert_frame_equal(absorbed.table, expected.table, rtol=1e-8)
    assert absorbed.static.estimate == pytest.approx(expected.static.estimate, rel=1e-10)
    assert absorbed.spec.absorb == (("stack", "year"),)
    assert "'year', stack × year fixed effects" in absorbed.summary()


def test_twfe_results_have_the_shared_face():
    sim = simulate_staggered_panel(n_units=200, seed=2)
    res = twfe_event_study(sim.data, "y", "unit", "time", "cohort", min_e=-3, max_e=3, alpha=0.1)
    tidy = res.tidy()
    assert tidy["term"].iloc[0] == "treated (static TWFE)"
    assert (tidy["level"] == 0.9).all()
    assert res.headline()["estimate"] == pytest.approx(res.static.estimate)
    ax = res.plot()
    assert "90% pointwise interval" in [t.get_text() for t in ax.get_legend().get_texts()]
    with pytest.raises(InputError, match="absorb entry 3"):
        twfe_did(sim.data, "y", "unit", "time", "cohort", absorb=[3])
