"""Grade transitions on a handful of hand-made pairs, every number worked out by hand.

Partnership pairs (school: earlier → later grade): A 3→2 twice, B 3→3, C 3→3, F 4→3,
J 2→2. Comparison: D 2→2 and 2→1, E 2→2, G 3→4, I 1→2.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from growth_factory import INSPECTED, KENT, inspection_tables
from scipy import stats

from partnership_eval.analyses.inspections.transitions import (
    inspection_pairs,
    movement_difference,
    movement_shares,
    pair_weights,
    rise_by_prior_grade,
    transition_counts,
)
from partnership_eval.errors import EstimationError, InputError

Z95 = stats.norm.ppf(0.975)
ROWS = [
    ("A", "partnership", 3, 2),
    ("A", "partnership", 3, 2),
    ("B", "partnership", 3, 3),
    ("C", "partnership", 3, 3),
    ("F", "partnership", 4, 3),
    ("J", "partnership", 2, 2),
    ("D", "comparison", 2, 2),
    ("D", "comparison", 2, 1),
    ("E", "comparison", 2, 2),
    ("G", "comparison", 3, 4),
    ("I", "comparison", 1, 2),
]


@pytest.fixture
def pairs() -> pd.DataFrame:
    frame = pd.DataFrame(ROWS, columns=["urn", "group", "prior_grade", "grade"])
    frame["movement"] = ["up", "up", "same", "same", "up", "same"] + [
        "same",
        "up",
        "same",
        "down",
        "down",
    ]
    return frame


def wilson(share: float, n: float, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval, from its formula."""
    centre = (share + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(share * (1 - share) / n + z**2 / (4 * n**2))
    return centre - half, centre + half


def test_matching_reweights_comparison_pairs_to_the_partnership_prior_grades(pairs):
    # shared earlier grades: 2 (1 partnership, 3 comparison pairs) and 3 (4 and 1);
    # partnership mix 1/5 and 4/5 over the 4 comparison pairs of those grades:
    # grade 2 pairs weigh 1/5 * 4 / 3, the grade 3 pair 4/5 * 4 / 1
    expected = [1, 1, 1, 1, 0, 1, 4 / 15, 4 / 15, 4 / 15, 16 / 5, 0]
    assert pair_weights(pairs, match_prior=True) == pytest.approx(expected)
    assert pair_weights(pairs).tolist() == [1.0] * len(pairs)


def test_without_comparison_pairs_no_pair_is_matched(pairs):
    alone = pairs[pairs["group"] == "partnership"]
    assert pair_weights(alone, match_prior=True).tolist() == [0.0] * len(alone)


def test_unmatched_shares_counts_and_clustered_wilson_intervals(pairs):
    shares = movement_shares(pairs)
    assert shares.index.tolist() == list(range(6))
    out = shares.set_index(["group", "movement"])
    assert out["share"].tolist() == pytest.approx([3 / 6, 3 / 6, 0, 1 / 5, 2 / 5, 2 / 5])
    assert out["count"].tolist() == [3, 3, 0, 1, 2, 2]
    assert out["n"].tolist() == [6] * 3 + [5] * 3
    assert not out["matched"].any()
    # partnership "up": scores (up - 1/2) / 6 summed by school are A 1/6, B, C, J -1/12,
    # F 1/12; times G / (G - 1) with the 9 schools of the comparison (as the linear
    # probability model clusters them): (1/36 + 4/144) * 9/8 = 1/16, so 1/4 / (1/16) = 4
    # effective pairs
    up = out.loc[("partnership", "up")]
    assert (up["ci_low"], up["ci_high"]) == pytest.approx(wilson(0.5, 4))
    # no partnership pair moved down: the interval rests on one pair per school (5)
    down = out.loc[("partnership", "down")]
    assert (down["ci_low"], down["ci_high"]) == pytest.approx(wilson(0.0, 5))


def test_matched_shares_leave_out_unmatched_prior_grades(pairs):
    out = movement_shares(pairs, match_prior=True).set_index(["group", "movement"])
    partnership, comparison = out.loc["partnership"], out.loc["comparison"]
    assert partnership["share"].tolist() == pytest.approx([2 / 5, 3 / 5, 0])
    assert partnership["n"].tolist() == [5] * 3  # F's earlier grade 4 has no comparison
    assert partnership["count"].tolist() == [2, 3, 0]
    # weights 4/15 (D twice, E) and 16/5 (G) over a total of 4
    assert comparison["share"].tolist() == pytest.approx([1 / 15, 2 / 15, 4 / 5])
    assert comparison["n"].tolist() == [4] * 3  # I's earlier grade 1 has no partnership
    assert comparison["count"].isna().all() and comparison["matched"].all()
    diff = movement_difference(pairs, match_prior=True).set_index("movement")
    assert diff.loc["up", "difference"] == pytest.approx(2 / 5 - 1 / 15)
    assert diff["n_partnership"].iloc[0] == 5 and diff["n_comparison"].iloc[0] == 4


def test_rise_by_prior_grade_by_hand(pairs):
    out = rise_by_prior_grade(pairs, alpha=0.1).set_index("prior_grade")
    assert list(out.columns) == [
        "partnership",
        "comparison",
        "difference",
        "se",
        "ci_low",
        "ci_high",
        "n_partnership",
        "n_comparison",
        "n_schools",
    ]
    two = out.loc[2]
    assert two["difference"] == pytest.approx(0 - 1 / 3)
    # scores by school: J 0, D -1/9, E +1/9: variance 2/81 * 3/2 = 1/27
    assert two["se"] == pytest.approx(np.sqrt(1 / 27))
    half_two = stats.norm.ppf(0.95) * np.sqrt(1 / 27)
    assert (two["ci_low"], two["ci_high"]) == pytest.approx((-1 / 3 - half_two, -1 / 3 + half_two))
    three = out.loc[3]
    assert three["difference"] == pytest.approx(2 / 4 - 0)
    # scores by school: A +1/4, B and C -1/8, G 0: variance 3/32 * 4/3 = 1/8
    assert three["se"] == pytest.approx(np.sqrt(1 / 8))
    half = stats.norm.ppf(0.95) * np.sqrt(1 / 8)
    # a difference of shares cannot pass 1: the upper end is cut there
    assert (three["ci_low"], three["ci_high"]) == pytest.approx((0.5 - half, 1.0))
    assert (three["n_partnership"], three["n_comparison"], three["n_schools"]) == (4, 1, 4)
    assert out.loc[4].drop("n_partnership").isna().all()  # no comparison pair after a 4


def test_cell_shares_have_school_clustered_wilson_intervals(pairs):
    cells = transition_counts(pairs).set_index(["group", "prior_grade", "grade"])
    assert len(cells) == 32 and cells["n"].sum() == len(pairs)
    good = cells.loc[("partnership", 3, 2)]
    assert (good["n"], good["row_n"], good["share"]) == (2, 4, 0.5)
    # per school (pairs in the cell, in the row): A (2, 2), B (0, 1), C (0, 1):
    # sum (a - p m)^2 / 16 * 3/2 = 1.5 / 16 * 1.5, so 1/4 over it effective pairs
    n_eff = 0.25 / (1.5 / 16 * 1.5)
    assert (good["ci_low"], good["ci_high"]) == pytest.approx(wilson(0.5, n_eff))
    # an empty cell of the row: one observation per school (3)
    none = cells.loc[("partnership", 3, 1)]
    assert none["share"] == 0 and (none["ci_low"], none["ci_high"]) == pytest.approx(wilson(0.0, 3))
    # a row of a single pair: the share is 1 on one school
    single = cells.loc[("partnership", 4, 3)]
    assert (single["ci_low"], single["ci_high"]) == pytest.approx(wilson(1.0, 1))
    empty = cells.loc[("comparison", 4, 3)]
    assert empty["row_n"] == 0 and empty[["share", "ci_low", "ci_high"]].isna().all()
    assert cells["ci_low"].dtype == "float64" and cells["ci_high"].dtype == "float64"
    # D's two pairs after a good grade fall in two cells (2 and 1), E's one in 2: for the
    # cell 2 -> 2 (p = 2/3), sum (a - p m)^2 = (1 - 4/3)^2 + (1 - 2/3)^2 = 2/9, over 9,
    # times 2/1: 4/81; 2/9 over it is 4.5 effective pairs, capped at the 3 pairs
    stayed = cells.loc[("comparison", 2, 2)]
    assert stayed["share"] == pytest.approx(2 / 3)
    assert (stayed["ci_low"], stayed["ci_high"]) == pytest.approx(wilson(2 / 3, 3))


def test_a_one_sided_comparison_says_how_many_pairs_each_group_has(pairs):
    alone = pairs[pairs["group"] == "partnership"]
    with pytest.raises(EstimationError, match="6 partnership and 0 comparison inspection pairs"):
        movement_difference(alone)


def test_pairs_of_an_area_are_those_of_its_schools():
    tables = inspection_tables()
    moved = tables.schools["urn"].isin([INSPECTED["D"], INSPECTED["E"]])
    schools = tables.schools.copy()
    schools.loc[moved, ["la_code", "la_name"]] = KENT[:2]
    args = (tables.inspections, tables.memberships, tables.partnerships)
    kent = inspection_pairs(*args, schools=schools, area="Kent").table
    assert sorted(kent["urn"]) == [INSPECTED["D"], INSPECTED["D"], INSPECTED["E"]]
    assert kent["prior_grade"].dtype == "int64" and kent["prior_grade"].tolist() == [3, 3, 2]
    assert kent["movement"].tolist() == ["same", "down", "down"]
    assert kent["year"].dtype == "int64" and kent["year"].tolist() == [2016, 2019, 2016]
    # 15 Jan 2013 to 15 Jan 2016 is 1095 days, to 2019 from 2016 1096 (a leap day)
    assert kent["gap_years"].tolist() == pytest.approx(
        [1095 / 365.25, 1096 / 365.25, 1095 / 365.25]
    )
    assert kent.index.tolist() == [0, 1, 2]
    surrey = inspection_pairs(*args, schools=schools, area="Surrey").table
    assert not surrey["urn"].isin([INSPECTED["D"], INSPECTED["E"]]).any()
    with pytest.raises(
        InputError, match="an area needs the schools table.*pass schools=data.schools"
    ):
        inspection_pairs(*args, area="Kent")
