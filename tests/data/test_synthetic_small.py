"""Synthetic England at small scale: schema, determinism, structure of the partnerships."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from partnership_eval.cli import main
from partnership_eval.data.schema import TABLES, validate
from partnership_eval.data.store import read_tables, sha256_file
from partnership_eval.data.synthetic import build_synthetic_england, simulate, write_demo_data
from partnership_eval.data.synthetic.clusters import cluster_sizes
from partnership_eval.data.synthetic.spec import SCALES
from partnership_eval.errors import PartnershipEvalError


@pytest.fixture(scope="module")
def world():
    return simulate("small", seed=0)


@pytest.fixture(scope="module")
def tables(world):
    return world.tables


def _first_year(joined: pd.Series) -> pd.Series:
    return joined.dt.year + (joined.dt.month >= 9)


def _kind_members(tables, kinds) -> pd.DataFrame:
    m = tables["memberships"].merge(tables["partnerships"][["partnership_id", "kind", "la_code"]])
    return m[m["kind"].isin(kinds)].assign(first=lambda d: _first_year(d["joined"]))


@pytest.mark.parametrize("table", list(TABLES))
def test_every_table_passes_its_schema(tables, table):
    validate(tables[table], table)


def test_small_scale_has_a_few_las_and_1000_to_2000_schools(tables):
    schools = tables["schools"]
    assert 1000 <= len(schools) <= 2000
    assert set(SCALES["small"].la_codes) == set(schools["la_code"])


def test_no_outcome_rows_for_2020_and_2021(tables):
    assert not tables["outcomes"]["year"].isin([2020, 2021]).any()
    assert set(tables["outcomes"]["year"]) == set(range(2010, 2020)) | {2022, 2023, 2024}


def test_same_seed_gives_identical_tables(tables):
    again = build_synthetic_england("small", seed=0)
    for name, df in tables.items():
        pd.testing.assert_frame_equal(df, again[name], check_exact=True)


def test_different_seed_gives_different_tables(tables):
    other = build_synthetic_england("small", seed=1)
    assert not tables["outcomes"]["ks2_rwm_exp"].equals(other["outcomes"]["ks2_rwm_exp"])


def test_same_seed_writes_byte_identical_files(tmp_path):
    write_demo_data(tmp_path / "a", scale="small", seed=3)
    write_demo_data(tmp_path / "b", scale="small", seed=3)
    for name in TABLES:
        assert sha256_file(tmp_path / "a" / f"{name}.parquet") == sha256_file(
            tmp_path / "b" / f"{name}.parquet"
        )


def test_cli_demo_data_writes_tables_and_manifest(tmp_path, capsys):
    assert main(["demo-data", "--scale", "small", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "data_manifest.json").exists()
    data = read_tables(tmp_path)
    assert data.synthetic
    assert data.truth is not None and len(data.truth)
    assert data.schools.attrs["provenance"]["generator"] == "partnership_eval.data.synthetic"


def test_unknown_scale_and_negative_seed_raise_clear_errors():
    with pytest.raises(PartnershipEvalError, match="unknown scale 'medium'"):
        build_synthetic_england("medium")
    with pytest.raises(PartnershipEvalError, match="non-negative"):
        build_synthetic_england("small", seed=-1)


def test_published_percent_is_whole_pupils_of_the_cohort(tables):
    o = tables["outcomes"].dropna(subset=["ks2_rwm_exp"])
    pupils = o["ks2_rwm_exp"] / 100 * o["cohort_n"]
    assert (np.abs(pupils - np.round(pupils)) <= 0.5 / 100 * o["cohort_n"] + 1e-9).all()
    nine = o.loc[o["cohort_n"] == 9, "ks2_rwm_exp"]
    assert set(nine) <= {round(100 * k / 9) for k in range(10)}


def test_cohorts_of_five_or_fewer_are_suppressed_with_reason(tables):
    o = tables["outcomes"]
    small = o["cohort_n"] <= 5
    assert small.any()
    assert o.loc[small, "ks2_rwm_exp"].isna().all()
    assert (o.loc[small, "ks2_rwm_exp_reason"] == "suppressed").all()
    assert o.loc[~small, "ks2_rwm_exp"].notna().all()
    assert o["cohort_n"].notna().all()


def test_disadvantaged_results_missing_when_no_or_few_disadvantaged_pupils(tables):
    o = tables["outcomes"]
    none = o["disadv_n"] == 0
    assert (o.loc[none, "disadv_rwm_exp_reason"] == "no_pupils").all()
    few = o["disadv_n"].between(1, 5)
    assert o.loc[few, "disadv_rwm_exp"].isna().all()
    assert (o.loc[few, "disadv_rwm_exp_reason"] == "suppressed").all()


def test_progress_only_published_2016_to_2023_with_reasons(tables):
    o = tables["outcomes"]
    assert o.loc[o["year"] < 2016, "read_prog"].isna().all()
    assert (o.loc[o["year"] < 2016, "read_prog_reason"] == "not_applicable").all()
    assert (o.loc[o["year"] == 2024, "mat_prog_reason"] == "not_published").all()
    published = o[o["year"].isin([2016, 2019, 2022, 2023]) & (o["cohort_n"] > 5)]
    assert published["writ_prog"].notna().all()


def test_disadvantaged_pupils_do_worse_than_others(tables):
    o = tables["outcomes"]
    assert (o["non_disadv_rwm_exp"] - o["disadv_rwm_exp"]).mean() > 10


def test_cluster_sizes_cover_schools_in_groups_of_three_to_six():
    rng = np.random.default_rng(0)
    for n in (3, 4, 7, 11, 50, 301):
        sizes = cluster_sizes(n, rng)
        assert sizes.sum() == n
        assert sizes.min() >= 3 and sizes.max() <= 6


def test_clusters_are_three_to_six_small_schools_in_each_cluster_la(tables):
    members = _kind_members(tables, ["cluster"])
    schools = tables["schools"].set_index("urn")
    sizes = members.groupby("partnership_id").size()
    assert sizes.between(3, 6).all()
    assert (schools.loc[members["urn"], "pupils"] < 150).all()
    assert set(members["la_code"]) == set(SCALES["small"].cluster_las)
    assert (schools.loc[members["urn"], "la_code"].to_numpy() == members["la_code"]).all()


def test_nearly_all_small_schools_in_cluster_las_are_clustered(tables):
    schools = tables["schools"]
    small = schools[
        schools["la_code"].isin(SCALES["small"].cluster_las) & (schools["pupils"] < 150)
    ]
    clustered = small["urn"].isin(_kind_members(tables, ["cluster"])["urn"])
    assert clustered.mean() > 0.9


def test_clusters_start_in_staggered_years_2012_to_2014(tables):
    members = _kind_members(tables, ["cluster"])
    assert set(members["first"]) == {2012, 2013, 2014}
    assert (members.groupby("partnership_id")["first"].nunique() == 1).all()


def test_clusters_group_nearby_schools(tables):
    members = _kind_members(tables, ["cluster"])
    pos = tables["schools"].set_index("urn").loc[members["urn"], ["easting", "northing"]]
    pos = pos.set_index(members["partnership_id"].to_numpy())
    within = pos.groupby(level=0).std().mean().mean()
    overall = pos.std().mean()
    assert within < overall / 3


def test_cluster_effects_grow_with_exposure_and_differ_between_clusters(tables):
    truth = tables["truth"]
    per = truth[(truth["programme"] == "small_school_clusters") & truth["partnership_id"].notna()]
    first_two = per[per["year"] - per["cohort"] <= 1].sort_values("year")
    growth = first_two.groupby("partnership_id")["effect"].agg(lambda e: e.iloc[-1] - e.iloc[0])
    assert (growth > 0).all()
    assert per[per["year"] == 2019]["effect"].std() > 0.3


def test_network_triads_sit_inside_collaboratives_of_six_to_nine(tables):
    p = tables["partnerships"]
    members = _kind_members(tables, ["triad", "collaborative"])
    triads = p[p["kind"] == "triad"]
    assert (p.loc[p["kind"] == "collaborative", "parent_id"].isna()).all()
    assert triads["parent_id"].isin(p.loc[p["kind"] == "collaborative", "partnership_id"]).all()
    assert (members[members["kind"] == "triad"].groupby("partnership_id").size() == 3).all()
    collab_sizes = members[members["kind"] == "collaborative"].groupby("partnership_id").size()
    assert collab_sizes.between(6, 9).all()
    in_collab = members[members["kind"] == "collaborative"].set_index("urn")["partnership_id"]
    in_triad = members[members["kind"] == "triad"].set_index("urn")["partnership_id"]
    parent = triads.set_index("partnership_id")["parent_id"]
    assert (in_triad.map(parent) == in_collab.reindex(in_triad.index)).all()


def test_most_of_the_network_la_joins_in_one_year(tables):
    la = SCALES["small"].network_la
    members = _kind_members(tables, ["collaborative"])
    n_la = (tables["schools"]["la_code"] == la).sum()
    assert members["urn"].nunique() >= 0.85 * n_la
    assert members["first"].nunique() == 1


def test_federations_and_umbrella_trusts_have_three_to_six_schools(tables):
    members = _kind_members(tables, ["federation", "umbrella_trust"])
    assert set(members["kind"]) == {"federation", "umbrella_trust"}
    assert members.groupby("partnership_id").size().between(3, 6).all()


def test_chain_members_are_academies_and_others_are_not(tables):
    mat_urns = set(_kind_members(tables, ["mat"])["urn"])
    schools = tables["schools"]
    assert (schools["is_academy"] == schools["urn"].isin(mat_urns)).all()


def test_a_school_joins_at_most_one_programme(tables):
    members = _kind_members(
        tables, ["cluster", "mat", "collaborative", "federation", "umbrella_trust"]
    )
    assert not members["urn"].duplicated().any()


def test_truth_equals_mean_realised_effect_per_cohort_and_year(world, tables):
    kinds = {
        "small_school_clusters": ["cluster"],
        "mat_intake_dip": ["mat"],
        "peer_review_network": ["collaborative"],
        "federations": ["federation"],
        "umbrella_trusts": ["umbrella_trust"],
    }
    urn_pos = pd.Series(np.arange(len(world.schools)), index=world.schools["urn"])
    truth = tables["truth"]
    pooled = truth[truth["partnership_id"].isna() & truth["outcome"].eq("ks2_rwm_exp")]
    pooled = pooled[pooled["la_code"].isna() | (pooled["programme"] == "peer_review_network")]
    for programme, kind in kinds.items():
        members = _kind_members(tables, kind)
        effect = world.realised[programme][urn_pos[members["urn"]].to_numpy()]
        rows = pooled[pooled["programme"] == programme]
        assert len(rows)
        for row in rows.itertuples():
            in_cohort = (members["first"] == row.cohort).to_numpy()
            expected = effect[in_cohort, row.year - 2010].mean()
            assert row.effect == pytest.approx(expected, abs=1e-12)
            assert row.n_schools == in_cohort.sum()


def test_expected_probabilities_are_baseline_plus_realised_effects_and_partnership_shocks(world):
    total = sum(world.realised.values()) + world.shocks["partnership"]
    np.testing.assert_allclose(world.p_expected, world.p_base + total / 100, atol=1e-12)


def test_published_results_scatter_around_expected_probabilities(world, tables):
    o = tables["outcomes"]
    cols = o["year"].to_numpy() - 2010
    rows = np.repeat(np.arange(len(world.schools)), 13)
    expected = 100 * world.p_expected[rows, cols]
    ok = o["ks2_rwm_exp"].notna().to_numpy()
    residual = o["ks2_rwm_exp"].to_numpy()[ok] - expected[ok]
    assert abs(residual.mean()) < 0.3
