"""Report 02 against the planted truth, and the tables it shows about it."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from growth_factory import DIP, chain_tables, dip_tables, dip_truth, paced_sizes

from partnership_eval.analyses.chain_growth import chain_growth, intake_dip, report
from partnership_eval.analyses.chain_growth.truth import planted_by_age, truth_table, truth_words
from partnership_eval.data.store import read_tables


def _growth_truth(sizes: pd.DataFrame, rate: float) -> pd.DataFrame:
    """mat_growth rows planting ``rate`` joiners a year after founding for every chain."""
    first = sizes.groupby("partnership_id")["year"].transform("min")
    return pd.DataFrame(
        {
            "programme": "mat_growth",
            "partnership_id": sizes["partnership_id"],
            "cohort": first,
            "year": sizes["year"],
            "effect": np.where(sizes["year"] == first, sizes["joiners"], rate),
            "description": "steady",
        }
    )


def test_planted_pace_by_age_is_taken_over_exactly_the_chain_years_used():
    sizes = paced_sizes({"a": [1, 2, 2], "b": [1, 1]})
    truth = _growth_truth(sizes, 1.5)
    truth.loc[(truth["partnership_id"] == "a") & (truth["year"] == 2011), "effect"] = 3.5
    planted = planted_by_age(truth, sizes)
    assert planted.loc[2] == pytest.approx((3.5 + 1.5) / 2)
    assert planted.loc[3] == pytest.approx(1.5)
    assert planted_by_age(truth[truth["partnership_id"] == "a"], sizes) is None  # b unplanted
    assert planted_by_age(None, sizes) is None


def test_truth_table_sets_each_estimate_beside_its_planted_value():
    tables = dip_tables()
    dip = intake_dip(replace(tables, truth=dip_truth()))
    growth = chain_growth(tables)
    table = truth_table(growth, dip, _growth_truth(growth.sizes, 0.0))
    first = table.iloc[0]
    assert first["planted"] == pytest.approx(DIP)
    assert first["error"] == pytest.approx(dip.headline()["estimate"] - DIP)
    assert bool(first["covers"])
    added = table.loc["schools a chain adds in its year 4"]
    assert added["planted"] == 0.0 and added["estimate"] > 0  # the surge's four joiners
    assert not added["covers"] and added["error"] == pytest.approx(added["estimate"])
    words = truth_words(table, dip, "95%")
    assert "the 95% interval holds it" in words and "chain ages" in words


def test_real_data_have_no_truth_to_compare():
    growth = chain_growth(chain_tables())
    assert truth_table(growth, None, None) is None
    assert truth_words(None, None, "95%").startswith("Real data")


def test_on_synthetic_data_the_intervals_hold_what_was_planted(small_data_dir):
    tables = read_tables(small_data_dir)
    growth = chain_growth(tables)
    dip = intake_dip(tables)
    table = truth_table(growth, dip, tables.truth)
    assert table.iloc[0]["planted"] == pytest.approx(dip.truth["target"])
    ages = table[table.index.str.startswith("schools a chain adds")]
    assert len(ages) == 9 and ages["covers"].mean() >= 0.8
    assert ages["ci_low"].ge(0).all()


def test_detection_table_gives_the_chance_of_each_class_by_true_pace():
    growth = chain_growth(chain_tables())
    table = report.detection_table(growth.detection(n_sims=200))
    assert table.index.name == "true new schools a year"
    three = [c for c in table.columns if ", 3 years at that pace" in c]
    assert three[0].startswith("called aggressive") and len(three) == 3
    assert np.allclose(table[three].sum(axis=1), 100, atol=0.2)


def test_planted_pace_table_shares_sum_to_all_chains_of_each_band(small_data_dir):
    tables = read_tables(small_data_dir)
    growth = chain_growth(tables)
    table = report.planted_pace_table(growth, tables.truth)
    shown = table[table["chains"] > 0]
    assert np.allclose(shown.drop(columns="chains").sum(axis=1), 100)
    assert table["chains"].sum() == len(growth.pace)


def test_dip_sentence_puts_the_warning_first():
    dip = intake_dip(dip_tables())
    message = dip.summary()
    assert report.dip_sentence(dip, message).startswith("**In that year")
    failing = replace(dip, event_study=_failing(dip))
    sentence = report.dip_sentence(failing, failing.summary())
    assert sentence.startswith("**Warning") and "**In that year" in sentence
    assert report.findings(chain_growth(chain_tables()), failing, "England")[0].startswith(
        "Warning"
    )
    assert report.dip_sentence(None, "cannot run") == "**cannot run**"


def _failing(dip):
    from types import SimpleNamespace

    table = dip.event_study.table.copy()
    early = table["event_time"] == -2
    return SimpleNamespace(
        table=table.assign(
            ci_low=table["ci_low"].mask(early, 0.2), ci_high=table["ci_high"].mask(early, 3.0)
        )
    )


def test_fastest_table_is_in_words():
    table = report.fastest_table(chain_growth(chain_tables()), 2)
    assert "rate_low" not in table.columns and "first year" in table.columns
    assert table["first year"].iloc[0] == "2012"  # a year, not a number with a comma
    assert set(table["class sure"]) <= {"yes", "no"}
