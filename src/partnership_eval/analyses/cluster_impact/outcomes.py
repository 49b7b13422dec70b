"""Outcomes an impact report can estimate, their words, and the KS2 floor standard.

Besides the canonical measures the report derives three columns: ``disadv_gap`` (other
pupils' % meeting the RWM standard minus disadvantaged pupils'; a fall means a narrower
gap), ``disadv_share`` (% of the Year 6 cohort disadvantaged: a placebo outcome, which a
partnership should not change unless it changes who enrols) and ``below_floor``, the DfE
primary floor standard of 2016-2019.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from partnership_eval.labels import MEASURE_LABELS, MEASURE_WORDS

OUTCOME_WORDS = MEASURE_WORDS
"""What each outcome measures, as it reads after "on" (from :mod:`partnership_eval.labels`)."""

OUTCOME_LABELS = MEASURE_LABELS
"""Short axis and table labels (from :mod:`partnership_eval.labels`)."""

FLOOR_YEARS = (2016, 2017, 2018, 2019)
"""Years the KS2 floor standard (as defined from 2016) applied."""
FLOOR_RWM = 65.0
FLOOR_PROGRESS = {"read_prog": -5.0, "writ_prog": -7.0, "mat_prog": -5.0}
FLOOR_MIN_PUPILS = 11
"""The floor standard did not apply to schools with fewer pupils at the end of KS2."""


def below_floor(outcomes: pd.DataFrame) -> pd.Series:
    """Whether each school-year was below the DfE KS2 floor standard (2016-2019).

    Below the floor: fewer than 65% of pupils met the expected standard in reading,
    writing and maths, *and* at least one progress score was below sufficient progress
    (−5 reading, −7 writing, −5 maths). Missing (``<NA>``) outside 2016-2019, for
    cohorts under 11 pupils, and where the needed results were suppressed.
    """
    low = outcomes["ks2_rwm_exp"] < FLOOR_RWM
    progress = outcomes[list(FLOOR_PROGRESS)]
    weak = pd.concat([progress[c] < limit for c, limit in FLOOR_PROGRESS.items()], axis=1).any(
        axis=1
    )
    known_progress = progress.notna().all(axis=1)
    applies = (
        outcomes["year"].isin(FLOOR_YEARS)
        & (outcomes["cohort_n"] >= FLOOR_MIN_PUPILS)
        & outcomes["ks2_rwm_exp"].notna()
    )
    # At or above 65% a school is above the floor whatever its progress scores; below
    # it, one known weak score is enough to place it below.
    decided = applies & (~low | known_progress | weak)
    value = (low & weak).astype("boolean")
    return value.where(decided, pd.NA)


def add_derived_outcomes(panel: pd.DataFrame) -> pd.DataFrame:
    """``panel`` with ``disadv_gap``, ``disadv_share`` and ``below_floor`` columns added."""
    gap = panel["non_disadv_rwm_exp"] - panel["disadv_rwm_exp"]
    cohort = panel["cohort_n"].astype("float64")
    counted = panel["disadv_n"].astype("float64") if "disadv_n" in panel else np.nan * cohort
    share = 100 * counted / cohort.where(cohort > 0)
    return panel.assign(disadv_gap=gap, disadv_share=share, below_floor=below_floor(panel))


def _number(value: float) -> str:
    """One decimal, with a real minus sign."""
    text = f"{value:.1f}"
    return text.replace("-", "\u2212") if value < 0 and text != "-0.0" else text.lstrip("-")


def effect_sentence(
    estimate: float, ci_low: float, ci_high: float, outcome: str, *, level: float = 0.95
) -> str:
    """The effect in plain words, e.g. "+2.1 points (95% CI 0.4 to 3.8) on the share of ...".

    Points are percentage points for shares and score points for progress scores.
    """
    if not np.isfinite(estimate):
        return f"no estimate on {OUTCOME_WORDS.get(outcome, outcome)}"
    sign = "+" if round(estimate, 1) > 0 else ""
    words = OUTCOME_WORDS.get(outcome, outcome)
    return (
        f"{sign}{_number(estimate)} points ({level:.0%} CI {_number(ci_low)} to "
        f"{_number(ci_high)}) on {words}"
    )


def interval_reading(ci_low: float, ci_high: float, mde: float | None = None) -> str:
    """What an interval does and does not rule out, in careful words."""
    if not (np.isfinite(ci_low) and np.isfinite(ci_high)):
        return "There is no interval to read."
    if ci_low > 0:
        text = (
            "The interval lies above zero: the data are hard to reconcile with no effect, "
            f"and consistent with effects from {_number(ci_low)} to {_number(ci_high)} points."
        )
    elif ci_high < 0:
        text = (
            "The interval lies below zero: the data point to a fall, of between "
            f"{_number(-ci_high)} and {_number(-ci_low)} points."
        )
    else:
        text = (
            "The interval includes zero: the data are consistent with no effect, and also "
            f"with effects as large as {_number(ci_high)} or as low as {_number(ci_low)} points."
        )
    if mde is not None and np.isfinite(mde):
        text += (
            f" The design could reliably detect (80% power) effects of about {_number(mde)} "
            "points or more; smaller true effects could easily go unseen."
        )
    return text
