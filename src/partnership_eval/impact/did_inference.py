"""Standard errors, uniform bands and the pre-trend tests from influence functions.

An estimator ``θ̂`` with influence function ``ψ`` (one row per unit, or per row of
repeated cross-sections) has ``θ̂ − θ ≈ mean(ψ)``. Clustering sums ``ψ`` within
clusters first (the unit is its own cluster by default), so

- analytic: ``Var(θ̂) = Σ_c S_c S_cᵀ / n²`` with ``S_c = Σ_{i∈c} ψ_i`` — R ``did``'s
  ``bstrap=FALSE`` standard errors, clustered or not;
- multiplier bootstrap: draws ``Σ_c v_c S_c / n`` with Mammen weights ``v_c`` (or
  Rademacher, or Webb's six points for very few clusters), standard errors from the
  interquartile range and a sup-t critical value for uniform bands, as in R ``did``'s
  ``mboot``. The draws are matrix products (draws × clusters) @ (clusters × estimates),
  made in chunks of 128 draws to bound memory, and are the same for every call with
  the same seed.

Pre-trend tests (:class:`WaldTest`): R's χ² Wald test inverts the estimated covariance
of many pre-treatment cells, each resting on one cohort, and rejects far too often in
small samples (43% at nominal 5% with 60 units and 12 cells, benchmarks/validate_did.py).
:func:`pretest_average` tests the mean pre-treatment event-time effect with a t on
(clusters − 1) df (4% at 60 units); :func:`pretest_hotelling` is Hotelling's T² as an F
on (cells, clusters − cells) df, honest once clusters are many times the cells.

With unequal cluster sizes R ``did`` bootstraps cluster *means*; summing, as here,
keeps the bootstrap consistent with the analytic clustered variance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse, stats

_TINY = np.sqrt(np.finfo(float).eps) * 10
# Mammen's two-point multipliers, P(low) = (√5 + 1) / (2√5), drawn from 8 random bits
# (raw generator output, the cheapest draw): the probability is rounded to 185/256 and
# the two values set so that the mean is exactly 0 and the variance exactly 1 (the third
# moment is 0.996 instead of Mammen's 1).
_LOW_THRESHOLD = np.uint8(round((np.sqrt(5) + 1) / (2 * np.sqrt(5)) * 2**8))
_P_LOW = int(_LOW_THRESHOLD) / 2**8
_MAMMEN_LOW = -np.sqrt((1 - _P_LOW) / _P_LOW)
_MAMMEN_HIGH = np.sqrt(_P_LOW / (1 - _P_LOW))
_DRAWS_PER_CHUNK = 128
_IQR_TO_SD = stats.norm.ppf(0.75) - stats.norm.ppf(0.25)


@dataclass(frozen=True)
class Inference:
    """Standard errors of a vector of estimates and the critical value for its band."""

    se: np.ndarray
    critical_value: float
    band: str

    def interval(self, estimate: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper ends of the band (or pointwise interval) around ``estimate``."""
        half = self.critical_value * self.se
        return estimate - half, estimate + half


def cluster_sums(influence: np.ndarray, cluster: np.ndarray | None) -> np.ndarray:
    """Influence functions summed within clusters: (clusters × estimates)."""
    influence = np.atleast_2d(influence.T).T
    if cluster is None:
        return influence
    n = influence.shape[0]
    member = sparse.csr_matrix(
        (np.ones(n), (cluster, np.arange(n))), shape=(int(cluster.max()) + 1, n)
    )
    return np.asarray(member @ influence)


def analytic_inference(
    influence: np.ndarray, cluster: np.ndarray | None, alpha: float
) -> Inference:
    """Influence-function standard errors with pointwise normal intervals."""
    sums = cluster_sums(influence, cluster)
    se = np.sqrt(np.sum(sums**2, axis=0)) / influence.shape[0]
    se = np.where(se > _TINY, se, np.nan)
    return Inference(se=se, critical_value=float(stats.norm.ppf(1 - alpha / 2)), band="pointwise")


def _random_bytes(rng: np.random.Generator, size: int) -> np.ndarray:
    """``size`` uniform random bytes, read little-endian from raw 64-bit generator output."""
    raw = rng.bit_generator.random_raw(-(-size // 8)).astype("<u8", copy=False)
    return raw.view(np.uint8)[:size]


MULTIPLIERS = ("mammen", "rademacher", "webb")
_WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


def multiplier_matrix(
    rng: np.random.Generator, size: int, n_clusters: int, multipliers: str
) -> np.ndarray:
    """(size × clusters) wild-bootstrap weights, mean 0 and variance 1.

    ``rademacher``: ±1 with probability ½ each; ``webb``: Webb's six points ±√½, ±1,
    ±√1.5 (more distinct draws than Rademacher's 2^G with very few clusters);
    ``mammen``: Mammen's two points (R ``did``'s choice).
    """
    if multipliers == "webb":
        return _WEBB[rng.integers(0, 6, size=(size, n_clusters))]
    bits = _random_bytes(rng, size * n_clusters).reshape(size, n_clusters)
    if multipliers == "rademacher":
        return np.where(bits < 128, -1.0, 1.0)
    return np.where(bits < _LOW_THRESHOLD, _MAMMEN_LOW, _MAMMEN_HIGH)


def bootstrap_draws(
    influence: np.ndarray,
    cluster: np.ndarray | None,
    n_boot: int,
    seed: int,
    multipliers: str = "mammen",
) -> np.ndarray:
    """(n_boot × estimates) multiplier-bootstrap draws of the estimates' deviations.

    Each draw is ``Σ_c v_c S_c / n``; with ``v = high + (low − high)·1[low]`` that is
    ``(high·Σ_c S_c + (low − high)·Σ_{c: low} S_c) / n``, the second sum a product of
    the 0/1 indicator matrix with the cluster sums (in single precision: the bootstrap
    error dwarfs the rounding).
    """
    sums = cluster_sums(influence, cluster)
    n_clusters, n = sums.shape[0], influence.shape[0]
    rng = np.random.default_rng(seed)
    if multipliers != "mammen":
        draws = np.empty((n_boot, sums.shape[1]))
        for start in range(0, n_boot, _DRAWS_PER_CHUNK):
            size = min(_DRAWS_PER_CHUNK, n_boot - start)
            v = multiplier_matrix(rng, size, n_clusters, multipliers)
            draws[start : start + size] = v @ sums / n
        return draws
    total = _MAMMEN_HIGH * sums.sum(axis=0)
    sums32 = sums.astype(np.float32)
    indicator = np.empty((min(_DRAWS_PER_CHUNK, n_boot), n_clusters), dtype=np.float32)
    draws = np.empty((n_boot, sums.shape[1]))
    for start in range(0, n_boot, _DRAWS_PER_CHUNK):
        size = min(_DRAWS_PER_CHUNK, n_boot - start)
        np.less(_random_bytes(rng, size * n_clusters).reshape(size, n_clusters),
                _LOW_THRESHOLD, out=indicator[:size], casting="unsafe")  # fmt: skip
        low_sums = indicator[:size] @ sums32
        draws[start : start + size] = (total + (_MAMMEN_LOW - _MAMMEN_HIGH) * low_sums) / n
    return draws


def bootstrap_inference(
    influence: np.ndarray,
    cluster: np.ndarray | None,
    n_boot: int,
    seed: int,
    alpha: float,
    multipliers: str = "mammen",
) -> Inference:
    """Bootstrap standard errors and the sup-t critical value of a uniform band."""
    draws = bootstrap_draws(influence, cluster, n_boot, seed, multipliers)
    q75, q25 = np.quantile(draws, [0.75, 0.25], axis=0, method="inverted_cdf")
    se = (q75 - q25) / _IQR_TO_SD
    se = np.where(se > _TINY, se, np.nan)
    usable = np.isfinite(se)
    if not usable.any():
        return Inference(se=se, critical_value=np.nan, band="uniform")
    sup_t = np.max(np.abs(draws[:, usable] / se[usable]), axis=1)
    crit = float(np.quantile(sup_t, 1 - alpha, method="inverted_cdf"))
    return Inference(se=se, critical_value=crit, band="uniform")


def infer(
    influence: np.ndarray,
    cluster: np.ndarray | None,
    n_boot: int,
    seed: int,
    alpha: float,
    multipliers: str = "mammen",
) -> Inference:
    """Analytic inference when ``n_boot`` is 0, the multiplier bootstrap otherwise."""
    if n_boot > 0:
        return bootstrap_inference(influence, cluster, n_boot, seed, alpha, multipliers)
    return analytic_inference(influence, cluster, alpha)


@dataclass(frozen=True)
class WaldTest:
    """A test that the pre-treatment effects are zero (parallel pre-trends).

    ``method`` is ``average`` (F(1, clusters − 1), i.e. a squared t, of the mean
    pre-treatment event-time effect, ``estimate`` ± ``se``), ``hotelling`` (F(df,
    df_denominator) from Hotelling's T²) or ``chi2`` (χ²(df)).
    """

    statistic: float
    df: int
    p_value: float
    method: str = "chi2"
    df_denominator: int | None = None
    estimate: float | None = None
    se: float | None = None

    def describe(self) -> str:
        """The test in one line."""
        if self.method == "average":
            return (
                f"mean pre-treatment effect {self.estimate:.4f} (se {self.se:.4f}), "
                f"t² = {self.statistic:.3f} on 1 and {self.df_denominator} df, "
                f"p = {self.p_value:.4f}"
            )
        if self.method == "hotelling":
            return (
                f"Hotelling F = {self.statistic:.3f} on {self.df} and {self.df_denominator} df, "
                f"p = {self.p_value:.4f}"
            )
        return f"Wald χ² = {self.statistic:.3f}, df = {self.df}, p = {self.p_value:.4f}"


def _usable_covariance(
    att: np.ndarray, influence: np.ndarray, cluster: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, int] | None:
    """Estimates with non-zero variance, their covariance and the number of clusters."""
    sums = cluster_sums(influence, cluster)
    v = sums.T @ sums / influence.shape[0] ** 2
    usable = np.diag(v) > _TINY**2
    if not usable.any():
        return None
    a, v = att[usable], v[np.ix_(usable, usable)]
    if np.linalg.matrix_rank(v) < len(a):
        return None
    n_clusters = int(np.count_nonzero(np.any(sums != 0, axis=1)))
    return a, v, n_clusters


def pretest_chi2(
    att: np.ndarray, influence: np.ndarray, cluster: np.ndarray | None
) -> WaldTest | None:
    """Chi-squared test of ``att = 0`` (None when there is nothing testable)."""
    parts = _usable_covariance(att, influence, cluster)
    if parts is None:
        return None
    a, v, _ = parts
    w = float(a @ np.linalg.solve(v, a))
    return WaldTest(statistic=w, df=len(a), p_value=float(stats.chi2.sf(w, len(a))))


def pretest_hotelling(
    att: np.ndarray, influence: np.ndarray, cluster: np.ndarray | None
) -> WaldTest | None:
    """Hotelling's T² test of ``att = 0`` as F(k, G − k), G the clusters (None if G ≤ k)."""
    parts = _usable_covariance(att, influence, cluster)
    if parts is None:
        return None
    a, v, g = parts
    k = len(a)
    if g <= k:
        return None
    t2 = float(a @ np.linalg.solve(v, a)) * (g - 1) / g
    f = t2 * (g - k) / (k * (g - 1))
    return WaldTest(
        statistic=f,
        df=k,
        p_value=float(stats.f.sf(f, k, g - k)),
        method="hotelling",
        df_denominator=g - k,
    )


def pretest_average(
    att: np.ndarray, influence: np.ndarray, cluster: np.ndarray | None
) -> WaldTest | None:
    """t test (on clusters − 1 df) that the mean of ``att`` is zero (None if untestable)."""
    usable = np.abs(influence).sum(axis=0) > 0
    if not usable.any():
        return None
    mean_inf = influence[:, usable].mean(axis=1)
    sums = cluster_sums(mean_inf, cluster)[:, 0]
    g = int(np.count_nonzero(sums))
    se = float(np.sqrt(np.sum(sums**2)) / len(mean_inf))
    if g < 2 or not se > _TINY:
        return None
    estimate = float(att[usable].mean())
    t2 = (estimate / se) ** 2
    return WaldTest(
        statistic=t2,
        df=1,
        p_value=float(stats.f.sf(t2, 1, g - 1)),
        method="average",
        df_denominator=g - 1,
        estimate=estimate,
        se=se,
    )
