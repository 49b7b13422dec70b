"""Validation: chain growth and the intake dip recover what full-scale synthetic England plants.

For each seed: build full-scale synthetic England, then compare

- schools added a year by chain age with the generator's planted expected joiners
  (``mat_growth`` truth rows): does each 95% interval cover the planted mean?
- the pace classes with the planted ones (``mat_growth`` rows carry each chain's class in
  ``description``): the confusion table, and precision and recall of each class — above
  all of "aggressive", whichever years are shown (all, and 2016–2024, which cuts into
  the early chains' growth);
- what the pace classes detect: the chance that a chain of known true pace is called
  aggressive, steady or measured (:func:`pace_detection`, the rule run on simulated
  Poisson chains), and on the synthetic chains the share called aggressive by planted
  rate (aggressive chains plant a rate drawn between 3 and 9 a year);
- the intake-dip estimate (event time 0) with the planted dip: the generator plants
  ``-min(3, 3 * joiners / schools at start)`` on every existing school of a chain in
  every year it takes joiners (truth rows per partnership), and
  :func:`partnership_eval.analyses.chain_growth.intake_dip.intake_dip_truth` turns them into the planted dip in
  the surge year and the study's target (the same event study run on the planted
  effects: the dip net of planted dips in the base year and on comparison schools), its
  bias (estimate − target) and the coverage of its interval over the seeds; the design
  compares existing schools of surging chains with those of chains not yet surged or
  never surging, three years before the surge.

Usage::

    python benchmarks/validate_chain_growth.py [--seeds 0 1 2 3] [--scale full|small]
"""

from __future__ import annotations

import argparse
import tempfile
import time

import numpy as np
import pandas as pd

from partnership_eval.analyses.chain_growth.growth import (
    PACE_CLASSES,
    chain_growth,
    pace_confusion,
    pace_detection,
)
from partnership_eval.analyses.chain_growth.intake_dip import intake_dip
from partnership_eval.data.store import read_tables
from partnership_eval.data.synthetic import write_demo_data


def precision_recall(confusion: pd.DataFrame) -> pd.DataFrame:
    """Precision and recall of each pace class from a planted × classified table."""
    hits = pd.Series({c: confusion.loc[c, c] for c in PACE_CLASSES})
    flagged = confusion[list(PACE_CLASSES)].sum(axis=0)
    planted = confusion.loc[list(PACE_CLASSES)].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return pd.DataFrame(
            {"precision": hits / flagged, "recall": hits / planted, "planted": planted}
        )


def validate(seed: int, scale: str) -> dict:
    with tempfile.TemporaryDirectory() as out:
        write_demo_data(out, scale=scale, seed=seed, progress=lambda message: None)
        tables = read_tables(out)
    start = time.perf_counter()
    growth = chain_growth(tables)
    dip = intake_dip(tables)
    seconds = time.perf_counter() - start
    late = chain_growth(tables, years=(2016, 2024))

    planted = tables.truth[tables.truth["programme"] == "mat_growth"]
    expected = (
        planted.assign(chain_age=planted["year"] - planted["cohort"] + 1)
        .groupby("chain_age")["effect"]
        .mean()
    )
    by_age = growth.by_age.set_index("chain_age").join(expected.rename("planted"))
    covered = (by_age["ci_low"] <= by_age["planted"]) & (by_age["planted"] <= by_age["ci_high"])
    confusion = pace_confusion(growth.pace, tables.truth)
    by_rate = pace_confusion(growth.pace, tables.truth, rate_bands=(0, 1, 2, 3, 4, 6, 8))
    confusion_late = pace_confusion(late.pace, tables.truth)
    head, truth = dip.headline(), dip.truth
    return {
        "seed": seed,
        "by_age": by_age[["n_chains", "mean", "ci_low", "ci_high", "planted"]],
        "ages_covered": f"{int(covered.sum())}/{len(covered)}",
        "confusion": confusion,
        "by_rate": by_rate,
        "scores": precision_recall(confusion),
        "confusion_late": confusion_late,
        "scores_late": precision_recall(confusion_late),
        "estimate": head["estimate"],
        "ci": (head["ci_low"], head["ci_high"]),
        "planted_dip": truth["planted_dip"],
        "target": truth["target"],
        "covers_target": head["ci_low"] <= truth["target"] <= head["ci_high"],
        "covers_planted": head["ci_low"] <= truth["planted_dip"] <= head["ci_high"],
        "n_treated": head["n_treated"],
        "n_comparison": head["n_comparison"],
        "n_not_yet": dip.details["n_not_yet"],
        "placebos_failed": len(dip.failed_placebos()),
        "seconds": seconds,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3])
    parser.add_argument("--scale", default="full", choices=("small", "full"))
    args = parser.parse_args()
    detection = pd.concat(
        {years: 100 * pace_detection(years=years) for years in (3, 10)}, names=["years"]
    )
    print("chance (%) of each class by true pace (rule run on simulated Poisson chains):")
    print(detection.round(1).to_string())
    results = [validate(seed, args.scale) for seed in args.seeds]
    for r in results:
        print(f"\n=== seed {r['seed']} ({args.scale}) ===")
        print(r["by_age"].round(2).to_string())
        print(f"planted joiners inside the 95% interval at {r['ages_covered']} ages")
        print("pace, all years:\n" + r["confusion"].to_string())
        print("by planted rate (fastest 3 years):\n" + r["by_rate"].to_string())
        print(r["scores"].round(2).to_string())
        print("pace, 2016-2024 shown:\n" + r["confusion_late"].to_string())
        print(r["scores_late"].round(2).to_string())
        low, high = r["ci"]
        print(
            f"intake dip: estimate {r['estimate']:+.2f} (95% CI {low:+.2f} to {high:+.2f}); "
            f"planted dip {r['planted_dip']:+.2f}, target {r['target']:+.2f}; "
            f"{r['n_treated']} treated, {r['n_comparison']} comparison schools "
            f"({r['n_not_yet']} not yet surged); {r['placebos_failed']} placebo(s) failing; "
            f"growth + intake dip in {r['seconds']:.1f} s"
        )
    summary = pd.DataFrame(
        [
            {
                "seed": r["seed"],
                "aggressive_precision": r["scores"].loc["aggressive", "precision"],
                "aggressive_recall": r["scores"].loc["aggressive", "recall"],
                "accuracy": np.trace(r["confusion"][list(PACE_CLASSES)].to_numpy())
                / r["confusion"].to_numpy().sum(),
                "estimate": r["estimate"],
                "ci_low": r["ci"][0],
                "ci_high": r["ci"][1],
                "planted_dip": r["planted_dip"],
                "target": r["target"],
                "covers_target": r["covers_target"],
                "covers_planted": r["covers_planted"],
            }
            for r in results
        ]
    )
    print("\n" + summary.round(2).to_string(index=False))
    bias = summary["estimate"] - summary["target"]
    print(
        f"mean estimate {summary['estimate'].mean():+.2f} vs mean target "
        f"{summary['target'].mean():+.2f} and mean planted dip {summary['planted_dip'].mean():+.2f}; "
        f"bias (estimate - target) {bias.mean():+.2f} (sd {bias.std():.2f} over {len(bias)} "
        f"seeds); 95% interval covers the target in {summary['covers_target'].mean():.0%}, "
        f"the planted dip in {summary['covers_planted'].mean():.0%}"
    )
    by_rate = sum(r["by_rate"] for r in results)
    print("\npooled over seeds, chains by planted rate and class found:\n" + by_rate.to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
