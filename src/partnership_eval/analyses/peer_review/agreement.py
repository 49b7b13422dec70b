"""Agreement statistics of paired ordinal grades, vectorised over bootstrap draws.

Every statistic here is a function of sums over schools (contingency tables, sums of
differences), so a school-level bootstrap is one matrix product: the schools × cells sums
times a draws × schools matrix of resampling counts (:func:`school_draws`); row 0 of that
matrix is all ones and gives the point estimate. No Python loop runs over draws.

- :func:`weighted_kappa`: Cohen's weighted kappa, ``1 - sum(w p_obs) / sum(w p_exp)``
  with disagreement weights ``|i - j| / (K - 1)`` (linear) or their squares (quadratic),
  as :func:`statsmodels.stats.inter_rater.cohens_kappa`.
- :func:`ordinal_alpha`: Krippendorff's alpha with the ordinal metric for two judgements
  per unit, from the coincidence matrix ``o = T + T'``, as :func:`krippendorff.alpha`
  with ``level_of_measurement="ordinal"``.
"""

from __future__ import annotations

import warnings

import numpy as np

from partnership_eval.errors import InputError

KAPPA_WEIGHTS = ("linear", "quadratic")


def school_sums(
    school: np.ndarray,
    column: np.ndarray,
    values: np.ndarray | float,
    n_schools: int,
    n_columns: int,
) -> np.ndarray:
    """Schools × columns sums of ``values`` (1 for counts) by each row's school and column."""
    weights = np.broadcast_to(np.asarray(values, dtype=float), school.shape)
    flat = np.bincount(
        school * n_columns + column, weights=weights, minlength=n_schools * n_columns
    )
    return flat.reshape(n_schools, n_columns)


def school_draws(n_schools: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Draws × schools resampling counts; row 0 is all ones (the sample itself).

    Each further row resamples the schools with replacement (a multinomial draw of
    ``n_schools`` over equally likely schools), keeping every school's rows together.
    """
    counts = rng.multinomial(n_schools, np.full(n_schools, 1.0 / n_schools), size=n_boot)
    return np.vstack([np.ones((1, n_schools)), counts]).astype(float)


def disagreement_weights(k: int, kind: str = "linear") -> np.ndarray:
    """K × K disagreement weights of weighted kappa (0 on the diagonal, 1 at the corners)."""
    if kind not in KAPPA_WEIGHTS:
        raise InputError(
            f"kappa weights {kind!r} unknown", column="kappa_weights", fix="use linear or quadratic"
        )
    grid = np.abs(np.subtract.outer(np.arange(k), np.arange(k))) / (k - 1)
    return grid if kind == "linear" else grid**2


def weighted_kappa(tables: np.ndarray, kind: str = "linear") -> np.ndarray:
    """Weighted kappa of each ``(..., K, K)`` table of counts (rows: one rater)."""
    w = disagreement_weights(tables.shape[-1], kind)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = tables / tables.sum(axis=(-2, -1), keepdims=True)
        expected = p.sum(axis=-1)[..., :, None] * p.sum(axis=-2)[..., None, :]
        return 1.0 - (w * p).sum(axis=(-2, -1)) / (w * expected).sum(axis=(-2, -1))


def ordinal_alpha(tables: np.ndarray) -> np.ndarray:
    """Krippendorff's ordinal alpha of each ``(..., K, K)`` table of paired judgements."""
    k = tables.shape[-1]
    coincidences = tables + np.swapaxes(tables, -1, -2)
    n_c = coincidences.sum(axis=-1)
    n = n_c.sum(axis=-1)
    cum = np.cumsum(n_c, axis=-1)
    low = np.minimum.outer(np.arange(k), np.arange(k))
    high = np.maximum.outer(np.arange(k), np.arange(k))
    between = cum[..., high] - cum[..., low] + n_c[..., low]
    delta2 = (between - (n_c[..., :, None] + n_c[..., None, :]) / 2.0) ** 2
    observed = (coincidences * delta2).sum(axis=(-2, -1))
    expected = (n_c[..., :, None] * n_c[..., None, :] * delta2).sum(axis=(-2, -1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return 1.0 - (n - 1) * observed / expected


def percentile_interval(draws: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of bootstrap draws (axis 0), ignoring draws that are undefined
    (a group no resampled school belongs to); NaN where every draw is."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high = np.nanquantile(draws, [alpha / 2, 1 - alpha / 2], axis=0)
    return low, high


def bootstrap_se(draws: np.ndarray) -> np.ndarray:
    """Standard deviation of bootstrap draws (axis 0), ignoring undefined draws."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanstd(draws, axis=0, ddof=1)
