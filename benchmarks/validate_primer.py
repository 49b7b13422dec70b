"""How often each primer lesson comes out as the primer says, over many seeds.

Prints, per lesson and kind of answer, the share of seeds whose interval covers the
truth: naive answers should (almost) never cover it, right answers about 1 − alpha of
the time (their intervals are honest, so at any one seed each can miss).

    PYTHONPATH=src python benchmarks/validate_primer.py [n_seeds]
"""

from __future__ import annotations

import sys
import time

import pandas as pd

from partnership_eval.analyses.primer import methods_primer


def main(n_seeds: int = 20) -> None:
    start = time.perf_counter()
    rows = []
    for seed in range(n_seeds):
        primer = methods_primer(seed=seed)
        rows.append(primer.tidy().assign(seed=seed))
    table = pd.concat(rows, ignore_index=True)
    coverage = table.groupby(["lesson", "kind"], sort=False)["covers_truth"].mean().unstack()
    print(f"share of {n_seeds} seeds whose interval covers the truth (small scale):")
    print(coverage.to_string(float_format=lambda v: f"{v:.2f}"))
    held = table.groupby("seed").apply(
        lambda t: bool((t["covers_truth"] == (t["kind"] == "right")).all()), include_groups=False
    )
    print(
        f"seeds where every lesson holds: {int(held.sum())} of {n_seeds}: {held[held].index.tolist()}"
    )
    print(f"{(time.perf_counter() - start) / n_seeds:.1f} s per seed")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
