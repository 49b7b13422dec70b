"""The map of ``06_area_network``: the LA and its statistical neighbours among England's
schools."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from partnership_eval.analyses.area_network.report import AreaNetworkResult
from partnership_eval.maps import school_map

GROUPS = ("the area", "statistical neighbours", "rest of England")


def neighbours_map(result: AreaNetworkResult, schools: pd.DataFrame) -> Axes:
    """Open schools of England coloured as the area's, its statistical neighbours' (when
    they were found) or the rest; ``schools`` is the canonical schools table."""
    neighbours = result.neighbours.codes if result.neighbours is not None else ()
    shown = schools[schools["close_date"].isna()]
    part = pd.Series(GROUPS[2], index=shown.index)
    part[shown["la_code"].isin(neighbours)] = GROUPS[1]
    part[shown["la_code"] == result.spec.la_code] = GROUPS[0]
    return school_map(
        shown.assign(part=part),
        group="part",
        order=[g for g in GROUPS if g in set(part)],
        background=[GROUPS[2]],
        title=f"{result.name} and its statistical neighbours",
    )
