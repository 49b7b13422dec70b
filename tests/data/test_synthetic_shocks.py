"""Synthetic England's shocks: each switch changes what it should and nothing else, and truth records it."""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pandas as pd
import pytest

from partnership_eval.data.store import read_tables
from partnership_eval.data.synthetic import build_synthetic_england, simulate, write_demo_data
from partnership_eval.data.synthetic.calibration import between_group_variance, school_changes
from partnership_eval.data.synthetic.clusters import START_YEARS
from partnership_eval.data.synthetic.spec import LA_YEAR_SD, PARTNERSHIP_SD, SCALES, Shocks
from partnership_eval.errors import PartnershipEvalError

SHOCK_PROGRAMMES = {
    "la_year_sd": "la_year_shock",
    "partnership_sd": "partnership_shock",
    "bad_year_share": "cluster_bad_year_selection",
    "takeover_share": "trust_takeover",
}
EFFECT_PROGRAMMES = [
    "small_school_clusters",
    "mat_intake_dip",
    "mat_growth",
    "peer_review_network",
    "federations",
    "umbrella_trusts",
]


def only(field: str) -> Shocks:
    """Every shock off except ``field``, at its default size."""
    return dataclasses.replace(Shocks.off(), **{field: getattr(Shocks(), field)})


@pytest.fixture(scope="module")
def on():
    return simulate("small", seed=0)


@pytest.fixture(scope="module")
def off():
    return simulate("small", seed=0, shocks=Shocks.off())


@pytest.fixture(scope="module")
def single():
    return {field: simulate("small", seed=0, shocks=only(field)) for field in SHOCK_PROGRAMMES}


def _kind(tables, kinds) -> pd.DataFrame:
    m = tables["memberships"].merge(tables["partnerships"][["partnership_id", "kind"]])
    return m[m["kind"].isin(kinds)].reset_index(drop=True)


REVIEW_PROGRAMMES = ["peer_reviews"]
"""Truth of the review records: planted over-rating and kappa, which rest on school
quality (so move with the shocks), not effects of partnership."""


def _effects(tables) -> pd.DataFrame:
    t = tables["truth"]
    return t[t["programme"].isin(EFFECT_PROGRAMMES)].reset_index(drop=True)


def test_default_demo_data_has_every_shock_on():
    assert SCALES["small"].shocks == Shocks() == SCALES["full"].shocks
    assert Shocks().la_year_sd == LA_YEAR_SD > 0 and Shocks().partnership_sd == PARTNERSHIP_SD > 0
    assert Shocks().bad_year_share > 0 and Shocks().takeover_share > 0


def test_truth_records_each_shock_only_when_it_is_on(on, off, single):
    assert set(SHOCK_PROGRAMMES.values()) <= set(on.tables["truth"]["programme"])
    assert not set(SHOCK_PROGRAMMES.values()) & set(off.tables["truth"]["programme"])
    for field, programme in SHOCK_PROGRAMMES.items():
        recorded = set(single[field].tables["truth"]["programme"]) - set(
            EFFECT_PROGRAMMES + REVIEW_PROGRAMMES
        )
        assert recorded == {programme}, field


def test_la_year_shock_moves_all_schools_of_an_la_together_and_nothing_else(off, single):
    world = single["la_year_sd"]
    truth = world.tables["truth"].query("programme == 'la_year_shock'")
    la = world.schools["la_code"].to_numpy()
    assert set(truth["la_code"]) == set(la)
    planted = truth.pivot(index="la_code", columns="year", values="effect")
    np.testing.assert_allclose(world.shocks["la_year"], planted.loc[la].to_numpy())
    assert truth["effect"].std() == pytest.approx(LA_YEAR_SD, rel=0.25)
    counts = truth.groupby("la_code")["n_schools"].first()
    assert counts.to_dict() == pd.Series(la).value_counts().to_dict()
    np.testing.assert_allclose(
        world.shocks["transitory"] - world.shocks["la_year"], off.shocks["transitory"]
    )
    # Sponsors pick on results, which now hold the LA's shocks: only chains may differ.
    academy = ["is_academy", "school_type"]
    pd.testing.assert_frame_equal(
        world.tables["schools"].drop(columns=academy), off.tables["schools"].drop(columns=academy)
    )
    kinds = ["cluster", "collaborative", "triad", "federation", "umbrella_trust"]
    pd.testing.assert_frame_equal(_kind(world.tables, kinds), _kind(off.tables, kinds))


def _pooled_excess(tables) -> float:
    la = tables["schools"].set_index("urn")["la_code"]
    return between_group_variance(school_changes(tables["outcomes"]), la)["excess_var"].mean()


def test_between_la_year_to_year_variance_rises_by_the_planted_size(off, single):
    # A fresh yearly shock of SD s adds 2 s^2 to the variance of LA changes; with six LAs
    # over eleven year pairs the excess is known to about +-0.6 pp^2.
    planted = 2 * LA_YEAR_SD**2
    assert _pooled_excess(single["la_year_sd"].tables) == pytest.approx(planted, abs=1.2)
    assert _pooled_excess(off.tables) == pytest.approx(0.0, abs=1.2)


def test_partnership_shock_is_shared_by_members_from_joining_and_only_them(off, single):
    world = single["partnership_sd"]
    np.testing.assert_allclose(world.p_base, off.p_base)
    shift = 100 * (world.p_expected - off.p_expected)
    np.testing.assert_allclose(shift, world.shocks["partnership"], atol=1e-9)
    members = pd.concat([p.memberships for p in world.programmes])
    outside = np.setdiff1d(np.arange(len(world.schools)), members["pos"])
    assert (shift[outside] == 0).all()
    truth = world.tables["truth"].query("programme == 'partnership_shock'")
    assert truth["effect"].std() == pytest.approx(PARTNERSHIP_SD, rel=0.2)
    assert (
        not truth["partnership_id"].str.contains("-T").any()
    )  # triads share their collaborative's
    pos = pd.Series(np.arange(len(world.schools)), index=world.schools["urn"])
    clusters = _kind(world.tables, ["cluster"]).assign(
        pos=lambda d: pos[d["urn"]].to_numpy(),
        first=lambda d: d["joined"].dt.year + (d["joined"].dt.month >= 9),
    )
    planted = truth.set_index(["partnership_id", "year"])["effect"]
    for row in clusters.head(40).itertuples():
        years = np.arange(2010, 2025)
        keys = [(row.partnership_id, y) for y in years]
        expected = planted.reindex(keys).fillna(0).to_numpy().copy()
        expected[years < row.first] = 0
        unclipped = (off.p_expected[row.pos] > 0.02) & (off.p_expected[row.pos] < 0.98)
        np.testing.assert_allclose(shift[row.pos][unclipped], expected[unclipped], atol=1e-9)
    pd.testing.assert_frame_equal(world.tables["memberships"], off.tables["memberships"])
    pd.testing.assert_frame_equal(_effects(world.tables), _effects(off.tables))
    # Pupil-level draws: results of schools outside partnerships are exactly as they were
    # (progress scores are relative to the national mean, so they may move a little).
    urns = world.schools["urn"].to_numpy()[outside]
    mine, theirs = (w.tables["outcomes"].filter(regex="^(?!.*_prog)") for w in (world, off))
    pd.testing.assert_frame_equal(
        mine[mine["urn"].isin(urns)].reset_index(drop=True),
        theirs[theirs["urn"].isin(urns)].reset_index(drop=True),
    )
    changed = mine["ks2_rwm_exp"].ne(theirs["ks2_rwm_exp"]) & mine["ks2_rwm_exp"].notna()
    assert changed.any()


def test_bad_year_selection_changes_only_start_years_of_selected_clusters(off, single):
    world = single["bad_year_share"]
    np.testing.assert_allclose(world.p_base, off.p_base)
    truth = world.tables["truth"].query("programme == 'cluster_bad_year_selection'")
    n_clusters = _kind(world.tables, ["cluster"])["partnership_id"].nunique()
    assert 0.3 < len(truth) / n_clusters < 0.7
    a, b = world.tables["memberships"], off.tables["memberships"]
    pd.testing.assert_frame_equal(a.drop(columns="joined"), b.drop(columns="joined"))
    moved = a.loc[a["joined"] != b["joined"], "partnership_id"]
    assert set(moved) <= set(truth["partnership_id"])
    assert (truth["year"] == truth["cohort"] - 1).all()
    others = _kind(world.tables, ["mat", "collaborative", "federation", "umbrella_trust"])
    pd.testing.assert_frame_equal(
        others, _kind(off.tables, ["mat", "collaborative", "federation", "umbrella_trust"])
    )


def _pre_years(world, ids) -> pd.DataFrame:
    """Mean transitory draw of ``ids``' schools in each candidate pre-start year, and theirs."""
    m = _kind(world.tables, ["cluster"])
    m = m[m["partnership_id"].isin(ids)]
    pos = pd.Series(np.arange(len(world.schools)), index=world.schools["urn"])[m["urn"]]
    draws = world.shocks["transitory"][np.ix_(pos.to_numpy(), START_YEARS - 1 - 2010)]
    frame = pd.DataFrame(draws, columns=START_YEARS - 1).assign(pid=m["partnership_id"].to_numpy())
    first = (m["joined"].dt.year + (m["joined"].dt.month >= 9)).to_numpy()
    frame["own"] = draws[np.arange(len(m)), np.searchsorted(START_YEARS, first)]
    return frame.groupby("pid").mean()


def test_selected_clusters_start_after_their_worst_year_and_truth_says_how_bad(off, single):
    world = single["bad_year_share"]
    truth = world.tables["truth"].query("programme == 'cluster_bad_year_selection'")
    pre = _pre_years(world, truth["partnership_id"])
    planted = truth.set_index("partnership_id")["effect"]
    np.testing.assert_allclose(pre["own"], pre[START_YEARS - 1].min(axis=1))
    np.testing.assert_allclose(pre["own"], planted.reindex(pre.index))
    # Without selection the same clusters' pre-start years are ordinary.
    assert pre["own"].mean() < -1.0
    assert _pre_years(off, truth["partnership_id"])["own"].mean() > pre["own"].mean() + 1.0


def test_bad_year_selection_shows_as_a_lower_published_pre_start_year(single):
    world = single["bad_year_share"]
    t = world.tables
    ids = t["truth"].query("programme == 'cluster_bad_year_selection'")["partnership_id"]
    m = _kind(t, ["cluster"])
    m = m.assign(
        first=m["joined"].dt.year + (m["joined"].dt.month >= 9),
        selected=m["partnership_id"].isin(ids),
    )
    o = t["outcomes"].dropna(subset=["ks2_rwm_exp"])
    o = o.assign(rel=o["ks2_rwm_exp"] - o.groupby("year")["ks2_rwm_exp"].transform("mean"))
    x = o.merge(m[["urn", "first", "selected"]])
    pre = x[x["year"] == x["first"] - 1].groupby("selected")["rel"].mean()
    later = x[x["year"].between(x["first"] + 1, x["first"] + 2)].groupby("selected")["rel"].mean()
    assert later[True] - pre[True] > later[False] - pre[False] + 0.5


def test_takeovers_pick_schools_after_a_bad_year_and_keep_chain_growth(off, single):
    world = single["takeover_share"]
    np.testing.assert_allclose(world.p_base, off.p_base)
    truth = world.tables["truth"].query("programme == 'trust_takeover'")
    assert truth["n_schools"].sum() > 10
    assert np.average(truth["effect"], weights=truth["n_schools"]) < -6.0
    assert truth["partnership_id"].str.startswith("MAT").all()
    mats, base = _kind(world.tables, ["mat"]), _kind(off.tables, ["mat"])
    assert not mats["urn"].equals(base["urn"])
    per = ["partnership_id", "route"]
    pd.testing.assert_series_equal(mats.groupby(per).size(), base.groupby(per).size())
    growth = "programme == 'mat_growth'"
    pd.testing.assert_frame_equal(
        world.tables["truth"].query(growth).reset_index(drop=True),
        off.tables["truth"].query(growth).reset_index(drop=True),
    )
    kinds = ["cluster", "collaborative", "federation", "umbrella_trust"]
    pd.testing.assert_frame_equal(_kind(world.tables, kinds), _kind(off.tables, kinds))


def test_takeovers_are_sponsored_joiners_with_a_low_last_published_year(single):
    world = single["takeover_share"]
    truth = world.tables["truth"].query("programme == 'trust_takeover'")
    last = truth["cohort"] - 1
    assert (truth["year"] == last.where(~last.isin([2020, 2021]), 2019)).all()


def test_same_seed_with_shocks_gives_identical_tables(on):
    again = build_synthetic_england("small", seed=0)
    for name, df in on.tables.items():
        pd.testing.assert_frame_equal(df, again[name], check_exact=True)


def _seconds(shocks: Shocks) -> float:
    start = time.perf_counter()
    simulate("small", seed=5, shocks=shocks)
    return time.perf_counter() - start


def test_small_scale_with_shocks_builds_about_as_fast_as_without():
    # Relative, so a busy machine does not fail it; about a second each on an idle one.
    assert _seconds(Shocks()) < 1.5 * _seconds(Shocks.off()) + 1.0


@pytest.mark.parametrize(
    "bad", [{"la_year_sd": -1.0}, {"bad_year_share": 1.5}, {"takeover_share": "half"}]
)
def test_bad_shock_settings_raise_clear_errors(bad):
    with pytest.raises(PartnershipEvalError, match="0 switches it off"):
        Shocks(**bad)


def test_written_demo_data_records_its_shocks(tmp_path):
    write_demo_data(tmp_path, scale="small", seed=0, shocks=only("la_year_sd"))
    data = read_tables(tmp_path)
    assert data.schools.attrs["provenance"]["shocks"] == dataclasses.asdict(only("la_year_sd"))
    programmes = set(data.truth["programme"]) - set(EFFECT_PROGRAMMES + REVIEW_PROGRAMMES)
    assert programmes == {"la_year_shock"}
