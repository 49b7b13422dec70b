"""Small-school clusters: rural counties group nearly all their small primaries.

In each cluster LA about 95% of schools under 150 pupils are grouped with 2-5 nearby
schools (clusters of 3-6, cut from a geographic ordering); clusters start in staggered
academic years 2012, 2013 and 2014 (joined 1 September of the year before). A cluster's
effect grows by its own ``slope`` (0.5-1.5 pp) per year of exposure, up to its own cap
(3-5 pp). Truth rows come per cluster, per LA and pooled over cluster LAs. With
selection after a bad year on (:class:`~partnership_eval.data.synthetic.shocks.BadYearSelection`),
a share of clusters starts in the candidate year after its worst one instead.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from partnership_eval.data.synthetic.attainment import SMALL_RURAL_GAP_2012, SMALL_RURAL_TREND
from partnership_eval.data.synthetic.geography import serpentine_order
from partnership_eval.data.synthetic.programme import (
    Programme,
    empty_effect,
    join_dates,
    membership_frame,
)
from partnership_eval.data.synthetic.schools import SMALL_SCHOOL
from partnership_eval.data.synthetic.shocks import BadYearSelection
from partnership_eval.data.synthetic.spec import YEARS

START_YEARS = np.array([2012, 2013, 2014])
TAKE_UP = 0.95


def cluster_sizes(n: int, rng: np.random.Generator) -> np.ndarray:
    """Sizes (3-6, mean about 4.5) of clusters covering ``n`` schools exactly."""
    if n < 3:
        return np.array([n]) if n else np.array([], int)
    m = min(max(1, int(round(n / 4.5))), n // 3)
    m = max(m, -(-n // 6))
    extra = rng.choice(3 * m, size=n - 3 * m, replace=False) // 3
    return 3 + np.bincount(extra, minlength=m)


def _la_clusters(
    pos: np.ndarray, east: np.ndarray, north: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Cluster number (0..k-1) for each of one LA's schools, grouping neighbours."""
    order = serpentine_order(east, north, per_strip=10)
    sizes = cluster_sizes(len(pos), rng)
    label = np.empty(len(pos), int)
    label[order] = np.repeat(np.arange(len(sizes)), sizes)
    return label


def build_clusters(
    schools: pd.DataFrame,
    cluster_las: tuple[int, ...],
    rng: np.random.Generator,
    bad_year: BadYearSelection | None = None,
) -> Programme:
    """The small-school clusters programme for ``cluster_las``."""
    n = len(schools)
    la = schools["la_code"].to_numpy()
    eligible = np.isin(la, cluster_las) & (schools["pupils"].to_numpy() < SMALL_SCHOOL)
    joins = eligible & (rng.random(n) < TAKE_UP)
    frames, rows, selected = [], [], []
    effect = empty_effect(n)
    first = np.zeros(n, int)
    for code in cluster_las:
        pos = np.flatnonzero(joins & (la == code))
        if len(pos) < 3:
            continue
        label = _la_clusters(
            pos, schools["easting"].to_numpy()[pos], schools["northing"].to_numpy()[pos], rng
        )
        k = label.max() + 1
        start = rng.choice(START_YEARS, size=k)
        slope = rng.uniform(0.5, 1.5, k)
        cap = rng.uniform(3.0, 5.0, k)
        ids = np.array([f"CL{code}-{i + 1:03d}" for i in range(k)])
        if bad_year is not None:
            start, picked = bad_year.choose(start, label, pos, START_YEARS)
            selected.append(picked.assign(partnership_id=ids[picked["cluster"]], la_code=code))
        exposure = np.maximum(YEARS[None, :] - start[label][:, None] + 1, 0)
        effect[pos] = np.minimum(cap[label][:, None], slope[label][:, None] * exposure)
        first[pos] = start[label]
        frames.append(membership_frame(pos, ids[label], join_dates(start[label]), "other"))
        la_name = schools["la_name"].to_numpy()[pos[0]]
        rows.append(
            pd.DataFrame(
                {
                    "partnership_id": ids,
                    "name": [f"{la_name} small schools cluster {i + 1}" for i in range(k)],
                    "kind": "cluster",
                    "founded": join_dates(start),
                    "la_code": code,
                }
            )
        )
    return Programme(
        name="small_school_clusters",
        description=(
            f"cluster effect min(cap, slope * years of exposure), slope 0.5-1.5 pp and cap "
            f"3-5 pp per cluster; selection: small rural schools start {-SMALL_RURAL_GAP_2012:g} pp "
            f"below others in 2012 and gain {SMALL_RURAL_TREND:g} pp a year on them without "
            "any partnership"
        ),
        effect=effect,
        first_treated=first,
        memberships=pd.concat(frames, ignore_index=True),
        partnerships=pd.concat(rows, ignore_index=True),
        by_la=True,
        by_partnership=True,
        extra_truth=bad_year.truth(pd.concat(selected, ignore_index=True)) if selected else None,
    )
