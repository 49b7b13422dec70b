"""On the real extracts (three national KS2 years): what runs and what the verdict says."""

import pytest

from partnership_eval.analyses.area_network import area_network
from partnership_eval.data.ingest import ingest, write_ingest
from partnership_eval.data.store import read_tables

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def real_tables(real_data_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("real_tables")
    write_ingest(ingest(real_data_dir), out)
    return read_tables(out)


def test_one_pre_year_supports_only_the_change_in_the_gap(real_tables):
    res = area_network(real_tables, "Hampshire", 2017)
    assert list(res.designs()) == ["change in the gap to England"]
    assert res.headline()["label"].startswith("change in the gap to England")
    assert "With 1 year of results before 2017, no design can separate" in res.verdict()
    assert "synthetic control needs 3 or more pre-years" in res.skipped["synthetic control"]


def test_england_leaves_out_the_year_only_two_las_have(real_tables):
    res = area_network(real_tables, "Surrey", 2018, school_level=False)
    assert res.england["year"].tolist() == [2016, 2017, 2018]
    assert res.neighbours.dropped == ("fsm share", "rural share")
    assert "2 years of results before 2018" in res.verdict()
