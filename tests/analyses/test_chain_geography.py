"""Chain geography: spread measures, local clusters and the compact/spread-out comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from partnership_eval.analyses.chain_growth import chain_geography, chain_spread, local_clusters
from partnership_eval.errors import InputError


def test_clusters_are_found_by_distance_within_each_chain():
    # chain A: three schools near (0, 0) and two near (50 km, 0); chain B: same places
    east = np.array([0, 2000, 4000, 50000, 51000] * 2, dtype=float)
    north = np.zeros(10)
    groups = np.array(["A"] * 5 + ["B"] * 5)
    labels = local_clusters(east, north, groups, km=5)
    assert len(set(labels)) == 4
    assert len(set(labels[:3])) == 1 and labels[0] != labels[3] and labels[0] != labels[5]


def test_clusters_link_schools_step_by_step_single_linkage():
    east = np.arange(6) * 8000.0  # 8 km steps, 40 km end to end
    labels = local_clusters(east, np.zeros(6), np.array(["A"] * 6), km=10)
    assert len(set(labels)) == 1
    assert len(set(local_clusters(east, np.zeros(6), np.array(["A"] * 6), km=5))) == 6


def test_cluster_distance_must_be_positive():
    with pytest.raises(InputError, match="cluster_km"):
        local_clusters(np.zeros(2), np.zeros(2), np.array(["A", "A"]), km=0)


def _planted():
    # one chain: four schools at the corners of a 6 km × 8 km box (centre 5 km from each)
    # from 2019, and one school 100 km east joining in 2020
    schools = pd.DataFrame(
        {
            "urn": [100001, 100002, 100003, 100004, 100005],
            "easting": 400000 + np.array([0.0, 6000, 0, 6000, 100000]),
            "northing": 100000 + np.array([0.0, 0, 8000, 8000, 4000]),
            "la_code": [936, 936, 936, 936, 886],
        }
    )
    memberships = pd.DataFrame(
        {
            "urn": schools["urn"],
            "partnership_id": "MAT1",
            "joined": pd.to_datetime(["2018-09-01"] * 4 + ["2019-09-01"]),
            "left": pd.NaT,
        }
    )
    partnerships = pd.DataFrame({"partnership_id": ["MAT1"], "name": ["One"], "kind": ["mat"]})
    return memberships, partnerships, schools


def test_spread_on_known_coordinates():
    (table, excluded), members = chain_spread(*_planted(), years=(2019, 2020), radius_km=6)
    first, second = table.set_index("year").loc[2019], table.set_index("year").loc[2020]
    assert first["n_schools"] == 4 and first["median_km"] == pytest.approx(5.0)
    assert first["share_within"] == 1.0 and first["n_las"] == 1 and first["n_clusters"] == 1
    # the centre moves 22.4 km east, 4 km north: distances 22.7, 16.9, 22.7, 16.9, 77.7 km
    assert second["n_schools"] == 5 and second["n_las"] == 2 and second["n_clusters"] == 2
    assert second["median_km"] == pytest.approx(np.hypot(22400, 4000) / 1000)
    assert second["largest_cluster_share"] == pytest.approx(0.8)
    assert len(members) == 9 and excluded.empty


@pytest.fixture(scope="module")
def geography(small_tables):
    # small synthetic England's chains recruit region-wide: few chain-years are within 10 km
    return chain_geography(small_tables, radius_km=20, cluster_km=10)


def test_a_comparison_that_cannot_be_made_says_why_and_keeps_the_maps(small_tables):
    geo = chain_geography(small_tables, radius_km=0.001, cluster_km=10)
    assert geo.comparison.empty and geo.tidy().empty
    assert geo.summary().startswith("The comparison of compact and spread-out chains cannot")
    assert "compactness radius" in geo.reason
    assert geo.headline()["estimate"] is None
    assert geo.plot().texts and geo.plot_map([geo.chain_id()]) is not None


def test_comparison_has_means_and_a_within_year_difference_with_intervals(geography):
    tidy = geography.tidy()
    assert tidy["term"].tolist()[-1] == "spread-out minus compact (same year)"
    assert (tidy["ci_low"] <= tidy["estimate"]).all() and (
        tidy["estimate"] <= tidy["ci_high"]
    ).all()
    assert geography.headline()["label"] == geography.headline_label
    assert "chains choose where to grow" in geography.summary()


def test_spread_table_and_footprint_map(geography):
    table = geography.spread_table()
    assert "median km to the chain's centre" in table.columns
    largest = geography.chain_id()
    assert largest == table.index[0]
    assert geography.chain_id(table["name"].iloc[0].upper()) == largest
    ax = geography.plot_map([largest])
    assert ax.figure._repr_png_().startswith(b"\x89PNG")
    with pytest.raises(InputError, match="no chain named"):
        geography.chain_id("No Such Trust")
