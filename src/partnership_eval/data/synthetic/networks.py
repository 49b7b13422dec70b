"""An LA-wide peer-review network, federations and umbrella trusts.

Peer-review network: in one city LA about nine in ten primaries (69 of 77 in Plymouth)
join on 1 September 2016 (first treated year 2017), in collaboratives of 6 or 9 nearby
schools, each split into triads (partnership kind ``triad`` with ``parent_id`` its
``collaborative``). Planted effect: 1 pp in the first year, +0.5 pp a year, capped at 3 pp.

Federations (one governing body over 3-6 nearby schools, often small) and umbrella trusts
(3-6 nearby maintained schools, often church schools) join in academic years 2013-2019.
Federations: +1.5 pp from the first year; umbrella trusts: +0.5 pp per year of exposure,
capped at 2 pp.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from partnership_eval.data.synthetic.geography import serpentine_order
from partnership_eval.data.synthetic.programme import (
    Programme,
    empty_effect,
    join_dates,
    membership_frame,
)
from partnership_eval.data.synthetic.spec import YEARS

NETWORK_START = 2017


def _collaborative_sizes(n_join: int) -> np.ndarray:
    """Collaboratives of 9 and 6 schools (as few sixes as possible) covering ``n_join``."""
    triads = n_join // 3
    for sixes in range(triads // 2 + 1):
        if (triads - 2 * sixes) % 3 == 0:
            return np.array([9] * ((triads - 2 * sixes) // 3) + [6] * sixes)
    return np.array([3 * triads])


def build_network(schools: pd.DataFrame, la_code: int, rng: np.random.Generator) -> Programme:
    """The peer-review network of ``la_code``: triads inside collaboratives, one start year."""
    n = len(schools)
    in_la = np.flatnonzero(schools["la_code"].to_numpy() == la_code)
    n_join = 3 * int(round(0.9 * len(in_la) / 3))
    pos = np.sort(rng.choice(in_la, size=n_join, replace=False))
    order = pos[
        serpentine_order(schools["easting"].to_numpy()[pos], schools["northing"].to_numpy()[pos])
    ]
    sizes = _collaborative_sizes(n_join)
    collab = np.repeat(np.arange(len(sizes)), sizes)
    triad = np.arange(n_join) // 3
    collab_ids = np.array([f"PRN{la_code}-C{i + 1:02d}" for i in range(len(sizes))])
    triad_ids = np.array([f"PRN{la_code}-T{i + 1:02d}" for i in range(triad.max() + 1)])
    joined = join_dates(np.full(n_join, NETWORK_START))
    founded = join_dates(np.array([NETWORK_START]))[0]
    la_name = schools["la_name"].to_numpy()[in_la[0]]
    partnerships = pd.concat(
        [
            pd.DataFrame(
                {
                    "partnership_id": collab_ids,
                    "name": [
                        f"{la_name} peer review collaborative {i + 1}" for i in range(len(sizes))
                    ],
                    "kind": "collaborative",
                    "parent_id": None,
                }
            ),
            pd.DataFrame(
                {
                    "partnership_id": triad_ids,
                    "name": [f"{la_name} peer review triad {i + 1}" for i in range(len(triad_ids))],
                    "kind": "triad",
                    "parent_id": collab_ids[collab[::3]],
                }
            ),
        ],
        ignore_index=True,
    ).assign(founded=founded, la_code=la_code)
    memberships = pd.concat(
        [
            membership_frame(order, collab_ids[collab], joined, "other"),
            membership_frame(order, triad_ids[triad], joined, "other"),
        ],
        ignore_index=True,
    )
    effect = empty_effect(n)
    effect[order] = np.where(
        YEARS >= NETWORK_START, np.minimum(3.0, 1.0 + 0.5 * (YEARS - NETWORK_START)), 0.0
    )
    first = np.zeros(n, int)
    first[order] = NETWORK_START
    return Programme(
        name="peer_review_network",
        description="min(3, 1 + 0.5 * (year - first treated year)) pp for every joining school",
        effect=effect,
        first_treated=first,
        memberships=memberships,
        partnerships=partnerships,
        la_code=la_code,
    )


def _nearby_groups(
    schools: pd.DataFrame, candidates: np.ndarray, n_groups: int, rng: np.random.Generator
) -> list[np.ndarray]:
    """``n_groups`` disjoint groups of 3-6 nearby candidate schools in the same LA."""
    free = candidates.copy()
    east, north = schools["easting"].to_numpy(), schools["northing"].to_numpy()
    la = schools["la_code"].to_numpy()
    groups = []
    for size in rng.integers(3, 7, n_groups):
        seed = rng.choice(np.flatnonzero(free))
        pool = np.flatnonzero(free & (la == la[seed]))
        distance = np.hypot(east[pool] - east[seed], north[pool] - north[seed])
        members = pool[np.argsort(distance, kind="stable")[:size]]
        if len(members) >= 3:
            free[members] = False
            groups.append(np.sort(members))
    return groups


def build_groups(
    schools: pd.DataFrame,
    candidates: np.ndarray,
    kind: str,
    n_groups: int,
    rng: np.random.Generator,
) -> Programme:
    """Federations (``kind='federation'``) or umbrella trusts (``kind='umbrella_trust'``)."""
    n = len(schools)
    groups = _nearby_groups(schools, candidates, n_groups, rng)
    start = rng.integers(2013, 2020, len(groups))
    prefix = "FED" if kind == "federation" else "UMB"
    ids = np.array([f"{prefix}{i + 1:03d}" for i in range(len(groups))])
    sizes = np.array([len(g) for g in groups], int)
    pos = np.concatenate(groups) if groups else np.array([], int)
    label = np.repeat(np.arange(len(groups)), sizes)
    effect = empty_effect(n)
    exposure = np.maximum(YEARS[None, :] - start[label][:, None] + 1, 0)
    if kind == "federation":
        effect[pos] = 1.5 * (exposure > 0)
        description = "+1.5 pp from the first treated year"
        title = "Federation"
    else:
        effect[pos] = np.minimum(2.0, 0.5 * exposure)
        description = "min(2, 0.5 * years of exposure) pp"
        title = "Umbrella Trust"
    first = np.zeros(n, int)
    first[pos] = start[label]
    la = schools["la_code"].to_numpy()
    stems = schools["name"].str.split(" ").str[0].to_numpy()
    partnerships = pd.DataFrame(
        {
            "partnership_id": ids,
            "name": [f"The {stems[g[0]]} {title}" for g in groups],
            "kind": kind,
            "founded": join_dates(start),
            "la_code": np.array([la[g[0]] for g in groups], "int64"),
        }
    )
    return Programme(
        name="federations" if kind == "federation" else "umbrella_trusts",
        description=description,
        effect=effect,
        first_treated=first,
        memberships=membership_frame(pos, ids[label], join_dates(start[label]), "other"),
        partnerships=partnerships,
    )
