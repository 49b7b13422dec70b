"""Comparative interrupted time series and the improving-faster test against references."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from partnership_eval.analyses.area_network import (
    comparative_its,
    gap_change,
    gap_series,
    improving_faster,
)
from partnership_eval.errors import EstimationError

YEARS = np.array([2012, 2013, 2014, 2015, 2016, 2017, 2018, 2019, 2022, 2023, 2024])


def _gaps(noise_seed: int = 0) -> pd.DataFrame:
    t = YEARS - 2017
    gap = 1.0 + 0.2 * t + (t >= 0) * (2.0 + 0.5 * t)
    gap = gap + np.random.default_rng(noise_seed).normal(0, 0.3, len(t))
    return pd.DataFrame({"year": YEARS, "area": 50 + gap, "comparison": 50.0, "gap": gap})


def test_cits_matches_statsmodels_ols_with_t_intervals_on_n_minus_4_df():
    gaps = _gaps()
    res = comparative_its(gaps, 2017, comparison="neighbours", alpha=0.1)
    t = YEARS - 2017
    post = (t >= 0).astype(float)
    x = np.column_stack([np.ones_like(t), t, post, post * t]).astype(float)
    ref = sm.OLS(gaps["gap"].to_numpy(), x).fit()
    table = res.tidy().set_index("term")
    assert table.loc["level change at start", "estimate"] == pytest.approx(ref.params[2])
    assert table.loc["trend change per year", "se"] == pytest.approx(ref.bse[3])
    q = stats.t.ppf(0.95, len(t) - 4)
    row = table.loc["trend change per year"]
    assert row["ci_high"] == pytest.approx(ref.params[3] + q * ref.bse[3])
    mean_t = t[t >= 0].mean()
    average = ref.params[2] + mean_t * ref.params[3]
    assert table.loc["average effect after start", "estimate"] == pytest.approx(average)
    assert set(table["level"]) == {0.9}


def test_cits_recovers_the_planted_level_and_trend_change():
    table = comparative_its(_gaps(), 2017, comparison="neighbours").tidy().set_index("term")
    assert (
        table.loc["level change at start", "ci_low"]
        < 2.0
        < table.loc["level change at start", "ci_high"]
    )
    assert (
        table.loc["trend change per year", "ci_low"]
        < 0.5
        < table.loc["trend change per year", "ci_high"]
    )


def test_cits_needs_two_years_each_side():
    with pytest.raises(EstimationError, match="two or more years on each side"):
        comparative_its(_gaps()[_gaps()["year"] >= 2016], 2017, comparison="England")


def test_improving_faster_is_the_post_period_slope_of_the_gap_by_hand():
    gaps = pd.DataFrame({"year": [2017, 2018, 2019], "gap": [1.0, 1.5, 3.0]})
    gaps = gaps.assign(area=gaps["gap"], comparison=0.0)
    res = improving_faster(gaps, 2017)
    row = res.tidy().iloc[0]
    assert row["estimate"] == pytest.approx(1.0)  # slope through (0,1), (1,1.5), (2,3)
    resid = np.array([1.0, 1.5, 3.0]) - (0.8333333 + 1.0 * np.array([0, 1, 2]))
    se = np.sqrt(resid @ resid / 1 / 2)  # sigma² / Σ(t - t̄)², one degree of freedom
    assert row["se"] == pytest.approx(se, rel=1e-5)
    assert row["ci_low"] == pytest.approx(1.0 - stats.t.ppf(0.975, 1) * se, rel=1e-5)
    assert not res.rejects


def test_improving_faster_needs_three_post_years():
    gaps = pd.DataFrame({"year": [2016, 2017, 2018], "area": 1.0, "comparison": 0.0, "gap": 1.0})
    with pytest.raises(EstimationError, match="three or more years"):
        improving_faster(gaps, 2017)


def test_gap_series_keeps_years_both_sides_have():
    area = pd.DataFrame({"year": [2018, 2019, 2022], "value": [60.0, 62.0, 58.0]})
    comparison = pd.DataFrame({"year": [2018, 2022], "value": [59.0, 59.0]})
    gaps = gap_series(area, comparison)
    assert gaps["year"].tolist() == [2018, 2022]
    assert gaps["gap"].tolist() == [1.0, -1.0]


def test_gap_change_is_after_minus_before_and_ranked_among_other_areas():
    wide = pd.DataFrame(
        {
            1: [50.0, 52.0, 58.0],
            2: [50.0, 51.0, 52.0],
            3: [48.0, 49.0, 49.0],
            4: [51.0, 52.0, 54.0],
        },
        index=[2016, 2017, 2018],
    )
    england = pd.Series([50.0, 51.0, 52.0], index=[2016, 2017, 2018])
    res = gap_change(wide, england, 1, 2018)
    # area 1: gaps 0, 1 before and 6 after: 6 - 0.5
    assert res.estimate == pytest.approx(5.5)
    others = res.changes.set_index("la_code").loc[[2, 3, 4], "change"].tolist()
    assert others == pytest.approx([0.0, -1.0, 1.0])  # gaps (0,0,0), (-2,-2,-3), (1,1,2)
    assert res.p_value == pytest.approx(1 / 4)
    assert np.isinf(res.ci_high)  # 1 + 3 areas < 1 / alpha


def test_gap_change_needs_a_year_each_side():
    wide = pd.DataFrame({1: [50.0, 52.0], 2: [50.0, 51.0]}, index=[2017, 2018])
    with pytest.raises(EstimationError, match="a year with results before 2017"):
        gap_change(wide, pd.Series([50.0, 51.0], index=[2017, 2018]), 1, 2017)
