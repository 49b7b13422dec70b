"""The estimation sample of one outcome: complete, and balanced if asked.

Small schools' results are often suppressed (5 or fewer pupils), so a panel that keeps
only schools with a result in every year loses many of them. This module makes that step
explicit — which schools, how many, and why — before the estimator sees the data, so
the report can say it and the planted truth can be computed for exactly the schools used.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from partnership_eval.errors import PartnershipEvalError

NEEDED = ("urn", "year", "first_treated", "group", "match_weight", "partnership_id", "la_code")


def _entry(reason: str, frame: pd.DataFrame, mask: pd.Series) -> dict:
    return {
        "step": "sample",
        "reason": reason,
        "rows": int(mask.sum()),
        "schools": int(frame.loc[mask, "urn"].nunique()),
    }


def estimation_sample(
    panel: pd.DataFrame,
    outcome: str,
    covariates: Sequence[str] = (),
    *,
    balanced: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows usable for estimating the effect on ``outcome``, and what was left out.

    Drops rows with a missing outcome or covariate (by the source's reason where given),
    treated schools that started before the outcome's first year with results, and —
    when ``balanced`` — schools without a result in every remaining year (as R ``did``
    does with a panel). Returns the sample and an exclusions table (step, reason, rows,
    schools).
    """
    if outcome not in panel.columns:
        raise PartnershipEvalError(
            f"unknown outcome {outcome!r}; use ks2_rwm_exp, read_prog, writ_prog, mat_prog, "
            "disadv_rwm_exp, non_disadv_rwm_exp or disadv_gap"
        )
    covariates = list(covariates)
    unknown = [c for c in covariates if c not in panel.columns]
    if unknown:
        raise PartnershipEvalError(
            f"unknown covariate(s) {unknown}; use baseline columns such as fsm_pct, pupils, "
            "rural, base_ks2_rwm_exp"
        )
    cols = list(dict.fromkeys([*NEEDED, outcome, *covariates, "cohort_n"]))
    df = panel[cols].copy()
    for c in covariates:
        df[c] = df[c].astype("float64")
    df[outcome] = df[outcome].astype("float64")
    entries = []
    missing = df[outcome].isna()
    reason_col = f"{outcome}_reason"
    if missing.any():
        reasons = (
            panel.loc[missing, reason_col].fillna("not given")
            if reason_col in panel.columns
            else pd.Series("not given", index=df.index[missing])
        )
        for reason, idx in reasons.groupby(reasons).groups.items():
            mask = df.index.isin(idx)
            entries.append(_entry(f"no {outcome} result ({reason})", df, pd.Series(mask, df.index)))
    incomplete = ~missing & df[covariates].isna().any(axis=1) if covariates else missing & False
    if incomplete.any():
        entries.append(_entry("a covariate is missing", df, incomplete))
    df = df[~missing & ~incomplete]
    if df.empty:
        raise PartnershipEvalError(f"no school has a {outcome} result in the years chosen")

    first = int(df["year"].min())
    early = (df["first_treated"] > 0) & (df["first_treated"] <= first)
    if early.any():
        entries.append(
            _entry(
                f"started in or before {first}, the first year with {outcome} results "
                "(no year before the start to compare with)",
                df,
                early,
            )
        )
        df = df[~early]
    if balanced:
        n_years = df["year"].nunique()
        seen = df.groupby("urn")["year"].transform("size")
        gappy = seen < n_years
        if gappy.any():
            entries.append(
                _entry(
                    f"without a {outcome} result in every one of the {n_years} years "
                    "(balanced panel; mostly suppressed small cohorts)",
                    df,
                    gappy,
                )
            )
            df = df[~gappy]
    need = len(covariates) + 2  # the estimator's smallest usable cohort
    sizes = df[df["first_treated"] > 0].groupby("first_treated")["urn"].transform("nunique")
    tiny = pd.Series(False, index=df.index)
    tiny[sizes.index] = sizes < need
    if tiny.any():
        entries.append(
            _entry(f"start-year cohort with fewer than {need} usable treated schools", df, tiny)
        )
        df = df[~tiny]
    groups = df.groupby("group")["urn"].nunique()
    if groups.get("treated", 0) == 0 or groups.get("comparison", 0) == 0:
        raise PartnershipEvalError(
            f"no {'treated' if groups.get('treated', 0) == 0 else 'comparison'} school has "
            f"usable {outcome} results"
            + (" in every year; try balanced=False (repeated cross-sections)" if balanced else "")
        )
    exclusions = pd.DataFrame(entries, columns=["step", "reason", "rows", "schools"])
    return df.reset_index(drop=True), exclusions
