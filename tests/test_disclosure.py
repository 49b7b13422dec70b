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
