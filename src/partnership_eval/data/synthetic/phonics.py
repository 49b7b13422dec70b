"""Year 1 phonics screening check results of synthetic England.

The check (introduced in June 2012) asks each Year 1 pupil to read 40 words; 32 or more
meets the expected standard. The model, on the logit scale of a pupil's chance of
meeting it::

    logit q[s, t] = nu[t] + PHONICS_SCALE * (quality[s] + la_effect[s]
                    - 0.3 * (fsm_pct[s] - 15)) + shock[s, t]

``nu[t]`` is calibrated so the cohort-weighted national rate hits :data:`NATIONAL_PHONICS`
(58% in 2012 rising to 82% in 2019, 80% in 2024). There was no check in 2020 and 2021
(nor rows in the outcomes table). Year 1 cohorts are about a seventh of the roll, drawn
apart from Year 6; the published rate is a binomial draw on them, suppressed at 5 or
fewer pupils as DfE does. Partnerships plant no phonics effect.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from partnership_eval.data.synthetic.attainment import SUPPRESS_AT

NATIONAL_PHONICS = {
    2012: 58.0,
    2013: 69.0,
    2014: 74.0,
    2015: 77.0,
    2016: 81.0,
    2017: 81.0,
    2018: 82.0,
    2019: 82.0,
    2022: 75.0,
    2023: 79.0,
    2024: 80.0,
}
"""% of Year 1 pupils meeting the expected standard in England (DfE, Key stage 1 and
phonics screening check attainment; all state-funded schools)."""

PHONICS_SCALE = 0.05
"""Logit change per percentage point of the school's latent attainment level."""
SHOCK_SD = 0.25
"""Transitory school-year variation on the logit scale."""


def _calibrate(latent: np.ndarray, weights: np.ndarray, target: float) -> float:
    nu = float(logit(target / 100.0))
    for _ in range(8):
        nu += float(logit(target / 100.0) - logit(np.average(expit(nu + latent), weights=weights)))
    return nu


def add_phonics(
    outcomes: pd.DataFrame, schools: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """``outcomes`` with ``phonics_n``, ``phonics_pass`` and ``phonics_pass_reason``.

    ``schools`` holds the latent columns (``quality``, ``la_effect``) in the row order
    of the outcomes' schools.
    """
    pos = pd.Index(schools["urn"]).get_indexer(outcomes["urn"])
    years = outcomes["year"].to_numpy()
    level = (
        schools["quality"].to_numpy()
        + schools["la_effect"].to_numpy()
        - 0.3 * (schools["fsm_pct"].to_numpy() - 15.0)
    )
    pupils = schools["pupils"].to_numpy()
    cohort = np.maximum(rng.poisson(pupils[pos] / 7.0 * np.exp(rng.normal(0, 0.1, len(pos)))), 1)
    latent = PHONICS_SCALE * level[pos] + rng.normal(0, SHOCK_SD, len(pos))
    held = np.isin(years, list(NATIONAL_PHONICS))
    q = np.full(len(pos), np.nan)
    for year, target in NATIONAL_PHONICS.items():
        rows = years == year
        if rows.any():
            shown = np.where(cohort[rows] > SUPPRESS_AT, cohort[rows], 0)
            q[rows] = expit(_calibrate(latent[rows], shown, target) + latent[rows])
    passed = rng.binomial(cohort, np.nan_to_num(q))
    suppressed = held & (cohort <= SUPPRESS_AT)
    rate = np.where(held & ~suppressed, np.round(100.0 * passed / cohort), np.nan)
    reason = np.where(~held, "not_applicable", np.where(suppressed, "suppressed", None))
    return outcomes.assign(
        phonics_n=pd.Series(cohort, index=outcomes.index, dtype="Int64").where(held),
        phonics_pass=rate,
        phonics_pass_reason=reason.astype(object),
    )
