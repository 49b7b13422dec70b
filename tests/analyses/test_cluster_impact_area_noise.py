"""Area-level noise of one area's estimate: planted LA × year shocks recovered."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from partnership_eval.analyses.cluster_impact import estimate_impact, impact_design
from partnership_eval.analyses.cluster_impact.area_noise import (
    contrast_noise,
    with_area_noise,
    year_contrast,
)
from partnership_eval.data.store import read_tables
from partnership_eval.errors import EstimationError

YEARS = np.arange(2012, 2020)
CONTRAST = pd.Series([-0.5, -0.5, 0.25, 0.25, 0.25, 0.25, 0.0, 0.0], index=YEARS)


def _world(la_sd: float, n_las: int = 120, schools: int = 30, seed: int = 0) -> pd.DataFrame:
    """LA means that move together by N(0, la_sd²) a year; school noise SD 12."""
    rng = np.random.default_rng(seed)
    la = np.repeat(np.arange(n_las), schools)
    shock = rng.normal(0, la_sd, (n_las, len(YEARS)))
    y = 60 + shock[la] + rng.normal(0, 12, (len(la), len(YEARS)))
    return pd.DataFrame(
        {
            "la_code": np.repeat(la + 300, len(YEARS)),
            "year": np.tile(YEARS, len(la)),
            "ks2_rwm_exp": y.ravel(),
        }
    )


@pytest.mark.parametrize("la_sd", [1.0, 2.0])
def test_planted_la_shocks_give_their_sd_through_the_contrast(la_sd):
    # error an LA's shocks add to the contrast: la_sd * ||a|| (a sums to zero)
    expected = la_sd * np.sqrt((CONTRAST**2).sum())
    sds = [contrast_noise(_world(la_sd, seed=s), "ks2_rwm_exp", CONTRAST).sd for s in range(5)]
    assert np.mean(sds) == pytest.approx(expected, abs=0.15)


def test_without_la_shocks_the_sd_is_only_what_truncation_at_zero_leaves():
    # the moment estimate of tau² scatters around 0; its square root, cut at 0, is small
    sds = [contrast_noise(_world(0.0, seed=s), "ks2_rwm_exp", CONTRAST).sd for s in range(5)]
    assert np.mean(sds) < 0.4 < contrast_noise(_world(1.0), "ks2_rwm_exp", CONTRAST).sd


def test_too_few_las_or_thin_las_are_refused_and_counted():
    world = _world(1.0, n_las=12, schools=30)
    thin = world[~((world["la_code"] < 303) & (world.index % 30 >= 3))]
    with pytest.raises(EstimationError, match="only 9 other LAs"):
        contrast_noise(thin, "ks2_rwm_exp", CONTRAST)
    noise = contrast_noise(world, "ks2_rwm_exp", CONTRAST)
    assert noise.n_areas == 12 and noise.exclusions.empty
    assert len(noise.plot().collections[0].get_offsets()) == 12  # one point per LA


@pytest.fixture(scope="module")
def devon_main(small_data_dir):
    design = impact_design(read_tables(small_data_dir), "Devon")
    return design, estimate_impact(design, n_boot=0)


def test_year_contrast_sums_to_zero_and_weights_base_years_negatively(devon_main):
    _, main = devon_main
    contrast = year_contrast(main)
    assert contrast.sum() == pytest.approx(0.0, abs=1e-12)
    base_years = [g - 1 - main.spec.anticipation for g in main.did.att_gt["cohort"].unique()]
    assert (contrast.reindex(base_years) < 0).all()
    # applied to the year itself, the contrast is the weighted mean gap between each post
    # year and its base year (cells weighted by their cohort's schools)
    att = main.did.att_gt
    post = att[att["post"] & att["att"].notna()]
    treated = main.sample[main.sample["group"] == "treated"].drop_duplicates("urn")
    size = post["cohort"].map(treated.groupby("first_treated").size())
    gap = post["time"] - (post["cohort"] - 1 - main.spec.anticipation)
    assert float(contrast @ contrast.index) == pytest.approx(np.average(gap, weights=size))


def test_area_sd_widens_the_headline_interval(devon_main):
    _, main = devon_main
    wider = with_area_noise_sd(main, 1.5)
    low, high = wider.interval
    assert wider.se == pytest.approx(np.hypot(main.simple.se, 1.5))
    assert high - low > main.simple.ci_high - main.simple.ci_low
    assert "whole area" in wider.inference_words and "not shocks" in main.inference_words


def with_area_noise_sd(main, sd):
    """``main`` with a given area SD, through the public path."""
    from dataclasses import replace

    noise = contrast_noise(_world(0.0), "ks2_rwm_exp", CONTRAST)
    return with_area_noise(main, replace(noise, sd=sd))
