"""Validate the clinic's ratings on synthetic England against the planted school quality.

Prints, for the rated period: the share of the weakest 5% of schools by planted latent
quality (``quality`` in the generator's schools, :mod:`partnership_eval.data.synthetic.
schools`) flagged red or amber overall (aim at least 80%), the share of the strongest 50%
flagged (aim at most 5%), the same by domain, and how often one pupil's result in a
small cohort changes a performance rating.

    PYTHONPATH=src python benchmarks/validate_clinic.py [--scale full] [--period 2024]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from partnership_eval.analyses.clinic import read_rules, risk_ratings
from partnership_eval.analyses.clinic.domains import performance
from partnership_eval.data.store import DataTables
from partnership_eval.data.synthetic import simulate


def _tables(world) -> DataTables:
    t = world.tables
    return DataTables(
        t["schools"],
        t["outcomes"],
        t["memberships"],
        t["partnerships"],
        t["inspections"],
        truth=t["truth"],
        synthetic=True,
        source="synthetic",
    )


def flag_shares(ratings: pd.DataFrame, quality: pd.Series, period: int) -> pd.DataFrame:
    """Share of the weakest 5% and strongest 50% (by quality) flagged, per domain."""
    now = ratings.loc[(ratings["period"] == period) & ratings["rating"].notna()]
    rows = []
    for domain, group in now.groupby("domain"):
        q = quality.reindex(group["urn"]).to_numpy()
        flagged = group["rating"].to_numpy() > 0
        weak, strong = q <= np.quantile(q, 0.05), q >= np.quantile(q, 0.5)
        rows.append(
            {
                "domain": domain,
                "schools": len(group),
                "weakest 5% flagged": flagged[weak].mean(),
                "strongest 50% flagged": flagged[strong].mean(),
                "all flagged": flagged.mean(),
            }
        )
    return pd.DataFrame(rows).set_index("domain")


def one_pupil_flips(outcomes: pd.DataFrame, period: int, max_cohort: int = 10) -> dict[str, float]:
    """How often moving one pupil in a small cohort's latest result changes its rating.

    For every school whose KS2 cohort in ``period`` has 6 to ``max_cohort`` pupils, one
    pupil more and one pupil fewer meeting the standard; compared with a rule on the
    single year's unshrunk result (the same amber and red gaps to national).
    """
    rules = read_rules()
    base = performance(outcomes, rules, [period])["rating"]
    now = outcomes["year"].eq(period) & outcomes["cohort_n"].between(6, max_cohort)
    now &= outcomes["ks2_rwm_exp"].notna()
    small = outcomes.loc[now, "urn"]
    flips, naive_flips = [], []
    national = rules.national("ks2_rwm_exp")[period]
    att = rules["performance"]["attainment"]
    for step in (+1, -1):
        moved = outcomes.copy()
        n = moved.loc[now, "cohort_n"]
        moved.loc[now, "ks2_rwm_exp"] = (moved.loc[now, "ks2_rwm_exp"] + 100 * step / n).clip(
            0, 100
        )
        after = performance(moved, rules, [period])["rating"]
        keys = pd.MultiIndex.from_arrays([small, np.full(len(small), period)])
        flips.append((base.reindex(keys) != after.reindex(keys)).to_numpy())
        gap0 = outcomes.loc[now, "ks2_rwm_exp"] - national
        gap1 = moved.loc[now, "ks2_rwm_exp"] - national
        naive = [np.select([g <= att["red"], g <= att["amber"]], [2, 1], 0) for g in (gap0, gap1)]
        naive_flips.append(naive[0] != naive[1])
    return {
        "small cohorts": int(len(small)),
        "rating changed (shrunk rule)": float(np.mean(np.concatenate(flips))),
        "rating changed (single-year unshrunk rule)": float(np.mean(np.concatenate(naive_flips))),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="small", choices=("small", "full"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--period", type=int, default=2024)
    args = parser.parse_args()
    start = time.perf_counter()
    world = simulate(args.scale, args.seed)
    data = _tables(world)
    result = risk_ratings(data, None, period=args.period)
    elapsed = time.perf_counter() - start
    quality = world.schools.set_index("urn")["quality"]
    shares = flag_shares(result.ratings, quality, args.period)
    print(f"synthetic England, scale {args.scale}, seed {args.seed}, period {args.period}")
    print(f"{len(result.schools):,} schools rated in {elapsed:.1f}s")
    print(shares.to_string(float_format=lambda v: f"{v:.1%}"))
    overall = shares.loc["overall"]
    print(
        f"\nweakest 5% flagged red or amber overall: {overall['weakest 5% flagged']:.1%} (aim >= 80%)"
    )
    print(
        f"strongest 50% flagged red or amber overall: {overall['strongest 50% flagged']:.1%} (aim <= 5%)"
    )
    for key, value in one_pupil_flips(data.outcomes, args.period).items():
        print(f"{key}: {value:.1%}" if isinstance(value, float) else f"{key}: {value}")


if __name__ == "__main__":
    main()
