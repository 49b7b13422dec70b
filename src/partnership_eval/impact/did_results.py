"""Results of staggered DiD: tidy tables, aggregations, the pre-trend test, text and plots.

:class:`AttGtResult` holds the group-time ATTs of one estimation and remembers what was
estimated (outcome, method, comparison group, sample and exclusions), so a report can
say exactly that. Its :meth:`~AttGtResult.aggregate` gives :class:`AggregateResult`
summaries, as R ``did``'s ``aggte`` does; :meth:`~AttGtResult.pretest` tests parallel
pre-trends, :meth:`~AttGtResult.mde` gives the minimum detectable effect of the estimate
shown and :meth:`~AttGtResult.wild_bootstrap` a wild cluster bootstrap-t interval for
few treated clusters. All of them are results (:class:`~partnership_eval.result.Result`).

Interval words: the overall estimate of every aggregation has a *pointwise* interval
(z, or t with few clusters for the MDE); the rows of ``att_gt`` and of an aggregation's
table form a *uniform* (sup-t) band with the bootstrap, pointwise intervals without.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from partnership_eval.errors import EstimationError, InputError
from partnership_eval.impact.did_aggregate import Aggregation, aggregate
from partnership_eval.impact.did_data import DidSample
from partnership_eval.impact.did_estimators import GroupTimeEstimates
from partnership_eval.impact.did_inference import (
    MULTIPLIERS,
    Inference,
    WaldTest,
    infer,
    pretest_average,
    pretest_chi2,
    pretest_hotelling,
)
from partnership_eval.impact.power import MdeResult, mde_of_estimate
from partnership_eval.impact.wild_bootstrap import WildInterval, wild_cluster_bootstrap
from partnership_eval.result import Result, exclusion_frame, level_label, tidy_frame

if TYPE_CHECKING:
    from matplotlib.axes import Axes

LABEL_COLUMN = {"dynamic": "event_time", "group": "cohort", "calendar": "time"}
TERM_PREFIX = {"dynamic": "event time", "group": "cohort", "calendar": "year"}
PRETESTS = ("average", "hotelling", "chi2")


def _periods(values: np.ndarray) -> np.ndarray:
    """Whole-number periods as integers (years stay 2004, not 2004.0)."""
    values = np.asarray(values, dtype=float)
    if values.size and np.all(np.isfinite(values)) and np.all(values == np.round(values)):
        return values.astype(np.int64)
    return values


@dataclass(frozen=True)
class DidSpec:
    """What was estimated: the arguments of :func:`staggered_did` that shape results."""

    outcome: str
    unit: str | None
    time: str
    cohort: str
    covariates: tuple[str, ...] = ()
    control_group: str = "never_treated"
    method: str = "dr"
    anticipation: int = 0
    base_period: str = "varying"
    weights: str | None = None
    cluster: str | None = None
    panel: bool = True
    n_boot: int = 999
    alpha: float = 0.05
    seed: int = 0
    allow_unbalanced_panel: bool = False
    strict: bool = False
    multipliers: str = "mammen"

    def describe(self) -> list[str]:
        """One line per setting, for summaries."""
        inference = (
            f"multiplier bootstrap ({self.multipliers}), {self.n_boot} draws (seed "
            f"{self.seed}), uniform bands by cell and event time, pointwise overall"
            if self.n_boot
            else "analytic (influence function)"
        )
        data = "repeated cross-sections"
        if self.panel:
            data = (
                "unbalanced panel (each cell: units observed in both its periods)"
                if self.allow_unbalanced_panel
                else "panel"
            )
        return [
            f"outcome: {self.outcome}   method: {self.method}   "
            f"comparison: {self.control_group.replace('_', '-')}",
            f"base period: {self.base_period}   anticipation: {self.anticipation}   "
            f"covariates: {', '.join(self.covariates) or 'none'}",
            f"data: {data}   "
            f"weights: {self.weights or 'none'}   clusters: {self.cluster or self.unit or 'rows'}",
            f"inference: {inference}   level: {level_label(self.alpha)}",
        ]


@dataclass(frozen=True)
class AggregateResult(Result):
    """An aggregated ATT: overall estimate and, except for ``simple``, a table by label.

    ``table`` has a label column (``event_time``, ``cohort`` or ``time``) and att, se,
    ci_low, ci_high; ``band`` says whether its intervals are a ``uniform`` band (with
    the bootstrap) or ``pointwise``. The overall ``ci_low``/``ci_high`` are always
    pointwise (normal). ``n_skipped`` counts the NA cells left out.
    """

    kind: str
    att: float
    se: float
    ci_low: float
    ci_high: float
    table: pd.DataFrame
    band: str
    critical_value: float
    spec: DidSpec
    options: dict[str, float | None] = field(default_factory=dict)
    n_skipped: int = 0
    n_treated: int = 0
    n_comparison: int = 0
    n_clusters: int = 0
    exclusions: pd.DataFrame = field(default_factory=exclusion_frame)
    title: ClassVar[str] = "Aggregated ATT"

    @property
    def headline_label(self) -> str:  # type: ignore[override]
        return f"overall ATT ({self.kind}) on {self.spec.outcome}"

    def tidy(self) -> pd.DataFrame:
        """The overall estimate (pointwise interval), then one row per label (``band``)."""
        rows = [
            {
                "term": f"overall ({self.kind})",
                "estimate": self.att,
                "se": self.se,
                "ci_low": self.ci_low,
                "ci_high": self.ci_high,
                "n_treated": self.n_treated,
                "n_comparison": self.n_comparison,
                "interval": "pointwise",
            }
        ]
        if not self.table.empty:
            label = self.table.columns[0]
            for row in self.table.itertuples(index=False):
                rows.append(
                    {
                        "term": f"{TERM_PREFIX[self.kind]} {getattr(row, label)}",
                        "estimate": row.att,
                        "se": row.se,
                        "ci_low": row.ci_low,
                        "ci_high": row.ci_high,
                        "interval": self.band,
                    }
                )
        return tidy_frame(rows, alpha=self.alpha)

    def summary(self) -> str:
        """The overall estimate and the table as text."""
        lines = [
            f"Aggregated ATT ({self.kind}) of {self.spec.outcome}",
            f"overall: {self.att:.4f} (se {self.se:.4f}), {self.level} pointwise CI "
            f"[{self.ci_low:.4f}, {self.ci_high:.4f}]",
        ]
        if self.options:
            lines.append("options: " + ", ".join(f"{k}={v}" for k, v in self.options.items()))
        if self.n_skipped:
            lines.append(f"{self.n_skipped} group-time cell(s) could not be estimated: left out")
        if not self.table.empty:
            lines += [
                f"by {self.table.columns[0]} ({self.band} {self.level} intervals):",
                self.table.to_string(index=False, float_format=lambda v: f"{v:.4f}"),
            ]
        return "\n".join(lines)

    def plot(self, ax: Axes | None = None) -> Axes:
        """An event-study plot for ``dynamic``, estimates with intervals otherwise."""
        from partnership_eval.plots import coefficient_plot, event_study_plot

        title = (
            f"{self.kind.capitalize()} aggregation ({self.spec.method}, "
            f"{self.spec.control_group.replace('_', '-')} comparison)"
        )
        if self.kind == "dynamic":
            table = self.table.rename(columns={"att": "estimate"})
            return event_study_plot(
                table,
                ax=ax,
                label="ATT",
                band_label=f"{self.level} {self.band} band",
                ylabel=f"ATT on {self.spec.outcome}",
                xlabel="event time (periods since first treatment)",
                title=title,
            )
        table = self.tidy()
        return coefficient_plot(
            table, ax=ax, xlabel=f"ATT on {self.spec.outcome} ({self.level} intervals)", title=title
        )


@dataclass(frozen=True)
class WildBootstrapResult(Result):
    """A wild cluster bootstrap-t interval of an aggregated ATT (see :mod:`.wild_bootstrap`)."""

    kind: str
    interval: WildInterval
    spec: DidSpec
    n_treated: int = 0
    n_comparison: int = 0
    exclusions: pd.DataFrame = field(default_factory=exclusion_frame)
    title: ClassVar[str] = "Wild cluster bootstrap-t"

    @property
    def headline_label(self) -> str:  # type: ignore[override]
        return f"overall ATT ({self.kind}), wild cluster bootstrap-t interval"

    def tidy(self) -> pd.DataFrame:
        """One row: estimate, CR1-by-group se, bootstrap-t interval and p-value."""
        w = self.interval
        return tidy_frame(
            [
                {
                    "term": f"overall ({self.kind})",
                    "estimate": w.estimate,
                    "se": w.se,
                    "ci_low": w.ci_low,
                    "ci_high": w.ci_high,
                    "n_treated": self.n_treated,
                    "n_comparison": self.n_comparison,
                    "p_value": w.p_value,
                    "critical_value": w.critical_value,
                    "n_clusters": w.n_clusters,
                    "n_treated_clusters": w.n_treated_clusters,
                    "multipliers": w.multipliers,
                    "interval": "pointwise",
                }
            ],
            alpha=self.alpha,
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """The estimate with its interval."""
        from partnership_eval.plots import coefficient_plot

        return coefficient_plot(
            self.tidy(), ax=ax, xlabel=f"ATT ({self.level} wild bootstrap-t interval)"
        )


class AttGtResult(Result):
    """Group-time average treatment effects ATT(g, t) and everything derived from them.

    Attributes
    ----------
    att_gt
        One row per cell: cohort, time, event_time, att, se, ci_low, ci_high,
        n_treated, n_control, post, reason (why a cell is NA, "" otherwise) and
        n_trimmed (comparison units trimmed for propensity scores ≥ 0.995). With
        ``base_period="universal"`` the base cell of each cohort is 0 with a missing
        standard error.
    spec
        The estimation settings (:class:`DidSpec`).
    n_units
        Units (rows, for repeated cross-sections without ids) used; with an unbalanced
        panel every unit kept (each cell's own counts are in ``att_gt``).
    exclusions
        The standard exclusions table (step, reason, rows, schools): rows/units left
        out or recoded.
    skipped_cohorts
        Cohorts with no period before their (anticipated) treatment: no cells.
    """

    title = "Group-time ATTs (Callaway & Sant'Anna 2021)"

    def __init__(
        self,
        estimates: GroupTimeEstimates,
        sample: DidSample,
        spec: DidSpec,
        inference: Inference,
    ) -> None:
        self._est = estimates
        self._sample = sample
        self.spec = spec
        self.band = inference.band
        self.critical_value = inference.critical_value
        low, high = inference.interval(estimates.att)
        n_cells = len(estimates.att)
        self.att_gt = pd.DataFrame(
            {
                "cohort": _periods(estimates.cohort),
                "time": _periods(estimates.time),
                "event_time": _periods(estimates.time - estimates.cohort),
                "att": estimates.att,
                "se": inference.se,
                "ci_low": low,
                "ci_high": high,
                "n_treated": estimates.n_treated,
                "n_control": estimates.n_control,
                "post": estimates.cohort <= estimates.time,
                "reason": estimates.reason if estimates.reason is not None else [""] * n_cells,
                "n_trimmed": (
                    estimates.n_trimmed
                    if estimates.n_trimmed is not None
                    else np.zeros(n_cells, dtype=np.int64)
                ),
            }
        )
        self.n_units = sample.n_units
        self.exclusions = exclusion_frame(
            [
                {"reason": e.reason, "rows": e.rows, "schools": e.units}
                for e in sample.exclusions + estimates.exclusions
            ],
            step="staggered_did",
        )
        self.skipped_cohorts = estimates.skipped_cohorts

    @property
    def influence(self) -> np.ndarray:
        """(observations × cells) influence functions, columns in ``att_gt`` order."""
        return self._est.influence

    @property
    def n_clusters(self) -> int:
        """Clusters of the standard errors (units, or rows, when not clustered)."""
        c = self._sample.cluster
        return int(c.max()) + 1 if c is not None else self._sample.n_obs

    @property
    def n_not_estimated(self) -> int:
        """Group-time cells returned as NA."""
        return int(np.sum(~self._est.estimated))

    def _aggregation(
        self, kind: str, min_e: float | None, max_e: float | None, balance_e: int | None
    ) -> Aggregation:
        s = self._sample
        return aggregate(
            self._est, s.cohort, s.weights, kind, min_e=min_e, max_e=max_e, balance_e=balance_e
        )

    def _counts(self, agg: Aggregation) -> tuple[int, int]:
        """Treated units in the cohorts aggregated, and the largest comparison group used."""
        cells = np.isfinite(self._est.att) & (self._est.cohort <= self._est.time)
        cohorts = np.unique(self._est.cohort[cells])
        n_treated = int(np.isin(self._sample.cohort, cohorts).sum())
        n_comparison = int(self._est.n_control[cells].max()) if cells.any() else 0
        return n_treated, n_comparison

    def aggregate(
        self,
        kind: str = "dynamic",
        min_e: float | None = None,
        max_e: float | None = None,
        balance_e: int | None = None,
    ) -> AggregateResult:
        """Aggregate the ATT(g, t): ``"simple"``, ``"dynamic"``, ``"group"`` or ``"calendar"``.

        ``min_e``/``max_e`` keep cells with event times in that range and ``balance_e``
        keeps only cohorts observed for ``balance_e`` periods after treatment, for every
        kind. NA cells are left out and counted (``n_skipped``).
        """
        s, spec = self._sample, self.spec
        agg = self._aggregation(kind, min_e, max_e, balance_e)
        overall = infer(
            agg.overall_influence[:, None],
            s.cluster,
            spec.n_boot,
            spec.seed,
            spec.alpha,
            spec.multipliers,
        )
        se = float(overall.se[0])
        z = float(stats.norm.ppf(1 - spec.alpha / 2))
        columns = [LABEL_COLUMN.get(kind, "label"), "att", "se", "ci_low", "ci_high"]
        if len(agg.labels):
            by = infer(
                agg.influence, s.cluster, spec.n_boot, spec.seed, spec.alpha, spec.multipliers
            )
            low, high = by.interval(agg.att)
            table = pd.DataFrame(
                dict(zip(columns, (_periods(agg.labels), agg.att, by.se, low, high), strict=True))
            )
            band, crit = by.band, by.critical_value
        else:
            table = pd.DataFrame(columns=columns)
            band, crit = "pointwise", z
        options = {
            k: v
            for k, v in (("min_e", min_e), ("max_e", max_e), ("balance_e", balance_e))
            if v is not None
        }
        n_treated, n_comparison = self._counts(agg)
        return AggregateResult(
            kind=kind,
            att=agg.overall_att,
            se=se,
            ci_low=agg.overall_att - z * se,
            ci_high=agg.overall_att + z * se,
            table=table,
            band=band,
            critical_value=crit,
            spec=spec,
            options=options,
            n_skipped=agg.n_skipped,
            n_treated=n_treated,
            n_comparison=n_comparison,
            n_clusters=self.n_clusters,
            exclusions=self.exclusions,
        )

    def pretest(self, method: str = "average") -> WaldTest:
        """Test of parallel pre-trends from the pre-treatment ATT(g, t).

        ``method``:

        - ``"average"`` (default): t test, on (clusters − 1) degrees of freedom, that the
          average of the pre-treatment event-time effects (the ``dynamic`` aggregation at
          event times < 0) is zero. One degree of freedom, so its size is honest even with
          few units; it has power against a trend that moves every pre-period the same way.
        - ``"hotelling"``: every pre-treatment cell zero, Hotelling's T² as an F on
          (cells, clusters − cells) degrees of freedom.
        - ``"chi2"``: every pre-treatment cell zero, χ² on the estimated covariance (R
          ``did``'s Wald pre-test; far too liberal with few units).

        All use the analytic covariance of the influence functions (clustered, if asked).
        """
        if method not in PRETESTS:
            raise InputError(
                f"parameter method={method!r} is not one of {PRETESTS}",
                fix="pass 'average' (honest size) or 'chi2' (R did's test)",
            )
        est, cluster = self._est, self._sample.cluster
        pre = (est.cohort > est.time) & np.isfinite(est.att)
        result = None
        if method == "average" and pre.any():
            agg = self._aggregation("dynamic", None, None, None)
            keep = agg.labels < 0
            result = pretest_average(agg.att[keep], agg.influence[:, keep], cluster)
        elif method == "hotelling" and pre.any():
            result = pretest_hotelling(est.att[pre], est.influence[:, pre], cluster)
        elif pre.any():
            result = pretest_chi2(est.att[pre], est.influence[:, pre], cluster)
        if result is None:
            raise EstimationError(
                "no pre-treatment ATT(g, t) with non-zero variance to test (or too few "
                "clusters for them); the pre-test needs a cohort observed for at least two "
                "periods before treatment"
            )
        return result

    def mde(self, kind: str = "simple", power: float = 0.8) -> MdeResult:
        """Minimum detectable effect of the ``kind`` aggregate as estimated.

        ``(critical value + power quantile) × se`` of the overall estimate shown, with t
        quantiles on (clusters − 1) degrees of freedom when there are fewer than 50
        clusters: the effect this estimate would detect with probability ``power`` in a
        two-sided test at ``spec.alpha``.
        """
        agg = self.aggregate(kind)
        return mde_of_estimate(
            agg.se,
            alpha=self.spec.alpha,
            power=power,
            n_clusters=self.n_clusters,
            n_treated=agg.n_treated,
            n_control=agg.n_comparison,
            outcome=self.spec.outcome,
            estimate=f"overall ATT ({kind})",
        )

    def wild_bootstrap(
        self,
        kind: str = "simple",
        n_boot: int = 999,
        multipliers: str = "auto",
        seed: int | None = None,
    ) -> WildBootstrapResult:
        """Wild cluster bootstrap-t interval of the ``kind`` aggregate's overall estimate.

        For few treated clusters (e.g. ``cluster="partnership_id"``): Rademacher weights,
        or Webb's with fewer than 12 clusters (``multipliers="auto"``), applied to the
        clusters' influence sums with each draw refitted (see :mod:`.wild_bootstrap`).
        """
        if multipliers not in ("auto", *MULTIPLIERS):
            raise InputError(
                f"parameter multipliers={multipliers!r} is not one of {('auto', *MULTIPLIERS)}",
                fix="pass 'auto', 'rademacher' or 'webb'",
            )
        if not isinstance(n_boot, int) or n_boot < 99:
            raise InputError(f"parameter n_boot={n_boot!r} must be a whole number ≥ 99")
        s = self._sample
        agg = self._aggregation(kind, None, None, None)
        cluster = s.cluster if s.cluster is not None else np.arange(s.n_obs)
        group = np.unique(s.cohort, return_inverse=True)[1]
        interval = wild_cluster_bootstrap(
            agg.overall_influence,
            agg.overall_att,
            cluster,
            group,
            s.weights,
            treated=np.isfinite(s.cohort),
            n_boot=n_boot,
            seed=self.spec.seed if seed is None else seed,
            alpha=self.spec.alpha,
            multipliers=multipliers,
        )
        n_treated, n_comparison = self._counts(agg)
        return WildBootstrapResult(
            kind=kind,
            interval=interval,
            spec=self.spec,
            n_treated=n_treated,
            n_comparison=n_comparison,
            exclusions=self.exclusions,
        )

    @property
    def headline_label(self) -> str:  # type: ignore[override]
        return f"overall ATT (simple) on {self.spec.outcome}"

    def tidy(self) -> pd.DataFrame:
        """One row per group-time cell (``interval`` says pointwise or uniform)."""
        t = self.att_gt
        frame = pd.DataFrame(
            {
                "term": [f"ATT({g}, {tt})" for g, tt in zip(t["cohort"], t["time"], strict=True)],
                "estimate": t["att"],
                "se": t["se"],
                "ci_low": t["ci_low"],
                "ci_high": t["ci_high"],
                "n_treated": t["n_treated"],
                "n_comparison": t["n_control"],
                "cohort": t["cohort"],
                "time": t["time"],
                "event_time": t["event_time"],
                "interval": self.band,
                "reason": t["reason"],
            }
        )
        return tidy_frame(frame, alpha=self.alpha)

    def headline(self) -> dict[str, object]:
        """The results.json headline: the ``simple`` overall ATT."""
        return self.aggregate("simple").headline()

    def summary(self) -> str:
        """What was estimated, on which sample, the ATT(g, t) table and the pre-test."""
        lines = [
            "Group-time average treatment effects (Callaway & Sant'Anna 2021)",
            *self.spec.describe(),
            f"units used: {self.n_units}",
        ]
        for row in self.exclusions.itertuples(index=False):
            lines.append(f"excluded: {row.rows} rows / {row.schools} units — {row.reason}")
        if self.skipped_cohorts:
            lines.append(
                "cohorts without a pre-treatment period (no cells): "
                + ", ".join(f"{g:g}" for g in self.skipped_cohorts)
            )
        if self.n_not_estimated:
            lines.append(
                f"{self.n_not_estimated} cell(s) could not be estimated (NA, reason in att_gt)"
            )
        lines += [
            f"ATT(g, t) with {self.band} {self.level} intervals:",
            self.att_gt.drop(columns=["reason", "n_trimmed"]).to_string(
                index=False, float_format=lambda v: f"{v:.4f}"
            ),
        ]
        try:
            w = self.pretest()
            lines.append(f"pre-trend test: {w.describe()}")
        except EstimationError:
            lines.append("pre-trend test: no pre-treatment cells to test")
        return "\n".join(lines)

    def plot(self, ax: Axes | None = None) -> Axes:
        """The event study: the dynamic aggregation with its band."""
        return self.aggregate("dynamic").plot(ax=ax)

    def __repr__(self) -> str:
        return (
            f"AttGtResult(outcome={self.spec.outcome!r}, method={self.spec.method!r}, "
            f"control_group={self.spec.control_group!r}, cells={len(self.att_gt)}, "
            f"units={self.n_units})"
        )
