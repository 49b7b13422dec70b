"""published(): the suppressed table as the reports show it."""

import numpy as np
import pandas as pd

from partnership_eval.disclosure import published


def _years() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "pupils": [1200.0, 3.0, np.nan, 40.0],
            "schools": [12.0, 1.0, 2.0, np.nan],
            "pct": [55.123, 60.0, 61.0, 57.5],
        },
        index=pd.Index([2019, 2020, 2022, 2023], name="year"),
    )


def test_counts_and_whole_columns_are_whole_numbers_and_small_counts_are_c():
    out = published(_years(), counts=["pupils"], whole=["schools"]).data
    assert out["pupils"].iloc[[0, 1, 3]].tolist() == [1200, "c", 40]
    assert np.isnan(out["pupils"].iloc[2])
    assert out["pupils"].map(type).iloc[[0, 3]].tolist() == [int, int]
    assert out["schools"].iloc[:3].tolist() == [12, 1, 2]  # schools are not suppressed
    assert out["schools"].map(type).iloc[:3].tolist() == [int, int, int]
    assert out.index.tolist() == [2019, 2020, 2022, 2023]


def test_rates_rest_on_their_counts_and_are_rounded_to_two_decimals():
    out = published(_years(), counts=["pupils"], rates={"pct": "pupils"}).data
    assert out["pct"].tolist()[:2] == [55.12, "c"]


def test_years_without_tests_say_so_in_every_column():
    out = published(_years(), counts=["pupils"], year="index").data
    assert out.loc[2020].tolist() == ["no tests"] * 3
    assert out.loc[2019, "pupils"] == 1200


def test_a_year_column_keeps_its_years_and_marks_the_rest():
    table = _years().reset_index()
    out = published(table, counts=["pupils"], year="year").data
    assert out["year"].tolist() == [2019, 2020, 2022, 2023]
    assert out.iloc[1, 1:].tolist() == ["no tests"] * 3
    assert out.iloc[2]["pct"] == 61.0


def test_totals_are_protected_as_suppress_protects_them():
    table = pd.DataFrame({"pupils": [3, 50, 20, 73]}, index=["a", "b", "c", "total"])
    assert published(table, counts=["pupils"], total_row="total").data["pupils"].tolist() == [
        "c",
        50,
        "c",
        73,
    ]
    wide = pd.DataFrame({"rural": [2], "urban": [30], "town": [9], "all": [41]})
    out = published(wide, counts=["rural", "urban", "town", "all"], total_col="all").data
    assert out.iloc[0].tolist() == ["c", 30, "c", 41]


def test_html_has_thousands_separators_dashes_for_gaps_and_no_row_numbers():
    table = pd.DataFrame({"pupils": [1200, 40], "score": [np.nan, 1.23456]})
    html = published(table, counts=["pupils"]).to_html()
    assert "1,200" in html and ">–<" in html and ">1.23<" in html
    assert ">0<" not in html  # a RangeIndex is not shown
    assert ">2019<" in published(_years(), counts=["pupils"]).to_html()


def test_the_same_table_renders_to_the_same_html():
    first = published(_years(), counts=["pupils"]).to_html()
    assert first == published(_years(), counts=["pupils"]).to_html()
    assert first != published(_years().iloc[:3], counts=["pupils"]).to_html()
