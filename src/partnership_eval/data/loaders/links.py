"""GIAS establishment links → which URN continues which (academy conversion issues a new URN).

In a links file each row says what ``LinkURN`` is *to* ``URN``: ``100023, 100024,
Predecessor`` means 100024 is the predecessor of 100023. Plain predecessor/successor
links (academy conversion, re-registration) and amalgamations (schools closing to open
as one new school) continue a school's history. Merges do not: the successor is an
existing school absorbing another, whose own past stays under its own URN. Split-school
links (one school becoming several) and other link types (sixth-form centres,
expansions) do not either, because there is no single school to continue.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from partnership_eval.data.loaders.codes import parse_dates, parse_int
from partnership_eval.data.loaders.gias import GIAS_DATES
from partnership_eval.data.loaders.rawfile import RawTable

CONTINUING = (
    "predecessor",
    "successor",
    "predecessor - amalgamated",
    "successor - amalgamated",
)
"""Link types (lower case) along which a school's history continues."""

MAX_CHAIN = 50
"""Longest predecessor chain followed (guards against cyclic links)."""


def load_links(raw: RawTable) -> pd.DataFrame:
    """Rows of a GIAS links file: ``urn``, ``link_urn``, ``link_type``, ``established``."""
    established = (
        parse_dates(raw, "LinkEstablishedDate", GIAS_DATES)
        if raw.has("LinkEstablishedDate")
        else pd.Series(pd.NaT, index=raw.frame.index, dtype="datetime64[ns]")
    )
    return pd.DataFrame(
        {
            "urn": parse_int(raw, "URN", what="URN"),
            "link_urn": parse_int(raw, "LinkURN", what="URN"),
            "link_type": raw.text("LinkType"),
            "established": established,
        }
    ).dropna(subset=["urn", "link_urn"])


@dataclass
class Successors:
    """Where each predecessor URN's history continues."""

    final: pd.Series
    """Predecessor URN → the URN at the end of its chain of successors."""
    ambiguous: int
    """Predecessors with more than one successor (left under their own URN)."""
    cyclic: int
    """Predecessors whose links loop back (left under their own URN)."""


def successors(links: pd.DataFrame) -> Successors:
    """Follow predecessor → successor links to each predecessor's latest URN.

    Examples
    --------
    >>> links = pd.DataFrame({"urn": [2, 1], "link_urn": [1, 2],
    ...                       "link_type": ["Predecessor", "Successor"]})
    >>> successors(links).final.to_dict()
    {1: 2}
    """
    kind = links["link_type"].str.lower()
    continuing = kind.isin(CONTINUING)
    forward = links.loc[continuing & kind.str.startswith("successor"), ["urn", "link_urn"]]
    backward = links.loc[continuing & kind.str.startswith("predecessor"), ["link_urn", "urn"]]
    edges = pd.concat(
        [
            forward.set_axis(["old", "new"], axis=1),
            backward.set_axis(["old", "new"], axis=1),
        ]
    ).astype("int64")
    edges = edges.loc[edges["old"] != edges["new"]].drop_duplicates()
    n_next = edges.groupby("old")["new"].transform("size")
    ambiguous = int(edges.loc[n_next > 1, "old"].nunique())
    step = edges.loc[n_next == 1].set_index("old")["new"]
    final = step.copy()
    for _ in range(MAX_CHAIN):
        nxt = final.map(step).fillna(final).astype("int64")
        if nxt.equals(final):
            break
        final = nxt
    # A chain that still has a next step after MAX_CHAIN steps goes round in a loop.
    cyclic_mask = final.map(step).notna() | final.index.to_series().eq(final)
    final = final.loc[~cyclic_mask]
    return Successors(final=final, ambiguous=ambiguous, cyclic=int(cyclic_mask.sum()))
