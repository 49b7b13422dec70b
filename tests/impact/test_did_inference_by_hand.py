"""Influence-function inference on tiny hand-made influence matrices.

Six units, two estimates: psi_1 = (1, -1, 2, -2, 0, 0), psi_2 = (0, 0, 0, 0, 3, -3),
so Var = psi'psi / 36 = diag(10, 18) / 36; a third, all-zero column cannot be tested.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from partnership_eval.impact.did_inference import (
    WaldTest,
    analytic_inference,
    bootstrap_draws,
    bootstrap_inference,
    cluster_sums,
    infer,
    multiplier_matrix,
    pretest_average,
    pretest_chi2,
    pretest_hotelling,
)

PSI = np.array([[1, 0, 0], [-1, 0, 0], [2, 0, 0], [-2, 0, 0], [0, 3, 0], [0, -3, 0]], float)
ATT = np.array([0.5, 1.0, 100.0])
PAIRS = np.array([0, 1, 0, 1, 2, 2])  # clusters: units 1+3, 2+4, 5+6


def test_cluster_sums_add_each_cluster_s_rows():
    assert cluster_sums(PSI, PAIRS).tolist() == [[3, 0, 0], [-3, 0, 0], [0, 0, 0]]
    assert (cluster_sums(PSI, None) == PSI).all()  # each unit its own cluster
    one = cluster_sums(PSI[:, 0], np.array([0, 0, 1, 1, 3, 3]))
    assert one.tolist() == [[0], [0], [0], [0]]  # a 1-d influence gives one column


def test_analytic_standard_errors_and_normal_interval():
    inf = analytic_inference(PSI, None, alpha=0.1)
    assert inf.se[:2] == pytest.approx([np.sqrt(10) / 6, np.sqrt(18) / 6])
    assert np.isnan(inf.se[2])  # no variance: no standard error
    assert inf.critical_value == pytest.approx(stats.norm.ppf(0.95))
    assert inf.band == "pointwise"
    low, high = inf.interval(ATT)
    half = stats.norm.ppf(0.95) * np.array([np.sqrt(10), np.sqrt(18)]) / 6
    assert low[:2] == pytest.approx(ATT[:2] - half) and high[:2] == pytest.approx(ATT[:2] + half)
    clustered = analytic_inference(PSI, PAIRS, alpha=0.05)
    assert clustered.se[0] == pytest.approx(np.sqrt(18) / 6)  # sums 3 and -3
    assert np.isnan(clustered.se[1])  # 3 - 3 = 0 within the pair of units 5 and 6


def test_infer_is_analytic_without_draws_and_bootstrap_with_them():
    assert infer(PSI, None, 0, 1, 0.05).band == "pointwise"
    assert infer(PSI, None, 1, 1, 0.05).band == "uniform"


@pytest.mark.parametrize(
    ("kind", "q25", "q75"),
    [
        # one unit with influence 3 of 4: draws are 3/4 times the multiplier, whose
        # quartiles are -1 and 1 (Rademacher, Webb) or Mammen's low and high points
        ("rademacher", -1, 1),
        ("webb", -1, 1),
        ("mammen", -np.sqrt(71 / 185), np.sqrt(185 / 71)),
    ],
)
def test_bootstrap_se_is_the_interquartile_range_of_the_chosen_multipliers(kind, q25, q75):
    psi = np.array([[3.0], [0.0], [0.0], [0.0]])
    iqr_of_normal = stats.norm.ppf(0.75) - stats.norm.ppf(0.25)
    for boot in (
        bootstrap_inference(psi, None, 999, seed=2, alpha=0.05, multipliers=kind),
        infer(psi, None, 999, 2, 0.05, kind),
    ):
        assert boot.se == pytest.approx([0.75 * (q75 - q25) / iqr_of_normal], rel=1e-6)


def test_mammen_weights_take_two_values_with_mean_zero():
    p = 185 / 256
    low, high = -np.sqrt((1 - p) / p), np.sqrt(p / (1 - p))
    v = multiplier_matrix(np.random.default_rng(3), 2000, 40, "mammen")
    assert np.unique(v) == pytest.approx([low, high])
    assert (v == v.min()).mean() == pytest.approx(p, abs=0.01)
    assert p * low + (1 - p) * high == pytest.approx(0)


def test_rademacher_and_webb_weights_take_their_points():
    rademacher = multiplier_matrix(np.random.default_rng(3), 500, 40, "rademacher")
    assert np.unique(rademacher).tolist() == [-1.0, 1.0]
    assert (rademacher == 1).mean() == pytest.approx(0.5, abs=0.02)
    webb = multiplier_matrix(np.random.default_rng(3), 500, 40, "webb")
    points = [-np.sqrt(1.5), -1, -np.sqrt(0.5), np.sqrt(0.5), 1, np.sqrt(1.5)]
    assert np.unique(webb) == pytest.approx(points)
    assert np.bincount(np.searchsorted(np.unique(webb), webb.ravel())) / webb.size == (
        pytest.approx([1 / 6] * 6, abs=0.02)
    )


@pytest.mark.parametrize("kind", ["mammen", "rademacher", "webb"])
def test_bootstrap_draws_are_multipliers_times_cluster_sums_over_n(kind: str):
    # 300 draws: chunks of 128, 128 and 44, drawn in order from the same generator
    rng = np.random.default_rng(7)
    v = np.vstack([multiplier_matrix(rng, size, 3, kind) for size in (128, 128, 44)])
    expected = v @ cluster_sums(PSI, PAIRS) / 6
    draws = bootstrap_draws(PSI, PAIRS, 300, seed=7, multipliers=kind)
    assert draws.shape == (300, 3)
    assert draws == pytest.approx(expected, abs=1e-6)
    assert (bootstrap_draws(PSI, PAIRS, 300, seed=8, multipliers=kind) != draws).any()


def _independent(n: int = 400, seed: int = 0) -> np.ndarray:
    """Two estimates whose influence functions are independent standard normals."""
    return np.random.default_rng(seed).normal(size=(n, 2))


def test_bootstrap_se_is_the_analytic_se_and_the_band_is_sup_t():
    psi = _independent()
    boot = bootstrap_inference(psi, None, 4000, seed=1, alpha=0.1)
    assert boot.band == "uniform"
    assert boot.se == pytest.approx(analytic_inference(psi, None, 0.1).se, rel=0.05)
    # two independent normal estimates: P(max |Z| <= c) = (2 Phi(c) - 1)^2 = 0.9
    assert boot.critical_value == pytest.approx(stats.norm.ppf((1 + np.sqrt(0.9)) / 2), rel=0.04)
    # one estimate: the pointwise quantile
    one = bootstrap_inference(psi[:, :1], None, 4000, seed=1, alpha=0.1)
    assert one.critical_value == pytest.approx(stats.norm.ppf(0.95), rel=0.04)


def test_bootstrap_of_estimates_without_variance_gives_no_band():
    boot = bootstrap_inference(np.zeros((10, 2)), None, 50, seed=1, alpha=0.05)
    assert np.isnan(boot.se).all() and np.isnan(boot.critical_value)
    assert boot.band == "uniform"
    partly = bootstrap_inference(PSI, None, 999, seed=1, alpha=0.05)
    assert np.isnan(partly.se[2]) and np.isfinite(partly.se[0])
    assert np.isfinite(partly.critical_value)


def test_chi2_pretest_by_hand():
    test = pretest_chi2(ATT, PSI, None)
    wald = 0.25 / (10 / 36) + 1 / (18 / 36)  # 0.9 + 2; the zero column is left out
    assert (test.statistic, test.df, test.method) == (pytest.approx(wald), 2, "chi2")
    assert test.p_value == pytest.approx(np.exp(-wald / 2))
    clustered = pretest_chi2(ATT, PSI, PAIRS)  # sums 3, -3, 0: only the first is testable
    assert (clustered.statistic, clustered.df) == (pytest.approx(0.25 / (18 / 36)), 1)
    small = pretest_chi2(ATT / 1e4, PSI / 1e4, None)  # the units of the outcome
    assert (small.statistic, small.df) == (pytest.approx(wald), 2)
    assert pretest_chi2(ATT, np.zeros((6, 3)), None) is None
    assert pretest_chi2(ATT[:2], PSI[:, [0, 0]], None) is None  # singular


def test_hotelling_pretest_by_hand():
    test = pretest_hotelling(ATT, PSI, None)
    wald, g, k = 2.9, 6, 2
    f = wald * (g - 1) / g * (g - k) / (k * (g - 1))
    assert (test.statistic, test.df, test.df_denominator) == (pytest.approx(f), 2, 4)
    assert test.p_value == pytest.approx(stats.f.sf(f, 2, 4))
    assert test.method == "hotelling"
    # two clusters for two estimates: no degrees of freedom left
    assert pretest_hotelling(ATT[:2], np.eye(2), np.array([0, 1])) is None
    one = pretest_hotelling(ATT[:1], PSI[:, :1], PAIRS)  # clusters with a non-zero sum: 2
    assert (one.df, one.df_denominator) == (1, 1)
    assert pretest_hotelling(ATT, np.zeros((6, 3)), None) is None


def test_average_pretest_by_hand():
    test = pretest_average(ATT, PSI, None)
    # mean influence (0.5, -0.5, 1, -1, 1.5, -1.5) of the two testable estimates
    se = np.sqrt(7) / 6
    assert (test.estimate, test.se) == (pytest.approx(0.75), pytest.approx(se))
    assert test.statistic == pytest.approx((0.75 / se) ** 2)
    assert (test.df, test.df_denominator, test.method) == (1, 5, "average")
    assert test.p_value == pytest.approx(stats.f.sf((0.75 / se) ** 2, 1, 5))
    small = pretest_average(ATT / 100, PSI / 100, None)  # the units of the outcome
    assert small.statistic == pytest.approx(test.statistic) and small.se == pytest.approx(se / 100)
    clustered = pretest_average(ATT, PSI, PAIRS)  # sums 1.5, -1.5 and 0: two clusters
    assert clustered.se == pytest.approx(np.sqrt(4.5) / 6) and clustered.df_denominator == 1
    assert pretest_average(ATT, np.zeros((6, 3)), None) is None
    assert pretest_average(ATT[:1], PSI[:, :1], np.array([0, 0, 0, 0, 1, 1])) is None  # g = 0
    one_cluster = np.array([[1.0], [0.0], [0.0]])  # only the first cluster's sum is non-zero
    assert pretest_average(ATT[:1], one_cluster, np.array([0, 1, 1])) is None


def test_tests_describe_themselves():
    average = WaldTest(4.0, 1, 0.05, "average", df_denominator=9, estimate=0.12345, se=0.06)
    assert average.describe() == (
        "mean pre-treatment effect 0.1235 (se 0.0600), t² = 4.000 on 1 and 9 df, p = 0.0500"
    )
    hotelling = WaldTest(2.5, 3, 0.1234567, "hotelling", df_denominator=20)
    assert hotelling.describe() == "Hotelling F = 2.500 on 3 and 20 df, p = 0.1235"
    assert WaldTest(7.0, 2, 0.03).describe() == "Wald χ² = 7.000, df = 2, p = 0.0300"
