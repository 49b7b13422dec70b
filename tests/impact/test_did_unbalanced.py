"""staggered_did with allow_unbalanced_panel=True: each cell uses the units it observes.

School results are suppressed for small cohorts, so rows are missing at random at a
rate that depends on a unit trait; the unbalanced estimator keeps those units, stays
close to the full-data estimates and its intervals keep their coverage.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from partnership_eval.errors import InputError
from partnership_eval.impact.did_results import AttGtResult
from partnership_eval.impact.simulate import SimulatedPanel, simulate_staggered_panel
from partnership_eval.impact.staggered import staggered_did

KINDS = ("simple", "dynamic", "group", "calendar")
SELECTION = {"selection": 1.0, "covariate_trend": 0.3}


def _fit(data: pd.DataFrame, **kwargs: object) -> AttGtResult:
    return staggered_did(data, "y", "unit", "time", "cohort", **{"n_boot": 0, **kwargs})


def _suppress(data: pd.DataFrame, seed: int, small: float = 0.4, large: float = 0.05):
    """Drop rows at random, more often for 'small' units (covariate x below 0)."""
    rng = np.random.default_rng(seed)
    rate = np.where(data["x"] < 0, small, large)
    return data[rng.random(len(data)) >= rate]


@pytest.fixture(scope="module")
def balanced() -> pd.DataFrame:
    sim = simulate_staggered_panel(n_units=400, periods=range(2010, 2017), cohorts=(2012, 2014),
                                   seed=21, **SELECTION)  # fmt: skip
    rng = np.random.default_rng(0)
    return sim.data.assign(z=lambda d: d["x"] + rng.normal(size=len(d)))  # time-varying


@pytest.mark.parametrize("method", ["dr", "ipw", "reg"])
@pytest.mark.parametrize(
    "options",
    [
        {"covariates": ["x"]},
        {"covariates": ["x", "z"], "control_group": "not_yet_treated"},
        {"covariates": ["x"], "base_period": "universal", "anticipation": 1},
    ],
    ids=["never", "not_yet_time_varying", "universal_anticipation"],
)
def test_balanced_panel_gives_the_balanced_results_exactly(
    balanced: pd.DataFrame, method: str, options: dict
) -> None:
    default = _fit(balanced, method=method, **options)
    unbalanced = _fit(balanced, method=method, allow_unbalanced_panel=True, **options)
    cols = ["att", "se", "n_treated", "n_control"]
    np.testing.assert_allclose(
        unbalanced.att_gt[cols].to_numpy(float), default.att_gt[cols].to_numpy(float), rtol=1e-12
    )
    assert unbalanced.exclusions.empty
    for kind in KINDS:
        a, b = default.aggregate(kind), unbalanced.aggregate(kind)
        np.testing.assert_allclose([b.att, b.se], [a.att, a.se], rtol=1e-12)
        np.testing.assert_allclose(
            b.table[["att", "se"]].to_numpy(float), a.table[["att", "se"]].to_numpy(float),
            rtol=1e-12,
        )  # fmt: skip


def test_cell_standard_error_is_that_of_its_own_two_by_two(balanced: pd.DataFrame) -> None:
    holes = _suppress(balanced, seed=1)
    res = _fit(holes, covariates=["x"], allow_unbalanced_panel=True)
    cell = res.att_gt.set_index(["cohort", "time"]).loc[(2012, 2014)]
    # the 2×2 by hand: cohort 2012 and never-treated units observed in 2011 and 2014
    pair = holes[holes["time"].isin([2011, 2014]) & holes["cohort"].isin([0, 2012])]
    both = pair.groupby("unit")["time"].transform("size") == 2
    two_by_two = _fit(pair[both], covariates=["x"]).att_gt.iloc[0]
    counts = ["n_treated", "n_control"]
    assert cell[counts].tolist() == two_by_two[counts].tolist()
    np.testing.assert_allclose([cell["att"], cell["se"]], [two_by_two["att"], two_by_two["se"]],
                               rtol=1e-10)  # fmt: skip


def test_not_yet_treated_controls_are_observed_in_both_periods_and_untreated_by_then(
    balanced: pd.DataFrame,
) -> None:
    holes = _suppress(balanced, seed=2)
    res = _fit(holes, control_group="not_yet_treated", allow_unbalanced_panel=True)
    cell = res.att_gt.set_index(["cohort", "time"]).loc[(2012, 2013)]  # base 2011
    seen = (
        holes[holes["time"].isin([2011, 2013])]
        .groupby("unit")
        .agg(n=("time", "size"), cohort=("cohort", "first"))
    )
    seen = seen[seen["n"] == 2]
    assert cell["n_treated"] == (seen["cohort"] == 2012).sum()
    assert cell["n_control"] == ((seen["cohort"] == 0) | (seen["cohort"] > 2013)).sum()


def test_units_in_no_cell_are_counted(balanced: pd.DataFrame) -> None:
    # units of cohort 2012 seen only in 2011 and never-treated units seen only in 2016
    unit, time, cohort = (balanced[c] for c in ("unit", "time", "cohort"))
    lonely = ((cohort == 2012) & (unit % 10 == 0) & (time != 2011)) | (
        (cohort == 0) & (unit % 10 == 1) & (time != 2016)
    )
    res = _fit(balanced[~lonely], allow_unbalanced_panel=True)
    n_units = balanced.loc[lonely, "unit"].nunique()
    row = res.exclusions.iloc[0]
    assert "in no group-time cell" in row["reason"]
    assert (row["rows"], row["schools"]) == (n_units, n_units)
    assert res.n_units == balanced["unit"].nunique()


def test_unbalanced_option_needs_panel_data(balanced: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="allow_unbalanced_panel=True applies to panel data"):
        _fit(balanced, panel=False, allow_unbalanced_panel=True)


def test_summary_says_each_cell_uses_units_seen_in_both_periods(balanced: pd.DataFrame) -> None:
    res = _fit(_suppress(balanced, seed=3), allow_unbalanced_panel=True)
    assert "unbalanced panel (each cell: units observed in both its periods)" in res.summary()


@pytest.fixture(scope="module")
def mpdta_fits(did_reference_dir: Path) -> dict[str, AttGtResult]:
    mp = pd.read_csv(did_reference_dir / "mpdta.csv")
    holes = mp[np.random.default_rng(1).random(len(mp)) >= 0.15]  # 15% of rows, MCAR

    def fit(data: pd.DataFrame, **kwargs: object) -> AttGtResult:
        return staggered_did(data, "lemp", "countyreal", "year", "first_treat",
                             covariates=["lpop"], n_boot=0, **kwargs)  # fmt: skip

    return {
        "full": fit(mp),
        "unbalanced": fit(holes, allow_unbalanced_panel=True),
        "balanced": fit(holes),
    }


@pytest.mark.parametrize("kind", KINDS)
def test_mpdta_with_rows_missing_at_random_stays_close_to_full_data(
    mpdta_fits: dict[str, AttGtResult], kind: str
) -> None:
    full, unbalanced = mpdta_fits["full"].aggregate(kind), mpdta_fits["unbalanced"].aggregate(kind)
    assert abs(unbalanced.att - full.att) < 0.5 * full.se
    assert 1.0 < unbalanced.se / full.se < 1.5


def test_mpdta_unbalanced_keeps_units_that_balancing_drops(
    mpdta_fits: dict[str, AttGtResult],
) -> None:
    unbalanced, balanced = mpdta_fits["unbalanced"], mpdta_fits["balanced"]
    assert unbalanced.n_units == 500
    assert balanced.n_units < 300
    for kind in KINDS:
        assert unbalanced.aggregate(kind).se < 0.8 * balanced.aggregate(kind).se


def _true_aggregates(sim: SimulatedPanel) -> tuple[float, float]:
    """Simple and dynamic (overall) aggregates of the planted ATT(g, t), cohort-size weighted."""
    sizes = sim.data.drop_duplicates("unit")["cohort"].value_counts()
    truth = sim.truth.assign(
        n=lambda d: d["cohort"].map(sizes), e=lambda d: d["time"] - d["cohort"]
    )
    simple = np.average(truth["att"], weights=truth["n"])
    by_e = truth.groupby("e").apply(lambda d: np.average(d["att"], weights=d["n"]))
    return float(simple), float(by_e.mean())


def _small_school_panel(seed: int) -> SimulatedPanel:
    return simulate_staggered_panel(n_units=300, periods=range(2010, 2016), cohorts=(2012, 2014),
                                    seed=seed, **SELECTION)  # fmt: skip


def test_unbalanced_intervals_cover_planted_aggregates_at_nominal_rate() -> None:
    covered = {"simple": [], "dynamic": []}
    for rep in range(100):
        sim = _small_school_panel(seed=500 + rep)
        res = _fit(_suppress(sim.data, seed=rep), covariates=["x"], allow_unbalanced_panel=True)
        truth = dict(zip(covered, _true_aggregates(sim), strict=True))
        for kind, hits in covered.items():
            agg = res.aggregate(kind)
            hits.append(agg.ci_low <= truth[kind] <= agg.ci_high)
    for kind, hits in covered.items():
        assert 0.88 <= np.mean(hits) <= 0.99, kind


def test_balancing_loses_the_small_units_the_unbalanced_estimator_keeps() -> None:
    sim = _small_school_panel(seed=7)
    holes = _suppress(sim.data, seed=7)
    unbalanced = _fit(holes, covariates=["x"], allow_unbalanced_panel=True)
    balanced = _fit(holes, covariates=["x"])
    small = holes.loc[holes["x"] < 0, "unit"].nunique()
    assert unbalanced.n_units == holes["unit"].nunique()
    assert balanced.exclusions["schools"].sum() > 0.9 * small
    assert unbalanced.att_gt["n_treated"].sum() > 1.4 * balanced.att_gt["n_treated"].sum()


def test_bootstrap_standard_errors_track_analytic_ones_on_an_unbalanced_panel() -> None:
    sim = simulate_staggered_panel(n_units=2000, periods=range(2010, 2016), cohorts=(2012, 2014),
                                   seed=9, **SELECTION)  # fmt: skip
    holes = _suppress(sim.data, seed=9)
    analytic = _fit(holes, covariates=["x"], allow_unbalanced_panel=True)
    boot = _fit(holes, covariates=["x"], allow_unbalanced_panel=True, n_boot=999, seed=3)
    np.testing.assert_allclose(boot.att_gt["se"], analytic.att_gt["se"], rtol=0.1)
    for kind in KINDS:
        a, b = analytic.aggregate(kind), boot.aggregate(kind)
        np.testing.assert_allclose([b.se, *b.table["se"]], [a.se, *a.table["se"]], rtol=0.1)
