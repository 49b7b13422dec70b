"""Tiny hand-made canonical tables for unit tests (a few schools, known answers)."""

from __future__ import annotations

import pandas as pd

from partnership_eval.data.store import DataTables


def tiny_tables() -> DataTables:
    """Five schools in two LAs, 2014–2018; two join a cluster (2016 and 2017), one a MAT."""
    schools = pd.DataFrame(
        {
            "urn": [100001, 100002, 100003, 100004, 100005],
            "name": ["Alpha", "Beta", "Gamma", "Delta", "Epsilon"],
            "la_code": [909, 909, 909, 936, 936],
            "la_name": ["Cumbria", "Cumbria", "Cumbria", "Surrey", "Surrey"],
            "region": ["North West", "North West", "North West", "South East", "South East"],
            "phase": ["Primary"] * 5,
            "school_type": ["Community school"] * 4 + ["Academy converter"],
            "is_academy": [False, False, False, False, True],
            "pupils": [60, 120, 400, 90, 250],
            "rural": [True, True, False, True, False],
            "urban_rural": ["Rural village"] * 2
            + ["Urban city and town", "Rural village", "Urban major conurbation"],
            "fsm_pct": [10.0, 12.5, 30.0, 8.0, 20.0],
            "open_date": pd.to_datetime(["1990-09-01"] * 5),
            "close_date": pd.to_datetime([None] * 5),
        }
    )
    years = list(range(2014, 2019))
    outcomes = pd.DataFrame(
        [(urn, year) for urn in schools["urn"] for year in years], columns=["urn", "year"]
    )
    outcomes["cohort_n"] = 10
    outcomes["ks2_rwm_exp"] = 50.0 + (outcomes["year"] - 2014) * 2.0
    # Alpha (cohort 2016) gains 10 points once treated.
    alpha_post = (outcomes["urn"] == 100001) & (outcomes["year"] >= 2016)
    outcomes.loc[alpha_post, "ks2_rwm_exp"] += 10
    for col in (
        "read_prog",
        "writ_prog",
        "mat_prog",
        "disadv_rwm_exp",
        "non_disadv_rwm_exp",
        "attendance",
        "exclusions",
    ):
        outcomes[col] = float("nan")
    partnerships = pd.DataFrame(
        {
            "partnership_id": ["c1", "m1"],
            "name": ["Fellside cluster", "Downs Trust"],
            "kind": ["cluster", "mat"],
            "founded": pd.to_datetime(["2015-09-01", "2012-09-01"]),
            "la_code": pd.array([909, pd.NA], dtype="Int64"),
        }
    )
    memberships = pd.DataFrame(
        {
            "urn": [100001, 100002, 100005],
            "partnership_id": ["c1", "c1", "m1"],
            # 2015-10-01 is in academic year 2016; 2017-03-01 in 2017.
            "joined": pd.to_datetime(["2015-10-01", "2017-03-01", "2012-09-01"]),
            "left": pd.to_datetime([None, None, None]),
        }
    )
    inspections = pd.DataFrame(
        {
            "urn": [100001, 100001],
            "date": pd.to_datetime(["2013-05-01", "2017-05-01"]),
            "grade": [3, 2],
            "kind": ["section 5", "section 5"],
        }
    )
    return DataTables(schools, outcomes, memberships, partnerships, inspections)
