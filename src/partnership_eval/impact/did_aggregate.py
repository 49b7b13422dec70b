"""Summaries of group-time ATTs: simple, dynamic (event study), group and calendar.

Each aggregate is a weighted average of ATT(g, t) with weights proportional to cohort
size, exactly as R ``did``'s ``aggte``. Its influence function is the same average of
the cells' influence functions plus, where the weights are estimated cohort shares,
the term for estimating them (``wif`` in ``did``), so the standard errors account for
both. Overall summaries: ``simple`` averages every post-treatment cell; ``dynamic``
averages the event-time effects for e ≥ 0; ``group`` weights cohort effects by cohort
size; ``calendar`` averages the period effects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from partnership_eval.impact.did_estimators import GroupTimeEstimates

KINDS = ("simple", "dynamic", "group", "calendar")


@dataclass(frozen=True)
class Aggregation:
    """Aggregated effects by ``label`` (event time, cohort or period) and overall.

    ``influence`` is (n_obs × labels); ``overall_influence`` is (n_obs,).
    """

    kind: str
    labels: np.ndarray
    att: np.ndarray
    influence: np.ndarray
    overall_att: float
    overall_influence: np.ndarray


def _weight_term(
    cohort: np.ndarray, pg: np.ndarray, unit_cohort: np.ndarray, unit_weight: np.ndarray
) -> np.ndarray:
    """Influence of estimating weights ``pg`` (shares of ``cohort``): (n_obs × len(pg))."""
    share = (unit_cohort[:, None] == cohort[None, :]) * unit_weight[:, None] - pg
    total = pg.sum()
    return share / total - share.sum(axis=1, keepdims=True) * (pg / total**2)


def _weighted(
    cells: np.ndarray,
    pg: np.ndarray,
    est: GroupTimeEstimates,
    unit_cohort: np.ndarray,
    unit_weight: np.ndarray,
) -> tuple[float, np.ndarray]:
    weights = pg[cells] / pg[cells].sum()
    att = float(est.att[cells] @ weights)
    wif = _weight_term(est.cohort[cells], pg[cells], unit_cohort, unit_weight)
    return att, est.influence[:, cells] @ weights + wif @ est.att[cells]


def aggregate(
    est: GroupTimeEstimates,
    unit_cohort: np.ndarray,
    unit_weight: np.ndarray,
    kind: str,
    *,
    min_e: float | None = None,
    max_e: float | None = None,
    balance_e: int | None = None,
) -> Aggregation:
    """Aggregate group-time estimates as R ``aggte(type=kind)`` does.

    ``unit_cohort`` and ``unit_weight`` are per row of the influence functions; the
    event-time options apply to ``kind="dynamic"`` only.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if kind != "dynamic" and not (min_e is None and max_e is None and balance_e is None):
        raise ValueError("min_e, max_e and balance_e apply to kind='dynamic' only")
    cohorts = np.unique(est.cohort)
    pgg = np.array([np.mean(unit_weight * (unit_cohort == g)) for g in cohorts])
    pg = pgg[np.searchsorted(cohorts, est.cohort)]
    post = est.cohort <= est.time
    args = (pg, est, unit_cohort, unit_weight)

    if kind == "simple":
        att, inf = _weighted(np.flatnonzero(post), *args)
        return Aggregation(kind, np.array([]), np.array([]), np.empty((len(inf), 0)), att, inf)

    if kind == "group":
        att_g = np.array([est.att[(est.cohort == g) & post].mean() for g in cohorts])
        inf_g = np.column_stack(
            [est.influence[:, (est.cohort == g) & post].mean(axis=1) for g in cohorts]
        )
        share = pgg / pgg.sum()
        wif = _weight_term(cohorts, pgg, unit_cohort, unit_weight)
        overall_inf = inf_g @ share + wif @ att_g
        return Aggregation(kind, cohorts, att_g, inf_g, float(att_g @ share), overall_inf)

    if kind == "dynamic":
        event = est.time - est.cohort
        included = np.ones(len(event), dtype=bool)
        e_seq = np.unique(event)
        if balance_e is not None:
            span = est.time.max() - est.time.min()
            e_seq = e_seq[(e_seq <= balance_e) & (e_seq >= balance_e - span)]
            included = est.time.max() - est.cohort >= balance_e
        if min_e is not None:
            e_seq = e_seq[e_seq >= min_e]
        if max_e is not None:
            e_seq = e_seq[e_seq <= max_e]
        e_seq = np.array([e for e in e_seq if np.any((event == e) & included)])
        parts = [_weighted(np.flatnonzero((event == e) & included), *args) for e in e_seq]
    else:  # calendar
        e_seq = np.unique(est.time[est.time >= cohorts.min()])
        parts = [_weighted(np.flatnonzero((est.time == t) & post), *args) for t in e_seq]
    att_l = np.array([p[0] for p in parts])
    inf_l = np.column_stack([p[1] for p in parts]) if parts else np.empty((len(pg), 0))
    keep = e_seq >= 0 if kind == "dynamic" else np.ones(len(e_seq), dtype=bool)
    if not keep.any():
        raise ValueError("no post-treatment event times left to average")
    overall_inf = inf_l[:, keep].mean(axis=1)
    return Aggregation(kind, e_seq, att_l, inf_l, float(att_l[keep].mean()), overall_inf)
