"""Validate the self-review against peer-review analysis by simulation.

20 seeds of small synthetic England, each with synthetic reviews that plant over-rating
on one theme only (quality of education, 0.8 sd of a school's standing; no school-type
over-rating). For every seed: does the report name that theme as the blind spot, and do
the school-bootstrap intervals of the weighted kappa cover the planted kappa — of the
over-rated theme and of every theme? Criterion (issue 17): the theme is named and the
intervals cover the planted kappa in at least 18 of 20 seeds. Also printed: how often peer
grades (planted less noisy) predict the next inspection better.

Run: PYTHONPATH=src python benchmarks/validate_peer_review.py [--seeds 20] [--n-boot 499]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from partnership_eval.analyses.peer_review import peer_review
from partnership_eval.data.store import DataTables
from partnership_eval.data.synthetic import simulate
from partnership_eval.data.synthetic.reviews import ReviewPlan, build_reviews
from partnership_eval.data.synthetic.spec import stream

THEME = "quality_of_education"
PLAN = ReviewPlan(over_rating={THEME: 0.8}, type_over_rating={})


def one_seed(seed: int, n_boot: int) -> pd.DataFrame:
    """Kappa estimates, intervals and planted truth per theme, and the named blind spot."""
    world = simulate("small", seed)
    t = world.tables
    reviews = build_reviews(
        world.schools, world.p_expected, t["memberships"], t["partnerships"],
        stream(seed, "reviews"), PLAN,
    )  # fmt: skip
    data = DataTables(
        t["schools"], t["outcomes"], t["memberships"], t["partnerships"], t["inspections"],
        truth=reviews.truth, reviews=reviews.reviews, synthetic=True,
    )  # fmt: skip
    res = peer_review(data, n_boot=n_boot, seed=seed)
    kappa = res.tidy().query("measure == 'weighted_kappa'")
    diff = res.prediction.set_index("term").loc["self minus peer mean squared error"]
    return kappa[["theme", "estimate", "ci_low", "ci_high", "truth"]].assign(
        seed=seed, named=res.blind_spot, schools=res.n_schools,
        peer_better=diff["estimate"] > 0, peer_clearly_better=diff["ci_low"] > 0,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--n-boot", type=int, default=499)
    args = parser.parse_args()
    start = time.perf_counter()
    runs = pd.concat([one_seed(s, args.n_boot) for s in range(args.seeds)], ignore_index=True)
    runs["covered"] = (runs["ci_low"] <= runs["truth"]) & (runs["truth"] <= runs["ci_high"])
    per_seed = runs.drop_duplicates("seed")
    named = int((per_seed["named"] == THEME).sum())
    target = runs[runs["theme"] == THEME]
    print(f"planted over-rating on {THEME} ({PLAN.over_rating[THEME]} sd), {args.seeds} seeds, "
          f"{args.n_boot} bootstrap draws, {per_seed['schools'].mean():.0f} schools per seed")  # fmt: skip
    print(f"blind spot named correctly: {named} of {args.seeds}")
    print(f"kappa interval covers the planted kappa on {THEME}: "
          f"{int(target['covered'].sum())} of {len(target)}")  # fmt: skip
    summary = runs.groupby("theme").agg(
        covered=("covered", "sum"),
        mean_estimate=("estimate", "mean"),
        mean_truth=("truth", "mean"),
        mean_width=("ci_high", "mean"),
    )
    summary["mean_width"] -= runs.groupby("theme")["ci_low"].mean()
    summary["bias"] = summary["mean_estimate"] - summary["mean_truth"]
    print("\nper theme (coverage of 20 seeds, mean estimate, mean planted kappa, width, bias):")
    print(summary.round(3).to_string())
    print(f"\nnext inspection (peer grades planted less noisy): self minus peer squared error "
          f"positive in {int(per_seed['peer_better'].sum())} of {args.seeds} seeds, its interval "
          f"above 0 in {int(per_seed['peer_clearly_better'].sum())}")  # fmt: skip
    print(f"\nall themes: {int(runs['covered'].sum())} of {len(runs)} intervals cover "
          f"({runs['covered'].mean():.1%}); {time.perf_counter() - start:.0f} s")  # fmt: skip
    ok = named == args.seeds and target["covered"].sum() >= np.ceil(0.9 * args.seeds)
    print("criterion met" if ok else "criterion NOT met")


if __name__ == "__main__":
    main()
