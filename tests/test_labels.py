"""Words for code names."""

from partnership_eval.data.schema import OUTCOME_MEASURES, PARTNERSHIP_KINDS
from partnership_eval.labels import (
    axis_label,
    column_label,
    estimate_words,
    kind_label,
    kinds_label,
    measure_label,
    number,
    value_label,
)


def test_every_measure_and_kind_has_words():
    for code in (*OUTCOME_MEASURES, *PARTNERSHIP_KINDS):
        assert "_" not in measure_label(code) and "_" not in kind_label(code)
    assert kind_label("mat") == "multi-academy trusts"
    assert measure_label("ks2_rwm_exp").startswith("% meeting the expected standard")


def test_unknown_codes_fall_back_to_words_and_multi_level_columns_are_labelled():
    assert column_label("size_ci_low") == "size, interval from"
    assert column_label("some_new_column") == "some new column"
    assert column_label(("ks2_rwm_exp", "cluster")) == (measure_label("ks2_rwm_exp"), "clusters")
    assert value_label(3) == 3 and value_label("Devon") == "Devon"


def test_kinds_join_as_a_phrase():
    assert kinds_label(("cluster", "federation", "triad")) == "clusters, federations and triads"
    assert kinds_label("mat") == "multi-academy trusts"


def test_numbers_and_intervals_in_words():
    assert number(-1234.56) == "\u22121,234.6"
    assert number(-0.01) == "0.0"
    assert (
        estimate_words(1.94, -1.9, 5.7, "95%", "percentage points")
        == "1.9 percentage points (with 95% confidence, between \u22121.9 and 5.7)"
    )
    assert estimate_words(2.0, None, None, "95%", "schools") == "2.0 schools"


def test_long_axis_labels_are_wrapped():
    assert "\n" in axis_label(measure_label("ks2_rwm_exp"))
