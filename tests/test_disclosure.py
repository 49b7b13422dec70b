import numpy as np
import pandas as pd
import pytest

from partnership_eval.disclosure import suppress
from partnership_eval.errors import PartnershipEvalError


def test_three_pupil_count_is_shown_as_c():
    table = pd.DataFrame({"pupils": [3, 40]}, index=["cluster", "other"])
    assert suppress(table, counts=["pupils"])["pupils"].tolist() == ["c", 40]


def test_counts_of_zero_and_six_are_published():
    table = pd.DataFrame({"pupils": [0, 6, 5]})
    assert suppress(table, counts=["pupils"])["pupils"].tolist() == [0, 6, "c"]


def test_rate_resting_on_five_pupils_is_shown_as_c():
    table = pd.DataFrame({"pupils": [5, 6], "rwm_exp": [60.0, 50.0]})
    out = suppress(table, counts=["pupils"], rates={"rwm_exp": "pupils"})
    assert out["rwm_exp"].tolist() == ["c", 50.0]


def test_rates_are_rounded():
    table = pd.DataFrame({"pupils": [30], "rwm_exp": [66.666]})
    out = suppress(table, counts=["pupils"], rates={"rwm_exp": "pupils"})
    assert out["rwm_exp"].tolist() == [66.7]


def test_percentage_beside_its_hidden_numerator_is_hidden():
    table = pd.DataFrame({"pupils": [40, 50], "meeting": [3, 30], "pct": [7.5, 60.0]})
    out = suppress(table, counts=["pupils", "meeting"], rates={"pct": ("meeting", "pupils")})
    assert out["pct"].tolist() == ["c", 60.0]  # 7.5% of 40 would give the 3 away
    assert out["pupils"].tolist() == [40, 50]


def test_percentage_is_hidden_with_its_base_when_given_numerator_and_base():
    table = pd.DataFrame({"pupils": [4, 50], "meeting": [0, 30], "pct": [0.0, 60.0]})
    out = suppress(table, counts=["pupils", "meeting"], rates={"pct": ("meeting", "pupils")})
    assert out["pct"].tolist() == ["c", 60.0]


def test_rate_base_in_the_table_but_not_declared_a_count_is_an_error():
    table = pd.DataFrame({"pct": [66.7, 55.0], "n": [3, 40]})
    with pytest.raises(
        PartnershipEvalError, match="'n' \\(of rate 'pct'\\).*not declared in counts"
    ):
        suppress(table, rates={"pct": "n"})


def test_rate_numerator_not_declared_a_count_is_an_error():
    table = pd.DataFrame({"pupils": [40], "meeting": [3], "pct": [7.5]})
    with pytest.raises(PartnershipEvalError, match="'meeting' \\(of rate 'pct'\\)"):
        suppress(table, counts=["pupils"], rates={"pct": ("meeting", "pupils")})


def test_duplicated_total_row_label_is_an_error():
    table = pd.DataFrame({"pupils": [3, 20, 23, 23]}, index=["a", "b", "all", "all"])
    with pytest.raises(PartnershipEvalError, match="'all' appear more than once"):
        suppress(table, counts=["pupils"], total_row="all")


def test_rates_of_tuple_labelled_columns_take_a_tuple_base():
    columns = pd.MultiIndex.from_tuples([("%", "x"), ("pupils", "x")])
    table = pd.DataFrame([[50.0, 4], [60.0, 40]], columns=columns)
    out = suppress(table, counts=[("pupils", "x")], rates={("%", "x"): ("pupils", "x")})
    assert out[("%", "x")].tolist() == ["c", 60.0]


def test_suppressed_table_is_marked_with_its_declaration():
    table = pd.DataFrame({"pupils": [3, 40], "pct": [50.0, 60.0]})
    out = suppress(table, counts=["pupils"], rates={"pct": "pupils"})
    assert out.attrs["disclosure"]["counts"] == ["pupils"]
    assert "disclosure" not in table.attrs


def test_lone_hidden_cell_above_a_total_row_gets_a_partner():
    table = pd.DataFrame({"pupils": [3, 50, 20, 73]}, index=["a", "b", "c", "total"])
    out = suppress(table, counts=["pupils"], total_row="total")
    assert out["pupils"].tolist() == ["c", 50, "c", 73]  # the smallest other cell goes


def test_lone_hidden_cell_beside_a_total_column_gets_a_partner():
    table = pd.DataFrame({"rural": [2], "urban": [30], "town": [9], "all": [41]})
    out = suppress(table, counts=["rural", "urban", "town", "all"], total_col="all")
    assert out.iloc[0].tolist() == ["c", 30, "c", 41]


def test_secondary_suppression_protects_rows_and_columns_together():
    table = pd.DataFrame(
        {"rural": [3, 20, 23], "urban": [10, 30, 40], "all": [13, 50, 63]},
        index=["small", "large", "total"],
    )
    out = suppress(table, counts=["rural", "urban", "all"], total_row="total", total_col="all")
    hidden = out.eq("c")
    assert hidden.loc[["small", "large"], ["rural", "urban"]].all().all()
    assert not hidden.loc["total"].any() and not hidden["all"].any()


def test_zero_is_used_as_partner_only_when_nothing_else_is_left():
    table = pd.DataFrame({"pupils": [4, 0, 9, 13]}, index=["a", "b", "c", "total"])
    out = suppress(table, counts=["pupils"], total_row="total")
    assert out["pupils"].tolist() == ["c", 0, "c", 13]


def test_rate_on_a_secondarily_hidden_count_is_hidden_too():
    table = pd.DataFrame(
        {"pupils": [3, 40, 43], "rwm_exp": [66.7, 55.0, 55.8]}, index=["a", "b", "total"]
    )
    out = suppress(table, counts=["pupils"], rates={"rwm_exp": "pupils"}, total_row="total")
    assert out["rwm_exp"].tolist() == ["c", "c", 55.8]


def test_other_columns_are_untouched():
    table = pd.DataFrame({"schools": [2, 3], "pupils": [3, 40]})
    assert suppress(table, counts=["pupils"])["schools"].tolist() == [2, 3]


def test_unknown_column_is_an_error():
    table = pd.DataFrame({"pupils": [3]})
    with pytest.raises(PartnershipEvalError, match="cohort not found in the table"):
        suppress(table, rates={"pupils": "cohort"})


def test_a_single_pupil_is_hidden():
    table = pd.DataFrame({"pupils": [1, 2, 7]})
    assert suppress(table, counts=["pupils"])["pupils"].tolist() == ["c", "c", 7]


def test_the_total_is_hidden_when_it_is_the_only_other_cell_of_its_line():
    # 3 pupils in one row and a total of 3: the total would give the row away
    table = pd.DataFrame({"pupils": [3, 3]}, index=["a", "total"])
    out = suppress(table, counts=["pupils"], total_row="total")
    assert out["pupils"].tolist() == ["c", "c"]


def test_the_total_is_hidden_when_no_other_cell_of_its_line_can_be():
    # b is unknown, so only the total is left to protect a's 3 pupils
    table = pd.DataFrame({"pupils": [3, np.nan, 40]}, index=["a", "b", "total"])
    out = suppress(table, counts=["pupils"], total_row="total")
    assert out["pupils"].iloc[[0, 2]].tolist() == ["c", "c"]


def test_secondary_suppression_repeats_until_no_line_has_a_lonely_hidden_cell():
    # rows a, b hidden in row r1 (3 and 4); the column passes then hide r2/a (7, the
    # smaller of 7 and 20) and r3/b (25, the smaller of 30 and 25); those leave rows r2
    # and r3 each with one hidden cell, so their other cells go too
    table = pd.DataFrame(
        {"a": [3, 7, 20, 30], "b": [4, 30, 25, 59], "all": [7, 37, 45, 89]},
        index=["r1", "r2", "r3", "total"],
    )
    out = suppress(table, counts=["a", "b", "all"], total_row="total", total_col="all")
    hidden = out.eq("c")
    assert hidden.loc[["r1", "r2", "r3"], ["a", "b"]].all().all()
    assert not hidden.loc["total"].any() and not hidden["all"].any()


def test_every_column_given_is_an_object_column_even_with_nothing_hidden():
    table = pd.DataFrame({"pupils": [40, 50], "pct": [55.04, 60.0]})
    out = suppress(table, counts=["pupils"], rates={"pct": "pupils"})
    assert out["pupils"].dtype == object and out["pct"].dtype == object
    assert out["pupils"].map(type).tolist() == [int, int]  # counts stay whole numbers
    assert out["pct"].tolist() == [55.0, 60.0]


def test_counts_held_as_objects_with_gaps_are_suppressed_as_numbers():
    table = pd.DataFrame({"pupils": pd.Series([3, None, 40], dtype=object)})
    out = suppress(table, counts=["pupils"])
    assert out["pupils"].iloc[0] == "c" and out["pupils"].iloc[2] == 40


def test_a_table_without_pupil_columns_is_published_as_it_is():
    table = pd.DataFrame({"schools": [2, 3]}, index=["x", "y"])
    out = suppress(table)
    pd.testing.assert_frame_equal(out, table)
    assert out.attrs["disclosure"] == {"threshold": 5, "counts": [], "rates": {}}


def test_the_declaration_records_threshold_counts_and_each_rate_s_columns():
    table = pd.DataFrame(
        {"pupils": [40], "meeting": [30], "pct": [75.0], "avg": [104.2]}, index=["x"]
    )
    out = suppress(
        table,
        counts=["pupils", "meeting"],
        rates={"pct": ("meeting", "pupils"), "avg": "pupils"},
        threshold=10,
    )
    assert out.attrs["disclosure"] == {
        "threshold": 10,
        "counts": ["pupils", "meeting"],
        "rates": {"pct": ["meeting", "pupils"], "avg": ["pupils"]},
    }


def test_integer_column_labels_take_an_integer_base():
    table = pd.DataFrame([[4, 50.0], [40, 60.0]], columns=[0, 1])
    out = suppress(table, counts=[0], rates={1: 0})
    assert out[1].tolist() == ["c", 60.0]


def test_a_misspelt_two_letter_base_is_named_in_the_error():
    table = pd.DataFrame({"n": [40], "pct": [50.0]})
    with pytest.raises(PartnershipEvalError, match="suppress: nn not found"):
        suppress(table, counts=["n"], rates={"pct": "nn"})


def test_a_base_that_is_both_a_column_and_a_pair_of_columns_is_an_error():
    table = pd.DataFrame({("n", "m"): [40], "n": [40], "m": [30], "pct": [75.0]})
    with pytest.raises(
        PartnershipEvalError, match="rate 'pct'.*both a column and a pair of columns"
    ):
        suppress(table, counts=["n", "m", ("n", "m")], rates={"pct": ("n", "m")})


def test_a_missing_total_row_or_column_is_named_in_the_error():
    table = pd.DataFrame({"pupils": [3, 40], "all": [3, 40]}, index=["a", "b"])
    with pytest.raises(PartnershipEvalError, match="suppress: everyone not found"):
        suppress(table, counts=["pupils"], total_row="everyone")
    with pytest.raises(PartnershipEvalError, match="suppress: all not found"):
        suppress(table, counts=["pupils"], total_col="all")  # a total column is a count


def test_a_count_column_given_twice_is_an_error():
    table = pd.DataFrame([[3, 4, 40]], columns=["pupils", "pupils", "other"])
    with pytest.raises(PartnershipEvalError, match="'pupils' appear more than once"):
        suppress(table, counts=["pupils"])
