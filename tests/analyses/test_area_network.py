"""The whole report on small synthetic England (Plymouth's network, 5 donor areas)."""

import math

import pytest

from partnership_eval.analyses.area_network import AreaNetworkResult, area_network
from partnership_eval.data.store import read_tables
from partnership_eval.errors import InputError
from partnership_eval.result import EXCLUSION_COLUMNS, TIDY_COLUMNS


@pytest.fixture(scope="module")
def plymouth(small_data_dir) -> AreaNetworkResult:
    return area_network(read_tables(small_data_dir), "Plymouth", 2017)


def test_headline_holds_the_planted_effect(plymouth):
    head = plymouth.headline()
    assert head["label"].startswith("school-level DiD")  # 5 donors: no bounded synth interval
    # One treated area with LA × year shocks: a single seed's interval may miss the truth
    # (benchmarks/validate_area_network.py measures coverage); the estimate must still be
    # within a few standard errors of it.
    assert abs(head["estimate"] - head["truth"]) < 3.5 * head["se"]
    assert head["n_treated"] == 69


def test_every_design_runs_on_seven_pre_years(plymouth):
    assert plymouth.skipped == {}
    assert plymouth.pre_years == (2010, 2011, 2012, 2013, 2014, 2015, 2016)
    assert plymouth.post_years == (2017, 2018, 2019, 2022, 2023, 2024)


def test_five_donors_cannot_bound_the_placebo_interval(plymouth):
    assert len(plymouth.synth.spec.donors) == 5
    assert math.isinf(plymouth.synth.ci_high)
    assert "cannot give a p-value below 0.17" in plymouth.verdict()


def test_neighbours_are_listed_by_name(plymouth):
    assert len(plymouth.neighbours.codes) == 5
    assert "Devon" in plymouth.neighbours.describe()


def test_designs_table_shows_planted_effects_in_words(plymouth):
    table = plymouth.designs_table()
    assert "planted effect (pp)" in table.columns
    assert "95% interval from" in table.columns


def test_result_face(plymouth):
    assert list(plymouth.tidy().columns[: len(TIDY_COLUMNS)]) == list(TIDY_COLUMNS)
    assert list(plymouth.exclusions.columns[:4]) == list(EXCLUSION_COLUMNS)
    assert plymouth.plot().figure is not None
    series = plymouth.published_series()
    assert ("Plymouth", "%") in series.columns


def test_alpha_sets_every_interval_label(small_data_dir):
    res = area_network(read_tables(small_data_dir), "Plymouth", 2017, alpha=0.1, school_level=False)
    assert set(res.tidy()["level"]) == {0.9}
    assert "90% intervals" in res.verdict()
    assert "90% interval from" in res.designs_table().columns


def test_a_region_is_not_one_la(small_data_dir):
    with pytest.raises(InputError, match="names .* LAs"):
        area_network(read_tables(small_data_dir), "South West", 2017)
