"""Area series (pupil-weighted, gaps kept) and statistical neighbours on tiny tables."""

import numpy as np
import pandas as pd
import pytest
from tables_factory import tiny_tables

from partnership_eval.analyses.area_network import (
    area_series,
    england_series,
    series_wide,
    statistical_neighbours,
)
from partnership_eval.data.store import DataTables
from partnership_eval.errors import EstimationError, InputError


def _weighted_tables() -> DataTables:
    data = tiny_tables()
    outcomes = data.outcomes.copy()
    first = (outcomes["urn"] == 100001) & (outcomes["year"] == 2014)
    second = (outcomes["urn"] == 100002) & (outcomes["year"] == 2014)
    third = (outcomes["urn"] == 100003) & (outcomes["year"] == 2014)
    outcomes.loc[first, ["cohort_n", "ks2_rwm_exp"]] = [10, 50.0]
    outcomes.loc[second, ["cohort_n", "ks2_rwm_exp"]] = [30, 80.0]
    outcomes.loc[third, "ks2_rwm_exp"] = np.nan  # suppressed: not in the mean
    return DataTables(**{**vars(data), "outcomes": outcomes})


def test_area_value_is_the_pupil_weighted_mean_of_published_results():
    series = area_series(_weighted_tables())
    row = series[(series["la_code"] == 909) & (series["year"] == 2014)].iloc[0]
    assert row["value"] == pytest.approx((10 * 50 + 30 * 80) / 40)
    assert row["pupils"] == 40 and row["schools"] == 2


def test_no_results_years_are_empty_rows_never_interpolated():
    series = pd.DataFrame(
        {
            "la_code": 1,
            "la_name": "A",
            "year": [2018, 2019, 2022],
            "value": [60.0, 62.0, 58.0],
            "pupils": 100.0,
            "schools": 3,
        }
    )
    wide = series_wide(series)
    assert wide.index.tolist() == [2018, 2019, 2020, 2021, 2022]
    assert wide.loc[[2020, 2021], 1].isna().all()


def test_england_leaves_out_years_few_las_report():
    rows = [(la, year, 50.0) for la in range(1, 11) for year in (2017, 2018)] + [(1, 2019, 70.0)]
    series = pd.DataFrame(rows, columns=["la_code", "year", "value"]).assign(
        la_name="x", pupils=100.0, schools=1
    )
    england = england_series(series, exclude=[2])
    assert england["year"].tolist() == [2017, 2018]
    assert england["las"].tolist() == [9, 9]
    assert (england["la_name"] == "rest of England").all()


def test_unknown_outcome_is_an_input_error_naming_it():
    with pytest.raises(InputError, match="'ks2_nonsense'"):
        area_series(tiny_tables(), "ks2_nonsense")


def _neighbour_data() -> tuple[DataTables, pd.DataFrame]:
    """Six LAs: FSM share and attainment put LA 3 next to LA 1, LA 6 furthest away."""
    fsm = {1: 10.0, 2: 14.0, 3: 11.0, 4: 20.0, 5: 25.0, 6: 40.0}
    schools = pd.DataFrame(
        {
            "urn": list(fsm),
            "la_code": list(fsm),
            "la_name": [f"LA {c}" for c in fsm],
            "pupils": 200,
            "fsm_pct": list(fsm.values()),
            "rural": [True, False, True, False, False, False],
        }
    )
    series = pd.DataFrame(
        [(c, f"LA {c}", y, 70 - f, 30.0, 1) for c, f in fsm.items() for y in (2015, 2016, 2017)],
        columns=["la_code", "la_name", "year", "value", "pupils", "schools"],
    )
    data = DataTables(
        schools=schools,
        outcomes=pd.DataFrame(),
        memberships=pd.DataFrame(),
        partnerships=pd.DataFrame(),
        inspections=pd.DataFrame(),
    )
    return data, series


def test_neighbours_are_the_nearest_on_the_stated_variables():
    data, series = _neighbour_data()
    found = statistical_neighbours(data, series, 1, before=2017, n=2)
    assert found.codes == (3, 2)
    assert found.variables == ("fsm share", "rural share", "size", "prior attainment")
    assert "LA 3, LA 2" in found.describe()
    table = found.reader_table()
    assert table["area"].tolist() == ["LA 1", "LA 3", "LA 2"]


def test_a_context_variable_few_areas_have_is_left_out_and_said_so():
    data, series = _neighbour_data()
    data.schools.loc[1:, "fsm_pct"] = np.nan
    found = statistical_neighbours(data, series, 1, before=2017, n=2)
    assert "fsm share" in found.dropped
    assert "Not used (known for too few areas): fsm share" in found.describe()


def test_asking_for_more_neighbours_than_candidates_is_an_estimation_error():
    data, series = _neighbour_data()
    with pytest.raises(EstimationError, match="only 5 candidate LAs"):
        statistical_neighbours(data, series, 1, before=2017, n=6)
