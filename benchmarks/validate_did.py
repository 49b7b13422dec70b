"""Size of the pre-trend test, power at the reported MDE, coverage of the wild bootstrap.

Simulations with known truth (a script printing its figures, not a test):

1. Pre-test size: staggered panels with no pre-trend (10 years, cohorts 2013/2015/2017,
   40% never treated) of 60, 150 and 600 units; share of runs in which the default
   pre-test (mean pre-treatment event-time effect, t on clusters − 1 df) rejects at 5%,
   beside Hotelling's F and R ``did``'s χ² on all pre-treatment cells.
2. Power at the reported MDE: 150 units; the MDE each null run reports for its
   ``simple`` ATT is averaged, that effect is planted, and the share of runs whose
   interval excludes 0 is the power (target 80%).
3. Wild cluster bootstrap-t coverage: partnerships of 4 schools with partnership × year
   shocks (sd 1, as large as the school noise), 5, 10 and 20 treated partnerships
   against 20 untreated; coverage of the planted effect (1) by the 95% wild interval,
   beside the normal interval clustered by partnership.

Usage: ``python benchmarks/validate_did.py [--reps N] [--quick]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from partnership_eval.errors import EstimationError
from partnership_eval.impact import constant_effect, simulate_staggered_panel, staggered_did


def pretest_size(n_units: int, reps: int) -> dict[str, float]:
    """Rejection rates at 5% of each pre-test with no true pre-trend."""
    rejected = {"average": 0, "hotelling": 0, "chi2": 0}
    for seed in range(reps):
        sim = simulate_staggered_panel(n_units=n_units, seed=10_000 + seed)
        res = staggered_did(sim.data, "y", "unit", "time", "cohort", n_boot=0)
        for method in rejected:
            rejected[method] += res.pretest(method).p_value < 0.05
    return {method: count / reps for method, count in rejected.items()}


def power_at_mde(n_units: int, reps: int) -> tuple[float, float]:
    """Mean reported MDE under the null, and the rejection rate with it planted."""
    mdes = []
    for seed in range(reps):
        sim = simulate_staggered_panel(n_units=n_units, effect=constant_effect(0.0),
                                       effect_heterogeneity=0.0, seed=20_000 + seed)  # fmt: skip
        mdes.append(staggered_did(sim.data, "y", "unit", "time", "cohort", n_boot=0).mde().mde)
    mde = float(np.mean(mdes))
    hits = 0
    for seed in range(reps):
        sim = simulate_staggered_panel(n_units=n_units, effect=constant_effect(mde),
                                       effect_heterogeneity=0.0, seed=30_000 + seed)  # fmt: skip
        agg = staggered_did(sim.data, "y", "unit", "time", "cohort", n_boot=0).aggregate("simple")
        hits += not agg.ci_low <= 0 <= agg.ci_high
    return mde, hits / reps


def partnership_panel(n_treated: int, n_control: int, rng: np.random.Generator) -> pd.DataFrame:
    """Partnerships of 4 schools, partnership × year shocks, effect 1 from the start."""
    n_clusters, periods = n_treated + n_control, np.arange(2012, 2020)
    cluster = np.repeat(np.arange(n_clusters), 4)
    start = np.where(np.arange(n_clusters) < n_treated, rng.choice([2015, 2017], n_clusters), 0)
    cohort = start[cluster]
    shock = rng.normal(size=(n_clusters, len(periods)))[cluster]
    treated = (cohort[:, None] > 0) & (periods[None, :] >= cohort[:, None])
    y = rng.normal(size=(len(cluster), 1)) + shock + rng.normal(size=shock.shape) + treated
    return pd.DataFrame({"urn": np.repeat(np.arange(len(cluster)), len(periods)),
                         "year": np.tile(periods, len(cluster)),
                         "first": np.repeat(cohort, len(periods)),
                         "partnership": np.repeat(cluster, len(periods)), "y": y.ravel()})  # fmt: skip


def wild_coverage(n_treated: int, reps: int, n_control: int = 20) -> tuple[float, float, float]:
    """Coverage of the wild bootstrap-t and of the normal clustered interval; mean width ratio."""
    wild_hits = normal_hits = 0
    ratio = []
    for seed in range(reps):
        data = partnership_panel(n_treated, n_control, np.random.default_rng(40_000 + seed))
        try:
            res = staggered_did(data, "y", "urn", "year", "first", cluster="partnership",
                                n_boot=0, seed=seed)  # fmt: skip
        except EstimationError:
            continue
        simple = res.aggregate("simple")
        wild = res.wild_bootstrap(n_boot=999).tidy().iloc[0]
        wild_hits += wild["ci_low"] <= 1 <= wild["ci_high"]
        normal_hits += simple.ci_low <= 1 <= simple.ci_high
        ratio.append((wild["ci_high"] - wild["ci_low"]) / (simple.ci_high - simple.ci_low))
    return wild_hits / reps, normal_hits / reps, float(np.mean(ratio))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=400, help="runs per pre-test/power setting")
    parser.add_argument("--wild-reps", type=int, default=300, help="runs per wild setting")
    args = parser.parse_args()
    start = time.perf_counter()

    print("1. Pre-test rejection rate at nominal 5%, no true pre-trend")
    print(f"   {'units':>6} {'average (default)':>18} {'hotelling':>10} {'chi2':>8}")
    for n in (60, 150, 600):
        size = pretest_size(n, args.reps)
        print(f"   {n:>6} {size['average']:>18.1%} {size['hotelling']:>10.1%} {size['chi2']:>8.1%}")

    mde, power = power_at_mde(150, args.reps)
    print(f"2. Power at the reported MDE (150 units, mean MDE {mde:.3f}): {power:.1%}")

    print("3. Coverage of the planted effect at nominal 95%, partnership × year shocks")
    print(f"   {'treated partnerships':>21} {'wild bootstrap-t':>17} {'normal':>8} {'width':>7}")
    for g in (5, 10, 20):
        wild, normal, width = wild_coverage(g, args.wild_reps)
        print(f"   {g:>21} {wild:>17.1%} {normal:>8.1%} {width:>6.2f}×")
    print(f"({args.reps} runs per pre-test/power setting, {args.wild_reps} per wild setting; "
          f"{time.perf_counter() - start:.0f} s)")  # fmt: skip


if __name__ == "__main__":
    main()
