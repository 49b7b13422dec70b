"""The map of ``00_overview``: the area's open schools by partnership kind and size."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from matplotlib.axes import Axes

from partnership_eval.analyses.overview.summaries import KINDS
from partnership_eval.data.geography import area_name
from partnership_eval.data.store import DataTables
from partnership_eval.maps import area_outline, school_map
from partnership_eval.panel import memberships_of_kind, schools_in_area

NO_PARTNERSHIP = "no partnership"


def current_partnerships(data: DataTables, kinds: Sequence[str] = KINDS) -> pd.DataFrame:
    """Each school's current partnership (not left; the first of ``kinds`` when several)
    with its kind and its number of member schools: urn, partnership_id, kind, n_schools."""
    rows = memberships_of_kind(data.memberships, data.partnerships, list(kinds))
    rows = rows[rows["left"].isna()].drop_duplicates(["urn", "partnership_id"])
    rows = rows.merge(data.partnerships[["partnership_id", "kind"]], on="partnership_id")
    rows["n_schools"] = rows.groupby("partnership_id")["urn"].transform("nunique")
    rows["rank"] = rows["kind"].map({k: i for i, k in enumerate(kinds)})
    rows = rows.sort_values(["urn", "rank", "partnership_id"]).drop_duplicates("urn")
    return rows[["urn", "partnership_id", "kind", "n_schools"]].reset_index(drop=True)


def area_map(
    data: DataTables,
    area: str | int,
    *,
    kinds: Sequence[str] = KINDS,
    boundaries: str | Path | None = None,
) -> Axes:
    """The area's open schools coloured by their partnership's kind, sized by its schools.

    The outline is the LA boundary from ``boundaries`` when given (see
    :func:`partnership_eval.maps.read_boundaries`), else the schools' own padded hull.
    """
    schools = schools_in_area(data, area)
    open_now = schools[schools["close_date"].isna()]
    current = current_partnerships(data, kinds)
    shown = open_now.merge(current, on="urn", how="left")
    shown["kind"] = shown["kind"].fillna(NO_PARTNERSHIP).str.replace("_", " ")
    shown["n_schools"] = shown["n_schools"].fillna(1)
    order = [k.replace("_", " ") for k in kinds if k.replace("_", " ") in set(shown["kind"])]
    names = sorted(schools["la_name"].unique())
    return school_map(
        shown,
        group="kind",
        order=[*order, NO_PARTNERSHIP],
        size="n_schools",
        size_label="schools in the partnership",
        outline=area_outline(open_now, boundaries=boundaries, names=names),
        title=f"Open schools by partnership, {area_name(area)}",
    )
