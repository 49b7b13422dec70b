"""Hand-made chain histories and inspection histories with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from partnership_eval.data.store import DataTables

SURREY = (936, "Surrey", "South East")
HAMPSHIRE = (850, "Hampshire", "South East")
KENT = (886, "Kent", "South East")


def _membership(urn: int, chain: str, joined: str, left: str | None = None) -> dict:
    return {
        "urn": urn,
        "partnership_id": chain,
        "joined": pd.Timestamp(joined),
        "left": pd.Timestamp(left) if left else pd.NaT,
    }


def chain_tables() -> DataTables:
    """Three chains and a lone academy, 2010–2015.

    - ``slow`` (Surrey): 2 founders in 2010, then one joiner a year 2011–2015; school
      200003 leaves in 2014. Sizes 2, 3, 4, 5, 5, 6. Measured pace.
    - ``fast`` (Surrey 2, Hampshire 6, Kent 5): 1 founder in 2012, then 4, 5 and 3
      joiners in 2013–2015. Sizes 1, 5, 10, 13. Aggressive pace (4 a year).
    - ``lone``: one school, never grows.
    - ``fed``: a federation (not a chain) with two schools.
    """
    rows = [
        _membership(200001, "slow", "2009-09-01"),
        _membership(200002, "slow", "2010-01-01"),
        _membership(200003, "slow", "2010-09-01", left="2014-03-31"),
        _membership(200004, "slow", "2011-09-01"),
        _membership(200005, "slow", "2012-11-01"),
        _membership(200006, "slow", "2013-09-01"),
        _membership(200007, "slow", "2014-09-01"),
        _membership(300001, "fast", "2011-09-01"),
        *[_membership(300002 + i, "fast", "2012-09-01") for i in range(4)],
        *[_membership(300006 + i, "fast", "2014-01-01") for i in range(5)],
        *[_membership(300011 + i, "fast", "2015-03-01") for i in range(3)],
        _membership(400001, "lone", "2012-09-01"),
        _membership(500001, "fed", "2012-09-01"),
        _membership(500002, "fed", "2012-09-01"),
    ]
    memberships = pd.DataFrame(rows)
    partnerships = pd.DataFrame(
        {
            "partnership_id": ["slow", "fast", "lone", "fed"],
            "name": ["Steady Oaks Trust", "Rapid Academies", "Lone Academy Trust", "Two Fed"],
            "kind": ["mat", "mat", "mat", "federation"],
            "founded": pd.to_datetime(["2009-06-01", "2011-06-01", "2012-06-01", "2012-06-01"]),
            "la_code": pd.array([936, 936, 936, 936], dtype="Int64"),
        }
    )
    places = {
        **{u: SURREY for u in range(200001, 200008)},
        300001: SURREY,
        300002: SURREY,
        **{u: HAMPSHIRE for u in range(300003, 300009)},
        **{u: KENT for u in range(300009, 300014)},
        400001: SURREY,
        500001: SURREY,
        500002: SURREY,
    }
    return DataTables(
        _schools(places), slow_chain_outcomes(), memberships, partnerships, _no_inspections()
    )


def _schools(places: dict[int, tuple[int, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "urn": list(places),
            "name": [f"School {u}" for u in places],
            "la_code": [p[0] for p in places.values()],
            "la_name": [p[1] for p in places.values()],
            "region": [p[2] for p in places.values()],
            "phase": "Primary",
            "school_type": "Academy converter",
            "is_academy": True,
            "pupils": 200,
            "rural": False,
            "urban_rural": "Urban city and town",
            "fsm_pct": 15.0,
            "open_date": pd.Timestamp("2000-09-01"),
            "close_date": pd.NaT,
        }
    )


def _no_inspections() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "urn": pd.Series([], dtype="int64"),
            "date": pd.Series([], dtype="datetime64[ns]"),
            "grade": pd.Series([], dtype="int64"),
            "kind": pd.Series([], dtype="str"),
        }
    )


def _partnerships(ids: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "partnership_id": ids,
            "name": [f"{i.title()} Trust" for i in ids],
            "kind": "mat",
            "founded": pd.Timestamp("2010-09-01"),
            "la_code": pd.array([936] * len(ids), dtype="Int64"),
        }
    )


def slow_chain_outcomes() -> pd.DataFrame:
    """2015 results of the ``slow`` chain's schools.

    In 2015, full years in the chain: 200001 six (joined 1 Sep), 200002 five, 200004 four
    (joined 1 Sep 2011: 2012–2015), 200005 two, 200006 two (1 Sep 2013: 2014, 2015),
    200007 one; 200003 has left. Eligible (≥ 3 years): 200001, 200002, 200004, weighted
    by cohort × min(years, 4) = 10×4, 20×4, 30×4.
    """
    return pd.DataFrame(
        {
            "urn": [200001, 200002, 200003, 200004, 200005, 200006, 200007],
            "year": 2015,
            "cohort_n": [10, 20, 15, 30, 25, 25, 25],
            "ks2_rwm_exp": [40.0, 70.0, 10.0, 60.0, 90.0, 90.0, 90.0],
            "read_prog": [0.0, 1.0, 2.0, -1.0, 5.0, 5.0, 5.0],
        }
    )


DIP = -3.0
"""Planted change of the ``surge`` chain's existing schools in its surge year (2015)."""


def dip_tables(seed: int = 0) -> DataTables:
    """One surging chain and six calm ones, results 2011–2018 (2016 has none).

    ``surge``: founders 700000–700003 (joined 1 Sep 2011, academic year 2012), then four
    joiners in 2015 (dose 4 / 4 = 1: heavy). Its existing schools lose exactly
    :data:`DIP` points in 2015. Calm chains ``calm0``…``calm5``: three founders in 2012
    and one joiner in 2015 (never heavy). ``late``: founders in 2012 and a heavy intake in
    2017, whose base year 2016 has no results. Outcomes: school level + year effect +
    small noise (sd 0.1).
    """
    rng = np.random.default_rng(seed)
    rows, urn = [], 700000
    plan = {
        "surge": (4, 4, 2015),
        **{f"calm{i}": (3, 1, 2015) for i in range(6)},
        "late": (2, 3, 2017),
    }
    for chain, (founders, joiners, year) in plan.items():
        for _ in range(founders):
            rows.append(_membership(urn, chain, "2011-09-01"))
            urn += 1
        for _ in range(joiners):
            rows.append(_membership(urn, chain, f"{year - 1}-10-01"))
            urn += 1
    memberships = pd.DataFrame(rows)
    years = [2011, 2012, 2013, 2014, 2015, 2017, 2018]
    urns = memberships["urn"].to_numpy()
    outcomes = pd.DataFrame({"urn": np.repeat(urns, len(years)), "year": np.tile(years, len(urns))})
    level = dict(zip(urns, rng.normal(60, 8, len(urns)), strict=True))
    outcomes["ks2_rwm_exp"] = (
        outcomes["urn"].map(level)
        + (outcomes["year"] - 2011) * 1.5
        + rng.normal(0, 0.1, len(outcomes))
    )
    existing_surge = memberships.loc[
        (memberships["partnership_id"] == "surge") & (memberships["joined"] < "2014-09-01"), "urn"
    ]
    hit = outcomes["urn"].isin(existing_surge) & (outcomes["year"] == 2015)
    outcomes.loc[hit, "ks2_rwm_exp"] += DIP
    outcomes["cohort_n"] = 30
    places = {u: SURREY for u in urns}
    return DataTables(
        _schools(places), outcomes, memberships, _partnerships(list(plan)), _no_inspections()
    )


def dip_truth() -> pd.DataFrame:
    """Per-partnership truth rows of the planted dip of :func:`dip_tables`."""
    return pd.DataFrame(
        {
            "programme": "mat_intake_dip",
            "cohort": [2012],
            "year": [2015],
            "effect": [DIP],
            "partnership_id": ["surge"],
            "n_schools": [4],
        }
    )


INSPECTED = dict(zip("ABCDEFGH", range(600001, 600009), strict=True))


def inspection_tables() -> DataTables:
    """Eight schools; A, B, C (joined 1 Sep 2014), G (2017) and H (2010) in MAT ``m``.

    Pairs (prior → later grade, group of the later inspection):
    partnership A 3→2 up, B 2→2 same, B 2→1 up, C 4→3 up, C 3→2 up, H 3→2 up;
    comparison D 3→3 same, D 3→4 down, E 2→3 down, G 2→1 up (G joined after).
    F has one inspection; an ungraded one of E is not a pair.
    Spells below good: A 2013→2016 (3 years, comparison at start), C 2012→2017 (5 years),
    D 2013→censored 2019 (6), E 2016→censored (3), H 2014→2015-07 (1.5, partnership).
    """
    rows = [
        ("A", "2013-01-15", 3),
        ("A", "2016-01-15", 2),
        ("B", "2013-01-15", 2),
        ("B", "2016-01-15", 2),
        ("B", "2019-01-15", 1),
        ("C", "2012-01-15", 4),
        ("C", "2015-01-15", 3),
        ("C", "2017-01-15", 2),
        ("D", "2013-01-15", 3),
        ("D", "2016-01-15", 3),
        ("D", "2019-01-15", 4),
        ("E", "2013-01-15", 2),
        ("E", "2016-01-15", 3),
        ("E", "2017-06-15", None),
        ("F", "2014-01-15", 2),
        ("G", "2013-01-15", 2),
        ("G", "2016-01-15", 1),
        ("H", "2014-01-15", 3),
        ("H", "2015-07-15", 2),
    ]
    inspections = pd.DataFrame(
        {
            "urn": [INSPECTED[r[0]] for r in rows],
            "date": pd.to_datetime([r[1] for r in rows]),
            "grade": pd.array([r[2] for r in rows], dtype="Int64"),
            "kind": "section 5",
        }
    )
    memberships = pd.DataFrame(
        [
            _membership(INSPECTED[s], "m", joined)
            for s, joined in [
                ("A", "2014-09-01"),
                ("B", "2014-09-01"),
                ("C", "2014-09-01"),
                ("G", "2017-09-01"),
                ("H", "2010-09-01"),
            ]
        ]
    )
    places = {u: SURREY for u in INSPECTED.values()}
    outcomes = pd.DataFrame(
        {"urn": pd.Series([], dtype="int64"), "year": pd.Series([], dtype="int64")}
    )
    return DataTables(_schools(places), outcomes, memberships, _partnerships(["m"]), inspections)


def paced_sizes(joiners: dict[str, list[int]], first_year: int = 2010) -> pd.DataFrame:
    """A :func:`~partnership_eval.analyses.chain_growth.growth.chain_sizes`-shaped table from each chain's
    joiners by year (the first entry is its founders, in ``first_year``), no leavers."""
    frames = []
    for chain, counts in joiners.items():
        added = np.asarray(counts)
        size = np.cumsum(added)
        frames.append(
            pd.DataFrame(
                {
                    "partnership_id": chain,
                    "year": first_year + np.arange(len(added)),
                    "chain_age": 1 + np.arange(len(added)),
                    "joiners": added,
                    "leavers": 0,
                    "size_start": size - added,
                    "size": size,
                }
            )
        )
    sizes = pd.concat(frames, ignore_index=True)
    return sizes.assign(
        dose=(sizes["joiners"] / sizes["size_start"]).where(sizes["size_start"] > 0)
    )


def poisson_chains(
    n_chains: int, n_aggressive: int, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Chains growing like synthetic England's (its planted paces and Poisson joiners),
    observed 2010–2024: their sizes and each chain's planted pace class and (aggressive
    chains) planted joiners a year in their three years after founding."""
    from partnership_eval.data.synthetic.chains import (
        AGGRESSIVE_RATES,
        drawn_joiners,
        planted_joiners,
    )
    from partnership_eval.data.synthetic.spec import YEARS

    rng = np.random.default_rng(seed)
    pace = np.concatenate(
        [np.where(rng.random(n_chains) < 0.45, "measured", "steady"), ["aggressive"] * n_aggressive]
    )
    founded = np.concatenate(
        [rng.integers(2011, 2019, n_chains), rng.integers(2012, 2016, n_aggressive)]
    )
    founding_size = np.where(pace == "aggressive", rng.integers(10, 13, len(pace)), 1)
    rate = rng.uniform(*AGGRESSIVE_RATES, len(pace))
    joiners = drawn_joiners(planted_joiners(pace, founded, founding_size, rate), founded, rng)
    ids = [f"C{i:04d}" for i in range(len(pace))]
    sizes = paced_sizes(
        {
            chain: list(row[year - YEARS[0] :])
            for chain, row, year in zip(ids, joiners, founded, strict=True)
        },
        first_year=0,
    )
    sizes["year"] += sizes["partnership_id"].map(dict(zip(ids, founded, strict=True)))
    planted = pd.DataFrame({"pace": pace, "rate": np.where(pace == "aggressive", rate, np.nan)})
    return sizes, planted.set_axis(ids)
