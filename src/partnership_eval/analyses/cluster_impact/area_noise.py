"""Area-level noise of one area's estimate: shocks that hit every school of an LA at once.

When every treated school is in one LA, a year in which the whole LA does well or badly
(writing is teacher-assessed and moderated by the LA; a new adviser; a hard winter)
moves every treated school together. Neither school- nor partnership-level inference
allows for it, and no amount of schools averages it away.

The overall effect is a fixed contrast of years: ``Σ_t a_t · result_t`` with ``a_t`` the
weight each year gets (each start-year cohort's post-start years minus its base year,
weighted as the estimate weights cohorts; the ``a_t`` sum to zero). Applied to the yearly
mean results of each other LA's schools (net of the national mean), the same contrast
gives what LA-wide shocks alone would have added to an estimate there. Its spread over
LAs, less the part their schools' own sampling noise explains, is the area-level
variance ``τ²`` (a method-of-moments estimate, as in a random-effects meta-analysis):

    τ² = max(0, mean_ℓ[(Σ_t a_t r_ℓt)² − Σ_t a_t² v_ℓt])

with ``r_ℓt`` LA ℓ's mean result in year t minus the national mean and ``v_ℓt`` the
sampling variance of that mean. Schools ever in a partnership are left out of the LA
means (their own effects are not noise). Adding ``τ²`` to the estimate's own variance
gives an interval that allows for the treated area's shocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from partnership_eval.analyses.cluster_impact.design import TREATED, ImpactDesign
from partnership_eval.analyses.cluster_impact.estimate import ImpactEstimate
from partnership_eval.analyses.cluster_impact.sample import cell_pairs
from partnership_eval.errors import EstimationError
from partnership_eval.result import Result, exclusion_frame, tidy_frame

if TYPE_CHECKING:
    from matplotlib.axes import Axes

MIN_LA_SCHOOLS = 5
"""Fewest schools with a result an LA needs in every contrasted year to be measured."""

MIN_AREAS = 10
"""Fewest LAs the area-level variance may rest on."""


@dataclass(frozen=True)
class AreaNoiseSpec:
    """Settings of the area-level noise measurement."""

    outcome: str
    min_la_schools: int = MIN_LA_SCHOOLS
    alpha: float = 0.05


@dataclass(frozen=True)
class AreaNoise(Result):
    """The area-level SD of an estimate's error, measured on the other LAs.

    ``contrast`` is the weight of each year (year, weight); ``areas`` one row per LA
    measured (la_code, schools, shift: the contrast applied to its yearly means,
    sampling_var: the part of its square its schools' noise explains).
    """

    spec: AreaNoiseSpec
    sd: float
    contrast: pd.DataFrame
    areas: pd.DataFrame
    exclusions: pd.DataFrame = field(default_factory=exclusion_frame)
    title = "Area-level noise"
    headline_label = "SD of the error area-wide shocks add (points)"

    @property
    def n_areas(self) -> int:
        """LAs the SD rests on."""
        return len(self.areas)

    def tidy(self) -> pd.DataFrame:
        """One row: the area-level SD and how many LAs it rests on."""
        return tidy_frame(
            [{"term": "area-level SD", "estimate": self.sd, "n_areas": self.n_areas}],
            alpha=self.alpha,
        )

    def summary(self) -> str:
        """The SD in words."""
        return (
            f"Shocks that hit a whole LA add an error of SD {self.sd:.2f} points to an estimate "
            f"like this one (measured on {self.n_areas} other LAs' yearly results)."
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """Each LA's shift (what its own shocks would add), as a strip around zero."""
        from partnership_eval.plots import strip_plot

        ax = strip_plot(
            self.areas["shift"].to_numpy(),
            label="other LAs",
            xlabel="shift from LA-wide shocks alone (points)",
            title=self.title,
            ax=ax,
        )
        ax.legend(frameon=False)
        return ax


def year_contrast(main: ImpactEstimate) -> pd.Series:
    """Weight of each year in ``main``'s overall effect (index year; sums to zero)."""
    att = main.did.att_gt
    post = att.loc[att["post"] & att["att"].notna(), ["cohort", "time"]]
    if post.empty:
        raise EstimationError("the estimate has no post-start comparison to measure noise for")
    pairs = cell_pairs(
        main.sample["year"].unique(), post["cohort"].unique(), main.spec.anticipation
    )
    cells = post.merge(pairs, on=["cohort", "time"])
    treated = main.sample[main.sample["group"] == TREATED].drop_duplicates("urn")
    size = cells["cohort"].map(treated.groupby("first_treated").size()).astype("float64")
    weight = size / size.sum()
    gain = weight.groupby(cells["time"]).sum()
    loss = weight.groupby(cells["base"]).sum()
    contrast = gain.sub(loss, fill_value=0.0)
    return contrast[contrast.abs() > 1e-12].rename_axis("year").rename("weight")


def area_noise(
    design: ImpactDesign, main: ImpactEstimate, *, min_la_schools: int = MIN_LA_SCHOOLS
) -> AreaNoise:
    """The area-level SD of ``main``'s error, from the other LAs' yearly results."""
    src = design.source
    quiet = (
        (src["first_treated"] == 0)
        & ~src["in_other_partnership"]
        & ~src["la_code"].isin(design.la_codes)
    )
    return contrast_noise(
        src.loc[quiet], main.outcome, year_contrast(main), min_la_schools, alpha=main.alpha
    )


def contrast_noise(
    rows: pd.DataFrame,
    outcome: str,
    contrast: pd.Series,
    min_la_schools: int = MIN_LA_SCHOOLS,
    *,
    alpha: float = 0.05,
) -> AreaNoise:
    """Area-level SD of ``contrast`` (weights by year) applied to LA means of ``rows``
    (la_code, year, ``outcome``; schools not in any partnership), as in the module docstring."""
    years = contrast.index
    rows = rows.loc[rows["year"].isin(years) & rows[outcome].notna(), ["la_code", "year", outcome]]
    rows = rows.astype({outcome: "float64"})
    national = rows.groupby("year")[outcome].mean()
    cell = rows.groupby(["la_code", "year"])[outcome].agg(["mean", "var", "count"])
    shift = cell["mean"] - national.reindex(cell.index.get_level_values("year")).to_numpy()
    wide = pd.DataFrame(
        {"shift": shift, "var": cell["var"] / cell["count"], "count": cell["count"]}
    ).unstack("year")
    count = wide["count"].reindex(columns=years)
    measured = (count >= min_la_schools).all(axis=1)
    a = contrast.to_numpy()
    areas = pd.DataFrame(
        {
            "la_code": wide.index[measured],
            "schools": count[measured].min(axis=1).astype("int64").to_numpy(),
            "shift": wide["shift"].reindex(columns=years)[measured].to_numpy() @ a,
            "sampling_var": wide["var"].reindex(columns=years)[measured].to_numpy() @ a**2,
        }
    )
    skipped = int((~measured).sum())
    reason = f"LA with fewer than {min_la_schools} schools with results in a year compared"
    exclusions = exclusion_frame(
        [{"reason": reason, "rows": 0, "schools": skipped}] if skipped else [], step="area_noise"
    )
    if len(areas) < MIN_AREAS:
        raise EstimationError(
            f"only {len(areas)} other LAs have {min_la_schools}+ schools with results in every "
            f"year the estimate compares (at least {MIN_AREAS} needed to measure area-wide noise)"
        )
    tau2 = float(np.mean(areas["shift"] ** 2 - areas["sampling_var"]))
    return AreaNoise(
        AreaNoiseSpec(outcome, min_la_schools, alpha),
        sd=float(np.sqrt(max(tau2, 0.0))),
        contrast=contrast.reset_index(),
        areas=areas,
        exclusions=exclusions,
    )


def with_area_noise(main: ImpactEstimate, noise: AreaNoise) -> ImpactEstimate:
    """``main`` whose overall interval also allows for shocks hitting the whole area."""
    return replace(main, area_sd=noise.sd, n_areas=noise.n_areas)
