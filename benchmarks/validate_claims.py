"""Validation: are 01's claims intervals (Ofsted, same schools before and after) honest?

No Ofsted effect is planted as such in synthetic England (grades follow attainment, which
carries the planted effects), so the check is under no effect: for each seed, each LA with
clusters and each comparison LA with enough comparison schools, the comparison schools of
that LA are put into pretend clusters with the real clusters' sizes and start years
(:func:`~partnership_eval.analyses.cluster_impact.placebo_areas.pretend_treated`) and
compared, as partnership schools, with the other comparison schools. Printed: the share
of pretend designs whose interval for the difference in changes (% good or better at
Ofsted, and the mean grade) excludes zero — the test's size, 5% if the intervals are
honest — clustered by pretend partnership (as the report) and by school; and, for the
real designs, the estimate with both intervals.

Usage::

    python benchmarks/validate_claims.py [--seeds 0 ... 9] [--min-schools 8]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace

import numpy as np
import pandas as pd

from partnership_eval.analyses.cluster_impact import claimed_outcomes, impact_design
from partnership_eval.analyses.cluster_impact.placebo_areas import placebo_las, pretend_treated
from partnership_eval.data.store import read_tables
from partnership_eval.data.synthetic import write_demo_data
from partnership_eval.errors import PartnershipEvalError

CLUSTER_LAS = ("Cumbria", "Devon", "Norfolk")
MEASURES = ("good", "grade")


def _rows(claims, **keys) -> list[dict]:
    tidy = claims.tidy()
    did = tidy[tidy["statistic"] == "difference in changes"].set_index("measure")
    return [
        {**keys, "measure": m, **did.loc[m, ["estimate", "se", "ci_low", "ci_high"]].to_dict()}
        for m in MEASURES
        if m in did.index and np.isfinite(did.loc[m, "estimate"])
    ]


def one_seed(seed: int, min_schools: int) -> tuple[list[dict], list[dict]]:
    """Real and pretend designs' differences in changes, clustered both ways."""
    with tempfile.TemporaryDirectory() as tmp:
        write_demo_data(tmp, scale="small", seed=seed, progress=lambda message: None)
        data = read_tables(tmp)
    real, null = [], []
    for la in CLUSTER_LAS:
        try:
            design = impact_design(data, la)
        except PartnershipEvalError:
            continue
        for cluster in ("partnership", "school"):
            claims = claimed_outcomes(design, data.inspections, cluster=cluster)
            real += _rows(claims, seed=seed, la=la, cluster=cluster)
        for code in placebo_las(design, min_schools=min_schools):
            pretend = replace(design, panel=pretend_treated(design, code, seed=seed), truth=None)
            for cluster in ("partnership", "school"):
                try:
                    claims = claimed_outcomes(pretend, data.inspections, cluster=cluster)
                except PartnershipEvalError:
                    continue
                null += _rows(claims, seed=seed, la=la, placebo=code, cluster=cluster)
    return real, null


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(10)))
    parser.add_argument("--min-schools", type=int, default=8)
    args = parser.parse_args()
    start = time.time()
    real, null = [], []
    for seed in args.seeds:
        r, n = one_seed(seed, args.min_schools)
        real += r
        null += n
    real, null = pd.DataFrame(real), pd.DataFrame(null)
    null["rejects"] = (null["ci_low"] > 0) | (null["ci_high"] < 0)
    print(f"seeds {args.seeds[0]}-{args.seeds[-1]} ({len(args.seeds)}), small scale, shocks on")
    print("\nUnder no effect (pretend clusters of comparison schools):")
    size = null.groupby(["measure", "cluster"]).agg(
        designs=("rejects", "size"),
        rejection_rate=("rejects", "mean"),
        mean_estimate=("estimate", "mean"),
        sd_estimate=("estimate", "std"),
        mean_se=("se", "mean"),
    )
    print(size.round(3).to_string())
    print("\nReal designs (mean over seeds):")
    print(
        real.groupby(["measure", "la", "cluster"])[["estimate", "se"]].mean().round(2).to_string()
    )
    print(f"\n{time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
