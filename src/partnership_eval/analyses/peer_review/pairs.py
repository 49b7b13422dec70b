"""Self and peer judgements of one school, theme and academic year, side by side.

A *pair* is a school's self-review grade on a theme and the grade a peer reviewer gave
the same school on the same theme in the same academic year (September to August). Where
a year holds several judgements of one kind, the latest counts; every judgement left
unpaired or superseded is counted in the exclusions.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from partnership_eval.data.schema import REVIEWER_TYPES
from partnership_eval.errors import InputError
from partnership_eval.exclusions import exclusion
from partnership_eval.panel import academic_year

PEER_TYPES = tuple(t for t in REVIEWER_TYPES if t not in ("self", "inspection"))
PAIR_COLUMNS = ["urn", "theme", "year", "self_grade", "peer_grade", "date", "school_type"]


def check_peer_types(peer_types: Sequence[str]) -> tuple[str, ...]:
    """``peer_types`` as a tuple, or an :class:`InputError` naming what is wrong."""
    chosen = tuple([peer_types] if isinstance(peer_types, str) else peer_types)
    bad = [t for t in chosen if t not in PEER_TYPES]
    if bad or not chosen:
        raise InputError(
            f"peer_types {list(chosen)!r}: {', '.join(map(repr, bad)) or 'none given'}",
            column="peer_types",
            fix=f"choose from {', '.join(PEER_TYPES)}",
        )
    return chosen


def _latest(rows: pd.DataFrame, side: str, records: list[dict]) -> pd.DataFrame:
    """The latest judgement per school, theme and year; earlier ones counted."""
    rows = rows.sort_values(["urn", "theme", "year", "date"], kind="stable")
    earlier = rows.duplicated(["urn", "theme", "year"], keep="last")
    records.append(exclusion(f"earlier {side} judgement in the same year", rows, earlier))
    return rows[~earlier]


def review_pairs(
    reviews: pd.DataFrame, schools: pd.DataFrame, peer_types: Sequence[str]
) -> tuple[pd.DataFrame, list[dict]]:
    """Pairs of self and peer grades (:data:`PAIR_COLUMNS`) and the exclusion records.

    ``reviews`` is the canonical table restricted to the schools of interest; ``schools``
    gives each school's type. ``date`` is the peer judgement's date.
    """
    records: list[dict] = []
    reviews = reviews.assign(year=academic_year(reviews["date"]).astype("int64"))
    unknown = ~reviews["urn"].isin(schools["urn"])
    records.append(exclusion("school not in the schools table", reviews, unknown))
    reviews = reviews[~unknown]
    other = ~reviews["reviewer_type"].isin(("self", *peer_types))
    records.append(exclusion("judgement by another reviewer type (not compared)", reviews, other))
    own = _latest(reviews[reviews["reviewer_type"] == "self"], "self", records)
    peer = _latest(reviews[reviews["reviewer_type"].isin(peer_types)], "peer", records)
    keys = ["urn", "theme", "year"]
    pairs = own[[*keys, "grade"]].merge(
        peer[[*keys, "grade", "date"]], on=keys, how="outer", suffixes=("_self", "_peer"),
        indicator=True,
    )  # fmt: skip
    records.append(
        exclusion(
            "self-review without a peer judgement that year", pairs, pairs["_merge"] == "left_only"
        )
    )
    records.append(
        exclusion(
            "peer judgement without a self-review that year", pairs, pairs["_merge"] == "right_only"
        )
    )
    pairs = pairs[pairs["_merge"] == "both"].rename(
        columns={"grade_self": "self_grade", "grade_peer": "peer_grade"}
    )
    types = schools.drop_duplicates("urn").set_index("urn")["school_type"]
    pairs = pairs.astype({"self_grade": "int64", "peer_grade": "int64"})
    pairs["school_type"] = pairs["urn"].map(types).fillna("type not recorded").astype(str)
    records = [r for r in records if r["rows"]]
    return pairs[PAIR_COLUMNS].reset_index(drop=True), records
