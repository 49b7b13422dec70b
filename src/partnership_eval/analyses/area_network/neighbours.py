"""Statistical neighbours of an LA: the areas most like it before the network began.

Each LA is described by stated context variables, measured on the schools and results
in the data before the start year:

- ``fsm share``: pupil-weighted mean % of pupils eligible for free school meals;
- ``rural share``: share of pupils on roll in rural schools;
- ``size``: log of the KS2 pupils tested per year;
- ``prior attainment``: pupil-weighted mean outcome over the pre-period years.

Variables are standardised across the candidate LAs and neighbours are the nearest in
plain Euclidean distance (as DfE's statistical-neighbour tables, on fewer variables). A
variable known for under half of the candidates (the real extracts describe the schools
of two LAs only) is left out and the result says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from partnership_eval.data.store import DataTables
from partnership_eval.errors import EstimationError, InputError

CONTEXT_VARIABLES = ("fsm share", "rural share", "size", "prior attainment")
MIN_KNOWN = 0.5
"""A context variable is used only when known for at least this share of candidates."""


@dataclass(frozen=True)
class Neighbours:
    """The statistical neighbours of one LA and how they were chosen.

    ``table`` has one row per LA (the treated LA first, then candidates by distance):
    la_code, la_name, the context variables, distance, neighbour (bool).
    """

    la_code: int
    codes: tuple[int, ...]
    variables: tuple[str, ...]
    dropped: tuple[str, ...]
    table: pd.DataFrame

    def names(self) -> list[str]:
        """The neighbours' LA names, nearest first."""
        chosen = self.table[self.table["neighbour"]]
        return chosen["la_name"].tolist()

    def reader_table(self, digits: int = 2) -> pd.DataFrame:
        """The LA and its neighbours with the context variables used, in words."""
        rows = self.table[(self.table["la_code"] == self.la_code) | self.table["neighbour"]]
        out = rows[["la_name", *self.variables, "distance"]].round(digits)
        return out.rename(
            columns={
                "la_name": "area",
                "fsm share": "% FSM",
                "rural share": "% of pupils in rural schools",
                "size": "log KS2 pupils a year",
                "prior attainment": "prior attainment (%)",
                "distance": "distance (SDs)",
            }
        ).reset_index(drop=True)

    def describe(self) -> str:
        """One sentence: how many neighbours, by which variables (and which were left out)."""
        text = (
            f"{len(self.codes)} statistical neighbours chosen by "
            f"{', '.join(self.variables)}: {', '.join(self.names())}."
        )
        if self.dropped:
            text += f" Not used (known for too few areas): {', '.join(self.dropped)}."
        return text


def context(data: DataTables, series: pd.DataFrame, before: int) -> pd.DataFrame:
    """The context variables of every LA in ``series``, from data before year ``before``."""
    schools = data.schools
    pupils = schools["pupils"].astype("float64")
    fsm = schools["fsm_pct"].astype("float64")
    rural = schools["rural"].astype("float64")
    known_fsm = pupils.notna() & fsm.notna()
    known_rural = pupils.notna() & rural.notna()
    by_la = (
        pd.DataFrame(
            {
                "la_code": schools["la_code"],
                "fsm_w": (pupils * fsm).where(known_fsm),
                "fsm_n": pupils.where(known_fsm),
                "rural_w": (pupils * rural).where(known_rural),
                "rural_n": pupils.where(known_rural),
            }
        )
        .groupby("la_code")[["fsm_w", "fsm_n", "rural_w", "rural_n"]]
        .sum(min_count=1)
    )
    pre = series[series["year"] < before]
    wy = (pre["value"] * pre["pupils"]).groupby(pre["la_code"]).sum()
    n = pre.groupby("la_code")["pupils"].sum()
    years = pre.groupby("la_code")["year"].nunique()
    table = pd.DataFrame({"prior attainment": wy / n, "size": np.log(n / years)})
    table = table.join(by_la, how="left")
    table["fsm share"] = table["fsm_w"] / table["fsm_n"]
    table["rural share"] = 100 * table["rural_w"] / table["rural_n"]
    names = series.drop_duplicates("la_code").set_index("la_code")["la_name"]
    table = table.assign(la_name=names).reset_index().rename(columns={"index": "la_code"})
    return table[["la_code", "la_name", *CONTEXT_VARIABLES]]


def statistical_neighbours(
    data: DataTables,
    series: pd.DataFrame,
    la_code: int,
    before: int,
    n: int = 10,
    *,
    exclude: Sequence[int] = (),
    variables: Sequence[str] = CONTEXT_VARIABLES,
) -> Neighbours:
    """The ``n`` LAs nearest to ``la_code`` on the context variables before ``before``.

    ``series`` is :func:`~.series.area_series`; ``exclude`` are LAs that may not be
    neighbours (e.g. other networks). Raises :class:`EstimationError` when the LA has no
    results before ``before`` or too few candidates remain.
    """
    unknown = sorted(set(variables) - set(CONTEXT_VARIABLES))
    if unknown:
        raise InputError(
            f"unknown context variable(s) {unknown}",
            fix=f"choose from {', '.join(CONTEXT_VARIABLES)}",
        )
    if not isinstance(n, int | np.integer) or n < 1:
        raise InputError(f"neighbour count n={n!r} must be a whole number ≥ 1")
    table = context(data, series, before)
    if la_code not in set(table["la_code"]):
        raise EstimationError(f"LA {la_code} has no results before {before} to match on")
    candidates = table[~table["la_code"].isin([la_code, *exclude])]
    if len(candidates) < n:
        raise EstimationError(
            f"only {len(candidates)} candidate LAs for {n} neighbours; ask for fewer"
        )
    used = [
        v
        for v in variables
        if candidates[v].notna().mean() >= MIN_KNOWN
        and pd.notna(table.set_index("la_code").at[la_code, v])
    ]
    dropped = tuple(v for v in variables if v not in used)
    if not used:
        raise EstimationError("no context variable is known for the LA and most candidates")
    values = table.set_index("la_code")[used]
    scale = candidates[used].std(ddof=0).replace(0, 1.0)
    z = (values - values.loc[la_code]) / scale.to_numpy()
    distance = np.sqrt((z**2).sum(axis=1, min_count=1).where(z.notna().all(axis=1)))
    table = table.assign(distance=table["la_code"].map(distance))
    chosen = (
        table[table["la_code"].isin(candidates["la_code"]) & table["distance"].notna()]
        .sort_values(["distance", "la_code"])
        .head(n)
    )
    table["neighbour"] = table["la_code"].isin(chosen["la_code"])
    order = pd.concat(
        [
            table[table["la_code"] == la_code],
            table[table["la_code"] != la_code].sort_values(["distance", "la_code"]),
        ]
    )
    return Neighbours(
        la_code=int(la_code),
        codes=tuple(int(c) for c in chosen["la_code"]),
        variables=tuple(used),
        dropped=dropped,
        table=order.reset_index(drop=True),
    )
