"""Validation: does 01's main design give honest intervals on a synthetic England with shocks?

For each seed, synthetic England is built with its shocks on (LA × year, partnership ×
year, clusters started after a bad year, takeovers after poor results) and 01's main
design (never-treated small schools from all of England, unbalanced panel, doubly
robust) is run for every LA with clusters. Printed, over seeds and LAs:

- coverage of the planted effect (for exactly the schools used) by the headline 95%
  interval — clustered by partnership plus the area-level noise measured on the other
  LAs, as the report shows it — and, for contrast, by the partnership-clustered interval
  alone, the wild cluster bootstrap and school-level inference;
- the mean bias (estimate − planted) and its spread;
- the size of the placebo-in-space test under no effect: a comparison LA given pretend
  clusters (no effect is planted on comparison schools) is tested against the other
  comparison LAs, as the report tests the treated LA; the share with p < 0.05.

Usage::

    python benchmarks/validate_cluster_impact.py [--seeds 0 ... 19] [--scale small|full]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace

import numpy as np
import pandas as pd

from partnership_eval.analyses.cluster_impact import estimate_impact, impact_design
from partnership_eval.analyses.cluster_impact.area_noise import area_noise, with_area_noise
from partnership_eval.analyses.cluster_impact.placebo_areas import (
    area_placebo,
    placebo_las,
    pretend_treated,
)
from partnership_eval.data.store import read_tables
from partnership_eval.data.synthetic import write_demo_data
from partnership_eval.errors import PartnershipEvalError

CLUSTER_LAS = ("Cumbria", "Devon", "Norfolk", "North Yorkshire")


def _covers(low: float, high: float, truth: float) -> bool:
    return bool(low <= truth <= high)


def one_seed(
    seed: int, scale: str, min_schools: int, n_null: int, anticipation: int = 1
) -> tuple[list[dict], list[float]]:
    """Estimates against truth for each cluster LA, and placebo p-values under no effect."""
    with tempfile.TemporaryDirectory() as tmp:
        write_demo_data(tmp, scale=scale, seed=seed, progress=lambda message: None)
        data = read_tables(tmp)
    rows, null_p = [], []
    for la in CLUSTER_LAS:
        try:
            design = impact_design(data, la)
            main = estimate_impact(design, n_boot=999, seed=seed, anticipation=anticipation)
        except PartnershipEvalError:
            continue
        truth = main.truth
        headline = with_area_noise(main, area_noise(design, main))
        school = estimate_impact(
            design, n_boot=999, seed=seed, cluster=None, anticipation=anticipation
        )
        wild = main.did.wild_bootstrap("simple", seed=seed)
        rows.append(
            {
                "seed": seed,
                "la": la,
                "estimate": main.simple.att,
                "truth": truth,
                "headline": _covers(*headline.interval, truth),
                "partnership": _covers(main.simple.ci_low, main.simple.ci_high, truth),
                "school": _covers(school.simple.ci_low, school.simple.ci_high, truth),
                "wild": _covers(wild.interval.ci_low, wild.interval.ci_high, truth),
                "se_headline": headline.se,
                "se_partnership": main.simple.se,
                "se_school": school.simple.se,
            }
        )
        # Under no effect: comparison LAs given pretend clusters, tested like the real one.
        for code in placebo_las(design, min_schools)[:n_null]:
            null = replace(design, panel=pretend_treated(design, code, seed=seed), truth=None)
            null = replace(null, la_codes=(code,), area=str(code))
            try:
                pretend = estimate_impact(null, n_boot=0, seed=seed)
                null_p.append(
                    area_placebo(null, pretend, min_schools=min_schools, seed=seed).p_value
                )
            except PartnershipEvalError:
                continue
    return rows, null_p


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(20)))
    parser.add_argument("--scale", choices=("small", "full"), default="small")
    parser.add_argument("--min-schools", type=int, default=None)
    parser.add_argument("--null-las", type=int, default=2, help="placebo LAs tested per design")
    parser.add_argument(
        "--anticipation", type=int, default=1, help="years before the start left out"
    )
    parser.add_argument("--out", default="", help="also write the estimates to this CSV")
    args = parser.parse_args()
    min_schools = args.min_schools or (20 if args.scale == "full" else 8)
    started = time.perf_counter()
    rows, null_p = [], []
    for seed in args.seeds:
        got, p = one_seed(seed, args.scale, min_schools, args.null_las, args.anticipation)
        rows += got
        null_p += p
        print(f"seed {seed}: {len(got)} LAs, {len(p)} null placebo tests", flush=True)
    table = pd.DataFrame(rows)
    if args.out:
        table.to_csv(args.out, index=False)
        pd.DataFrame({"p_value": null_p}).to_csv(args.out.replace(".csv", "_null.csv"), index=False)
    bias = table["estimate"] - table["truth"]
    print(f"\n{len(table)} estimates ({len(args.seeds)} seeds × cluster LAs, {args.scale} scale)")
    print("coverage of the planted effect by the 95% interval:")
    print(f"  headline (partnership + area):    {table['headline'].mean():.1%}")
    print(f"  partnership-clustered only:       {table['partnership'].mean():.1%}")
    print(f"  wild cluster bootstrap:           {table['wild'].mean():.1%}")
    print(f"  school-level (what it replaces):  {table['school'].mean():.1%}")
    print(
        f"mean bias {bias.mean():+.2f} points (SD {bias.std():.2f}, "
        f"SE of the mean {bias.std() / np.sqrt(len(bias)):.2f}); mean SE headline "
        f"{table['se_headline'].mean():.2f}, partnership {table['se_partnership'].mean():.2f}, "
        f"school {table['se_school'].mean():.2f}"
    )
    if null_p:
        rejected = np.mean(np.asarray(null_p) < 0.05)
        print(
            f"placebo in space under no effect: {rejected:.1%} of {len(null_p)} tests reject at 5%"
        )
    by_la = table.assign(bias=bias).groupby("la")[["bias", "headline", "partnership"]].mean()
    print(by_la.round(2).to_string())
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
