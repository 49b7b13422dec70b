"""Synthetic England at full scale: calibration to published figures and planted processes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from partnership_eval.data.synthetic import simulate
from partnership_eval.data.synthetic.attainment import SMALL_RURAL_TREND, small_rural
from partnership_eval.data.synthetic.calibration import between_group_variance, school_changes
from partnership_eval.data.synthetic.spec import LA_YEAR_SD, NATIONAL_RWM, SCALES, Shocks

pytestmark = pytest.mark.slow

PUBLISHED_RWM = {y: v for y, v in NATIONAL_RWM.items() if y >= 2016}


@pytest.fixture(scope="module")
def world():
    return simulate("full", seed=0)


@pytest.fixture(scope="module")
def tables(world):
    return world.tables


@pytest.fixture(scope="module")
def mats(tables):
    m = tables["memberships"].merge(tables["partnerships"][["partnership_id", "kind", "founded"]])
    m = m[m["kind"] == "mat"].copy()
    m["first"] = m["joined"].dt.year + (m["joined"].dt.month >= 9)
    m["founded_year"] = m["founded"].dt.year + 1
    pace = tables["truth"].query("programme == 'mat_growth'").drop_duplicates("partnership_id")
    m["pace"] = m["partnership_id"].map(pace.set_index("partnership_id")["description"])
    return m


def test_about_16700_primaries_in_about_150_las_and_9_regions(tables):
    schools = tables["schools"]
    assert 16_400 <= len(schools) <= 17_000
    assert 145 <= schools["la_code"].nunique() <= 155
    assert schools["region"].nunique() == 9


def test_nearly_a_quarter_have_fewer_than_150_pupils(tables):
    assert 0.22 <= (tables["schools"]["pupils"] < 150).mean() <= 0.26


def test_about_1400_have_fewer_than_75_pupils(tables):
    assert 1_250 <= (tables["schools"]["pupils"] < 75).sum() <= 1_550


def test_small_schools_are_mostly_rural(tables):
    schools = tables["schools"]
    assert schools.loc[schools["pupils"] < 150, "rural"].mean() > 0.7
    assert schools.loc[schools["pupils"] >= 150, "rural"].mean() < 0.2


def test_fsm_share_varies_by_la(tables):
    by_la = tables["schools"].groupby("la_code")["fsm_pct"].mean()
    assert by_la.std() > 4
    assert by_la.max() - by_la.min() > 15


@pytest.mark.parametrize("year", sorted(PUBLISHED_RWM))
def test_pupil_weighted_national_rwm_within_one_point_of_published(tables, year):
    o = tables["outcomes"]
    o = o[(o["year"] == year) & o["ks2_rwm_exp"].notna()]
    national = np.average(o["ks2_rwm_exp"], weights=o["cohort_n"])
    assert national == pytest.approx(PUBLISHED_RWM[year], abs=1.0)


def test_school_level_progress_has_mean_zero_and_sd_about_three(tables):
    prog = tables["outcomes"]["read_prog"].dropna()
    assert abs(prog.mean()) < 0.2
    assert 2.3 < prog.std() < 3.7


def test_attendance_about_95_to_96_and_suspensions_positive(tables):
    o = tables["outcomes"]
    assert 95.0 <= o.loc[o["year"] <= 2019, "attendance"].mean() <= 96.5
    assert (o["exclusions"] >= 0).all() and o["exclusions"].mean() > 0.5


def test_inspection_grades_cover_one_to_four_mostly_good(tables):
    shares = tables["inspections"]["grade"].value_counts(normalize=True)
    assert set(shares.index) == {1, 2, 3, 4}
    assert shares[2] > 0.5


def test_inspections_every_three_to_five_years(tables):
    insp = tables["inspections"].sort_values(["urn", "date"])
    gaps = insp.groupby("urn")["date"].diff().dropna().dt.days / 365.25
    assert gaps.quantile(0.05) >= 2.9
    assert gaps.median() <= 5.1


def test_inspection_grades_follow_attainment(world, tables):
    insp = tables["inspections"]
    urn_pos = pd.Series(np.arange(len(world.schools)), index=world.schools["urn"])
    year = (insp["date"].dt.year + (insp["date"].dt.month >= 9)).clip(upper=2024)
    p = world.p_expected[urn_pos[insp["urn"]].to_numpy(), year.to_numpy() - 2010]
    assert np.corrcoef(p, -insp["grade"])[0, 1] > 0.3


def test_at_least_200_chains_founded_2011_to_2018(mats):
    founded = mats.drop_duplicates("partnership_id")["founded_year"]
    assert len(founded) >= 200
    assert founded.between(2011, 2018).all()


def test_steady_chains_average_about_13_schools_in_their_tenth_year(mats):
    steady = mats[(mats["pace"] == "steady") & (mats["founded_year"] <= 2015)]
    size = steady[steady["first"] <= steady["founded_year"] + 9].groupby("partnership_id").size()
    assert 12.0 <= size.mean() <= 14.0


def test_steady_chains_add_about_one_a_year_early_and_two_later(tables):
    truth = tables["truth"].query("programme == 'mat_growth' and description == 'steady'")
    k = truth["year"] - truth["cohort"]
    assert (truth.loc[k.between(1, 6), "effect"] == 1.0).all()
    assert (truth.loc[k >= 7, "effect"] == 2.0).all()


def test_measured_chains_grow_slower_than_steady(mats):
    old = mats[mats["founded_year"] <= 2015]
    size = old[old["first"] <= old["founded_year"] + 9].groupby(["pace", "partnership_id"]).size()
    assert size["measured"].mean() < size["steady"].mean() - 2


def test_aggressive_chains_start_with_10_12_schools_and_take_poisson_intakes(mats, tables):
    """Founding batches of 10-12, then three years of Poisson joiners around each chain's
    planted rate (3 to 9 a year), so some go from 10-12 academies to 30 or more."""
    aggressive = mats[mats["pace"] == "aggressive"]
    assert aggressive["partnership_id"].nunique() >= 5
    start = (
        aggressive[aggressive["first"] == aggressive["founded_year"]]
        .groupby("partnership_id")
        .size()
    )
    three = (
        aggressive[aggressive["first"] <= aggressive["founded_year"] + 3]
        .groupby("partnership_id")
        .size()
    )
    assert start.between(10, 12).all()
    truth = tables["truth"].query("programme == 'mat_growth' and description == 'aggressive'")
    spree = truth[(truth["year"] - truth["cohort"]).between(1, 3)]
    rate = spree.groupby("partnership_id")["effect"]
    assert rate.nunique().eq(1).all() and rate.first().between(3, 9).all()
    planted = rate.sum().reindex(three.index)
    added = three - start
    low, high = stats.poisson.ppf(0.0005, planted), stats.poisson.isf(0.0005, planted)
    assert ((added >= low) & (added <= high)).all()
    assert (three >= 30).any()


def test_sponsored_joiners_have_low_prior_attainment_and_revert_upwards(mats, tables):
    o = tables["outcomes"].dropna(subset=["ks2_rwm_exp"])
    o = o.assign(rel=o["ks2_rwm_exp"] - o.groupby("year")["ks2_rwm_exp"].transform("mean"))
    rel = o.set_index(["urn", "year"])["rel"]
    joiners = mats[
        mats["route"].isin(["sponsored", "converter"]) & mats["first"].between(2012, 2019)
    ]
    before = rel.reindex(list(zip(joiners["urn"], joiners["first"] - 1, strict=True))).to_numpy()
    after = rel.reindex(list(zip(joiners["urn"], joiners["first"] + 1, strict=True))).to_numpy()
    sponsored = (joiners["route"] == "sponsored").to_numpy()
    assert np.nanmean(before[sponsored]) < -10
    assert np.nanmean(before[~sponsored]) > 0
    assert np.nanmean(after[sponsored] - before[sponsored]) > 3


def test_intake_dip_is_negative_and_heavy_in_some_cohort_years(tables):
    dip = tables["truth"].query("programme == 'mat_intake_dip'")
    assert (dip["effect"] <= 0).all()
    assert dip["effect"].min() < -0.8
    assert "joiners" in dip["description"].iloc[0]


def test_naive_cluster_did_is_biased_by_the_small_rural_trend():
    # Without shocks, so that the trend is the only trap (with them, LA-year shocks of four
    # LAs and clusters starting after a bad year move the conditioned comparison too).
    world = simulate("full", seed=0, shocks=Shocks.off())
    schools = world.schools
    treated = np.zeros(len(schools), bool)
    for programme in world.programmes:
        treated |= programme.first_treated > 0
    clustered = world.programmes[0].first_treated > 0
    never = ~treated
    similar = (
        never & small_rural(schools) & ~np.isin(schools["la_code"], SCALES["full"].cluster_las)
    )
    pre, post = 2011 - 2010, 2019 - 2010
    change = 100 * (world.p_expected[:, post] - world.p_expected[:, pre])
    truth = world.realised["small_school_clusters"][clustered, post].mean()
    naive = change[clustered].mean() - change[never].mean()
    conditioned = change[clustered].mean() - change[similar].mean()
    assert naive - truth > 0.5 * SMALL_RURAL_TREND * (post - pre)
    assert abs(conditioned - truth) < 1.0


def test_between_la_shocks_come_out_at_the_calibrated_size(tables):
    la = tables["schools"].set_index("urn")["la_code"]
    measured = between_group_variance(school_changes(tables["outcomes"]), la)
    implied = np.sqrt(measured["excess_var"].mean() / 2)
    assert implied == pytest.approx(LA_YEAR_SD, rel=0.2)
