"""Empirical-Bayes shrinkage of school figures resting on few pupils.

Each school's observed gap to national ``g`` (a pooled % or mean score) rests on ``n``
pupils with pupil-level variance ``sigma2``, so its sampling variance is ``sigma2 / n``.
With a normal prior on true gaps centred on 0 (national) with variance ``tau2``, the
posterior mean is ``B * g`` with ``B = tau2 / (tau2 + sigma2 / n)`` and posterior
variance ``B * sigma2 / n``. ``tau2`` is estimated per group (a period) by the method of
moments: the pupil-weighted spread of observed gaps minus their mean sampling variance.
Equivalently the national figure weighs ``sigma2 / tau2`` pupils ("prior pupils").
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

MIN_TAU2_SHARE = 0.05
"""Floor on the between-school variance, as a share of the observed spread (keeps B > 0)."""


def between_school_variance(gap: pd.Series, n: pd.Series, sigma2: pd.Series) -> float:
    """Method-of-moments variance of true gaps: observed spread minus sampling noise."""
    ok = gap.notna() & (n > 0)
    if ok.sum() < 3:
        return float("nan")
    g, w, s2 = gap[ok].to_numpy(), n[ok].to_numpy(float), sigma2[ok].to_numpy(float)
    spread = float(np.mean(g**2))  # gaps are measured from national, whose gap is 0
    noise = float(np.mean(s2 / w))
    return max(spread - noise, MIN_TAU2_SHARE * spread)


def shrink(
    frame: pd.DataFrame,
    *,
    gap: str,
    n: str,
    sigma2: pd.Series | float,
    group: str,
    prior_pupils: float | str = "auto",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Shrunk gaps with posterior intervals, one row per row of ``frame``.

    Returns columns ``estimate``, ``ci_low``, ``ci_high`` (level ``1 - alpha``),
    ``weight`` (B, the share of the observed gap kept) and ``prior_pupils``. Rows
    without a gap or pupils are NaN.
    """
    s2 = sigma2 if isinstance(sigma2, pd.Series) else pd.Series(float(sigma2), index=frame.index)
    if frame.empty:
        return pd.DataFrame(
            columns=["estimate", "ci_low", "ci_high", "weight", "prior_pupils"],
            index=frame.index,
            dtype=float,
        )
    if prior_pupils == "auto":
        tau2 = frame.groupby(group, sort=False).apply(
            lambda d: between_school_variance(d[gap], d[n], s2.loc[d.index]),
            include_groups=False,
        )
        prior = s2 / frame[group].map(tau2)
    else:
        prior = pd.Series(float(prior_pupils), index=frame.index)
    pupils = frame[n].astype(float).where(frame[n] > 0)
    weight = pupils / (pupils + prior)
    estimate = weight * frame[gap]
    sd = np.sqrt(weight * s2 / pupils)
    z = stats.norm.ppf(1 - alpha / 2)
    return pd.DataFrame(
        {
            "estimate": estimate,
            "ci_low": estimate - z * sd,
            "ci_high": estimate + z * sd,
            "weight": weight,
            "prior_pupils": prior,
        },
        index=frame.index,
    )
