"""Ex-ante minimum detectable effect by simulation: placebo programmes on untreated data.

For planning before outcomes after treatment exist: take the units that were never
treated, give randomly chosen ones (or whole clusters, e.g. partnerships) the cohort
sizes and start years the programme will have, estimate the staggered DiD as the report
will, and repeat. The spread of these placebo estimates is the standard error the real
estimate will have, whatever the serial correlation and shocks in the data, and
``(critical value + power quantile) × spread`` its MDE. The share of placebo intervals
that exclude 0 checks the interval's size on the same data.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from partnership_eval.errors import EstimationError, InputError
from partnership_eval.impact.power import FEW_CLUSTERS, MdeResult, MdeSpec, critical_values
from partnership_eval.impact.staggered import staggered_did


def simulated_mde(
    df: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    cohort_sizes: Mapping[int, int],
    cluster: str | None = None,
    kind: str = "simple",
    n_sims: int = 200,
    alpha: float = 0.05,
    power: float = 0.8,
    seed: int = 0,
    **did_options: object,
) -> MdeResult:
    """MDE of a planned staggered DiD from placebo assignments on untreated data.

    ``df`` holds untreated units only (a panel, one row per unit and period).
    ``cohort_sizes`` maps each first treated period to the number of units — or of
    clusters, with ``cluster`` (treatment then goes to whole clusters and standard
    errors are clustered by them). ``did_options`` go to :func:`staggered_did`.
    """
    if not isinstance(n_sims, int) or n_sims < 20:
        raise InputError(f"parameter n_sims={n_sims!r} must be a whole number ≥ 20")
    if not cohort_sizes or any(int(n) < 1 for n in cohort_sizes.values()):
        raise InputError(
            "cohort_sizes must map first treated periods to positive counts",
            fix="pass e.g. {2016: 12, 2018: 8}",
        )
    for name in (outcome, unit, time, cluster):
        if name is not None and name not in df:
            raise InputError(f"unknown column {name!r}", column=name)
    who = cluster if cluster is not None else unit
    ids = df[who].drop_duplicates().to_numpy()
    need = sum(int(n) for n in cohort_sizes.values())
    if need >= len(ids):
        raise EstimationError(
            f"simulated_mde: {need} treated {who}s asked for but only {len(ids)} untreated "
            "ones in the data, leaving no comparison group"
        )
    cohorts = np.repeat(np.array(list(cohort_sizes), dtype=float), list(cohort_sizes.values()))
    rng = np.random.default_rng(seed)
    codes = pd.Index(ids).get_indexer(df[who])
    estimates, ses, rejected = np.empty(n_sims), np.empty(n_sims), np.empty(n_sims, dtype=bool)
    options = {"n_boot": 0, "alpha": alpha, "cluster": cluster, **did_options}
    for s in range(n_sims):
        assigned = np.zeros(len(ids))
        assigned[rng.choice(len(ids), size=need, replace=False)] = cohorts
        data = df.assign(_cohort=assigned[codes])
        agg = staggered_did(data, outcome, unit, time, "_cohort", **options).aggregate(kind)
        estimates[s], ses[s] = agg.att, agg.se
        rejected[s] = not agg.ci_low <= 0 <= agg.ci_high
    spread = float(np.std(estimates, ddof=1))
    n_clusters = len(ids) if cluster is not None else None
    df_t = n_clusters - 1 if n_clusters is not None and n_clusters < FEW_CLUSTERS else None
    crit, quant = critical_values(alpha, power, df_t)
    n_treated = int(need)
    spec = MdeSpec(
        alpha=alpha,
        power=power,
        source="simulation",
        outcome=outcome,
        n_treated=n_treated,
        n_control=len(ids) - n_treated,
        df=df_t,
        estimate=f"overall ATT ({kind})",
    )
    parts = {
        "n_sims": n_sims,
        "mean_reported_se": float(np.mean(ses)),
        "placebo_rejection_rate": float(np.mean(rejected)),
        "placebo_mean": float(np.mean(estimates)),
    }
    return MdeResult(mde=(crit + quant) * spread, se=spread, spec=spec, parts=parts)
