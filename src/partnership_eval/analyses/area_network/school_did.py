"""School-level cross-check: network schools against similar schools elsewhere.

Estimand: the average effect on the network's schools over the post years (the simple
aggregation of Callaway & Sant'Anna ATT(g, t), every school weighted equally — not the
area's pupil-weighted change). Comparison: schools of the statistical-neighbour LAs that
are in no triad or collaborative, adjusted by doubly robust DiD for baseline attainment
and FSM share; the area's own non-members are left out (they share its shocks and may
catch its network's ideas). Identifying assumption: parallel trends of network schools
and comparison schools with the same baseline. Standard errors cluster by collaborative
(network schools) and by LA (comparison schools): they allow for shocks shared within a
collaborative, but not for a shock hitting the whole treated LA in one year — with one
treated area nothing in the data can measure that, so the interval is too narrow when
such shocks exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import pandas as pd

from partnership_eval.data.store import DataTables
from partnership_eval.errors import EstimationError
from partnership_eval.impact import staggered_did
from partnership_eval.impact.did_results import AggregateResult
from partnership_eval.panel import build_panel
from partnership_eval.result import Result, concat_exclusions, exclusion_frame, tidy_frame

if TYPE_CHECKING:
    from matplotlib.axes import Axes

NETWORK_KINDS = ("triad", "collaborative")
COVARIATES = ("base_ks2_rwm_exp", "fsm_pct")


@dataclass(frozen=True)
class NetworkDidSpec:
    """Settings of the school-level cross-check."""

    la_code: int
    comparison_las: tuple[int, ...]
    outcome: str
    covariates: tuple[str, ...]
    cluster: str
    alpha: float = 0.05


@dataclass(frozen=True)
class NetworkDidResult(Result):
    """Average effect on network schools, and by event time."""

    spec: NetworkDidSpec
    exclusions: pd.DataFrame
    overall: AggregateResult
    dynamic: AggregateResult
    n_treated: int
    n_comparison: int
    title: ClassVar[str] = "School-level staggered DiD"
    headline_label: ClassVar[str] = "school-level DiD: average effect on network schools (pp)"

    def tidy(self) -> pd.DataFrame:
        """The average effect, then one row per event time."""
        rows = [
            {
                "term": "average effect on network schools",
                "estimate": self.overall.att,
                "se": self.overall.se,
                "ci_low": self.overall.ci_low,
                "ci_high": self.overall.ci_high,
            }
        ]
        for row in self.dynamic.table.itertuples(index=False):
            rows.append(
                {
                    "term": f"event time {int(row.event_time)}",
                    "estimate": row.att,
                    "se": row.se,
                    "ci_low": row.ci_low,
                    "ci_high": row.ci_high,
                }
            )
        frame = pd.DataFrame(rows).assign(n_treated=self.n_treated, n_comparison=self.n_comparison)
        return tidy_frame(frame, alpha=self.alpha)

    def table(self, digits: int = 2) -> pd.DataFrame:
        """The estimates in words."""
        tidy = self.tidy()
        return pd.DataFrame(
            {
                "": tidy["term"],
                "estimate (pp)": tidy["estimate"].round(digits),
                "standard error": tidy["se"].round(digits),
                f"{self.level} interval from": tidy["ci_low"].round(digits),
                f"{self.level} interval to": tidy["ci_high"].round(digits),
            }
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """Effects by years since joining, with their intervals."""
        from partnership_eval.plots import event_study_plot, new_axes

        ax = ax or new_axes()
        return event_study_plot(
            self.dynamic.table.rename(columns={"att": "estimate"}),
            ax=ax,
            band_label=f"{self.level} interval",
        )


def network_did(
    data: DataTables,
    la_code: int,
    comparison_las: Sequence[int],
    *,
    outcome: str = "ks2_rwm_exp",
    years: tuple[int, int] | None = None,
    alpha: float = 0.05,
) -> NetworkDidResult:
    """Staggered DiD of the network schools of ``la_code`` against schools of
    ``comparison_las`` in no network (see the module docstring)."""
    built = build_panel(
        data, kind=list(NETWORK_KINDS), area=[int(la_code), *map(int, comparison_las)], years=years
    )
    panel = built.frame
    records = built.exclusions.drop(columns="step").to_dict("records")
    in_la = panel["la_code"] == la_code
    drop = (in_la & (panel["first_treated"] == 0)) | (~in_la & (panel["first_treated"] > 0))
    if drop.any():
        records.append(
            {
                "reason": "non-members in the network's LA, or members elsewhere",
                "rows": int(drop.sum()),
                "schools": int(panel.loc[drop, "urn"].nunique()),
            }
        )
    panel = panel[~drop]
    n_treated = int(panel.loc[panel["first_treated"] > 0, "urn"].nunique())
    if n_treated == 0:
        raise EstimationError(f"no school of LA {la_code} is in a triad or collaborative")
    memberships = data.memberships.merge(
        data.partnerships[["partnership_id", "kind"]], on="partnership_id"
    )
    collaborative = (
        memberships[memberships["kind"] == "collaborative"].drop_duplicates("urn").set_index("urn")
    )["partnership_id"]
    panel = panel.assign(
        cluster=np.where(
            panel["first_treated"] > 0,
            panel["urn"].map(collaborative).fillna(panel["urn"].astype(str)),
            "LA" + panel["la_code"].astype(str),
        )
    )
    covariates = [c for c in COVARIATES if panel[c].notna().any()]
    missing = panel[covariates].isna().any(axis=1)
    if missing.any():
        records.append(
            {
                "reason": "no baseline attainment or FSM share",
                "rows": int(missing.sum()),
                "schools": int(panel.loc[missing, "urn"].nunique()),
            }
        )
        panel = panel[~missing]
    res = staggered_did(
        panel,
        outcome=outcome,
        unit="urn",
        time="year",
        cohort="first_treated",
        covariates=covariates,
        method="dr",
        cluster="cluster",
        n_boot=0,
        alpha=alpha,
        allow_unbalanced_panel=True,
    )
    engine = exclusion_frame(
        res.exclusions.rename(columns={"units": "schools"}), step="staggered DiD"
    )
    n_comparison = int(panel.loc[panel["first_treated"] == 0, "urn"].nunique())
    return NetworkDidResult(
        spec=NetworkDidSpec(
            la_code=int(la_code),
            comparison_las=tuple(int(c) for c in comparison_las),
            outcome=outcome,
            covariates=tuple(covariates),
            cluster="collaborative (network schools), LA (comparison schools)",
            alpha=alpha,
        ),
        exclusions=concat_exclusions(exclusion_frame(records, step="school panel"), engine),
        overall=res.aggregate("simple"),
        dynamic=res.aggregate("dynamic"),
        n_treated=n_treated,
        n_comparison=n_comparison,
    )
