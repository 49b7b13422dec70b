"""Staggered difference-in-differences: Callaway & Sant'Anna (2021) group-time ATTs.

Estimand: ATT(g, t), the average effect in period t on the units first treated in
period g (cohort g), and weighted averages of them (by event time, cohort, period).
Identifying assumptions: parallel trends — without treatment the treated cohort's
outcome would have moved like the comparison group's (never-treated or not-yet-treated
units), conditional on the baseline covariates if given; no anticipation beyond
``anticipation`` periods; treatment is an absorbing state (once treated, always
treated); for ``ipw``/``dr``, overlap (every treated unit has comparable controls).
Numbers agree with R ``did`` (``att_gt``/``aggte``) on its reference scenarios.

Unbalanced panels (``allow_unbalanced_panel=True``): ATT(g, t) is estimated by the
panel 2×2 estimator on the units of cohort g and of the comparison group that are
observed in both t and its base period (covariates from the earlier of the two), so
outcome *changes within units* are compared and nothing is dropped globally. The
estimand is the ATT(g, t) of the cohort under the extra assumption that whether a unit
is observed in both periods is unrelated to its outcome change given the covariates
(missing at random, e.g. suppression that depends on school size when size is a
covariate or unrelated to trends); it is the ATT of the observed units otherwise.
Inference treats units as the sampling (and default cluster) units: each cell's
influence function is zero outside its units and scaled by n / n_cell, so its analytic
standard error is that of the 2×2 estimator on its own units, cells are correlated
through shared units, and aggregations weight cohorts by their shares among all units.
This is *not* R ``did``'s ``allow_unbalanced_panel=TRUE``, which instead treats the data
as repeated cross-sections (comparing levels of every row in the two periods, with
influence functions summed by unit): that uses units seen in one period only but needs
the observed composition to be stable, while differencing within units removes unit
levels (school effects) and tolerates missingness related to them. The two agree in
expectation under random missingness, not number for number; on a balanced panel this
option reproduces the balanced estimates exactly.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from partnership_eval.errors import InputError
from partnership_eval.impact.did_data import prepare_sample
from partnership_eval.impact.did_estimators import estimate_group_time
from partnership_eval.impact.did_inference import MULTIPLIERS, infer
from partnership_eval.impact.did_results import AttGtResult, DidSpec

CONTROL_GROUPS = ("never_treated", "not_yet_treated")
METHODS = ("dr", "ipw", "reg")
BASE_PERIODS = ("varying", "universal")


def _check_choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise InputError(
            f"parameter {name}={value!r} is not one of {allowed}",
            fix=f"pass {name}={allowed[0]!r} or another allowed value",
        )


def _check_options(
    control_group: str,
    method: str,
    base_period: str,
    anticipation: int,
    n_boot: int,
    alpha: float,
    *,
    panel: bool,
    allow_unbalanced_panel: bool,
) -> None:
    _check_choice("control_group", control_group, CONTROL_GROUPS)
    _check_choice("method", method, METHODS)
    _check_choice("base_period", base_period, BASE_PERIODS)
    if allow_unbalanced_panel and not panel:
        raise InputError(
            "parameter allow_unbalanced_panel=True applies to panel data only",
            fix="pass panel=True, or drop allow_unbalanced_panel for repeated cross-sections",
        )
    if not isinstance(anticipation, int) or anticipation < 0:
        raise InputError(f"parameter anticipation={anticipation!r} must be a whole number ≥ 0")
    if not isinstance(n_boot, int) or n_boot < 0:
        raise InputError(
            f"parameter n_boot={n_boot!r} must be a whole number ≥ 0",
            fix="use 0 for analytic standard errors",
        )
    if not 0 < alpha < 1:
        raise InputError(f"parameter alpha={alpha!r} must lie strictly between 0 and 1")


def _cluster_column(cluster: str | Sequence[str] | None, unit: str | None) -> str | None:
    """The one column to cluster by: R ``did`` takes the unit plus at most one more."""
    if cluster is None or isinstance(cluster, str):
        return cluster
    if not isinstance(cluster, Sequence) or not all(isinstance(c, str) for c in cluster):
        raise InputError(
            f"parameter cluster={cluster!r} must be a column name or a list of column names",
            fix="pass e.g. cluster='partnership_id'",
        )
    others = [c for c in dict.fromkeys(cluster) if c != unit]
    if len(others) > 1:
        raise InputError(
            f"parameter cluster={list(cluster)!r}: standard errors can be clustered by the unit "
            "and at most one more variable (as R did), not by "
            f"{', '.join(map(repr, others))} together",
            fix="combine them into one column (e.g. la × partnership) or pick the coarser one",
        )
    return others[0] if others else None


def staggered_did(
    df: pd.DataFrame,
    outcome: str,
    unit: str | None,
    time: str,
    cohort: str,
    covariates: Sequence[str] | None = None,
    control_group: str = "never_treated",
    method: str = "dr",
    anticipation: int = 0,
    base_period: str = "varying",
    weights: str | None = None,
    cluster: str | Sequence[str] | None = None,
    panel: bool = True,
    n_boot: int = 999,
    alpha: float = 0.05,
    seed: int = 0,
    allow_unbalanced_panel: bool = False,
    strict: bool = False,
    multipliers: str = "mammen",
) -> AttGtResult:
    """Estimate group-time average treatment effects under staggered adoption.

    Parameters
    ----------
    df
        Long data, one row per unit and period (per observation with ``panel=False``).
    outcome, unit, time, cohort
        Column names. ``cohort`` is the first treated period; 0 or missing means never
        treated (missing is counted in ``exclusions``), and cohorts after the last period
        plus ``anticipation`` count as never treated (those inside the anticipation
        window stay treated, never controls). Negative cohorts are refused; units
        treated from the first period on are dropped and counted (always treated).
        A boolean outcome is used as 0/1; rows with a missing or infinite outcome,
        weight or covariate are dropped and counted.
    covariates
        Baseline covariates (taken at the earlier period of each comparison).
    control_group
        ``"never_treated"`` or ``"not_yet_treated"`` comparison units.
    method
        ``"dr"`` doubly robust, ``"ipw"`` inverse probability weighting, ``"reg"``
        outcome regression.
    anticipation
        Periods before ``cohort`` in which units may already react.
    base_period
        ``"varying"`` (pre-treatment cells compare consecutive periods) or
        ``"universal"`` (every cell compares with g − 1 − anticipation).
    weights, cluster
        Sampling-weight and cluster columns, constant within unit. Standard errors are
        clustered by unit by default; ``cluster`` may name one more variable (e.g. the
        partnership, where treatment is assigned), alone or as ``[unit, variable]`` —
        R ``did``'s limit; two variables besides the unit are refused. Weights must be
        non-negative and not all zero; rows with missing or infinite ones are dropped.
    panel
        ``True``: a panel, balanced by dropping units missing in any period (counted in
        ``result.exclusions``) unless ``allow_unbalanced_panel``. ``False``: repeated
        cross-sections.
    n_boot
        0 for analytic standard errors and pointwise intervals; otherwise the number of
        multiplier-bootstrap draws, with uniform (sup-t) bands.
    alpha, seed
        Significance level and bootstrap seed.
    allow_unbalanced_panel
        With ``panel=True``, keep units missing in some periods: each cell uses the
        units observed in both of its periods (see the module docstring for what this
        estimates and how it differs from R ``did``'s option of the same name).
    strict
        ``False`` (as R): a group-time cell that cannot be estimated (one comparison
        unit, no overlap, a singular model) is NA in ``att_gt`` with its ``reason`` and
        the aggregations skip it and say how many; ``True`` raises instead.
    multipliers
        Weights of the multiplier bootstrap: ``"mammen"`` (R ``did``), ``"rademacher"``
        or ``"webb"`` (for very few clusters). For few *treated* clusters use
        ``result.wild_bootstrap()``, which also refits each draw.

    Returns
    -------
    AttGtResult
        ``.att_gt`` table, ``.aggregate(kind)``, ``.pretest()`` (mean pre-period effect
        by default), ``.mde()``, ``.wild_bootstrap()``, ``.tidy()``, ``.headline()``,
        ``.summary()``, ``.plot()``.

    Raises
    ------
    InputError
        Unknown or non-numeric columns, duplicate unit-time rows, bad parameters.
    EstimationError
        No never-treated units for ``control_group="never_treated"``, every treated unit
        treated from the first period, a cohort too small for its covariates, and (with
        ``strict=True``) a cell with a singular model or no overlap.

    Examples
    --------
    >>> from partnership_eval.impact import simulate_staggered_panel
    >>> sim = simulate_staggered_panel(n_units=300, seed=1)
    >>> res = staggered_did(sim.data, "y", "unit", "time", "cohort", n_boot=0)
    >>> res.aggregate("simple").att > 0
    True
    """
    _check_options(
        control_group,
        method,
        base_period,
        anticipation,
        n_boot,
        alpha,
        panel=panel,
        allow_unbalanced_panel=allow_unbalanced_panel,
    )
    covariates = tuple(covariates or ())
    cluster = _cluster_column(cluster, unit)
    _check_choice("multipliers", multipliers, MULTIPLIERS)
    spec = DidSpec(
        outcome=outcome,
        unit=unit,
        time=time,
        cohort=cohort,
        covariates=covariates,
        control_group=control_group,
        method=method,
        anticipation=anticipation,
        base_period=base_period,
        weights=weights,
        cluster=cluster,
        panel=panel,
        n_boot=n_boot,
        alpha=alpha,
        seed=seed,
        allow_unbalanced_panel=allow_unbalanced_panel,
        strict=strict,
        multipliers=multipliers,
    )
    sample = prepare_sample(
        df,
        outcome=outcome,
        unit=unit,
        time=time,
        cohort=cohort,
        covariates=covariates,
        weights=weights,
        cluster=cluster,
        panel=panel,
        control_group=control_group,
        anticipation=anticipation,
        allow_unbalanced_panel=allow_unbalanced_panel,
    )
    estimates = estimate_group_time(
        sample,
        method=method,
        control_group=control_group,
        base_period=base_period,
        anticipation=anticipation,
        strict=strict,
    )
    inference = infer(estimates.influence, sample.cluster, n_boot, seed, alpha, multipliers)
    return AttGtResult(estimates, sample, spec, inference)
