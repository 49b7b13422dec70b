"""Claims of 01_cluster_impact: Ofsted and floor standard, same schools before and after."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from partnership_eval.analyses.cluster_impact import ImpactDesign, claimed_outcomes, impact_design
from partnership_eval.analyses.cluster_impact.claim_events import claim_starts
from partnership_eval.data.store import read_tables
from partnership_eval.errors import InputError
from partnership_eval.exclusions import exclusion_frame

T1, T2, T3, T4 = 100001, 100002, 100003, 100004
C1, C2, C3, C4 = 200001, 200002, 200003, 200004
YEARS = (2015, 2016, 2017, 2018, 2019)

# below_floor by school over YEARS (None: no floor-standard result that year)
FLOOR = {
    T1: (None, False, True, False, False),  # before 2017 True, after 2018 False
    T2: (None, False, None, None, True),  # before 2016 False, after 2019 True
    T3: (None, None, False, False, None),  # 0 -> 0
    T4: (None, None, None, True, None),  # no result before the start
    C1: (None, None, False, False, None),  # 0 -> 0
    C2: (None, None, True, True, None),  # 1 -> 1
    C3: (None, None, True, False, None),  # 1 -> 0
    C4: (None, None, None, None, None),  # never a result
}


def _design(start: int = 2018, floor: dict = FLOOR) -> ImpactDesign:
    """Four treated schools (three in partnership P1, one in P2) and four comparison."""
    rows = []
    for urn, values in floor.items():
        treated = urn < 200000
        for year, below in zip(YEARS, values, strict=True):
            rows.append(
                {
                    "urn": urn,
                    "year": year,
                    "group": "treated" if treated else "comparison",
                    "first_treated": start if treated else 0,
                    "partnership_id": ("P2" if urn == T4 else "P1") if treated else None,
                    "weight": 1.0,
                    "joins_partnership": 0,
                    "below_floor": below,
                }
            )
    panel = pd.DataFrame(rows).astype({"below_floor": "boolean"})
    return ImpactDesign(panel, "test", (), exclusion_frame(), {}, synthetic=True)


def _inspections() -> pd.DataFrame:
    rows = [
        (T1, "2015-03-01", 3),
        (T1, "2016-06-01", 3),  # last before the start (1 Sep 2017)
        (T1, "2018-01-10", 2),  # first after
        (T2, "2014-05-01", 2),
        (T2, "2019-02-01", 2),
        (T3, "2018-03-01", 2),  # none before
        (T4, "2016-01-01", 4),
        (T4, "2018-11-01", 3),  # first after
        (T4, "2019-05-01", 2),
        (C1, "2016-05-01", 2),
        (C1, "2017-10-01", None),  # ungraded: not an inspection after
        (C1, "2018-05-01", 3),
        (C2, "2017-01-01", 1),
        (C2, "2019-10-01", 1),  # after the design's last year: none after
        (C4, "2015-01-01", 3),
        (C4, "2017-12-01", 1),
    ]  # C3: never inspected
    frame = pd.DataFrame(rows, columns=["urn", "date", "grade"])
    return frame.assign(date=pd.to_datetime(frame["date"]), grade=frame["grade"].astype("Int64"))


def _tidy(claims) -> pd.DataFrame:
    return claims.tidy().set_index(["measure", "statistic", "group"])


def test_ofsted_same_schools_shares_changes_and_difference_by_hand():
    claims = claimed_outcomes(_design(), _inspections())
    rows = _tidy(claims)["estimate"]
    # treated seen both times: T1 (3 -> 2), T2 (2 -> 2), T4 (4 -> 3); comparison C1 (2 -> 3), C4 (3 -> 1)
    assert rows["good", "before", "treated"] == pytest.approx(100 / 3)
    assert rows["good", "after", "treated"] == pytest.approx(200 / 3)
    assert rows["good", "change", "treated"] == pytest.approx(100 / 3)
    assert rows["good", "before", "comparison"] == pytest.approx(50)
    assert rows["good", "change", "comparison"] == pytest.approx(0)
    did = rows["good", "difference in changes", "partnership minus comparison"]
    assert did == pytest.approx(100 / 3)
    grade = rows["grade", "difference in changes", "partnership minus comparison"]
    assert grade == pytest.approx(-2 / 3 - (-1 / 2))
    head = claims.headline()
    assert head["estimate"] == pytest.approx(100 / 3)
    assert (head["n_treated"], head["n_comparison"]) == (3, 2)
    assert head["ci_low"] < head["estimate"] < head["ci_high"]
    seen = claims.schools[claims.schools["measure"] == "good"]
    assert set(seen["urn"]) == {T1, T2, T4, C1, C4}


def test_ofsted_exclusions_count_schools_without_a_before_or_an_after_inspection():
    claims = claimed_outcomes(_design(), _inspections())
    ex = claims.exclusions[claims.exclusions["step"] == "Ofsted"].set_index("reason")["schools"]
    assert ex.to_dict() == {
        "partnership schools: no graded inspection before the start": 1,
        "comparison schools: no graded inspection after the start": 1,
        "comparison schools: no graded inspection before the start and none after": 1,
    }


def test_floor_standard_last_result_before_against_first_after_by_hand():
    claims = claimed_outcomes(_design(), _inspections())
    rows = _tidy(claims)["estimate"]
    # treated T1 (1 -> 0), T2 (0 -> 1), T3 (0 -> 0); comparison C1 (0 -> 0), C2 (1 -> 1), C3 (1 -> 0)
    assert rows["below_floor", "before", "treated"] == pytest.approx(100 / 3)
    assert rows["below_floor", "change", "treated"] == pytest.approx(0)
    assert rows["below_floor", "change", "comparison"] == pytest.approx(-100 / 3)
    did = rows["below_floor", "difference in changes", "partnership minus comparison"]
    assert did == pytest.approx(100 / 3)
    ex = claims.exclusions[claims.exclusions["step"] == "floor standard"]
    assert ex.set_index("reason")["schools"].to_dict() == {
        "partnership schools: no floor-standard result before the start": 1,
        "comparison schools: no floor-standard result before the start and none after": 1,
    }
    years = claims.before_after.set_index(["measure", "group"])["years_apart"]
    assert years["below_floor", "treated"] == pytest.approx((1 + 3 + 1) / 3)


def test_anticipation_moves_before_back_a_year():
    claims = claimed_outcomes(_design(), _inspections(), anticipation=1)
    seen = claims.schools[claims.schools["measure"] == "below_floor"].set_index("urn")
    # before must now be a result of 2016 or earlier: T1 (0 -> 0), T2 (0 -> 1); T3 and
    # every comparison school have none
    assert seen["before"].to_dict() == {T1: 0.0, T2: 0.0}
    assert "no comparison schools" in claims.notes["below_floor"]
    assert claims.estimated("good")


def test_floor_standard_before_2016_is_not_estimated_and_says_why():
    claims = claimed_outcomes(_design(start=2016), _inspections())
    assert not claims.estimated("below_floor")
    assert "2016-2019" in claims.notes["below_floor"]
    row = _tidy(claims).loc[
        ("below_floor", "difference in changes", "partnership minus comparison")
    ]
    assert np.isnan(row["estimate"]) and "2016-2019" in row["note"]
    assert "2016-2019" in claims.differences().loc["% below the KS2 floor standard", "note"]
    assert claims.estimated("good")
    claims.plot(measure="below_floor")  # draws the reason, no crash


def test_partnership_clustered_interval_is_wider_when_its_schools_move_together():
    rng = np.random.default_rng(3)
    floor = {}
    inspections = []
    for p in range(6):  # six partnerships of five schools, each moving as one
        after = 2 if p % 2 else 3
        for s in range(5):
            urn = 110000 + 10 * p + s
            floor[urn] = (None,) * 5
            inspections += [(urn, "2016-01-01", 3), (urn, "2018-01-01", after)]
    for c in range(30):  # comparison schools moving independently
        urn = 210000 + c
        floor[urn] = (None,) * 5
        inspections += [(urn, "2016-01-01", 3), (urn, "2018-01-01", int(rng.choice([2, 3])))]
    design = _design(floor=floor)
    panel = design.panel.assign(
        partnership_id=lambda d: np.where(
            d["group"] == "treated", "P" + ((d["urn"] - 110000) // 10).astype(str), None
        )
    )
    design = ImpactDesign(panel, "test", (), exclusion_frame(), {}, synthetic=True)
    frame = pd.DataFrame(inspections, columns=["urn", "date", "grade"]).assign(
        date=lambda d: pd.to_datetime(d["date"])
    )
    by_partnership = claimed_outcomes(design, frame).headline()
    by_school = claimed_outcomes(design, frame, cluster="school").headline()
    assert by_partnership["estimate"] == pytest.approx(by_school["estimate"])
    width = {k: h["ci_high"] - h["ci_low"] for k, h in (("p", by_partnership), ("s", by_school))}
    assert width["p"] > 1.5 * width["s"]


def test_comparison_schools_take_every_start_year_weighted_by_its_share():
    design = _design()
    panel = design.panel.assign(
        first_treated=np.where(design.panel["urn"] == T4, 2019, design.panel["first_treated"])
    )
    starts = claim_starts(ImpactDesign(panel, "test", (), exclusion_frame(), {}, True))
    c1 = starts[starts["urn"] == C1].set_index("start")["weight"]
    assert c1.to_dict() == {2018: pytest.approx(0.75), 2019: pytest.approx(0.25)}
    assert (starts.loc[starts["group"] == "comparison", "school"].str.startswith("school")).all()
    assert set(starts.loc[starts["urn"].isin([T1, T2, T3]), "partnership"]) == {"partnership P1"}


def test_matched_comparison_schools_take_the_starts_of_their_matches():
    design = _design()
    panel = design.panel.assign(
        first_treated=np.where(design.panel["urn"] == T4, 2019, design.panel["first_treated"])
    )
    design = ImpactDesign(panel, "test", (), exclusion_frame(), {}, True)
    pairs = pd.DataFrame({"treated_unit": [T1, T1, T4], "control_unit": [C1, C2, C1]})
    matched = SimpleNamespace(design=design, match=SimpleNamespace(pairs=pairs))
    starts = claim_starts(design, matched).set_index(["urn", "start"])["weight"]
    assert starts[C1, 2018] == pytest.approx(0.5) and starts[C1, 2019] == pytest.approx(1.0)
    assert starts[C2, 2018] == pytest.approx(0.5)
    assert C3 not in starts.index.get_level_values("urn")


def test_comparison_schools_that_join_later_are_seen_only_until_they_join():
    design = _design()
    joins = {C1: 2018, C4: 2019}  # C1 joins at its pretend start, C4 a year after it
    panel = design.panel.assign(
        joins_partnership=design.panel["urn"].map(joins).fillna(0).astype("int64")
    )
    claims = claimed_outcomes(
        ImpactDesign(panel, "test", (), exclusion_frame(), {}, True), _inspections()
    )
    early = claims.exclusions[claims.exclusions["step"] == "comparison start"]
    assert early["schools"].tolist() == [1]
    good = claims.schools[(claims.schools["measure"] == "good")]
    assert set(good.loc[good["group"] == "comparison", "urn"]) == {C4}
    did = claims.tidy().iloc[0]
    assert np.isnan(did["se"]) and "one cluster" in did["note"]


def test_missing_inspection_column_is_an_input_error():
    with pytest.raises(InputError, match="grade"):
        claimed_outcomes(_design(), _inspections().drop(columns="grade"))
    with pytest.raises(InputError, match="cluster"):
        claimed_outcomes(_design(), _inspections(), cluster="la")
    with pytest.raises(InputError, match="alpha"):
        claimed_outcomes(_design(), _inspections(), alpha=5)


def test_claims_on_synthetic_data_use_the_same_schools_before_and_after(small_data_dir):
    tables = read_tables(small_data_dir)
    design = impact_design(tables, "Devon")
    claims = claimed_outcomes(design, tables.inspections)
    good = claims.schools[claims.schools["measure"] == "good"]
    treated = good[good["group"] == "treated"]
    assert treated["urn"].is_unique and treated[["before", "after"]].notna().all(axis=None)
    left_out = claims.exclusions.query("step == 'Ofsted' and reason.str.startswith('partnership')")
    assert len(treated) + left_out["schools"].sum() == design.n_treated
    tidy = claims.tidy()
    assert tidy[["se", "ci_low", "ci_high"]].iloc[0].notna().all()
    assert claims.summary().splitlines()[1].startswith("Not a causal estimate")
    assert not claims.estimated("below_floor")  # synthetic starts 2012-2014
    assert claims.plot().get_legend() is not None
