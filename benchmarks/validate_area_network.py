"""Validate report 06's one-area designs on synthetic England with LA × year shocks.

For each seed: build full-scale synthetic England, add LA × year shocks to every school's
published result (the same shift for all schools of an LA in a year — what one-area
designs cannot average away; skip with ``--shock-sd 0`` once the generator plants its
own), then

1. run every design for the planted network LA and check which intervals hold the
   planted effect (area-level designs: the pupil-weighted area effect; the school-level
   DiD: the average effect on network schools);
2. rank the network LA among its placebos (synthetic control, absolute mean gap);
3. treat 20 LAs with no planted programme as if their network began in the same year
   and count how often the "improving faster than England" test rejects at 5% (the
   claim's one-sided form: interval above zero; and the two-sided form), and how often
   the synthetic control and gap-change placebo tests do.

Run: ``PYTHONPATH=src python benchmarks/validate_area_network.py [--seeds 0 1 2]``.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from partnership_eval.analyses.area_network import (
    area_network,
    area_series,
    england_series,
    gap_change,
    gap_series,
    improving_faster,
    network_las,
    series_wide,
    synthetic_control,
)
from partnership_eval.data.store import DataTables
from partnership_eval.data.synthetic.england import simulate
from partnership_eval.data.synthetic.networks import NETWORK_START
from partnership_eval.data.synthetic.spec import scale_spec

N_UNTREATED = 20


def with_la_year_shocks(data: DataTables, sd: float, seed: int) -> DataTables:
    """``data`` with N(0, sd) added to every school's KS2 result, one draw per LA and year."""
    if sd == 0:
        return data
    rng = np.random.default_rng([seed, 606])
    la = data.outcomes["urn"].map(data.schools.set_index("urn")["la_code"])
    keys = pd.MultiIndex.from_arrays([la, data.outcomes["year"]]).unique()
    shock = pd.Series(rng.normal(0, sd, len(keys)), index=keys)
    shift = shock.reindex(pd.MultiIndex.from_arrays([la, data.outcomes["year"]])).to_numpy()
    outcomes = data.outcomes.copy()
    outcomes["ks2_rwm_exp"] = (outcomes["ks2_rwm_exp"] + shift).clip(0, 100)
    return DataTables(**{**vars(data), "outcomes": outcomes})


def build(seed: int, shock_sd: float) -> tuple[DataTables, int, tuple[int, ...]]:
    """Synthetic England (full), with shocks; its network LA and its programme LAs."""
    world = simulate("full", seed)
    t = world.tables
    data = DataTables(
        schools=t["schools"],
        outcomes=t["outcomes"],
        memberships=t["memberships"],
        partnerships=t["partnerships"],
        inspections=t["inspections"],
        truth=t["truth"],
        synthetic=True,
        source=f"synthetic England (full, seed {seed})",
    )
    spec = scale_spec("full")
    return with_la_year_shocks(data, shock_sd, seed), spec.network_la, spec.cluster_las


def treated_checks(data: DataTables, la: int) -> list[dict]:
    """Every design for the network LA: estimate, interval, truth, covered."""
    res = area_network(data, la, NETWORK_START)
    rows = []
    for row in res.tidy().itertuples(index=False):
        if row.term.startswith("improving faster"):
            continue
        covered = row.ci_low <= row.truth <= row.ci_high
        rows.append(
            {
                "design": row.term,
                "estimate": row.estimate,
                "ci_low": row.ci_low,
                "ci_high": row.ci_high,
                "truth": row.truth,
                "covered": bool(covered),
            }
        )
    rows.append(
        {
            "design": "placebo rank of the network LA",
            "estimate": res.synth.rank,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "truth": 1,
            "covered": res.synth.p_value <= 0.05,
            "p": res.synth.p_value,
            "of": res.synth.n_compared,
            "ratio rank": res.synth.ratio_rank,
        }
    )
    return rows


def untreated_checks(data: DataTables, exclude: set[int], seed: int) -> pd.DataFrame:
    """The improving-faster test and the placebo test for 20 LAs with nothing planted."""
    series = area_series(data)
    series = series[~series["la_code"].isin(network_las(data))]
    candidates = sorted(set(series["la_code"]) - exclude)
    rng = np.random.default_rng([seed, 20])
    chosen = rng.choice(candidates, N_UNTREATED, replace=False)
    wide = series_wide(series)
    wide = wide.dropna(how="all")
    rows = []
    for la in chosen:
        area = series[series["la_code"] == la]
        trend = improving_faster(
            gap_series(area, england_series(series, exclude=[la])), NETWORK_START
        )
        row = trend.tidy().iloc[0]
        donors = [int(c) for c in wide.columns if c != la]
        synth = synthetic_control(wide, int(la), NETWORK_START, donors)
        change = gap_change(
            wide, england_series(series).set_index("year")["value"], la, NETWORK_START
        )
        rows.append(
            {
                "la_code": int(la),
                "trend": row["estimate"],
                "ci_low": row["ci_low"],
                "ci_high": row["ci_high"],
                "claim holds": row["ci_low"] > 0,
                "two-sided reject": row["ci_low"] > 0 or row["ci_high"] < 0,
                "synth p": synth.p_value,
                "gap change p": change.p_value,
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--shock-sd", type=float, default=1.0, help="LA × year shock SD (pp)")
    args = parser.parse_args()
    pd.set_option("display.width", 160)
    summary = []
    for seed in args.seeds:
        data, la, cluster_las = build(seed, args.shock_sd)
        print(f"\n=== seed {seed}: network LA {la}, LA × year shocks SD {args.shock_sd} pp ===")
        treated = pd.DataFrame(treated_checks(data, la))
        print(treated.round(3).to_string(index=False))
        untreated = untreated_checks(data, {la, *cluster_las}, seed)
        print(untreated.round(3).to_string(index=False))
        designs = treated[~treated["design"].str.startswith("placebo")]
        placebo = treated[treated["design"].str.startswith("placebo")].iloc[0]
        summary.append(
            {
                "seed": seed,
                "designs covering truth": int(designs["covered"].sum()),
                "of designs": len(designs),
                "network LA gap rank": int(placebo["estimate"]),
                "placebo p": round(float(placebo["p"]), 3),
                "untreated: claim holds (of 20)": int(untreated["claim holds"].sum()),
                "untreated: two-sided rejects": int(untreated["two-sided reject"].sum()),
                "untreated: synth p ≤ 0.05": int((untreated["synth p"] <= 0.05).sum()),
                "untreated: gap change p ≤ 0.05": int((untreated["gap change p"] <= 0.05).sum()),
            }
        )
    print("\n=== summary ===")
    print(pd.DataFrame(summary).to_string(index=False))


if __name__ == "__main__":
    main()
