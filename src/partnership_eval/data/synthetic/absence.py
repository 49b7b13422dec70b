"""Persistent absence of synthetic England.

A pupil is persistently absent when they miss 10% or more of their possible sessions
(DfE's definition since 2015/16). Pupils' absence rates within a school are drawn as
exponential around the school's overall absence (100 − attendance), which gives the
published primary figures: about 8% of pupils persistently absent at 4% absence
(2018/19) and about 16% at 5.5% (2022/23). The published % is a binomial draw on the roll.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PERSISTENT_THRESHOLD = 10.0
"""% of possible sessions missed from which a pupil is persistently absent."""


def add_persistent_absence(
    outcomes: pd.DataFrame, schools: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """``outcomes`` with ``persistent_absence``: % of pupils missing 10% or more of sessions."""
    pupils = schools.set_index("urn")["pupils"].reindex(outcomes["urn"]).to_numpy()
    absence = np.clip(100.0 - outcomes["attendance"].to_numpy(), 0.1, None)
    share = np.exp(-PERSISTENT_THRESHOLD / absence)
    absent = rng.binomial(pupils, share)
    return outcomes.assign(persistent_absence=np.round(100.0 * absent / pupils, 1))
