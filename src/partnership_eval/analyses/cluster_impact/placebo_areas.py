"""Placebo in space for one treated area: the same design run on comparison LAs.

With every treated school in one LA, an LA-wide shock (writing is teacher-assessed and
moderated by the LA; a new adviser; a change of admissions) moves every treated school
at once, and no school- or partnership-level interval allows for it. So each comparison
LA with enough comparison schools is given pretend clusters with the treated area's size
structure — its schools shuffled (seeded) into groups of the real clusters' sizes, each
taking a real cluster's start year — and the main design is run with those schools as
treated and the real treated schools left out. The spread of the placebo estimates is
what area-level noise alone produces; the p-value and the Conley–Taber interval come
from :func:`partnership_eval.impact.placebo_in_space`.

The placebo areas have fewer pretend-treated schools than the real area has treated
ones, so their estimates are noisier: the p-value is, if anything, conservative.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from partnership_eval.analyses.cluster_impact.design import COMPARISON, TREATED, ImpactDesign
from partnership_eval.analyses.cluster_impact.estimate import ImpactEstimate, estimate_impact
from partnership_eval.impact.placebo import PlaceboResult, placebo_in_space

MIN_PLACEBO_SCHOOLS = 20
"""Fewest comparison schools an LA needs to stand in as a placebo area."""


def _cluster_plan(design: ImpactDesign) -> pd.DataFrame:
    """The treated area's clusters: size (schools) and start year, one row each."""
    treated = design.panel[design.panel["group"] == TREATED].drop_duplicates("urn")
    return (
        treated.groupby("partnership_id")
        .agg(size=("urn", "size"), start=("first_treated", "first"))
        .reset_index(drop=True)
    )


def pretend_treated(design: ImpactDesign, la_code: int, *, seed: int = 0) -> pd.DataFrame:
    """The design's panel with the comparison schools of ``la_code`` in pretend clusters
    (treated from the clusters' start years) and the real treated schools left out."""
    panel = design.panel
    plan = _cluster_plan(design)
    rng = np.random.default_rng([seed, int(la_code)])
    schools = panel.loc[_never_joining(panel) & (panel["la_code"] == la_code), "urn"]
    schools = rng.permutation(schools.unique())
    order = plan.iloc[rng.permutation(len(plan))]
    repeats = int(np.ceil(len(schools) / max(int(order["size"].sum()), 1)))
    sizes = np.tile(order["size"].to_numpy(), repeats)
    starts = np.tile(order["start"].to_numpy(), repeats)
    cluster = np.repeat(np.arange(len(sizes)), sizes)[: len(schools)]
    assigned = pd.DataFrame(
        {
            "urn": schools,
            "pretend_start": starts[cluster],
            "pretend_id": [f"placebo-{la_code}-{c}" for c in cluster],
        }
    )
    out = panel[panel["group"] != TREATED].merge(assigned, on="urn", how="left")
    chosen = out["pretend_start"].notna()
    out.loc[chosen, "first_treated"] = out.loc[chosen, "pretend_start"].astype("int64")
    out.loc[chosen, "group"] = TREATED
    out.loc[chosen, "partnership_id"] = out.loc[chosen, "pretend_id"]
    out["treated"] = (out["first_treated"] > 0) & (out["year"] >= out["first_treated"])
    return out.drop(columns=["pretend_start", "pretend_id"])


def _never_joining(panel: pd.DataFrame) -> pd.Series:
    """Rows of comparison schools that never join a partnership (a school followed only
    until it joins one would stand in for a partnership school with half its years)."""
    return (panel["group"] == COMPARISON) & (panel["joins_partnership"] == 0)


def placebo_las(design: ImpactDesign, min_schools: int = MIN_PLACEBO_SCHOOLS) -> list[int]:
    """LAs with at least ``min_schools`` comparison schools that never join a partnership,
    largest first."""
    comparison = design.panel[_never_joining(design.panel)]
    counts = comparison.groupby("la_code")["urn"].nunique()
    counts = counts[(counts >= min_schools) & ~counts.index.isin(design.la_codes)]
    return [int(c) for c in counts.sort_values(ascending=False, kind="stable").index]


def area_placebo(
    design: ImpactDesign,
    main: ImpactEstimate,
    *,
    min_schools: int = MIN_PLACEBO_SCHOOLS,
    seed: int = 0,
) -> PlaceboResult:
    """Placebo-in-space p-value and interval of ``main`` over the comparison LAs."""
    spec = main.spec

    def estimate(panel: pd.DataFrame, area: object) -> float:
        if area == design.area:
            return float(main.simple.att)
        placebo = replace(design, panel=pretend_treated(design, int(area), seed=seed), truth=None)
        return float(
            estimate_impact(
                placebo,
                spec.outcome,
                comparison="never_treated" if spec.comparison == "matched" else spec.comparison,
                covariates=spec.covariates,
                balanced=spec.balanced,
                estimand=spec.estimand,
                cluster=spec.cluster,
                anticipation=spec.anticipation,
                n_boot=0,
                seed=seed,
                alpha=spec.alpha,
            ).simple.att
        )

    return placebo_in_space(
        design.panel,
        estimate,
        treated=design.area,
        areas=placebo_las(design, min_schools),
        alpha=spec.alpha,
        n_treated=main.n_treated,
        n_comparison=main.n_comparison,
    )
