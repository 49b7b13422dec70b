import numpy as np
import pandas as pd
import pytest

from partnership_eval.analyses import overview
from partnership_eval.data.geography import area_name
from partnership_eval.data.store import read_tables
from partnership_eval.errors import PartnershipEvalError
from partnership_eval.panel import schools_in_area

YEARS = range(2014, 2019)


def _schools(n: int = 4) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "urn": 100001 + np.arange(n),
            "pupils": [50, 120, 200, 400][:n],
            "rural": [True, True, False, False][:n],
            "open_date": pd.to_datetime(["2000-09-01"] * n),
            "close_date": pd.to_datetime([None] * n),
        }
    )


def _partnerships() -> pd.DataFrame:
    return pd.DataFrame({"partnership_id": ["C1", "M1", "T1"], "kind": ["cluster", "mat", "triad"]})


def _memberships(rows: list[tuple[int, str, str, str | None]]) -> pd.DataFrame:
    urn, pid, joined, left = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "urn": list(urn),
            "partnership_id": list(pid),
            "joined": pd.to_datetime(list(joined)),
            "left": pd.to_datetime(list(left)),
        }
    )


def _share(coverage: pd.DataFrame, year: int, kind: str) -> float:
    return coverage.set_index(["year", "kind"]).loc[(year, kind), "schools"]


def test_every_open_school_is_counted_once_by_size_and_setting():
    schools = _schools()
    schools.loc[3, "close_date"] = pd.Timestamp("2016-08-31")
    table = overview.schools_by_size_and_setting(schools)
    assert len(table) == 8  # four bands × rural/urban, zeros included
    assert table["schools"].sum() == 3
    row = table[(table["size_band"] == "under 75") & (table["setting"] == "rural")]
    assert row[["schools", "pupils"]].to_numpy().tolist() == [[1, 50]]


def test_member_counts_from_year_joined_through_year_left():
    members = _memberships([(100001, "C1", "2014-09-01", "2016-12-31")])
    coverage = overview.partnership_coverage(_schools(), members, _partnerships(), YEARS)
    counts = [_share(coverage, y, "cluster") for y in YEARS]
    assert counts == [0, 1, 1, 1, 0]  # joined in 2014/15, left during 2016/17


def test_any_partnership_counts_a_school_in_two_partnerships_once():
    members = _memberships([(100001, "C1", "2013-09-01", None), (100001, "M1", "2014-09-01", None)])
    coverage = overview.partnership_coverage(_schools(), members, _partnerships(), YEARS)
    assert _share(coverage, 2016, overview.ANY_KIND) == 1
    row = coverage.set_index(["year", "kind"]).loc[(2016, overview.ANY_KIND)]
    assert row["share"] == pytest.approx(25.0)


def test_kinds_not_asked_for_are_left_out():
    members = _memberships([(100002, "T1", "2013-09-01", None)])
    coverage = overview.partnership_coverage(
        _schools(), members, _partnerships(), YEARS, kinds=["cluster"]
    )
    assert set(coverage["kind"]) == {"cluster", overview.ANY_KIND}
    assert coverage["schools"].sum() == 0


def test_members_of_other_areas_are_not_counted():
    members = _memberships([(999999, "C1", "2013-09-01", None)])
    coverage = overview.partnership_coverage(_schools(), members, _partnerships(), YEARS)
    assert coverage["schools"].sum() == 0


def test_unknown_kind_is_an_error():
    with pytest.raises(PartnershipEvalError, match="choose from"):
        overview.partnership_coverage(
            _schools(), _memberships([(100001, "C1", "2013-09-01", None)]), _partnerships(),
            YEARS, kinds=["book_club"],
        )  # fmt: skip


def _outcomes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "urn": [100001, 100002, 100003, 100004] * 2,
            "year": [2015] * 4 + [2019] * 4,
            "cohort_n": [10, 30, 20, 20] * 2,
            "ks2_rwm_exp": [50.0, 70.0, 40.0, np.nan, 60.0, 80.0, 50.0, 60.0],
        }
    )


def test_groups_are_fixed_by_joining_by_the_last_year_shown():
    members = _memberships([(100001, "C1", "2016-09-01", None)])
    before = overview.ks2_trends(_schools(), _outcomes(), members, _partnerships(), [2015])
    after = overview.ks2_trends(_schools(), _outcomes(), members, _partnerships(), [2015, 2019])
    assert before.set_index("group").loc["other schools", "schools"] == 3
    assert after.set_index(["year", "group"]).loc[(2015, "other schools"), "schools"] == 2


def test_ks2_trend_is_weighted_by_pupils():
    members = _memberships([(100001, "C1", "2016-09-01", None), (100002, "C1", "2016-09-01", None)])
    trends = overview.ks2_trends(_schools(), _outcomes(), members, _partnerships(), [2015, 2019])
    row = trends.set_index(["year", "group"]).loc[(2015, "partnership schools")]
    assert row["ks2_rwm_exp"] == pytest.approx((10 * 50 + 30 * 70) / 40)
    assert row["pupils"] == 40


def test_ks2_trend_leaves_out_schools_without_a_published_figure():
    members = _memberships([(100001, "C1", "2016-09-01", None)])
    trends = overview.ks2_trends(_schools(), _outcomes(), members, _partnerships(), [2015, 2019])
    other = trends.set_index(["year", "group"]).loc[(2015, "other schools")]
    assert other["schools"] == 2 and other["pupils"] == 50


def test_years_without_tests_appear_without_values():
    members = _memberships([(100001, "C1", "2016-09-01", None)])
    trends = overview.ks2_trends(_schools(), _outcomes(), members, _partnerships(), YEARS)
    assert trends.loc[trends["year"] == 2016, "ks2_rwm_exp"].isna().all()
    assert len(trends) == 2 * len(YEARS)


def test_headline_is_the_share_in_any_partnership_in_the_latest_year():
    members = _memberships([(100001, "C1", "2013-09-01", None)])
    coverage = overview.partnership_coverage(_schools(), members, _partnerships(), YEARS)
    view = overview.AreaOverview(
        spec=overview.OverviewSpec("x", "X", YEARS[0], YEARS[-1], ("cluster",)),
        by_size=overview.schools_by_size_and_setting(_schools()),
        coverage=coverage,
        trends=overview.ks2_trends(_schools(), _outcomes(), members, _partnerships(), YEARS),
    )
    headline = view.headline()
    assert headline["estimate"] == 25.0
    assert (headline["n_treated"], headline["n_comparison"]) == (1, 3)
    assert "2018" in headline["label"]


def test_size_table_adds_a_total_row():
    table = overview.size_table(overview.schools_by_size_and_setting(_schools()))
    assert table.loc["all schools"].tolist() == [2, 2, 170, 600]


def test_trend_table_puts_measure_above_group():
    members = _memberships([(100001, "C1", "2016-09-01", None)])
    trends = overview.ks2_trends(_schools(), _outcomes(), members, _partnerships(), YEARS)
    table = overview.ks2_trend_table(trends)
    assert table.index.tolist() == [2015]  # 2014, 2016-2018 have no results
    assert table.columns.tolist()[0] == ("% RWM", "partnership schools")


def test_area_without_schools_in_the_data_is_a_clear_error(small_data_dir):
    data = read_tables(small_data_dir)
    with pytest.raises(PartnershipEvalError, match="no schools in 'Leeds'.*Cumbria"):
        schools_in_area(data, "Leeds")


def test_schools_in_area_selects_the_la(small_data_dir):
    data = read_tables(small_data_dir)
    schools = schools_in_area(data, "Plymouth")
    assert set(schools["la_name"]) == {"Plymouth"}


def test_area_codes_and_regions_are_named():
    assert area_name(850) == "Hampshire"
    assert area_name("south west") == "South West"
    assert area_name("england") == "England"


def test_years_default_to_the_last_year_with_results():
    assert overview.years_shown(_outcomes(), 2014) == range(2014, 2020)
    assert overview.years_shown(_outcomes()) == range(2015, 2020)


def test_first_year_after_last_year_is_a_clear_error():
    with pytest.raises(PartnershipEvalError, match="first_year 2021 is after last_year 2019"):
        overview.years_shown(_outcomes(), 2021)


def test_years_out_of_order_are_an_error():
    with pytest.raises(PartnershipEvalError, match="increasing order, got \\[\\]"):
        overview.partnership_coverage(
            _schools(), _memberships([(100001, "C1", "2013-09-01", None)]), _partnerships(),
            range(2019, 2015),
        )  # fmt: skip


def test_area_overview_is_a_result_with_published_tables(small_data_dir):
    data = read_tables(small_data_dir)
    view = overview.area_overview(data, "Plymouth", first_year=2015)
    assert view.spec.first_year == 2015 and view.spec.name == "Plymouth"
    assert view.tidy()["term"].iloc[0].endswith(str(view.spec.last_year))
    assert set(view.published()) == {"coverage", "ks2_trends"}
    assert "Plymouth" in view.finding()
    assert view.plot().figure._repr_png_().startswith(b"\x89PNG")
