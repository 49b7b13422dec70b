"""The map of ``01_cluster_impact``: the area's treated schools and, on an inset of
England, where the comparison schools come from."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.axes import Axes

from partnership_eval.analyses.cluster_impact.design import ImpactDesign
from partnership_eval.maps import area_outline, england_panel, located, map_axes, school_map

GROUP_LABELS = {"treated": "treated", "comparison": "comparison", "other": "not in the design"}


def design_map(
    design: ImpactDesign, schools: pd.DataFrame, *, boundaries: str | Path | None = None
) -> Axes:
    """The area's schools by their part in the design (open ones outside it too), with a
    panel of England showing every comparison school; ``schools`` is the canonical schools
    table (coordinates)."""
    groups = design.schools.set_index("urn")["group"]
    local = schools[schools["la_code"].isin(design.la_codes)]
    local = local[local["urn"].isin(groups.index) | local["close_date"].isna()]
    local = local.assign(part=local["urn"].map(groups).fillna("other").map(GROUP_LABELS))
    comparison = schools[schools["urn"].isin(groups.index[groups == "comparison"])]
    outline = area_outline(local, boundaries=boundaries, names=sorted(local["la_name"].unique()))
    ax, side = map_axes(england=True)
    school_map(
        local,
        group="part",
        order=[g for g in GROUP_LABELS.values() if g in set(local["part"])],
        outline=outline,
        title=f"Treated and comparison schools, {design.area}",
        ax=ax,
    )
    england_panel(
        side,
        schools,
        comparison,
        label=f"where the comparison schools are\n({len(located(comparison))} of {len(comparison)} located)",
        area=outline,
    )
    return ax
