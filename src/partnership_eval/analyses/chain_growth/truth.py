"""Estimates of ``02_chain_growth`` against what synthetic England planted.

The truth table (truth.parquet) holds, per chain, the planted expected joiners of every
year since founding (``mat_growth`` rows) and the planted intake dip per chain × joining
cohort × year (``mat_intake_dip`` rows, see
:func:`~partnership_eval.analyses.chain_growth.intake_dip.intake_dip_truth`). As in
report 01's appendix, each estimate is set beside the value planted for exactly the
chains and school-years it used, so "estimate − planted" is the estimator's error, not a
difference of samples.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from partnership_eval.analyses.chain_growth.growth import ChainGrowth
from partnership_eval.analyses.chain_growth.intake_dip import IntakeDip

TRUTH_COLUMNS = ["estimate", "ci_low", "ci_high", "planted", "error", "covers"]


def planted_by_age(truth: pd.DataFrame | None, sizes: pd.DataFrame) -> pd.Series | None:
    """Mean planted expected joiners by chain age over exactly the chain-years of ``sizes``.

    None when the truth table has no planted growth for some of them (real data, or
    chains the generator did not plant).
    """
    if truth is None or "partnership_id" not in truth.columns:
        return None
    rows = truth[truth["programme"] == "mat_growth"]
    planted = rows.set_index(["partnership_id", "year"])["effect"]
    key = pd.MultiIndex.from_frame(sizes[["partnership_id", "year"]])
    effect = planted.reindex(key).to_numpy()
    if rows.empty or np.isnan(effect).any():
        return None
    return pd.Series(effect, index=sizes.index).groupby(sizes["chain_age"]).mean()


def _compared(table: pd.DataFrame) -> pd.DataFrame:
    error = table["estimate"] - table["planted"]
    covers = (table["ci_low"] <= table["planted"]) & (table["planted"] <= table["ci_high"])
    return table.assign(error=error, covers=covers.where(table["planted"].notna()))


def truth_table(growth: ChainGrowth, dip: IntakeDip | None, truth: pd.DataFrame | None):
    """Each estimate of the report beside its planted value: indexed by what is estimated,
    with estimate, ci_low, ci_high, planted, error (estimate − planted) and covers (the
    interval holds the planted value). None when nothing was planted (real data)."""
    rows = []
    if dip is not None and dip.truth is not None:
        head = dip.headline()
        rows.append(
            {
                "estimate of": "change in existing schools' results in the surge year (points)",
                "estimate": head["estimate"],
                "ci_low": head["ci_low"],
                "ci_high": head["ci_high"],
                "planted": dip.truth["target"],
            }
        )
    by_age = growth.by_age.set_index("chain_age")
    planted = planted_by_age(truth, growth.sizes[growth.sizes["chain_age"] <= growth.spec.max_age])
    if planted is not None:
        for age in by_age.index[by_age.index >= 2]:
            row = by_age.loc[age]
            rows.append(
                {
                    "estimate of": f"schools a chain adds in its year {age}",
                    "estimate": row["mean"],
                    "ci_low": row["ci_low"],
                    "ci_high": row["ci_high"],
                    "planted": planted.get(age, np.nan),
                }
            )
    if not rows:
        return None
    return _compared(pd.DataFrame(rows).set_index("estimate of"))[TRUTH_COLUMNS]


def truth_words(table: pd.DataFrame | None, dip: IntakeDip | None, level: str) -> str:
    """The appendix in words: does each interval hold what was planted?"""
    if table is None:
        return "Real data: there is no planted truth to compare with."
    lines = []
    growth = table[table.index.str.startswith("schools a chain adds")]
    if dip is not None and dip.truth is not None:
        row = table.iloc[0]
        held = "holds" if row["covers"] else "**does not hold**"
        lines.append(
            f"Intake dip: estimate {row['estimate']:+.2f} points against {row['planted']:+.2f} "
            f"planted for the same schools and years (error {row['error']:+.2f}); the "
            f"{level} interval {held} it. The planted dip on the treated schools in the "
            f"surge year is {dip.truth['planted_dip']:+.2f}; the study's target nets out the "
            "dips planted in the base year and on comparison schools, which also take "
            "joiners."
        )
    if len(growth):
        lines.append(
            f"Growth pace: the {level} interval of schools added holds the planted pace at "
            f"{int(growth['covers'].sum())} of {len(growth)} chain ages; the largest error "
            f"is {growth['error'].abs().max():.2f} schools a year."
        )
    return "\n\n".join(lines)
