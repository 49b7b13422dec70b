"""Academy chains (multi-academy trusts) and how they grow.

Chains are founded in academic years 2011-2018 by one converter school and recruit in
their home region. Planted expected joiners a year (Poisson means), by years since
founding ``k``:

- ``steady``: 1 a year for k = 1-6, 2 a year from k = 7, so a chain has on average
  1 + 6 + 2 * 3 = 13 schools in its tenth year (as US charter networks did);
- ``measured``: 0.6 times the steady pace;
- ``aggressive`` (founded 2012-2015): 10-12 schools in the founding year, then for three
  years a Poisson count around the chain's own planted rate, drawn uniformly between
  :data:`AGGRESSIVE_RATES` (3 to 9 a year: the programme documents' "three to five a year"
  up to the chains that went from 10-12 academies to 30 or more), then 2 a year. Every
  chain's planted expected joiners a year are in the truth table (``mat_growth`` rows).

All joiners after the founding year are Poisson counts around the planted rate; the
founding batch is a deal, not chance.

Sponsored joiners are picked for low attainment in the last published year (which holds
a transitory cohort shock, so a before/after comparison mistakes mean reversion for
improvement); converters are average to good. With takeovers on
(:class:`~partnership_eval.data.synthetic.shocks.Takeovers`), a share of sponsored slots
goes to the schools with the worst transitory draw in that year instead. Members become
academies and keep their URN (real conversions issue a new URN and link the predecessor
in GIAS).

Planted effect (``mat_intake_dip``): in each year a chain takes on ``J`` joiners while
holding ``S`` schools at the start of the year, each school already in the chain loses
``min(3, 3 * J / S)`` pp. Joiners themselves are unaffected in their first year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from partnership_eval.data.synthetic.programme import (
    Programme,
    empty_effect,
    join_dates,
    membership_frame,
)
from partnership_eval.data.synthetic.shocks import Takeovers
from partnership_eval.data.synthetic.spec import NO_TESTS, YEARS, ScaleSpec, year_index

PACE_MULTIPLIER = {"measured": 0.6, "steady": 1.0}
AGGRESSIVE_RATES = (3.0, 9.0)
"""Range of an aggressive chain's planted joiners a year in its three years after founding."""
DIP_PER_INTAKE = 3.0
DIP_CAP = 3.0
# Joins fall September–April, before May's KS2 tests, so the academic year of joining is
# also the first year whose results a chain can touch (see partnership_eval.panel).
JOIN_MONTHS = np.array([9, 9, 9, 9, 11, 1, 1, 2, 3, 4, 4, 10, 12, 3])
TRUST_WORDS = np.array(
    [
        "Learning",
        "Academy",
        "Education",
        "Schools",
        "Primary",
        "Community",
        "Endeavour",
        "Inspire",
        "Horizon",
        "Unity",
        "Pioneer",
        "Compass",
        "Aspire",
        "Keystone",
    ]
)


def planted_joiners(
    pace: np.ndarray,
    founded: np.ndarray,
    founding_size: np.ndarray,
    rate: np.ndarray | None = None,
) -> np.ndarray:
    """Expected schools joining each chain (rows) in each academic year (columns of YEARS).

    The founding year holds the founding size (founder included); ``rate`` is each
    chain's planted joiners a year in an aggressive chain's first three years after
    founding (ignored for the other paces; default the middle of :data:`AGGRESSIVE_RATES`).
    """
    k = YEARS[None, :] - founded[:, None]
    if rate is None:
        rate = np.full(len(pace), sum(AGGRESSIVE_RATES) / 2)
    multiplier = np.where(pace == "measured", PACE_MULTIPLIER["measured"], 1.0)[:, None]
    regular = multiplier * np.where(k <= 6, 1.0, 2.0)
    aggressive = np.where(k <= 3, rate[:, None], 2.0)
    expected = np.where((pace == "aggressive")[:, None], aggressive, regular)
    expected = np.where(k > 0, expected, 0.0)
    return np.where(k == 0, founding_size[:, None].astype(float), expected)


def drawn_joiners(planted: np.ndarray, founded: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Joiners drawn around ``planted``: the founding batch as planted, later years Poisson."""
    founding = YEARS[None, :] == founded[:, None]
    return np.where(founding, planted, rng.poisson(planted)).astype(int)


def _chain_table(
    spec: ScaleSpec, schools: pd.DataFrame, eligible: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    n_regular, n_aggressive = spec.n_chains, spec.n_aggressive
    regions, counts = np.unique(schools["region"].to_numpy()[eligible], return_counts=True)
    region = np.concatenate(
        [
            rng.choice(regions, size=n_regular, p=counts / counts.sum()),
            rng.choice(regions, size=n_aggressive, p=counts / counts.sum()),
        ]
    )
    pace = np.concatenate(
        [
            np.where(rng.random(n_regular) < 0.45, "measured", "steady"),
            np.full(n_aggressive, "aggressive"),
        ]
    )
    founded = np.concatenate(
        [rng.integers(2011, 2019, n_regular), rng.integers(2012, 2016, n_aggressive)]
    )
    founding_size = np.where(pace == "aggressive", rng.integers(10, 13, len(pace)), 1)
    rate = np.where(pace == "aggressive", rng.uniform(*AGGRESSIVE_RATES, len(pace)), np.nan)
    names = np.char.add(
        np.char.add(TRUST_WORDS[rng.integers(0, len(TRUST_WORDS), len(pace))], " "),
        TRUST_WORDS[rng.integers(0, len(TRUST_WORDS), len(pace))],
    )
    return pd.DataFrame(
        {
            "partnership_id": [f"MAT{i + 1:04d}" for i in range(len(pace))],
            "name": np.char.add(names.astype(str), " Trust"),
            "region": region,
            "pace": pace,
            "founded": founded,
            "founding_size": founding_size,
            "rate": rate,
        }
    )


def _last_published(year: int) -> int:
    """The last year with published results before ``year``."""
    last = year - 1
    while last in NO_TESTS:
        last -= 1
    return max(last, int(YEARS[0]))


def _recruit(
    chains: pd.DataFrame,
    joiners: np.ndarray,
    schools: pd.DataFrame,
    eligible: np.ndarray,
    p_base: np.ndarray,
    rng: np.random.Generator,
    takeovers: Takeovers | None,
) -> pd.DataFrame:
    """Assign schools to chains year by year and region by region; one row per membership."""
    region_of_school = schools["region"].to_numpy()
    free = eligible.copy()
    rows = []
    for year in YEARS[1:]:
        t = year_index(year)
        last = _last_published(int(year))
        prior = 100.0 * p_base[:, year_index(last)]
        for region in np.unique(chains["region"]):
            in_region = np.flatnonzero(chains["region"].to_numpy() == region)
            demand = joiners[in_region, t]
            if demand.sum() == 0:
                continue
            founding = chains["founded"].to_numpy()[in_region] == year
            slots_chain = np.repeat(in_region, demand)
            slot_founder = np.zeros(len(slots_chain), bool)
            starts = np.cumsum(demand) - demand
            slot_founder[starts[founding & (demand > 0)]] = True
            p_sponsored = np.where(
                chains["pace"].to_numpy()[slots_chain] == "aggressive",
                0.6,
                0.55 if year <= 2014 else 0.3,
            )
            sponsored = ~slot_founder & (rng.random(len(slots_chain)) < p_sponsored)
            pool = np.flatnonzero(free & (region_of_school == region))
            low_first = pool[np.argsort(prior[pool] + rng.normal(0, 3.0, len(pool)), kind="stable")]
            picked, bad = (
                (low_first[: sponsored.sum()], low_first[:0])
                if takeovers is None
                else takeovers.pick(sponsored, pool, low_first, last)
            )
            # Shuffled so that which chain gets the weakest school is left to chance.
            take_s = rng.permutation(picked)
            rest = np.setdiff1d(pool, take_s, assume_unique=True)
            good_first = rest[
                np.argsort(-prior[rest] + rng.normal(0, 12.0, len(rest)), kind="stable")
            ]
            take_c = rng.permutation(good_first[: (~sponsored).sum()])
            filled_s = np.flatnonzero(sponsored)[: len(take_s)]
            filled_c = np.flatnonzero(~sponsored)[: len(take_c)]
            slot = np.concatenate([filled_s, filled_c])
            pos = np.concatenate([take_s, take_c])
            free[pos] = False
            route = np.where(
                slot_founder[slot], "founder", np.where(sponsored[slot], "sponsored", "converter")
            )
            month = np.where(
                founding[np.searchsorted(in_region, slots_chain[slot])] | slot_founder[slot],
                9,
                rng.choice(JOIN_MONTHS, len(slot)),
            )
            rows.append(
                pd.DataFrame(
                    {
                        "pos": pos,
                        "chain": slots_chain[slot],
                        "first_year": year,
                        "route": route,
                        "month": month,
                        "takeover": np.isin(pos, bad),
                        "last_year": last,
                    }
                )
            )
    return pd.concat(rows, ignore_index=True).sort_values(
        ["chain", "first_year", "pos"], kind="stable"
    )


def intake_dip(members: pd.DataFrame, n_chains: int) -> np.ndarray:
    """Dip (pp, ≤ 0) for each chain (rows) and year (columns): -min(3, 3 * joiners / size at start)."""
    joined = np.zeros((n_chains, len(YEARS)))
    np.add.at(
        joined, (members["chain"].to_numpy(), year_index(members["first_year"].to_numpy())), 1
    )
    size_at_start = np.cumsum(joined, axis=1) - joined
    with np.errstate(divide="ignore", invalid="ignore"):
        dose = np.where(size_at_start > 0, joined / size_at_start, 0.0)
    return -np.minimum(DIP_CAP, DIP_PER_INTAKE * dose)


def build_chains(
    schools: pd.DataFrame,
    eligible: np.ndarray,
    p_base: np.ndarray,
    spec: ScaleSpec,
    rng: np.random.Generator,
    takeovers: Takeovers | None = None,
) -> Programme:
    """Academy chains recruiting from ``eligible`` schools, with their intake dip and growth truth.

    ``takeovers`` fills a share of sponsored slots with schools after a bad year
    (:mod:`~partnership_eval.data.synthetic.shocks`).
    """
    chains = _chain_table(spec, schools, eligible, rng)
    founded = chains["founded"].to_numpy()
    planted = planted_joiners(
        chains["pace"].to_numpy(),
        founded,
        chains["founding_size"].to_numpy(),
        chains["rate"].to_numpy(),
    )
    joiners = drawn_joiners(planted, founded, rng)
    members = _recruit(chains, joiners, schools, eligible, p_base, rng, takeovers)
    dip = intake_dip(members, len(chains))
    n = len(schools)
    pos, chain, first_year = (members[c].to_numpy() for c in ("pos", "chain", "first_year"))
    effect = empty_effect(n)
    existing = YEARS[None, :] > first_year[:, None]
    effect[pos] = np.where(existing, dip[chain], 0.0)
    first = np.zeros(n, int)
    first[pos] = first_year
    ids = chains["partnership_id"].to_numpy()
    memberships = membership_frame(
        pos,
        ids[chain],
        join_dates(first_year, members["month"].to_numpy()),
        members["route"].to_numpy(),
    )
    founder_la = (
        members[members["route"] == "founder"]
        .drop_duplicates("chain")
        .set_index("chain")["pos"]
        .map(pd.Series(schools["la_code"].to_numpy()))
    )
    partnerships = pd.DataFrame(
        {
            "partnership_id": ids,
            "name": chains["name"].to_numpy(),
            "kind": "mat",
            "founded": join_dates(chains["founded"].to_numpy()),
            "la_code": pd.array(chains.index.map(founder_la), dtype="Int64"),
        }
    )
    return Programme(
        name="mat_intake_dip",
        description=(
            "dose: each school in the chain since an earlier academic year loses "
            f"min({DIP_CAP:g}, {DIP_PER_INTAKE:g} * joiners / schools at the start of the year) pp "
            "in every year its chain takes joiners"
        ),
        effect=effect,
        first_treated=first,
        memberships=memberships,
        partnerships=partnerships,
        extra_truth=pd.concat(
            [_growth_truth(chains, planted)]
            + ([] if takeovers is None else [takeovers.truth(members, ids)]),
            ignore_index=True,
        ),
        by_partnership=True,
    )


def _growth_truth(chains: pd.DataFrame, planted: np.ndarray) -> pd.DataFrame:
    """``mat_growth`` truth rows: planted expected joiners per chain and year since founding."""
    founded = chains["founded"].to_numpy()
    chain, col = np.nonzero(YEARS[None, :] >= founded[:, None])
    return pd.DataFrame(
        {
            "programme": "mat_growth",
            "cohort": founded[chain].astype("int64"),
            "year": YEARS[col].astype("int64"),
            "effect": planted[chain, col],
            "outcome": "joiners",
            "partnership_id": chains["partnership_id"].to_numpy()[chain],
            "description": chains["pace"].to_numpy()[chain],
        }
    )
