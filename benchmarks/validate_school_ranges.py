"""Coverage of the school report's likely range (Wilson interval) for small cohorts.

A school's true chance of a pupil meeting the standard is ``p``; each year ``n`` pupils
sit the tests (binomial draws). The likely range should cover ``p`` in about
``1 - alpha`` of years, at the cohort sizes small schools have. Prints coverage and mean
width by cohort size and ``p``; also the similar-schools choice time for one school on
the data given (default: small synthetic England in a temporary folder).

    python benchmarks/validate_school_ranges.py [DATA_DIR]
"""

from __future__ import annotations

import sys
import tempfile
import time

import numpy as np

from partnership_eval.analyses.school_report import similar_schools, wilson_interval
from partnership_eval.data.store import read_tables

DRAWS = 200_000
COHORTS = (5, 8, 10, 14, 20, 30, 60, 90)
TRUE_P = (0.3, 0.6, 0.85)


def coverage(alpha: float = 0.05, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    print(f"Wilson likely range, nominal {100 * (1 - alpha):.0f}%, {DRAWS:,} draws per cell")
    print("pupils " + "".join(f"  p={p:.2f} cover  width" for p in TRUE_P))
    for n in COHORTS:
        cells = []
        for p in TRUE_P:
            k = rng.binomial(n, p, DRAWS)
            low, high = wilson_interval(100 * k / n, np.full(DRAWS, n), alpha)
            covered = (low <= 100 * p) & (100 * p <= high)
            cells.append(f"  {100 * covered.mean():10.1f}% {np.mean(high - low):6.1f}")
        print(f"{n:6d} " + "".join(cells))


def choice_time(data_dir: str | None) -> None:
    if data_dir is None:
        from partnership_eval.data.synthetic import write_demo_data

        data_dir = tempfile.mkdtemp()
        write_demo_data(data_dir, scale="small", seed=0, progress=lambda message: None)
    data = read_tables(data_dir)
    year = int(data.outcomes["year"].max())
    urn = int(data.outcomes.loc[data.outcomes["year"] == year, "urn"].iloc[0])
    start = time.perf_counter()
    group = similar_schools(data.schools, data.outcomes, urn, year)
    seconds = time.perf_counter() - start
    print(f"similar schools for URN {urn} among {group.pool:,} candidates: {seconds:.2f} s")


if __name__ == "__main__":
    coverage()
    choice_time(sys.argv[1] if len(sys.argv) > 1 else None)
