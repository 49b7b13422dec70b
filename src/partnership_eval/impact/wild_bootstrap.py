"""Wild cluster bootstrap-t on influence functions, for few treated clusters.

Treatment is often assigned to groups of schools (a partnership, an area), so the
clusters that matter are few, and those that are treated fewer still. The analytic
clustered variance ``Σ_c S_c² / n²`` (``S_c`` the cluster's influence sum) then
understates the variance, and a normal critical value is too small. This module:

- scales each cluster's sum by ``G_g / (G_g − 1)`` of its group (``G_g`` clusters with
  units of the cluster's cohort, the never treated being one group): the CR1 factor
  taken where it matters, among the few treated clusters;
- draws wild weights ``v_c`` per cluster (Rademacher, or Webb's six points for very
  few clusters), forms ``S*_c = v_c S_c``, and *re-estimates* each draw's influence
  function as a refit would: each group's share of the draw's group total is taken
  off (``S*_c − π_c Σ_{c' ∈ g} S*_c'``, ``π_c`` the cluster's share of its group's
  weight), so the draw's standard error varies as a refit's would;
- takes the critical value from the draws' studentised ``|t*|`` (bootstrap-t), so the
  interval gets the heavier tails few clusters bring.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from partnership_eval.impact.did_inference import multiplier_matrix

_CHUNK = 256


@dataclass(frozen=True)
class WildInterval:
    """A wild cluster bootstrap-t interval of one estimate."""

    estimate: float
    se: float
    critical_value: float
    ci_low: float
    ci_high: float
    p_value: float
    n_clusters: int
    n_treated_clusters: int
    multipliers: str


def wild_cluster_bootstrap(
    influence: np.ndarray,
    estimate: float,
    cluster: np.ndarray,
    group: np.ndarray,
    weights: np.ndarray,
    *,
    treated: np.ndarray,
    n_boot: int = 999,
    seed: int = 0,
    alpha: float = 0.05,
    multipliers: str = "auto",
) -> WildInterval:
    """Bootstrap-t interval and p-value (of estimate = 0) from per-unit influence values.

    ``cluster`` and ``group`` are integer codes per unit (group: the unit's cohort);
    ``treated`` says which units are treated (to count treated clusters).
    ``multipliers="auto"`` takes Webb's with fewer than 12 clusters, Rademacher otherwise.
    """
    n = len(influence)
    n_clusters = int(cluster.max()) + 1
    if multipliers == "auto":
        multipliers = "webb" if n_clusters < 12 else "rademacher"
    # sums by (cluster, group) and each cluster's share of its group's weight
    cell = cluster * (group.max() + 1) + group
    cells, cell_codes = np.unique(cell, return_inverse=True)
    cell_cluster, cell_group = cells // (group.max() + 1), cells % (group.max() + 1)
    s = np.bincount(cell_codes, influence)
    w = np.bincount(cell_codes, weights)
    group_w = np.bincount(cell_group, w)
    share = np.where(group_w[cell_group] > 0, w / np.where(group_w > 0, group_w, 1)[cell_group], 0)
    clusters_in_group = np.bincount(cell_group, minlength=group_w.size)
    g_of = clusters_in_group[cell_group]
    scale = np.sqrt(np.where(g_of > 1, g_of / np.maximum(g_of - 1, 1), 1.0))
    s = s * scale
    to_cluster = sparse.csr_matrix(
        (np.ones(len(cells)), (cell_cluster, np.arange(len(cells)))), shape=(n_clusters, len(cells))
    )
    to_group = sparse.csr_matrix(
        (np.ones(len(cells)), (cell_group, np.arange(len(cells)))), shape=(group_w.size, len(cells))
    )
    se = float(np.sqrt(np.sum((to_cluster @ s) ** 2)) / n)
    rng = np.random.default_rng(seed)
    t_abs = np.empty(n_boot)
    for start in range(0, n_boot, _CHUNK):
        size = min(_CHUNK, n_boot - start)
        v = multiplier_matrix(rng, size, n_clusters, multipliers)[:, cell_cluster]  # draws × cells
        star = v * s
        group_total = (to_group @ star.T).T  # draws × groups
        refit = star - group_total[:, cell_group] * share
        se_star = np.sqrt(((to_cluster @ refit.T) ** 2).sum(axis=0)) / n
        t_abs[start : start + size] = np.abs(star.sum(axis=1) / n) / np.where(
            se_star > 0, se_star, np.inf
        )
    crit = float(np.quantile(t_abs, 1 - alpha, method="inverted_cdf"))
    t_obs = abs(estimate) / se if se > 0 else np.inf
    treated_clusters = int(np.count_nonzero(np.bincount(cluster[treated], minlength=n_clusters)))
    return WildInterval(
        estimate=float(estimate),
        se=se,
        critical_value=crit,
        ci_low=float(estimate - crit * se),
        ci_high=float(estimate + crit * se),
        p_value=float((1 + np.sum(t_abs >= t_obs)) / (n_boot + 1)),
        n_clusters=n_clusters,
        n_treated_clusters=treated_clusters,
        multipliers=multipliers,
    )
