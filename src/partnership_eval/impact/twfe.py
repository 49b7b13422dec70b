"""Two-way fixed effects (TWFE) difference-in-differences and event studies.

Estimand. The static model ``y_it = a_i + l_t + b * D_it + x_it'g + e_it`` (``D_it`` = 1
from a unit's first treated period on) and the event-study model with one dummy per
event time ``t - cohort`` (one reference event time omitted) estimate *weighted averages*
of unit-period treatment effects.

Identifying assumptions. Parallel trends for all units and periods, no anticipation, and
— the one that usually fails with staggered adoption — effects that are the same for every
cohort and constant over time since treatment. When effects grow with exposure or differ
between cohorts, already-treated units act as controls for later ones and the weights can
be negative (Goodman-Bacon 2021, see :mod:`partnership_eval.impact.bacon`; Sun & Abraham
2021 for the event-study leads and lags). Reports show TWFE beside the Callaway–Sant'Anna
``staggered_did`` to make that difference visible.

Unit fixed effects are absorbed by (weighted) within-unit demeaning, time fixed effects
enter as dummies; standard errors are cluster-robust (CR1) with the small-sample factor of
the equivalent dummy-variable regression, so they equal what ``statsmodels`` gives with
one dummy per unit. Intervals use a t distribution with (clusters − 1) degrees of freedom.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from scipy import linalg, stats

from partnership_eval.errors import EstimationError, InputError
from partnership_eval.impact.panel_checks import (
    check_constant_within_unit,
    check_unique_unit_time,
    cohort_values,
    collinear_columns,
    missing_rows,
    numeric_column,
    require_columns,
)
from partnership_eval.plots import coefficient_plot, event_study_plot
from partnership_eval.result import Result, exclusion_frame, tidy_frame


@dataclass(frozen=True)
class TwfeSpec:
    """What a TWFE regression estimated: its columns, window and inference settings."""

    outcome: str
    unit: str
    time: str
    cohort: str
    covariates: tuple[str, ...] = ()
    absorb: tuple[str | tuple[str, ...], ...] = ()
    cluster: str | None = None
    weights: str | None = None
    min_e: int | None = None
    max_e: int | None = None
    reference: int | None = None
    bin_endpoints: bool = True
    alpha: float = 0.05


def _exclusions(excluded: dict[str, int], step: str) -> pd.DataFrame:
    return exclusion_frame(
        [{"reason": reason, "rows": rows} for reason, rows in excluded.items()], step=step
    )


@dataclass(frozen=True)
class TwfeEstimate(Result):
    """The static TWFE coefficient on the treated indicator, with cluster-robust inference."""

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    n_obs: int
    n_units: int
    n_clusters: int
    spec: TwfeSpec
    n_treated: int = 0
    n_comparison: int = 0
    exclusions: pd.DataFrame = field(default_factory=exclusion_frame)
    headline_label: ClassVar[str] = "static TWFE coefficient"
    title: ClassVar[str] = "Static TWFE"

    def tidy(self) -> pd.DataFrame:
        """One row: the coefficient on "treated", its t interval and p-value."""
        return tidy_frame(
            [
                {
                    "term": "treated (static TWFE)",
                    "estimate": self.estimate,
                    "se": self.se,
                    "ci_low": self.ci_low,
                    "ci_high": self.ci_high,
                    "n_treated": self.n_treated,
                    "n_comparison": self.n_comparison,
                    "p_value": self.p_value,
                    "n_clusters": self.n_clusters,
                }
            ],
            alpha=self.alpha,
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """The coefficient with its interval."""
        return coefficient_plot(self.tidy(), ax=ax, xlabel=f"estimate ({self.level} interval)")

    def summary(self) -> str:
        """One line: coefficient, standard error, interval and sample."""
        p_text = "p < 0.001" if self.p_value < 0.001 else f"p = {self.p_value:.3f}"
        return (
            f"Static TWFE coefficient {self.estimate:.4g} (se {self.se:.3g}, {self.level} CI "
            f"{self.ci_low:.4g} to {self.ci_high:.4g}, {p_text}); "
            f"{self.n_obs} observations on {self.n_units} units, {self.n_clusters} clusters"
        )


@dataclass(frozen=True)
class TwfeResult(Result):
    """A TWFE event study: one coefficient per event time, plus the static coefficient.

    ``table`` has columns event_time, estimate, se, ci_low, ci_high, n (observations in
    that event-time cell); the reference event time is a row with estimate 0 and no
    standard error. ``exclusions`` counts the rows left out, by reason.
    """

    table: pd.DataFrame
    static: TwfeEstimate
    reference: int
    binned: tuple[int | None, int | None]
    spec: TwfeSpec
    exclusions: pd.DataFrame = field(default_factory=exclusion_frame)
    headline_label: ClassVar[str] = "static TWFE coefficient"
    title: ClassVar[str] = "TWFE event study"

    @property
    def excluded(self) -> dict[str, int]:
        """Rows left out by reason (the exclusions table as a dict)."""
        return dict(zip(self.exclusions["reason"], self.exclusions["rows"].tolist(), strict=True))

    @property
    def inputs(self) -> dict[str, object]:
        """The settings as a dict (``spec`` is the frozen form)."""
        return {**asdict(self.spec), "cluster": self.spec.cluster or self.spec.unit}

    def tidy(self) -> pd.DataFrame:
        """The static coefficient first (the headline), then one row per event time."""
        events = self.table.assign(
            term=[f"event time {e}" for e in self.table["event_time"]],
            n_treated=np.nan,
            n_comparison=np.nan,
        )
        return tidy_frame(
            pd.concat([self.static.tidy(), events], ignore_index=True), alpha=self.alpha
        )

    def summary(self) -> str:
        """Plain-text summary: specification, sample, exclusions, static and dynamic estimates."""
        spec = self.spec
        absorbed = "".join(f", {' × '.join(a) if isinstance(a, tuple) else a}" for a in spec.absorb)
        lines = [
            f"TWFE event study of {spec.outcome!r}: unit and {spec.time!r}{absorbed} "
            f"fixed effects, reference event time {self.reference}",
            f"Standard errors clustered by {spec.cluster or spec.unit!r} "
            f"({self.static.n_clusters} clusters); {self.level} intervals",
            f"{self.static.n_obs} observations on {self.static.n_units} units",
        ]
        if self.excluded:
            reasons = ", ".join(f"{reason}: {n}" for reason, n in self.excluded.items())
            lines.append(f"Excluded rows — {reasons}")
        low, high = self.binned
        if low is not None:
            lines.append(f"Event times at or below {low} are binned into {low}")
        if high is not None:
            lines.append(f"Event times at or above {high} are binned into {high}")
        lines.append(self.static.summary())
        lines.append(self.table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
        lines.append(
            "Caution: with staggered adoption and effects that differ by cohort or grow "
            "over time, TWFE coefficients are not averages of the effects with positive "
            "weights; compare with staggered_did."
        )
        return "\n".join(lines)

    def plot(
        self,
        ax: Axes | None = None,
        title: str | None = None,
        color: object = None,
        label: str = "TWFE",
    ) -> Axes:
        """Event-study plot (the package's one), the reference period pinned to 0.

        Pass the ``ax`` of a staggered DiD dynamic plot (and another ``color``) to overlay.
        """
        is_reference = self.table["event_time"] == self.reference
        table = self.table.assign(
            ci_low=self.table["ci_low"].mask(is_reference, 0.0),
            ci_high=self.table["ci_high"].mask(is_reference, 0.0),
        )
        return event_study_plot(
            table,
            ax=ax,
            label=label,
            band_label=f"{self.level} pointwise interval",
            colour=color,
            reference=self.reference,
            ylabel="estimate",
            xlabel="event time",
            title=title or f"TWFE event study: {self.spec.outcome}",
        )


@dataclass(frozen=True)
class _Sample:
    """Validated estimation sample as arrays (rows with missing values removed)."""

    y: np.ndarray
    covariates: np.ndarray
    covariate_names: list[str]
    unit_codes: np.ndarray
    time_values: np.ndarray
    time_codes: np.ndarray
    cluster_codes: np.ndarray
    weights: np.ndarray | None
    cohort: np.ndarray
    excluded: dict[str, int]
    absorb_codes: tuple[np.ndarray, ...] = ()
    absorb_names: tuple[str, ...] = ()

    def subset(self, keep: np.ndarray) -> _Sample:
        unit_codes = np.unique(self.unit_codes[keep], return_inverse=True)[1]
        return _Sample(
            absorb_codes=tuple(
                np.unique(c[keep], return_inverse=True)[1] for c in self.absorb_codes
            ),
            absorb_names=self.absorb_names,
            y=self.y[keep],
            covariates=self.covariates[keep],
            covariate_names=self.covariate_names,
            unit_codes=unit_codes,
            time_values=self.time_values[keep],
            time_codes=np.unique(self.time_codes[keep], return_inverse=True)[1],
            cluster_codes=np.unique(self.cluster_codes[keep], return_inverse=True)[1],
            weights=None if self.weights is None else self.weights[keep],
            cohort=self.cohort[keep],
            excluded=self.excluded,
        )


def _prepare(
    df: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    covariates: Sequence[str] | None,
    cluster: str | None,
    weights: str | None,
    who: str,
    absorb: tuple[str | tuple[str, ...], ...] = (),
) -> _Sample:
    covariates = list(covariates or [])
    groups = [(a,) if isinstance(a, str) else tuple(a) for a in absorb]
    absorb_columns = list(dict.fromkeys(c for g in groups for c in g))
    roles = {
        "outcome": outcome,
        "unit": unit,
        "time": time,
        "cohort": cohort,
        "cluster": cluster,
        "weights": weights,
    }
    roles |= {f"covariate {i + 1}": c for i, c in enumerate(covariates)}
    roles |= {f"absorb {i + 1}": c for i, c in enumerate(absorb_columns)}
    require_columns(df, roles, who=who)
    # with absorbed groups (e.g. stacks) a unit may appear once per group and period
    within = [c for c in absorb_columns if c not in (unit, time)]
    check_unique_unit_time(df, unit, time, who=who, within=within)
    cohort_all = cohort_values(df, cohort, who=who)
    unit_all = pd.factorize(df[unit])[0]
    check_constant_within_unit(cohort_all, unit_all, cohort, who=who)
    if not (cohort_all > 0).any():
        raise EstimationError(
            f"{who}: no treated units — every value of {cohort!r} is 0 or missing"
        )

    values = {
        name: numeric_column(df, name, role, who=who)
        for role, name in roles.items()
        if name not in (None, unit, cluster, cohort) and not role.startswith("absorb")
    }
    excluded = missing_rows(
        df, [unit, time, cluster, outcome, weights, *covariates, *absorb_columns]
    )
    keep = np.ones(len(df), dtype=bool)
    for array in values.values():
        keep &= ~np.isnan(array)
    for column in [unit, cluster, *absorb_columns]:
        if column is not None:
            keep &= df[column].notna().to_numpy()
    if weights is not None and (values[weights][keep] <= 0).any():
        raise InputError(
            f"{who}: weights column {weights!r} has zero or negative values",
            column=weights,
            fix="weights must be positive; drop the rows with zero weight",
        )

    kept = df[keep]
    time_values = values[time][keep]
    return _Sample(
        y=values[outcome][keep],
        covariates=np.column_stack([values[c][keep] for c in covariates])
        if covariates
        else np.empty((int(keep.sum()), 0)),
        covariate_names=covariates,
        unit_codes=pd.factorize(kept[unit])[0],
        time_values=time_values,
        time_codes=np.unique(time_values, return_inverse=True)[1],
        cluster_codes=pd.factorize(kept[cluster if cluster is not None else unit])[0],
        weights=None if weights is None else values[weights][keep],
        cohort=cohort_all[keep],
        excluded=excluded,
        absorb_codes=tuple(
            kept.groupby(list(g), sort=True, observed=True).ngroup().to_numpy() for g in groups
        ),
        absorb_names=tuple(" × ".join(g) for g in groups),
    )


def _dummies(codes: np.ndarray, name: str) -> tuple[np.ndarray, list[str]]:
    """One 0/1 column per code but the first."""
    levels = np.arange(1, int(codes.max()) + 1)
    return (codes[:, None] == levels[None, :]).astype("float64"), [f"{name} {i}" for i in levels]


def _nuisance(sample: _Sample, weights: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Time and absorbed fixed-effect dummies, without those collinear with the others.

    Absorbed groups that nest the period (stack × year) make the period dummies
    redundant: the redundant columns are dropped, as fixed-effect solvers do.
    """
    parts = [_dummies(sample.time_codes, "period")]
    parts += [_dummies(c, n) for c, n in zip(sample.absorb_codes, sample.absorb_names, strict=True)]
    matrix = np.column_stack([m for m, _ in parts])
    labels = [label for _, names in parts for label in names]
    if not sample.absorb_codes:
        return matrix, labels
    demeaned = _within(matrix, sample.unit_codes, weights)
    gram = (demeaned * weights[:, None]).T @ demeaned
    dropped = set(collinear_columns(gram, labels))
    keep = [j for j, label in enumerate(labels) if label not in dropped]
    return matrix[:, keep], [labels[j] for j in keep]


def _within(matrix: np.ndarray, unit_codes: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Subtract each unit's (weighted) mean from every column."""
    totals = np.stack([np.bincount(unit_codes, weights * col) for col in matrix.T], axis=1)
    means = totals / np.bincount(unit_codes, weights)[:, None]
    return matrix - means[unit_codes]


def _fit(
    sample: _Sample, regressors: np.ndarray, names: list[str], alpha: float, who: str
) -> pd.DataFrame:
    """Within-unit WLS of y on regressors, covariates and time dummies, clustered CR1 inference.

    Returns one row per regressor (not covariates or time dummies): estimate, se, ci, p.
    """
    n = len(sample.y)
    weights = np.ones(n) if sample.weights is None else sample.weights
    nuisance, nuisance_labels = _nuisance(sample, weights)
    design = np.column_stack([regressors, sample.covariates, nuisance])
    labels = [*names, *sample.covariate_names, *nuisance_labels]
    demeaned = _within(np.column_stack([sample.y, design]), sample.unit_codes, weights)
    y_dm, x_dm = demeaned[:, 0], demeaned[:, 1:]
    weighted_x = x_dm * weights[:, None]
    gram = weighted_x.T @ x_dm
    _check_rank(weights @ design**2, gram, labels, sample.covariate_names, who)

    n_clusters = int(sample.cluster_codes.max()) + 1
    if n_clusters < 2:
        raise EstimationError(
            f"{who}: only one cluster; cluster-robust standard errors need at least two"
        )
    n_units = int(sample.unit_codes.max()) + 1
    k_within = x_dm.shape[1]
    if n - k_within - n_units < 1:
        raise EstimationError(
            f"{who}: {n} observations cannot identify {k_within} coefficients plus {n_units} unit "
            "effects; use a longer panel or fewer event times (set min_e/max_e)"
        )
    factor = linalg.cho_factor(gram)
    coef = linalg.cho_solve(factor, weighted_x.T @ y_dm)
    bread = linalg.cho_solve(factor, np.eye(k_within))
    scores = weighted_x * (y_dm - x_dm @ coef)[:, None]
    cluster_scores = np.stack(
        [np.bincount(sample.cluster_codes, column, minlength=n_clusters) for column in scores.T],
        axis=1,
    )
    # CR1 small-sample factor of the dummy-variable regression: its parameter count
    # includes one effect per unit, which the within transform absorbed.
    dof_factor = n_clusters / (n_clusters - 1) * (n - 1) / (n - k_within - n_units)
    cov = dof_factor * bread @ (cluster_scores.T @ cluster_scores) @ bread
    k = len(names)
    estimate = coef[:k]
    se = np.sqrt(np.diag(cov)[:k])
    t_crit = stats.t.ppf(1 - alpha / 2, n_clusters - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_value = 2 * stats.t.sf(np.abs(estimate / se), n_clusters - 1)
    return pd.DataFrame(
        {
            "estimate": estimate,
            "se": se,
            "ci_low": estimate - t_crit * se,
            "ci_high": estimate + t_crit * se,
            "p_value": p_value,
        },
        index=names,
    )


def _check_rank(
    raw_squares: np.ndarray,
    gram: np.ndarray,
    labels: list[str],
    covariate_names: list[str],
    who: str,
) -> None:
    """Raise naming the regressors that the unit effects absorb or that are collinear.

    ``raw_squares`` are the weighted sums of squares of the regressors before demeaning,
    ``gram`` the cross-products after it.
    """
    absorbed = np.diag(gram) <= 1e-20 * raw_squares
    if absorbed.any():
        names = [labels[j] for j in np.flatnonzero(absorbed)]
        covariates = [name for name in names if name in covariate_names]
        if covariates:
            raise EstimationError(
                f"{who}: covariate(s) {covariates} do not vary within units, so the unit fixed "
                "effects absorb them; drop them or interact them with time"
            )
        raise EstimationError(
            f"{who}: regressor(s) {names} do not vary within units, so the unit fixed effects absorb them"
        )
    dropped = collinear_columns(gram, labels)
    if dropped:
        raise EstimationError(
            f"{who}: singular design — {', '.join(dropped)} collinear with the fixed effects "
            "and other regressors. Without never-treated units the fully dynamic event study "
            "is not identified: set min_e/max_e with bin_endpoints=True, or add never-treated units"
        )


def _static(sample: _Sample, spec: TwfeSpec, who: str) -> TwfeEstimate:
    treated = ((sample.cohort > 0) & (sample.time_values >= sample.cohort)).astype("float64")
    row = _fit(sample, treated[:, None], ["treated"], spec.alpha, who).iloc[0]
    ever = np.bincount(sample.unit_codes, weights=sample.cohort > 0) > 0
    return TwfeEstimate(
        estimate=float(row["estimate"]),
        se=float(row["se"]),
        ci_low=float(row["ci_low"]),
        ci_high=float(row["ci_high"]),
        p_value=float(row["p_value"]),
        n_obs=len(sample.y),
        n_units=int(sample.unit_codes.max()) + 1,
        n_clusters=int(sample.cluster_codes.max()) + 1,
        spec=spec,
        n_treated=int(ever.sum()),
        n_comparison=int((~ever).sum()),
        exclusions=_exclusions(sample.excluded, who),
    )


def _absorb_groups(absorb: Sequence[str | Sequence[str]] | None, who: str) -> tuple:
    """``absorb`` as a tuple of column names and tuples of names (interactions)."""
    groups = []
    for entry in absorb or ():
        if isinstance(entry, str):
            groups.append(entry)
        elif isinstance(entry, Sequence) and entry and all(isinstance(c, str) for c in entry):
            groups.append(tuple(entry))
        else:
            raise InputError(
                f"{who}: absorb entry {entry!r} is not a column name or a tuple of names",
                fix='pass e.g. absorb=[("stack", "year")] for stack × year effects',
            )
    return tuple(groups)


def twfe_did(
    df: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    *,
    covariates: Sequence[str] | None = None,
    cluster: str | None = None,
    weights: str | None = None,
    absorb: Sequence[str | Sequence[str]] | None = None,
    alpha: float = 0.05,
) -> TwfeEstimate:
    """Static two-way fixed effects DiD: the coefficient on "treated from ``cohort`` on".

    Parameters
    ----------
    df
        Long panel, one row per unit and period.
    outcome, unit, time, cohort
        Column names; ``cohort`` is the first treated period, 0 or missing if never treated.
    covariates
        Time-varying controls (time-invariant ones are absorbed by the unit effects).
    cluster
        Cluster column for standard errors (default: ``unit``).
    weights
        Positive observation weights column (weighted least squares).
    absorb
        Further fixed effects beside unit and period: column names, or tuples of names
        for their interaction, e.g. ``[("stack", "year")]`` for stack × year effects in
        a stacked design (a unit may then have one row per stack and period). Period
        dummies made redundant by them are dropped.
    alpha
        1 − confidence level of the interval.

    Examples
    --------
    >>> from partnership_eval.impact.simulate import simulate_staggered_panel, constant_effect
    >>> sim = simulate_staggered_panel(n_units=300, effect=constant_effect(2.0), seed=1)
    >>> res = twfe_did(sim.data, "y", "unit", "time", "cohort")
    >>> round(res.estimate)
    2
    """
    who = "twfe_did"
    _check_alpha(alpha, who)
    groups = _absorb_groups(absorb, who)
    spec = TwfeSpec(outcome=outcome, unit=unit, time=time, cohort=cohort,
                    covariates=tuple(covariates or ()), absorb=groups, cluster=cluster,
                    weights=weights, alpha=alpha)  # fmt: skip
    sample = _prepare(df, outcome, unit, time, cohort, covariates, cluster, weights, who, groups)
    return _static(sample, spec, who)


def _check_alpha(alpha: float, who: str) -> None:
    if not 0 < alpha < 1:
        raise InputError(f"{who}: alpha={alpha!r} must lie strictly between 0 and 1")


def twfe_event_study(
    df: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    *,
    covariates: Sequence[str] | None = None,
    min_e: int | None = None,
    max_e: int | None = None,
    reference: int = -1,
    bin_endpoints: bool = True,
    cluster: str | None = None,
    weights: str | None = None,
    absorb: Sequence[str | Sequence[str]] | None = None,
    alpha: float = 0.05,
) -> TwfeResult:
    """TWFE event study: one coefficient per event time ``time - cohort``, relative to ``reference``.

    Parameters
    ----------
    df, outcome, unit, time, cohort, covariates, cluster, weights, absorb, alpha
        As for :func:`twfe_did`.
    min_e, max_e
        Event-time window. With ``bin_endpoints=True`` event times beyond it are pooled
        into the end bins; with ``False`` those rows are excluded (and counted in
        ``excluded``). ``None`` keeps every observed event time.
    reference
        The omitted event time (coefficients are differences from it).

    Returns
    -------
    TwfeResult
        ``table`` by event time, ``static`` (the :func:`twfe_did` coefficient on the same
        sample), ``summary()`` and ``plot()``.

    Examples
    --------
    >>> from partnership_eval.impact.simulate import simulate_staggered_panel
    >>> sim = simulate_staggered_panel(n_units=300, seed=1)
    >>> res = twfe_event_study(sim.data, "y", "unit", "time", "cohort", min_e=-4, max_e=4)
    >>> res.table["event_time"].tolist()
    [-4, -3, -2, -1, 0, 1, 2, 3, 4]
    """
    who = "twfe_event_study"
    _check_alpha(alpha, who)
    if min_e is not None and max_e is not None and min_e > max_e:
        raise InputError(f"{who}: min_e={min_e} is greater than max_e={max_e}")
    groups = _absorb_groups(absorb, who)
    spec = TwfeSpec(outcome=outcome, unit=unit, time=time, cohort=cohort,
                    covariates=tuple(covariates or ()), absorb=groups, cluster=cluster,
                    weights=weights, min_e=min_e, max_e=max_e, reference=reference,
                    bin_endpoints=bin_endpoints, alpha=alpha)  # fmt: skip
    sample = _prepare(df, outcome, unit, time, cohort, covariates, cluster, weights, who, groups)
    treated = sample.cohort > 0
    event = np.where(treated, sample.time_values - sample.cohort, np.nan)
    excluded = dict(sample.excluded)
    if not bin_endpoints:
        outside = np.zeros(len(event), dtype=bool)
        if min_e is not None:
            outside |= treated & (event < min_e)
        if max_e is not None:
            outside |= treated & (event > max_e)
        if outside.any():
            excluded["event time outside [min_e, max_e]"] = int(outside.sum())
            sample, event, treated = sample.subset(~outside), event[~outside], treated[~outside]
    low = min_e if min_e is not None else np.nanmin(event)
    high = max_e if max_e is not None else np.nanmax(event)
    event = np.clip(event, low, high)
    event_times = np.unique(event[treated]).astype(int)
    if reference not in event_times:
        raise EstimationError(
            f"{who}: reference event time {reference} is not observed in the event-time window "
            f"(observed: {event_times.min()} to {event_times.max()}); choose another reference"
        )
    estimated = event_times[event_times != reference]
    dummies = (event[:, None] == estimated[None, :]).astype("float64")
    fit = _fit(sample, dummies, [str(e) for e in estimated], alpha, who)

    fit = fit.drop(columns="p_value").set_axis(pd.Index(estimated, name="event_time"))
    counts = pd.Series(event[treated]).value_counts()
    table = pd.DataFrame({"event_time": event_times}).join(fit, on="event_time")
    table.loc[table["event_time"] == reference, "estimate"] = 0.0
    table["n"] = table["event_time"].map(counts).astype("int64")
    binned = (
        int(low) if bin_endpoints and min_e is not None else None,
        int(high) if bin_endpoints and max_e is not None else None,
    )
    return TwfeResult(
        table=table,
        static=_static(sample, spec, who),
        reference=reference,
        binned=binned,
        spec=spec,
        exclusions=_exclusions(excluded, who),
    )
