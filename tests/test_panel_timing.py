"""Treatment timing survivors of the mutation run: first of several joins, missing dates."""

from __future__ import annotations

import pandas as pd

from partnership_eval.data.schema import PARTNERSHIP_KINDS
from partnership_eval.panel import academic_year, exposure_year, first_treated

KIND = PARTNERSHIP_KINDS[0]


def test_a_school_in_two_partnerships_is_treated_from_its_first_join():
    memberships = pd.DataFrame(
        {
            "urn": [1, 1, 2, 2],
            "partnership_id": [20, 10, 30, 31],
            "joined": pd.to_datetime(["2016-10-01", "2014-10-01", "2018-03-01", "2018-03-01"]),
        }
    )
    partnerships = pd.DataFrame({"partnership_id": [10, 20, 30, 31], "kind": KIND})
    got = first_treated(memberships, partnerships, KIND)
    assert got.columns.tolist() == ["urn", "first_treated", "partnership_id"]
    assert got.index.equals(pd.RangeIndex(2))
    assert got.to_dict("list") == {
        "urn": [1, 2],
        "first_treated": [2015, 2018],
        "partnership_id": [10, 30],  # same day: the lower id, so runs are reproducible
    }


def test_missing_dates_give_missing_years_not_an_error():
    dates = pd.Series(pd.to_datetime(["2015-04-30", None, "2015-09-01"]))
    for fn, expected in ((exposure_year, [2015, 2016]), (academic_year, [2015, 2016])):
        years = fn(dates)
        assert str(years.dtype) == "Int64", fn.__name__
        assert years.isna().tolist() == [False, True, False]
        assert years.dropna().tolist() == expected
