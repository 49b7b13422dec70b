"""Summaries of group-time ATTs: simple, dynamic (event study), group and calendar.

Each aggregate is a weighted average of ATT(g, t) with weights proportional to cohort
size, exactly as R ``did``'s ``aggte``. Its influence function is the same average of
the cells' influence functions plus, where the weights are estimated cohort shares,
the term for estimating them (``wif`` in ``did``), so the standard errors account for
both. Overall summaries: ``simple`` averages every post-treatment cell; ``dynamic``
averages the event-time effects for e ≥ 0; ``group`` weights cohort effects by cohort
size; ``calendar`` averages the period effects.

Cells returned as NA (not estimable) are left out of every aggregation and counted
(``n_skipped``), as R's ``aggte(na.rm=TRUE)``. The event-time window (``min_e``,
``max_e``) and ``balance_e`` (only cohorts observed ``balance_e`` periods after
treatment, event times up to ``balance_e``) select the same cells for every kind.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from partnership_eval.errors import EstimationError, InputError
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
    n_skipped: int = 0


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


def cell_window(
    est: GroupTimeEstimates,
    min_e: float | None = None,
    max_e: float | None = None,
    balance_e: int | None = None,
) -> np.ndarray:
    """Cells inside the event-time window and, with ``balance_e``, of balanced cohorts."""
    event = est.time - est.cohort
    keep = np.ones(len(event), dtype=bool)
    if balance_e is not None:
        span = est.time.max() - est.time.min()
        keep &= (est.time.max() - est.cohort >= balance_e) & (event <= balance_e)
        keep &= event >= balance_e - span
    if min_e is not None:
        keep &= event >= min_e
    if max_e is not None:
        keep &= event <= max_e
    return keep


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
    event-time options select the cells of every kind (:func:`cell_window`).
    """
    if kind not in KINDS:
        raise InputError(f"parameter kind={kind!r} is not one of {KINDS}", fix="pass 'dynamic'")
    window = cell_window(est, min_e, max_e, balance_e)
    usable = window & np.isfinite(est.att)
    cohorts = np.unique(est.cohort)
    pgg = np.array([np.mean(unit_weight * (unit_cohort == g)) for g in cohorts])
    pg = pgg[np.searchsorted(cohorts, est.cohort)]
    post = est.cohort <= est.time
    relevant = window & (post if kind != "dynamic" else True)
    n_skipped = int(np.sum(relevant & ~np.isfinite(est.att)))
    post = post & usable
    args = (pg, est, unit_cohort, unit_weight)
    if not post.any():
        raise EstimationError(
            "no estimated post-treatment ATT(g, t) to aggregate"
            + (f" ({n_skipped} cell(s) could not be estimated)" if n_skipped else "")
            + "; widen min_e/max_e or check the cells' reasons in att_gt"
        )

    if kind == "simple":
        att, inf = _weighted(np.flatnonzero(post), *args)
        return Aggregation(
            kind, np.array([]), np.array([]), np.empty((len(inf), 0)), att, inf, n_skipped
        )

    if kind == "group":
        cohorts = np.array([g for g in cohorts if np.any((est.cohort == g) & post)])
        pgg = pgg[np.isin(np.unique(est.cohort), cohorts)]
        att_g = np.array([est.att[(est.cohort == g) & post].mean() for g in cohorts])
        inf_g = np.column_stack(
            [est.influence[:, (est.cohort == g) & post].mean(axis=1) for g in cohorts]
        )
        share = pgg / pgg.sum()
        wif = _weight_term(cohorts, pgg, unit_cohort, unit_weight)
        overall_inf = inf_g @ share + wif @ att_g
        return Aggregation(
            kind, cohorts, att_g, inf_g, float(att_g @ share), overall_inf, n_skipped
        )

    if kind == "dynamic":
        event = est.time - est.cohort
        e_seq = np.unique(event[usable])
        parts = [_weighted(np.flatnonzero((event == e) & usable), *args) for e in e_seq]
    else:  # calendar
        e_seq = np.unique(est.time[post])
        parts = [_weighted(np.flatnonzero((est.time == t) & post), *args) for t in e_seq]
    att_l = np.array([p[0] for p in parts])
    inf_l = np.column_stack([p[1] for p in parts])
    keep = e_seq >= 0 if kind == "dynamic" else np.ones(len(e_seq), dtype=bool)
    overall_inf = inf_l[:, keep].mean(axis=1)
    return Aggregation(kind, e_seq, att_l, inf_l, float(att_l[keep].mean()), overall_inf, n_skipped)
