"""A school's inspection history and partnership membership on any date."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from partnership_eval.exclusions import exclusion
from partnership_eval.panel import is_member, memberships_of_kind

GROUPS = ("partnership", "comparison")


def member_on(
    urns: pd.Series,
    dates: pd.Series,
    memberships: pd.DataFrame,
    partnerships: pd.DataFrame,
    kind: str | Sequence[str],
) -> pd.Series:
    """The partnership of ``kind`` each school belonged to on each date (missing if none).

    A school is a member from its joining date until the day before it left. Where a
    school belonged to several, the one it joined first is given.
    """
    spans = memberships_of_kind(memberships, partnerships, kind)[
        ["urn", "partnership_id", "joined", "left"]
    ]
    events = pd.DataFrame(
        {"urn": urns.to_numpy(), "date": dates.to_numpy(), "row": np.arange(len(urns))}
    )
    hits = events.merge(spans, on="urn")
    first = (
        hits[is_member(hits["joined"], hits["left"], hits["date"])]
        .sort_values(["row", "joined"])
        .drop_duplicates("row")
    )
    out = pd.Series(pd.NA, index=range(len(urns)), dtype="str")
    out.iloc[first["row"].to_numpy()] = first["partnership_id"].to_numpy()
    return out.set_axis(urns.index)


def graded_inspections(inspections: pd.DataFrame, exclusions: list[dict]) -> pd.DataFrame:
    """Graded inspections in date order per school (one per school and day); the
    ungraded and same-day repeats are counted in ``exclusions``."""
    ungraded = inspections["grade"].isna()
    if ungraded.any():
        exclusions.append(exclusion("inspection without a grade", inspections, ungraded))
    graded = inspections[~ungraded]
    # Two graded inspections of one school on one day (e.g. two kinds): keep the worse.
    same_day = graded.duplicated(["urn", "date"], keep=False)
    ordered = graded.sort_values(["urn", "date", "grade"])
    dup = ordered.duplicated(["urn", "date"], keep="last")
    if same_day.any():
        exclusions.append(
            exclusion("second graded inspection on the same day (worse grade kept)", ordered, dup)
        )
    return ordered[~dup].astype({"grade": "int64"}).reset_index(drop=True)
