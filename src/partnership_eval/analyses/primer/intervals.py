"""Small interval helpers the lessons share: means, differences of means, proportions."""

from __future__ import annotations

import numpy as np
from scipy import stats

from partnership_eval.analyses.primer.lesson import Claim
from partnership_eval.errors import InputError

SCALES = {"small": 1, "full": 4}
"""Simulation size multipliers by ``scale``."""


def scale_factor(scale: str) -> int:
    """How many times the small simulation sizes a ``scale`` uses."""
    if scale not in SCALES:
        raise InputError(
            f"parameter scale={scale!r} is not one of {tuple(SCALES)}",
            fix="pass scale='small' (renders in seconds) or 'full'",
        )
    return SCALES[scale]


def z_value(alpha: float) -> float:
    """The two-sided normal critical value at ``alpha``."""
    return float(stats.norm.ppf(1 - alpha / 2))


def normal_claim(
    kind: str, label: str, estimate: float, se: float, truth: float, alpha: float
) -> Claim:
    """A claim with the normal interval ``estimate ± z × se``."""
    z = z_value(alpha)
    return Claim(
        kind,
        label,
        float(estimate),
        float(estimate - z * se),
        float(estimate + z * se),
        truth,
        se=se,
    )


def mean_se(values: np.ndarray) -> tuple[float, float]:
    """Mean and its standard error (independent values)."""
    return float(np.mean(values)), float(np.std(values, ddof=1) / np.sqrt(len(values)))


def difference_se(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Difference of two independent means, ``a − b``, and its (Welch) standard error."""
    (ma, sa), (mb, sb) = mean_se(a), mean_se(b)
    return ma - mb, float(np.hypot(sa, sb))


def share_claim(kind: str, label: str, hits: int, n: int, truth: float, alpha: float) -> Claim:
    """A proportion ``hits / n`` with its Wilson interval."""
    z = z_value(alpha)
    p = hits / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return Claim(kind, label, p, float(centre - half), float(centre + half), truth, share=True)
