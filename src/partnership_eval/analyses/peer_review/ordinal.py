"""An ordinal (proportional-odds) model of the self grade on the peer grade.

``logit P(self <= j) = cut_j - (b * peer grade + theme shifts)``, fitted by
:class:`statsmodels.miscmodels.ordinal_model.OrderedModel`. A positive ``b`` means schools
that peers grade worse also grade themselves worse (grades run 1 best to 4 worst); a
theme's shift is how much worse (positive) or better (negative) schools grade themselves
on it than on the first theme at the same peer grade, in log-odds. Standard errors are
the cluster-robust sandwich by school (``cov_type="cluster"``): a school's judgements on
several themes and years are not independent.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.miscmodels.ordinal_model import OrderedModel

PEER_TERM = "peer grade"


def ordinal_fit(pairs: pd.DataFrame, alpha: float) -> tuple[pd.DataFrame, str]:
    """Coefficients (term, estimate, se, ci_low, ci_high) and a note ("" when it fitted).

    The model cannot be fitted when self grades take fewer than two values or the peer
    grade does not vary; the table is then empty and the note says why.
    """
    empty = pd.DataFrame(columns=["term", "estimate", "se", "ci_low", "ci_high"])
    if pairs["self_grade"].nunique() < 2 or pairs["peer_grade"].nunique() < 2:
        return empty, "the ordinal model needs at least two different self and peer grades"
    themes = sorted(pairs["theme"].unique())
    exog = pd.get_dummies(pd.Categorical(pairs["theme"], categories=themes), dtype=float)
    exog = exog.iloc[:, 1:].rename(columns=lambda t: f"{t} (vs {themes[0]})")
    exog.insert(0, PEER_TERM, pairs["peer_grade"].to_numpy(dtype=float))
    exog.index = pairs.index
    endog = pd.Series(pd.Categorical(pairs["self_grade"], ordered=True), index=pairs.index)
    groups = pd.factorize(pairs["urn"])[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = OrderedModel(endog, exog, distr="logit").fit(
            method="bfgs", disp=False, maxiter=500, cov_type="cluster",
            cov_kwds={"groups": groups},
        )  # fmt: skip
    names = list(exog.columns)
    estimate = fit.params[names].to_numpy()
    se = fit.bse[names].to_numpy()
    if not np.all(np.isfinite(se)):
        return empty, "the ordinal model did not converge (standard errors undefined)"
    z = stats.norm.ppf(1 - alpha / 2)
    table = pd.DataFrame(
        {
            "term": names,
            "estimate": estimate,
            "se": se,
            "ci_low": estimate - z * se,
            "ci_high": estimate + z * se,
        }
    )
    return table, ""
