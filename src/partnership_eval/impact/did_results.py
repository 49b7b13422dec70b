"""Results of staggered DiD: tidy tables, aggregations, the pre-trend test, text and plots.

:class:`AttGtResult` holds the group-time ATTs of one estimation and remembers what was
estimated (outcome, method, comparison group, sample and exclusions), so a report can
say exactly that. Its :meth:`~AttGtResult.aggregate` gives :class:`AggregateResult`
summaries, as R ``did``'s ``aggte`` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from partnership_eval.errors import EstimationError
from partnership_eval.impact.did_aggregate import aggregate
from partnership_eval.impact.did_data import DidSample
from partnership_eval.impact.did_estimators import GroupTimeEstimates
from partnership_eval.impact.did_inference import Inference, WaldTest, infer, wald_pretest

if TYPE_CHECKING:
    from matplotlib.axes import Axes

LABEL_COLUMN = {"dynamic": "event_time", "group": "cohort", "calendar": "time"}


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

    def describe(self) -> list[str]:
        """One line per setting, for summaries."""
        inference = (
            f"multiplier bootstrap, {self.n_boot} draws (seed {self.seed}), uniform bands"
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
            f"inference: {inference}   level: {1 - self.alpha:.0%}",
        ]


@dataclass(frozen=True)
class AggregateResult:
    """An aggregated ATT: overall estimate and, except for ``simple``, a table by label.

    ``table`` has a label column (``event_time``, ``cohort`` or ``time``) and att, se,
    ci_low, ci_high; with the bootstrap its intervals form a uniform band.
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

    def summary(self) -> str:
        """The overall estimate and the table as text."""
        level = f"{1 - self.spec.alpha:.0%}"
        lines = [
            f"Aggregated ATT ({self.kind}) of {self.spec.outcome}",
            f"overall: {self.att:.4f} (se {self.se:.4f}), {level} CI "
            f"[{self.ci_low:.4f}, {self.ci_high:.4f}]",
        ]
        if self.options:
            lines.append("options: " + ", ".join(f"{k}={v}" for k, v in self.options.items()))
        if not self.table.empty:
            lines += [
                f"by {self.table.columns[0]} ({self.band} {level} intervals):",
                self.table.to_string(index=False, float_format=lambda v: f"{v:.4f}"),
            ]
        return "\n".join(lines)

    def plot(self, ax: Axes | None = None) -> Axes:
        """Estimates by label with their intervals (an event-study plot for ``dynamic``)."""
        import matplotlib.pyplot as plt
        import seaborn as sns

        if self.table.empty:
            raise ValueError("a simple aggregate has a single number; plot kind='dynamic' instead")
        ax = ax if ax is not None else plt.subplots(figsize=(7, 4))[1]
        label = self.table.columns[0]
        x, est = self.table[label].to_numpy(), self.table["att"].to_numpy()
        colour = sns.color_palette()[0]
        if self.kind == "dynamic":
            ax.fill_between(
                x,
                self.table["ci_low"],
                self.table["ci_high"],
                color=colour,
                alpha=0.2,
                linewidth=0,
                label=f"{self.band} band",
            )
            ax.plot(x, est, marker="o", color=colour, label="ATT")
            ax.axvline(-0.5, color="grey", linestyle=":", linewidth=1)
        else:
            err = np.vstack([est - self.table["ci_low"], self.table["ci_high"] - est])
            ax.errorbar(
                x,
                est,
                yerr=err,
                fmt="o",
                color=colour,
                capsize=3,
                label=f"ATT with {self.band} interval",
            )
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_xlabel(label.replace("_", " "))
        ax.set_ylabel(f"ATT on {self.spec.outcome}")
        ax.set_title(
            f"{self.kind.capitalize()} aggregation ({self.spec.method}, "
            f"{self.spec.control_group.replace('_', '-')} comparison)"
        )
        ax.legend(frameon=False)
        return ax


class AttGtResult:
    """Group-time average treatment effects ATT(g, t) and everything derived from them.

    Attributes
    ----------
    att_gt
        One row per cell: cohort, time, event_time, att, se, ci_low, ci_high,
        n_treated, n_control, post. With ``base_period="universal"`` the base cell of
        each cohort is 0 with a missing standard error.
    spec
        The estimation settings (:class:`DidSpec`).
    n_units
        Units (rows, for repeated cross-sections without ids) used; with an unbalanced
        panel every unit kept (each cell's own counts are in ``att_gt``).
    exclusions
        DataFrame of rows/units left out or recoded, with the reason.
    skipped_cohorts
        Cohorts with no period before their (anticipated) treatment: no cells.
    """

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
            }
        )
        self.n_units = sample.n_units
        self.exclusions = pd.DataFrame(
            [(e.reason, e.rows, e.units) for e in sample.exclusions + estimates.exclusions],
            columns=["reason", "rows", "units"],
        )
        self.skipped_cohorts = estimates.skipped_cohorts

    @property
    def influence(self) -> np.ndarray:
        """(observations × cells) influence functions, columns in ``att_gt`` order."""
        return self._est.influence

    def aggregate(
        self,
        kind: str = "dynamic",
        min_e: float | None = None,
        max_e: float | None = None,
        balance_e: int | None = None,
    ) -> AggregateResult:
        """Aggregate the ATT(g, t): ``"simple"``, ``"dynamic"``, ``"group"`` or ``"calendar"``.

        ``min_e``/``max_e`` keep event times in that range and ``balance_e`` keeps only
        cohorts observed for ``balance_e`` periods after treatment (``dynamic`` only).
        """
        s, spec = self._sample, self.spec
        agg = aggregate(
            self._est, s.cohort, s.weights, kind, min_e=min_e, max_e=max_e, balance_e=balance_e
        )
        overall = infer(
            agg.overall_influence[:, None], s.cluster, spec.n_boot, spec.seed, spec.alpha
        )
        se = float(overall.se[0])
        z = float(stats.norm.ppf(1 - spec.alpha / 2))
        columns = [LABEL_COLUMN.get(kind, "label"), "att", "se", "ci_low", "ci_high"]
        if len(agg.labels):
            by = infer(agg.influence, s.cluster, spec.n_boot, spec.seed, spec.alpha)
            low, high = by.interval(agg.att)
            table = pd.DataFrame(
                dict(zip(columns, (_periods(agg.labels), agg.att, by.se, low, high), strict=True))
            )
            band, crit = by.band, by.critical_value
        else:
            table = pd.DataFrame(columns=columns)
            band, crit = overall.band, z
        options = {
            k: v
            for k, v in (("min_e", min_e), ("max_e", max_e), ("balance_e", balance_e))
            if v is not None
        }
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
        )

    def pretest(self) -> WaldTest:
        """Wald test that all pre-treatment ATT(g, t) are zero (parallel pre-trends).

        Uses the analytic (clustered, if asked) covariance of the pre-treatment cells.
        """
        pre = self._est.cohort > self._est.time
        result = None
        if pre.any():
            result = wald_pretest(
                self._est.att[pre], self._est.influence[:, pre], self._sample.cluster
            )
        if result is None:
            raise EstimationError(
                "no pre-treatment ATT(g, t) with non-zero variance to test; the pre-test "
                "needs a cohort observed for at least two periods before treatment"
            )
        return result

    def summary(self) -> str:
        """What was estimated, on which sample, the ATT(g, t) table and the pre-test."""
        lines = [
            "Group-time average treatment effects (Callaway & Sant'Anna 2021)",
            *self.spec.describe(),
            f"units used: {self.n_units}",
        ]
        for row in self.exclusions.itertuples(index=False):
            lines.append(f"excluded: {row.rows} rows / {row.units} units — {row.reason}")
        if self.skipped_cohorts:
            lines.append(
                "cohorts without a pre-treatment period (no cells): "
                + ", ".join(f"{g:g}" for g in self.skipped_cohorts)
            )
        level = f"{1 - self.spec.alpha:.0%}"
        lines += [
            f"ATT(g, t) with {self.band} {level} intervals:",
            self.att_gt.to_string(index=False, float_format=lambda v: f"{v:.4f}"),
        ]
        try:
            w = self.pretest()
            lines.append(
                f"pre-trend Wald test: W = {w.statistic:.3f}, df = {w.df}, p = {w.p_value:.4f}"
            )
        except EstimationError:
            lines.append("pre-trend Wald test: no pre-treatment cells to test")
        return "\n".join(lines)

    def plot(self, ax: Axes | None = None) -> Axes:
        """ATT(g, t) against event time, one colour per cohort, with intervals."""
        import matplotlib.pyplot as plt
        import seaborn as sns

        ax = ax if ax is not None else plt.subplots(figsize=(8, 4.5))[1]
        table = self.att_gt
        cohorts = np.unique(table["cohort"])
        palette = sns.color_palette(n_colors=len(cohorts))
        offsets = np.linspace(-0.2, 0.2, len(cohorts)) if len(cohorts) > 1 else [0.0]
        for g, colour, dx in zip(cohorts, palette, offsets, strict=True):
            rows = table[table["cohort"] == g]
            est = rows["att"].to_numpy()
            err = np.vstack([est - rows["ci_low"], rows["ci_high"] - est])
            ax.errorbar(
                rows["event_time"] + dx,
                est,
                yerr=err,
                fmt="o",
                color=colour,
                capsize=2,
                markersize=4,
                label=f"cohort {g:g}",
            )
        ax.axhline(0, color="black", linewidth=0.8)
        ax.axvline(-0.5, color="grey", linestyle=":", linewidth=1)
        ax.set_xlabel("event time (periods since first treatment)")
        ax.set_ylabel(f"ATT(g, t) on {self.spec.outcome}")
        ax.set_title(
            f"Group-time ATTs ({self.spec.method}, "
            f"{self.spec.control_group.replace('_', '-')} comparison, {self.band} "
            "intervals)"
        )
        ax.legend(frameon=False, fontsize="small")
        return ax

    def __repr__(self) -> str:
        return (
            f"AttGtResult(outcome={self.spec.outcome!r}, method={self.spec.method!r}, "
            f"control_group={self.spec.control_group!r}, cells={len(self.att_gt)}, "
            f"units={self.n_units})"
        )
